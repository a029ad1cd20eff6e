// The workload protocol, checked on the real static binary: readiness first, then one
// JSON result line, and the documented exit codes.
#include <gtest/gtest.h>

#include <cstdlib>
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

std::string workload_binary() {
  const char* path = std::getenv("ISOBENCH_WORKLOAD");
  return path ? path : "isobench-workload";
}

WorkloadRun run_workload(std::vector<std::string> args) {
  args.insert(args.begin(), workload_binary());
  auto pipe = make_pipe();
  EXPECT_TRUE(pipe);
  auto child = spawn_process(args, {-1, pipe->write_end.get(), -1});
  EXPECT_TRUE(child) << (child ? "" : child.error().describe());
  pipe->write_end.reset();
  LineReader reader(std::move(pipe->read_end));
  WorkloadRun run;
  auto deadline = Deadline::after(std::chrono::seconds(20));
  while (auto line = reader.next_line(deadline)) run.lines.push_back(*line);
  run.status = child->wait(deadline).value();
  return run;
}

nlohmann::json result_of(const WorkloadRun& run) {
  EXPECT_EQ(run.lines.size(), 2u);
  return nlohmann::json::parse(run.lines.back());
}

}  // namespace

TEST(WorkloadProtocol, NoopAnnouncesReadinessThenOneResult) {
  auto run = run_workload({"noop"});
  ASSERT_EQ(run.lines.size(), 2u);
  auto ready = nlohmann::json::parse(run.lines[0]);
  EXPECT_EQ(ready["isobench"], "ready");
  EXPECT_GT(ready["pid"].get<int>(), 1);
  auto result = result_of(run);
  EXPECT_EQ(result["isobench"], "result");
  EXPECT_EQ(result["workload"], "noop");
  EXPECT_TRUE(result["ok"].get<bool>());
  EXPECT_TRUE(run.status.success());
}

TEST(WorkloadProtocol, UnknownWorkloadIsAUsageErrorWithExitCode2) {
  auto run = run_workload({"frobnicate"});
  auto result = result_of(run);
  EXPECT_FALSE(result["ok"].get<bool>());
  EXPECT_NE(result["error"].get<std::string>().find("frobnicate"), std::string::npos);
  EXPECT_EQ(run.status.exit_code, 2);
}

TEST(WorkloadProtocol, BadArgumentIsAUsageErrorThatShowsUsage) {
  auto run = run_workload({"alloc", "12Q"});
  auto result = result_of(run);
  EXPECT_NE(result["error"].get<std::string>().find("usage: alloc BYTES"), std::string::npos);
  EXPECT_EQ(run.status.exit_code, 2);
}

TEST(Workloads, IdentityReportsWhatTheProcessSees) {
  auto result = result_of(run_workload({"identity"}));
  ASSERT_TRUE(result["ok"].get<bool>());
  const auto& data = result["data"];
  EXPECT_GT(data["pid"].get<int>(), 1);
  EXPECT_FALSE(data["kernel_release"].get<std::string>().empty());
  for (const char* ns : {"mnt", "pid", "net", "uts", "ipc", "cgroup"})
    EXPECT_GT(data["namespaces"][ns].get<std::uint64_t>(), 0u) << ns;
  EXPECT_FALSE(data["cgroup"].empty());
  EXPECT_GT(data["root"]["ino"].get<std::uint64_t>(), 0u);
  EXPECT_GE(data["cpus_allowed"].get<int>(), 1);
  EXPECT_GT(data["memory_total_bytes"].get<std::uint64_t>(), 0u);
  EXPECT_TRUE(data["hypervisor"]["present"].is_boolean());
}

TEST(Workloads, AllocTouchesTheRequestedBytes) {
  auto result = result_of(run_workload({"alloc", "8M"}));
  ASSERT_TRUE(result["ok"].get<bool>());
  EXPECT_EQ(result["data"]["bytes"].get<std::uint64_t>(), 8u << 20);
  EXPECT_EQ(result["data"]["pages"].get<std::uint64_t>(), (8u << 20) / 4096);
}

TEST(Workloads, IdleSleepsForTheGivenTime) {
  auto start = monotonic_ns();
  auto result = result_of(run_workload({"idle", "0.2"}));
  EXPECT_TRUE(result["ok"].get<bool>());
  EXPECT_GE(monotonic_ns() - start, 200'000'000);
}

TEST(Workloads, ChecksumIsDeterministic) {
  auto first = result_of(run_workload({"checksum"}));
  auto second = result_of(run_workload({"checksum"}));
  ASSERT_TRUE(first["ok"].get<bool>());
  EXPECT_EQ(first["data"]["compute_digest"], second["data"]["compute_digest"]);
  EXPECT_EQ(first["data"]["exe_digest"], second["data"]["exe_digest"]);
  EXPECT_EQ(first["data"]["compute_digest"].get<std::string>().size(), 16u);
}

TEST(ParseBytes, AcceptsSuffixesAndRejectsGarbageAndOverflow) {
  EXPECT_EQ(workload::parse_bytes("4096"), 4096u);
  EXPECT_EQ(workload::parse_bytes("64K"), 64u << 10);
  EXPECT_EQ(workload::parse_bytes("64M"), 64u << 20);
  EXPECT_EQ(workload::parse_bytes("2G"), 2ULL << 30);
  EXPECT_FALSE(workload::parse_bytes("12Q"));
  EXPECT_FALSE(workload::parse_bytes("-1"));
  EXPECT_FALSE(workload::parse_bytes(""));
  EXPECT_FALSE(workload::parse_bytes("M"));
  EXPECT_FALSE(workload::parse_bytes("99999999999999999999"));
  EXPECT_FALSE(workload::parse_bytes("17179869184G"));
}
