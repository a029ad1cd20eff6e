// Every flag and file input with malformed values: exit 2, one line on stderr naming the
// input, never a crash (SPEC.md "Exit codes"). Through the real `bench` binary.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "run_bench.hpp"

namespace isobench::safety::testing {
namespace {

std::string scratch(const std::string& name) {
  return "/tmp/isobench-safetytest-" + std::to_string(::getpid()) + "-" + name;
}

void expect_one_line_exit_2(const std::vector<std::string>& args) {
  std::string shown;
  for (const auto& arg : args) shown += "[" + arg + "] ";
  auto run = run_bench(args);
  EXPECT_EQ(run.exit_code, 2) << shown << "\nstderr: " << run.err;
  EXPECT_TRUE(run.err.starts_with("bench: ")) << shown << "\nstderr: " << run.err;
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << shown << "\nstderr: " << run.err;
}

TEST(BadInput, EveryFlagWithMalformedValues) {
  const std::vector<std::vector<std::string>> cases = {
      {"--backend"}, {"--backend", ""}, {"--backend", ",,"}, {"--backend=bare,"}, {"--backend", "BARE", "--suite", "startup"},
      {"--suite"}, {"--suite", ""}, {"--suite", "startup,"}, {"--suite=\x01"},
      {"--filter"}, {"--filter", "("}, {"--filter", "[z-a]"}, {"--filter", "a{99999999999}"},
      {"--repetitions"}, {"--repetitions", ""}, {"--all", "--repetitions", "0"}, {"--all", "--repetitions", "1e3"},
      {"--all", "--repetitions", "99999999999999999999999"}, {"--all", "--repetitions", " 3"}, {"--all", "--repetitions=3x"},
      {"--out"}, {"--out", ""}, {"--all", "--out", "/proc/version/x"},
      {"--all", "--guest-kernel"}, {"--all", "--guest-kernel", ""},
      {"--all", "--libvirt-uri"}, {"--all", "--vm-accel", "hvf"}, {"--all", "--vm-accel", ""}, {"--all", "--rootfs", "overlay"},
      {"--all", "--quick=yes"}, {"--list=1"}, {"-"}, {"--"}, {"--="}, {"---all"},
      {"run"}, {"run", "--backend"}, {"run", "--backend", "bare"}, {"run", "--backend", "nosuch", "noop"},
      {"run", "noop"}, {"run", "--backend", "bare", "--memory", "", "noop"}, {"run", "--backend", "bare", "--memory", "-1M", "noop"},
      {"run", "--backend", "bare", "--memory", "99999999999G", "noop"}, {"run", "--backend", "bare", "--cpus", "0", "noop"},
      {"run", "--backend", "bare", "--cpus", "nan", "noop"}, {"run", "--backend", "bare", "--cpus", "inf", "noop"},
      {"run", "--backend", "bare", "--pids", "-5", "noop"}, {"run", "--backend", "bare", "--pids", "0x10", "noop"},
      {"run", "--backend", "bare", "--timeout", "0", "noop"}, {"run", "--backend", "bare", "--timeout", "-1", "noop"},
      {"run", "--backend", "bare", "--timeout", "1e400", "noop"}, {"run", "--backend", "bare", "alloc", "lots"},
      {"compare"}, {"compare", "a.json"}, {"compare", "--threshold", "x", "a", "b"}, {"compare", "--alpha", "2", "a", "b"},
      {"compare", "--alpha", "-0.1", "a", "b"}, {"compare", "--metric", "", "a", "b"},
      {"report"}, {"report", "--out"}, {"report", "--frob", "x"},
      {"clean", "now"}, {"doctor", "--frob"}, {"nosuch-command"},
  };
  for (const auto& args : cases) expect_one_line_exit_2(args);
}

TEST(BadInput, MalformedResultsFilesForCompareAndReport) {
  const std::string missing = scratch("missing.json");
  const std::string garbage = scratch("garbage.json");
  const std::string truncated = scratch("truncated.json");
  const std::string dir = scratch("dir");
  std::ofstream(garbage) << "\x7f" "ELF\x01\x02 not json";
  std::ofstream(truncated) << R"({"context": {}, "benchmarks": [{"name": "startup/bare/noop", "real_time": )";
  std::filesystem::create_directory(dir);
  for (const auto& file : {missing, garbage, truncated, dir}) {
    expect_one_line_exit_2({"compare", file, garbage});
    expect_one_line_exit_2({"compare", truncated, file});
  }
  std::filesystem::remove(garbage);
  std::filesystem::remove(truncated);
  std::filesystem::remove(dir);
}

TEST(BadInput, MissingOrCorruptGuestKernelIsExitTwoForRunOne) {
  const std::string corrupt = scratch("vmlinuz");
  std::ofstream(corrupt) << std::string(4096, '\x55');
  for (const auto& kernel : {scratch("no-such-kernel"), corrupt, std::string("/proc")})
    for (const char* backend : {"vm", "qemu"}) expect_one_line_exit_2({"run", "--backend", backend, "--guest-kernel", kernel, "noop"});
  std::filesystem::remove(corrupt);
}

}  // namespace
}  // namespace isobench::safety::testing
