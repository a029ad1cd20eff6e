// The workload protocol, as the harness sees it.
//
// The workload writes exactly two protocol lines on its standard output (a pipe, a
// container's stdio or a guest's serial console): first a readiness line, then one
// JSON result line. Both are JSON objects that start with a tag, so they can be found
// among kernel messages on a console:
//   {"isobench":"ready","pid":1}
//   {"isobench":"result","workload":"noop",...}
#pragma once

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "line_reader.hpp"

namespace isobench {

inline constexpr std::string_view kReadyTag = R"({"isobench":"ready")";
inline constexpr std::string_view kResultTag = R"({"isobench":"result")";

// The tagged JSON object inside `line` (a console may prefix it with noise).
std::optional<std::string> find_tagged(std::string_view line, std::string_view tag);

class ProtocolStream {
 public:
  ProtocolStream() = default;
  explicit ProtocolStream(LineReader reader) : reader_(std::move(reader)) {}

  // Reads lines until one carries `tag`; returns that JSON object. Errors: a timeout
  // at the deadline, end of stream when the stream ends first (Error::kind).
  Result<std::string> await(std::string_view tag, Deadline deadline);

  // Called with each line that is not a protocol line (kernel messages, stderr).
  void on_console_line(std::function<void(const std::string&)> callback) {
    on_console_line_ = std::move(callback);
  }
  // The last console lines, for failure messages.
  const std::deque<std::string>& console_tail() const { return console_tail_; }
  // The line a failure message should quote: a guest kernel's panic line once one was
  // seen (what follows it, "Kernel Offset: ...", says nothing about why), else the last.
  std::string last_console_line() const {
    if (!panic_line_.empty()) return panic_line_;
    return console_tail_.empty() ? "" : console_tail_.back();
  }

  LineReader& reader() { return reader_; }

 private:
  LineReader reader_;
  std::function<void(const std::string&)> on_console_line_;
  std::deque<std::string> console_tail_;
  std::string panic_line_;
};

}  // namespace isobench
