// `sequence W1 ARGS -- W2 ARGS -- ...`: several workloads one after another in the same
// instance, so that one guest boot serves a whole overhead run (syscall, cpu, mem, io)
// instead of one boot each. Each part times itself as it would alone; a part that fails
// is recorded failed with its own error and the next part still runs.
#include <string>
#include <vector>

#include "measure.hpp"
#include "runtimes/common/quote.hpp"
#include "workload.hpp"

namespace workload {

namespace {

constexpr std::string_view kSeparator = "--";

std::vector<std::span<const std::string>> split_parts(std::span<const std::string> args) {
  std::vector<std::span<const std::string>> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= args.size(); ++i) {
    if (i == args.size() || args[i] == kSeparator) {
      parts.push_back(args.subspan(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

}  // namespace

int run_sequence(std::span<const std::string> args, JsonObject& out, std::string& error) {
  std::vector<std::span<const std::string>> parts = split_parts(args);
  // Every part is checked before any runs: a typo fails at once, not after minutes.
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].empty()) {
      error = "part " + std::to_string(i + 1) + " is empty (W1 ARGS -- W2 ARGS ...)";
      return kUsage;
    }
    const WorkloadEntry* entry = find_workload(parts[i][0]);
    if (entry == nullptr || std::string_view(entry->name) == "sequence") {
      error = "part " + std::to_string(i + 1) + ": " +
              (entry == nullptr ? "unknown workload " : "a sequence cannot nest ") + isobench::quote_input(parts[i][0]);
      return kUsage;
    }
  }
  std::string list;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const WorkloadEntry* entry = find_workload(parts[i][0]);
    JsonObject part, figures;
    std::string part_error;
    part.add("workload", entry->name);
    const std::int64_t start_ns = monotonic_now_ns();
    int code = entry->run(parts[i].subspan(1), figures, part_error);
    part.add("wall_s", static_cast<double>(monotonic_now_ns() - start_ns) / 1e9);
    if (code == kDone) {
      part.add("ok", true).add_raw("data", figures.str());
    } else {
      if (code == kUsage) part_error += std::string(" (usage: ") + entry->usage + ")";
      part.add("ok", false).add("error", part_error);
    }
    list += (i == 0 ? "" : ",") + part.str();
  }
  out.add_raw("parts", "[" + list + "]");
  return kDone;
}

}  // namespace workload
