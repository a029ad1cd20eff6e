#include <unistd.h>

#include <string>
#include <vector>

#include "runtimes/common/quote.hpp"
#include "workload.hpp"

namespace {

int run(std::vector<std::string>& args) {
  using namespace workload;
  JsonObject result;
  result.add("isobench", "result");
  if (args.empty()) {
    std::string names;
    for (const auto& entry : workload_table()) names += std::string(names.empty() ? "" : ", ") + entry.name;
    result.add("workload", "").add("ok", false).add("error", "no workload given; one of: " + names);
    write_line(result.str());
    return kUsage;
  }
  result.add("workload", args[0]);
  const WorkloadEntry* entry = find_workload(args[0]);
  if (entry == nullptr) {
    result.add("ok", false).add("error", "unknown workload " + isobench::quote_input(args[0]));
    write_line(result.str());
    return kUsage;
  }
  JsonObject figures;
  std::string error;
  int code = entry->run(std::span<const std::string>(args).subspan(1), figures, error);
  if (code != kDone) {
    if (code == kUsage) error += std::string(" (usage: ") + entry->usage + ")";
    result.add("ok", false).add("error", error);
  } else {
    result.add("ok", true).add_raw("data", figures.str());
  }
  write_line(result.str());
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  // Readiness is the very first thing: the harness measures time-to-main with it.
  workload::write_line(R"({"isobench":"ready","pid":)" + std::to_string(::getpid()) + "}");

  std::vector<std::string> args(argv + 1, argv + argc);
  if (workload::is_guest_init(argc)) {
    workload::prepare_guest_init(args);
    run(args);
    workload::power_off_guest();
  }
  return run(args);
}
