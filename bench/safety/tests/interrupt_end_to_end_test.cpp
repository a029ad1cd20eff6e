// SIGINT/SIGTERM in the middle of a suite, through the real `bench`: every instance torn
// down within seconds, the results so far written and marked interrupted, nothing left.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "leftovers.hpp"
#include "run_bench.hpp"

namespace isobench::safety::testing {
namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Interrupted {
  int exit_code = -1;
  double seconds_to_exit = 0;
  nlohmann::json results;
  std::string err;
  pid_t pid = 0;
};

Interrupted interrupt_run(const std::vector<std::string>& selection, int signal, std::chrono::milliseconds after) {
  fs::path out = "/tmp/isobench-safetytest-" + std::to_string(::getpid()) + "-interrupt";
  fs::remove_all(out);
  std::vector<std::string> args = selection;
  args.insert(args.end(), {"--out", out.string()});
  std::string err_file = out.string() + ".err";
  Interrupted result;
  result.pid = start_bench(args, "/dev/null", err_file);
  std::this_thread::sleep_for(after);
  ::kill(result.pid, signal);
  auto sent = Clock::now();
  int status = 0;
  ::waitpid(result.pid, &status, 0);
  result.seconds_to_exit = std::chrono::duration<double>(Clock::now() - sent).count();
  result.exit_code = exit_code_of(status);
  std::ifstream err(err_file);
  result.err.assign(std::istreambuf_iterator<char>(err), std::istreambuf_iterator<char>());
  std::ifstream in(out / "results.json");
  if (in) result.results = nlohmann::json::parse(in, nullptr, false);
  fs::remove_all(out);
  fs::remove(err_file);
  return result;
}

TEST(Interrupt, SigintMidSuiteWritesResultsSoFarMarkedInterrupted) {
  if (::geteuid() != 0) GTEST_SKIP() << "the container backend needs root";
  auto run = interrupt_run({"--backend", "bare,container", "--suite", "startup", "--repetitions", "400"}, SIGINT,
                           std::chrono::milliseconds(2500));
  EXPECT_EQ(run.exit_code, 128 + SIGINT) << run.err;
  EXPECT_LT(run.seconds_to_exit, 10.0) << run.err;
  ASSERT_TRUE(run.results.is_object()) << "no results.json: " << run.err;
  EXPECT_EQ(run.results["context"].value("interrupted", ""), "INT");
  std::size_t measured = 0, skipped = 0;
  for (const auto& row : run.results["benchmarks"]) {
    if (!row.value("error_occurred", false)) ++measured;
    else if (row.value("error_message", "").find("interrupted") != std::string::npos) ++skipped;
  }
  EXPECT_GT(measured, 0u) << "the rows measured before the signal are kept";
  EXPECT_GT(skipped, 0u) << "the rows after it are failed rows saying why";
  expect_nothing_left_by(run.pid);
}

TEST(Interrupt, SigtermDuringGuestBootKillsQemuAndLeavesNothing) {
  if (::geteuid() != 0) GTEST_SKIP() << "the vm and qemu backends need root here";
  if (!fs::exists("/var/lib/isobench/guest-kernel/vmlinuz")) GTEST_SKIP() << "no guest kernel (scripts/bench fetches it)";
  auto run = interrupt_run({"--backend", "vm,qemu", "--suite", "startup", "--repetitions", "20"}, SIGTERM,
                           std::chrono::milliseconds(4000));
  EXPECT_EQ(run.exit_code, 128 + SIGTERM) << run.err;
  EXPECT_LT(run.seconds_to_exit, 15.0) << run.err;
  ASSERT_TRUE(run.results.is_object()) << "no results.json: " << run.err;
  EXPECT_EQ(run.results["context"].value("interrupted", ""), "TERM");
  expect_nothing_left_by(run.pid);
}

}  // namespace
}  // namespace isobench::safety::testing
