// Every backend in the table, built from the user's settings and probed at most once.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtimes/backend.hpp"

namespace isobench {

class BackendSet {
 public:
  explicit BackendSet(const BackendConfig& config);

  struct Entry {
    std::unique_ptr<Backend> backend;
    std::optional<Availability> availability;  // filled by probe()
  };

  // nullptr for a name not in the table.
  Backend* find(std::string_view name);
  const Availability& availability(std::string_view name);
  std::vector<std::string> names() const;
  const BackendConfig& config() const { return config_; }
  // Backend::shut_down of every probed backend (a private dockerd stops); what failed, one
  // line each ("docker: ..."), also written to stderr.
  std::vector<std::string> shut_down();

 private:
  BackendConfig config_;
  std::vector<Entry> entries_;
};

// Defaults for the host: the workload binary beside the bench executable, the state dir
// (/var/lib/isobench as root, $XDG_STATE_HOME/isobench or ~/.local/state/isobench otherwise).
std::filesystem::path default_workload_binary();
std::filesystem::path default_state_dir();

}  // namespace isobench
