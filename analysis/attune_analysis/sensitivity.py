"""Sensitivity analysis of sweep results: Sobol indices (Saltelli design) and Morris screening.

The array functions (:func:`sobol_indices`, :func:`morris_indices`, and the samplers
:func:`saltelli_sample`, :func:`morris_sample`) work on plain NumPy arrays; :func:`sobol` and
:func:`morris` read a sweep file, average the replicates of each design point and call them.

Sobol: the estimators SALib uses (``sobol.analyze(..., calc_second_order=False)``), first order
from Saltelli et al. (2010), total order from Jansen (1999)::

    S1_i = mean(f_B · (f_ABi − f_A)) / V        ST_i = mean((f_A − f_ABi)²) / (2V)

with ``V`` the variance of the A and B rows together, after centring the outputs on the mean
of all rows as SALib does (which changes nothing in expectation and lowers the estimator's
variance). Confidence intervals come from a
bootstrap over base samples (fixed seed): ``S1_conf`` is ``z · sd`` of the bootstrap estimates,
the half-width of a normal interval at ``conf_level`` (as SALib reports it), and
``S1_low``/``S1_high`` are the bootstrap percentiles.

Morris: elementary effects ``Δy/Δx`` along each trajectory, with ``Δx`` in unit-cube units (a
factor's range mapped to [0, 1], logarithmically for ``scale: log``); ``mu``, ``mu_star`` (mean
absolute effect), ``sigma`` (standard deviation, ddof 1) and a bootstrap ``mu_star_conf``.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from scipy import stats

from . import load
from .errors import AnalysisError


# --------------------------------------------------------------------------------------------
# Sobol indices from a Saltelli design

def saltelli_sample(n: int, d: int, skip: int = 1) -> tuple:
    """A unit-cube Saltelli sample in attune's (and SALib's second-order-free) row layout.

    Rows per base sample: A, AB1 … ABd, B; ``n`` base samples from an unscrambled 2d-dimensional
    Sobol sequence with the first ``skip`` points (the all-zero point) dropped, as attune does.
    Returns ``(x, roles)``: an ``(n·(d+2), d)`` array and the row labels.
    """
    from scipy.stats import qmc

    engine = qmc.Sobol(d=2 * d, scramble=False)
    if skip:
        engine.fast_forward(skip)
    with warnings.catch_warnings():  # n need not be a power of two
        warnings.simplefilter("ignore", UserWarning)
        base = engine.random(n)
    rows, roles = [], []
    for row in base:
        a, b = row[:d], row[d:]
        rows.append(a.copy()); roles.append("A")
        for i in range(d):
            ab = a.copy(); ab[i] = b[i]
            rows.append(ab); roles.append(f"AB{i + 1}")
        rows.append(b.copy()); roles.append("B")
    return np.asarray(rows), roles


def _split_saltelli(y, d: int):
    y = np.asarray(y, dtype=float).ravel()
    if d < 1 or y.size % (d + 2) != 0:
        raise AnalysisError(f"a Saltelli sample of {d} factors has a multiple of {d + 2} rows; "
                            f"got {y.size}")
    blocks = y.reshape(-1, d + 2)
    return blocks[:, 0], blocks[:, 1:d + 1], blocks[:, d + 1]


def _sobol_point(fa, fab, fb):
    """S1 and ST (arrays over factors) from base-sample arrays fa (n,), fab (n, d), fb (n,)."""
    both = np.concatenate([fa, fb])
    var = np.var(both)
    # Identical values can still give a variance of 1e-37 (rounding in the mean after centring),
    # and dividing by it gives indices of 1e34: no spread is no variance.
    if not np.isfinite(var) or var <= 0 or np.ptp(both) == 0:
        nan = np.full(fab.shape[1], np.nan)
        return nan, nan.copy()
    s1 = np.mean(fb[:, None] * (fab - fa[:, None]), axis=0) / var
    st = 0.5 * np.mean((fa[:, None] - fab) ** 2, axis=0) / var
    return s1, st


#: Bootstrap resamples behind the Sobol confidence intervals.
SOBOL_BOOTSTRAP = 500


def sobol_indices(y, d: int, names=None, n_boot: int = SOBOL_BOOTSTRAP, conf_level: float = 0.95,
                  seed: int = 0) -> pd.DataFrame:
    """First- and total-order Sobol indices of outputs ``y`` in the Saltelli row layout.

    ``y`` has ``n·(d+2)`` values, rows A, AB1 … ABd, B per base sample. Returns a DataFrame
    indexed by factor with ``S1``, ``S1_conf``, ``S1_low``, ``S1_high``, ``ST``, ``ST_conf``,
    ``ST_low``, ``ST_high`` (NaN throughout when ``y`` has no variance).
    """
    fa, fab, fb = _split_saltelli(y, d)
    keep = np.isfinite(fa) & np.isfinite(fb) & np.all(np.isfinite(fab), axis=1)
    fa, fab, fb = fa[keep], fab[keep], fb[keep]
    n = fa.size
    if n < 2:
        raise AnalysisError(f"Sobol indices need at least 2 complete base samples; got {n}")
    centre = np.mean(np.concatenate([fa, fab.ravel(), fb]))  # SALib centres on all rows
    fa, fab, fb = fa - centre, fab - centre, fb - centre
    s1, st = _sobol_point(fa, fab, fb)

    rng = np.random.default_rng(seed)
    boot_s1 = np.empty((n_boot, d))
    boot_st = np.empty((n_boot, d))
    for k in range(n_boot):
        r = rng.integers(0, n, n)
        boot_s1[k], boot_st[k] = _sobol_point(fa[r], fab[r], fb[r])
    z = stats.norm.ppf(0.5 + conf_level / 2)
    tail = 100 * (1 - conf_level) / 2
    with warnings.catch_warnings():  # a resample without variance gives NaN; all-NaN columns warn
        warnings.simplefilter("ignore", RuntimeWarning)
        out = pd.DataFrame({
            "S1": s1,
            "S1_conf": z * np.nanstd(boot_s1, axis=0, ddof=1),
            "S1_low": np.nanpercentile(boot_s1, tail, axis=0),
            "S1_high": np.nanpercentile(boot_s1, 100 - tail, axis=0),
            "ST": st,
            "ST_conf": z * np.nanstd(boot_st, axis=0, ddof=1),
            "ST_low": np.nanpercentile(boot_st, tail, axis=0),
            "ST_high": np.nanpercentile(boot_st, 100 - tail, axis=0),
        }, index=pd.Index(list(names) if names is not None else range(d), name="factor"))
    out.attrs["base_samples"] = n
    out.attrs["dropped_base_samples"] = int((~keep).sum())
    return out


# --------------------------------------------------------------------------------------------
# Morris elementary effects

def morris_sample(n: int, d: int, levels: int = 4, seed: int = 0) -> tuple:
    """Morris trajectories on the unit grid {0, 1/(p−1), …, 1}, step Δ = p/(2(p−1)).

    Same construction as attune's design (random base point, random signs, random factor
    order), with NumPy's generator. Returns ``(x, trajectory)``: ``(n·(d+1), d)`` and labels.
    """
    if levels < 2 or levels % 2:
        raise AnalysisError(f"Morris needs an even number of levels >= 2, got {levels}")
    rng = np.random.default_rng(seed)
    intervals, jump = levels - 1, levels // 2
    rows, traj = [], []
    for t in range(n):
        up = rng.integers(0, 2, d).astype(bool)
        base = rng.integers(0, intervals - jump + 1, d)
        index = np.where(up, base, base + jump)
        rows.append(index / intervals); traj.append(t)
        for j in rng.permutation(d):
            index[j] += jump if up[j] else -jump
            rows.append(index / intervals); traj.append(t)
    return np.asarray(rows, dtype=float), np.asarray(traj)


def morris_indices(x_unit, y, trajectory, names=None, n_boot: int = 1000,
                   conf_level: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """Morris μ, μ*, σ from trajectories in the unit cube.

    ``x_unit``: ``(rows, d)`` factor values mapped to [0, 1]; ``y``: outputs; ``trajectory``:
    the trajectory of each row (rows of one trajectory consecutive, in order). Each consecutive
    pair of a trajectory must differ in exactly one factor; a pair with a non-finite output is
    skipped. Returns a DataFrame indexed by factor with ``mu``, ``mu_star``, ``sigma``,
    ``mu_star_conf`` and ``effects`` (the number of elementary effects).
    """
    x = np.asarray(x_unit, dtype=float)
    y = np.asarray(y, dtype=float).ravel()
    trajectory = np.asarray(trajectory).ravel()
    if x.ndim != 2 or x.shape[0] != y.size or trajectory.size != y.size:
        raise AnalysisError("morris_indices: x, y and trajectory must have the same number of rows")
    d = x.shape[1]
    effects = [[] for _ in range(d)]
    for k in range(y.size - 1):
        if trajectory[k] != trajectory[k + 1]:
            continue
        dx = x[k + 1] - x[k]
        moved = np.flatnonzero(np.abs(dx) > 1e-12)
        if moved.size != 1:
            raise AnalysisError(f"Morris rows {k} and {k + 1} differ in {moved.size} factors, "
                                f"not one: not a Morris trajectory")
        if np.isfinite(y[k]) and np.isfinite(y[k + 1]):
            j = moved[0]
            effects[j].append((y[k + 1] - y[k]) / dx[j])
    rng = np.random.default_rng(seed)
    z = stats.norm.ppf(0.5 + conf_level / 2)
    rows = []
    for j in range(d):
        ee = np.asarray(effects[j])
        if ee.size == 0:
            rows.append((math.nan, math.nan, math.nan, math.nan, 0))
            continue
        boot = np.abs(ee[rng.integers(0, ee.size, (n_boot, ee.size))]).mean(axis=1)
        rows.append((ee.mean(), np.abs(ee).mean(), ee.std(ddof=1) if ee.size > 1 else math.nan,
                     z * boot.std(ddof=1), ee.size))
    return pd.DataFrame(rows, columns=["mu", "mu_star", "sigma", "mu_star_conf", "effects"],
                        index=pd.Index(list(names) if names is not None else range(d),
                                       name="factor"))


# --------------------------------------------------------------------------------------------
# From a sweep file

def point_means(f, outcome: str) -> pd.DataFrame:
    """The design with the mean of ``outcome`` over each point's finished replicates (NaN: none)."""
    with load.opened(f) as h:
        table = load.design(h)
        summary = load.run_summary(h)
    if outcome not in summary.columns:
        numeric = [c for c in summary.columns if c.startswith(("prop_", "mean_"))]
        raise AnalysisError(f"no outcome '{outcome}' in /run_summary"
                            f"{load._suggest(outcome, numeric)} (outcomes: {', '.join(numeric)})")
    means = summary.groupby("point_id")[outcome].mean().rename(outcome)
    return table.merge(means, left_on="point_id", right_index=True, how="left") \
        .sort_values("point_id").reset_index(drop=True)


