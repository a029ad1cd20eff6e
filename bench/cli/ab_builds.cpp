#include "ab_builds.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <string_view>
#include <thread>
#include <vector>

#include "ab_signals.hpp"
#include "bench/safety/interrupt.hpp"
#include "runtimes/common/clock.hpp"
#include "runtimes/common/quote.hpp"
#include "runtimes/common/spawn.hpp"
#include "runtimes/common/unique_fd.hpp"

extern char** environ;

namespace isobench::cli {
namespace {

namespace fs = std::filesystem;

// Runs argv with stdout and stderr appended to `log`; the exit status. `env` empty: this
// process's environment. A SIGINT/SIGTERM to ab while it runs kills the whole tree under
// ab (sh, git, tar, cmake, make and the compilers: a SIGTERM to ab alone reaches none of
// them, and make's children outlive make), and fails with the signal.
Result<ExitStatus> run_logged(const std::vector<std::string>& argv, const fs::path& log,
                              const std::vector<std::string>& env = {}) {
  UniqueFd out(::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  if (!out) return fail_errno("open " + in_quotes(log.string()));
  auto child = spawn_process(argv, SpawnIo{-1, out.get(), out.get()}, env);
  if (!child) return std::unexpected(child.error());
  auto status = wait_unless_signalled(*child);
  if (!status) return std::unexpected(status.error());
  if (*status) return **status;
  // Every descendant (SIGKILL), the child reaped, then once more for a compiler that
  // make was starting while the first pass ran.
  safety::kill_run_processes(::getpid());
  child->kill_and_reap();
  safety::kill_run_processes(::getpid());
  return fail("interrupted by signal " + std::to_string(ab_signal()));
}

// A tool ab needs for a git revision, as a full path: spawn_process() does not search
// $PATH, so "git" alone would be looked up in the current directory and not be found.
Result<fs::path> tool(const std::string& name) {
  auto path = find_in_path(name);
  if (!path) return fail(name + " is not on PATH (it is needed to build a git revision)");
  return *path;
}

// The full commit of `revision` in the repository of the current directory; nullopt when
// git answers that it is not one (git itself missing is an error of its own).
Result<std::optional<std::string>> commit_of(const std::string& revision) {
  auto git = tool("git");
  if (!git) return std::unexpected(git.error());
  auto out = capture_output({git->string(), "rev-parse", "--verify", "--quiet", revision + "^{commit}"},
                            Deadline::after(std::chrono::seconds(30)));
  if (!out || out->empty()) return std::optional<std::string>();
  std::string commit = *out;
  while (!commit.empty() && (commit.back() == '\n' || commit.back() == '\r')) commit.pop_back();
  return std::optional<std::string>(commit);
}

Result<void> build_steps(const std::string& commit, const fs::path& dir);

// A build that failed or was interrupted leaves no partial tree behind (the next run
// would remove it anyway; an interrupted one should not leave gigabytes meanwhile). The
// log of a failed build stays, for its reader.
Result<void> build_revision(const std::string& commit, const fs::path& dir) {
  auto built = build_steps(commit, dir);
  if (!built && ab_signal() != 0) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    return fail("build of " + commit.substr(0, 12) + " interrupted by signal " + std::to_string(ab_signal()) +
                "; its partial build removed");
  }
  return built;
}

Result<void> build_steps(const std::string& commit, const fs::path& dir) {
  std::error_code ec;
  fs::remove_all(dir, ec);  // a partial build from an interrupted run
  fs::create_directories(dir / "src", ec);
  if (ec) return fail("create " + in_quotes((dir / "src").string()) + ": " + ec.message());
  fs::path log = dir / "build.log";
  std::fprintf(stderr, "bench: ab: building %s into %s (log: %s)\n", commit.substr(0, 12).c_str(), dir.c_str(), log.c_str());
  auto git = tool("git");
  if (!git) return std::unexpected(git.error());
  auto tar = tool("tar");
  if (!tar) return std::unexpected(tar.error());
  auto cmake = tool("cmake");
  if (!cmake) return std::unexpected(cmake.error());
  // git archive: the tree of that commit alone, without touching this checkout. /bin/sh
  // only joins the two tools with a pipe; both are given as full paths.
  auto archived = run_logged({"/bin/sh", "-c", "\"$1\" archive --format=tar \"$2\" | \"$3\" -x -C \"$4\"", "sh",
                              git->string(), commit, tar->string(), (dir / "src").string()},
                             log);
  if (!archived || !archived->success()) return fail("git archive " + commit + " failed; see " + log.string());
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::string> configure{cmake->string(), "-S", (dir / "src").string(), "-B", (dir / "build").string(),
                                     "-DCMAKE_BUILD_TYPE=RelWithDebInfo"};
  // Two revisions share most of their objects: ccache, where installed, makes the second
  // build cheap. It hashes the working directory of a -g compile unless told not to, and
  // every revision builds in a directory of its own: paths relative to `dir`, no dir hash.
  std::vector<std::string> build_env;
  if (auto ccache = find_in_path("ccache")) {
    for (const char* language : {"C", "CXX"})
      configure.push_back(std::string("-DCMAKE_") + language + "_COMPILER_LAUNCHER=" + ccache->string());
    for (char** entry = environ; *entry != nullptr; ++entry) {
      std::string_view variable(*entry);
      if (!variable.starts_with("CCACHE_BASEDIR=") && !variable.starts_with("CCACHE_NOHASHDIR="))
        build_env.emplace_back(variable);
    }
    build_env.push_back("CCACHE_BASEDIR=" + dir.string());
    build_env.push_back("CCACHE_NOHASHDIR=true");
  }
  auto configured = run_logged(configure, log, build_env);
  if (!configured || !configured->success()) return fail("cmake configure failed; see " + log.string());
  auto built = run_logged({cmake->string(), "--build", (dir / "build").string(), "--target", "bench", "-j",
                           std::to_string(jobs)},
                          log, build_env);
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
  auto found = commit_of(given);
  if (!found) return std::unexpected(found.error().with_context(quote_input(given)));
  if (!*found) return fail(quote_input(given) + ": neither a bench binary nor a git revision of the repository here");
  const std::string& commit = **found;
  build.revision = commit;
  fs::path dir = state_dir / "ab-builds" / commit.substr(0, 12);
  build.binary = dir / "build" / "bin" / "bench";
  if (fs::exists(dir / "complete", ec) && fs::exists(build.binary, ec)) return build;
  if (auto built = build_revision(commit, dir); !built)
    return std::unexpected(built.error().with_context(quote_input(given)));
  return build;
}

}  // namespace isobench::cli
