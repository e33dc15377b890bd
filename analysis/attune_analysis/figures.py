"""Figures over attune files: each function returns a :class:`matplotlib.figure.Figure`.

The figures are built without pyplot (no global state, no display needed); save one with
``fig.savefig("out.png")``. Every figure uses the fixed class palette of
:mod:`attune_analysis.palette` (B green, A blue, C orange, D vermilion).

=========================  ============================================  =====================
function                   shows                                         file
=========================  ============================================  =====================
``class_distribution``     class shares against one factor (stacked)     sweep or run
``heatmap``                an outcome over two factors                   sweep or run
``trajectories``           daily IWM series by final class               run with /daily
``movie_strip``            one traced session, step by step              run with /trace
``outcomes_by_class``      cortisol and regulation by class              sweep or run
``rupture_repair_by_class`` repair, coordination, caregiver rates         sweep or run
``sensitivity_indices``    Sobol S1/ST bars or Morris μ*–σ               saltelli/morris sweep
=========================  ============================================  =====================

For a run file a "factor" is any column of ``/infants`` (``profile``, ``attunement``, …), and
an outcome is either an infant column or a class share ``prop_B`` …; for a sweep, factors are
the design's factors and outcomes the ``/run_summary`` columns (``fear`` means ``mean_fear``).
Numeric factors with more than ``max_levels`` distinct values are binned.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from . import load
from .errors import AnalysisError
from .palette import CLASS_COLORS, CLASS_NAMES, CLASS_ORDER, class_label

#: Axis labels of the outcomes and parameters that have a unit or a symbol worth showing.
LABELS = {
    "availability": "availability p̂",
    "unpredictability": "unpredictability U",
    "rejection_contingency": "rejection contingency R",
    "signal_gain": "signal gain g",
    "fear": "fear F",
    "regulation": "self-regulation r (per s)",
    "avoidance": "avoidance",
    "resistance": "resistance",
    "disorganization": "disorganization",
    "shocks": "shocks",
    "episodes": "distress episodes",
    "coordinated_fraction": "coordinated fraction of session time",
    "repairs_per_min": "repairs per session minute",
    "synchrony": "synchrony (corr. of x and x_c)",
    "cortisol": "cortisol z (session end, final 30 days)",
    "attunement": "caregiver attunement a",
    "rupture_rate": "caregiver rupture rate λ_r (per min)",
    "repair_rate": "caregiver repair rate μ (per min)",
    "rejection": "caregiver rejection q",
    "baseline_stress": "caregiver baseline stress b_c",
}

DEFAULT_DAILY_FIELDS = ("availability", "signal_gain", "fear")


def label(name: str) -> str:
    """A readable axis label for a column name (``mean_fear`` → ``mean fear F``)."""
    if name in LABELS:
        return LABELS[name]
    if name.startswith("mean_") and name[5:] in LABELS:
        return "mean " + LABELS[name[5:]]
    if name.startswith("prop_") and name[5:] in CLASS_NAMES:
        return f"share {class_label(name[5:])}"
    return name


# --------------------------------------------------------------------------------------------
# Tables behind the factor figures

def _units(h) -> tuple:
    """(table, factors, is_sweep, bounds): one row per run (sweep) or per infant (run file).

    Every row carries ``infants`` (its weight), ``prop_B`` … ``prop_D`` and the outcomes.
    """
    if load.is_sweep(h):
        table = load.run_summary(h)
        return table, load.factors(h), True, load.factor_bounds(h)
    table = load.infants(h)
    if "profile" in table.columns:  # profiles in the scenario's order, not alphabetical
        table["profile"] = pd.Categorical(table["profile"],
                                          categories=load.profile_order(h, table["profile"]),
                                          ordered=True)
    table["infants"] = 1
    for cls in CLASS_ORDER:
        table[f"prop_{cls}"] = (table["classification"] == cls).astype(float)
    factors = ["profile"] + [c for c in load.PARAMETER_COLUMNS if c in table.columns]
    return table, factors, False, {}


def _resolve(name: str, table: pd.DataFrame, what: str, choices=None) -> str:
    """Accept ``fear`` for ``mean_fear`` in a sweep (and the reverse in a run file)."""
    if name in table.columns:
        return name
    for alt in (f"mean_{name}", name[5:] if name.startswith("mean_") else None):
        if alt and alt in table.columns:
            return alt
    choices = list(choices if choices is not None else table.columns)
    raise AnalysisError(f"unknown {what} '{name}'{load._suggest(name, choices)} "
                        f"(available: {', '.join(map(str, choices))})")


def _levels(values: pd.Series, max_levels: int, bins: int, log: bool) -> tuple:
    """Group keys for a factor: its values, or bin centres when it has too many distinct values.

    Returns (keys, numeric, binned)."""
    numeric = pd.api.types.is_numeric_dtype(values)
    if not numeric or values.nunique() <= max_levels:
        return values, numeric, False
    v = values.to_numpy(dtype=float)
    lo, hi = np.nanmin(v), np.nanmax(v)
    if log and lo > 0:
        edges = np.geomspace(lo, hi, bins + 1)
        centres = np.sqrt(edges[:-1] * edges[1:])
    else:
        edges = np.linspace(lo, hi, bins + 1)
        centres = 0.5 * (edges[:-1] + edges[1:])
    idx = np.clip(np.searchsorted(edges, v, side="right") - 1, 0, bins - 1)
    return pd.Series(centres[idx], index=values.index), True, True


def _fmt(v) -> str:
    if isinstance(v, (float, np.floating)):
        return f"{v:.3g}"
    return str(v)


def _figure(width=8.0, height=4.5) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


# --------------------------------------------------------------------------------------------
# Class distribution against one factor

def class_distribution(f, factor: str = None, kind: str = None, max_levels: int = 12,
                       bins: int = 8) -> Figure:
    """Stacked shares of B, A, C, D against one factor.

    Shares are pooled over infants (runs weighted by their infant count), so replicates and the
    other factors are averaged over. ``kind``: ``"bar"`` (default for text factors and few levels)
    or ``"area"`` (default for numeric factors with three or more levels).
    """
    with load.opened(f) as h:
        table, factors, sweep, bounds = _units(h)
        name = h.filename
    if factor is None:
        factor = factors[0] if factors else None
        if factor is None:
            raise AnalysisError(f"{name}: no factor to plot against")
    factor = _resolve(factor, table, "factor", factors)
    log = bounds.get(factor, {}).get("log", False)
    keys, numeric, binned = _levels(table[factor], max_levels, bins, log)
    weights = table["infants"].astype(float)
    grouped = pd.DataFrame({"key": keys, "w": weights})
    for cls in CLASS_ORDER:
        grouped[cls] = table[f"prop_{cls}"] * weights
    sums = grouped.groupby("key", sort=True, observed=True).sum(numeric_only=True)
    shares = sums[list(CLASS_ORDER)].div(sums["w"], axis=0)
    n = sums["w"]
    if kind is None:
        kind = "area" if numeric and len(shares) >= 3 else "bar"
    if kind not in ("bar", "area"):
        raise AnalysisError(f"unknown kind '{kind}' (bar or area)")

    fig = _figure(8, 4.5)
    ax = fig.add_subplot()
    if kind == "area":
        x = shares.index.to_numpy(dtype=float)
        ax.stackplot(x, *[shares[c].to_numpy() for c in CLASS_ORDER],
                     colors=[CLASS_COLORS[c] for c in CLASS_ORDER],
                     labels=[class_label(c) for c in CLASS_ORDER], alpha=0.9)
        if log:
            ax.set_xscale("log")
        ax.set_xlim(x.min(), x.max())
    else:
        pos = np.arange(len(shares))
        bottom = np.zeros(len(shares))
        for c in CLASS_ORDER:
            vals = shares[c].to_numpy()
            ax.bar(pos, vals, bottom=bottom, color=CLASS_COLORS[c], label=class_label(c),
                   width=0.8, edgecolor="white", linewidth=0.5)
            bottom += vals
        unit = "runs" if sweep else "n"
        counts = sums["w"] if not sweep else \
            table.groupby(keys, observed=True).size().reindex(shares.index)
        ax.set_xticks(pos, [f"{_fmt(k)}\n({unit}={int(c)})" for k, c in zip(shares.index, counts)])
    ax.set_ylim(0, 1)
    ax.set_xlabel(label(factor) + (" (binned)" if binned else ""))
    ax.set_ylabel("share of infants")
    ax.set_title(f"Attachment classes by {factor}"
                 + (f" ({int(n.sum())} infants)" if sweep else ""))
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False, title="class")
    return fig


# --------------------------------------------------------------------------------------------
# Heatmap of an outcome over two factors

def heatmap(f, outcome: str = "prop_B", x: str = None, y: str = None, max_levels: int = 12,
            bins: int = 8, annotate: bool = None, cmap: str = "viridis") -> Figure:
    """Mean of ``outcome`` over two factors (averaged over replicates and the other factors)."""
    with load.opened(f) as h:
        table, factors, sweep, bounds = _units(h)
    outcome_choices = [c for c in table.columns if c.startswith(("prop_", "mean_"))] if sweep \
        else [f"prop_{c}" for c in CLASS_ORDER] + load.outcome_columns(table)
    outcome = _resolve(outcome, table, "outcome", outcome_choices)
    if x is None or y is None:
        numeric = [c for c in factors if pd.api.types.is_numeric_dtype(table[c])]
        pick = [c for c in numeric if c not in (x, y)]
        if x is None:
            x = pick.pop(0) if pick else None
        if y is None:
            y = pick.pop(0) if pick else None
        if x is None or y is None:
            raise AnalysisError("a heatmap needs two factors; this file has "
                                f"{', '.join(factors) or 'none'}")
    x = _resolve(x, table, "factor", factors)
    y = _resolve(y, table, "factor", factors)
    if x == y:
        raise AnalysisError(f"the heatmap's two factors are both {x}")
    kx, _, bx = _levels(table[x], max_levels, bins, bounds.get(x, {}).get("log", False))
    ky, _, by = _levels(table[y], max_levels, bins, bounds.get(y, {}).get("log", False))
    grid = pd.DataFrame({"x": kx, "y": ky, "v": table[outcome]}) \
        .pivot_table(index="y", columns="x", values="v", aggfunc="mean").sort_index() \
        .sort_index(axis=1)

    fig = _figure(7.5, 5.5)
    ax = fig.add_subplot()
    values = np.ma.masked_invalid(grid.to_numpy(dtype=float))
    share = outcome.startswith("prop_")
    mesh = ax.pcolormesh(np.arange(grid.shape[1] + 1) - 0.5, np.arange(grid.shape[0] + 1) - 0.5,
                         values, cmap=cmap, vmin=0 if share else None, vmax=1 if share else None,
                         shading="flat")
    ax.set_facecolor("#dddddd")
    ax.set_xticks(np.arange(grid.shape[1]), [_fmt(v) for v in grid.columns],
                  rotation=45 if grid.shape[1] > 6 else 0)
    ax.set_yticks(np.arange(grid.shape[0]), [_fmt(v) for v in grid.index])
    ax.set_xlabel(label(x) + (" (binned)" if bx else ""))
    ax.set_ylabel(label(y) + (" (binned)" if by else ""))
    others = [c for c in factors if c not in (x, y)] if sweep else []
    over = "replicates" + (" and " + ", ".join(others) if others else "")
    ax.set_title(f"{label(outcome)}" + (f"\nmean over {over}" if sweep else "\nmean over infants"))
    fig.colorbar(mesh, ax=ax, label=label(outcome))
    if annotate is None:
        annotate = values.size <= 120
    if annotate:
        lo, hi = (0.0, 1.0) if share else (float(values.min()), float(values.max()))
        for (i, j), v in np.ndenumerate(values.filled(np.nan)):
            if np.isfinite(v):
                light = (v - lo) / (hi - lo) < 0.55 if hi > lo else True
                ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7,
                        color="white" if light else "black")
    return fig


# --------------------------------------------------------------------------------------------
# Daily IWM trajectories by final class

def trajectories(f, fields=None, band: str = "iqr") -> Figure:
    """Daily series (``/daily``) by final class: the class mean and a band.

    ``band``: ``"iqr"`` (25th–75th percentile), ``"sd"`` (mean ± one sd) or ``"none"``.
    ``fields`` default to availability, signal gain and fear, those of them recorded (else the
    first three recorded fields).
    """
    if band not in ("iqr", "sd", "none"):
        raise AnalysisError(f"unknown band '{band}' (iqr, sd or none)")
    with load.opened(f) as h:
        present = load.daily_fields(h) if not load.is_sweep(h) else []
        if fields is None:
            fields = [x for x in DEFAULT_DAILY_FIELDS if x in present] or present[:3]
        data = load.daily(h, fields)
    fields = list(load._as_list(fields))
    ncols = min(3, len(fields))
    nrows = math.ceil(len(fields) / ncols)
    fig = _figure(4.2 * ncols, 3.6 * nrows + 0.6)
    axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True).ravel()
    for ax in axes[len(fields):]:
        ax.set_visible(False)
    counts = data[data["field"] == fields[0]].groupby("classification")["row"].nunique()
    for ax, field in zip(axes, fields):
        sub = data[data["field"] == field]
        for cls in [c for c in CLASS_ORDER if c in counts.index]:
            g = sub[sub["classification"] == cls].groupby("day")["value"]
            mean = g.mean()
            ax.plot(mean.index, mean.to_numpy(), color=CLASS_COLORS[cls], lw=2,
                    label=f"{class_label(cls)} (n={counts[cls]})")
            if band == "iqr":
                lo, hi = g.quantile(0.25), g.quantile(0.75)
            elif band == "sd":
                sd = g.std().fillna(0)
                lo, hi = mean - sd, mean + sd
            if band != "none":
                ax.fill_between(mean.index, lo.to_numpy(), hi.to_numpy(),
                                color=CLASS_COLORS[cls], alpha=0.18, linewidth=0)
        ax.set_title(field)
        ax.set_xlabel("day")
        ax.set_ylabel(label(field))
    axes[len(fields) - 1].legend(fontsize=8, frameon=False, title="final class",
                                 title_fontsize=8, loc="center left", bbox_to_anchor=(1.02, 0.5))
    band_text = {"iqr": "band: 25th–75th percentile", "sd": "band: ± 1 sd", "none": ""}[band]
    fig.suptitle("Internal working model over the days, by final class"
                 + (f" (line: mean; {band_text})" if band_text else ""))
    return fig


# --------------------------------------------------------------------------------------------
# A traced session, step by step

EVENT_LANES = (  # (column, lane label, marker, colour)
    ("stressor", "stressor", "*", "#6a3d9a"),
    ("rupture", "rupture", "v", "#b15928"),
    ("repair", "repair", "^", "#1f78b4"),
    ("shock", "shock", "X", "#e31a1c"),
    ("fear_display", "fear display", "o", "#D55E00"),  # mutual model only
)
SPAN_LANES = (  # (column, lane label, colour)
    ("frightening", "frightening care", "#D55E00"),
    ("dissociated", "infant dissociated", "#555555"),
)


def _runs(flag: np.ndarray) -> list:
    """(first, last) index pairs of the runs of ones in a 0/1 array."""
    padded = np.concatenate([[0], (np.asarray(flag) != 0).astype(int), [0]])
    change = np.flatnonzero(np.diff(padded))
    return list(zip(change[0::2], change[1::2] - 1))


def select_session(steps: pd.DataFrame, infant_id=None, day=None, session=None,
                   caregiver_id=None) -> pd.DataFrame:
    """The steps of one traced session; unspecified keys default to the first traced one."""
    if steps.empty:
        raise AnalysisError("the trace has no steps")
    picked = steps
    for col, value in (("infant_id", infant_id), ("caregiver_id", caregiver_id), ("day", day),
                       ("session", session)):
        if value is not None:
            picked = picked[picked[col] == int(value)]
            if picked.empty:
                avail = steps[["infant_id", "day", "session"]].drop_duplicates()
                listing = "; ".join(f"infant {a} day {b} session {c}"
                                    for a, b, c in avail.head(12).itertuples(index=False))
                raise AnalysisError(f"no traced session with {col} {value} among the selection "
                                    f"(traced: {listing}{' …' if len(avail) > 12 else ''})")
    first = picked.iloc[0]
    for col in ("infant_id", "caregiver_id", "day", "session"):
        picked = picked[picked[col] == first[col]]
    return picked.sort_values("step")


def movie_strip(data, infant_id=None, day=None, session=None, caregiver_id=None) -> Figure:
    """One traced session: infant arousal x and caregiver arousal x_c over the session's steps.

    Grey shading marks steps with the caregiver disengaged (E = 0). The lane panel below marks
    stressors, ruptures, repairs and shocks, shades frightening care and infant dissociation, and
    draws each distress episode from onset to end with its response latency (a tick at the first
    adequate response; "no response" when there was none). ``data``: a file (path or open) with
    ``/trace/steps``, or a DataFrame from :func:`attune_analysis.load.trace`.
    """
    if isinstance(data, pd.DataFrame):
        steps = data
    else:
        steps = load.trace(data)
    s = select_session(steps, infant_id, day, session, caregiver_id)
    t = s["t"].to_numpy(dtype=float)
    dt = float(np.median(np.diff(t))) if len(t) > 1 else 1.0
    first = s.iloc[0]

    fig = _figure(11, 5.6)
    top, lanes = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    top.plot(t, s["x"].to_numpy(), color="#1b1b1b", lw=1.2, label="infant arousal x")
    # The reference model writes x_c and E; the mutual model (MODEL2.md) writes the partner's
    # arousal y and her state (0 = away).
    mutual = "xc" not in s and "y" in s
    top.plot(t, s["y" if mutual else "xc"].to_numpy(), color="#cc3377", lw=1.2,
             label="caregiver arousal y" if mutual else "caregiver arousal x_c")
    away = s["partner_state"].to_numpy() == 0 if mutual else s["engaged"].to_numpy() == 0
    first_span = True
    for a, b in _runs(away):
        top.axvspan(t[a], t[b] + dt, color="#9e9e9e", alpha=0.25, linewidth=0,
                    label=("caregiver away" if mutual else "caregiver disengaged (E = 0)")
                    if first_span else None)
        first_span = False
    top.axhline(0, color="#777777", lw=0.6, ls=":")
    top.set_ylabel("arousal")
    top.legend(loc="upper right", fontsize=8, ncols=3, frameon=False)
    title = f"infant {int(first['infant_id'])} · caregiver {int(first['caregiver_id'])} · " \
            f"day {int(first['day'])} · session {int(first['session'])}"
    if "classification" in s and isinstance(first.get("classification"), str):
        title += f" · final class {class_label(first['classification'])}"
    if "profile" in s and isinstance(first.get("profile"), str):
        title += f" · profile {first['profile']}"
    top.set_title(title)

    lane_names = ["episodes"] + [lab for _, lab, _, _ in EVENT_LANES] + \
        [lab for _, lab, _ in SPAN_LANES]
    ypos = {name: len(lane_names) - 1 - k for k, name in enumerate(lane_names)}
    for col, lab, marker, colour in EVENT_LANES:
        if col in s:
            hit = s[col].to_numpy() != 0
            if hit.any():
                lanes.plot(t[hit], np.full(hit.sum(), ypos[lab]), linestyle="none",
                           marker=marker, color=colour, markersize=7, label=lab)
    for col, lab, colour in SPAN_LANES:
        if col in s:
            spans = [(t[a], t[b] + dt - t[a]) for a, b in _runs(s[col].to_numpy())]
            if spans:
                lanes.broken_barh(spans, (ypos[lab] - 0.3, 0.6), color=colour, alpha=0.7,
                                  label=lab)
    _draw_episodes(lanes, s, t, dt, ypos["episodes"])
    lanes.set_yticks([ypos[n] for n in lane_names], lane_names)
    lanes.set_ylim(-0.7, len(lane_names) - 0.1)
    lanes.set_xlabel("time in session (s)")
    lanes.set_xlim(t[0], t[-1] + dt)
    lanes.grid(axis="y", color="#eeeeee")
    return fig


def _draw_episodes(ax, s: pd.DataFrame, t: np.ndarray, dt: float, y: float) -> None:
    """Episode bars from onset to end, with the latency of the first adequate response."""
    if "episode_start" not in s or "episode_end" not in s:
        return
    starts = list(t[s["episode_start"].to_numpy() != 0])
    ends = t[s["episode_end"].to_numpy() != 0]
    latency = s["latency"].to_numpy(dtype=float)[s["episode_end"].to_numpy() != 0] \
        if "latency" in s else np.full(ends.size, np.nan)
    # The mutual model records whether the episode was soothed within the window, not when.
    answered = s["responded"].to_numpy()[s["episode_end"].to_numpy() != 0] != 0 \
        if "latency" not in s and "responded" in s else None
    for k, (end, lat) in enumerate(zip(ends, latency)):
        before = [a for a in starts if a <= end]
        onset = before[-1] if before else (end - lat if np.isfinite(lat) else t[0])
        if before:
            starts.remove(onset)
        ax.hlines(y, onset, end + dt, color="#333333", lw=4, alpha=0.6)
        ok = bool(answered[k]) if answered is not None else bool(np.isfinite(lat))
        if np.isfinite(lat):
            ax.plot([onset + lat], [y], marker="|", color="#009E73", markersize=14, mew=2.5)
            text = f"{lat:.0f} s"
        else:
            text = "answered" if ok else "no response"
        ax.annotate(text, (onset, y), xytext=(0, 7), textcoords="offset points", fontsize=7,
                    ha="left", va="bottom", color="#009E73" if ok else "#D55E00")
    for onset in starts:  # still open when the session ended: dropped by the model
        ax.hlines(y, onset, t[-1] + dt, color="#333333", lw=4, alpha=0.25, linestyles="dashed")


# --------------------------------------------------------------------------------------------
# Outcomes by class

def _by_class(ax, table: pd.DataFrame, column: str, kind: str = "box") -> None:
    classes = [c for c in CLASS_ORDER if (table["classification"] == c).any()]
    data = [table.loc[table["classification"] == c, column].dropna().to_numpy() for c in classes]
    keep = [k for k, d in enumerate(data) if d.size]
    classes, data = [classes[k] for k in keep], [data[k] for k in keep]
    if not classes:
        ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes)
        return
    pos = np.arange(1, len(classes) + 1)
    if kind == "violin":
        parts = ax.violinplot(data, positions=pos, showmedians=True)
        for body, c in zip(parts["bodies"], classes):
            body.set_facecolor(CLASS_COLORS[c])
            body.set_edgecolor("black")
            body.set_alpha(0.75)
    else:
        box = ax.boxplot(data, positions=pos, patch_artist=True, widths=0.6,
                         medianprops={"color": "black"}, flierprops={"markersize": 3})
        for patch, c in zip(box["boxes"], classes):
            patch.set_facecolor(CLASS_COLORS[c])
            patch.set_alpha(0.85)
    ax.set_xticks(pos, [f"{class_label(c)}\n(n={len(d)})" for c, d in zip(classes, data)])
    ax.set_xlabel("final class")
    ax.set_ylabel(label(column))
    positive = np.concatenate(data)
    if (column.endswith("_rate") and positive.size and positive.min() > 0
            and positive.max() / positive.min() > 20):
        ax.set_yscale("log")


def outcomes_by_class(f, outcomes=("cortisol", "regulation"), kind: str = "box") -> Figure:
    """Distributions of infant outcomes (default cortisol and self-regulation) by final class.

    ``kind``: ``"box"`` or ``"violin"``. A sweep pools the infants of all its runs.
    """
    if kind not in ("box", "violin"):
        raise AnalysisError(f"unknown kind '{kind}' (box or violin)")
    table = load.infants(f)
    outcomes = list(load._as_list(outcomes))
    for o in outcomes:
        _resolve(o, table, "outcome", load.outcome_columns(table))
    fig = _figure(4.2 * len(outcomes), 4.2)
    axes = fig.subplots(1, len(outcomes), squeeze=False).ravel()
    for ax, o in zip(axes, outcomes):
        _by_class(ax, table, _resolve(o, table, "outcome"), kind)
        ax.set_title(o)
    fig.suptitle("Stress and regulation by final class"
                 if set(outcomes) == {"cortisol", "regulation"} else "Outcomes by final class")
    return fig


RUPTURE_REPAIR_COLUMNS = ("repairs_per_min", "coordinated_fraction", "rupture_rate", "repair_rate")


def rupture_repair_by_class(f, kind: str = "box") -> Figure:
    """Rupture and repair by final class: the relationship's repairs per minute and coordinated
    fraction, and the caregiver's drawn rupture and repair rates."""
    table = load.infants(f)
    cols = [c for c in RUPTURE_REPAIR_COLUMNS if c in table.columns]
    fig = _figure(12, 7)
    axes = fig.subplots(2, 2, squeeze=False).ravel()
    for ax in axes[len(cols):]:
        ax.set_visible(False)
    for ax, col in zip(axes, cols):
        _by_class(ax, table, col, kind)
        ax.set_title(("caregiver: " if col in load.PARAMETER_COLUMNS else "relationship: ") + col)
    fig.suptitle("Rupture and repair by final class")
    return fig


