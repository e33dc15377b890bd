"""`attune compare --json` against statistics recomputed here from the HDF5 tables (NumPy for
Wilson, Newcombe, risk and odds ratios, Cohen's h and d; SciPy for t quantiles), and the
forest plot and report section built from it."""

import json
import subprocess

import h5py
import numpy as np
import pandas as pd
import pytest
import scipy.special as sc
import scipy.stats as st
from matplotlib.figure import Figure

from attune_analysis import compare, report
from attune_analysis.errors import AnalysisError
from conftest import attune, attune_exe

Z = 1.959963984540054
LOD = np.sqrt(3) / np.pi
RTOL = 1e-9


def run_compare(path, *args):
    proc = attune("compare", path, "--json", *args)
    return json.loads(proc.stdout)


def decoded(df):
    for col in df.columns:
        if df[col].dtype == object:
            df[col] = df[col].str.decode("ascii")
    return df


# ---- the formulas, written anew -------------------------------------------------------------

def wilson(k, n):
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z / (1 + Z * Z / n) * np.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return p, max(0.0, centre - half), min(1.0, centre + half)


def tq(p, df):
    """The t quantile: SciPy's t.ppf (off by ~2.5e-11 relative in SciPy 1.10) polished by a
    Newton step on its accurate CDF."""
    q = st.t.ppf(p, df)
    return q - (sc.stdtr(df, q) - p) / st.t.pdf(q, df)


def t_interval(x):
    x = np.asarray(x, float)
    half = tq(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
    return x.mean(), x.mean() - half, x.mean() + half


def newcombe(k1, n1, k0, n0):
    p1, l1, u1 = wilson(k1, n1)
    p0, l0, u0 = wilson(k0, n0)
    d = p1 - p0
    return d, d - np.hypot(p1 - l1, u0 - p0), d + np.hypot(u1 - p1, p0 - l0)


def welch(x, y):
    vx, vy = np.var(x, ddof=1) / len(x), np.var(y, ddof=1) / len(y)
    df = (vx + vy) ** 2 / (vx ** 2 / (len(x) - 1) + vy ** 2 / (len(y) - 1))
    d = np.mean(x) - np.mean(y)
    half = tq(0.975, df) * np.sqrt(vx + vy)
    return d, d - half, d + half


def cohen_d(x, y):
    sp = np.sqrt(((len(x) - 1) * np.var(x, ddof=1) + (len(y) - 1) * np.var(y, ddof=1))
                 / (len(x) + len(y) - 2))
    return (np.mean(x) - np.mean(y)) / sp


def ratios(k1, n1, k0, n0):
    """risk ratio (Katz) and log-odds d (Woolf), with the 0.5 corrections of docs/COMPARE.md."""
    zero = min(k1, n1 - k1, k0, n0 - k0) == 0
    a = 0.5 if zero else 0.0
    lor = np.log((k1 + a) / (n1 - k1 + a)) - np.log((k0 + a) / (n0 - k0 + a))
    se = np.sqrt(1 / (k1 + a) + 1 / (n1 - k1 + a) + 1 / (k0 + a) + 1 / (n0 - k0 + a))
    r = 0.5 if min(k1, k0) == 0 else 0.0
    lrr = np.log((k1 + r) / (n1 + 2 * r)) - np.log((k0 + r) / (n0 + 2 * r))
    se_rr = np.sqrt(1 / (k1 + r) - 1 / (n1 + 2 * r) + 1 / (k0 + r) - 1 / (n0 + 2 * r))
    return ((np.exp(lrr), np.exp(lrr - Z * se_rr), np.exp(lrr + Z * se_rr)),
            (lor * LOD, (lor - Z * se) * LOD, (lor + Z * se) * LOD))


def paired_newcombe(x, y):
    x, y = np.asarray(x, bool), np.asarray(y, bool)
    a, b = int((x & y).sum()), int((x & ~y).sum())
    c, d = int((~x & y).sum()), int((~x & ~y).sum())
    n = a + b + c + d
    p1, l1, u1 = wilson(a + b, n)
    p0, l0, u0 = wilson(a + c, n)
    den = (a + b) * (c + d) * (a + c) * (b + d)
    phi = (a * d - b * c) / np.sqrt(den) if den > 0 else 0.0
    diff = (b - c) / n
    low = diff - np.sqrt(max(0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u0 - p0) + (u0 - p0) ** 2))
    high = diff + np.sqrt(max(0, (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p0 - l0) + (p0 - l0) ** 2))
    return diff, low, high


