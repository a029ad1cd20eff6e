// The host tools the network set-ups drive: iproute2's `ip` for links and addresses, and
// `nft` for isobench's own NAT table. Each call is bounded in time; a failure carries the
// command and the tool's last line of stderr.
#pragma once

#include <string>
#include <vector>

#include "runtimes/common/error.hpp"

namespace isobench::net {

// `ip ARGS...` in the host's network namespace.
Result<std::string> ip(const std::vector<std::string>& args);
// `ip ARGS...` inside the namespace at `netns_path` (through nsenter, which opens any
// nsfs path: the namespaces here are held by file descriptors, not by /run/netns names).
Result<std::string> ip_in(const std::string& netns_path, const std::vector<std::string>& args);
// `nft ARGS...`.
Result<std::string> nft(const std::vector<std::string>& args);
bool nft_installed();

// True when a network device of that name exists in the host's namespace.
bool device_exists(const std::string& name);

// Device names must fit IFNAMSIZ (15 characters): `isobench-` + a letter for the kind
// + the owner pid in base 36 (5 digits hold any pid up to 2^22). The owner pid is also
// written into the device's alias (`isobench-net-PID`), where the leak audit reads it.
std::string device_name(char kind, long pid);
std::string owner_alias(long pid);

}  // namespace isobench::net
