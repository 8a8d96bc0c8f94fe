"""`swaprep report`: the report on stdout, the trade's issues on stderr unless --no-checks."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner

from swaprep.commands.report import command

ROOT = Path(__file__).resolve().parents[3]
CORPUS = Path(os.environ.get("SWAPREP_CONFORMANCE_DIR", ROOT.parent / "shared" / "conformance"))
TRADE = CORPUS / "input" / "rates" / "IR-IRS-Fixed-Float-ex01.xml"
STAMP = ["--reporting-timestamp", "2024-04-29T00:00:00Z"]


def _run(*args: str):
    result = CliRunner().invoke(command, [*args, *STAMP, str(TRADE)])
    assert result.exit_code == 0, result.output
    return result


def test_the_report_is_printed_with_the_rules_issues_on_stderr():
    result = _run("--regime", "jfsa")
    assert result.stdout.startswith("<?xml") and "auth.030.001.04" in result.stdout
    # the corpus trade has no UPI, which JFSA requires: named with its rule, field and record
    assert "record 1: SR-ID-009 reject [product.upi]" in result.stderr


def test_no_checks_prints_the_same_report_and_nothing_else():
    for regime in ("jfsa", "cftc-part45", "krx"):
        checked, quiet = _run("--regime", regime), _run("--regime", regime, "--no-checks")
        assert quiet.stdout == checked.stdout
        assert quiet.stderr == "" and checked.stderr != ""
