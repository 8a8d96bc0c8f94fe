"""One FEP CSV row in the demo FEP's profile (swaprep/local/demo.py): a plain KRW IRS NEWT that
the pipeline accepts, which each test bends with overrides (an invalid currency, an LEI the TR
simulator's register lacks, a notional that does not parse...)."""

from __future__ import annotations

from datetime import datetime, timedelta

from swaprep.local.demo import CSV_COLUMNS


def fep_row(lei: str, trade_id: str, *, executed: datetime, counterparty_lei: str,
            counterparty_name: str, **overrides: str) -> dict[str, str]:
    """The row as a dict (CSV_COLUMNS order: `[row.get(c, "") for c in CSV_COLUMNS]`)."""
    row = {
        "trade_id": trade_id, "uti": f"{lei}{trade_id.replace('-', '')}",
        "action_type": "NEWT", "event_type": "TRAD",
        "execution_timestamp": executed.isoformat(), "event_timestamp": executed.isoformat(),
        "effective_date": (executed.date() + timedelta(days=2)).isoformat(),
        "expiration_date": (executed.date() + timedelta(days=2 + 365 * 5)).isoformat(),
        "asset_class": "IR", "product": "InterestRate:IRSwap:FixedFloat",
        "counterparty_1_lei": lei, "counterparty_2_lei": counterparty_lei,
        "counterparty_2_name": counterparty_name, "direction": "PAY_FIXED",
        "notional_1": "10000000000", "notional_currency_1": "KRW", "fixed_rate": "3.25",
        "floating_index": "KRW-CD-KSDA-BLOOMBERG", "floating_tenor": "3M", "spread_bps": "0",
        "cleared": "N", "execution_venue": "XOFF",
    }
    row.update(overrides)
    return row


def csv_cells(row: dict[str, str]) -> list[str]:
    return [row.get(c, "") for c in CSV_COLUMNS]
