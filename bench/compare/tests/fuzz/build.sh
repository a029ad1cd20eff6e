#!/usr/bin/env bash
# Builds the libFuzzer target for the results reader with Debian's clang 19 (clang 14's
# headers lack std::expected):  apt-get install clang-19 libclang-rt-19-dev
# Usage: bench/compare/tests/fuzz/build.sh OUT_DIR, then
#   OUT_DIR/fuzz_results_reader -max_total_time=60 -max_len=4096 NEW_CORPUS bench/compare/tests/fuzz/corpus
# and copy only new small inputs worth keeping into corpus/ (or run with -merge=1).
set -euo pipefail
out=${1:?usage: build.sh OUT_DIR}
root=$(cd "$(dirname "$0")/../../../.." && pwd)
mkdir -p "$out"
clang++-19 -std=c++23 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I"$root/bench" -I"$root" \
  "$root/bench/compare/tests/fuzz/fuzz_results_reader.cpp" \
  "$root"/bench/results/{metric,model,format}.cpp "$root"/bench/compare/{testbed,comparison,verdict_table,compare_json}.cpp \
  "$root"/bench/stats/{descriptive,intervals,hypothesis}.cpp \
  "$root/runtimes/common/error.cpp" \
  -o "$out/fuzz_results_reader"
echo "built $out/fuzz_results_reader"
