// RAII owners of the kernel objects a network set-up creates. Each removes its object in
// remove() (reporting a failure) or, on any other path, in its destructor; each is
// created only after checking that the name is free, so it never owns (and never
// deletes) something isobench did not create.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "runtimes/common/error.hpp"
#include "runtimes/common/unique_fd.hpp"

namespace isobench::net {

// A network device in the host's namespace: a bridge, the host end of a veth pair (its
// peer goes with it), a tap.
class OwnedLink {
 public:
  // `ip ARGS...` (which creates NAME: `link add NAME type bridge`, `tuntap add dev NAME
  // mode tap`), then the owner alias; fails without touching anything if NAME is taken.
  static Result<OwnedLink> create(const std::string& name, const std::vector<std::string>& ip_args, long owner_pid);

  OwnedLink() = default;
  OwnedLink(OwnedLink&& other) noexcept : name_(std::exchange(other.name_, {})) {}
  OwnedLink& operator=(OwnedLink&& other) noexcept;
  ~OwnedLink() { (void)remove(); }

  const std::string& name() const { return name_; }
  Result<void> remove();

 private:
  explicit OwnedLink(std::string name) : name_(std::move(name)) {}
  std::string name_;
};

// A new network namespace held only by a file descriptor of this process: nothing is
// mounted or named on the host, and the namespace goes away with the last holder (this
// fd, an instance inside it) even if isobench is killed. Others reach it by path().
class OwnedNetns {
 public:
  static Result<OwnedNetns> create();

  // /proc/PID/fd/N: opens the namespace from any process (nsenter, crun, runc).
  std::string path() const;
  void release() { fd_.reset(); }

 private:
  explicit OwnedNetns(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

// isobench's own nftables table (`table ip isobench-nat-PID`): every rule the NAT mode
// needs lives in it, so the host's rules are never edited, and deleting the table
// removes them all.
class OwnedNftTable {
 public:
  static Result<OwnedNftTable> create(const std::string& name);

  OwnedNftTable() = default;
  OwnedNftTable(OwnedNftTable&& other) noexcept : name_(std::exchange(other.name_, {})) {}
  OwnedNftTable& operator=(OwnedNftTable&& other) noexcept;
  ~OwnedNftTable() { (void)remove(); }

  const std::string& name() const { return name_; }
  // `nft add ARGS...` with the table's family and name put after the object keyword:
  // add({"chain", "pre", "{ type nat hook prerouting priority -100 ; }"}).
  Result<void> add(const std::string& object, const std::vector<std::string>& args);
  Result<void> remove();

 private:
  explicit OwnedNftTable(std::string name) : name_(std::move(name)) {}
  std::string name_;
};

}  // namespace isobench::net
