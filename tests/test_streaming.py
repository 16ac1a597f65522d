"""``classify`` streams a CSV portfolio to JSONL: the same bytes, every problem, flat memory.

Issue 23 item 2. The streamed path (``-o FILE.jsonl`` from a CSV portfolio) is compared with
the portfolio read whole, which the same command takes when ``stream_portfolio`` declines.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from taxonomy.cli import cli
from taxonomy.input import spreadsheet
from taxonomy.input.files import dump_portfolio

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))

sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_classify import synthetic  # noqa: E402  (the benchmarks' generator, not a copy)
from bench_memory import write_csv  # noqa: E402

from tests.helpers import peak_traced, run_cli  # noqa: E402

#: The side tables that make a portfolio be read whole: governance naming functions, mergers.
_WHOLE_ONLY = ("joint_bodies", "roles", "delegations", "abolitions")


def _failing(portfolio: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """classify run as a user runs it (its errors printed, its exit code)."""
    return run_cli("-q", "classify", str(portfolio), "--format", "jsonl", "-o", str(out), *extra)


def _classify(portfolio: Path, out: Path, *extra: str) -> Result:
    args = ["-q", "classify", str(portfolio), "--format", "jsonl", "-o", str(out), *extra]
    return CliRunner().invoke(cli, args, catch_exceptions=False)


@pytest.fixture
def streams(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """Whether each classify streamed (stream_portfolio gave a stream), in order."""
    seen: list[bool] = []
    original = spreadsheet.stream_portfolio

    def recorded(*args: object, **kwargs: object) -> spreadsheet.PortfolioStream | None:
        found = original(*args, **kwargs)  # type: ignore[arg-type]
        seen.append(found is not None)
        return found

    monkeypatch.setattr(spreadsheet, "stream_portfolio", recorded)
    yield seen


def _whole(portfolio: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> Result:
    """classify with streaming declined: the portfolio read whole."""
    with monkeypatch.context() as patch:
        patch.setattr(spreadsheet, "stream_portfolio", lambda *a, **k: None)
        return _classify(portfolio, out)


def _as_csv(source: Path, folder: Path) -> list[Path]:
    """The example as a CSV portfolio, and (if it differs) without the whole-only side tables."""
    path = folder / f"{source.stem}.csv"
    args = ["-q", "convert", str(source), "-o", str(path)]
    assert CliRunner().invoke(cli, args, catch_exceptions=False).exit_code == 0
    found = [path]
    side = [path.with_name(f"{source.stem}.{sheet}.csv") for sheet in _WHOLE_ONLY]
    if side[-1].exists():  # a provision of the law only abolishes: the law goes too
        side.append(path.with_name(f"{source.stem}.law.csv"))
    if any(p.exists() for p in side):
        plain = folder / "plain"
        plain.mkdir(exist_ok=True)
        for file in folder.glob(f"{source.stem}.*csv"):
            if file not in side:
                shutil.copy(file, plain / file.name)
        found.append(plain / path.name)
    return found


def test_the_streamed_output_is_the_whole_reads_for_every_example(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, streams: list[bool]
) -> None:
    """Byte for byte, each shipped example as CSV (and without governance and mergers)."""
    compared = total = 0
    for example in EXAMPLES:
        folder = tmp_path / example.stem
        folder.mkdir()
        for portfolio in _as_csv(example, folder):
            total += 1
            streams.clear()
            streamed, whole = portfolio.with_suffix(".s.jsonl"), portfolio.with_suffix(".w.jsonl")
            assert _classify(portfolio, streamed).exit_code == 0
            assert _whole(portfolio, whole, monkeypatch).exit_code == 0
            assert streamed.read_bytes() == whole.read_bytes(), portfolio
            compared += streams == [True]
    # Every one streams, governance naming functions and mergers too (test_stream_governance).
    assert compared == total


def test_the_streamed_output_is_the_whole_reads_for_2000_functions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, streams: list[bool]
) -> None:
    """bench_classify's synthetic portfolio of 2,000 functions (unknown answers, reasons)."""
    portfolio = tmp_path / "p.csv"
    dump_portfolio(synthetic(2000, reasons=0.1), portfolio)
    streamed, whole = tmp_path / "s.jsonl", tmp_path / "w.jsonl"
    assert _classify(portfolio, streamed).exit_code == 0
    assert streams == [True]
    assert _whole(portfolio, whole, monkeypatch).exit_code == 0
    assert streamed.read_bytes() == whole.read_bytes()
    assert len(streamed.read_text(encoding="utf-8").splitlines()) == 2001


