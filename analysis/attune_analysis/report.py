"""One self-contained HTML page about an attune file.

The page has inline CSS, figures embedded as base64 PNG, no scripts and no external resources (a
Content-Security-Policy forbids them), so it opens offline in any browser and can be mailed as
one file. Sections: the scenario's description, provenance (with the resolved scenario YAML),
a summary, the figures that fit the file's content and, for a Saltelli or Morris sweep, the
sensitivity table.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import math
import os

import numpy as np
import pandas as pd

from . import __version__, figures, load, sensitivity
from .errors import AnalysisError
from .palette import CLASS_COLORS, CLASS_ORDER, class_label

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: #1d1d1f; background: #fafafa; margin: 0; line-height: 1.45; }
main { max-width: 1100px; margin: 0 auto; padding: 1.5rem 2rem 3rem; background: #fff; }
h1 { font-size: 1.7rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.25rem; border-bottom: 2px solid #e5e5e5; padding-bottom: 0.2rem;
     margin-top: 2.2rem; }
h3 { font-size: 1.05rem; margin-top: 1.4rem; }
.subtitle { color: #666; margin-top: 0; }
.description { font-size: 1.02rem; background: #f3f7f5; border-left: 4px solid #009E73;
               padding: 0.7rem 1rem; white-space: pre-line; }
table { border-collapse: collapse; margin: 0.6rem 0 1rem; font-size: 0.9rem; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.6rem; text-align: right; }
th { background: #f2f2f2; }
td.text, th.text { text-align: left; }
table.provenance td { text-align: left; font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
table.provenance th { text-align: left; }
details { margin: 0.6rem 0; }
summary { cursor: pointer; font-weight: 600; }
pre { background: #f6f6f6; padding: 0.8rem; overflow-x: auto; font-size: 0.8rem; }
figure { margin: 1.2rem 0 2rem; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9rem; margin-top: 0.3rem; }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; border-radius: 2px;
          margin-right: 0.35em; vertical-align: baseline; }
.note { color: #8a5a00; }
footer { color: #888; font-size: 0.8rem; margin-top: 3rem; }
"""

PROVENANCE_KEYS = ("attune_version", "git_commit", "seed", "created_utc", "scenario_source",
                   "model", "schema_version", "kind", "design", "replicates", "shard")


def write_report(path_in, path_out, outcomes=None, max_strips: int = 12,
                 dpi: int = 100, compare=None, validation=None) -> str:
    """Write the report of ``path_in`` to ``path_out``; returns the HTML text."""
    try:
        text = render(path_in, outcomes=outcomes, max_strips=max_strips, dpi=dpi, compare=compare,
                      validation=validation)
    except OSError as err:  # h5py's error for a damaged chunk or a truncated file
        raise AnalysisError(f"{os.fspath(path_in)}: cannot be read; the file is damaged or truncated "
                            f"({err})") from None
    # Text from the file is decoded leniently; never fail on writing it.
    _write_atomic(path_out, text.encode("utf-8", errors="replace"))
    return text


def render(path, outcomes=None, max_strips: int = 12, dpi: int = 100, compare=None,
           validation=None) -> str:
    """The report of an attune file as one HTML string.

    ``compare``: add a group-comparison section (see :func:`compare.comparison_for_report`): a
    JSON file of ``attune compare --json``, a ``--by`` value, ``"auto"``, or the dict itself.
    ``validation``: add the results of ``attune validate -o FILE`` (.json or .h5; validation.py)."""
    with load.opened(path) as h:
        filename = os.path.basename(h.filename)
        prov = load.provenance(h)
        scen = load.scenario(h)
        sweep = load.is_sweep(h)
        body = [
            f"<h1>attune report: {_e(scen.get('name') or filename)}</h1>",
            f"<p class=\"subtitle\">{_e(filename)} · "
            f"{'sweep (' + _e(prov.get('design', '?')) + ' design)' if sweep else 'single run'}"
            f"</p>",
            _description_section(scen),
            _provenance_section(prov),
            _sweep_summary(h) if sweep else _run_summary(h),
            _figures_section(h, sweep, max_strips, dpi),
        ]
        if sweep and prov.get("design") in ("saltelli", "morris"):
            body.append(_sensitivity_section(h, outcomes, dpi))
        # -- group comparison (attune compare; analysis/attune_analysis/compare.py) --
        if compare is not None:
            body.append(_compare_section(path, compare, dpi))
        # -- validation (attune validate; analysis/attune_analysis/validation.py) --
        if validation is not None:
            from . import validation as _validation
            body.append(_validation.report_section(_validation.load(validation)))
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    body.append(f"<footer>Generated by attune_analysis {_e(__version__)} on {stamp} from "
                f"{_e(filename)}.</footer>")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "img-src data:; style-src 'unsafe-inline'\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>attune report: {_e(scen.get('name') or filename)}</title>\n"
            f"<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
            + "\n".join(b for b in body if b) + "\n</main>\n</body>\n</html>\n")


