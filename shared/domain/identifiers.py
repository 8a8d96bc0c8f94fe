"""Identifier checks: LEI (ISO 17442), ISIN (ISO 6166), UTI (ISO 23897), UPI (ISO 4914), UUID.

Each `check_*` returns None when the value is valid, else a short reason a user can act on
("check digits do not match", "53 characters, at most 52"); the validation rules put the
reason in their issue message. `is_valid_*` are the boolean forms.

The ISIN's check digit comes from python-stdnum (Luhn over the letter-expanded ISIN). The
LEI's ISO 7064 MOD 97-10 is computed here, on one int, and remembered per LEI: every LEI of
every event is checked, and stdnum's validate took several microseconds each; the unit tests
hold it to stdnum's result. A value is checked as given: stdnum would accept "5299 00or..."
after compacting it, but a report carries the value verbatim, so spaces or lower case are
reported.

UPI: only the shape is checked (12 characters, A-Z 0-9, "QZ" prefix). The check character
algorithm (ISO 7064 MOD 31,30 per a closed, unmerged python-stdnum PR) is not verified against
the standard, so it is not enforced here; the DSB is the only issuer, and a UPI unknown to
reference data is the stronger check.

python-stdnum is imported where an ISIN's check digit is computed, not at import: actions that
only need `is_uuid` (the authorizer, submit, feedback) do not ship it.
"""

from __future__ import annotations

import re
import uuid
from functools import lru_cache
from typing import Any

__all__ = [
    "UTI_MAX_LENGTH",
    "check_isin",
    "check_lei",
    "check_upi",
    "check_uti",
    "is_uuid",
    "is_valid_isin",
    "is_valid_lei",
    "is_valid_upi",
    "is_valid_uti",
    "lei_with_check_digits",
    "uti_generator_lei",
    "uuid_or_none",
]

