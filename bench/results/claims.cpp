#include "bench/results/claims.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "bench/results/emulation.hpp"
#include "bench/results/format.hpp"
#include "bench/results/ladder.hpp"
#include "bench/stats/descriptive.hpp"
#include "bench/stats/intervals.hpp"

namespace isobench::results {
namespace {

using nlohmann::json;

constexpr double kLevel = 0.95;
constexpr double kTolerance = 1.05;    // a slowdown counts above 5%
constexpr double kHeavy = 2.0;         // "huge", "heavy": more than twice
constexpr double kProcessLike = 10.0;  // a container starts within ×10 of a bare process
constexpr const char* kOverheadSuites[] = {"cpu", "mem", "syscall", "io"};
constexpr const char* kDigestKeys[] = {"digest", "compute_digest", "exe_digest", "checksum"};

const std::map<std::string, std::string> kSeedWords = {
    {"C2", "A hypervisor adds a layer to every resource access, so a VM performs worse than the host"},
    {"C3", "A VM image holds a guest OS's kernel and libraries, so images are huge"},
    {"C4", "Because every VM needs its own OS, VMs are heavy"},
    {"C5", "A container is a process on the host, isolated by the host's own namespaces and cgroups"},
    {"C6", "Container images hold only the app, so they are light and building/deploying is faster"},
    {"C7", "A container loses almost no performance: it is just a process on the host OS"},
    {"C8", "Containers created from the same image behave the same"},
};

struct Claim {
  std::string id, words, metric, backend;
  std::string effect = "n/a";
  std::optional<double> point, low, high;
  std::string unit = "ratio";
  std::optional<double> threshold;
  std::string verdict, verdict_text;
  std::size_t repetitions = 0;
  std::optional<long> repetitions_to_decide;
  std::string note;
  std::vector<std::string> figures;
};

json to_json(const Claim& claim) {
  auto number = [](const std::optional<double>& x) { return x && std::isfinite(*x) ? json(*x) : json(nullptr); };
  json out = {
      {"id", claim.id},
      {"claim", claim.words},
      {"metric", claim.metric},
      {"backend", claim.backend.empty() ? json(nullptr) : json(claim.backend)},
      {"effect",
       {{"text", claim.effect}, {"point", number(claim.point)}, {"low", number(claim.low)},
        {"high", number(claim.high)}, {"unit", claim.unit}}},
      {"threshold", number(claim.threshold)},
      {"verdict", claim.verdict},
      {"verdict_text", claim.verdict_text},
      {"repetitions", claim.repetitions},
      {"repetitions_to_decide",
       claim.repetitions_to_decide ? json(*claim.repetitions_to_decide) : json(nullptr)},
      {"note", claim.note},
      {"figures", claim.figures},
  };
  return out;
}

Claim make(const std::string& id, std::string metric) {
  Claim claim;
  claim.id = id;
  claim.words = kSeedWords.at(id.substr(0, 2));
  claim.metric = std::move(metric);
  return claim;
}

void not_measurable(Claim& claim, const std::string& why) {
  claim.verdict = "not measurable here";
  claim.verdict_text = "not measurable here: " + why;
}

// Which side of `threshold` the claim needs the effect on; the verdict is decided only
// when the whole interval lies on one side.
enum class Holds { kAbove, kBelow };

void decide(Claim& claim, double threshold, Holds holds, bool log_scale) {
  claim.threshold = threshold;
  double low = claim.low.value_or(NAN), high = claim.high.value_or(NAN), point = claim.point.value_or(NAN);
  bool above = low > threshold, below = high < threshold;
  if (above || below) {
    claim.verdict = (above == (holds == Holds::kAbove)) ? "confirmed" : "contradicted";
    claim.verdict_text = claim.verdict;
    return;
  }
  claim.verdict = "inconclusive";
  claim.repetitions_to_decide =
      stats::repetitions_to_decide(point, low, high, threshold, claim.repetitions, log_scale);
  claim.verdict_text = claim.repetitions_to_decide
                           ? "inconclusive: ~" + format_count(*claim.repetitions_to_decide) +
                                 " repetitions would decide"
                           : "inconclusive: the effect sits on the threshold; more repetitions are not predicted to decide";
}

// The file and what is known of its backends.
class Reading {
 public:
  Reading(const ResultsFile& file, const TraitsLookup& fallback) : file_(file), fallback_(fallback) {
    for (const BenchmarkSamples& bench : file.benchmarks)
      if (!bench.backend.empty() && std::find(backends_.begin(), backends_.end(), bench.backend) == backends_.end())
        backends_.push_back(bench.backend);
    if (auto it = file.context.find("backends"); it != file.context.end() && it->is_object())
      for (const auto& [name, _] : it->items())
        if (std::find(backends_.begin(), backends_.end(), name) == backends_.end()) backends_.push_back(name);
    // Rows come in the random order of interleaved repetitions: take the table's order.
    std::stable_sort(backends_.begin(), backends_.end(), [&](const std::string& a, const std::string& b) {
      int ia = traits(a).table_index, ib = traits(b).table_index;
      return ia != ib ? ia < ib : a < b;
    });
  }

  const ResultsFile& file() const { return file_; }
  FamilyTraits traits(const std::string& backend) const { return traits_of(file_, backend, fallback_); }

  std::vector<std::string> backends_where(bool (*test)(const FamilyTraits&)) const {
    std::vector<std::string> out;
    for (const auto& backend : backends_)
      if (test(traits(backend))) out.push_back(backend);
    return out;
  }

  std::optional<Emulation> emulation(const BenchmarkSamples& bench) const {
    return emulation_of(file_, bench, traits(bench.backend));
  }

