"""Loaders on files written by the attune binary."""

import shutil
import subprocess
import sys

import h5py
import numpy as np
import pytest

from attune_analysis import AnalysisError, SchemaError, load
from conftest import DAILY_FIELDS, RUN_DAYS, RUN_INFANTS, TRACE_DAYS, TRACE_INFANTS

CLASSES = {"B", "A", "C", "D"}


def test_open_run_file_and_provenance(run_file):
    with load.open_file(run_file) as f:
        assert load.check_schema(f) == 1
        assert not load.is_sweep(f)
    prov = load.provenance(run_file)
    for key in ("attune_version", "git_commit", "seed", "created_utc", "scenario_source",
                "scenario", "schema_version", "model"):
        assert key in prov, key
    assert isinstance(prov["seed"], int) and isinstance(prov["scenario"], str)
    assert load.scenario(run_file)["population"]["infants"] == RUN_INFANTS
    assert "Madigan" in load.description(run_file)


def test_infants_decoded(run_file):
    df = load.infants(run_file)
    assert len(df) == RUN_INFANTS
    assert "run_id" not in df.columns
    assert set(df["classification"]) <= CLASSES
    assert all(isinstance(v, str) for v in df["profile"])
    assert set(df["profile"]) <= {"typical", "high_stress", "rejecting", "inconsistent"}
    assert df["infant_id"].tolist() == list(range(RUN_INFANTS))
    outcomes = load.outcome_columns(df)
    assert "cortisol" in outcomes and "attunement" not in outcomes and "infant_id" not in outcomes


def test_run_summary_of_a_run_file(run_file):
    one = load.run_summary(run_file)
    inf = load.infants(run_file)
    assert len(one) == 1 and one["infants"].iloc[0] == RUN_INFANTS
    assert one[["prop_B", "prop_A", "prop_C", "prop_D"]].sum(axis=1).iloc[0] == pytest.approx(1)
    assert one["prop_D"].iloc[0] == pytest.approx((inf["classification"] == "D").mean())
    assert one["mean_fear"].iloc[0] == pytest.approx(inf["fear"].mean())
    assert load.runs(run_file)["status"].tolist() == ["done"]


def test_daily_long_format(run_file):
    assert load.daily_fields(run_file) == DAILY_FIELDS
    d = load.daily(run_file)
    assert list(d.columns) == ["row", "infant_id", "caregiver_id", "profile", "classification",
                               "day", "field", "value"]
    assert len(d) == RUN_INFANTS * RUN_DAYS * len(DAILY_FIELDS)
    assert d["day"].min() == 1 and d["day"].max() == RUN_DAYS
    with h5py.File(run_file, "r") as f:
        raw = f["daily/fear"][()]
        inf = f["infants"][()]
    sub = d[(d["field"] == "fear") & (d["row"] == 3)].sort_values("day")
    np.testing.assert_array_equal(sub["value"].to_numpy(), raw[3].astype(np.float64))
    assert (sub["classification"] == inf["classification"][3].decode()).all()
    two = load.daily(run_file, "fear, episodes")
    assert set(two["field"]) == {"fear", "episodes"}
    # episodes are cumulative counts: the last day equals /infants
    last = two[(two["field"] == "episodes") & (two["day"] == RUN_DAYS)].sort_values("row")
    np.testing.assert_array_equal(last["value"].to_numpy(), inf["episodes"].astype(float))


def test_daily_errors(run_file, plain_run_file, factorial_file):
    with pytest.raises(AnalysisError, match=r"no daily series 'feer' \(did you mean 'fear'\?\)"):
        load.daily(run_file, ["feer"])
    with pytest.raises(AnalysisError, match="output.daily"):
        load.daily(plain_run_file)
    with pytest.raises(AnalysisError, match="sweep files hold no daily series"):
        load.daily(factorial_file)
    assert not load.has_daily(plain_run_file)


def test_trace(run_file):
    assert load.has_trace(run_file)
    steps = load.trace(run_file)
    schema = ["infant_id", "caregiver_id", "day", "session", "step", "t", "x", "xc", "signal",
              "u", "v", "z1", "z", "engaged", "coordinated", "frightening", "dissociated", "stressor",
              "rupture", "repair", "episode_start", "episode_end", "shock", "latency"]
    assert steps.columns.tolist()[:len(schema)] == schema
    assert {"profile", "classification"} <= set(steps.columns)
    sessions = load.trace_sessions(run_file)
    assert len(sessions) == len(TRACE_INFANTS) * len(TRACE_DAYS)
    assert set(sessions["infant_id"]) == set(TRACE_INFANTS)
    assert set(sessions["day"]) == set(TRACE_DAYS) and set(sessions["session"]) == {0}
    scen = load.scenario(run_file)["time"]
    assert (sessions["steps"] == scen["session_s"] / scen["dt"]).all()
    for flag in load.TRACE_FLAGS:
        assert set(steps[flag].unique()) <= {0, 1}, flag
    ends = steps["episode_end"] == 1
    assert steps.loc[~ends, "latency"].isna().all()
    assert not steps.loc[ends, "latency"].isna().any()
    one = load.trace(run_file, infant_id=TRACE_INFANTS[1], day=TRACE_DAYS[1], session=0)
    assert len(one) == sessions["steps"].iloc[0]
    assert one["step"].tolist() == list(range(len(one)))
    inf = load.infants(run_file).set_index("infant_id")
    assert (one["classification"] == inf.loc[TRACE_INFANTS[1], "classification"]).all()


