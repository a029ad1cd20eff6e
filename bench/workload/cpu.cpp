// cpu [ROUNDS]: a fixed, deterministic compute kernel. ROUNDS (default 400) passes of a
// multiply-xorshift hash over 1 MiB of generated words, each word's step depending on
// the last, so the figure is the core's integer latency, not memory. The digest depends
// only on ROUNDS: the same binary must print the same digest in every backend.
#include <cstdio>
#include <vector>

#include "measure.hpp"
#include "runtimes/common/quote.hpp"
#include "workload.hpp"

namespace workload {
namespace {

constexpr std::uint64_t kDefaultRounds = 400;
constexpr std::size_t kWords = (1 << 20) / sizeof(std::uint64_t);

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::uint64_t hash_rounds(const std::vector<std::uint64_t>& words, std::uint64_t rounds) {
  std::uint64_t h = 0x243F6A8885A308D3ULL;
  for (std::uint64_t r = 0; r < rounds; ++r) {
    h ^= r;
    for (std::uint64_t w : words) {
      h = (h ^ w) * 0xFF51AFD7ED558CCDULL;
      h ^= h >> 33;
    }
  }
  return h;
}

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
  std::vector<std::uint64_t> words(kWords);
  std::uint64_t seed = 1;
  for (auto& word : words) word = splitmix64(seed);
  // Warm-up: caches and page faults outside the window.
  volatile std::uint64_t warm = hash_rounds(words, 1);
  (void)warm;

  std::int64_t start = monotonic_now_ns();
  std::uint64_t digest = hash_rounds(words, *rounds);
  std::int64_t ns = monotonic_now_ns() - start;

  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(digest));
  double seconds = static_cast<double>(ns) / 1e9;
  std::uint64_t ops = *rounds * kWords;
  out.add("kernel", "hash").add("rounds", *rounds).add("ops", ops).add("seconds", seconds);
  out.add("ops_per_s", seconds > 0 ? static_cast<double>(ops) / seconds : 0.0).add("digest", hex);
  return kDone;
}

}  // namespace workload
