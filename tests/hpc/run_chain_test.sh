#!/usr/bin/env bash
# The SLURM chain (scripts/slurm/run_chain.sbatch) run directly, with SLURM's variables set by
# hand and stand-ins for sbatch and scancel that record their arguments: the first link is sent
# the walltime signal (USR1) partway, queues the next link with --dependency=afterany and leaves
# every rank's checkpoint; the second link resumes to the end and cancels the link it queued; the
# result equals one uninterrupted process, dataset by dataset. (tests/hpc/slurm_cluster_test.sh
# submits to a real cluster where one can be started.)
#   tests/hpc/run_chain_test.sh ATTUNE_BINARY SOURCE_DIR
set -euo pipefail
attune=$(realpath "$1")
src=$(realpath "$2")
command -v mpirun >/dev/null || { echo "SKIP: mpirun is not installed"; exit 77; }
D=$(mktemp -d /tmp/attune-chain-XXXXXX)
trap 'rm -rf "$D"' EXIT
fail() {
  echo "FAIL: $*"
  for f in "$D"/*.log "$D"/calls; do [ -f "$f" ] && { echo "== $f"; cat "$f"; }; done
  exit 1
}

mkdir -p "$D/bin"
cat > "$D/bin/sbatch" <<'SH'
#!/bin/bash
echo "sbatch $* link=$ATTUNE_CHAIN_LINK" >> "$CALLS"
echo $((SLURM_JOB_ID + 1))
SH
cat > "$D/bin/scancel" <<'SH'
#!/bin/bash
echo "scancel $*" >> "$CALLS"
SH
chmod +x "$D/bin/sbatch" "$D/bin/scancel"
export PATH="$D/bin:$PATH" CALLS="$D/calls" ATTUNE="$attune" SLURM_CPUS_PER_TASK=1 SLURM_NTASKS=3
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export MPIRUN="mpirun --oversubscribe --bind-to none -n 3"
scenario="$src/tests/data/ranks/checkpointed.yaml"
chain="$src/scripts/slurm/run_chain.sbatch"
cd "$D"

"$attune" run "$scenario" -o whole.h5 --quiet --threads 1 || fail "the uninterrupted run"

# Link 1: the walltime warning after 2 s.
SLURM_JOB_ID=100 bash "$chain" "$scenario" out.h5 7 > link1.log 2>&1 &
job=$!
sleep 2
kill -USR1 "$job"
wait "$job" || fail "link 1 exited with $?"
[ ! -e out.h5 ] || fail "link 1 finished before the signal; make the scenario longer"
for f in out.h5.ckpt out.h5.ckpt.rank1 out.h5.ckpt.rank2; do [ -e "$f" ] || fail "no $f after link 1"; done
grep -q "sbatch --parsable --dependency=afterany:100 --ntasks=3 --cpus-per-task=1 .*run_chain.sbatch $scenario out.h5 7 link=2" calls ||
  fail "link 1 did not queue link 2 after itself"
grep -q "stopped at its walltime; 101 resumes" link1.log || fail "link 1's message"

# Link 2: resumes to the end, cancels the link 3 it queued.
SLURM_JOB_ID=101 ATTUNE_CHAIN_LINK=2 bash "$chain" "$scenario" out.h5 7 > link2.log 2>&1 || fail "link 2 failed"
[ -e out.h5 ] || fail "no result after link 2"
for f in out.h5.ckpt out.h5.ckpt.rank1 out.h5.ckpt.rank2; do [ ! -e "$f" ] || fail "$f left after the end"; done
grep -q "scancel 102" calls || fail "link 2 did not cancel link 3"

# Link 3, had it run: nothing to do.
SLURM_JOB_ID=102 ATTUNE_CHAIN_LINK=3 bash "$chain" "$scenario" out.h5 7 > link3.log 2>&1 || fail "link 3 failed"
grep -q "the run is complete" link3.log || fail "link 3's message"

/usr/bin/python3 - whole.h5 out.h5 <<'PY' || fail "the chained result differs from the uninterrupted run"
import sys, h5py, numpy as np
def datasets(path):
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: out.__setitem__(name, obj[()].tobytes()) if isinstance(obj, h5py.Dataset) else None)
    return out
a, b = datasets(sys.argv[1]), datasets(sys.argv[2])
assert a.keys() == b.keys(), (sorted(a), sorted(b))
bad = [k for k in a if a[k] != b[k]]
assert not bad, bad
print(f"{len(a)} datasets identical")
PY
echo "PASS: a chain of two links (walltime signal, resume) equals one uninterrupted run"
