// Progress of a run on a terminal (stderr): the estimated total before it starts, and
// before each repetition which one runs, the time spent and an estimate of what is left.
//
// The first estimate comes from each benchmark's prior: its wall time per repetition in
// the last run of the same kind (--quick or not) on this host where there was one
// (measured), else a guess from its backend's kind. As repetitions finish, a guessed
// benchmark that has run is estimated from its own mean, and every other from its prior
// scaled by how far off the priors of the finished repetitions were. A measured prior is
// never replaced by the benchmark's own mean: rows that share one instance (a guest's
// overhead workloads) take its whole cost in whichever repetition launches it, so one
// row's mean swings while the sum over the rows holds. Repetitions run interleaved in
// random order, so the finished ones are a fair sample of the rest.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace isobench {

class ProgressMeter {
 public:
  struct Item {
    std::string name;
    int repetitions = 1;
    double prior_s = 0;  // the guess for one repetition
    bool measured = false;  // prior_s is the last run's own figure
  };

  explicit ProgressMeter(std::vector<Item> items);

  // The weight, in seconds of run, of "the priors are right" against what the finished
  // repetitions say (remaining_s).
  static constexpr double kPriorWeightS = 30.0;

  // The first estimate of the whole run, from the priors alone.
  double estimated_total_s() const;
  // What is left: every repetition not finished yet (the running one included).
  double remaining_s() const;
  // Item `index` took `seconds` for one repetition.
  void finished(std::size_t index, double seconds);
  // "[3/12] startup/vm/noop (2/5), 1m05s in, about 3m20s left" for the next repetition of `index`.
  std::string line(std::size_t index, double elapsed_s) const;

 private:
  struct Tally {
    int done = 0;
    double spent_s = 0;
  };
  std::vector<Item> items_;
  std::vector<Tally> tallies_;
};

// "42s", "3m05s", "1h02m".
std::string format_duration(double seconds);

}  // namespace isobench
