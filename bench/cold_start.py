"""Cold-start cost of each action: time to import its `__main__` in a fresh interpreter.

NCP pays this on every cold container. Run: `.venv/bin/python bench/cold_start.py [--runs N]`.
Prints, per action, the median import time over N fresh processes and the heaviest
top-level imports reported by `python -X importtime`.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMPORT_SNIPPET = (
    "import importlib.util, sys, time; t = time.perf_counter(); "
    "spec = importlib.util.spec_from_file_location('action_main', sys.argv[1]); "
    "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); "
    "print((time.perf_counter() - t) * 1000)"
)
LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")


def measure(main_py: Path, runs: int) -> tuple[float, list[tuple[str, float]]]:
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", IMPORT_SNIPPET, str(main_py)], cwd=ROOT, check=True,
            capture_output=True, text=True,
        )
        times.append(float(out.stdout.strip().splitlines()[-1]))
    trace = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", IMPORT_SNIPPET, str(main_py)], cwd=ROOT,
        check=True, capture_output=True, text=True,
    ).stderr
    top = []
    for match in LINE.finditer(trace):
        cumulative_us, indent, name = int(match[2]), len(match[3]), match[4]
        if indent == 1:  # a direct import of the action module
            top.append((name, cumulative_us / 1000))
    top.sort(key=lambda item: item[1], reverse=True)
    return statistics.median(times), top[:4]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, median of {args.runs} fresh processes")
    print(f"{'action':<12} {'import ms':>10}  heaviest imports (cumulative ms)")
    for main_py in sorted((ROOT / "functions").glob("*/__main__.py")):
        median, top = measure(main_py, args.runs)
        heaviest = ", ".join(f"{name} {ms:.0f}" for name, ms in top)
        print(f"{main_py.parent.name:<12} {median:>10.1f}  {heaviest}")


if __name__ == "__main__":
    main()
