#include "ab_builds.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <thread>
#include <vector>

#include "runtimes/common/clock.hpp"
#include "runtimes/common/quote.hpp"
#include "runtimes/common/spawn.hpp"
#include "runtimes/common/unique_fd.hpp"

namespace isobench::cli {
namespace {

namespace fs = std::filesystem;

// Runs argv with stdout and stderr appended to `log`; the exit status.
Result<ExitStatus> run_logged(const std::vector<std::string>& argv, const fs::path& log) {
  UniqueFd out(::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  if (!out) return fail_errno("open " + in_quotes(log.string()));
  auto child = spawn_process(argv, SpawnIo{-1, out.get(), out.get()});
  if (!child) return std::unexpected(child.error());
  return child->wait(Deadline::never());
}

// The full commit of `revision` in the repository of the current directory.
Result<std::string> commit_of(const std::string& revision) {
  auto out = capture_output({"git", "rev-parse", "--verify", "--quiet", revision + "^{commit}"},
                            Deadline::after(std::chrono::seconds(30)));
  if (!out || out->empty()) return fail("not a git revision here");
  std::string commit = *out;
  while (!commit.empty() && (commit.back() == '\n' || commit.back() == '\r')) commit.pop_back();
  return commit;
}

Result<void> build_revision(const std::string& commit, const fs::path& dir) {
  std::error_code ec;
  fs::remove_all(dir, ec);  // a partial build from an interrupted run
  fs::create_directories(dir / "src", ec);
  if (ec) return fail("create " + in_quotes((dir / "src").string()) + ": " + ec.message());
  fs::path log = dir / "build.log";
  std::fprintf(stderr, "bench: ab: building %s into %s (log: %s)\n", commit.substr(0, 12).c_str(), dir.c_str(), log.c_str());
  // git archive: the tree of that commit alone, without touching this checkout.
  auto archived = run_logged({"sh", "-c", "git archive --format=tar \"$1\" | tar -x -C \"$2\"", "sh", commit,
                              (dir / "src").string()},
                             log);
  if (!archived || !archived->success()) return fail("git archive " + commit + " failed; see " + log.string());
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  auto configured = run_logged({"cmake", "-S", (dir / "src").string(), "-B", (dir / "build").string(),
                                "-DCMAKE_BUILD_TYPE=RelWithDebInfo"},
                               log);
  if (!configured || !configured->success()) return fail("cmake configure failed; see " + log.string());
  auto built = run_logged({"cmake", "--build", (dir / "build").string(), "--target", "bench", "-j", std::to_string(jobs)}, log);
  if (!built || !built->success()) return fail("cmake build failed; see " + log.string());
  UniqueFd marker(::open((dir / "complete").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!marker) return fail_errno("create " + in_quotes((dir / "complete").string()));
  return {};
}

}  // namespace

Result<AbBuild> resolve_ab_build(const std::string& given, const fs::path& state_dir) {
  AbBuild build{given, {}, {}};
  std::error_code ec;
  bool looks_like_path = given.find('/') != std::string::npos || fs::exists(given, ec);
  if (looks_like_path) {
    fs::path path = fs::absolute(given, ec);
    if (ec || !fs::is_regular_file(path, ec)) return fail(quote_input(given) + ": no such file (expected a bench binary or a git revision)");
    if (::access(path.c_str(), X_OK) != 0) return fail(quote_input(given) + ": not executable");
    build.binary = path;
    return build;
  }
  auto commit = commit_of(given);
  if (!commit) return fail(quote_input(given) + ": neither a bench binary nor a git revision of the repository here");
  build.revision = *commit;
  fs::path dir = state_dir / "ab-builds" / commit->substr(0, 12);
  build.binary = dir / "build" / "bin" / "bench";
  if (fs::exists(dir / "complete", ec) && fs::exists(build.binary, ec)) return build;
  if (auto built = build_revision(*commit, dir); !built)
    return std::unexpected(built.error().with_context(quote_input(given)));
  return build;
}

}  // namespace isobench::cli
