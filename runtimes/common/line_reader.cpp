#include "line_reader.hpp"

#include <poll.h>
#include <unistd.h>

namespace isobench {

Result<bool> LineReader::fill(Deadline deadline) {
  if (eof_) return false;
  pollfd pfd{fd_.get(), POLLIN, 0};
  for (;;) {
    int n = ::poll(&pfd, 1, deadline.poll_timeout_ms());
    if (n == 0) return fail_timeout("read line");
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno("poll");
    }
    break;
  }
  char chunk[4096];
  for (;;) {
    ssize_t got = ::read(fd_.get(), chunk, sizeof chunk);
    if (got > 0) {
      buffer_.append(chunk, static_cast<size_t>(got));
      return true;
    }
    if (got == 0 || errno == EIO) {  // EIO: the other side of a pty hung up
      eof_ = true;
      return false;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) return true;
    return fail_errno("read");
  }
}

Result<std::string> LineReader::next_line(Deadline deadline) {
  for (;;) {
    auto newline = buffer_.find('\n');
    if (newline != std::string::npos) {
      std::string line = buffer_.substr(0, newline);
      buffer_.erase(0, newline + 1);
      while (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    auto more = fill(deadline);
    if (!more) return std::unexpected(more.error());
    if (!*more) {
      if (buffer_.empty()) return fail_end_of_stream("read line");
      return std::exchange(buffer_, {});
    }
  }
}

Result<std::size_t> LineReader::read_available() {
  const std::size_t before = buffer_.size();
  for (int chunks = 0; chunks < 256; ++chunks) {  // at most 1 MiB a call: a fast writer cannot keep us here
    auto more = fill(Deadline::after(std::chrono::nanoseconds(0)));
    if (!more) {
      if (more.error().is_timeout()) break;  // nothing more for now
      return std::unexpected(more.error());
    }
    if (!*more) break;  // end of stream
  }
  return buffer_.size() - before;
}

Result<std::string> LineReader::drain(Deadline deadline) {
  for (;;) {
    auto more = fill(deadline);
    if (!more) return std::unexpected(more.error());
    if (!*more) return std::exchange(buffer_, {});
  }
}

}  // namespace isobench
