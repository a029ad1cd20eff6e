#include "results_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <ctime>

#include "runtimes/common/quote.hpp"
#include "runtimes/common/unique_fd.hpp"

namespace isobench {

Result<void> write_file_atomically(const std::filesystem::path& path, const std::string& contents) {
  std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  std::string tmp_template = (dir / ("." + path.filename().string() + ".isobench-tmp-XXXXXX")).string();
  int raw = ::mkostemp(tmp_template.data(), O_CLOEXEC);
  if (raw < 0) return fail_errno("create temporary file in " + in_quotes(dir.string()));
  UniqueFd fd(raw);
  auto discard = [&](Error error) {
    ::unlink(tmp_template.c_str());
    return std::unexpected(std::move(error));
  };
  const char* p = contents.data();
  std::size_t left = contents.size();
  while (left > 0) {
    ssize_t n = ::write(fd.get(), p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return discard(Error::from_errno("write " + in_quotes(tmp_template)));
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fchmod(fd.get(), 0644) != 0) return discard(Error::from_errno("chmod " + in_quotes(tmp_template)));
  if (::fsync(fd.get()) != 0) return discard(Error::from_errno("fsync " + in_quotes(tmp_template)));
  fd.reset();
  if (::rename(tmp_template.c_str(), path.c_str()) != 0)
    return discard(Error::from_errno("rename to " + in_quotes(path.string())));
  // The rename is durable only once the directory entry is on disk.
  UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd) ::fsync(dir_fd.get());
  return {};
}

std::filesystem::path default_results_dir() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
  utsname uts{};
  ::uname(&uts);
  return std::filesystem::path("results") / (std::string(stamp) + "-" + uts.nodename);
}

Result<void> prepare_output_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return fail_errno("create output directory " + quote_input(dir.string()), ec.value());
  if (!std::filesystem::is_directory(dir)) return fail("output " + quote_input(dir.string()) + " is not a directory");
  if (::access(dir.c_str(), W_OK) != 0) return fail_errno("output directory " + quote_input(dir.string()) + " is not writable");
  return {};
}

}  // namespace isobench
