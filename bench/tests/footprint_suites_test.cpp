// footprint, density and image through the real `bench` binary, on the real backends:
// figures positive and ordered as the physics says, nothing left after density, and a
// reserve that no instance fits under. Plus the density memory guard as logic.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "common/line_reader.hpp"
#include "common/spawn.hpp"
#include "harness/density.hpp"
#include "common/tests/temp_dir.hpp"
#include "runtimes/common/proc_file.hpp"

using namespace isobench;
namespace fs = std::filesystem;

namespace {

using isobench::testing::TempDir;

struct BenchRun {
  int exit_code = -1;
  pid_t pid = 0;
  std::string err;
  nlohmann::json results;
};

BenchRun run_bench(std::vector<std::string> args) {
  TempDir dir("isobench-footprint-test-");
  const char* bench = std::getenv("ISOBENCH_BENCH");
  args.insert(args.begin(), bench ? bench : "bench");
  args.push_back("--out");
  args.push_back((dir.path() / "run").string());
  auto err = make_pipe().value();
  int devnull = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  auto child = spawn_process(args, {-1, devnull, err.write_end.get()});
  ::close(devnull);
  EXPECT_TRUE(child) << (child ? "" : child.error().describe());
  err.write_end.reset();
  LineReader err_reader(std::move(err.read_end));
  auto deadline = Deadline::after(std::chrono::seconds(240));
  BenchRun run;
  run.pid = child->pid();
  run.err = err_reader.drain(deadline).value_or("");
  auto status = child->wait(deadline);
  run.exit_code = status && status->exited ? status->exit_code : -1;
  std::ifstream in(dir.path() / "run" / "results.json");
  if (in) run.results = nlohmann::json::parse(in, nullptr, false);
  return run;
}

// name -> the row of its first iteration (or its error row).
std::map<std::string, nlohmann::json> rows_by_name(const nlohmann::json& results) {
  std::map<std::string, nlohmann::json> rows;
  if (!results.is_object() || !results.contains("benchmarks")) return rows;
  for (const auto& row : results["benchmarks"])
    if (row.value("run_type", "") == "iteration" && !rows.contains(row["run_name"])) rows[row["run_name"]] = row;
  return rows;
}

double counter(const nlohmann::json& row, const char* name) { return row.contains(name) ? row[name].get<double>() : -1; }

bool ran(const std::map<std::string, nlohmann::json>& rows, const std::string& name) {
  auto it = rows.find(name);
  return it != rows.end() && !it->second.value("error_occurred", false);
}

std::string why_not(const std::map<std::string, nlohmann::json>& rows, const std::string& name) {
  auto it = rows.find(name);
  return it == rows.end() ? "no row" : it->second.value("error_message", "");
}

// Everything a run of bench (pid) could leave: cgroups, mounts, QEMU processes.
std::vector<std::string> leftovers_of(pid_t bench) {
  std::vector<std::string> found;
  std::string tag = "-" + std::to_string(bench) + "-";
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator("/sys/fs/cgroup", fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (it->is_directory() && name.find("isobench") != std::string::npos && name.find(tag) != std::string::npos)
      found.push_back(it->path().string());
    if (it->is_directory() && it.depth() >= 3) it.disable_recursion_pending();
  }
  std::ifstream mounts("/proc/self/mountinfo");
  for (std::string line; std::getline(mounts, line);)
    if (line.find("isobench") != std::string::npos && line.find(tag) != std::string::npos) found.push_back(line);
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    std::string text = read_proc_file(entry.path() / "cmdline");
    if (text.find("isobench-qemu" + tag) != std::string::npos || text.find("isobench-vm" + tag) != std::string::npos)
      found.push_back(entry.path().string() + ": " + text);
  }
  return found;
}

}  // namespace

