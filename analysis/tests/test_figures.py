"""Figure functions: non-empty figures with the expected axes and series."""

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection, QuadMesh
from matplotlib.colors import to_hex
from matplotlib.patches import Rectangle

from attune_analysis import AnalysisError, CLASS_COLORS, CLASS_ORDER, figures, load
from attune_analysis.report import figure_png
from conftest import DAILY_FIELDS, REPO, TRACE_DAYS, TRACE_INFANTS, attune

matplotlib.use("Agg")


def assert_renders(fig):
    png = figure_png(fig, dpi=40)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2000


def visible_axes(fig):
    return [ax for ax in fig.axes if ax.get_visible()]


def bars(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def present_classes(table):
    return [c for c in CLASS_ORDER if (table["classification"] == c).any()]


def test_palette_is_fixed():
    assert list(CLASS_ORDER) == ["B", "A", "C", "D"]
    assert len(set(CLASS_COLORS.values())) == 4


def test_class_distribution_by_profile(run_file):
    fig = figures.class_distribution(run_file, "profile")
    (ax,) = fig.axes
    profiles = load.infants(run_file)["profile"].nunique()
    assert len(bars(ax)) == 4 * profiles
    assert ax.get_ylabel() == "share of infants" and ax.get_xlabel() == "profile"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["B secure", "A avoidant", "C resistant", "D disorganized"]
    # each class keeps its colour; each profile's bar stacks to 1
    first = {to_hex(p.get_facecolor()) for p in bars(ax)[:profiles]}
    assert first == {CLASS_COLORS["B"].lower()}
    tops = np.zeros(profiles)
    for k in range(4):
        tops += [p.get_height() for p in bars(ax)[k * profiles:(k + 1) * profiles]]
    np.testing.assert_allclose(tops, 1)
    assert ax.get_xticklabels()[0].get_text().startswith("typical")  # scenario order
    assert_renders(fig)


def test_class_distribution_over_a_sweep_factor(factorial_file):
    fig = figures.class_distribution(factorial_file)  # first factor, numeric: stacked areas
    (ax,) = fig.axes
    areas = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(areas) == 4
    assert ax.get_xlabel() == "caregiver.attunement"
    fig = figures.class_distribution(factorial_file, "caregiver.repair_rate", kind="bar")
    (ax,) = fig.axes
    assert len(bars(ax)) == 4 * 6
    assert "runs=18" in ax.get_xticklabels()[0].get_text()  # 9 attunement levels × 2 replicates
    with pytest.raises(AnalysisError, match="did you mean 'caregiver.attunement'"):
        figures.class_distribution(factorial_file, "caregiver.atunement")


def test_class_distribution_bins_a_continuous_factor(saltelli_file):
    fig = figures.class_distribution(saltelli_file, "caregiver.rejection", bins=3, max_levels=2)
    (ax,) = fig.axes
    assert "(binned)" in ax.get_xlabel()
    assert len([c for c in ax.collections if isinstance(c, PolyCollection)]) == 4


def test_heatmap_over_two_factors(factorial_file):
    fig = figures.heatmap(factorial_file, "prop_B")
    ax, cbar = fig.axes
    meshes = [c for c in ax.collections if isinstance(c, QuadMesh)]
    assert len(meshes) == 1
    values = meshes[0].get_array()
    assert values.size == 9 * 6 and values.min() >= 0 and values.max() <= 1
    assert ax.get_xlabel() == "caregiver.attunement"
    assert ax.get_ylabel() == "caregiver.repair_rate"
    assert cbar.get_ylabel() == "share B secure"
    assert len(ax.texts) == 9 * 6  # annotated cells
    # the cell values are the mean of prop_B over each point's replicates
    summary = load.run_summary(factorial_file)
    expected = summary.pivot_table(index="caregiver.repair_rate", columns="caregiver.attunement",
                                   values="prop_B").sort_index().to_numpy()
    np.testing.assert_allclose(np.asarray(values).reshape(expected.shape), expected)
    fig = figures.heatmap(factorial_file, "fear", x="caregiver.repair_rate",
                          y="caregiver.attunement")
    assert fig.axes[0].get_xlabel() == "caregiver.repair_rate"
    assert fig.axes[1].get_ylabel() == "mean fear F"
    assert_renders(fig)


def test_heatmap_needs_two_factors(run_file, saltelli_file):
    fig = figures.heatmap(saltelli_file, "mean_cortisol", "caregiver.attunement",
                          "caregiver.baseline_stress", bins=4, max_levels=3)
    assert "binned" in fig.axes[0].get_xlabel()
    with pytest.raises(AnalysisError, match="both"):
        figures.heatmap(saltelli_file, "prop_B", "caregiver.rejection", "caregiver.rejection")
    fig = figures.heatmap(run_file, "prop_D", "attunement", "baseline_stress")  # a run file
    assert fig.axes[0].get_xlabel() == figures.LABELS["attunement"] + " (binned)"


def test_trajectories_by_class(run_file):
    fig = figures.trajectories(run_file)
    axes = visible_axes(fig)
    assert [ax.get_title() for ax in axes] == ["availability", "signal_gain", "fear"]
    classes = present_classes(load.infants(run_file))
    for ax in axes:
        assert len(ax.get_lines()) == len(classes)
        assert len(ax.collections) == len(classes)  # one band per class
        assert ax.get_xlabel() == "day"
        colours = [to_hex(line.get_color()) for line in ax.get_lines()]
        assert colours == [CLASS_COLORS[c].lower() for c in classes]
        assert ax.get_lines()[0].get_xdata().max() == 12
    assert axes[1].get_ylabel() == "signal gain g"
    fig = figures.trajectories(run_file, DAILY_FIELDS, band="none")
    axes = visible_axes(fig)
    assert len(axes) == len(DAILY_FIELDS)
    assert all(len(ax.collections) == 0 for ax in axes)
    assert_renders(fig)


def test_trajectories_need_daily(plain_run_file):
    with pytest.raises(AnalysisError, match="no daily series"):
        figures.trajectories(plain_run_file)


def synthetic_session():
    """A 60-step session: disengaged twice, two episodes (one answered after 7 s, one never),
    a stressor, two ruptures, one repair, one shock and a frightening stretch."""
    n = 60
    t = np.arange(n, dtype=float)
    df = pd.DataFrame({"infant_id": 7, "caregiver_id": 7, "day": 3, "session": 1,
                       "step": np.arange(n), "t": t, "x": np.sin(t / 6), "xc": 0.3 + 0 * t,
                       "signal": 0.0, "u": 0.0, "v": 0.0, "z1": 0.0, "z": 0.0})
    flags = ["engaged", "coordinated", "frightening", "dissociated", "stressor", "rupture", "repair",
             "episode_start", "episode_end", "shock"]
    for flag in flags:
        df[flag] = 0
    df["engaged"] = 1
    df.loc[10:19, "engaged"] = 0
    df.loc[40:44, "engaged"] = 0
    df.loc[[10, 40], "rupture"] = 1
    df.loc[20, "repair"] = 1
    df.loc[5, "stressor"] = 1
    df.loc[50, "shock"] = 1
    df.loc[30:33, "fear"] = 1
    df["latency"] = np.nan
    df.loc[[6, 35], "episode_start"] = 1
    df.loc[[25, 55], "episode_end"] = 1
    df.loc[25, "latency"] = 7.0
    df.loc[55, "latency"] = np.inf
    other = df.copy()
    other["session"] = 2
    return pd.concat([df, other], ignore_index=True)


def test_movie_strip_on_a_synthetic_session():
    steps = synthetic_session()
    fig = figures.movie_strip(steps, session=1)
    top, lanes = fig.axes
    assert [line.get_label() for line in top.get_lines()[:2]] == \
        ["infant arousal x", "caregiver arousal x_c"]
    assert len(top.get_lines()[0].get_xdata()) == 60
    shaded = [p for p in top.patches]
    assert len(shaded) == 2  # two disengaged stretches
    extents = sorted((p.get_xy()[0][0], p.get_xy()[2][0]) for p in shaded)
    assert extents == [(10, 20), (40, 45)]
    markers = {line.get_label(): len(line.get_xdata()) for line in lanes.get_lines()
               if not line.get_label().startswith("_")}
    assert markers == {"stressor": 1, "rupture": 2, "repair": 1, "shock": 1}
    texts = sorted(t.get_text() for t in lanes.texts)
    assert texts == ["7 s", "no response"]
    response = [line for line in lanes.get_lines() if line.get_marker() == "|"]
    assert len(response) == 1 and response[0].get_xdata()[0] == 6 + 7
    assert [t.get_text() for t in lanes.get_yticklabels()][:5] == \
        ["episodes", "stressor", "rupture", "repair", "shock"]
    assert lanes.get_xlabel() == "time in session (s)" and top.get_ylabel() == "arousal"
    assert "day 3 · session 1" in top.get_title()
    assert_renders(fig)
    with pytest.raises(AnalysisError, match="no traced session with session 5"):
        figures.movie_strip(steps, session=5)


def test_movie_strip_from_a_run_file(run_file):
    infant, day = TRACE_INFANTS[1], TRACE_DAYS[1]
    fig = figures.movie_strip(run_file, infant_id=infant, day=day, session=0)
    top, lanes = fig.axes
    session = load.trace(run_file, infant, day, 0)
    assert len(top.get_lines()[0].get_xdata()) == len(session)
    runs = figures._runs(session["engaged"].to_numpy() == 0)
    assert len(top.patches) == len(runs)
    assert len(lanes.texts) == int(session["episode_end"].sum())
    assert f"infant {infant}" in top.get_title() and "final class" in top.get_title()
    assert_renders(fig)


@pytest.mark.parametrize("kind", ["box", "violin"])
def test_outcomes_by_class(run_file, kind):
    fig = figures.outcomes_by_class(run_file, kind=kind)
    axes = visible_axes(fig)
    assert [ax.get_title() for ax in axes] == ["cortisol", "regulation"]
    classes = present_classes(load.infants(run_file))
    for ax in axes:
        assert ax.get_xlabel() == "final class"
        if kind == "box":
            boxes = ax.patches
            assert len(boxes) == len(classes)
            assert [to_hex(b.get_facecolor()) for b in boxes] == \
                [CLASS_COLORS[c].lower() for c in classes]
        else:
            assert len([c for c in ax.collections if isinstance(c, PolyCollection)]) == len(classes)
    assert axes[0].get_ylabel() == figures.LABELS["cortisol"]
    assert_renders(fig)


def test_outcomes_by_class_of_a_sweep(factorial_file):
    fig = figures.outcomes_by_class(factorial_file, "fear,shocks")
    assert [ax.get_title() for ax in visible_axes(fig)] == ["fear", "shocks"]
    with pytest.raises(AnalysisError, match="unknown outcome"):
        figures.outcomes_by_class(factorial_file, "happiness")


def test_rupture_repair_by_class(run_file):
    fig = figures.rupture_repair_by_class(run_file)
    axes = visible_axes(fig)
    assert len(axes) == 4
    assert [ax.get_ylabel() for ax in axes] == [figures.LABELS[c] for c in
                                                figures.RUPTURE_REPAIR_COLUMNS]
    classes = present_classes(load.infants(run_file))
    assert all(len(ax.patches) == len(classes) for ax in axes)
    assert axes[2].get_title() == "caregiver: rupture_rate"
    assert_renders(fig)


def test_sobol_indices_figure(saltelli_file):
    fig = figures.sensitivity_indices(saltelli_file)
    axes = visible_axes(fig)
    assert len(axes) == 4
    for ax in axes:
        assert len(bars(ax)) == 2 * 5  # S1 and ST per factor
        assert ax.get_ylabel() == "Sobol index"
    assert_renders(fig)


def test_morris_figure(morris_file):
    fig = figures.sensitivity_indices(morris_file, ["mean_availability"])
    (ax,) = visible_axes(fig)
    assert ax.get_xlabel().startswith("μ*") and ax.get_ylabel().startswith("σ")
    assert len(ax.get_lines()) >= 1
    assert_renders(fig)


def test_movie_strip_of_a_mutual_lesson(data_dir):
    """The mutual model's traces (partner arousal y, partner_state, fear displays, responded)."""
    out = data_dir / "mutual_lesson.h5"
    attune("run", REPO / "scenarios/teaching/frightened_caregiver.yaml", "-o", out, "--quiet",
           "--threads", "1", "--set", "population.infants=3", "--set", "time.days=2",
           "--set", "trace.infants=[1]", "--set", "trace.days=[1]", "--set", "trace.sessions=[0]")
    session = load.trace(out, 1, 1, 0)
    assert "xc" not in session and "partner_state" in session
    fig = figures.movie_strip(out, infant_id=1, day=1, session=0)
    top, lanes = fig.axes
    assert [line.get_label() for line in top.get_lines()[:2]] == \
        ["infant arousal x", "caregiver arousal y"]
    assert list(top.get_lines()[1].get_ydata()) == list(session["y"])
    assert len(top.patches) == len(figures._runs(session["partner_state"].to_numpy() == 0))
    ends = session["episode_end"].to_numpy() != 0
    texts = sorted(t.get_text() for t in lanes.texts)
    answered = int(session["responded"].to_numpy()[ends].sum())
    assert texts == sorted(["answered"] * answered + ["no response"] * (int(ends.sum()) - answered))
    markers = {line.get_label(): len(line.get_xdata()) for line in lanes.get_lines()
               if not line.get_label().startswith("_")}
    assert markers.get("fear display", 0) == int(session["fear_display"].sum())
    assert_renders(fig)
