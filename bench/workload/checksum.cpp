// checksum: deterministic output for the "same image, same behaviour" claim. The same
// binary must print the same digests wherever it runs: a digest of data it generates
// and computes on, and a digest of its own executable.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

#include "workload.hpp"

namespace workload {
namespace {

constexpr std::uint64_t kFnvOffset = 1469598103934665603ULL;
constexpr std::uint64_t kFnvPrime = 1099511628211ULL;

std::uint64_t fnv1a(std::uint64_t hash, const unsigned char* data, std::size_t size) {
  for (std::size_t i = 0; i < size; ++i) hash = (hash ^ data[i]) * kFnvPrime;
  return hash;
}

std::string hex(std::uint64_t value) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(value));
  return buf;
}

// 4 MiB of xorshift64 output, a pass of prefix sums over it, then its FNV-1a digest:
// integer arithmetic only, so any x86-64 CPU gives the same answer.
std::uint64_t compute_digest() {
  std::vector<std::uint64_t> data(1 << 19);
  std::uint64_t x = 0x9E3779B97F4A7C15ULL;
  for (auto& word : data) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    word = x;
  }
  for (std::size_t i = 1; i < data.size(); ++i) data[i] += data[i - 1];
  return fnv1a(kFnvOffset, reinterpret_cast<const unsigned char*>(data.data()), data.size() * sizeof(std::uint64_t));
}

bool digest_file(const char* path, std::uint64_t& digest, std::uint64_t& bytes) {
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  digest = kFnvOffset;
  bytes = 0;
  unsigned char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) {
    digest = fnv1a(digest, buf, static_cast<std::size_t>(n));
    bytes += static_cast<std::uint64_t>(n);
  }
  ::close(fd);
  return n == 0;
}

}  // namespace

int run_checksum(std::span<const std::string> args, JsonObject& out, std::string& error) {
  if (!args.empty()) {
    error = "checksum takes no arguments";
    return kUsage;
  }
  out.add("compute_digest", hex(compute_digest()));
  std::uint64_t exe_digest = 0, exe_bytes = 0;
  if (digest_file("/proc/self/exe", exe_digest, exe_bytes))
    out.add("exe_digest", hex(exe_digest)).add("exe_bytes", exe_bytes);
  else
    out.add("exe_digest", nullptr);
  return kDone;
}

}  // namespace workload
