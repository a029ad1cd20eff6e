#include "net_initramfs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "runtimes/common/unique_fd.hpp"

namespace isobench::guest {
namespace fs = std::filesystem;
namespace {

constexpr const char* kPrefix = "isobench-netramfs-";

Result<std::string> slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail_errno("read " + in_quotes(path.string()));
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::uint64_t fnv1a(std::string_view data, std::uint64_t hash) {
  for (unsigned char c : data) hash = (hash ^ c) * 0x100000001b3ULL;
  return hash;
}

}  // namespace

Result<fs::path> network_initramfs(const Initramfs& base, const fs::path& kernel, const fs::path& cache_dir) {
  fs::path modules = fs::path(kernel).parent_path() / "net-modules";
  auto order = slurp(modules / "order");
  if (!order)
    return fail("the guest's network modules are missing (" + in_quotes((modules / "order").string()) +
                "): run scripts/fetch-guest-kernel, which keeps them beside the kernel");
  CpioWriter cpio;
  cpio.add_directory("isobench-modules", 0755);
  std::uint64_t hash = fnv1a(base.path.filename().string(), 0xcbf29ce484222325ULL);
  std::istringstream names(*order);
  for (std::string name; std::getline(names, name);) {
    if (name.empty()) continue;
    auto module = slurp(modules / name);
    if (!module) return std::unexpected(module.error().with_context("guest network modules"));
    hash = fnv1a(*module, fnv1a(name, hash));
    cpio.add_file("isobench-modules/" + name, 0644, *module);
  }
  cpio.add_file("isobench-modules/order", 0644, *order);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  fs::path path = cache_dir / (std::string(kPrefix) + hex + ".cpio");
  std::error_code ec;
  if (fs::exists(path, ec)) return path;

  auto archive = slurp(base.path);
  if (!archive) return std::unexpected(archive.error());
  // The kernel finds the next archive after the trailer's zero padding, at a 4-byte boundary.
  while (archive->size() % 4 != 0) archive->push_back('\0');
  *archive += cpio.finish();
  std::string tmp = path.string() + ".XXXXXX";
  UniqueFd fd(::mkostemp(tmp.data(), O_CLOEXEC));
  if (!fd) return fail_errno("create " + in_quotes(tmp));
  bool written = ::write(fd.get(), archive->data(), archive->size()) == static_cast<ssize_t>(archive->size()) &&
                 ::fchmod(fd.get(), 0644) == 0 && ::rename(tmp.c_str(), path.c_str()) == 0;
  if (!written) {
    auto error = fail_errno("write " + in_quotes(tmp));
    ::unlink(tmp.c_str());
    return error;
  }
  // Older archives (another workload binary) are not used again.
  for (const auto& entry : fs::directory_iterator(cache_dir, ec))
    if (entry.path().filename().string().starts_with(kPrefix) && entry.path() != path) fs::remove(entry.path(), ec);
  return path;
}

}  // namespace isobench::guest
