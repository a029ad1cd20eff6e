// `bench ab BASE NEW [selection]`: runs two builds of isobench on the same selection in
// many short interleaved blocks (A B B A ...), each block one `--repetition-slice` of
// every benchmark's repetitions, each side one long-lived server (bench/cli/ab_sides.hpp),
// so that both sides meet the same seconds of load; merges each side's blocks into its
// results.json; judges NEW against BASE by the blocks' effects, with Holm's correction
// over all benchmarks and the minimum effect; writes what CI reads.
//
//   OUT/base/results.json, OUT/new/results.json   each side, as if run alone
//   OUT/comparison.json                           the verdicts (bench compare --json's format)
//   OUT/summary.md                                for a pull request comment
//   OUT/github-action-benchmark.json              customSmallerIsBetter input
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <expected>
#include <fstream>
#include <sstream>

#include "ab_builds.hpp"
#include "ab_sides.hpp"
#include "ab_signals.hpp"
#include "bench/compare/ab_merge.hpp"
#include "bench/compare/ab_schedule.hpp"
#include "bench/compare/blocked_comparison.hpp"
#include "bench/compare/ci_outputs.hpp"
#include "bench/compare/compare_json.hpp"
#include "bench/compare/verdict_table.hpp"
#include "bench/harness/backend_set.hpp"
#include "bench/harness/results_file.hpp"
#include "bench/harness/results_pipeline.hpp"
#include "bench/results/model.hpp"
#include "commands.hpp"
#include "runtimes/common/clock.hpp"
#include "runtimes/common/spawn.hpp"
#include "runtimes/common/unique_fd.hpp"

