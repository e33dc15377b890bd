"""Model docking for the `mutual` model: attune (C++) against mutual_independent.py (NumPy).

mutual_independent.py was written from docs/MODEL2.md alone (see its docstring and README.md).
For each named set: write a minimal mutual scenario, run `attune run` with --set overrides
into an HDF5 file, read /infants, then run mutual_independent.simulate with the same caregivers:
every caregiver column attune records in /infants (sensitivity, dismissing, preoccupied,
unresolved, baseline_stress, since 2 December 2026 own_agenda_rate and return_rate, and since 3
December anomalous). A drawn
caregiver parameter that an older attune did not record is drawn again on the NumPy side from the
same distribution (so for it the pairing is only distributional); every fixed parameter,
the infant parameters and the time structure come from the resolved scenario stored in the
file's `scenario` attribute. Then compare, as compare.py does for the reference model:

  * class shares: chi-square on the 2 x k table of present classes; two-proportion z per class;
  * per outcome: mean and sd on each side, Welch z, Cohen's d, KS p, and a paired z over the
    same-caregiver pairs (infant i on both sides); rows with |z| or |paired z| > 4 are starred.

Usage (/usr/bin/python3 has numpy, scipy, pandas, h5py, yaml):

    /usr/bin/python3 analysis/docking/compare_mutual.py                      # all sets
    /usr/bin/python3 analysis/docking/compare_mutual.py sensitive frightening
    /usr/bin/python3 analysis/docking/compare_mutual.py --docked         # the docked readings
    /usr/bin/python3 analysis/docking/compare_mutual.py defaults --docked --variant match_after
    /usr/bin/python3 analysis/docking/compare_mutual.py --infants 300 --days 60 --binary build/attune
    /usr/bin/python3 analysis/docking/compare_mutual.py defaults --docked --secure-e-min 0   # θ_E off
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
import mutual_independent as mi  # noqa: E402
from compare import outcome_stats  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLASSES = ["B", "A", "C", "D"]
COMPARED = [
    "expectation", "unpredictability", "rejection", "signal_gain", "fear", "regulation",
    "sensitization", "security", "avoidance", "resistance", "episodes", "shocks",
    "responded_share", "coordinated_fraction", "repairs_per_min", "ruptures_per_min",
    "positive_share", "negative_share", "fr_per_hour", "cortisol",
]

SETS = {
    "defaults": {"what": "the model's default population (spreads and copula)", "set": []},
    "sensitive": {"what": "sensitivity 0.9, dismissing = preoccupied = unresolved = anomalous = 0",
                  "set": ["caregiver.sensitivity=0.9", "caregiver.dismissing=0",
                          "caregiver.preoccupied=0", "caregiver.unresolved=0",
                          "caregiver.anomalous=0"]},
    "frightening": {"what": "sensitivity 0.5, unresolved 0.7, baseline_stress 0.4",
                    "set": ["caregiver.sensitivity=0.5", "caregiver.unresolved=0.7",
                            "caregiver.baseline_stress=0.4"]},
    "rejecting": {"what": "dismissing 0.7 (others: default spreads)",
                  "set": ["caregiver.dismissing=0.7"]},
    "preoccupied": {"what": "preoccupied 0.7 (others: default spreads)",
                    "set": ["caregiver.preoccupied=0.7"]},
    "dt_half": {"what": "default population, dt 0.5", "set": ["time.dt=0.5"]},
    "fixed_rates": {"what": "default population with own_agenda_rate 6 and return_rate 4 "
                            "fixed (every caregiver parameter paired)",
                    "set": ["caregiver.own_agenda_rate=6", "caregiver.return_rate=4"]},
}

MINIMAL_SCENARIO = "name: docking-mutual\nmodel: mutual\nseed: {seed}\n"


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
        commit = f.attrs.get("git_commit", "?")
        if isinstance(commit, bytes):
            commit = commit.decode()
    for col in df.columns:
        if df[col].dtype.kind in "SO":
            df[col] = df[col].map(lambda v: v.decode("utf-8").rstrip("\x00")
                                  if isinstance(v, bytes) else v)
    return df, resolved, commit


def draw(spec, n, rng):
    """Draw n values from a scenario distribution (docs/SCENARIOS.md) or a fixed value."""
    if not isinstance(spec, dict):
        return np.full(n, float(spec))
    kind = spec["dist"]
    if kind == "fixed":
        return np.full(n, float(spec["value"]))
    if kind == "beta":
        m, k = spec["mean"], spec["concentration"]
        return rng.beta(m * k, (1 - m) * k, n)
    if kind == "lognormal":
        m, s = spec["mean"], spec["log_sd"]
        return m * np.exp(s * rng.standard_normal(n) - s * s / 2)
    if kind == "uniform":
        return rng.uniform(spec["min"], spec["max"], n)
    raise SystemExit(f"distribution {kind} not supported for an unrecorded parameter")


def numpy_inputs(att, resolved, rng):
    """Caregiver arrays per infant: drawn columns from attune, the rest from the profile."""
    n = len(att)
    profiles = {p["name"]: p.get("caregiver", {}) for p in resolved["profiles"]}
    recorded = [k for k in mi.CAREGIVER_DEFAULTS if k in att.columns]
    cg = {k: att[k].to_numpy(dtype=float) for k in recorded}
    redrawn = set()
    for key, default in mi.CAREGIVER_DEFAULTS.items():
        if key in recorded:
            continue
        vals = np.full(n, float(default))
        for name, cmap in profiles.items():
            spec = cmap.get(key, default)
            if isinstance(spec, dict) and spec.get("dist") != "fixed":
                redrawn.add(key)
            sel = (att["profile"] == name).to_numpy() if len(profiles) > 1 else np.ones(n, bool)
            vals[sel] = draw(spec, int(sel.sum()), rng)
        cg[key] = vals
    return cg, sorted(redrawn)


def compare(att, npy):
    lines = []
    na, nn = len(att), len(npy)
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
    flagged = []
    for c in CLASSES:
        pa, pn = ca[c] / na, cn[c] / nn
        pool = (ca[c] + cn[c]) / (na + nn)
        se = np.sqrt(pool * (1 - pool) * (1 / na + 1 / nn))
        z = (pa - pn) / se if se > 0 else 0.0
        mark = " *" if abs(z) > 4 else ""
        if mark:
            flagged.append(f"class {c}")
        lines.append(f"  {c:<6}{pa:>9.3f}{pn:>9.3f}{z:>8.2f}{mark}")
    agree = (att["classification"].to_numpy() == npy["classification"].to_numpy()).mean()
    lines.append(f"  same class for the same caregiver: {agree:.3f}")
    lines.append("outcomes (z = (attune - numpy) / SE of the difference; d = Cohen's d; "
                 "paired z over same-caregiver pairs; * = |z| or |paired z| > 4)")
    lines.append(f"  {'outcome':<22}{'attune mean':>12}{'(sd)':>10}{'numpy mean':>12}{'(sd)':>10}"
                 f"{'z':>8}{'d':>7}{'KS p':>9}{'paired z':>10}")
    for o in COMPARED:
        xa = att[o].to_numpy(dtype=float)
        xn = npy[o].to_numpy(dtype=float)
        ma, sa, mn, sn, z, d, ks, zp = outcome_stats(xa, xn)
        mark = " *" if max(abs(z), abs(zp)) > 4 else ""
        if mark:
            flagged.append(o)
        lines.append(f"  {o:<22}{ma:>12.4g}{sa:>10.3g}{mn:>12.4g}{sn:>10.3g}"
                     f"{z:>8.2f}{d:>7.2f}{ks:>9.2g}{zp:>10.2f}{mark}")
    return lines, flagged


def main():
    ap = argparse.ArgumentParser(description="dock attune's mutual model against "
                                             "mutual_independent.py")
    ap.add_argument("sets", nargs="*", default=[k for k in SETS if k != "fixed_rates"],
                    help=f"any of {', '.join(SETS)} (default: all but fixed_rates)")
    ap.add_argument("--binary", default=os.path.join(REPO, "build", "attune"))
    ap.add_argument("--infants", type=int, default=300)
    ap.add_argument("--days", type=int, default=60)
    ap.add_argument("--seed", type=int, default=7, help="attune seed; numpy uses seed + 1000")
    ap.add_argument("--variant", action="append", default=[], choices=sorted(mi.VARIANTS),
                    help="run the NumPy side with an alternative reading (repeatable)")
    ap.add_argument("--docked", action="store_true",
                    help="add the three readings the docking found attune to use: "
                         + ", ".join(mi.DOCKED_READINGS))
    ap.add_argument("--secure-e-min", type=float, default=None,
                    help="NumPy side only: override θ_E (B needs E >= θ_E), which is otherwise "
                         "read from the resolved scenario (infant.secure_expectation)")
    ap.add_argument("--keep", default=None, help="directory to keep attune.h5 / numpy.csv in")
    args = ap.parse_args()
    if args.docked:
        args.variant = list(dict.fromkeys(list(mi.DOCKED_READINGS) + args.variant))

    for name in args.sets:
        sc = SETS[name]
        with tempfile.TemporaryDirectory() as tmp:
            work = tmp
            if args.keep:
                work = os.path.join(args.keep, name)
                os.makedirs(work, exist_ok=True)
            t0 = time.time()
            att, resolved, commit = run_attune(args.binary, sc["set"], args.infants, args.days,
                                               args.seed, work)
            t1 = time.time()
            tm = resolved["time"]
            rng = np.random.default_rng(args.seed + 2000)
            cg, redrawn = numpy_inputs(att, resolved, rng)
            ip = dict(resolved.get("infant", {}))
            if "secure_expectation" not in ip:      # an attune from before θ_E (main fdcb1d0)
                ip["secure_expectation"] = 0.0
            if args.secure_e_min is not None:
                ip["secure_expectation"] = args.secure_e_min
            npy = mi.simulate(cg, ip, days=tm["days"], sessions_per_day=tm["sessions_per_day"],
                              session_s=tm["session_s"], dt=tm["dt"], seed=args.seed + 1000,
                              n=len(att), variants=args.variant)
            t2 = time.time()
            if args.keep:
                npy.to_csv(os.path.join(work, "numpy.csv"), index=False)
            lines, flagged = compare(att, npy)
        var = f" [NUMPY VARIANT: {', '.join(args.variant)}]" if args.variant else ""
        print(f"=== {name}: {sc['what']}{var}")
        print(f"    --set {' --set '.join(sc['set']) if sc['set'] else '(none)'}; attune "
              f"{commit}; {len(att)} infants x {tm['days']} days x {tm['sessions_per_day']} "
              f"sessions x {tm['session_s']} s, dt {tm['dt']}; attune {t1 - t0:.1f} s, "
              f"numpy {t2 - t1:.1f} s")
        if redrawn:
            print(f"    not recorded per infant, drawn again on the NumPy side: "
                  f"{', '.join(redrawn)}")
        print("\n".join(lines))
        print(f"    |z| or |paired z| > 4: {', '.join(flagged) if flagged else 'none'}")
        print(flush=True)


if __name__ == "__main__":
    main()
