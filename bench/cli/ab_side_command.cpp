// `bench ab-side [backend flags]` (hidden; what `bench ab` starts once per side): a bench
// that stays up and runs one block after another on request, so that ab can alternate
// its two sides in many short blocks without a process start and a probe per block.
//
// A line protocol: on the standard output it first says "isobench-ab-side 1"; then for
// each line on its standard input, the arguments of a plain suite run separated by tabs
// ("--backend=bare\t--suite=startup\t--repetition-slice=3/40\t--out=DIR"), it runs them
// and answers one line: "done RC DIR/results.json" (RC 0, or 1 when repetitions failed),
// "empty" (the slice held no repetition), or "error REASON". End of input (ab ended, or
// died) or a SIGINT/SIGTERM ends it: the backends shut down and the leak audit runs
// once, for the whole session. Everything else it prints goes to its standard error.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>

#include "bench/harness/benchmark_json.hpp"
#include "bench/harness/manifest.hpp"
#include "bench/harness/plan.hpp"
#include "bench/harness/results_file.hpp"
#include "bench/harness/run_reporter.hpp"
#include "bench/safety/interrupt.hpp"
#include "bench/safety/run_audit.hpp"
#include "commands.hpp"
#include "runtimes/common/unique_fd.hpp"

namespace isobench::cli {
namespace {

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    std::size_t tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) return out;
    start = tab + 1;
  }
}

// One line on the protocol fd; false when ab is gone.
bool answer(int fd, std::string line) {
  for (char& c : line)
    if (c == '\n') c = ' ';
  line += '\n';
  std::size_t written = 0;
  while (written < line.size()) {
    ssize_t n = ::write(fd, line.data() + written, line.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    written += static_cast<std::size_t>(n);
  }
  return true;
}

Result<void> write_scratch_file(const std::filesystem::path& path, const std::string& text) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd) return fail_errno("open " + in_quotes(path.string()));
  for (std::size_t written = 0; written < text.size();) {
    ssize_t n = ::write(fd.get(), text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail_errno("write " + in_quotes(path.string()));
    written += static_cast<std::size_t>(n);
  }
  return {};
}

}  // namespace

int run_ab_side(const Command& command) {
  // The protocol keeps the original standard output to itself; whatever else writes to
  // fd 1 (Google Benchmark, a backend's tool) lands on stderr, ab's log of this side.
  UniqueFd protocol(::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3));
  if (!protocol || ::dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
    std::perror("bench: ab-side: redirect stdout");
    return 2;
  }
  BackendSet backends(backend_config_from(command.backend_flags));
  const safety::HostRoots host = safety::host_roots(backends.config().state_dir);
  const safety::RunBaseline baseline = safety::take_baseline(host);
  auto watch = safety::InterruptWatch::start();
  if (!watch) return usage_error("ab-side: " + watch.error().describe());
  static char flag_interleave[] = "--benchmark_enable_random_interleaving=true";
  static char program[] = "bench";
  char* gb_argv[] = {program, flag_interleave, nullptr};
  int gb_argc = 2;
  benchmark::Initialize(&gb_argc, gb_argv);
  if (!answer(protocol.get(), "isobench-ab-side 1")) return 2;

  // The manifest probes versions (`crun --version`...): once per set of backends.
  std::map<std::vector<std::string>, nlohmann::json> manifests;
  std::string line;
  while (!safety::interrupted() && std::getline(std::cin, line)) {
    std::vector<std::string> words = split_tabs(line);
    std::vector<std::string_view> args(words.begin(), words.end());
    auto parsed = parse_command_line(args);
    if (!parsed || parsed->kind != CommandKind::kSuites || !parsed->suites.out || parsed->suites.all) {
      if (!answer(protocol.get(), "error " + (parsed ? std::string("not a suite run with --out: ") + line
                                                     : parsed.error().describe())))
        break;
      continue;
    }
    const SuiteRun& run = parsed->suites;
    Plan plan(backends, plan_selection_from(run));
    add_all_suites(plan);
    if (plan.specs().empty()) {
      if (!answer(protocol.get(), run.slice_count > 1 ? "empty" : "error no benchmark matches the selection")) break;
      continue;
    }
    if (auto ready = prepare_output_dir(*run.out); !ready) {
      if (!answer(protocol.get(), "error --out: " + ready.error().describe())) break;
      continue;
    }
    plan.register_with_google_benchmark();
    RunReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::ClearRegisteredBenchmarks();
    auto results = parse_benchmark_json(reporter.json());
    if (!results) {
      if (!answer(protocol.get(), "error internal: " + results.error().describe())) break;
      continue;
    }
    auto [cached, fresh] = manifests.try_emplace(run.backends);
    if (fresh)
      cached->second = environment_manifest(backends, [&plan](std::string_view name) { return plan.wants_backend(name); });
    for (auto& [key, value] : cached->second.items()) (*results)["context"][key] = value;
    std::string command_line = "bench ab-side:";
    for (const auto& word : words) command_line += " " + word;
    (*results)["context"]["command"] = command_line;
    (*results)["context"]["quick"] = run.quick;
    if (run.slice_count > 1)
      (*results)["context"]["repetition_slice"] = std::to_string(run.slice_index) + "/" + std::to_string(run.slice_count);
    if (safety::interrupted()) (*results)["context"]["interrupted"] = ::sigabbrev_np(safety::interrupt_signal());
    // A block's file is scratch that ab reads once and removes: written plainly, without
    // the fsyncs of a results file (two per block cost seconds over a run on a busy disk).
    std::filesystem::path path = *run.out / "results.json";
    if (auto written = write_scratch_file(path, results->dump() + "\n"); !written) {
      if (!answer(protocol.get(), "error " + written.error().describe())) break;
      continue;
    }
    if (!answer(protocol.get(), "done " + std::to_string(reporter.failures() > 0 ? 1 : 0) + " " + path.string())) break;
  }
  // Every block's instances cleaned up after themselves; what a backend keeps between
  // blocks (a private dockerd) stops here, before the audit would take it for a leak.
  (void)backends.shut_down();
  std::vector<std::string> leaks = safety::audit_run(baseline, host);
  if (safety::interrupted()) return 128 + safety::interrupt_signal();
  if (!leaks.empty()) {
    std::fprintf(stderr, "bench: ab-side: the session left %zu isobench artifact(s) on the host (listed above, removed)\n",
                 leaks.size());
    return 1;
  }
  return 0;
}

}  // namespace isobench::cli
