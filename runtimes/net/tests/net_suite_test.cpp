// `bench --suite net` end to end: every backend and network mode passes traffic and
// reports positive figures with their ratio to bare (or, where a backend cannot run here,
// rows that say why), and the run leaves the host's links, routes and nftables ruleset as
// it found them.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "runtimes/common/spawn.hpp"
#include "runtimes/net/host_tools.hpp"

namespace isobench::net {
namespace {

std::string host_state() {
  std::string out;
  for (const auto& args : std::initializer_list<std::vector<std::string>>{
           {"-o", "link", "show"}, {"route", "show", "table", "all"}, {"-o", "address", "show"}})
    out += ip(args).value_or("?");
  if (nft_installed()) out += nft({"list", "ruleset"}).value_or("?");
  return out;
}

TEST(NetSuite, EveryModePassesTrafficAndLeavesTheHostAsFound) {
  if (::geteuid() != 0) GTEST_SKIP() << "the net suite's bridges, veth pairs and taps need root";
  const char* bench = std::getenv("ISOBENCH_BENCH");
  ASSERT_NE(bench, nullptr) << "ISOBENCH_BENCH names the bench binary";
  std::string dir = "/tmp/isobench-nettest-" + std::to_string(::getpid()) + "-XXXXXX";
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  std::string before = host_state();

  auto run = capture_output({bench, "--suite", "net", "--quick", "--repetitions", "2", "--out", dir},
                            Deadline::after(std::chrono::seconds(240)));
  EXPECT_TRUE(run) << (run ? "" : run.error().describe());
  std::ifstream in(std::filesystem::path(dir) / "results.json");
  auto results = nlohmann::json::parse(in, nullptr, false);
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(results.is_object());

  EXPECT_EQ(host_state(), before) << "the host's links, routes, addresses or nftables rules changed";

  std::set<std::string> names, measured;
  for (const auto& row : results["benchmarks"]) {
    std::string name = row.value("run_name", row.value("name", ""));
    if (!name.starts_with("net/")) continue;
    names.insert(name);
    if (row.value("run_type", "") != "iteration") continue;
    if (row.value("error_occurred", false)) {
      // Only a backend that cannot run here may fail, and it says why.
      EXPECT_TRUE(row.value("error_message", "").starts_with("unavailable: ")) << name << ": " << row.value("error_message", "");
      continue;
    }
    measured.insert(name);
    std::string part = name.substr(name.rfind('/') + 1);
    const char* counter = part == "stream" ? "bytes_per_s" : part == "connect" ? "ops_per_s" : "ns_per_op";
    EXPECT_GT(row.value(counter, 0.0), 0.0) << name;
    if (part.starts_with("rr")) EXPECT_GE(row.value("p99_ns", 0.0), row.value("p50_ns", 1.0)) << name;
  }
  for (std::string mode : {"bare", "container-host", "container-bridge", "container-nat", "crun-bridge", "runc-bridge",
                           "docker-host", "podman-host", "podman-bridge", "runsc-host", "vm", "qemu"})
    for (std::string part : {"rr", "rr1k", "stream", "connect"})
      EXPECT_TRUE(names.contains("net/" + mode + "/" + part)) << "no row net/" << mode << "/" << part;
  for (std::string mode : {"bare", "container-host", "container-bridge", "container-nat"})
    EXPECT_TRUE(measured.contains("net/" + mode + "/rr")) << mode << " must run wherever the suite runs as root";
  // Where podman runs at all, it runs on bench's veth and bridge too (--network ns:PATH).
  if (measured.contains("net/podman-host/rr")) EXPECT_TRUE(measured.contains("net/podman-bridge/rr"));
  // Each measured mode's median carries its ratio to bare.
  for (const auto& row : results["benchmarks"]) {
    std::string name = row.value("run_name", "");
    if (!name.starts_with("net/") || name.starts_with("net/bare/") || row.value("aggregate_name", "") != "median") continue;
    if (!measured.contains(name)) continue;
    std::string part = name.substr(name.rfind('/') + 1);
    std::string ratio = part == "stream" ? "ratio_to_bare_bytes_per_s" : part == "connect" ? "ratio_to_bare_ops_per_s"
                                                                                         : "ratio_to_bare_ns_per_op";
    EXPECT_GT(row.value(ratio, 0.0), 0.0) << name << " has no " << ratio;
  }
}

// The workload refuses bad input with exit 2 and names it.
TEST(NetWorkload, BadInputIsAUsageErrorNamingIt) {
  for (const std::vector<std::string>& args : std::initializer_list<std::vector<std::string>>{
           {"all", "not-an-ip", "80"}, {"all", "127.0.0.1", "99999"}, {"rr", "127.0.0.1", "80", "0"}, {"ping", "127.0.0.1", "80"},
           {"all", "127.0.0.1", "80", "-1"}}) {
    std::vector<std::string> argv = {ISOBENCH_WORKLOAD_BINARY, "net"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto out = capture_output(argv, Deadline::after(std::chrono::seconds(10)));
    ASSERT_FALSE(out) << "accepted: net " << args[0] << " " << args[1];
    EXPECT_NE(out.error().describe().find("exit"), std::string::npos) << out.error().describe();
  }
}

// A refused connection (no peer) is a failed workload with the address in the error.
TEST(NetWorkload, NoPeerIsAFailureNamingTheAddress) {
  std::vector<std::string> argv = {ISOBENCH_WORKLOAD_BINARY, "net", "connect", "127.0.0.1", "1", "0.05"};
  auto out = capture_output(argv, Deadline::after(std::chrono::seconds(10)));
  ASSERT_FALSE(out);
}

}  // namespace
}  // namespace isobench::net
