"""Build `RefData` from the packaged CSV tables plus an optional installation directory."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TypeVar

from shared.domain.refdata.tables import CommodityRule, EntityInfo, RefData

ENV_VAR = "SWAPREP_REFDATA_DIR"
FILES = ("day_count_fractions.csv", "floating_rate_indices.csv",
         "currencies.csv", "entities.csv", "mic_codes.csv", "commodity_classification.csv",
         "commodity_products.csv", "commodity_units.csv")


def load(override_dir: str | Path | None = None) -> RefData:
    """Packaged tables, extended (and overridden key by key) by `override_dir` if given."""
    return _load(str(override_dir) if override_dir else None)


@lru_cache(maxsize=8)
def _load(override_dir: str | None) -> RefData:
    rows = {name: _rows(_packaged(name)) for name in FILES}
    if override_dir:
        for name in FILES:
            path = Path(override_dir) / name
            if path.is_file():
                extra = _rows(path.read_text(encoding="utf-8"))
                # installation rows first: they win for lookups that take the first match
                rows[name] = extra + rows[name]
    return RefData(
        day_counts=_first_wins((r["fpml"], r["iso"]) for r in rows["day_count_fractions.csv"]),
        rate_indices=tuple((re.compile(r["pattern"], re.IGNORECASE), r["iso"])
                           for r in rows["floating_rate_indices.csv"]),
        currencies=_first_wins((r["code"], (r["iso"], r.get("settlement_location") or None))
                               for r in rows["currencies.csv"]),
        entities=_first_wins((r["lei"], _entity(r)) for r in rows["entities.csv"]),
        mic_status=_first_wins((r["mic"].upper(), r.get("status") or "ACTIVE")
                               for r in rows["mic_codes.csv"]),
        commodity_codes=_first_wins(
            ((r["base"], r.get("sub") or None, r.get("further") or None), r.get("name") or "")
            for r in rows["commodity_classification.csv"]),
        commodity_rules=tuple(
            CommodityRule(source=r["source"], pattern=re.compile(r["pattern"], re.IGNORECASE),
                          base=r["base"], sub=r.get("sub") or None,
                          further=r.get("further") or None)
            for r in rows["commodity_products.csv"]),
        units=_first_wins((r["fpml"], r["iso"]) for r in rows["commodity_units.csv"]),
    )


def _packaged(name: str) -> str:
    return resources.files("shared.domain.refdata").joinpath("data", name).read_text("utf-8")


def _rows(text: str) -> list[dict[str, str]]:
    lines = [line for line in io.StringIO(text) if line.strip() and not line.startswith("#")]
    return [{k: (v or "").strip() for k, v in row.items() if k}
            for row in csv.DictReader(lines)]


K = TypeVar("K")
V = TypeVar("V")


def _first_wins(pairs: Iterable[tuple[K, V]]) -> dict[K, V]:
    out: dict[K, V] = {}
    for key, value in pairs:
        out.setdefault(key, value)
    return out


def _flag(value: str | None) -> bool | None:
    value = (value or "").strip().lower()
    return {"true": True, "false": False, "y": True, "n": False}.get(value)


def _entity(row: dict[str, str]) -> EntityInfo:
    return EntityInfo(
        lei=row["lei"],
        nature=row.get("nature") or None,
        sectors=tuple(s for s in (row.get("sectors") or "").split("|") if s),
        financial_entity=_flag(row.get("financial_entity")),
        federal_entity=_flag(row.get("federal_entity")),
        clearing_threshold_exceeded=_flag(row.get("clearing_threshold_exceeded")),
        directly_linked_activity=_flag(row.get("directly_linked_activity")),
        country=row.get("country") or None,
    )
