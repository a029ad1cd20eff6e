// The workload's kernels (bench/kernels) run in a kvm guest, and the same functions run
// on the host in this process: the two sides of a guest/host ratio measured in one run.
// Sizes and passes follow the workload's own (bench/workload/cpu.cpp, mem.cpp), so a
// kvm row and a bare row measure the same work.
#pragma once

#include <chrono>
#include <cstdint>

#include "runtimes/common/error.hpp"
#include "bench/kernels/kernels.h"
#include "guest_vm.hpp"

namespace isobench::kvm {

// A guest kernel may run for seconds (1 GiB fills on a slow host); never forever.
inline constexpr std::chrono::seconds kKernelLimit{120};

inline constexpr std::uint64_t kHashWords = ISOBENCH_HASH_WORDS;
inline constexpr int kTriadPasses = 7;

struct HashRun {
  std::int64_t ns = 0;
  std::uint64_t ops = 0;
  std::uint64_t digest = 0;
};
struct TriadRun {
  std::int64_t median_ns = 0, best_ns = 0;
  std::uint64_t pass_bytes = 0;
  bool valid = false;
};
struct ChaseRun {
  std::int64_t ns = 0;
  std::uint64_t bytes = 0, hops = 0, end_line = 0;
};
struct RandomRun {
  std::int64_t ns = 0;
  std::uint64_t bytes = 0, updates = 0, digest = 0;
};
struct TouchRun {
  std::int64_t ns = 0;
  std::uint64_t pages = 0;
};

// Guest heap each kernel needs for `bytes` (its working set).
std::uint64_t hash_heap_bytes();
std::uint64_t triad_heap_bytes(std::uint64_t bytes);
std::uint64_t chase_heap_bytes(std::uint64_t bytes);
std::uint64_t random_heap_bytes(std::uint64_t bytes);

// In the guest: each fills its buffers in the guest (first touch outside the timed
// call), warms up as the workload does, then times one call (triad: the median of 7).
Result<HashRun> guest_hash(GuestVm& vm, std::uint64_t rounds);
Result<TriadRun> guest_triad(GuestVm& vm, std::uint64_t bytes);
Result<ChaseRun> guest_chase(GuestVm& vm, std::uint64_t bytes);
Result<RandomRun> guest_random(GuestVm& vm, std::uint64_t bytes);
// One write per `stride` over `bytes` of heap never touched before: first touches.
// REQUIRES: a VM whose heap no call has used yet.
Result<TouchRun> guest_first_touch(GuestVm& vm, std::uint64_t bytes, std::uint64_t stride);

// Whether the guest runs the host's instructions natively: the hash kernel (20 passes) in
// the guest and on the host, three times in turn; the median of the guest/host ratios.
// Native guests read x0.98-1.05; an emulator x100 and more.
struct NativeCheck {
  double ratio = 0;
  std::int64_t guest_ns = 0, host_ns = 0;  // the fastest run of each side
};
Result<NativeCheck> check_native(GuestVm& vm);

// On the host, in this process: the same kernels on memory mapped with `pages`
// (HostPages::kDefault: what the workload gets).
Result<HashRun> host_hash(std::uint64_t rounds);
Result<TriadRun> host_triad(std::uint64_t bytes, HostPages pages);
Result<ChaseRun> host_chase(std::uint64_t bytes, HostPages pages);
Result<RandomRun> host_random(std::uint64_t bytes, HostPages pages);
Result<TouchRun> host_first_touch(std::uint64_t bytes, std::uint64_t stride, HostPages pages);

}  // namespace isobench::kvm
