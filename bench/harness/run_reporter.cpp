#include "run_reporter.hpp"

#include <unistd.h>

#include <cstdlib>
#include <string_view>


namespace isobench {

namespace {

// Colour only for a terminal (a log of `bench --all > file` has no escape codes), and
// not when the user asks for none (https://no-color.org) or the terminal cannot show it.
benchmark::ConsoleReporter::OutputOptions console_options() {
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  bool color = ::isatty(STDOUT_FILENO) == 1 && (no_color == nullptr || *no_color == '\0') &&
               !(term != nullptr && std::string_view(term) == "dumb");
  return color ? benchmark::ConsoleReporter::OO_ColorTabular : benchmark::ConsoleReporter::OO_Tabular;
}

}  // namespace

RunReporter::RunReporter() : console_(console_options()) {
  json_.SetOutputStream(&json_out_);
  json_.SetErrorStream(&json_out_);
}

bool RunReporter::ReportContext(const Context& context) {
  console_.SetOutputStream(&GetOutputStream());
  console_.SetErrorStream(&GetErrorStream());
  return console_.ReportContext(context) && json_.ReportContext(context);
}

void RunReporter::ReportRuns(const std::vector<Run>& reported) {
  // Rows are named SUITE/BACKEND/WORKLOAD[/ARG] (SPEC.md), without the
  // "/iterations:1/repeats:N/manual_time" that Google Benchmark derives from the settings
  // every isobench benchmark shares.
  std::vector<Run> runs = reported;
  for (auto& run : runs) {
    run.run_name.min_time.clear();
    run.run_name.iterations.clear();
    run.run_name.repetitions.clear();
    run.run_name.time_type.clear();
  }
  console_.ReportRuns(runs);
  json_.ReportRuns(runs);
  for (const auto& run : runs) {
    if (!run.error_occurred) continue;
    if (run.error_message.rfind("unavailable: ", 0) == 0)
      ++unavailable_;
    else
      ++failures_;
  }
}

void RunReporter::Finalize() {
  console_.Finalize();
  json_.Finalize();
}

}  // namespace isobench
