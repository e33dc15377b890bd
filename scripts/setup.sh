#!/usr/bin/env bash
# Sets up a Debian 12 machine for attune, builds it, then either runs the default scenario
# ("run") or every test ("test"). Safe to run again: it installs only what is missing.
#
#   bash scripts/setup.sh run    # build, run scenarios/default.yaml, write results/default.h5
#   bash scripts/setup.sh test   # build with tests, run every test
set -euo pipefail
mode=${1:-run}
cd "$(dirname "$0")/.."

packages=(build-essential cmake git pkg-config clang-format clang-tidy
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
  *)
    echo "usage: bash scripts/setup.sh run|test" >&2
    exit 2
    ;;
esac
