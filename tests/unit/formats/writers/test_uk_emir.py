"""FCA UK EMIR auth.030.001.03 writer: where the UK report differs from ESMA's EMIR report."""

from __future__ import annotations

import io

from lxml import etree

from shared.domain.model import (
    Nature,
    Party,
    Period,
    PeriodUnit,
    Product,
    RegimeClassification,
    TradeEvent,
)
from shared.formats.readers.fpml import FpmlReader
from shared.formats.writers.base import writer_for
from shared.formats.writers.emir import EmirRefitWriter
from shared.formats.writers.uk_emir import NS, UkEmirWriter
from tests.unit.formats.fpml.samples import irs, message, regime, stream
from tests.unit.formats.writers.test_cftc import STAMP, A, B, swap

N = {"a": NS}
AGENT = "549300AGENTLEI000012"
CPTY = "a:DerivsTradRpt/a:TradData/a:Rpt/a:New/a:CtrPtySpcfcData/a:CtrPty"
TX = "a:DerivsTradRpt/a:TradData/a:Rpt/a:New/a:CmonTradData/a:TxData"
CONTRACT = "a:DerivsTradRpt/a:TradData/a:Rpt/a:New/a:CmonTradData/a:CtrctData"


def uk(event: TradeEvent) -> etree._Element:
    return etree.fromstring(UkEmirWriter().write_one(event, reporting_timestamp=STAMP))


def eu(event: TradeEvent) -> etree._Element:
    return etree.fromstring(EmirRefitWriter().write_one(event, reporting_timestamp=STAMP))


def children(node: etree._Element) -> list[str]:
    return [etree.QName(child).localname for child in node]


def test_writer_for_regime():
    assert isinstance(writer_for("uk-emir"), UkEmirWriter)


def test_party_classified_by_its_uk_emir_entry_not_its_eu_one():
    event = swap()
    # an NFC- under ESMA's EMIR (no report of its own) that the FCA classifies as an FC
    event.counterparty_2 = Party(
        identifier=B, nature=Nature.NON_FINANCIAL, sectors=["D"],
        clearing_threshold_exceeded=False, reporting_obligation=False,
        regime_classifications={"UKEMIR": RegimeClassification(
            nature=Nature.FINANCIAL, clearing_threshold_exceeded=True)})
    other = uk(event).find(f"{CPTY}/a:OthrCtrPty", N)
    # D is a NACE section: no financial sector to state
    assert children(other.find("a:Ntr", N)) == ["FI"]
    assert other.find("a:Ntr/a:FI/a:Sctr", N) is None
    assert other.findtext("a:Ntr/a:FI/a:ClrThrshld", namespaces=N) == "true"
    assert other.findtext("a:RptgOblgtn", namespaces=N) == "true"
    # ESMA's report of the same trade keeps the EU classification
    eu_other = eu(event).find(f"{CPTY}/a:OthrCtrPty", N)
    assert eu_other.findtext("a:Ntr/a:NFI/a:Sctr/a:Id", namespaces=N) == "D"
    assert eu_other.findtext("a:RptgOblgtn", namespaces=N) == "false"


def test_uk_financial_counterparty_states_its_financial_sector():
    event = swap()
    event.counterparty_1 = Party(
        identifier=A, nature=Nature.NON_FINANCIAL, sectors=["CDTI"],
        clearing_threshold_exceeded=True,
        regime_classifications={"UKEMIR": RegimeClassification(
            nature=Nature.FINANCIAL, clearing_threshold_exceeded=True)})
    fi = uk(event).find(f"{CPTY}/a:RptgCtrPty/a:Ntr/a:FI", N)
    assert fi.findtext("a:Sctr/a:Cd", namespaces=N) == "CDTI"


def test_uk_nfc_below_threshold_has_no_reporting_obligation():
    event = swap()
    event.counterparty_2 = Party(
        identifier=B, nature=Nature.FINANCIAL, reporting_obligation=True,
        regime_classifications={"UKEMIR": RegimeClassification(
            nature=Nature.NON_FINANCIAL, clearing_threshold_exceeded=False)})
    other = uk(event).find(f"{CPTY}/a:OthrCtrPty", N)
    assert other.findtext("a:Ntr/a:NFI/a:ClrThrshld", namespaces=N) == "false"
    assert other.findtext("a:RptgOblgtn", namespaces=N) == "false"


def test_without_a_uk_entry_the_party_classification_stands():
    event = swap()
    event.counterparty_1 = Party(identifier=A, nature=Nature.FINANCIAL, sectors=["INVF"],
                                 clearing_threshold_exceeded=True)
    rptg = uk(event).find(f"{CPTY}/a:RptgCtrPty", N)
    assert rptg.findtext("a:Ntr/a:FI/a:Sctr/a:Cd", namespaces=N) == "INVF"


def test_execution_agent_of_the_other_counterparty():
    event = swap()
    # the mapper's convention: NOAP for counterparty 1 when only counterparty 2 has an agent
    event.counterparty_1 = Party(identifier=A, execution_agent="NOAP")
    event.counterparty_2 = Party(identifier=B, execution_agent=AGENT)
    cpty = uk(event).find(CPTY, N)
    assert cpty.findtext("a:ExctnAgt/a:LEI", namespaces=N) == AGENT
    assert cpty.findtext("a:RltshRcrd/a:StartRltshPty", namespaces=N) == "OTHC"
    assert cpty.findtext("a:RltshRcrd/a:EndRltshPty", namespaces=N) == "EXEA"
    assert cpty.findtext("a:RltshRcrd/a:RltshTp/a:Prtry", namespaces=N) == "ZZZZ"
    # schema order: the agent and its record follow the entity responsible for the report
    names = children(cpty)
    assert names[-2:] == ["ExctnAgt", "RltshRcrd"]
    assert names.index("SubmitgAgt") < names.index("ExctnAgt")
    # ESMA's EMIR has no execution agent field
    assert eu(event).find(f"{CPTY}/a:ExctnAgt", N) is None


