// The network paths on real kernel objects: each mode passes traffic from a client in
// the path's namespace to the peer on the host side, teardown leaves the host's links,
// routes and nftables ruleset exactly as found, and a name already taken on the host is
// a clear error that changes nothing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "runtimes/common/spawn.hpp"
#include "runtimes/net/host_tools.hpp"
#include "runtimes/net/network_path.hpp"
#include "runtimes/net/peer.hpp"

namespace isobench::net {
namespace {

std::string without_isobench_lines(const std::string& text) {
  std::istringstream in(text);
  std::string out, line;
  while (std::getline(in, line))
    if (line.find("isobench-") == std::string::npos) out += line + "\n";
  return out;
}

// The host's own state: links, routes (all tables), and the nftables ruleset without
// isobench's tables (a table block runs from `table ip isobench-...` to its closing brace).
std::string host_snapshot() {
  std::string out = "links:\n" + without_isobench_lines(ip({"-o", "link", "show"}).value_or("?"));
  out += "routes:\n" + ip({"route", "show", "table", "all"}).value_or("?");
  out += "addresses:\n" + without_isobench_lines(ip({"-o", "address", "show"}).value_or("?"));
  if (nft_installed()) {
    std::istringstream in(nft({"list", "ruleset"}).value_or("?"));
    std::string line;
    bool ours = false;
    out += "nft:\n";
    while (std::getline(in, line)) {
      if (line.starts_with("table ") && line.find("isobench-") != std::string::npos) ours = true;
      if (!ours) out += line + "\n";
      if (ours && line == "}") ours = false;
    }
  }
  return out;
}

class NetPathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "bridges, veth pairs and taps need root";
    before_ = host_snapshot();
  }
  void TearDown() override {
    if (::geteuid() == 0) {
      EXPECT_EQ(host_snapshot(), before_) << "the host's links, routes or rules changed";
    }
  }
  std::string before_;
};

// Runs `net all` in `netns_path` (empty: the host's namespace) against the path's peer.
nlohmann::json run_client(const NetworkPath& path, std::uint16_t port, const std::string& netns_path) {
  std::vector<std::string> argv;
  if (!netns_path.empty()) argv = {"/usr/bin/nsenter", "--net=" + netns_path};
  for (std::string arg : {std::string(ISOBENCH_WORKLOAD_BINARY), std::string("net"), std::string("all"),
                          path.dial_address(), std::to_string(port), std::string("0.05")})
    argv.push_back(arg);
  auto out = capture_output(argv, Deadline::after(std::chrono::seconds(20)));
  EXPECT_TRUE(out) << (out ? "" : out.error().describe());
  if (!out) return {};
  std::string last = out->substr(out->rfind('\n', out->size() - 2) + 1);
  auto result = nlohmann::json::parse(last, nullptr, false);
  EXPECT_TRUE(result.is_object() && result.value("ok", false)) << last;
  return result.is_object() ? result.value("data", nlohmann::json::object()) : nlohmann::json::object();
}

void expect_positive_figures(const nlohmann::json& data) {
  for (const char* part : {"rr_1", "rr_1024", "connect"}) {
    ASSERT_TRUE(data.contains(part)) << data.dump();
    EXPECT_GT(data[part].value("ns_per_op", 0.0), 0.0) << part;
  }
  EXPECT_GT(data["rr_1"].value("p99_ns", 0.0), 0.0);
  EXPECT_GE(data["rr_1"].value("p99_ns", 0.0), data["rr_1"].value("p50_ns", 0.0));
  ASSERT_TRUE(data.contains("stream"));
  EXPECT_GT(data["stream"].value("bytes_per_s", 0.0), 0.0);
  EXPECT_GT(data["connect"].value("ops_per_s", 0.0), 0.0);
}

TEST(DeviceNames, FitIfnamsizForAnyPidAndKeepKindsApart) {
  EXPECT_LE(device_name('b', 4194304).size(), 15u);
  EXPECT_EQ(device_name('b', 35), "isobench-bz");
  EXPECT_NE(device_name('b', 1234), device_name('v', 1234));
  EXPECT_NE(device_name('b', 1234), device_name('b', 1235));
}

TEST(Peer, ServesTheWorkloadOnLoopbackAndStopsPromptly) {
  auto peer = PeerServer::start("127.0.0.1");
  ASSERT_TRUE(peer) << peer.error().describe();
  auto path = NetworkPath::create(NetMode::kLoopback, ::getpid());
  ASSERT_TRUE(path);
  expect_positive_figures(run_client(**path, (*peer)->port(), ""));
  EXPECT_GT((*peer)->connections(), 3u);
  auto start = std::chrono::steady_clock::now();
  (*peer)->stop();
  // "Promptly": well before the 10 s socket timeouts a stop that only waited for them
  // would take, with room for a host four times slower and loaded.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(Peer, BadAddressIsAnError) {
  auto peer = PeerServer::start("not-an-address");
  ASSERT_FALSE(peer);
  EXPECT_NE(peer.error().describe().find("not-an-address"), std::string::npos);
}

