// The `bench` commands. Each returns the process exit code (SPEC.md: 0 success,
// 1 a benchmark failed, 2 usage or input error with a one-line reason on stderr).
#pragma once

#include "bench/harness/plan.hpp"
#include "options.hpp"

namespace isobench::cli {

int run_suites(const Command& command, const std::string& command_line);
int list_benchmarks(const Command& command);
int run_doctor(const Command& command);
int run_one_workload(const Command& command);
// bench/cli/compare_command.cpp: 0 no regression, 1 a regression or a failed
// benchmark in NEW, 2 an input error.
int run_compare(const Command& command);

// bench/cli/ab_command.cpp: 0 no regression, 1 a regression or a failed benchmark in
// NEW, 2 an input error or a side that could not run.
int run_ab(const Command& command);

// bench/cli/report_command.cpp: renders report.html, report.md and charts/ into `out`
// (default: the first folder) with the report/ Python package and prints the claims
// table; 0 on success, 2 with one line on stderr otherwise.
int run_report(const Command& command);
int render_report(const std::vector<std::filesystem::path>& folders, const std::optional<std::filesystem::path>& out);

// bench/cli/clean_command.cpp: removes what dead runs left and lists it.
int run_clean(const Command& command);

// bench/cli/ab_side_command.cpp: the side server `bench ab` starts (hidden command).
int run_ab_side(const Command& command);

// A suite run's selection as the plan takes it, and every suite added to a plan.
PlanSelection plan_selection_from(const SuiteRun& run);
void add_all_suites(Plan& plan);

BackendConfig backend_config_from(const BackendFlags& flags);

// Prints "bench: <message>" on stderr and returns 2.
int usage_error(const std::string& message);

}  // namespace isobench::cli
