"""The regime registry: one entry per regime, and nothing else keeps its own list."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from shared.domain import calendars, regimes
from shared.domain.regimes import REGISTRY, UnknownRegime
from shared.formats.writers.base import writer_for

ROOT = Path(__file__).resolve().parents[3]
KEYS = regimes.keys()


def test_the_registry_names_the_three_regimes_in_the_order_the_api_lists_them():
    assert KEYS == ("krx", "cftc-part45", "emir")
    assert all(REGISTRY[key].key == key for key in KEYS)


@pytest.mark.parametrize("key", KEYS)
def test_every_regime_has_a_writer_that_imports_and_agrees_with_the_registry(key):
    writer = writer_for(key)
    entry = regimes.regime(key)
    assert writer.regime == key
    assert writer.media_type.partition(";")[0] == entry.media_type  # KRX adds its charset
    assert entry.writer.startswith("shared.formats.writers.")


@pytest.mark.parametrize("key", KEYS)
def test_every_regime_has_a_calendar_the_deadline_code_uses(key):
    rule = regimes.regime(key).deadline
    assert calendars.REGIMES[rule.name] is rule  # calendars reads the registry, no copy
    assert calendars.business_calendar(rule.calendar) is not None
    assert not calendars.is_business_day(key, date(2026, 11, 21))  # a Saturday everywhere
    assert regimes.regime(key).record_keeping_years >= 5
    assert regimes.regime(key).tr_name


def test_an_unknown_regime_names_the_known_ones():
    for ask in (lambda: regimes.regime("mas"), lambda: writer_for("mas"),
                lambda: regimes.resolve("mas")):
        with pytest.raises(UnknownRegime) as caught:
            ask()
        assert caught.value.key == "mas" and caught.value.known == KEYS
        assert str(caught.value) == "unknown regime 'mas': expected one of krx, cftc-part45, emir"
    assert issubclass(UnknownRegime, ValueError)  # what process, timeliness, generate catch
    with pytest.raises(UnknownRegime, match="expected one of CFTC, EMIR, KRX, UKEMIR"):
        calendars.reporting_deadline("ASIC", datetime(2026, 1, 5, tzinfo=UTC))


def test_record_spellings_resolve_and_uk_emir_is_a_deadline_but_not_a_report():
    assert {regimes.resolve(name).key for name in ("KRX", "krx_tr", " CFTC ", "cftc45",
                                                   "EMIR_Refit", "esma")} == set(KEYS)
    with pytest.raises(UnknownRegime):
        regimes.resolve("uk_emir")
    assert regimes.deadline_rule("uk_emir").name == "UKEMIR"
    assert "UKEMIR" not in {r.deadline.name for r in REGISTRY.values()}


def test_no_spelling_points_at_two_regimes():
    groups = [{r.key, r.deadline.name.lower(), *r.aliases} for r in REGISTRY.values()]
    groups += [{name.lower(), *more} for name, (_, more) in regimes.CALENDAR_ONLY.items()]
    spellings = [s for group in groups for s in group]
    assert len(spellings) == len(set(spellings))
    assert all(s == regimes.normalise(s) for s in spellings)  # else they could never match


def test_the_default_tenant_regime_is_registered():
    assert set(regimes.DEFAULT_TENANT_REGIMES) <= set(KEYS)


# Deadlines as calendars.py computed them before the registry existed (fixed instants): moving
# the rules into the registry must not move a single deadline.
FRIDAY = datetime(2026, 11, 20, 10, tzinfo=UTC)  # Friday 19:00 KST, 05:00 New York
NEW_YEAR = datetime(2026, 12, 31, 20, tzinfo=UTC)  # 1 Jan 05:00 KST (a holiday), 15:00 New York


@pytest.mark.parametrize("key, executed, kind, due", [
    ("krx", FRIDAY, None, datetime(2026, 11, 23, 15, tzinfo=UTC)),
    ("krx", FRIDAY, "CCP", datetime(2026, 11, 20, 15, tzinfo=UTC)),
    ("krx", NEW_YEAR, None, datetime(2027, 1, 4, 15, tzinfo=UTC)),
    ("krx", NEW_YEAR, "CCP", datetime(2027, 1, 1, 15, tzinfo=UTC)),
    ("cftc-part45", FRIDAY, None, datetime(2026, 11, 24, 5, tzinfo=UTC)),
    ("cftc-part45", FRIDAY, "SD", datetime(2026, 11, 24, 5, tzinfo=UTC)),
    ("cftc-part45", FRIDAY, "other", datetime(2026, 11, 25, 5, tzinfo=UTC)),
    ("cftc-part45", NEW_YEAR, None, datetime(2027, 1, 5, 5, tzinfo=UTC)),
    ("cftc-part45", NEW_YEAR, "CCP", datetime(2027, 1, 6, 5, tzinfo=UTC)),
    ("emir", FRIDAY, None, datetime(2026, 11, 24, tzinfo=UTC)),
    ("emir", FRIDAY, "CCP", datetime(2026, 11, 24, tzinfo=UTC)),
    ("emir", NEW_YEAR, None, datetime(2027, 1, 5, tzinfo=UTC)),
])
def test_deadlines_are_unchanged(key, executed, kind, due):
    assert calendars.reporting_deadline(key, executed, counterparty_kind=kind) == due
    # the calendars' own name for the regime gives the same answer
    name = regimes.regime(key).deadline.name
    assert calendars.reporting_deadline(name, executed, counterparty_kind=kind) == due


def test_the_registry_loads_without_writers_adapters_or_holidays():
    # generate and submit zips carry no `holidays`, submit no `lxml` (the EMIR writer)
    code = ("import sys, shared.domain.regimes; print(sorted(m for m in sys.modules if "
            "m.startswith(('shared.formats', 'shared.adapters', 'shared.services', 'holidays'))))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_tenants_can_be_configured_for_every_regime():
    # tenants_regimes_known (a CHECK on tenants.regimes): a new regime needs a migration too
    migrations = sorted((ROOT / "shared/adapters/db/migrations").glob("*.sql"))
    found = [m for path in migrations for m in re.finditer(
        r"tenants_regimes_known\s+CHECK\s*\(.*?ARRAY\[([^\]]*)\]", path.read_text(), re.S)]
    assert found, "no tenants_regimes_known constraint found"
    allowed = re.findall(r"'([^']+)'", found[-1].group(1))
    assert set(allowed) == set(KEYS)


# -- nobody keeps a copy ------------------------------------------------------------------------

REGISTRY_FILE = ROOT / "shared/domain/regimes.py"


def _copies(source: str, name: str) -> list[str]:
    """Tuple/list/set literals (Literal[...] included) holding every registry key."""
    found = []
    for node in ast.walk(ast.parse(source, name)):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            values = {e.value for e in node.elts
                      if isinstance(e, ast.Constant) and isinstance(e.value, str)}
            if set(KEYS) <= values:
                found.append(f"{name}:{node.lineno}")
    return found


def test_no_module_keeps_its_own_list_of_regimes():
    modules = [p for top in ("shared", "swaprep", "functions") for p in (ROOT / top).rglob("*.py")
               if p != REGISTRY_FILE and "tests" not in p.relative_to(ROOT).parts]
    assert len(modules) > 100  # the walk found the code
    copies = [hit for path in modules
              for hit in _copies(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))]
    assert copies == [], f"read shared.domain.regimes instead: {copies}"


def test_the_copy_detector_sees_a_copy_in_any_order_but_not_a_subset():
    source = ('from typing import Literal\n'
              'R = Literal["emir", "krx", "cftc-part45"]\n'
              'for regime in ("krx", "emir", "cftc-part45", "mas"):\n    pass\n'
              'S = ["cftc-part45", "emir"]  # a rule that applies to two regimes is no copy\n')
    assert sorted(_copies(source, "sample.py")) == ["sample.py:2", "sample.py:3"]
