// The guest's initramfs: a newc cpio archive written by isobench itself, holding the
// unchanged static workload binary as /init and the /dev/console node the kernel opens
// for init's stdio before any devtmpfs exists.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "runtimes/common/error.hpp"

namespace isobench::guest {

// Appends newc ("070701") entries to a string. Entries carry mtime 0 and owner root so
// the same binary always gives the same archive.
class CpioWriter {
 public:
  void add_directory(std::string_view name, mode_t permissions);
  void add_char_device(std::string_view name, mode_t permissions, unsigned major, unsigned minor);
  void add_file(std::string_view name, mode_t permissions, std::string_view contents);
  // Writes the TRAILER!!! entry; the archive is complete afterwards.
  std::string finish();

 private:
  void add_entry(std::string_view name, mode_t mode, std::string_view data, unsigned rdev_major,
                 unsigned rdev_minor);
  std::string out_;
  std::uint32_t next_inode_ = 1;
};

struct Initramfs {
  std::filesystem::path path;
  std::uint64_t bytes = 0;
  bool reused = false;  // an identical archive was already cached
  double build_s = 0;   // time to read the binary and write the archive (0 when reused)
};

// The archive for `workload_binary`, cached in `cache_dir` under a name derived from the
// binary's contents (isobench-initramfs-<hash>.cpio): rebuilt only when the binary
// changes; older archives there are removed. Written to a temp file, then renamed.
Result<Initramfs> build_initramfs(const std::filesystem::path& workload_binary, const std::filesystem::path& cache_dir);

}  // namespace isobench::guest
