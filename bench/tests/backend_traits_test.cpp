// Backends describe themselves: what each one is, as the suites and the manifest see it.
#include <gtest/gtest.h>

#include <map>

#include "harness/backend_set.hpp"
#include "harness/manifest.hpp"
#include "harness/plan.hpp"

using namespace isobench;

namespace {

BackendConfig nowhere() {
  BackendConfig config;
  config.workload_binary = "/nonexistent/isobench-workload";
  config.state_dir = "/nonexistent/isobench-state";
  return config;
}

const std::map<std::string, std::string> kFamilies = {
    {"bare", "process"}, {"container", "container"}, {"crun", "oci"}, {"runc", "oci"},
    {"vm", "vm"},        {"qemu", "vm"},             {"kvm", "microvm"},         {"microvm", "microvm"},
    {"docker", "oci"},      {"podman", "oci"},         {"runsc", "sandbox"},
};

}  // namespace

TEST(BackendTraits, EveryBackendInTheTableNamesItsFamily) {
  BackendSet backends(nowhere());
  ASSERT_EQ(backends.names().size(), kFamilies.size());
  for (const auto& name : backends.names()) {
    ASSERT_TRUE(kFamilies.contains(name)) << name << " is new: give it a family here";
    EXPECT_EQ(to_string(backends.find(name)->traits().family), kFamilies.at(name)) << name;
  }
}

TEST(BackendTraits, OnlyGuestsBootAnOsAndOnlyTheyWaitLonger) {
  BackendSet backends(nowhere());
  for (const auto& name : backends.names()) {
    BackendTraits traits = backends.find(name)->traits();
    bool guest = name == "vm" || name == "qemu";
    EXPECT_EQ(traits.boots_guest_os, guest) << name;
    EXPECT_EQ(traits.ready_timeout, guest ? std::chrono::seconds(60) : std::chrono::seconds(10)) << name;
    EXPECT_EQ(traits.exit_timeout, guest ? std::chrono::seconds(120) : std::chrono::seconds(60)) << name;
    EXPECT_EQ(traits.emulation_possible, guest || name == "kvm" || name == "microvm") << name;
    EXPECT_EQ(traits.runs_workloads, name != "kvm") << name;
  }
}

TEST(BackendTraits, ContainersEnforceLimitsAndWriteToTheirTmpfs) {
  BackendSet backends(nowhere());
  for (const auto& name : backends.names()) {
    BackendTraits traits = backends.find(name)->traits();
    bool container = name == "container" || name == "crun" || name == "runc" || name == "runsc" || name == "docker" ||
                     name == "podman";
    EXPECT_EQ(traits.enforces_limits, container) << name;
    EXPECT_EQ(traits.writable_dir, container ? "/tmp" : "/var/tmp") << name;
  }
  EXPECT_TRUE(backends.find("container")->traits().limits_need_root);
  EXPECT_TRUE(backends.find("container")->traits().reports_oom_kill);
}

TEST(BackendTraits, PlanTimeoutsAreTheBackendsOwn) {
  BackendSet backends(nowhere());
  Plan plan(backends, {});
  EXPECT_EQ(plan.timeouts_for("qemu").ready, std::chrono::seconds(60));
  EXPECT_EQ(plan.timeouts_for("qemu").exit, std::chrono::seconds(120));
  EXPECT_EQ(plan.timeouts_for("bare").ready, std::chrono::seconds(10));
  EXPECT_EQ(plan.timeouts_for("bare").exit, std::chrono::seconds(60));
}

// A run records what it selected: the others are not probed (docker's probe starts a
// private dockerd), and their entries say so instead of claiming an availability.
TEST(Manifest, ProbesOnlyTheSelectedBackends) {
  BackendSet backends(nowhere());
  auto manifest = environment_manifest(backends, [](std::string_view name) { return name == "bare"; });
  EXPECT_FALSE(manifest["backends"]["bare"]["available"].get<bool>());  // probed: its binary is missing
  for (const auto& name : backends.names()) {
    if (name == "bare") continue;
    const auto& entry = manifest["backends"][name];
    EXPECT_FALSE(entry.contains("available")) << name;
    EXPECT_EQ(entry.value("probed", true), false) << name;
    EXPECT_EQ(entry["traits"].value("family", ""), kFamilies.at(name)) << name;
  }
}

TEST(Manifest, RecordsTheTraitsOfEveryBackendEvenAnUnavailableOne) {
  BackendSet backends(nowhere());
  auto manifest = environment_manifest(backends);
  for (const auto& name : backends.names()) {
    const auto& entry = manifest["backends"][name];
    ASSERT_TRUE(entry.contains("traits")) << name;
    const auto& traits = entry["traits"];
    for (const char* key : {"boots_guest_os", "enforces_limits", "runs_workloads", "emulation_possible"})
      EXPECT_TRUE(traits.contains(key) && traits[key].is_boolean()) << name << " " << key;
    for (const char* key : {"family", "writable_dir"})
      EXPECT_TRUE(traits.contains(key) && traits[key].is_string()) << name << " " << key;
    for (const char* key : {"ready_timeout_s", "exit_timeout_s"})
      EXPECT_TRUE(traits.contains(key) && traits[key].is_number() && traits[key].get<double>() > 0) << name << " " << key;
    EXPECT_EQ(traits.value("family", ""), kFamilies.at(name)) << name;
    EXPECT_TRUE(entry.contains("available")) << name << ": the existing keys stay";
  }
  EXPECT_FALSE(manifest["backends"]["bare"]["available"].get<bool>());
  EXPECT_EQ(manifest["backends"]["vm"]["traits"]["ready_timeout_s"], 60);
}
