// Reading and writing the small files of a cgroup directory, with errors that name the
// file. Shared by the v1 and v2 implementations.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "runtimes/common/error.hpp"

namespace isobench::cgroup_files {

// Writes `value` to dir/file in one write(2), as the kernel expects.
Result<void> write(const std::filesystem::path& dir, const std::string& file, const std::string& value);
Result<std::string> read(const std::filesystem::path& dir, const std::string& file);
// The number after `key` in a flat keyed file ("oom_kill 3" in memory.events).
std::optional<std::uint64_t> keyed_value(const std::string& text, const std::string& key);
// mkdir, failing with the path; an existing directory is an error (names are unique).
Result<void> make_directory(const std::filesystem::path& dir);
// rmdir, retried while the kernel still reports the cgroup busy (its last task is being
// released after the reap). ENOENT counts as removed.
Result<void> remove_directory(const std::filesystem::path& dir);

}  // namespace isobench::cgroup_files
