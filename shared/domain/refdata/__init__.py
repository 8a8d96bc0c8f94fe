"""Reference data: static code tables and counterparty attributes the trade message lacks.

DRR takes some report values from static tables (an FpML day count to an ISO 20022 code, a
floating rate index to a benchmark code) or from entity reference data (a counterparty's nature,
sector, financial/federal entity flags). This package does the same from data files shipped
in `data/` (CSV, one row per key, `#` comment lines), so the mapping code never special-cases
a trade.

Replace or extend the tables per installation by pointing `SWAPREP_REFDATA_DIR` (read by the
caller, e.g. the CLI) at a directory with files of the same names: rows there are added to the
packaged ones and win on the same key. `RefData` itself is pure: `load()` reads files once.
"""

from __future__ import annotations

from shared.domain.refdata.loader import ENV_VAR, load
from shared.domain.refdata.tables import EntityInfo, RefData

__all__ = ["ENV_VAR", "EntityInfo", "RefData", "load"]
