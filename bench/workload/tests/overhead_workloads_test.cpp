// The overhead workloads on the real static binary: each prints one result whose figure
// parses and is positive, bad arguments are usage errors (exit 2), and the cpu kernel's
// digest depends only on its arguments.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/line_reader.hpp"
#include "common/spawn.hpp"
#include "workload.hpp"

using namespace isobench;

namespace {

struct WorkloadRun {
  std::vector<std::string> lines;
  ExitStatus status;
};

WorkloadRun run_workload(std::vector<std::string> args) {
  const char* binary = std::getenv("ISOBENCH_WORKLOAD");
  args.insert(args.begin(), binary ? binary : "isobench-workload");
  auto pipe = make_pipe();
  EXPECT_TRUE(pipe);
  auto child = spawn_process(args, {-1, pipe->write_end.get(), -1});
  EXPECT_TRUE(child) << (child ? "" : child.error().describe());
  pipe->write_end.reset();
  LineReader reader(std::move(pipe->read_end));
  WorkloadRun run;
  auto deadline = Deadline::after(std::chrono::seconds(60));
  while (auto line = reader.next_line(deadline)) run.lines.push_back(*line);
  run.status = child->wait(deadline).value();
  return run;
}

// The result's data after checking the protocol: ready, then one ok result.
nlohmann::json data_of(std::vector<std::string> args) {
  auto run = run_workload(args);
  EXPECT_EQ(run.lines.size(), 2u);
  if (run.lines.size() != 2) return nlohmann::json::object();
  auto result = nlohmann::json::parse(run.lines.back());
  EXPECT_TRUE(result["ok"].get<bool>()) << run.lines.back();
  EXPECT_EQ(run.status.exit_code, 0) << run.lines.back();
  return result.value("data", nlohmann::json::object());
}

double positive(const nlohmann::json& figures, const char* key) {
  EXPECT_TRUE(figures.contains(key) && figures[key].is_number()) << key << " in " << figures.dump();
  double value = figures.value(key, 0.0);
  EXPECT_GT(value, 0) << key << " in " << figures.dump();
  return value;
}

void expect_usage_error(std::vector<std::string> args, const std::string& names) {
  auto run = run_workload(args);
  ASSERT_EQ(run.lines.size(), 2u);
  auto result = nlohmann::json::parse(run.lines.back());
  EXPECT_FALSE(result["ok"].get<bool>());
  EXPECT_NE(result["error"].get<std::string>().find(names), std::string::npos) << result["error"];
  EXPECT_EQ(run.status.exit_code, 2) << run.lines.back();
}

class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "isobench-iotest-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~ScratchDir() { std::filesystem::remove_all(path_); }
  std::string str() const { return path_.string(); }
  bool empty() const { return std::filesystem::is_empty(path_); }

 private:
  std::filesystem::path path_;
};

}  // namespace

TEST(SyscallWorkload, EveryOperationReportsAPositiveCostPerOp) {
  for (std::string_view op : workload::syscall_operations()) {
    auto data = data_of({"syscall", std::string(op), "0.01"});
    ASSERT_EQ(data.size(), 1u) << data.dump();
    positive(data[std::string(op)], "ns_per_op");
    EXPECT_GE(data[std::string(op)]["ops"].get<std::uint64_t>(), 1u) << op;
  }
}

TEST(SyscallWorkload, AllMeasuresEveryOperationInOneRun) {
  auto data = data_of({"syscall", "all", "0.01"});
  EXPECT_EQ(data.size(), workload::syscall_operations().size());
  for (std::string_view op : workload::syscall_operations()) positive(data[std::string(op)], "ns_per_op");
  EXPECT_FALSE(data["clock_gettime"]["clocksource"].get<std::string>().empty());
}

TEST(SyscallWorkload, BadArgumentsAreUsageErrors) {
  expect_usage_error({"syscall"}, "OP");
  expect_usage_error({"syscall", "frob"}, "frob");
  expect_usage_error({"syscall", "getpid", "-1"}, "-1");
  expect_usage_error({"syscall", "getpid", "0"}, "`0`");
  expect_usage_error({"syscall", "getpid", "0.1", "extra"}, "usage: syscall OP");
}

