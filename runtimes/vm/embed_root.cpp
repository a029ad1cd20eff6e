#include "embed_root.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>

namespace isobench::vm {
namespace {

constexpr std::string_view kEmbedPrefix = "qemu:///embed?root=";

std::string qemu_conf() {
  std::string text =
      "# Written by isobench for libvirt's embedded QEMU driver; rewritten when it differs.\n"
      "# No virtlogd daemon: QEMU's stdout/stderr go to a file under log/.\n"
      "stdio_handler = \"file\"\n";
  if (::geteuid() == 0)
    text +=
        "# The guest needs nothing QEMU must be confined from: a kernel, an initramfs, a FIFO.\n"
        "user = \"root\"\n"
        "group = \"root\"\n"
        "security_driver = \"none\"\n"
        "# QEMU runs as root: no chown of the kernel, initramfs and console FIFOs, and no\n"
        "# trusted.libvirt.security.* xattrs recording their owners.\n"
        "dynamic_ownership = 0\n"
        "remember_owner = 0\n";
  return text;
}

}  // namespace

std::filesystem::path embed_root(const std::filesystem::path& state_dir) { return state_dir / "libvirt"; }

std::string embed_uri(const std::filesystem::path& root) { return std::string(kEmbedPrefix) + root.string(); }

bool parse_embed_uri(const std::string& uri, std::filesystem::path& root) {
  if (!uri.starts_with(kEmbedPrefix)) return false;
  root = uri.substr(kEmbedPrefix.size());
  return true;
}

Result<void> prepare_embed_root(const std::filesystem::path& root) {
  std::filesystem::path etc = root / "etc";
  std::error_code ec;
  std::filesystem::create_directories(etc, ec);
  if (ec) return fail_errno("create " + in_quotes(etc.string()), ec.value());
  std::filesystem::path conf = etc / "qemu.conf";
  std::string wanted = qemu_conf();
  {
    std::ifstream in(conf);
    std::ostringstream have;
    have << in.rdbuf();
    if (in && have.str() == wanted) return {};
  }
  std::filesystem::path tmp = conf;
  tmp += ".isobench-tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << wanted;
    if (!out.flush()) return fail_errno("write " + in_quotes(tmp.string()));
  }
  std::filesystem::rename(tmp, conf, ec);
  if (ec) return fail_errno("rename " + in_quotes(tmp.string()) + " to " + in_quotes(conf.string()), ec.value());
  return {};
}

std::filesystem::path domain_log_path(const std::filesystem::path& root, const std::string& name) {
  return root / "log" / "qemu" / (name + ".log");
}

std::filesystem::path domain_pid_path(const std::filesystem::path& root, const std::string& name) {
  return root / "run" / "qemu" / (name + ".pid");
}

}  // namespace isobench::vm
