"""Model docking: compare attune's reference model with the independent NumPy implementation.

For each scenario: run attune (with --set overrides) into an HDF5 file, read /infants, then run
reference_numpy.simulate with the same caregivers (the drawn attunement, rupture_rate,
repair_rate, rejection and baseline_stress columns of attune's /infants; every other caregiver
parameter, the infant parameters and the time structure from the fully resolved scenario that
attune stores in the file's `scenario` attribute). Then compare:

  * class proportions: chi-square test on the 2 x 4 table, and a two-proportion z per class;
  * every outcome: mean and sd on each side, z = difference of means / its standard error
    (Welch), Cohen's d, the two-sample Kolmogorov-Smirnov p-value, and a paired z: infant i
    of attune and infant i of NumPy share the same caregiver, so the per-infant differences
    cancel the between-caregiver variance and detect much smaller mean shifts
    (paired z = mean(diff) / (sd(diff) / sqrt(n))).

Usage (run from anywhere; use /usr/bin/python3, which has numpy/scipy/pandas/h5py/yaml):

    /usr/bin/python3 analysis/docking/compare.py                    # all scenarios
    /usr/bin/python3 analysis/docking/compare.py defaults dt_half   # some of them
    /usr/bin/python3 analysis/docking/compare.py --infants 300 --days 60 --binary /tmp/attune-dock
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np
import pandas as pd
import yaml
from scipy import stats

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_numpy as ref  # noqa: E402

DRAWN = ["attunement", "rupture_rate", "repair_rate", "rejection", "baseline_stress"]
CLASSES = ["B", "A", "C", "D"]
COMPARED = [
    "availability", "unpredictability", "rejection_contingency", "signal_gain", "fear",
    "regulation", "avoidance", "resistance", "shocks", "episodes", "coordinated_fraction",
    "repairs_per_min", "synchrony", "cortisol",
]
# alternative readings computed by the NumPy side, compared against the same attune column
ALTERNATIVES = {"episodes_ended": "episodes",
                "rejection_contingency_final": "rejection_contingency"}

SCENARIOS = {
    "defaults": {
        "what": "MODEL.md defaults (default population spreads)",
        "set": [],
    },
    "inconsistent": {
        "what": "attunement 0.4, rupture 2/min, repair 1/min",
        "set": ["caregiver.attunement=0.4", "caregiver.rupture_rate=2",
                "caregiver.repair_rate=1"],
    },
    "rejecting": {
        "what": "rejection 2, attunement 0.7",
        "set": ["caregiver.rejection=2", "caregiver.attunement=0.7"],
    },
    "stressed": {
        "what": "baseline_stress 1.2",
        "set": ["caregiver.baseline_stress=1.2"],
    },
    "spread": {
        "what": "beta attunement mean 0.6 conc 4; lognormal rupture mean 1.5 log_sd 0.7",
        "set": ["caregiver.attunement={dist: beta, mean: 0.6, concentration: 4}",
                "caregiver.rupture_rate={dist: lognormal, mean: 1.5, log_sd: 0.7}"],
    },
    "dt_half": {
        "what": "dt 0.5, 6 sessions/day of 200 s",
        "set": ["time.dt=0.5", "time.sessions_per_day=6", "time.session_s=200"],
    },
}

MINIMAL_SCENARIO = "name: docking\nseed: {seed}\n"


def run_attune(binary, sets, infants, days, seed, workdir, threads=1):
    scen = os.path.join(workdir, "scenario.yaml")
    with open(scen, "w") as fh:
        fh.write(MINIMAL_SCENARIO.format(seed=seed))
    out = os.path.join(workdir, "attune.h5")
    cmd = [binary, "run", scen, "-o", out, "--force", "--quiet", "--threads", str(threads),
           "--set", f"population.infants={infants}", "--set", f"time.days={days}"]
    for s in sets:
        cmd += ["--set", s]
    subprocess.run(cmd, check=True)
    with h5py.File(out, "r") as f:
        df = pd.DataFrame(f["infants"][()])
        resolved = yaml.safe_load(f.attrs["scenario"])
    for col in df.columns:
        if df[col].dtype.kind in "SO":
            df[col] = df[col].map(lambda v: v.decode("utf-8") if isinstance(v, bytes) else v)
    return df, resolved


def numpy_inputs(att, resolved):
    """Caregiver arrays per infant: drawn columns from attune, the rest from the profile."""
    n = len(att)
    profiles = {p["name"]: p.get("caregiver", {}) for p in resolved["profiles"]}
    cg = {k: att[k].to_numpy(dtype=float) for k in DRAWN}
    for key, default in ref.CAREGIVER_DEFAULTS.items():
        if key in DRAWN:
            continue
        vals = np.full(n, float(default))
        for name, cmap in profiles.items():
            v = cmap.get(key, default)
            if isinstance(v, dict):
                raise SystemExit(f"profile {name}: {key} is a distribution; not recorded per "
                                 "infant, cannot dock")
            if "profile" in att.columns:
                vals[(att["profile"] == name).to_numpy()] = float(v)
            else:
                vals[:] = float(v)
        cg[key] = vals
    return cg


def outcome_stats(xa, xn):
    """Means and sds of both sides, Welch z, Cohen's d, KS p and the paired z (same caregiver)."""
    ma, sa, mn, sn = xa.mean(), xa.std(ddof=1), xn.mean(), xn.std(ddof=1)
    se = np.sqrt(sa ** 2 / len(xa) + sn ** 2 / len(xn))
    z = (ma - mn) / se if se > 0 else (0.0 if ma == mn else np.inf)
    sp = np.sqrt((sa ** 2 + sn ** 2) / 2)
    d = (ma - mn) / sp if sp > 0 else 0.0
    ks = stats.ks_2samp(xa, xn).pvalue
    diff = xa - xn
    sdd = diff.std(ddof=1)
    zp = diff.mean() / (sdd / np.sqrt(len(diff))) if sdd > 0 else 0.0
    return ma, sa, mn, sn, z, d, ks, zp


