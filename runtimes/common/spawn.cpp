#include "spawn.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>

#include "line_reader.hpp"

extern char** environ;

namespace isobench {
namespace {

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const auto& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

class SpawnFileActions {
 public:
  SpawnFileActions() { ::posix_spawn_file_actions_init(&actions_); }
  ~SpawnFileActions() { ::posix_spawn_file_actions_destroy(&actions_); }
  SpawnFileActions(const SpawnFileActions&) = delete;
  SpawnFileActions& operator=(const SpawnFileActions&) = delete;
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

// /dev/null, opened once (close-on-exec, so no child inherits it): a child's stdin is a
// dup2 of it rather than a path lookup of its own in every spawn, while the parent waits.
int dev_null() {
  static const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  return fd;
}

}  // namespace

Result<Pipe> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return fail_errno("pipe2");
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

Result<ChildProcess> spawn_process(const std::vector<std::string>& argv, const SpawnIo& io,
                                   const std::vector<std::string>& env) {
  if (argv.empty()) return fail("spawn: empty argv");
  SpawnFileActions actions;
  if (io.stdin_fd >= 0)
    ::posix_spawn_file_actions_adddup2(actions.get(), io.stdin_fd, 0);
  else if (int null = dev_null(); null >= 0)
    ::posix_spawn_file_actions_adddup2(actions.get(), null, 0);
  else
    ::posix_spawn_file_actions_addopen(actions.get(), 0, "/dev/null", O_RDONLY, 0);
  if (io.stdout_fd >= 0) ::posix_spawn_file_actions_adddup2(actions.get(), io.stdout_fd, 1);
  if (io.stderr_fd >= 0) ::posix_spawn_file_actions_adddup2(actions.get(), io.stderr_fd, 2);

  auto args = c_strings(argv);
  auto envp = c_strings(env);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, argv[0].c_str(), actions.get(), nullptr, args.data(),
                         env.empty() ? environ : envp.data());
  if (rc != 0) return fail_errno("posix_spawn " + in_quotes(argv[0]), rc);
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  // Without a pidfd (kernels before 5.3) ChildProcess falls back to waitid(P_PID).
  return ChildProcess(pid, UniqueFd(pidfd));
}

std::optional<std::filesystem::path> find_in_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string dirs = path && *path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    auto end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::filesystem::path candidate = std::filesystem::path(dirs.substr(start, end - start)) / program;
    if (end > start && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return std::nullopt;
}

Result<std::string> capture_output(const std::vector<std::string>& argv, Deadline deadline) {
  auto out = make_pipe();
  if (!out) return std::unexpected(out.error());
  auto err = make_pipe();
  if (!err) return std::unexpected(err.error());
  auto child = spawn_process(argv, {-1, out->write_end.get(), err->write_end.get()});
  if (!child) return std::unexpected(child.error());
  out->write_end.reset();
  err->write_end.reset();
  LineReader out_reader(std::move(out->read_end));
  LineReader err_reader(std::move(err->read_end));
  auto text = out_reader.drain(deadline);
  auto err_text = err_reader.drain(deadline);
  if (!text) return std::unexpected(text.error().with_context(argv[0]));
  auto status = child->wait(deadline);
  if (!status) return std::unexpected(status.error());
  if (!status->success()) {
    std::string detail = err_text ? *err_text : "";
    while (!detail.empty() && detail.back() == '\n') detail.pop_back();
    auto nl = detail.rfind('\n');
    if (nl != std::string::npos) detail = detail.substr(nl + 1);
    return fail(argv[0] + ": " + status->describe() + (detail.empty() ? "" : ": " + detail));
  }
  return *text;
}

}  // namespace isobench