# --------------------------------------------------------------------------------------------
# Sections

def _description_section(scen: dict) -> str:
    text = str(scen.get("description") or "").strip()
    if not text:
        return ""
    return (f"<section id=\"description\"><h2>Scenario</h2>\n"
            f"<p class=\"description\">{_e(text)}</p></section>")


def _provenance_section(prov: dict) -> str:
    rows = [(k, prov[k]) for k in PROVENANCE_KEYS if k in prov]
    table = _table_html(["attribute", "value"], [[k, v] for k, v in rows], cls="provenance",
                        text_cols=(0, 1))
    parts = [f"<section id=\"provenance\"><h2>Provenance</h2>\n{table}"]
    if prov.get("scenario"):
        parts.append("<details><summary>Resolved scenario (YAML, runnable with attune run)"
                     f"</summary>\n<pre>{_e(prov['scenario'])}</pre></details>")
    if prov.get("sweep"):
        parts.append(f"<details><summary>Sweep section as given</summary>\n"
                     f"<pre>{_e(prov['sweep'])}</pre></details>")
    parts.append("</section>")
    return "\n".join(parts)


def _class_table(cls: pd.Series) -> str:
    n = len(cls)
    rows = []
    for c in CLASS_ORDER:
        k = int((cls == c).sum())
        rows.append([_swatch(c) + _e(class_label(c)), k, f"{100 * k / n:.1f}%" if n else "–"])
    rows.append(["all", n, "100%" if n else "–"])
    return _table_html(["class", "infants", "share"], rows, text_cols=(0,), raw_cols=(0,))


def _run_summary(h) -> str:
    inf = load.infants(h)
    parts = ["<section id=\"summary\"><h2>Summary</h2>",
             f"<p>{len(inf)} relationships; final classification:</p>",
             _class_table(inf["classification"])]
    if "profile" in inf and inf["profile"].nunique() > 1:
        tab = pd.crosstab(inf["profile"], inf["classification"])
        tab = tab.reindex(load.profile_order(h, tab.index))
        described = {p.get("name"): str(p.get("description") or "")
                     for p in (load.scenario(h).get("profiles") or []) if isinstance(p, dict)}
        with_text = any(described.values())
        rows = []
        for prof, row in tab.iterrows():
            total = int(row.sum())
            rows.append([prof, total]
                        + [f"{100 * row.get(c, 0) / total:.0f}%" for c in CLASS_ORDER]
                        + ([described.get(prof, "")] if with_text else []))
        parts.append("<h3>Classes by caregiver profile</h3>")
        header = ["profile", "infants"] + [class_label(c) for c in CLASS_ORDER]
        parts.append(_table_html(header + (["profile description"] if with_text else []), rows,
                                 text_cols=(0, len(header))))
    if "state_of_mind" in inf:
        parts.append(_state_of_mind_table(inf))
    outcomes = load.outcome_columns(inf)
    present = [c for c in CLASS_ORDER if (inf["classification"] == c).any()]
    rows = []
    for o in outcomes:
        col = inf[o]
        row = [o, f"{_num(col.mean())} ({_num(col.std())})"]
        row += [_num(col[inf["classification"] == c].mean()) for c in present]
        rows.append(row)
    parts.append("<h3>Outcome means</h3>")
    parts.append(_table_html(["outcome", "mean (sd)"] + [f"mean in {c}" for c in present], rows,
                             text_cols=(0,)))
    parts.append("</section>")
    return "\n".join(parts)


