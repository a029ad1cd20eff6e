#include "bundle.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmath>

#include "runtimes/common/unique_fd.hpp"

namespace isobench {

nlohmann::json oci_config(const OciConfigOptions& options) {
  using nlohmann::json;
  json namespaces = json::array();
  for (const auto& name : options.namespaces) {
    json entry = {{"type", name}};
    if (auto path = options.namespace_paths.find(name); path != options.namespace_paths.end()) entry["path"] = path->second;
    namespaces.push_back(entry);
  }
  json linux_section = {{"namespaces", namespaces}};
  if (options.cgroups_path) linux_section["cgroupsPath"] = *options.cgroups_path;
  json resources = json::object();
  if (options.limits.memory_bytes) resources["memory"] = {{"limit", *options.limits.memory_bytes}};
  if (options.limits.cpus)
    resources["cpu"] = {{"quota", static_cast<std::int64_t>(std::llround(*options.limits.cpus * 100'000))},
                        {"period", 100'000}};
  if (options.limits.pids) resources["pids"] = {{"limit", *options.limits.pids}};
  if (!resources.empty()) linux_section["resources"] = resources;

  // The same filesystem as isobench's own container: read-only image, /proc, a minimal
  // /dev (the runtimes create the default device nodes in it) and a /tmp tmpfs.
  json mounts = json::array({
      {{"destination", "/proc"}, {"type", "proc"}, {"source", "proc"}},
      {{"destination", "/dev"},
       {"type", "tmpfs"},
       {"source", "tmpfs"},
       {"options", {"nosuid", "strictatime", "mode=755", "size=64k"}}},
      {{"destination", "/tmp"},
       {"type", "tmpfs"},
       {"source", "tmpfs"},
       {"options", {"nosuid", "nodev", "mode=1777", "size=64m"}}},
  });
  return {
      {"ociVersion", "1.0.2"},
      {"process",
       {{"terminal", false},
        {"user", {{"uid", 0}, {"gid", 0}}},
        {"args", options.args},
        {"env", options.env},
        {"cwd", "/"},
        {"noNewPrivileges", true}}},
      {"root", {{"path", options.rootfs.string()}, {"readonly", true}}},
      {"hostname", options.hostname},
      {"mounts", mounts},
      {"linux", linux_section},
  };
}

Bundle& Bundle::operator=(Bundle&& other) noexcept {
  if (this != &other) {
    (void)remove();
    dir_ = std::exchange(other.dir_, {});
  }
  return *this;
}

Result<Bundle> Bundle::create(const OciConfigOptions& options) {
  // The pid in the name lets the leak audit and `bench clean` tell whose bundle it is.
  std::string pattern = "/tmp/isobench-oci-" + std::to_string(::getpid()) + "-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) return fail_errno("bundle: mkdtemp " + in_quotes(pattern));
  Bundle bundle{std::filesystem::path(pattern)};
  std::filesystem::path config = bundle.dir_ / "config.json";
  std::string text = oci_config(options).dump();
  UniqueFd fd(::open(config.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd) return fail_errno("bundle: create " + in_quotes(config));
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    return fail_errno("bundle: write " + in_quotes(config));
  return bundle;
}

Result<void> Bundle::remove() {
  if (dir_.empty()) return {};
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
  std::filesystem::path dir = std::exchange(dir_, {});
  if (ec) return fail_errno("bundle: remove " + in_quotes(dir), ec.value());
  return {};
}

}  // namespace isobench
