// Bringing up `lo` in a new network namespace (it starts down), with one ioctl pair:
// no `ip` binary, no netlink library. Async-signal-safe, for the container's child.
#pragma once

namespace isobench {

// 0 on success, else the errno.
int bring_up_loopback();

}  // namespace isobench
