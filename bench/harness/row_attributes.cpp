#include "row_attributes.hpp"

namespace isobench {

nlohmann::json attributes_object(const std::map<std::string, std::string>& attributes) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, value] : attributes) out[key] = value;
  return out;
}

void set_row_attributes(benchmark::State& state, const nlohmann::json& attributes) {
  if (attributes.is_object() && !attributes.empty()) state.SetLabel(attributes.dump());
}

void attributes_from_labels(nlohmann::json& document) {
  if (!document.is_object() || !document.contains("benchmarks") || !document["benchmarks"].is_array()) return;
  for (auto& row : document["benchmarks"]) {
    if (!row.is_object()) continue;
    auto label = row.find("label");
    if (label == row.end() || !label->is_string() || !label->get<std::string>().starts_with("{")) continue;
    nlohmann::json parsed = nlohmann::json::parse(label->get<std::string>(), nullptr, false);
    if (!parsed.is_object()) continue;
    std::string readable;
    for (const auto& [key, value] : parsed.items())
      readable += (readable.empty() ? "" : ", ") + key + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
    row["attributes"] = std::move(parsed);
    row["label"] = readable;
  }
}

}  // namespace isobench
