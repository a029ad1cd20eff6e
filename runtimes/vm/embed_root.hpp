// libvirt's embedded QEMU driver (qemu:///embed?root=DIR): runs inside the bench
// process, no daemon. DIR/etc/qemu.conf must exist before the driver opens.
#pragma once

#include <filesystem>
#include <string>

#include "runtimes/common/error.hpp"

namespace isobench::vm {

// <state dir>/libvirt
std::filesystem::path embed_root(const std::filesystem::path& state_dir);
std::string embed_uri(const std::filesystem::path& root);
// True for a qemu:///embed URI; `root` then receives its root= directory.
bool parse_embed_uri(const std::string& uri, std::filesystem::path& root);

// Writes DIR/etc/qemu.conf (when its content differs): QEMU's stdio into a file rather
// than virtlogd (no daemon), and, as root, QEMU as root with no security driver.
Result<void> prepare_embed_root(const std::filesystem::path& root);

// The file libvirt writes QEMU's stderr to, and its pid file, for domain `name`.
std::filesystem::path domain_log_path(const std::filesystem::path& root, const std::string& name);
std::filesystem::path domain_pid_path(const std::filesystem::path& root, const std::string& name);

}  // namespace isobench::vm