def sobol(f, outcome: str = "prop_B", **kwargs) -> pd.DataFrame:
    """Sobol indices of ``outcome`` (a ``/run_summary`` column) from a Saltelli sweep file."""
    with load.opened(f) as h:
        kind = load.provenance(h).get("design")
        if kind != "saltelli":
            raise AnalysisError(f"{h.filename}: Sobol indices need a saltelli design "
                                f"(this sweep's design is {kind})")
        names = load.factors(h)
        table = point_means(h, outcome)
    d = len(names)
    expected = ["A"] + [f"AB{i + 1}" for i in range(d)] + ["B"]
    roles = table["role"].tolist()
    if len(roles) % (d + 2) or any(r != expected[k % (d + 2)] for k, r in enumerate(roles)):
        raise AnalysisError("the /design roles are not in the A, AB1..ABd, B layout")
    _check_complete(f, table, outcome)
    return sobol_indices(table[outcome].to_numpy(), d, names=names, **kwargs)


def _check_complete(f, table: pd.DataFrame, outcome: str) -> None:
    """Explain a design with points that have no finished run (a shard, an unfinished sweep)."""
    missing = int(table[outcome].isna().sum())
    if not missing:
        return
    prov = load.provenance(f)
    where = (f"this file is shard {prov['shard']} of a sharded sweep: merge the shards first "
             f"(attune merge)" if "shard" in prov else
             "failed or not yet run (resume the sweep with --resume)")
    if "shard" in prov or 2 * missing >= len(table):
        raise AnalysisError(f"{missing} of {len(table)} design points have no finished run: "
                            f"{where}")
    warnings.warn(f"{missing} of {len(table)} design points have no finished run ({where}); "
                  f"the indices use the rest", RuntimeWarning, stacklevel=3)


