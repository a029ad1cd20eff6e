#include "host_tools.hpp"

#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "runtimes/common/spawn.hpp"

namespace isobench::net {
namespace {

constexpr auto kToolTimeout = std::chrono::seconds(10);

// posix_spawn takes a path: the tools live in sbin, which a user's PATH may lack.
std::string resolve(const std::string& tool) {
  for (const char* dir : {"/usr/sbin/", "/sbin/", "/usr/bin/", "/bin/"})
    if (::access((dir + tool).c_str(), X_OK) == 0) return dir + tool;
  return tool;
}

Result<std::string> run(std::vector<std::string> argv) {
  std::string shown;
  for (const auto& arg : argv) shown += (shown.empty() ? "" : " ") + arg;
  argv[0] = resolve(argv[0]);
  auto out = capture_output(argv, Deadline::after(kToolTimeout));
  if (!out) return std::unexpected(out.error().with_context("`" + shown + "`"));
  return out;
}

}  // namespace

Result<std::string> ip(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"ip"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(std::move(argv));
}

Result<std::string> ip_in(const std::string& netns_path, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"nsenter", "--net=" + netns_path, "ip"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(std::move(argv));
}

Result<std::string> nft(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"nft"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(std::move(argv));
}

bool nft_installed() { return resolve("nft") != "nft"; }

bool device_exists(const std::string& name) {
  std::error_code ec;
  return std::filesystem::exists("/sys/class/net/" + name, ec);
}

std::string device_name(char kind, long pid) {
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string digits;
  for (unsigned long value = static_cast<unsigned long>(pid); value > 0 || digits.empty(); value /= 36)
    digits.insert(digits.begin(), kDigits[value % 36]);
  return std::string("isobench-") + kind + digits;
}

std::string owner_alias(long pid) { return "isobench-net-" + std::to_string(pid); }

}  // namespace isobench::net
