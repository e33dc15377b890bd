"""The command line: every figure command writes an image; bad input exits 2 and writes nothing."""

import pytest

from attune_analysis.cli import main
from conftest import TRACE_DAYS, TRACE_INFANTS

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("fixture, args", [
    ("run_file", ["classes"]),
    ("factorial_file", ["classes", "--factor", "caregiver.repair_rate", "--kind", "bar"]),
    ("factorial_file", ["heatmap", "--outcome", "fear"]),
    ("run_file", ["trajectories", "--fields", "fear,cortisol", "--band", "sd"]),
    ("run_file", ["movie", "--infant", str(TRACE_INFANTS[0]), "--day", str(TRACE_DAYS[1])]),
    ("run_file", ["outcomes", "--kind", "violin"]),
    ("factorial_file", ["ruptures"]),
    ("saltelli_file", ["indices"]),
    ("morris_file", ["indices", "--outcomes", "mean_availability"]),
])
def test_figure_commands(request, tmp_path, fixture, args):
    path = request.getfixturevalue(fixture)
    out = tmp_path / "fig.png"
    assert main([args[0], str(path), "-o", str(out), "--dpi", "40", *args[1:]]) == 0
    assert out.read_bytes()[:8] == PNG


def test_svg_output(run_file, tmp_path):
    out = tmp_path / "fig.svg"
    assert main(["ruptures", str(run_file), "-o", str(out)]) == 0
    assert out.read_text().lstrip().startswith("<?xml")


def test_sensitivity_table(saltelli_file, capsys):
    assert main(["sensitivity", str(saltelli_file), "--outcomes", "prop_B,mean_fear", "--csv",
                 "--bootstrap", "50"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("outcome,factor,S1,S1_conf")
    assert len(lines) == 1 + 2 * 5


@pytest.mark.parametrize("args, message", [
    (["heatmap", "{run}", "--x", "profile", "--y", "profle"], "did you mean 'profile'"),
    (["trajectories", "{plain}"], "no daily series"),
    (["movie", "{run}", "--day", "5"], "no traced session with day 5"),
    (["indices", "{run}"], "saltelli or morris"),
    (["classes", "{run}", "--factor", "nope"], "unknown factor 'nope'"),
])
def test_bad_input_exits_2(run_file, plain_run_file, tmp_path, capsys, args, message):
    out = tmp_path / "x.png"
    args = [a.format(run=run_file, plain=plain_run_file) for a in args]
    assert main([args[0], args[1], "-o", str(out), *args[2:]]) == 2
    err = capsys.readouterr().err
    assert err.startswith("attune_analysis: error: ") and message in err
    assert not out.exists()


def test_refuses_to_write_over_an_hdf5_file(run_file, tmp_path, capsys):
    size = run_file.stat().st_size
    assert main(["report", str(run_file), "-o", str(run_file)]) == 2
    assert main(["classes", str(run_file), "-o", str(tmp_path / "a.h5")]) == 2
    assert run_file.stat().st_size == size
    assert "input file" in capsys.readouterr().err
    assert main(["classes", str(run_file), "-o", str(tmp_path / "no" / "a.png")]) == 2
