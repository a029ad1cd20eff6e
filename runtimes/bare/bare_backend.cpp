#include "bare_backend.hpp"

#include <unistd.h>

#include "runtimes/common/process_instance.hpp"
#include "runtimes/common/spawn.hpp"

namespace isobench {
namespace {

class BareBackend final : public Backend {
 public:
  explicit BareBackend(const BackendConfig& config) : binary_(config.workload_binary) {}

  std::string name() const override { return "bare"; }
  std::string summary() const override { return "the workload spawned directly, no isolation"; }
  // Writes go to the host's own disk.
  BackendTraits traits() const override { return {.family = BackendFamily::kProcess}; }

  Availability probe() override {
    if (::access(binary_.c_str(), X_OK) != 0)
      return Availability::no("workload binary " + in_quotes(binary_) + " is not executable: build isobench first");
    return Availability::yes();
  }

  Result<std::unique_ptr<Instance>> launch(const LaunchOptions& options) override {
    if (!options.limits.empty())
      return fail("bare runs without isolation and cannot apply limits (" + options.limits.describe() +
                  "): use --backend container");
    std::int64_t launch_ns = monotonic_ns();
    auto out = make_pipe();
    if (!out) return std::unexpected(out.error().with_context("bare"));
    // stderr joins stdout so a failing workload's message reaches the failure reason.
    auto child = spawn_process(options.workload.argv(binary_), {-1, out->write_end.get(), out->write_end.get()});
    if (!child) return std::unexpected(child.error().with_context("bare"));
    out->write_end.reset();  // so end of stream means the workload is gone
    auto instance = std::make_unique<ProcessInstance>(std::move(*child), LineReader(std::move(out->read_end)));
    instance->phases().mark_at("launch", launch_ns);
    instance->phases().mark("created");
    return instance;
  }

 private:
  std::string binary_;
};

}  // namespace

std::unique_ptr<Backend> make_bare_backend(const BackendConfig& config) {
  return std::make_unique<BareBackend>(config);
}

}  // namespace isobench
