// SIGINT/SIGTERM in the middle of a suite, through the real `bench`: every instance torn
// down within seconds, the results so far written and marked interrupted, nothing left.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>

#include "leftovers.hpp"
#include "run_bench.hpp"

namespace isobench::safety::testing {
namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Interrupted {
  int exit_code = -1;
  double seconds_to_exit = 0;
  bool signalled = false;  // the awaited state was seen and the signal sent
  nlohmann::json results;
  std::string err;
  pid_t pid = 0;
};

// When to send the signal: a state of the run that the test can see, never a fixed time
// (machines of this kind differ 4x in speed, so "after 2.5 s" found a finished run on a
// fast one). Given what bench wrote to stderr so far and its pid.
using Ready = std::function<bool(const std::string& err, pid_t bench)>;

// bench's stderr is a terminal (the slave of a pty that the test reads), so that bench
// shows its progress line there before each repetition; stdout goes to /dev/null.
pid_t start_bench_on_terminal(const std::vector<std::string>& args, int& master) {
  master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) return -1;
  std::string slave_name = ::ptsname(master);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setsid();
    int slave = ::open(slave_name.c_str(), O_RDWR);
    int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(slave, 2);
    std::vector<char*> argv{const_cast<char*>(bench_path())};
    for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

// Reads the pty until `ready` holds (then sends `signal`), bench exits, or `give_up`
// passes; keeps reading after the signal so that bench never blocks on a full terminal.
Interrupted interrupt_run(const std::vector<std::string>& selection, int signal, const Ready& ready,
                          std::chrono::seconds give_up) {
  fs::path out = "/tmp/isobench-safetytest-" + std::to_string(::getpid()) + "-interrupt";
  fs::remove_all(out);
  std::vector<std::string> args = selection;
  args.insert(args.end(), {"--out", out.string()});
  Interrupted result;
  int master = -1;
  result.pid = start_bench_on_terminal(args, master);
  if (result.pid < 0) {
    result.err = "could not open a pty";
    return result;
  }
  const auto deadline = Clock::now() + give_up;
  Clock::time_point sent{};
  int status = 0;
  bool exited = false;
  while (!exited) {
    pollfd waiter{master, POLLIN, 0};
    if (::poll(&waiter, 1, 20) > 0) {
      char buffer[4096];
      ssize_t n = ::read(master, buffer, sizeof buffer);
      if (n > 0) result.err.append(buffer, static_cast<std::size_t>(n));
    }
    if (::waitpid(result.pid, &status, WNOHANG) == result.pid) exited = true;
    if (!exited && !result.signalled && ready(result.err, result.pid)) {
      ::kill(result.pid, signal);
      sent = Clock::now();
      result.signalled = true;
    }
    if (!exited && Clock::now() > deadline) {  // never seen: fail, do not hang
      ::kill(result.pid, SIGKILL);
      ::waitpid(result.pid, &status, 0);
      exited = true;
    }
  }
  // What bench wrote last (after the slave closed, read returns EIO).
  for (char buffer[4096];;) {
    pollfd waiter{master, POLLIN, 0};
    if (::poll(&waiter, 1, 0) <= 0) break;
    ssize_t n = ::read(master, buffer, sizeof buffer);
    if (n <= 0) break;
    result.err.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(master);
  if (result.signalled) result.seconds_to_exit = std::chrono::duration<double>(Clock::now() - sent).count();
  result.exit_code = exit_code_of(status);
  std::ifstream in(out / "results.json");
  if (in) result.results = nlohmann::json::parse(in, nullptr, false);
  fs::remove_all(out);
  return result;
}

// bench prints "[i/N] NAME (k/M)" before each repetition starts: the second such line
// means that a repetition has ended, so the results hold a measured row.
bool repetition_done(const std::string& err, pid_t) {
  std::size_t lines = 0;
  for (std::size_t at = err.find("\033[K["); at != std::string::npos; at = err.find("\033[K[", at + 1)) ++lines;
  return lines >= 2;
}

// A QEMU of this run exists (libvirt's, daemonized, or the qemu backend's child): the
// guest is booting.
bool guest_booting(const std::string&, pid_t bench) {
  for (const auto& artifact : scan_host(HostRoots{.cgroup = "/nonexistent", .netns = "/nonexistent",
                                                  .net = "/nonexistent", .temp_dirs = {}, .run = "/nonexistent",
                                                  .state_dir = std::nullopt, .nft_tables = false}))
    if (artifact.kind == ArtifactKind::kProcess && artifact.owner == bench &&
        artifact.detail.find("qemu") != std::string::npos)
      return true;
  return false;
}

TEST(Interrupt, SigintMidSuiteWritesResultsSoFarMarkedInterrupted) {
  if (::geteuid() != 0) GTEST_SKIP() << "the container backend needs root";
  // 3 benchmarks x 5,000 repetitions: far more than the signal, sent as soon as one
  // repetition ended, lets finish on any machine (seconds per thousand launches), yet a
  // bound if the signal never came. The repetitions run interleaved, so rows of every
  // benchmark come both before and after it.
  auto run = interrupt_run({"--backend", "bare,container", "--suite", "startup", "--repetitions", "5000"}, SIGINT,
                           repetition_done, std::chrono::seconds(100));
  ASSERT_TRUE(run.signalled) << "no repetition ended before the run did or within 100 s: " << run.err;
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
                           guest_booting, std::chrono::seconds(90));
  ASSERT_TRUE(run.signalled) << "no QEMU of the run seen within 90 s: " << run.err;
  EXPECT_EQ(run.exit_code, 128 + SIGTERM) << run.err;
  EXPECT_LT(run.seconds_to_exit, 15.0) << run.err;
  ASSERT_TRUE(run.results.is_object()) << "no results.json: " << run.err;
  EXPECT_EQ(run.results["context"].value("interrupted", ""), "TERM");
  expect_nothing_left_by(run.pid);
}

}  // namespace
}  // namespace isobench::safety::testing