  // "backend crun unavailable: <reason>", or nothing when it is available or unknown.
  std::optional<std::string> unavailable(const std::string& backend) const {
    auto backends = file_.context.find("backends");
    if (backends == file_.context.end() || !backends->is_object()) return std::nullopt;
    auto entry = backends->find(backend);
    if (entry == backends->end() || !entry->is_object() || entry->value("available", true)) return std::nullopt;
    return "backend " + backend + " unavailable: " + entry->value("reason", std::string("no reason given"));
  }

  // One phrase saying why `name` has no figures here.
  std::string why_missing(const std::string& name) const {
    if (const BenchmarkSamples* bench = file_.find(name); bench != nullptr && !bench->error_message.empty())
      return name + ": " + bench->error_message;
    std::string backend = name.substr(name.find('/') + 1);
    backend = backend.substr(0, backend.find('/'));
    if (auto why = unavailable(backend)) return name + ": " + *why;
    return "no " + name + " rows in this run";
  }

  // Why none of `backends` has rows in `suites`: a failed row's error, else an
  // unavailable backend's reason, else that the run did not select them.
  std::string why_none(const std::vector<std::string>& backends, const std::vector<std::string>& suites,
                       const std::string& what) const {
    for (const auto& backend : backends)
      for (const auto& suite : suites)
        for (const BenchmarkSamples* bench : file_.select(suite, backend))
          if (bench->repetitions() == 0 && !bench->error_message.empty())
            return bench->name + ": " + bench->error_message;
    for (const auto& backend : backends)
      if (auto why = unavailable(backend)) return *why;
    return "no " + what + " rows in this run";
  }

