// The overhead suites end to end through the real `bench` binary on bare (small sizes,
// two repetitions), the ratio of each workload figure to bare's, and the same workload
// giving the same digests in every backend available here.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <nlohmann/json.hpp>

#include "common/line_reader.hpp"
#include "common/spawn.hpp"
#include "bench/harness/backend_set.hpp"
#include "bench/harness/derived.hpp"
#include "bench/harness/lifecycle.hpp"
#include "bench/harness/overhead_run.hpp"
#include "workload.hpp"
#include "common/tests/temp_dir.hpp"

using namespace isobench;

namespace {

using isobench::testing::TempDir;

struct BenchRun {
  int exit_code = -1;
  std::string err;
};

BenchRun run_bench(std::vector<std::string> args) {
  const char* bench = std::getenv("ISOBENCH_BENCH");
  args.insert(args.begin(), bench ? bench : "bench");
  auto null_out = make_pipe().value();
  auto err = make_pipe().value();
  auto child = spawn_process(args, {-1, null_out.write_end.get(), err.write_end.get()});
  EXPECT_TRUE(child) << (child ? "" : child.error().describe());
  null_out.write_end.reset();
  err.write_end.reset();
  LineReader out_reader(std::move(null_out.read_end)), err_reader(std::move(err.read_end));
  auto deadline = Deadline::after(std::chrono::seconds(240));
  BenchRun run;
  out_reader.drain(deadline);
  run.err = err_reader.drain(deadline).value_or("");
  auto status = child->wait(deadline);
  run.exit_code = status && status->exited ? status->exit_code : -1;
  return run;
}

// name -> its successful iteration rows
std::map<std::string, std::vector<nlohmann::json>> iterations(const nlohmann::json& results) {
  std::map<std::string, std::vector<nlohmann::json>> out;
  for (const auto& row : results["benchmarks"])
    if (row.value("run_type", "") == "iteration" && !row.value("error_occurred", false))
      out[row["run_name"].get<std::string>()].push_back(row);
  return out;
}

nlohmann::json row(const std::string& name, const std::string& run_type, double real_time,
                   std::map<std::string, double> counters) {
  nlohmann::json r = {{"name", name}, {"run_name", name}, {"run_type", run_type}, {"real_time", real_time},
                      {"time_unit", "ns"}};
  if (run_type == "aggregate") {
    r["aggregate_name"] = "median";
    r["name"] = name + "_median";
  }
  for (const auto& [key, value] : counters) r[key] = value;
  return r;
}

}  // namespace

