#include "unix_sockets.hpp"

#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace isobench {

namespace fs = std::filesystem;

std::vector<fs::path> unix_sockets_held_under(const std::vector<pid_t>& pids, const fs::path& dir, const fs::path& proc) {
  std::map<std::string, fs::path> by_inode;
  std::ifstream table(proc / "net/unix");
  const std::string prefix = dir.string() + "/";
  for (std::string line; std::getline(table, line);) {
    // "Num RefCount Protocol Flags Type St Inode Path"
    std::istringstream fields(line);
    std::string num, refcount, protocol, flags, type, state, inode, path;
    if (fields >> num >> refcount >> protocol >> flags >> type >> state >> inode >> path && path.starts_with(prefix))
      by_inode[inode] = path;
  }
  std::vector<fs::path> out;
  if (by_inode.empty()) return out;
  std::error_code ec;
  for (pid_t pid : pids)
    for (const auto& fd : fs::directory_iterator(proc / std::to_string(pid) / "fd", ec)) {
      std::string target = fs::read_symlink(fd.path(), ec).string();  // "socket:[INODE]"
      if (!target.starts_with("socket:[") || target.size() < 10) continue;
      if (auto it = by_inode.find(target.substr(8, target.size() - 9)); it != by_inode.end()) out.push_back(it->second);
    }
  return out;
}

}  // namespace isobench
