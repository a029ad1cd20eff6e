// Benchmark names are SUITE/BACKEND/WORKLOAD[/ARG] (SPEC.md).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace isobench::results {

// The BACKEND part; empty for a name with fewer than three parts.
inline std::string_view backend_of(std::string_view name) {
  auto first = name.find('/');
  if (first == std::string_view::npos) return {};
  auto second = name.find('/', first + 1);
  if (second == std::string_view::npos) return {};
  return name.substr(first + 1, second - first - 1);
}

// startup/container/noop -> startup/bare/noop; nullopt for bare itself and for names
// without a backend part.
inline std::optional<std::string> bare_counterpart(std::string_view name) {
  std::string_view backend = backend_of(name);
  if (backend.empty() || backend == "bare") return std::nullopt;
  auto first = name.find('/');
  std::string out(name.substr(0, first + 1));
  out += "bare";
  out += name.substr(first + 1 + backend.size());
  return out;
}

}  // namespace isobench::results

namespace isobench::compare {
using results::backend_of;
using results::bare_counterpart;
}  // namespace isobench::compare