TEST(OverheadSuites, QuickBareRunGivesEveryRowAPositiveFigure) {
  TempDir out("isobench-overhead-");
  auto run = run_bench({"--backend", "bare", "--suite", "syscall,cpu,mem,io", "--quick", "--repetitions", "2", "--out",
                        out.path().string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::ifstream file(out.path() / "results.json");
  auto results = nlohmann::json::parse(file);
  auto rows = iterations(results);

  std::vector<std::pair<std::string, std::string>> expected = {
      {"cpu/bare/hash", "ops_per_s"},         {"mem/bare/triad", "bytes_per_s"},
      {"mem/bare/chase", "ns_per_op"},        {"mem/bare/random", "ns_per_op"},
      {"io/bare/seqwrite", "bytes_per_s"},
      {"io/bare/randread", "ops_per_s"},      {"syscall/bare/getpid/harness_loop", "ns_per_op"},
      {"mem/bare/triad/memcpy", "bytes_per_s"}};
  for (std::string_view op : workload::syscall_operations())
    expected.push_back({"syscall/bare/" + std::string(op), "ns_per_op"});
  for (const auto& [name, counter] : expected) {
    ASSERT_EQ(rows[name].size(), 2u) << name;
    for (const auto& iteration : rows[name]) {
      EXPECT_GT(iteration.value(counter, 0.0), 0) << name << ": " << iteration.dump();
      EXPECT_GT(iteration.value("real_time", 0.0), 0) << name;
    }
  }
  // The io rows say which storage they ran on; the cpu row shows its digest: each as a
  // value of the row's attributes object.
  ASSERT_TRUE(rows["io/bare/seqwrite"][0]["attributes"].is_object()) << rows["io/bare/seqwrite"][0].dump();
  EXPECT_FALSE(rows["io/bare/seqwrite"][0]["attributes"].value("storage", "").empty());
  EXPECT_FALSE(rows["cpu/bare/hash"][0]["attributes"].value("digest", "").empty());
  // Validation rows carry how far the two methods are apart (1 is perfect agreement).
  EXPECT_GE(rows["syscall/bare/getpid/harness_loop"][0].value("disagreement_factor", 0.0), 1.0);
  EXPECT_GE(rows["mem/bare/triad/memcpy"][0].value("disagreement_factor", 0.0), 1.0);
  EXPECT_FALSE(std::filesystem::exists("/var/tmp") &&
               std::any_of(std::filesystem::directory_iterator("/var/tmp"), std::filesystem::directory_iterator(),
                           [](const auto& entry) {
                             return entry.path().filename().string().starts_with("isobench-io-");
                           }))
      << "a scratch file was left in /var/tmp";
}

TEST(OverheadRatios, EachFigureCounterGetsItsRatioToBareFromTheMedians) {
  nlohmann::json results = {{"benchmarks", nlohmann::json::array()}};
  auto& rows = results["benchmarks"];
  for (double v : {100.0, 110.0, 90.0}) rows.push_back(row("syscall/bare/getpid", "iteration", v, {{"ns_per_op", v}}));
  for (double v : {300.0, 200.0, 220.0})
    rows.push_back(row("syscall/container/getpid", "iteration", v, {{"ns_per_op", v}}));
  rows.push_back(row("syscall/container/getpid", "aggregate", 220, {{"ns_per_op", 220}}));
  for (double v : {4e9, 6e9}) rows.push_back(row("mem/bare/triad", "iteration", 1, {{"bytes_per_s", v}}));
  for (double v : {2e9, 3e9}) rows.push_back(row("mem/vm/triad", "iteration", 1, {{"bytes_per_s", v}}));
  rows.push_back(row("mem/vm/triad", "aggregate", 1, {{"bytes_per_s", 2.5e9}}));
  add_derived_ratios(results);
  const auto& container = results["benchmarks"][6];
  EXPECT_DOUBLE_EQ(container["ratio_to_bare_ns_per_op"].get<double>(), 2.2);
  EXPECT_DOUBLE_EQ(container["ratio_to_bare"].get<double>(), 2.2);
  const auto& vm = results["benchmarks"][11];
  EXPECT_DOUBLE_EQ(vm["ratio_to_bare_bytes_per_s"].get<double>(), 0.5);
  EXPECT_FALSE(vm.contains("ratio_to_bare_ns_per_op"));
}

// "Containers from one image behave the same" (C8), checked for every backend here: the
// same binary prints the same digests bare, in a container and in a guest.
TEST(SameBehaviour, ChecksumAndCpuDigestsMatchBareInEveryAvailableBackend) {
  BackendConfig config;
  config.workload_binary = default_workload_binary();
  config.state_dir = default_state_dir();
  BackendSet backends(config);
  auto digests_on = [&](Backend& backend) -> std::vector<std::string> {
    std::vector<std::string> out;
    for (WorkloadCommand command : {WorkloadCommand{"checksum", {}}, WorkloadCommand{"cpu", {"2"}}}) {
      LaunchOptions options;
      options.workload = command;
      options.ready_timeout = std::chrono::seconds(60);
      auto record = run_lifecycle(backend, options, {std::chrono::seconds(60), std::chrono::seconds(120)});
      EXPECT_TRUE(record) << backend.name() << ": " << (record ? "" : record.error().describe());
      if (!record) return {};
      auto result = nlohmann::json::parse(record->outcome.result_line, nullptr, false);
      EXPECT_TRUE(record->outcome.ok() && !result.is_discarded()) << backend.name() << ": " << record->outcome.failure;
      if (result.is_discarded() || !result.contains("data")) return {};
      const auto& data = result["data"];
      for (const char* key : {"compute_digest", "exe_digest", "digest"})
        if (data.contains(key)) out.push_back(std::string(key) + "=" + data[key].dump());
    }
    return out;
  };
  ASSERT_TRUE(backends.availability("bare").available) << backends.availability("bare").reason;
  auto bare = digests_on(*backends.find("bare"));
  ASSERT_EQ(bare.size(), 3u);
  std::vector<std::string> compared, skipped;
  for (const auto& name : backends.names()) {
    Backend* backend = backends.find(name);
    if (name == "bare" || !backend->runs_workloads()) continue;
    if (!backends.availability(name).available) {
      skipped.push_back(name + " (" + backends.availability(name).reason + ")");
      continue;
    }
    EXPECT_EQ(digests_on(*backend), bare) << name;
    compared.push_back(name);
  }
  if (compared.empty()) GTEST_SKIP() << "no backend but bare can run here: " << ::testing::PrintToString(skipped);
}

// Guest reuse: one instance (one guest boot) runs every overhead group in turn; each row
// gets its own group's figures from its own part, and a part that fails fails only its
// rows. On bare and on each guest backend available here (a TCG boot each).
TEST(GuestReuse, OneInstanceServesEveryGroupEachRowWithItsOwnFigures) {
  BackendConfig config;
  config.workload_binary = default_workload_binary();
  config.state_dir = default_state_dir();
  BackendSet backends(config);
  std::vector<std::string> tried, skipped;
  for (const std::string name : {"bare", "qemu", "vm"}) {
    Backend* backend = backends.find(name);
    if (backend == nullptr || !backends.availability(name).available) {
      skipped.push_back(name);
      continue;
    }
    SCOPED_TRACE(name);
    tried.push_back(name);
    const BackendTraits traits = backend->traits();
    SharedRuns runs;
    runs.configure(*backend, {std::chrono::milliseconds(traits.ready_timeout), std::chrono::milliseconds(traits.exit_timeout)});
    runs.add_row("cpu", runs.add_group({"cpu", {"2"}}, 0));
    // /proc takes no new directory: this part fails inside the instance.
    runs.add_row("io-failing", runs.add_group({"io", {"/proc/isobench-no-such-dir", "1M"}}, 0));
    const std::size_t syscall = runs.add_group({"syscall", {"all", "0.01"}}, 0);
    runs.add_row("getpid", syscall);
    runs.add_row("stat", syscall);
    runs.add_row("triad", runs.add_group({"mem", {"triad", "8M"}}, traits.boots_guest_os ? guest_memory_for(8u << 20) : 0));
    runs.add_group({"cpu", {"1"}}, 0);  // no row reads it (filtered out): never run
    for (int repetition = 1; repetition <= 2; ++repetition) {
      auto cpu = runs.next("cpu");
      ASSERT_TRUE(cpu) << cpu.error().describe();
      EXPECT_GT((*cpu).data.value("ops_per_s", 0.0), 0) << (*cpu).data.dump();
      EXPECT_EQ((*cpu).data.value("ops", 0u), 2u * (1u << 20) / 8) << (*cpu).data.dump();  // its own part, 2 rounds
      auto failing = runs.next("io-failing");
      ASSERT_FALSE(failing);
      EXPECT_NE(failing.error().describe().find("io failed"), std::string::npos) << failing.error().describe();
      for (const char* op : {"getpid", "stat"}) {
        auto result = runs.next(op);
        ASSERT_TRUE(result) << result.error().describe();
        auto figures = row_figures((*result).data, std::string("/") + op, "ns_per_op");
        EXPECT_TRUE(figures) << (figures ? "" : figures.error().describe());
      }
      auto triad = runs.next("triad");
      ASSERT_TRUE(triad) << triad.error().describe();
      EXPECT_TRUE(row_figures((*triad).data, "/triad", "bytes_per_s"));
      // One instance per repetition for all four groups, whichever row asked first.
      EXPECT_EQ(runs.launches(), repetition);
    }
  }
  EXPECT_FALSE(tried.empty());
  if (tried.size() == 1) std::printf("guest backends not available here: %s\n", ::testing::PrintToString(skipped).c_str());
}

// The command a shared instance runs: the groups joined by `--` for the workload's
// `sequence`; one group alone runs as it is.
TEST(GuestReuse, TheSequenceCommandJoinsTheGroupsAndReadsEachPart) {
  WorkloadCommand cpu{"cpu", {"2"}}, io{"io", {"/tmp", "1M"}};
  WorkloadCommand both = sequence_command({&cpu, &io});
  EXPECT_EQ(both.name, "sequence");
  EXPECT_EQ(both.args, (std::vector<std::string>{"cpu", "2", "--", "io", "/tmp", "1M"}));
  WorkloadCommand alone = sequence_command({&cpu});
  EXPECT_EQ(alone.name, "cpu");
  EXPECT_EQ(alone.args, cpu.args);
  nlohmann::json data = nlohmann::json::parse(R"({"parts": [
      {"workload": "cpu", "ok": true, "data": {"ops_per_s": 5}},
      {"workload": "io", "ok": false, "error": "mkdir /x: Permission denied"}]})");
  EXPECT_EQ(sequence_part(data, 0).value()["ops_per_s"], 5);
  auto failed = sequence_part(data, 1);
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().describe().find("io failed: mkdir /x: Permission denied"), std::string::npos);
  EXPECT_FALSE(sequence_part(data, 2));
}