def test_execution_agent_of_the_reporting_counterparty_wins():
    event = swap()
    event.counterparty_1 = Party(identifier=A, execution_agent=AGENT)
    event.counterparty_2 = Party(identifier=B, execution_agent="5493000OTHERAGENT099")
    cpty = uk(event).find(CPTY, N)
    assert [e.text for e in cpty.findall("a:ExctnAgt/a:LEI", N)] == [AGENT]
    assert cpty.findtext("a:RltshRcrd/a:StartRltshPty", namespaces=N) == "REPC"


def test_no_execution_agent_no_relationship_record():
    cpty = uk(swap()).find(CPTY, N)
    assert cpty.find("a:ExctnAgt", N) is None and cpty.find("a:RltshRcrd", N) is None


def test_custom_basket_code_splits_into_structurer_and_code():
    event = swap(product=Product(asset_class="EQUI", contract_type="SWAP", custom_basket=True,
                                 basket_id="5493001KJTIIGC8Y1R12BASKET-0042"))
    basket = uk(event).find(f"{CONTRACT}/a:UndrlygInstrm/a:Bskt", N)
    assert basket.findtext("a:Strr", namespaces=N) == "5493001KJTIIGC8Y1R12"
    assert basket.findtext("a:Id", namespaces=N) == "BASKET-0042"
    assert children(basket)[:2] == ["Strr", "Id"]


def test_basket_code_of_twenty_characters_is_all_structurer():
    event = swap(product=Product(asset_class="CRDT", contract_type="SWAP",
                                 basket_id="CDSBASKETSAMPLE00001"))
    basket = uk(event).find(f"{CONTRACT}/a:UndrlygInstrm/a:Bskt", N)
    assert basket.findtext("a:Strr", namespaces=N) == "CDSBASKETSAMPLE00001"
    assert basket.find("a:Id", N) is None
    # ESMA reports the whole code as the basket's identifier
    assert eu(event).findtext(f"{CONTRACT}/a:UndrlygInstrm/a:Bskt/a:Id",
                              namespaces=N) == "CDSBASKETSAMPLE00001"


def test_twelve_months_stay_twelve_months():
    event = swap()
    event.legs[0].payment_frequency = Period(unit=PeriodUnit.MONTH, multiplier=12)
    term = uk(event).find(f"{TX}/a:IntrstRate/a:FrstLeg/a:Fxd/a:PmtFrqcy/a:Term", N)
    assert (term.findtext("a:Unit", namespaces=N), term.findtext("a:Val", namespaces=N)) == (
        "MNTH", "12")
    eu_term = eu(event).find(f"{TX}/a:IntrstRate/a:FrstLeg/a:Fxd/a:PmtFrqcy/a:Term", N)
    assert eu_term.findtext("a:Unit", namespaces=N) == "YEAR"


def test_tona_is_reported_by_code_in_the_uk_only():
    event = swap()
    event.legs[1].floating_index, event.legs[1].floating_index_code = (
        "JPY-TONA-OIS Compound", "TONA")
    fltg = f"{TX}/a:IntrstRate/a:ScndLeg/a:Fltg/a:Rate/a:Cd"
    assert uk(event).findtext(fltg, namespaces=N) == "TONA"
    assert eu(event).find(fltg, N) is None  # not in ESMA's FloatingRateIndex1Code


def _fpml_event(party_a_regimes: str, party_b_regimes: str) -> TradeEvent:
    text = message(irs(stream("A", "B", index="USD-LIBOR-BBA", reset="3M"),
                       stream("B", "A", rate="0.0253", dcf="30E/360", pay="6M")),
                   party_a_regimes=party_a_regimes, party_b_regimes=party_b_regimes)
    [record] = FpmlReader().read(io.BytesIO(text.encode()))
    assert record.ok, record.errors
    return record.event


def test_fpml_uk_emir_regime_classification_reaches_the_report():
    event = _fpml_event(
        regime("EMIR", "ESMA") + regime("UKEMIR", "FCA"),
        regime("EMIR", "ESMA", "NonFinancial", "false") + regime("UKEMIR", "FCA"))
    party = next(p for p in (event.counterparty_1, event.counterparty_2)
                 if p.regime_classifications["EMIR"].nature is Nature.NON_FINANCIAL)
    assert party.regime_classifications["UKEMIR"] == RegimeClassification(
        nature=Nature.FINANCIAL, clearing_threshold_exceeded=True)
    doc = uk(event)
    for side in ("RptgCtrPty", "OthrCtrPty"):
        assert children(doc.find(f"{CPTY}/a:{side}/a:Ntr", N)) == ["FI"]


def test_structurer_code_is_at_most_52_characters():
    code = "X" * 52
    event = swap(product=Product(asset_class="EQUI", contract_type="SWAP", custom_basket=True,
                                 basket_id="5493001KJTIIGC8Y1R12" + code + "OVERFLOW"))
    basket = uk(event).find(f"{CONTRACT}/a:UndrlygInstrm/a:Bskt", N)
    assert basket.findtext("a:Id", namespaces=N) == code
