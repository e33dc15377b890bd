"""Read attune's HDF5 files (docs/OUTPUT.md, docs/SWEEPS.md) into tidy pandas DataFrames.

Every function takes either a path or an open :class:`h5py.File` (from :func:`open_file`); given a
path it opens the file, checks its schema version and closes it again. Fixed-length text columns
arrive from HDF5 as bytes and are decoded to ``str`` here.

A *run file* (``attune run``) holds ``/infants`` and optionally ``/daily/<field>`` and ``/trace``;
a *sweep file* (``attune sweep``, attribute ``kind = "sweep"``) holds ``/design``, ``/runs``,
``/infants`` (with ``run_id``) and ``/run_summary``.
"""

from __future__ import annotations

import contextlib
import difflib
import math
import os
from typing import Iterator, Union

import h5py
import numpy as np
import pandas as pd

from .errors import AnalysisError, SchemaError

SUPPORTED_SCHEMA_VERSIONS = (1,)

#: ``/infants`` columns that identify a relationship.
ID_COLUMNS = ("run_id", "infant_id", "caregiver_id")
#: ``/infants`` columns holding the caregiver's drawn parameters (not outcomes).
PARAMETER_COLUMNS = ("attunement", "rupture_rate", "repair_rate", "rejection", "baseline_stress")
#: ``/design`` columns that are not factors.
DESIGN_EXTRA_COLUMNS = ("point_id", "role", "trajectory")
#: ``/trace/steps`` columns that are 0/1 flags.
TRACE_FLAGS = ("engaged", "coordinated", "frightening", "dissociated", "stressor", "rupture", "repair",
               "episode_start", "episode_end", "shock")

FileLike = Union[str, os.PathLike, h5py.File]


# --------------------------------------------------------------------------------------------
# Opening and provenance

def open_file(path: Union[str, os.PathLike]) -> h5py.File:
    """Open an attune file read-only and check its ``schema_version``.

    A sweep file that a crashed or running ``attune sweep`` left flagged "open for writing" is
    opened in SWMR read mode. Raises :class:`SchemaError` for a file without ``schema_version`` or
    with a version this package does not read, :class:`AnalysisError` for a missing or non-HDF5
    file.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise AnalysisError(f"{path}: no such file")
    try:
        f = h5py.File(path, "r")
    except OSError as first:
        try:  # a sweep file still flagged as being written (SWMR): readable in SWMR mode
            f = h5py.File(path, "r", swmr=True)
        except OSError:
            raise AnalysisError(
                f"{path}: cannot open as HDF5 ({first}); if it is a sweep file left by an "
                f"interrupted attune sweep, resume it or clear its flags with 'h5clear -s {path}'"
            ) from None
    try:
        check_schema(f)
    except Exception:
        f.close()
        raise
    return f


def check_schema(f: h5py.File) -> int:
    """Return the file's schema version, or raise :class:`SchemaError` naming file and versions."""
    supported = ", ".join(str(v) for v in SUPPORTED_SCHEMA_VERSIONS)
    if "schema_version" not in f.attrs:
        raise SchemaError(f"{f.filename}: not an attune file (no schema_version attribute); "
                          f"attune_analysis reads schema_version {supported}")
    raw = f.attrs["schema_version"]
    try:
        version = int(raw)
    except (TypeError, ValueError):
        raise SchemaError(f"{f.filename}: schema_version {raw!r} is not a number; "
                          f"attune_analysis reads schema_version {supported}") from None
    if version not in SUPPORTED_SCHEMA_VERSIONS:
        made_by = _text(f.attrs.get("attune_version", "unknown"))
        raise SchemaError(f"{f.filename}: schema_version {version} is not supported "
                          f"(attune_analysis reads schema_version {supported}; the file was "
                          f"written by attune {made_by}): use an attune_analysis of the same "
                          f"attune version")
    return version


@contextlib.contextmanager
def opened(f: FileLike) -> Iterator[h5py.File]:
    """Yield an open file: ``f`` itself if already open, else :func:`open_file` (closed after)."""
    if isinstance(f, h5py.File):
        yield f
        return
    h = open_file(f)
    try:
        yield h
    finally:
        h.close()


def is_sweep(f: FileLike) -> bool:
    """True for a sweep file (attribute ``kind == "sweep"``)."""
    with opened(f) as h:
        return _text(h.attrs.get("kind", "")) == "sweep"


def provenance(f: FileLike) -> dict:
    """The root attributes as plain Python values (text as ``str``, numbers ``int``/``float``)."""
    with opened(f) as h:
        return {k: _plain(v) for k, v in h.attrs.items()}


