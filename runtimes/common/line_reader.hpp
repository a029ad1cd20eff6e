// Reads newline-terminated lines from a pipe, pty or console log with a deadline.
#pragma once

#include <string>

#include "clock.hpp"
#include "error.hpp"
#include "unique_fd.hpp"

namespace isobench {

class LineReader {
 public:
  LineReader() = default;
  explicit LineReader(UniqueFd fd) : fd_(std::move(fd)) {}

  // Next line without its terminator (a trailing '\r' from serial consoles is dropped).
  // Errors: a timeout at the deadline; end of stream with nothing buffered (Error::kind).
  Result<std::string> next_line(Deadline deadline);
  // Reads until end of stream (or deadline) and returns whatever was left unread.
  Result<std::string> drain(Deadline deadline);
  // Buffers whatever can be read now, without waiting (next_line returns it later): keeps
  // a writer that is not being followed from blocking on a full pipe. Returns the bytes read.
  Result<std::size_t> read_available();

  int fd() const { return fd_.get(); }
  void close() { fd_.reset(); }

 private:
  Result<bool> fill(Deadline deadline);  // false at end of stream
  UniqueFd fd_;
  std::string buffer_;
  bool eof_ = false;
};

}  // namespace isobench
