// How long bench takes to turn a run's rows into results.json (model, statistics,
// claims, writing), timed on a real results file, e.g. the reference `bench --all`
// (3,320 rows): `isobench_results_speed results/reference/nested-vm-tcg/results.json`.
// A benchmark that reports, not a test that asserts: these machines are noisy.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "bench/harness/benchmark_json.hpp"
#include "bench/harness/results_file.hpp"
#include "bench/harness/results_pipeline.hpp"
#include "bench/results/claims.hpp"
#include "bench/results/model.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s RESULTS.json\n", argv[0]);
    return 2;
  }
  std::ifstream in(argv[1]);
  std::stringstream text;
  text << in.rdbuf();
  auto document = isobench::parse_benchmark_json(text.str());
  if (!document) {
    std::fprintf(stderr, "%s\n", document.error().describe().c_str());
    return 2;
  }
  // What Google Benchmark handed bench: the rows, without anything bench derived.
  document->erase("claims");
  // (Rows keep their attributes: the label no longer holds them once bench has read it.)
  for (auto& row : (*document)["benchmarks"]) row.erase("figures");
  using clock = std::chrono::steady_clock;
  auto seconds = [](clock::duration d) { return std::chrono::duration<double>(d).count(); };
  auto start = clock::now();
  auto warnings = isobench::finish_results(*document, argv[1]);
  auto finished = clock::now();
  if (!warnings) {
    std::fprintf(stderr, "%s\n", warnings.error().describe().c_str());
    return 1;
  }
  std::string out = document->dump(2) + "\n";
  auto path = std::filesystem::temp_directory_path() / ("isobench-speed-" + std::to_string(::getpid()) + ".json");
  auto written = isobench::write_file_atomically(path, out);
  auto done = clock::now();
  std::filesystem::remove(path);
  if (!written) return 1;
  auto model = isobench::results::parse_results(out, argv[1]);
  auto read_back = clock::now();
  std::printf("rows %zu: model + statistics + claims %.3f s, writing %.3f s, total %.3f s; reading it back %.3f s\n",
              (*document)["benchmarks"].size(), seconds(finished - start), seconds(done - finished),
              seconds(done - start), seconds(read_back - done));
  return model ? 0 : 1;
}
