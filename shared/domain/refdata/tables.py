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
class RefData:
    day_counts: dict[str, str] = field(default_factory=dict)  # FpML DCF -> ISO code
    rate_indices: tuple[tuple[re.Pattern[str], str], ...] = ()  # first match wins
    currencies: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    entities: dict[str, EntityInfo] = field(default_factory=dict)
    mic_status: dict[str, str] = field(default_factory=dict)  # MIC -> ISO 10383 status

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
