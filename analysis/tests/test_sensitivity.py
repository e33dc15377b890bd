"""Sobol and Morris indices against analytic values, on arrays and through sweep files."""

import math

import h5py
import numpy as np
import pandas as pd
import pytest

from attune_analysis import AnalysisError, load, sensitivity

A, B = 7.0, 0.1


def ishigami(x):
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_indices():
    """Analytic first- and total-order indices (Ishigami & Homma 1990; Sobol' & Levitan 1999)."""
    v1 = 0.5 * (1 + B * math.pi ** 4 / 5) ** 2
    v2 = A ** 2 / 8
    v13 = B ** 2 * math.pi ** 8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return np.array([v1, v2, 0]) / v, np.array([v1 + v13, v2, v13]) / v


def test_analytic_values_are_the_published_ones():
    s1, st = ishigami_indices()
    np.testing.assert_allclose(s1, [0.3139, 0.4424, 0], atol=1e-4)
    np.testing.assert_allclose(st, [0.5576, 0.4424, 0.2437], atol=1e-4)


def test_ishigami_sobol_indices():
    n = 4096  # base samples; QMC error here is well under 0.01, the bootstrap sd about 0.015
    x, roles = sensitivity.saltelli_sample(n, 3)
    assert x.shape == (n * 5, 3) and roles[:5] == ["A", "AB1", "AB2", "AB3", "B"]
    y = ishigami(-math.pi + 2 * math.pi * x)
    out = sensitivity.sobol_indices(y, 3, names=["x1", "x2", "x3"])
    s1, st = ishigami_indices()
    np.testing.assert_allclose(out["S1"], s1, atol=0.02)
    np.testing.assert_allclose(out["ST"], st, atol=0.02)
    assert ((out["S1_low"] <= s1) & (s1 <= out["S1_high"])).all()
    assert ((out["ST_low"] <= st) & (st <= out["ST_high"])).all()
    assert ((out["S1_conf"] > 0.005) & (out["S1_conf"] < 0.08)).all()
    again = sensitivity.sobol_indices(y, 3, names=["x1", "x2", "x3"])
    pd.testing.assert_frame_equal(out, again)  # fixed bootstrap seed


def test_sobol_on_a_small_sample_has_wider_intervals():
    x, _ = sensitivity.saltelli_sample(256, 3)
    out = sensitivity.sobol_indices(ishigami(-math.pi + 2 * math.pi * x), 3)
    s1, st = ishigami_indices()
    np.testing.assert_allclose(out["S1"], s1, atol=0.1)
    np.testing.assert_allclose(out["ST"], st, atol=0.1)
    assert (out["S1_conf"] > 0.03).all()


def test_sobol_rejects_a_wrong_layout_and_handles_no_variance():
    with pytest.raises(AnalysisError, match="multiple of 5"):
        sensitivity.sobol_indices(np.zeros(11), 3)
    out = sensitivity.sobol_indices(np.ones(50), 3)
    assert out[["S1", "ST"]].isna().all().all()


def test_sobol_bootstrap_of_a_rare_outcome_stays_finite():
    """A share that is 0 in almost every run (prop_B of a high-risk sweep): many bootstrap
    resamples hold only zeros in rows A and B; after centring their variance was 1e-37, not 0,
    and the intervals came out near 1e34. Such resamples carry no information and are skipped."""
    y = np.zeros((32, 7))
    y[1, 1] = y[5, 5] = y[27, 0] = 0.02
    y[16, 2] = 0.04
    out = sensitivity.sobol_indices(y.ravel(), 5, n_boot=200)
    spreads = out[["S1_conf", "ST_conf", "S1_low", "S1_high", "ST_low", "ST_high"]].to_numpy()
    assert np.all(np.abs(spreads[np.isfinite(spreads)]) < 100)


def test_python_saltelli_sample_equals_attunes_design(saltelli_file):
    d = len(load.factors(saltelli_file))
    x, roles = sensitivity.saltelli_sample(4, d)
    np.testing.assert_allclose(sensitivity.unit_positions(saltelli_file), x, atol=1e-12)
    assert load.design(saltelli_file)["role"].tolist() == roles


