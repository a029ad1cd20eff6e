// /init of the guest that scripts/test-kvm-nested-svm boots under QEMU's TCG with an
// SVM-capable CPU: it loads KVM for AMD (irqbypass, kvm, kvm-amd from /modules), then
// runs the kvm backend's tests and its figures tool, and the microvm VMM's tests and two
// of its system call figures, against that hardware KVM, and powers off. Each step's outcome goes to the console as an "isobench-nested:" line
// that the script reads.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int load_module(const char* path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || syscall(SYS_finit_module, fd, "", 0) != 0) {
    printf("isobench-nested: module %s failed: %s\n", path, strerror(errno));
    return -1;
  }
  close(fd);
  printf("isobench-nested: module %s loaded\n", path);
  return 0;
}

static int run(char* const argv[]) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    execv(argv[0], argv);
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(void) {
  mount("proc", "/proc", "proc", 0, NULL);
  mount("sysfs", "/sys", "sysfs", 0, NULL);
  mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
  mount("tmpfs", "/tmp", "tmpfs", 0, NULL);
  setvbuf(stdout, NULL, _IOLBF, 0);
  int ok = load_module("/modules/irqbypass.ko") == 0 && load_module("/modules/kvm.ko") == 0 &&
           load_module("/modules/kvm-amd.ko") == 0;
  if (ok) {
    char* tests[] = {"/isobench_kvm_tests", "--gtest_color=no", NULL};
    printf("isobench-nested: tests exit %d\n", run(tests));
    char* check[] = {"/isobench-kvm-check", NULL};
    printf("isobench-nested: check exit %d\n", run(check));
    // The microvm VMM on hardware KVM: its supervisor takes syscall in ring 0 here.
    char* microvm_tests[] = {"/isobench_microvm_tests", "--gtest_color=no", NULL};
    printf("isobench-nested: microvm tests exit %d\n", run(microvm_tests));
    char* getpid[] = {"/isobench-microvm", "--", "/isobench-workload", "syscall", "getpid", "0.2", NULL};
    printf("isobench-nested: microvm getpid exit %d\n", run(getpid));
    char* clock[] = {"/isobench-microvm", "--", "/isobench-workload", "syscall", "clock_gettime", "0.2", NULL};
    printf("isobench-nested: microvm clock_gettime exit %d\n", run(clock));
  }
  printf("isobench-nested: done\n");
  fflush(stdout);
  sync();
  reboot(RB_POWER_OFF);
  return 0;
}
