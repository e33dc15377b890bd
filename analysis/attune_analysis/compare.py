"""Group comparisons: ``attune compare --json`` as a forest plot and a report section.

The statistics are computed by the ``attune`` binary (docs/COMPARE.md); this module runs it (or
reads a JSON file it wrote) and draws what it says:

- :func:`compare_json`: the comparison of an attune file as a dict (runs ``attune compare``);
- :func:`load_json`: a comparison saved with ``attune compare FILE --json > cmp.json``;
- :func:`forest_plot`: one panel per outcome, a point and 95% interval per contrast, a zero line;
- :func:`report_section`: the HTML section the report embeds.

The binary is ``$ATTUNE_EXE``, else ``attune`` on the PATH, else ``build/attune`` of the
repository this package lives in.
"""

from __future__ import annotations

import html
import json
import math
import os
import shutil
import subprocess
from pathlib import Path

from matplotlib.figure import Figure

from .errors import AnalysisError
from .palette import CLASS_COLORS, class_label

#: The statistics drawn by ``forest_plot(scale=...)``: (value, low, high, axis label, null value).
SCALES = {
    "difference": ("difference", "ci_low", "ci_high", "difference (95% CI)", 0.0),
    "effect": ("effect_size", "es_ci_low", "es_ci_high", "effect size (95% CI)", 0.0),
    "risk_ratio": ("risk_ratio", "rr_ci_low", "rr_ci_high", "risk ratio (95% CI)", 1.0),
}


#: Panels of the report's forest plot (the tables show every outcome).
REPORT_PANELS = 8


def attune_binary() -> str:
    """The attune executable to run (see the module documentation)."""
    exe = os.environ.get("ATTUNE_EXE") or shutil.which("attune")
    if not exe:
        local = Path(__file__).resolve().parents[2] / "build" / "attune"
        exe = str(local) if local.is_file() else None
    if not exe or not os.path.isfile(exe):
        raise AnalysisError("the attune binary was not found: set ATTUNE_EXE or put attune on "
                            "the PATH")
    return exe


def compare_json(path, by: str = None, outcomes=None, resamples: int = None) -> dict:
    """``attune compare PATH --json`` as a dict; attune's own error message on bad input."""
    cmd = [attune_binary(), "compare", os.fspath(path), "--json"]
    if by:
        cmd += ["--by", by]
    if outcomes:
        cmd += ["--outcomes", outcomes if isinstance(outcomes, str) else ",".join(outcomes)]
    if resamples is not None:
        cmd += ["--bootstrap", str(int(resamples))]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        message = (proc.stderr or proc.stdout).strip().removeprefix("attune: error: ")
        raise AnalysisError(message or f"attune compare exited {proc.returncode}")
    return json.loads(proc.stdout)


def load_json(path) -> dict:
    """A comparison written by ``attune compare --json``."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, json.JSONDecodeError) as err:
        raise AnalysisError(f"{path}: not a comparison (attune compare --json): {err}") from None
    if not isinstance(data, dict) or "outcomes" not in data:
        raise AnalysisError(f"{path}: not a comparison (attune compare --json): no outcomes")
    return data


def _title(o: dict) -> str:
    name = class_label(o["outcome"]) + " share" if o["kind"] == "proportion" else o["outcome"]
    return f"{name} [{o['stratum']}]" if o.get("stratum") else name


def _short(o: dict) -> dict:
    """Group name → label: the group's levels, "(0.5, 1.5)", when there are two factors."""
    return {g["group"]: "(" + ", ".join(g["levels"]) + ")" if len(g.get("levels") or []) > 1
            else g["group"] for g in o["groups"]}


def _contrast_label(c: dict, short: dict = None) -> str:
    short = short or {}
    group, reference = short.get(c["group"], c["group"]), short.get(c["reference"], c["reference"])
    if c.get("type") == "interaction":
        return f"{group} interaction"
    return f"{group} vs {reference}"


def select(data: dict, outcomes=None) -> list:
    """The outcome entries named in ``outcomes`` (outcome or column names; all when None)."""
    entries = data["outcomes"]
    if outcomes is None:
        return entries
    wanted = outcomes.split(",") if isinstance(outcomes, str) else list(outcomes)
    chosen = [o for o in entries if o["outcome"] in wanted or o["column"] in wanted]
    known = sorted({o["outcome"] for o in entries} | {o["column"] for o in entries})
    missing = [w for w in wanted if w not in known]
    if missing:
        raise AnalysisError(f"outcome {', '.join(missing)} is not in the comparison; it has: "
                            f"{', '.join(known)}")
    return chosen


