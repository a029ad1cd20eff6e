#include "vm_instance.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "runtimes/guest/guest_boot.hpp"
#include "daemon_qemu_user.hpp"
#include "embed_root.hpp"

namespace isobench::vm {
namespace {

std::string describe_stop(int detail) {
  switch (detail) {
    case VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN: return "powered off";
    case VIR_DOMAIN_EVENT_STOPPED_DESTROYED: return "destroyed";
    case VIR_DOMAIN_EVENT_STOPPED_CRASHED: return "crashed";
    case VIR_DOMAIN_EVENT_STOPPED_FAILED: return "QEMU failed";
    default: return "stopped (libvirt detail " + std::to_string(detail) + ")";
  }
}

// <domain type='kvm' ...> of the live domain: "kvm", or "qemu" for TCG; empty if unread.
std::string live_domain_type(virDomainPtr dom) {
  char* xml = virDomainGetXMLDesc(dom, 0);
  if (xml == nullptr) return {};
  std::string text(xml);
  std::free(xml);
  auto domain = text.find("<domain ");
  if (domain == std::string::npos) return {};
  auto end = text.find('>', domain);
  auto type = text.find("type=", domain);
  if (type == std::string::npos || type > end || type + 6 > text.size()) return {};
  char quote = text[type + 5];
  auto close = text.find(quote, type + 6);
  return close == std::string::npos || close > end ? std::string() : text.substr(type + 6, close - type - 6);
}

}  // namespace

VmInstance::VmInstance(std::shared_ptr<LibvirtConnection> connection, std::string name, ConsoleFifo console,
                       std::filesystem::path embed_root, const std::string& uri,
                       std::map<std::string, std::string> attributes)
    : reaping_(embed_root.empty() ? std::nullopt : std::make_optional<ReapScope>()),
      connection_(std::move(connection)),
      name_(std::move(name)),
      console_(std::move(console)),
      stream_(LineReader(console_.take_reader())),
      embed_root_(std::move(embed_root)),
      attributes_(std::move(attributes)) {
  daemon_ = embed_root_.empty();
  if (!daemon_) {
    qemu_log_ = domain_log_path(embed_root_, name_);
    qemu_pid_file_ = domain_pid_path(embed_root_, name_);
  } else if (is_local_uri(uri) && uri.find(":///system") != std::string::npos) {
    // libvirt's paths for a system daemon (its QEMU log, written through virtlogd).
    qemu_log_ = std::filesystem::path("/var/log/libvirt/qemu") / (name_ + ".log");
    qemu_pid_file_ = std::filesystem::path("/run/libvirt/qemu") / (name_ + ".pid");
  }
  // The kernel's first console line (with `quiet`, only if it warns about something).
  stream_.on_console_line([this](const std::string&) {
    if (!phases_.at("ready") && !phases_.at("kernel_started")) phases_.mark("kernel_started");
  });
}

VmInstance::~VmInstance() {
  if (torn_down_) return;
  auto done = teardown();
  if (!done) std::fprintf(stderr, "isobench: teardown: %s\n", done.error().describe().c_str());
}

Result<void> VmInstance::start(const std::string& xml) {
  // Paused first, so that "created" (libvirt has built the domain and QEMU is up) and
  // "qemu_up" (vCPUs released) are separate marks; libvirt itself starts every QEMU
  // stopped (-S) and resumes it, so this adds one monitor command at most.
  // A daemon destroys an autodestroy domain when this connection closes, so a bench
  // killed with -9 leaves no guest running there; the embedded driver has no such flag
  // (it ends with the process anyway).
  unsigned int flags = VIR_DOMAIN_START_PAUSED | (daemon_ ? VIR_DOMAIN_START_AUTODESTROY : 0);
  virDomainPtr dom = virDomainCreateXML(connection_->get(), xml.c_str(), flags);
  if (dom == nullptr) return fail("libvirt: create domain " + name_ + ": " + last_libvirt_error());
  domain_ = DomainHandle(dom);
  phases_.mark("created");
  if (virDomainResume(dom) < 0) return fail("libvirt: resume domain " + name_ + ": " + last_libvirt_error());
  phases_.mark("qemu_up");
  // What libvirt runs, read back rather than assumed from the template: <domain
  // type='kvm'> or 'qemu' (TCG). Read while the guest boots, after the marks.
  if (auto type = live_domain_type(dom); !type.empty()) attributes_["domain_type"] = type;
  return {};
}

Result<std::string> VmInstance::wait_ready(Deadline deadline) {
  auto line = stream_.await(kReadyTag, deadline);
  if (!line) {
    if (line.error().is_timeout()) return fail("guest not ready before the timeout");
    if (line.error().is_end_of_stream()) {
      auto end = connection_->wait_stopped(name_, Deadline::after(std::chrono::seconds(5)));
      std::string how = end ? describe_stop(end->stopped_detail) : "QEMU closed the console";
      std::string last = stream_.last_console_line();
      return fail("guest ended before ready: " + how + (last.empty() ? "" : ": " + last));
    }
    return std::unexpected(line.error().with_context("read the guest console"));
  }
  phases_.mark("ready");
  return line;
}

Result<Outcome> VmInstance::wait_exit(Deadline deadline) {
  Outcome outcome;
  auto result = stream_.await(kResultTag, deadline);
  if (result)
    outcome.result_line = std::move(*result);
  else if (result.error().is_timeout())
    return fail("no result from the guest before the timeout");
  auto end = connection_->wait_stopped(name_, deadline);
  if (!end) {
    if (end.error().is_timeout()) return fail("the guest did not power off before the timeout");
    return std::unexpected(end.error());
  }
  if (end->shutdown_ns) phases_.mark_at("powered_off", *end->shutdown_ns);
  phases_.mark_at("exited", end->stopped_ns);
  bool powered_off = end->stopped_detail == VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN;
  outcome.status.exited = true;
  outcome.failure = guest::guest_failure(outcome.result_line, stream_.last_console_line());
  outcome.status.exit_code = outcome.failure.empty() ? 0 : 1;
  if (!powered_off && outcome.failure.empty()) outcome.failure = "the guest " + describe_stop(end->stopped_detail);
  return outcome;
}

Result<void> VmInstance::teardown() {
  if (torn_down_) return {};
  torn_down_ = true;
  Result<void> first = domain_.destroy();  // a failed cleanup never hides the first failure
  connection_->forget(name_);
  auto removed = console_.remove();
  if (first && !removed) first = std::unexpected(removed.error());
  if (!qemu_log_.empty()) {
    // This guest's own log, named after it; the daemon's other files are its own.
    std::error_code ec;
    std::filesystem::remove(qemu_log_, ec);
  }
  phases_.mark("torn_down");
  reaping_.reset();
  return first;
}

std::vector<pid_t> VmInstance::host_pids() const {
  if (qemu_pid_file_.empty()) return {};
  std::ifstream in(qemu_pid_file_);
  pid_t pid = 0;
  if (in >> pid && pid > 0) return {pid};
  return {};
}

}  // namespace isobench::vm