# The caregiver's Adult Attachment Interview class as the mutual model's coder rule gives it
# (docs/MODEL2.md section 5.4), in the usual order of the AAI literature.
STATES_OF_MIND = (("F", "autonomous (F)"), ("S", "dismissing (Ds)"), ("E", "preoccupied (E)"),
                  ("U", "unresolved (U)"))


def _state_of_mind_table(inf: pd.DataFrame) -> str:
    """Infant classes by the caregiver's state of mind: transmission, row percentages."""
    rows = []
    for code, label in STATES_OF_MIND:
        sel = inf["state_of_mind"] == code
        total = int(sel.sum())
        if total == 0:
            continue
        cls = inf.loc[sel, "classification"]
        rows.append([label, total] + [f"{100 * (cls == c).sum() / total:.0f}%" for c in CLASS_ORDER])
    header = ["caregiver's state of mind", "infants"] + [class_label(c) for c in CLASS_ORDER]
    return ("<h3>Classes by the caregiver's state of mind</h3>\n"
            "<p>Her Adult Attachment Interview class, read from her state-of-mind dimensions by "
            "the model's coder rule (docs/MODEL2.md §5.4).</p>\n"
            + _table_html(header, rows, text_cols=(0,)))


def _sweep_summary(h) -> str:
    prov = load.provenance(h)
    runs = load.runs(h)
    status = runs["status"].value_counts()
    des = load.design(h)
    summary = load.run_summary(h)
    inf = load.infants(h)
    facs = load.factors(h)
    bounds = load.factor_bounds(h)
    parts = ["<section id=\"summary\"><h2>Summary</h2>",
             _table_html(["design", "points", "replicates", "runs", "done", "failed", "pending",
                          "infants"],
                         [[prov.get("design", "?"), len(des), prov.get("replicates", 1), len(runs),
                           int(status.get("done", 0)), int(status.get("failed", 0)),
                           int(status.get("pending", 0)), len(inf)]], text_cols=(0,))]
    rows = []
    for name in facs:
        col = des[name]
        if name in bounds:
            b = bounds[name]
            rows.append([name, _num(b["min"]), _num(b["max"]), col.nunique(),
                         "log" if b["log"] else "linear"])
        else:
            rows.append([name, "", "", col.nunique(), "text"])
    parts.append("<h3>Factors</h3>")
    parts.append(_table_html(["factor", "from", "to", "distinct values", "scale"], rows,
                             text_cols=(0, 4)))
    parts.append("<h3>Final classification, all runs pooled</h3>")
    parts.append(_class_table(inf["classification"]))
    cols = [c for c in summary.columns if c.startswith(("prop_", "mean_"))]
    rows = [[c, _num(summary[c].mean()), _num(summary[c].std()), _num(summary[c].min()),
             _num(summary[c].max())] for c in cols]
    parts.append("<h3>Outcomes over runs</h3>")
    parts.append(_table_html(["run outcome", "mean", "sd", "min", "max"], rows, text_cols=(0,)))
    failed = runs[runs["status"] == "failed"]
    if len(failed):
        parts.append("<h3>Failed runs</h3>")
        parts.append(_table_html(["run_id", "point_id", "reason"],
                                 failed[["run_id", "point_id", "reason"]].head(50).values.tolist(),
                                 text_cols=(2,)))
    parts.append("</section>")
    return "\n".join(parts)


