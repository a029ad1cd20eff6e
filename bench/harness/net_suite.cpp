// The net suite (Felter et al. 2015's network figures): TCP round trips of 1 byte and
// 1 KiB, bulk stream throughput and connection setup, from a client in the instance to
// the peer on the host side of each backend's real network path (runtimes/net/):
//   net/bare/*               loopback
//   net/container-host/*     isobench's container sharing the host's namespace
//   net/container-bridge/*   its own namespace, veth into a bridge
//   net/container-nat/*      the same behind NAT (masquerade + port forward)
//   net/crun-bridge/*, net/runc-bridge/*  the OCI runtimes on the same veth/bridge
//   net/docker-host/*, net/podman-host/*  the engines on the host's network (--network host)
//   net/podman-bridge/*      podman on the same veth/bridge (--network ns:PATH)
//   net/runsc-host/*         gVisor on the host's network (--network=host)
//   net/vm/*                 the libvirt guest's virtio-net on a tap on a bridge
//   net/qemu/*               the same guest and tap, QEMU started without libvirt
// Every repetition builds its path, starts the peer, runs one instance (all four figures)
// and tears everything down, so nothing outlives a row and each row's ratio_to_bare
// comes from the same run (derived.cpp).
#include <unistd.h>

#include <deque>
#include <map>
#include <memory>

#include "bench/harness/row_attributes.hpp"
#include "runtimes/net/network_path.hpp"
#include "runtimes/net/peer.hpp"
#include "overhead_run.hpp"

namespace isobench {
namespace {

using net::NetMode;

struct NetVariant {
  const char* backend;
  const char* row_backend;  // the BACKEND part of the row's name
  NetMode mode;
};

constexpr NetVariant kVariants[] = {
    {"bare", "bare", NetMode::kLoopback},
    {"container", "container-host", NetMode::kHost},
    {"container", "container-bridge", NetMode::kBridge},
    {"container", "container-nat", NetMode::kNat},
    {"crun", "crun-bridge", NetMode::kBridge},
    {"runc", "runc-bridge", NetMode::kBridge},
    // docker joins only namespaces of its own making, and its bridge would edit the host's
    // firewall: the host's network. podman joins the prepared veth's namespace by path
    // (--network ns:PATH) as well.
    {"docker", "docker-host", NetMode::kHost},
    {"podman", "podman-host", NetMode::kHost},
    {"podman", "podman-bridge", NetMode::kBridge},
    // gVisor on the host's network (--network=host: the Sentry's sockets are host sockets).
    // Its own netstack on a prepared veth (--network=sandbox) refuses here: "cannot run
    // with network enabled in root network namespace", though the namespace is not the root.
    {"runsc", "runsc-host", NetMode::kHost},
    {"vm", "vm", NetMode::kTap},
    {"qemu", "qemu", NetMode::kTap},
};

// The rows each run feeds: where its figures are in the workload's data, the counter the
// row is timed by, and the extra counters it carries.
struct NetRow {
  const char* name;
  const char* figures_at;
  const char* counter;
  std::vector<const char*> extra;
};

const std::vector<NetRow>& net_rows() {
  static const std::vector<NetRow> rows = {
      {"rr", "/rr_1", "ns_per_op", {"p50_ns", "p99_ns"}},
      {"rr1k", "/rr_1024", "ns_per_op", {"p50_ns", "p99_ns"}},
      {"stream", "/stream", "bytes_per_s", {}},
      {"connect", "/connect", "ops_per_s", {"ns_per_op"}},
  };
  return rows;
}

struct NetResult {
  nlohmann::json data;
  nlohmann::json attributes;
};

// One run of `net all` on one path: build the path, start the peer on its host side,
// run the instance, stop the peer, tear the path down (also on every failure path).
Result<NetResult> run_on_path(Backend& backend, NetMode mode, const std::string& seconds,
                              const LifecycleTimeouts& timeouts) {
  auto path = net::NetworkPath::create(mode, ::getpid());
  if (!path) return std::unexpected(path.error().with_context("network set-up (" + net::to_string(mode) + ")"));
  auto peer = net::PeerServer::start((*path)->peer_address());
  if (!peer) return std::unexpected(peer.error());
  auto port = (*path)->connect_peer((*peer)->port());
  if (!port) return std::unexpected(port.error().with_context("network set-up"));
  LaunchOptions options;
  options.workload = {"net", {"all", (*path)->dial_address(), std::to_string(*port), seconds}};
  options.network = (*path)->attachment();
  options.ready_timeout = timeouts.ready;
  auto run = run_lifecycle(backend, options, timeouts);
  (*peer)->stop();
  auto torn_down = (*path)->teardown();
  if (!run) return std::unexpected(run.error());
  auto data = workload_data(run->outcome);
  if (!data) return std::unexpected(data.error());
  if (!torn_down) return std::unexpected(torn_down.error().with_context("network teardown"));
  NetResult result{std::move(*data), attributes_object(run->attributes)};
  for (const auto& [key, value] : (*path)->facts()) result.attributes[key] = value;
  result.attributes["direction"] = "client_in_instance->server_on_host";
  return result;
}

// Each row takes the next result queued for it; a row with none starts a new run that
// queues its result for every row (overhead_run.cpp does the same for other suites).
class NetRuns {
 public:
  NetRuns(Backend& backend, NetMode mode, std::string seconds, LifecycleTimeouts timeouts)
      : backend_(backend), mode_(mode), seconds_(std::move(seconds)), timeouts_(timeouts) {}
  void add_row(const std::string& row) { queues_[row]; }
  Result<NetResult> next(const std::string& row) {
    auto& queue = queues_.at(row);
    if (queue.empty()) {
      auto result = run_on_path(backend_, mode_, seconds_, timeouts_);
      for (auto& [name, q] : queues_) q.push_back(result);
    }
    Result<NetResult> result = std::move(queue.front());
    queue.pop_front();
    return result;
  }

