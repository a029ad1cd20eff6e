#include "common/child_process.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include "common/process_instance.hpp"
#include "common/spawn.hpp"

using namespace isobench;

TEST(ChildProcess, ReportsExitCode) {
  auto child = spawn_process({"/bin/sh", "-c", "exit 3"}, {});
  ASSERT_TRUE(child) << child.error().describe();
  auto status = child->wait(Deadline::after(std::chrono::seconds(5)));
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->exited);
  EXPECT_EQ(status->exit_code, 3);
  EXPECT_EQ(status->describe(), "exit code 3");
}

TEST(ChildProcess, WaitTimesOutAndDestructorKillsAndReaps) {
  pid_t pid = -1;
  {
    auto child = spawn_process({"/bin/sleep", "30"}, {});
    ASSERT_TRUE(child);
    pid = child->pid();
    auto status = child->wait(Deadline::after(std::chrono::milliseconds(50)));
    ASSERT_FALSE(status);
    EXPECT_TRUE(status.error().is_timeout());
  }
  // Reaped: the pid no longer names our child (kill fails with ESRCH).
  EXPECT_EQ(::kill(pid, 0), -1);
  EXPECT_EQ(errno, ESRCH);
}

TEST(ChildProcess, KilledBySignalIsDescribed) {
  auto child = spawn_process({"/bin/sleep", "30"}, {});
  ASSERT_TRUE(child);
  ExitStatus status = child->kill_and_reap();
  EXPECT_FALSE(status.exited);
  EXPECT_EQ(status.term_signal, SIGKILL);
  EXPECT_NE(status.describe().find("signal 9"), std::string::npos);
}

TEST(Spawn, MissingBinaryIsAnErrorWithThePath) {
  auto child = spawn_process({"/nonexistent/isobench-none"}, {});
  ASSERT_FALSE(child);
  EXPECT_NE(child.error().describe().find("/nonexistent/isobench-none"), std::string::npos);
}

TEST(Spawn, CaptureOutputReturnsStdoutAndFailsOnNonZeroExit) {
  auto text = capture_output({"/bin/echo", "hello"}, Deadline::after(std::chrono::seconds(5)));
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, "hello\n");
  auto failed = capture_output({"/bin/sh", "-c", "echo oops >&2; exit 4"}, Deadline::after(std::chrono::seconds(5)));
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().describe().find("exit code 4: oops"), std::string::npos);
}

// wait_exit waits for the process's exit rather than following its output; an instance
// that writes far more than a pipe holds after its ready line must still get to exit
// (its output is read while it runs), and its result line is found after it.
TEST(ProcessInstanceExit, OutputBeyondAPipeAfterReadyNeverBlocksTheExit) {
  auto out = make_pipe();
  ASSERT_TRUE(out);
  auto child = spawn_process({"/bin/sh", "-c",
                              "printf '{\"isobench\":\"ready\",\"pid\":1}\\n'; head -c 1000000 /dev/zero | tr '\\0' x; "
                              "printf '\\n{\"isobench\":\"result\",\"workload\":\"noop\",\"ok\":true,\"data\":{}}\\n'"},
                             {-1, out->write_end.get(), out->write_end.get()});
  ASSERT_TRUE(child) << child.error().describe();
  out->write_end.reset();
  ProcessInstance instance(std::move(*child), LineReader(std::move(out->read_end)));
  ASSERT_TRUE(instance.wait_ready(Deadline::after(std::chrono::seconds(30))));
  auto outcome = instance.wait_exit(Deadline::after(std::chrono::seconds(60)));
  ASSERT_TRUE(outcome) << outcome.error().describe();
  EXPECT_TRUE(outcome->ok()) << outcome->failure;
  EXPECT_NE(outcome->result_line.find("\"workload\":\"noop\""), std::string::npos) << outcome->result_line;
  EXPECT_TRUE(instance.teardown());
}

TEST(ProcessInstanceExit, NoResultBeforeAnExitIsAFailureNotAHang) {
  auto out = make_pipe();
  ASSERT_TRUE(out);
  auto child = spawn_process({"/bin/sh", "-c", "printf '{\"isobench\":\"ready\",\"pid\":1}\\nbye\\n'; exit 3"},
                             {-1, out->write_end.get(), out->write_end.get()});
  ASSERT_TRUE(child);
  out->write_end.reset();
  ProcessInstance instance(std::move(*child), LineReader(std::move(out->read_end)));
  ASSERT_TRUE(instance.wait_ready(Deadline::after(std::chrono::seconds(30))));
  auto outcome = instance.wait_exit(Deadline::after(std::chrono::seconds(60)));
  ASSERT_TRUE(outcome) << outcome.error().describe();
  EXPECT_FALSE(outcome->ok());
  EXPECT_NE(outcome->failure.find("exit code 3: bye"), std::string::npos) << outcome->failure;
}
