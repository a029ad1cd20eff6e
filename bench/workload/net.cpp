// net all|rr|stream|connect HOST PORT [SIZE] [SECONDS]: TCP as seen from inside the
// instance, against the host-side peer the harness runs (runtimes/net/peer.hpp):
//   rr SIZE:  request/response round trips of SIZE bytes on one connection (TCP_NODELAY):
//             ns_per_op (mean) with p50_ns and p99_ns of the individual round trips;
//   stream:   bulk writes of 64 KiB for SECONDS, then the peer's byte count: bytes_per_s;
//   connect:  connect, one byte from the peer, reset: ns_per_op and ops_per_s;
//   all:      rr 1, rr 1024, stream and connect in turn (one guest boot gives all four).
// Each part runs for about SECONDS (default 0.3), with caps on counts and bytes, so that
// a slow path (a TCG guest) and a fast one (loopback) both stay bounded. Every socket
// this side closes is reset (SO_LINGER 0): no TIME_WAIT is left in any namespace.
// The peer's protocol, one byte first: 'E' + 4-byte size: echo; 'S': sink, answers the
// byte count (8 bytes) after our EOF; 'C': answers one byte.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "measure.hpp"
#include "runtimes/common/quote.hpp"
#include "workload.hpp"

namespace workload {
namespace {

constexpr double kDefaultSeconds = 0.3;
constexpr std::size_t kMaxRoundTrips = 200'000;
constexpr std::uint64_t kMaxConnects = 5'000;
constexpr std::uint64_t kMaxStreamBytes = 8ULL << 30;
constexpr std::size_t kStreamChunk = 64 * 1024;
// The guest configures its address just before the workload starts; a first connect may
// race the neighbour discovery, so refused/unreachable is retried this long.
constexpr std::int64_t kFirstConnectRetryNs = 3'000'000'000;

struct Socket {
  int fd = -1;
  Socket() = default;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() {
    if (fd < 0) return;
    linger reset{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    ::close(fd);
  }
};

struct Target {
  sockaddr_in address{};
};

bool write_all(int fd, const char* p, std::size_t n, std::string& error) {
  while (n > 0) {
    ssize_t done = ::send(fd, p, n, MSG_NOSIGNAL);
    if (done < 0) {
      if (errno == EINTR) continue;
      error = errno_message("send");
      return false;
    }
    p += done;
    n -= static_cast<std::size_t>(done);
  }
  return true;
}

bool read_all(int fd, char* p, std::size_t n, std::string& error) {
  while (n > 0) {
    ssize_t done = ::recv(fd, p, n, 0);
    if (done < 0 && errno == EINTR) continue;
    if (done <= 0) {
      error = done == 0 ? "recv: the peer closed the connection" : errno_message("recv");
      return false;
    }
    p += done;
    n -= static_cast<std::size_t>(done);
  }
  return true;
}

bool open_connection(const Target& target, Socket& socket, std::string& error, std::int64_t retry_ns = 0) {
  std::int64_t give_up = monotonic_now_ns() + retry_ns;
  for (;;) {
    socket.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (socket.fd < 0) {
      error = errno_message("socket");
      return false;
    }
    timeval timeout{5, 0};  // a silent peer fails the run instead of hanging it
    ::setsockopt(socket.fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(socket.fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    int one = 1;
    ::setsockopt(socket.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(socket.fd, reinterpret_cast<const sockaddr*>(&target.address), sizeof target.address) == 0) return true;
    int err = errno;
    ::close(socket.fd);
    socket.fd = -1;
    bool transient = err == ECONNREFUSED || err == ENETUNREACH || err == EHOSTUNREACH || err == ETIMEDOUT;
    if (!transient || monotonic_now_ns() >= give_up) {
      errno = err;
      char text[INET_ADDRSTRLEN] = {};
      ::inet_ntop(AF_INET, &target.address.sin_addr, text, sizeof text);
      error = errno_message("connect " + std::string(text) + ":" + std::to_string(ntohs(target.address.sin_port)));
      return false;
    }
    ::usleep(20'000);
  }
}

double percentile(std::vector<std::int64_t>& samples, double p) {
  std::size_t at = static_cast<std::size_t>(p * static_cast<double>(samples.size() - 1));
  std::nth_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(at), samples.end());
  return static_cast<double>(samples[at]);
}

bool run_rr(const Target& target, std::uint32_t size, double seconds, JsonObject& out, std::string& error) {
  Socket socket;
  if (!open_connection(target, socket, error, kFirstConnectRetryNs)) return false;
  char header[5] = {'E'};
  std::memcpy(header + 1, &size, 4);
  if (!write_all(socket.fd, header, sizeof header, error)) return false;
  std::vector<char> message(size, 'x');
  std::vector<char> reply(size);
  // A few untimed round trips: the first ones pay for slow start and cold caches.
  for (int i = 0; i < 16; ++i)
    if (!write_all(socket.fd, message.data(), size, error) || !read_all(socket.fd, reply.data(), size, error)) return false;
  std::vector<std::int64_t> samples;
  samples.reserve(4096);
  const std::int64_t budget = static_cast<std::int64_t>(seconds * 1e9);
  std::int64_t start = monotonic_now_ns();
  std::int64_t now = start;
  while (now - start < budget && samples.size() < kMaxRoundTrips) {
    std::int64_t before = now;
    if (!write_all(socket.fd, message.data(), size, error) || !read_all(socket.fd, reply.data(), size, error)) return false;
    now = monotonic_now_ns();
    samples.push_back(now - before);
  }
  std::int64_t total = now - start;
  JsonObject figures;
  figures.add("size", static_cast<std::uint64_t>(size))
      .add("ops", static_cast<std::uint64_t>(samples.size()))
      .add("seconds", static_cast<double>(total) / 1e9)
      .add("ns_per_op", static_cast<double>(total) / static_cast<double>(samples.size()))
      .add("p50_ns", percentile(samples, 0.50))
      .add("p99_ns", percentile(samples, 0.99));
  out.add_raw("rr_" + std::to_string(size), figures.str());
  return true;
}

bool run_stream(const Target& target, double seconds, JsonObject& out, std::string& error) {
  Socket socket;
  if (!open_connection(target, socket, error, kFirstConnectRetryNs)) return false;
  if (!write_all(socket.fd, "S", 1, error)) return false;
  std::vector<char> chunk(kStreamChunk, 's');
  const std::int64_t budget = static_cast<std::int64_t>(seconds * 1e9);
  std::uint64_t sent = 0;
  std::int64_t start = monotonic_now_ns();
  while (monotonic_now_ns() - start < budget && sent < kMaxStreamBytes) {
    if (!write_all(socket.fd, chunk.data(), chunk.size(), error)) return false;
    sent += chunk.size();
  }
  // The window ends when the peer has read everything: its count comes after our EOF.
  if (::shutdown(socket.fd, SHUT_WR) != 0) {
    error = errno_message("shutdown");
    return false;
  }
  std::uint64_t received = 0;
  if (!read_all(socket.fd, reinterpret_cast<char*>(&received), sizeof received, error)) return false;
  std::int64_t total = monotonic_now_ns() - start;
  if (received != sent) {
    error = "stream: the peer counted " + std::to_string(received) + " bytes of " + std::to_string(sent);
    return false;
  }
  JsonObject figures;
  figures.add("bytes", sent)
      .add("seconds", static_cast<double>(total) / 1e9)
      .add("bytes_per_s", static_cast<double>(sent) / (static_cast<double>(total) / 1e9));
  out.add_raw("stream", figures.str());
  return true;
}

bool run_connect(const Target& target, double seconds, JsonObject& out, std::string& error) {
  const std::int64_t budget = static_cast<std::int64_t>(seconds * 1e9);
  std::uint64_t ops = 0;
  std::int64_t start = monotonic_now_ns();
  std::int64_t now = start;
  while (now - start < budget && ops < kMaxConnects) {
    Socket socket;
    if (!open_connection(target, socket, error, ops == 0 ? kFirstConnectRetryNs : 0)) return false;
    char byte = 0;
    if (!write_all(socket.fd, "C", 1, error) || !read_all(socket.fd, &byte, 1, error)) return false;
    ++ops;
    now = monotonic_now_ns();
  }
  double total_s = static_cast<double>(now - start) / 1e9;
  JsonObject figures;
  figures.add("ops", ops)
      .add("seconds", total_s)
      .add("ns_per_op", total_s * 1e9 / static_cast<double>(ops))
      .add("ops_per_s", static_cast<double>(ops) / total_s);
  out.add_raw("connect", figures.str());
  return true;
}

}  // namespace

int run_net(std::span<const std::string> args, JsonObject& out, std::string& error) {
  if (args.size() < 3) {
    error = "usage: net all|rr|stream|connect HOST PORT [SIZE] [SECONDS]";
    return kUsage;
  }
  const std::string& part = args[0];
  if (part != "all" && part != "rr" && part != "stream" && part != "connect") {
    error = "net: unknown part " + isobench::quote_input(part) + " (all, rr, stream, connect)";
    return kUsage;
  }
  Target target;
  target.address.sin_family = AF_INET;
  if (::inet_pton(AF_INET, args[1].c_str(), &target.address.sin_addr) != 1) {
    error = "net: HOST " + isobench::quote_input(args[1]) + " is not an IPv4 address";
    return kUsage;
  }
  auto port = parse_count(args[2]);
  if (!port || *port > 65535) {
    error = "net: PORT " + isobench::quote_input(args[2]) + " is not a port number";
    return kUsage;
  }
  target.address.sin_port = htons(static_cast<std::uint16_t>(*port));
  std::size_t next = 3;
  std::uint64_t size = 1;
  if (part == "rr") {
    if (args.size() < 4) {
      error = "net rr: missing SIZE";
      return kUsage;
    }
    auto parsed = parse_bytes(args[3]);
    if (!parsed || *parsed == 0 || *parsed > (1 << 20)) {
      error = "net rr: SIZE " + isobench::quote_input(args[3]) + " must be 1 to 1M bytes";
      return kUsage;
    }
    size = *parsed;
    next = 4;
  }
  double seconds = kDefaultSeconds;
  if (args.size() > next) {
    auto parsed = parse_seconds(args[next]);
    if (!parsed || *parsed <= 0 || *parsed > 60) {
      error = "net: SECONDS " + isobench::quote_input(args[next]) + " must be a number in (0, 60]";
      return kUsage;
    }
    seconds = *parsed;
  }
  if (args.size() > next + 1) {
    error = "net: too many arguments";
    return kUsage;
  }
  out.add("host", args[1]).add("port", *port);
  bool ok = true;
  if (part == "rr") ok = run_rr(target, static_cast<std::uint32_t>(size), seconds, out, error);
  if (part == "all") ok = run_rr(target, 1, seconds, out, error) && run_rr(target, 1024, seconds, out, error);
  if (ok && (part == "stream" || part == "all")) ok = run_stream(target, seconds, out, error);
  if (ok && (part == "connect" || part == "all")) ok = run_connect(target, seconds, out, error);
  return ok ? kDone : kFailed;
}

}  // namespace workload
