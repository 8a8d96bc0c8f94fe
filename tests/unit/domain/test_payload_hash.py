"""The payload hash recognises a re-delivered record: it must not move when the model grows."""

from __future__ import annotations

import typing

from pydantic import BaseModel

from shared.domain import model
from shared.domain.model import Money, Underlier
from tests.unit.formats.writers.test_cftc import swap

# Hashes of these events as the model computed them before issue 16 added fields (commit
# cbb2f61): an event that does not use a new field hashes as it always did, so a file sent
# again after an upgrade is a duplicate, not a second report to the TR.
BEFORE_ISSUE_16 = "421f418723a7330b86273ad47427f602ef6983e65263230288963db6f7772976"
WITH_UNDERLIER_BEFORE = "be190487a3818704db32227f3d4174a48085293923f54529ee427ed69dfb41f6"


def test_an_event_hashes_as_before_the_model_grew():
    assert swap().payload_hash() == BEFORE_ISSUE_16
    event = swap()
    event.product.underliers = [Underlier(identifier="US0378331005", source="ISIN")]
    assert event.payload_hash() == WITH_UNDERLIER_BEFORE


def test_a_new_field_in_use_changes_the_hash_and_content_still_counts():
    event = swap()
    event.event_timestamp_text = "2021-03-01T10:00:00.206-05:00"
    assert event.payload_hash() != BEFORE_ISSUE_16
    other = swap()
    other.legs[0].notional = Money(amount=1, currency="USD")
    assert other.payload_hash() != BEFORE_ISSUE_16


def _fields_by_model(cls: type[BaseModel], out: dict[str, set[str]]) -> dict[str, set[str]]:
    if cls.__name__ not in out:
        out[cls.__name__] = set(cls.model_fields)
        for info in cls.model_fields.values():
            for arg in typing.get_args(info.annotation) or (info.annotation,):
                for inner in typing.get_args(arg) or (arg,):
                    if isinstance(inner, type) and issubclass(inner, BaseModel):
                        _fields_by_model(inner, out)
    return out


# The fields of TradeEvent and its parts when hashes were first stored (cbb2f61).
FIELDS_AT_FIRST_HASH = {
    'TradeEvent': (
        'action_type', 'allocation', 'block_trade', 'broker', 'buyer', 'clearing', 'collateral',
        'compression', 'confirmation', 'confirmation_timestamp', 'counterparty_1',
        'counterparty_2', 'credit', 'early_termination_date', 'effective_date',
        'entity_responsible', 'event_id', 'event_timestamp', 'event_type', 'exchange_rate',
        'exchange_rate_basis', 'execution_timestamp', 'execution_venue', 'execution_venue_type',
        'expiration_date', 'extensions', 'final_settlement_date', 'intragroup', 'legs', 'level',
        'master_agreement', 'non_standard_terms', 'option', 'other_payments', 'package_id',
        'package_price', 'package_spread', 'post_priced', 'price', 'prime_brokerage', 'prior_uti',
        'product', 'regimes', 'reporting_timestamp', 'seller', 'source', 'submitting_entity',
        'trade_id', 'uti', 'valuation'
    ),
    'Party': (
        'clearing_threshold_exceeded', 'country', 'directly_linked_activity', 'execution_agent',
        'federal_entity', 'financial_entity', 'id_type', 'identifier', 'name', 'nature',
        'reporting_obligation', 'sectors', 'supervisory_bodies'
    ),
    'Product': (
        'asset_class', 'basket_id', 'classification', 'contract_type', 'custom_basket',
        'delivery_type', 'instrument_type', 'isin', 'product_name', 'settlement_currency',
        'settlement_location', 'underlier_basket', 'underliers', 'upi'
    ),
    'Underlier': (
        'identifier', 'name', 'source'
    ),
    'Leg': (
        'day_count', 'direction', 'fixed_rate', 'fixing_date', 'floating_index',
        'floating_index_code', 'floating_tenor', 'notional', 'notional_schedule', 'payer',
        'payment_frequency', 'quantity', 'quantity_unit', 'rate_type', 'receiver',
        'reset_frequency', 'settlement_currency', 'spread', 'spread_currency', 'total_quantity'
    ),
    'Money': (
        'amount', 'currency'
    ),
    'NotionalStep': (
        'amount', 'effective_date', 'end_date'
    ),
    'Period': (
        'multiplier', 'unit'
    ),
    'OptionTerms': (
        'call_amount', 'exercise_dates', 'exercise_style', 'first_exercise_date', 'option_type',
        'premium', 'premium_payment_date', 'put_amount', 'strike', 'strike_currency',
        'strike_notation', 'underlying_maturity_date'
    ),
    'Price': (
        'currency', 'notation', 'value'
    ),
    'Valuation': (
        'amount', 'delta', 'method', 'timestamp'
    ),
    'Collateral': (
        'category', 'initial_margin_collected', 'initial_margin_posted', 'portfolio_code',
        'timestamp', 'variation_margin_collected', 'variation_margin_posted'
    ),
    'Clearing': (
        'ccp', 'cleared', 'clearing_member', 'clearing_obligation', 'clearing_timestamp',
        'mandatory_clearing'
    ),
    'MasterAgreement': (
        'type', 'version'
    ),
    'CreditTerms': (
        'attachment_point', 'detachment_point', 'index_factor', 'reference_entity', 'seniority',
        'series', 'version'
    ),
    'OtherPayment': (
        'amount', 'payer', 'payment_date', 'payment_type', 'receiver'
    ),
    'SourcePosition': (
        'file', 'line', 'path', 'record'
    ),
}


# Where the hash looks for each kind of part (model.HASH_ADDED_FIELDS_AT).
LOCATIONS = {"TradeEvent": "event", "Product": "product", "Underlier": "underlier", "Leg": "leg",
             "Party": "party"}


def test_every_field_added_since_is_listed_where_the_hash_looks_for_it():
    now = _fields_by_model(model.TradeEvent, {})
    for cls, names in now.items():
        if cls not in FIELDS_AT_FIRST_HASH:
            continue  # a new part is dumped only when present: it changes no old hash
        added = names - set(FIELDS_AT_FIRST_HASH[cls])
        listed = model.HASH_ADDED_FIELDS_AT.get(LOCATIONS.get(cls, ""), frozenset())
        # a field added without an entry changes the hash of every event stored before it
        assert added <= listed, (cls, added - listed)
        # a misspelt entry would silently protect nothing
        assert listed <= names, (cls, listed - names)
