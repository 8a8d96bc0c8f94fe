"""Report files, stores and TR simulators for the trsim and submit/feedback tests.

Files are written by the real regime writers (shared/formats/writers), so the simulator reads
exactly what generate produces.
"""

from __future__ import annotations

import io
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import requests

from shared.adapters.objectstore import ObjectStore
from shared.domain import regimes
from shared.domain.identifiers import lei_with_check_digits
from shared.domain.model import (
    ActionType,
    Leg,
    Money,
    Party,
    Period,
    PeriodUnit,
    Product,
    TradeEvent,
    Valuation,
    ValuationMethod,
)
from shared.formats.writers.base import writer_for
from swaprep.trsim import TrSimulator

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)  # the simulated TR's clock
LEI_A = lei_with_check_digits("5299000ALPHABANK01")
LEI_B = lei_with_check_digits("5299000BETASECUR01")
LEI_CP = lei_with_check_digits("9884000COUNTERP001")
UNKNOWN_LEI = lei_with_check_digits("5299000UNKNOWN0001")  # valid, in no register
BAD_LEI = LEI_CP[:18] + ("00" if LEI_CP[18:] != "00" else "01")  # check digits wrong
KEY = "test-tr-key"
FEEDBACK, OUTBOUND = "t-feedback", "t-outbound"


def uti(n: int | str, lei: str = LEI_A) -> str:
    return f"{lei}T{n:0>6}"


def event(uti_: str, action: str = "NEWT", *, lei: str = LEI_A, cp2: str = LEI_CP,
          valued: datetime | None = None, **overrides) -> TradeEvent:
    values = dict(
        uti=uti_, trade_id=uti_[-7:], action_type=ActionType(action), event_type="TRAD",
        execution_timestamp=datetime(2026, 11, 20, 1, 2, 3, tzinfo=UTC),
        event_timestamp=datetime(2026, 11, 20, 1, 2, 3, tzinfo=UTC),
        effective_date=date(2026, 11, 24), expiration_date=date(2031, 11, 24),
        counterparty_1=Party(identifier=lei), counterparty_2=Party(identifier=cp2),
        submitting_entity=lei,
        product=Product(asset_class="INTR", contract_type="SWAP", upi="QZ0000000001"),
        legs=[Leg(notional=Money(amount=Decimal("10000000000"), currency="KRW"),
                  fixed_rate=Decimal("0.0325"),
                  payment_frequency=Period(unit=PeriodUnit.MONTH, multiplier=3))],
    )
    if valued is not None:
        values["valuation"] = Valuation(amount=Money(amount=Decimal("-1250.5"), currency="KRW"),
                                        method=ValuationMethod.MARK_TO_MARKET, timestamp=valued)
    values.update(overrides)
    return TradeEvent(**values)


def report(events: list[TradeEvent], regime: str = "krx") -> bytes:
    out = io.BytesIO()
    writer_for(regime).write_batch(events, out, reporting_timestamp=NOW - timedelta(hours=1))
    return out.getvalue()


def days_ago(n: int) -> datetime:
    return NOW - timedelta(days=n)


def make_store(s3_endpoint: str) -> ObjectStore:
    object_store = ObjectStore(endpoint_url=s3_endpoint, region="kr-standard",
                               access_key_id="testing", secret_access_key="testing")
    object_store.ensure_buckets([FEEDBACK, OUTBOUND])
    return object_store


def make_sim(s3_endpoint: str, **options) -> TrSimulator:
    """A simulator (not started) whose feedback waits until the test flushes it."""
    settings = dict(api_keys=KEY, s3_endpoint_url=s3_endpoint, s3_access_key_id="testing",
                    s3_secret_access_key="testing", feedback_delay_s=3600, clock=lambda: NOW)
    return TrSimulator(FEEDBACK, **{**settings, **options})


def post(sim: TrSimulator, body: bytes, *, regime: str = "krx", file_id: str = "rf-1",
         submitter: str | None = LEI_A, key: str = KEY, folder: str | None = "alpha-bank",
         timeout: float = 10) -> requests.Response:
    headers = {"Content-Type": regimes.regime(regime).media_type if regimes.REGISTRY.get(regime)
               else "application/xml",
               "Authorization": f"Bearer {key}", "X-Regime": regime,
               "X-Report-File-Id": file_id}
    if submitter:
        headers["X-Submitter"] = submitter
    if folder:
        headers["X-Submitter-Tenant"] = folder
    return requests.post(f"{sim.url}/reports", data=body, headers=headers, timeout=timeout)


# -- the database side: what generate leaves behind for submit ------------------------------


def set_tenant_lei(db, tenant_id, lei: str = LEI_A) -> None:
    with db.system() as conn:
        conn.execute("UPDATE tenants SET lei = %s WHERE id = %s", (lei, tenant_id))


def seed_report_file(db, store, tenant_id, events: list[TradeEvent], *, regime: str = "krx",
                     body: bytes | None = None, status: str = "generated") -> str:
    """trade_events (reported), the file in the outbound bucket, report_files + report_items
    as generate writes them (record_ref "<uti>:<action>:<position>")."""
    file_id = str(uuid.uuid4())
    key = f"t/{regime}/2026-11-22/{file_id}{writer_for(regime).extension}"
    store.put_bytes(OUTBOUND, key, report(events, regime) if body is None else body)
    with db.tenant(tenant_id) as conn:
        conn.execute(
            "INSERT INTO report_files (id, tenant_id, regime, tr, bucket, object_key,"
            " record_count, status, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s,"
            " clock_timestamp())",
            (file_id, tenant_id, regime, regime.upper(), OUTBOUND, key, len(events), status))
        for position, ev in enumerate(events, start=1):
            event_id = conn.execute(
                "INSERT INTO trade_events (tenant_id, source, uti, action_type, event_timestamp,"
                " payload, payload_hash, state) VALUES (%s, 'file', %s, %s, %s, %s, %s,"
                " 'reported') RETURNING id",
                (tenant_id, ev.uti, ev.action_type.value,
                 ev.event_timestamp + timedelta(microseconds=position), ev.model_dump_json(),
                 ev.payload_hash()),
            ).fetchone()["id"]
            conn.execute(
                "INSERT INTO report_items (tenant_id, report_file_id, event_id, position,"
                " record_ref) VALUES (%s, %s, %s, %s, %s)",
                (tenant_id, file_id, event_id, position,
                 f"{ev.uti}:{ev.action_type.value}:{position}"))
    return file_id


def file_state(db, tenant_id, file_id: str) -> dict:
    """The report file, its items and their events' states, as the console would show them."""
    with db.tenant(tenant_id) as conn:
        row = conn.execute("SELECT * FROM report_files WHERE id = %s", (file_id,)).fetchone()
        items = conn.execute(
            "SELECT i.position, i.status, i.tr_code, i.tr_message, e.state AS event_state"
            " FROM report_items i JOIN trade_events e ON e.id = i.event_id"
            " WHERE i.report_file_id = %s ORDER BY i.position", (file_id,)).fetchall()
        attempts = conn.execute(
            "SELECT attempt, http_status, tr_message_id, outcome, error FROM submissions"
            " WHERE report_file_id = %s ORDER BY attempt", (file_id,)).fetchall()
    return {**row, "items": items, "attempts": attempts}


def alerts(db, kind: str | None = None) -> list[dict]:
    with db.system() as conn:
        return conn.execute(
            "SELECT kind, severity, tenant_id, summary, occurrences, details FROM alerts"
            " WHERE %(kind)s::text IS NULL OR kind = %(kind)s ORDER BY id", {"kind": kind},
        ).fetchall()
