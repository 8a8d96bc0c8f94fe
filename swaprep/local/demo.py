"""Demo data for `swaprep up --demo`: a tenant, two users and two sample FEP files.

The files are generated deterministically (same seed, same bytes), so restarting the stack
does not produce "new" uploads; they are uploaded only while the demo tenant has no files
yet. The CSV export holds interest-rate swaps and FX forwards with lifecycle events (NEWT,
MODI, TERM) and a share of realistic mistakes (broken LEI check digits, unknown currency,
missing notional, expiration before effective date) so that every error state has something
to show. The FpML file is a batch of FpML 5.10 execution reports of KRW fixed/float swaps,
as a confirmation platform would send them, made from one small template.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg

DEMO_TENANT = "demo-bank"
DEMO_TENANT_NAME = "Demo Bank Korea"
DEMO_USERS = (("demo-admin", "admin"), ("demo-viewer", "viewer"))
DEMO_COUNTERPARTIES = ("한국데모증권", "Alpha Global Bank", "서울자산운용", "Beta Securities Tokyo")
CSV_COLUMNS = (
    "trade_id", "uti", "action_type", "event_type", "execution_timestamp", "event_timestamp",
    "effective_date", "expiration_date", "asset_class", "product", "counterparty_1_lei",
    "counterparty_2_lei", "counterparty_2_name", "direction", "notional_1", "notional_currency_1",
    "notional_2", "notional_currency_2", "fixed_rate", "floating_index", "floating_tenor",
    "spread_bps", "cleared", "ccp_lei", "execution_venue",
)


def lei_with_check_digits(base18: str) -> str:
    """ISO 17442 LEI: 18 characters plus ISO 7064 MOD 97-10 check digits."""
    digits = "".join(str(int(c, 36)) for c in base18 + "00")
    return f"{base18}{98 - int(digits) % 97:02d}"


def demo_lei(n: int) -> str:
    return lei_with_check_digits(f"9884DEMO{n:010d}")


def generate_fep_csv(rows: int = 400, seed: int = 20261122, trade_date: date | None = None):
    """A realistic FEP export: returns (bytes, counts by intended outcome)."""
    rng = random.Random(seed)
    trade_date = trade_date or date(2026, 11, 20)
    reporting_lei = demo_lei(1)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    counts = {"rows": 0, "intended_errors": 0}
    live: list[dict[str, Any]] = []
    for i in range(rows):
        executed = datetime.combine(trade_date, datetime.min.time(), UTC) + timedelta(
            hours=1 + rng.randint(0, 7), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59)
        )
        if live and rng.random() < 0.2:
            base = dict(rng.choice(live))
            action = rng.choice(("MODI", "MODI", "TERM"))
            # A termination is an early termination event (ETRM); an amendment is a trade event.
            # After the trade's own execution, whatever this row's clock says: a lifecycle
            # event stamped before its NEWT would be a fake lifecycle error in the demo.
            since = max(executed, datetime.fromisoformat(base["execution_timestamp"]))
            base.update(action_type=action, event_type="ETRM" if action == "TERM" else "TRAD",
                        event_timestamp=(since + timedelta(hours=2, seconds=i)).isoformat())
            if action == "MODI":
                base["notional_1"] = str(int(float(base["notional_1"]) * 1.5))
        else:
            base = _new_trade(rng, i, executed, reporting_lei)
            live.append(dict(base))  # lifecycle events start from the clean trade
        error = rng.random() < 0.08
        if error:
            counts["intended_errors"] += 1
            _inject_error(rng, base)
        writer.writerow([base.get(c, "") for c in CSV_COLUMNS])
        counts["rows"] += 1
    return out.getvalue().encode("utf-8"), counts


def _new_trade(rng: random.Random, i: int, executed: datetime, reporting_lei: str) -> dict:
    index = rng.randrange(len(DEMO_COUNTERPARTIES))
    name, counterparty = DEMO_COUNTERPARTIES[index], demo_lei(100 + index)
    effective = executed.date() + timedelta(days=2)
    cleared = rng.random() < 0.4
    trade = {
        "trade_id": f"FEP-{executed:%Y%m%d}-{i:05d}",
        "uti": f"{reporting_lei}DEMO{executed:%Y%m%d}{i:06d}",
        "action_type": "NEWT", "event_type": "TRAD",
        "execution_timestamp": executed.isoformat(), "event_timestamp": executed.isoformat(),
        "effective_date": effective.isoformat(), "counterparty_1_lei": reporting_lei,
        "counterparty_2_lei": counterparty, "counterparty_2_name": name,
        "direction": rng.choice(("PAY_FIXED", "RECEIVE_FIXED")),
        "cleared": "Y" if cleared else "N",
        "ccp_lei": demo_lei(9000) if cleared else "",
        "execution_venue": rng.choice(("XOFF", "XKRX")),
    }
    if rng.random() < 0.6:
        years = rng.choice((1, 2, 3, 5, 10))
        trade.update(
            asset_class="IR", product="InterestRate:IRSwap:FixedFloat",
            expiration_date=(effective + timedelta(days=365 * years)).isoformat(),
            notional_1=str(rng.choice((5, 10, 25, 50, 100)) * 1_000_000_000),
            notional_currency_1="KRW", fixed_rate=f"{rng.uniform(2.5, 3.8):.4f}",
            floating_index="KRW-CD-KSDA-BLOOMBERG", floating_tenor="3M",
            spread_bps=str(rng.choice((0, 0, 5, 10))),
        )
    else:
        notional = rng.choice((1, 2, 5, 10, 20)) * 1_000_000
        rate = rng.uniform(1350, 1420)
        trade.update(
            asset_class="FX", product="ForeignExchange:Forward",
            expiration_date=(effective + timedelta(days=rng.choice((30, 90, 180)))).isoformat(),
            notional_1=str(notional), notional_currency_1="USD",
            notional_2=str(round(notional * rate)), notional_currency_2="KRW",
        )
    return trade


def _inject_error(rng: random.Random, row: dict) -> None:
    kind = rng.choice(("lei", "currency", "notional", "dates"))
    if kind == "lei":
        row["counterparty_2_lei"] = row["counterparty_2_lei"][:-2] + "00"
    elif kind == "currency":
        row["notional_currency_1"] = "KRX"
    elif kind == "notional":
        row["notional_1"] = ""
    else:
        row["expiration_date"] = "2020-01-01"


FPML_NS = "http://www.fpml.org/FpML-5/recordkeeping"
_UTI_SCHEME = "http://www.fpml.org/coding-scheme/external/unique-transaction-identifier"
_LEI_SCHEME = "http://www.fpml.org/coding-scheme/external/iso17442"


def _fpml_period(tenor: str) -> str:
    return f"<periodMultiplier>{tenor[:-1]}</periodMultiplier><period>{tenor[-1]}</period>"


def _fpml_stream(payer: str, receiver: str, start: date, end: date, notional: int,
                 calculation: str, day_count: str) -> str:
    return f"""
      <swapStream>
        <payerPartyReference href="{payer}"/><receiverPartyReference href="{receiver}"/>
        <calculationPeriodDates>
          <effectiveDate><unadjustedDate>{start.isoformat()}</unadjustedDate></effectiveDate>
          <terminationDate><unadjustedDate>{end.isoformat()}</unadjustedDate></terminationDate>
        </calculationPeriodDates>
        <paymentDates><paymentFrequency>{_fpml_period("3M")}</paymentFrequency></paymentDates>
        <calculationPeriodAmount><calculation>
          <notionalSchedule><notionalStepSchedule>
            <initialValue>{notional}</initialValue><currency>KRW</currency>
          </notionalStepSchedule></notionalSchedule>
          {calculation}
          <dayCountFraction>{day_count}</dayCountFraction>
        </calculation></calculationPeriodAmount>
      </swapStream>"""


def _fpml_trade(rng: random.Random, i: int, executed: datetime, reporting_lei: str) -> str:
    index = rng.randrange(len(DEMO_COUNTERPARTIES))
    counterparty = demo_lei(100 + index)
    start = executed.date() + timedelta(days=2)
    end = start + timedelta(days=365 * rng.choice((1, 2, 3, 5)))
    notional = rng.choice((5, 10, 25, 50)) * 1_000_000_000
    fixed = (f"<fixedRateSchedule><initialValue>{rng.uniform(0.025, 0.038):.5f}"
             "</initialValue></fixedRateSchedule>")
    floating = ("<floatingRateCalculation><floatingRateIndex>KRW-CD-KSDA-BLOOMBERG"
                f"</floatingRateIndex><indexTenor>{_fpml_period('3M')}</indexTenor>"
                "</floatingRateCalculation>")
    payer, receiver = ("A", "B") if rng.random() < 0.5 else ("B", "A")
    stamp = executed.strftime("%Y-%m-%dT%H:%M:%SZ")
    uti = f"{reporting_lei}FPML{executed:%Y%m%d}{i:06d}"
    return f"""
  <nonpublicExecutionReport fpmlVersion="5-10">
    <header>
      <messageId messageIdScheme="http://demo-bank.example/fpml">DEMO-FPML-{i:05d}</messageId>
      <sentBy>{reporting_lei}</sentBy>
      <creationTimestamp>{stamp}</creationTimestamp>
    </header>
    <isCorrection>false</isCorrection>
    <onBehalfOf><partyReference href="A"/></onBehalfOf>
    <trade>
      <tradeHeader>
        <partyTradeIdentifier>
          <issuer issuerIdScheme="{_LEI_SCHEME}">{reporting_lei}</issuer>
          <tradeId tradeIdScheme="{_UTI_SCHEME}">{uti}</tradeId>
        </partyTradeIdentifier>
        <partyTradeInformation>
          <partyReference href="A"/>
          <executionDateTime>{stamp}</executionDateTime>
          <intentToClear>false</intentToClear>
        </partyTradeInformation>
        <partyTradeInformation><partyReference href="B"/></partyTradeInformation>
        <tradeDate>{executed.date().isoformat()}</tradeDate>
      </tradeHeader>
      <swap>
        <primaryAssetClass>InterestRate</primaryAssetClass>
        <productType productTypeScheme="http://www.fpml.org/coding-scheme/product-taxonomy">InterestRate:IRSwap:FixedFloat</productType>
        {_fpml_stream(payer, receiver, start, end, notional, fixed, "ACT/365.FIXED")}
        {_fpml_stream(receiver, payer, start, end, notional, floating, "ACT/365.FIXED")}
      </swap>
      <documentation><masterAgreement><masterAgreementType>ISDA</masterAgreementType>
        <masterAgreementVersion>2002</masterAgreementVersion></masterAgreement></documentation>
    </trade>
    <party id="A"><partyId partyIdScheme="{_LEI_SCHEME}">{reporting_lei}</partyId></party>
    <party id="B"><partyId partyIdScheme="{_LEI_SCHEME}">{counterparty}</partyId></party>
  </nonpublicExecutionReport>"""


def generate_fep_fpml(trades: int = 12, seed: int = 20261122,
                      trade_date: date | None = None) -> bytes:
    """A batch of FpML 5.10 execution reports (KRW fixed/float swaps, one NEWT each)."""
    rng = random.Random(seed)
    trade_date = trade_date or date(2026, 11, 20)
    reporting_lei = demo_lei(1)
    messages = []
    for i in range(trades):
        executed = datetime.combine(trade_date, datetime.min.time(), UTC) + timedelta(
            hours=1 + rng.randint(0, 7), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59)
        )
        messages.append(_fpml_trade(rng, i, executed, reporting_lei))
    body = "".join(messages)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<fpmlBatch xmlns="{FPML_NS}">{body}\n'
            "</fpmlBatch>\n").encode()


def seed(*, database_url: str, store, inbound_bucket: str, password_for) -> dict[str, Any]:
    """Create the demo tenant and users and upload the sample file once.

    `password_for(username)` returns that user's generated password (kept in the stack's
    secrets file, printed at start so a person can sign in).
    """
    from argon2 import PasswordHasher

    hasher = PasswordHasher()
    with psycopg.connect(database_url) as conn:
        conn.execute("SELECT set_config('app.system', 'on', false)")
        conn.execute(
            "INSERT INTO tenants (slug, name, lei) VALUES (%s, %s, %s)"
            " ON CONFLICT (slug) DO NOTHING",
            (DEMO_TENANT, DEMO_TENANT_NAME, demo_lei(1)),
        )
        row = conn.execute("SELECT id FROM tenants WHERE slug = %s", (DEMO_TENANT,)).fetchone()
        tenant_id = row[0]
        for username, role in DEMO_USERS:
            conn.execute(
                "INSERT INTO users (tenant_id, username, display_name, password_hash, role)"
                " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (username) DO NOTHING",
                (tenant_id, username, username.replace("-", " ").title(),
                 hasher.hash(password_for(username)), role),
            )
        has_files = conn.execute(
            "SELECT 1 FROM ingest_files WHERE tenant_id = %s LIMIT 1", (tenant_id,)
        ).fetchone()
    uploaded = []
    if not has_files:
        content, _counts = generate_fep_csv()
        for key, data, content_type in (
            (f"{DEMO_TENANT}/2026-11-20/fep-demo-irs-fx.csv", content, "text/csv"),
            (f"{DEMO_TENANT}/2026-11-20/fpml-demo-irs.xml", generate_fep_fpml(),
             "application/xml"),
        ):
            store.put_bytes(inbound_bucket, key, data, content_type=content_type,
                            metadata={"source": "demo-fep"})
            uploaded.append(key)
    return {"tenant": DEMO_TENANT, "tenant_id": str(tenant_id),
            "users": [u for u, _ in DEMO_USERS], "uploaded": ", ".join(uploaded) or None}
