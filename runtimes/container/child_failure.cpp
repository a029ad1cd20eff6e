#include "child_failure.hpp"

#include <unistd.h>

#include <cstring>

#include "runtimes/common/error.hpp"

namespace isobench {
namespace {
void copy_bounded(char* to, std::size_t size, const char* from) {
  std::size_t i = 0;
  for (; from != nullptr && from[i] != '\0' && i + 1 < size; ++i) to[i] = from[i];
  to[i] = '\0';
}
}  // namespace

void report_child_failure(int fd, const char* step, const char* path, int errno_value) {
  ChildFailure failure{};
  copy_bounded(failure.step, sizeof failure.step, step);
  copy_bounded(failure.path, sizeof failure.path, path);
  failure.errno_value = errno_value;
  // A short write leaves the runtime with "exit code 127": nothing better can be done.
  (void)!::write(fd, &failure, sizeof failure);
  ::_exit(127);
}

std::string describe(const ChildFailure& failure) {
  std::string step(failure.step, ::strnlen(failure.step, sizeof failure.step));
  std::string path(failure.path, ::strnlen(failure.path, sizeof failure.path));
  return Error::from_errno(step + (path.empty() ? "" : " " + in_quotes(path)), failure.errno_value).describe();
}

}  // namespace isobench
