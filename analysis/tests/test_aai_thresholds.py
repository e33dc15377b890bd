"""The mutual model's AAI coder thresholds follow its population (calibration/aai_thresholds.py).

A refit of the population means must re-solve the thresholds (docs/CALIBRATION.md); this test
fails when the shipped thresholds (docs/PARAMETERS-mutual.md, itself checked against the binary)
are not the solver's rounded answer for the shipped means and concentrations.
"""

import importlib.util
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("aai_thresholds", REPO / "calibration" / "aai_thresholds.py")
aai = importlib.util.module_from_spec(spec)
spec.loader.exec_module(aai)


def shipped():
    rows = {}
    for line in (REPO / "docs" / "PARAMETERS-mutual.md").read_text().splitlines():
        m = re.match(r"\| `(\w+)` \| [^|]+ \| [^|]+ \| ([0-9.]+) \| ([^|]+)\|", line)
        if m:
            conc = re.search(r"concentration ([0-9.]+)", m.group(3))
            rows[m.group(1)] = (float(m.group(2)), float(conc.group(1)) if conc else None)
    return rows


def test_thresholds_are_solved_for_the_shipped_population():
    p = shipped()
    (md, kd), (mp, kp), (mu, ku) = p["dismissing"], p["preoccupied"], p["unresolved"]
    tu, tds, tep, (d, pre) = aai.solve(md, mp, kd, kp, mu, ku)  # the command's own draws: a solution near a rounding edge must round as it does
    assert p["aai_unresolved_threshold"][0] == round(tu, 2)
    assert p["aai_dismissing_threshold"][0] == round(tds, 2)
    assert p["aai_preoccupied_threshold"][0] == round(tep, 2)
    f, s, e = aai.shares(d, pre, round(tds, 2), round(tep, 2))
    assert (f, s, e) == pytest.approx((0.58, 0.23, 0.19), abs=0.01)


def test_the_coders_rule_on_hand_values():
    import numpy as np
    d = np.array([0.0, 0.3, 0.0, 0.42, 0.42])
    p = np.array([0.0, 0.0, 0.2, 0.20, 0.21])
    # F; Ds; E; a tie (2 and 2) goes to Ds; E (2.1 against 2)
    f, s, e = aai.shares(d, p, 0.21, 0.10)
    assert (f, s, e) == pytest.approx((1 / 5, 2 / 5, 2 / 5))


def test_the_pattern_and_the_model_description_quote_the_shipped_thresholds():
    # The transmission pattern's description and MODEL2.md's parameter table name the thresholds
    # in words; they went stale once after a refit.
    p = shipped()
    tu, tds, tep = (p[k][0] for k in ("aai_unresolved_threshold", "aai_dismissing_threshold",
                                       "aai_preoccupied_threshold"))
    pattern = " ".join((REPO / "validation" / "aai_transmission.yaml").read_text().split())
    assert f"u >= {tu:.2f}" in pattern
    assert f"d < {tds:.2f} and preoccupied p < {tep:.2f}" in pattern
    row = next(line for line in (REPO / "docs" / "MODEL2.md").read_text().splitlines()
               if line.startswith("| θ_U, θ_Ds, θ_Ep |"))
    assert f"| {tu:.2f}, {tds:.2f}, {tep:.2f} " in row