TEST_F(NetPathTest, BridgeAndNatPassTrafficAndLeaveNothing) {
  for (NetMode mode : {NetMode::kBridge, NetMode::kNat}) {
    SCOPED_TRACE(to_string(mode));
    std::string bridge, table;
    {
      auto path = NetworkPath::create(mode, ::getpid());
      ASSERT_TRUE(path) << path.error().describe();
      bridge = (*path)->bridge_name();
      table = (*path)->nat_table_name();
      EXPECT_TRUE(device_exists(bridge));
      EXPECT_EQ((*path)->attachment().kind, NetworkAttachment::Kind::kJoin);
      auto peer = PeerServer::start((*path)->peer_address());
      ASSERT_TRUE(peer) << peer.error().describe();
      auto port = (*path)->connect_peer((*peer)->port());
      ASSERT_TRUE(port) << port.error().describe();
      if (mode == NetMode::kNat) {
        EXPECT_NE(*port, (*peer)->port()) << "the instance dials the published port";
        EXPECT_TRUE(nft({"list", "table", "ip", table}));
      }
      expect_positive_figures(run_client(**path, *port, (*path)->attachment().netns_path));
      // The client ran inside the namespace: loopback on the host side cannot serve it.
      (*peer)->stop();
      auto torn_down = (*path)->teardown();
      EXPECT_TRUE(torn_down) << torn_down.error().describe();
    }
    EXPECT_FALSE(device_exists(bridge));
    EXPECT_FALSE(device_exists(device_name('v', ::getpid())));
    if (!table.empty()) {
      EXPECT_FALSE(nft({"list", "table", "ip", table}));
    }
  }
}

TEST_F(NetPathTest, TapOnBridgeIsCreatedAndRemovedByTheDestructor) {
  std::string tap;
  {
    auto path = NetworkPath::create(NetMode::kTap, ::getpid());
    ASSERT_TRUE(path) << path.error().describe();
    tap = (*path)->attachment().tap;
    EXPECT_TRUE(device_exists(tap));
    EXPECT_EQ((*path)->attachment().guest_gateway, (*path)->peer_address());
    EXPECT_TRUE((*path)->attachment().guest_cidr.ends_with(".2/24"));
  }  // no teardown(): the destructor releases it
  EXPECT_FALSE(device_exists(tap));
  EXPECT_FALSE(device_exists(device_name('b', ::getpid())));
}

// A device the test made (not the path) under the bridge's name: the set-up must fail,
// name it, and leave it (and everything else) as it was.
TEST_F(NetPathTest, TakenBridgeNameIsAClearErrorThatTouchesNothing) {
  std::string name = device_name('b', ::getpid());
  ASSERT_TRUE(ip({"link", "add", name, "type", "bridge"}));  // someone else's bridge
  std::string with_dummy = host_snapshot();
  auto path = NetworkPath::create(NetMode::kBridge, ::getpid());
  EXPECT_FALSE(path);
  if (!path) {
    EXPECT_NE(path.error().describe().find(name), std::string::npos) << path.error().describe();
  }
  EXPECT_TRUE(device_exists(name)) << "a device isobench did not create was removed";
  EXPECT_EQ(host_snapshot(), with_dummy);
  ASSERT_TRUE(ip({"link", "delete", name}));
}

// The NAT table's name taken by someone else: the half-built path (bridge, veth) is
// rolled back and the foreign table stays.
TEST_F(NetPathTest, TakenNatTableIsAClearErrorAndTheRestIsRolledBack) {
  if (!nft_installed()) GTEST_SKIP() << "nft is not installed";
  std::string table = "isobench-nat-" + std::to_string(::getpid());
  ASSERT_TRUE(nft({"add", "table", "ip", table}));
  auto path = NetworkPath::create(NetMode::kNat, ::getpid());
  EXPECT_FALSE(path);
  if (!path) {
    EXPECT_NE(path.error().describe().find(table), std::string::npos) << path.error().describe();
  }
  EXPECT_TRUE(nft({"list", "table", "ip", table})) << "a table isobench did not create was removed";
  EXPECT_FALSE(device_exists(device_name('b', ::getpid())));
  EXPECT_FALSE(device_exists(device_name('v', ::getpid())));
  ASSERT_TRUE(nft({"delete", "table", "ip", table}));
}

}  // namespace
}  // namespace isobench::net
