// What the claims need to know of a backend, read from the results file itself
// (context.backends.<name>.traits, written by the manifest from each backend's
// traits()), so that no claim decides by a backend's name. A file written before
// traits were recorded is read with the traits of the backend table of this build.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "bench/results/model.hpp"

namespace isobench::results {

struct FamilyTraits {
  std::string family;  // process, container, oci, vm, microvm; "" when unknown
  bool boots_guest_os = false;
  bool emulation_possible = false;
  // Its place in the backend table (SPEC.md's order: bare, container, crun, runc, vm,
  // qemu, kvm, ...): where a claim needs one backend of a family, the first one.
  int table_index = 1000;
  // A container engine in front of an OCI runtime (docker, podman): the seed's "container".
  bool container_engine = false;

  bool is_container() const { return family == "container" || family == "oci"; }
  bool is_hypervisor() const { return family == "vm" || family == "microvm"; }
};

// The backend table's traits by name (the harness passes one built from
// runtimes/backend.hpp); nullopt for a name it does not know.
using TraitsLookup = std::function<std::optional<FamilyTraits>(std::string_view backend)>;

FamilyTraits traits_of(const ResultsFile& file, std::string_view backend, const TraitsLookup& fallback);

}  // namespace isobench::results