def close(got, want):
    assert got == pytest.approx(want, rel=RTOL, abs=1e-12)


# ---- a run file, by profile -----------------------------------------------------------------

@pytest.fixture(scope="module")
def by_profile(run_file):
    return run_compare(run_file, "--by", "profile")


def test_run_file_by_profile_matches_independent_statistics(run_file, by_profile):
    with h5py.File(run_file, "r") as f:
        inf = decoded(pd.DataFrame(f["infants"][()]))
    order = list(dict.fromkeys(inf["profile"]))  # order of first appearance
    data = by_profile
    assert data["by"] == "profile" and data["paired"] is False
    assert [g["name"] for g in data["groups"]] == order
    ref = order[0]
    outcomes = {(o["outcome"]): o for o in data["outcomes"]}
    assert [o["outcome"] for o in data["outcomes"]][:4] == ["B", "A", "C", "D"]
    for letter in "BACD":
        o = outcomes[letter]
        assert o["kind"] == "proportion" and o["ci_method"] == "newcombe_hybrid_score"
        for g in o["groups"]:
            sel = inf["profile"] == g["group"]
            k, n = int((inf.loc[sel, "classification"] == letter).sum()), int(sel.sum())
            assert g["n"] == n
            for got, want in zip((g["estimate"], g["ci_low"], g["ci_high"]), wilson(k, n)):
                close(got, want)
        k0 = int(((inf["profile"] == ref) & (inf["classification"] == letter)).sum())
        n0 = int((inf["profile"] == ref).sum())
        for c in o["contrasts"]:
            sel = inf["profile"] == c["group"]
            k1, n1 = int((inf.loc[sel, "classification"] == letter).sum()), int(sel.sum())
            assert c["reference"] == ref
            for got, want in zip((c["difference"], c["ci_low"], c["ci_high"]),
                                 newcombe(k1, n1, k0, n0)):
                close(got, want)
            rr, lod = ratios(k1, n1, k0, n0)
            if k1 == 0 and k0 == 0:  # no ratio when neither group has the class
                assert c["risk_ratio"] is None and c["log_odds_d"] is None
            else:
                close(c["risk_ratio"], rr[0])
                close(c["rr_ci_low"], rr[1])
                close(c["rr_ci_high"], rr[2])
            if (k1 == 0 and k0 == 0) or (k1 == n1 and k0 == n0):
                assert c["log_odds_d"] is None
            else:
                close(c["log_odds_d"], lod[0])
                close(c["lod_ci_low"], lod[1])
                close(c["lod_ci_high"], lod[2])
            h = 2 * np.arcsin(np.sqrt(k1 / n1)) - 2 * np.arcsin(np.sqrt(k0 / n0))
            assert c["effect_size_name"] == "cohen_h"
            close(c["effect_size"], h)
            close(c["es_ci_low"], h - Z * np.sqrt(1 / n1 + 1 / n0))
    for name in ("fear", "availability", "shocks"):
        o = outcomes[name]
        assert o["kind"] == "mean" and o["ci_method"] == "welch"
        x0 = inf.loc[inf["profile"] == ref, name].to_numpy(float)
        for g in o["groups"]:
            x = inf.loc[inf["profile"] == g["group"], name].to_numpy(float)
            assert g["n"] == len(x)
            if len(x) < 2:
                assert g["ci_low"] is None
                continue
            for got, want in zip((g["estimate"], g["ci_low"], g["ci_high"]), t_interval(x)):
                close(got, want)
        for c in o["contrasts"]:
            x = inf.loc[inf["profile"] == c["group"], name].to_numpy(float)
            if min(len(x), len(x0)) < 2 or (np.var(x) == 0 and np.var(x0) == 0):
                continue
            for got, want in zip((c["difference"], c["ci_low"], c["ci_high"]), welch(x, x0)):
                close(got, want)
            assert c["effect_size_name"] == "cohen_d"
            close(c["effect_size"], cohen_d(x, x0))
            assert c["es_ci_low"] < c["es_ci_high"]  # a percentile bootstrap interval


