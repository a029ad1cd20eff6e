// A libvirt connection with what the embedded QEMU driver needs around it: libvirt's
// default event loop running in a thread (the driver talks to QEMU's monitor through
// it), errors captured instead of printed, and lifecycle events recorded per domain so
// that a guest's power-off and QEMU's exit are timestamped as they happen.
#pragma once

#include <libvirt/libvirt.h>

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "runtimes/common/clock.hpp"
#include "runtimes/common/error.hpp"

namespace isobench::vm {

// libvirt's last error on this thread, as one line ("unknown error" if none).
std::string last_libvirt_error();

// When a domain stopped, and how (VIR_DOMAIN_EVENT_STOPPED_* detail).
struct DomainEnd {
  std::optional<std::int64_t> shutdown_ns;  // the guest powered off (QEMU still running)
  std::int64_t stopped_ns = 0;              // QEMU gone, domain stopped
  int stopped_detail = 0;
};

class EventLoop;

class LibvirtConnection {
 public:
  // One connection per URI per process, shared by the backends that ask for it; the
  // embedded driver allows one root per process.
  static Result<std::shared_ptr<LibvirtConnection>> open(const std::string& uri);
  ~LibvirtConnection();
  LibvirtConnection(const LibvirtConnection&) = delete;
  LibvirtConnection& operator=(const LibvirtConnection&) = delete;

  virConnectPtr get() const { return conn_; }
  const std::string& uri() const { return uri_; }
  std::string library_version() const;  // "9.0.0"

  // Waits for the lifecycle event saying domain `name` stopped. A timeout error at the deadline.
  Result<DomainEnd> wait_stopped(const std::string& name, Deadline deadline);
  // Drops what was recorded for `name` (call when its instance is gone).
  void forget(const std::string& name);

 private:
  LibvirtConnection() = default;
  static int on_lifecycle(virConnectPtr, virDomainPtr dom, int event, int detail, void* opaque);

  std::shared_ptr<EventLoop> loop_;
  virConnectPtr conn_ = nullptr;
  int callback_id_ = -1;
  std::string uri_;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, std::optional<std::int64_t>> shutdown_;  // by domain name
  std::map<std::string, DomainEnd> stopped_;
};

// An owned virDomainPtr; destroys the domain if it is still running, then frees it.
class DomainHandle {
 public:
  DomainHandle() = default;
  explicit DomainHandle(virDomainPtr dom) : dom_(dom) {}
  DomainHandle(DomainHandle&& other) noexcept : dom_(std::exchange(other.dom_, nullptr)) {}
  DomainHandle& operator=(DomainHandle&& other) noexcept;
  DomainHandle(const DomainHandle&) = delete;
  DomainHandle& operator=(const DomainHandle&) = delete;
  ~DomainHandle();

  virDomainPtr get() const { return dom_; }
  // Stops QEMU if the domain is active (a transient domain then disappears) and frees
  // the handle. Idempotent.
  Result<void> destroy();

 private:
  virDomainPtr dom_ = nullptr;
};

}  // namespace isobench::vm
