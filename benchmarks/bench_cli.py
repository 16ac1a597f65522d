"""Benchmark: the command line end to end, CPU time per function at 2k, 8k and 32k functions.

The portfolios are bench_graph's (bench_classify's synthetic functions over eight bodies, with a
joint committee, an oversight group and roles), written as YAML and as CSV. Each size runs in a
fresh process; each step is timed once, as CPU time (``time.process_time``) in that process,
after a warm-up on the NHS example (imports, the default pack, its compiled rulesets):

- ``load csv`` / ``load yaml``: ``taxonomy.load_portfolio`` alone;
- ``csv->jsonl``, ``csv->json``, ``csv->csv``, ``csv->markdown``, ``yaml->json``:
  ``taxonomy classify PORTFOLIO --format F -o FILE`` run in-process (click's CliRunner).

    python benchmarks/bench_cli.py                 # 2k, 8k, 32k
    python benchmarks/bench_cli.py 2000 8000       # chosen sizes

Target (issue 23): every step linear, so its time per function flat from 2k to 32k (within the
noise of a shared machine). Figures go in docs/performance.md.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_classify import run_sizes, synthetic
from bench_graph import with_governance
from click.testing import CliRunner

import taxonomy
from taxonomy.cli import cli
from taxonomy.input.files import dump_portfolio

NHS = Path(__file__).resolve().parent.parent / "examples" / "nhs_joint_working_2018.yaml"

#: (step, input format, output format); None: loading alone.
STEPS = (
    ("load csv", "csv", None),
    ("load yaml", "yaml", None),
    ("csv->jsonl", "csv", "jsonl"),
    ("csv->json", "csv", "json"),
    ("csv->csv", "csv", "csv"),
    ("csv->markdown", "csv", "markdown"),
    ("yaml->json", "yaml", "json"),
)


def _classify(source: Path, fmt: str, out: Path) -> None:
    args = ["-q", "classify", str(source), "--format", fmt, "-o", str(out), "--force"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output


def measure(n: int) -> dict[str, Any]:
    """CPU µs per function of each step on ``n`` functions, in this process."""
    folder = Path(tempfile.mkdtemp(prefix="bench_cli."))
    portfolio = with_governance(synthetic(n))
    inputs = {"csv": folder / "p.csv", "yaml": folder / "p.yaml"}
    for path in inputs.values():
        dump_portfolio(portfolio, path)
    del portfolio
    _classify(NHS, "json", folder / "warm.json")  # imports, the pack, its compiled rulesets
    taxonomy.load_portfolio(NHS)
    row: dict[str, Any] = {"functions": n}
    for step, source, fmt in STEPS:
        start = time.process_time()
        if fmt is None:
            taxonomy.load_portfolio(inputs[source])
        else:
            _classify(inputs[source], fmt, folder / f"out.{fmt}")
        row[step] = round((time.process_time() - start) / n * 1e6)
    return row


def main(argv: list[str]) -> None:
    rows = run_sizes(__file__, argv, [2_000, 8_000, 32_000], measure)
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        growth = ", ".join(f"{step} {last[step] / first[step]:.2f}x" for step, _, _ in STEPS)
        print(f"µs per function, {last['functions']} vs {first['functions']}: {growth}")


if __name__ == "__main__":
    main(sys.argv[1:])