def scenario(f: FileLike) -> dict:
    """The resolved scenario (the ``scenario`` attribute) parsed with PyYAML; {} if absent."""
    import yaml

    with opened(f) as h:
        text = _text(h.attrs.get("scenario", ""))
    parsed = yaml.safe_load(text) if text else None
    return parsed if isinstance(parsed, dict) else {}


def description(f: FileLike) -> str:
    """The scenario's ``description`` (empty if it has none)."""
    return str(scenario(f).get("description") or "").strip()


def profile_order(f: FileLike, present) -> list:
    """The profile names in ``present`` in the scenario's order (unknown names last, sorted)."""
    present = set(present)
    named = [p.get("name") for p in (scenario(f).get("profiles") or []) if isinstance(p, dict)]
    order = [p for p in named if p in present]
    return order + sorted(present - set(order))


def sweep_spec(f: FileLike) -> dict:
    """A sweep file's ``sweep`` attribute (the sweep section as given) parsed with PyYAML."""
    import yaml

    with opened(f) as h:
        _require_sweep(h, "the sweep attribute")
        text = _text(h.attrs.get("sweep", ""))
    parsed = yaml.safe_load(text) if text else None
    return parsed if isinstance(parsed, dict) else {}


# --------------------------------------------------------------------------------------------
# Tables

def infants(f: FileLike) -> pd.DataFrame:
    """``/infants``: one row per relationship (a sweep's rows carry ``run_id``); text decoded."""
    with opened(f) as h:
        _require(h, "infants")
        return _table(h["infants"])


def runs(f: FileLike) -> pd.DataFrame:
    """``/runs`` of a sweep (every run, with ``status``); for a run file one ``done`` row."""
    with opened(f) as h:
        if not _is_sweep(h):
            n = h["infants"].shape[0] if "infants" in h else 0
            return pd.DataFrame({"run_id": [0], "point_id": [0], "replicate": [0],
                                 "seed": [int(h.attrs.get("seed", 0))], "status": ["done"],
                                 "reason": [""], "infants_first_row": [0], "infants_rows": [n]})
        _require(h, "runs")
        return _table(h["runs"])


def design(f: FileLike) -> pd.DataFrame:
    """``/design`` of a sweep: ``point_id``, one column per factor, ``role``/``trajectory``."""
    with opened(f) as h:
        _require_sweep(h, "/design")
        _require(h, "design")
        return _table(h["design"])


def factors(f: FileLike) -> list:
    """A sweep's factor names (dotted scenario keys) in design order."""
    with opened(f) as h:
        _require_sweep(h, "factors")
        names = h["design"].dtype.names or ()
        return [n for n in names if n not in DESIGN_EXTRA_COLUMNS]


def run_summary(f: FileLike) -> pd.DataFrame:
    """One row per finished run: class shares ``prop_B`` … and ``mean_<outcome>``.

    For a sweep, ``/run_summary`` joined with the run's ``seed`` and factor values (from
    ``/runs``) and, where the design has them, ``role`` (Saltelli) and ``trajectory`` (Morris).
    For a run file, the same columns computed from ``/infants`` (one row, ``run_id`` 0).
    """
    with opened(f) as h:
        if not _is_sweep(h):
            return _summarise_infants(_table(h["infants"]))
        _require(h, "run_summary")
        summary = _table(h["run_summary"])
        keys = ["run_id", "point_id", "replicate"]
        run_table = _table(h["runs"])
        factor_names = [n for n in (h["design"].dtype.names or ()) if n not in DESIGN_EXTRA_COLUMNS]
        keep = keys + ["seed"] + [c for c in factor_names if c in run_table.columns]
        out = summary.merge(run_table[keep], on=keys, how="left")
        extra = [c for c in ("role", "trajectory") if c in (h["design"].dtype.names or ())]
        if extra:
            out = out.merge(_table(h["design"])[["point_id"] + extra], on="point_id", how="left")
        return out


def outcome_columns(table: pd.DataFrame) -> list:
    """The numeric outcome columns of an ``/infants`` table (not ids, not caregiver parameters)."""
    skip = set(ID_COLUMNS) | set(PARAMETER_COLUMNS)
    return [c for c in table.columns
            if c not in skip and pd.api.types.is_numeric_dtype(table[c])]


def daily_fields(f: FileLike) -> list:
    """The fields recorded under ``/daily`` (in the scenario's ``output.daily`` order if known)."""
    with opened(f) as h:
        if "daily" not in h:
            return []
        present = list(h["daily"].keys())
        wanted = (scenario(h).get("output") or {}).get("daily") or []
    ordered = [x for x in wanted if x in present]
    return ordered + [x for x in present if x not in ordered]


