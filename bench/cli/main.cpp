// `bench`: the isobench command line (SPEC.md "Commands").
#include <cstdio>
#include <string>
#include <vector>

#include <build_info.hpp>
#include "commands.hpp"

int main(int argc, char** argv) {
  using namespace isobench::cli;
  std::vector<std::string_view> args(argv + 1, argv + argc);
  std::string command_line = "bench";
  for (auto arg : args) command_line += " " + std::string(arg);

  auto command = parse_command_line(args);
  if (!command) return usage_error(command.error().describe());

  switch (command->kind) {
    case CommandKind::kHelp:
      std::fputs(usage_text().c_str(), stdout);
      return 0;
    case CommandKind::kVersion:
      std::printf("isobench %s (%s)\n", isobench::kIsobenchVersion, isobench::kGitRevision);
      return 0;
    case CommandKind::kList:
      return list_benchmarks(*command);
    case CommandKind::kDoctor:
      return run_doctor(*command);
    case CommandKind::kRunOne:
      return run_one_workload(*command);
    case CommandKind::kSuites:
      return run_suites(*command, command_line);
    case CommandKind::kCompare:
      return run_compare(*command);
    case CommandKind::kReport:
      return run_report(*command);
    case CommandKind::kAb:
      return run_ab(*command);
    case CommandKind::kAbSide:
      return run_ab_side(*command);
    case CommandKind::kClean:
      return run_clean(*command);
  }
  return 2;
}
