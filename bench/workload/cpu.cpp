// cpu [ROUNDS]: a fixed, deterministic compute kernel. ROUNDS (default 400) passes of a
// multiply-xorshift hash over 1 MiB of generated words, each word's step depending on
// the last, so the figure is the core's integer latency, not memory. The digest depends
// only on ROUNDS: the same binary must print the same digest in every backend. The
// kernel (bench/kernels/hash.c) is the one the kvm backend's guest runs.
#include <cstdio>
#include <vector>

#include "bench/kernels/kernels.h"
#include "measure.hpp"
#include "runtimes/common/quote.hpp"
#include "workload.hpp"

namespace workload {
namespace {

constexpr std::uint64_t kDefaultRounds = 400;

}  // namespace

int run_cpu(std::span<const std::string> args, JsonObject& out, std::string& error) {
  if (args.size() > 1) {
    error = "cpu takes at most one argument";
    return kUsage;
  }
  std::optional<std::uint64_t> rounds = args.empty() ? kDefaultRounds : parse_count(args[0]);
  if (!rounds || *rounds > 1'000'000) {
    error = "bad ROUNDS " + isobench::quote_input(args[0]);
    return kUsage;
  }
  std::vector<std::uint64_t> words(ISOBENCH_HASH_WORDS);
  isobench_hash_fill(words.data(), words.size(), ISOBENCH_HASH_SEED);
  // Warm-up: caches and page faults outside the window.
  volatile std::uint64_t warm = isobench_hash_rounds(words.data(), words.size(), 1);
  (void)warm;

  std::int64_t start = monotonic_now_ns();
  std::uint64_t digest = isobench_hash_rounds(words.data(), words.size(), *rounds);
  std::int64_t ns = monotonic_now_ns() - start;

  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(digest));
  double seconds = static_cast<double>(ns) / 1e9;
  std::uint64_t ops = *rounds * ISOBENCH_HASH_WORDS;
  out.add("kernel", "hash").add("rounds", *rounds).add("ops", ops).add("seconds", seconds);
  out.add("ops_per_s", seconds > 0 ? static_cast<double>(ops) / seconds : 0.0).add("digest", hex);
  return kDone;
}

}  // namespace workload
