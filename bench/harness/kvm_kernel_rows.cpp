// The kvm backend's rows in the cpu and mem suites: the workload's own kernels
// (bench/kernels, the same machine code as the workload binary's) in the kvm guest, with
// the sizes the workload runs them at, reported as the workload reports them. So
// cpu/kvm/hash sits next to cpu/bare/hash with the same digest, and C2's CPU and memory
// parts read a guest that executes the host's instructions where no Linux guest runs
// natively. Each row says which hypervisor ran it, in which guest mode and page size,
// and whether this run's check found the guest native (kvm_session.hpp).
#include "runtimes/kvm/kvm_backend.hpp"
#include "bench/harness/kvm_session.hpp"
#include "bench/harness/row_attributes.hpp"
#include "overhead_run.hpp"
#include "workload.hpp"

namespace isobench {
namespace {

using namespace kvm;

struct KvmRows {
  KvmBackend* backend = nullptr;
  std::shared_ptr<KvmSession> session;
  int repetitions = 0;
};

// The kvm backend when the run selected it; rows that say why when it cannot run.
std::optional<KvmRows> kvm_rows(Plan& plan, const std::string& suite, const std::vector<std::string>& rows) {
  if (!plan.wants_backend("kvm")) return std::nullopt;
  auto* backend = dynamic_cast<KvmBackend*>(plan.backends().find("kvm"));
  if (backend == nullptr) return std::nullopt;
  const Availability& availability = plan.backends().availability("kvm");
  if (!availability.available) {
    for (const auto& row : rows) plan.add_unavailable(suite + "/kvm/" + row, availability.reason);
    return std::nullopt;
  }
  return KvmRows{backend, std::make_shared<KvmSession>(backend->device(), backend->facts()), plan.repetitions(10, 3)};
}

std::string hex_digest(std::uint64_t digest) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(digest));
  return hex;
}

void fail_with(benchmark::State& state, const Error& error) { record_failure(state, error.describe()); }

}  // namespace

void add_kvm_cpu_rows(Plan& plan, const OverheadSizes& sizes) {
  auto rows = kvm_rows(plan, "cpu", {"hash"});
  if (!rows) return;
  const std::uint64_t rounds = std::strtoull(sizes.cpu_rounds.c_str(), nullptr, 10);
  auto session = rows->session;
  BenchmarkSpec spec{"cpu/kvm/hash", rows->repetitions, [session, rounds](benchmark::State& state) {
                       for (auto _ : state) {
                         auto vm = session->vm("hash", {.heap_bytes = hash_heap_bytes()});
                         if (!vm) return fail_with(state, vm.error());
                         auto run = guest_hash(**vm, rounds);
                         if (!run) return fail_with(state, run.error());
                         double seconds = static_cast<double>(run->ns) / 1e9;
                         state.SetIterationTime(seconds);
                         state.counters["ops_per_s"] = static_cast<double>(run->ops) / seconds;
                         nlohmann::json attributes = session->attributes(GuestPages::k2MiB, HostPages::kDefault);
                         attributes["digest"] = hex_digest(run->digest);
                         set_row_attributes(state, attributes);
                       }
                     }};
  spec.unit = benchmark::kMillisecond;
  plan.add(std::move(spec));
}

void add_kvm_mem_rows(Plan& plan, const OverheadSizes& sizes) {
  auto rows = kvm_rows(plan, "mem", {"triad", "chase", "random"});
  if (!rows) return;
  auto session = rows->session;
  const std::uint64_t triad_bytes = workload::parse_bytes(sizes.triad_bytes).value_or(0);
  const std::uint64_t chase_bytes = workload::parse_bytes(sizes.chase_bytes).value_or(0);
  const std::uint64_t random_bytes = workload::parse_bytes(sizes.random_bytes).value_or(0);
  // triad: the workload maps its arrays with MADV_HUGEPAGE; chase and random take the
  // kernel's default pages. The guest matches each.
  const GuestPages allocation = default_allocation_pages();

  BenchmarkSpec triad{"mem/kvm/triad", rows->repetitions, [session, triad_bytes](benchmark::State& state) {
                        for (auto _ : state) {
                          auto vm = session->vm("triad", {.heap_bytes = triad_heap_bytes(triad_bytes),
                                                          .pages = GuestPages::k2MiB, .host_pages = HostPages::kHuge});
                          if (!vm) return fail_with(state, vm.error());
                          auto run = guest_triad(**vm, triad_bytes);
                          if (!run) return fail_with(state, run.error());
                          if (!run->valid) return record_failure(state, "triad in the kvm guest computed wrong values");
                          double seconds = static_cast<double>(run->median_ns) / 1e9;
                          state.SetIterationTime(seconds);
                          state.counters["bytes_per_s"] = static_cast<double>(run->pass_bytes) / seconds;
                          state.counters["best_bytes_per_s"] =
                              static_cast<double>(run->pass_bytes) / (static_cast<double>(run->best_ns) / 1e9);
                          set_row_attributes(state, session->attributes(GuestPages::k2MiB, HostPages::kHuge));
                        }
                      }};
  triad.unit = benchmark::kMillisecond;
  plan.add(std::move(triad));

  BenchmarkSpec chase{"mem/kvm/chase", rows->repetitions, [session, chase_bytes, allocation](benchmark::State& state) {
                        for (auto _ : state) {
                          auto vm = session->vm("chase", {.heap_bytes = chase_heap_bytes(chase_bytes), .pages = allocation});
                          if (!vm) return fail_with(state, vm.error());
                          auto run = guest_chase(**vm, chase_bytes);
                          if (!run) return fail_with(state, run.error());
                          double ns_per_op = static_cast<double>(run->ns) / static_cast<double>(run->hops);
                          state.SetIterationTime(ns_per_op * 1e-9);
                          state.counters["ns_per_op"] = ns_per_op;
                          set_row_attributes(state, session->attributes(allocation, HostPages::kDefault));
                        }
                      }};
  chase.unit = benchmark::kNanosecond;
  plan.add(std::move(chase));

  BenchmarkSpec random{"mem/kvm/random", rows->repetitions, [session, random_bytes, allocation](benchmark::State& state) {
                         for (auto _ : state) {
                           auto vm = session->vm("random", {.heap_bytes = random_heap_bytes(random_bytes), .pages = allocation});
                           if (!vm) return fail_with(state, vm.error());
                           auto run = guest_random(**vm, random_bytes);
                           if (!run) return fail_with(state, run.error());
                           double ns_per_op = static_cast<double>(run->ns) / static_cast<double>(run->updates);
                           state.SetIterationTime(ns_per_op * 1e-9);
                           state.counters["ns_per_op"] = ns_per_op;
                           nlohmann::json attributes = session->attributes(allocation, HostPages::kDefault);
                           attributes["digest"] = hex_digest(run->digest);
                           set_row_attributes(state, attributes);
                         }
                       }};
  random.unit = benchmark::kNanosecond;
  plan.add(std::move(random));
}

}  // namespace isobench