TEST(CpuWorkload, SameRoundsGiveTheSameDigestAndAPositiveRate) {
  auto first = data_of({"cpu", "3"});
  auto second = data_of({"cpu", "3"});
  auto other = data_of({"cpu", "4"});
  positive(first, "ops_per_s");
  EXPECT_EQ(first["ops"].get<std::uint64_t>(), 3u * (1u << 20) / 8);
  EXPECT_EQ(first["digest"], second["digest"]);
  EXPECT_NE(first["digest"], other["digest"]);
  EXPECT_EQ(first["digest"].get<std::string>().size(), 16u);
}

TEST(CpuWorkload, BadRoundsAreUsageErrors) {
  expect_usage_error({"cpu", "0"}, "`0`");
  expect_usage_error({"cpu", "ten"}, "ten");
  expect_usage_error({"cpu", "1", "2"}, "at most one");
}

TEST(MemWorkload, TriadAndChaseReportPositiveFigures) {
  auto both = data_of({"mem", "4M"});
  positive(both["triad"], "bytes_per_s");
  EXPECT_TRUE(both["triad"]["valid"].get<bool>());
  positive(both["chase"], "ns_per_op");
  auto triad = data_of({"mem", "triad", "3M"});
  EXPECT_TRUE(triad.contains("triad"));
  EXPECT_FALSE(triad.contains("chase"));
  EXPECT_EQ(triad["triad"]["bytes"].get<std::uint64_t>(), 3u << 20);
}

TEST(MemWorkload, RandomAccessIsAloneAndDeterministic) {
  auto first = data_of({"mem", "random", "8M"});
  ASSERT_TRUE(first.contains("random"));
  EXPECT_FALSE(first.contains("triad"));
  EXPECT_FALSE(first.contains("chase"));
  positive(first["random"], "ns_per_op");
  // 8 MiB is 2^20 words; one update per 32 of them.
  EXPECT_EQ(first["random"]["bytes"].get<std::uint64_t>(), 8u << 20);
  EXPECT_EQ(first["random"]["ops"].get<std::uint64_t>(), (1u << 20) / 32);
  // Not a power of two of words: rounded down to one.
  EXPECT_EQ(data_of({"mem", "random", "12M"})["random"]["bytes"].get<std::uint64_t>(), 8u << 20);
  // The digest is the sum of the values read: the same everywhere the kernel runs.
  EXPECT_EQ(first["random"]["digest"], data_of({"mem", "random", "8M"})["random"]["digest"]);
  EXPECT_NE(first["random"]["digest"], data_of({"mem", "random", "16M"})["random"]["digest"]);
}

TEST(MemWorkload, BadArgumentsAreUsageErrors) {
  expect_usage_error({"mem", "copy"}, "copy");
  expect_usage_error({"mem", "triad", "1K"}, "1K");
  expect_usage_error({"mem", "triad", "4M", "x"}, "`x`");
}

TEST(MemWorkload, RefusesMoreThanTheMemoryAvailable) {
  auto run = run_workload({"mem", "triad", "64G"});
  ASSERT_EQ(run.lines.size(), 2u);
  auto result = nlohmann::json::parse(run.lines.back());
  if (result["ok"].get<bool>()) GTEST_SKIP() << "this host has more than 80 GiB available";
  EXPECT_NE(result["error"].get<std::string>().find("MemAvailable"), std::string::npos);
  EXPECT_EQ(run.status.exit_code, 1);
}

TEST(IoWorkload, WritesAndReadsInTheDirectoryAndLeavesNothing) {
  ScratchDir dir;
  auto data = data_of({"io", dir.str(), "1M"});
  EXPECT_EQ(data["dir"], dir.str());
  EXPECT_FALSE(data["storage"].get<std::string>().empty());
  positive(data["seqwrite"], "bytes_per_s");
  EXPECT_EQ(data["seqwrite"]["bytes"].get<std::uint64_t>(), 1u << 20);
  positive(data["randread"], "ops_per_s");
  EXPECT_TRUE(data["randread"]["direct"].is_boolean());
  EXPECT_TRUE(dir.empty());
}

