#!/usr/bin/env bash
# Sets up a Debian 12 machine for attune, builds it, then either runs the default scenario
# ("run") or every test ("test"). Safe to run again: it installs only what is missing.
#
#   bash scripts/setup.sh run    # build, run scenarios/default.yaml, write results/default.h5
#   bash scripts/setup.sh test   # build with tests, run every test
#   bash scripts/setup.sh sanitize  # the test suites built with clang, ASan + UBSan (build-check/); any report fails
#   bash scripts/setup.sh fuzz [SECONDS]  # each libFuzzer harness on its corpus (build-check/; 60 s each)
set -euo pipefail
mode=${1:-run}
cd "$(dirname "$0")/.."

packages=(build-essential cmake git pkg-config clang-format clang-tidy clang libclang-rt-14-dev libnlopt-cxx-dev
          libhdf5-dev hdf5-tools libtbb-dev libyaml-cpp-dev libboost-graph-dev libboost-random-dev
          librandom123-dev libcli11-dev libfmt-dev libgtest-dev
          python3-numpy python3-pandas python3-h5py python3-pytest
          python3-scipy python3-matplotlib python3-yaml chromium
          libopenmpi-dev openmpi-bin slurm-wlm munge)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

jobs=$(nproc)
case "$mode" in
  run)
    cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DATTUNE_BUILD_TESTS=OFF -DATTUNE_MPI=OFF >/dev/null
    cmake --build build -j"$jobs"
    mkdir -p results
    ./build/attune run scenarios/default.yaml -o results/default.h5 --force
    ;;
  test)
    cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DATTUNE_BUILD_TESTS=ON -DATTUNE_WERROR=ON -DATTUNE_MPI=ON >/dev/null
    cmake --build build -j"$jobs"
    ctest --test-dir build --output-on-failure -j"$jobs"
    ;;
  sanitize|fuzz)
    # One clang build (build-check/) serves both: the libraries and the test suites with ASan +
    # UBSan (no recovery), and the libFuzzer harnesses of fuzz/ over the same instrumented code.
    # -O1 keeps the sanitized suites fast to build and still fast enough to run.
    CC=clang CXX=clang++ cmake -S . -B build-check -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DATTUNE_FUZZ=ON -DATTUNE_BUILD_TESTS=ON \
      -DATTUNE_MPI=OFF >/dev/null
    fuzzers=(scenario set design_csv state)
    if [ "$mode" = sanitize ]; then
      cmake --build build-check -j"$jobs" --target attune test_sim test_models
      # The formatting, tidy, Python and SLURM tests add nothing under a sanitizer. Reports also go
      # to files: any file fails the run, even if the test that caused it passed.
      reports=$(mktemp -d)
      export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:log_path=$reports/asan"
      export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0"
      export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan"
      status=0
      ctest --test-dir build-check --output-on-failure -j"$jobs" \
        -E '^(clang_format|clang_tidy.*|analysis_pytest|slurm_cluster)$' --timeout 900 || status=$?
      if compgen -G "$reports/*" >/dev/null; then
        echo "sanitize: sanitizer reports:" >&2
        cat "$reports"/* >&2
        status=1
      fi
      rm -rf "$reports"
      exit $status
    fi
    seconds=${2:-60}
    cmake --build build-check -j"$jobs" --target "${fuzzers[@]/%/_fuzzer}"
    # The harnesses run side by side; new inputs go to a scratch corpus (the repository's seeds
    # are read, not changed); a crash is saved in build-check/.
    pids=()
    for f in "${fuzzers[@]}"; do
      work=build-check/corpus/$f
      mkdir -p "$work"
      ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0" \
        ./build-check/fuzz/${f}_fuzzer -max_total_time="$seconds" -timeout=20 \
        -rss_limit_mb=2048 -max_len=16384 -artifact_prefix=build-check/$f- -print_final_stats=1 \
        "$work" fuzz/corpus/$f >build-check/$f.log 2>&1 &
      pids+=($!)
    done
    status=0
    for i in "${!fuzzers[@]}"; do
      if wait "${pids[$i]}"; then
        echo "fuzz ${fuzzers[$i]}: clean; $(grep -E '^stat::(number_of_executed_units|average_exec_per_sec)' build-check/${fuzzers[$i]}.log | tr '\n' ' ')"
      else
        echo "fuzz ${fuzzers[$i]}: FAILED (build-check/${fuzzers[$i]}.log):" >&2
        tail -60 build-check/${fuzzers[$i]}.log >&2
        status=1
      fi
    done
    exit $status
    ;;
  *)
    echo "usage: bash scripts/setup.sh run|test|sanitize|fuzz [SECONDS]" >&2
    exit 2
    ;;
esac
