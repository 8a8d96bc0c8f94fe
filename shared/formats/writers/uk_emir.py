"""FCA UK EMIR report, auth.030.001.03 (the FCA kept ESMA's version), as `Auth030Writer` builds it.

Starts from the ISO 20022 document every auth.030 regime shares; what the FCA's rules (UK EMIR
Refit, in force 30 September 2024) and DRR's UK EMIR rules fill differently is overridden here:

- each counterparty's nature, sector and clearing threshold come from its UK EMIR (FCA)
  classification, not its EU one;
- the execution agents of counterparty 1 and 2 (fields the FCA added to ESMA's set, PS23/2)
  and the relationship record naming whose agent it is;
- a custom basket code is split into its structurer LEI and the structurer's own code;
- periods are reported in the unit the trade states (12M is MNTH 12, not YEAR 1);
- the floating rate index is any ISO 20022 FloatingRateIndex1Code (ESMA's list lacks TONA ...).
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from lxml import etree

from shared.domain.model import Nature, Party, TradeEvent
from shared.formats.writers.auth030 import Auth030Writer

NS = "urn:iso:std:iso:20022:tech:xsd:auth.030.001.03"
UK_EMIR = "UKEMIR"  # FpML reportingRegime/name of the FCA's UK EMIR (DRR RegimeNameEnum.UKEMIR)
NOT_APPLICABLE = "NOAP"  # an execution agent stated for the other party only
# ISO 20022 FinancialPartySectorType3Code: the sectors an FC may state as its corporate sector
FINANCIAL_SECTORS = frozenset({
    "AIFD", "ASSU", "CCPS", "CDTI", "CSDS", "INUN", "INVF", "ORPI", "REIN", "UCIT", "OTHR",
})
# ISO 20022 FloatingRateIndex1Code, whole: the FCA's schema admits every code of it
ISO_FLOATING_RATE_INDICES = frozenset({
    "BBSW", "BCOL", "BJUO", "BUBO", "CDOR", "CIBO", "CORA", "CZNA", "EFFR", "EONA", "EONS",
    "ESTR", "ETIO", "EUCH", "EURI", "EUUS", "FUSW", "GCFR", "HKIO", "ISDA", "JIBA", "LIBI",
    "LIBO", "MAAA", "MOSP", "NIBO", "OBFR", "PFAN", "PRBO", "RCTR", "SIBO", "SOFR", "SONA",
    "SORA", "SSOR", "STBO", "SWAP", "TIBO", "TLBO", "TONA", "TORF", "TREA", "WIBO",
})
# UK EMIR custom basket code: the structurer's LEI (ISO 17442, 20 characters) then
# the structurer's own code of up to 52 (DRR: SubString(code, 1, 20) and SubString(code, 21, 52))
STRUCTURER_LEI_LENGTH = 20
STRUCTURER_CODE_LENGTH = 52


class UkEmirWriter(Auth030Writer):
    regime = "uk-emir"
    namespace = NS
    FLOATING_RATE_INDICES: ClassVar[frozenset[str]] = ISO_FLOATING_RATE_INDICES

    # --- counterparty-specific data -----------------------------------------------------------

    def _counterparty_data(self, parent: etree._Element, event: TradeEvent, stamp: datetime,
                           variant: str) -> None:
        uk_view = event.model_copy(update={
            "counterparty_1": uk_classified(event.counterparty_1),
            "counterparty_2": uk_classified(event.counterparty_2),
        })
        super()._counterparty_data(parent, uk_view, stamp, variant)
        self._execution_agent(parent.find(f"{{{self.namespace}}}CtrPty"), event)

    def _execution_agent(self, cpty: etree._Element | None, event: TradeEvent) -> None:
        """Execution agent of counterparty 1 / 2 in ISO: one `ExctnAgt` (1's agent, else
        counterparty 2's) and a `RltshRcrd` from that counterparty (REPC / OTHC) to its agent
        (EXEA), as DRR's FCA projection (Create_TradeCounterpartyReport20__1) builds them; they
        follow NttyRspnsblForRpt, the last element written."""
        if cpty is None:
            return
        agent_1 = _agent(event.counterparty_1)
        agent_2 = _agent(event.counterparty_2)
        agent = agent_1 or agent_2
        if agent is None:
            return
        self.sub(cpty, "ExctnAgt/LEI", agent)
        record = self.sub(cpty, "RltshRcrd")
        self.sub(record, "StartRltshPty", "REPC" if agent_1 else "OTHC")
        self.sub(record, "EndRltshPty", "EXEA")
        self.sub(record, "RltshTp/Prtry", "ZZZZ")  # no ISO relationship type applies

    def _nature(self, parent: etree._Element, party: Party, other: bool) -> None:
        if party.nature == Nature.FINANCIAL:
            # DRR ExtractPartySector: an FC states only a financial sector code
            party = party.model_copy(update={
                "sectors": [s for s in party.sectors if s in FINANCIAL_SECTORS]})
        super()._nature(parent, party, other)

    # --- contract data -----------------------------------------------------------------------

    def _underlying(self, parent: etree._Element, event: TradeEvent) -> None:
        super()._underlying(parent, event)
        basket_id = event.product.basket_id
        code = parent.find(f"{{{self.namespace}}}UndrlygInstrm/{{{self.namespace}}}Bskt/"
                           f"{{{self.namespace}}}Id")
        if code is None or not basket_id:
            return
        # custom basket code = structurer LEI (Strr) + the structurer's code (Id)
        basket = code.getparent()
        structurer_code = basket_id[
            STRUCTURER_LEI_LENGTH:STRUCTURER_LEI_LENGTH + STRUCTURER_CODE_LENGTH]
        strr = etree.Element(f"{{{self.namespace}}}Strr")
        strr.text = basket_id[:STRUCTURER_LEI_LENGTH]
        code.addprevious(strr)
        if structurer_code:
            code.text = structurer_code
        else:
            basket.remove(code)

    # --- transaction data --------------------------------------------------------------------

    def _years(self, value: tuple[str, int | None]) -> tuple[str, int | None]:
        # the FCA takes a period in the unit the trade states: 12 months stays MNTH 12
        return value


def uk_classified(party: Party | None) -> Party | None:
    """The party as UK EMIR classifies it: the nature, clearing threshold and hedging flag of its
    UKEMIR regime entry where the trade gives one (DRR reads FCAPartyInformation), and with them
    the reporting obligation an NFC below the clearing threshold does not have (UK EMIR
    Art. 9(1a)). Without a UK entry the party's own classification stands."""
    if party is None:
        return None
    uk = party.regime_classifications.get(UK_EMIR)
    if uk is None:
        return party
    obligation = not (uk.nature == Nature.NON_FINANCIAL and uk.clearing_threshold_exceeded is False)
    return party.model_copy(update={
        "nature": uk.nature,
        "clearing_threshold_exceeded": uk.clearing_threshold_exceeded,
        "directly_linked_activity": uk.directly_linked_activity,
        "reporting_obligation": obligation,
    })


def _agent(party: Party | None) -> str | None:
    agent = party.execution_agent if party is not None else None
    return agent if agent and agent != NOT_APPLICABLE else None
