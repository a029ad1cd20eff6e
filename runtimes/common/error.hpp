// Errors that carry the errno and what was being done, as crun does:
//   "container: mount `/proc`: Operation not permitted"
// Context is prepended as the error travels up the stack.
#pragma once

#include <cerrno>
#include <expected>
#include <string>
#include <utility>

namespace isobench {

// What kind of failure, for callers that act on it: a deadline that passed or a stream
// that ended are outcomes a caller waits for and words in its own terms ("not ready
// before the timeout"), not system call failures.
enum class ErrorKind {
  kFailure,      // anything else: the message (and errno) say what
  kTimeout,      // the deadline passed before the awaited state
  kEndOfStream,  // the other side closed before sending what was awaited
};

struct Error {
  // 0 when the failure did not come from a system call.
  int errno_value = 0;
  std::string message;
  ErrorKind kind = ErrorKind::kFailure;

  // The error of the system call that just failed: `what` says what was being done.
  static Error from_errno(std::string what, int err = errno) { return Error{err, std::move(what)}; }
  static Error plain(std::string what) { return Error{0, std::move(what)}; }
  // `what` did not happen before its deadline / before the stream ended.
  static Error timed_out(std::string what) { return Error{0, std::move(what), ErrorKind::kTimeout}; }
  static Error end_of_stream(std::string what) { return Error{0, std::move(what), ErrorKind::kEndOfStream}; }

  bool is_timeout() const { return kind == ErrorKind::kTimeout; }
  bool is_end_of_stream() const { return kind == ErrorKind::kEndOfStream; }

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
inline std::unexpected<Error> fail_timeout(std::string what) {
  return std::unexpected(Error::timed_out(std::move(what)));
}
inline std::unexpected<Error> fail_end_of_stream(std::string what) {
  return std::unexpected(Error::end_of_stream(std::move(what)));
}

// Quotes a path the way crun does in messages: `path`.
inline std::string in_quotes(const std::string& path) { return "`" + path + "`"; }

}  // namespace isobench
