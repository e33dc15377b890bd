"""Independent NumPy implementation of the reference dyad model (MODEL.md, v1).

Written from /work/shared/MODEL.md alone, for model docking against attune. Vectorised over
infants: every infant has exactly one caregiver, and all infants run the same time structure
(days x sessions_per_day sessions of session_s seconds, step dt), so one Python loop over steps
advances the whole population at once.

Where MODEL.md is ambiguous the most literal reading is taken; the choices are listed in
analysis/docking/README.md and, where two readings are plausible, both outcomes are reported
(e.g. `episodes` counts episodes started, `episodes_ended` counts episodes that ended and were
learned from; `rejection_contingency` is R as last computed at an episode end,
`rejection_contingency_final` is R recomputed from the accumulators at the end of the run).

Usage as a library:

    from reference_numpy import simulate, CAREGIVER_DEFAULTS, INFANT_DEFAULTS
    df = simulate(caregivers, infant=INFANT_DEFAULTS, days=60, seed=1)

where `caregivers` maps every caregiver key to a scalar or an array of length n_infants.
As a script it draws caregivers from MODEL.md's default population and prints a summary.
"""

from __future__ import annotations

import argparse
import math

import numpy as np
import pandas as pd

# ---------------------------------------------------------------------------------------------
# Parameters (MODEL.md defaults)
# ---------------------------------------------------------------------------------------------

CAREGIVER_DEFAULTS = {
    "attunement": 0.7,            # a
    "rupture_rate": 1.0,          # lambda_r, per min
    "repair_rate": 2.0,           # mu, per min
    "rejection": 0.0,             # q
    "baseline_stress": 0.2,       # b_c
    "resonance": 0.05,            # rho, per s
    "caregiver_regulation": 0.05,  # r_c, per s
    "caregiver_noise": 0.05,      # sigma_c, per sqrt(s)
    "soothing_gain": 0.15,        # k, per s
    "perception_noise": 1.0,      # sigma_p
    "intrusiveness": 0.1,         # k_i, per s
    "flood_threshold": 2.0,       # theta_f
    "fright_jump": 0.5,           # J_f, per s
}

# Population spreads of the default population (MODEL.md caregiver table).
POPULATION_DEFAULTS = {
    "attunement": {"dist": "beta", "mean": 0.7, "concentration": 10.0},
    "rupture_rate": {"dist": "lognormal", "mean": 1.0, "log_sd": 0.5},
    "repair_rate": {"dist": "lognormal", "mean": 2.0, "log_sd": 0.5},
    "rejection": {"dist": "lognormal", "mean": 0.0, "log_sd": 0.0},
    "baseline_stress": {"dist": "lognormal", "mean": 0.2, "log_sd": 0.8},
}

INFANT_DEFAULTS = {
    "regulation_initial": 0.01,   # r0
    "regulation_max": 0.05,       # r_max
    "infant_noise": 0.15,         # sigma_x
    "stressor_rate": 1.0,         # lambda_s, per min
    "stressor_size": 1.0,         # J0
    "distress_threshold": 1.0,    # theta_d
    "shock_s": 60.0,              # T_s
    "dissociation_s": 60.0,       # T_D
    "hypoarousal": 0.5,           # h
    "cortisol_tau_s": 1200.0,     # tau_z
    "cortisol_gain": 0.01,        # gamma
    "forgetting": 0.98,           # omega
    "response_window_s": 20.0,    # W
    "response_min": 0.5,          # m
    "strategy_rate": 0.05,        # eta_g
    "gain_min": 0.2,              # g_min
    "gain_max": 3.0,              # g_max
    "hyper": 1.0,                 # H
    "deact": 1.5,                 # D_a
    "signal_floor": 0.5,          # s0
    "contingency_memory_per_day": 0.9,  # w_c
    "fear_rate": 0.05,            # eta_f
    "coregulation_rate": 0.002,   # eta_r
    "maturation_per_day": 0.01,   # m_r
}

TIME_DEFAULTS = {"days": 365, "sessions_per_day": 4, "session_s": 300.0, "dt": 1.0}

OUTCOMES = [
    "availability", "unpredictability", "rejection_contingency", "signal_gain", "fear",
    "regulation", "avoidance", "resistance", "disorganization", "shocks", "episodes",
    "coordinated_fraction", "repairs_per_min", "synchrony", "cortisol",
]


