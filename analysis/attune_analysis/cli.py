"""The command line: ``python3 -m attune_analysis COMMAND FILE [-o OUT] [options]``.

Exit status as attune's: 0 success, 2 bad input (a missing file, an unsupported schema version,
an unknown factor or field: the message says which), 1 any other failure.
"""

from __future__ import annotations

import argparse
import os
import sys

from . import __version__
from .errors import AnalysisError

FIGURE_HELP = {
    "classes": "class distribution (stacked) against one factor",
    "heatmap": "an outcome over two factors",
    "trajectories": "daily IWM series by final class (run file with /daily)",
    "movie": "one traced session step by step (run file with /trace)",
    "outcomes": "cortisol and regulation (or other outcomes) by class",
    "ruptures": "rupture and repair statistics by class",
    "indices": "Sobol S1/ST bars or Morris mu*-sigma (saltelli or morris sweep)",
    "forest": "contrasts between groups with confidence intervals (attune compare)",
}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python3 -m attune_analysis",
        description="Figures, reports and sensitivity indices from attune HDF5 files.",
        epilog="Run from the repository root as: PYTHONPATH=analysis /usr/bin/python3 -m "
               "attune_analysis COMMAND FILE ...")
    p.add_argument("--version", action="version", version=f"attune_analysis {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def figure(name, **kw):
        sp = sub.add_parser(name, help=FIGURE_HELP[name], description=FIGURE_HELP[name], **kw)
        sp.add_argument("file", help="attune HDF5 file")
        sp.add_argument("-o", "--output", required=True,
                        help="image to write (format from the suffix: .png, .svg, .pdf)")
        sp.add_argument("--dpi", type=int, default=120, help="resolution of raster output")
        return sp

    sp = figure("classes")
    sp.add_argument("--factor", help="design factor (sweep) or /infants column (run file); "
                                     "default: the first factor, or profile")
    sp.add_argument("--kind", choices=["bar", "area"], help="stacked bars or areas")
    sp.add_argument("--bins", type=int, default=8, help="bins for a factor with many values")

    sp = figure("heatmap")
    sp.add_argument("--outcome", default="prop_B",
                    help="prop_B/A/C/D or an outcome (fear = mean_fear in a sweep); default prop_B")
    sp.add_argument("--x", help="factor on the x axis (default: the first)")
    sp.add_argument("--y", help="factor on the y axis (default: the second)")
    sp.add_argument("--bins", type=int, default=8, help="bins for a factor with many values")

    sp = figure("trajectories")
    sp.add_argument("--fields", help="comma-separated /daily fields "
                                     "(default: availability,signal_gain,fear)")
    sp.add_argument("--band", choices=["iqr", "sd", "none"], default="iqr")

    sp = figure("movie")
    sp.add_argument("--infant", type=int, help="infant id (default: the first traced)")
    sp.add_argument("--day", type=int, help="0-based day, as in the trace: section")
    sp.add_argument("--session", type=int, help="session within the day")
    sp.add_argument("--caregiver", type=int, help="caregiver id")

    sp = figure("outcomes")
    sp.add_argument("--outcomes", default="cortisol,regulation", help="comma-separated outcomes")
    sp.add_argument("--kind", choices=["box", "violin"], default="box")

    sp = figure("ruptures")
    sp.add_argument("--kind", choices=["box", "violin"], default="box")

    sp = figure("indices")
    sp.add_argument("--outcomes", default="prop_B,prop_A,prop_C,prop_D",
                    help="comma-separated /run_summary columns")

    # -- forest plot of attune compare (compare.py) --
    sp = figure("forest")
    sp.add_argument("--by", help="attune compare --by (default: attune's)")
    sp.add_argument("--outcomes", help="comma-separated outcomes (default: all compared)")
    sp.add_argument("--scale", choices=["difference", "effect", "risk_ratio"],
                    default="difference", help="what the points show")
    sp.add_argument("--json", dest="json_file",
                    help="draw this saved `attune compare --json` output instead of running "
                         "attune (FILE may also be such a .json file)")

    sp = sub.add_parser("sensitivity", help="print Sobol or Morris indices as a table",
                        description="Sobol indices (saltelli design) or Morris mu*, sigma "
                                    "(morris design) of /run_summary outcomes.")
    sp.add_argument("file")
    sp.add_argument("--outcomes", help="comma-separated /run_summary columns "
                                       "(default: the class shares and a few means)")
    sp.add_argument("--csv", action="store_true", help="print CSV instead of a text table")
    sp.add_argument("--bootstrap", type=int, help="bootstrap resamples for the intervals")
    sp.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")

    sp = sub.add_parser("report", help="one self-contained HTML page about a file",
                        description="Write a self-contained HTML report: provenance, summary, "
                                    "figures and (saltelli/morris sweeps) sensitivity indices.")
    sp.add_argument("file")
    sp.add_argument("-o", "--output", required=True, help="HTML file to write")
    sp.add_argument("--outcomes", help="outcomes of the sensitivity table (comma-separated)")
    sp.add_argument("--max-strips", type=int, default=12,
                    help="traced sessions shown (default 12)")
    sp.add_argument("--dpi", type=int, default=100, help="resolution of the embedded figures")
    sp.add_argument("--compare", metavar="BY|JSON",
                    help="add a group comparison: an attune compare --json file, a --by value, "
                         "or 'auto'")
    sp.add_argument("--validation", metavar="RESULTS",
                    help="add the results of attune validate -o RESULTS (.json or .h5)")
    return p


def _check_output(args) -> None:
    out = os.path.abspath(args.output)
    if os.path.exists(args.file) and os.path.exists(out) and os.path.samefile(out, args.file):
        raise AnalysisError(f"{args.output}: is the input file; choose another output")
    if out.lower().endswith((".h5", ".hdf5")):
        raise AnalysisError(f"{args.output}: refusing to write a figure or report over an "
                            f"HDF5 file name")
    if not os.path.isdir(os.path.dirname(out)):
        raise AnalysisError(f"{args.output}: folder {os.path.dirname(out)} does not exist")


def _save_figure(fig, path: str, dpi: int) -> None:
    folder, base = os.path.split(os.path.abspath(path))
    ext = os.path.splitext(base)[1].lstrip(".").lower() or "png"
    tmp = os.path.join(folder, f".{base}.tmp-{os.getpid()}")
    try:
        try:
            fig.savefig(tmp, dpi=dpi, format=ext)
        except ValueError as err:  # an image format matplotlib does not write
            raise AnalysisError(f"{path}: {err}") from None
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def run(argv=None) -> int:
    args = _parser().parse_args(argv)
    from . import figures, load, report, sensitivity

    if args.command == "sensitivity":
        kwargs = {"seed": args.seed}
        if args.bootstrap:
            kwargs["n_boot"] = args.bootstrap
        table = sensitivity.analyze(args.file, args.outcomes, **kwargs)
        if args.csv:
            table.to_csv(sys.stdout, index=False)
        else:
            import pandas as pd
            with pd.option_context("display.max_rows", None, "display.width", 200):
                print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
        return 0

    _check_output(args)
    if args.command == "report":
        report.write_report(args.file, args.output, outcomes=args.outcomes,
                            max_strips=args.max_strips, dpi=args.dpi, compare=args.compare,
                            validation=args.validation)
        print(f"wrote {args.output}")
        return 0

    if args.command == "forest":  # -- attune compare (compare.py) --
        from . import compare
        saved = args.json_file or (args.file if args.file.lower().endswith(".json") else None)
        data = compare.load_json(saved) if saved else compare.compare_json(args.file, by=args.by)
        _save_figure(compare.forest_plot(data, args.outcomes, scale=args.scale), args.output,
                     args.dpi)
        print(f"wrote {args.output}")
        return 0

    with load.opened(args.file) as h:
        if args.command == "classes":
            fig = figures.class_distribution(h, args.factor, kind=args.kind, bins=args.bins)
        elif args.command == "heatmap":
            fig = figures.heatmap(h, args.outcome, args.x, args.y, bins=args.bins)
        elif args.command == "trajectories":
            fig = figures.trajectories(h, args.fields, band=args.band)
        elif args.command == "movie":
            fig = figures.movie_strip(h, args.infant, args.day, args.session, args.caregiver)
        elif args.command == "outcomes":
            fig = figures.outcomes_by_class(h, args.outcomes, kind=args.kind)
        elif args.command == "ruptures":
            fig = figures.rupture_repair_by_class(h, kind=args.kind)
        elif args.command == "indices":
            fig = figures.sensitivity_indices(h, args.outcomes)
        else:  # argparse rejects unknown commands before this
            raise AssertionError(args.command)
    _save_figure(fig, args.output, args.dpi)
    print(f"wrote {args.output}")
    return 0


def main(argv=None) -> int:
    try:
        return run(argv)
    except AnalysisError as err:
        print(f"attune_analysis: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("attune_analysis: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into head or similar: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
