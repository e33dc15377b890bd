"""Step-level check of the `mutual` model's learning: replay attune's own episodes.

The docking (compare_mutual.py) compares attune with an independent NumPy model statistically:
both draw their own random numbers. That leaves one residual open (README.md, "Mutual docking"):
the unpredictability ŝ is 2-4% higher in attune in the default population. This script splits
the question in two.

1. **Learning.** attune traces every step of a few infants over a whole run. From the trace the
   distress episodes are rebuilt (onset and end, whether she soothed and when, fright, shock,
   length), and the learning rule of MODEL2.md §7.6, as mutual_independent.py implements it
   (`censored`, `learn_episode`), is applied to them. If the rule is the C++'s, the replay ends at
   attune's final E, ŝ and g for every infant, to rounding.
2. **Episodes.** With learning shown to agree, a remaining difference in ŝ must come from the
   episodes themselves. The script prints, per infant, the episode counts attune produced
   (ended, answered within W, censored, frightened) beside those of mutual_independent.py run
   with the same caregiver, so the two streams can be compared where ŝ is made.

Dismissing is fixed at 0: a turn-away is not in the trace, so rejection could not be rebuilt.

Usage:
    /usr/bin/python3 analysis/docking/replay_learning.py --infants 12 --days 60
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np
import pandas as pd
import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mutual_independent as mi  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOOTHE = 3


def run_attune(binary, infants, days, seed, workdir):
    scenario = os.path.join(workdir, "replay.yaml")
    with open(scenario, "w") as f:
        f.write(f"""name: replay
