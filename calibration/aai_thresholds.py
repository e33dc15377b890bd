"""Solve the AAI coder's thresholds of the mutual model (docs/MODEL2.md §5.4) for a population.

The coder's rule: U if u >= θ_U; else F (autonomous) if d < θ_Ds and p < θ_Ep; else Ds or E,
whichever exceeds its threshold by the larger ratio (Ds on a tie). The thresholds are
measurements, not mechanisms: they are chosen so that the default population has the normative
AAI distribution of non-clinical mothers (Bakermans-Kranenburg & van IJzendoorn 2009): 58 / 23 /
19 over the organized classes, 18% U. They depend only on the population distributions of d, p
and u (Beta, mean m and concentration κ), which the model draws independently of each other (the
copula ties each to sensitivity only), so no infant is simulated. Rerun after a refit of the
means, then round to two decimals as params.cpp does:

    /usr/bin/python3 calibration/aai_thresholds.py 0.17 0.09        # means of d and p
"""

import argparse

import numpy as np
from scipy import optimize, stats

TARGETS = {"F": 0.58, "Ds": 0.23, "E": 0.19, "U": 0.18}


def shares(d, p, theta_ds, theta_ep):
    """Shares of F, Ds and E among the organized classes for draws d, p."""
    autonomous = (d < theta_ds) & (p < theta_ep)
    dismissing = ~autonomous & (d / theta_ds >= p / theta_ep)
    f, s = autonomous.mean(), dismissing.mean()
    return f, s, 1.0 - f - s


def solve(mean_d, mean_p, kappa_d=2.0, kappa_p=3.0, mean_u=0.15, kappa_u=1.5, draws=2_000_000,
          seed=20261202):
    """(θ_U, θ_Ds, θ_Ep) for the given Beta populations."""
    rng = np.random.default_rng(seed)
    d = rng.beta(mean_d * kappa_d, (1 - mean_d) * kappa_d, draws)
    p = rng.beta(mean_p * kappa_p, (1 - mean_p) * kappa_p, draws)

    def residual(t):
        f, s, _ = shares(d, p, t[0], t[1])
        return [f - TARGETS["F"], s - TARGETS["Ds"]]

    theta_ds, theta_ep = optimize.fsolve(residual, [mean_d, mean_p])
    theta_u = stats.beta.ppf(1 - TARGETS["U"], mean_u * kappa_u, (1 - mean_u) * kappa_u)
    return float(theta_u), float(theta_ds), float(theta_ep), (d, p)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mean_dismissing", type=float)
    ap.add_argument("mean_preoccupied", type=float)
    args = ap.parse_args()
    tu, tds, tep, (d, p) = solve(args.mean_dismissing, args.mean_preoccupied)
    print(f"theta_U {tu:.4f}  theta_Ds {tds:.4f}  theta_Ep {tep:.4f}")
    r = [round(x, 2) for x in (tu, tds, tep)]
    f, s, e = shares(d, p, r[1], r[2])
    print(f"rounded {r[0]:.2f} / {r[1]:.2f} / {r[2]:.2f}: F {f:.3f}  Ds {s:.3f}  E {e:.3f}")


if __name__ == "__main__":
    main()
