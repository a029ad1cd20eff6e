#include "options.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <regex>

#include "runtimes/common/quote.hpp"
#include "bench/harness/plan.hpp"
#include "bench/workload/workload.hpp"

namespace isobench::cli {
namespace {

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  while (true) {
    auto comma = text.find(',');
    out.emplace_back(text.substr(0, comma));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

bool known_backend(std::string_view name) {
  for (const auto& entry : backend_table())
    if (name == entry.name) return true;
  return false;
}

std::string backend_names() {
  std::string out;
  for (const auto& entry : backend_table()) out += std::string(out.empty() ? "" : ", ") + entry.name;
  return out;
}

std::string suite_names() {
  std::string out;
  for (const auto& suite : suite_table()) out += std::string(out.empty() ? "" : ", ") + suite.name;
  return out;
}

// Walks argv, splitting `--flag=value` and taking `--flag value`.
class ArgCursor {
 public:
  explicit ArgCursor(std::span<const std::string_view> args) : args_(args) {}
  bool done() const { return index_ >= args_.size(); }
  std::string_view peek() const { return args_[index_]; }
  std::string_view take() { return args_[index_++]; }

  // For the current flag (already taken as `flag`), its value.
  Result<std::string> value_of(std::string_view flag, std::optional<std::string_view> inline_value) {
    if (inline_value) return std::string(*inline_value);
    if (done()) return fail(std::string(flag) + " needs a value");
    return std::string(take());
  }

 private:
  std::span<const std::string_view> args_;
  std::size_t index_ = 0;
};

std::pair<std::string_view, std::optional<std::string_view>> split_flag(std::string_view arg) {
  auto eq = arg.find('=');
  if (arg.starts_with("--") && eq != std::string_view::npos) return {arg.substr(0, eq), arg.substr(eq + 1)};
  return {arg, std::nullopt};
}

// Flags that configure backends; true when `flag` was one of them.
Result<bool> parse_backend_flag(std::string_view flag, std::optional<std::string_view> inline_value,
                                ArgCursor& cursor, BackendFlags& out) {
  if (flag == "--guest-kernel") {
    auto v = cursor.value_of(flag, inline_value);
    if (!v) return std::unexpected(v.error());
    if (v->empty()) return fail("--guest-kernel: empty path");
    out.guest_kernel = *v;
    return true;
  }
  if (flag == "--libvirt-uri") {
    auto v = cursor.value_of(flag, inline_value);
    if (!v) return std::unexpected(v.error());
    if (v->find(":///") == std::string::npos && v->find("://") == std::string::npos)
      return fail("--libvirt-uri " + quote_input(*v) + ": not a libvirt URI (e.g. qemu:///system)");
    out.libvirt_uri = *v;
    return true;
  }
  if (flag == "--vm-accel") {
    auto v = cursor.value_of(flag, inline_value);
    if (!v) return std::unexpected(v.error());
    if (*v != "auto" && *v != "kvm" && *v != "tcg") return fail("--vm-accel " + quote_input(*v) + ": expected auto, kvm or tcg");
    out.vm_accel = *v;
    return true;
  }
  if (flag == "--vm-machine") {
    auto v = cursor.value_of(flag, inline_value);
    if (!v) return std::unexpected(v.error());
    if (*v != "q35" && *v != "microvm") return fail("--vm-machine " + quote_input(*v) + ": expected q35 or microvm");
    out.vm_machine = *v;
    return true;
  }
  if (flag == "--rootfs") {
    auto v = cursor.value_of(flag, inline_value);
    if (!v) return std::unexpected(v.error());
    if (*v != "pivot_root" && *v != "chroot") return fail("--rootfs " + quote_input(*v) + ": expected pivot_root or chroot");
    out.rootfs_mode = *v;
    return true;
  }
  if (flag == "--runsc-platform") {
    auto v = cursor.value_of(flag, inline_value);
    if (!v) return std::unexpected(v.error());
    if (*v != "ptrace" && *v != "kvm") return fail("--runsc-platform " + quote_input(*v) + ": expected ptrace or kvm");
    out.runsc_platform = *v;
    return true;
  }
  if (flag == "--docker-host") {
    auto v = cursor.value_of(flag, inline_value);
    if (!v) return std::unexpected(v.error());
    if (!v->starts_with("unix://") && !v->starts_with("tcp://") && !v->starts_with("ssh://"))
      return fail("--docker-host " + quote_input(*v) + ": expected unix://PATH, tcp://HOST:PORT or ssh://HOST");
    out.docker_host = *v;
    return true;
  }
  return false;
}

constexpr std::string_view kSelectionFlags[] = {"--backend", "--suite", "--filter", "--repetitions", "--out",
                                                "--repetition-slice"};
bool is_selection_flag(std::string_view flag) {
  return std::find(std::begin(kSelectionFlags), std::end(kSelectionFlags), flag) != std::end(kSelectionFlags);
}

// A flag of the suite selection with its value; false when `flag` is not one.
Result<bool> apply_selection_value(std::string_view flag, const std::string& value, SuiteRun& run) {
  if (flag == "--backend") {
    for (auto& name : split_list(value)) {
      if (!known_backend(name)) return fail("--backend " + quote_input(name) + ": unknown backend (known: " + backend_names() + ")");
      run.backends.push_back(name);
    }
  } else if (flag == "--suite") {
    for (auto& name : split_list(value)) {
      bool known = false;
      for (const auto& suite : suite_table()) known = known || name == suite.name;
      if (!known) return fail("--suite " + quote_input(name) + ": unknown suite (known: " + suite_names() + ")");
      run.suites.push_back(name);
    }
  } else if (flag == "--filter") {
    try {
      std::regex check(value);
    } catch (const std::regex_error& e) {
      return fail("--filter " + quote_input(value) + ": not a valid regular expression (" + e.what() + ")");
    }
    run.filter = value;
  } else if (flag == "--repetitions") {
    auto n = parse_integer(value, 1, 100000);
    if (!n) return fail("--repetitions " + quote_input(value) + ": expected a whole number from 1 to 100000");
    run.repetitions = static_cast<int>(*n);
  } else if (flag == "--out") {
    if (value.empty()) return fail("--out: empty path");
    run.out = value;
  } else if (flag == "--repetition-slice") {
    auto slash = value.find('/');
    auto index = slash == std::string::npos ? std::nullopt : parse_integer(std::string_view(value).substr(0, slash), 0, 9999);
    auto count = slash == std::string::npos ? std::nullopt : parse_integer(std::string_view(value).substr(slash + 1), 1, 10000);
    if (!index || !count || *index >= *count)
      return fail("--repetition-slice " + quote_input(value) + ": expected I/K with 0 <= I < K, like 0/5");
    run.slice_index = static_cast<int>(*index);
    run.slice_count = static_cast<int>(*count);
  } else {
    return false;
  }
  return true;
}

Result<Command> parse_run_one(ArgCursor& cursor, Command command) {
  command.kind = CommandKind::kRunOne;
  RunOne& run = command.run_one;
  while (!cursor.done() && cursor.peek().starts_with("-")) {
    auto [flag, inline_value] = split_flag(cursor.take());
    if (flag == "--") break;
    auto backend_flag = parse_backend_flag(flag, inline_value, cursor, command.backend_flags);
    if (!backend_flag) return std::unexpected(backend_flag.error());
    if (*backend_flag) continue;
    auto v = cursor.value_of(flag, inline_value);
    if (!v) return std::unexpected(v.error());
    if (flag == "--backend") {
      if (!known_backend(*v)) return fail("--backend " + quote_input(*v) + ": unknown backend (known: " + backend_names() + ")");
      run.backend = *v;
    } else if (flag == "--memory") {
      auto bytes = parse_byte_size(*v);
      if (!bytes || *bytes == 0) return fail("--memory " + quote_input(*v) + ": expected a positive size like 64M or 1G");
      run.limits.memory_bytes = *bytes;
    } else if (flag == "--cpus") {
      auto cpus = parse_decimal(*v, 0.01, 4096);
      if (!cpus) return fail("--cpus " + quote_input(*v) + ": expected a number of CPUs between 0.01 and 4096");
      run.limits.cpus = *cpus;
    } else if (flag == "--pids") {
      auto pids = parse_integer(*v, 1, 4194304);
      if (!pids) return fail("--pids " + quote_input(*v) + ": expected a whole number of processes, at least 1");
      run.limits.pids = static_cast<std::uint64_t>(*pids);
    } else if (flag == "--timeout") {
      auto seconds = parse_decimal(*v, 0.001, 86400);
      if (!seconds) return fail("--timeout " + quote_input(*v) + ": expected seconds between 0.001 and 86400");
      run.timeout_s = *seconds;
    } else {
      return fail("run: unknown flag " + quote_input(flag));
    }
  }
  if (run.backend.empty()) return fail("run: --backend is required (known: " + backend_names() + ")");
  if (cursor.done()) return fail("run: no workload given");
  run.workload.name = std::string(cursor.take());
  if (workload::find_workload(run.workload.name) == nullptr)
    return fail("run: unknown workload " + quote_input(run.workload.name));
  while (!cursor.done()) run.workload.args.emplace_back(cursor.take());
  return command;
}

Result<Command> parse_compare(ArgCursor& cursor, Command command) {
  command.kind = CommandKind::kCompare;
  CompareRun& compare = command.compare;
  std::vector<std::filesystem::path> files;
  std::optional<std::string> baseline;
  while (!cursor.done()) {
    std::string_view arg = cursor.take();
    if (!arg.starts_with("-") || arg == "-") {
      if (arg.empty()) return fail("compare: empty file name");
      files.emplace_back(arg);
      continue;
    }
    auto [flag, inline_value] = split_flag(arg);
    if (flag == "--fingerprint") {
      if (inline_value) return fail("--fingerprint takes no value");
      compare.fingerprint_only = true;
      continue;
    }
    if (flag != "--threshold" && flag != "--alpha" && flag != "--json" && flag != "--normalize" &&
        flag != "--baseline" && flag != "--baselines-dir" && flag != "--metric")
      return fail("compare: unknown flag " + quote_input(flag) + " (try bench --help)");
    auto v = cursor.value_of(flag, inline_value);
    if (!v) return std::unexpected(v.error());
    if (flag == "--threshold") {
      std::string_view text = *v;
      if (text.ends_with("%")) text.remove_suffix(1);
      auto pct = parse_decimal(text, 0, 10000);
      if (!pct) return fail("--threshold " + quote_input(*v) + ": expected a percentage from 0 to 10000, like 5 or 2.5%");
      compare.threshold_pct = *pct;
    } else if (flag == "--alpha") {
      auto alpha = parse_decimal(*v, 1e-9, 0.5);
      if (!alpha || *alpha <= 0) return fail("--alpha " + quote_input(*v) + ": expected a significance level above 0 and at most 0.5, like 0.01");
      compare.alpha = *alpha;
    } else if (flag == "--json") {
      if (v->empty()) return fail("--json: empty path");
      compare.json_out = *v;
    } else if (flag == "--normalize") {
      if (*v != "bare") return fail("--normalize " + quote_input(*v) + ": expected bare");
      compare.normalize_bare = true;
    } else if (flag == "--baseline") {
      if (v->empty()) return fail("--baseline: empty path (or auto)");
      baseline = *v;
    } else if (flag == "--baselines-dir") {
      if (v->empty()) return fail("--baselines-dir: empty path");
      compare.baselines_dir = *v;
    } else {  // --metric
      for (auto& name : split_list(*v)) {
        if (name.empty()) return fail("--metric " + quote_input(*v) + ": empty metric name");
        compare.metrics.push_back(name);
      }
    }
  }
  if (compare.fingerprint_only) {
    if (files.size() != 1 || baseline) return fail("compare --fingerprint: expected exactly one results file");
    compare.next = files[0];
    return command;
  }
  if (baseline) {
    if (files.size() != 1) return fail("compare --baseline: expected exactly one results file (NEW), got " + std::to_string(files.size()));
    compare.baseline_auto = *baseline == "auto";
    if (!compare.baseline_auto) compare.base = *baseline;
    compare.next = files[0];
    return command;
  }
  if (files.size() != 2)
    return fail("compare: expected BASE.json NEW.json (or --baseline auto NEW.json), got " + std::to_string(files.size()) + " file(s)");
  compare.base = files[0];
  compare.next = files[1];
  return command;
}

Result<Command> parse_report(ArgCursor& cursor, Command command) {
  command.kind = CommandKind::kReport;
  ReportRun& report = command.report;
  bool only_folders = false;
  while (!cursor.done()) {
    std::string_view arg = cursor.take();
    if (only_folders || !arg.starts_with("-")) {
      if (arg.empty()) return fail("report: empty folder name");
      report.folders.emplace_back(arg);
      continue;
    }
    auto [flag, inline_value] = split_flag(arg);
    if (flag == "--") {
      only_folders = true;
      continue;
    }
    if (flag != "--out") return fail("report: unknown flag " + quote_input(flag) + " (try bench --help)");
    auto v = cursor.value_of(flag, inline_value);
    if (!v) return std::unexpected(v.error());
    if (v->empty()) return fail("--out: empty path");
    report.out = *v;
  }
  if (report.folders.empty()) return fail("report: expected one or more results folders (bench report DIR...)");
  return command;
}

Result<Command> parse_ab(ArgCursor& cursor, Command command) {
  command.kind = CommandKind::kAb;
  AbRun& ab = command.ab;
  std::vector<std::string> sides;
  while (!cursor.done()) {
    std::string_view arg = cursor.take();
    if (!arg.starts_with("-")) {
      if (arg.empty()) return fail("ab: empty BASE or NEW");
      sides.emplace_back(arg);
      continue;
    }
    auto [flag, inline_value] = split_flag(arg);
    auto backend_flag = parse_backend_flag(flag, inline_value, cursor, command.backend_flags);
    if (!backend_flag) return std::unexpected(backend_flag.error());
    if (*backend_flag) {
      // Both sides get the flag as the user wrote it (validated above).
      if (flag == "--guest-kernel") ab.backend_args.push_back("--guest-kernel=" + command.backend_flags.guest_kernel->string());
      if (flag == "--libvirt-uri") ab.backend_args.push_back("--libvirt-uri=" + command.backend_flags.libvirt_uri);
      if (flag == "--vm-accel") ab.backend_args.push_back("--vm-accel=" + command.backend_flags.vm_accel);
      if (flag == "--vm-machine") ab.backend_args.push_back("--vm-machine=" + command.backend_flags.vm_machine);
      if (flag == "--rootfs") ab.backend_args.push_back("--rootfs=" + command.backend_flags.rootfs_mode);
      continue;
    }
    if (flag == "--quick") {
      if (inline_value) return fail("--quick takes no value");
      ab.selection.quick = true;
      continue;
    }
    if (flag == "--repetition-slice") return fail("ab: --repetition-slice is what ab passes to each side, not an ab flag");
    bool own = flag == "--blocks" || flag == "--threshold" || flag == "--alpha";
    if (!own && !is_selection_flag(flag)) return fail("ab: unknown flag " + quote_input(flag) + " (try bench --help)");
    auto v = cursor.value_of(flag, inline_value);
    if (!v) return std::unexpected(v.error());
    if (flag == "--blocks") {
      auto n = parse_integer(*v, 1, 1000);
      if (!n) return fail("--blocks " + quote_input(*v) + ": expected a whole number of blocks from 1 to 1000");
      ab.blocks = static_cast<int>(*n);
    } else if (flag == "--threshold") {
      std::string_view text = *v;
      if (text.ends_with("%")) text.remove_suffix(1);
      auto pct = parse_decimal(text, 0, 10000);
      if (!pct) return fail("--threshold " + quote_input(*v) + ": expected a percentage from 0 to 10000, like 5 or 2.5%");
      ab.threshold_pct = *pct;
    } else if (flag == "--alpha") {
      auto alpha = parse_decimal(*v, 1e-9, 0.5);
      if (!alpha || *alpha <= 0) return fail("--alpha " + quote_input(*v) + ": expected a significance level above 0 and at most 0.5, like 0.01");
      ab.alpha = *alpha;
    } else {
      auto applied = apply_selection_value(flag, *v, ab.selection);
      if (!applied) return std::unexpected(applied.error());
    }
  }
  if (sides.size() != 2)
    return fail("ab: expected BASE NEW (two bench binaries or git revisions), got " + std::to_string(sides.size()) + " argument(s)");
  ab.base = sides[0];
  ab.next = sides[1];
  SuiteRun& run = ab.selection;
  auto known_backends = [](const char* list) {
    std::vector<std::string> out;
    for (auto& name : split_list(list))
      if (known_backend(name)) out.push_back(name);
    return out;
  };
  if (run.backends.empty() && run.suites.empty() && run.filter.empty()) {
    ab.default_selection = true;
    run.backends = known_backends(kCiSelectionBackends);
    run.suites = split_list(kCiSelectionSuites);
    if (!run.repetitions) {
      run.quick = true;
      for (const CiPart& ci : kCiParts) {
        AbPart part{run, ci.compared};
        part.selection.backends = known_backends(ci.backends);
        part.selection.suites = split_list(ci.suites);
        if (ci.repetitions > 0) part.selection.repetitions = ci.repetitions;
        if (!part.selection.backends.empty()) ab.parts.push_back(std::move(part));
      }
      return command;
    }
  }
  ab.parts.push_back({run, true});
  return command;
}

}  // namespace

std::optional<std::uint64_t> parse_byte_size(std::string_view text) { return workload::parse_bytes(text); }

std::optional<long long> parse_integer(std::string_view text, long long min, long long max) {
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (value < min || value > max) return std::nullopt;
  return value;
}

std::optional<double> parse_decimal(std::string_view text, double min, double max) {
  if (text.empty() || text.size() > 32) return std::nullopt;
  std::string copy(text);
  char* end = nullptr;
  errno = 0;
  double value = std::strtod(copy.c_str(), &end);
  if (errno != 0 || end != copy.c_str() + copy.size() || !std::isfinite(value)) return std::nullopt;
  if (value < min || value > max) return std::nullopt;
  return value;
}

Result<Command> parse_command_line(std::span<const std::string_view> args) {
  Command command;
  ArgCursor cursor(args);
  if (cursor.done()) return command;  // help

  std::string_view first = cursor.peek();
  if (first == "run") {
    cursor.take();
    return parse_run_one(cursor, command);
  }
  if (first == "compare") {
    cursor.take();
    return parse_compare(cursor, command);
  }
  if (first == "ab") {
    cursor.take();
    return parse_ab(cursor, command);
  }
  if (first == "ab-side") {  // hidden: what `bench ab` starts on each side
    cursor.take();
    command.kind = CommandKind::kAbSide;
    while (!cursor.done()) {
      auto [flag, inline_value] = split_flag(cursor.take());
      auto backend_flag = parse_backend_flag(flag, inline_value, cursor, command.backend_flags);
      if (!backend_flag) return std::unexpected(backend_flag.error());
      if (!*backend_flag) return fail("ab-side: unexpected argument " + quote_input(flag));
    }
    return command;
  }
  if (first == "report") {
    cursor.take();
    return parse_report(cursor, command);
  }
  if (first == "clean") {
    cursor.take();
    command.kind = CommandKind::kClean;
    if (!cursor.done()) return fail("clean: unexpected argument " + quote_input(cursor.peek()) + " (bench clean takes none)");
    return command;
  }
  if (first == "doctor" || first == "help") {
    cursor.take();
    command.kind = first == "doctor" ? CommandKind::kDoctor : CommandKind::kHelp;
    while (!cursor.done()) {
      auto [flag, inline_value] = split_flag(cursor.take());
      auto backend_flag = parse_backend_flag(flag, inline_value, cursor, command.backend_flags);
      if (!backend_flag) return std::unexpected(backend_flag.error());
      if (!*backend_flag) return fail(std::string(first) + ": unexpected argument " + quote_input(flag));
    }
    return command;
  }
  if (!first.starts_with("-")) return fail("unknown command " + quote_input(first) + " (try bench --help)");

  command.kind = CommandKind::kSuites;
  bool list = false;
  std::optional<CommandKind> help_or_version;
  SuiteRun& run = command.suites;
  while (!cursor.done()) {
    auto [flag, inline_value] = split_flag(cursor.take());
    auto backend_flag = parse_backend_flag(flag, inline_value, cursor, command.backend_flags);
    if (!backend_flag) return std::unexpected(backend_flag.error());
    if (*backend_flag) continue;
    auto no_value = [&, flag = flag, inline_value = inline_value]() -> Result<void> {
      if (inline_value) return fail(std::string(flag) + " takes no value");
      return {};
    };
    if (flag == "--help" || flag == "-h" || flag == "--version") {
      if (auto ok = no_value(); !ok) return std::unexpected(ok.error());
      // Decided after the loop, so that a bad flag beside --help is still reported.
      help_or_version = flag == "--version" ? CommandKind::kVersion : CommandKind::kHelp;
      continue;
    }
    if (flag == "--all" || flag == "--list" || flag == "--quick") {
      if (auto ok = no_value(); !ok) return std::unexpected(ok.error());
      if (flag == "--all") run.all = true;
      if (flag == "--list") list = true;
      if (flag == "--quick") run.quick = true;
      continue;
    }
    auto v = cursor.value_of(flag, inline_value);
    if (!v) {
      if (!flag.starts_with("-") || flag == "-") return fail("unexpected argument " + quote_input(flag));
      if (!is_selection_flag(flag)) return fail("unknown flag " + quote_input(flag) + " (try bench --help)");
      return std::unexpected(v.error());
    }
    auto applied = apply_selection_value(flag, *v, run);
    if (!applied) return std::unexpected(applied.error());
    if (!*applied) return fail("unknown flag " + quote_input(flag) + " (try bench --help)");
  }
  if (help_or_version) {
    command.kind = *help_or_version;
    return command;
  }
  if (list) command.kind = CommandKind::kList;
  if (command.kind == CommandKind::kSuites && !run.all && run.backends.empty() && run.suites.empty() &&
      run.filter.empty())
    return fail("nothing selected: give --all, or --backend/--suite/--filter (try bench --help)");
  return command;
}

std::string usage_text() {
  return R"(usage:
  bench --all [--quick] [--out DIR]          every suite on every available backend
  bench --list                               benchmark names, then each backend's availability
  bench doctor                               prerequisites, and how to fix each
  bench clean                                removes what interrupted runs left (cgroups, mounts, QEMU, ...)
  bench [--backend A,B] [--suite S,T] [--filter REGEX] [--repetitions N] [--quick] [--out DIR]
        [--repetition-slice I/K]             slice I of K of every benchmark's repetitions (bench ab)
  bench run --backend B [--memory BYTES] [--cpus N] [--pids N] [--timeout S] WORKLOAD [ARGS...]
  bench compare BASE.json NEW.json [--threshold PCT] [--alpha A] [--json FILE] [--normalize bare]
                [--metric NAME,...|all]      per-benchmark change of the median; exit 1 on a regression
  bench compare --baseline auto|FILE [--baselines-dir DIR] NEW.json   against the testbed's baseline
  bench compare --fingerprint RESULTS.json   the testbed's baseline name (results/baselines/NAME.json)
  bench report [--out DIR] RESULTS_DIR...    report.html, report.md, charts and the claims table
  bench ab BASE NEW [--backend A,B] [--suite S,T] [--filter REGEX] [--repetitions N] [--quick]
                [--blocks K] [--threshold PCT] [--alpha A] [--out DIR]
                                             two builds (bench binaries or git revisions) in interleaved
                                             ABBA blocks, compared block by block; exit 1 on a regression;
                                             no selection: the CI selection (--backend bare,container,crun,runc
                                             --suite startup,syscall,cpu --quick): its startup rows compared with
                                             200 repetitions for container (100 bare, 12 crun and runc), the rest in NEW only

backend settings (any command):
  --guest-kernel PATH   guest kernel for vm/qemu (default: fetched into the state dir)
  --libvirt-uri URI     libvirt connection for vm (default: embedded driver, no daemon)
  --vm-accel MODE       auto | kvm | tcg (default auto: KVM only where it can run Linux)
  --vm-machine M        q35 | microvm: QEMU's machine model for vm and qemu (default q35;
                        microvm: no PCI, what the machine model costs apart from the kernel)
  --rootfs MODE         pivot_root | chroot for the container backend
  --runsc-platform P    ptrace | kvm for runsc (default ptrace; kvm hangs under PVM and is probed)
  --docker-host URI     your own Docker daemon for docker (default: DOCKER_HOST, else a private dockerd)

exit codes: 0 success; 1 a benchmark failed or compare found a regression; 2 usage or input error.
)";
}

}  // namespace isobench::cli
