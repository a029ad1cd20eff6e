#include "testbed.hpp"

#include <cctype>
#include <system_error>

namespace isobench::compare {
namespace {

std::string string_at(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// What a backend's manifest entry says about the accelerator, if anything.
std::string accelerator_of(const nlohmann::json& backend) {
  if (!backend.is_object()) return {};
  for (const char* key : {"accelerator", "accel"})
    if (auto value = string_at(backend, key); !value.empty()) return value;
  return {};
}

std::string slug(std::string_view text) {
  std::string out;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '.') {
      out += static_cast<char>(std::tolower(u));
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && (out.back() == '-' || out.back() == '.')) out.pop_back();
  while (!out.empty() && out.front() == '.') out.erase(0, 1);
  if (out.size() > 64) out.resize(64);
  return out.empty() ? "unknown" : out;
}

}  // namespace

Result<Testbed> testbed_of(const nlohmann::json& context) {
  if (!context.is_object()) return fail("no manifest: `context` is not an object");
  Testbed testbed;
  testbed.cpu_model = string_at(context, "cpu_model");
  testbed.kernel = string_at(context, "host_kernel");
  testbed.cgroup_mode = string_at(context, "cgroup_mode");
  for (const char* key : {"cpu_count", "num_cpus"}) {
    auto it = context.find(key);
    if (it != context.end() && it->is_number_integer() && it->get<long long>() > 0) {
      testbed.cpu_count = it->get<long long>();
      break;
    }
  }
  std::string missing;
  if (testbed.cpu_model.empty()) missing += " cpu_model";
  if (testbed.cpu_count == 0) missing += " cpu_count";
  if (testbed.kernel.empty()) missing += " host_kernel";
  if (testbed.cgroup_mode.empty()) missing += " cgroup_mode";
  if (!missing.empty()) return fail("no isobench manifest in `context` (missing:" + missing + ")");

  testbed.accelerator = "none";
  if (auto backends = context.find("backends"); backends != context.end() && backends->is_object()) {
    // The accelerator of the backends that boot a guest (their traits say so; a file
    // written before traits were recorded names them: vm, qemu).
    auto boots_a_guest = [](const std::string& name, const nlohmann::json& backend) {
      auto traits = backend.find("traits");
      if (traits == backend.end() || !traits->is_object()) return name == "vm" || name == "qemu";
      return traits->value("boots_guest_os", false);
    };
    for (const auto& [name, backend] : backends->items()) {
      if (!backend.is_object() || !boots_a_guest(name, backend)) continue;
      if (auto accel = accelerator_of(backend); !accel.empty()) {
        testbed.accelerator = accel;
        break;
      }
    }
  }
  return testbed;
}

std::string fingerprint(const Testbed& testbed) {
  return slug(testbed.cpu_model) + "_" + std::to_string(testbed.cpu_count) + "cpu_" + slug(testbed.kernel) + "_" +
         slug(testbed.cgroup_mode) + "_" + slug(testbed.accelerator);
}

std::string describe(const Testbed& testbed) {
  return testbed.cpu_model + ", " + std::to_string(testbed.cpu_count) + " CPUs, kernel " + testbed.kernel +
         ", cgroup " + testbed.cgroup_mode + ", accelerator " + testbed.accelerator;
}

Result<std::filesystem::path> find_baseline(const std::filesystem::path& dir, const Testbed& testbed) {
  std::string name = fingerprint(testbed);
  std::filesystem::path path = dir / (name + ".json");
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec)) return path;
  return fail("no baseline for this testbed (" + describe(testbed) + "): " + in_quotes(path.string()) +
              " does not exist; record one with `cp RESULTS.json " + path.string() + "`");
}

}  // namespace isobench::compare
