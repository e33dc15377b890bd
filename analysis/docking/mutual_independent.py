"""Independent NumPy re-implementation of attune's `mutual` model (docs/MODEL2.md), for docking.

Written from docs/MODEL2.md alone (sections 2, 3, 5 and 7), by a reader who did not open the
C++ in models/mutual/, its tests, or analysis/docking/mutual_numpy.py (the model author's own port, since
removed). Only ordinary daily sessions are implemented (no protocols, no strangers, no still face),
one caregiver per infant, vectorised over infants, with NumPy's own random numbers (not Philox:
the comparison is statistical).

Every place where MODEL2.md left a choice open is marked `AMBIGUITY <n>` below and listed in
analysis/docking/README.md ("Mutual docking: ambiguities"). Alternative readings can be switched
on with `variants` (see VARIANTS).

Usage:
    /usr/bin/python3 analysis/docking/mutual_independent.py --infants 200 --days 30 \
        --set sensitivity=0.9 --set dismissing=0
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
import pandas as pd

# infant states i
AVERT, ATTEND_I, POSITIVE, PROTEST = 0, 1, 2, 3
# partner behaviour c (still only in protocols: not implemented)
AWAY, ATTEND, PLAY, SOOTHE = 0, 1, 2, 3

CAREGIVER_DEFAULTS = {
    "sensitivity": 0.76, "dismissing": 0.18, "preoccupied": 0.10, "unresolved": 0.15,
    "baseline_stress": 0.2, "anomalous": 0.15, "caregiver_regulation": 0.02, "contagion": 0.02,
    "caregiver_noise": 0.02, "notice_rate": 0.6, "distress_notice_rate": 0.3,
    "own_agenda_rate": 6.0, "return_rate": 4.0, "soothing_gain": 0.06, "fr_max": 0.03,
    "fr_threshold": 1.1, "fr_slope": 8.0, "fr_unresolved": 5.0, "fr_secure_buffer": 1.0,
    "fr_anomalous": 11.4,
}

INFANT_DEFAULTS = {
    "state_change_rate": 1.5, "weight_avert": 0.25, "weight_attend": 0.4,
    "weight_positive": 0.35, "weight_protest": 1.0, "play_contagion": 1.0, "infant_noise": 0.02,
    "stressor_rate": 1.0, "stressor_size": 0.3, "distress_threshold": 0.6,
    "mismatch_stress": 0.02, "separation_stress": 0.02, "comfort_resistance": 1.0,
    "stranger_wariness": 0.01, "stranger_comfort": 0.5, "fright_input": 0.3,
    "avert_regulation": 0.02, "regulation_initial": 0.01, "regulation_max": 0.05,
    "temperament_sd": 0.3, "coregulation_rate": 0.003, "maturation_per_day": 0.001,
    "response_window_s": 20.0, "expectation_rate": 0.05, "rejection_rate": 0.05,
    "fear_rate": 0.02, "fear_forgetting_per_day": 0.03, "fear_display_rate": 0.05,
    "strategy_rate": 0.05, "gain_min": 0.2, "gain_max": 3.0, "hyper": 1.0, "deact": 2.0,
    "shock_s": 60.0, "dissociation_s": 30.0, "hpa_release_tau_s": 720.0,
    "hpa_clearance_tau_s": 2700.0, "hpa_gain": 0.01, "sensitization_rate": 0.02,
    "sensitization_gain": 2.0, "sensitization_decay_per_day": 0.01, "d_threshold": 0.4,
    "organized_threshold": 0.35,
    # θ_E (MODEL2.md §2.2 and §7.9 since main's fdcb1d0, 2 December 2026): an organized
    # relationship is B only if also E >= θ_E; 0 gives the rule as it was before
    "secure_expectation": 0.5,
    # Δ_c (MODEL2.md §2.2, §7.6): ruptures and repairs are coded once per Δ_c seconds, on the
    # step that reaches the next multiple of Δ_c (every step when Δ_c <= dt)
    "coding_interval_s": 1.0,
}

VARIANTS = {
    "answered_any": "AMBIGUITY 6: 'answered' (S/r update, responded_share) = any engaged soothing "
                    "during the episode, not latency <= W",
    "match_after": "AMBIGUITY 4: coordination (step 7) re-evaluates matched with the arousal "
                   "after step 4 instead of reusing step 4's matched",
    "stressor_late": "AMBIGUITY 10: the stressor is applied at step 4 (just before the arousal "
                     "update), so partner and infant state see the pre-stressor arousal",
    "learn_open": "AMBIGUITY 7: an episode still open at session end is closed and learned from "
                  "(as ended on its own) instead of being dropped",
    "fr_seconds": "AMBIGUITY 9: FR is an act of dt seconds: fear gain and fright input scale "
                  "with dt (only matters for dt != 1)",
    "no_onset_flags": "AMBIGUITY 5: fright/turn-away in the step in which the episode starts do "
                      "not set its flags",
    "notice_holds": "AMBIGUITY 1: a caregiver who notices the infant while already doing the "
                    "fitting thing (U_notice < P_notice, c = F) keeps it: no own-agenda change or "
                    "return in that step",
    "responded_outcome": "AMBIGUITY 2: responded_share counts episodes whose outcome o was 1 "
                         "(answered within W and not frightened), not all answered ones",
    "unattended_consecutive": "AMBIGUITY 3: the unattended time restarts from 0 whenever the "
                              "infant is attended (consecutive unattended distress), instead of "
                              "accumulating over the episode",
    "duration_steps": "AMBIGUITY 16: an episode's length for censoring counts its steps "
                      "(end - onset + dt), so one more step than end - onset",
    "window_strict": "AMBIGUITY 21: a response must come strictly before W (latency < W), not "
                     "within it (latency <= W)",
    "no_censor": "diagnostic only (not a reading of MODEL2.md): no episode is censored",
    "misread_stay": "AMBIGUITY 8: a misreading caregiver's state is chosen among all engaged "
                    "states but F excluding her current one as well (when possible)",
}

# The three alternative readings that the docking (compare_mutual.py) found attune to use: with
# them every outcome of every set agrees within sampling noise (README.md, "Mutual docking").
DOCKED_READINGS = ("notice_holds", "responded_outcome", "unattended_consecutive")


# ----------------------------------------------------------------------------- small pure pieces
def p_hazard(h, dt):
    """P(h) = 1 - exp(-h dt) (MODEL2.md §7)."""
    return -np.expm1(-np.asarray(h, dtype=float) * dt)


def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def unpredictability(V):
    """ŝ = (min(1, 4V))^3 (§7.6)."""
    return np.minimum(1.0, 4.0 * np.asarray(V, dtype=float)) ** 3


def strategy_target(E, V, R, ip):
    """g* of §7.6 from the (already updated) E, V, R. Returns (g*, up, down)."""
    sh = unpredictability(V)
    P = np.maximum(R, (1.0 - E) * (1.0 - sh))
    up = 1.0 + ip["hyper"] * (ip["gain_max"] - 1.0) * sh
    down = np.maximum(1.0 - ip["deact"] * P, ip["gain_min"])
    gstar = np.where(up * down >= 1.0, up, down)
    return gstar, up, down


def learn_episode(E, V, R, g, outcome, rejected, ip):
    """Delta rules of §7.6 for one (uncensored) episode; vectorised. Returns new E, V, R, g."""
    o = np.asarray(outcome, dtype=float)
    delta = o - E
    E2 = E + ip["expectation_rate"] * delta
    V2 = V + ip["expectation_rate"] * (delta ** 2 - V)
    R2 = R + ip["rejection_rate"] * (np.asarray(rejected, dtype=float) - R)
    gstar, _, _ = strategy_target(E2, V2, R2, ip)
    g2 = g + ip["strategy_rate"] * (gstar - g)
    return E2, V2, R2, g2


def censored(ended_by_shock, latency, duration, fright, rejected, W):
    """§7.6: ended on its own, unanswered, shorter than W, no fright, rejection or shock."""
    return (~ended_by_shock) & np.isinf(latency) & (duration < W) & (~fright) & (~rejected)


def fr_probability(y, u, cg):
    """p_FR(y) = p_FR^max σ(β_y (y − θ_FR) + β_u w u + β_a a) per s, with the weight of unresolved
    loss w = 1 − ω_F (1 − n), her insecurity n = 1 − (1 − d)(1 − p) and her anomalous caregiving
    a, which no state of mind buffers (§5.4, §7.2)."""
    insecure = 1.0 - (1.0 - cg["dismissing"]) * (1.0 - cg["preoccupied"])
    weight = 1.0 - cg["fr_secure_buffer"] * (1.0 - insecure)
    return cg["fr_max"] * sigmoid(cg["fr_slope"] * (y - cg["fr_threshold"])
                                  + cg["fr_unresolved"] * weight * u
                                  + cg["fr_anomalous"] * cg["anomalous"])


def hpa_gap(z1, z, G, t1, t2):
    """Exact decay of the two HPA stages over a gap G without input (§7.5)."""
    e1, e2 = math.exp(-G / t1), math.exp(-G / t2)
    if t1 == t2:
        zn = z * e2 + z1 * (G / t1) * e2
    else:
        zn = z * e2 + z1 * t2 / (t2 - t1) * (e2 - e1)
    return z1 * e1, zn


def fitting_response(i, x, thd):
    """F(i, x) of §7.2 with soothing allowed: soothe for protest, or x > θ_d unless positive."""
    distress = (i == PROTEST) | ((x > thd) & (i != POSITIVE))
    return np.where(distress, SOOTHE, np.where(i == POSITIVE, PLAY, ATTEND)), distress


def classify(E, g, F, ip):
    """§7.9 scales and class (with the forced secondary)."""
    av = np.clip((1.0 - g) / (1.0 - ip["gain_min"]), 0.0, 1.0)
    rs = np.clip((g - 1.0) / (ip["gain_max"] - 1.0), 0.0, 1.0)
    thB = ip["organized_threshold"]
    secure = (av < thB) & (rs < thB) & (E >= ip.get("secure_expectation", 0.0))
    organized = np.where(secure, "B", np.where(av >= rs, "A", "C"))
    cls = np.where(F > ip["d_threshold"], "D", organized)
    return av, rs, organized, cls


# ----------------------------------------------------------------------------- the simulation
def _arr(v, n):
    a = np.asarray(v, dtype=float)
    return np.full(n, float(a)) if a.ndim == 0 else a.astype(float).copy()


def simulate(caregivers, infant_params=None, days=60, sessions_per_day=4, session_s=300.0,
             dt=1.0, seed=1, n=None, variants=(), progress=False):
    """Run n infants (one caregiver each) through `days` days of ordinary sessions.

    caregivers: dict key -> scalar or array of n (missing keys take CAREGIVER_DEFAULTS).
    infant_params: dict of infant parameters (missing keys take INFANT_DEFAULTS).
    Returns a DataFrame with one row per infant and the outcome columns of §7.9.
    """
    variants = set(variants)
    unknown = variants - set(VARIANTS)
    if unknown:
        raise ValueError(f"unknown variants {sorted(unknown)}")
    ip = dict(INFANT_DEFAULTS)
    ip.update({k: float(v) for k, v in (infant_params or {}).items() if k in INFANT_DEFAULTS})
    if n is None:
        n = max([np.size(v) for v in caregivers.values()] + [1])
    cg = {k: _arr(caregivers.get(k, dv), n) for k, dv in CAREGIVER_DEFAULTS.items()}
    rng = np.random.default_rng(seed)

    s, d, p, u, bc = (cg[k] for k in ("sensitivity", "dismissing", "preoccupied",
                                      "unresolved", "baseline_stress"))
    thd = ip["distress_threshold"]
    steps = int(round(session_s / dt))
    sq = math.sqrt(dt)
    t1, t2 = ip["hpa_release_tau_s"], ip["hpa_clearance_tau_s"]
    G = max(0.0, 86400.0 / sessions_per_day - session_s)
    rhoR = ip["comfort_resistance"]
    fr_scale = dt if "fr_seconds" in variants else 1.0

    # per-step probabilities that do not depend on state
    p_stress = float(p_hazard(ip["stressor_rate"] / 60.0, dt))
    p_switch = float(p_hazard(ip["state_change_rate"], dt))
    p_return = p_hazard(cg["return_rate"] / 60.0, dt)
    p_agenda = p_hazard(cg["own_agenda_rate"] * (1.0 + 2.0 * p) / 60.0, dt)
    contagion = cg["contagion"] * (1.0 - d) * (1.0 + p)
    d_safe = np.where(d < 1.0, 1.0 - d, 1.0)

    # --- initialization (§5.2, §5.3)
    sT = ip["temperament_sd"]
    cap = np.exp(sT * rng.standard_normal(n) - sT * sT / 2.0)
    r_cap = ip["regulation_max"] * cap
    r = ip["regulation_initial"] * cap
    z1 = np.zeros(n)
    z = np.zeros(n)
    S = np.zeros(n)
    E = np.full(n, 0.5)
    V = np.full(n, 0.25)
    R = np.zeros(n)
    g = np.ones(n)
    F = np.zeros(n)

    rec = {k: np.zeros(n) for k in ("time", "coord", "pos", "neg", "repairs", "ruptures",
                                    "episodes", "answered", "shocks", "fr", "censored")}
    cort_sum = np.zeros(n)
    cort_cnt = 0
    cort_from_day = days - min(30, days)

    # misreading choices: rows indexed by F (ATTEND, PLAY, SOOTHE), two options each
    mis_opts = np.zeros((4, 2), dtype=np.int64)
    mis_opts[ATTEND] = (PLAY, SOOTHE)
    mis_opts[PLAY] = (ATTEND, SOOTHE)
    mis_opts[SOOTHE] = (ATTEND, PLAY)
    # own agenda: {away, attend, play} other than the current (soothe: all three)
    agenda_opts = np.zeros((4, 3), dtype=np.int64)
    agenda_cnt = np.zeros(4, dtype=np.int64)
    for cur in (AWAY, ATTEND, PLAY, SOOTHE):
        o = [q for q in (AWAY, ATTEND, PLAY) if q != cur]
        agenda_cnt[cur] = len(o)
        agenda_opts[cur] = o + [o[-1]] * (3 - len(o))

    t0 = time.time()
    for day in range(days):
        for sess in range(sessions_per_day):
            # --- session start (§3)
            x = np.zeros(n)
            y = bc.copy()
            i = np.full(n, ATTEND_I, dtype=np.int64)
            c = np.full(n, ATTEND, dtype=np.int64)
            prev = np.ones(n, dtype=bool)
            # MODEL2.md §5.4 since 2 December 2026 (later): all or nothing, available with
            # probability 1 - p/2 (before: m = 1 - p U, the same mean, graded)
            m = (rng.random(n) >= 0.5 * p).astype(float)
            diss_t = np.zeros(n)
            ep_open = np.zeros(n, dtype=bool)
            onset = np.zeros(n)
            lat = np.full(n, np.inf)
            fright = np.zeros(n, dtype=bool)
            rej = np.zeros(n, dtype=bool)
            unatt = np.zeros(n)
            # draws for the whole session
            U = rng.random((steps, 6, n))
            Ex = rng.standard_exponential((steps, n))
            N = rng.standard_normal((steps, 2, n))
            for k in range(steps):
                t = k * dt
                Us, Un, Ua, Ufr, Ui, _ = U[k]
                diss = diss_t > 0.0
                # 1 stressor (AMBIGUITY 10: applied at once; the partner and state see it)
                hit = Us < p_stress
                if hit.any():
                    jump = np.where(hit, -np.expm1(-ip["stressor_size"] * Ex[k]), 0.0)
                    if "stressor_late" not in variants:
                        x = 1.0 - (1.0 - x) * (1.0 - jump)
                # 2 partner
                # only arousal above her resting level lowers her care (§7.2)
                above = np.maximum(y - bc, 0.0)
                seff = s * (1.0 - above)
                Ffit, distress = fitting_response(i, x, thd)
                nu = np.where(distress, cg["distress_notice_rate"], cg["notice_rate"])
                L = np.where(i == PROTEST, g, 1.0)
                Pn = p_hazard(nu * m * seff * L, dt)
                notice = (Un < Pn) & (c != Ffit)
                v = np.where(notice, Un / np.where(Pn > 0, Pn, 1.0), 1.0)
                turn = notice & distress & (v < d)
                v = np.where(notice & distress, (v - d) / d_safe, v)
                right = notice & ~turn & (v < seff)
                mis = notice & ~turn & ~right
                newc = c.copy()
                newc[turn] = AWAY
                newc[right] = Ffit[right]
                if mis.any():
                    w = (v[mis] - seff[mis]) / np.where(seff[mis] < 1.0, 1.0 - seff[mis], 1.0)
                    if "misread_stay" in variants:
                        # choose among the two, but not the current state if one of them is it
                        opts = mis_opts[Ffit[mis]]
                        cur = c[mis]
                        pick = (w >= 0.5).astype(np.int64)
                        one_is_cur = (opts[:, 0] == cur) | (opts[:, 1] == cur)
                        other = np.where(opts[:, 0] == cur, 1, 0)
                        pick = np.where(one_is_cur, other, pick)
                        newc[mis] = opts[np.arange(len(pick)), pick]
                    else:
                        pick = (w >= 0.5).astype(np.int64)
                        newc[mis] = mis_opts[Ffit[mis], pick]
                # AMBIGUITY 1: literally, noticing with c = F falls through to return/own agenda
                if "notice_holds" in variants:
                    rest = ~(Un < Pn)
                else:
                    rest = ~notice
                ret = rest & (c == AWAY) & (Ua < p_return)
                newc[ret] = ATTEND
                ag = rest & (c != AWAY) & (Ua < p_agenda)
                if ag.any():
                    cnt = agenda_cnt[c[ag]]
                    w = Ua[ag] / p_agenda[ag]
                    j = np.minimum((w * cnt).astype(np.int64), cnt - 1)
                    newc[ag] = agenda_opts[c[ag], j]
                c = newc
                engaged = c != AWAY
                pfr = np.minimum(1.0, fr_probability(y, u, cg) * dt)
                fr = engaged & (Ufr < pfr)
                # (fear displays only enter protocol measures: not simulated)
                # 3 infant state
                rho_x = x / thd
                vr_g = 1.0 + rhoR * np.maximum(g - 1.0, 0.0)
                vr = np.where(c == SOOTHE, vr_g, 1.0)
                w_av = ip["weight_avert"] * (1.0 + rho_x / g) * (1.0 + F)
                w_at = np.full(n, ip["weight_attend"])
                w_po = ip["weight_positive"] * (1.0 - x) ** 2 * (1.0 + ip["play_contagion"]
                                                                 * (c == PLAY))
                w_pr = ip["weight_protest"] * g * (vr * rho_x) ** 4
                redraw = (~diss) & (Ui < p_switch)
                if redraw.any():
                    tot = w_av + w_at + w_po + w_pr
                    q = Ui / p_switch * tot
                    newi = np.where(q < w_av, AVERT,
                                    np.where(q < w_av + w_at, ATTEND_I,
                                             np.where(q < w_av + w_at + w_po, POSITIVE, PROTEST)))
                    i = np.where(redraw, newi, i)
                i = np.where(diss, AVERT, i)
                # 4 arousal (AMBIGUITY 4: matched uses the new i and the pre-update x)
                Fnow, _ = fitting_response(i, x, thd)
                matched = engaged & ~diss & (i != AVERT) & (c == Fnow)
                bid = i != AVERT
                D = ip["mismatch_stress"] * (bid & ~matched)
                soothing = engaged & (c == SOOTHE)
                Q = r + ip["avert_regulation"] * (i == AVERT) + \
                    cg["soothing_gain"] * (1.0 - above) / vr_g * soothing
                Q = np.where(diss, r, Q)
                if "stressor_late" in variants and hit.any():
                    x = 1.0 - (1.0 - x) * (1.0 - jump)
                x = np.clip(x + (D * (1.0 - x) - Q * x) * dt
                            + ip["infant_noise"] * sq * N[k, 0], 0.0, 1.0)
                phi = ip["fright_input"]
                if "fr_seconds" in variants:
                    phi = 1.0 - (1.0 - phi) ** dt
                x = np.where(fr, 1.0 - (1.0 - x) * (1.0 - phi), x)
                # 5 partner arousal
                y = np.clip(y + (-cg["caregiver_regulation"] * (y - bc)
                                 + contagion * x * (1.0 - y) * engaged) * dt
                            + cg["caregiver_noise"] * sq * N[k, 1], 0.0, 1.0)
                # 6 HPA
                z = z + (z1 / t1 - z / t2) * dt
                z1 = z1 + (-z1 / t1 + ip["hpa_gain"] * (1.0 + ip["sensitization_gain"] * S)
                           * np.maximum(x - thd, 0.0)) * dt
                # 7 coordination
                if "match_after" in variants:
                    Fa, _ = fitting_response(i, x, thd)
                    matched = engaged & ~diss & (i != AVERT) & (c == Fa)
                tick = ip.get("coding_interval_s", dt)
                if tick <= dt * (1 + 1e-9) or (np.floor((t + dt) / tick + 1e-9)
                                               > np.floor(t / tick + 1e-9)):
                    rec["repairs"] += matched & ~prev
                    rec["ruptures"] += ~matched & prev
                    prev = matched
                rec["coord"] += matched * dt
                rec["pos"] += (i == POSITIVE) * dt
                rec["neg"] += (i == PROTEST) * dt
                # 8 fear learning (AMBIGUITY 9: one update per FR step)
                if fr.any():
                    gain = 1.0 - (1.0 - ip["fear_rate"]) ** fr_scale
                    F = np.where(fr, F + gain * (1.0 - F), F)
                    rec["fr"] += fr
                # 9 distress episodes
                start = ~ep_open & ~diss & (x > thd)
                if start.any():
                    ep_open = ep_open | start
                    onset = np.where(start, t, onset)
                    lat = np.where(start, np.inf, lat)
                    fright &= ~start
                    rej &= ~start
                    unatt = np.where(start, 0.0, unatt)
                # AMBIGUITY 5: FR/turn-away of the onset step set the new episode's flags
                if "no_onset_flags" in variants:
                    live = ep_open & ~start
                else:
                    live = ep_open
                fright |= fr & live
                rej |= turn & live
                first = ep_open & np.isinf(lat) & soothing
                lat = np.where(first, t - onset, lat)
                # AMBIGUITY 3: literally, unattended time accumulates over the episode
                unatt_now = ep_open & (x > thd) & (~engaged | fr)
                if "unattended_consecutive" in variants:
                    unatt = np.where(unatt_now, unatt + dt, 0.0)
                else:
                    unatt = unatt + dt * unatt_now
                shock = ep_open & (unatt >= ip["shock_s"] - 1e-9)
                end = ep_open & ((x < thd / 2.0) | shock)
                # dissociation timer: counts down the steps dissociated at their start
                diss_t = np.where(diss, np.maximum(diss_t - dt, 0.0), diss_t)
                if end.any():
                    duration = t - onset
                    if "duration_steps" in variants:
                        duration = duration + dt
                    E, V, R, g, S, r = _end_episodes(end, shock, lat, duration, fright, rej,
                                                     E, V, R, g, S, r, r_cap, ip, rec, variants)
                    diss_t = np.where(shock, ip["dissociation_s"], diss_t)
                    ep_open = ep_open & ~end
            # --- session end (AMBIGUITY 7: an episode still open is dropped)
            if "learn_open" in variants and ep_open.any():
                duration = steps * dt - onset
                E, V, R, g, S, r = _end_episodes(ep_open, np.zeros(n, bool), lat, duration,
                                                 fright, rej, E, V, R, g, S, r, r_cap, ip, rec,
                                                 variants)
            rec["time"] += steps * dt
            if day >= cort_from_day:
                cort_sum += z
                cort_cnt += 1
            z1, z = hpa_gap(z1, z, G, t1, t2)
        # --- day end (§7.7)
        r = r + ip["maturation_per_day"] * (r_cap - r)
        S = S * (1.0 - ip["sensitization_decay_per_day"])
        F = F * (1.0 - ip["fear_forgetting_per_day"])
        if progress and (day + 1) % 10 == 0:
            print(f"  day {day + 1}/{days}  {time.time() - t0:.0f} s", flush=True)

    av, rs, organized, cls = classify(E, g, F, ip)
    T = rec["time"]
    out = pd.DataFrame({
        "expectation": E, "unpredictability": unpredictability(V), "rejection": R,
        "signal_gain": g, "fear": F, "regulation": r, "sensitization": S,
        "security": E * (1 - av) * (1 - rs) * (1 - F), "avoidance": av, "resistance": rs,
        "disorganization": F, "classification": cls, "secondary": organized,
        "episodes": rec["episodes"], "shocks": rec["shocks"],
        "responded_share": np.where(rec["episodes"] > 0,
                                    rec["answered"] / np.maximum(rec["episodes"], 1), 0.0),
        "coordinated_fraction": rec["coord"] / T, "repairs_per_min": rec["repairs"] / (T / 60),
        "ruptures_per_min": rec["ruptures"] / (T / 60), "positive_share": rec["pos"] / T,
        "negative_share": rec["neg"] / T, "fr_per_hour": rec["fr"] / (T / 3600),
        "cortisol": cort_sum / max(cort_cnt, 1), "security_binary": (cls == "B").astype(int),
        "censored_episodes": rec["censored"],
    })
    return out


def _end_episodes(end, shock, lat, duration, fright, rej, E, V, R, g, S, r, r_cap, ip, rec,
                  variants):
    """Close the episodes in `end` (§7.6); returns the updated E, V, R, g, S, r."""
    W = ip["response_window_s"]
    cens = end & censored(shock, lat, duration, fright, rej, W)
    if "no_censor" in variants:
        cens = cens & False
    learn = end & ~cens
    within = (lat < W) if "window_strict" in variants else (lat <= W)
    if learn.any():
        o = within & ~fright
        E2, V2, R2, g2 = learn_episode(E, V, R, g, o, rej, ip)
        E = np.where(learn, E2, E)
        V = np.where(learn, V2, V)
        R = np.where(learn, R2, R)
        g = np.where(learn, g2, g)
    # AMBIGUITY 6: 'answered' = soothing within W
    answered = np.isfinite(lat) if "answered_any" in variants else within
    sens = end & (~answered | shock)
    coreg = end & answered & ~shock
    S = np.where(sens, S + ip["sensitization_rate"] * (1.0 - S), S)
    r = np.where(coreg, r + ip["coregulation_rate"] * (r_cap - r), r)
    rec["episodes"] += end
    # AMBIGUITY 2: responded_share is undefined in MODEL2.md; literally: answered within W
    if "responded_outcome" in variants:
        rec["answered"] += end & answered & ~fright
    else:
        rec["answered"] += end & answered
    rec["shocks"] += end & shock
    rec["censored"] += cens
    return E, V, R, g, S, r


def main():
    ap = argparse.ArgumentParser(description="run the independent NumPy mutual model alone")
    ap.add_argument("--infants", type=int, default=200)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--sessions", type=int, default=4)
    ap.add_argument("--session-s", type=float, default=300.0)
    ap.add_argument("--dt", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="fixed caregiver or infant parameter (repeatable)")
    ap.add_argument("--variant", action="append", default=[], choices=sorted(VARIANTS))
    args = ap.parse_args()
    cgv, ipv = {}, {}
    for kv in args.set:
        key, val = kv.split("=", 1)
        if key in CAREGIVER_DEFAULTS:
            cgv[key] = float(val)
        elif key in INFANT_DEFAULTS:
            ipv[key] = float(val)
        else:
            raise SystemExit(f"unknown key {key}")
    t0 = time.time()
    df = simulate(cgv, ipv, days=args.days, sessions_per_day=args.sessions,
                  session_s=args.session_s, dt=args.dt, seed=args.seed, n=args.infants,
                  variants=args.variant)
    print(f"{args.infants} infants x {args.days} days (fixed caregiver {cgv or 'defaults'}, "
          f"no population spread), {time.time() - t0:.1f} s")
    num = df.drop(columns=["classification", "secondary"]).mean()
    print(num.to_string(float_format=lambda v: f"{v:.4g}"))
    print(df["classification"].value_counts(normalize=True).reindex(
        ["B", "A", "C", "D"], fill_value=0).to_string())


if __name__ == "__main__":
    main()
