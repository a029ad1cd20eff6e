#include "guest_kernels.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <bit>
#include <vector>

#include "bench/kernels/kernels.h"
#include "runtimes/common/clock.hpp"
#include "mapped_region.hpp"

namespace isobench::kvm {
namespace {

constexpr std::uint64_t kLineBytes = 64;

Result<void> fits(const GuestVm& vm, std::uint64_t needed, const char* what) {
  if (needed <= vm.heap_bytes()) return {};
  return fail(std::string(what) + " needs " + std::to_string(needed) + " bytes of guest heap, the VM has " +
              std::to_string(vm.heap_bytes()));
}

Result<MappedRegion> host_buffer(std::uint64_t bytes, HostPages pages) {
  auto region = MappedRegion::anonymous(bytes, "a host kernel buffer");
  if (!region) return region;
  if (pages != HostPages::kDefault &&
      ::madvise(region->get(), bytes, pages == HostPages::kHuge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE) != 0)
    return fail_errno("madvise a host kernel buffer");
  return region;
}

}  // namespace

std::uint64_t hash_heap_bytes() { return kHashWords * sizeof(std::uint64_t); }
std::uint64_t triad_heap_bytes(std::uint64_t bytes) { return bytes / (3 * sizeof(double)) * 3 * sizeof(double) + kPage2M * 3; }
std::uint64_t chase_heap_bytes(std::uint64_t bytes) { return bytes + bytes / kLineBytes * sizeof(std::uint32_t) + kPage2M; }
std::uint64_t random_heap_bytes(std::uint64_t bytes) { return isobench_random_words(bytes) * sizeof(std::uint64_t); }

Result<HashRun> guest_hash(GuestVm& vm, std::uint64_t rounds) {
  if (auto ok = fits(vm, hash_heap_bytes(), "the hash kernel"); !ok) return std::unexpected(ok.error());
  const std::uint64_t words = vm.heap_base();
  if (auto fill = vm.call(ISOBENCH_OP_HASH_FILL, {words, kHashWords, ISOBENCH_HASH_SEED}, kKernelLimit); !fill)
    return std::unexpected(fill.error());
  if (auto warm = vm.call(ISOBENCH_OP_HASH_ROUNDS, {words, kHashWords, 1}, kKernelLimit); !warm)
    return std::unexpected(warm.error());
  auto run = vm.call(ISOBENCH_OP_HASH_ROUNDS, {words, kHashWords, rounds}, kKernelLimit);
  if (!run) return std::unexpected(run.error());
  return HashRun{run->ns, rounds * kHashWords, run->result};
}

Result<HashRun> host_hash(std::uint64_t rounds) {
  std::vector<std::uint64_t> words(kHashWords);
  isobench_hash_fill(words.data(), words.size(), ISOBENCH_HASH_SEED);
  volatile std::uint64_t warm = isobench_hash_rounds(words.data(), words.size(), 1);
  (void)warm;
  std::int64_t start = monotonic_ns();
  std::uint64_t digest = isobench_hash_rounds(words.data(), words.size(), rounds);
  std::int64_t end = monotonic_ns();
  return HashRun{end - start, rounds * kHashWords, digest};
}

Result<NativeCheck> check_native(GuestVm& vm) {
  // The fastest of nine short runs on each side (2 rounds, about a millisecond): a run
  // that the host preempted or descheduled is slower, never faster, and short runs often
  // fit between two preemptions even on a loaded host, while an emulator is slow in every
  // run. (Five runs of 20 rounds read x1.95 under load 6, the median of three x1.97: a
  // loaded host, not an emulator.)
  NativeCheck check{0, INT64_MAX, INT64_MAX};
  for (int i = 0; i < 9; ++i) {
    auto guest = guest_hash(vm, 2);
    if (!guest) return std::unexpected(guest.error());
    auto host = host_hash(2);
    if (!host) return std::unexpected(host.error());
    if (guest->digest != host->digest) return fail("the kvm guest's hash digest differs from the host's");
    check.guest_ns = std::min(check.guest_ns, guest->ns);
    check.host_ns = std::min(check.host_ns, host->ns);
  }
  check.ratio = static_cast<double>(check.guest_ns) / static_cast<double>(std::max<std::int64_t>(check.host_ns, 1));
  return check;
}

Result<TriadRun> guest_triad(GuestVm& vm, std::uint64_t bytes) {
  if (auto ok = fits(vm, triad_heap_bytes(bytes), "triad"); !ok) return std::unexpected(ok.error());
  const std::uint64_t n = bytes / (3 * sizeof(double));
  const std::uint64_t array_bytes = (n * sizeof(double) + kPage2M - 1) / kPage2M * kPage2M;
  const std::uint64_t a = vm.heap_base(), b = a + array_bytes, c = b + array_bytes;
  if (auto fill = vm.call(ISOBENCH_OP_TRIAD_FILL, {a, b, c, n}, kKernelLimit); !fill) return std::unexpected(fill.error());
  const std::uint64_t scalar = std::bit_cast<std::uint64_t>(3.0);
  std::array<std::int64_t, kTriadPasses> pass_ns{};
  bool valid = true;
  for (auto& ns : pass_ns) {
    auto pass = vm.call(ISOBENCH_OP_TRIAD, {a, b, c, n, scalar}, kKernelLimit);
    if (!pass) return std::unexpected(pass.error());
    ns = pass->ns;
    valid = valid && pass->result == 1;
  }
  std::sort(pass_ns.begin(), pass_ns.end());
  return TriadRun{pass_ns[kTriadPasses / 2], pass_ns[0], 3 * sizeof(double) * n, valid};
}

Result<TriadRun> host_triad(std::uint64_t bytes, HostPages pages) {
  const std::uint64_t n = bytes / (3 * sizeof(double));
  auto a = host_buffer(n * sizeof(double), pages), b = host_buffer(n * sizeof(double), pages),
       c = host_buffer(n * sizeof(double), pages);
  if (!a || !b || !c) return fail("mapping the host's triad arrays: " + (!a ? a : !b ? b : c).error().describe());
  auto* pa = static_cast<double*>(a->get());
  auto* pb = static_cast<double*>(b->get());
  auto* pc = static_cast<double*>(c->get());
  isobench_triad_fill(pa, pb, pc, n);
  std::array<std::int64_t, kTriadPasses> pass_ns{};
  for (auto& ns : pass_ns) {
    std::int64_t start = monotonic_ns();
    isobench_triad(pa, pb, pc, n, 3.0);
    ns = monotonic_ns() - start;
  }
  std::sort(pass_ns.begin(), pass_ns.end());
  return TriadRun{pass_ns[kTriadPasses / 2], pass_ns[0], 3 * sizeof(double) * n, isobench_triad_valid(pa, n) == 1};
}

Result<ChaseRun> guest_chase(GuestVm& vm, std::uint64_t bytes) {
  if (auto ok = fits(vm, chase_heap_bytes(bytes), "chase"); !ok) return std::unexpected(ok.error());
  const std::uint64_t lines = bytes / kLineBytes;
  const std::uint64_t nodes = vm.heap_base();
  const std::uint64_t order = nodes + (lines * kLineBytes + kPage2M - 1) / kPage2M * kPage2M;
  if (auto build = vm.call(ISOBENCH_OP_CHASE_BUILD, {nodes, order, lines}, kKernelLimit); !build)
    return std::unexpected(build.error());
  auto warm = vm.call(ISOBENCH_OP_CHASE, {nodes, lines / 8}, kKernelLimit);
  if (!warm) return std::unexpected(warm.error());
  const std::uint64_t hops = lines / 2;
  auto run = vm.call(ISOBENCH_OP_CHASE, {warm->result, hops}, kKernelLimit);
  if (!run) return std::unexpected(run.error());
  return ChaseRun{run->ns, lines * kLineBytes, hops, (run->result - nodes) / kLineBytes};
}

Result<ChaseRun> host_chase(std::uint64_t bytes, HostPages pages) {
  const std::uint64_t lines = bytes / kLineBytes;
  auto nodes = host_buffer(lines * kLineBytes, pages);
  if (!nodes) return std::unexpected(nodes.error());
  {
    std::vector<std::uint32_t> order(lines);
    isobench_chase_build(nodes->get(), order.data(), lines);
  }
  void* p = isobench_chase(nodes->get(), lines / 8);
  const std::uint64_t hops = lines / 2;
  std::int64_t start = monotonic_ns();
  p = isobench_chase(p, hops);
  std::int64_t end = monotonic_ns();
  return ChaseRun{end - start, lines * kLineBytes, hops,
                  static_cast<std::uint64_t>(static_cast<std::byte*>(p) - nodes->bytes()) / kLineBytes};
}

Result<RandomRun> guest_random(GuestVm& vm, std::uint64_t bytes) {
  if (auto ok = fits(vm, random_heap_bytes(bytes), "random"); !ok) return std::unexpected(ok.error());
  const std::uint64_t words = isobench_random_words(bytes), buffer = vm.heap_base(), updates = isobench_random_updates(words);
  if (auto fill = vm.call(ISOBENCH_OP_RANDOM_FILL, {buffer, words}, kKernelLimit); !fill) return std::unexpected(fill.error());
  if (auto warm = vm.call(ISOBENCH_OP_RANDOM, {buffer, words - 1, updates / 8, ISOBENCH_RANDOM_WARM_SEED}, kKernelLimit); !warm)
    return std::unexpected(warm.error());
  auto run = vm.call(ISOBENCH_OP_RANDOM, {buffer, words - 1, updates, ISOBENCH_RANDOM_SEED}, kKernelLimit);
  if (!run) return std::unexpected(run.error());
  return RandomRun{run->ns, words * sizeof(std::uint64_t), updates, run->result};
}

Result<RandomRun> host_random(std::uint64_t bytes, HostPages pages) {
  const std::uint64_t words = isobench_random_words(bytes), updates = isobench_random_updates(words);
  auto buffer = host_buffer(words * sizeof(std::uint64_t), pages);
  if (!buffer) return std::unexpected(buffer.error());
  auto* p = static_cast<std::uint64_t*>(buffer->get());
  isobench_random_fill(p, words);
  isobench_random_access(p, words - 1, updates / 8, ISOBENCH_RANDOM_WARM_SEED);
  std::int64_t start = monotonic_ns();
  std::uint64_t digest = isobench_random_access(p, words - 1, updates, ISOBENCH_RANDOM_SEED);
  std::int64_t end = monotonic_ns();
  return RandomRun{end - start, words * sizeof(std::uint64_t), updates, digest};
}

Result<TouchRun> guest_first_touch(GuestVm& vm, std::uint64_t bytes, std::uint64_t stride) {
  if (auto ok = fits(vm, bytes, "first touch"); !ok) return std::unexpected(ok.error());
  auto run = vm.call(ISOBENCH_OP_TOUCH, {vm.heap_base(), bytes, stride}, kKernelLimit);
  if (!run) return std::unexpected(run.error());
  return TouchRun{run->ns, run->result};
}

Result<TouchRun> host_first_touch(std::uint64_t bytes, std::uint64_t stride, HostPages pages) {
  auto buffer = host_buffer(bytes, pages);
  if (!buffer) return std::unexpected(buffer.error());
  std::int64_t start = monotonic_ns();
  std::uint64_t writes = isobench_touch_pages(reinterpret_cast<std::uint8_t*>(buffer->get()), bytes, stride);
  std::int64_t end = monotonic_ns();
  return TouchRun{end - start, writes};
}

}  // namespace isobench::kvm