TEST(IoWorkload, CreatesAMissingDirectory) {
  ScratchDir dir;
  std::string nested = dir.str() + "/a/b";
  auto data = data_of({"io", nested, "randread", "1M"});
  positive(data["randread"], "ops_per_s");
  EXPECT_FALSE(data.contains("seqwrite"));
  EXPECT_TRUE(std::filesystem::is_empty(nested));
}

TEST(IoWorkload, BadArgumentsAreUsageErrors) {
  expect_usage_error({"io"}, "DIR");
  expect_usage_error({"io", "relative/dir"}, "relative/dir");
  expect_usage_error({"io", "/tmp", "seqwrite", "5000"}, "5000");
  expect_usage_error({"io", "/tmp", "append"}, "append");
}

// One instance runs several workloads in turn (a guest boots once for all of them): each
// part has its own figures, as it would alone, and a failing part is recorded failed
// while the parts after it still run.
TEST(SequenceWorkload, EachPartHasItsOwnFiguresAndAFailedPartDoesNotStopTheRest) {
  ScratchDir dir;
  auto data = data_of({"sequence", "cpu", "3", "--", "io", "/proc/isobench-no-such-dir", "1M", "--", "io", dir.str(), "seqwrite", "1M",
                       "--", "syscall", "getpid", "0.01"});
  ASSERT_TRUE(data.contains("parts") && data["parts"].is_array()) << data.dump();
  const auto& parts = data["parts"];
  ASSERT_EQ(parts.size(), 4u) << data.dump();
  EXPECT_EQ(parts[0]["workload"], "cpu");
  ASSERT_TRUE(parts[0]["ok"].get<bool>()) << parts[0].dump();
  positive(parts[0]["data"], "ops_per_s");
  // The same digest as the cpu workload alone: the same work was done.
  EXPECT_EQ(parts[0]["data"]["digest"], data_of({"cpu", "3"})["digest"]);
  // /proc takes no new directory: this part fails at run time, with its own error.
  EXPECT_EQ(parts[1]["workload"], "io");
  EXPECT_FALSE(parts[1]["ok"].get<bool>()) << parts[1].dump();
  EXPECT_NE(parts[1]["error"].get<std::string>().find("/proc/isobench-no-such-dir"), std::string::npos) << parts[1].dump();
  EXPECT_FALSE(parts[1].contains("data"));
  ASSERT_TRUE(parts[2]["ok"].get<bool>()) << parts[2].dump();
  positive(parts[2]["data"]["seqwrite"], "bytes_per_s");
  EXPECT_EQ(parts[2]["data"]["seqwrite"]["bytes"].get<std::uint64_t>(), 1u << 20);
  ASSERT_TRUE(parts[3]["ok"].get<bool>()) << parts[3].dump();
  positive(parts[3]["data"]["getpid"], "ns_per_op");
  for (const auto& part : parts) positive(part, "wall_s");
  EXPECT_TRUE(dir.empty());
}

TEST(SequenceWorkload, BadPartsAreUsageErrorsBeforeAnyPartRuns) {
  expect_usage_error({"sequence"}, "part 1 is empty");
  expect_usage_error({"sequence", "cpu", "3", "--"}, "part 2 is empty");
  expect_usage_error({"sequence", "cpu", "3", "--", "frob"}, "part 2: unknown workload `frob`");
  expect_usage_error({"sequence", "cpu", "3", "--", "sequence", "noop"}, "cannot nest");
  // A part's own bad argument fails that part only.
  auto data = data_of({"sequence", "cpu", "ten", "--", "noop"});
  ASSERT_EQ(data["parts"].size(), 2u);
  EXPECT_FALSE(data["parts"][0]["ok"].get<bool>());
  EXPECT_NE(data["parts"][0]["error"].get<std::string>().find("usage: cpu"), std::string::npos);
  EXPECT_TRUE(data["parts"][1]["ok"].get<bool>());
}
