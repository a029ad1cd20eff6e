// The command line: what parses, and the one-line error for what does not.
#include <gtest/gtest.h>

#include "cli/options.hpp"
#include "common/quote.hpp"

using namespace isobench;
using namespace isobench::cli;

namespace {

Result<Command> parse(std::initializer_list<std::string_view> args) {
  std::vector<std::string_view> v(args);
  return parse_command_line(v);
}

std::string error_of(std::initializer_list<std::string_view> args) {
  auto command = parse(args);
  EXPECT_FALSE(command) << "expected a parse error";
  return command ? "" : command.error().describe();
}

}  // namespace

TEST(Options, NoArgumentsShowsHelp) { EXPECT_EQ(parse({})->kind, CommandKind::kHelp); }

TEST(Options, HelpStillRejectsABadFlagBesideIt) {
  EXPECT_EQ(parse({"--help"})->kind, CommandKind::kHelp);
  EXPECT_EQ(parse({"--all", "--help"})->kind, CommandKind::kHelp);
  EXPECT_NE(error_of({"--help", "--bogus"}).find("--bogus"), std::string::npos);
}

TEST(Options, AllWithQuickAndOut) {
  auto command = parse({"--all", "--quick", "--out", "/tmp/x"});
  ASSERT_TRUE(command);
  EXPECT_EQ(command->kind, CommandKind::kSuites);
  EXPECT_TRUE(command->suites.all);
  EXPECT_TRUE(command->suites.quick);
  EXPECT_EQ(command->suites.out->string(), "/tmp/x");
}

TEST(Options, SubsetWithListsFilterAndRepetitions) {
  auto command = parse({"--backend", "bare", "--suite=startup", "--filter", "noop$", "--repetitions=20"});
  ASSERT_TRUE(command);
  EXPECT_EQ(command->suites.backends, std::vector<std::string>{"bare"});
  EXPECT_EQ(command->suites.suites, std::vector<std::string>{"startup"});
  EXPECT_EQ(command->suites.filter, "noop$");
  EXPECT_EQ(command->suites.repetitions, 20);
}

TEST(Options, CommaSeparatedBackends) {
  auto command = parse({"--backend", "bare,container,vm", "--suite", "startup"});
  ASSERT_TRUE(command);
  EXPECT_EQ(command->suites.backends.size(), 3u);
}

TEST(Options, ListAndDoctor) {
  EXPECT_EQ(parse({"--list"})->kind, CommandKind::kList);
  EXPECT_EQ(parse({"--list", "--suite", "startup"})->kind, CommandKind::kList);
  EXPECT_EQ(parse({"doctor"})->kind, CommandKind::kDoctor);
  EXPECT_EQ(parse({"doctor", "--vm-accel", "tcg"})->backend_flags.vm_accel, "tcg");
  EXPECT_EQ(parse({"doctor", "--vm-machine", "microvm"})->backend_flags.vm_machine, "microvm");
  EXPECT_EQ(parse({"doctor"})->backend_flags.vm_machine, "q35");
  EXPECT_FALSE(parse({"doctor", "--vm-machine", "pc"}));
}

TEST(Options, RunOneWithLimitsAndWorkloadArguments) {
  auto command = parse({"run", "--backend", "bare", "--memory", "64M", "--cpus", "1.5", "--pids", "32", "alloc", "8M"});
  ASSERT_TRUE(command);
  EXPECT_EQ(command->kind, CommandKind::kRunOne);
  EXPECT_EQ(command->run_one.backend, "bare");
  EXPECT_EQ(command->run_one.limits.memory_bytes, 64u << 20);
  EXPECT_DOUBLE_EQ(*command->run_one.limits.cpus, 1.5);
  EXPECT_EQ(command->run_one.limits.pids, 32u);
  EXPECT_EQ(command->run_one.workload.name, "alloc");
  EXPECT_EQ(command->run_one.workload.args, std::vector<std::string>{"8M"});
  EXPECT_EQ(command->run_one.limits.describe(), "memory 64 MiB, cpus 1.5, pids 32");
}

TEST(Options, BackendSettingsAreAcceptedAnywhere) {
  auto command = parse({"--all", "--guest-kernel", "/boot/vmlinuz", "--libvirt-uri", "qemu:///system",
                        "--rootfs", "chroot", "--runsc-platform", "kvm", "--docker-host", "unix:///run/docker.sock"});
  ASSERT_TRUE(command);
  EXPECT_EQ(command->backend_flags.runsc_platform, "kvm");
  EXPECT_EQ(command->backend_flags.docker_host, "unix:///run/docker.sock");
  EXPECT_EQ(command->backend_flags.guest_kernel->string(), "/boot/vmlinuz");
  EXPECT_EQ(command->backend_flags.libvirt_uri, "qemu:///system");
  EXPECT_EQ(command->backend_flags.rootfs_mode, "chroot");
}