def draw_population(n, spec=None, rng=None):
    """Draw n caregivers: Beta(a*kappa, (1-a)*kappa); log-normal X = m*exp(s*N - s^2/2)."""
    rng = np.random.default_rng(rng)
    spec = dict(POPULATION_DEFAULTS if spec is None else spec)
    out = {}
    for key, d in spec.items():
        if not isinstance(d, dict):
            out[key] = np.full(n, float(d))
            continue
        if d["dist"] == "beta":
            m, kappa = float(d["mean"]), float(d["concentration"])
            if m <= 0.0 or m >= 1.0:
                out[key] = np.full(n, m)
            else:
                out[key] = rng.beta(m * kappa, (1.0 - m) * kappa, size=n)
        elif d["dist"] == "lognormal":
            m, s = float(d["mean"]), float(d["log_sd"])
            out[key] = m * np.exp(s * rng.standard_normal(n) - 0.5 * s * s)
        else:
            raise ValueError(f"unknown distribution {d['dist']!r}")
    return out


def _band(y, theta_d):
    # band(y) = 0 if y < 0.3, 1 if y < theta_d, else 2
    return np.where(y < 0.3, 0, np.where(y < theta_d, 1, 2))


# ---------------------------------------------------------------------------------------------
# The simulation
# ---------------------------------------------------------------------------------------------

