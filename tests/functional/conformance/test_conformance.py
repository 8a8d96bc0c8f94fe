"""FpML in, every regime's report out, measured against ISDA DRR's expected reports.

Runs the corpus scorer (`../shared/conformance/score.py`) in a subprocess, once per corpus for
all eight regimes, the way the lead and CI run it, and fails below each regime's floor or on
any case that fails outright. The scorer spawns `swaprep report` once per case and regime, so
this exercises the CLI end to end.

The floors are what the code scores today, rounded down, and none is below issue 16's 95 %:
a change that loses fields fails here. (The auth.030.001.04 regimes cannot reach 100 %: see
docs/MAPPING.md on the reporting timestamp in their technical attributes.)
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from shared.domain.regimes import keys as regime_keys

ROOT = Path(__file__).resolve().parents[3]
CORPUS = Path(os.environ.get("SWAPREP_CONFORMANCE_DIR", ROOT.parent / "shared" / "conformance"))
FLOORS = {
    "main": {"cftc-part45": 99.5, "cftc-part43": 99.5, "emir": 99.5, "uk-emir": 99.5,
             "hkma": 99.5, "jfsa": 97.0, "mas": 96.5, "asic": 96.5},
    "extra": {"cftc-part45": 98.0, "cftc-part43": 98.5, "emir": 99.0, "uk-emir": 98.5,
              "hkma": 98.5, "jfsa": 96.5, "mas": 95.5, "asic": 95.5},
}


def _swaprep() -> str:
    beside = Path(sys.executable).with_name("swaprep")
    found = str(beside) if beside.exists() else shutil.which("swaprep")
    assert found, "the swaprep console script is not installed (pip install -e .)"
    return found


def test_every_reporting_regime_but_krx_is_scored():
    # KRX has no DRR projection; every other regime of the registry has expected reports
    assert set(FLOORS["main"]) == set(regime_keys()) - {"krx"} == set(FLOORS["extra"])


@pytest.mark.parametrize("corpus", sorted(FLOORS))
def test_conformance_score(corpus):
    # CI runs with ../shared beside the repo: a missing corpus is a broken setup, not a skip.
    assert (CORPUS / "score.py").exists(), f"conformance corpus not found at {CORPUS}"
    where = [] if corpus == "main" else ["--corpus", str(CORPUS / corpus)]
    # --no-checks: the same report on stdout without judging the rules for stderr, which the
    # scorer ignores (tests/unit/commands/test_report.py); 40 % less CPU over ~700 runs
    run = subprocess.run(
        [sys.executable, str(CORPUS / "score.py"), *where, "--regime", ",".join(FLOORS[corpus]),
         "--", _swaprep(), "report", "--no-checks"],
        cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-2000:]
    last = run.stdout.strip().splitlines()[-1]
    below = []
    for regime, floor in FLOORS[corpus].items():
        match = re.search(rf"(?<![\w-]){re.escape(regime)} ([0-9.]+)% \((\d+)/(\d+) fields, "
                          rf"(\d+) cases failed", last)
        assert match, f"no score for {regime} in {last!r}"
        score, failed = float(match.group(1)), int(match.group(4))
        if failed or score < floor:
            below.append(f"{regime} {score}% (floor {floor}%), {failed} cases failed")
    assert below == [], f"{corpus} corpus: {below}\n{run.stdout[-3000:]}"
