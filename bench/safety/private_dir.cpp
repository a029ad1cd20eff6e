#include "private_dir.hpp"

#include <sys/stat.h>
#include <unistd.h>

namespace isobench::safety {

Result<void> make_private_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return fail_errno("create " + in_quotes(dir.string()), ec.value());
  struct stat info {};
  if (::stat(dir.c_str(), &info) != 0) return fail_errno("stat " + in_quotes(dir.string()));
  if (info.st_uid != ::geteuid()) return fail(in_quotes(dir.string()) + " belongs to another user");
  if ((info.st_mode & 07777) != 0700 && ::chmod(dir.c_str(), 0700) != 0)
    return fail_errno("chmod 0700 " + in_quotes(dir.string()));
  return {};
}

}  // namespace isobench::safety
