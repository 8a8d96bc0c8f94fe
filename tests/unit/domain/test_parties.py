"""A counterparty's identifier and the payer / receiver fields that refer to it."""

from shared.domain.parties import carry_party_changes, holder, is_reference

OLD, NEW, OURS = "9884DEMO000000019911", "9884DEMO000000010017", "9884DEMO000000000133"


def event(cp2: str = OLD) -> dict:
    return {"counterparty_1": {"identifier": OURS}, "counterparty_2": {"identifier": cp2},
            "legs": [{"payer": OURS, "receiver": cp2}, {"payer": cp2, "receiver": OURS}],
            "other_payments": [{"payer": cp2, "receiver": OURS, "amount": {"amount": "1"}}]}


def test_a_corrected_counterparty_lei_carries_over_to_every_payer_and_receiver_naming_it():
    before, after = event(), event()
    after["counterparty_2"]["identifier"] = NEW
    carried = carry_party_changes(before, after)
    assert sorted(carried) == ["legs[0].receiver", "legs[1].payer", "other_payments[0].payer"]
    assert after == event(NEW)


def test_a_reference_set_on_purpose_in_the_same_edit_is_left_as_set():
    before, after = event(), event()
    after["counterparty_2"]["identifier"] = NEW
    after["legs"][0]["receiver"] = "SOMEONE-ELSE"
    carry_party_changes(before, after)
    assert after["legs"][0]["receiver"] == "SOMEONE-ELSE"
    assert after["legs"][1]["payer"] == NEW


def test_swapped_counterparties_swap_their_references():
    before = event()
    after = event()
    after["counterparty_1"]["identifier"], after["counterparty_2"]["identifier"] = OLD, OURS
    carry_party_changes(before, after)
    assert after["legs"][0] == {"payer": OLD, "receiver": OURS}


def test_no_party_change_carries_nothing():
    before, after = event(), event()
    after["legs"][0]["payer"] = NEW
    assert carry_party_changes(before, after) == []
    assert after["legs"][0]["payer"] == NEW


def test_the_field_holding_a_value_is_the_party_its_references_go_back_to():
    assert is_reference("legs[1].payer") and not is_reference("counterparty_2.identifier")
    assert holder({"counterparty_2.identifier", "legs[0].receiver", "legs[1].payer"}) == \
        "counterparty_2.identifier"
    assert holder({"legs[0].notional.currency"}) == "legs[0].notional.currency"
    # two fields of its own: no single correction
    assert holder({"counterparty_1.identifier", "counterparty_2.identifier"}) is None
    assert holder({"counterparty_2.identifier", "execution_agent"}) is None
