"""Model variants kept as patches (calibration/variants/*.patch) still apply to this tree.

A variant that was tried and not adopted is recorded in docs/MODEL2.md §8 with its figures; the
patch is what lets a later session rerun it. This test fails when a change to the model's files
makes a patch stale, so that it is refreshed (or retired) in the same change, not found broken
later. It needs a git work tree (a clone, as in CI); elsewhere it is skipped.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PATCHES = sorted((REPO / "calibration" / "variants").glob("*.patch"))


def in_git_work_tree():
    if shutil.which("git") is None:
        return False
    r = subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], cwd=REPO,
                       capture_output=True, text=True)
    return r.returncode == 0 and r.stdout.strip() == "true"


def test_there_is_a_variant_to_check():
    assert PATCHES, "calibration/variants/ holds no patch; remove this test with the folder"


@pytest.mark.skipif(not in_git_work_tree(), reason="needs a git work tree")
@pytest.mark.parametrize("patch", PATCHES, ids=lambda p: p.name)
def test_variant_patch_applies(patch):
    r = subprocess.run(["git", "apply", "--check", str(patch)], cwd=REPO,
                       capture_output=True, text=True)
    assert r.returncode == 0, f"{patch.name} no longer applies:\n{r.stderr}"