def _figures_section(h, sweep: bool, max_strips: int, dpi: int) -> str:
    items = []  # (title, caption, callable)
    if sweep:
        facs = load.factors(h)
        for name in facs[:6]:
            items.append((f"Classes by {name}",
                          "Share of each class against this factor, pooled over replicates and the "
                          "other factors (binned when the factor takes many values).",
                          lambda n=name: figures.class_distribution(h, factor=n)))
        numeric = [n for n in facs if n in load.factor_bounds(h)]
        if len(numeric) >= 2:
            for outcome in ("prop_B", "mean_fear"):
                items.append((f"{figures.label(outcome)} over {numeric[0]} × {numeric[1]}",
                              "Mean over replicates" + (" and the other factors" if len(facs) > 2
                                                        else "") + ".",
                              lambda o=outcome: figures.heatmap(h, o, numeric[0], numeric[1])))
        items.append(("Stress and regulation by class",
                      "All infants of all runs, by final class.",
                      lambda: figures.outcomes_by_class(h)))
    else:
        items.append(("Classes by caregiver profile",
                      "Share of each final class within each caregiver profile.",
                      lambda: figures.class_distribution(h, "profile")))
        items.append(("Stress and regulation by class",
                      "Cortisol (mean session-end z over the final 30 days) and the infant's "
                      "self-regulation rate, by final class.",
                      lambda: figures.outcomes_by_class(h)))
        items.append(("Rupture and repair by class",
                      "The relationship's repairs per minute and coordinated time, and the "
                      "caregiver's drawn rupture and repair rates, by the infant's final class.",
                      lambda: figures.rupture_repair_by_class(h)))
        if load.has_daily(h):
            fields = load.daily_fields(h)
            items.append(("Internal working model over the days",
                          "Daily series from /daily by final class: the class mean and its "
                          "25th–75th percentile band.",
                          lambda: figures.trajectories(h)))
            rest = [x for x in fields if x not in figures.DEFAULT_DAILY_FIELDS]
            if rest and len(fields) > 3:
                items.append(("Other daily series", "", lambda r=rest: figures.trajectories(h, r)))
        if load.has_trace(h):
            steps = load.trace(h)
            sessions = load.trace_sessions(h)
            shown = sessions.head(max_strips)
            for row in shown.itertuples(index=False):
                items.append((f"Session trace: infant {row.infant_id}, day {row.day}, "
                              f"session {row.session}",
                              "Arousal of infant (x) and caregiver (x_c); grey: caregiver "
                              "disengaged. Lanes: events, frightening care, dissociation, and "
                              "each distress episode with the latency of the first adequate "
                              "response.",
                              lambda r=row: figures.movie_strip(steps, r.infant_id, r.day,
                                                                r.session, r.caregiver_id)))
            if len(sessions) > len(shown):
                items.append((None, f"{len(sessions) - len(shown)} more traced sessions not "
                              f"shown (use --max-strips, or the movie command).", None))
    parts = ["<section id=\"figures\"><h2>Figures</h2>"]
    for title, caption, make in items:
        if make is None:
            parts.append(f"<p class=\"note\">{_e(caption)}</p>")
            continue
        try:
            fig = make()
        except AnalysisError as err:
            parts.append(f"<p class=\"note\">{_e(title)}: not drawn ({_e(str(err))})</p>")
            continue
        parts.append(_figure_html(fig, title, caption, dpi))
    parts.append("</section>")
    return "\n".join(parts)