def test_sobol_from_the_real_saltelli_sweep(saltelli_file, factorial_file):
    table = sensitivity.analyze(saltelli_file)
    assert table.attrs["method"] == "sobol"
    factors = load.factors(saltelli_file)
    assert set(table["outcome"]) == set(sensitivity.default_outcomes(saltelli_file))
    assert len(table) == len(factors) * table["outcome"].nunique()
    assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(table.columns)
    avail = table[table["outcome"] == "mean_availability"]
    assert np.isfinite(avail["S1"]).all() and np.isfinite(avail["ST_conf"]).all()
    with pytest.raises(AnalysisError, match="need a saltelli design"):
        sensitivity.sobol(factorial_file)
    with pytest.raises(AnalysisError, match="saltelli or morris"):
        sensitivity.analyze(factorial_file)


def linear_plus(x):
    """4 per unit of x1, 0 for x2, x3² (non-linear): Morris effects known in closed form."""
    return 4 * x[:, 0] + 0 * x[:, 1] + x[:, 2] ** 2


def test_morris_on_arrays():
    x, traj = sensitivity.morris_sample(40, 3, levels=4, seed=3)
    steps = np.abs(np.diff(x, axis=0))[np.diff(traj) == 0]
    assert ((steps > 0).sum(axis=1) == 1).all()  # one factor per step
    np.testing.assert_allclose(steps.max(axis=1), 2 / 3)  # Δ = p / (2(p − 1))
    out = sensitivity.morris_indices(x, linear_plus(x), traj)
    assert out.loc[0, "mu"] == pytest.approx(4)
    assert out.loc[0, "sigma"] == pytest.approx(0, abs=1e-9)
    assert out.loc[1, "mu_star"] == 0
    # x3² between x0 ∈ {0, 1/3} and x0 + 2/3: effect ((x0 + 2/3)² − x0²)/(2/3) ∈ {2/3, 4/3}
    assert 2 / 3 <= out.loc[2, "mu_star"] <= 4 / 3 and out.loc[2, "sigma"] > 0.1
    assert (out["effects"] == 40).all()
    assert out["mu_star"].idxmax() == 0


def test_morris_rejects_non_trajectories():
    x = np.array([[0, 0], [1, 1.0]])
    with pytest.raises(AnalysisError, match="differ in 2 factors"):
        sensitivity.morris_indices(x, [0, 1], [0, 0])


def test_morris_from_the_real_sweep(morris_file):
    table = sensitivity.analyze(morris_file, ["prop_B", "mean_availability"])
    assert table.attrs["method"] == "morris"
    assert (table["effects"] == 4).all()  # 4 trajectories, each factor moved once per trajectory
    assert np.isfinite(table["mu_star"]).all()
    x = sensitivity.unit_positions(morris_file)
    assert x.min() >= -1e-12 and x.max() <= 1 + 1e-12
    # the log-scale factor sits on the grid {0, 1/3, 2/3, 1} in log units
    np.testing.assert_allclose(np.round(x * 3), x * 3, atol=1e-9)


# --- synthetic sweep files: known outputs through the file path -----------------------------

def write_sweep(path, design_kind, table, outputs, factor_spec, replicates=2, noise=0.0):
    """A minimal sweep file in attune's layout whose run_summary column mean_y = outputs."""
    names = [c for c in table.columns if c not in ("point_id", "role", "trajectory")]
    n = len(table)
    with h5py.File(path, "w") as f:
        f.attrs["schema_version"] = np.uint64(1)
        f.attrs["kind"] = "sweep"
        f.attrs["design"] = design_kind
        f.attrs["replicates"] = np.uint64(replicates)
        f.attrs["seed"] = np.uint64(1)
        f.attrs["scenario"] = "name: synthetic\ndescription: test\n"
        lines = [f"design: {design_kind}", "factors:"]
        lines += [f"  {k}: {v}" for k, v in factor_spec.items()]
        f.attrs["sweep"] = "\n".join(lines)
        fields = [("point_id", "<i8")] + [(c, "<f8") for c in names]
        if "role" in table:
            fields.append(("role", "S8"))
        if "trajectory" in table:
            fields.append(("trajectory", "<i8"))
        des = np.zeros(n, dtype=fields)
        des["point_id"] = np.arange(n)
        for c in names:
            des[c] = table[c]
        if "role" in table:
            des["role"] = table["role"].str.encode("ascii")
        if "trajectory" in table:
            des["trajectory"] = table["trajectory"]
        f["design"] = des
        runs = np.zeros(n * replicates, dtype=[("run_id", "<i8"), ("point_id", "<i8"),
                                               ("replicate", "<i8"), ("seed", "<i8")]
                        + [(c, "<f8") for c in names]
                        + [("status", "S8"), ("reason", "S200"), ("infants_first_row", "<i8"),
                           ("infants_rows", "<i8")])
        runs["run_id"] = np.arange(n * replicates)
        runs["point_id"] = runs["run_id"] // replicates
        runs["replicate"] = runs["run_id"] % replicates
        for c in names:
            runs[c] = np.repeat(table[c].to_numpy(), replicates)
        runs["status"] = b"done"
        f["runs"] = runs
        summary = np.zeros(n * replicates, dtype=[("run_id", "<i8"), ("point_id", "<i8"),
                                                  ("replicate", "<i8"), ("infants", "<i8"),
                                                  ("prop_B", "<f8"), ("mean_y", "<f8")])
        summary["run_id"] = runs["run_id"]
        summary["point_id"] = runs["point_id"]
        summary["replicate"] = runs["replicate"]
        # replicate noise of ±noise that averages out exactly over each point's two replicates
        signs = np.where(runs["replicate"] % 2 == 0, 1.0, -1.0)
        summary["mean_y"] = np.repeat(outputs, replicates) + noise * signs
        summary["prop_B"] = 0.5
        f["run_summary"] = summary
        f["infants"] = np.zeros(0, dtype=[("run_id", "<i8"), ("classification", "S1")])
    return path


