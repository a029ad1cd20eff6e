// Results files with known figures, built row by row as Google Benchmark writes them.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/results/model.hpp"
#include "bench/results/traits.hpp"

namespace isobench::results::testing {

class Fixture {
 public:
  Fixture();
  // One iteration row per value of `real_ms` (repetition_index 0, 1, ...), with the
  // counters given per repetition (each vector as long as real_ms) and attributes.
  Fixture& rows(const std::string& name, const std::vector<double>& real_ms,
                const std::map<std::string, std::vector<double>>& counters = {},
                const nlohmann::json& attributes = nlohmann::json::object());
  Fixture& backend(const std::string& name, const std::string& family, bool boots_guest_os = false,
                   bool emulation_possible = false);
  Fixture& unavailable(const std::string& backend, const std::string& reason);
  // Marks a backend as a container engine (docker, podman) in its traits.
  Fixture& engine(const std::string& backend);

  const nlohmann::json& json() const { return document_; }
  ResultsFile model() const;

 private:
  nlohmann::json document_;
};

// No backend table: a fixture says its backends' traits in its context.
inline const TraitsLookup& no_fallback() {
  static const TraitsLookup none;
  return none;
}

// `count` values around `centre` spread by `spread` (a fraction), deterministic.
std::vector<double> around(double centre, double spread, int count, int phase = 0);

}  // namespace isobench::results::testing
