"""An independent NumPy implementation of the `mutual` model, from docs/MODEL2.md §3 and §7.

Written from the document's equations, not from the C++ (models/mutual/), vectorised over dyads
(one caregiver each, ordinary sessions only: no protocols). The random numbers are NumPy's, so
the comparison with attune is of outcome distributions, not of bytes.

    /usr/bin/python3 analysis/docking/mutual_numpy.py                  # the three docking sets
    /usr/bin/python3 analysis/docking/mutual_numpy.py --infants 200 --days 60 --seed 3

The C++ side of the same sets (same sizes, its own random numbers):

    ./build/tests/test_models --gtest_also_run_disabled_tests --gtest_filter='*MutualDocking*'
"""

from __future__ import annotations

import argparse
import math

import numpy as np

# Defaults of MODEL2.md §2.1 and §2.2.
CAREGIVER = dict(sensitivity=0.75, dismissing=0.19, preoccupied=0.15, unresolved=0.15, baseline_stress=0.2,
                 caregiver_regulation=0.02, contagion=0.02, caregiver_noise=0.02, notice_rate=0.6, distress_notice_rate=0.3,
                 own_agenda_rate=6.0, return_rate=4.0, soothing_gain=0.06, fr_max=0.03, fr_threshold=0.8,
                 fr_slope=12.0, fr_unresolved=6.0)
INFANT = dict(state_change_rate=1.0, weight_avert=0.25, weight_attend=0.4, weight_positive=0.35,
              weight_protest=1.0, play_contagion=2.0, infant_noise=0.02, stressor_rate=1.0, stressor_size=0.3,
              distress_threshold=0.6, mismatch_stress=0.01, comfort_resistance=1.0, avert_regulation=0.02, fright_input=0.3,
              regulation_initial=0.01, regulation_max=0.05, temperament_sd=0.3, coregulation_rate=0.003,
              maturation_per_day=0.001, response_window_s=20.0, expectation_rate=0.05, rejection_rate=0.05,
              fear_rate=0.02, fear_forgetting_per_day=0.03, strategy_rate=0.05, gain_min=0.2, gain_max=3.0,
              hyper=1.0, deact=2.0, shock_s=60.0, dissociation_s=30.0, hpa_release_tau_s=720.0,
              hpa_clearance_tau_s=2700.0, hpa_gain=0.01, sensitization_rate=0.02, sensitization_gain=2.0,
              sensitization_decay_per_day=0.01, d_threshold=0.4, organized_threshold=0.35)

# Docking sets: a few caregivers, each given to every infant of its run.
SETS = {
    "default": {},
    "sensitive": dict(sensitivity=0.9, dismissing=0.0, preoccupied=0.0, unresolved=0.0),
    "frightening": dict(sensitivity=0.5, unresolved=0.7, baseline_stress=0.4),
}

AVERT, ATTEND, POSITIVE, PROTEST = 0, 1, 2, 3
AWAY, C_ATTEND, PLAY, SOOTHE = 0, 1, 2, 3


def hazard_p(h, dt=1.0):
    return -np.expm1(-h * dt)


def fitting(i, distressed):
    """Soothe for protest and for distress not shown as positive; play for positive; else attend."""
    out = np.where(i == POSITIVE, PLAY, C_ATTEND)
    return np.where((i == PROTEST) | (distressed & (i != POSITIVE)), SOOTHE, out)


