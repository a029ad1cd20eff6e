#include "guest_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

namespace isobench::microvm {

namespace {

std::string normal(const std::string& path) {
  std::string out = std::filesystem::path(path).lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

bool inside(const std::string& path, const std::string& dir) {
  return !dir.empty() && (path == dir || path.starts_with(dir + "/"));
}

}  // namespace

GuestFiles::GuestFiles(std::string workload_binary, std::string guest_dir, std::string host_dir)
    : workload_binary_(std::move(workload_binary)), table_{0, 1, 2} {
  // /proc/self/exe reads as the kernel resolves it: absolute, symbolic links followed
  // (glibc asserts that it starts with '/').
  std::error_code error;
  if (auto resolved = std::filesystem::canonical(workload_binary_, error); !error) workload_binary_ = resolved.string();
  if (!guest_dir.empty() && !host_dir.empty()) {
    guest_dir_ = normal(guest_dir);
    host_dir_ = normal(host_dir);
  }
}

GuestFiles::~GuestFiles() {
  for (std::size_t fd = 3; fd < table_.size(); ++fd)
    if (table_[fd] >= 0) ::close(table_[fd]);
}

int GuestFiles::host_fd(std::int64_t fd) const {
  if (fd < 0 || static_cast<std::size_t>(fd) >= table_.size()) return -1;
  return table_[fd];
}

std::optional<int> GuestFiles::host_dirfd(std::int64_t fd) const {
  if (static_cast<int>(fd) == AT_FDCWD) return AT_FDCWD;
  int host = host_fd(fd);
  if (host < 0) return std::nullopt;
  return host;
}

std::int64_t GuestFiles::adopt(int host) {
  for (std::size_t fd = 0; fd < table_.size(); ++fd)
    if (table_[fd] < 0) {
      table_[fd] = host;
      return static_cast<std::int64_t>(fd);
    }
  table_.push_back(host);
  return static_cast<std::int64_t>(table_.size() - 1);
}

std::int64_t GuestFiles::close(std::int64_t fd) {
  int host = host_fd(fd);
  if (host < 0) return -EBADF;
  table_[fd] = -1;
  if (fd > 2 && ::close(host) != 0) return -errno;
  return 0;
}

std::string GuestFiles::host_path(const std::string& path) const {
  if (path == "/proc/self/exe") return workload_binary_;
  if (!path.starts_with("/")) return path;
  std::string guest = normal(path);
  if (inside(guest, guest_dir_)) return host_dir_ + guest.substr(guest_dir_.size());
  return path;
}

bool GuestFiles::may_modify(const std::string& path) const {
  return path.starts_with("/") && inside(normal(path), guest_dir_);
}

}  // namespace isobench::microvm
