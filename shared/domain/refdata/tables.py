"""The reference-data lookups, as plain data (no I/O): built by `loader.load` or by tests."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class EntityInfo:
    """What an installation knows about a counterparty, keyed by LEI."""

    lei: str
    nature: str | None = None  # F, N, C, O (EMIR nature of the counterparty)
    sectors: tuple[str, ...] = ()
    financial_entity: bool | None = None
    federal_entity: bool | None = None
    clearing_threshold_exceeded: bool | None = None
    directly_linked_activity: bool | None = None
    country: str | None = None


@dataclass(frozen=True)
class CommodityRule:
    """One row of commodity_products.csv: a pattern placing a trade in the classification."""

    source: str  # "taxonomy" or "reference_price"
    pattern: re.Pattern[str]
    base: str
    sub: str | None = None
    further: str | None = None


@dataclass(frozen=True)
class RefData:
    day_counts: dict[str, str] = field(default_factory=dict)  # FpML DCF -> ISO code
    rate_indices: tuple[tuple[re.Pattern[str], str], ...] = ()  # first match wins
    currencies: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    entities: dict[str, EntityInfo] = field(default_factory=dict)
    mic_status: dict[str, str] = field(default_factory=dict)  # MIC -> ISO 10383 status
    # (base, sub, further) -> name: every valid ISO 20022 / EMIR commodity classification
    commodity_codes: dict[tuple[str, str | None, str | None], str] = field(
        default_factory=dict)
    commodity_rules: tuple[CommodityRule, ...] = ()  # first match wins per source
    units: dict[str, str] = field(default_factory=dict)  # FpML unit -> ISO 20022 unit code

    def day_count(self, fpml: str | None) -> str | None:
        if not fpml:
            return None
        return self.day_counts.get(fpml.strip()) or self.day_counts.get(fpml.strip().upper())

    def rate_index(self, name: str | None) -> str | None:
        """ISO 20022 benchmark code of an FpML floating rate index name, if the table knows it."""
        if not name:
            return None
        for pattern, code in self.rate_indices:
            if pattern.search(name):
                return code
        return None

    def iso_currency(self, code: str | None) -> str | None:
        """The ISO 4217 code to report for a market code such as CNH (offshore renminbi)."""
        if not code:
            return code
        return self.currencies.get(code, (code, None))[0]

    def settlement_location(self, code: str | None) -> str | None:
        return self.currencies.get(code, (code, None))[1] if code else None

    def mic_active(self, mic: str | None) -> bool:
        """Whether a MIC may be reported (unknown MICs are taken as active)."""
        if not mic:
            return False
        return self.mic_status.get(mic.upper(), "ACTIVE").upper() == "ACTIVE"

    def entity(self, lei: str | None) -> EntityInfo | None:
        return self.entities.get(lei) if lei else None

    def unit_of_measure(self, fpml: str | None) -> str | None:
        """The ISO 20022 unit code of an FpML quantity unit; None for a unit known to have no
        ISO 20022 code; an unknown unit as it is stated."""
        if not fpml:
            return None
        unit = fpml.strip()
        if unit in self.units:
            return self.units[unit] or None
        folded = {key.upper(): value for key, value in self.units.items()}
        return folded.get(unit.upper(), unit) or None

    def commodity_classification(self, base: str | None, sub: str | None = None,
                                 further: str | None = None) -> bool:
        """Whether (base, sub, further) is a combination of the published code list."""
        return bool(base) and (base, sub or None, further or None) in self.commodity_codes

    def classify_commodity(self, taxonomy: list[str], reference_prices: list[str]
                           ) -> tuple[str, str | None, str | None] | None:
        """(base, sub, further) product of a commodity trade from its product taxonomy texts
        and its reference prices (see commodity_products.csv); None when nothing matches."""
        broad = self._first_rule("taxonomy", taxonomy)
        narrow = self._first_rule("reference_price", reference_prices)
        if narrow is not None and (broad is None or (
                narrow.base == broad.base and (not broad.sub or broad.sub == narrow.sub))):
            found = (narrow.base, narrow.sub, narrow.further)
        elif broad is not None:
            found = (broad.base, broad.sub, None)
        else:
            return None
        # never report a combination the code list does not have
        while found[0] and not self.commodity_classification(*found):
            found = (found[0], found[1], None) if found[2] else (found[0], None, None)
            if found[1] is None and not self.commodity_classification(*found):
                return None
        return found

    def _first_rule(self, source: str, texts: list[str]) -> CommodityRule | None:
        for text in texts:
            for rule in self.commodity_rules:
                if rule.source == source and text and rule.pattern.search(text):
                    return rule
        return None
