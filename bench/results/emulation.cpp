#include "bench/results/emulation.hpp"

#include <cstdlib>

#include "bench/results/format.hpp"
#include "bench/stats/descriptive.hpp"

namespace isobench::results {

std::optional<Emulation> emulation_of(const ResultsFile& file, const BenchmarkSamples& bench,
                                      const FamilyTraits& traits) {
  if (!traits.emulation_possible && !traits.is_hypervisor()) return std::nullopt;
  if (auto said = bench.attributes.find("emulated"); said != bench.attributes.end() && said->is_boolean())
    return Emulation{said->get<bool>(), bench.attribute("emulated_why")};
  // A backend that checked its hypervisor itself (microvm: a user-mode guest's hash kernel
  // against the host's, in the probe) says the ratio.
  if (std::string check = bench.attribute("native_check_ratio"); !check.empty()) {
    double ratio = std::strtod(check.c_str(), nullptr);
    bool emulated = !(ratio > 0 && ratio < kEmulatedComputeRatio);
    return Emulation{emulated, "a user-mode guest's hash kernel ran at " + format_ratio(ratio) +
                                   " of the same kernel on the host (" + format_ratio(kEmulatedComputeRatio) +
                                   " or slower would be an emulator's)"};
  }
  std::string accel = bench.attribute("accel");
  if (accel == "tcg") return Emulation{true, "guest under TCG (QEMU's instruction emulator)"};
  if (accel == "kvm") return Emulation{false, "guest under KVM"};
  if (traits.boots_guest_os) {
    // A guest that did not say its accelerator: the backend's manifest may.
    auto backends = file.context.find("backends");
    if (backends != file.context.end() && backends->is_object()) {
      auto entry = backends->find(bench.backend);
      if (entry != backends->end() && entry->is_object()) {
        for (const char* key : {"accel", "vm_accel", "accelerator"}) {
          std::string value = entry->value(key, "");
          if (value == "tcg") return Emulation{true, "guest under TCG (QEMU's instruction emulator)"};
          if (value == "kvm") return Emulation{false, "guest under KVM"};
        }
      }
    }
    return Emulation{true, "the run does not say which accelerator ran the guest"};
  }
  const BenchmarkSamples* loop = file.measured("hypervisor/" + bench.backend + "/compute_loop");
  if (loop == nullptr || loop->values("guest_ns_per_op").empty() || loop->values("host_ns_per_op").empty())
    return Emulation{true, "no hypervisor/" + bench.backend + "/compute_loop row shows that the guest ran natively"};
  double host = stats::median(loop->values("host_ns_per_op"));
  double ratio = host > 0 ? stats::median(loop->values("guest_ns_per_op")) / host : 0;
  std::string hypervisor = loop->attribute("hypervisor");
  if (ratio >= kEmulatedComputeRatio)
    return Emulation{true, "its compute loop ran at " + format_ratio(ratio) + " of the same loop on the host (" +
                               format_ratio(kEmulatedComputeRatio) + " or slower: " +
                               (hypervisor == "kvm_pvm" || hypervisor == "pvm"
                                    ? "PVM hands real mode and ring 0 to KVM's instruction emulator"
                                    : "the hypervisor emulated the guest's instructions") +
                               ")"};
  return Emulation{false, "its compute loop ran at " + format_ratio(ratio) + " of the host's"};
}

void annotate_emulation(nlohmann::json& document, const ResultsFile& file, const TraitsLookup& fallback) {
  if (!document.contains("benchmarks") || !document["benchmarks"].is_array()) return;
  std::map<std::string, std::optional<Emulation>> by_name;
  for (const BenchmarkSamples& bench : file.benchmarks)
    by_name[bench.name] = emulation_of(file, bench, traits_of(file, bench.backend, fallback));
  for (auto& row : document["benchmarks"]) {
    if (!row.is_object() || row.value("run_type", "") != "iteration" || row.value("error_occurred", false)) continue;
    auto it = by_name.find(row.value("run_name", row.value("name", "")));
    if (it == by_name.end() || !it->second) continue;
    nlohmann::json& attributes = row["attributes"];
    if (!attributes.is_object()) attributes = nlohmann::json::object();
    attributes["emulated"] = it->second->emulated;
    attributes["emulated_why"] = it->second->why;
  }
}

}  // namespace isobench::results
