// Writing results so that a reader never sees half a file: write to a temporary file in
// the same directory, fsync it, rename it over the target, fsync the directory.
#pragma once

#include <filesystem>
#include <string>

#include "runtimes/common/error.hpp"

namespace isobench {

Result<void> write_file_atomically(const std::filesystem::path& path, const std::string& contents);

// results/<UTC stamp>-<host>, e.g. results/20261127T211400Z-vm
std::filesystem::path default_results_dir();

// Creates `dir` (and parents) and checks that a file can be written into it.
Result<void> prepare_output_dir(const std::filesystem::path& dir);

}  // namespace isobench
