// `vm` in a build without libvirt (ISOBENCH_WITH_LIBVIRT=OFF, or no libvirt-dev): still
// in the backend table with the same traits, so --list, doctor and every suite's rows say
// why it cannot run instead of leaving a gap.
#include "vm_backend.hpp"

namespace isobench {
namespace {

constexpr const char* kWhy =
    "isobench was built without libvirt (install libvirt-dev and rebuild: scripts/setup && scripts/build)";

class UnbuiltVmBackend final : public Backend {
 public:
  std::string name() const override { return "vm"; }
  std::string summary() const override { return "a transient guest through libvirt (not built)"; }
  BackendTraits traits() const override { return guest::guest_traits(); }
  Availability probe() override { return Availability::no(kWhy); }
  Result<std::unique_ptr<Instance>> launch(const LaunchOptions&) override { return fail(std::string("vm: ") + kWhy); }
  std::vector<DoctorCheck> doctor() override {
    return {{"libvirt", false, "isobench was built without libvirt", "scripts/setup && scripts/build"}};
  }
};

}  // namespace

std::unique_ptr<Backend> make_vm_backend(const BackendConfig& config) { return make_vm_backend(config, {}); }

std::unique_ptr<Backend> make_vm_backend(const BackendConfig&, const guest::GuestTweaks&) {
  return std::make_unique<UnbuiltVmBackend>();
}

}  // namespace isobench
