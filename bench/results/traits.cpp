#include "bench/results/traits.hpp"

namespace isobench::results {

FamilyTraits traits_of(const ResultsFile& file, std::string_view backend, const TraitsLookup& fallback) {
  const auto& backends = file.context.find("backends");
  if (backends != file.context.end() && backends->is_object()) {
    auto entry = backends->find(std::string(backend));
    if (entry != backends->end() && entry->is_object()) {
      auto traits = entry->find("traits");
      if (traits != entry->end() && traits->is_object() && traits->value("family", "") != "") {
        FamilyTraits out;
        out.family = traits->value("family", "");
        out.boots_guest_os = traits->value("boots_guest_os", false);
        out.emulation_possible = traits->value("emulation_possible", false);
        out.container_engine = traits->value("container_engine", false);
        if (fallback)
          if (auto known = fallback(backend)) out.table_index = known->table_index;
        return out;
      }
    }
  }
  if (fallback)
    if (auto known = fallback(backend)) return *known;
  return {};
}

}  // namespace isobench::results
