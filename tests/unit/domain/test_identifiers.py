"""LEI, ISIN, UTI, UPI and UUID checks with known-good and known-bad values."""

from __future__ import annotations

import random
import string
import subprocess
import sys
import uuid

import pytest

from shared.domain.identifiers import (
    check_isin,
    check_lei,
    check_upi,
    check_uti,
    is_uuid,
    is_valid_isin,
    is_valid_lei,
    is_valid_upi,
    is_valid_uti,
    lei_with_check_digits,
    uti_generator_lei,
    uuid_or_none,
)
from swaprep.local.demo import demo_lei

GOOD_LEIS = [
    "529900ORI6ALO8ABW676",  # checked by hand (domain notes)
    "5493001KJTIIGC8Y1R12",  # Bloomberg Finance L.P.
    "7LTWFZYICNSX8D621K86",  # Deutsche Bank AG
    demo_lei(1),
]


@pytest.mark.parametrize("lei", GOOD_LEIS)
def test_good_leis(lei):
    assert check_lei(lei) is None and is_valid_lei(lei)


@pytest.mark.parametrize("lei, reason", [
    ("529900ORI6ALO8ABW600", "check digits"),
    ("529900ORI6ALO8ABW67", "19 characters"),
    ("529900ori6alo8abw676", "lower-case"),
    (" 529900ORI6ALO8ABW676", "spaces"),
    ("5299 00ORI6ALO8ABW676", "spaces"),
    ("529900ORI6ALO8ABW6X6", "2 check digits"),
    ("529900-RI6ALO8ABW676", "A-Z 0-9"),
    ("", "empty"),
    (None, "empty"),
])
def test_bad_leis(lei, reason):
    assert reason in check_lei(lei)
    assert not is_valid_lei(lei)


def test_demo_broken_lei_is_caught():
    broken = demo_lei(100)[:-2] + "00"  # what the demo generator injects
    assert "check digits" in check_lei(broken)


# Published LEIs (GLEIF's register): their check digits are recomputed from the first 18
# characters, and one changed digit anywhere must fail (MOD 97-10 catches every single error).
PUBLISHED_LEIS = [
    "506700GE1G29325QX363",  # Global Legal Entity Identifier Foundation (GLEIF)
    "5493001KJTIIGC8Y1R12",  # Bloomberg Finance L.P.
    "7LTWFZYICNSX8D621K86",  # Deutsche Bank AG
    "HWUPKR0MPOU8FGXBT394",  # Apple Inc.
]


@pytest.mark.parametrize("lei", PUBLISHED_LEIS)
def test_published_leis_round_trip_through_one_implementation(lei):
    assert lei_with_check_digits(lei[:18]) == lei
    assert check_lei(lei) is None
    for i in (0, 9, 17, 19):  # a base character, and a check digit
        wrong = "1" if lei[i] != "1" else "2"
        corrupted = lei[:i] + wrong + lei[i + 1:]
        assert "check digits do not match" in check_lei(corrupted), corrupted


def test_lei_with_check_digits_matches_the_standard():
    assert lei_with_check_digits("529900ORI6ALO8ABW6") == "529900ORI6ALO8ABW676"
    with pytest.raises(ValueError):
        lei_with_check_digits("short")


def test_lei_check_digits_agree_with_python_stdnum():
    # check_lei computes MOD 97-10 itself (speed); stdnum is the independent reference.
    from stdnum import lei as stdnum_lei
    from stdnum.iso7064 import mod_97_10

    rng = random.Random(17442)
    alphabet = string.ascii_uppercase + string.digits
    for _ in range(2000):
        base = "".join(rng.choice(alphabet) for _ in range(18))
        assert lei_with_check_digits(base) == base + mod_97_10.calc_check_digits(base)
        candidate = base + f"{rng.randrange(100):02d}"
        assert (check_lei(candidate) is None) == stdnum_lei.is_valid(candidate), candidate


def test_lei_reasons_when_the_shape_is_wrong():
    assert check_lei("529900ORI6ALO8ABW6760") == "LEI has 21 characters, expected 20"
    assert check_lei("529900ORI6ALO8ABW6X6") == (
        "LEI must be 18 characters A-Z 0-9 followed by 2 check digits")
    assert check_lei("529900ORI6ALO8ABW67\n") == "LEI has leading or trailing spaces"
    assert check_lei(529900) == "LEI is empty"


@pytest.mark.parametrize("isin", ["US9311421039", "KR7005930003", "US0378331005",
                                  "DE0005140008"])
def test_good_isins(isin):
    assert check_isin(isin) is None and is_valid_isin(isin)


@pytest.mark.parametrize("isin, reason", [
    ("US9311421038", "check digit"),
    ("ZZ9311421039", "country"),
    ("US931142103", "11 characters"),
    ("us9311421039", "lower-case"),
    ("US93114210-9", "2 letters"),
])
def test_bad_isins(isin, reason):
    assert reason in check_isin(isin)


def test_uti_shape():
    assert check_uti("529900ORI6ALO8ABW676TRADE000001") is None
    assert is_valid_uti("A" * 52)
    assert "53 characters" in check_uti("A" * 53)
    assert "'-'" in check_uti("529900ORI6ALO8ABW676-1")
    assert "lower-case" in check_uti("529900ori6alo8abw676x")
    assert "empty" in check_uti("")
    assert not is_valid_uti("ABC 1")


def test_uti_generator_lei():
    assert uti_generator_lei("529900ORI6ALO8ABW676TRADE1") == "529900ORI6ALO8ABW676"
    assert uti_generator_lei("529900ORI6ALO8ABW600TRADE1") is None
    assert uti_generator_lei("529900ORI6ALO8ABW676") is None  # nothing after the LEI


def test_upi_shape():
    assert check_upi("QZ4BD0HRDRX8") is None and is_valid_upi("QZ4BD0HRDRX8")
    assert "QZ" in check_upi("AB4BD0HRDRX8")
    assert "11 characters" in check_upi("QZ4BD0HRDRX")
    assert "QZ" in check_upi("QZ4BD0HRDR-8")
    assert "lower-case" in check_upi("qz4bd0hrdrx8")


def test_anna_dsb_otc_derivative_isins_with_ez_prefix_are_valid():
    # EZ is allocated by ISO 6166 to the ANNA DSB, not an ISO 3166 country.
    assert check_isin("EZ1HPK330CY9") is None
    assert check_isin("EZ1HPK330CY8") == "ISIN check digit does not match (Luhn)"


def test_uuid_checks():
    value = uuid.uuid4()
    assert is_uuid(str(value)) and is_uuid(value) and is_uuid(str(value).upper())
    assert uuid_or_none(str(value).upper()) == str(value)  # canonical: lower case, dashes
    for bad in ("", "not-a-uuid", None, 42, f"{value}x", "srk_abcdefgh"):
        assert not is_uuid(bad) and uuid_or_none(bad) is None


def test_uuid_checks_do_not_need_stdnum():
    # The authorizer, submit and feedback actions use is_uuid but do not ship python-stdnum.
    code = ("import sys; sys.modules['stdnum'] = None\n"
            "from shared.domain.identifiers import is_uuid\n"
            "assert is_uuid('12345678-1234-5678-1234-567812345678')")
    subprocess.run([sys.executable, "-c", code], check=True)
