"""What a counterparty is under a regime, from what the record says of it (its country,
nature, clearing threshold, the classifications a source states per regime): the statuses
routing decides by, and whether the party must itself report, which the auth.030 writers
state (OthrCtrPty/RptgOblgtn). Apart from routing so that a writer gets these rules without
importing routing and the entity book.
"""

from __future__ import annotations

from shared.domain import regimes as registry
from shared.domain.model import Nature, Party

__all__ = ["counterparty_status", "has_reporting_obligation"]

# FpML reportingRegime names -> registry keys, for the classifications a source states per regime
_FPML_REGIME = {"EMIR": "emir", "UKEMIR": "uk-emir", "JFSA": "jfsa", "MAS": "mas",
                "HKTR": "hkma", "HKMA": "hkma", "ASIC": "asic"}


def counterparty_status(party: Party | None, regime_key: str) -> str | None:
    """What the record says the party is under the regime, None when it does not say (or the
    party is outside the regime's reach)."""
    if party is None:
        return None
    regime = registry.regime(regime_key)
    obligation = regime.obligation
    if obligation is None:
        return None
    own = next((c for name, c in party.regime_classifications.items()
                if _FPML_REGIME.get(name.upper()) == regime_key),
               None) if party.regime_classifications else None
    country = (party.country or "").upper()
    in_reach = own is not None or country in obligation.jurisdictions
    if obligation.statuses == ("FC", "NFC+", "NFC-", "CCP"):  # EMIR and UK EMIR
        nature = own.nature if own is not None and own.nature else party.nature
        threshold = (own.clearing_threshold_exceeded if own is not None
                     and own.clearing_threshold_exceeded is not None
                     else party.clearing_threshold_exceeded)
        if not in_reach or nature is None:
            return None
        if nature is Nature.FINANCIAL:
            return "FC"
        if nature is Nature.CCP:
            return "CCP"
        if nature is Nature.NON_FINANCIAL:
            return "NFC-" if threshold is False else "NFC+"
        return None
    if obligation.statuses[0] == "SD":  # CFTC
        stated = (party.entity_classifications.get("CFTC") or "").upper()
        if stated in ("SD", "MSP"):
            return stated
        if party.financial_entity:
            return "FE"
        return "NFE" if country == "US" else None
    # the regimes where each prescribed entity reports: a financial party in the country
    if in_reach and party.nature in (Nature.FINANCIAL, Nature.CCP):
        return "REPORTING"
    return None


def has_reporting_obligation(party: Party | None, regime_key: str) -> bool:
    """Whether the party is itself obliged to report the trade under the regime (auth.030
    OthrCtrPty/RptgOblgtn, EMIR Refit Table 1 field 1.13): what the record says, else whether
    the regime gives it a status of its own. A small NFC whose financial counterparty reports
    for it by law is not (Art. 9(1a)), the reading DRR applies to FpML and the mapper follows
    (docs/MAPPING.md). Not known is False."""
    if party is None:
        return False
    if party.reporting_obligation is not None:
        return party.reporting_obligation
    status = counterparty_status(party, regime_key)
    obligation = registry.regime(regime_key).obligation
    return status is not None and (obligation is None or status not in obligation.delegated_for)
