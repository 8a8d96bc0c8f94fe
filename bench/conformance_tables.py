"""Conformance per regime and set, as Markdown, for docs/MAPPING.md.

    .venv/bin/python bench/conformance_tables.py            # both corpora, every regime

Runs ../shared/conformance/score.py (main corpus and `extra/`) with `--json` and sums each
regime's fields per set the way the scorer sums its totals: matched / (expected + emitted but
not expected). Prints one table per corpus: a row per set, a column per regime.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "conformance"
sys.path.insert(0, str(ROOT))
from shared.domain.regimes import keys  # noqa: E402

REGIMES = tuple(key for key in keys() if key != "krx")  # KRX has no DRR projection


def _score(corpus: Path) -> list[dict]:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        where = [] if corpus == CORPUS else ["--corpus", str(corpus)]
        subprocess.run([sys.executable, str(CORPUS / "score.py"), *where, "--regime",
                        ",".join(REGIMES), "--json", out.name, "--",
                        str(Path(sys.executable).with_name("swaprep")), "report", "--no-checks"],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        return json.loads(Path(out.name).read_text())


def table(results: list[dict]) -> str:
    sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for r in results:
        for key in ((r["case"].split("/")[0], r["regime"]), ("all", r["regime"])):
            total = sums[key]
            total[0] += r["matched"]
            total[1] += r["expected"] + len(r["extra"])
            total[2] += 1
    sets = [*sorted({s for s, _ in sums} - {"all"}), "all"]
    lines = ["| Set | " + " | ".join(REGIMES) + " |", "|---" * (len(REGIMES) + 1) + "|"]
    for name in sets:
        cells = []
        for regime in REGIMES:
            matched, denominator, cases = sums.get((name, regime), (0, 0, 0))
            cells.append(f"{matched / denominator:.1%} ({cases})" if denominator else "-")
        label = f"**{name}**" if name == "all" else name
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    for name, corpus in (("main corpus", CORPUS), ("extra corpus", CORPUS / "extra")):
        print(f"### {name}\n\n{table(_score(corpus))}\n")


if __name__ == "__main__":
    main()