def compare(att, npy):
    lines = []
    na, nn = len(att), len(npy)
    # --- classes
    ca = att["classification"].value_counts().reindex(CLASSES, fill_value=0)
    cn = npy["classification"].value_counts().reindex(CLASSES, fill_value=0)
    table = np.array([ca.to_numpy(), cn.to_numpy()])
    keep = table.sum(axis=0) > 0
    if keep.sum() >= 2:
        chi2, p_chi, dof, _ = stats.chi2_contingency(table[:, keep])
        chi_txt = f"chi2 = {chi2:.2f}, dof = {dof}, p = {p_chi:.3g}"
    else:
        chi_txt = "chi2: only one class present on both sides"
    lines.append(f"classes (n attune = {na}, n numpy = {nn}); {chi_txt}")
    lines.append(f"  {'class':<6}{'attune':>9}{'numpy':>9}{'z':>8}")
    for c in CLASSES:
        pa, pn = ca[c] / na, cn[c] / nn
        pool = (ca[c] + cn[c]) / (na + nn)
        se = np.sqrt(pool * (1 - pool) * (1 / na + 1 / nn))
        z = (pa - pn) / se if se > 0 else 0.0
        lines.append(f"  {c:<6}{pa:>9.3f}{pn:>9.3f}{z:>8.2f}")
    # --- outcomes
    hdr = (f"  {'outcome':<44}{'attune mean':>12}{'(sd)':>10}{'numpy mean':>12}{'(sd)':>10}"
           f"{'z':>8}{'d':>7}{'KS p':>9}{'paired z':>10}")
    lines.append("outcomes (z = (attune - numpy) / SE of the difference; d = Cohen's d; "
                 "paired z over same-caregiver pairs; * = |z| or |paired z| > 4)")
    lines.append(hdr)
    rows = [(o, o) for o in COMPARED] + [(f"{o_att} [numpy: {o_np}]", o_np)
                                          for o_np, o_att in ALTERNATIVES.items()]
    flagged = []
    for label, o_np in rows:
        o_att = ALTERNATIVES.get(o_np, o_np)
        xa = att[o_att].to_numpy(dtype=float)
        xn = npy[o_np].to_numpy(dtype=float)
        ma, sa, mn, sn, z, d, ks, zp = outcome_stats(xa, xn)
        mark = " *" if max(abs(z), abs(zp)) > 4 else ""
        if mark:
            flagged.append(label)
        lines.append(f"  {label:<44}{ma:>12.4g}{sa:>10.3g}{mn:>12.4g}{sn:>10.3g}"
                     f"{z:>8.2f}{d:>7.2f}{ks:>9.2g}{zp:>10.2f}{mark}")
    return lines, flagged


def main():
    ap = argparse.ArgumentParser(description="dock attune against reference_numpy.py")
    ap.add_argument("scenarios", nargs="*", default=list(SCENARIOS))
    ap.add_argument("--binary", default="/tmp/attune-dock")
    ap.add_argument("--infants", type=int, default=300)
    ap.add_argument("--days", type=int, default=60)
    ap.add_argument("--seed", type=int, default=7, help="attune seed; numpy uses seed + 1000")
    ap.add_argument("--variant", action="append", default=[],
                    help="sensitivity check only: run the NumPy side with a deliberately "
                         "different reading (see reference_numpy.simulate); repeatable")
    ap.add_argument("--keep", default=None, help="directory to keep attune.h5 / numpy.csv in")
    args = ap.parse_args()

    for name in args.scenarios:
        sc = SCENARIOS[name]
        with tempfile.TemporaryDirectory() as tmp:
            work = tmp
            if args.keep:
                work = os.path.join(args.keep, name)
                os.makedirs(work, exist_ok=True)
            t0 = time.time()
            att, resolved = run_attune(args.binary, sc["set"], args.infants, args.days,
                                       args.seed, work)
            t1 = time.time()
            tm = resolved["time"]
            cg = numpy_inputs(att, resolved)
            npy = ref.simulate(cg, infant=resolved["infant"], days=tm["days"],
                               sessions_per_day=tm["sessions_per_day"],
                               session_s=tm["session_s"], dt=tm["dt"],
                               seed=args.seed + 1000, n=len(att), variants=args.variant)
            t2 = time.time()
            if args.keep:
                npy.to_csv(os.path.join(work, "numpy.csv"), index=False)
            lines, flagged = compare(att, npy)
        var = f" [NUMPY VARIANT: {', '.join(args.variant)}]" if args.variant else ""
        print(f"=== {name}: {sc['what']}{var}")
        print(f"    --set {' --set '.join(sc['set']) if sc['set'] else '(none)'}; "
              f"{len(att)} infants x {tm['days']} days x {tm['sessions_per_day']} sessions x "
              f"{tm['session_s']} s, dt {tm['dt']}; attune {t1 - t0:.1f} s, numpy {t2 - t1:.1f} s")
        print("\n".join(lines))
        print(f"    |z| or |paired z| > 4: {', '.join(flagged) if flagged else 'none'}")
        print(flush=True)


if __name__ == "__main__":
    main()
