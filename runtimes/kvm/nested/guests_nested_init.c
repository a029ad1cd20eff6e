// /init of the guest that scripts/test-guests-nested-kvm boots under QEMU's TCG with an
// SVM-capable CPU, to run the dynamic `bench` (vm and qemu backends) on hardware KVM:
// it loads virtio-pci, virtiofs and KVM for AMD from /modules (in the order of
// /modules/order), mounts the host's root (virtiofs tag "hostroot", read-only) at /host
// and the script's output dir (tag "out", the one writable share) at /host/tmp/out,
// gives the tree writable tmpfs where bench and libvirt write, proc, sysfs, devtmpfs and
// cgroup2, makes it the root (as switch_root does) and runs the script named by the kernel command line's
// isobench_script=PATH (the kernel hands unknown name=value words to init's
// environment) with /bin/sh. Each step's outcome goes to the console as an
// "isobench-nested:" line that the host script reads; then the guest powers off.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int load_module(const char* name) {
  char path[300];
  snprintf(path, sizeof path, "/modules/%s", name);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  // EEXIST: built into this kernel or already loaded.
  if (fd < 0 || (syscall(SYS_finit_module, fd, "", 0) != 0 && errno != EEXIST)) {
    printf("isobench-nested: module %s failed: %s\n", path, strerror(errno));
    if (fd >= 0) close(fd);
    return -1;
  }
  close(fd);
  return 0;
}

static int load_modules(void) {
  FILE* order = fopen("/modules/order", "r");
  if (order == NULL) {
    printf("isobench-nested: /modules/order: %s\n", strerror(errno));
    return -1;
  }
  char line[256];
  int count = 0, ok = 0;
  while (fgets(line, sizeof line, order) != NULL) {
    line[strcspn(line, "\n")] = '\0';
    if (line[0] == '\0') continue;
    if (load_module(line) != 0) ok = -1;
    ++count;
  }
  fclose(order);
  if (ok == 0) printf("isobench-nested: %d modules loaded\n", count);
  return ok;
}

static int do_mount(const char* source, const char* target, const char* type, unsigned long flags, const char* data) {
  mkdir(target, 0755);  // exists already on the host's tree, which is read-only
  if (mount(source, target, type, flags, data) != 0) {
    printf("isobench-nested: mount %s on %s (%s) failed: %s\n", source, target, type, strerror(errno));
    return -1;
  }
  return 0;
}

// The host's tree, read-only, with the guest's own writable and kernel file systems.
static int mount_host(void) {
  if (do_mount("hostroot", "/host", "virtiofs", MS_RDONLY, NULL) != 0) return -1;
  // Where bench, libvirt's embedded driver and QEMU write; the state dir is under /tmp.
  static const char* const tmpfs_dirs[] = {"/host/tmp", "/host/run", "/host/var/tmp", "/host/var/lib/isobench",
                                           "/host/root", "/host/dev/shm"};
  if (do_mount("proc", "/host/proc", "proc", 0, NULL) != 0 || do_mount("sysfs", "/host/sys", "sysfs", 0, NULL) != 0 ||
      do_mount("devtmpfs", "/host/dev", "devtmpfs", 0, NULL) != 0 ||
      do_mount("devpts", "/host/dev/pts", "devpts", 0, "newinstance,ptmxmode=0666") != 0 ||
      do_mount("cgroup2", "/host/sys/fs/cgroup", "cgroup2", 0, NULL) != 0)
    return -1;
  for (size_t i = 0; i < sizeof tmpfs_dirs / sizeof *tmpfs_dirs; ++i)
    if (do_mount("tmpfs", tmpfs_dirs[i], "tmpfs", 0, "mode=0755") != 0) return -1;
  chmod("/host/tmp", 01777);
  return do_mount("out", "/host/tmp/out", "virtiofs", 0, NULL);
}

// /host becomes the root as switch_root makes it: moved over / and chrooted into. A plain
// chroot is not enough: libvirt fills a domain's private /dev from a helper that setns()
// into QEMU's mount namespace, which resets its root to the namespace's root mount (the
// initramfs under a chroot; the top of the stack once /host is moved over it), so under
// a chroot QEMU's /dev had no /dev/kvm ("Could not access KVM kernel module").
static int switch_root(void) {
  if (chdir("/host") != 0 || mount(".", "/", NULL, MS_MOVE, NULL) != 0 || chroot(".") != 0 || chdir("/") != 0) {
    printf("isobench-nested: switch root to /host: %s\n", strerror(errno));
    return -1;
  }
  return 0;
}

static int run_script(const char* script) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    char* const argv[] = {"/bin/sh", (char*)script, NULL};
    char* const envp[] = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root",
                          "TERM=dumb", "LANG=C.UTF-8", NULL};
    execve(argv[0], argv, envp);
    printf("isobench-nested: exec /bin/sh %s: %s\n", script, strerror(errno));
    _exit(127);
  }
  // As PID 1, reap every orphan too (libvirt daemonizes QEMU, whose parent then exits),
  // until the script itself ends.
  int status = 0;
  for (;;) {
    int reaped_status = 0;
    pid_t reaped = waitpid(-1, &reaped_status, 0);
    if (reaped == pid) {
      status = reaped_status;
      break;
    }
    if (reaped < 0 && errno != EINTR) return 127;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(void) {
  mount("proc", "/proc", "proc", 0, NULL);
  mount("sysfs", "/sys", "sysfs", 0, NULL);
  mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
  setvbuf(stdout, NULL, _IOLBF, 0);
  const char* script = getenv("isobench_script");
  if (script == NULL) printf("isobench-nested: no isobench_script= on the kernel command line\n");
  else if (load_modules() == 0 && mount_host() == 0 && switch_root() == 0)
    printf("isobench-nested: script exit %d\n", run_script(script));
  printf("isobench-nested: done\n");
  fflush(stdout);
  // The out share's writes reach the host before the guest ends.
  sync();
  umount2("/tmp/out", 0);
  reboot(RB_POWER_OFF);
  return 0;
}
