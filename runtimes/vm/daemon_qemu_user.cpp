#include "daemon_qemu_user.hpp"
#include "libvirt_connection.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>

#include <cstdlib>
#include <memory>
#include <vector>

namespace isobench::vm {
namespace {

std::optional<unsigned long> parse_id(std::string_view text) {
  if (text.starts_with('+')) text.remove_prefix(1);
  if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  return std::strtoul(std::string(text).c_str(), nullptr, 10);
}

}  // namespace

std::optional<QemuUser> parse_dac_label(const std::string& label) {
  auto colon = label.find(':');
  if (colon == std::string::npos) return std::nullopt;
  auto uid = parse_id(std::string_view(label).substr(0, colon));
  auto gid = parse_id(std::string_view(label).substr(colon + 1));
  if (!uid || !gid) return std::nullopt;
  return QemuUser{static_cast<uid_t>(*uid), static_cast<gid_t>(*gid)};
}

std::optional<std::string> dac_baselabel(const std::string& xml, const std::string& domain_type) {
  // <secmodel><model>dac</model>...<baselabel type='kvm'>+999:+994</baselabel>...</secmodel>:
  // the host's secmodels are few and flat, so a scan of this one element is enough.
  for (std::size_t at = xml.find("<secmodel>"); at != std::string::npos; at = xml.find("<secmodel>", at + 1)) {
    auto end = xml.find("</secmodel>", at);
    if (end == std::string::npos) return std::nullopt;
    std::string_view model(xml.data() + at, end - at);
    if (model.find("<model>dac</model>") == std::string_view::npos) continue;
    for (const char quote : {'\'', '"'}) {
      std::string open = std::string("<baselabel type=") + quote + domain_type + quote + ">";
      auto label = model.find(open);
      if (label == std::string_view::npos) continue;
      label += open.size();
      auto close = model.find("</baselabel>", label);
      if (close == std::string_view::npos) return std::nullopt;
      return std::string(model.substr(label, close - label));
    }
    return std::nullopt;
  }
  return std::nullopt;
}

Result<std::optional<QemuUser>> daemon_qemu_user(virConnectPtr conn, const std::string& domain_type) {
  std::unique_ptr<char, decltype(&std::free)> caps(virConnectGetCapabilities(conn), &std::free);
  if (!caps) return fail("libvirt: read the daemon's capabilities: " + last_libvirt_error());
  auto label = dac_baselabel(caps.get(), domain_type);
  if (!label) return std::optional<QemuUser>{};
  auto user = parse_dac_label(*label);
  if (!user) return fail("libvirt: the daemon's DAC label for " + domain_type + " guests is not uid:gid: " + in_quotes(*label));
  return std::optional<QemuUser>(*user);
}

bool user_may_read_write(const std::string& path, const QemuUser& user) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return false;
  if (user.uid == 0) return true;
  constexpr mode_t kReadWrite = 06;
  if (st.st_uid == user.uid) return ((st.st_mode >> 6) & kReadWrite) == kReadWrite;
  bool in_group = st.st_gid == user.gid;
  if (const passwd* pw = ::getpwuid(user.uid); pw != nullptr && !in_group) {
    int count = 64;
    std::vector<gid_t> groups(count);
    if (::getgrouplist(pw->pw_name, user.gid, groups.data(), &count) >= 0)
      for (int i = 0; i < count; ++i) in_group = in_group || groups[i] == st.st_gid;
  }
  if (in_group) return ((st.st_mode >> 3) & kReadWrite) == kReadWrite;
  return (st.st_mode & kReadWrite) == kReadWrite;
}

bool is_local_uri(const std::string& uri) {
  auto scheme_end = uri.find("://");
  if (scheme_end == std::string::npos) return false;
  auto authority = uri.substr(scheme_end + 3);
  authority = authority.substr(0, authority.find_first_of("/?"));
  return authority.empty();
}

}  // namespace isobench::vm
