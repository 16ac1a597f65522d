"""Benchmark: peak memory of ``taxonomy classify --format jsonl`` from the command line.

    python benchmarks/bench_memory.py                  # 10k, 100k and 1M functions
    python benchmarks/bench_memory.py 10000 100000     # chosen sizes

Writes a CSV portfolio of N functions over eight bodies (the answers of bench_classify's
synthetic portfolio), runs the CLI on it in a fresh process, and reports its wall time, peak
resident memory (max RSS) and memory per function. Target (issue 14): 1M functions under
1 GiB peak, memory per function at 1M within 1.25x of 10k. Figures go in docs/performance.md.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_classify import BODIES, synthetic


def write_csv(n: int, folder: Path) -> Path:
    """A CSV portfolio of ``n`` functions (functions table and bodies table)."""
    with (folder / "p.bodies.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "name"])
        out.writerows([b, f"Body {b}"] for b in BODIES)
    columns = ["id", "name", "level", "performed_by", "efficiency.duplication",
               "efficiency.simplification", "effectiveness.joint_benefit",
               "legal.statutory_owner", "legal.delegable_to", "legal.board_reserved",
               "legal.independence_from", *(f"capability.{b}" for b in BODIES)]  # fmt: skip
    path = folder / "p.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(columns)
        for start in range(0, n, 10_000):  # in slices: the generator's own memory stays small
            for fn in synthetic(min(10_000, n - start), seed=start).functions:
                levels = fn.capability.as_dict()
                out.writerow([
                    f"f{start}-{fn.id}", fn.name, fn.level, ", ".join(fn.performed_by),
                    str(fn.efficiency.duplication), str(fn.efficiency.simplification),
                    str(fn.effectiveness.joint_benefit), ", ".join(fn.legal.statutory_owner),
                    ", ".join(fn.legal.delegable_to), str(fn.legal.board_reserved).lower(),
                    ", ".join(fn.legal.independence_from),
                    *(str(levels[b]) if b in levels else "" for b in BODIES),
                ])  # fmt: skip
    return path


def measure(n: int) -> dict[str, float]:
    """Run the CLI on ``n`` functions; its time and peak memory."""
    cli = str(Path(sys.executable).with_name("taxonomy"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = write_csv(n, folder)
        start = time.perf_counter()
        child = subprocess.run(
            [sys.executable, "-c", "import resource, subprocess, sys; "
             "subprocess.run(sys.argv[1:], check=True); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)",
             cli, "-q", "classify", str(path), "--format", "jsonl", "-o", str(folder / "o.jsonl")],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        seconds = time.perf_counter() - start
        lines = sum(1 for _ in (folder / "o.jsonl").open(encoding="utf-8"))
    assert lines == n + 1
    peak = int(child.stdout.strip()) / 1024
    return {
        "functions": n,
        "seconds": round(seconds, 1),
        "peak_rss_mib": round(peak, 1),
        "kib_per_function": round(peak * 1024 / n, 2),
    }


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [10_000, 100_000, 1_000_000]
    rows = [measure(n) for n in sizes]
    print(" | ".join(rows[0]))
    for row in rows:
        print(" | ".join(str(v) for v in row.values()))


if __name__ == "__main__":
    main(sys.argv[1:])
