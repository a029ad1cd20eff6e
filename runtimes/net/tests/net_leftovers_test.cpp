// The leak audit and `bench clean` on the net suite's objects, on the real host: a bridge
// and an nftables table left by a dead run are found with their owner (the device's alias,
// the table's name) and removed; a live owner's are not leftovers.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/safety/leak_audit.hpp"
#include "bench/safety/removal.hpp"
#include "bench/safety/run_audit.hpp"
#include "runtimes/net/host_tools.hpp"

namespace isobench::net {
namespace {

pid_t dead_pid() {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  ::waitpid(pid, nullptr, 0);
  return pid;
}

std::vector<safety::Artifact> net_artifacts_of(pid_t owner, const safety::HostRoots& roots) {
  std::vector<safety::Artifact> out;
  for (const auto& artifact : safety::scan_host(roots))
    if ((artifact.kind == safety::ArtifactKind::kNetDevice || artifact.kind == safety::ArtifactKind::kNftTable) &&
        artifact.owner == owner)
      out.push_back(artifact);
  return out;
}

TEST(NetLeftovers, DeadRunsBridgeAndNatTableAreFoundAndRemoved) {
  if (::geteuid() != 0) GTEST_SKIP() << "creating a bridge and an nftables table needs root";
  if (!nft_installed()) GTEST_SKIP() << "nft is not installed";
  pid_t dead = dead_pid();
  std::string bridge = device_name('b', dead);
  std::string table = "isobench-nat-" + std::to_string(dead);
  ASSERT_FALSE(device_exists(bridge));
  ASSERT_TRUE(ip({"link", "add", bridge, "type", "bridge"}));
  ASSERT_TRUE(ip({"link", "set", "dev", bridge, "alias", owner_alias(dead)}));
  ASSERT_TRUE(nft({"add", "table", "ip", table}));

  safety::HostRoots roots = safety::host_roots("/var/lib/isobench");
  auto found = net_artifacts_of(dead, roots);
  ASSERT_EQ(found.size(), 2u);
  safety::ProcessTable processes;
  auto dead_runs = safety::leftovers(found, processes, ::getpid());
  EXPECT_EQ(dead_runs.size(), 2u) << "a dead owner's objects are leftovers for `bench clean`";
  for (const auto& removal : safety::remove_artifacts(found, roots))
    EXPECT_FALSE(removal.error) << removal.artifact.describe() << ": " << removal.error->describe();
  EXPECT_FALSE(device_exists(bridge));
  EXPECT_FALSE(nft({"list", "table", "ip", table}));
  EXPECT_TRUE(net_artifacts_of(dead, roots).empty());
}

TEST(NetLeftovers, ALiveOwnersBridgeIsNoLeftover) {
  if (::geteuid() != 0) GTEST_SKIP() << "creating a bridge needs root";
  std::string bridge = device_name('b', ::getpid());
  ASSERT_FALSE(device_exists(bridge));
  ASSERT_TRUE(ip({"link", "add", bridge, "type", "bridge"}));
  ASSERT_TRUE(ip({"link", "set", "dev", bridge, "alias", owner_alias(::getpid())}));
  safety::HostRoots roots = safety::host_roots("/var/lib/isobench");
  auto found = net_artifacts_of(::getpid(), roots);
  safety::ProcessTable processes;
  EXPECT_EQ(found.size(), 1u);
  // Seen from another live process (pid 1 stands for `bench clean`): ours is alive.
  EXPECT_TRUE(safety::leftovers(found, processes, 1).empty());
  EXPECT_TRUE(ip({"link", "delete", bridge}));
}

}  // namespace
}  // namespace isobench::net
