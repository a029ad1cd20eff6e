// noop, idle and alloc: the workloads that measure startup and footprint.
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>

#include "runtimes/common/quote.hpp"
#include "workload.hpp"

namespace workload {
namespace {

std::int64_t now_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

int run_noop(std::span<const std::string> args, JsonObject&, std::string& error) {
  if (!args.empty()) {
    error = "noop takes no arguments";
    return kUsage;
  }
  return kDone;
}

int run_idle(std::span<const std::string> args, JsonObject& out, std::string& error) {
  std::optional<double> seconds = args.size() == 1 ? parse_seconds(args[0]) : std::nullopt;
  if (!seconds) {
    error = args.size() == 1 ? "bad SECONDS " + isobench::quote_input(args[0]) : "idle takes one argument";
    return kUsage;
  }
  double whole = std::floor(*seconds);
  timespec left{static_cast<time_t>(whole), static_cast<long>((*seconds - whole) * 1e9)};
  // Restarted after signals so that a stray SIGCHLD or SIGWINCH cannot end idling early.
  while (::nanosleep(&left, &left) != 0 && errno == EINTR) {
  }
  out.add("slept_s", *seconds);
  return kDone;
}

int run_alloc(std::span<const std::string> args, JsonObject& out, std::string& error) {
  std::optional<std::uint64_t> bytes = args.size() == 1 ? parse_bytes(args[0]) : std::nullopt;
  if (!bytes || *bytes == 0) {
    error = args.size() == 1 ? "bad BYTES " + isobench::quote_input(args[0]) : "alloc takes one argument";
    return kUsage;
  }
  std::int64_t start = now_ns();
  void* region = ::mmap(nullptr, *bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (region == MAP_FAILED) {
    error = std::string("mmap ") + std::to_string(*bytes) + " bytes: " + std::strerror(errno);
    return kFailed;
  }
  // Touch every page so the memory is really committed (and counted by a cgroup).
  const long page = ::sysconf(_SC_PAGESIZE);
  auto* p = static_cast<volatile unsigned char*>(region);
  for (std::uint64_t offset = 0; offset < *bytes; offset += static_cast<std::uint64_t>(page)) p[offset] = 1;
  std::int64_t elapsed = now_ns() - start;
  ::munmap(region, *bytes);
  out.add("bytes", *bytes).add("pages", (*bytes + page - 1) / page).add("touch_s", elapsed / 1e9);
  return kDone;
}

}  // namespace workload
