// What a libvirt daemon's QEMU may open. Under the embedded driver QEMU runs as root
// (embed_root.cpp); under a system daemon (qemu:///system, or one reached through the
// remote driver) it runs as the daemon's DAC user, libvirt-qemu on Debian, which cannot
// enter bench's 0700 state and temp dirs. bench grants that user's group exactly one
// thing per guest: the right to enter that guest's own temp dir (mode 0710) and to open
// the files bench put there (console FIFOs, links to the kernel and initramfs). The
// domain says <seclabel type='none' model='dac'/>, so libvirt changes no owner or mode
// of bench's files: the grant is bench's own and ends with the dir.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include <libvirt/libvirt.h>

#include "runtimes/common/error.hpp"

namespace isobench::vm {

struct QemuUser {
  uid_t uid = 0;
  gid_t gid = 0;
};

// The uid:gid the daemon runs QEMU as for `domain_type` ("kvm", "qemu"), from its
// capabilities' DAC <baselabel>; nullopt when the daemon has no DAC model (QEMU then
// runs as the daemon's own user, root for a system daemon).
Result<std::optional<QemuUser>> daemon_qemu_user(virConnectPtr conn, const std::string& domain_type);

// Parses "+999:+994" (a DAC baselabel). Exposed for its unit test.
std::optional<QemuUser> parse_dac_label(const std::string& label);
// The DAC baselabel for `domain_type` in a capabilities XML document, if any.
std::optional<std::string> dac_baselabel(const std::string& capabilities_xml, const std::string& domain_type);

// Whether `user` (with the supplementary groups of its passwd entry) may read and write
// `path` by its mode bits. libvirt 9.0 asks this of /dev/kvm on every domain start: when
// its probe saw KVM but the QEMU user cannot open /dev/kvm (a host without udev leaves it
// root:root 0600), it discards its capability cache and probes QEMU again, each time.
bool user_may_read_write(const std::string& path, const QemuUser& user);

// True when `uri` names a daemon on this machine: no host part (qemu:///system,
// qemu+unix:///system?socket=...). Only then are the daemon's files (its per-domain QEMU
// log) bench's to remove.
bool is_local_uri(const std::string& uri);

}  // namespace isobench::vm
