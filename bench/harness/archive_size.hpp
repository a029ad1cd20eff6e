// Sizes of what a user would ship: a directory tree as a ustar archive, gzip-compressed
// (level 9), computed in one streaming pass without writing the archive anywhere.
#pragma once

#include <cstdint>
#include <filesystem>

#include "runtimes/common/error.hpp"

namespace isobench {

struct ArchiveSize {
  std::uint64_t tar_bytes = 0;
  std::uint64_t gzip_bytes = 0;
};

// The tree as a tar (entries sorted, owner root, mtime 0: the same tree always gives the
// same archive). Regular files, directories, symlinks and device nodes.
Result<ArchiveSize> tar_gzip_size(const std::filesystem::path& root);
// One file, gzip-compressed.
Result<std::uint64_t> gzip_size(const std::filesystem::path& file);

}  // namespace isobench
