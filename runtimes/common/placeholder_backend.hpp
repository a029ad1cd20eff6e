// TEMPORARY: stands in for a backend whose implementation has not landed yet, so that
// the table is complete and the backend reports itself unavailable instead of missing.
#pragma once

#include "../backend.hpp"

namespace isobench {

inline std::unique_ptr<Backend> make_placeholder_backend(std::string name) {
  class Placeholder final : public Backend {
   public:
    explicit Placeholder(std::string name) : name_(std::move(name)) {}
    std::string name() const override { return name_; }
    std::string summary() const override { return "not built"; }
    Availability probe() override { return Availability::no("not implemented in this build of isobench"); }
    Result<std::unique_ptr<Instance>> launch(const LaunchOptions&) override {
      return fail(name_ + ": not implemented in this build of isobench");
    }

   private:
    std::string name_;
  };
  return std::make_unique<Placeholder>(std::move(name));
}

}  // namespace isobench
