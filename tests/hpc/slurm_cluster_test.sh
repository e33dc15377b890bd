#!/usr/bin/env bash
# A real single-node SLURM cluster (munged, slurmctld, slurmd) in a temporary folder: submits the
# batch scripts of docs/HPC.md (scripts/slurm/*.sbatch), merges the job array's parts, checks
# both results equal a single-process sweep, sends the walltime signal to a running array task
# and checks that resubmitting resumes it to the same result. Stops the daemons it started.
#
#   tests/hpc/slurm_cluster_test.sh ATTUNE_BINARY SOURCE_DIR
# Exit 77 (skipped) when SLURM or munge is not installed or not running as root.
set -euo pipefail
attune=$(realpath "$1")
src=$(realpath "$2")
for tool in munged mungekey slurmctld slurmd sbatch squeue scancel h5diff mpirun; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
[ "$(id -u)" -eq 0 ] || { echo "SKIP: the test cluster's daemons run as root"; exit 77; }

D=$(mktemp -d /tmp/attune-slurm-XXXXXX)
pids=()  # the daemons this test started
stop_daemons() {
  scancel --quiet --full --user=root 2>/dev/null || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for _ in $(seq 100); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive -eq 0 ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  rm -rf "$D"
}
trap stop_daemons EXIT

fail() {
  echo "FAIL: $*"
  for log in "$D"/log/*.log "$D"/work/*.log; do [ -f "$log" ] && { echo "== $log"; tail -20 "$log"; }; done
  exit 1
}

# Free ports for this cluster, so that it never meets another one.
free_port() {
  while :; do
    p=$((20000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

mkdir -p "$D"/{munge,spool,state,log,work}
chmod 700 "$D/munge"
mungekey --create --keyfile="$D/munge/munge.key"
munged --key-file="$D/munge/munge.key" --socket="$D/munge/munge.socket" --pid-file="$D/munge/munged.pid" \
  --log-file="$D/munge/munged.log" --seed-file="$D/munge/seed" --force
pids+=("$(cat "$D/munge/munged.pid")")
host=$(hostname -s)
cat > "$D/slurm.conf" <<CONF
ClusterName=attunetest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$D/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
SlurmctldLogFile=$D/log/slurmctld.log
SlurmdLogFile=$D/log/slurmd.log
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$D/slurm.conf
slurmctld
slurmd
for _ in $(seq 50); do [ -s "$D/slurmctld.pid" ] && [ -s "$D/slurmd.pid" ] && break; sleep 0.1; done
pids+=("$(cat "$D/slurmctld.pid")" "$(cat "$D/slurmd.pid")")
for _ in $(seq 100); do
  sinfo --noheader --states=idle 2>/dev/null | grep -q idle && break
  sleep 0.2
done
sinfo --noheader --states=idle | grep -q idle || fail "the cluster did not come up"
echo "cluster up: $(sinfo --noheader)"

export ATTUNE=$attune OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
cd "$D/work"
small=$src/tests/data/sweeps/small.yaml
same() {  # same A B: the sweep datasets of two files are identical
  for d in design runs infants run_summary; do
    h5diff "$1" "$2" "/$d" >/dev/null || fail "$(basename "$2") differs from $(basename "$1") in /$d"
  done
}
"$attune" sweep "$small" -o single.h5 --quiet

# 1. The job array of docs/HPC.md, three shards, merged.
sbatch --wait --quiet --array=0-2 --cpus-per-task=1 "$src/scripts/slurm/array.sbatch" "$small" parts ||
  fail "the array job failed"
"$attune" merge parts/part-*.h5 -o merged.h5
same single.h5 merged.h5
echo "job array: 3 shards merged, equal to the single-process sweep"

# 2. The MPI job of docs/HPC.md.
sbatch --wait --quiet --ntasks=2 --cpus-per-task=1 "$src/scripts/slurm/mpi.sbatch" "$small" mpi.h5 ||
  fail "the MPI job failed"
same single.h5 mpi.h5
echo "MPI job: equal to the single-process sweep"

# 2b. Placement: a task with two cores runs two threads, not one bound core.
sbatch --wait --quiet --ntasks=1 --cpus-per-task=2 --output=placed.log "$src/scripts/slurm/mpi.sbatch" "$small" \
  placed.h5 || fail "the 2-core MPI job failed: $(cat placed.log)"
grep -q "on 2 threads" placed.log || fail "the 2-core task did not run 2 threads: $(cat placed.log)"
if grep -q "warning: --threads" placed.log; then fail "the 2-core task was bound to fewer cores: $(cat placed.log)"; fi
same single.h5 placed.h5
echo "placement: a task with --cpus-per-task=2 runs 2 threads on 2 cores"

# 3. The walltime signal: USR1 to a running array task, then the same submission resumes it.
long=$src/tests/data/sweeps/walltime.yaml
"$attune" sweep "$long" -o long-single.h5 --quiet
job=$(sbatch --parsable --array=0 --cpus-per-task=1 "$src/scripts/slurm/array.sbatch" "$long" cut)
for _ in $(seq 600); do  # up to a minute for the task to start and finish its first runs
  [ -s cut/part-0.h5 ] && "$attune" info cut/part-0.h5 2>/dev/null | grep -q " [1-9][0-9]* done" && break
  sleep 0.1
done
scancel --batch --signal=USR1 "${job}_0"
for _ in $(seq 300); do squeue --noheader --jobs="$job" 2>/dev/null | grep -q . || break; sleep 0.1; done
grep -q "Resume with" attune-shard-"${job}"_0.log || fail "the task did not stop on the walltime signal"
"$attune" info cut/part-0.h5 | grep -q "[1-9][0-9]* pending" || fail "the signal came after the sweep ended"
sbatch --wait --quiet --array=0 --cpus-per-task=1 "$src/scripts/slurm/array.sbatch" "$long" cut ||
  fail "the resubmitted task failed"
grep -q "resuming:" attune-shard-*_0.log || fail "the resubmitted task did not resume"
same long-single.h5 cut/part-0.h5
echo "walltime: stopped by USR1, resumed by resubmission, equal to the single-process sweep"

# 4. One run divided among 2 ranks as a chain of jobs (scripts/slurm/run_chain.sbatch): the walltime
#    signal to link 1 after its first checkpoint; link 2, queued by link 1 with afterany, resumes
#    it to the end and cancels link 3.
run=$src/tests/data/ranks/checkpointed.yaml
"$attune" run "$run" -o run-single.h5 --quiet --threads 1
first=$(sbatch --parsable --ntasks=2 --cpus-per-task=1 "$src/scripts/slurm/run_chain.sbatch" "$run" chain.h5 7)
for _ in $(seq 600); do [ -e chain.h5.ckpt ] && break; sleep 0.1; done
scancel --batch --signal=USR1 "$first"
for _ in $(seq 1200); do [ -e chain.h5 ] && ! squeue --noheader | grep -q . && break; sleep 0.1; done
grep -q "stopped at its walltime" "attune-chain-$first.log" ||
  fail "link 1 did not stop on the walltime signal: $(cat "attune-chain-$first.log")"
[ -e chain.h5 ] || fail "the chain did not finish the run"
grep -q "finished the run" attune-chain-*.log || fail "no link finished the run"
for d in infants daily/availability daily/cortisol protocol/phases protocol/samples protocol/observed; do
  h5diff run-single.h5 chain.h5 "/$d" >/dev/null || fail "the chained run differs from one process in /$d"
done
echo "chain: a run on 2 ranks stopped by USR1 and resumed by the next link equals one process"
echo PASS
