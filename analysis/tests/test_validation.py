"""attune_analysis.validation: reading attune validate results and the report section."""
import json
import math

from attune_analysis import validation

RESULTS = {"quick": True, "patterns": [
    {"model": "reference", "pattern": "coordination", "file": "validation/coordination.yaml",
     "level": "micro", "cite": "Tronick & Cohn 1989", "source": "...", "status": "fail",
     "reason": "", "why": "shared distress counts as <coordination>", "elapsed_s": 1.0, "seeds": [1], "components": [
         {"name": "coordinated_fraction", "target": {"text": "0.3 [0.2, 0.4]"}, "mean": 0.53,
          "se": None, "pass": False, "seeds_passed": 0, "reason": "above 0.4 by 0.13",
          "per_seed": [{"value": 0.53, "p": None, "n": 300}]}]},
    {"model": "reference", "pattern": "kappa", "file": "validation/k.yaml", "level": "observed",
     "cite": "c", "source": "s", "status": "not_applicable", "reason": "no scenario",
     "elapsed_s": 0, "seeds": [], "components": []}]}


def test_from_json_and_section(tmp_path):
    path = tmp_path / "v.json"
    path.write_text(json.dumps(RESULTS))
    table = validation.load(path)
    assert list(table.columns) == validation.COLUMNS
    assert table["status"].tolist() == ["fail", "not applicable"]
    assert math.isnan(table["se"][0])
    status = validation.pattern_status(table)
    assert status["status"].tolist() == ["fail", "not applicable"]
    html = validation.report_section(table)
    assert "0 of 2 patterns pass" in html
    assert "fail: above 0.4 by 0.13" in html


def test_why_is_shown_once_per_failing_pattern_and_old_files_read(tmp_path):
    path = tmp_path / "v.json"
    path.write_text(json.dumps(RESULTS))
    html = validation.report_section(validation.load(path))
    assert "Why a model fails a pattern" in html
    assert html.count("shared distress counts as &lt;coordination&gt;") == 1   # escaped, once
    old = json.loads(json.dumps(RESULTS))
    for p in old["patterns"]:
        p.pop("why", None)
    path.write_text(json.dumps(old))
    table = validation.load(path)
    assert table["why"].tolist() == ["", ""]
    assert "Why a model fails" not in validation.report_section(table)
