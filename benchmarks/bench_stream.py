"""Benchmark: ``taxonomy classify p.csv --format jsonl -o out.jsonl`` streamed, CPU time and memory.

    python benchmarks/bench_stream.py                  # 1k, 10k and 100k functions
    python benchmarks/bench_stream.py 1000 100000      # chosen sizes
    python benchmarks/bench_stream.py --whole 10000    # also the whole read, for comparison
    python benchmarks/bench_stream.py --bad-late 1000000   # bad last rows: refused, nothing left

For each size, bench_memory's CSV portfolio (bench_classify's synthetic answers over eight
bodies) is written, and the command line runs on it in a fresh process. Measured in that
process by ``resource.getrusage(RUSAGE_CHILDREN)``: its CPU time (user + system, never wall
time: the machine is shared) and its peak resident memory (max RSS). With ``--whole``, the same
command writing to standard output (which is never streamed: nothing written there can be taken
back) measures the portfolio read whole. The output is checked: a header and one line per
function; the streamed and whole outputs byte-identical.

With ``--bad-late``, the last two rows are spoiled instead (a level that is not one, a flag
that is not true or false): the run must exit 2 with one message naming both rows and columns,
no traceback, nothing at ``-o`` and no temporary file left beside it, after reading every row
before them (the suite checks the same on 2,000 rows, tests/test_streaming.py).

Targets (issue 23): 100k functions under 30 s CPU and 300 MiB peak; 1M under 500 MiB; CPU
per function at 100k within 1.25x of 1k. Figures go in docs/performance.md.
"""

from __future__ import annotations

import csv
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

#: The same, for a run that must fail: its exit code first (its message goes to stderr).
_MEASURE_REFUSED = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[2:]).returncode\n"
    "used = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(code, used.ru_utime + used.ru_stime, used.ru_maxrss)\n"
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


def _spoil_last_rows(path: Path, n: int) -> None:
    """Rows ``n`` and ``n + 1`` (the last two; the heading is row 1) given bad cells."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    heading = rows[0]
    rows[n - 1][heading.index("capability.b2")] = "loads"
    rows[n][heading.index("legal.board_reserved")] = "perhaps"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


def measure_bad_late(n: int) -> dict[str, float]:
    """The streamed run on ``n`` functions whose last two rows are bad: refused, nothing left."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = write_csv(n, folder)
        _spoil_last_rows(path, n)
        out = folder / "out.jsonl"
        command = ["-q", "classify", str(path), "--format", "jsonl", "-o", str(out)]
        child = subprocess.run(
            [sys.executable, "-c", _MEASURE_REFUSED, "-",
             str(Path(sys.executable).with_name("taxonomy")), *command],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        message = child.stderr
        assert message.startswith(f"taxonomy: error: {path}: 2 problems:"), message
        assert "Traceback" not in message, message
        assert f"row {n}, column 'capability.b2': " in message, message
        assert f"row {n + 1}, column 'legal.board_reserved': " in message, message
        assert not out.exists(), "the output was written"
        left = sorted(p.name for p in folder.iterdir())
        assert left == ["p.bodies.csv", "p.csv"], f"left behind: {left}"
        code, cpu, rss = child.stdout.split()
        assert code == "2", f"exit {code}"
    return {"functions": n, "cpu_s": round(float(cpu), 2), "peak_rss_mib": round(int(rss) / 1024)}


def main(argv: list[str]) -> None:
    whole, bad_late = "--whole" in argv, "--bad-late" in argv
    sizes = [int(a) for a in argv if not a.startswith("--")] or [1_000, 10_000, 100_000]
    if bad_late:
        for n in sizes:
            print(" | ".join(f"{k} {v}" for k, v in measure_bad_late(n).items()), flush=True)
        print("refused with both rows named, nothing written, no temporary file left")
        return
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
