// `hypervisor` (backend kvm): the hypervisor layer's floor, measured with nothing but
// /dev/kvm and the kvm backend's 64-bit guest (runtimes/kvm/). One benchmark per
// primitive, hypervisor/kvm/<primitive>, manual time = one operation:
//   vm_create, memory_slot, vcpu_create, first_exit, create_to_first_exit, vm_destroy:
//     one VM life per repetition, each row reporting its own step;
//   exit_mmio: round trips guest -> KVM -> this process -> guest (every guest mode);
//   exit_port_io, exit_cpuid, exit_hlt: need a kernel-mode guest (hardware KVM); under
//     PVM, which runs only user mode natively, they say so instead of reporting KVM's
//     instruction emulator;
//   compute_loop: a loop that never exits, in the guest and on the host (ratio_to_host);
//   hash, triad: the workload's hash (cpu) and triad (2 MiB pages on both sides) kernels in
//     the guest and on the host (ratio_to_host: the guest's time / the host's);
//   chase_4k/2m, random_4k/2m: the workload's latency and random-access kernels in the
//     guest and on the host with 4 KiB or 2 MiB pages on both sides (ratio_to_host):
//     where nested paging (EPT/NPT) or PVM's shadow paging costs;
//   first_touch_4k/2m: writing fresh memory, one write per page: EPT violations or PVM
//     shadow faults in the guest against page faults on the host.
#include <memory>
#include <optional>

#include "runtimes/kvm/kvm_backend.hpp"
#include "runtimes/kvm/primitives.hpp"
#include "bench/harness/kvm_session.hpp"
#include "bench/harness/row_attributes.hpp"
#include "plan.hpp"

