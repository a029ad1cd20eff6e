// mem [triad|chase] [BYTES]: memory bandwidth and latency, both by default.
//   triad: STREAM's a[i] = b[i] + s*c[i] over three arrays of BYTES in total (default
//          192 MiB), 24 bytes per element as STREAM counts them; the median of 7 passes
//          (STREAM takes the best, but these hosts are shared and noisy).
//   chase: dependent loads along one random cycle through BYTES (default 128 MiB) of
//          64-byte lines, so every load waits for the previous one: latency per load,
//          TLB misses included.
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

#include "measure.hpp"
#include "runtimes/common/quote.hpp"
#include "workload.hpp"

namespace workload {
namespace {

constexpr std::uint64_t kDefaultTriadBytes = 192ULL << 20;
constexpr std::uint64_t kDefaultChaseBytes = 128ULL << 20;
constexpr int kTriadPasses = 7;
constexpr std::size_t kLineBytes = 64;

// An anonymous mapping on transparent huge pages where the kernel offers them: triad
// measures bandwidth, and faulting in 4 KiB pages first costs seconds on a nested host.
class HugeArray {
 public:
  explicit HugeArray(std::size_t count) : bytes_(count * sizeof(double)) {
    void* p = ::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    ::madvise(p, bytes_, MADV_HUGEPAGE);
    data_ = static_cast<double*>(p);
  }
  HugeArray(const HugeArray&) = delete;
  HugeArray& operator=(const HugeArray&) = delete;
  ~HugeArray() { ::munmap(data_, bytes_); }
  double& operator[](std::size_t i) { return data_[i]; }

 private:
  std::size_t bytes_;
  double* data_;
};

void triad(JsonObject& out, std::uint64_t bytes) {
  const std::size_t n = bytes / (3 * sizeof(double));
  HugeArray a(n), b(n), c(n);
  // Written before the timed passes so that page faults fall outside them.
  for (std::size_t i = 0; i < n; ++i) {
    a[i] = 0.0;
    b[i] = 1.0;
    c[i] = 2.0;
  }
  const double scalar = 3.0;
  std::array<std::int64_t, kTriadPasses> pass_ns{};
  for (auto& ns : pass_ns) {
    std::int64_t start = monotonic_now_ns();
    for (std::size_t i = 0; i < n; ++i) a[i] = b[i] + scalar * c[i];
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
  figures.add("valid", n == 0 || (a[0] == 7.0 && a[n / 2] == 7.0 && a[n - 1] == 7.0));
  out.add_raw("triad", figures.str());
}

struct alignas(kLineBytes) Line {
  Line* next;
};

void chase(JsonObject& out, std::uint64_t bytes) {
  const std::size_t lines = bytes / kLineBytes;
  std::unique_ptr<Line[]> nodes(new Line[lines]);
  // Sattolo's shuffle: one cycle through every line, in a fixed pseudo-random order.
  std::vector<std::uint32_t> order(lines);
  std::iota(order.begin(), order.end(), 0u);
  std::uint64_t x = 0x9E3779B97F4A7C15ULL;
  for (std::size_t i = lines - 1; i > 0; --i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    std::size_t j = x % i;
    std::swap(order[i], order[j]);
  }
  for (std::size_t i = 0; i < lines; ++i) nodes[i].next = &nodes[order[i]];

  Line* p = &nodes[0];
  for (std::size_t i = 0; i < lines / 8; ++i) p = p->next;  // warm-up: TLB and caches
  // Half the cycle: every load still misses, and slow hosts (nested paging) stay short.
  const std::size_t hops = lines / 2;
  std::int64_t start = monotonic_now_ns();
  for (std::size_t i = 0; i < hops; ++i) p = p->next;
  std::int64_t ns = monotonic_now_ns() - start;
  // Stored through a volatile object, so the walk cannot be optimized away.
  Line* volatile sink = p;
  (void)sink;

  JsonObject figures;
  figures.add("bytes", static_cast<std::uint64_t>(lines * kLineBytes)).add("ops", static_cast<std::uint64_t>(hops));
  figures.add("seconds", ns / 1e9).add("ns_per_op", static_cast<double>(ns) / static_cast<double>(hops));
  out.add_raw("chase", figures.str());
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
  bool run_triad = true, run_chase = true;
  if (next < args.size() && (args[next] == "triad" || args[next] == "chase")) {
    run_triad = args[next] == "triad";
    run_chase = !run_triad;
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
  std::uint64_t largest = bytes.value_or(run_triad ? kDefaultTriadBytes : kDefaultChaseBytes);
  if (auto available = available_memory(); available && largest > *available / 10 * 8) {
    error = "BYTES " + std::to_string(largest) + " is more than 80% of MemAvailable (" + std::to_string(*available) +
            " bytes)";
    return kFailed;
  }
  try {
    if (run_triad) triad(out, bytes.value_or(kDefaultTriadBytes));
    if (run_chase) chase(out, bytes.value_or(kDefaultChaseBytes));
  } catch (const std::bad_alloc&) {
    error = "out of memory for " + std::to_string(bytes.value_or(kDefaultTriadBytes)) + " bytes";
    return kFailed;
  }
  return kDone;
}

}  // namespace workload
