"""Pieces of the independent NumPy `mutual` model (analysis/docking/mutual_independent.py)
against values the maths of docs/MODEL2.md gives exactly, and attune's learning replayed from its
own trace (the one test that runs the binary). Fast (a few seconds)."""

import math
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "docking"))
import mutual_independent as mi  # noqa: E402

IP = dict(mi.INFANT_DEFAULTS)


def test_unpredictability_scale():
    V = np.array([0.0, 0.0625, 0.125, 0.25, 0.5])
    np.testing.assert_allclose(mi.unpredictability(V), [0.0, 1 / 64, 0.125, 1.0, 1.0],
                               rtol=0, atol=1e-15)


def test_strategy_target_hyperactivation_wins_when_up_times_down_at_least_one():
    # ŝ = 1 (V = .25), no rejection: up = 1 + H (g_max - 1) = 3, down = 1 -> g* = 3
    gs, up, down = mi.strategy_target(np.array(0.5), np.array(0.25), np.array(0.0), IP)
    assert up == pytest.approx(3.0) and down == pytest.approx(1.0) and gs == pytest.approx(3.0)
    # ŝ = .5, E = .9, R = .2: P = max(.2, .1 * .5) = .2, down = .6, up = 2; up*down = 1.2 >= 1
    V = 0.5 ** (1 / 3) / 4
    gs, up, down = mi.strategy_target(np.array(0.9), np.array(V), np.array(0.2), IP)
    assert up == pytest.approx(2.0, abs=1e-12)
    assert down == pytest.approx(0.6, abs=1e-12)
    assert gs == pytest.approx(2.0, abs=1e-12)     # the stronger pull, not the product 1.2


def test_strategy_target_deactivation_and_floor():
    # V = 1/16 -> ŝ = 1/64; E = .2: P = max(.1, .8 * 63/64) = .7875; down = max(1 - 1.575, .2)
    gs, up, down = mi.strategy_target(np.array(0.2), np.array(1 / 16), np.array(0.1), IP)
    assert up == pytest.approx(1 + 2 / 64, abs=1e-15)
    assert down == pytest.approx(0.2) and gs == pytest.approx(0.2)
    # moderate rejection, predictable comfort: down = 1 - 2 * .3 = .4, up = 1 -> g* = .4
    gs, up, down = mi.strategy_target(np.array(1.0), np.array(0.0), np.array(0.3), IP)
    assert up == 1.0 and down == pytest.approx(0.4) and gs == pytest.approx(0.4)


def test_learning_rule_by_hand():
    E, V, R, g = (np.array(v) for v in (0.5, 0.25, 0.0, 1.0))
    E2, V2, R2, g2 = mi.learn_episode(E, V, R, g, np.array(1.0), np.array(0.0), IP)
    # delta = .5; E = .525; V = .25 + .05 (.25 - .25) = .25; ŝ = 1 -> up = 3, down = 1, g* = 3
    assert E2 == pytest.approx(0.525) and V2 == pytest.approx(0.25) and R2 == 0.0
    assert g2 == pytest.approx(1.0 + 0.05 * 2.0)
    # an unanswered, rejected episode from E = .8, V = .1, R = .5, g = .9
    E, V, R, g = (np.array(v) for v in (0.8, 0.1, 0.5, 0.9))
    E2, V2, R2, g2 = mi.learn_episode(E, V, R, g, np.array(0.0), np.array(1.0), IP)
    assert E2 == pytest.approx(0.8 - 0.05 * 0.8)
    assert V2 == pytest.approx(0.1 + 0.05 * (0.64 - 0.1))
    assert R2 == pytest.approx(0.5 + 0.05 * 0.5)
    sh = min(1.0, 4 * float(V2)) ** 3
    P = max(float(R2), (1 - float(E2)) * (1 - sh))
    up, down = 1 + 2 * sh, max(1 - 2 * P, 0.2)
    gstar = up if up * down >= 1 else down
    assert g2 == pytest.approx(0.9 + 0.05 * (gstar - 0.9), abs=1e-14)


def test_censoring_of_brief_episodes():
    inf, W = np.inf, 20.0
    shock = np.array([False, False, False, False, False, True, False])
    lat = np.array([inf, inf, 3.0, inf, inf, inf, inf])
    dur = np.array([5.0, 20.0, 5.0, 5.0, 5.0, 5.0, 19.0])
    fright = np.array([False, False, False, True, False, False, False])
    rej = np.array([False, False, False, False, True, False, False])
    got = mi.censored(shock, lat, dur, fright, rej, W)
    # only brief (< W), unanswered, unfrightened, unrejected episodes without shock
    assert got.tolist() == [True, False, False, False, False, False, True]


