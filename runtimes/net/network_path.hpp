// One network path between an instance and its host-side peer, as the net suite builds
// it for each run (Felter et al. 2015's set-ups, all on this host):
//   loopback  bare process -> 127.0.0.1
//   host      the instance shares the host's namespace (`--net host`) -> 127.0.0.1
//   bridge    the instance's namespace has a veth whose host end is on a bridge that
//             holds the host side's address (Docker's bridge without NAT)
//   nat       bridge, plus isobench's own nftables table with Docker's masquerade rule
//             and a port forward (DNAT): the instance dials a published port that
//             conntrack rewrites to the peer's, so every packet pays for NAT
//   tap       a tap device on the bridge, for a guest's virtio-net; the guest gives
//             itself the address (guest_init.cpp)
// Every object is named isobench-*, owned by RAII, and removed by teardown() or the
// destructor; a name already taken on the host is an error that changes nothing.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "runtimes/backend.hpp"
#include "owners.hpp"

namespace isobench::net {

enum class NetMode { kLoopback, kHost, kBridge, kNat, kTap };
std::string to_string(NetMode mode);

class NetworkPath {
 public:
  static Result<std::unique_ptr<NetworkPath>> create(NetMode mode, long owner_pid);
  ~NetworkPath() { (void)teardown(); }

  NetMode mode() const { return mode_; }
  // Where the peer must listen (the host side of the path).
  const std::string& peer_address() const { return peer_address_; }
  // Call once the peer listens: returns the port the instance dials (for nat, a
  // published port forwarded to the peer's).
  Result<std::uint16_t> connect_peer(std::uint16_t peer_port);
  // What the instance dials.
  const std::string& dial_address() const { return dial_address_; }
  const NetworkAttachment& attachment() const { return attachment_; }
  // Facts for the row's label: "path=veth+bridge subnet=10.1.2.0/24".
  const std::map<std::string, std::string>& facts() const { return facts_; }
  // Device and table names, for tests.
  const std::string& bridge_name() const { return bridge_.name(); }
  const std::string& nat_table_name() const { return nat_.name(); }

  Result<void> teardown();

 private:
  explicit NetworkPath(NetMode mode) : mode_(mode) {}
  Result<void> build_bridge(long owner_pid);
  Result<void> build_veth(long owner_pid);
  Result<void> build_tap(long owner_pid);

  NetMode mode_;
  std::string subnet_prefix_;  // "10.1.2."
  std::string peer_address_ = "127.0.0.1";
  std::string dial_address_ = "127.0.0.1";
  NetworkAttachment attachment_;
  std::map<std::string, std::string> facts_;
  long owner_pid_ = 0;
  // Released in reverse order of creation.
  OwnedLink bridge_;
  std::optional<OwnedNetns> netns_;
  OwnedLink instance_link_;  // the host end of the veth pair, or the tap
  OwnedNftTable nat_;
};

// The subnet for an owner pid: 10.A.B.0/24 from the pid, checked against the host's
// addresses and routes; an error if the host already uses it.
Result<std::string> choose_subnet_prefix(long owner_pid);

}  // namespace isobench::net
