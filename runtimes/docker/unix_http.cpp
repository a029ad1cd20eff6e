#include "unix_http.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "runtimes/common/unique_fd.hpp"

namespace isobench {

namespace {

// Waits for `events` on `fd` until the deadline; EINTR is retried.
Result<void> wait_for(int fd, short events, Deadline deadline, const std::string& what) {
  pollfd waiter{fd, events, 0};
  for (;;) {
    int n = ::poll(&waiter, 1, deadline.poll_timeout_ms());
    if (n > 0) return {};
    if (n == 0) return fail_timeout(what);
    if (errno != EINTR) return fail_errno("poll");
  }
}

}  // namespace

Result<HttpReply> unix_http_get(const std::filesystem::path& socket, const std::string& path, Deadline deadline) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socket.string().size() >= sizeof(address.sun_path)) return fail("socket path too long: " + in_quotes(socket));
  std::strncpy(address.sun_path, socket.c_str(), sizeof(address.sun_path) - 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return fail_errno("socket");
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0)
    return fail_errno("connect " + in_quotes(socket));
  std::string request = "GET " + path + " HTTP/1.0\r\nHost: isobench\r\n\r\n";
  for (std::size_t sent = 0; sent < request.size();) {
    if (auto ready = wait_for(fd.get(), POLLOUT, deadline, "send to " + in_quotes(socket)); !ready)
      return std::unexpected(ready.error());
    ssize_t n = ::send(fd.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail_errno("send to " + in_quotes(socket));
    sent += static_cast<std::size_t>(n);
  }
  std::string reply;
  char buffer[4096];
  for (;;) {
    if (auto ready = wait_for(fd.get(), POLLIN, deadline, "reply from " + in_quotes(socket)); !ready)
      return std::unexpected(ready.error());
    ssize_t n = ::read(fd.get(), buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail_errno("read from " + in_quotes(socket));
    if (n == 0) break;
    reply.append(buffer, static_cast<std::size_t>(n));
    if (reply.size() > (1 << 20)) return fail("reply from " + in_quotes(socket) + " over 1 MiB");
  }
  // "HTTP/1.0 200 OK\r\n...\r\n\r\nBODY"
  HttpReply out;
  if (reply.rfind("HTTP/", 0) != 0 || reply.size() < 12) return fail("not an HTTP reply from " + in_quotes(socket));
  out.status = std::atoi(reply.c_str() + reply.find(' ') + 1);
  auto body = reply.find("\r\n\r\n");
  if (body != std::string::npos) out.body = reply.substr(body + 4);
  return out;
}

}  // namespace isobench