 private:
  const ResultsFile& file_;
  const TraitsLookup& fallback_;
  std::vector<std::string> backends_;
};

bool is_process(const FamilyTraits& t) { return t.family == "process"; }
bool is_container(const FamilyTraits& t) { return t.is_container(); }
bool is_hypervisor(const FamilyTraits& t) { return t.is_hypervisor(); }
bool boots_guest_os(const FamilyTraits& t) { return t.boots_guest_os; }

std::string join(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : separator) + part;
  return out;
}

// ---- overhead: backend / bare per operation ---------------------------------------

struct Pair {
  const std::vector<double>* slower_if_bigger;  // the backend's figure, oriented so that
  const std::vector<double>* reference;         // numerator / reference > 1 is a slowdown
  std::string name;
  std::size_t repetitions = 0;
  std::optional<Emulation> emulation;
};

bool is_validation(const BenchmarkSamples& bench) {
  return bench.metrics.contains("workload_to_check_ratio") || bench.metrics.contains("disagreement_factor");
}

std::vector<Pair> slowdown_pairs(const Reading& reading, const std::string& suite, const std::string& backend) {
  const ResultsFile& file = reading.file();
  std::vector<Pair> out;
  std::vector<std::string> bares = reading.backends_where(is_process);
  std::string bare = bares.empty() ? "bare" : bares.front();
  for (const BenchmarkSamples* bench : file.select(suite, backend)) {
    if (bench->repetitions() == 0 || is_validation(*bench)) continue;
    std::string reference_name = suite + "/" + bare + "/" + bench->workload + (bench->arg.empty() ? "" : "/" + bench->arg);
    const BenchmarkSamples* reference = file.measured(reference_name);
    if (reference == nullptr) continue;
    // io on tmpfs against io on a disk compares two filesystems, not two isolation
    // mechanisms: such a row says nothing of what the isolation costs.
    if (bench->attribute("storage") != reference->attribute("storage")) continue;
    Pair pair;
    pair.name = bench->name;
    pair.repetitions = std::min(bench->repetitions(), reference->repetitions());
    pair.emulation = reading.emulation(*bench);
    if (!bench->values("ns_per_op").empty() && !reference->values("ns_per_op").empty()) {
      pair.slower_if_bigger = &bench->values("ns_per_op");
      pair.reference = &reference->values("ns_per_op");
    } else if (!bench->values("bytes_per_s").empty() && !reference->values("bytes_per_s").empty()) {
      pair.slower_if_bigger = &reference->values("bytes_per_s");
      pair.reference = &bench->values("bytes_per_s");
    } else if (!bench->values("ops_per_s").empty() && !reference->values("ops_per_s").empty()) {
      pair.slower_if_bigger = &reference->values("ops_per_s");
      pair.reference = &bench->values("ops_per_s");
    } else {
      pair.slower_if_bigger = &bench->values("real_time");
      pair.reference = &reference->values("real_time");
    }
    out.push_back(std::move(pair));
  }
  // A VMM with no guest OS runs the same loop in its guest and on the host: that pair
  // is its cpu figure.
  if (suite == "cpu" && reading.traits(backend).family == "microvm") {
    if (const BenchmarkSamples* loop = file.measured("hypervisor/" + backend + "/compute_loop");
        loop != nullptr && !loop->values("guest_ns_per_op").empty() && !loop->values("host_ns_per_op").empty()) {
      out.push_back({&loop->values("guest_ns_per_op"), &loop->values("host_ns_per_op"), loop->name,
                     loop->repetitions(), reading.emulation(*loop)});
    }
  }
  return out;
}

struct Slowdown {
  stats::RatioEstimate estimate;
  std::size_t repetitions = 0;
  std::vector<std::string> names;
};

std::optional<Slowdown> geometric_mean(const std::vector<Pair>& pairs) {
  std::vector<stats::SamplePair> samples;
  Slowdown out;
  out.repetitions = SIZE_MAX;
  for (const Pair& pair : pairs) {
    samples.push_back({*pair.slower_if_bigger, *pair.reference});
    out.repetitions = std::min(out.repetitions, pair.repetitions);
    out.names.push_back(pair.name);
  }
  auto estimate = stats::geometric_mean_ratio(samples, kLevel);
  if (!estimate) return std::nullopt;
  out.estimate = *estimate;
  return out;
}

std::string describe(const Slowdown& s) {
  return format_ratio_interval(s.estimate.ratio, s.estimate.ci.low, s.estimate.ci.high);
}

// Per suite, and pooled over every suite: the pooled mean is what the verdict is on.
struct OverheadReading {
  std::vector<std::pair<std::string, Slowdown>> per_suite;
  std::optional<Slowdown> pooled;
};

OverheadReading overhead(const std::vector<std::pair<std::string, std::vector<Pair>>>& by_suite) {
  OverheadReading out;
  std::vector<Pair> all;
  for (const auto& [suite, pairs] : by_suite) {
    if (pairs.empty()) continue;
    if (auto s = geometric_mean(pairs)) out.per_suite.emplace_back(suite, std::move(*s));
    all.insert(all.end(), pairs.begin(), pairs.end());
  }
  if (!all.empty()) out.pooled = geometric_mean(all);
  return out;
}

std::string per_suite_text(const OverheadReading& reading) {
  std::vector<std::string> parts;
  for (const auto& [suite, s] : reading.per_suite) parts.push_back(suite + " " + describe(s));
  return join(parts, "; ");
}

void set_effect(Claim& claim, const Slowdown& s) {
  claim.point = s.estimate.ratio;
  claim.low = s.estimate.ci.low;
  claim.high = s.estimate.ci.high;
  claim.repetitions = s.repetitions;
  claim.figures = s.names;
}

// The pairs of `backend` in every overhead suite, split by whether the row was emulated.
struct SplitPairs {
  std::vector<std::pair<std::string, std::vector<Pair>>> native, emulated;
  std::string emulated_why;
};

SplitPairs split_pairs(const Reading& reading, const std::string& backend) {
  SplitPairs out;
  for (const char* suite : kOverheadSuites) {
    std::vector<Pair> native, emulated;
    for (Pair& pair : slowdown_pairs(reading, suite, backend)) {
      if (pair.emulation && pair.emulation->emulated) {
        if (out.emulated_why.empty()) out.emulated_why = pair.emulation->why;
        emulated.push_back(std::move(pair));
      } else {
        native.push_back(std::move(pair));
      }
    }
    out.native.emplace_back(suite, std::move(native));
    out.emulated.emplace_back(suite, std::move(emulated));
  }
  return out;
}

// One claim row on the pooled overhead of `backend` (C2 for a hypervisor, C7 for a
// container), with the per-suite means beside it.
Claim overhead_claim(const std::string& id, const std::string& metric, const std::string& backend,
                     const OverheadReading& reading, Holds holds) {
  Claim claim = make(id, metric);
  claim.backend = backend;
  set_effect(claim, *reading.pooled);
  claim.effect = backend + " " + describe(*reading.pooled) + " over " + std::to_string(claim.figures.size()) +
                 " benchmarks (" + per_suite_text(reading) + ")";
  decide(claim, kTolerance, holds, true);
  return claim;
}

// ---- the claims --------------------------------------------------------------------

std::vector<Claim> claim_c2(const Reading& reading) {
  const std::string metric =
      "hypervisor / bare per operation, geometric mean over the cpu, mem, syscall and io benchmarks (and the kvm "
      "VMM's guest/host compute loop), guests that ran natively only; a slowdown above ×1.05 confirms";
  std::vector<Claim> rows;
  std::vector<std::string> emulated, emulated_figures, missing;
  for (const std::string& backend : reading.backends_where(is_hypervisor)) {
    SplitPairs pairs = split_pairs(reading, backend);
    OverheadReading native = overhead(pairs.native);
    OverheadReading copied = overhead(pairs.emulated);
    if (copied.pooled) {
      emulated.push_back(backend + ": " + pairs.emulated_why);
      emulated_figures.push_back(backend + " " + describe(*copied.pooled));
    }
    if (!native.pooled) {
      if (!copied.pooled)
        missing.push_back(reading.why_none({backend}, {"cpu", "mem", "syscall", "io", "hypervisor"}, backend + " overhead"));
      continue;
    }
    Claim claim = overhead_claim("C2", metric, backend, native, Holds::kAbove);
    claim.note = "guest ran natively (" + backend + ")";
    if (const BenchmarkSamples* exit = reading.file().measured("hypervisor/" + backend + "/exit_mmio");
        exit != nullptr && !exit->values("ns_per_op").empty()) {
      auto ns = exit->values("ns_per_op");
      claim.note += "; each MMIO exit round trip " + format_seconds(stats::median(ns) * 1e-9) +
                    ": the layer's cost is in exits, not in guest instructions";
    }
    rows.push_back(std::move(claim));
  }
  if (!rows.empty()) {
    if (!emulated.empty())
      for (auto& row : rows) row.note += "; left out as emulated: " + join(emulated, "; ");
    return rows;
  }
  Claim claim = make("C2", metric);
  if (!emulated.empty()) {
    claim.effect = "emulated, not used: " + join(emulated_figures, "; ");
    std::string why = "the guest was emulated, so no figure is a hypervisor's: " + join(emulated, "; ");
    if (!missing.empty()) why += "; and " + join(missing, "; ");
    not_measurable(claim, why);
  } else {
    not_measurable(claim, missing.empty() ? "no hypervisor backend (vm, qemu, kvm) in this run" : join(missing, "; "));
  }
  return {claim};
}

// The first workload (by name) that both sides measured with `counter` in `suite`.
struct SidePair {
  const BenchmarkSamples* vm = nullptr;
  const BenchmarkSamples* container = nullptr;
};

SidePair matched_rows(const Reading& reading, const std::string& suite, const std::vector<std::string>& vms,
                      const std::vector<std::string>& containers, const std::string& counter) {
  std::vector<const BenchmarkSamples*> vm_rows, container_rows;
  for (const auto& b : vms)
    for (const auto* bench : reading.file().select(suite, b))
      if (!bench->values(counter).empty()) vm_rows.push_back(bench);
  for (const auto& b : containers)
    for (const auto* bench : reading.file().select(suite, b))
      if (!bench->values(counter).empty()) container_rows.push_back(bench);
  auto by_workload = [](const BenchmarkSamples* a, const BenchmarkSamples* b) { return a->workload < b->workload; };
  std::stable_sort(vm_rows.begin(), vm_rows.end(), by_workload);
  for (const auto* vm : vm_rows)
    for (const auto* container : container_rows)
      if (container->workload == vm->workload && container->arg == vm->arg) return {vm, container};
  return {vm_rows.empty() ? nullptr : vm_rows.front(), container_rows.empty() ? nullptr : container_rows.front()};
}

void ratio_effect(Claim& claim, const BenchmarkSamples& top, const std::string& top_counter,
                  const BenchmarkSamples& bottom, const std::string& bottom_counter, std::string (*fmt)(double)) {
  const auto& a = top.values(top_counter);
  const auto& b = bottom.values(bottom_counter);
  auto ratio = stats::ratio_of_medians(a, b, kLevel);
  claim.figures = {top.name, bottom.name};
  claim.repetitions = std::min(top.repetitions(), bottom.repetitions());
  if (!ratio) {
    claim.effect = "n/a";
    return;
  }
  claim.point = ratio->ratio;
  claim.low = ratio->ci.low;
  claim.high = ratio->ci.high;
  claim.effect = top.name + " " + fmt(stats::median(a)) + " vs " + bottom.name + " " + fmt(stats::median(b)) + ": " +
                 format_ratio_interval(ratio->ratio, ratio->ci.low, ratio->ci.high);
}

std::string missing_sides(const Reading& reading, const std::string& suite, const SidePair& pair,
                          const std::vector<std::string>& vms, const std::vector<std::string>& containers) {
  std::vector<std::string> parts;
  if (pair.vm == nullptr) parts.push_back(reading.why_none(vms, {suite}, suite + " VM"));
  if (pair.container == nullptr) parts.push_back(reading.why_none(containers, {suite}, suite + " container"));
  return join(parts, "; ");
}

Claim claim_c3(const Reading& reading) {
  Claim claim = make("C3", "image_bytes: VM image / container image (the same workload binary); huge: the whole interval above ×2");
  auto vms = reading.backends_where(boots_guest_os), containers = reading.backends_where(is_container);
  SidePair pair = matched_rows(reading, "image", vms, containers, "image_bytes");
  if (pair.vm == nullptr || pair.container == nullptr) {
    not_measurable(claim, missing_sides(reading, "image", pair, vms, containers));
    return claim;
  }
  ratio_effect(claim, *pair.vm, "image_bytes", *pair.container, "image_bytes", format_bytes);
  if (!claim.point) return not_measurable(claim, "image sizes are not positive"), claim;
  decide(claim, kHeavy, Holds::kAbove, true);
  return claim;
}

Claim claim_c4(const Reading& reading) {
  Claim claim = make("C4", "memory per idle instance: VM / container (pss_bytes); heavy: the whole interval above ×2");
  auto vms = reading.backends_where(boots_guest_os), containers = reading.backends_where(is_container);
  SidePair pair = matched_rows(reading, "footprint", vms, containers, "pss_bytes");
  if (pair.vm == nullptr || pair.container == nullptr) {
    not_measurable(claim, missing_sides(reading, "footprint", pair, vms, containers));
    return claim;
  }
  std::string vm_counter = "pss_bytes";
  if (auto emulation = reading.emulation(*pair.vm); emulation && emulation->emulated) {
    // An emulator's translation cache is part of QEMU's memory; the guest's own RAM is
    // what its OS occupies whatever runs its instructions.
    if (pair.vm->values("guest_ram_touched_bytes").empty()) {
      not_measurable(claim, pair.vm->name + " was emulated (" + emulation->why +
                                "): its memory includes the emulator's, and the row has no guest_ram_touched_bytes");
      return claim;
    }
    vm_counter = "guest_ram_touched_bytes";
    claim.metric = "memory per idle instance: the VM's guest RAM (guest_ram_touched_bytes) / the container's pss_bytes; "
                   "heavy: the whole interval above ×2";
    claim.note = pair.vm->name + " was emulated (" + emulation->why +
                 "), so its PSS includes the emulator's translation cache: the VM side is the guest's own RAM, which "
                 "does not depend on what runs the guest";
  }
  ratio_effect(claim, *pair.vm, vm_counter, *pair.container, "pss_bytes", format_bytes);
  if (!claim.point) return not_measurable(claim, "memory figures are not positive"), claim;
  decide(claim, kHeavy, Holds::kAbove, true);
  return claim;
}

const BenchmarkSamples* first_startup(const Reading& reading, const std::vector<std::string>& backends,
                                      bool native_only = false) {
  for (const auto& backend : backends) {
    const BenchmarkSamples* row = reading.file().measured("startup/" + backend + "/noop");
    if (row == nullptr) continue;
    if (native_only)
      if (auto e = reading.emulation(*row); e && e->emulated) continue;
    return row;
  }
  return nullptr;
}

// Containers first ("container", isobench's own: the primitives alone), then OCI runtimes.
std::vector<std::string> container_backends(const Reading& reading) {
  auto all = reading.backends_where(is_container);
  std::stable_partition(all.begin(), all.end(), [&](const std::string& b) { return reading.traits(b).family == "container"; });
  return all;
}

// C5's effect, verdict and note for one container's startup row against the bare one.
Claim claim_c5_for(const std::vector<LadderStep>& ladder, Claim claim, const BenchmarkSamples& container_row,
                   const BenchmarkSamples& bare_row) {
  const BenchmarkSamples* container = &container_row;
  const BenchmarkSamples* bare = &bare_row;
  ratio_effect(claim, *container, "real_time", *bare, "real_time", format_seconds);
  claim.backend = container->backend;
  if (!claim.point) return not_measurable(claim, "startup times are not positive"), claim;
  if (auto added = stats::difference_of_medians(container->values("real_time"), bare->values("real_time"), kLevel))
    claim.effect += "; +" + format_seconds_interval(added->difference, added->ci.low, added->ci.high);
  decide(claim, kProcessLike, Holds::kBelow, true);
  // The three largest steps on the ladder's chain from the plain spawn to the full
  // container, paired against their baselines.
  std::vector<const LadderStep*> chain;
  for (const LadderStep& step : ladder)
    if (step.backend == container->backend && step.on_top_chain && !step.baseline.empty()) chain.push_back(&step);
  std::sort(chain.begin(), chain.end(), [](const LadderStep* a, const LadderStep* b) { return a->cost_s.point > b->cost_s.point; });
  std::vector<std::string> top;
  for (std::size_t i = 0; i < chain.size() && i < 3; ++i)
    top.push_back(chain[i]->step + " +" + format_seconds_interval(chain[i]->cost_s.point, chain[i]->cost_s.low, chain[i]->cost_s.high));
  if (!top.empty()) claim.note = "largest contributors (ladder, each over its baseline): " + join(top, "; ");
  else claim.note = "no ladder rows for " + container->backend + " in this run: run --suite ladder for the breakdown";
  // The ladder's full stack is the same container started among the ladder's other
  // steps: when the two disagree, the start depends on what ran just before it, and a
  // reader must know that the verdict rests on one of the two states.
  for (const LadderStep& step : ladder) {
    if (step.backend != container->backend || !step.top) continue;
    double startup = stats::median(container->values("ready_s").empty() ? container->values("real_time")
                                                                         : container->values("ready_s"));
    double ladder_top = step.total_s.point;
    if (ladder_top > 0 && startup > 0 && (startup / ladder_top > 2 || ladder_top / startup > 2))
      claim.note += "; the same container at the top of the ladder, started among the other steps, was ready in " +
                    format_seconds(ladder_top) + " against " + format_seconds(startup) + " here (" +
                    format_ratio(startup / ladder_top) +
                    "): its start depends on what ran just before it (README: a cgroup attach after a pause waits "
                    "for an RCU grace period)";
  }
  return claim;
}

// C5 for a container engine (docker, podman): the seed's container as its readers start
// one. The note splits the start into the engine's steps and names the OCI runtime under
// it (the row's `runtime` attribute) with that runtime's own start in the same run: the
// engine's share is the difference.
std::vector<Claim> claim_c5_engines(const Reading& reading, const std::vector<LadderStep>& ladder) {
  std::vector<Claim> out;
  const BenchmarkSamples* bare = first_startup(reading, reading.backends_where(is_process));
  for (const std::string& engine : reading.backends_where([](const FamilyTraits& t) { return t.container_engine; })) {
    const BenchmarkSamples* row = reading.file().measured("startup/" + engine + "/noop");
    if (row == nullptr || bare == nullptr) continue;  // the main C5 row already says what is missing
    Claim claim = make("C5", "startup of noop: " + engine + " (the seed's container: an engine in front of an OCI "
                             "runtime) / bare process; the whole interval below ×10");
    claim = claim_c5_for(ladder, claim, *row, *bare);
    std::vector<std::string> steps;
    for (const char* phase : {"create_s", "ready_s", "exited_s", "teardown_s"})
      if (!row->values(phase).empty()) steps.push_back(std::string(phase) + " " + format_seconds(stats::median(row->values(phase))));
    claim.note = engine + "'s phases (medians): " + join(steps, ", ");
    std::string runtime = row->attributes.value("runtime", "");
    if (const BenchmarkSamples* under = reading.file().measured("startup/" + runtime + "/noop"); under && !runtime.empty()) {
      double engine_s = stats::median(row->values("real_time")), runtime_s = stats::median(under->values("real_time"));
      if (runtime_s > 0)
        claim.note += "; the " + runtime + " under it started alone in " + format_seconds(runtime_s) + " (" +
                      engine + " " + format_ratio(engine_s / runtime_s) + " of it): the engine's client, daemon and "
                      "shim add " + format_seconds(engine_s - runtime_s);
    }
    out.push_back(std::move(claim));
  }
  return out;
}

Claim claim_c5(const Reading& reading, const std::vector<LadderStep>& ladder) {
  Claim claim = make("C5", "startup of noop: container / bare process; a host process with kernel primitives, no OS "
                           "boot: the whole interval below ×10");
  const BenchmarkSamples* bare = first_startup(reading, reading.backends_where(is_process));
  const BenchmarkSamples* container = first_startup(reading, container_backends(reading));
  if (bare == nullptr || container == nullptr) {
    std::vector<std::string> why;
    if (bare == nullptr) why.push_back(reading.why_missing("startup/bare/noop"));
    if (container == nullptr) why.push_back(reading.why_none(container_backends(reading), {"startup"}, "startup container"));
    not_measurable(claim, join(why, "; "));
    return claim;
  }
  return claim_c5_for(ladder, claim, *container, *bare);
}

bool is_engine(const FamilyTraits& t) { return t.container_engine; }

// C6 build for one side: `containers` as the container, matched by workload to a VM's
// image row. An engine's image row times the engine's own build of its image (its
// `import` of the rootfs, engine_import_s) on top of the rootfs: what building a Docker
// image costs its user, the seed's subject.
Claim c6_build(const Reading& reading, const std::vector<std::string>& vms, const std::vector<std::string>& containers,
               Claim claim) {
  SidePair pair = matched_rows(reading, "image", vms, containers, "build_s");
  if (pair.vm == nullptr || pair.container == nullptr) {
    not_measurable(claim, missing_sides(reading, "image", pair, vms, containers));
    return claim;
  }
  claim.backend = pair.container->backend;
  ratio_effect(claim, *pair.container, "build_s", *pair.vm, "build_s", format_seconds);
  if (!claim.point) return not_measurable(claim, "a build time is zero (" + pair.vm->name + ")"), claim;
  decide(claim, 1 / kTolerance, Holds::kBelow, true);
  if (const auto& import = pair.container->values("engine_import_s"); !import.empty())
    claim.note = pair.container->backend + "'s own image build (import of the rootfs) " +
                 format_seconds(stats::median(import)) + " of its " +
                 format_seconds(stats::median(pair.container->values("build_s")));
  return claim;
}

// C6 start for one container side against the first VM that ran natively.
Claim c6_start(const Reading& reading, const std::vector<std::string>& vms, const std::vector<std::string>& containers,
               Claim claim) {
  const BenchmarkSamples* container = first_startup(reading, containers);
  const BenchmarkSamples* vm = first_startup(reading, vms, /*native_only=*/true);
  const BenchmarkSamples* emulated_vm = first_startup(reading, vms);
  if (container == nullptr) {
    not_measurable(claim, reading.why_none(containers, {"startup"}, "startup container"));
  } else if (vm == nullptr && emulated_vm != nullptr) {
    claim.backend = container->backend;
    Claim shown = claim;
    ratio_effect(shown, *emulated_vm, "real_time", *container, "real_time", format_seconds);
    claim.effect = "emulated, not used: " + shown.effect;
    not_measurable(claim, emulated_vm->name + " was emulated (" + reading.emulation(*emulated_vm)->why +
                              "): its boot time is the emulator's, not a hypervisor's");
  } else if (vm == nullptr) {
    not_measurable(claim, reading.why_none(vms, {"startup"}, "startup VM"));
  } else {
    claim.backend = container->backend;
    ratio_effect(claim, *vm, "real_time", *container, "real_time", format_seconds);
    if (!claim.point) not_measurable(claim, "startup times are not positive");
    else decide(claim, kTolerance, Holds::kAbove, true);
  }
  return claim;
}

// Both halves of C6 for the first container backend (isobench's own rootfs), then for
// each container engine that measured that half: the seed says "Docker images".
std::vector<Claim> claim_c6(const Reading& reading) {
  std::vector<Claim> rows;
  auto vms = reading.backends_where(boots_guest_os), containers = container_backends(reading);
  auto engines = reading.backends_where(is_engine);
  const std::string build_metric = "image build_s: container / VM; faster: the whole interval below ×0.95";
  const std::string start_metric =
      "startup of noop (deploy): VM / container, guests that ran natively only; faster: the whole interval above ×1.05";
  auto named = [](std::string id, const std::string& metric) {
    Claim claim = make(id, metric);
    claim.id = std::move(id);
    return claim;
  };
  // An engine's row only where both sides were measured: otherwise the main row already
  // says what is missing, once.
  auto built = [&](const std::vector<std::string>& backends) {
    for (const auto& backend : backends)
      for (const BenchmarkSamples* bench : reading.file().select("image", backend))
        if (!bench->values("build_s").empty()) return true;
    return false;
  };
  rows.push_back(c6_build(reading, vms, containers, named("C6 build", build_metric)));
  for (const std::string& engine : engines) {
    if (!built({engine}) || !built(vms) || rows.front().backend == engine) continue;
    rows.push_back(c6_build(reading, vms, {engine},
                            named("C6 build", "image build_s: " + engine + " (its import of the rootfs included) / VM; "
                                              "faster: the whole interval below ×0.95")));
  }
  rows.push_back(c6_start(reading, vms, containers, named("C6 start", start_metric)));
  const std::string main_start = rows.back().backend;
  for (const std::string& engine : engines) {
    if (reading.file().measured("startup/" + engine + "/noop") == nullptr || first_startup(reading, vms) == nullptr ||
        main_start == engine)
      continue;
    rows.push_back(c6_start(reading, vms, {engine},
                            named("C6 start", "startup of noop (deploy): VM / " + engine +
                                              " (create, start, remove through the engine), guests that ran natively "
                                              "only; faster: the whole interval above ×1.05")));
  }
  return rows;
}

// C4 and C6 ask what a guest OS costs; a VM without one (microvm: the same hypervisor, the
// same binary, no guest kernel) against the same container separates the hypervisor's
// share from the OS's. One row each, beside the rows with a guest OS.
bool is_vm_without_os(const FamilyTraits& t) { return t.family == "microvm"; }

void note_against_guest_os(Claim& claim, const Claim& with_os) {
  if (with_os.point)
    claim.note = "the same claim with a guest OS (" + with_os.backend + "): " + with_os.effect + ", " +
                 with_os.verdict_text;
  else
    claim.note = "the same claim with a guest OS: " + with_os.verdict_text;
}

Claim claim_c4_without_guest_os(const Reading& reading, const Claim& with_os) {
  Claim claim = make("C4 no guest OS", "memory per idle instance: VM without a guest OS (the workload as the guest's "
                                       "only program) / container (pss_bytes); heavy: the whole interval above ×2");
  auto vms = reading.backends_where(is_vm_without_os), containers = reading.backends_where(is_container);
  SidePair pair = matched_rows(reading, "footprint", vms, containers, "pss_bytes");
  if (pair.vm == nullptr || pair.container == nullptr) {
    not_measurable(claim, missing_sides(reading, "footprint", pair, vms, containers));
    return claim;
  }
  if (auto emulation = reading.emulation(*pair.vm); emulation && emulation->emulated)
    return not_measurable(claim, pair.vm->name + " was emulated (" + emulation->why + ")"), claim;
  ratio_effect(claim, *pair.vm, "pss_bytes", *pair.container, "pss_bytes", format_bytes);
  claim.backend = pair.vm->backend;
  if (!claim.point) return not_measurable(claim, "memory figures are not positive"), claim;
  decide(claim, kHeavy, Holds::kAbove, true);
  note_against_guest_os(claim, with_os);
  return claim;
}

Claim claim_c6_start_without_guest_os(const Reading& reading, const Claim& with_os) {
  Claim claim = make("C6 start, no guest OS", "startup of noop (deploy): VM without a guest OS / container, native "
                                              "only; faster: the whole interval above ×1.05");
  auto vms = reading.backends_where(is_vm_without_os);
  const BenchmarkSamples* container = first_startup(reading, container_backends(reading));
  const BenchmarkSamples* vm = first_startup(reading, vms, /*native_only=*/true);
  if (container == nullptr || vm == nullptr) {
    std::vector<std::string> why;
    if (vm == nullptr) why.push_back(reading.why_none(vms, {"startup"}, "startup VM without a guest OS (native)"));
    if (container == nullptr) why.push_back(reading.why_none(container_backends(reading), {"startup"}, "startup container"));
    not_measurable(claim, join(why, "; "));
    return claim;
  }
  ratio_effect(claim, *vm, "real_time", *container, "real_time", format_seconds);
  claim.backend = vm->backend;
  if (!claim.point) return not_measurable(claim, "startup times are not positive"), claim;
  decide(claim, kTolerance, Holds::kAbove, true);
  note_against_guest_os(claim, with_os);
  return claim;
}

// An engine's C7 row is the seed's container as its readers run one: the note says so and
// names the OCI runtime under it (its rows' `runtime` attribute) with that runtime's own
// pooled overhead in the same run, so that what the engine adds is visible.
void engine_note(const Reading& reading, const std::string& engine, Claim& claim) {
  std::string runtime;
  for (const char* suite : kOverheadSuites)
    for (const BenchmarkSamples* bench : reading.file().select(suite, engine))
      if (runtime.empty()) runtime = bench->attribute("runtime");
  std::string note = "the seed's container: " + engine + (runtime.empty() ? "" : ", an engine in front of " + runtime);
  if (!runtime.empty() && runtime != engine)
    if (OverheadReading under = overhead(split_pairs(reading, runtime).native); under.pooled)
      note += "; " + runtime + " alone " + describe(*under.pooled);
  claim.note = claim.note.empty() ? note : note + "; " + claim.note;
}

std::vector<Claim> claim_c7(const Reading& reading) {
  const std::string metric =
      "container / bare per operation, geometric mean over the cpu, mem, syscall and io benchmarks; almost none: the "
      "whole interval below ×1.05";
  std::vector<Claim> rows;
  for (const std::string& backend : container_backends(reading)) {
    SplitPairs pairs = split_pairs(reading, backend);
    OverheadReading reading_of = overhead(pairs.native);
    if (!reading_of.pooled) continue;
    Claim claim = overhead_claim("C7", metric, backend, reading_of, Holds::kBelow);
    std::vector<std::string> lossy;
    for (const auto& [suite, s] : reading_of.per_suite)
      if (s.estimate.ci.low > kTolerance) lossy.push_back(suite);
    if (!lossy.empty()) claim.note = "loses more than 5% in: " + join(lossy, ", ");
    if (reading.traits(backend).container_engine) engine_note(reading, backend, claim);
    rows.push_back(std::move(claim));
  }
  if (rows.empty()) {
    Claim claim = make("C7", metric);
    not_measurable(claim, reading.why_none(container_backends(reading), {"cpu", "mem", "syscall", "io"}, "container overhead"));
    rows.push_back(std::move(claim));
  }
  return rows;
}

Claim claim_c8(const Reading& reading) {
  Claim claim = make("C8", "digest of the same deterministic work (cpu hash, checksum) per repetition and backend: one "
                           "value per workload confirms");
  claim.unit = "digests";
  // (suite, workload, arg, key) -> backend -> the values it printed.
  std::map<std::tuple<std::string, std::string, std::string, std::string>, std::map<std::string, std::set<std::string>>> seen;
  for (const BenchmarkSamples& bench : reading.file().benchmarks)
    for (const char* key : kDigestKeys)
      if (auto it = bench.attribute_values.find(key); it != bench.attribute_values.end())
        seen[{bench.suite, bench.workload, bench.arg, key}][bench.backend].insert(it->second.begin(), it->second.end());
  std::set<std::string> backends;
  std::size_t groups = 0;
  bool same = true;
  for (const auto& [group, per_backend] : seen) {
    bool has_container = false;
    for (const auto& [backend, _] : per_backend) has_container |= reading.traits(backend).is_container();
    if (!has_container) continue;
    ++groups;
    std::set<std::string> values;
    for (const auto& [backend, v] : per_backend) {
      backends.insert(backend);
      values.insert(v.begin(), v.end());
    }
    same &= values.size() == 1;
    claim.figures.push_back(std::get<0>(group) + "/*/" + std::get<1>(group) +
                            (std::get<2>(group).empty() ? "" : "/" + std::get<2>(group)) + " " + std::get<3>(group));
  }
  if (groups == 0) {
    not_measurable(claim, reading.backends_where(is_container).empty() || reading.file().select("cpu").empty()
                              ? reading.why_none(container_backends(reading), {"cpu"}, "container cpu")
                              : "no container row carries a digest (cpu suite or checksum workload)");
    return claim;
  }
  claim.effect = std::string(same ? "1 digest" : "differing digests") + " across " +
                 join(std::vector<std::string>(backends.begin(), backends.end()), ", ") + " (" + std::to_string(groups) +
                 " workload(s))";
  claim.verdict = same ? "confirmed" : "contradicted";
  claim.verdict_text = claim.verdict;
  std::vector<std::string> spread;
  for (const std::string& backend : container_backends(reading)) {
    const BenchmarkSamples* row = reading.file().measured("startup/" + backend + "/noop");
    if (row == nullptr || row->repetitions() < 2) continue;
    const auto& t = row->values("real_time");
    double mid = stats::median(t);
    if (mid > 0)
      spread.push_back(backend + " startup MAD/median " +
                       std::to_string(static_cast<int>(std::lround(stats::median_absolute_deviation(t) / mid * 100))) + "%");
  }
  claim.note = spread.empty() ? "output only: the timing spread is in the charts" : join(spread, "; ");
  return claim;
}

json overhead_section(const Reading& reading) {
  json out = json::array();
  for (const std::string& backend : reading.backends_where([](const FamilyTraits& t) { return !t.family.empty() && t.family != "process"; })) {
    for (const char* suite : kOverheadSuites) {
      std::vector<Pair> pairs = slowdown_pairs(reading, suite, backend);
      if (pairs.empty()) continue;
      auto s = geometric_mean(pairs);
      if (!s) continue;
      std::string why;
      bool emulated = false;
      for (const Pair& pair : pairs)
        if (pair.emulation && pair.emulation->emulated) emulated = true, why = pair.emulation->why;
      out.push_back({{"backend", backend}, {"family", reading.traits(backend).family}, {"suite", suite},
                     {"point", s->estimate.ratio}, {"low", s->estimate.ci.low}, {"high", s->estimate.ci.high},
                     {"repetitions", s->repetitions}, {"benchmarks", s->names}, {"emulated", emulated},
                     {"emulated_why", why}});
    }
  }
  return out;
}

json emulation_section(const Reading& reading) {
  json out = json::object();
  for (const std::string& backend : reading.backends_where([](const FamilyTraits& t) { return t.emulation_possible || t.is_hypervisor(); })) {
    for (const BenchmarkSamples& bench : reading.file().benchmarks) {
      if (bench.backend != backend || bench.repetitions() == 0) continue;
      if (auto e = reading.emulation(bench)) {
        out[backend] = {{"emulated", e->emulated}, {"why", e->why}};
        if (e->emulated) break;  // one emulated row is enough to say so
      }
    }
  }
  return out;
}

}  // namespace

