// Google Benchmark reporter for a `bench` run: the console table on stdout, Google
// Benchmark's JSON kept in memory (post-processed before it is written), and a tally of
// failed benchmarks.
#pragma once

#include <benchmark/benchmark.h>

#include <sstream>

namespace isobench {

class RunReporter : public benchmark::BenchmarkReporter {
 public:
  RunReporter();

  bool ReportContext(const Context& context) override;
  void ReportRuns(const std::vector<Run>& runs) override;
  void Finalize() override;

  std::string json() const { return json_out_.str(); }
  // Repetitions that failed for a reason other than an unavailable backend.
  int failures() const { return failures_; }
  int unavailable() const { return unavailable_; }

 private:
  benchmark::ConsoleReporter console_;
  benchmark::JSONReporter json_;
  std::ostringstream json_out_;
  int failures_ = 0;
  int unavailable_ = 0;
};

}  // namespace isobench