UTI_MAX_LENGTH = 52
_ALNUM = re.compile(r"[A-Z0-9]+")
_LEI_SHAPE = re.compile(r"[A-Z0-9]{18}[0-9]{2}")
_UPI_SHAPE = re.compile(r"QZ[A-Z0-9]{10}")
# ISO 7064 MOD 97-10 reads each character as a number: 0 = 0 ... 9 = 9, A = 10 ... Z = 35
_DIGITS_OF = {c: str(int(c, 36)) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


def _canonical_problem(value: object, name: str) -> str | None:
    if not isinstance(value, str) or not value:
        return f"{name} is empty"
    if value != value.strip():
        return f"{name} has leading or trailing spaces"
    if any(c.isspace() for c in value):
        return f"{name} contains spaces"
    if value != value.upper():
        return f"{name} contains lower-case letters"
    return None


def check_lei(value: object) -> str | None:
    """None if `value` is a well-formed LEI with valid check digits, else the reason."""
    if isinstance(value, str) and len(value) == 20:
        return _check_lei_of_20(value)
    return _lei_problem(value)


# A bounded memo: every event names the same few counterparties' LEIs several times over. The
# check is a pure function of an immutable string, and a 20-character one, so the memo is at
# most LEI_MEMO_SIZE short strings (well under a megabyte).
LEI_MEMO_SIZE = 8192


@lru_cache(maxsize=LEI_MEMO_SIZE)
def _check_lei_of_20(value: str) -> str | None:
    if _LEI_SHAPE.fullmatch(value):  # rules out every problem but the check digits
        return None if _mod_97_10(value) == 1 else _LEI_CHECK_DIGITS
    return _lei_problem(value)


_LEI_CHECK_DIGITS = "LEI check digits do not match (ISO 7064 MOD 97-10)"


def _lei_problem(value: object) -> str | None:
    """Why `value` is not LEI-shaped (whatever its check digits), None when it is."""
    problem = _canonical_problem(value, "LEI")
    if problem:
        return problem
    assert isinstance(value, str)
    if len(value) != 20:
        return f"LEI has {len(value)} characters, expected 20"
    if not _LEI_SHAPE.fullmatch(value):
        return "LEI must be 18 characters A-Z 0-9 followed by 2 check digits"
    return None


def _mod_97_10(value: str) -> int:
    """ISO 7064 MOD 97-10 of `value` (A-Z 0-9): 1 when its check digits are right."""
    return int("".join(map(_DIGITS_OF.__getitem__, value))) % 97


# ISIN prefixes allocated by ISO 6166 that are not ISO 3166 countries: EZ is the ANNA DSB's
# prefix for OTC-derivative ISINs, the ones derivative reports carry.
NON_COUNTRY_ISIN_PREFIXES = frozenset({"EZ"})


def check_isin(value: object) -> str | None:
    """None if `value` is a valid ISIN (pattern, country code and Luhn check digit)."""
    problem = _canonical_problem(value, "ISIN")
    if problem:
        return problem
    assert isinstance(value, str)
    if len(value) != 12:
        return f"ISIN has {len(value)} characters, expected 12"
    from stdnum import isin as _isin
    from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

    if value[:2] in NON_COUNTRY_ISIN_PREFIXES:
        # stdnum knows only ISO 3166 prefixes; check these by pattern and Luhn digit alone.
        if not (value.isalnum() and value[-1].isdigit()):
            return "ISIN must be 2 letters, 9 characters A-Z 0-9 and 1 check digit"
        if _isin.calc_check_digit(value[:-1]) != value[-1]:
            return "ISIN check digit does not match (Luhn)"
        return None
    try:
        _isin.validate(value)
    except InvalidChecksum:
        return "ISIN check digit does not match (Luhn)"
    except InvalidComponent:
        return f"ISIN country prefix {value[:2]!r} is not an ISO 3166 code"
    except (InvalidFormat, InvalidLength):
        return "ISIN must be 2 letters, 9 characters A-Z 0-9 and 1 check digit"
    return None


def check_uti(value: object) -> str | None:
    """None if `value` has the ISO 23897 shape: 1 to 52 characters, upper-case A-Z and 0-9.

    Whether its first 20 characters are the generator's LEI is a separate, softer check
    (`uti_generator_lei`): UTIs generated before ISO 23897, or by some venues, do not follow it.
    """
    if isinstance(value, str) and len(value) <= UTI_MAX_LENGTH and _ALNUM.fullmatch(value):
        return None  # A-Z 0-9 only: none of the problems below, the usual case, fast
    problem = _canonical_problem(value, "UTI")
    if problem:
        return problem
    assert isinstance(value, str)
    if len(value) > UTI_MAX_LENGTH:
        return f"UTI has {len(value)} characters, at most {UTI_MAX_LENGTH}"
    if not _ALNUM.fullmatch(value):
        bad = sorted({c for c in value if not ("A" <= c <= "Z" or "0" <= c <= "9")})
        return f"UTI may hold only A-Z and 0-9, found {''.join(bad)!r}"
    return None


def uti_generator_lei(uti: str) -> str | None:
    """The generating entity's LEI at the start of `uti`, if its first 20 characters are one."""
    if len(uti) > 20 and check_lei(uti[:20]) is None:
        return uti[:20]
    return None


def check_upi(value: object) -> str | None:
    """None if `value` has the UPI shape (12 characters A-Z 0-9 starting with QZ)."""
    problem = _canonical_problem(value, "UPI")
    if problem:
        return problem
    assert isinstance(value, str)
    if len(value) != 12:
        return f"UPI has {len(value)} characters, expected 12"
    if not _UPI_SHAPE.fullmatch(value):
        return "UPI must start with QZ followed by 10 characters A-Z 0-9"
    return None


def lei_shaped(value: str) -> bool:
    """ISO 17442's shape only (18 alphanumerics, two digits), without the check digits: what a
    stored reference to an LEI must look like; the check itself is SR-ID-004's."""
    return bool(_LEI_SHAPE.fullmatch(value))


def is_valid_lei(value: object) -> bool:
    return check_lei(value) is None


def is_valid_isin(value: object) -> bool:
    return check_isin(value) is None


def is_valid_uti(value: object) -> bool:
    return check_uti(value) is None


def is_valid_upi(value: object) -> bool:
    return check_upi(value) is None


def lei_with_check_digits(base18: str) -> str:
    """A LEI from its first 18 characters (demo data, fixtures): the ISO 7064 MOD 97-10 digits
    `check_lei` verifies, from the same function."""
    if not re.fullmatch(r"[A-Z0-9]{18}", base18):
        raise ValueError("an LEI base is 18 characters A-Z 0-9")
    return f"{base18}{98 - _mod_97_10(base18 + '00'):02d}"


def uuid_or_none(value: Any) -> str | None:
    """`value` as a canonical UUID string, or None when it is not one (an id from a URL, a
    message or a token: not ours means "not found", never a 500)."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None


def bigserial_id(value: object) -> int | None:
    """A bigserial id (issue, alert, break), or None for anything else, a number beyond
    bigint too: what the API then answers "not found" to, without asking the database."""
    try:
        number = int(str(value))
    except ValueError:
        return None
    return number if 0 < number < 2**63 else None


def is_uuid(value: Any) -> bool:
    return uuid_or_none(value) is not None
