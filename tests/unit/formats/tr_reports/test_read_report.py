"""What is not a TR report is refused with the reason."""

from __future__ import annotations

import pytest

from shared.formats.tr_reports import TrReportError, read_report


@pytest.mark.parametrize(("body", "reason"), [
    (b"not xml at all", "not a readable XML document"),
    (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "y">]><d>&x;</d>',
     "not a readable XML document"),
    (b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:auth.030.001.03"/>',
     "not a TR report: root 'Document' in namespace 'urn:iso:std:iso:20022:tech:xsd:auth.030"),
    (b'<Report xmlns="urn:iso:std:iso:20022:tech:xsd:auth.091.001.03"/>',
     "not a TR report: root 'Report'"),
    (b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:auth.091.001.03"><X/></Document>',
     "auth.091: no DerivsTradRcncltnSttstclRpt under Document"),
    (b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:auth.107.001.02"><DerivsTradStatRpt>'
     b"<RptHdr/></DerivsTradStatRpt></Document>", "auth.107: RptHdr/NbRcrds is missing"),
    (b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:auth.106.001.01"><DerivsTradWrnngsRpt>'
     b'<WrnngsSttstcs><Rpt/></WrnngsSttstcs></DerivsTradWrnngsRpt></Document>',
     "auth.106: WrnngsSttstcs/Rpt/RefDt is missing"),
])
def test_an_unusable_document_is_refused_with_its_reason(body, reason):
    with pytest.raises(TrReportError) as refused:
        read_report(body)
    assert str(refused.value).startswith(reason)
