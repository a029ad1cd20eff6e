// OCI bundles generated from the shared minimal image: config.json (runtime-spec 1.0)
// in a fresh isobench-named directory, removed with its owner. The image rootfs is used
// in place (root.path is absolute and read-only), so a bundle costs one small file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtimes/backend.hpp"

namespace isobench {

struct OciConfigOptions {
  std::filesystem::path rootfs;
  std::vector<std::string> args;                 // process.args, paths inside the rootfs
  std::vector<std::string> env = {"PATH=/", "HOME=/", "container=isobench"};
  std::string hostname = "isobench";
  std::vector<std::string> namespaces;           // OCI names: "pid", "network", ...
  std::map<std::string, std::string> namespace_paths;  // join these instead: "network" -> path
  std::optional<std::string> cgroups_path;       // linux.cgroupsPath; none: runtime default
  Limits limits;                                 // linux.resources
};

// The config.json document for `options`.
nlohmann::json oci_config(const OciConfigOptions& options);

class Bundle {
 public:
  // Creates /tmp/isobench-oci-XXXXXX/config.json.
  static Result<Bundle> create(const OciConfigOptions& options);

  Bundle(Bundle&& other) noexcept : dir_(std::exchange(other.dir_, {})) {}
  Bundle& operator=(Bundle&& other) noexcept;
  Bundle(const Bundle&) = delete;
  Bundle& operator=(const Bundle&) = delete;
  ~Bundle() { (void)remove(); }

  const std::filesystem::path& dir() const { return dir_; }
  Result<void> remove();

 private:
  explicit Bundle(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::filesystem::path dir_;
};

}  // namespace isobench
