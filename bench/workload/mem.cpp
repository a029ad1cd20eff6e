// mem [triad|chase|random] [BYTES]: memory bandwidth, latency and random access; triad
// and chase by default.
//   triad: STREAM's a[i] = b[i] + s*c[i] over three arrays of BYTES in total (default
//          192 MiB), 24 bytes per element as STREAM counts them; the median of 7 passes
//          (STREAM takes the best, but these hosts are shared and noisy).
//   chase: dependent loads along one random cycle through BYTES (default 128 MiB) of
//          64-byte lines, so every load waits for the previous one: latency per load,
//          TLB misses included.
//   random: independent read-modify-writes of 8-byte words at pseudo-random indices over
//          BYTES (default 1 GiB, far beyond the TLB's reach): ns per access, where page
//          size and a hypervisor's paging (nested or shadow page tables) show.
// The kernels are bench/kernels/memory.c, the code the kvm backend's guest runs too.
// BYTES should be several times the last-level cache for the figures to be memory's; a
// request beyond 80% of MemAvailable is refused, since in a guest the workload is init
// and the OOM killer would take the whole guest down.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <numeric>
#include <vector>

#include "bench/kernels/kernels.h"
#include "measure.hpp"
#include "runtimes/common/quote.hpp"
#include "workload.hpp"

namespace workload {
namespace {

constexpr std::uint64_t kDefaultTriadBytes = 192ULL << 20;
constexpr std::uint64_t kDefaultChaseBytes = 128ULL << 20;
constexpr std::uint64_t kDefaultRandomBytes = 1ULL << 30;
constexpr int kTriadPasses = 7;
constexpr std::size_t kLineBytes = 64;

// An anonymous mapping on transparent huge pages where the kernel offers them: triad
// measures bandwidth, and faulting in 4 KiB pages first costs seconds on a nested host.
// chase and random take the kernel's default pages, as any allocation would.
template <class T>
class Mapping {
 public:
  enum class Pages { kHuge, kDefault };
  Mapping(std::size_t count, Pages pages) : bytes_(count * sizeof(T)) {
    void* p = ::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    if (pages == Pages::kHuge) ::madvise(p, bytes_, MADV_HUGEPAGE);
    data_ = static_cast<T*>(p);
  }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  ~Mapping() { ::munmap(data_, bytes_); }
  T* get() const { return data_; }