 private:
  Backend& backend_;
  NetMode mode_;
  std::string seconds_;
  LifecycleTimeouts timeouts_;
  std::map<std::string, std::deque<Result<NetResult>>> queues_;
};

void report_net_row(benchmark::State& state, NetRuns& runs, const NetRow& row) {
  for (auto _ : state) {
    auto result = runs.next(row.name);
    if (!result) {
      record_failure(state, result.error().describe());
      break;
    }
    auto figures = row_figures(result->data, row.figures_at, row.counter);
    if (!figures) {
      record_failure(state, figures.error().describe());
      break;
    }
    double value = (*figures)[row.counter].get<double>();
    // Per-operation rows are timed by their operation; the stream by its window.
    double seconds = std::string(row.counter) == "bytes_per_s" ? figures->value("seconds", 0.0)
                     : std::string(row.counter) == "ops_per_s" ? 1.0 / value
                                                               : value * 1e-9;
    state.SetIterationTime(seconds);
    state.counters[row.counter] = value;
    for (const char* extra : row.extra)
      if (figures->contains(extra) && (*figures)[extra].is_number()) state.counters[extra] = (*figures)[extra].get<double>();
    set_row_attributes(state, result->attributes);
  }
}

// Why a variant cannot run here, before any backend is probed for it.
std::optional<std::string> variant_unavailable(const NetVariant& variant) {
  if (variant.mode == NetMode::kLoopback || variant.mode == NetMode::kHost) return std::nullopt;
  if (::geteuid() != 0) return "creating bridges, veth pairs and taps needs root";
  return std::nullopt;
}

}  // namespace

void add_net_suite(Plan& plan) {
  if (!plan.wants_suite("net")) return;
  // The window of each measurement: 0.1 s is thousands of round trips and hundreds of
  // MiB streamed here; the spread between instances comes from the repetitions, six in a
  // full run (the fewest that give a 95% distribution-free interval for a median). No
  // claim reads net, and 0.3 s windows with ten repetitions cost a --all run 3 minutes.
  const std::string seconds = "0.1";
  for (const auto& variant : kVariants) {
    if (!plan.wants_backend(variant.backend)) continue;
    Backend* backend = plan.backends().find(variant.backend);
    if (backend == nullptr) continue;
    std::optional<std::string> reason = variant_unavailable(variant);
    if (!reason) {
      const Availability& availability = plan.backends().availability(variant.backend);
      if (!availability.available) reason = availability.reason;
    }
    const bool guest = variant.mode == NetMode::kTap;  // a guest boots for every repetition
    int repetitions = !guest                                ? plan.repetitions(6, 3)
                      : plan.emulated_guest(variant.backend) ? plan.repetitions(3, 2)
                                                             : plan.repetitions(5, 3);
    auto runs = std::make_shared<NetRuns>(*backend, variant.mode, seconds, plan.timeouts_for(variant.backend));
    for (const auto& row : net_rows()) {
      std::string name = std::string("net/") + variant.row_backend + "/" + row.name;
      if (reason) {
        plan.add_unavailable(name, *reason);
        continue;
      }
      BenchmarkSpec spec{name, repetitions, [runs, row](benchmark::State& state) { report_net_row(state, *runs, row); }};
      spec.unit = std::string(row.counter) == "bytes_per_s" ? benchmark::kMillisecond : benchmark::kMicrosecond;
      std::size_t before = plan.specs().size();
      plan.add(std::move(spec));
      if (plan.specs().size() > before) runs->add_row(row.name);
    }
  }
}

}  // namespace isobench