def test_no_trace(plain_run_file):
    assert not load.has_trace(plain_run_file)
    assert load.trace_sessions(plain_run_file).empty
    with pytest.raises(AnalysisError, match="no traces"):
        load.trace(plain_run_file)


def test_factorial_sweep(factorial_file):
    assert load.is_sweep(factorial_file)
    facs = load.factors(factorial_file)
    assert facs == ["caregiver.attunement", "caregiver.repair_rate"]
    des = load.design(factorial_file)
    assert len(des) == 9 * 6
    runs = load.runs(factorial_file)
    assert len(runs) == 2 * len(des) and set(runs["status"]) == {"done"}
    assert all(isinstance(v, str) for v in runs["status"])
    inf = load.infants(factorial_file)
    assert "run_id" in inf.columns and len(inf) == 3 * len(runs)
    summary = load.run_summary(factorial_file)
    assert len(summary) == len(runs)
    assert set(facs) <= set(summary.columns) and "seed" in summary.columns
    # the merged factor values are those of each run's design point
    merged = summary.merge(des, on="point_id", suffixes=("", "_design"))
    for fac in facs:
        np.testing.assert_array_equal(merged[fac], merged[fac + "_design"])
    # run_summary agrees with the infants of each run
    d_share = inf.groupby("run_id")["classification"].apply(lambda c: (c == "D").mean())
    np.testing.assert_allclose(summary.set_index("run_id")["prop_D"].sort_index(),
                               d_share.sort_index())
    bounds = load.factor_bounds(factorial_file)
    assert bounds["caregiver.attunement"] == {"min": 0.1, "max": 0.9, "log": False}
    assert bounds["caregiver.repair_rate"] == {"min": 0.25, "max": 8.0, "log": True}


def test_saltelli_sweep(saltelli_file):
    des = load.design(saltelli_file)
    d = len(load.factors(saltelli_file))
    assert d == 5 and len(des) == 4 * (d + 2)
    assert des["role"].tolist()[:d + 2] == ["A"] + [f"AB{i}" for i in range(1, d + 1)] + ["B"]
    summary = load.run_summary(saltelli_file)
    assert "role" in summary.columns and summary["role"].notna().all()
    assert load.sweep_spec(saltelli_file)["samples"] == 4


def test_run_file_has_no_design(run_file):
    with pytest.raises(AnalysisError, match="only in sweep files"):
        load.design(run_file)


def _copy_with_version(src, dst, version):
    shutil.copy(src, dst)
    with h5py.File(dst, "r+") as f:
        if version is None:
            del f.attrs["schema_version"]
        else:
            f.attrs["schema_version"] = np.uint64(version)
    return dst


def test_unknown_schema_version(run_file, tmp_path):
    bad = _copy_with_version(run_file, tmp_path / "future.h5", 99)
    with pytest.raises(SchemaError) as err:
        load.open_file(bad)
    message = str(err.value)
    assert str(bad) in message and "schema_version 99" in message
    assert "reads schema_version 1" in message
    with pytest.raises(SchemaError):  # every loader checks, not only open_file
        load.infants(bad)


def test_missing_schema_version(run_file, tmp_path):
    bad = _copy_with_version(run_file, tmp_path / "anon.h5", None)
    with pytest.raises(SchemaError, match="not an attune file"):
        load.open_file(bad)


def test_schema_error_on_the_command_line(run_file, tmp_path):
    from attune_analysis.cli import main

    bad = _copy_with_version(run_file, tmp_path / "future.h5", 99)
    assert main(["outcomes", str(bad), "-o", str(tmp_path / "x.png")]) == 2
    assert not (tmp_path / "x.png").exists()


def test_missing_and_non_hdf5_files(tmp_path):
    with pytest.raises(AnalysisError, match="no such file"):
        load.open_file(tmp_path / "absent.h5")
    junk = tmp_path / "junk.h5"
    junk.write_text("not hdf5")
    with pytest.raises(AnalysisError, match="cannot open as HDF5"):
        load.open_file(junk)


def test_sweep_left_open_for_writing_is_read_in_swmr_mode(factorial_file, tmp_path):
    """A sweep file whose writer died keeps HDF5's "open for writing" flags."""
    flagged = tmp_path / "crashed.h5"
    shutil.copy(factorial_file, flagged)
    code = ("import h5py, os, sys\n"
            "f = h5py.File(sys.argv[1], 'r+', libver='latest')\n"
            "f.swmr_mode = True\nf.flush()\nos._exit(0)\n")
    subprocess.run([sys.executable, "-c", code, str(flagged)], check=True)
    with pytest.raises(OSError):
        h5py.File(flagged, "r").close()
    with load.open_file(flagged) as f:
        assert f.swmr_mode
    assert len(load.run_summary(flagged)) == len(load.run_summary(factorial_file))
