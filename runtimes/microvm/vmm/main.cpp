// isobench-microvm: runs a static x86-64 Linux binary as the only program in a KVM guest
// with no guest OS, as the microvm backend's instance.
//
//   isobench-microvm [--dir DIR] [--memory BYTES] [--device PATH] -- BINARY [ARGS...]
//
// --dir DIR: the workload may create, write and remove files in DIR; the VMM gives it
// DIR/isobench-microvm-PID under that name and removes it when it ends.
// The workload's standard output and error are this process's; it ends as the workload
// does (its exit code, or its fatal signal), with a line on stderr saying why for
// anything but a clean exit. Exit 2: bad usage; 70: the VMM itself failed.
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <cstdlib>
#include <string>
#include <string_view>

#include "microvm.hpp"
#include "runtimes/kvm/hypervisor_facts.hpp"

extern char** environ;

namespace {

int usage(const std::string& why) {
  std::fprintf(stderr, "isobench-microvm: %s\nusage: isobench-microvm [--dir DIR] [--memory BYTES] [--device PATH] -- BINARY [ARGS...]\n",
               why.c_str());
  return 2;
}

// "2G", "512M", "1073741824".
bool parse_bytes(std::string_view text, std::uint64_t& out) {
  char* end = nullptr;
  std::string copy(text);
  unsigned long long value = std::strtoull(copy.c_str(), &end, 10);
  if (end == copy.c_str()) return false;
  std::string_view unit(end);
  if (unit == "K") value <<= 10;
  else if (unit == "M") value <<= 20;
  else if (unit == "G") value <<= 30;
  else if (!unit.empty()) return false;
  out = value;
  return true;
}

[[noreturn]] void end_as(int signal) {
  // Die of the workload's signal, as the process it replaces would, without a core file.
  rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);
  ::signal(signal, SIG_DFL);
  ::raise(signal);
  std::_Exit(128 + signal);
}

}  // namespace

int main(int argc, char** argv) {
  using isobench::microvm::MicrovmConfig;
  MicrovmConfig config;
  int i = 1;
  for (; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if (i + 1 >= argc) return usage("option " + std::string(arg) + " needs a value");
    if (arg == "--dir") config.writable_dir = argv[++i];
    else if (arg == "--device") config.device = argv[++i];
    else if (arg == "--memory") {
      if (!parse_bytes(argv[++i], config.memory_bytes)) return usage(std::string("bad --memory `") + argv[i] + "`");
    } else
      return usage("unknown option `" + std::string(arg) + "`");
  }
  if (i >= argc) return usage("no workload binary given");
  config.binary = argv[i];
  for (; i < argc; ++i) config.argv.push_back(argv[i]);
  for (char** env = environ; *env != nullptr; ++env) config.envp.push_back(*env);
  config.supervision = isobench::kvm::read_hypervisor_facts().is_pvm() ? isobench::microvm::Supervision::kUserMode
                                                                         : isobench::microvm::Supervision::kRing0;

  // The directory exists for the run only; its name carries this pid, so that `bench
  // clean` finds it after a SIGKILL.
  struct OwnDir {
    std::filesystem::path path;
    void remove() {
      std::error_code ignored;
      if (!path.empty()) std::filesystem::remove_all(path, ignored);
      path.clear();
    }
    ~OwnDir() { remove(); }
  } own_dir;
  if (!config.writable_dir.empty()) {
    own_dir.path = std::filesystem::path(config.writable_dir) / ("isobench-microvm-" + std::to_string(::getpid()));
    std::error_code error;
    if (!std::filesystem::create_directory(own_dir.path, error)) {
      std::fprintf(stderr, "isobench-microvm: mkdir `%s`: %s\n", own_dir.path.c_str(), error.message().c_str());
      own_dir.path.clear();
      return 70;
    }
    config.writable_host_dir = own_dir.path;
  }
  auto end = isobench::microvm::run_microvm(config);
  if (!end) {
    std::fprintf(stderr, "isobench-microvm: %s\n", end.error().describe().c_str());
    return 70;
  }
  if (!end->why.empty()) std::fprintf(stderr, "isobench-microvm: %s\n", end->why.c_str());
  const int signal = end->signal, code = end->exit_code;
  own_dir.remove();  // before a signal ends this process without unwinding
  if (signal != 0) end_as(signal);
  return code;
}
