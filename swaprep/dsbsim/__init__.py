"""A local stand-in for the ANNA DSB's UPI service (docs/UPI.md): `DsbSimulator`."""

from swaprep.dsbsim.server import DsbSimulator, Switches

__all__ = ["DsbSimulator", "Switches"]
