"""Reference data: packaged code tables and per-installation extension."""

from __future__ import annotations

import io

from shared.domain.model import Nature
from shared.domain.refdata import load
from shared.formats.readers.fpml import FpmlReader
from tests.unit.formats.fpml.samples import LEI_B, irs, message, stream


def test_packaged_tables():
    ref = load()
    assert ref.day_count("ACT/360") == "A004"
    assert ref.day_count("30E/360") == "A011"
    assert ref.day_count("ACT/ACT.ISDA") == "A008"
    assert ref.day_count("NOT-A-DCF") is None
    assert ref.rate_index("EUR-EURIBOR-Reuters") == "EURI"
    assert ref.rate_index("USD-LIBOR-BBA") == "LIBO"
    assert ref.rate_index("GBP-SONIA-OIS Compound") == "SONA"
    assert ref.rate_index("JPY-TONA-OIS Compound") == "TONA"  # a writer keeps it or not
    assert ref.rate_index("NOT-AN-INDEX") is None
    assert ref.iso_currency("CNH") == "CNY" and ref.settlement_location("CNH") == "HK"
    assert ref.iso_currency("USD") == "USD" and ref.settlement_location("USD") is None
    assert ref.mic_active("XNAS") and not ref.mic_active("EGSI")


def test_installation_directory_extends_and_overrides(tmp_path):
    (tmp_path / "floating_rate_indices.csv").write_text(
        "pattern,iso\n# local additions\nSARON,SARO\nLIBOR,XXXX\n")
    (tmp_path / "entities.csv").write_text(
        "lei,nature,sectors,financial_entity,federal_entity,clearing_threshold_exceeded,"
        "directly_linked_activity,country\n"
        f"{LEI_B},F,INVF|AIFD,true,false,true,,US\n")
    ref = load(tmp_path)
    assert ref.rate_index("CHF-SARON-OIS Compound") == "SARO"
    assert ref.rate_index("USD-LIBOR-BBA") == "XXXX"  # installation rows win
    assert ref.rate_index("EUR-EURIBOR") == "EURI"  # packaged rows still apply
    entity = ref.entity(LEI_B)
    assert entity.sectors == ("INVF", "AIFD") and entity.financial_entity is True


def test_entity_table_fills_what_the_message_lacks(tmp_path):
    (tmp_path / "entities.csv").write_text(
        "lei,nature,sectors,financial_entity,federal_entity,clearing_threshold_exceeded,"
        "directly_linked_activity,country\n"
        f"{LEI_B},N,,false,true,false,true,DE\n")
    product = irs(stream("A", "B", index="USD-LIBOR-BBA"), stream("B", "A", rate="0.01"))
    reader = FpmlReader(refdata=load(tmp_path))
    [record] = reader.read(io.BytesIO(message(product).encode()))
    party = record.event.counterparty_2
    assert party.nature is Nature.NON_FINANCIAL  # the message has no EMIR regime for B
    assert party.federal_entity is True
    assert party.sectors == ["INVF"]  # the message's own classification wins
