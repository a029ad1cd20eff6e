// The `bench` command line (SPEC.md "Commands"), parsed into plain data. Parsing never
// exits: errors come back as one line for the caller to print with exit code 2.
#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtimes/backend.hpp"

namespace isobench::cli {

// Settings that reach the backends; accepted by every command that launches anything.
struct BackendFlags {
  std::optional<std::filesystem::path> guest_kernel;
  std::string libvirt_uri;
  std::string vm_accel = "auto";
  std::string vm_machine = "q35";
  std::string rootfs_mode = "pivot_root";
  std::string runsc_platform = "ptrace";
  std::string docker_host;
};

// `bench --all`, or a subset with --backend/--suite/--filter.
struct SuiteRun {
  bool all = false;
  std::vector<std::string> backends;  // empty: every available backend
  std::vector<std::string> suites;    // empty: every suite
  std::string filter;                 // ECMAScript regex over benchmark names; empty: all
  std::optional<int> repetitions;
  bool quick = false;
  std::optional<std::filesystem::path> out;
  // --repetition-slice I/K (what `bench ab` passes to each side): slice I's share of
  // every benchmark's repetitions; count 1 is the whole run.
  int slice_index = 0, slice_count = 1;
};

// `bench run --backend B [limits] WORKLOAD [ARGS]`.
struct RunOne {
  std::string backend;
  Limits limits;
  WorkloadCommand workload;
  double timeout_s = 60;
};

// `bench compare BASE.json NEW.json`, `bench compare --baseline auto|FILE NEW.json`, or
// `bench compare --fingerprint RESULTS.json` (prints the testbed's baseline name).
struct CompareRun {
  std::optional<std::filesystem::path> base;  // a file, or nullopt with --baseline auto
  std::filesystem::path next;
  bool baseline_auto = false;
  std::filesystem::path baselines_dir = "results/baselines";
  double threshold_pct = 5;
  double alpha = 0.01;
  std::optional<std::filesystem::path> json_out;
  bool normalize_bare = false;
  std::vector<std::string> metrics;  // empty: real_time; "all": every counter with a direction
  bool fingerprint_only = false;
};

// One part of what `bench ab` runs: a selection that both sides run in the interleaved
// blocks and that is compared (`compared`), or one that NEW alone runs once: its medians
// for github-action-benchmark and its failures for the gate, with no test (used for rows
// whose repetitions could never reach alpha, so that BASE spends no time on them).
struct AbPart {
  SuiteRun selection;
  bool compared = true;
};

// `bench ab BASE NEW [selection]`: two builds of isobench (bench binaries or git
// revisions) run in interleaved ABBA blocks on the same selection, then compared block
// by block (bench/cli/ab_command.cpp).
struct AbRun {
  std::string base, next;  // as given: a path to a bench binary, or a git revision
  SuiteRun selection;      // the selection as given; --out is the A/B folder
  bool default_selection = false;  // none given: the CI selection (kCiParts)
  std::vector<AbPart> parts;       // what runs: the selection as given, or kCiParts
  int blocks = 40;         // K: each side runs in K slices, ABBA order (ABBAABBA); the test counts blocks
  double threshold_pct = 5;
  double alpha = 0.01;
  // The backend flags as given, passed on to both sides unchanged.
  std::vector<std::string> backend_args;
};

// The selection `bench ab` runs when given none: what README's CI recipe gates on, and
// what one `bench --backend ... --suite ... --quick` run of it measures.
inline constexpr const char* kCiSelectionBackends = "bare,container,crun,runc";
inline constexpr const char* kCiSelectionSuites = "startup,syscall,cpu";

// How `bench ab` runs that selection (README "CI: a regression gate" has the measurements
// behind the numbers). The startup rows are compared: the process rows (two: the
// harness's launch and the plain spawn floor) with 100 repetitions a side, the container
// row with 200 (5 + 5 in each of the 40 blocks: a planted 10% container slowdown was
// caught 4 to 8 times in 10 at load 5-10 on 2 cores), and the OCI runtimes, whose launches cost
// ten times more (9-100 ms), with 12: one launch a side in 12 blocks, whose smallest p
// (2 / 2^12) still passes Holm's first level, and what keeps the whole A/B near twice
// one --quick run. The syscall and cpu rows run at --quick's sizes in NEW only: 3
// repetitions fill at most 3 blocks (smallest p 0.25), so BASE would spend half the run on
// rows nothing is decided about. Each part is a request of its own: in one run a
// container's teardown leaves kernel work (namespaces, cgroups) that slows the bare
// launches after it (measured: +16% on startup/bare/noop against a build whose only change
// was the container's). `bench ab BASE NEW --repetitions N` runs the whole selection
// compared.
struct CiPart {
  const char* backends;
  const char* suites;
  int repetitions;  // 0: --quick's own
  bool compared;
};
inline constexpr CiPart kCiParts[] = {
    {"bare", "startup", 100, true},
    {"container", "startup", 200, true},
    {"crun,runc", "startup", 12, true},
    {"bare,container,crun,runc", "syscall,cpu", 0, false},
};

// `bench report [--out DIR] DIR...`: the report from one or more results folders.
struct ReportRun {
  std::vector<std::filesystem::path> folders;
  std::optional<std::filesystem::path> out;  // default: the first folder
};

enum class CommandKind { kSuites, kList, kDoctor, kRunOne, kHelp, kVersion, kCompare, kReport, kClean, kAb, kAbSide };

struct Command {
  CommandKind kind = CommandKind::kHelp;
  SuiteRun suites;
  RunOne run_one;
  CompareRun compare;
  ReportRun report;
  AbRun ab;
  BackendFlags backend_flags;
};

// `args` excludes argv[0]. The error is one line naming the offending input.
Result<Command> parse_command_line(std::span<const std::string_view> args);

// Strict number parsers shared with other inputs (the whole text must parse).
std::optional<std::uint64_t> parse_byte_size(std::string_view text);  // 64M, 1G, 4096
std::optional<long long> parse_integer(std::string_view text, long long min, long long max);
std::optional<double> parse_decimal(std::string_view text, double min, double max);

std::string usage_text();

}  // namespace isobench::cli