def forest_plot(data: dict, outcomes=None, scale: str = "difference", columns: int = 3) -> Figure:
    """One panel per outcome: each contrast's estimate and 95% interval, and the line of no
    difference (0; 1 for risk ratios, drawn on a log axis)."""
    if scale not in SCALES:
        raise AnalysisError(f"scale {scale!r}: choose one of {', '.join(SCALES)}")
    value, low, high, xlabel, null = SCALES[scale]
    entries = [o for o in select(data, outcomes) if o["contrasts"]]
    if scale == "risk_ratio":
        entries = [o for o in entries if o["kind"] == "proportion"]
    if not entries:
        raise AnalysisError("nothing to draw: no outcome with contrasts")
    ncol = max(1, min(columns, len(entries)))
    nrow = math.ceil(len(entries) / ncol)
    most = max(len(o["contrasts"]) for o in entries)
    fig = Figure(figsize=(4.2 * ncol, 0.9 + nrow * (0.55 + 0.32 * most)), layout="constrained")
    axes = fig.subplots(nrow, ncol, squeeze=False)
    for k, ax in enumerate(axes.flat):
        if k >= len(entries):
            ax.set_visible(False)
            continue
        o = entries[k]
        contrasts = o["contrasts"]
        ys = list(range(len(contrasts)))[::-1]
        colour = (CLASS_COLORS.get(o["outcome"], "#333333") if o["kind"] == "proportion"
                  else "#333333")
        for y, c in zip(ys, contrasts):
            v, lo, hi = c.get(value), c.get(low), c.get(high)
            if v is None:
                continue
            marker = "D" if c.get("type") == "interaction" else "o"
            if lo is not None and hi is not None:
                ax.plot([lo, hi], [y, y], color=colour, lw=1.8, solid_capstyle="butt")
            ax.plot([v], [y], marker=marker, color=colour, ms=6)
        ax.axvline(null, color="#888888", lw=1, ls="--", zorder=0)
        if scale == "risk_ratio":
            ax.set_xscale("log")
        ax.set_yticks(ys)
        ax.set_yticklabels([_contrast_label(c, _short(o)) for c in contrasts], fontsize=8)
        ax.set_ylim(-0.7, len(contrasts) - 0.3)
        name = contrasts[0].get("effect_size_name", "") if scale == "effect" else ""
        ax.set_title(_title(o), fontsize=10)
        ax.set_xlabel(f"{xlabel}{': ' + name if name else ''}", fontsize=8)
        ax.tick_params(axis="x", labelsize=8)
    paired = " (paired)" if data.get("paired") else ""
    by = " × ".join(str(data.get("by", "?")).split(","))
    fig.suptitle(f"Contrasts by {by}{paired}, against the first group", fontsize=11)
    return fig


def _cell(v, digits: int = 3) -> str:
    return "–" if v is None else f"{v:.{digits}g}"


def report_section(data: dict, figure_html, outcomes=None) -> str:
    """The report's comparison section: a table per outcome and the forest plot.

    ``figure_html(fig, title, caption)`` embeds a figure (report.py supplies it)."""
    e = html.escape
    parts = ["<section id=\"compare\"><h2>Group comparison</h2>",
             f"<p>By <strong>{e(str(data.get('by')))}</strong>"
             f"{' (paired: every infant in every group)' if data.get('paired') else ''}; "
             "95% intervals (Wilson for shares, t for means); contrasts against the first group "
             "(Newcombe for share differences, Welch or paired t for means; Cohen's h, d or d_z "
             "as effect sizes). Definitions: docs/COMPARE.md.</p>"]
    for o in select(data, outcomes):
        rows = []
        for g in o["groups"]:
            rows.append(f"<tr><td class=\"text\">{e(g['group'])}</td><td>{g['n']}</td>"
                        f"<td>{_cell(g['estimate'], 4)}</td>"
                        f"<td>[{_cell(g['ci_low'])}, {_cell(g['ci_high'])}]</td></tr>")
        for c in o["contrasts"]:
            rr = (f"; RR {_cell(c.get('risk_ratio'))} [{_cell(c.get('rr_ci_low'))}, "
                  f"{_cell(c.get('rr_ci_high'))}]" if o["kind"] == "proportion" else "")
            rows.append(f"<tr><td class=\"text\">{e(_contrast_label(c, _short(o)))}</td>"
                        f"<td>{c['n']}</td>"
                        f"<td>{_cell(c['difference'], 4)}</td>"
                        f"<td>[{_cell(c['ci_low'])}, {_cell(c['ci_high'])}]</td>"
                        f"<td class=\"text\">{e(c['effect_size_name'])} {_cell(c['effect_size'])} "
                        f"[{_cell(c['es_ci_low'])}, {_cell(c['es_ci_high'])}]{rr}</td></tr>")
        parts.append(f"<h3>{e(_title(o))}</h3>\n<table><thead><tr><th class=\"text\">group or "
                     "contrast</th><th>n</th><th>estimate</th><th>95% CI</th>"
                     "<th class=\"text\">effect size</th></tr></thead>\n<tbody>\n"
                     + "\n".join(rows) + "\n</tbody></table>")
    drawn = [o for o in select(data, outcomes) if o["contrasts"]]
    more = len(drawn) - REPORT_PANELS
    drawn = drawn[:REPORT_PANELS]
    try:
        fig = forest_plot({**data, "outcomes": drawn})
        parts.append(figure_html(fig, "Contrasts against the first group",
                                 "Points: difference from the first group; bars: 95% intervals; "
                                 "diamonds: interactions (difference of differences)."
                                 + (f" The first {REPORT_PANELS} outcomes; {more} more are in the "
                                    "tables above." if more > 0 else "")))
    except AnalysisError as err:
        parts.append(f"<p class=\"note\">Forest plot not drawn: {e(str(err))}</p>")
    parts.append("</section>")
    return "\n".join(parts)


def comparison_for_report(path, spec) -> dict:
    """What the report's ``--compare`` names: a JSON file written by attune compare, or the
    ``--by`` value (``auto`` for attune's default) to compare ``path`` by."""
    if isinstance(spec, dict):
        return spec
    spec = str(spec)
    if spec.lower().endswith(".json"):
        return load_json(spec)
    return compare_json(path, by=None if spec == "auto" else spec)
