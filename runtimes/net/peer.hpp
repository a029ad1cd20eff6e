// The host-side peer of the `net` workload: a TCP echo / sink / accept server on one
// address of the host side of a path (127.0.0.1, a bridge's address), in a thread of
// the harness. It serves one connection at a time (the workload is a single client),
// every socket has a receive timeout, the number of connections is capped, and stop()
// (or the destructor) ends it promptly even mid-connection.
// Protocol, first byte of a connection: 'E' + 4-byte size: echo messages of that size
// until EOF; 'S': read until EOF, answer the byte count (8 bytes); 'C': answer one byte.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "runtimes/common/error.hpp"
#include "runtimes/common/unique_fd.hpp"

namespace isobench::net {

class PeerServer {
 public:
  // Listens on `address` at `port` (0: any free port).
  static Result<std::unique_ptr<PeerServer>> start(const std::string& address, std::uint16_t port = 0);
  ~PeerServer() { stop(); }
  PeerServer(const PeerServer&) = delete;
  PeerServer& operator=(const PeerServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::uint64_t connections() const { return connections_.load(); }
  void stop();

 private:
  PeerServer(UniqueFd listener, std::uint16_t port) : listener_(std::move(listener)), port_(port) {}
  void serve();
  void serve_connection(int fd);

  UniqueFd listener_;
  std::uint16_t port_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> current_{-1};
  std::atomic<std::uint64_t> connections_{0};
  std::thread thread_;
};

}  // namespace isobench::net