def simulate(caregivers, infant=None, days=365, sessions_per_day=4, session_s=300.0, dt=1.0,
             seed=None, n=None, variants=()):
    """Run the reference model for n infants (one caregiver each); return a DataFrame.

    caregivers: dict key -> scalar or array(n); missing keys take MODEL.md defaults.
    infant: dict of infant parameters; missing keys take MODEL.md defaults.
    variants: deliberately *different* readings of MODEL.md, used only to measure how
      sensitive the docking comparison is (default: none, i.e. the literal reading):
        "z_new_z1"        step 7 with the two stages swapped (z uses the updated z1);
        "no_onset_latency" a response in the step the episode starts does not count;
        "prev_false"      coordination "previous" = false at session start;
        "unattended_E0"   unattended distress counts only E = 0 (not flooded).
    """
    variants = set(variants)
    unknown = variants - {"z_new_z1", "no_onset_latency", "prev_false", "unattended_E0"}
    if unknown:
        raise ValueError(f"unknown variants {sorted(unknown)}")
    rng = np.random.default_rng(seed)
    P = dict(INFANT_DEFAULTS)
    if infant:
        P.update({k: float(v) for k, v in infant.items()})
    if n is None:
        n = max((np.size(v) for v in caregivers.values()), default=1)
    C = {}
    for key, default in CAREGIVER_DEFAULTS.items():
        v = caregivers.get(key, default)
        C[key] = np.broadcast_to(np.asarray(v, dtype=float), (n,)).copy()

    a = C["attunement"]
    lam_r = C["rupture_rate"]
    mu = C["repair_rate"]
    q = C["rejection"]
    b_c = C["baseline_stress"]
    rho = C["resonance"]
    r_c = C["caregiver_regulation"]
    sig_c = C["caregiver_noise"]
    k = C["soothing_gain"]
    sig_p = C["perception_noise"]
    k_i = C["intrusiveness"]
    theta_f = C["flood_threshold"]
    J_f = C["fright_jump"]

    r0, r_max = P["regulation_initial"], P["regulation_max"]
    sig_x = P["infant_noise"]
    lam_s, J0 = P["stressor_rate"], P["stressor_size"]
    th_d = P["distress_threshold"]
    T_s, T_D, h = P["shock_s"], P["dissociation_s"], P["hypoarousal"]
    tau, gam = P["cortisol_tau_s"], P["cortisol_gain"]
    omega, W, m_resp = P["forgetting"], P["response_window_s"], P["response_min"]
    eta_g, g_min, g_max = P["strategy_rate"], P["gain_min"], P["gain_max"]
    Hh, Da, s0 = P["hyper"], P["deact"], P["signal_floor"]
    w_c, eta_f = P["contingency_memory_per_day"], P["fear_rate"]
    eta_r, m_r = P["coregulation_rate"], P["maturation_per_day"]

    days = int(days)
    spd = int(sessions_per_day)
    session_s = float(session_s)
    dt = float(dt)
    n_steps = int(round(session_s / dt))
    sqdt = math.sqrt(dt)
    gap = 86400.0 / spd - session_s
    decay_gap = math.exp(-gap / tau)
    p_stress = -math.expm1(-lam_s * dt / 60.0)
    resp_thr = m_resp * k * th_d          # per-infant (k may vary by caregiver)
    cort_days = min(30, days)

    # --- slow state, at birth
    alpha = np.ones(n)
    beta = np.ones(n)
    g = np.ones(n)
    F = np.zeros(n)
    r = np.full(n, r0)
    z1 = np.zeros(n)
    z = np.zeros(n)
    exp_sig = np.zeros(n)   # signalling exposure time (s) while engaged
    exp_calm = np.zeros(n)
    rup_sig = np.zeros(n)   # ruptures while signalling
    rup_calm = np.zeros(n)
    R_last = np.zeros(n)    # R as last computed at an episode end (0 before any)

    # --- run counters
    shocks = np.zeros(n, dtype=np.int64)
    episodes_started = np.zeros(n, dtype=np.int64)
    episodes_ended = np.zeros(n, dtype=np.int64)
    coord_time = np.zeros(n)
    miscoord_time = np.zeros(n)
    repairs = np.zeros(n, dtype=np.int64)
    sync_sum = np.zeros(n)
    n_sessions = 0
    cort_sum = np.zeros(n)
    n_cort = 0

    for day in range(days):
        for _sess in range(spd):
            # --- session start
            x = np.zeros(n)
            xc = b_c.copy()
            E = np.ones(n, dtype=bool)
            D = np.zeros(n)
            open_ = np.zeros(n, dtype=bool)
            onset = np.zeros(n)
            latency = np.full(n, np.inf)
            fflag = np.zeros(n, dtype=bool)
            unatt = np.zeros(n)
            prev = np.full(n, "prev_false" not in variants)
            Sx = np.zeros(n)
            Sy = np.zeros(n)
            Sxx = np.zeros(n)
            Syy = np.zeros(n)
            Sxy = np.zeros(n)

            Ublk = rng.random((n_steps, 3, n))
            Nblk = rng.standard_normal((n_steps, 4, n))

            for i in range(n_steps):
                t = i * dt
                U1, U2, U3 = Ublk[i]
                N1, N2, N3, N4 = Nblk[i]

                # 1. stressor
                hit = U1 < p_stress
                nh = int(hit.sum())
                if nh:
                    x[hit] += J0 * rng.exponential(1.0, size=nh)

                # 2. signal
                diss = D > 0.0
                s = np.where(diss, 0.0, g * np.maximum(x, 0.0))

                # 3. engagement (branch on the current E)
                sig = s > s0
                h_r = (lam_r / 60.0) * (1.0 + q * s)
                rupture = E & (U2 < -np.expm1(-h_r * dt))
                eng_sig = E & sig
                eng_calm = E & ~sig
                exp_sig += dt * eng_sig
                exp_calm += dt * eng_calm
                rup_sig += rupture & sig
                rup_calm += rupture & ~sig
                h_p = (mu / 60.0) * (1.0 + a * s)
                repair = (~E) & (U3 < -np.expm1(-h_p * dt))
                E = (E & ~rupture) | repair
                Ef = E.astype(float)

                # 4. caregiver action (with the new E)
                yhat = x + sig_p * (1.0 - a) * N1
                flooded = xc > theta_f
                eff = np.where(flooded, 0.0, 1.0 / (1.0 + np.maximum(xc - b_c, 0.0)))
                u = Ef * k * a * np.maximum(yhat, 0.0) * eff
                v = Ef * k_i * (1.0 - a) * np.abs(N2)
                fear = E & flooded

                # 5. infant arousal
                noise = sig_x * sqdt * N3
                x_d = x + (-r * (x + h)) * dt + noise
                x_n = x + (-r * x - u + v + J_f * fear) * dt + noise
                x = np.where(diss, x_d, x_n)
                D = np.where(diss, np.maximum(D - dt, 0.0), D)

                # 6. caregiver arousal (uses the new x)
                xc = xc + (-r_c * (xc - b_c) + Ef * rho * (x - (xc - b_c))) * dt \
                    + sig_c * sqdt * N4

                # 7. cortisol (two stages; z uses the old z1)
                if "z_new_z1" in variants:
                    z1 = z1 + (-z1 / tau + gam * np.maximum(x - th_d, 0.0)) * dt
                    z = z + (z1 - z) / tau * dt
                else:
                    z = z + (z1 - z) / tau * dt
                    z1 = z1 + (-z1 / tau + gam * np.maximum(x - th_d, 0.0)) * dt

                # 8. coordination and synchrony sums
                yc = xc - b_c
                coord = E & (_band(x, th_d) == _band(yc, th_d))
                coord_time += dt * coord
                miscoord_time += dt * (~coord)
                repairs += coord & ~prev
                prev = coord
                Sx += x
                Sy += xc
                Sxx += x * x
                Syy += xc * xc
                Sxy += x * xc

                # 9. distress episodes (with `diss` from step 2)
                start = (~open_) & (~diss) & (x > th_d)
                if start.any():
                    onset[start] = t
                    latency[start] = np.inf
                    fflag[start] = False
                    unatt[start] = 0.0
                    open_ |= start
                    episodes_started += start
                setlat = open_ & np.isinf(latency) & (u >= resp_thr)
                if "no_onset_latency" in variants:
                    setlat &= ~start
                if setlat.any():
                    latency[setlat] = t - onset[setlat]
                fflag |= open_ & fear
                unseen = (~E) if "unattended_E0" in variants else ((~E) | flooded)
                unatt = np.where(open_ & (x > th_d) & unseen, unatt + dt, 0.0)
                shock = open_ & (unatt >= T_s)
                if shock.any():
                    D[shock] = T_D
                    shocks += shock
                end = open_ & ((x < th_d / 2.0) | shock)
                if end.any():
                    # ---- learning at the end of the episode
                    e = end
                    responded = latency[e] <= W
                    sh = shock[e]
                    alpha[e] = omega * alpha[e] + responded
                    beta[e] = omega * beta[e] + (1.0 - responded)
                    p_hat = alpha[e] / (alpha[e] + beta[e])
                    U = (4.0 * p_hat * (1.0 - p_hat)) ** 2
                    rate_sig = (rup_sig[e] + 0.5) / (exp_sig[e] + 60.0)
                    rate_calm = (rup_calm[e] + 0.5) / (exp_calm[e] + 60.0)
                    R = np.clip((rate_sig - rate_calm) / (rate_sig + rate_calm), 0.0, 1.0)
                    R_last[e] = R
                    Pd = np.maximum(R, (1.0 - p_hat) * (1.0 - U))
                    g_star = np.clip((1.0 + Hh * U) * (1.0 - Da * Pd), g_min, g_max)
                    g[e] = g[e] + eta_g * (g_star - g[e])
                    F[e] = (1.0 - eta_f) * F[e] + eta_f * (fflag[e] | sh)
                    coreg = responded & ~sh
                    re = r[e]
                    r[e] = np.where(coreg, re + eta_r * (r_max - re), re)
                    episodes_ended += e
                    open_ &= ~end
                    latency[e] = np.inf
                    fflag[e] = False
                    unatt[e] = 0.0

            # --- session end: open episode dropped; synchrony; session-end cortisol
            nn = float(n_steps)
            mx, my = Sx / nn, Sy / nn
            vx = Sxx / nn - mx * mx
            vy = Syy / nn - my * my
            cov = Sxy / nn - mx * my
            ok = (vx > 0.0) & (vy > 0.0)
            corr = np.zeros(n)
            corr[ok] = cov[ok] / np.sqrt(vx[ok] * vy[ok])
            sync_sum += corr
            n_sessions += 1
            if day >= days - cort_days:
                cort_sum += z
                n_cort += 1
            # between-session decay of both cortisol stages (no input)
            z = (z + z1 * gap / tau) * decay_gap
            z1 = z1 * decay_gap

        # --- day end
        r = r + m_r * (r_max - r)
        exp_sig *= w_c
        exp_calm *= w_c
        rup_sig *= w_c
        rup_calm *= w_c

    # --- outcomes
    p_hat = alpha / (alpha + beta)
    U = (4.0 * p_hat * (1.0 - p_hat)) ** 2
    rate_sig = (rup_sig + 0.5) / (exp_sig + 60.0)
    rate_calm = (rup_calm + 0.5) / (exp_calm + 60.0)
    R_final = np.clip((rate_sig - rate_calm) / (rate_sig + rate_calm), 0.0, 1.0)
    avoid = np.clip((1.0 - g) / (1.0 - g_min), 0.0, 1.0)
    resist = np.clip((g - 1.0) / (g_max - 1.0), 0.0, 1.0)
    cls = np.where(F > 0.25, "D",
                   np.where((avoid < 0.35) & (resist < 0.35), "B",
                            np.where(avoid >= resist, "A", "C")))
    total_session_s = days * spd * session_s
    df = pd.DataFrame({
        "attunement": a, "rupture_rate": lam_r, "repair_rate": mu, "rejection": q,
        "baseline_stress": b_c,
        "availability": p_hat,
        "unpredictability": U,
        "rejection_contingency": R_last,
        "rejection_contingency_final": R_final,
        "signal_gain": g,
        "fear": F,
        "regulation": r,
        "avoidance": avoid,
        "resistance": resist,
        "disorganization": F,
        "classification": cls,
        "shocks": shocks,
        "episodes": episodes_started,
        "episodes_ended": episodes_ended,
        "coordinated_fraction": coord_time / total_session_s,
        "repairs_per_min": repairs / (total_session_s / 60.0),
        "synchrony": sync_sum / max(n_sessions, 1),
        "cortisol": cort_sum / max(n_cort, 1),
    })
    return df


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--infants", type=int, default=200)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--sessions-per-day", type=int, default=4)
    ap.add_argument("--session-s", type=float, default=300.0)
    ap.add_argument("--dt", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    cg = draw_population(args.infants, rng=rng)
    df = simulate(cg, days=args.days, sessions_per_day=args.sessions_per_day,
                  session_s=args.session_s, dt=args.dt, seed=rng)
    print(df["classification"].value_counts(normalize=True).round(3).to_string())
    print(df[OUTCOMES[:-7] + OUTCOMES[-6:]].describe().T[["mean", "std"]].to_string())


if __name__ == "__main__":
    main()
