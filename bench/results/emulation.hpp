// Whether a VM-family figure comes from a hypervisor or from an emulator. A figure from
// an emulator (QEMU's TCG, or KVM's instruction emulator, which runs real mode and ring
// 0 under PVM) must never pass for a hypervisor's: the claims use only rows that are
// not emulated, and every VM-family row records `emulated` and why.
//
// The rules, in order:
//   1. a row whose attributes already say `emulated` (true/false) with `emulated_why`;
//   2. a guest that names its accelerator: `accel=tcg` is emulation, `accel=kvm` not;
//   3. a backend without a guest OS (family microvm: the kvm VMM) is emulated when its
//      compute loop (hypervisor/<backend>/compute_loop) ran at kEmulatedComputeRatio
//      times its host loop or slower; with no such row nothing shows that it ran
//      natively, and it is treated as emulated.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "bench/results/model.hpp"
#include "bench/results/traits.hpp"

namespace isobench::results {

// A guest running natively executes the host's instructions at the host's speed (a
// 64-bit user-mode guest under PVM read x0.98-1.05); an emulator is tens to thousands
// of times slower (x1,556-2,506 for the real-mode guest under PVM).
inline constexpr double kEmulatedComputeRatio = 1.5;

struct Emulation {
  bool emulated = false;
  std::string why;  // "guest under TCG (QEMU's instruction emulator)", ...
};

// nullopt for a backend whose figures cannot be emulated (processes, containers).
std::optional<Emulation> emulation_of(const ResultsFile& file, const BenchmarkSamples& bench,
                                      const FamilyTraits& traits);

// Writes `emulated` and `emulated_why` into the attributes of every iteration row of an
// emulation-capable backend in `document` (the harness's results before they are
// written), by the rules above applied to `file`, the model read from `document`.
void annotate_emulation(nlohmann::json& document, const ResultsFile& file, const TraitsLookup& fallback);

}  // namespace isobench::results