def test_hpa_gap_is_the_exact_solution():
    t1, t2, G = 720.0, 2700.0, 86400 / 4 - 300
    z1, z = 0.7, 0.3
    a1, a = mi.hpa_gap(z1, z, G, t1, t2)
    # closed form by hand
    e1, e2 = math.exp(-G / t1), math.exp(-G / t2)
    assert a1 == pytest.approx(z1 * e1, rel=1e-14)
    assert a == pytest.approx(z * e2 + z1 * t2 / (t2 - t1) * (e2 - e1), rel=1e-14)
    # and the ODE z1' = -z1/t1, z' = z1/t1 - z/t2 integrated by RK4 over a shorter gap
    G2, h = 3000.0, 0.5
    b1, b = mi.hpa_gap(z1, z, G2, t1, t2)
    y = np.array([z1, z])
    f = lambda v: np.array([-v[0] / t1, v[0] / t1 - v[1] / t2])  # noqa: E731
    for _ in range(int(G2 / h)):
        k1 = f(y); k2 = f(y + h / 2 * k1); k3 = f(y + h / 2 * k2); k4 = f(y + h * k3)  # noqa
        y = y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    assert b1 == pytest.approx(y[0], rel=1e-10) and b == pytest.approx(y[1], rel=1e-10)
    # equal time constants: z1 (G/τ) e^(-G/τ)
    c1, c = mi.hpa_gap(1.0, 0.0, 900.0, 900.0, 900.0)
    assert c == pytest.approx(math.exp(-1.0), rel=1e-14) and c1 == pytest.approx(math.exp(-1))


def test_brief_input_peaks_at_t_star():
    t1, t2 = 720.0, 2700.0
    tstar = t1 * t2 / (t2 - t1) * math.log(t2 / t1)
    assert tstar / 60 == pytest.approx(21.6, abs=0.05)
    ts = np.arange(0, 6000, 1.0)
    zs = np.array([mi.hpa_gap(1.0, 0.0, t, t1, t2)[1] for t in ts])
    assert abs(ts[zs.argmax()] - tstar) <= 1.0


def test_fr_probability():
    cg = dict(mi.CAREGIVER_DEFAULTS, anomalous=0.0)
    # resolved caregiver without anomalous caregiving at her threshold: half the maximum
    assert mi.fr_probability(cg["fr_threshold"], 0.0, cg) == pytest.approx(cg["fr_max"] / 2)
    y = np.linspace(0, 1, 101)
    p0, p1 = mi.fr_probability(y, 0.0, cg), mi.fr_probability(y, 0.7, cg)
    assert np.all(np.diff(p0) > 0) and np.all(p1 > p0)
    # gradual: slope <= pmax β/4
    assert np.max(np.diff(p0)) < cg["fr_max"] * cg["fr_slope"] / 4 * 0.01 + 1e-12
    # anomalous caregiving adds β_a·a to the logit, whatever her state of mind
    pa = mi.fr_probability(0.3, 0.0, dict(cg, anomalous=0.4))
    logit = cg["fr_slope"] * (0.3 - cg["fr_threshold"]) + cg["fr_anomalous"] * 0.4
    assert pa == pytest.approx(cg["fr_max"] / (1 + np.exp(-logit)), rel=1e-12)


def test_fr_probability_secure_buffer():
    """Schuengel et al. 1999: unresolved loss frightens only with an insecure state of mind."""
    cg = dict(mi.CAREGIVER_DEFAULTS, dismissing=0.0, preoccupied=0.0, fr_unresolved=30.0, anomalous=0.0)
    assert mi.fr_probability(0.3, 0.9, cg) == mi.fr_probability(0.3, 0.0, cg)
    base = cg["fr_slope"] * (0.3 - cg["fr_threshold"])
    cg.update(dismissing=0.5, preoccupied=0.2)      # n = 0.6
    logit = base + 30.0 * 0.6 * 0.9
    assert mi.fr_probability(0.3, 0.9, cg) == pytest.approx(0.03 / (1 + np.exp(-logit)), rel=1e-12)
    cg.update(fr_secure_buffer=0.0)                  # the formula before December 2026
    logit = base + 30.0 * 0.9
    assert mi.fr_probability(0.3, 0.9, cg) == pytest.approx(0.03 / (1 + np.exp(-logit)), rel=1e-12)


def test_fitting_response():
    i = np.array([mi.AVERT, mi.ATTEND_I, mi.POSITIVE, mi.PROTEST, mi.AVERT, mi.POSITIVE,
                  mi.PROTEST])
    x = np.array([0.1, 0.1, 0.1, 0.1, 0.7, 0.7, 0.0])
    F, distress = mi.fitting_response(i, x, 0.6)
    assert F.tolist() == [mi.ATTEND, mi.ATTEND, mi.PLAY, mi.SOOTHE, mi.SOOTHE, mi.PLAY,
                          mi.SOOTHE]
    assert distress.tolist() == [False, False, False, True, True, False, True]