TEST(DensityGuard, StopsBeforeTheReserve) {
  MemInfo host{24ull << 30, 20ull << 30};
  unsetenv("ISOBENCH_DENSITY_RESERVE_BYTES");
  EXPECT_EQ(density_reserve(host), 3ull << 30) << "an eighth of 24 GiB";
  EXPECT_EQ(density_reserve(MemInfo{2ull << 30, 1ull << 30}), 1ull << 30) << "never under 1 GiB";
  std::uint64_t guest = density_estimate(true, 256ull << 20, 0, 0);
  EXPECT_EQ(guest, 512ull << 20);
  EXPECT_EQ(density_estimate(false, 0, 0, 0), 64ull << 20);
  EXPECT_EQ(density_estimate(false, 0, 800ull << 20, 4), 200ull << 20) << "what was seen, when larger";
  EXPECT_TRUE(one_more_fits(MemInfo{24ull << 30, (3ull << 30) + guest}, guest, 3ull << 30));
  EXPECT_FALSE(one_more_fits(MemInfo{24ull << 30, (3ull << 30) + guest - 1}, guest, 3ull << 30));
  EXPECT_FALSE(one_more_fits(MemInfo{24ull << 30, 1ull << 30}, guest, 3ull << 30)) << "already under the reserve";
}

TEST(FootprintSuites, FiguresArePositiveAndOrderedAsPhysicsSays) {
  if (::geteuid() != 0) GTEST_SKIP() << "the container backend needs root";
  auto run = run_bench({"--backend", "bare,container,qemu", "--suite", "footprint,image", "--repetitions", "1"});
  auto rows = rows_by_name(run.results);
  ASSERT_TRUE(ran(rows, "footprint/bare/idle")) << why_not(rows, "footprint/bare/idle") << run.err;
  ASSERT_TRUE(ran(rows, "image/bare/minimal")) << why_not(rows, "image/bare/minimal");
  const auto& bare = rows["footprint/bare/idle"];
  for (const char* name : {"pss_bytes", "uss_bytes", "rss_bytes", "kernel_bytes"}) EXPECT_GT(counter(bare, name), 0) << name;
  EXPECT_LE(counter(bare, "uss_bytes"), counter(bare, "pss_bytes"));
  EXPECT_LE(counter(bare, "pss_bytes"), counter(bare, "rss_bytes"));
  EXPECT_EQ(counter(bare, "processes"), 1);

  if (ran(rows, "footprint/container/idle")) {
    const auto& container = rows["footprint/container/idle"];
    EXPECT_GT(counter(container, "pss_bytes"), 0);
    // Its own cgroup charges the kernel memory of the namespaces and mounts.
    EXPECT_GT(counter(container, "kernel_bytes"), 0);
    const auto& image = rows["image/container/minimal"];
    EXPECT_GE(counter(image, "image_bytes"), counter(rows["image/bare/minimal"], "image_bytes"));
    EXPECT_GT(counter(image, "compressed_bytes"), 0);
    EXPECT_LT(counter(image, "compressed_bytes"), counter(image, "image_bytes"));
    EXPECT_GT(counter(image, "build_s"), 0) << "a fresh image is built in a scratch state dir";
  } else {
    std::cerr << "container not measured: " << why_not(rows, "footprint/container/idle") << "\n";
  }

  if (!ran(rows, "footprint/qemu/idle")) {
    GTEST_SKIP() << "qemu not measured: " << why_not(rows, "footprint/qemu/idle");
  }
  const auto& qemu = rows["footprint/qemu/idle"];
  // QEMU alone, guest RAM aside, is larger than the whole idle workload process.
  EXPECT_GT(counter(qemu, "vmm_overhead_bytes"), counter(bare, "rss_bytes"));
  EXPECT_GT(counter(qemu, "pss_bytes"), counter(bare, "pss_bytes"));
  EXPECT_GT(counter(qemu, "guest_ram_touched_bytes"), 0);
  EXPECT_LE(counter(qemu, "guest_ram_touched_bytes"), 256.0 * (1 << 20));
  ASSERT_TRUE(ran(rows, "image/qemu/minimal")) << why_not(rows, "image/qemu/minimal");
  const auto& vm_image = rows["image/qemu/minimal"];
  EXPECT_GT(counter(vm_image, "kernel_bytes"), 0);
  EXPECT_GT(counter(vm_image, "image_bytes"), counter(rows["image/bare/minimal"], "image_bytes"));
  if (ran(rows, "image/container/minimal")) {
    EXPECT_LT(counter(rows["image/container/minimal"], "image_bytes"), counter(vm_image, "image_bytes"));
    EXPECT_LT(counter(rows["image/container/minimal"], "compressed_bytes"), counter(vm_image, "compressed_bytes"));
  }
}

