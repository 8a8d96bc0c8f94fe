"""A simulated trade repository for the local stack and the tests (never shipped).

`TrSimulator` (server.py) speaks the TR protocol of docs/PIPELINE.md on 127.0.0.1, checks
files as a TR does (records.py, checks.py; codes in codes.py) and writes ACK/NACK feedback
files into the feedback bucket. docs/TR-SIMULATOR.md describes it.
"""

from swaprep.trsim.codes import CODES
from swaprep.trsim.server import Faults, TrSimulator

__all__ = ["CODES", "Faults", "TrSimulator"]