# --------------------------------------------------------------------------------------------
# Sensitivity indices

def sensitivity_indices(f, outcomes=("prop_B", "prop_A", "prop_C", "prop_D"),
                        table: pd.DataFrame = None) -> Figure:
    """Sobol S1 and ST with confidence intervals (Saltelli design), or Morris μ* against σ
    (Morris design), one panel per outcome. ``table``: a precomputed
    :func:`attune_analysis.sensitivity.analyze` result (else computed here)."""
    from . import sensitivity

    outcomes = list(load._as_list(outcomes))
    if table is None:
        table = sensitivity.analyze(f, outcomes)
    method = table.attrs.get("method", "sobol" if "S1" in table.columns else "morris")
    ncols = min(2, len(outcomes))
    nrows = math.ceil(len(outcomes) / ncols)
    fig = _figure(6.2 * ncols, 3.9 * nrows)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[len(outcomes):]:
        ax.set_visible(False)
    for ax, outcome in zip(axes, outcomes):
        part = table[table["outcome"] == outcome]
        names = part["factor"].astype(str).tolist()
        if method == "sobol":
            pos = np.arange(len(names))
            for k, (col, colour) in enumerate((("S1", "#0072B2"), ("ST", "#E69F00"))):
                # matplotlib cannot draw all-NaN error bars: an outcome without variance is 0 ± 0
                ax.bar(pos + (k - 0.5) * 0.38, np.nan_to_num(part[col].to_numpy()), width=0.38,
                       yerr=np.nan_to_num(part[f"{col}_conf"].to_numpy()), capsize=3, color=colour,
                       label={"S1": "first order S1", "ST": "total order ST"}[col])
            ax.set_xticks(pos, names, rotation=25, ha="right")
            ax.axhline(0, color="black", lw=0.6)
            ax.set_ylabel("Sobol index")
            ax.set_xlabel("factor")
            if part["S1"].isna().all():
                ax.text(0.5, 0.5, "no variance in this outcome", transform=ax.transAxes,
                        ha="center", va="center", color="#555555",
                        bbox={"facecolor": "white", "edgecolor": "#cccccc"})
        else:
            ax.errorbar(part["mu_star"], part["sigma"], xerr=part["mu_star_conf"], fmt="o",
                        color="#0072B2", ecolor="#999999", capsize=3, label="factor")
            for n_, xv, yv in zip(names, part["mu_star"], part["sigma"]):
                if np.isfinite(xv) and np.isfinite(yv):
                    ax.annotate(n_, (xv, yv), xytext=(4, 3), textcoords="offset points",
                                fontsize=7)
            ax.set_xlabel("μ* (mean |elementary effect| per unit of range)")
            ax.set_ylabel("σ (sd of elementary effects)")
        ax.set_title(label(outcome))
    if method == "sobol":
        axes[0].legend(fontsize=8, frameon=False)
    fig.suptitle("Sobol indices (95% bootstrap intervals)" if method == "sobol"
                 else "Morris screening")
    return fig


#: Figure functions by command-line name.
FIGURES = {
    "classes": class_distribution,
    "heatmap": heatmap,
    "trajectories": trajectories,
    "movie": movie_strip,
    "outcomes": outcomes_by_class,
    "ruptures": rupture_repair_by_class,
    "indices": sensitivity_indices,
}
