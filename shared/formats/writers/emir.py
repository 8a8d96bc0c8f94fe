"""ESMA EMIR Refit report: ISO 20022 auth.030.001.03, as `Auth030Writer` builds it."""

from __future__ import annotations

from shared.formats.writers.auth030 import Auth030Writer

NS = "urn:iso:std:iso:20022:tech:xsd:auth.030.001.03"


class EmirRefitWriter(Auth030Writer):
    regime = "emir"
    namespace = NS
