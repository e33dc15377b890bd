"""The HTML report: its content, and that a real browser renders it with its figures."""

import base64
import os
import re
import subprocess
import sys

import pytest

from attune_analysis import load, report
from conftest import REPO, TRACE_DAYS, TRACE_INFANTS

IMG = re.compile(r'<img alt="[^"]*" src="data:image/png;base64,([A-Za-z0-9+/=]+)">')


def images(text):
    found = IMG.findall(text)
    for data in found:
        assert base64.b64decode(data)[:8] == b"\x89PNG\r\n\x1a\n"
    return found


def assert_self_contained(text):
    assert text.startswith("<!DOCTYPE html>")
    assert "<script" not in text.lower()
    assert not re.search(r'(src|href)="(?!data:)', text), "external resource"
    assert "http://" not in text and "https://" not in text
    assert text.count("<img") == len(images(text))


@pytest.fixture(scope="module")
def run_report(run_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "run.html"
    return out, report.write_report(run_file, out)


def test_run_report_content(run_file, run_report):
    path, text = run_report
    assert path.read_text(encoding="utf-8") == text
    assert_self_contained(text)
    prov = load.provenance(run_file)
    assert '<table class="provenance">' in text
    for key in ("attune_version", "git_commit", "seed", "created_utc", "scenario_source"):
        assert f'<td class="text">{key}</td><td class="text">{prov[key]}</td>' in text, key
    assert "<details><summary>Resolved scenario" in text
    assert "population:\n  infants: 40" in text  # the YAML, escaped but intact
    assert "Madigan et al. 2023" in text  # the description
    assert "Classes by caregiver profile" in text and "Outcome means" in text
    assert "state of mind" not in text  # the reference model's caregivers have none
    # classes, outcomes, ruptures, trajectories (+ the other daily fields), one strip per session
    strips = len(TRACE_INFANTS) * len(TRACE_DAYS)
    assert len(images(text)) == 3 + 2 + strips
    assert text.count("<figcaption><strong>Session trace: infant") == strips
    assert 'id="sensitivity"' not in text


def test_plain_run_report(plain_run_file, tmp_path):
    text = report.write_report(plain_run_file, tmp_path / "plain.html")
    assert_self_contained(text)
    assert len(images(text)) == 3  # no daily series, no traces
    assert "Session trace" not in text and "Internal working model" not in text


def test_mutual_report_shows_classes_by_state_of_mind(mutual_run_file, tmp_path):
    text = report.write_report(mutual_run_file, tmp_path / "mutual.html")
    assert_self_contained(text)
    assert "Classes by the caregiver's state of mind" in text
    inf = load.infants(mutual_run_file)
    # Each state present is a row with its count of infants; the shares are row percentages.
    for code, label in report.STATES_OF_MIND:
        n = int((inf["state_of_mind"] == code).sum())
        if n:
            assert f'<td class="text">{label}</td><td>{n}</td>' in text, label
    assert inf["state_of_mind"].isin(["F", "S", "E", "U"]).all()
    assert (inf["autonomous"] == (inf["state_of_mind"] == "F")).all()


def test_factorial_report(factorial_file, tmp_path):
    text = report.write_report(factorial_file, tmp_path / "factorial.html")
    assert_self_contained(text)
    assert "sweep (factorial design)" in text
    assert "Sweep section as given" in text
    # classes by each of 2 factors, 2 heatmaps, outcomes by class
    assert len(images(text)) == 5
    assert 'id="sensitivity"' not in text


def test_saltelli_report_has_the_sobol_table(saltelli_file, tmp_path):
    text = report.write_report(saltelli_file, tmp_path / "saltelli.html")
    assert_self_contained(text)
    section = text[text.index('id="sensitivity"'):]
    assert "<th>S1 95% CI</th>" in section and "<th>ST 95% CI</th>" in section
    for factor in load.factors(saltelli_file):
        assert factor in section
    assert re.search(r"<td>-?\d\.\d{3}</td><td>\[-?\d\.\d{3}, -?\d\.\d{3}\]</td>", section)
    assert len(images(section)) == 1
    assert len(images(text)) == 5 + 2 + 1 + 1  # 5 factors, 2 heatmaps, outcomes, indices


def test_morris_report(morris_file, tmp_path):
    text = report.write_report(morris_file, tmp_path / "morris.html")
    assert_self_contained(text)
    section = text[text.index('id="sensitivity"'):]
    assert "<th>μ*</th>" in section and "caregiver.repair_rate" in section
    assert "Sweep section as given" in text


def test_report_command_from_the_repo_root(run_file, tmp_path):
    """The documented command line: PYTHONPATH=analysis /usr/bin/python3 -m attune_analysis."""
    out = tmp_path / "cli.html"
    env = dict(os.environ, PYTHONPATH="analysis")
    proc = subprocess.run([sys.executable, "-m", "attune_analysis", "report", str(run_file),
                           "-o", str(out)], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"wrote {out}"
    assert len(images(out.read_text(encoding="utf-8"))) >= 3
    assert not list(tmp_path.glob(".*tmp*"))  # the temporary file was renamed into place


# --- a real browser ----------------------------------------------------------------------

def chromium_cmd(exe, user_dir, *args):
    return [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", f"--user-data-dir={user_dir}", "--enable-logging=stderr", "--v=0",
            *args]


def console_lines(stderr):
    """Messages the page itself logged (console.*, uncaught errors, CSP refusals)."""
    return [line for line in stderr.splitlines()
            if ":CONSOLE" in line or "Uncaught" in line or "Refused to" in line]


def test_report_renders_in_chromium(chromium, run_report, tmp_path):
    path, text = run_report
    n_images = len(images(text))

    # 1. The page as written: the DOM holds every image, and the page logs nothing.
    proc = subprocess.run(chromium_cmd(chromium, tmp_path / "profile1", "--dump-dom",
                                       path.as_uri()),
                          capture_output=True, text=True, timeout=90)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert len(IMG.findall(proc.stdout)) == n_images
    assert '<table class="provenance">' in proc.stdout
    assert console_lines(proc.stderr) == []

    # 2. A copy with a probe script (the report has none) records each image's decoded width
    #    once the page has loaded: every figure must have decoded into a real bitmap.
    probe = tmp_path / "probe.html"
    script = ("<script>window.addEventListener('load', function () {"
              "var w = []; for (var i = 0; i < document.images.length; i++) "
              "w.push(document.images[i].naturalWidth);"
              "document.body.setAttribute('data-widths', w.join(','));});</script>")
    probe.write_text(text.replace("default-src 'none';", "default-src 'none'; "
                                  "script-src 'unsafe-inline';")
                     .replace("</body>", script + "</body>"), encoding="utf-8")
    proc = subprocess.run(chromium_cmd(chromium, tmp_path / "profile2", "--dump-dom",
                                       probe.as_uri()),
                          capture_output=True, text=True, timeout=90)
    widths = re.search(r'data-widths="([0-9,]*)"', proc.stdout)
    assert widths, proc.stderr[-2000:]
    widths = [int(w) for w in widths.group(1).split(",")]
    assert len(widths) == n_images and min(widths) >= 300
    assert console_lines(proc.stderr) == []

    # 3. A screenshot of the top of the page is a real picture, not a blank page.
    shot = tmp_path / "shot.png"
    proc = subprocess.run(chromium_cmd(chromium, tmp_path / "profile3", "--hide-scrollbars",
                                       "--window-size=1200,1600", f"--screenshot={shot}",
                                       path.as_uri()),
                          capture_output=True, text=True, timeout=90)
    assert shot.exists(), proc.stderr[-2000:]
    import matplotlib.image
    pixels = matplotlib.image.imread(shot)
    assert pixels.shape[:2] == (1600, 1200)
    assert pixels[..., :3].std() > 0.05  # text, tables and figures, not a uniform page
    assert console_lines(proc.stderr) == []
