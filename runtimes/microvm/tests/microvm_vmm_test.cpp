// isobench-microvm on the real /dev/kvm: the unchanged workload binary in a guest with no
// OS gives the same results as on the host, and every way it can end is reported.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "runtimes/kvm/hypervisor_facts.hpp"
#include "runtimes/kvm/kvm_system.hpp"
#include "vmm_run.hpp"

namespace fs = std::filesystem;
using isobench::microvm::testing::Ran;
using isobench::microvm::testing::run_program;

namespace {

// The build's paths, or where scripts/test-kvm-nested-svm puts them in its guest.
std::string binary(const char* variable, const char* built) {
  const char* set = std::getenv(variable);
  return set != nullptr && *set != '\0' ? set : built;
}
const std::string kWorkload = binary("ISOBENCH_WORKLOAD_BINARY", ISOBENCH_WORKLOAD_BINARY);
const std::string kVmm = binary("ISOBENCH_MICROVM_BINARY", ISOBENCH_MICROVM_BINARY);

// The result line's "data" object.
nlohmann::json result_data(const std::string& out) {
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(R"({"isobench":"result")") == std::string::npos) continue;
    auto parsed = nlohmann::json::parse(line, nullptr, false);
    if (parsed.is_object() && parsed.value("ok", false)) return parsed["data"];
  }
  return nullptr;
}

std::vector<std::string> workload_args(std::initializer_list<std::string> args) {
  std::vector<std::string> out = {kWorkload};
  out.insert(out.end(), args);
  return out;
}

Ran in_microvm(std::initializer_list<std::string> args, std::vector<std::string> options = {}) {
  std::vector<std::string> argv = {kVmm};
  argv.insert(argv.end(), options.begin(), options.end());
  argv.push_back("--");
  for (const auto& a : workload_args(args)) argv.push_back(a);
  return run_program(argv);
}

int own_dirs_in(const fs::path& dir) {
  int n = 0;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().filename().string().starts_with("isobench-microvm-")) ++n;
  return n;
}

class MicrovmVmm : public ::testing::Test {
 protected:
  void SetUp() override {
    // Present is not usable: on a machine that is itself a PVM guest /dev/kvm exists and
    // answers ENODEV (HOST-NOTES.md, "KVM").
    static const isobench::kvm::KvmProbe probe =
        isobench::kvm::probe_kvm(isobench::kvm::kDefaultDevice, isobench::kvm::read_hypervisor_facts());
    if (!probe.availability.available) GTEST_SKIP() << "no usable KVM here: " << probe.availability.reason;
  }
};

}  // namespace

TEST_F(MicrovmVmm, TheUnchangedWorkloadComputesWhatItComputesOnTheHost) {
  for (auto args : {std::vector<std::string>{"cpu", "5"}, {"checksum"}, {"mem", "random", "16M"}}) {
    std::vector<std::string> argv = {kVmm, "--"};
    argv.push_back(kWorkload);
    argv.insert(argv.end(), args.begin(), args.end());
    Ran guest = run_program(argv);
    std::vector<std::string> host_argv = {kWorkload};
    host_argv.insert(host_argv.end(), args.begin(), args.end());
    Ran host = run_program(host_argv);
    ASSERT_EQ(guest.exit_code, 0) << args[0] << ": " << guest.err;
    nlohmann::json g = result_data(guest.out), h = result_data(host.out);
    ASSERT_TRUE(g.is_object()) << guest.out;
    ASSERT_TRUE(h.is_object()) << host.out;
    for (const char* key : {"digest", "compute_digest", "exe_digest", "exe_bytes"}) {
      if (h.contains(key)) {
        EXPECT_EQ(g[key], h[key]) << args[0] << " " << key;
      }
    }
    if (h.contains("random")) {
      EXPECT_EQ(g["random"]["digest"], h["random"]["digest"]);
    }
  }
}

TEST_F(MicrovmVmm, ReadinessComesFirstAndThePhasesLineNamesTheSupervision) {
  Ran ran = in_microvm({"noop"});
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  EXPECT_EQ(ran.out.rfind(R"({"isobench":"ready")", 0), 0u) << ran.out;
  auto phases = nlohmann::json::parse(ran.err.substr(0, ran.err.find('\n')), nullptr, false);
  ASSERT_TRUE(phases.is_object()) << ran.err;
  const std::string expected = isobench::kvm::read_hypervisor_facts().is_pvm() ? "user" : "ring0";
  EXPECT_EQ(phases["supervision"], expected);
  EXPECT_LT(phases["vm_created_ns"].get<std::int64_t>(), phases["memory_ns"].get<std::int64_t>());
  EXPECT_LT(phases["memory_ns"].get<std::int64_t>(), phases["vcpu_ns"].get<std::int64_t>());
  EXPECT_LT(phases["vcpu_ns"].get<std::int64_t>(), phases["elf_loaded_ns"].get<std::int64_t>());
}

