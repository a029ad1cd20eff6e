// The real `bench` binary, end to end: exit codes and one-line errors for bad input, and
// a bare startup run whose results.json is Google Benchmark JSON with every sample.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/line_reader.hpp"
#include "common/spawn.hpp"
#include "common/tests/temp_dir.hpp"

using namespace isobench;

namespace {

using isobench::testing::TempDir;

struct BenchRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

BenchRun run_bench(std::vector<std::string> args) {
  const char* bench = std::getenv("ISOBENCH_BENCH");
  args.insert(args.begin(), bench ? bench : "bench");
  auto out = make_pipe().value();
  auto err = make_pipe().value();
  auto child = spawn_process(args, {-1, out.write_end.get(), err.write_end.get()});
  EXPECT_TRUE(child) << (child ? "" : child.error().describe());
  out.write_end.reset();
  err.write_end.reset();
  LineReader out_reader(std::move(out.read_end)), err_reader(std::move(err.read_end));
  auto deadline = Deadline::after(std::chrono::seconds(120));
  BenchRun run;
  run.out = out_reader.drain(deadline).value_or("");
  run.err = err_reader.drain(deadline).value_or("");
  auto status = child->wait(deadline);
  run.exit_code = status && status->exited ? status->exit_code : -1;
  return run;
}

void expect_usage_error(std::vector<std::string> args, const std::string& names) {
  auto run = run_bench(args);
  EXPECT_EQ(run.exit_code, 2) << names;
  EXPECT_NE(run.err.find(names), std::string::npos) << run.err;
  // One line: the reason and nothing else.
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
}

}  // namespace

TEST(BenchCli, BadInputExitsTwoWithOneLineNamingIt) {
  expect_usage_error({"--frobnicate"}, "--frobnicate");
  expect_usage_error({"--all", "--repetitions", "abc"}, "abc");
  expect_usage_error({"--backend", "qemu", "--vm-machine", "foo"}, "foo");
  expect_usage_error({"--all", "--repetitions", "-1"}, "-1");
  expect_usage_error({"--all", "--repetitions", "18446744073709551616"}, "18446744073709551616");
  expect_usage_error({"--backend", "xen", "--suite", "startup"}, "xen");
  expect_usage_error({"--suite", "nosuch"}, "nosuch");
  expect_usage_error({"--filter", "zzz-matches-nothing"}, "no benchmark matches");
  expect_usage_error({"run", "--backend", "bare", "nosuch"}, "nosuch");
  expect_usage_error({"run", "--backend", "bare", "--memory", "12Q", "noop"}, "12Q");
}