model: mutual
seed: {seed}
time: {{days: {days}, sessions_per_day: 4, session_s: 300, dt: 1}}
population: {{infants: {infants}}}
caregiver: {{dismissing: 0}}
trace: {{infants: {list(range(infants))}, days: {list(range(days))}}}
""")
    out = os.path.join(workdir, "replay.h5")
    subprocess.run([binary, "run", scenario, "-o", out, "--quiet", "--force"], check=True)
    with h5py.File(out) as h:
        infants_t = pd.DataFrame(h["infants"][()])
        trace = pd.DataFrame(h["trace/steps"][()])
        resolved = yaml.safe_load(h.attrs["scenario"])
    return infants_t, trace, resolved


def episodes_of(steps: pd.DataFrame, W: float) -> list[dict]:
    """Ended episodes of one infant's trace, in order; an episode open at a session's end is
    dropped (MODEL2.md §7.6)."""
    out = []
    for _, s in steps.groupby(["day", "session"], sort=True):
        start = None
        for row in s.itertuples(index=False):
            if row.episode_start:
                start = {"onset": row.t, "latency": np.inf, "fright": False}
            if start is None:
                continue
            if np.isinf(start["latency"]) and row.partner_state == SOOTHE:
                start["latency"] = row.t - start["onset"]
            start["fright"] = start["fright"] or bool(row.frightening)
            if row.episode_end:
                start["duration"] = row.t - start["onset"]
                start["shock"] = bool(row.shock)
                start["answered"] = start["latency"] <= W
                assert start["answered"] == bool(row.responded), (row.day, row.session, row.t)
                out.append(start)
                start = None
    return out


def replay(eps: list[dict], ip: dict) -> dict:
    E, V, R, g = 0.5, 0.25, 0.0, 1.0
    counts = {"ended": 0, "answered": 0, "responded": 0, "censored": 0, "frightened": 0}
    for e in eps:
        counts["ended"] += 1
        counts["answered"] += e["answered"]
        counts["frightened"] += e["fright"]
        counts["responded"] += e["answered"] and not e["fright"]
        cens = mi.censored(np.array(e["shock"]), np.array(e["latency"]),
                           np.array(e["duration"]), np.array(e["fright"]), np.array(False),
                           ip["response_window_s"])
        if cens:
            counts["censored"] += 1
            continue
        outcome = e["answered"] and not e["fright"]
        E, V, R, g = (float(v) for v in mi.learn_episode(E, V, R, g, outcome, False, ip))
    return {"E": E, "s_hat": float(mi.unpredictability(V)), "g": g, **counts}


def compare_episodes(df, inf, resolved, ip, args):
    """Part 2: the same caregivers in mutual_independent.py (the docked readings), each run
    `numpy_replicates` times with NumPy's own random numbers; per-infant means of the episode
    counts against attune's, with a paired z over infants."""
    keys = ["sensitivity", "preoccupied", "unresolved", "baseline_stress", "own_agenda_rate",
            "return_rate"]
    k = args.numpy_replicates
    fixed = {key: float(v) for key, v in (resolved.get("caregiver") or {}).items()
             if key in mi.CAREGIVER_DEFAULTS and not isinstance(v, dict)}
    cg = {**fixed, **{key: np.tile(inf.sort_values("infant_id")[key].to_numpy(), k) for key in keys}}
    cg["dismissing"] = 0.0
    npy = mi.simulate(cg, ip, days=args.days, seed=args.seed, variants=mi.DOCKED_READINGS)
    n = args.infants
    per = {c: npy[c].to_numpy().reshape(k, n).mean(axis=0)
           for c in ("episodes", "censored_episodes", "responded_share", "unpredictability",
                     "expectation")}
    att = {"episodes": df["ended"].to_numpy(float), "censored_episodes": df["censored"].to_numpy(float),
           "responded_share": (df["responded"] / df["ended"].clip(lower=1)).to_numpy(float),
           "unpredictability": df["ŝ attune"].to_numpy(float),
           "expectation": df["E attune"].to_numpy(float)}
    print(f"\nepisodes, attune (trace) against mutual_independent.py (docked, {k} replicates per "
          f"caregiver), {n} caregivers x {args.days} days:")
    print(f"  {'':<20}{'attune':>10}{'numpy':>10}{'paired z':>10}")
    for c in per:
        diff = att[c] - per[c]
        z = diff.mean() / (diff.std(ddof=1) / np.sqrt(n)) if diff.std(ddof=1) > 0 else 0.0
        print(f"  {c:<20}{att[c].mean():>10.4g}{per[c].mean():>10.4g}{z:>10.2f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--infants", type=int, default=12)
    ap.add_argument("--days", type=int, default=60)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--binary", default=os.path.join(REPO, "build", "attune"))
    ap.add_argument("--numpy-replicates", type=int, default=0,
                    help="also run the same caregivers this many times in mutual_independent.py "
                         "and compare the episode counts (part 2)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        inf, trace, resolved = run_attune(args.binary, args.infants, args.days, args.seed, tmp)
    ip = dict(mi.INFANT_DEFAULTS)
    ip.update({k: float(v) for k, v in (resolved.get("infant") or {}).items()
               if k in ip and not isinstance(v, dict)})
    rows = []
    for i in range(args.infants):
        r = replay(episodes_of(trace[trace.infant_id == i], ip["response_window_s"]), ip)
        a = inf[inf.infant_id == i].iloc[0]
        rows.append({"infant": i, "E attune": a.expectation, "E replay": r["E"],
                     "ŝ attune": a.unpredictability, "ŝ replay": r["s_hat"],
                     "g attune": a.signal_gain, "g replay": r["g"],
                     "ended": r["ended"], "attune episodes": int(a.episodes),
                     "answered": r["answered"], "responded": r["responded"],
                     "censored": r["censored"],
                     "frightened": r["frightened"]})
    df = pd.DataFrame(rows)
    pd.set_option("display.width", 200)
    if args.infants <= 20:
        print(df.to_string(index=False, float_format=lambda v: f"{v:.6g}"))
    if args.numpy_replicates:
        compare_episodes(df, inf, resolved, ip, args)
    worst = max((df["E attune"] - df["E replay"]).abs().max(),
                (df["ŝ attune"] - df["ŝ replay"]).abs().max(),
                (df["g attune"] - df["g replay"]).abs().max())
    same_count = (df["ended"] == df["attune episodes"]).all()
    print(f"\nlargest |attune - replay| over E, ŝ, g: {worst:.3g}; "
          f"episode counts equal: {bool(same_count)}")
    return 0 if worst < 1e-9 and same_count else 1


if __name__ == "__main__":
    sys.exit(main())