def has_daily(f: FileLike) -> bool:
    """True if the file holds at least one ``/daily/<field>`` series."""
    return bool(daily_fields(f))


def daily(f: FileLike, fields=None) -> pd.DataFrame:
    """``/daily/<field>`` series in long form.

    Columns: ``row`` (row of ``/infants``), ``infant_id``, ``caregiver_id``, ``profile``,
    ``classification`` (final class, for grouping), ``day`` (1 = end of the first day), ``field``,
    ``value`` (float64). ``fields`` picks some of the recorded fields (default: all).
    """
    with opened(f) as h:
        if _is_sweep(h):
            raise AnalysisError(f"{h.filename}: sweep files hold no daily series")
        present = daily_fields(h)
        if not present:
            raise AnalysisError(f"{h.filename}: no daily series (/daily); list fields under "
                                f"output.daily in the scenario, e.g. --set "
                                f"'output.daily=[availability, signal_gain, fear]'")
        fields = present if fields is None else list(_as_list(fields))
        for field in fields:
            if field not in present:
                raise AnalysisError(f"{h.filename}: no daily series '{field}'"
                                    f"{_suggest(field, present)} (recorded: {', '.join(present)})")
        inf = _table(h["infants"])
        parts = []
        for field in fields:
            values = np.asarray(h["daily"][field][()], dtype=np.float64)
            rows, days = values.shape
            parts.append(pd.DataFrame({
                "row": np.repeat(np.arange(rows), days),
                "day": np.tile(np.arange(1, days + 1), rows),
                "field": field,
                "value": values.ravel(),
            }))
    out = pd.concat(parts, ignore_index=True)
    for col in ("infant_id", "caregiver_id", "profile", "classification"):
        if col in inf.columns:
            out[col] = inf[col].to_numpy()[out["row"].to_numpy()]
    out["field"] = pd.Categorical(out["field"], categories=fields)
    return out[["row", "infant_id", "caregiver_id", "profile", "classification", "day", "field",
                "value"]]


def has_trace(f: FileLike) -> bool:
    """True if the file holds step-level traces (``/trace/steps``) with at least one row."""
    with opened(f) as h:
        return "trace" in h and "steps" in h["trace"] and h["trace"]["steps"].shape[0] > 0


def trace(f: FileLike, infant_id=None, day=None, session=None) -> pd.DataFrame:
    """``/trace/steps``: one row per recorded step, optionally for one infant, day and session.

    Columns as written (``infant_id``, ``caregiver_id``, ``day``, ``session``, ``step``, ``t``,
    ``x``, ``xc``, ``signal``, ``u``, ``v``, ``z1``, ``z``, the 0/1 flags ``engaged`` …
    ``shock``, and ``latency`` in s: NaN except on ``episode_end`` rows, +inf for an episode that
    got no response), plus the relationship's ``profile`` and final ``classification``.
    Sorted by infant, caregiver, day, session, step.
    """
    with opened(f) as h:
        if not ("trace" in h and "steps" in h["trace"]):
            raise AnalysisError(f"{h.filename}: no traces (/trace/steps); add a section like "
                                f"'trace: {{infants: [0, 3], days: [0, 89]}}' to the scenario")
        steps = _table(h["trace"]["steps"])
        inf = _table(h["infants"]) if "infants" in h else None
    for name, value in (("infant_id", infant_id), ("day", day), ("session", session)):
        if value is not None:
            steps = steps[steps[name] == int(value)]
    if inf is not None and len(steps):
        cols = [c for c in ("infant_id", "caregiver_id", "profile", "classification") if c in inf]
        steps = steps.merge(inf[cols], on=[c for c in ("infant_id", "caregiver_id") if c in cols],
                            how="left")
    order = [c for c in ("infant_id", "caregiver_id", "day", "session", "step") if c in steps]
    return steps.sort_values(order, kind="stable").reset_index(drop=True)


def trace_sessions(f: FileLike) -> pd.DataFrame:
    """The traced sessions: one row per (infant_id, caregiver_id, day, session) with its steps."""
    with opened(f) as h:
        if not ("trace" in h and "steps" in h["trace"]):
            return pd.DataFrame(columns=["infant_id", "caregiver_id", "day", "session", "steps"])
        ds = h["trace"]["steps"]
        cols = {c: ds.fields(c)[()] for c in ("infant_id", "caregiver_id", "day", "session")
                if c in (ds.dtype.names or ())}
    keys = list(cols)
    return (pd.DataFrame(cols).groupby(keys, sort=True).size().rename("steps").reset_index())


