#include "owners.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <thread>

#include "host_tools.hpp"

namespace isobench::net {

Result<OwnedLink> OwnedLink::create(const std::string& name, const std::vector<std::string>& ip_args, long owner_pid) {
  if (name.size() > 15) return fail("network device name " + in_quotes(name) + " is longer than 15 characters");
  if (device_exists(name))
    return fail("network device " + in_quotes(name) +
                " already exists and was not created by this run: remove it (or run `bench clean` if an "
                "interrupted isobench run left it); nothing was changed");
  if (auto added = ip(ip_args); !added) return std::unexpected(added.error());
  OwnedLink link(name);  // from here on, ours: removed on every path
  if (auto aliased = ip({"link", "set", "dev", name, "alias", owner_alias(owner_pid)}); !aliased)
    return std::unexpected(aliased.error());
  return link;
}

OwnedLink& OwnedLink::operator=(OwnedLink&& other) noexcept {
  if (this != &other) {
    (void)remove();
    name_ = std::exchange(other.name_, {});
  }
  return *this;
}

Result<void> OwnedLink::remove() {
  if (name_.empty()) return {};
  std::string name = std::exchange(name_, {});
  if (!device_exists(name)) return {};  // a veth goes with its peer's namespace
  if (auto deleted = ip({"link", "delete", name}); !deleted) return std::unexpected(deleted.error());
  return {};
}

Result<OwnedNetns> OwnedNetns::create() {
  // unshare(CLONE_NEWNET) moves only the calling thread: a short-lived thread makes the
  // namespace and hands back a descriptor, and no other thread ever changes namespace.
  UniqueFd fd;
  int error = 0;
  std::thread maker([&] {
    if (::unshare(CLONE_NEWNET) != 0) {
      error = errno;
      return;
    }
    fd.reset(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
    if (!fd) error = errno;
  });
  maker.join();
  if (error != 0) return fail_errno("unshare a network namespace", error);
  return OwnedNetns(std::move(fd));
}

std::string OwnedNetns::path() const {
  return "/proc/" + std::to_string(::getpid()) + "/fd/" + std::to_string(fd_.get());
}

Result<OwnedNftTable> OwnedNftTable::create(const std::string& name) {
  if (!nft_installed()) return fail("nft is not installed (apt-get install nftables): the NAT mode needs it");
  auto tables = nft({"list", "tables", "ip"});
  if (!tables) return std::unexpected(tables.error());
  if (tables->find("table ip " + name + "\n") != std::string::npos)
    return fail("nftables table " + in_quotes("ip " + name) + " already exists and was not created by this run; nothing was changed");
  if (auto added = nft({"add", "table", "ip", name}); !added) return std::unexpected(added.error());
  return OwnedNftTable(name);
}

OwnedNftTable& OwnedNftTable::operator=(OwnedNftTable&& other) noexcept {
  if (this != &other) {
    (void)remove();
    name_ = std::exchange(other.name_, {});
  }
  return *this;
}

Result<void> OwnedNftTable::add(const std::string& object, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"add", object, "ip", name_};
  argv.insert(argv.end(), args.begin(), args.end());
  if (auto added = nft(argv); !added) return std::unexpected(added.error());
  return {};
}

Result<void> OwnedNftTable::remove() {
  if (name_.empty()) return {};
  std::string name = std::exchange(name_, {});
  if (auto deleted = nft({"delete", "table", "ip", name}); !deleted) return std::unexpected(deleted.error());
  return {};
}

}  // namespace isobench::net
