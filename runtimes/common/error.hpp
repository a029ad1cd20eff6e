// Errors that carry the errno and what was being done, as crun does:
//   "container: mount `/proc`: Operation not permitted"
// Context is prepended as the error travels up the stack.
#pragma once

#include <cerrno>
#include <expected>
#include <string>
#include <utility>

namespace isobench {

struct Error {
  // 0 when the failure did not come from a system call.
  int errno_value = 0;
  std::string message;

  // The error of the system call that just failed: `what` says what was being done.
  static Error from_errno(std::string what, int err = errno) { return Error{err, std::move(what)}; }
  static Error plain(std::string what) { return Error{0, std::move(what)}; }

  // Prepends "context: " so the outermost caller's words come first.
  Error& with_context(const std::string& context) {
    message = context + ": " + message;
    return *this;
  }

  std::string describe() const;
};

template <class T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail_errno(std::string what, int err = errno) {
  return std::unexpected(Error::from_errno(std::move(what), err));
}
inline std::unexpected<Error> fail(std::string what) {
  return std::unexpected(Error::plain(std::move(what)));
}

// Quotes a path the way crun does in messages: `path`.
inline std::string in_quotes(const std::string& path) { return "`" + path + "`"; }

}  // namespace isobench