json compute_claims(const ResultsFile& file, const TraitsLookup& fallback) {
  Reading reading(file, fallback);
  std::vector<LadderStep> ladder = ladder_steps(file, fallback);
  std::vector<Claim> rows = claim_c2(reading);
  rows.push_back(claim_c3(reading));
  rows.push_back(claim_c4(reading));
  rows.push_back(claim_c4_without_guest_os(reading, rows.back()));
  rows.push_back(claim_c5(reading, ladder));
  for (auto& row : claim_c5_engines(reading, ladder)) rows.push_back(std::move(row));
  std::vector<Claim> c6 = claim_c6(reading);
  rows.insert(rows.end(), c6.begin(), c6.end());
  if (auto start = std::find_if(c6.begin(), c6.end(), [](const Claim& c) { return c.id == "C6 start"; }); start != c6.end())
    rows.push_back(claim_c6_start_without_guest_os(reading, *start));
  for (auto& row : claim_c7(reading)) rows.push_back(std::move(row));
  rows.push_back(claim_c8(reading));

  json out = {{"version", kClaimsVersion}, {"level", kLevel}};
  out["methods"] = {
      {"median_ci", "order statistics (binomial, distribution-free), level 0.95"},
      {"ratio_ci", "percentile bootstrap of the ratio of two medians, both samples resampled, 2000 resamples, fixed seed"},
      {"geometric_mean_ci",
       "percentile bootstrap of the geometric mean over benchmarks of backend/bare median ratios, every sample "
       "resampled, 2000 resamples, fixed seed"},
      {"difference_ci", "percentile bootstrap of the difference of two medians, 2000 resamples, fixed seed"},
      {"ladder_step",
       "paired: median of per-round differences to the declared baseline (step_s), order-statistics interval; "
       "unpaired (older files): difference of medians, bootstrap interval; floor: the step's own time"},
      {"verdict",
       "confirmed or contradicted when the whole 95% interval lies on one side of the claim's threshold; otherwise "
       "inconclusive"},
      {"repetitions_to_decide",
       "an interval's half-width shrinks as 1/sqrt(n): n * (half-width / distance from the point to the threshold)^2, "
       "on a log scale for ratios"},
      {"emulated",
       "TCG is emulation; a KVM guest without an OS is emulated when its compute loop runs at ×2 of the host loop or "
       "slower; emulated rows never enter C2, C4's or C6's reading of a VM"},
  };
  out["rows"] = json::array();
  for (const Claim& row : rows) out["rows"].push_back(to_json(row));
  out["ladder"] = json::array();
  for (const LadderStep& step : ladder) out["ladder"].push_back(to_json(step));
  out["overhead"] = overhead_section(reading);
  out["emulation"] = emulation_section(reading);
  return out;
}

}  // namespace isobench::results
