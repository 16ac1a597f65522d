"""Benchmark: ``taxonomy classify p.csv --format jsonl -o out.jsonl`` streamed, CPU time and memory.

    python benchmarks/bench_stream.py                  # 1k, 10k and 100k functions
    python benchmarks/bench_stream.py 1000 100000      # chosen sizes
    python benchmarks/bench_stream.py --whole 10000    # also the whole read, for comparison
    python benchmarks/bench_stream.py --governance --whole 20000   # governance and a merger
    python benchmarks/bench_stream.py --bad-late 20000 # a bad last row: refused, nothing written

For each size, bench_memory's CSV portfolio (bench_classify's synthetic answers over eight
bodies) is written, and the command line runs on it in a fresh process. Measured in that
process by ``resource.getrusage(RUSAGE_CHILDREN)``: its CPU time (user + system, never wall
time: the machine is shared) and its peak resident memory (max RSS). With ``--whole``, the same
command writing to standard output (which is never streamed: nothing written there can be taken
back) measures the portfolio read whole. The output is checked: a header and one line per
function; the streamed and whole outputs byte-identical. With ``--governance``, the portfolio
also has a joint body delegated its last function and overseeing two, a post accountable for
the last, a declared delegation by a holder, and a dated law merging b8 into b7 before the day
judged (:func:`add_governance`): what used to make a portfolio be read whole.

With ``--bad-late``, two cells of the last row are spoilt instead (a level that is not one, a
true/false that is neither): the run must read every row, exit 2 with the one message naming
that row and both columns, and leave nothing at ``-o`` and no temporary file (issue 23's "a bad
row late in a 1M-row file").

Targets (issue 23): 100k functions under 30 s CPU and 300 MiB peak; 1M under 500 MiB; CPU
per function at 100k within 1.25x of 1k. Figures go in docs/performance.md.
"""

from __future__ import annotations

import csv
import filecmp
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_memory import write_csv

#: The side tables :func:`add_governance` writes, each a header and its rows.
_SIDE = {
    "joint_bodies": [["id", "name", "kind", "members", "delegated", "oversees"],
                     ["jc", "Joint committee", "joint_committee", "b1, b2", "{last}",
                      "{first}, {held}"]],
    "roles": [["id", "name", "employed_by", "reports_to", "accountable_for"],
              ["lead", "Lead officer", "b1", "jc", "{last}"]],
    "delegations": [["function", "by", "to"], ["{held}", "{holder}", "{other}"]],
    "law": [["id", "from", "joint_committees", "source"], ["base", "", "true", "illustrative"],
            ["merger", "2024-04-01", "", "illustrative"]],
    "abolitions": [["provision", "body", "into"], ["merger", "b8", "b7"]],
    "portfolio": [["key", "value"], ["name", "Synthetic"], ["as_of", "2024-06-01"]],
}  # fmt: skip


def add_governance(path: Path) -> None:
    """Side tables naming late functions of the CSV portfolio at ``path`` (see the module)."""
    import csv

    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    owned = (r for r in reversed(rows[1:-1]) if r["legal.statutory_owner"] not in ("", "b1", "b2"))
    held = next(r for r in owned if r["legal.statutory_owner"] != "b8")
    holder = held["legal.statutory_owner"]
    names = {"first": rows[0]["id"], "last": rows[-1]["id"], "held": held["id"],
             "holder": holder, "other": "b1" if holder != "b1" else "b2"}  # fmt: skip
    for sheet, table in _SIDE.items():
        with path.with_name(f"p.{sheet}.csv").open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows([c.format(**names) for c in r] for r in table)


#: Runs the command given after it and prints its CPU seconds and peak RSS (KiB, Linux).
_MEASURE = (
    "import resource, subprocess, sys\n"
    "out = sys.argv[1]\n"
    "with open(out, 'w') if out != '-' else open('/dev/null', 'w') as sink:\n"
    "    subprocess.run(sys.argv[2:], check=True, stdout=sink if out != '-' else None)\n"
    "used = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(used.ru_utime + used.ru_stime, used.ru_maxrss)\n"
)


