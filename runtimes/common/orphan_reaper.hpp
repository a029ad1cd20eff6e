// Reaps the QEMU processes that libvirt's embedded driver daemonizes out of bench.
//
// The embedded driver double-forks QEMU (and setsid()s it), so QEMU is an orphan from
// birth and its exit is collected by whoever adopts it. libvirt then learns that QEMU is
// gone by polling kill(pid, 0), which keeps succeeding on an unreaped zombie. On a host
// whose init reaps late (1.2-1.9 s on this project's machines, HOST-NOTES.md) every
// guest would carry that delay, and a QEMU killed while virDomainCreateXML is still
// running would keep libvirt waiting until bench exits. So bench becomes the child
// subreaper, and while any ReapScope lives a thread reaps every adopted QEMU:
//   - a child of this process (the kernel reparents orphans to the subreaper),
//   - whose comm starts with "qemu-" (QEMU's comm, kept by a zombie),
//   - in another session than this process's (libvirt setsid()s what it daemonizes).
// Nothing in bench waits for such a process: bench's own QEMU (the qemu backend, the
// accelerator probe) is spawned in bench's session and owned by a ChildProcess, and
// libvirt's intermediate daemonizing child, which libvirt does wait for, never has
// QEMU's comm (it exits before the exec). Each live one is watched through a pidfd and
// reaped the moment it exits; the children are rescanned every 100 ms to find new ones
// and zombies that exited between scans (the race above).
#pragma once

#include <utility>

#include "error.hpp"

namespace isobench {

// Makes this process the subreaper of its descendants' orphans (prctl
// PR_SET_CHILD_SUBREAPER). Idempotent.
Result<void> become_child_subreaper();

// While at least one scope lives, adopted QEMU processes are reaped as above; with none,
// the reaper thread sleeps. Move-only.
class ReapScope {
 public:
  ReapScope();
  ~ReapScope();
  ReapScope(ReapScope&& other) noexcept : active_(std::exchange(other.active_, false)) {}
  ReapScope& operator=(ReapScope&&) = delete;
  ReapScope(const ReapScope&) = delete;
  ReapScope& operator=(const ReapScope&) = delete;

 private:
  bool active_ = true;
};

// How many adopted QEMU processes this process has reaped so far (for tests).
long adopted_qemu_reaped();

}  // namespace isobench