TEST(BenchCli, AHugeFlagValueIsQuotedCutInAShortLine) {
  auto run = run_bench({"--backend", std::string(100'000, 'b'), "--suite", "startup"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err.substr(0, 400);
  EXPECT_LT(run.err.size(), 300u) << run.err.substr(0, 400);
  EXPECT_NE(run.err.find("(100000 characters)"), std::string::npos) << run.err.substr(0, 400);
  // The workload quotes its own arguments the same way.
  auto workload = run_bench({"run", "--backend", "bare", "idle", std::string(100'000, '9')});
  EXPECT_EQ(workload.exit_code, 2);
  EXPECT_LT(workload.err.size(), 300u) << workload.err.substr(0, 400);
  EXPECT_LT(workload.out.size(), 400u) << workload.out.substr(0, 400);
  EXPECT_NE(workload.err.find("(100000 characters)"), std::string::npos) << workload.err.substr(0, 400);
}

TEST(BenchCli, UnwritableOutIsAUsageError) {
  TempDir dir("isobench-e2e-");
  std::ofstream(dir.path() / "a-file") << "x";
  expect_usage_error({"--backend", "bare", "--suite", "startup", "--out", (dir.path() / "a-file").string()},
                     "a-file");
}

TEST(BenchCli, ListShowsNamesThenBackends) {
  auto run = run_bench({"--list"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("startup/bare/noop\n"), std::string::npos);
  EXPECT_NE(run.out.find("bare       available"), std::string::npos);
}

TEST(BenchCli, RunOnePrintsTheWorkloadsResultLine) {
  auto run = run_bench({"run", "--backend", "bare", "identity"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto result = nlohmann::json::parse(run.out);
  EXPECT_EQ(result["workload"], "identity");
  EXPECT_TRUE(result["ok"].get<bool>());
}

TEST(BenchCli, WorkloadUsageErrorPropagatesAsExitTwo) {
  auto run = run_bench({"run", "--backend", "bare", "idle", "soon"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("soon"), std::string::npos);
}

TEST(BenchCli, BareStartupWritesEverySampleAndTheManifest) {
  TempDir dir("isobench-e2e-");
  auto out = dir.path() / "run";
  auto run = run_bench({"--backend", "bare", "--suite", "startup", "--repetitions", "20", "--out", out.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::ifstream in(out / "results.json");
  ASSERT_TRUE(in);
  auto results = nlohmann::json::parse(in);

  int noop_iterations = 0, floor_iterations = 0;
  bool ratio_to_floor = false;
  for (const auto& row : results["benchmarks"]) {
    EXPECT_FALSE(row.value("error_occurred", false)) << row.dump();
    std::string name = row["run_name"];
    if (row["run_type"] == "iteration") {
      EXPECT_GT(row["real_time"].get<double>(), 0);
      if (name == "startup/bare/noop") {
        ++noop_iterations;
        EXPECT_GT(row["ready_s"].get<double>(), 0);
        EXPECT_LE(row["ready_s"].get<double>(), row["real_time"].get<double>() / 1e3 + 1e-9);
      }
      if (name == "startup/bare/noop/floor") ++floor_iterations;
    }
    if (row.value("aggregate_name", "") == "median" && name == "startup/bare/noop")
      ratio_to_floor = row.contains("ratio_to_floor") && row["ratio_to_floor"].get<double>() > 0;
  }
  EXPECT_EQ(noop_iterations, 20);
  EXPECT_EQ(floor_iterations, 20);
  EXPECT_TRUE(ratio_to_floor);

  const auto& context = results["context"];
  for (const char* key : {"host_kernel", "cpu_model", "host_virtualized", "cgroup_mode", "git_revision", "backends",
                          "num_cpus", "command"})
    EXPECT_TRUE(context.contains(key)) << key;
  EXPECT_TRUE(context["backends"]["bare"]["available"].get<bool>());
  // Nothing but the results (no temporary file left by the atomic write).
  int files = 0;
  for (auto& entry : std::filesystem::directory_iterator(out)) files += entry.is_regular_file() ? 1 : 0;
  EXPECT_GE(files, 1);
  for (auto& entry : std::filesystem::directory_iterator(out))
    EXPECT_EQ(entry.path().filename().string().find("isobench-tmp"), std::string::npos);
}

// The container ladder through the real bench: each selected step pairs with its
// declared baseline in the same round (step_s equals its ready_s minus the baseline's
// row of the same repetition), and the claims section carries the paired cost.
TEST(BenchCli, LadderStepsArePairedWithTheirDeclaredBaseline) {
  if (::geteuid() != 0) GTEST_SKIP() << "the container ladder needs root here";
  TempDir dir("isobench-e2e-");
  auto out = dir.path() / "run";
  auto run = run_bench({"--backend", "container", "--suite", "ladder", "--filter", "noop/(spawn|alone_uts)$",
                        "--repetitions", "5", "--out", out.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::ifstream in(out / "results.json");
  auto results = nlohmann::json::parse(in);
  std::map<int, double> spawn_ready, uts_ready, uts_step;
  for (const auto& row : results["benchmarks"]) {
    if (row["run_type"] != "iteration") continue;
    int rep = row["repetition_index"];
    if (row["run_name"] == "ladder/container/noop/spawn") spawn_ready[rep] = row["ready_s"];
    if (row["run_name"] == "ladder/container/noop/alone_uts") {
      uts_ready[rep] = row["ready_s"];
      uts_step[rep] = row["step_s"];
      EXPECT_EQ(row["attributes"]["baseline"], "spawn") << row.dump();
    }
  }
  ASSERT_EQ(uts_step.size(), 5u);
  ASSERT_EQ(spawn_ready.size(), 5u);
  // Repetition k of every row is round k: the difference is to the same round's spawn.
  for (const auto& [rep, step] : uts_step) EXPECT_NEAR(step, uts_ready[rep] - spawn_ready[rep], 1e-9) << rep;
  bool found = false;
  for (const auto& step : results["claims"]["ladder"])
    if (step["step"] == "alone_uts") {
      found = true;
      EXPECT_EQ(step["method"], "paired");
      EXPECT_EQ(step["baseline"], "spawn");
    }
  EXPECT_TRUE(found) << results["claims"].dump();
}

// A log of `bench ... > file` has no ANSI escape codes: Google Benchmark's console table
// is coloured only on a terminal, and the progress line only goes to a terminal.
TEST(BenchCli, StdoutToAFileHasNoEscapeCodes) {
  TempDir dir("isobench-e2e-");
  auto log = dir.path() / "bench.log";
  UniqueFd file(::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  ASSERT_TRUE(file);
  auto err = make_pipe().value();
  const char* bench = std::getenv("ISOBENCH_BENCH");
  auto child = spawn_process({bench ? bench : "bench", "--backend", "bare", "--suite", "startup", "--repetitions", "2",
                              "--out", (dir.path() / "run").string()},
                             {-1, file.get(), err.write_end.get()});
  ASSERT_TRUE(child) << child.error().describe();
  file.reset();
  err.write_end.reset();
  auto deadline = Deadline::after(std::chrono::seconds(120));
  std::string errors = LineReader(std::move(err.read_end)).drain(deadline).value_or("");
  ASSERT_TRUE(child->wait(deadline)) << errors;
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("startup/bare/noop"), std::string::npos) << "the console table goes to stdout: " << text;
  EXPECT_EQ(text.find('\033'), std::string::npos) << text;
  EXPECT_EQ(errors.find('\033'), std::string::npos) << errors;
}

// On a terminal (stderr a pty), the estimated total before the run and, before each
// repetition, the progress with the time left.
TEST(BenchCli, OnATerminalShowsTheEstimatedTotalAndTheTimeLeft) {
  TempDir dir("isobench-e2e-");
  int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  ASSERT_GE(master, 0);
  UniqueFd master_fd(master);
  ASSERT_EQ(::grantpt(master), 0);
  ASSERT_EQ(::unlockpt(master), 0);
  std::string slave_name = ::ptsname(master);
  UniqueFd slave(::open(slave_name.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC));
  ASSERT_TRUE(slave);
  UniqueFd null(::open("/dev/null", O_WRONLY | O_CLOEXEC));
  const char* bench = std::getenv("ISOBENCH_BENCH");
  auto child = spawn_process({bench ? bench : "bench", "--backend", "bare", "--suite", "startup", "--repetitions", "2",
                              "--out", (dir.path() / "run").string()},
                             {-1, null.get(), slave.get()});
  ASSERT_TRUE(child) << child.error().describe();
  slave.reset();
  // The pty's reads end with EIO once bench (the only holder of the slave) has exited.
  std::string seen;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(master_fd.get(), buffer, sizeof buffer);
    if (n > 0) {
      seen.append(buffer, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  ASSERT_TRUE(child->wait(Deadline::after(std::chrono::seconds(120))));
  EXPECT_NE(seen.find("estimated total"), std::string::npos) << seen;
  EXPECT_NE(seen.find("startup/bare/noop (2/2)"), std::string::npos) << seen;
  EXPECT_NE(seen.find(" left"), std::string::npos) << seen;
}