def test_bootstrap_is_deterministic(run_file, by_profile):
    assert run_compare(run_file, "--by", "profile") == by_profile


# ---- a paired file (every infant in every arm), written here ------------------------------

ARMS_YAML = "- name: usual\n- name: coached\n  set: {caregiver.repair_rate: 4}\n"


@pytest.fixture(scope="module")
def paired_file(tmp_path_factory):
    rng = np.random.default_rng(3)
    n = 60
    arms = ["coached", "usual"]  # written in another order than the attribute's
    rows = []
    for arm in arms:
        for i in range(n):
            base = rng.normal()
            fear = 0.3 + 0.1 * np.sin(i) + (0.05 if arm == "usual" else -0.02) + 0.03 * base
            cls = "B" if (i % 5 != 0 or arm == "coached") and i % 7 != 3 else "A"
            rows.append((i, i, arm.encode(), b"all", fear, int(i % 4 + (arm == "usual")),
                         cls.encode()))
    dtype = [("infant_id", "<i8"), ("caregiver_id", "<i8"), ("arm", "S8"), ("profile", "S24"),
             ("fear", "<f8"), ("shocks", "<i8"), ("classification", "S1")]
    path = tmp_path_factory.mktemp("compare") / "paired.h5"
    with h5py.File(path, "w") as f:
        f.attrs["schema_version"] = np.uint64(1)
        f.attrs["arms"] = ARMS_YAML
        f.attrs["paired"] = "true"
        f.create_dataset("infants", data=np.array(rows, dtype=dtype))
    return path


def test_paired_arms_use_paired_statistics(paired_file):
    data = run_compare(paired_file)  # default --by: arm
    assert data["by"] == "arm" and data["paired"] is True
    assert [g["name"] for g in data["groups"]] == ["usual", "coached"]  # the attribute's order
    with h5py.File(paired_file, "r") as f:
        inf = decoded(pd.DataFrame(f["infants"][()]))
    usual = inf[inf["arm"] == "usual"].set_index("infant_id").sort_index()
    coached = inf[inf["arm"] == "coached"].set_index("infant_id").sort_index()
    out = {o["outcome"]: o for o in data["outcomes"]}
    fear = out["fear"]
    assert fear["ci_method"] == "paired_t"
    (c,) = fear["contrasts"]
    diff = coached["fear"].to_numpy() - usual["fear"].to_numpy()
    assert c["group"] == "coached" and c["reference"] == "usual" and c["n"] == len(diff)
    for got, want in zip((c["difference"], c["ci_low"], c["ci_high"]), t_interval(diff)):
        close(got, want)
    res = st.ttest_rel(coached["fear"], usual["fear"])
    close(c["difference"] / ((c["ci_high"] - c["ci_low"]) / 2 / tq(0.975, len(diff) - 1)),
          res.statistic)
    assert c["effect_size_name"] == "d_z"
    close(c["effect_size"], diff.mean() / diff.std(ddof=1))
    assert c["es_ci_low"] < c["effect_size"] < c["es_ci_high"]
    b = out["B"]
    assert b["ci_method"] == "newcombe_paired_10"
    (c,) = b["contrasts"]
    x, y = coached["classification"] == "B", usual["classification"] == "B"
    for got, want in zip((c["difference"], c["ci_low"], c["ci_high"]), paired_newcombe(x, y)):
        close(got, want)
    bb, cc = int((x & ~y).sum()), int((~x & y).sum())
    assert bb + cc > 0
    add = 0.5 if min(bb, cc) == 0 else 0.0
    close(c["log_odds_d"], np.log((bb + add) / (cc + add)) * LOD)
    lor, se = np.log((bb + add) / (cc + add)), np.sqrt(1 / (bb + add) + 1 / (cc + add))
    close(c["lod_ci_high"], (lor + Z * se) * LOD)


def test_newcombe_worked_examples():
    """The two published examples (Newcombe 1998a, b), through this file's own formulas: they
    check the formulas the pinned comparisons above rest on."""
    d, lo, hi = newcombe(56, 70, 48, 80)
    assert (round(lo, 4), round(hi, 4)) == (0.0524, 0.3339)
    x = np.array([1] * 36 + [1] * 12 + [0] * 2, bool)
    y = np.array([1] * 36 + [0] * 12 + [1] * 2, bool)
    d, lo, hi = paired_newcombe(x, y)
    assert (round(lo, 4), round(hi, 4)) == (0.0569, 0.3404)


