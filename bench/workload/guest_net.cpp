// The guest's network for the net suite: when the kernel command line carries
// `isobench.ip=A.B.C.D/PREFIX isobench.gw=G`, /init loads the virtio-net modules the
// initramfs holds (/isobench-modules/, listed in load order in `order`), waits for eth0,
// and configures it by ioctl: no `ip` binary, no netlink library in the static workload.
// Without those parameters nothing happens: the guest of every other suite has no NIC.
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "measure.hpp"
#include "runtimes/common/quote.hpp"
#include "workload.hpp"

namespace workload {
namespace {

constexpr std::string_view kIpParam = "isobench.ip=";
constexpr std::string_view kGatewayParam = "isobench.gw=";
constexpr const char* kModulesDir = "/isobench-modules/";

bool load_modules(std::string& error) {
  std::ifstream order(std::string(kModulesDir) + "order");
  if (!order) {
    error = "no /isobench-modules/order in the initramfs";
    return false;
  }
  std::string name;
  while (std::getline(order, name)) {
    if (name.empty()) continue;
    std::string path = kModulesDir + name;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      error = errno_message("open " + path);
      return false;
    }
    long loaded = ::syscall(SYS_finit_module, fd, "", 0);
    int err = errno;
    ::close(fd);
    if (loaded != 0 && err != EEXIST) {  // EEXIST: built in or already loaded
      errno = err;
      error = errno_message("finit_module " + name);
      return false;
    }
  }
  return true;
}

sockaddr to_sockaddr(in_addr address) {
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_addr = address;
  sockaddr out{};
  std::memcpy(&out, &in, sizeof in);
  return out;
}

bool set_up(int sock, const char* device, std::string& error) {
  ifreq request{};
  std::strncpy(request.ifr_name, device, IFNAMSIZ - 1);
  if (::ioctl(sock, SIOCGIFFLAGS, &request) != 0) {
    error = errno_message(std::string("SIOCGIFFLAGS ") + device);
    return false;
  }
  request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
  if (::ioctl(sock, SIOCSIFFLAGS, &request) != 0) {
    error = errno_message(std::string("SIOCSIFFLAGS ") + device);
    return false;
  }
  return true;
}

bool configure(const std::string& cidr, const std::string& gateway, std::string& error) {
  auto slash = cidr.find('/');
  in_addr address{}, gw{};
  auto prefix = slash == std::string::npos ? std::nullopt : parse_count(cidr.substr(slash + 1));
  if (slash == std::string::npos || ::inet_pton(AF_INET, cidr.substr(0, slash).c_str(), &address) != 1 || !prefix ||
      *prefix > 32 || ::inet_pton(AF_INET, gateway.c_str(), &gw) != 1) {
    error = "bad isobench.ip " + isobench::quote_input(cidr) + " or isobench.gw " + isobench::quote_input(gateway);
    return false;
  }
  in_addr mask{};
  mask.s_addr = htonl(*prefix == 0 ? 0 : ~0U << (32 - *prefix));
  // virtio_net probes asynchronously: wait for its device, at most 5 s.
  for (int i = 0; i < 500 && ::access("/sys/class/net/eth0", F_OK) != 0; ++i) ::usleep(10'000);
  int sock = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0) {
    error = errno_message("socket");
    return false;
  }
  bool ok = set_up(sock, "lo", error);
  ifreq request{};
  std::strncpy(request.ifr_name, "eth0", IFNAMSIZ - 1);
  request.ifr_addr = to_sockaddr(address);
  if (ok && ::ioctl(sock, SIOCSIFADDR, &request) != 0) ok = false, error = errno_message("SIOCSIFADDR eth0");
  request.ifr_netmask = to_sockaddr(mask);
  if (ok && ::ioctl(sock, SIOCSIFNETMASK, &request) != 0) ok = false, error = errno_message("SIOCSIFNETMASK eth0");
  ok = ok && set_up(sock, "eth0", error);
  rtentry route{};
  route.rt_dst = to_sockaddr(in_addr{});
  route.rt_genmask = to_sockaddr(in_addr{});
  route.rt_gateway = to_sockaddr(gw);
  route.rt_flags = RTF_UP | RTF_GATEWAY;
  if (ok && ::ioctl(sock, SIOCADDRT, &route) != 0) ok = false, error = errno_message("SIOCADDRT default");
  ::close(sock);
  return ok;
}

}  // namespace

void prepare_guest_network() {
  std::ifstream cmdline("/proc/cmdline");
  std::string word, cidr, gateway;
  while (cmdline >> word) {
    if (word.starts_with(kIpParam)) cidr = word.substr(kIpParam.size());
    if (word.starts_with(kGatewayParam)) gateway = word.substr(kGatewayParam.size());
  }
  if (cidr.empty()) return;
  std::string error;
  if (!load_modules(error) || !configure(cidr, gateway, error))
    write_line("isobench: guest network: " + error);  // on the console; the workload then fails to connect
}

}  // namespace workload