def _sensitivity_section(h, outcomes, dpi: int) -> str:
    design = load.provenance(h).get("design")
    try:
        table = sensitivity.analyze(h, outcomes)
    except AnalysisError as err:
        return (f"<section id=\"sensitivity\"><h2>Sensitivity</h2><p class=\"note\">Not "
                f"computed: {_e(str(err))}</p></section>")
    parts = ["<section id=\"sensitivity\"><h2>Sensitivity</h2>"]
    if design == "saltelli":
        parts.append("<p>First-order (S1) and total-order (ST) Sobol indices from the Saltelli "
                     "design, replicates averaged per point; estimators of Saltelli (2010) and "
                     "Jansen (1999) as in SALib. The intervals are 2.5th–97.5th percentiles of a "
                     "bootstrap over base samples "
                     f"({sensitivity.SOBOL_BOOTSTRAP} resamples, fixed seed), from "
                     f"{_base_samples(h)} base samples. Few base samples give wide intervals; "
                     "an index can then even fall outside [0, 1].</p>")
        header = ["outcome", "factor", "S1", "S1 95% CI", "ST", "ST 95% CI"]
        rows = []
        for outcome, part in table.groupby("outcome", sort=False):
            if not np.isfinite(part["S1"]).any():
                rows.append([outcome, "(all factors)", "–", "no variance: every run equal", "–",
                             ""])
                continue
            for k, r in enumerate(part.itertuples(index=False)):
                rows.append([outcome if k == 0 else "", r.factor, f"{r.S1:.3f}",
                             f"[{r.S1_low:.3f}, {r.S1_high:.3f}]", f"{r.ST:.3f}",
                             f"[{r.ST_low:.3f}, {r.ST_high:.3f}]"])
    else:
        parts.append("<p>Morris screening: elementary effects per unit of each factor's range "
                     "(log scale where the factor has one), replicates averaged per point. μ* "
                     "ranks importance; σ large against μ* means interactions or non-linearity. "
                     "± is the half-width of a 95% bootstrap interval for μ*.</p>")
        header = ["outcome", "factor", "μ", "μ*", "σ", "effects"]
        rows = []
        for outcome, part in table.groupby("outcome", sort=False):
            for k, r in enumerate(part.itertuples(index=False)):
                rows.append([outcome if k == 0 else "", r.factor, _num(r.mu),
                             f"{_num(r.mu_star)} ± {_num(r.mu_star_conf)}", _num(r.sigma),
                             int(r.effects)])
    parts.append(_table_html(header, rows, text_cols=(0, 1)))
    shares = [o for o in table["outcome"].unique() if o.startswith("prop_")] or \
        list(table["outcome"].unique()[:4])
    try:
        fig = figures.sensitivity_indices(h, shares, table=table)
        parts.append(_figure_html(fig, "Sensitivity of the class shares", "", dpi))
    except AnalysisError as err:
        parts.append(f"<p class=\"note\">Figure not drawn: {_e(str(err))}</p>")
    parts.append("</section>")
    return "\n".join(parts)


def _compare_section(path, spec, dpi: int) -> str:
    from . import compare as _compare
    try:
        data = _compare.comparison_for_report(path, spec)
    except AnalysisError as err:
        return (f"<section id=\"compare\"><h2>Group comparison</h2><p class=\"note\">Not "
                f"computed: {_e(str(err))}</p></section>")
    return _compare.report_section(
        data, lambda fig, title, caption: _figure_html(fig, title, caption, dpi))


def _base_samples(h) -> int:
    return int((load.design(h)["role"] == "A").sum())


# --------------------------------------------------------------------------------------------
# HTML helpers

def _e(x) -> str:
    return html.escape(str(x), quote=True)


def _num(v) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    v = float(v)
    if v != 0 and (abs(v) >= 1e5 or abs(v) < 1e-3):
        return f"{v:.3g}"
    return f"{v:.4g}"


def _swatch(c: str) -> str:
    return f"<span class=\"swatch\" style=\"background:{CLASS_COLORS.get(c, '#999')}\"></span>"


def _table_html(header, rows, cls: str = "", text_cols=(), raw_cols=()) -> str:
    head = "".join(f"<th class=\"text\">{_e(h)}</th>" if k in text_cols else f"<th>{_e(h)}</th>"
                   for k, h in enumerate(header))
    body = []
    for row in rows:
        cells = []
        for k, v in enumerate(row):
            content = str(v) if k in raw_cols else _e(v)
            cells.append(f"<td class=\"text\">{content}</td>" if k in text_cols
                         else f"<td>{content}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    cls_attr = f" class=\"{cls}\"" if cls else ""
    return f"<table{cls_attr}>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(body) + \
        "\n</tbody></table>"


def figure_png(fig, dpi: int = 100) -> bytes:
    """A figure rendered as PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def _figure_html(fig, title: str, caption: str, dpi: int) -> str:
    data = base64.b64encode(figure_png(fig, dpi)).decode("ascii")
    cap = f"<figcaption><strong>{_e(title)}.</strong> {_e(caption)}</figcaption>" if title else ""
    return f"<figure><img alt=\"{_e(title)}\" src=\"data:image/png;base64,{data}\">{cap}</figure>"


def _write_atomic(path, data: bytes) -> None:
    """Write to a temporary file beside ``path`` and rename it into place."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise AnalysisError(f"{path}: folder {folder} does not exist")
    tmp = os.path.join(folder, f".{os.path.basename(path)}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
