#include "fixture.hpp"

#include <cmath>

namespace isobench::results::testing {

Fixture::Fixture() {
  document_ = {{"context", {{"backends", nlohmann::json::object()}}}, {"benchmarks", nlohmann::json::array()}};
}

Fixture& Fixture::rows(const std::string& name, const std::vector<double>& real_ms,
                       const std::map<std::string, std::vector<double>>& counters, const nlohmann::json& attributes) {
  for (std::size_t i = 0; i < real_ms.size(); ++i) {
    nlohmann::json row = {{"name", name},           {"run_name", name},   {"run_type", "iteration"},
                          {"repetitions", real_ms.size()}, {"repetition_index", i}, {"iterations", 1},
                          {"real_time", real_ms[i]}, {"cpu_time", real_ms[i]}, {"time_unit", "ms"}};
    for (const auto& [counter, values] : counters) row[counter] = values.at(i);
    if (!attributes.empty()) row["attributes"] = attributes;
    document_["benchmarks"].push_back(row);
  }
  return *this;
}

Fixture& Fixture::backend(const std::string& name, const std::string& family, bool boots_guest_os,
                          bool emulation_possible) {
  document_["context"]["backends"][name] = {
      {"available", true},
      {"traits", {{"family", family}, {"boots_guest_os", boots_guest_os}, {"emulation_possible", emulation_possible}}}};
  return *this;
}

Fixture& Fixture::engine(const std::string& backend) {
  document_["context"]["backends"][backend]["traits"]["container_engine"] = true;
  return *this;
}

Fixture& Fixture::unavailable(const std::string& backend, const std::string& reason) {
  document_["context"]["backends"][backend]["available"] = false;
  document_["context"]["backends"][backend]["reason"] = reason;
  return *this;
}

ResultsFile Fixture::model() const {
  auto file = from_json(document_, "fixture.json");
  if (!file) throw std::runtime_error(file.error().describe());
  return std::move(*file);
}

std::vector<double> around(double centre, double spread, int count, int phase) {
  std::vector<double> out;
  for (int i = 0; i < count; ++i) {
    // A fixed, symmetric zig-zag: median = centre, every value within the spread.
    double offset = std::sin(static_cast<double>(i * 7 + phase) * 1.3);
    out.push_back(centre * (1 + spread * offset));
  }
  return out;
}

}  // namespace isobench::results::testing
