#include "ab_sides.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

#include "ab_signals.hpp"
#include "runtimes/common/quote.hpp"
#include "runtimes/common/spawn.hpp"

namespace isobench::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kGreeting = "isobench-ab-side 1";

std::string last_line_of(const fs::path& log) {
  std::ifstream in(log);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last;
}

// The last thing a side server said itself ("bench: ..."), not Google Benchmark's
// console rows that share its log; empty when it said nothing.
std::string last_bench_line_of(const fs::path& log) {
  std::ifstream in(log);
  std::string line, last;
  while (std::getline(in, line))
    if (line.starts_with("bench: ")) last = line;
  return last;
}

std::string join_tabs(const std::vector<std::string>& args) {
  std::string out;
  for (const auto& arg : args) out += (out.empty() ? "" : "\t") + arg;
  return out;
}

}  // namespace

Result<std::unique_ptr<AbSideRunner>> AbSideRunner::start(const AbBuild& build, const std::vector<std::string>& backend_args,
                                              const fs::path& log) {
  std::unique_ptr<AbSideRunner> side(new AbSideRunner());
  side->build_ = build;
  side->backend_args_ = backend_args;
  side->log_ = log;
  UniqueFd log_fd(::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!log_fd) return fail_errno("open " + in_quotes(log.string()));
  // O_CLOEXEC on ab's ends: the other side's server must not hold this one's input open.
  auto input = make_pipe();
  if (!input) return std::unexpected(input.error());
  auto output = make_pipe();
  if (!output) return std::unexpected(output.error());
  std::vector<std::string> argv{build.binary.string(), "ab-side"};
  argv.insert(argv.end(), backend_args.begin(), backend_args.end());
  auto child = spawn_process(argv, SpawnIo{input->read_end.get(), output->write_end.get(), log_fd.get()});
  if (!child) return std::unexpected(child.error().with_context("start " + in_quotes(build.binary.string())));
  side->server_ = std::move(*child);
  side->to_server_ = std::move(input->write_end);
  side->from_server_ = std::move(output->read_end);
  input->read_end.reset();
  output->write_end.reset();
  auto greeting = side->read_line();
  if (greeting && *greeting == kGreeting) return side;
  if (ab_signal() != 0) return fail("interrupted by signal " + std::to_string(ab_signal()));
  // No greeting: a bench from before the server mode ("unknown command 'ab-side'"), or
  // one that could not start it. Either way its blocks can still run one process each.
  side->to_server_.reset();
  auto status = side->server_.wait(Deadline::after(std::chrono::seconds(10)));
  if (!status) side->server_.kill_and_reap();
  std::string said = last_line_of(log);
  side->fallback_reason_ = "it has no side server mode (" + (said.empty() ? std::string("no answer") : said) +
                           "): one process per block, each with its own start and probe";
  side->from_server_.reset();
  return side;
}

AbSideRunner::~AbSideRunner() { (void)stop(); }

ExitStatus AbSideRunner::stop() {
  if (!server_.running()) {
    auto status = server_.wait(Deadline::after(std::chrono::seconds(0)));
    return status ? *status : ExitStatus{};
  }
  to_server_.reset();  // end of input: the server shuts its backends down and exits
  auto status = server_.wait(Deadline::after(std::chrono::seconds(30)));
  if (status) return *status;
  std::fprintf(stderr, "bench: warning: ab: the side server %s did not exit 30 s after its input ended; killed\n",
               build_.binary.c_str());
  return server_.kill_and_reap();
}

Result<std::string> AbSideRunner::read_line() {
  for (;;) {
    if (auto newline = buffered_.find('\n'); newline != std::string::npos) {
      std::string line = buffered_.substr(0, newline);
      buffered_.erase(0, newline + 1);
      return line;
    }
    if (ab_signal() != 0) return fail("interrupted by signal " + std::to_string(ab_signal()));
    pollfd waiter{from_server_.get(), POLLIN, 0};
    int ready = ::poll(&waiter, 1, 100);  // a tenth of a second: how soon a signal is seen
    if (ready < 0 && errno != EINTR) return fail_errno("poll the side server");
    if (ready <= 0) continue;
    char chunk[4096];
    ssize_t n = ::read(from_server_.get(), chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail_errno("read the side server");
    if (n == 0) return fail("its output ended");
    buffered_.append(chunk, static_cast<std::size_t>(n));
  }
}

Result<BlockOutcome> AbSideRunner::run(const std::vector<std::string>& args, const fs::path& out_dir,
                                 const fs::path& block_log) {
  BlockOutcome outcome;
  outcome.status.exited = true;  // exit 0 until the run says otherwise
  if (!fallback_reason_.empty()) {
    UniqueFd out(::open(block_log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!out) return fail_errno("open " + in_quotes(block_log.string()));
    std::vector<std::string> argv{build_.binary.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), backend_args_.begin(), backend_args_.end());
    argv.push_back("--out=" + out_dir.string());
    auto child = spawn_process(argv, SpawnIo{-1, out.get(), out.get()});
    if (!child) return std::unexpected(child.error().with_context("start " + in_quotes(build_.binary.string())));
    forward_sigterm_to(child->pid());
    auto status = wait_unless_signalled(*child);
    if (status && !*status) (void)child->wait(Deadline::never());  // it got the signal too: let it finish
    forward_sigterm_to(0);
    if (!status) return std::unexpected(status.error());
    if (ab_signal() != 0) return fail("interrupted by signal " + std::to_string(ab_signal()));
    outcome.status = **status;
    std::error_code ec;
    if (fs::exists(out_dir / "results.json", ec)) outcome.results = out_dir / "results.json";
    outcome.why = last_line_of(block_log);
    return outcome;
  }
  // The server died (between blocks: the request meets a closed pipe; during one: its
  // answer never comes): say how, with the last thing it said.
  auto died = [this]() -> Error {
    auto status = server_.wait(Deadline::after(std::chrono::seconds(5)));
    std::string how = status ? status->describe() : "still running";
    if (!status) server_.kill_and_reap();
    std::string said = last_bench_line_of(log_);
    return Error::plain("its side server died (" + how + ")" + (said.empty() ? "" : ": " + said));
  };
  std::vector<std::string> request = args;
  request.push_back("--out=" + out_dir.string());
  std::string line = join_tabs(request) + "\n";
  for (std::size_t written = 0; written < line.size();) {
    ssize_t n = ::write(to_server_.get(), line.data() + written, line.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EPIPE) return std::unexpected(died());
    if (n < 0) return fail_errno("write to the side server");
    written += static_cast<std::size_t>(n);
  }
  forward_sigterm_to(server_.pid());
  auto answer = read_line();
  forward_sigterm_to(0);
  if (!answer) {
    if (ab_signal() != 0) return std::unexpected(answer.error());
    return std::unexpected(died());
  }
  if (*answer == "empty") return outcome;  // exit 0, no results: a slice with no repetition
  if (answer->starts_with("done ") && answer->size() > 7) {
    outcome.status.exited = true;
    outcome.status.exit_code = (*answer)[5] - '0';
    outcome.results = answer->substr(7);
    return outcome;
  }
  outcome.status.exited = true;
  outcome.status.exit_code = 2;
  outcome.why = answer->starts_with("error ") ? answer->substr(6) : "unexpected answer " + in_quotes(*answer);
  return outcome;
}

}  // namespace isobench::cli
