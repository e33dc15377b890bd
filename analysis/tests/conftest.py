"""Fixtures: small attune files made by the real binary, once per test session.

The binary is ``$ATTUNE_EXE`` or ``build/attune`` under the repository root. Every simulation is
tiny (a few infants, a few days) so that the whole suite runs in well under a minute.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ANALYSIS = REPO / "analysis"

RUN_INFANTS = 40
RUN_DAYS = 12
DAILY_FIELDS = ["availability", "signal_gain", "fear", "cortisol", "episodes"]
TRACE_INFANTS = [0, 1]
TRACE_DAYS = [0, 11]


def attune_exe() -> Path:
    exe = Path(os.environ.get("ATTUNE_EXE") or REPO / "build" / "attune")
    if not exe.is_file():
        pytest.fail(f"attune binary not found at {exe}: build it (bash scripts/setup.sh test) "
                    f"or set ATTUNE_EXE")
    return exe


def attune(*args, cwd=None):
    """Run attune; fail the test with its output on a non-zero exit."""
    cmd = [str(attune_exe()), *map(str, args)]
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        pytest.fail(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("attune_files")


@pytest.fixture(scope="session")
def run_file(data_dir):
    """The default scenario, shrunk, with daily series and traces of two infants on two days."""
    out = data_dir / "run.h5"
    attune("run", REPO / "scenarios/reference/default.yaml", "-o", out, "--quiet", "--threads", "1",
           "--set", f"population.infants={RUN_INFANTS}", "--set", f"time.days={RUN_DAYS}",
           "--set", f"output.daily=[{', '.join(DAILY_FIELDS)}]",
           "--set", f"trace.infants={TRACE_INFANTS}", "--set", f"trace.days={TRACE_DAYS}",
           "--set", "trace.sessions=[0]")
    return out


@pytest.fixture(scope="session")
def plain_run_file(data_dir):
    """A run without daily series or traces, and a single caregiver profile."""
    out = data_dir / "plain.h5"
    attune("run", REPO / "scenarios/reference/archetypes/secure.yaml", "-o", out, "--quiet",
           "--threads", "1", "--set", "population.infants=10", "--set", "time.days=3")
    return out


@pytest.fixture(scope="session")
def mutual_run_file(data_dir):
    """The shipped default scenario (the mutual model), shrunk: 60 infants, 20 days, no protocols."""
    out = data_dir / "mutual.h5"
    attune("run", REPO / "scenarios/default.yaml", "-o", out, "--quiet", "--threads", "1",
           "--set", "population.infants=60", "--set", "time.days=20", "--set", "protocols=[]")
    return out


@pytest.fixture(scope="session")
def factorial_file(data_dir):
    """attunement × repair rate (9 × 6 points, 2 replicates), 3 infants for 3 days each."""
    out = data_dir / "factorial.h5"
    attune("sweep", REPO / "scenarios/reference/sweeps/attunement_by_repair.yaml", "-o", out, "--quiet",
           "--threads", "1", "--set", "population.infants=3", "--set", "time.days=3")
    return out


@pytest.fixture(scope="session")
def saltelli_file(data_dir):
    """The shipped Saltelli sweep with 4 base samples (28 points) of 3 infants for 2 days."""
    out = data_dir / "saltelli.h5"
    attune("sweep", REPO / "scenarios/reference/sweeps/sensitivity_saltelli.yaml", "-o", out, "--quiet",
           "--threads", "1", "--set", "population.infants=3", "--set", "time.days=2",
           "--set", "sweep.samples=4")
    return out


MORRIS_YAML = """\
name: morris_test
description: A small Morris screening of three caregiver parameters.
seed: 5
time: {days: 3, sessions_per_day: 2, session_s: 120, dt: 1}
population: {infants: 3}
caregiver: {attunement: 0.7, rupture_rate: 1.0, repair_rate: 2.0, rejection: 0.0,
            baseline_stress: 0.2}
sweep:
  design: morris
  samples: 4
  levels: 4
  replicates: 2
  factors:
    caregiver.attunement: {min: 0.2, max: 0.95}
    caregiver.repair_rate: {min: 0.1, max: 8, scale: log}
    caregiver.baseline_stress: {min: 0.05, max: 3}
"""


@pytest.fixture(scope="session")
def morris_file(data_dir):
    scenario = data_dir / "morris.yaml"
    scenario.write_text(MORRIS_YAML)
    out = data_dir / "morris.h5"
    attune("sweep", scenario, "-o", out, "--quiet", "--threads", "1")
    return out


@pytest.fixture(scope="session")
def chromium():
    exe = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium")
                                       else None)
    if exe is None:
        pytest.skip("chromium is not installed (apt-get install chromium): the browser "
                    "rendering check of the report is skipped")
    return exe
