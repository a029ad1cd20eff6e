#include "network_path.hpp"

#include <fstream>

#include "host_tools.hpp"

namespace isobench::net {
namespace {

// No router solicitations or duplicate address detection on isobench's own links: only
// the measured traffic passes. The setting goes with the device.
void quiet_ipv6(const std::string& device) {
  std::ofstream("/proc/sys/net/ipv6/conf/" + device + "/disable_ipv6") << "1";
}

Result<void> check(Result<std::string> done) {
  if (!done) return std::unexpected(done.error());
  return {};
}

}  // namespace

std::string to_string(NetMode mode) {
  switch (mode) {
    case NetMode::kLoopback: return "loopback";
    case NetMode::kHost: return "host";
    case NetMode::kBridge: return "bridge";
    case NetMode::kNat: return "nat";
    case NetMode::kTap: return "tap";
  }
  return "?";
}

Result<std::string> choose_subnet_prefix(long owner_pid) {
  std::string prefix = "10." + std::to_string(100 + (owner_pid / 256) % 150) + "." + std::to_string(owner_pid % 256) + ".";
  auto addresses = ip({"-4", "-o", "address", "show"});
  if (!addresses) return std::unexpected(addresses.error());
  auto routes = ip({"-4", "route", "show", "table", "all"});
  if (!routes) return std::unexpected(routes.error());
  if (addresses->find(" " + prefix) != std::string::npos || routes->find(prefix) != std::string::npos)
    return fail("the subnet " + prefix + "0/24 chosen for this run is already used on this host; nothing was changed");
  return prefix;
}

Result<std::unique_ptr<NetworkPath>> NetworkPath::create(NetMode mode, long owner_pid) {
  std::unique_ptr<NetworkPath> path(new NetworkPath(mode));
  path->owner_pid_ = owner_pid;
  using Kind = NetworkAttachment::Kind;
  switch (mode) {
    case NetMode::kLoopback:
      path->facts_["path"] = "loopback";
      return path;
    case NetMode::kHost:
      path->attachment_.kind = Kind::kHost;
      path->facts_["path"] = "host netns, loopback";
      return path;
    case NetMode::kBridge:
    case NetMode::kNat:
    case NetMode::kTap:
      break;
  }
  // Every name is checked before anything is created: a taken name changes nothing.
  for (char kind : {'b', 'v', 't'})
    if (device_exists(device_name(kind, owner_pid)))
      return fail("network device " + in_quotes(device_name(kind, owner_pid)) +
                  " already exists and was not created by this run: remove it (or run `bench clean` if an "
                  "interrupted isobench run left it); nothing was changed");
  auto prefix = choose_subnet_prefix(owner_pid);
  if (!prefix) return std::unexpected(prefix.error());
  path->subnet_prefix_ = *prefix;
  path->peer_address_ = *prefix + "1";
  path->dial_address_ = *prefix + "1";
  if (auto built = path->build_bridge(owner_pid); !built) return std::unexpected(built.error());
  if (mode == NetMode::kTap) {
    if (auto built = path->build_tap(owner_pid); !built) return std::unexpected(built.error());
    return path;
  }
  if (auto built = path->build_veth(owner_pid); !built) return std::unexpected(built.error());
  if (mode == NetMode::kNat) {
    auto table = OwnedNftTable::create("isobench-nat-" + std::to_string(owner_pid));
    if (!table) return std::unexpected(table.error());
    path->nat_ = std::move(*table);
    // Docker's bridge rule: the instance's traffic leaving by another device is
    // masqueraded. The port forward is added by connect_peer().
    if (auto added = path->nat_.add("chain", {"post", "{ type nat hook postrouting priority 100 ; }"}); !added)
      return std::unexpected(added.error());
    if (auto added = path->nat_.add("chain", {"pre", "{ type nat hook prerouting priority -100 ; }"}); !added)
      return std::unexpected(added.error());
    if (auto added = path->nat_.add("rule", {"post", "ip", "saddr", *prefix + "0/24", "oifname", "!=",
                                             path->bridge_.name(), "masquerade"});
        !added)
      return std::unexpected(added.error());
    path->facts_["path"] = "veth+bridge+nat";
    path->facts_["nat"] = "nft table " + path->nat_.name() + ": masquerade + DNAT port forward";
  }
  return path;
}

Result<void> NetworkPath::build_bridge(long owner_pid) {
  std::string name = device_name('b', owner_pid);
  auto bridge = OwnedLink::create(name, {"link", "add", name, "type", "bridge"}, owner_pid);
  if (!bridge) return std::unexpected(bridge.error());
  bridge_ = std::move(*bridge);
  quiet_ipv6(name);
  if (auto done = check(ip({"address", "add", peer_address_ + "/24", "dev", name})); !done) return done;
  if (auto done = check(ip({"link", "set", "dev", name, "up"})); !done) return done;
  facts_["subnet"] = subnet_prefix_ + "0/24";
  return {};
}

Result<void> NetworkPath::build_veth(long owner_pid) {
  auto netns = OwnedNetns::create();
  if (!netns) return std::unexpected(netns.error());
  netns_ = std::move(*netns);
  std::string ns = netns_->path();
  std::string host_end = device_name('v', owner_pid);
  // The instance's end is created directly inside its namespace, as eth0.
  auto veth = OwnedLink::create(host_end, {"link", "add", host_end, "type", "veth", "peer", "name", "eth0", "netns", ns},
                                owner_pid);
  if (!veth) return std::unexpected(veth.error());
  instance_link_ = std::move(*veth);
  quiet_ipv6(host_end);
  if (auto done = check(ip({"link", "set", "dev", host_end, "master", bridge_.name(), "up"})); !done) return done;
  for (const std::vector<std::string>& args : std::initializer_list<std::vector<std::string>>{
           {"link", "set", "dev", "lo", "up"},
           {"address", "add", subnet_prefix_ + "2/24", "dev", "eth0"},
           {"link", "set", "dev", "eth0", "up"},
           {"route", "add", "default", "via", peer_address_}})
    if (auto done = check(ip_in(ns, args)); !done) return done;
  attachment_.kind = NetworkAttachment::Kind::kJoin;
  attachment_.netns_path = ns;
  facts_["path"] = "veth+bridge";
  return {};
}

Result<void> NetworkPath::build_tap(long owner_pid) {
  std::string name = device_name('t', owner_pid);
  auto tap = OwnedLink::create(name, {"tuntap", "add", "dev", name, "mode", "tap"}, owner_pid);
  if (!tap) return std::unexpected(tap.error());
  instance_link_ = std::move(*tap);
  quiet_ipv6(name);
  if (auto done = check(ip({"link", "set", "dev", name, "master", bridge_.name(), "up"})); !done) return done;
  attachment_.kind = NetworkAttachment::Kind::kTap;
  attachment_.tap = name;
  attachment_.guest_cidr = subnet_prefix_ + "2/24";
  attachment_.guest_gateway = peer_address_;
  facts_["path"] = "virtio-net+tap+bridge";
  return {};
}

Result<std::uint16_t> NetworkPath::connect_peer(std::uint16_t peer_port) {
  if (mode_ != NetMode::kNat) return peer_port;
  std::uint16_t published = peer_port == 65535 ? 65534 : static_cast<std::uint16_t>(peer_port + 1);
  if (auto added = nat_.add("rule", {"pre", "iifname", bridge_.name(), "ip", "daddr", peer_address_, "tcp", "dport",
                                     std::to_string(published), "dnat", "to",
                                     peer_address_ + ":" + std::to_string(peer_port)});
      !added)
    return std::unexpected(added.error());
  facts_["published"] = std::to_string(published) + "->" + std::to_string(peer_port);
  return published;
}

Result<void> NetworkPath::teardown() {
  // Every owner is released even when one fails; the first failure is reported.
  Result<void> first;
  auto keep = [&](Result<void> done) {
    if (!done && first) first = std::move(done);
  };
  keep(nat_.remove());
  keep(instance_link_.remove());  // a veth's peer goes with it
  if (netns_) netns_->release();
  netns_.reset();
  keep(bridge_.remove());
  return first;
}

}  // namespace isobench::net
