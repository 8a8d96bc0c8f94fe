"""The CSV reader streams a ~300 MB FEP file in flat memory.

Wide rows (the demo FEP's columns plus a 3 KB free-text column the profile ignores) keep the
row count near 100k and the run time in the tens of seconds on a 2-core machine. Memory is
measured two ways: Python allocations with tracemalloc (peak during the first records, then
peak over the rest of the file) and the process's resident set size from /proc. Set
SWAPREP_PERF_MB to change the file size.
"""

from __future__ import annotations

import os
import time
import tracemalloc
from pathlib import Path

from shared.formats.readers.csv_reader import CsvReader
from swaprep.local.demo import generate_fep_csv

FILE_MB = int(os.environ.get("SWAPREP_PERF_MB", "300"))
WARM_UP_RECORDS = 2_000
MB = 1024 * 1024


def _rss_mb() -> float | None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _write_file(path: Path, size: int) -> int:
    data, _ = generate_fep_csv(rows=400)
    header, *rows = data.decode().splitlines()
    filler = "free text from the desk, 한국어 메모 포함; " * 75
    wide = [f'{row},"{filler}"\n' for row in rows]
    written, count = 0, 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(header + ",desk_comment\n")
        while written < size:
            line = wide[count % len(wide)]
            out.write(line)
            written += len(line.encode())
            count += 1
    return count


def test_large_file_reads_in_flat_memory(tmp_path, capsys):
    path = tmp_path / "fep-large.csv"
    started = time.perf_counter()
    rows = _write_file(path, FILE_MB * MB)
    size = path.stat().st_size
    written_in = time.perf_counter() - started

    records = ok = 0
    started = time.perf_counter()
    tracemalloc.start()
    try:
        with path.open("rb") as stream:
            for record in CsvReader().read(stream, file_name=path.name):
                records += 1
                ok += record.ok
                if records == WARM_UP_RECORDS:
                    warm_peak = tracemalloc.get_traced_memory()[1]
                    warm_rss = _rss_mb()
                    tracemalloc.reset_peak()
        rest_current, rest_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    read_in = time.perf_counter() - started
    end_rss = _rss_mb()

    with capsys.disabled():
        print(f"\n[perf] {size / MB:.0f} MB, {rows} rows: written in {written_in:.1f} s, "
              f"read in {read_in:.1f} s ({size / MB / read_in:.0f} MB/s, "
              f"{records / read_in:.0f} records/s)")
        print(f"[perf] tracemalloc peak: first {WARM_UP_RECORDS} records "
              f"{warm_peak / MB:.2f} MB, rest of file {rest_peak / MB:.2f} MB "
              f"(current at end {rest_current / MB:.2f} MB)")
        if warm_rss is not None and end_rss is not None:
            print(f"[perf] RSS after {WARM_UP_RECORDS} records {warm_rss:.0f} MB, "
                  f"at end {end_rss:.0f} MB")

    assert records == ok == rows
    # Flat: reading the other ~98 % of the file needs no more than the first records did.
    assert rest_peak < 16 * MB
    assert rest_peak < warm_peak * 1.5 + 2 * MB
    if warm_rss is not None and end_rss is not None:
        assert end_rss - warm_rss < 32, "resident memory grew with the file"