def test_sobol_through_a_sweep_file(tmp_path):
    n = 1024
    x, roles = sensitivity.saltelli_sample(n, 3)
    xs = -math.pi + 2 * math.pi * x
    table = pd.DataFrame(xs, columns=["f.x1", "f.x2", "f.x3"])
    table["role"] = roles
    spec = {c: f"{{min: {-math.pi}, max: {math.pi}}}" for c in ["f.x1", "f.x2", "f.x3"]}
    path = write_sweep(tmp_path / "ishigami.h5", "saltelli", table, ishigami(xs), spec, noise=3.0)
    out = sensitivity.sobol(path, "mean_y")
    s1, st = ishigami_indices()
    assert out.index.tolist() == ["f.x1", "f.x2", "f.x3"]
    np.testing.assert_allclose(out["S1"], s1, atol=0.05)
    np.testing.assert_allclose(out["ST"], st, atol=0.05)
    shares = sensitivity.sobol(path, "prop_B")  # constant: no variance
    assert shares["S1"].isna().all()


def test_morris_through_a_sweep_file_with_a_log_factor(tmp_path):
    u, traj = sensitivity.morris_sample(10, 3, levels=4, seed=8)
    # x1 linear on [0, 4]; x2 log on [0.1, 10]; x3 linear on [0, 1]
    x1, x2, x3 = 4 * u[:, 0], 0.1 * 100 ** u[:, 1], u[:, 2]
    y = x1 + np.log10(x2) + 0 * x3  # per unit of range: 4, 2 (log10 spans 2 decades), 0
    table = pd.DataFrame({"a.x1": x1, "a.x2": x2, "a.x3": x3, "trajectory": traj})
    spec = {"a.x1": "{min: 0, max: 4}", "a.x2": "{min: 0.1, max: 10, scale: log}",
            "a.x3": "{min: 0, max: 1}"}
    path = write_sweep(tmp_path / "morris.h5", "morris", table, y, spec, noise=0.5)
    out = sensitivity.morris(path, "mean_y")
    np.testing.assert_allclose(out["mu"], [4, 2, 0], atol=1e-9)
    np.testing.assert_allclose(out["mu_star"], [4, 2, 0], atol=1e-9)
    np.testing.assert_allclose(out["sigma"], [0, 0, 0], atol=1e-9)
    assert load.factor_bounds(path)["a.x2"] == {"min": 0.1, "max": 10.0, "log": True}


def test_incomplete_base_samples_are_dropped():
    x, _ = sensitivity.saltelli_sample(64, 3)
    y = ishigami(-math.pi + 2 * math.pi * x)
    y[5 * 7 + 2] = np.nan  # base sample 7 lost its AB2 run
    out = sensitivity.sobol_indices(y, 3)
    assert out.attrs["base_samples"] == 63 and out.attrs["dropped_base_samples"] == 1
    assert np.isfinite(out["S1"]).all()


def test_a_shard_is_refused_with_advice(tmp_path):
    from conftest import REPO, attune

    shard = tmp_path / "shard.h5"
    attune("sweep", REPO / "scenarios/reference/sweeps/sensitivity_saltelli.yaml", "-o", shard, "--quiet",
           "--threads", "1", "--shard", "0/2", "--set", "population.infants=2",
           "--set", "time.days=1", "--set", "sweep.samples=2")
    with pytest.raises(AnalysisError, match=r"shard 0/2 .*attune merge"):
        sensitivity.sobol(shard, "mean_fear")
