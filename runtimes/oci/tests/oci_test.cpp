#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "oci/bundle.hpp"
#include "oci/oci_backend.hpp"
#include "oci/oci_runtime.hpp"

using namespace isobench;
namespace fs = std::filesystem;

namespace {

// Bundles of this process only (their names carry its pid): other runs on the host make
// and remove their own meanwhile.
int own_bundles() {
  const std::string prefix = "isobench-oci-" + std::to_string(::getpid()) + "-";
  int n = 0;
  for (const auto& entry : fs::directory_iterator("/tmp"))
    if (entry.path().filename().string().starts_with(prefix)) ++n;
  return n;
}

class OciRun : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    if (!find_runtime_binary(GetParam())) GTEST_SKIP() << GetParam() << " is not installed";
    char dir[] = "/tmp/isobench-oci-test-state-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    config_.workload_binary = ISOBENCH_WORKLOAD_BINARY;
    config_.state_dir = dir;
    backend_ = std::string(GetParam()) == "crun" ? make_crun_backend(config_) : make_runc_backend(config_);
  }
  void TearDown() override {
    if (!config_.state_dir.empty()) fs::remove_all(config_.state_dir);
  }
  BackendConfig config_;
  std::unique_ptr<Backend> backend_;
};

}  // namespace

TEST(OciBundle, ConfigCarriesImageNamespacesAndLimits) {
  OciConfigOptions options;
  options.rootfs = "/var/lib/isobench/images/minimal/rootfs";
  options.args = {"/isobench-workload", "noop"};
  options.namespaces = {"pid", "network"};
  options.cgroups_path = "/isobench-runc-1-1";
  options.limits.memory_bytes = 64 << 20;
  options.limits.cpus = 0.5;
  options.limits.pids = 16;
  auto config = oci_config(options);
  EXPECT_EQ(config["root"]["path"], "/var/lib/isobench/images/minimal/rootfs");
  EXPECT_EQ(config["root"]["readonly"], true);
  EXPECT_EQ(config["process"]["args"][1], "noop");
  EXPECT_EQ(config["linux"]["namespaces"][1]["type"], "network");
  EXPECT_EQ(config["linux"]["cgroupsPath"], "/isobench-runc-1-1");
  EXPECT_EQ(config["linux"]["resources"]["memory"]["limit"], 64 << 20);
  EXPECT_EQ(config["linux"]["resources"]["cpu"]["quota"], 50000);
  EXPECT_EQ(config["linux"]["resources"]["pids"]["limit"], 16);
  EXPECT_FALSE(oci_config({}).contains("resources"));
}

TEST(OciBundle, DirectoryIsNamedForIsobenchAndRemovedWithItsOwner) {
  fs::path dir;
  {
    auto bundle = Bundle::create({});
    ASSERT_TRUE(bundle) << bundle.error().describe();
    dir = bundle->dir();
    EXPECT_TRUE(dir.filename().string().starts_with("isobench-oci-"));
    std::ifstream in(dir / "config.json");
    EXPECT_EQ(nlohmann::json::parse(in)["ociVersion"], "1.0.2");
  }
  EXPECT_FALSE(fs::exists(dir));
}

TEST(OciRuntime, MissingRuntimeIsUnavailableWithTheReason) {
  BackendConfig config;
  config.workload_binary = ISOBENCH_WORKLOAD_BINARY;
  config.state_dir = "/nonexistent/isobench-state";
  auto backend = make_oci_backend(config, {"isobench-no-such-runtime", false});
  Availability available = backend->probe();
  EXPECT_FALSE(available.available);
  EXPECT_NE(available.reason.find("isobench-no-such-runtime is not installed"), std::string::npos) << available.reason;
}

TEST_P(OciRun, IdentityRunsAsPid1AndLeavesNothingBehind) {
  int bundles_before = own_bundles();
  Availability available = backend_->probe();
  ASSERT_TRUE(available.available) << available.reason;
  LaunchOptions options;
  options.workload = {"identity", {}};
  auto instance = backend_->launch(options);
  ASSERT_TRUE(instance) << instance.error().describe();
  ASSERT_TRUE((*instance)->wait_ready(Deadline::after(std::chrono::seconds(20))));
  auto outcome = (*instance)->wait_exit(Deadline::after(std::chrono::seconds(20)));
  ASSERT_TRUE(outcome);
  ASSERT_TRUE(outcome->ok()) << outcome->failure;
  ASSERT_TRUE((*instance)->teardown());
  auto data = nlohmann::json::parse(outcome->result_line)["data"];
  EXPECT_EQ(data["pid"], 1);
  EXPECT_EQ(data["hostname"], "isobench");
  EXPECT_EQ(own_bundles(), bundles_before);
  EXPECT_TRUE(backend_->manifest().contains("version"));
}

TEST_P(OciRun, KilledRuntimeIsDeletedAtTeardown) {
  ASSERT_TRUE(backend_->probe().available);
  LaunchOptions options;
  options.workload = {"idle", {"30"}};
  auto instance = backend_->launch(options);
  ASSERT_TRUE(instance) << instance.error().describe();
  ASSERT_TRUE((*instance)->wait_ready(Deadline::after(std::chrono::seconds(20))));
  auto torn_down = (*instance)->teardown();  // the runtime is killed mid-run
  ASSERT_TRUE(torn_down) << torn_down.error().describe();
  std::string state_root = std::string("/run/isobench-") + GetParam();
  for (const auto& entry : fs::directory_iterator(state_root))
    EXPECT_FALSE(entry.path().filename().string().starts_with("isobench-" + std::string(GetParam()) + "-" +
                                                              std::to_string(::getpid()) + "-"))
        << entry.path();
}

INSTANTIATE_TEST_SUITE_P(Runtimes, OciRun, ::testing::Values("crun", "runc"));
