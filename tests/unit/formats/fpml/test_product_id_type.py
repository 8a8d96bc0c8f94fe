"""An underlier's non-ISIN identifier keeps its kind (CDM ProductIdTypeEnum), which the
auth.030.001.04 regimes report as OthrId/Src."""

import pytest

from shared.formats.fpml.common import product_id_type


@pytest.mark.parametrize(("scheme", "kind"), [
    ("http://www.fpml.org/spec/2003/instrument-id-Reuters-RIC", "RIC"),
    ("http://www.fpml.org/spec/2002/instrument-id-Bloomberg", "BBGID"),
    ("http://www.fpml.org/coding-scheme/instrument-id-CUSIP", "CUSIP"),
    ("http://www.fpml.org/coding-scheme/instrument-id-SEDOL", "SEDOL"),
    ("http://www.fpml.org/coding-scheme/instrument-id-Valoren", "VALOREN"),
    ("http://www.fpml.org/schemes/4.1/instrumentId", "Other"),  # names no kind
    (None, "Other"),
])
def test_the_scheme_names_the_kind_of_identifier(scheme, kind):
    assert product_id_type(scheme) == kind