#: As _MEASURE, for a run that fails: its exit code and its standard error too (as JSON).
_MEASURE_FAILING = (
    "import json, resource, subprocess, sys\n"
    "run = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "used = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(json.dumps([used.ru_utime + used.ru_stime, used.ru_maxrss, run.returncode, "
    "run.stderr]))\n"
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


def _run_failing(args: list[str]) -> tuple[float, float, int, str]:
    """As :func:`_run`, for a run expected to fail: also its exit code and standard error."""
    cli = str(Path(sys.executable).with_name("taxonomy"))
    child = subprocess.run(
        [sys.executable, "-c", _MEASURE_FAILING, cli, *args],
        capture_output=True,
        text=True,
        check=True,
    )
    cpu, rss, code, stderr = json.loads(child.stdout)
    return float(cpu), int(rss) / 1024, int(code), str(stderr)


#: The cells spoilt in the last row with ``--bad-late``, and what each is spoilt with.
_SPOILT = {"efficiency.duplication": "hihg", "legal.board_reserved": "maybe"}


def _spoil_last_row(path: Path) -> int:
    """Spoil :data:`_SPOILT`'s cells of the CSV's last row (rewritten a row at a time); its row."""
    spoilt = path.with_name("spoilt.csv")
    with path.open(newline="", encoding="utf-8") as source:
        count = sum(1 for _ in source)
    with (
        path.open(newline="", encoding="utf-8") as source,
        spoilt.open("w", newline="", encoding="utf-8") as target,
    ):
        reader, writer = csv.reader(source), csv.writer(target)
        heading = next(reader)
        writer.writerow(heading)
        for number, row in enumerate(reader, start=2):
            if number == count:
                for column, value in _SPOILT.items():
                    row[heading.index(column)] = value
            writer.writerow(row)
    spoilt.replace(path)
    return count


def measure_bad_late(n: int) -> dict[str, float]:
    """The streamed run on ``n`` functions whose last row has two bad cells, checked."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = write_csv(n, folder)
        row = _spoil_last_row(path)
        before = sorted(folder.iterdir())
        out = folder / "streamed.jsonl"
        cpu, rss, code, stderr = _run_failing(
            ["-q", "classify", str(path), "--format", "jsonl", "-o", str(out)]
        )
        assert code == 2, (code, stderr[-2000:])
        assert stderr.startswith(f"taxonomy: error: {path}: 2 problems:"), stderr[-2000:]
        problems = stderr.splitlines()[1:]
        assert len(problems) == 2, stderr[-2000:]
        for column in _SPOILT:
            assert any(f"row {row}, column '{column}'" in p for p in problems), stderr[-2000:]
        assert not out.exists(), "something was left at -o"
        assert sorted(folder.iterdir()) == before, "a temporary file was left"
    return {
        "functions": n,
        "bad_row": row,
        "cpu_s": round(cpu, 2),
        "us_per_function": round(cpu / n * 1e6),
        "peak_rss_mib": round(rss, 1),
    }


def measure(n: int, *, whole: bool = False, governance: bool = False) -> dict[str, float]:
    """The streamed run on ``n`` functions (and the whole read's, with ``whole``)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = write_csv(n, folder)
        if governance:
            add_governance(path)
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
    whole, governance, bad_late = "--whole" in argv, "--governance" in argv, "--bad-late" in argv
    sizes = [int(a) for a in argv if not a.startswith("--")] or [1_000, 10_000, 100_000]
    rows = []
    for n in sizes:
        rows.append(
            measure_bad_late(n) if bad_late else measure(n, whole=whole, governance=governance)
        )
        print(" | ".join(f"{k} {v}" for k, v in rows[-1].items()), flush=True)
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        ratio = last["us_per_function"] / first["us_per_function"]
        print(f"CPU per function, {last['functions']} vs {first['functions']}: {ratio:.2f}x")


if __name__ == "__main__":
    main(sys.argv[1:])