TEST_F(MicrovmVmm, GetpidIsTheVmmsOwnPidAndIdentitySeesTheHostThroughItsCalls) {
  Ran ran = in_microvm({"identity"});
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  nlohmann::json data = result_data(ran.out);
  ASSERT_TRUE(data.is_object()) << ran.out;
  auto ready = nlohmann::json::parse(ran.out.substr(0, ran.out.find('\n')));
  EXPECT_GT(ready["pid"].get<int>(), 1);
  EXPECT_EQ(data["pid"], ready["pid"]);
}

// The supervisor answers clock_gettime from the guest's TSC: the workload's own timing
// (a run for 0.2 s by its clock) fits inside the host's wall time of the whole VMM.
TEST_F(MicrovmVmm, TheGuestClockNeverRunsAheadOfTheHosts) {
  auto start = std::chrono::steady_clock::now();
  Ran ran = in_microvm({"syscall", "clock_gettime", "0.2"});
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  nlohmann::json data = result_data(ran.out);
  ASSERT_TRUE(data.is_object()) << ran.out;
  double guest = data["clock_gettime"]["seconds"].get<double>();
  EXPECT_GE(guest, 0.2);
  EXPECT_LE(guest, wall);
}

TEST_F(MicrovmVmm, IoWritesOnlyInTheVmmsOwnDirectoryWhichIsGoneAfterwards) {
  char dir[] = "/tmp/isobench-microvm-io-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  Ran ran = in_microvm({"io", dir}, {"--dir", dir});
  EXPECT_EQ(ran.exit_code, 0) << ran.out << ran.err;
  EXPECT_TRUE(result_data(ran.out).is_object()) << ran.out;
  EXPECT_EQ(own_dirs_in(dir), 0);
  EXPECT_TRUE(fs::is_empty(dir));
  // Outside that directory the workload may not create files: the io workload says so.
  char other[] = "/tmp/isobench-microvm-other-XXXXXX";
  ASSERT_NE(::mkdtemp(other), nullptr);
  Ran refused = in_microvm({"io", other}, {"--dir", dir});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.out.find("Permission denied"), std::string::npos) << refused.out;
  EXPECT_TRUE(fs::is_empty(other));
  fs::remove_all(dir);
  fs::remove_all(other);
}

TEST_F(MicrovmVmm, ASystemCallTheVmmDoesNotPerformFailsTheRunNamingIt) {
  Ran ran = in_microvm({"syscall", "fork"});
  EXPECT_NE(ran.exit_code, 0);
  EXPECT_NE(ran.err.find("does not perform: clone (56)"), std::string::npos) << ran.err;
}

TEST_F(MicrovmVmm, AGuestFaultEndsTheVmmAsTheSignalWouldEndTheProcess) {
  Ran segv = in_microvm({"crash", "segv"});
  EXPECT_EQ(segv.signal, SIGSEGV);
  EXPECT_NE(segv.err.find("page fault at 0x0"), std::string::npos) << segv.err;
  Ran abort = in_microvm({"crash", "abort"});
  EXPECT_EQ(abort.signal, SIGABRT) << abort.err;
  EXPECT_NE(abort.err.find("signal ABRT"), std::string::npos) << abort.err;
}

// glibc's start-up reads /proc/self/exe and asserts an absolute path, as the kernel gives.
TEST_F(MicrovmVmm, ARelativeBinaryPathReadsAsTheKernelWouldResolveIt) {
  fs::path binary(kWorkload);
  std::error_code error;
  fs::path relative = fs::relative(binary, fs::current_path(), error);
  ASSERT_FALSE(error) << error.message();
  Ran ran = run_program({kVmm, "--", relative.string(), "checksum"});
  EXPECT_EQ(ran.exit_code, 0) << ran.err;
  EXPECT_TRUE(result_data(ran.out).is_object()) << ran.out;
}

TEST_F(MicrovmVmm, BadUsageIsOneLineAndExitTwo) {
  for (auto argv : {std::vector<std::string>{kVmm}, {kVmm, "--memory", "lots", "--", kWorkload},
                    {kVmm, "--frobnicate", "1", "--", kWorkload}}) {
    Ran ran = run_program(argv);
    EXPECT_EQ(ran.exit_code, 2) << ran.err;
    EXPECT_EQ(ran.err.rfind("isobench-microvm: ", 0), 0u) << ran.err;
  }
  Ran missing = run_program({kVmm, "--", "/nonexistent/isobench-workload"});
  EXPECT_EQ(missing.exit_code, 70);
  EXPECT_NE(missing.err.find("/nonexistent/isobench-workload"), std::string::npos) << missing.err;
}