def unit_positions(f) -> np.ndarray:
    """The design's factor values mapped to the unit cube (log scale where the factor has it)."""
    with load.opened(f) as h:
        names = load.factors(h)
        bounds = load.factor_bounds(h)
        table = load.design(h)
    cols = []
    for name in names:
        if name not in bounds:
            raise AnalysisError(f"factor {name} is not numeric: no unit-cube position")
        b, v = bounds[name], table[name].to_numpy(dtype=float)
        if b["log"]:
            lo, hi, v = math.log(b["min"]), math.log(b["max"]), np.log(v)
        else:
            lo, hi = b["min"], b["max"]
        cols.append((v - lo) / (hi - lo) if hi > lo else np.zeros_like(v))
    return np.column_stack(cols)


def morris(f, outcome: str = "prop_B", **kwargs) -> pd.DataFrame:
    """Morris μ, μ*, σ of ``outcome`` from a Morris sweep file (effects per unit of range)."""
    with load.opened(f) as h:
        kind = load.provenance(h).get("design")
        if kind != "morris":
            raise AnalysisError(f"{h.filename}: Morris indices need a morris design "
                                f"(this sweep's design is {kind})")
        names = load.factors(h)
        table = point_means(h, outcome)
        x = unit_positions(h)
    _check_complete(f, table, outcome)
    return morris_indices(x, table[outcome].to_numpy(), table["trajectory"].to_numpy(),
                          names=names, **kwargs)