TEST(FootprintSuites, DensityBringsUpAllAndLeavesNothing) {
  if (::geteuid() != 0) GTEST_SKIP() << "the container backend needs root";
  // Not --quick: there an emulated (TCG) guest's density is one instance only.
  auto run = run_bench({"--backend", "container,qemu", "--suite", "density", "--repetitions", "1",
                        "--filter", "density/(container/idle/4|qemu/idle/2)$"});
  auto rows = rows_by_name(run.results);
  int measured = 0;
  for (const auto& [name, requested] : std::map<std::string, double>{{"density/container/idle/4", 4}, {"density/qemu/idle/2", 2}}) {
    if (!ran(rows, name)) {
      std::cerr << name << " not measured: " << why_not(rows, name) << "\n";
      continue;
    }
    ++measured;
    const auto& row = rows[name];
    EXPECT_EQ(counter(row, "requested"), requested);
    EXPECT_EQ(counter(row, "fitted"), requested);
    EXPECT_GT(counter(row, "bringup_s"), 0);
    EXPECT_GT(counter(row, "pss_per_instance_bytes"), 0);
    EXPECT_GT(counter(row, "marginal_per_instance_bytes"), 0);
  }
  if (rows.contains("density/qemu/idle/2") && ran(rows, "density/container/idle/4") && ran(rows, "density/qemu/idle/2")) {
    EXPECT_GT(counter(rows["density/qemu/idle/2"], "pss_per_instance_bytes"),
              counter(rows["density/container/idle/4"], "pss_per_instance_bytes"));
  }
  auto left = leftovers_of(run.pid);
  EXPECT_TRUE(left.empty()) << left.front();
  if (measured == 0) GTEST_SKIP() << "neither container nor qemu ran here";
}

TEST(FootprintSuites, DensityRefusesWhatTheReserveDoesNotAllow) {
  // A reserve larger than the host: not one instance may start, and the row says why.
  ::setenv("ISOBENCH_DENSITY_RESERVE_BYTES", "18446744073709551615", 1);
  auto run = run_bench({"--backend", "bare", "--suite", "density", "--quick", "--repetitions", "1", "--filter",
                        "density/bare/idle/4$"});
  ::unsetenv("ISOBENCH_DENSITY_RESERVE_BYTES");
  auto rows = rows_by_name(run.results);
  ASSERT_TRUE(rows.contains("density/bare/idle/4")) << run.err;
  EXPECT_TRUE(rows["density/bare/idle/4"].value("error_occurred", false));
  EXPECT_NE(why_not(rows, "density/bare/idle/4").find("memory reserve"), std::string::npos);
  EXPECT_TRUE(leftovers_of(run.pid).empty());
}

// The static binary's build time is 0 s in every repetition, so Google Benchmark's
// coefficient of variation for it is NaN, which its JSON writer prints as a bare token.
// A whole `bench --all` once ended with no results.json because of it.
TEST(ImageSuite, ARowWhoseRepetitionsAllTakeZeroSecondsStillGivesResults) {
  auto run = run_bench({"--backend", "bare", "--suite", "image", "--filter", "image/bare/minimal$", "--repetitions", "2"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_TRUE(run.results.contains("benchmarks")) << run.err;
  bool saw_cv = false;
  for (const auto& row : run.results["benchmarks"]) {
    if (row.value("name", "") != "image/bare/minimal_cv") continue;
    saw_cv = true;
    EXPECT_TRUE(row["real_time"].is_null()) << row.dump();
  }
  EXPECT_TRUE(saw_cv) << run.results.dump(1);
}
