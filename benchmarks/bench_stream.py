"""Benchmark: ``taxonomy classify p.csv --format jsonl -o out.jsonl`` streamed, CPU time and memory.

    python benchmarks/bench_stream.py                  # 1k, 10k and 100k functions
    python benchmarks/bench_stream.py 1000 100000      # chosen sizes
    python benchmarks/bench_stream.py --whole 10000    # also the whole read, for comparison

For each size, bench_memory's CSV portfolio (bench_classify's synthetic answers over eight
bodies) is written, and the command line runs on it in a fresh process. Measured in that
process by ``resource.getrusage(RUSAGE_CHILDREN)``: its CPU time (user + system, never wall
time: the machine is shared) and its peak resident memory (max RSS). With ``--whole``, the same
command writing to standard output (which is never streamed: nothing written there can be taken
back) measures the portfolio read whole. The output is checked: a header and one line per
function; the streamed and whole outputs byte-identical.

Targets (issue 23): 100k functions under 30 s CPU and 300 MiB peak; 1M under 500 MiB; CPU
per function at 100k within 1.25x of 1k. Figures go in docs/performance.md.
"""

from __future__ import annotations

import filecmp
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_memory import write_csv

#: Runs the command given after it and prints its CPU seconds and peak RSS (KiB, Linux).
_MEASURE = (
    "import resource, subprocess, sys\n"
    "out = sys.argv[1]\n"
    "with open(out, 'w') if out != '-' else open('/dev/null', 'w') as sink:\n"
    "    subprocess.run(sys.argv[2:], check=True, stdout=sink if out != '-' else None)\n"
    "used = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(used.ru_utime + used.ru_stime, used.ru_maxrss)\n"
)


def _run(args: list[str], stdout: str = "-") -> tuple[float, float]:
    """CPU seconds and peak RSS (MiB) of the command line run with ``args`` in a new process."""
    cli = str(Path(sys.executable).with_name("taxonomy"))
    child = subprocess.run(
        [sys.executable, "-c", _MEASURE, stdout, cli, *args],
        capture_output=True,
        text=True,
        check=True,
    )
    cpu, rss = child.stdout.split()
    return float(cpu), int(rss) / 1024


def measure(n: int, *, whole: bool = False) -> dict[str, float]:
    """The streamed run on ``n`` functions (and the whole read's, with ``whole``)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = write_csv(n, folder)
        streamed = folder / "streamed.jsonl"
        cpu, rss = _run(["-q", "classify", str(path), "--format", "jsonl", "-o", str(streamed)])
        with streamed.open(encoding="utf-8") as handle:
            assert sum(1 for _ in handle) == n + 1
        row = {
            "functions": n,
            "cpu_s": round(cpu, 2),
            "us_per_function": round(cpu / n * 1e6),
            "peak_rss_mib": round(rss, 1),
        }
        if whole:
            read = folder / "whole.jsonl"
            cpu, rss = _run(["-q", "classify", str(path), "--format", "jsonl"], str(read))
            assert filecmp.cmp(streamed, read, shallow=False), "streamed and whole differ"
            row |= {"whole_cpu_s": round(cpu, 2), "whole_peak_rss_mib": round(rss, 1)}
    return row


def main(argv: list[str]) -> None:
    whole = "--whole" in argv
    sizes = [int(a) for a in argv if a != "--whole"] or [1_000, 10_000, 100_000]
    rows = []
    for n in sizes:
        rows.append(measure(n, whole=whole))
        print(" | ".join(f"{k} {v}" for k, v in rows[-1].items()), flush=True)
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        ratio = last["us_per_function"] / first["us_per_function"]
        print(f"CPU per function, {last['functions']} vs {first['functions']}: {ratio:.2f}x")


if __name__ == "__main__":
    main(sys.argv[1:])