// The full-size mem run once failed in every guest: 192 MiB of arrays is more than 80% of
// a 256 MiB guest's MemAvailable. Guests now get RAM for the working set.
TEST(OverheadSizes, AGuestGetsRamForTheMemArraysOfBothSizes) {
  constexpr std::uint64_t MiB = 1ull << 20;
  EXPECT_EQ(guest_memory_for(0), 256 * MiB);
  for (bool quick : {true, false}) {
    OverheadSizes sizes = overhead_sizes(quick);
    for (const std::string& size : {sizes.triad_bytes, sizes.chase_bytes, sizes.random_bytes}) {
      std::uint64_t bytes = workload::parse_bytes(size).value();
      std::uint64_t ram = guest_memory_for(bytes);
      // What the guest has available: its RAM less ~50 MiB of kernel and initramfs in a
      // small guest, ~75 MiB in a 1.375 GiB one (measured); 96 MiB kept here.
      EXPECT_LE(static_cast<double>(bytes), 0.8 * static_cast<double>(ram - 96 * MiB)) << size;
      EXPECT_EQ(ram % (64 * MiB), 0u) << size;
    }
  }
  EXPECT_EQ(guest_memory_for(192 * MiB), 448 * MiB);
  // The random-access run's 1 GiB once failed in a 1.375 GiB guest (1.30 GB available).
  EXPECT_GE(guest_memory_for(1024 * MiB), 1472 * MiB);
}

