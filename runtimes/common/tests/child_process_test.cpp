#include "common/child_process.hpp"

#include <gtest/gtest.h>
#include <signal.h>

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
    EXPECT_EQ(status.error().errno_value, ETIMEDOUT);
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
