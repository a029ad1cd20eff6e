#include "progress.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace isobench {

ProgressMeter::ProgressMeter(std::vector<Item> items) : items_(std::move(items)), tallies_(items_.size()) {}

double ProgressMeter::estimated_total_s() const {
  double total = 0;
  for (const Item& item : items_) total += item.repetitions * item.prior_s;
  return total;
}

double ProgressMeter::remaining_s() const {
  double spent = 0, priors_of_done = 0;
  for (std::size_t i = 0; i < items_.size(); ++i) {
    spent += tallies_[i].spent_s;
    priors_of_done += tallies_[i].done * items_[i].prior_s;
  }
  // How far off the priors are, shrunk toward "not at all" by a prior weight of
  // kPriorWeightS seconds: rows that share an instance take its whole cost in whichever
  // repetition launches it, so the first minutes' ratio swings (a 2 s prior for one row's
  // repetition that launched a TCG guest for 11 s once read "17 minutes left" two minutes
  // into a 10-minute run).
  const double scale = (spent + kPriorWeightS) / (priors_of_done + kPriorWeightS);
  double left = 0;
  for (std::size_t i = 0; i < items_.size(); ++i) {
    const Tally& tally = tallies_[i];
    const int to_go = items_[i].repetitions - tally.done;
    if (to_go <= 0) continue;
    const bool own_mean = tally.done > 0 && !items_[i].measured;
    const double each = own_mean ? tally.spent_s / tally.done : items_[i].prior_s * scale;
    left += to_go * each;
  }
  return left;
}

void ProgressMeter::finished(std::size_t index, double seconds) {
  if (index >= tallies_.size()) return;
  ++tallies_[index].done;
  tallies_[index].spent_s += seconds;
}

std::string ProgressMeter::line(std::size_t index, double elapsed_s) const {
  if (index >= items_.size()) return {};
  char text[512];
  std::snprintf(text, sizeof text, "[%zu/%zu] %s (%d/%d), %s in, about %s left", index + 1, items_.size(),
                items_[index].name.c_str(), tallies_[index].done + 1, items_[index].repetitions,
                format_duration(elapsed_s).c_str(), format_duration(remaining_s()).c_str());
  return text;
}

std::string format_duration(double seconds) {
  long s = std::lround(std::max(0.0, seconds));
  char text[32];
  if (s < 60)
    std::snprintf(text, sizeof text, "%lds", s);
  else if (s < 3600)
    std::snprintf(text, sizeof text, "%ldm%02lds", s / 60, s % 60);
  else
    std::snprintf(text, sizeof text, "%ldh%02ldm", s / 3600, s % 3600 / 60);
  return text;
}

}  // namespace isobench