def factor_bounds(f: FileLike) -> dict:
    """Each numeric factor's range: ``{name: {"min", "max", "log"}}``.

    Taken from the ``sweep`` attribute (``{min, max, scale}``, ``{from, to, scale}`` or a list of
    values); a factor not described there (a ``points`` or ``csv`` design) gets the range of its
    ``/design`` column, on a linear scale.
    """
    spec = (sweep_spec(f).get("factors") or {})
    table = design(f)
    out = {}
    for name in factors(f):
        col = table[name]
        if not pd.api.types.is_numeric_dtype(col):
            continue
        given = spec.get(name) if isinstance(spec, dict) else None
        lo = hi = None
        log = False
        if isinstance(given, dict):
            log = str(given.get("scale", "linear")) == "log"
            if "min" in given and "max" in given:
                lo, hi = float(given["min"]), float(given["max"])
            elif "from" in given and "to" in given:
                lo, hi = sorted((float(given["from"]), float(given["to"])))
        elif isinstance(given, list) and given and all(isinstance(v, (int, float)) for v in given):
            lo, hi = float(min(given)), float(max(given))
        if lo is None:
            lo, hi = float(col.min()), float(col.max())
        out[name] = {"min": lo, "max": hi, "log": log}
    return out


# --------------------------------------------------------------------------------------------
# Helpers

def _is_sweep(h: h5py.File) -> bool:
    return _text(h.attrs.get("kind", "")) == "sweep"


def _require(h: h5py.File, name: str) -> None:
    if name not in h:
        raise AnalysisError(f"{h.filename}: no /{name} dataset")


def _require_sweep(h: h5py.File, what: str) -> None:
    if not _is_sweep(h):
        raise AnalysisError(f"{h.filename}: {what} exists only in sweep files "
                            f"(this is a run file)")


def _text(v) -> str:
    if isinstance(v, bytes):
        return v.decode("utf-8", errors="replace")
    if isinstance(v, str):
        # h5py decodes a UTF-8 attribute holding invalid bytes with surrogate escapes, which
        # cannot be encoded again: show them as U+FFFD (files before attune 0.1 could hold them).
        try:
            v.encode("utf-8")
        except UnicodeEncodeError:
            return v.encode("utf-8", "surrogateescape").decode("utf-8", errors="replace")
        return v
    if isinstance(v, np.ndarray) and v.shape == ():
        return _text(v[()])
    return str(v)


def _plain(v):
    if isinstance(v, (bytes, str)):
        return _text(v)
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist() if v.shape else _plain(v[()])
    return v


def _table(ds: h5py.Dataset) -> pd.DataFrame:
    """A compound dataset as a DataFrame with text columns decoded to str."""
    try:
        arr = ds[()]
    except OSError as err:  # a damaged chunk: HDF5 cannot read or decompress it
        raise AnalysisError(f"{ds.file.filename}: {ds.name} cannot be read; the file is damaged or "
                            f"truncated ({err})") from None
    if arr.dtype.names is None:
        raise AnalysisError(f"{ds.file.filename}: {ds.name} is not a table")
    cols = {}
    for name in arr.dtype.names:
        col = arr[name]
        if col.dtype.kind == "S":
            col = np.char.decode(col, "utf-8", errors="replace").astype(object)
        elif col.dtype.kind == "O":
            col = np.array([_text(x) for x in col], dtype=object)
        cols[name] = col
    return pd.DataFrame(cols)


def _summarise_infants(table: pd.DataFrame) -> pd.DataFrame:
    """The ``/run_summary`` row of one run, computed from its ``/infants`` rows."""
    n = len(table)
    row = {"run_id": 0, "point_id": 0, "replicate": 0, "infants": n}
    cls = table["classification"] if "classification" in table else pd.Series([], dtype=object)
    for c in ("B", "A", "C", "D"):
        row[f"prop_{c}"] = float((cls == c).mean()) if n else math.nan
    for col in outcome_columns(table):
        row[f"mean_{col}"] = float(table[col].mean()) if n else math.nan
    return pd.DataFrame([row])


def _as_list(x):
    if isinstance(x, str):
        return [p.strip() for p in x.split(",") if p.strip()]
    return list(x)


def _suggest(name: str, choices) -> str:
    """' (did you mean 'X'?)' for the nearest choice, also matching without a prefix such as
    mean_, prop_ or caregiver. (so 'feer' suggests 'mean_fear'); '' when nothing is close."""
    keys = {}
    for c in map(str, choices):
        keys.setdefault(c, c)
        for prefix in ("mean_", "prop_", "caregiver.", "infant."):
            if c.startswith(prefix):
                keys.setdefault(c[len(prefix):], c)
    close = difflib.get_close_matches(str(name), list(keys), n=1)
    return f" (did you mean '{keys[close[0]]}'?)" if close else ""
