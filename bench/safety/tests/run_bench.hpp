// Runs the real `bench` binary (ISOBENCH_BENCH) for end-to-end tests.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

namespace isobench::safety::testing {

struct BenchRun {
  int exit_code = -1;  // 128+N when killed by signal N
  pid_t pid = 0;       // the bench process, which names what it creates
  std::string out;
  std::string err;
};

inline const char* bench_path() {
  const char* path = std::getenv("ISOBENCH_BENCH");
  return path ? path : "bench";
}

inline std::string read_all(int fd) {
  std::string text;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<std::size_t>(n));
  return text;
}

// How bench is started beyond its arguments: extra environment, and a command that runs
// it (e.g. setpriv to drop to another user). The bench binary is `bench` when set, else
// ISOBENCH_BENCH.
struct BenchStart {
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<std::string> wrapper;
  std::string bench;
};

// Starts bench with stdout/stderr to files; returns its pid (the caller waits).
inline pid_t start_bench(const std::vector<std::string>& args, const std::string& out_file, const std::string& err_file,
                         const BenchStart& how = {}) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int out = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(out, 1);
    ::dup2(err, 2);
    for (const auto& [name, value] : how.env) ::setenv(name.c_str(), value.c_str(), 1);
    std::vector<char*> argv;
    for (const auto& arg : how.wrapper) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(const_cast<char*>(how.bench.empty() ? bench_path() : how.bench.c_str()));
    for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

inline int exit_code_of(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

inline BenchRun run_bench(const std::vector<std::string>& args, const BenchStart& how = {}) {
  std::string base = "/tmp/isobench-safetytest-" + std::to_string(::getpid()) + "-out";
  pid_t pid = start_bench(args, base + ".1", base + ".2", how);
  int status = 0;
  ::waitpid(pid, &status, 0);
  BenchRun run;
  run.pid = pid;
  run.exit_code = exit_code_of(status);
  int out = ::open((base + ".1").c_str(), O_RDONLY);
  int err = ::open((base + ".2").c_str(), O_RDONLY);
  run.out = read_all(out);
  run.err = read_all(err);
  ::close(out);
  ::close(err);
  ::unlink((base + ".1").c_str());
  ::unlink((base + ".2").c_str());
  return run;
}

}  // namespace isobench::safety::testing