 private:
  std::size_t bytes_;
  T* data_;
};
using HugeArray = Mapping<double>;

void triad(JsonObject& out, std::uint64_t bytes) {
  const std::size_t n = bytes / (3 * sizeof(double));
  HugeArray a(n, HugeArray::Pages::kHuge), b(n, HugeArray::Pages::kHuge), c(n, HugeArray::Pages::kHuge);
  // Written before the timed passes so that page faults fall outside them.
  isobench_triad_fill(a.get(), b.get(), c.get(), n);
  std::array<std::int64_t, kTriadPasses> pass_ns{};
  for (auto& ns : pass_ns) {
    std::int64_t start = monotonic_now_ns();
    isobench_triad(a.get(), b.get(), c.get(), n, 3.0);
    ns = monotonic_now_ns() - start;
  }
  std::sort(pass_ns.begin(), pass_ns.end());
  const double median_s = pass_ns[kTriadPasses / 2] / 1e9, best_s = pass_ns[0] / 1e9;
  const double pass_bytes = 3.0 * sizeof(double) * static_cast<double>(n);
  JsonObject figures;
  figures.add("bytes", static_cast<std::uint64_t>(pass_bytes)).add("passes", kTriadPasses);
  figures.add("seconds", median_s).add("bytes_per_s", median_s > 0 ? pass_bytes / median_s : 0.0);
  figures.add("best_bytes_per_s", best_s > 0 ? pass_bytes / best_s : 0.0);
  // The checker STREAM uses: every element must hold b + s*c.
  figures.add("valid", isobench_triad_valid(a.get(), n) == 1);
  out.add_raw("triad", figures.str());
}

void chase(JsonObject& out, std::uint64_t bytes) {
  const std::size_t lines = bytes / kLineBytes;
  Mapping<std::byte> nodes(lines * kLineBytes, Mapping<std::byte>::Pages::kDefault);
  {
    std::vector<std::uint32_t> order(lines);
    isobench_chase_build(nodes.get(), order.data(), lines);
  }
  void* p = isobench_chase(nodes.get(), lines / 8);  // warm-up: TLB and caches
  // Half the cycle: every load still misses, and slow hosts (nested paging) stay short.
  const std::size_t hops = lines / 2;
  std::int64_t start = monotonic_now_ns();
  p = isobench_chase(p, hops);
  std::int64_t ns = monotonic_now_ns() - start;
  const auto end_line = static_cast<std::uint64_t>((static_cast<std::byte*>(p) - nodes.get()) / kLineBytes);

  JsonObject figures;
  figures.add("bytes", static_cast<std::uint64_t>(lines * kLineBytes)).add("ops", static_cast<std::uint64_t>(hops));
  figures.add("seconds", ns / 1e9).add("ns_per_op", static_cast<double>(ns) / static_cast<double>(hops));
  figures.add("end_line", end_line);
  out.add_raw("chase", figures.str());
}

void random_access(JsonObject& out, std::uint64_t bytes) {
  // A power of two of words, so that an index is a mask away from the generator; one
  // update per 32 words, so that 1 GiB takes about a second on a nested host.
  const std::uint64_t words = isobench_random_words(bytes), updates = isobench_random_updates(words);
  Mapping<std::uint64_t> buffer(words, Mapping<std::uint64_t>::Pages::kDefault);
  isobench_random_fill(buffer.get(), words);
  isobench_random_access(buffer.get(), words - 1, updates / 8, ISOBENCH_RANDOM_WARM_SEED);
  std::int64_t start = monotonic_now_ns();
  std::uint64_t digest = isobench_random_access(buffer.get(), words - 1, updates, ISOBENCH_RANDOM_SEED);
  std::int64_t ns = monotonic_now_ns() - start;

  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(digest));
  JsonObject figures;
  figures.add("bytes", words * sizeof(std::uint64_t)).add("ops", updates);
  figures.add("seconds", ns / 1e9).add("ns_per_op", static_cast<double>(ns) / static_cast<double>(updates));
  figures.add("digest", hex);
  out.add_raw("random", figures.str());
}

// MemAvailable from /proc/meminfo, in bytes; nullopt where it cannot be read.
std::optional<std::uint64_t> available_memory() {
  int fd = ::open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  char buf[4096];
  ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return std::nullopt;
  buf[n] = '\0';
  const char* at = std::strstr(buf, "MemAvailable:");
  if (at == nullptr) return std::nullopt;
  unsigned long long kib = 0;
  if (std::sscanf(at, "MemAvailable: %llu kB", &kib) != 1) return std::nullopt;
  return kib * 1024;
}

}  // namespace

int run_mem(std::span<const std::string> args, JsonObject& out, std::string& error) {
  std::size_t next = 0;
  bool run_triad = true, run_chase = true, run_random = false;
  if (next < args.size() && (args[next] == "triad" || args[next] == "chase" || args[next] == "random")) {
    run_triad = args[next] == "triad";
    run_chase = args[next] == "chase";
    run_random = args[next] == "random";
    ++next;
  }
  std::optional<std::uint64_t> bytes;
  if (next < args.size()) {
    bytes = parse_bytes(args[next]);
    if (!bytes || *bytes < (1ULL << 20) || *bytes > (64ULL << 30)) {
      error = "bad BYTES " + isobench::quote_input(args[next]) + " (1M to 64G)";
      return kUsage;
    }
    ++next;
  }
  if (next != args.size()) {
    error = "unexpected argument " + isobench::quote_input(args[next]);
    return kUsage;
  }
  std::uint64_t largest =
      bytes.value_or(run_random ? kDefaultRandomBytes : run_triad ? kDefaultTriadBytes : kDefaultChaseBytes);
  if (auto available = available_memory(); available && largest > *available / 10 * 8) {
    error = "BYTES " + std::to_string(largest) + " is more than 80% of MemAvailable (" + std::to_string(*available) +
            " bytes)";
    return kFailed;
  }
  try {
    if (run_triad) triad(out, bytes.value_or(kDefaultTriadBytes));
    if (run_chase) chase(out, bytes.value_or(kDefaultChaseBytes));
    if (run_random) random_access(out, bytes.value_or(kDefaultRandomBytes));
  } catch (const std::bad_alloc&) {
    error = "out of memory for " + std::to_string(largest) + " bytes";
    return kFailed;
  }
  return kDone;
}

}  // namespace workload
