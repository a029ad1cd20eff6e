// One HTTP/1.0 GET over a unix socket: enough to ask a Docker daemon `/_ping` whether it
// serves its API yet, without its client (a Go binary that takes longer to start than
// the answer takes to come).
#pragma once

#include <filesystem>
#include <string>

#include "runtimes/common/clock.hpp"
#include "runtimes/common/error.hpp"

namespace isobench {

struct HttpReply {
  int status = 0;
  std::string body;
};

// Connects to `socket`, sends `GET path`, reads to the end. A timeout error when the
// deadline passes first.
Result<HttpReply> unix_http_get(const std::filesystem::path& socket, const std::string& path, Deadline deadline);

}  // namespace isobench