TEST(Options, BadInputNamesTheInput) {
  EXPECT_NE(error_of({"--frobnicate"}).find("--frobnicate"), std::string::npos);
  EXPECT_NE(error_of({"--all", "--repetitions", "abc"}).find("`abc`"), std::string::npos);
  EXPECT_NE(error_of({"--all", "--repetitions", "-1"}).find("`-1`"), std::string::npos);
  EXPECT_NE(error_of({"--all", "--repetitions", "0"}).find("`0`"), std::string::npos);
  EXPECT_NE(error_of({"--all", "--repetitions", "99999999999999999999"}).find("99999999999999999999"),
            std::string::npos);
  EXPECT_NE(error_of({"--backend", "xen"}).find("`xen`"), std::string::npos);
  EXPECT_NE(error_of({"--suite", "bogus"}).find("`bogus`"), std::string::npos);
  EXPECT_NE(error_of({"--filter", "("}).find("regular expression"), std::string::npos);
  EXPECT_NE(error_of({"--all", "--repetitions"}).find("needs a value"), std::string::npos);
  EXPECT_NE(error_of({"--all=yes"}).find("takes no value"), std::string::npos);
  EXPECT_NE(error_of({"--vm-accel", "hvf", "--all"}).find("`hvf`"), std::string::npos);
  EXPECT_NE(error_of({"--runsc-platform", "systrap", "--all"}).find("`systrap`"), std::string::npos);
  EXPECT_NE(error_of({"--docker-host", "/run/docker.sock", "--all"}).find("`/run/docker.sock`"), std::string::npos);
  EXPECT_NE(error_of({"frob"}).find("unknown command `frob`"), std::string::npos);
  EXPECT_NE(error_of({"--quick"}).find("nothing selected"), std::string::npos);
}

TEST(Options, RunOneBadInput) {
  EXPECT_NE(error_of({"run", "noop"}).find("--backend is required"), std::string::npos);
  EXPECT_NE(error_of({"run", "--backend", "bare"}).find("no workload"), std::string::npos);
  EXPECT_NE(error_of({"run", "--backend", "bare", "dance"}).find("`dance`"), std::string::npos);
  for (auto bad : {"12Q", "-5", "0", "M", ""})
    EXPECT_NE(error_of({"run", "--backend", "bare", "--memory", bad, "noop"}).find("--memory"), std::string::npos)
        << bad;
  EXPECT_NE(error_of({"run", "--backend", "bare", "--cpus", "0", "noop"}).find("--cpus"), std::string::npos);
  EXPECT_NE(error_of({"run", "--backend", "bare", "--cpus", "nan", "noop"}).find("--cpus"), std::string::npos);
  EXPECT_NE(error_of({"run", "--backend", "bare", "--pids", "1.5", "noop"}).find("--pids"), std::string::npos);
  EXPECT_NE(error_of({"run", "--backend", "bare", "--timeout", "-3", "noop"}).find("--timeout"), std::string::npos);
}

TEST(Options, ErrorsAreOneLine) {
  for (auto message : {error_of({"--frobnicate"}), error_of({"--backend", "xen"}), error_of({"--filter", "["})})
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

// A pasted file or a runaway script as a flag's value: the error quotes the first 150
// characters and says how long the input was, on one line.
TEST(Options, LongInputIsQuotedCutWithItsLength) {
  const std::string huge(100'000, 'x');
  const std::string huge_flag = "--" + huge;
  for (const auto& message :
       {error_of({"--backend", huge, "--suite", "startup"}), error_of({"--suite", huge}),
        error_of({"run", "--backend", "bare", "--memory", huge, "noop"}), error_of({"run", "--backend", "bare", huge}),
        error_of({"compare", "--threshold", huge, "a.json", "b.json"}), error_of({huge})}) {
    EXPECT_LT(message.size(), 400u) << message.substr(0, 400);
    EXPECT_NE(message.find("`" + std::string(kQuotedInputLimit, 'x') + "`... (100000 characters)"), std::string::npos)
        << message.substr(0, 400);
    EXPECT_EQ(message.find('\n'), std::string::npos);
  }
  std::string flag_error = error_of({huge_flag});
  EXPECT_LT(flag_error.size(), 400u);
  EXPECT_NE(flag_error.find("... (100002 characters)"), std::string::npos) << flag_error.substr(0, 400);
  // Short input is quoted whole; control characters never break the line.
  EXPECT_NE(error_of({"--backend", "xen"}).find("`xen`:"), std::string::npos);
  EXPECT_NE(error_of({"--backend", "x\ny"}).find("`x?y`"), std::string::npos);
}
