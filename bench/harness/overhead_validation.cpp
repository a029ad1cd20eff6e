// Validation of the bare figures against a second, independent method run by the
// harness itself in the same repetition: the workload's getpid against a plain loop of
// the same system call, the workload's triad bandwidth against memcpy. Two methods that
// disagree by more than 2x mean one of them measures something else; the row says so
// (counter disagreement_factor above 2) and so does stderr.
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <vector>

#include "bench/harness/row_attributes.hpp"
#include "overhead_run.hpp"
#include "workload.hpp"

namespace isobench {
namespace {

constexpr double kDisagreement = 2.0;

// Records both figures and how far apart they are: disagreement_factor is max(r, 1/r) of
// their ratio r, so 1 is perfect agreement and above 2 is flagged. (A 0/1 flag would
// make Google Benchmark's cv aggregate 0/0, which its JSON writes as an invalid NaN.)
void record_agreement(benchmark::State& state, const std::string& name, const std::string& counter,
                      double workload, double check) {
  double ratio = workload / check;
  double factor = std::max(ratio, 1 / ratio);
  state.counters["workload_" + counter] = workload;
  state.counters["workload_to_check_ratio"] = ratio;
  state.counters["disagreement_factor"] = factor;
  if (factor > kDisagreement)
    std::fprintf(stderr, "\nbench: validation: %s: DISAGREE: the workload's %s %.4g vs %.4g by the harness (%.2fx apart)\n",
                 name.c_str(), counter.c_str(), workload, check, factor);
}

// `ops` getpid system calls in a plain loop; ns per call.
double getpid_loop_ns(std::uint64_t ops) {
  std::int64_t start = monotonic_ns();
  for (std::uint64_t i = 0; i < ops; ++i) ::syscall(SYS_getpid);
  return static_cast<double>(monotonic_ns() - start) / static_cast<double>(ops);
}

// memcpy between two buffers of `bytes` each, median of 7 copies; bytes read plus bytes
// written per second, the way STREAM counts its copy kernel.
double memcpy_bytes_per_s(std::size_t bytes) {
  std::vector<char> from(bytes, 1), to(bytes, 0);
  std::vector<std::int64_t> copy_ns;
  for (int i = 0; i < 7; ++i) {
    std::int64_t start = monotonic_ns();
    std::memcpy(to.data(), from.data(), bytes);
    copy_ns.push_back(monotonic_ns() - start);
    benchmark::DoNotOptimize(to.data());
  }
  std::sort(copy_ns.begin(), copy_ns.end());
  return 2.0 * static_cast<double>(bytes) / (static_cast<double>(copy_ns[3]) / 1e9);
}

bool bare_wanted(Plan& plan) {
  return plan.wants_backend("bare") && plan.backends().find("bare") != nullptr &&
         plan.backends().availability("bare").available;
}

}  // namespace

void add_syscall_validation(Plan& plan, const OverheadSizes& sizes) {
  if (!bare_wanted(plan)) return;
  Backend* bare = plan.backends().find("bare");
  LifecycleTimeouts timeouts = plan.timeouts_for("bare");
  const std::string name = "syscall/bare/getpid/harness_loop";
  BenchmarkSpec spec{name, plan.repetitions(10, 3), [=](benchmark::State& state) {
                       for (auto _ : state) {
                         auto data = run_overhead_workload(*bare, {"syscall", {"getpid", sizes.syscall_seconds}}, timeouts);
                         auto figures = data ? row_figures(*data, "/getpid", "ns_per_op") : data;
                         if (!figures) {
                           record_failure(state, figures.error().describe());
                           break;
                         }
                         // As many calls as the workload made, so both ran about as long.
                         double check = getpid_loop_ns(std::max<std::uint64_t>((*figures)["ops"].get<std::uint64_t>(), 1));
                         state.SetIterationTime(check * 1e-9);
                         state.counters["ns_per_op"] = check;
                         record_agreement(state, name, "ns_per_op", (*figures)["ns_per_op"].get<double>(), check);
                         set_row_attributes(state, {{"check", "plain getpid loop in the harness process"}});
                       }
                     }};
  spec.unit = benchmark::kNanosecond;
  plan.add(std::move(spec));
}

void add_mem_validation(Plan& plan, const OverheadSizes& sizes) {
  if (!bare_wanted(plan)) return;
  Backend* bare = plan.backends().find("bare");
  LifecycleTimeouts timeouts = plan.timeouts_for("bare");
  // Each of memcpy's two buffers as large as one of triad's three arrays.
  std::size_t array_bytes = workload::parse_bytes(sizes.triad_bytes).value_or(96u << 20) / 3;
  const std::string name = "mem/bare/triad/memcpy";
  plan.add({name, plan.repetitions(10, 3), [=](benchmark::State& state) {
              for (auto _ : state) {
                auto data = run_overhead_workload(*bare, {"mem", {"triad", sizes.triad_bytes}}, timeouts);
                auto figures = data ? row_figures(*data, "/triad", "bytes_per_s") : data;
                if (!figures) {
                  record_failure(state, figures.error().describe());
                  break;
                }
                double check = memcpy_bytes_per_s(array_bytes);
                state.SetIterationTime(2.0 * static_cast<double>(array_bytes) / check);
                state.counters["bytes_per_s"] = check;
                record_agreement(state, name, "bytes_per_s", (*figures)["bytes_per_s"].get<double>(), check);
                set_row_attributes(state, {{"check", "memcpy in the harness process"}});
              }
            }});
}

}  // namespace isobench
