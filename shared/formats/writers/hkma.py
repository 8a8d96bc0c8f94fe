"""HKMA report to the HKTR, auth.030.001.04, as `Auth030Writer` builds it.

Starts from the ISO 20022 document every auth.030 regime shares; the elements this regime's
rules fill differently are overridden here.
"""

from __future__ import annotations

from shared.formats.writers.auth030 import Auth030Writer

NS = "urn:iso:std:iso:20022:tech:xsd:auth.030.001.04"


class HkmaWriter(Auth030Writer):
    regime = "hkma"
    namespace = NS
