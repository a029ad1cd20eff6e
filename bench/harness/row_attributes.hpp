// A row's attributes (what the instance and the suite know of a repetition: the guest's
// accelerator, the rootfs mode, the network path, the step's baseline) travel through
// Google Benchmark as the row's label, written as a JSON object, and become the row's
// `attributes` object in results.json: a value keeps its spaces ("joined netns"), where
// the old "key=value key=value" label lost them.
#pragma once

#include <benchmark/benchmark.h>

#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace isobench {

// Sets the repetition's label to `attributes` (a JSON object; empty: no label).
void set_row_attributes(benchmark::State& state, const nlohmann::json& attributes);
nlohmann::json attributes_object(const std::map<std::string, std::string>& attributes);

// For every row of Google Benchmark's output whose label is a JSON object: the object as
// the row's `attributes`, and a readable "key=value, key=value" label.
void attributes_from_labels(nlohmann::json& document);

}  // namespace isobench
