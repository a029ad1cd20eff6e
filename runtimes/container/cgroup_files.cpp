#include "cgroup_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "runtimes/common/unique_fd.hpp"

namespace isobench::cgroup_files {

Result<void> write(const std::filesystem::path& dir, const std::string& file, const std::string& value) {
  std::filesystem::path path = dir / file;
  // O_CREAT is a no-op on cgroupfs (the file exists or the open fails) and lets the
  // same code run on a fake tree.
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd) return fail_errno("open " + in_quotes(path));
  if (::write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size()))
    return fail_errno("write `" + value + "` to " + in_quotes(path));
  return {};
}

Result<std::string> read(const std::filesystem::path& dir, const std::string& file) {
  std::filesystem::path path = dir / file;
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return fail_errno("open " + in_quotes(path));
  std::string text;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0) return fail_errno("read " + in_quotes(path));
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  return text;
}

std::optional<std::uint64_t> keyed_value(const std::string& text, const std::string& key) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    if (line.size() > key.size() && line.starts_with(key) && line[key.size()] == ' ') {
      try {
        return std::stoull(std::string(line.substr(key.size() + 1)));
      } catch (...) {
        return std::nullopt;
      }
    }
    pos = end + 1;
  }
  return std::nullopt;
}

Result<void> make_directory(const std::filesystem::path& dir) {
  if (::mkdir(dir.c_str(), 0755) != 0) return fail_errno("mkdir " + in_quotes(dir));
  return {};
}

Result<void> remove_directory(const std::filesystem::path& dir) {
  for (int attempt = 0;; ++attempt) {
    if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return {};
    if (errno != EBUSY || attempt == 200) return fail_errno("rmdir " + in_quotes(dir));
    timespec pause{0, 500'000};
    ::nanosleep(&pause, nullptr);
  }
}

}  // namespace isobench::cgroup_files
