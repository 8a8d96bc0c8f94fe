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


def test_the_registry_names_the_regimes_in_the_order_the_api_lists_them():
    # the home regime, the first two foreign ones, then the ones issue 16 added
    assert KEYS == ("krx", "cftc-part45", "emir", "uk-emir", "jfsa", "mas", "hkma", "asic",
                    "cftc-part43")
    assert all(REGISTRY[key].key == key for key in KEYS)


@pytest.mark.parametrize("key", KEYS)
def test_every_regime_has_a_korean_name_for_the_console_and_its_messages(key):
    assert re.search("[\uac00-\ud7a3]", REGISTRY[key].display_name_ko), key


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
    for ask in (lambda: regimes.regime("sec"), lambda: writer_for("sec"),
                lambda: regimes.resolve("sec")):
        with pytest.raises(UnknownRegime) as caught:
            ask()
        assert caught.value.key == "sec" and caught.value.known == KEYS
        assert str(caught.value) == ("unknown regime 'sec': expected one of krx, cftc-part45, "
                                     "emir, uk-emir, jfsa, mas, hkma, asic, cftc-part43")
    assert issubclass(UnknownRegime, ValueError)  # what process, timeliness, generate catch
    with pytest.raises(UnknownRegime, match="expected one of ASIC, CFTC, CFTC43, EMIR, HKMA, "
                                            "JFSA, KRX, MAS, UKEMIR"):
        calendars.reporting_deadline("CSA", datetime(2026, 1, 5, tzinfo=UTC))


def test_record_spellings_resolve_to_their_regime():
    spellings = {"KRX": "krx", "krx_tr": "krx", " CFTC ": "cftc-part45", "cftc45": "cftc-part45",
                 "EMIR_Refit": "emir", "esma": "emir", "UK_EMIR": "uk-emir", "FCA": "uk-emir",
                 "JFSA": "jfsa", "MAS": "mas", "HKTR": "hkma", "HKMA": "hkma", "ASIC": "asic",
                 "CFTC_Part43": "cftc-part43"}
    assert {name: regimes.resolve(name).key for name in spellings} == spellings
    # Part 43 (public dissemination) is its own report now, not another name for Part 45
    assert regimes.resolve("cftc-part43").writer != regimes.resolve("cftc-part45").writer
    assert regimes.deadline_rule("uk_emir").name == "UKEMIR"


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


# The issue-16 regimes, each on its own calendar and zone (sources in docs/RULES.md).
CHRISTMAS_EVE = datetime(2026, 12, 24, 10, tzinfo=UTC)  # Thursday; 19:00 Tokyo, 21:00 Sydney


@pytest.mark.parametrize("key, executed, due", [
    # T+1 on the England and Wales calendar: 25, 26 (observed 28) December are bank holidays
    ("uk-emir", CHRISTMAS_EVE, datetime(2026, 12, 30, tzinfo=UTC)),
    # T+1 in Tokyo: the 25th is a working day in Japan; the day ends 15:00 UTC
    ("jfsa", CHRISTMAS_EVE, datetime(2026, 12, 25, 15, tzinfo=UTC)),
    # T+2 in Singapore: Christmas is a holiday, so Monday 28th is the second business day
    ("mas", CHRISTMAS_EVE, datetime(2026, 12, 29, 16, tzinfo=UTC)),
    # T+2 in Hong Kong: 25 and 26 December are general holidays (the 26th a Saturday, not
    # moved), so Monday 28th and Tuesday 29th are the two business days
    ("hkma", CHRISTMAS_EVE, datetime(2026, 12, 29, 16, tzinfo=UTC)),
    # T+2 in Sydney: Christmas and Boxing Day (observed Monday 28th) are NSW holidays
    ("asic", CHRISTMAS_EVE, datetime(2026, 12, 30, 13, tzinfo=UTC)),
    # Part 43: the end of the New York execution day at the latest
    ("cftc-part43", CHRISTMAS_EVE, datetime(2026, 12, 25, 5, tzinfo=UTC)),
])
def test_each_new_regime_counts_days_on_its_own_calendar(key, executed, due):
    assert calendars.reporting_deadline(key, executed) == due


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
    every = ", ".join(f'"{key}"' for key in reversed(KEYS))
    source = ('from typing import Literal\n'
              f'R = Literal[{every}]\n'
              f'for regime in ({every}, "sec"):\n    pass\n'
              'S = ["cftc-part45", "emir"]  # a rule that applies to two regimes is no copy\n')
    assert sorted(_copies(source, "sample.py")) == ["sample.py:2", "sample.py:3"]
