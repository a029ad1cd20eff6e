#include "artifacts.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>

#include "process_table.hpp"
#include "runtimes/common/spawn.hpp"

namespace isobench::safety {
namespace fs = std::filesystem;
namespace {

bool names_isobench(std::string_view text) { return text.find("isobench") != std::string_view::npos; }

std::vector<fs::directory_entry> entries_of(const fs::path& dir) {
  std::vector<fs::directory_entry> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) out.push_back(entry);
  return out;
}

// A mount point often lies below the named dir (.../isobench-oci-PID-x/rootfs), so its
// whole path counts; anything else is named by its last component alone.
Artifact make(ArtifactKind kind, const std::string& id) {
  std::string name = kind == ArtifactKind::kMount ? id : fs::path(id).filename().string();
  return Artifact{kind, id, {}, owner_pid(name)};
}

// Cgroup directories named isobench, in every hierarchy under `root` (each v1
// controller and the v2 tree): a match is one artifact with its whole subtree.
void scan_cgroups(const fs::path& dir, int depth, std::vector<Artifact>& out) {
  if (depth > 8) return;
  for (const auto& entry : entries_of(dir)) {
    std::error_code ec;
    // v1 aliases such as cpu -> cpu,cpuacct would list the same cgroups twice.
    if (entry.is_symlink(ec) || !entry.is_directory(ec)) continue;
    if (names_isobench(entry.path().filename().string()))
      out.push_back(make(ArtifactKind::kCgroup, entry.path().string()));
    else
      scan_cgroups(entry.path(), depth + 1, out);
  }
}

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape_mountinfo(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    bool octal = text[i] == '\\' && i + 3 < text.size() &&
                 std::all_of(text.begin() + i + 1, text.begin() + i + 4, [](char c) { return c >= '0' && c <= '7'; });
    if (octal) {
      out.push_back(static_cast<char>(std::stoi(text.substr(i + 1, 3), nullptr, 8)));
      i += 3;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

void scan_mounts(const fs::path& mountinfo, std::vector<Artifact>& out) {
  std::ifstream in(mountinfo);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, devno, root, mount_point;
    if (!(fields >> id >> parent >> devno >> root >> mount_point)) continue;
    std::string path = unescape_mountinfo(mount_point);
    if (names_isobench(path)) out.push_back(make(ArtifactKind::kMount, path));
  }
}

void scan_named_entries(const fs::path& dir, ArtifactKind kind, std::vector<Artifact>& out) {
  for (const auto& entry : entries_of(dir))
    if (names_isobench(entry.path().filename().string())) out.push_back(make(kind, entry.path().string()));
}

void scan_files_below(const fs::path& dir, int depth, ArtifactKind kind, std::vector<Artifact>& out) {
  if (depth > 4) return;
  for (const auto& entry : entries_of(dir)) {
    std::error_code ec;
    if (names_isobench(entry.path().filename().string()) && !entry.is_directory(ec))
      out.push_back(make(kind, entry.path().string()));
    else if (entry.is_directory(ec) && !entry.is_symlink(ec))
      scan_files_below(entry.path(), depth + 1, kind, out);
  }
}

// Only processes isobench starts: QEMU, the OCI runtimes (gVisor's runsc with its
// runsc-sandbox and runsc-gofer), a private dockerd with its containerd and shims, podman
// with its conmon, and the workload. Anything else whose command line happens to mention
// isobench (an editor, a shell) is not ours.
bool is_isobench_process(const ProcessInfo& info) {
  std::string argv0 = info.cmdline.substr(0, info.cmdline.find(' '));
  std::string base = fs::path(argv0).filename().string();
  if (base == "isobench-workload" || base == "isobench-microvm") return info.ppid == 1 || owner_pid(info.cmdline).has_value();
  static constexpr std::string_view kRuntimes[] = {"crun",       "runc",          "runsc",  "runsc-sandbox",
                                                   "runsc-gofer", "dockerd",      "docker", "containerd",
                                                   "podman",     "conmon"};
  bool runtime = base.starts_with("qemu-system") || base.starts_with("containerd-shim") ||
                 std::find(std::begin(kRuntimes), std::end(kRuntimes), base) != std::end(kRuntimes);
  return runtime && names_isobench(info.cmdline);
}

void scan_processes(const fs::path& proc, std::vector<Artifact>& out) {
  ProcessTable table(proc);
  for (const auto& [pid, info] : table.processes()) {
    if (!is_isobench_process(info)) continue;
    Artifact artifact{ArtifactKind::kProcess, std::to_string(pid), info.cmdline.substr(0, 160), owner_pid(info.cmdline)};
    out.push_back(std::move(artifact));
  }
}

// Network device names must fit 15 characters, too few for isobench-KIND-PID: the net
// suite writes its owner into the device's alias (isobench-net-PID) instead.
void add_owners_from_alias(std::vector<Artifact>& out) {
  for (auto& artifact : out) {
    if (artifact.kind != ArtifactKind::kNetDevice || artifact.owner) continue;
    std::ifstream in(fs::path(artifact.id) / "ifalias");
    std::string alias;
    if (std::getline(in, alias)) artifact.owner = owner_pid(alias);
  }
}

// `table ip isobench-nat-PID` lines of `nft list tables`; the id is "FAMILY NAME".
void scan_nft_tables(std::vector<Artifact>& out) {
  std::string nft;
  for (const char* path : {"/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"})
    if (nft.empty() && ::access(path, X_OK) == 0) nft = path;
  if (nft.empty()) return;
  auto listed = capture_output({nft, "list", "tables"}, Deadline::after(std::chrono::seconds(5)));
  if (!listed) return;
  std::istringstream lines(*listed);
  std::string word, family, name;
  while (lines >> word >> family >> name)
    if (word == "table" && name.starts_with("isobench-"))
      out.push_back(Artifact{ArtifactKind::kNftTable, family + " " + name, {}, owner_pid(name)});
}

}  // namespace

std::string_view kind_name(ArtifactKind kind) {
  switch (kind) {
    case ArtifactKind::kProcess: return "process";
    case ArtifactKind::kCgroup: return "cgroup";
    case ArtifactKind::kMount: return "mount";
    case ArtifactKind::kNetns: return "network namespace";
    case ArtifactKind::kNetDevice: return "network device";
    case ArtifactKind::kNftTable: return "nftables table";
    case ArtifactKind::kLibvirtState: return "libvirt state";
    case ArtifactKind::kTempDir: return "temp path";
  }
  return "artifact";
}

std::string Artifact::describe() const {
  std::string out = std::string(kind_name(kind)) + " " + id;
  if (!detail.empty()) out += " (" + detail + ")";
  return out;
}

std::optional<pid_t> owner_pid(std::string_view text) {
  // The last match: in a path, the artifact's own name comes after its parents'.
  static const std::regex pattern(R"(isobench-[a-z][a-z0-9_]*-([0-9]{1,9})(?:[^0-9A-Za-z_]|$))");
  std::optional<pid_t> owner;
  using Iterator = std::regex_iterator<std::string_view::const_iterator>;
  for (Iterator it(text.begin(), text.end(), pattern), end; it != end; ++it)
    owner = static_cast<pid_t>(std::stol((*it)[1].str()));
  return owner;
}

std::vector<Artifact> isobench_mounts(const fs::path& mountinfo) {
  std::vector<Artifact> out;
  scan_mounts(mountinfo, out);
  return out;
}

bool process_alive(pid_t pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

std::vector<Artifact> scan_host(const HostRoots& roots) {
  std::vector<Artifact> out;
  scan_processes(roots.proc, out);
  scan_cgroups(roots.cgroup, 0, out);
  scan_mounts(roots.mountinfo, out);
  scan_named_entries(roots.netns, ArtifactKind::kNetns, out);
  scan_named_entries(roots.net, ArtifactKind::kNetDevice, out);
  add_owners_from_alias(out);
  if (roots.nft_tables) scan_nft_tables(out);
  if (roots.state_dir) {
    scan_files_below(*roots.state_dir / "libvirt" / "run", 0, ArtifactKind::kLibvirtState, out);
    // A run's own daemon directories (isobench-docker-PID: a private dockerd's data and
    // exec roots); what the state dir keeps across runs is named without a pid.
    for (const auto& entry : entries_of(*roots.state_dir))
      if (owner_pid(entry.path().filename().string())) out.push_back(make(ArtifactKind::kTempDir, entry.path().string()));
  }
  for (const auto& dir : roots.temp_dirs) scan_named_entries(dir, ArtifactKind::kTempDir, out);
  // /run/isobench-crun and the like are runtime state roots kept across runs, as the state
  // dir is; what one run leaves is inside them, named with its pid.
  for (const auto& entry : entries_of(roots.run)) {
    std::string name = entry.path().filename().string();
    std::error_code ec;
    if (!names_isobench(name)) continue;
    if (!owner_pid(name) && entry.is_directory(ec))
      scan_named_entries(entry.path(), ArtifactKind::kTempDir, out);
    else
      out.push_back(make(ArtifactKind::kTempDir, entry.path().string()));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace isobench::safety
