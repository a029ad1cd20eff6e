/* isobench-spawn-floor: an independent check of bench's startup/bare/noop row, outside
 * bench and its harness. It spawns the workload binary's `noop` N times with the plainest
 * posix_spawn + waitpid sequence (stdout to /dev/null, nothing else) and prints the median
 * time per spawn in nanoseconds on stdout (min, median, p90 and N on stderr).
 *   isobench-spawn-floor [--ready-pipe] WORKLOAD_BINARY [N=200]
 * --ready-pipe: the least a harness that observes readiness must do instead: stdout and
 * stderr on a pipe, the ready line read from it, then the exit awaited on a pidfd and the
 * rest of the output read. What it adds over the plain loop is the cost of the readiness
 * channel itself (a pipe, a wake-up for the ready line); what bench's row adds over it is
 * the harness's own.
 * Plain C on purpose: nothing of bench's code or build is shared with what it checks. */
#define _GNU_SOURCE /* pipe2 */
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <time.h>

extern char** environ;

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int by_value(const void* a, const void* b) {
  long long x = *(const long long*)a, y = *(const long long*)b;
  return (x > y) - (x < y);
}

/* One launch observed through a pipe: 0 on success. */
static int spawn_with_ready_pipe(char* binary, char** child_argv) {
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return -1;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, out[1], 2);
  pid_t pid;
  int rc = posix_spawn(&pid, binary, &actions, NULL, child_argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    return -1;
  }
  int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  char buffer[4096];
  int ready = 0;
  while (!ready) { /* the ready line: the first newline */
    struct pollfd waiter = {out[0], POLLIN, 0};
    if (poll(&waiter, 1, 10000) <= 0) break;
    ssize_t n = read(out[0], buffer, sizeof buffer);
    if (n <= 0) break;
    ready = memchr(buffer, '\n', (size_t)n) != NULL;
  }
  struct pollfd exit_waiter = {pidfd, POLLIN, 0};
  if (pidfd >= 0) poll(&exit_waiter, 1, 10000);
  while (read(out[0], buffer, sizeof buffer) > 0) {
  }
  int status = 0;
  waitpid(pid, &status, 0);
  close(out[0]);
  if (pidfd >= 0) close(pidfd);
  return ready && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int main(int argc, char** argv) {
  int ready_pipe = argc > 1 && strcmp(argv[1], "--ready-pipe") == 0;
  argv += ready_pipe;
  argc -= ready_pipe;
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: isobench-spawn-floor [--ready-pipe] WORKLOAD_BINARY [N]\n");
    return 2;
  }
  long n = argc == 3 ? strtol(argv[2], NULL, 10) : 200;
  if (n < 1 || n > 1000000) {
    fprintf(stderr, "isobench-spawn-floor: N must be 1 to 1000000\n");
    return 2;
  }
  long long* samples = malloc(sizeof *samples * (size_t)n);
  if (!samples) return 1;
  char* child_argv[] = {argv[1], "noop", NULL};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  for (long i = -5; i < n; ++i) { /* five warm-up spawns, not counted */
    pid_t pid;
    int status = 0;
    long long start = now_ns();
    if (ready_pipe) {
      if (spawn_with_ready_pipe(argv[1], child_argv) != 0) {
        fprintf(stderr, "isobench-spawn-floor: %s noop failed\n", argv[1]);
        return 1;
      }
      if (i >= 0) samples[i] = now_ns() - start;
      continue;
    }
    int rc = posix_spawn(&pid, argv[1], &actions, NULL, child_argv, environ);
    if (rc != 0) {
      fprintf(stderr, "isobench-spawn-floor: posix_spawn %s: %s\n", argv[1], strerror(rc));
      return 1;
    }
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      fprintf(stderr, "isobench-spawn-floor: %s noop did not exit 0\n", argv[1]);
      return 1;
    }
    long long end = now_ns();
    if (i >= 0) samples[i] = end - start;
  }
  posix_spawn_file_actions_destroy(&actions);
  qsort(samples, (size_t)n, sizeof *samples, by_value);
  long long median = n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
  fprintf(stderr, "isobench-spawn-floor: %ld %s of %s noop: min %lld ns, median %lld ns, p90 %lld ns\n", n,
          ready_pipe ? "launches observed through a pipe" : "spawns", argv[1], samples[0], median, samples[(size_t)(n * 9 / 10 < n ? n * 9 / 10 : n - 1)]);
  printf("%lld\n", median);
  free(samples);
  return 0;
}