def test_classification_and_scales():
    ip = dict(IP)
    assert ip["secure_expectation"] == 0.5                 # θ_E, MODEL2.md §2.2
    E = np.array([0.8, 0.8, 0.8, 0.8, 0.8, 0.3, 0.3, 0.5, 0.49])
    g = np.array([1.0, 0.5, 2.0, 1.0, 0.5, 1.0, 1.2, 1.0, 1.0])
    F = np.array([0.0, 0.0, 0.0, 0.5, 0.5, 0.0, 0.0, 0.0, 0.5])
    av, rs, org, cls = mi.classify(E, g, F, ip)
    np.testing.assert_allclose(av, [0, 0.625, 0, 0, 0.625, 0, 0, 0, 0])
    np.testing.assert_allclose(rs, [0, 0, 0.5, 0, 0, 0, 0.1, 0, 0])
    # E < θ_E: not B; the side of the gain decides (A for g <= 1, the tie rule, else C)
    assert org.tolist() == ["B", "A", "C", "B", "A", "A", "C", "B", "A"]
    assert cls.tolist() == ["B", "A", "C", "D", "D", "A", "C", "B", "D"]
    ip["secure_expectation"] = 0.0           # the rule before θ_E
    _, _, org, cls = mi.classify(E, g, F, ip)
    assert org.tolist() == ["B", "A", "C", "B", "A", "B", "B", "B", "B"]


def test_small_runs_exact_properties():
    kw = dict(days=2, sessions_per_day=2, session_s=120, dt=1.0, n=12)
    a = mi.simulate({"fr_max": 0.0, "dismissing": 0.0}, {}, seed=3, **kw)
    b = mi.simulate({"fr_max": 0.0, "dismissing": 0.0}, {}, seed=3, **kw)
    assert a.drop(columns=["classification", "secondary"]).equals(
        b.drop(columns=["classification", "secondary"]))
    assert (a["fear"] == 0).all() and (a["fr_per_hour"] == 0).all()
    assert (a["rejection"] == 0).all()
    for col in ("expectation", "coordinated_fraction", "positive_share", "negative_share"):
        assert ((a[col] >= 0) & (a[col] <= 1)).all()
    # a caregiver who never notices never soothes: no episode is answered
    c = mi.simulate({"sensitivity": 0.0}, {}, seed=4, **kw)
    assert (c["responded_share"] == 0).all() and (c["rejection"] == 0).all()


def test_docked_readings_change_what_they_should():
    kw = dict(days=1, sessions_per_day=2, session_s=150, dt=1.0, n=40, seed=5)
    cg = {"sensitivity": 0.5, "unresolved": 0.8, "baseline_stress": 0.5}
    lit = mi.simulate(cg, {}, **kw)
    out = mi.simulate(cg, {}, variants=["responded_outcome"], **kw)
    # only the count changes: the same dynamics, frightened episodes no longer 'responded'
    assert out["episodes"].equals(lit["episodes"])
    assert (out["responded_share"] <= lit["responded_share"] + 1e-15).all()
    assert (out["responded_share"] < lit["responded_share"]).any()
    with pytest.raises(ValueError):
        mi.simulate(cg, {}, variants=["no_such_reading"], **kw)
    assert set(mi.DOCKED_READINGS) <= set(mi.VARIANTS)


def test_attune_learns_exactly_by_the_documented_rule(tmp_path):
    """replay_learning.py: attune's own traced episodes, replayed through the rule of §7.6 as
    mutual_independent.py implements it, end at attune's E, ŝ and g (this one runs the binary)."""
    import replay_learning as rl
    from conftest import attune_exe

    inf, trace, resolved = rl.run_attune(str(attune_exe()), 3, 5, 11, str(tmp_path))
    ip = dict(mi.INFANT_DEFAULTS)
    for i in range(3):
        episodes = rl.episodes_of(trace[trace.infant_id == i], ip["response_window_s"])
        r = rl.replay(episodes, ip)
        a = inf[inf.infant_id == i].iloc[0]
        assert r["ended"] == a.episodes > 0
        assert r["E"] == pytest.approx(a.expectation, abs=1e-12)
        assert r["s_hat"] == pytest.approx(a.unpredictability, abs=1e-12)
        assert r["g"] == pytest.approx(a.signal_gain, abs=1e-12)
        # and the replay is not trivially equal: learning moved the working model
        assert (r["E"], r["g"]) != (0.5, 1.0)