namespace isobench {
namespace {

using namespace kvm;

constexpr double kNsPerS = 1e9;

struct Sizes {
  std::uint32_t user_exits;
  std::chrono::milliseconds cpuid_target, compute_target;
  std::uint64_t hash_rounds, triad_bytes, chase_bytes, random_bytes, touch_bytes;
};

// The workload's sizes (overhead_sizes) where a kernel is the workload's, except random
// in --quick: this suite's guest-against-host random rows feed no claim, and 64 MiB of
// 4 KiB pages is still 16 Ki pages, several times past any TLB's reach (256 MiB took 4.5 s of a 3-minute
// run).
Sizes sizes_for(bool quick) {
  if (quick)
    return {200, std::chrono::milliseconds(1), std::chrono::milliseconds(5), 100, 96 << 20, 32 << 20, 64 << 20, 64 << 20};
  return {1000, std::chrono::milliseconds(5), std::chrono::milliseconds(20), 400, 192 << 20, 128 << 20, 256 << 20, 128 << 20};
}

// The session plus the loop counts sized once per run for this host's guest speed.
struct Session {
  KvmSession kvm;
  Sizes sizes;
  std::optional<std::uint32_t> cpuid_count, compute_count;
};
using SessionPtr = std::shared_ptr<Session>;

void fail_with(benchmark::State& state, const Error& error) { record_failure(state, error.describe()); }

struct LifecycleStep {
  const char* name;
  std::int64_t (*ns)(const LifecycleSample&);
};

constexpr LifecycleStep kLifecycleSteps[] = {
    {"vm_create", [](const LifecycleSample& s) { return s.birth.vm_create_ns; }},
    {"memory_slot", [](const LifecycleSample& s) { return s.birth.memory_slot_ns; }},
    {"vcpu_create", [](const LifecycleSample& s) { return s.birth.vcpu_create_ns; }},
    {"first_exit", [](const LifecycleSample& s) { return s.birth.first_exit_ns; }},
    {"create_to_first_exit", [](const LifecycleSample& s) { return s.birth.create_to_first_exit_ns(); }},
    {"vm_destroy", [](const LifecycleSample& s) { return s.vm_destroy_ns; }},
};

void record_steps(benchmark::State& state, const LifecycleSample& sample) {
  state.counters["vm_create_s"] = static_cast<double>(sample.birth.vm_create_ns) / kNsPerS;
  state.counters["memory_slot_s"] = static_cast<double>(sample.birth.memory_slot_ns) / kNsPerS;
  state.counters["vcpu_create_s"] = static_cast<double>(sample.birth.vcpu_create_ns) / kNsPerS;
  state.counters["first_exit_s"] = static_cast<double>(sample.birth.first_exit_ns) / kNsPerS;
  state.counters["teardown_s"] = static_cast<double>(sample.vm_destroy_ns) / kNsPerS;
}

auto lifecycle_body(SessionPtr session, LifecycleStep step) {
  return [session, step](benchmark::State& state) {
    for (auto _ : state) {
      auto system = session->kvm.system();
      if (!system) return fail_with(state, system.error());
      auto sample = measure_lifecycle(**system, session->kvm.mode());
      if (!sample) return fail_with(state, sample.error());
      std::int64_t ns = step.ns(*sample);
      state.SetIterationTime(static_cast<double>(ns) / kNsPerS);
      state.counters["ns_per_op"] = static_cast<double>(ns);
      if (std::string_view(step.name) == "create_to_first_exit") record_steps(state, *sample);
    }
  };
}

void record_round_trips(benchmark::State& state, const RoundTrips& trips) {
  state.SetIterationTime(trips.ns_per_exit() / kNsPerS);
  state.counters["ns_per_op"] = trips.ns_per_exit();
  state.counters["exits"] = trips.count;
}

Result<GuestVm*> exits_vm(Session& session) { return session.kvm.vm("exits", {}); }

auto user_exit_body(SessionPtr session, UserExit kind) {
  return [session, kind](benchmark::State& state) {
    for (auto _ : state) {
      auto vm = exits_vm(*session);
      if (!vm) return fail_with(state, vm.error());
      auto trips = measure_user_exits(**vm, kind, session->sizes.user_exits);
      if (!trips) return fail_with(state, trips.error());
      record_round_trips(state, *trips);
    }
  };
}

auto cpuid_body(SessionPtr session) {
  return [session](benchmark::State& state) {
    for (auto _ : state) {
      auto vm = exits_vm(*session);
      if (!vm) return fail_with(state, vm.error());
      if (!session->cpuid_count) {
        auto count = calibrate_count(
            [&](std::uint32_t n) -> Result<std::int64_t> {
              auto trips = measure_kernel_exits(**vm, n);
              if (!trips) return std::unexpected(trips.error());
              return trips->total_ns;
            },
            session->sizes.cpuid_target, 1000);
        if (!count) return fail_with(state, count.error());
        session->cpuid_count = *count;
      }
      auto trips = measure_kernel_exits(**vm, *session->cpuid_count);
      if (!trips) return fail_with(state, trips.error());
      record_round_trips(state, *trips);
    }
  };
}

auto hlt_body(SessionPtr session) {
  return [session](benchmark::State& state) {
    for (auto _ : state) {
      auto vm = exits_vm(*session);
      if (!vm) return fail_with(state, vm.error());
      auto ns = measure_hlt_exit(**vm);
      if (!ns) return fail_with(state, ns.error());
      state.SetIterationTime(static_cast<double>(*ns) / kNsPerS);
      state.counters["ns_per_op"] = static_cast<double>(*ns);
    }
  };
}

auto compute_body(SessionPtr session) {
  return [session](benchmark::State& state) {
    for (auto _ : state) {
      auto vm = exits_vm(*session);
      if (!vm) return fail_with(state, vm.error());
      if (!session->compute_count) {
        auto count = calibrate_count(
            [&](std::uint32_t n) -> Result<std::int64_t> {
              auto sample = measure_compute(**vm, n, 1);
              if (!sample) return std::unexpected(sample.error());
              return sample->guest_ns;
            },
            session->sizes.compute_target, 100'000);
        if (!count) return fail_with(state, count.error());
        session->compute_count = *count;
      }
      auto sample = measure_compute(**vm, *session->compute_count, 12345);
      if (!sample) return fail_with(state, sample.error());
      double iterations = sample->iterations;
      state.SetIterationTime(static_cast<double>(sample->guest_ns) / kNsPerS);
      state.counters["guest_ns_per_op"] = static_cast<double>(sample->guest_ns) / iterations;
      state.counters["host_ns_per_op"] = static_cast<double>(sample->host_ns) / iterations;
      state.counters["ratio_to_host"] = sample->guest_to_host();
      state.counters["iterations"] = iterations;
    }
  };
}

// A guest/host pair of one paging kernel: ns per operation on each side.
void record_pair(benchmark::State& state, std::int64_t guest_ns, std::int64_t host_ns, std::uint64_t ops) {
  const double n = static_cast<double>(std::max<std::uint64_t>(ops, 1));
  state.SetIterationTime(static_cast<double>(guest_ns) / n / kNsPerS);
  state.counters["ns_per_op"] = static_cast<double>(guest_ns) / n;
  state.counters["guest_ns_per_op"] = static_cast<double>(guest_ns) / n;
  state.counters["host_ns_per_op"] = static_cast<double>(host_ns) / n;
  state.counters["ratio_to_host"] = static_cast<double>(guest_ns) / static_cast<double>(std::max<std::int64_t>(host_ns, 1));
  state.counters["ops"] = static_cast<double>(ops);
}

// The hash and triad kernels, guest then host, each timed as the workload times it.
auto hash_pair_body(SessionPtr session) {
  return [session](benchmark::State& state) {
    for (auto _ : state) {
      auto vm = session->kvm.vm("hash", {.heap_bytes = hash_heap_bytes()});
      if (!vm) return fail_with(state, vm.error());
      auto guest = guest_hash(**vm, session->sizes.hash_rounds);
      if (!guest) return fail_with(state, guest.error());
      auto host = host_hash(session->sizes.hash_rounds);
      if (!host) return fail_with(state, host.error());
      if (guest->digest != host->digest) return record_failure(state, "the guest's hash digest differs from the host's");
      record_pair(state, guest->ns, host->ns, guest->ops);
    }
  };
}

auto triad_pair_body(SessionPtr session) {
  return [session](benchmark::State& state) {
    const std::uint64_t bytes = session->sizes.triad_bytes;
    for (auto _ : state) {
      auto vm = session->kvm.vm("triad", {.heap_bytes = triad_heap_bytes(bytes), .pages = GuestPages::k2MiB,
                                          .host_pages = HostPages::kHuge});
      if (!vm) return fail_with(state, vm.error());
      auto guest = guest_triad(**vm, bytes);
      if (!guest) return fail_with(state, guest.error());
      auto host = host_triad(bytes, HostPages::kHuge);
      if (!host) return fail_with(state, host.error());
      if (!guest->valid || !host->valid) return record_failure(state, "triad computed wrong values");
      // ratio_to_host as time: above 1, the guest moved the same bytes slower.
      record_pair(state, guest->median_ns, host->median_ns, 1);
      state.counters["guest_bytes_per_s"] = static_cast<double>(guest->pass_bytes) / (static_cast<double>(guest->median_ns) / 1e9);
      state.counters["host_bytes_per_s"] = static_cast<double>(host->pass_bytes) / (static_cast<double>(host->median_ns) / 1e9);
    }
  };
}

enum class PagingKernel { kChase, kRandom };

auto paging_body(SessionPtr session, PagingKernel kernel, GuestPages pages, HostPages host) {
  return [session, kernel, pages, host](benchmark::State& state) {
    const bool chase = kernel == PagingKernel::kChase;
    const std::uint64_t bytes = chase ? session->sizes.chase_bytes : session->sizes.random_bytes;
    for (auto _ : state) {
      std::string key = std::string(chase ? "chase_" : "random_") + to_string(pages);
      auto vm = session->kvm.vm(key, {.heap_bytes = chase ? chase_heap_bytes(bytes) : random_heap_bytes(bytes),
                                      .pages = pages, .host_pages = host});
      if (!vm) return fail_with(state, vm.error());
      if (chase) {
        auto guest = guest_chase(**vm, bytes);
        if (!guest) return fail_with(state, guest.error());
        auto host_run = host_chase(bytes, host);
        if (!host_run) return fail_with(state, host_run.error());
        if (guest->end_line != host_run->end_line) return record_failure(state, "the guest's chase ended elsewhere than the host's");
        record_pair(state, guest->ns, host_run->ns, guest->hops);
      } else {
        auto guest = guest_random(**vm, bytes);
        if (!guest) return fail_with(state, guest.error());
        auto host_run = host_random(bytes, host);
        if (!host_run) return fail_with(state, host_run.error());
        if (guest->digest != host_run->digest) return record_failure(state, "the guest's random-access digest differs from the host's");
        record_pair(state, guest->ns, host_run->ns, guest->updates);
      }
      state.counters["bytes"] = static_cast<double>(bytes);
    }
  };
}

auto first_touch_body(SessionPtr session, GuestPages pages, HostPages host) {
  return [session, pages, host](benchmark::State& state) {
    const std::uint64_t bytes = session->sizes.touch_bytes, stride = pages == GuestPages::k4KiB ? kPage4K : kPage2M;
    for (auto _ : state) {
      // Fresh memory every repetition: a new VM (outside the window), and a new mapping.
      auto system = session->kvm.system();
      if (!system) return fail_with(state, system.error());
      BirthTimes ignored;
      auto vm = GuestVm::create(**system, {.heap_bytes = bytes, .pages = pages, .host_pages = host, .mode = session->kvm.mode()}, ignored);
      if (!vm) return fail_with(state, vm.error());
      auto guest = guest_first_touch(*vm, bytes, stride);
      if (!guest) return fail_with(state, guest.error());
      auto host_run = host_first_touch(bytes, stride, host);
      if (!host_run) return fail_with(state, host_run.error());
      record_pair(state, guest->ns, host_run->ns, guest->pages);
    }
  };
}

auto labelled(nlohmann::json attributes, std::function<void(benchmark::State&)> body) {
  return [attributes = std::move(attributes), body = std::move(body)](benchmark::State& state) {
    body(state);
    set_row_attributes(state, attributes);
  };
}

}  // namespace

void add_hypervisor_suite(Plan& plan) {
  if (!plan.wants_suite("hypervisor") || !plan.wants_backend("kvm")) return;
  auto* backend = dynamic_cast<KvmBackend*>(plan.backends().find("kvm"));
  if (backend == nullptr) return;
  const std::string prefix = "hypervisor/kvm/";
  const char* kExits[] = {"exit_mmio", "exit_port_io", "exit_cpuid", "exit_hlt", "compute_loop"};
  const char* kGuestHostPairs[] = {"hash",      "triad",     "chase_4k",       "chase_2m",
                           "random_4k", "random_2m", "first_touch_4k", "first_touch_2m"};
  const Availability& availability = plan.backends().availability("kvm");
  if (!availability.available) {
    for (const LifecycleStep& step : kLifecycleSteps) plan.add_unavailable(prefix + step.name, availability.reason);
    for (const char* name : kExits) plan.add_unavailable(prefix + name, availability.reason);
    for (const char* name : kGuestHostPairs) plan.add_unavailable(prefix + name, availability.reason);
    return;
  }
  int repetitions = plan.repetitions(50, 10);
  auto session = std::make_shared<Session>(Session{KvmSession(backend->device(), backend->facts()), sizes_for(plan.quick()), {}, {}});
  // Whether a row was emulated is decided from the compute loop (bench/results/emulation.hpp).
  nlohmann::json label = session->kvm.attributes(GuestPages::k2MiB, HostPages::kDefault, false);
  label["cpu_flag"] = backend->facts().cpu_flag;
  for (const LifecycleStep& step : kLifecycleSteps)
    plan.add({prefix + step.name, repetitions, labelled(label, lifecycle_body(session, step))});
  plan.add({prefix + "exit_mmio", repetitions, labelled(label, user_exit_body(session, UserExit::kMmio))});
  if (session->kvm.mode() == GuestMode::kKernel) {
    plan.add({prefix + "exit_port_io", repetitions, labelled(label, user_exit_body(session, UserExit::kPortIo))});
    plan.add({prefix + "exit_cpuid", repetitions, labelled(label, cpuid_body(session))});
    plan.add({prefix + "exit_hlt", repetitions, labelled(label, hlt_body(session))});
  } else {
    const std::string why =
        "needs a kernel-mode (ring 0) guest: " + backend->facts().describe() +
        " runs only the guest's user mode natively and hands ring 0 to KVM's instruction emulator, whose figure "
        "would not be the hypervisor's (in user mode `out` and `hlt` fault); hardware KVM (vmx/svm) measures it";
    for (const char* name : {"exit_port_io", "exit_cpuid", "exit_hlt"}) plan.add_unavailable(prefix + name, why);
  }
  plan.add({prefix + "compute_loop", repetitions, labelled(label, compute_body(session))});

  // The workload's kernels, guest against host in one process.
  nlohmann::json kernels = session->kvm.attributes(GuestPages::k2MiB, HostPages::kHuge, false);
  kernels["cpu_flag"] = backend->facts().cpu_flag;
  plan.add({prefix + "hash", plan.repetitions(10, 3), labelled(label, hash_pair_body(session)), benchmark::kNanosecond});
  plan.add({prefix + "triad", plan.repetitions(10, 3), labelled(kernels, triad_pair_body(session))});

  // Paging: fewer repetitions, each fills up to 1 GiB on both sides.
  const int paging_repetitions = plan.repetitions(5, 3);
  struct Variant {
    const char* suffix;
    GuestPages guest;
    HostPages host;
  };
  for (Variant v : {Variant{"4k", GuestPages::k4KiB, HostPages::kNoHuge}, Variant{"2m", GuestPages::k2MiB, HostPages::kHuge}}) {
    nlohmann::json paged = session->kvm.attributes(v.guest, v.host, false);
    paged["cpu_flag"] = backend->facts().cpu_flag;
    plan.add({prefix + "chase_" + v.suffix, paging_repetitions,
              labelled(paged, paging_body(session, PagingKernel::kChase, v.guest, v.host)), benchmark::kNanosecond});
    plan.add({prefix + "random_" + v.suffix, paging_repetitions,
              labelled(paged, paging_body(session, PagingKernel::kRandom, v.guest, v.host)), benchmark::kNanosecond});
    plan.add({prefix + "first_touch_" + v.suffix, paging_repetitions,
              labelled(paged, first_touch_body(session, v.guest, v.host)), benchmark::kMicrosecond});
  }
}

}  // namespace isobench
