"""FpML in, CFTC Part 45 and EMIR Refit out, measured against ISDA DRR's expected reports.

Runs the corpus scorer (`../shared/conformance/score.py`) in a subprocess for each regime, the
way the lead and CI run it, and fails below the agreed floors. The scorer spawns
`swaprep report` once per case, so this exercises the CLI end to end.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CORPUS = Path(os.environ.get("SWAPREP_CONFORMANCE_DIR", ROOT.parent / "shared" / "conformance"))
FLOORS = {"cftc-part45": 85.0, "emir": 75.0}


def _swaprep() -> str:
    beside = Path(sys.executable).with_name("swaprep")
    found = str(beside) if beside.exists() else shutil.which("swaprep")
    assert found, "the swaprep console script is not installed (pip install -e .)"
    return found


@pytest.mark.parametrize("regime", sorted(FLOORS))
def test_conformance_score(regime):
    # CI runs with ../shared beside the repo: a missing corpus is a broken setup, not a skip.
    assert (CORPUS / "score.py").exists(), f"conformance corpus not found at {CORPUS}"
    run = subprocess.run(
        [sys.executable, str(CORPUS / "score.py"), "--regime", regime, "--",
         _swaprep(), "report"],
        cwd=ROOT, capture_output=True, text=True, timeout=170)
    assert run.returncode == 0, run.stderr[-2000:]
    last = run.stdout.strip().splitlines()[-1]
    match = re.search(rf"{re.escape(regime)} ([0-9.]+)% \((\d+)/(\d+) fields, (\d+) cases failed",
                      last)
    assert match, f"unexpected scorer output: {last!r}"
    score, failed = float(match.group(1)), int(match.group(4))
    assert failed == 0, run.stdout[-3000:]
    assert score >= FLOORS[regime], f"{regime} conformance {score}% < {FLOORS[regime]}%"