def _spoil(path: Path, changes: dict[int, dict[str, str]]) -> None:
    """Change cells of the CSV at ``path``: by row number (the heading is row 1), by column."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    heading = rows[0]
    for number, cells in changes.items():
        for column, value in cells.items():
            rows[number - 1][heading.index(column)] = value
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


#: Rows of the portfolios with bad rows late in them. The streamed read takes the same path
#: whatever the count (problems found, the rest checked, nothing written, the temporary file
#: removed); benchmarks/bench_stream.py --bad-late N spoils the last row of N (1M) and checks the same.
_LATE = 2_000


def test_bad_rows_late_in_2000_are_each_reported_and_nothing_is_written(tmp_path: Path) -> None:
    """Every problem at once, with its file, row and column; no output, no temporary; exit 2.

    The message is the one reading the portfolio whole gives (classify to standard output is
    never streamed).
    """
    path = write_csv(_LATE, tmp_path)
    first_id = next(csv.DictReader(path.open(encoding="utf-8")))["id"]
    _spoil(
        path,
        {
            _LATE - 10: {"efficiency.duplication": "hihg"},
            _LATE - 5: {"performed_by": "b1, b99"},
            _LATE + 1: {"id": first_id, "legal.board_reserved": "maybe"},
        },
    )
    out = tmp_path / "out.jsonl"
    result = _failing(path, out)
    assert result.returncode == 2, result.stderr
    message = result.stderr
    assert message.startswith("taxonomy: error: ") and "Traceback" not in message
    for expected in (
        f"sheet 'functions', row {_LATE - 10}, column 'efficiency.duplication': ",
        "'hihg' is not a level",
        f"sheet 'functions', row {_LATE - 5}, column 'performed_by': ",
        "'b99'",
        f"sheet 'functions', row {_LATE + 1}, column 'legal.board_reserved': ",
        "must be true or false",
        f"sheet 'functions', row {_LATE + 1}, column 'id': ",
        "this id is used by another function",
    ):
        assert expected in message, message
    assert message.count(f"{path}: sheet 'functions', row ") == 4
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.bodies.csv", "p.csv"]
    whole = run_cli("-q", "classify", str(path), "--format", "jsonl")
    assert (whole.returncode, whole.stdout, whole.stderr) == (2, "", message)


def test_an_existing_output_is_left_as_it_was_on_a_problem(tmp_path: Path) -> None:
    """With --force, a bad row late in the file leaves the old output untouched."""
    path = write_csv(500, tmp_path)
    _spoil(path, {501: {"capability.b1": "lots"}})
    out = tmp_path / "out.jsonl"
    out.write_text("kept\n", encoding="utf-8")
    result = _failing(path, out, "--force")
    assert result.returncode == 2, result.stderr
    assert "row 501, column 'capability.b1': " in result.stderr
    assert "'lots' is not a level" in result.stderr
    assert out.read_text(encoding="utf-8") == "kept\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl", "p.bodies.csv", "p.csv"]


def _peak(path: Path, out: Path) -> int:
    """The most memory Python held (tracemalloc) while classify ran on ``path``."""

    def run() -> None:
        assert _classify(path, out, "--force").exit_code == 0

    return peak_traced(run)


@pytest.mark.slow
def test_memory_does_not_grow_with_the_functions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, streams: list[bool]
) -> None:
    """4x the functions: the peak of memory held grows by the ids seen, not by the functions.

    Structural, not timed: tracemalloc counts the bytes Python allocated, whatever the load.
    The engine's cases are warmed on the larger portfolio first, so both runs find them made.
    The same check fails for the portfolio read whole (about 8 KiB a function).
    """
    small, large = tmp_path / "small", tmp_path / "large"
    small.mkdir(), large.mkdir()
    write_csv(250, small)
    write_csv(1_000, large)
    out = tmp_path / "o.jsonl"
    assert _classify(large / "p.csv", out, "--force").exit_code == 0  # the pack, its cases

    def growth() -> float:
        """Bytes more held per function more, and the ratio of the peaks."""
        low, high = _peak(small / "p.csv", out), _peak(large / "p.csv", out)
        return (high - low) / 750

    streamed = growth()
    assert streams == [True, True, True]
    with monkeypatch.context() as patch:
        patch.setattr(spreadsheet, "stream_portfolio", lambda *a, **k: None)
        whole = growth()
    # Streamed: the ids seen and the few distinct cases, about 0.6 KiB a function.
    assert streamed < 2048, f"{streamed:.0f} bytes more held per function more"
    assert whole > 2 * 2048, f"read whole: {whole:.0f} bytes per function"


def test_a_bad_last_row_is_reported_and_nothing_is_written(tmp_path: Path) -> None:
    """The last row's problems, every one with its row and column, after 1,999 good rows.

    Rows are checked after a problem, never classified nor written: a file whose only problem
    is its last row is the most work before the error, and still leaves nothing behind
    (benchmarks/bench_stream.py --bad-late runs the same at 1M rows).
    """
    path = write_csv(_LATE, tmp_path)
    _spoil(path, {_LATE + 1: {"capability.b2": "loads", "legal.board_reserved": "perhaps"}})
    out = tmp_path / "out.jsonl"
    result = _failing(path, out)
    assert result.returncode == 2, result.stderr
    message = result.stderr
    assert message.startswith(f"taxonomy: error: {path}: 2 problems:"), message
    assert "Traceback" not in message
    assert f"row {_LATE + 1}, column 'capability.b2': " in message
    assert f"row {_LATE + 1}, column 'legal.board_reserved': " in message
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.bodies.csv", "p.csv"]
