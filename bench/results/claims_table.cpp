#include <cstdio>

#include "bench/results/claims.hpp"
#include "bench/results/format.hpp"

namespace isobench::results {

std::string claims_table(const nlohmann::json& claims) {
  if (!claims.is_object() || !claims.contains("rows")) return "claims: none in this results file\n";
  std::string out = "claims (SPEC.md; 95% intervals):\n";
  char id[32];
  for (const auto& row : claims["rows"]) {
    std::snprintf(id, sizeof id, "  %-10s ", row.value("id", "?").c_str());
    std::string pad(13, ' ');
    out += id + row.value("verdict_text", row.value("verdict", "")) + "\n";
    out += pad + row.value("claim", "") + "\n";
    out += pad + "metric: " + row.value("metric", "") + "\n";
    if (row.contains("effect") && row["effect"].is_object())
      out += pad + "effect: " + row["effect"].value("text", "n/a") + "\n";
    if (std::string note = row.value("note", ""); !note.empty()) out += pad + "note: " + note + "\n";
  }
  if (claims.contains("ladder") && claims["ladder"].is_array() && !claims["ladder"].empty()) {
    out += "ladder (C5's breakdown: each step's cost over its declared baseline):\n";
    for (const auto& step : claims["ladder"]) {
      const auto& cost = step["cost_s"];
      std::string baseline = step["baseline"].is_string() ? step["baseline"].get<std::string>() : "launch";
      char line[512];
      std::snprintf(line, sizeof line, "  %-9s %-28s over %-24s %s  (%s, n=%zu)\n", step.value("backend", "").c_str(),
                    step.value("step", "").c_str(), baseline.c_str(),
                    format_seconds_interval(cost.value("point", 0.0), cost.value("low", 0.0), cost.value("high", 0.0)).c_str(),
                    step.value("method", "").c_str(), step.value("repetitions", std::size_t{0}));
      out += line;
    }
  }
  return out;
}

}  // namespace isobench::results
