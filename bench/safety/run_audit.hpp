// The leak audit that ends every run, and the same scan for `bench clean`.
#pragma once

#include <string>
#include <vector>

#include "leak_audit.hpp"
#include "removal.hpp"

namespace isobench::safety {

HostRoots host_roots(const std::filesystem::path& state_dir);

// Finds what this run left, removes it and prints one line per artifact on stderr
// ("bench: leak: cgroup ... (removed)"). Returns those lines; empty when the run was clean.
std::vector<std::string> audit_run(const RunBaseline& baseline, const HostRoots& roots);

// What dead runs left, removed; each Removal says whether it worked.
std::vector<Removal> clean_host(const HostRoots& roots);

}  // namespace isobench::safety
