"""Benchmark: start-up, the time before taxonomy does any work.

    python benchmarks/bench_startup.py

Runs each command 21 times in a fresh interpreter and reports the median: ``import taxonomy``,
``taxonomy --help``, and a bare interpreter for reference. Targets (issue 14): ``import
taxonomy`` under 100 ms and ``taxonomy --help`` under 120 ms. Measure on an installation
made by ``tools/bootstrap.py`` (byte-compiled); figures go in docs/performance.md.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = 21


def median_ms(command: list[str]) -> float:
    """The median wall time of ``command``, in milliseconds."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    python = sys.executable
    cli = str(Path(python).with_name("taxonomy"))
    rows = {
        "python -c pass": median_ms([python, "-c", "pass"]),
        "import taxonomy": median_ms([python, "-c", "import taxonomy"]),
        "taxonomy --help": median_ms([cli, "--help"]),
    }
    for name, ms in rows.items():
        print(f"{name:<18} {ms:6.1f} ms (median of {RUNS})")


if __name__ == "__main__":
    main()
