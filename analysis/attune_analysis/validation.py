"""Results of ``attune validate`` (docs/VALIDATION.md) as a table and an HTML report section.

``attune validate -o results.json`` (or ``-o results.h5``) writes one row per model, pattern and
component: the target, the simulated mean over seeds with its standard error, pass/fail with the
reason, and for a failure the pattern file's note on why the model fails it (``why``; empty in
files written before attune had it). :func:`load` reads either file into a :class:`pandas.DataFrame`;
:func:`report_section` renders it for ``attune_analysis report FILE --validation RESULTS``.
"""
from __future__ import annotations

import html
import json
import math
import os

import pandas as pd

from .errors import AnalysisError

COLUMNS = ["model", "pattern", "level", "source", "component", "target", "status", "mean", "se",
           "seeds", "seeds_passed", "reason", "why"]


def load(path) -> pd.DataFrame:
    """The results of ``attune validate -o PATH`` (.json or .h5) with the columns of COLUMNS."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise AnalysisError(f"{path}: no such file")
    if path.lower().endswith(".json"):
        with open(path, encoding="utf-8") as f:
            try:
                data = json.load(f)
            except json.JSONDecodeError as err:
                raise AnalysisError(f"{path}: not a validation JSON file ({err})") from None
        return from_json(data)
    import h5py
    try:
        with h5py.File(path, "r") as h:
            if h.attrs.get("kind") not in ("validation", b"validation") or "validation" not in h:
                raise AnalysisError(f"{path}: not an attune validate results file")
            table = pd.DataFrame(h["validation"][()])
    except OSError as err:
        raise AnalysisError(f"{path}: cannot read ({err})") from None
    for col in table.columns:
        if table[col].dtype == object:
            table[col] = table[col].map(lambda b: b.decode("utf-8") if isinstance(b, bytes) else b)
    table["status"] = table["status"].str.replace("not_applicable", "not applicable")
    if "why" not in table.columns:
        table["why"] = ""
    return table[COLUMNS]


def from_json(data: dict) -> pd.DataFrame:
    """The rows of ``attune validate --json`` output."""
    rows = []
    try:
        for p in data["patterns"]:
            base = {"model": p["model"], "pattern": p["pattern"], "level": p["level"],
                    "source": p["cite"], "why": p.get("why", "")}
            if p["status"] == "not_applicable" or not p["components"]:
                rows.append({**base, "component": "", "target": "", "status": "not applicable",
                             "mean": math.nan, "se": math.nan, "seeds": 0, "seeds_passed": 0,
                             "reason": p["reason"]})
                continue
            for c in p["components"]:
                rows.append({**base, "component": c["name"], "target": c["target"]["text"],
                             "status": "pass" if c["pass"] else "fail",
                             "mean": _nan(c["mean"]), "se": _nan(c["se"]),
                             "seeds": len(c["per_seed"]), "seeds_passed": c["seeds_passed"],
                             "reason": c["reason"]})
    except (KeyError, TypeError) as err:
        raise AnalysisError(f"not attune validate output (missing {err})") from None
    return pd.DataFrame(rows, columns=COLUMNS)


def pattern_status(table: pd.DataFrame) -> pd.DataFrame:
    """One row per model and pattern: pass when every component passes."""
    def status(s):
        if (s == "not applicable").all():
            return "not applicable"
        return "pass" if (s == "pass").all() else "fail"
    return (table.groupby(["model", "pattern"], sort=False)["status"].agg(status)
            .reset_index())


def report_section(table: pd.DataFrame) -> str:
    """An HTML section: per model, how many patterns pass, and every component's result."""
    e = lambda x: html.escape(str(x), quote=True)  # noqa: E731
    per = pattern_status(table)
    summary = []
    for model, g in per.groupby("model", sort=False):
        counts = g["status"].value_counts()
        summary.append(f"<li><b>{e(model)}</b>: {counts.get('pass', 0)} of {len(g)} patterns pass"
                       f", {counts.get('fail', 0)} fail, {counts.get('not applicable', 0)} "
                       f"not applicable</li>")
    rows = []
    for _, r in table.iterrows():
        sim = "–" if not math.isfinite(r["mean"]) else f"{r['mean']:.3g}"
        if math.isfinite(r["se"]):
            sim += f" ± {r['se']:.2g}"
        result = r["status"] if r["status"] != "fail" else f"fail: {r['reason']}"
        if r["status"] == "not applicable" and r["reason"]:
            result = f"not applicable ({r['reason']})"
        cls = {"pass": "pass", "fail": "fail"}.get(r["status"], "na")
        rows.append(f"<tr class=\"{cls}\"><td class=\"text\">{e(r['model'])}</td>"
                    f"<td class=\"text\">{e(r['level'])}</td><td class=\"text\">{e(r['pattern'])}"
                    f"</td><td class=\"text\">{e(r['source'])}</td><td class=\"text\">"
                    f"{e(r['component'])}</td><td>{e(r['target'])}</td><td>{e(sim)}</td>"
                    f"<td class=\"text\">{e(result)}</td></tr>")
    head = "".join(f"<th>{h}</th>" for h in ("model", "level", "pattern", "source", "component",
                                               "target", "simulated ± SE", "result"))
    whys = (table[table["why"] != ""].drop_duplicates(["model", "pattern"])
            [["model", "pattern", "why"]])
    why = ""
    if len(whys):
        why = ("<h3>Why a model fails a pattern, as far as known</h3>\n<ul>"
               + "".join(f"<li><b>{e(r['model'])}</b>, {e(r['pattern'])}: {e(r['why'])}</li>"
                         for _, r in whys.iterrows()) + "</ul>\n")
    return ("<section id=\"validation\"><h2>Validation against published patterns</h2>\n"
            "<p class=\"note\">From <code>attune validate</code> (docs/VALIDATION.md). Targets "
            "come from the literature and are never adjusted to make a model pass.</p>\n"
            f"<ul>{''.join(summary)}</ul>\n"
            f"<table class=\"validation\">\n<thead><tr>{head}</tr></thead>\n<tbody>\n"
            + "\n".join(rows) + "\n</tbody></table>\n" + why + "</section>")


def _nan(v):
    return math.nan if v is None else float(v)
