#include "qmp.hpp"

#include <sys/socket.h>

#include <nlohmann/json.hpp>

namespace isobench::qemu {

Result<void> QmpClient::await_greeting(Deadline deadline) {
  for (;;) {
    auto line = reader_.next_line(deadline);
    if (!line) return std::unexpected(line.error().with_context("QMP greeting"));
    if (line->starts_with(R"({"QMP")")) return {};
  }
}

Result<void> QmpClient::execute(const std::string& command, Deadline deadline) {
  std::string request = R"({"execute":")" + command + "\"}\n";
  if (::send(reader_.fd(), request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size()))
    return fail_errno("QMP " + command + ": send");
  for (;;) {
    auto line = reader_.next_line(deadline);
    if (!line) return std::unexpected(line.error().with_context("QMP " + command));
    auto reply = nlohmann::json::parse(*line, nullptr, false);
    if (reply.is_discarded() || !reply.is_object()) continue;
    if (reply.contains("return")) return {};
    if (reply.contains("error"))
      return fail("QMP " + command + ": " + reply["error"].value("desc", std::string("error")));
  }
}

}  // namespace isobench::qemu