namespace isobench {
namespace {

// The kvm backend's guest runs the workload's own kernels: its rows sit beside bare's
// with the same digests, say which hypervisor and mode ran them and whether the guest was
// native, and C2 reads them. Where this host has no usable KVM the rows say why.
TEST(KvmKernelRows, TheGuestRunsTheWorkloadsKernelsBesideBare) {
  TempDir out("isobench-kvm-rows-");
  auto run = run_bench({"--backend", "bare,kvm", "--suite", "cpu,mem", "--quick", "--repetitions", "3", "--out",
                        out.path().string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::ifstream file(out.path() / "results.json");
  auto results = nlohmann::json::parse(file);
  if (!results["context"]["backends"]["kvm"].value("available", false)) {
    for (const auto& row : results["benchmarks"]) {
      if (row.value("name", "").starts_with("cpu/kvm/")) {
        EXPECT_TRUE(row.value("error_occurred", false));
      }
    }
    GTEST_SKIP() << "no usable KVM here: " << results["context"]["backends"]["kvm"].value("reason", "");
  }
  auto rows = iterations(results);
  const std::pair<const char*, const char*> kRows[] = {
      {"cpu/kvm/hash", "ops_per_s"}, {"mem/kvm/triad", "bytes_per_s"}, {"mem/kvm/chase", "ns_per_op"},
      {"mem/kvm/random", "ns_per_op"}};
  for (const auto& [name, counter] : kRows) {
    ASSERT_EQ(rows[name].size(), 3u) << name;
    for (const auto& iteration : rows[name]) {
      EXPECT_GT(iteration.value(counter, 0.0), 0) << name << ": " << iteration.dump();
      const auto& attributes = iteration["attributes"];
      EXPECT_FALSE(attributes.value("hypervisor", "").empty()) << name;
      EXPECT_TRUE(attributes.value("guest_mode", "") == "user" || attributes.value("guest_mode", "") == "kernel");
      ASSERT_TRUE(attributes.contains("emulated")) << name;
      // Under PVM and hardware KVM alike the 64-bit guest runs natively.
      EXPECT_FALSE(attributes["emulated"].get<bool>()) << attributes.value("emulated_why", "");
    }
  }
  // The same machine code: the same digests as the workload binary run bare.
  EXPECT_EQ(rows["cpu/kvm/hash"][0]["attributes"]["digest"], rows["cpu/bare/hash"][0]["attributes"]["digest"]);
  EXPECT_EQ(rows["mem/kvm/random"][0]["attributes"]["digest"], rows["mem/bare/random"][0]["attributes"]["digest"]);
  // C2 reads the kvm rows: the figures it names include them.
  bool c2_reads_kvm = false;
  for (const auto& claim : results["claims"]["rows"])
    if (claim.value("id", "") == "C2")
      for (const auto& figure : claim.value("figures", nlohmann::json::array()))
        c2_reads_kvm |= figure.get<std::string>().starts_with("cpu/kvm/");
  EXPECT_TRUE(c2_reads_kvm) << results["claims"].dump();
}

// The microvm backend runs the unchanged workload binary in a guest with no OS, in every
// suite it can: its rows carry the VMM's phases, the guest's RAM apart from the VMM's own,
// the same digests as bare, syscall operations it cannot make marked unavailable with the
// reason, and the claims set a VM without a guest OS beside the rows with one.
TEST(MicrovmRows, TheWorkloadRunsInAGuestWithoutAnOsInEverySuiteItCan) {
  TempDir out("isobench-microvm-rows-");
  auto run = run_bench({"--backend", "bare,container,microvm", "--suite", "startup,footprint,syscall,cpu,mem,io",
                        "--quick", "--repetitions", "2", "--out", out.path().string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::ifstream file(out.path() / "results.json");
  auto results = nlohmann::json::parse(file);
  if (!results["context"]["backends"]["microvm"].value("available", false)) {
    for (const auto& row : results["benchmarks"]) {
      if (row.value("name", "").starts_with("startup/microvm/")) {
        EXPECT_TRUE(row.value("error_occurred", false));
      }
    }
    GTEST_SKIP() << "no usable KVM here: " << results["context"]["backends"]["microvm"].value("reason", "");
  }
  auto rows = iterations(results);
  for (const char* name : {"startup/microvm/noop", "footprint/microvm/idle", "cpu/microvm/hash", "mem/microvm/triad",
                           "mem/microvm/random", "io/microvm/seqwrite", "syscall/microvm/getpid",
                           "syscall/microvm/clock_gettime"}) {
    ASSERT_EQ(rows[name].size(), 2u) << name;
    for (const auto& iteration : rows[name]) {
      EXPECT_FALSE(iteration.value("error_occurred", false)) << name << ": " << iteration.value("error_message", "");
      const auto& attributes = iteration["attributes"];
      EXPECT_FALSE(attributes.value("hypervisor", "").empty()) << name;
      ASSERT_TRUE(attributes.contains("emulated")) << name;
      EXPECT_FALSE(attributes["emulated"].get<bool>()) << name << ": " << attributes.value("emulated_why", "");
    }
  }
  for (const auto& startup : rows["startup/microvm/noop"])
    for (const char* phase : {"vm_created_s", "memory_s", "vcpu_s", "elf_loaded_s", "ready_s", "exited_s"})
      EXPECT_GT(startup.value(phase, 0.0), 0) << phase;
  for (const auto& footprint : rows["footprint/microvm/idle"]) {
    EXPECT_GT(footprint.value("guest_ram_touched_bytes", 0.0), 0);
    EXPECT_GT(footprint.value("vmm_overhead_bytes", 0.0), 0);
  }
  EXPECT_EQ(rows["cpu/microvm/hash"][0]["attributes"]["digest"], rows["cpu/bare/hash"][0]["attributes"]["digest"]);
  EXPECT_EQ(rows["mem/microvm/random"][0]["attributes"]["digest"], rows["mem/bare/random"][0]["attributes"]["digest"]);
  for (const auto& fork : rows["syscall/microvm/fork"]) {
    EXPECT_TRUE(fork.value("error_occurred", false));
    EXPECT_TRUE(fork.value("error_message", "").starts_with("unavailable: ")) << fork.value("error_message", "");
  }
  std::set<std::string> ids;
  for (const auto& claim : results["claims"]["rows"]) ids.insert(claim.value("id", ""));
  EXPECT_TRUE(ids.contains("C4 no guest OS")) << results["claims"].dump();
  EXPECT_TRUE(ids.contains("C6 start, no guest OS")) << results["claims"].dump();
  for (const auto& claim : results["claims"]["rows"]) {
    if (claim.value("id", "") == "C4 no guest OS" || claim.value("id", "") == "C6 start, no guest OS") {
      EXPECT_EQ(claim.value("backend", ""), "microvm") << claim.dump();
    }
  }
}

// The hypervisor suite: every primitive is a measured row or says why it is not; the
// guest/host pairs carry both sides; every row says which hypervisor and guest mode ran
// it and whether it was emulated (decided from its compute loop).
TEST(HypervisorSuite, EveryPrimitiveIsMeasuredOrSaysWhyNot) {
  TempDir out("isobench-hypervisor-");
  auto run = run_bench({"--backend", "kvm", "--suite", "hypervisor", "--quick", "--repetitions", "2", "--out",
                        out.path().string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::ifstream file(out.path() / "results.json");
  auto results = nlohmann::json::parse(file);
  const bool available = results["context"]["backends"]["kvm"].value("available", false);
  std::set<std::string> names, measured;
  for (const auto& row : results["benchmarks"]) {
    if (row.value("run_type", "") != "iteration") continue;
    std::string name = row.value("run_name", row.value("name", ""));
    names.insert(name);
    if (row.value("error_occurred", false)) {
      EXPECT_FALSE(row.value("error_message", "").empty()) << name;
      continue;
    }
    measured.insert(name);
    EXPECT_GT(row.value("real_time", 0.0), 0) << name;
    const auto& attributes = row["attributes"];
    EXPECT_TRUE(attributes.value("guest_mode", "") == "user" || attributes.value("guest_mode", "") == "kernel") << name;
    EXPECT_TRUE(attributes.contains("emulated") && attributes["emulated"].is_boolean()) << name << ": " << row.dump();
    if (row.contains("ratio_to_host")) {
      EXPECT_GT(row.value("guest_ns_per_op", 0.0), 0) << name;
      EXPECT_GT(row.value("host_ns_per_op", 0.0), 0) << name;
    }
  }
  for (const char* primitive : {"create_to_first_exit", "exit_mmio", "exit_port_io", "exit_cpuid", "exit_hlt", "compute_loop",
                                "hash", "triad", "chase_4k", "chase_2m", "random_4k", "random_2m", "first_touch_4k",
                                "first_touch_2m"})
    EXPECT_TRUE(names.contains(std::string("hypervisor/kvm/") + primitive)) << primitive;
  if (!available) GTEST_SKIP() << "no usable KVM: every row says why";
  for (const char* primitive : {"create_to_first_exit", "exit_mmio", "compute_loop", "hash", "triad", "chase_4k",
                                "random_2m", "first_touch_4k"})
    EXPECT_TRUE(measured.contains(std::string("hypervisor/kvm/") + primitive)) << primitive;
  // Port I/O, cpuid and hlt need a kernel-mode guest: measured on hardware KVM, a reason under PVM.
  const bool kernel_mode = results["context"]["backends"]["kvm"].value("guest_mode", "") == "kernel";
  EXPECT_EQ(measured.contains("hypervisor/kvm/exit_port_io"), kernel_mode);
}

}  // namespace
}  // namespace isobench
