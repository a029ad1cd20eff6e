// One side of `bench ab` (BASE's bench or NEW's): started once as a side server
// (`bench ab-side`, bench/cli/ab_side_command.cpp) that runs block after block on request,
// or, for a bench built before the server mode, one process per block (slower: a
// process start and a probe each; ab says so in its summary).
//
// The server never outlives ab: the destructor closes its input (it shuts its backends
// down and exits), waits, and kills and reaps it if it has not exited; and should ab
// itself be killed, the server reads the end of its input and exits the same way.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ab_builds.hpp"
#include "runtimes/common/child_process.hpp"
#include "runtimes/common/unique_fd.hpp"

namespace isobench::cli {

// How a block went: `status` as the block's own process would have exited (a server's
// "done RC" reads as exit RC), and `why`, one line for a block that did not run.
struct BlockOutcome {
  ExitStatus status;
  std::filesystem::path results;  // empty: the slice held no repetition, or no results
  std::string why;
};

class AbSideRunner {
 public:
  // Starts `build`'s side server with `backend_args`, its output in `log`; falls back to
  // one process per block when it has no server mode. An error: ab was interrupted, or
  // the server could not be started at all.
  static Result<std::unique_ptr<AbSideRunner>> start(const AbBuild& build, const std::vector<std::string>& backend_args,
                                               const std::filesystem::path& log);
  ~AbSideRunner();
  AbSideRunner(const AbSideRunner&) = delete;
  AbSideRunner& operator=(const AbSideRunner&) = delete;

  // Runs one suite run (`args`: the selection, the slice and --out=DIR); `block_log` takes
  // its output in the fallback. An error when the side died, or ab was interrupted
  // (ab_signal() says which).
  Result<BlockOutcome> run(const std::vector<std::string>& args, const std::filesystem::path& out_dir,
                           const std::filesystem::path& block_log);

  bool serving() const { return server_.running(); }
  // Why this side runs one process per block; empty when it serves.
  const std::string& fallback_reason() const { return fallback_reason_; }

  // Closes the server's input and waits for it to exit (30 s, then SIGKILL); its status.
  ExitStatus stop();

 private:
  AbSideRunner() = default;
  Result<std::string> read_line();  // one answer of the server, without its '\n'

  AbBuild build_;
  std::vector<std::string> backend_args_;
  std::filesystem::path log_;
  ChildProcess server_;
  UniqueFd to_server_, from_server_;
  std::string buffered_;
  std::string fallback_reason_;
};

}  // namespace isobench::cli