namespace isobench::cli {
namespace {

namespace fs = std::filesystem;
using compare::AbSide;

// The blocks' own results folders, removed on every path: only the merged files stay.
class ScratchDir {
 public:
  explicit ScratchDir(fs::path path) : path_(std::move(path)) {}
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
    if (ec) std::fprintf(stderr, "bench: warning: ab: could not remove %s: %s\n", path_.c_str(), ec.message().c_str());
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

const char* side_name(AbSide side) { return side == AbSide::kBase ? "base" : "new"; }

// The selection as flags for a side's bench, without --out.
std::vector<std::string> selection_args(const SuiteRun& run) {
  std::vector<std::string> out;
  auto join = [](const std::vector<std::string>& names) {
    std::string text;
    for (const auto& name : names) text += (text.empty() ? "" : ",") + name;
    return text;
  };
  if (!run.backends.empty()) out.push_back("--backend=" + join(run.backends));
  if (!run.suites.empty()) out.push_back("--suite=" + join(run.suites));
  if (!run.filter.empty()) out.push_back("--filter=" + run.filter);
  if (run.repetitions) out.push_back("--repetitions=" + std::to_string(*run.repetitions));
  if (run.quick) out.push_back("--quick");
  return out;
}

std::string label_of(const AbBuild& build) {
  return build.revision.empty() ? build.binary.string() : build.given + " (" + build.revision.substr(0, 12) + ")";
}

std::string format_alpha(double alpha) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", alpha);
  return text;
}

// "  compared: --backend=bare,container --suite=startup --repetitions=200\n" per part.
std::string describe_parts(const std::vector<AbPart>& parts) {
  std::string out;
  for (const AbPart& part : parts) {
    out += part.compared ? "  compared, both sides in the blocks:" : "  NEW only, once:";
    for (const std::string& arg : selection_args(part.selection)) out += " " + arg;
    out += "\n";
  }
  return out;
}

nlohmann::json parts_json(const std::vector<AbPart>& parts) {
  nlohmann::json out = nlohmann::json::array();
  for (const AbPart& part : parts) out.push_back({{"compared", part.compared}, {"args", selection_args(part.selection)}});
  return out;
}

Result<void> write_json(const fs::path& path, const nlohmann::json& value) {
  return write_file_atomically(path, value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

}  // namespace

int run_ab(const Command& command) {
  const AbRun& ab = command.ab;
  AbSignalScope signals;  // before the builds: a signal during one stops it (ab_builds.cpp)
  fs::path state_dir = default_state_dir();
  auto base = resolve_ab_build(ab.base, state_dir);
  if (!base && ab_signal() != 0) return usage_error("ab: BASE " + base.error().describe()), 128 + ab_signal();
  if (!base) return usage_error("ab: BASE " + base.error().describe());
  auto next = resolve_ab_build(ab.next, state_dir);
  if (!next && ab_signal() != 0) return usage_error("ab: NEW " + next.error().describe()), 128 + ab_signal();
  if (!next) return usage_error("ab: NEW " + next.error().describe());

  fs::path out_dir = ab.selection.out.value_or(fs::path(default_results_dir().string() + "-ab"));
  if (auto ready = prepare_output_dir(out_dir); !ready) return usage_error("--out: " + ready.error().describe());
  ScratchDir scratch(out_dir / ("isobench-ab-blocks-" + std::to_string(::getpid())));
  std::error_code ec;
  fs::create_directories(scratch.path(), ec);
  if (ec) return usage_error("ab: create " + in_quotes(scratch.path().string()) + ": " + ec.message());
  std::vector<const AbPart*> compared, new_only;
  for (const AbPart& part : ab.parts) (part.compared ? compared : new_only).push_back(&part);
  if (ab.default_selection)
    std::printf("bench ab: no selection given: the CI selection --backend %s --suite %s%s\n%s", kCiSelectionBackends,
                kCiSelectionSuites, ab.selection.quick ? " --quick" : "", describe_parts(ab.parts).c_str());
  const bool show_progress = ::isatty(STDERR_FILENO) == 1;  // SPEC: progress on a terminal only

  // Each side starts once; declared after `scratch`, so they stop before it is removed.
  auto interrupted = [&](const std::string& during) {
    std::fprintf(stderr, "bench: ab: interrupted by signal %d during %s; nothing compared\n", ab_signal(), during.c_str());
    return 128 + ab_signal();
  };
  std::unique_ptr<AbSideRunner> sides[2];
  std::vector<std::string> notes;
  bool notes_for[2] = {false, false};  // the side runs one process per block
  for (int s = 0; s < 2; ++s) {
    const AbBuild& build = s == 0 ? *base : *next;
    auto side = AbSideRunner::start(build, ab.backend_args, scratch.path() / (std::string(s == 0 ? "base" : "new") + "-side.log"));
    if (!side && ab_signal() != 0) return interrupted("the start of the sides");
    if (!side) return usage_error("ab: " + std::string(s == 0 ? "BASE" : "NEW") + " " + side.error().describe());
    sides[s] = std::move(*side);
    if (!sides[s]->fallback_reason().empty()) {
      notes_for[s] = true;
      notes.push_back(std::string(s == 0 ? "BASE" : "NEW") + " `" + label_of(build) + "`: " + sides[s]->fallback_reason());
      std::printf("bench ab: %s\n", notes.back().c_str());  // stdout: stderr is for the one-line error
    }
  }
  const int blocks = ab.blocks;
  // Every results document of each side, for its merged results.json; and per block, the
  // compared parts' rows as one file, for the blocked test.
  std::vector<std::optional<nlohmann::json>> documents[2];
  std::vector<results::ResultsFile> files[2];
  for (auto& side : files) side.resize(blocks);
  std::vector<compare::AbStep> schedule = compare::abba_schedule(blocks);
  const std::size_t steps = schedule.size() * compared.size() + new_only.size();
  std::size_t step_number = 0;
  // One part on one side: its results document, nullopt for a slice that held no
  // repetition; an exit status to return when the side could not run it.
  auto run_part = [&](const AbBuild& build, AbSide side, const AbPart& part, std::size_t part_index,
                      std::optional<int> block) -> std::expected<std::optional<nlohmann::json>, int> {
    std::string tag = std::string(side_name(side)) + "-" + (block ? std::to_string(*block) : "once") + "-part" +
                      std::to_string(part_index);
    fs::path block_dir = scratch.path() / tag;
    std::vector<std::string> args = selection_args(part.selection);
    if (block) args.push_back("--repetition-slice=" + std::to_string(*block) + "/" + std::to_string(blocks));
    ++step_number;
    if (show_progress)
      std::fprintf(stderr, "\r\033[Kbench: ab: %s, %s (%zu of %zu)",
                   block ? ("block " + std::to_string(*block + 1) + "/" + std::to_string(blocks)).c_str() : "NEW only",
                   side_name(side), step_number, steps);
    fs::path log = scratch.path() / (tag + ".log");
    const std::string where = block ? "block " + std::to_string(*block + 1) : "its NEW-only part";
    auto outcome = sides[side == AbSide::kBase ? 0 : 1]->run(args, block_dir, log);
    if (!outcome && ab_signal() != 0) return std::unexpected(interrupted(where));
    if (!outcome)
      return std::unexpected(usage_error("ab: " + std::string(side_name(side)) + " " + label_of(build) + " failed on " +
                                         where + ": " + outcome.error().describe()));
    const ExitStatus& status = outcome->status;
    // 0: ran; 1: ran, some repetitions failed (their rows say why); anything else: no run.
    if (!status.exited || (status.exit_code != 0 && status.exit_code != 1))
      return std::unexpected(usage_error("ab: " + std::string(side_name(side)) + " " + label_of(build) + " failed on " +
                                         where + " (" + status.describe() + "): " + outcome->why));
    const fs::path& results_path = outcome->results;
    if (results_path.empty()) {
      if (status.exit_code == 0) return std::optional<nlohmann::json>();  // a slice that held no repetition
      return std::unexpected(usage_error("ab: " + std::string(side_name(side)) + " wrote no results on " + where + ": " +
                                         outcome->why));
    }
    auto text = results::read_results_text(results_path);
    if (!text) return std::unexpected(usage_error("ab: " + text.error().describe()));
    auto document = nlohmann::json::parse(text->text, nullptr, false);
    if (document.is_discarded()) return std::unexpected(usage_error("ab: " + results_path.string() + ": not JSON"));
    return std::optional<nlohmann::json>(std::move(document));
  };

  // Block b runs every compared part on both sides, each part's two runs back to back:
  // the schedule's order for even parts (A B, then B A in the next block) and the other
  // way round for odd ones, so that a part's BASE and NEW runs are seconds apart at most
  // and a change of load between parts falls on each side equally often.
  std::vector<std::vector<std::optional<nlohmann::json>>> block_documents[2];
  for (auto& side : block_documents) side.resize(blocks);
  for (std::size_t i = 0; i + 1 < schedule.size(); i += 2) {
    const int block = schedule[i].block;
    for (std::size_t k = 0; k < compared.size(); ++k) {
      AbSide order[2] = {schedule[i].side, schedule[i + 1].side};
      if (k % 2 == 1) std::swap(order[0], order[1]);
      for (AbSide side : order) {
        const int s = side == AbSide::kBase ? 0 : 1;
        auto document = run_part(side == AbSide::kBase ? *base : *next, side, *compared[k], k, block);
        if (!document) return document.error();
        if (!*document) continue;
        block_documents[s][block].push_back(**document);
        documents[s].push_back(std::move(*document));
      }
    }
  }
  for (int s = 0; s < 2; ++s)
    for (int block = 0; block < blocks; ++block) {
      if (block_documents[s][block].empty()) continue;
      std::string source = "block " + std::to_string(block + 1) + " of " + side_name(s == 0 ? AbSide::kBase : AbSide::kNew);
      auto merged_block = compare::merge_blocks(block_documents[s][block], source);
      if (!merged_block) return usage_error("ab: " + merged_block.error().describe());
      auto file = results::from_json(std::move(*merged_block), source);
      if (!file) return usage_error("ab: " + file.error().describe());
      files[s][block] = std::move(*file);
    }
  std::vector<std::optional<nlohmann::json>> new_only_documents;
  for (std::size_t k = 0; k < new_only.size(); ++k) {
    auto document = run_part(*next, AbSide::kNew, *new_only[k], compared.size() + k, std::nullopt);
    if (!document) return document.error();
    if (*document) new_only_documents.push_back(std::move(*document));
  }

  if (show_progress) std::fputs("\r\033[K", stderr);
  // The sides are done: each shuts its backends down and audits the host for leftovers.
  for (int s = 0; s < 2; ++s) {
    bool served = sides[s]->serving();
    ExitStatus status = sides[s]->stop();
    if (served && !status.success())
      std::fprintf(stderr, "bench: warning: ab: %s's side server ended with %s (a leftover it removed, or a failed shutdown)\n",
                   s == 0 ? "BASE" : "NEW", status.describe().c_str());
  }

  results::ResultsFile merged[2];
  for (int s = 0; s < 2; ++s) {
    const AbBuild& build = s == 0 ? *base : *next;
    fs::path path = out_dir / (s == 0 ? "base" : "new") / "results.json";
    std::vector<std::optional<nlohmann::json>> all = documents[s];
    if (s == 1) all.insert(all.end(), new_only_documents.begin(), new_only_documents.end());
    auto document = compare::merge_blocks(all, path.string());
    if (!document) return usage_error("ab: " + document.error().describe());
    (*document)["context"]["ab"] = {{"side", s == 0 ? "base" : "new"},
                                    {"build", build.given},
                                    {"binary", build.binary.string()},
                                    {"revision", build.revision.empty() ? nlohmann::json(nullptr) : nlohmann::json(build.revision)},
                                    {"blocks", blocks},
                                    {"order", "ABBA"},
                                    {"parts", parts_json(ab.parts)}};
    auto finished = finish_results(*document, path.string());
    if (!finished) std::fprintf(stderr, "bench: warning: ab: %s\n", finished.error().describe().c_str());
    fs::create_directories(path.parent_path(), ec);
    if (auto written = write_json(path, *document); !written) return usage_error("ab: " + written.error().describe());
    // The comparison sees the compared parts only; NEW's other rows are added after it.
    auto compared_document = compare::merge_blocks(documents[s], path.string());
    if (!compared_document) return usage_error("ab: " + compared_document.error().describe());
    auto model = results::from_json(std::move(*compared_document), path.string());
    if (!model) return usage_error("ab: " + model.error().describe());
    merged[s] = std::move(*model);
  }
  std::optional<results::ResultsFile> new_only_file;
  if (!new_only_documents.empty()) {
    auto document = compare::merge_blocks(new_only_documents, "NEW's NEW-only part");
    if (!document) return usage_error("ab: " + document.error().describe());
    auto file = results::from_json(std::move(*document), "NEW's NEW-only part");
    if (!file) return usage_error("ab: " + file.error().describe());
    new_only_file = std::move(*file);
  }

  compare::CompareSettings settings;
  settings.alpha = ab.alpha;
  settings.threshold = ab.threshold_pct / 100;
  auto comparison = compare::compare_blocked(files[0], files[1], merged[0], merged[1], settings);
  if (!comparison) return usage_error("ab: " + comparison.error().describe());
  if (new_only_file)
    compare::add_new_only(*comparison, *new_only_file,
                          "NEW only: with these repetitions no test could reach p < " + format_alpha(ab.alpha) +
                              ", so BASE did not run it (bench ab BASE NEW --repetitions 12 compares it)");

  std::fputs(compare::verdict_table(*comparison).c_str(), stdout);
  std::fflush(stdout);
  compare::CompareInputs inputs{(out_dir / "base" / "results.json").string(), (out_dir / "new" / "results.json").string(), "", ""};
  nlohmann::json verdicts = compare::to_json(*comparison, inputs);
  verdicts["base"]["build"] = label_of(*base);
  verdicts["new"]["build"] = label_of(*next);
  // How each side ran: "server", or "one process per block" for a bench without it.
  verdicts["sides"] = {{"base", notes_for[0] ? "one process per block" : "server"},
                       {"new", notes_for[1] ? "one process per block" : "server"}};
  if (auto w = write_json(out_dir / "comparison.json", verdicts); !w) return usage_error("ab: " + w.error().describe());
  std::string markdown = compare::markdown_summary(*comparison, {label_of(*base), label_of(*next), notes});
  if (auto w = write_file_atomically(out_dir / "summary.md", markdown); !w) return usage_error("ab: " + w.error().describe());
  if (auto w = write_json(out_dir / "github-action-benchmark.json", compare::action_benchmark_json(*comparison, false)); !w)
    return usage_error("ab: " + w.error().describe());
  nlohmann::json bigger = compare::action_benchmark_json(*comparison, true);
  if (!bigger.empty())
    if (auto w = write_json(out_dir / "github-action-benchmark-bigger.json", bigger); !w)
      return usage_error("ab: " + w.error().describe());
  std::fprintf(stderr, "bench: ab: results in %s (summary.md, comparison.json, github-action-benchmark.json)\n",
               out_dir.c_str());
  if (comparison->gate_fails()) {
    std::fprintf(stderr, "bench: ab: %zu regression(s), %zu failed benchmark(s) in NEW\n",
                 comparison->count(compare::Verdict::kRegression), comparison->count(compare::Verdict::kFailed));
    return 1;
  }
  return 0;
}

}  // namespace isobench::cli