# ---- a sweep, by two factors --------------------------------------------------------------

def test_sweep_two_factors_interaction(factorial_file):
    with h5py.File(factorial_file, "r") as f:
        factors = [n for n in f["design"].dtype.names if n not in ("point_id",)]
        inf = decoded(pd.DataFrame(f["infants"][()]))
        runs = decoded(pd.DataFrame(f["runs"][()]))
    f1, f2 = factors[:2]
    data = run_compare(factorial_file, "--by", f"{f1},{f2}", "--outcomes", "fear,B",
                       "--bootstrap", "0")
    inf = inf.merge(runs[["run_id", f1, f2]], on="run_id")
    l1, l2 = sorted(inf[f1].unique()), sorted(inf[f2].unique())
    fear = next(o for o in data["outcomes"] if o["outcome"] == "fear")
    inter = [c for c in fear["contrasts"] if c["type"] == "interaction"]
    assert len(inter) == (len(l1) - 1) * (len(l2) - 1)

    def cell(a, b):
        return inf.loc[(inf[f1] == a) & (inf[f2] == b), "fear"].to_numpy(float)

    c = inter[0]  # (second, second) level against the first levels
    cells = [cell(l1[1], l2[1]), cell(l1[1], l2[0]), cell(l1[0], l2[1]), cell(l1[0], l2[0])]
    want = cells[0].mean() - cells[1].mean() - cells[2].mean() + cells[3].mean()
    close(c["difference"], want)
    v = [np.var(x, ddof=1) / len(x) for x in cells]
    if sum(v) > 0:
        df = sum(v) ** 2 / sum(vi ** 2 / (len(x) - 1) for vi, x in zip(v, cells))
        close(c["ci_high"] - want, tq(0.975, df) * np.sqrt(sum(v)))


# ---- bad input, the figure and the report ----------------------------------------------------

def test_bad_by_exits_2_with_the_allowed_names(run_file):
    proc = subprocess.run([str(attune_exe()), "compare", str(run_file), "--by", "colour"],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "--by colour: no such column or factor; allowed: " in proc.stderr
    assert "profile" in proc.stderr.split("allowed:")[1]
    with pytest.raises(AnalysisError, match="no such column"):
        compare.compare_json(run_file, by="colour")


def test_forest_plot_has_a_panel_per_outcome_and_a_zero_line(by_profile):
    fig = compare.forest_plot(by_profile, ["B", "fear"])
    assert isinstance(fig, Figure)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 2
    n_contrasts = len(by_profile["outcomes"][0]["contrasts"])
    assert len(axes[0].get_yticks()) == n_contrasts
    assert any(list(line.get_xdata()) == [0, 0] for line in axes[0].lines)  # the zero line
    effect = compare.forest_plot(by_profile, scale="effect")
    assert len([ax for ax in effect.axes if ax.get_visible()]) == \
        len([o for o in by_profile["outcomes"] if o["contrasts"]])
    with pytest.raises(AnalysisError, match="not in the comparison"):
        compare.forest_plot(by_profile, ["nope"])


def test_forest_command_and_report_section(run_file, plain_run_file, by_profile, tmp_path):
    assert compare.compare_json(run_file, by="profile") == by_profile  # the binary, run from Python
    saved = tmp_path / "cmp.json"
    saved.write_text(json.dumps(by_profile))
    from attune_analysis import cli
    out = tmp_path / "forest.png"
    assert cli.main(["forest", str(run_file), "-o", str(out), "--json", str(saved),
                     "--outcomes", "B,D,fear", "--dpi", "60"]) == 0
    assert out.read_bytes().startswith(b"\x89PNG")
    # The report (of a small file, to stay fast) with a saved comparison, and with one attune
    # refuses (the plain file has a single profile): a note, not a failure.
    html = report.render(plain_run_file, compare=str(saved))
    assert "<section id=\"compare\">" in html and "Contrasts against the first group" in html
    assert html.count("data:image/png;base64") >= 1
    html = report.render(plain_run_file, compare="profile")
    assert "<section id=\"compare\">" in html and "Not computed" in html and "only 1 group" in html
