#include <gtest/gtest.h>

#include "bench/results/claims.hpp"
#include "fixture.hpp"

namespace isobench::results {
namespace {

using testing::around;
using testing::Fixture;
using testing::no_fallback;

std::vector<nlohmann::json> rows_with_id(const nlohmann::json& claims, const std::string& id) {
  std::vector<nlohmann::json> out;
  for (const auto& row : claims["rows"])
    if (row["id"] == id) out.push_back(row);
  return out;
}

// bare and one other backend running the same cpu, mem and syscall benchmarks, the
// other at `ratio` of bare's time per operation with the given spread.
void overhead_rows(Fixture& fixture, const std::string& backend, double ratio, double spread, int n,
                   const nlohmann::json& attributes = nlohmann::json::object()) {
  const std::pair<const char*, double> kRows[] = {{"cpu/%s/hash", 2.0}, {"mem/%s/chase", 90.0}, {"syscall/%s/getpid", 150.0}};
  for (const auto& [pattern, ns] : kRows) {
    char bare[64], own[64];
    std::snprintf(bare, sizeof bare, pattern, "bare");
    std::snprintf(own, sizeof own, pattern, backend.c_str());
    if (fixture.model().find(bare) == nullptr) fixture.rows(bare, around(1, 0.01, n), {{"ns_per_op", around(ns, spread, n)}});
    fixture.rows(own, around(1, 0.01, n), {{"ns_per_op", around(ns * ratio, spread, n, 3)}}, attributes);
  }
}

Fixture base(int n = 20) {
  Fixture fixture;
  fixture.backend("bare", "process").backend("container", "container").backend("kvm", "microvm", false, true);
  fixture.rows("startup/bare/noop", around(0.5, 0.02, n));
  return fixture;
}

// The reference run's kvm guest under PVM: its compute loop at ×1,780 of the host's is
// KVM's instruction emulator, and must never confirm C2.
TEST(Claims, AKvmComputeLoopAtX1780IsEmulatedAndC2IsNotMeasurable) {
  Fixture fixture = base();
  fixture.rows("hypervisor/kvm/compute_loop", around(0.1, 0.01, 20),
               {{"guest_ns_per_op", around(3000, 0.05, 20)}, {"host_ns_per_op", around(1.685, 0.02, 20)}},
               {{"hypervisor", "kvm_pvm"}});
  nlohmann::json claims = compute_claims(fixture.model(), no_fallback());
  auto c2 = rows_with_id(claims, "C2");
  ASSERT_EQ(c2.size(), 1u);
  EXPECT_EQ(c2[0]["verdict"], "not measurable here");
  std::string text = c2[0]["verdict_text"];
  EXPECT_TRUE(text.starts_with("not measurable here: the guest was emulated")) << text;
  EXPECT_NE(text.find("×1,78"), std::string::npos) << text;
  EXPECT_TRUE(claims["emulation"]["kvm"]["emulated"].get<bool>());
}

TEST(Claims, TcgGuestRowsNeverReachC2) {
  Fixture fixture = base();
  fixture.backend("vm", "vm", true, true);
  overhead_rows(fixture, "vm", 3.0, 0.01, 20, {{"accel", "tcg"}});
  nlohmann::json claims = compute_claims(fixture.model(), no_fallback());
  auto c2 = rows_with_id(claims, "C2");
  ASSERT_EQ(c2.size(), 1u);
  EXPECT_EQ(c2[0]["verdict"], "not measurable here");
  EXPECT_NE(c2[0]["verdict_text"].get<std::string>().find("TCG"), std::string::npos);
}

TEST(Claims, ANativeKvmGuestGivesC2AVerdict) {
  Fixture fixture = base(30);
  fixture.rows("hypervisor/kvm/compute_loop", around(0.1, 0.01, 30),
               {{"guest_ns_per_op", around(1.70, 0.01, 30, 1)}, {"host_ns_per_op", around(1.69, 0.01, 30)}});
  nlohmann::json claims = compute_claims(fixture.model(), no_fallback());
  auto c2 = rows_with_id(claims, "C2");
  ASSERT_EQ(c2.size(), 1u);
  EXPECT_EQ(c2[0]["backend"], "kvm");
  EXPECT_EQ(c2[0]["verdict"], "contradicted") << c2[0].dump();  // no slowdown above ×1.05
  EXPECT_FALSE(claims["emulation"]["kvm"]["emulated"].get<bool>());
}

TEST(Claims, C7IsConfirmedWhenTheWholeIntervalIsBelowTheTolerance) {
  Fixture fixture = base();
  overhead_rows(fixture, "container", 1.0, 0.01, 20);
  auto c7 = rows_with_id(compute_claims(fixture.model(), no_fallback()), "C7");
  ASSERT_EQ(c7.size(), 1u);
  EXPECT_EQ(c7[0]["verdict"], "confirmed") << c7[0].dump();
  EXPECT_LT(c7[0]["effect"]["high"].get<double>(), 1.05);
}

TEST(Claims, C7IsContradictedWhenTheWholeIntervalIsAbove) {
  Fixture fixture = base();
  overhead_rows(fixture, "container", 1.5, 0.01, 20);
  auto c7 = rows_with_id(compute_claims(fixture.model(), no_fallback()), "C7");
  ASSERT_EQ(c7.size(), 1u);
  EXPECT_EQ(c7[0]["verdict"], "contradicted");
}

// An interval that straddles ×1.05 decides nothing: the verdict says so and how many
// repetitions would, instead of "not observed".
TEST(Claims, AWideIntervalIsInconclusiveAndSaysHowManyRepetitionsWouldDecide) {
  Fixture fixture = base(6);
  overhead_rows(fixture, "container", 1.03, 0.3, 6);
  auto c7 = rows_with_id(compute_claims(fixture.model(), no_fallback()), "C7");
  ASSERT_EQ(c7.size(), 1u);
  EXPECT_EQ(c7[0]["verdict"], "inconclusive") << c7[0].dump();
  ASSERT_TRUE(c7[0]["repetitions_to_decide"].is_number());
  EXPECT_GT(c7[0]["repetitions_to_decide"].get<long>(), 6);
  std::string text = c7[0]["verdict_text"];
  EXPECT_TRUE(text.starts_with("inconclusive: ~")) << text;
  EXPECT_NE(text.find("repetitions would decide"), std::string::npos);
}

TEST(Claims, AnEmulatedVmsMemoryIsReadFromItsGuestRam) {
  Fixture fixture = base(5);
  fixture.backend("vm", "vm", true, true);
  fixture.rows("footprint/container/idle", around(1, 0.01, 5), {{"pss_bytes", around(1.1e6, 0.01, 5)}});
  fixture.rows("footprint/vm/idle", around(1, 0.01, 5),
               {{"pss_bytes", around(220e6, 0.01, 5)}, {"guest_ram_touched_bytes", around(120e6, 0.01, 5)}},
               {{"accel", "tcg"}});
  auto c4 = rows_with_id(compute_claims(fixture.model(), no_fallback()), "C4");
  ASSERT_EQ(c4.size(), 1u);
  EXPECT_EQ(c4[0]["verdict"], "confirmed");
  EXPECT_NEAR(c4[0]["effect"]["point"].get<double>(), 120e6 / 1.1e6, 3);
  EXPECT_NE(c4[0]["metric"].get<std::string>().find("guest_ram_touched_bytes"), std::string::npos);
}

TEST(Claims, AnEmulatedGuestsBootTimeDecidesNoDeployVerdict) {
  Fixture fixture = base(5);
  fixture.backend("vm", "vm", true, true);
  fixture.rows("startup/container/noop", around(2, 0.01, 5));
  fixture.rows("startup/vm/noop", around(3000, 0.01, 5), {}, {{"accel", "tcg"}});
  auto c6 = rows_with_id(compute_claims(fixture.model(), no_fallback()), "C6 start");
  ASSERT_EQ(c6.size(), 1u);
  EXPECT_EQ(c6[0]["verdict"], "not measurable here");
  EXPECT_TRUE(c6[0]["effect"]["text"].get<std::string>().starts_with("emulated, not used"));
}

TEST(Claims, C5NamesTheLargestLadderContributors) {
  const int n = 11;
  Fixture fixture = base(n);
  fixture.rows("startup/container/noop", around(2.0, 0.01, n));
  auto seconds = [](std::vector<double> v) { for (double& x : v) x *= 1e-3; return v; };
  fixture.rows("ladder/container/noop/spawn", around(0.5, 0.01, n), {{"ready_s", seconds(around(0.5, 0.01, n))}});
  fixture.rows("ladder/container/noop/cumulative_1_mnt", around(0.7, 0.01, n), {{"step_s", seconds(around(0.2, 0.01, n))}});
  fixture.rows("ladder/container/noop/cumulative_2_net", around(1.9, 0.01, n), {{"step_s", seconds(around(1.2, 0.01, n))}});
  auto c5 = rows_with_id(compute_claims(fixture.model(), no_fallback()), "C5");
  ASSERT_EQ(c5.size(), 1u);
  EXPECT_EQ(c5[0]["verdict"], "confirmed");  // ×4, well below ×10
  std::string note = c5[0]["note"];
  EXPECT_LT(note.find("cumulative_2_net"), note.find("cumulative_1_mnt")) << note;
}

// The same container spec read 2 ms at the top of the ladder and 12 ms alone (a cgroup
// attach after a pause waits for an RCU grace period on these hosts): the row says so.
TEST(Claims, C5SaysWhenTheLaddersFullStackDisagreesWithTheStartupRow) {
  const int n = 11;
  Fixture fixture = base(n);
  auto seconds = [](std::vector<double> v) { for (double& x : v) x *= 1e-3; return v; };
  fixture.rows("startup/container/noop", around(12.0, 0.01, n), {{"ready_s", seconds(around(11.8, 0.01, n))}});
  fixture.rows("ladder/container/noop/spawn", around(1.0, 0.01, n), {{"ready_s", seconds(around(1.0, 0.01, n))}});
  fixture.rows("ladder/container/noop/cumulative_1_mnt", around(2.0, 0.01, n),
               {{"ready_s", seconds(around(2.0, 0.01, n))}, {"step_s", seconds(around(1.0, 0.01, n))}});
  auto c5 = rows_with_id(compute_claims(fixture.model(), no_fallback()), "C5");
  ASSERT_EQ(c5.size(), 1u);
  std::string note = c5[0]["note"];
  EXPECT_NE(note.find("depends on what ran just before it"), std::string::npos) << note;
}

// Docker is the seed's container: C5 gets a row for it beside the main one, with its
// phases and the runc under it, started alone in the same run.
TEST(Claims, C5HasARowForEachContainerEngineWithTheRuntimeUnderIt) {
  const int n = 11;
  Fixture fixture = base(n);
  fixture.backend("runc", "oci").backend("docker", "oci").engine("docker");
  auto seconds = [](std::vector<double> v) { for (double& x : v) x *= 1e-3; return v; };
  fixture.rows("startup/container/noop", around(2.0, 0.01, n));
  fixture.rows("startup/runc/noop", around(25.0, 0.01, n));
  fixture.rows("startup/docker/noop", around(250.0, 0.01, n), {{"create_s", seconds(around(40.0, 0.01, n))}},
               {{"runtime", "runc"}});
  auto c5 = rows_with_id(compute_claims(fixture.model(), no_fallback()), "C5");
  ASSERT_EQ(c5.size(), 2u);
  EXPECT_EQ(c5[0]["backend"], "container");
  EXPECT_EQ(c5[1]["backend"], "docker");
  EXPECT_EQ(c5[1]["verdict"], "contradicted");  // ×500 of a bare spawn
  std::string note = c5[1]["note"];
  EXPECT_NE(note.find("create_s 40"), std::string::npos) << note;
  EXPECT_NE(note.find("runc under it started alone in 25"), std::string::npos) << note;
}

std::vector<double> seconds(std::vector<double> ms) {
  for (double& x : ms) x *= 1e-3;
  return ms;
}

// C6 reads the engines' image rows: docker's build is its `import` of the rootfs on top
// of the rootfs itself, and gets a row of its own beside the plain rootfs's.
TEST(Claims, C6BuildHasARowForEachContainerEngineThatCountsItsImport) {
  const int n = 5;
  Fixture fixture = base(n);
  fixture.backend("vm", "vm", true, true).backend("docker", "oci").engine("docker");
  fixture.rows("image/vm/minimal", around(1200, 0.01, n), {{"build_s", seconds(around(1200, 0.01, n))}});
  fixture.rows("image/container/minimal", around(2.4, 0.01, n), {{"build_s", seconds(around(2.4, 0.01, n))}});
  fixture.rows("image/docker/minimal", around(102.4, 0.01, n),
               {{"build_s", seconds(around(102.4, 0.01, n))}, {"engine_import_s", seconds(around(100, 0.01, n))}});
  auto c6 = rows_with_id(compute_claims(fixture.model(), no_fallback()), "C6 build");
  ASSERT_EQ(c6.size(), 2u);
  EXPECT_EQ(c6[0]["backend"], "container");
  EXPECT_EQ(c6[1]["backend"], "docker");
  EXPECT_NEAR(c6[1]["effect"]["point"].get<double>(), 102.4 / 1200, 0.005);
  EXPECT_EQ(c6[1]["verdict"], "confirmed");
  EXPECT_EQ(c6[1]["figures"], (nlohmann::json{"image/docker/minimal", "image/vm/minimal"}));
  EXPECT_NE(c6[1]["note"].get<std::string>().find("import of the rootfs) 100"), std::string::npos) << c6[1]["note"];
}

// An engine slower to build than the VM is contradicted on its own row, whatever the
// plain rootfs reads: the engine's row is a verdict of its own, not a footnote.
TEST(Claims, AnEngineWhoseImportIsSlowerThanTheVmsBuildIsContradictedOnItsOwnRow) {
  const int n = 5;
  Fixture fixture = base(n);
  fixture.backend("vm", "vm", true, true).backend("podman", "oci").engine("podman");
  fixture.rows("image/vm/minimal", around(50, 0.01, n), {{"build_s", seconds(around(50, 0.01, n))}});
  fixture.rows("image/container/minimal", around(2.4, 0.01, n), {{"build_s", seconds(around(2.4, 0.01, n))}});
  fixture.rows("image/podman/minimal", around(140, 0.01, n),
               {{"build_s", seconds(around(140, 0.01, n))}, {"engine_import_s", seconds(around(138, 0.01, n))}});
  auto c6 = rows_with_id(compute_claims(fixture.model(), no_fallback()), "C6 build");
  ASSERT_EQ(c6.size(), 2u);
  EXPECT_EQ(c6[0]["verdict"], "confirmed");
  EXPECT_EQ(c6[1]["backend"], "podman");
  EXPECT_EQ(c6[1]["verdict"], "contradicted");
}

// The distro images are matched with the distro VM disk, the minimal ones with the
// minimal guest: an engine's row never compares a distro import with a minimal guest.
TEST(Claims, C6BuildMatchesTheEnginesImageToTheVmImageOfTheSameKind) {
  const int n = 3;
  Fixture fixture = base(n);
  fixture.backend("vm", "vm", true, true).backend("docker", "oci").engine("docker");
  fixture.rows("image/vm/minimal", around(1200, 0.01, n), {{"build_s", seconds(around(1200, 0.01, n))}});
  fixture.rows("image/vm/distro", around(90000, 0.01, n), {{"build_s", seconds(around(90000, 0.01, n))}});
  fixture.rows("image/docker/distro", around(61000, 0.01, n),
               {{"build_s", seconds(around(61000, 0.01, n))}, {"engine_import_s", seconds(around(1000, 0.01, n))}});
  auto c6 = rows_with_id(compute_claims(fixture.model(), no_fallback()), "C6 build");
  ASSERT_FALSE(c6.empty());
  EXPECT_EQ(c6[0]["backend"], "docker");
  EXPECT_EQ(c6[0]["figures"], (nlohmann::json{"image/docker/distro", "image/vm/distro"}));
}

// Deploying with docker (create, start, remove through the engine) against booting the
// VM: a row of its own beside the plain container's.
TEST(Claims, C6StartHasARowForEachContainerEngine) {
  const int n = 7;
  Fixture fixture = base(n);
  fixture.backend("vm", "vm", true, true).backend("docker", "oci").engine("docker");
  fixture.rows("startup/container/noop", around(2.0, 0.01, n));
  fixture.rows("startup/docker/noop", around(400, 0.01, n), {}, {{"runtime", "runc"}});
  fixture.rows("startup/vm/noop", around(900, 0.01, n), {}, {{"accel", "kvm"}});
  auto c6 = rows_with_id(compute_claims(fixture.model(), no_fallback()), "C6 start");
  ASSERT_EQ(c6.size(), 2u);
  EXPECT_EQ(c6[0]["backend"], "container");
  EXPECT_EQ(c6[1]["backend"], "docker");
  EXPECT_NEAR(c6[1]["effect"]["point"].get<double>(), 900.0 / 400, 0.05);
  EXPECT_EQ(c6[1]["verdict"], "confirmed");
}

// C7 reads docker as the seed's container: a row of its own whose note names the runc
// under it and runc's own overhead in the same run.
TEST(Claims, C7HasARowForDockerThatNamesTheRuntimeUnderIt) {
  const int n = 15;
  Fixture fixture = base(n);
  fixture.backend("runc", "oci").backend("docker", "oci").engine("docker");
  overhead_rows(fixture, "runc", 1.0, 0.01, n, {{"runtime", "runc"}});
  overhead_rows(fixture, "docker", 1.3, 0.01, n, {{"runtime", "runc"}});
  auto c7 = rows_with_id(compute_claims(fixture.model(), no_fallback()), "C7");
  ASSERT_EQ(c7.size(), 2u);
  // Without a backend table the fixture's backends come in name order.
  const auto& docker = c7[0]["backend"] == "docker" ? c7[0] : c7[1];
  const auto& runc = c7[0]["backend"] == "runc" ? c7[0] : c7[1];
  ASSERT_EQ(docker["backend"], "docker");
  ASSERT_EQ(runc["backend"], "runc");
  EXPECT_EQ(docker["verdict"], "contradicted");  // ×1.3, well above ×1.05
  EXPECT_EQ(runc["verdict"], "confirmed");
  std::string note = docker["note"];
  EXPECT_NE(note.find("the seed's container: docker, an engine in front of runc; runc alone ×"), std::string::npos)
      << note;
  EXPECT_EQ(runc["note"].get<std::string>().find("seed"), std::string::npos);
}

// Without any VM row, C6 says why once, not once more per engine.
TEST(Claims, WithoutAVmC6SaysWhyOnceNotOncePerEngine) {
  const int n = 5;
  Fixture fixture = base(n);
  fixture.backend("docker", "oci").engine("docker").backend("podman", "oci").engine("podman");
  for (const char* engine : {"docker", "podman"}) {
    fixture.rows(std::string("startup/") + engine + "/noop", around(400, 0.01, n), {}, {{"runtime", "runc"}});
    fixture.rows(std::string("image/") + engine + "/minimal", around(200, 0.01, n),
                 {{"build_s", seconds(around(200, 0.01, n))}, {"engine_import_s", seconds(around(198, 0.01, n))}});
  }
  fixture.rows("startup/container/noop", around(2.0, 0.01, n));
  fixture.rows("image/container/minimal", around(2.4, 0.01, n), {{"build_s", seconds(around(2.4, 0.01, n))}});
  auto claims = compute_claims(fixture.model(), no_fallback());
  for (const char* id : {"C6 build", "C6 start"}) {
    auto rows = rows_with_id(claims, id);
    ASSERT_EQ(rows.size(), 1u) << id;
    EXPECT_EQ(rows[0]["verdict"], "not measurable here") << id;
  }
}

TEST(Claims, AMissingBackendIsNotMeasurableWithItsReason) {
  Fixture fixture = base();
  fixture.backend("crun", "oci").unavailable("crun", "crun is not installed");
  fixture.backend("container", "container").unavailable("container", "needs root");
  auto claims = compute_claims(fixture.model(), no_fallback());
  auto c7 = rows_with_id(claims, "C7");
  ASSERT_EQ(c7.size(), 1u);
  EXPECT_EQ(c7[0]["verdict"], "not measurable here");
  EXPECT_NE(c7[0]["verdict_text"].get<std::string>().find("unavailable"), std::string::npos);
  for (const char* id : {"C2", "C3", "C4", "C5", "C6 build", "C6 start", "C8"})
    EXPECT_EQ(rows_with_id(claims, id).size(), 1u) << id;
  EXPECT_NE(claims_table(claims).find("C7"), std::string::npos);
}

}  // namespace
}  // namespace isobench::results
