#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "workload.hpp"

namespace workload {

std::span<const WorkloadEntry> workload_table() {
  static constexpr WorkloadEntry kTable[] = {
      {"noop", "noop", run_noop},
      {"identity", "identity", run_identity},
      {"idle", "idle SECONDS", run_idle},
      {"alloc", "alloc BYTES[K|M|G]", run_alloc},
      {"checksum", "checksum", run_checksum},
      {"syscall", "syscall OP|all [SECONDS]", run_syscall},
      {"cpu", "cpu [ROUNDS]", run_cpu},
      {"mem", "mem [triad|chase|random] [BYTES[K|M|G]]", run_mem},
      {"io", "io DIR [seqwrite|randread] [BYTES[K|M|G]]", run_io},
      {"net", "net all|rr|stream|connect HOST PORT [SIZE] [SECONDS]", run_net},
      {"crash", "crash [segv|abort]", run_crash},
      {"sequence", "sequence W1 [ARGS] -- W2 [ARGS] ...", run_sequence},
  };
  return kTable;
}

const WorkloadEntry* find_workload(std::string_view name) {
  for (const auto& entry : workload_table())
    if (name == entry.name) return &entry;
  return nullptr;
}

void write_line(const std::string& line) {
  std::string out = line + "\n";
  const char* p = out.data();
  std::size_t left = out.size();
  while (left > 0) {
    ssize_t n = ::write(STDOUT_FILENO, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // nobody is listening; nothing useful to do
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

std::optional<std::uint64_t> parse_bytes(std::string_view text) {
  if (text.empty() || text[0] < '0' || text[0] > '9') return std::nullopt;
  std::uint64_t multiplier = 1;
  switch (text.back()) {
    case 'K': case 'k': multiplier = 1ULL << 10; text.remove_suffix(1); break;
    case 'M': case 'm': multiplier = 1ULL << 20; text.remove_suffix(1); break;
    case 'G': case 'g': multiplier = 1ULL << 30; text.remove_suffix(1); break;
    default: break;
  }
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    if (value > (std::numeric_limits<std::uint64_t>::max() - 9) / 10) return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (value > std::numeric_limits<std::uint64_t>::max() / multiplier) return std::nullopt;
  return value * multiplier;
}

std::optional<double> parse_seconds(std::string_view text) {
  if (text.empty() || text.size() > 32) return std::nullopt;
  std::string copy(text);
  char* end = nullptr;
  errno = 0;
  double value = std::strtod(copy.c_str(), &end);
  if (errno != 0 || end != copy.c_str() + copy.size() || !std::isfinite(value) || value < 0) return std::nullopt;
  return value;
}

}  // namespace workload
