#!/usr/bin/env bash
# Strong and weak scaling of one run divided among ranks (docs/HPC.md, "Scaling a single run"),
# and the memory of each rank. Every run's datasets are compared with the one-process run's.
#   scripts/bench/run_scaling.sh ATTUNE [MAX_RANKS]
# Ranks beyond the machine's cores are oversubscribed (mpirun --oversubscribe).
set -euo pipefail
attune=$(realpath "$1")
max=${2:-4}
src=$(cd "$(dirname "$0")/../.." && pwd)
scenario=$src/scenarios/reference/default.yaml
daily='output.daily=[availability,cortisol]'
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpi=(mpirun --oversubscribe --bind-to none)
D=$(mktemp -d /tmp/attune-scaling-XXXXXX)
trap 'rm -rf "$D"' EXIT
same() {
  /usr/bin/python3 - "$1" "$2" <<'PY'
import sys, h5py
def d(p):
    out = {}
    with h5py.File(p, "r") as f:
        f.visititems(lambda n, o: out.__setitem__(n, o[()].tobytes()) if isinstance(o, h5py.Dataset) else None)
    return out
a, b = d(sys.argv[1]), d(sys.argv[2])
print("same" if a == b else "DIFFERENT")
PY
}
# "WALL CPU" of a run, best of two: wall seconds, and CPU seconds (user + system) summed over its
# processes; RANKS 1 runs attune alone, more under mpirun. Other programs' load changes the wall
# time on a shared machine, hardly the CPU time.
measure() {
  local ranks=$1 best="" cpu=""
  shift
  for _ in 1 2; do
    local t0 t1 c
    t0=$(date +%s.%N)
    rm -f "$D"/cpu.*
    # Each process writes its own times to its own file (ranks' stderr lines can interleave).
    if [ "$ranks" -eq 1 ]; then
      /usr/bin/time -o "$D/cpu.0" -f "%U %S" "$attune" "$@" >/dev/null
    else
      # shellcheck disable=SC2016  # expanded by each rank's shell
      "${mpi[@]}" -n "$ranks" bash -c '/usr/bin/time -o "$0.$OMPI_COMM_WORLD_RANK" -f "%U %S" "$@"' \
        "$D/cpu" "$attune" "$@" >/dev/null
    fi
    c=$(cat "$D"/cpu.* | awk '{s += $1 + $2} END {print s}')
    t1=$(date +%s.%N)
    read -r best cpu < <(echo "$t0 $t1 $c $best $cpu" |
      awk '{t = $2 - $1; if ($4 == "" || t < $4) print t, $3; else print $4, $5}')
  done
  echo "$best $cpu"
}
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before"

n=2000
days=32
echo "strong scaling: $n infants x $days days, daily [availability, cortisol], one thread per rank"
args=(run "$scenario" --set "population.infants=$n" --set "time.days=$days" --set "$daily" --quiet --force)
read -r t1 c1 < <(measure 1 "${args[@]}" -o "$D/one.h5" --threads 1)
printf "  %-22s wall %6.2f s  speed-up 1.00  CPU %6.2f s\n" "1 process, 1 thread" "$t1" "$c1"
read -r t c < <(measure 1 "${args[@]}" -o "$D/t2.h5" --threads 2)
printf "  %-22s wall %6.2f s  speed-up %.2f  CPU %6.2f s  %s\n" "1 process, 2 threads" "$t" \
  "$(echo "$t1 / $t" | bc -l)" "$c" "$(same "$D/one.h5" "$D/t2.h5")"
for r in $(seq 2 "$max"); do
  read -r t c < <(measure "$r" "${args[@]}" -o "$D/r$r.h5" --threads 1)
  printf "  %-22s wall %6.2f s  speed-up %.2f  CPU %6.2f s  %s\n" "mpirun -n $r" "$t" "$(echo "$t1 / $t" | bc -l)" \
    "$c" "$(same "$D/one.h5" "$D/r$r.h5")"
done

per=1000
echo "weak scaling: $per infants per rank x $days days, daily [availability, cortisol], one thread per rank"
for r in $(seq 1 "$max"); do
  wargs=(run "$scenario" --set "population.infants=$((per * r))" --set "time.days=$days" --set "$daily" --quiet
    --force --threads 1 -o "$D/w$r.h5")
  read -r t c < <(measure "$r" "${wargs[@]}")
  [ "$r" -eq 1 ] && w1=$t && cw1=$c
  printf "  %-9s %6d infants  wall %6.2f s  efficiency %.2f  CPU per rank %6.2f s (%.2f of one rank's)\n" \
    "ranks $r" "$((per * r))" "$t" "$(echo "$w1 / $t" | bc -l)" "$(echo "$c / $r" | bc -l)" "$(echo "$c / $r / $cw1" | bc -l)"
done

big=400000
echo "memory: $big infants, 1 day of one 60-s session (peak resident memory of each rank)"
margs=(run "$scenario" --set "population.infants=$big" --set time.days=1 --set time.sessions_per_day=1
  --set time.session_s=60 --quiet --force --threads 1)
for r in 1 2 4; do
  if [ "$r" -eq 1 ]; then
    mem=$(/usr/bin/time -f "%M" "$attune" "${margs[@]}" -o "$D/m1.h5" 2>&1 >/dev/null | tail -1)
  else
    mem=$("${mpi[@]}" -n "$r" /usr/bin/time -f "%M" "$attune" "${margs[@]}" -o "$D/m$r.h5" 2>&1 >/dev/null | sort -n | tr '\n' ' ')
  fi
  echo "  ranks $r: peak MB per rank: $(for k in $mem; do printf "%.0f " "$(echo "$k / 1024" | bc -l)"; done)"
done
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) after"
