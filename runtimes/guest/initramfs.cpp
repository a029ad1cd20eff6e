#include "initramfs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "runtimes/common/clock.hpp"
#include "runtimes/common/unique_fd.hpp"

namespace isobench::guest {
namespace {

constexpr std::string_view kPrefix = "isobench-initramfs-";
// Bumped when the archive's layout changes, so cached archives are rebuilt.
constexpr std::uint64_t kLayoutVersion = 1;

void pad4(std::string& out) {
  while (out.size() % 4 != 0) out.push_back('\0');
}

std::uint64_t fnv1a(std::string_view data, std::uint64_t hash) {
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

Result<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail_errno("open workload binary " + in_quotes(path.string()));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return fail_errno("read workload binary " + in_quotes(path.string()));
  return std::move(text).str();
}

Result<void> write_all(int fd, std::string_view data, const std::string& what) {
  while (!data.empty()) {
    ssize_t put = ::write(fd, data.data(), data.size());
    if (put < 0) {
      if (errno == EINTR) continue;
      return fail_errno("write " + what);
    }
    data.remove_prefix(static_cast<std::size_t>(put));
  }
  return {};
}

// Archives of older builds of the binary. Only those unused for a day go: another
// build of isobench sharing this state dir may be about to boot the one it just made.
void remove_stale_archives(const std::filesystem::path& dir, const std::string& keep) {
  std::error_code ec;
  auto cutoff = std::filesystem::file_time_type::clock::now() - std::chrono::hours(24);
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (!name.starts_with(kPrefix) || !name.ends_with(".cpio") || name == keep) continue;
    std::error_code time_ec;
    auto used = std::filesystem::last_write_time(entry.path(), time_ec);
    if (!time_ec && used < cutoff) std::filesystem::remove(entry.path(), ec);
  }
}

}  // namespace

void CpioWriter::add_entry(std::string_view name, mode_t mode, std::string_view data, unsigned rdev_major,
                           unsigned rdev_minor) {
  char header[111];
  std::snprintf(header, sizeof header, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
                next_inode_++, static_cast<unsigned>(mode), 0u, 0u, S_ISDIR(mode) ? 2u : 1u, 0u,
                static_cast<unsigned>(data.size()), 0u, 0u, rdev_major, rdev_minor,
                static_cast<unsigned>(name.size() + 1), 0u);
  out_.append(header, 110);
  out_.append(name);
  out_.push_back('\0');
  pad4(out_);
  out_.append(data);
  pad4(out_);
}

void CpioWriter::add_directory(std::string_view name, mode_t permissions) {
  add_entry(name, S_IFDIR | permissions, {}, 0, 0);
}

void CpioWriter::add_char_device(std::string_view name, mode_t permissions, unsigned major, unsigned minor) {
  add_entry(name, S_IFCHR | permissions, {}, major, minor);
}

void CpioWriter::add_file(std::string_view name, mode_t permissions, std::string_view contents) {
  add_entry(name, S_IFREG | permissions, contents, 0, 0);
}

std::string CpioWriter::finish() {
  add_entry("TRAILER!!!", 0, {}, 0, 0);
  return std::exchange(out_, {});
}

Result<Initramfs> build_initramfs(const std::filesystem::path& workload_binary, const std::filesystem::path& cache_dir) {
  std::int64_t start = monotonic_ns();
  auto binary = read_file(workload_binary);
  if (!binary) return std::unexpected(binary.error());

  char hash[17];
  std::snprintf(hash, sizeof hash, "%016llx",
                static_cast<unsigned long long>(fnv1a(*binary, 0xcbf29ce484222325ULL ^ kLayoutVersion)));
  const std::string name = std::string(kPrefix) + hash + ".cpio";
  Initramfs image{cache_dir / name};

  std::error_code ec;
  if (auto size = std::filesystem::file_size(image.path, ec); !ec) {
    image.bytes = size;
    image.reused = true;
    std::filesystem::last_write_time(image.path, std::filesystem::file_time_type::clock::now(), ec);
    return image;
  }
  std::filesystem::create_directories(cache_dir, ec);
  if (ec) return fail_errno("create " + in_quotes(cache_dir.string()), ec.value());

  CpioWriter cpio;
  cpio.add_directory("dev", 0755);
  // 5:1 is /dev/console: the kernel opens it for init's stdin/stdout/stderr before
  // init runs, so it must exist in the archive itself.
  cpio.add_char_device("dev/console", 0600, 5, 1);
  cpio.add_directory("proc", 0555);
  cpio.add_directory("sys", 0555);
  cpio.add_directory("tmp", 01777);
  cpio.add_file("init", 0755, *binary);
  std::string archive = cpio.finish();

  std::string tmp_template = (cache_dir / (name + ".XXXXXX")).string();
  UniqueFd fd(::mkostemp(tmp_template.data(), O_CLOEXEC));
  if (!fd) return fail_errno("create " + in_quotes(tmp_template));
  auto written = write_all(fd.get(), archive, in_quotes(tmp_template));
  if (written && ::fchmod(fd.get(), 0644) != 0) written = fail_errno("chmod " + in_quotes(tmp_template));
  if (written && ::rename(tmp_template.c_str(), image.path.c_str()) != 0)
    written = fail_errno("rename " + in_quotes(tmp_template) + " to " + in_quotes(image.path.string()));
  if (!written) {
    ::unlink(tmp_template.c_str());
    return std::unexpected(written.error());
  }
  remove_stale_archives(cache_dir, name);
  image.bytes = archive.size();
  image.build_s = static_cast<double>(monotonic_ns() - start) / 1e9;
  return image;
}

}  // namespace isobench::guest
