#include "peer.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <cstring>
#include <vector>

namespace isobench::net {
namespace {

constexpr std::uint64_t kMaxConnections = 50'000;
constexpr std::uint32_t kMaxMessage = 1 << 20;

bool read_exact(int fd, char* p, std::size_t n) {
  while (n > 0) {
    ssize_t got = ::recv(fd, p, n, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    p += got;
    n -= static_cast<std::size_t>(got);
  }
  return true;
}

bool write_exact(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    ssize_t put = ::send(fd, p, n, MSG_NOSIGNAL);
    if (put < 0 && errno == EINTR) continue;
    if (put <= 0) return false;
    p += put;
    n -= static_cast<std::size_t>(put);
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<PeerServer>> PeerServer::start(const std::string& address, std::uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (::inet_pton(AF_INET, address.c_str(), &addr.sin_addr) != 1) return fail("peer: `" + address + "` is not an IPv4 address");
  UniqueFd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!listener) return fail_errno("peer: socket");
  int one = 1;
  ::setsockopt(listener.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return fail_errno("peer: bind " + address + ":" + std::to_string(port));
  if (::listen(listener.get(), 64) != 0) return fail_errno("peer: listen");
  socklen_t len = sizeof addr;
  if (::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) return fail_errno("peer: getsockname");
  std::unique_ptr<PeerServer> server(new PeerServer(std::move(listener), ntohs(addr.sin_port)));
  server->thread_ = std::thread([raw = server.get()] { raw->serve(); });
  return server;
}

void PeerServer::stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  // Wakes a recv blocked on the current connection; the accept loop polls the flag.
  if (int fd = current_.load(); fd >= 0) ::shutdown(fd, SHUT_RDWR);
  thread_.join();
  listener_.reset();
}

void PeerServer::serve() {
  while (!stopping_ && connections_ < kMaxConnections) {
    pollfd waiter{listener_.get(), POLLIN, 0};
    if (::poll(&waiter, 1, 50) <= 0) continue;
    UniqueFd conn(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!conn) continue;
    ++connections_;
    current_ = conn.get();
    if (stopping_) ::shutdown(conn.get(), SHUT_RDWR);  // stop() may have missed it
    serve_connection(conn.get());
    current_ = -1;
  }
}

void PeerServer::serve_connection(int fd) {
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  char mode = 0;
  if (!read_exact(fd, &mode, 1)) return;
  if (mode == 'E') {
    std::uint32_t size = 0;
    if (!read_exact(fd, reinterpret_cast<char*>(&size), 4) || size == 0 || size > kMaxMessage) return;
    std::vector<char> message(size);
    while (!stopping_ && read_exact(fd, message.data(), size) && write_exact(fd, message.data(), size)) {
    }
  } else if (mode == 'S') {
    std::vector<char> buffer(256 * 1024);
    std::uint64_t total = 0;
    for (;;) {
      ssize_t got = ::recv(fd, buffer.data(), buffer.size(), 0);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return;  // timeout or reset: no count, the client fails
      if (got == 0) break;
      total += static_cast<std::uint64_t>(got);
    }
    write_exact(fd, reinterpret_cast<const char*>(&total), sizeof total);
  } else if (mode == 'C') {
    write_exact(fd, "A", 1);
  }
  // Wait for the client's close (it resets), so that no TIME_WAIT stays on this side.
  char drain[256];
  while (!stopping_ && ::recv(fd, drain, sizeof drain, 0) > 0) {
  }
}

}  // namespace isobench::net
