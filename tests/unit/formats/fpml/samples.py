"""Small FpML 5.10 record-keeping messages built around a product snippet, for mapping tests."""

from __future__ import annotations

LEI_A = "5493001RKR55V4X61F71"
LEI_B = "549300O5MFEP1XJ40B46"
NS = "http://www.fpml.org/FpML-5/recordkeeping"


def message(product: str, *, uti: str = "UTI0000000000000000001", extra_header: str = "",
            party_a_regimes: str = "", party_b_regimes: str = "", trade_date: str = "2021-03-01",
            root: str = "nonpublicExecutionReport", message_id: str = "MSG1",
            after_trade: str = "") -> str:
    """A complete message: header, one trade with `product`, parties A and B."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<{root} xmlns="{NS}" fpmlVersion="5-10">
  <header>
    <messageId messageIdScheme="http://example.com/msg">{message_id}</messageId>
    <sentBy>{LEI_A}</sentBy>
    <creationTimestamp>2021-03-01T10:00:00Z</creationTimestamp>
  </header>
  <isCorrection>false</isCorrection>
  <onBehalfOf><partyReference href="A"/></onBehalfOf>
  <trade>
    <tradeHeader>
      <partyTradeIdentifier>
        <issuer issuerIdScheme="http://www.fpml.org/coding-scheme/external/issuer-identifier">{LEI_A}</issuer>
        <tradeId tradeIdScheme="http://www.fpml.org/coding-scheme/external/unique-transaction-identifier">{uti}</tradeId>
      </partyTradeIdentifier>
      <partyTradeInformation>
        <partyReference href="A"/>
        <executionDateTime>2021-03-01T09:30:00Z</executionDateTime>
        <intentToClear>false</intentToClear>
        {party_a_regimes}
        {extra_header}
      </partyTradeInformation>
      <partyTradeInformation>
        <partyReference href="B"/>
        {party_b_regimes}
      </partyTradeInformation>
      <tradeDate>{trade_date}</tradeDate>
    </tradeHeader>
    {product}
    <documentation>
      <masterAgreement>
        <masterAgreementType>ISDA</masterAgreementType>
        <masterAgreementVersion>2002</masterAgreementVersion>
      </masterAgreement>
    </documentation>
  </trade>
  {after_trade}
  <party id="A">
    <partyId partyIdScheme="http://www.fpml.org/coding-scheme/external/iso17442">{LEI_A}</partyId>
    <classification industryClassificationScheme="http://www.fpml.org/coding-scheme/esma-emir-refit-regulatory-corporate-sector">CDTI</classification>
  </party>
  <party id="B">
    <partyId partyIdScheme="http://www.fpml.org/coding-scheme/external/iso17442">{LEI_B}</partyId>
    <classification industryClassificationScheme="http://www.fpml.org/coding-scheme/esma-emir-refit-regulatory-corporate-sector">INVF</classification>
  </party>
</{root}>
"""


def regime(name: str, body: str, classification: str = "Financial",
           threshold: str = "true") -> str:
    return f"""<reportingRegime>
      <name>{name}</name>
      <supervisorRegistration><supervisoryBody>{body}</supervisoryBody></supervisorRegistration>
      <reportingRole>ReportingParty</reportingRole>
      <mandatorilyClearable>false</mandatorilyClearable>
      <exceedsClearingThreshold>{threshold}</exceedsClearingThreshold>
      <entityClassification>{classification}</entityClassification>
    </reportingRegime>"""


def stream(payer: str, receiver: str, *, notional: str = "10000000", ccy: str = "USD",
           rate: str | None = None, index: str | None = None, spread: str | None = None,
           dcf: str = "ACT/360", pay: str = "3M", reset: str | None = None,
           start: str = "2021-03-03", end: str = "2026-03-03") -> str:
    def per(value: str) -> str:
        return (f"<periodMultiplier>{value[:-1]}</periodMultiplier>"
                f"<period>{value[-1]}</period>")

    if rate is not None:
        calc = f"<fixedRateSchedule><initialValue>{rate}</initialValue></fixedRateSchedule>"
    else:
        spread_xml = (f"<spreadSchedule><initialValue>{spread}</initialValue></spreadSchedule>"
                      if spread else "")
        calc = (f"<floatingRateCalculation><floatingRateIndex>{index}</floatingRateIndex>"
                f"<indexTenor>{per(pay)}</indexTenor>{spread_xml}</floatingRateCalculation>")
    resets = f"<resetDates><resetFrequency>{per(reset)}</resetFrequency></resetDates>" \
        if reset else ""
    return f"""<swapStream>
      <payerPartyReference href="{payer}"/>
      <receiverPartyReference href="{receiver}"/>
      <calculationPeriodDates>
        <effectiveDate><unadjustedDate>{start}</unadjustedDate></effectiveDate>
        <terminationDate><unadjustedDate>{end}</unadjustedDate></terminationDate>
      </calculationPeriodDates>
      <paymentDates><paymentFrequency>{per(pay)}</paymentFrequency></paymentDates>
      {resets}
      <calculationPeriodAmount><calculation>
        <notionalSchedule><notionalStepSchedule>
          <initialValue>{notional}</initialValue><currency>{ccy}</currency>
        </notionalStepSchedule></notionalSchedule>
        {calc}
        <dayCountFraction>{dcf}</dayCountFraction>
      </calculation></calculationPeriodAmount>
    </swapStream>"""


def irs(first: str, second: str, cfi: str = "SRCXSC") -> str:
    return f"""<swap>
      <primaryAssetClass>InterestRate</primaryAssetClass>
      <productType productTypeScheme="http://www.fpml.org/coding-scheme/external/product-classification/iso10962">{cfi}</productType>
      {first}
      {second}
    </swap>"""
