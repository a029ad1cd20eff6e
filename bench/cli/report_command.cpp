// `bench report DIR...` and the report at the end of `bench --all`: the report is a
// Python package (report/, matplotlib), run by the first interpreter that can import
// matplotlib; its failures come back as one line and exit code 2.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "bench/harness/results_pipeline.hpp"
#include "bench/results/claims.hpp"
#include "bench/results/model.hpp"
#include "runtimes/common/clock.hpp"
#include "runtimes/common/spawn.hpp"
#include "commands.hpp"

extern char** environ;

namespace isobench::cli {
namespace {

constexpr auto kProbeTimeout = std::chrono::seconds(30);
constexpr auto kRenderTimeout = std::chrono::minutes(10);

// The repository root holding report/: ISOBENCH_REPORT_ROOT, else the source tree this
// binary was built from.
Result<std::filesystem::path> report_root() {
  const char* env = std::getenv("ISOBENCH_REPORT_ROOT");
  std::filesystem::path root = env && *env ? env : ISOBENCH_SOURCE_DIR;
  if (!std::filesystem::exists(root / "report" / "__main__.py"))
    return fail("report package not found: no " + in_quotes((root / "report" / "__main__.py").string()) +
                " (set ISOBENCH_REPORT_ROOT to the isobench source tree)");
  return root;
}

std::vector<std::string> python_candidates() {
  if (const char* chosen = std::getenv("ISOBENCH_PYTHON"); chosen && *chosen) return {chosen};
  // Debian's own interpreter first: that is the one python3-matplotlib installs into,
  // while a python3 earlier on PATH (pyenv, conda) often lacks it.
  std::vector<std::string> out = {"/usr/bin/python3"};
  std::istringstream path(std::getenv("PATH") ? std::getenv("PATH") : "");
  for (std::string dir; std::getline(path, dir, ':');)
    if (!dir.empty() && ::access((dir + "/python3").c_str(), X_OK) == 0) out.push_back(dir + "/python3");
  return out;
}

}  // namespace

Result<std::string> find_report_python() {
  std::vector<std::string> tried;
  for (const auto& candidate : python_candidates()) {
    if (::access(candidate.c_str(), X_OK) != 0) continue;
    tried.push_back(candidate);
    auto probe = capture_output({candidate, "-c", "import matplotlib, numpy"}, Deadline::after(kProbeTimeout));
    if (probe) return candidate;
  }
  if (tried.empty()) return fail("report: no python3 interpreter found (install python3-matplotlib: scripts/setup)");
  std::string list;
  for (const auto& t : tried) list += (list.empty() ? "" : ", ") + t;
  return fail("report: no python3 can import matplotlib and numpy (tried " + list +
              "); install python3-matplotlib (scripts/setup) or set ISOBENCH_PYTHON");
}

int render_report(const std::vector<std::filesystem::path>& folders, const std::optional<std::filesystem::path>& out) {
  // The report draws what bench computed: a file from an older bench gets its claims
  // (and intervals) computed here, once, and written into it. A folder without a
  // results.json is left for the report to name in its one-line error.
  for (const auto& folder : folders) {
    std::error_code ignored;  // an unreadable or over-long path is the report's to name
    std::filesystem::path file = std::filesystem::is_directory(folder, ignored) ? folder / "results.json" : folder;
    if (!std::filesystem::is_regular_file(file, ignored)) continue;
    auto added = ensure_claims(file);
    if (!added) return usage_error("report: " + added.error().describe());
    if (*added) std::fprintf(stderr, "bench: added the claims to %s (written by an older bench)\n", file.c_str());
  }
  auto root = report_root();
  if (!root) return usage_error(root.error().describe());
  auto python = find_report_python();
  if (!python) return usage_error(python.error().describe());

  std::vector<std::string> argv = {*python, "-m", "report"};
  if (out) argv.insert(argv.end(), {"--out", out->string()});
  argv.emplace_back("--");
  for (const auto& folder : folders) argv.push_back(folder.string());

  std::vector<std::string> env;
  for (char** entry = environ; *entry; ++entry) {
    std::string_view item(*entry);
    if (!item.starts_with("PYTHONPATH=") && !item.starts_with("MPLBACKEND=") && !item.starts_with("PYTHONHOME="))
      env.emplace_back(item);
  }
  env.push_back("PYTHONPATH=" + root->string());
  env.push_back("MPLBACKEND=Agg");
  env.push_back("PYTHONDONTWRITEBYTECODE=1");

  std::fflush(stdout);
  std::fflush(stderr);
  auto child = spawn_process(argv, SpawnIo{}, env);
  if (!child) return usage_error("report: " + child.error().describe());
  auto status = child->wait(Deadline::after(kRenderTimeout));
  if (!status) return usage_error("report: waiting for " + *python + ": " + status.error().describe());
  if (status->success()) return 0;
  // The report printed its own one-line reason; a crash or signal did not.
  if (!status->exited) return usage_error("report: " + *python + " " + status->describe());
  return 2;
}

int run_report(const Command& command) {
  int status = render_report(command.report.folders, command.report.out);
  if (status != 0) return status;
  // Each folder's own claims (bench computed them per results file): several hosts'
  // verdicts can differ, and the first folder's must not stand for all.
  const auto& folders = command.report.folders;
  for (std::size_t i = 0; i < folders.size(); ++i) {
    auto file = results::read_results(folders[i]);
    if (!file) return usage_error("report: " + file.error().describe());
    if (folders.size() > 1) std::printf("%s== %s\n", i ? "\n" : "", folders[i].c_str());
    std::fputs(results::claims_table(file->claims).c_str(), stdout);
  }
  return 0;
}

}  // namespace isobench::cli
