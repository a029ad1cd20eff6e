#include "libvirt_connection.hpp"

#include <libvirt/virterror.h>

#include <cstdlib>
#include <atomic>
#include <cstdio>
#include <thread>

namespace isobench::vm {
namespace {

void ignore_libvirt_error(void*, virErrorPtr) {}  // reported through last_libvirt_error()

}  // namespace

std::string last_libvirt_error() {
  const char* message = virGetLastErrorMessage();
  std::string text = message ? message : "unknown error";
  for (char& c : text)
    if (c == '\n') c = ' ';
  return text;
}

// libvirt's default event loop, run in one thread for as long as a connection uses it.
class EventLoop {
 public:
  static Result<std::shared_ptr<EventLoop>> acquire() {
    static std::mutex mutex;
    static std::weak_ptr<EventLoop> current;
    static bool registered = false;
    std::lock_guard lock(mutex);
    if (auto loop = current.lock()) return loop;
    if (!registered) {
      // libvirt logs warnings (a security driver of "none", a "tainted" domain) and
      // its errors to stderr; isobench reports errors itself, in one line. Read when
      // libvirt initializes, i.e. before its first call; a user's setting wins.
      ::setenv("LIBVIRT_LOG_OUTPUTS", "4:file:/dev/null", 0);
      // Must precede opening any connection; libvirt allows it once per process.
      virSetErrorFunc(nullptr, ignore_libvirt_error);
      if (virEventRegisterDefaultImpl() < 0) return fail("libvirt: register the event loop: " + last_libvirt_error());
      registered = true;
    }
    auto loop = std::shared_ptr<EventLoop>(new EventLoop());
    current = loop;
    return loop;
  }

  ~EventLoop() {
    stop_ = true;
    // A timeout that fires at once wakes the loop so that it sees stop_.
    int timer = virEventAddTimeout(0, [](int id, void*) { virEventRemoveTimeout(id); }, nullptr, nullptr);
    if (timer < 0) std::fprintf(stderr, "isobench: libvirt event loop: cannot wake it to stop\n");
    thread_.join();
  }

 private:
  EventLoop() : thread_([this] {
    virSetErrorFunc(nullptr, ignore_libvirt_error);
    while (!stop_)
      if (virEventRunDefaultImpl() < 0) std::fprintf(stderr, "isobench: libvirt event loop: %s\n", last_libvirt_error().c_str());
  }) {}

  std::atomic<bool> stop_{false};
  std::thread thread_;
};

Result<std::shared_ptr<LibvirtConnection>> LibvirtConnection::open(const std::string& uri) {
  static std::mutex mutex;
  static std::map<std::string, std::weak_ptr<LibvirtConnection>> open_connections;
  std::lock_guard lock(mutex);
  if (auto existing = open_connections[uri].lock()) return existing;

  auto loop = EventLoop::acquire();
  if (!loop) return std::unexpected(loop.error());
  auto connection = std::shared_ptr<LibvirtConnection>(new LibvirtConnection());
  connection->loop_ = std::move(*loop);
  connection->uri_ = uri;
  virSetErrorFunc(nullptr, ignore_libvirt_error);
  connection->conn_ = virConnectOpen(uri.c_str());
  if (connection->conn_ == nullptr) return fail("libvirt " + in_quotes(uri) + ": " + last_libvirt_error());
  connection->callback_id_ = virConnectDomainEventRegisterAny(
      connection->conn_, nullptr, VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle),
      connection.get(), nullptr);
  if (connection->callback_id_ < 0)
    return fail("libvirt " + in_quotes(uri) + ": register for domain events: " + last_libvirt_error());
  open_connections[uri] = connection;
  return connection;
}

LibvirtConnection::~LibvirtConnection() {
  if (conn_ == nullptr) return;
  if (callback_id_ >= 0) virConnectDomainEventDeregisterAny(conn_, callback_id_);
  if (virConnectClose(conn_) < 0)
    std::fprintf(stderr, "isobench: libvirt: close %s: %s\n", uri_.c_str(), last_libvirt_error().c_str());
  // loop_ stops after the connection is closed: closing may still dispatch events.
}

std::string LibvirtConnection::library_version() const {
  unsigned long version = 0;
  if (virConnectGetLibVersion(conn_, &version) < 0) return "unknown";
  return std::to_string(version / 1000000) + "." + std::to_string(version / 1000 % 1000) + "." +
         std::to_string(version % 1000);
}

int LibvirtConnection::on_lifecycle(virConnectPtr, virDomainPtr dom, int event, int detail, void* opaque) {
  std::int64_t now = monotonic_ns();
  auto* self = static_cast<LibvirtConnection*>(opaque);
  const char* name = virDomainGetName(dom);
  if (name == nullptr) return 0;
  std::lock_guard lock(self->mutex_);
  if (event == VIR_DOMAIN_EVENT_SHUTDOWN) {
    self->shutdown_[name] = now;
  } else if (event == VIR_DOMAIN_EVENT_STOPPED) {
    DomainEnd end;
    if (auto it = self->shutdown_.find(name); it != self->shutdown_.end()) end.shutdown_ns = it->second;
    end.stopped_ns = now;
    end.stopped_detail = detail;
    self->stopped_[name] = end;
    self->changed_.notify_all();
  }
  return 0;
}

Result<DomainEnd> LibvirtConnection::wait_stopped(const std::string& name, Deadline deadline) {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (auto it = stopped_.find(name); it != stopped_.end()) return it->second;
    int left_ms = deadline.poll_timeout_ms();
    if (left_ms == 0) return fail_timeout("wait for domain " + name + " to stop");
    if (left_ms < 0)
      changed_.wait(lock);
    else
      changed_.wait_for(lock, std::chrono::milliseconds(left_ms));
  }
}

void LibvirtConnection::forget(const std::string& name) {
  std::lock_guard lock(mutex_);
  shutdown_.erase(name);
  stopped_.erase(name);
}

DomainHandle& DomainHandle::operator=(DomainHandle&& other) noexcept {
  if (this != &other) {
    (void)destroy();
    dom_ = std::exchange(other.dom_, nullptr);
  }
  return *this;
}

DomainHandle::~DomainHandle() {
  auto done = destroy();
  if (!done) std::fprintf(stderr, "isobench: %s\n", done.error().describe().c_str());
}

Result<void> DomainHandle::destroy() {
  if (dom_ == nullptr) return {};
  Result<void> result;
  int active = virDomainIsActive(dom_);
  // -1: the transient domain is already gone, which is what destroy wants.
  if (active == 1 && virDomainDestroy(dom_) < 0) {
    const char* name = virDomainGetName(dom_);
    result = fail("libvirt: destroy domain " + std::string(name ? name : "?") + ": " + last_libvirt_error());
  }
  virDomainFree(dom_);
  dom_ = nullptr;
  return result;
}

}  // namespace isobench::vm