def simulate(cg: dict, ip: dict, n: int, days: int, seed: int, sessions_per_day=4, session_s=300, dt=1.0):
    rng = np.random.default_rng(seed)
    c = {**CAREGIVER, **cg}
    p = {**INFANT, **ip}
    th = p["distress_threshold"]
    t1, t2 = p["hpa_release_tau_s"], p["hpa_clearance_tau_s"]
    gap = 86400.0 / sessions_per_day - session_s
    steps = int(round(session_s / dt))
    # Birth.
    st = p["temperament_sd"]
    cap = np.exp(st * rng.standard_normal(n) - st * st / 2)
    rcap = p["regulation_max"] * cap
    r = p["regulation_initial"] * cap
    E = np.full(n, 0.5)
    V = np.full(n, 0.25)
    R = np.zeros(n)
    g = np.ones(n)
    F = np.zeros(n)
    z1 = np.zeros(n)
    z = np.zeros(n)
    S = np.zeros(n)
    tot = dict(time=0.0, coord=np.zeros(n), pos=np.zeros(n), neg=np.zeros(n), repairs=np.zeros(n),
               episodes=np.zeros(n), fr=np.zeros(n))
    p_stress = hazard_p(p["stressor_rate"] / 60, dt)
    p_switch = hazard_p(p["state_change_rate"], dt)
    p_agenda = hazard_p(c["own_agenda_rate"] / 60 * (1 + 2 * c["preoccupied"]), dt)
    p_return = hazard_p(c["return_rate"] / 60, dt)
    contagion = c["contagion"] * (1 - c["dismissing"]) * (1 + c["preoccupied"])
    misread_options = {C_ATTEND: (PLAY, SOOTHE), PLAY: (C_ATTEND, SOOTHE), SOOTHE: (C_ATTEND, PLAY)}
    agenda_options = {AWAY: (C_ATTEND, PLAY), C_ATTEND: (AWAY, PLAY), PLAY: (AWAY, C_ATTEND), SOOTHE: (AWAY, C_ATTEND, PLAY)}
    idx = np.arange(n)

    def learn(mask_all, responded, frightened, rejected, shock, duration):
        nonlocal E, V, R, g, S, r
        # An episode that ended on its own, unanswered, within the window teaches nothing (§7.6).
        brief = ~responded & ~frightened & ~rejected & ~shock & (duration < p["response_window_s"])
        mask = mask_all & ~brief
        o = (responded & ~frightened).astype(float)
        err = o - E
        E = np.where(mask, E + p["expectation_rate"] * err, E)
        V = np.where(mask, V + p["expectation_rate"] * (err * err - V), V)
        R = np.where(mask, R + p["rejection_rate"] * (rejected.astype(float) - R), R)
        spread = np.minimum(1.0, 4 * V) ** 3
        pressure = np.maximum(R, (1 - E) * (1 - spread))
        up = 1 + p["hyper"] * (p["gain_max"] - 1) * spread
        down = np.maximum(1 - p["deact"] * pressure, p["gain_min"])
        target = np.clip(np.where(up * down >= 1, up, down), p["gain_min"], p["gain_max"])
        g = np.where(mask, g + p["strategy_rate"] * (target - g), g)
        sens = mask_all & (~responded | shock)
        S = np.where(sens, S + p["sensitization_rate"] * (1 - S), S)
        co = mask_all & responded & ~shock
        r = np.where(co, r + p["coregulation_rate"] * (rcap - r), r)

    for day in range(days):
        for _ in range(sessions_per_day):
            m_avail = 1 - c["preoccupied"] * rng.random(n)
            x = np.zeros(n)
            y = np.full(n, c["baseline_stress"])
            i = np.full(n, ATTEND)
            cs = np.full(n, C_ATTEND)
            diss = np.zeros(n)
            open_ = np.zeros(n, bool)
            onset = np.zeros(n)
            latency = np.full(n, np.inf)
            fright = np.zeros(n, bool)
            rej = np.zeros(n, bool)
            unatt = np.zeros(n)
            was = np.ones(n, bool)
            for k in range(steps):
                t = k * dt
                dissociated = diss > 0
                # 1 stressor
                hit = rng.random(n) < p_stress
                x = np.where(hit, 1 - (1 - x) * np.exp(-p["stressor_size"] * rng.exponential(size=n)), x)
                # 2 partner
                s_eff = c["sensitivity"] * (1 - y)
                fit = fitting(i, x > th)
                loud = np.where((i == PROTEST) & ~dissociated, g, 1.0)
                rate = np.where(fit == SOOTHE, c["distress_notice_rate"], c["notice_rate"])
                pn = hazard_p(rate * m_avail * s_eff * loud, dt)
                u = rng.random(n)
                noticed = u < pn
                respond = noticed & (cs != fit)
                v = np.where(noticed, u / np.where(pn > 0, pn, 1), 1.0)
                # A dismissing caregiver turns away from noticed distress with probability d; the
                # rest of the uniform then decides the reading (MODEL2.md §7.2).
                d = c["dismissing"]
                turn = (fit == SOOTHE) & (v < d)
                v = np.where(fit == SOOTHE, (v - d) / (1 - d if d < 1 else 1), v)
                right = ~turn & (v < s_eff)
                w = (v - s_eff) / np.where(s_eff < 1, 1 - s_eff, 1)
                new_c = cs.copy()
                new_c = np.where(respond & turn, AWAY, new_c)
                new_c = np.where(respond & right, fit, new_c)
                for f_state, opts in misread_options.items():
                    sel = respond & ~turn & ~right & (fit == f_state)
                    choice = np.clip((w * 2).astype(int), 0, 1)
                    new_c = np.where(sel, np.array(opts)[choice], new_c)
                ua = rng.random(n)
                back = ~noticed & (cs == AWAY) & (ua < p_return)
                new_c = np.where(back, C_ATTEND, new_c)
                agenda = ~noticed & (cs != AWAY) & (ua < p_agenda)
                wa = ua / p_agenda
                for cur, opts in agenda_options.items():
                    sel = agenda & (cs == cur)
                    choice = np.minimum((wa * len(opts)).astype(int), len(opts) - 1)
                    new_c = np.where(sel, np.array(opts)[choice], new_c)
                cs = new_c
                engaged = cs != AWAY
                pfr = c["fr_max"] / (1 + np.exp(-(c["fr_slope"] * (y - c["fr_threshold"]) + c["fr_unresolved"] * c["unresolved"])))
                fr = engaged & (rng.random(n) < np.minimum(1.0, pfr * dt))
                # 3 infant state
                ui = rng.random(n)
                sw = ~dissociated & (ui < p_switch)
                wv = ui / p_switch
                rel = x / th
                # while soothed, a hyperactivating infant protests as if aroused (1 + rho_R (g - 1)+) times more
                resisting = np.where(cs == SOOTHE, 1 + p["comfort_resistance"] * np.maximum(g - 1, 0), 1.0)
                weights = np.stack([
                    p["weight_avert"] * (1 + rel / g) * (1 + F),
                    np.full(n, p["weight_attend"]),
                    p["weight_positive"] * (1 - x) ** 2 * np.where(cs == PLAY, 1 + p["play_contagion"], 1.0),
                    p["weight_protest"] * g * (rel * resisting) ** 4,
                ])
                cum = np.cumsum(weights, axis=0)
                pick = wv * cum[-1]
                chosen = (pick[None, :] >= cum).sum(axis=0).clip(0, 3)
                i = np.where(sw, chosen, i)
                i = np.where(dissociated, AVERT, i)
                # 4 arousal
                matched = engaged & ~dissociated & (i != AVERT) & (cs == fitting(i, x > th))
                bid = ~dissociated & (i != AVERT)
                drive = p["mismatch_stress"] * (bid & ~matched)
                relief = r + np.where(~dissociated & (i == AVERT), p["avert_regulation"], 0.0) + np.where(
                    ~dissociated & engaged & (cs == SOOTHE),
                    c["soothing_gain"] * (1 - y) / (1 + p["comfort_resistance"] * np.maximum(g - 1, 0)), 0.0)
                x = x + (drive * (1 - x) - relief * x) * dt + p["infant_noise"] * math.sqrt(dt) * rng.standard_normal(n)
                x = np.where(fr, 1 - (1 - x) * (1 - p["fright_input"]), x)
                x = np.clip(x, 0, 1)
                # 5 partner arousal
                pull = np.where(engaged, contagion, 0.0)
                y = np.clip(y + (-c["caregiver_regulation"] * (y - c["baseline_stress"]) + pull * x * (1 - y)) * dt
                            + c["caregiver_noise"] * math.sqrt(dt) * rng.standard_normal(n), 0, 1)
                # 6 HPA
                z = z + (z1 / t1 - z / t2) * dt
                z1 = z1 + (-z1 / t1 + p["hpa_gain"] * (1 + p["sensitization_gain"] * S) * np.maximum(x - th, 0)) * dt
                # 7 coordination
                tot["repairs"] += matched & ~was
                was = matched
                tot["coord"] += matched * dt
                tot["pos"] += (i == POSITIVE) * dt
                tot["neg"] += (i == PROTEST) * dt
                tot["fr"] += fr
                # 8 fear
                F = np.where(fr, F + p["fear_rate"] * (1 - F), F)
                # 9 episodes
                started = ~open_ & ~dissociated & (x > th)
                onset = np.where(started, t, onset)
                latency = np.where(started, np.inf, latency)
                fright = np.where(started, False, fright)
                rej = np.where(started, False, rej)
                unatt = np.where(started, 0.0, unatt)
                open_ = open_ | started
                latency = np.where(open_ & np.isinf(latency) & engaged & (cs == SOOTHE), t - onset, latency)
                fright = fright | (open_ & fr)
                rej = rej | (open_ & respond & turn)
                unatt = np.where(open_ & (x > th) & (~engaged | fr), unatt + dt, 0.0)
                shock = open_ & (unatt >= p["shock_s"])
                ended = open_ & ((x < th / 2) | shock)
                if ended.any():
                    learn(ended, latency <= p["response_window_s"], fright, rej, shock, t - onset)
                tot["episodes"] += ended
                open_ = open_ & ~ended
                diss = np.where(shock, p["dissociation_s"], diss)
                diss = np.where(dissociated, np.maximum(diss - dt, 0), diss)
            tot["time"] += steps * dt
            # gap: exact decay
            d1, d2 = math.exp(-gap / t1), math.exp(-gap / t2)
            z = z * d2 + z1 * t2 / (t2 - t1) * (d2 - d1)
            z1 = z1 * d1
        r = r + p["maturation_per_day"] * (rcap - r)
        S = S * (1 - p["sensitization_decay_per_day"])
        F = F * (1 - p["fear_forgetting_per_day"])

    avoid = np.clip((1 - g) / (1 - p["gain_min"]), 0, 1)
    resist = np.clip((g - 1) / (p["gain_max"] - 1), 0, 1)
    organized = np.where((avoid < p["organized_threshold"]) & (resist < p["organized_threshold"]), "B",
                         np.where(avoid >= resist, "A", "C"))
    cls = np.where(F > p["d_threshold"], "D", organized)
    minutes = tot["time"] / 60
    return dict(expectation=E, signal_gain=g, fear=F, rejection=R, regulation=r, sensitization=S,
                coordinated_fraction=tot["coord"] / tot["time"], repairs_per_min=tot["repairs"] / minutes,
                positive_share=tot["pos"] / tot["time"], negative_share=tot["neg"] / tot["time"],
                fr_per_hour=tot["fr"] / (minutes / 60), classification=cls)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--infants", type=int, default=200)
    ap.add_argument("--days", type=int, default=60)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("sets", nargs="*", default=list(SETS))
    a = ap.parse_args()
    for name in a.sets:
        out = simulate(SETS[name], {}, a.infants, a.days, a.seed)
        cls = out.pop("classification")
        shares = " ".join(f"{k} {np.mean(cls == k):.3f}" for k in "BACD")
        means = " ".join(f"{k} {np.mean(v):.4f}" for k, v in out.items())
        print(f"{name}: {means} | {shares}")


if __name__ == "__main__":
    main()
