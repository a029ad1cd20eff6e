// What `bench ab` runs on each side: a bench binary given by path, or a git revision of
// the repository in the current directory, built once into the state dir
// (STATE/ab-builds/<commit>/, a cache kept between runs; `rm -r` it to reclaim space).
#pragma once

#include <filesystem>
#include <string>

#include "runtimes/common/error.hpp"

namespace isobench::cli {

struct AbBuild {
  std::string given;               // as on the command line
  std::filesystem::path binary;    // the bench binary to run
  std::string revision;            // the commit, for a git revision; empty for a binary
};

// A path (anything with a '/', or an existing file) must be an executable file; anything
// else is looked up as a git revision and built unless the cache has it. Errors are one
// line naming `given`; a failed build names its log.
Result<AbBuild> resolve_ab_build(const std::string& given, const std::filesystem::path& state_dir);

}  // namespace isobench::cli