def default_outcomes(f) -> list:
    """The outcomes a report analyses: the four class shares and a few outcome means."""
    summary_cols = load.run_summary(f).columns
    wanted = ["prop_B", "prop_A", "prop_C", "prop_D", "mean_availability", "mean_signal_gain",
              "mean_fear", "mean_cortisol"]
    return [c for c in wanted if c in summary_cols]


def analyze(f, outcomes=None, **kwargs) -> pd.DataFrame:
    """Sobol or Morris indices (by the file's design) of several outcomes, in one long table.

    One row per (outcome, factor); the columns of :func:`sobol_indices` or :func:`morris_indices`.
    """
    with load.opened(f) as h:
        kind = load.provenance(h).get("design")
        outcomes = default_outcomes(h) if outcomes is None else list(load._as_list(outcomes))
        method = {"saltelli": sobol, "morris": morris}.get(kind)
        if method is None:
            raise AnalysisError(f"{h.filename}: sensitivity indices need a saltelli or morris "
                                f"design (this file: {kind or 'a single run'})")
        parts = []
        for outcome in outcomes:
            part = method(h, outcome, **kwargs).reset_index()
            part.insert(0, "outcome", outcome)
            parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    out.attrs["method"] = "sobol" if kind == "saltelli" else "morris"
    return out
