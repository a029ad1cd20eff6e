#include "common/orphan_reaper.hpp"

#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <thread>

using namespace isobench;

namespace {

// A process that takes `comm` as its name and lives until `hold`'s write end closes.
[[noreturn]] void live_until_closed(int hold_read, const char* comm) {
  ::prctl(PR_SET_NAME, comm, 0, 0, 0);
  char byte;
  while (::read(hold_read, &byte, 1) != 0 && errno == EINTR) {
  }
  ::_exit(0);
}

// As libvirt daemonizes QEMU: fork, setsid, fork again, the middle one exits at once.
// Returns the grandchild's pid, an orphan that this process (the subreaper) adopts.
pid_t daemonized(int hold[2], const char* comm) {
  int report[2];
  if (::pipe(report) != 0) return -1;
  pid_t middle = ::fork();
  if (middle == 0) {
    ::close(hold[1]);
    ::setsid();
    pid_t pid = ::fork();
    if (pid == 0) live_until_closed(hold[0], comm);
    (void)!::write(report[1], &pid, sizeof pid);
    ::_exit(0);
  }
  ::close(report[1]);
  pid_t grandchild = -1;
  if (::read(report[0], &grandchild, sizeof grandchild) != sizeof grandchild) grandchild = -1;
  ::close(report[0]);
  ::waitpid(middle, nullptr, 0);
  return grandchild;
}

#define REQUIRE(cond)                                                \
  do {                                                               \
    if (!(cond)) {                                                   \
      std::fprintf(stderr, "failed: %s (errno %d)\n", #cond, errno); \
      return 1;                                                      \
    }                                                                \
  } while (0)

// Runs in a child process of the test, so that the subreaper setting and the reaper
// thread stay out of the test binary.
int reap_adopted_qemu_but_nothing_else() {
  REQUIRE(become_child_subreaper().has_value());
  int hold[2];
  REQUIRE(::pipe(hold) == 0);
  pid_t adopted_qemu = daemonized(hold, "qemu-system-x86");
  pid_t adopted_other = daemonized(hold, "helper");
  pid_t own_qemu = ::fork();  // in this session, as the qemu backend's QEMU
  if (own_qemu == 0) {
    ::close(hold[1]);
    live_until_closed(hold[0], "qemu-system-x86");
  }
  REQUIRE(adopted_qemu > 0 && adopted_other > 0 && own_qemu > 0);
  ::close(hold[0]);

  ReapScope reaping;
  ::close(hold[1]);  // all three exit now
  // This process is their subreaper: nobody but the reaper can make the adopted QEMU
  // disappear, so the deadline only bounds a failure.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (::kill(adopted_qemu, 0) == 0) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(errno == ESRCH);
  REQUIRE(adopted_qemu_reaped() == 1);
  // The others are still this process's to wait for: not stolen.
  REQUIRE(::waitpid(own_qemu, nullptr, 0) == own_qemu);
  REQUIRE(::waitpid(adopted_other, nullptr, 0) == adopted_other);
  REQUIRE(adopted_qemu_reaped() == 1);
  return 0;
}

}  // namespace

TEST(OrphanReaper, ReapsAnAdoptedQemuInAnotherSessionAndLeavesOtherChildrenToTheirWaiters) {
  EXPECT_EXIT(std::_Exit(reap_adopted_qemu_but_nothing_else()), ::testing::ExitedWithCode(0), "");
}
