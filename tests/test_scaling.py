"""The CLI's work grows linearly with the portfolio, and hostile sizes are refused or cheap.

Issue 23 item 1 (linear end to end) and issue 22 item 4 (quadratic work on hostile sizes).
"""

from __future__ import annotations

import gc
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import taxonomy
from taxonomy import errors
from taxonomy.cli import cli
from taxonomy.errors import MAX_PROBLEMS, PortfolioError
from taxonomy.input import portfolio as portfolio_input
from taxonomy.input import reader as reader_module
from taxonomy.input.files import dump_portfolio
from taxonomy.whatif.counterfactual import MAX_CHANGES, counterfactuals
from taxonomy.whatif.sweep import Axis, Sweep, sweep

ROOT = Path(__file__).resolve().parent.parent
NHS = ROOT / "examples" / "nhs_joint_working_2018.yaml"

sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_classify import synthetic  # noqa: E402  (the benchmarks' generator, not a copy)
from bench_graph import with_governance  # noqa: E402

from tests.helpers import run_cli  # noqa: E402


def _cpu(args: list[str], runs: int = 2) -> float:
    """The least CPU time of ``runs`` in-process runs of the CLI with ``args``.

    The objects the test session already holds are frozen out of the collector while it runs:
    a full collection scans every tracked object, so a session's heap would charge the larger
    run for garbage collection of objects that are not the command's (4000 functions cost 5.1x
    1000 inside the whole suite, 4.4x alone).
    """
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        gc.freeze()
        try:
            start = time.process_time()
            result = CliRunner().invoke(cli, args, catch_exceptions=False)
            best = min(best, time.process_time() - start)
        finally:
            gc.unfreeze()
        assert result.exit_code == 0, result.output
    return best


def test_classify_jsonl_cpu_time_grows_linearly(tmp_path: Path) -> None:
    """4x the functions costs under 5x the CPU time: no step scans every function per function.

    Loading (duplicate ids, governance), classifying and one summary paragraph per line (each
    finding its function, its decision forum) are all on this path. Before issue 23 the
    portfolio's functions were found by a scan, three times per line: 6x and more at these sizes.
    """
    small, large = 1000, 4000
    for n in (small, large):
        dump_portfolio(with_governance(synthetic(n)), tmp_path / f"p{n}.csv")
    _cpu(["-q", "classify", str(NHS), "--format", "jsonl"], runs=1)  # imports, pack, caches

    def cost(n: int) -> float:
        out = tmp_path / f"out{n}.jsonl"
        return _cpu(
            [
                "-q",
                "classify",
                str(tmp_path / f"p{n}.csv"),
                "--format",
                "jsonl",
                "-o",
                str(out),
                "--force",
            ]
        )

    ratio = cost(large) / cost(small)
    assert ratio < 5, f"{large} functions cost {ratio:.2f}x the CPU time of {small}"


def test_functions_are_found_without_a_scan() -> None:
    """Portfolio.function is a lookup, whatever the function's place (index built once)."""
    portfolio = synthetic(10_000)
    last = portfolio.functions[-1].id
    start = time.process_time()
    for _ in range(10_000):
        portfolio.function(last)
    # A scan of 10,000 functions 10,000 times takes seconds; a lookup, milliseconds.
    assert time.process_time() - start < 1
    with pytest.raises(KeyError, match="did you mean 'f9999'"):
        portfolio.function("f9999x")


def test_unknown_keys_search_a_suggestion_only_for_problems_shown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """200,000 unknown keys: the did-you-mean is searched for the 50 shown, not for all."""
    calls = []
    search = errors.did_you_mean

    def counted(word: str, choices: Any) -> str | None:
        calls.append(word)
        return search(word, choices)

    monkeypatch.setattr(reader_module, "did_you_mean", counted)
    monkeypatch.setattr(errors, "did_you_mean", counted)
    data = taxonomy.input.reader.load_yaml(NHS)
    data.update({f"organisation{i}": 1 for i in range(200_000)})
    with pytest.raises(PortfolioError) as caught:
        portfolio_input.portfolio_from_data(data, file="p.yaml")
    error = caught.value
    assert error.total == 200_000 and len(error.problems) == MAX_PROBLEMS
    message = str(error)
    assert "(did you mean 'organisations'?)" in message
    assert message.endswith(f"… and {200_000 - MAX_PROBLEMS} more")
    assert len(calls) <= 2 * MAX_PROBLEMS, f"{len(calls)} searches for a suggestion"


def test_a_misspelt_required_key_is_still_the_one_problem() -> None:
    """The suggestion is lazy, but a misspelt required key is not reported missing as well."""
    data = taxonomy.input.reader.load_yaml(NHS)
    data["nmae"] = data.pop("name")
    data.update({f"zz{i}": 1 for i in range(1000)})
    with pytest.raises(PortfolioError) as caught:
        portfolio_input.portfolio_from_data(data, file="p.yaml")
    problems = [p for p in caught.value.problems if p.key == "nmae" or "missing" in p.problem]
    assert [(p.key, p.suggestion) for p in problems] == [("nmae", "name")]
    assert caught.value.total == 1001


def test_counterfactuals_refuse_a_search_that_would_never_end() -> None:
    """max_changes is checked at the API edge as the CLI checks it (1 to MAX_CHANGES)."""
    portfolio = taxonomy.load_portfolio(NHS)
    for wrong in (10**9, 0, MAX_CHANGES + 1, True, 2.0):
        with pytest.raises(taxonomy.InputError, match="max_changes"):
            counterfactuals(portfolio, "it", max_changes=wrong)  # type: ignore[arg-type]
    assert counterfactuals(portfolio, "it", max_changes=MAX_CHANGES).searched > 0


def test_sweep_says_its_size_and_needs_asking_above_the_bound(tmp_path: Path) -> None:
    """A sweep of 10^6 scenarios is refused before any work unless --max-evaluations allows it.

    Before issue 22 it was accepted and ran for hours, holding every record.
    """
    grid = tmp_path / "g.yaml"
    many = ", ".join(f"n{i}" for i in range(1000))
    grid.write_text(
        f"name: huge\ngrid:\n  - {{functions: '*', field: notes, values: [{many}]}}\n"
        f"  - {{function: it, field: notes, values: [{many}]}}\n"
    )
    start = time.process_time()
    result = run_cli("sweep", str(NHS), str(grid), "--workers", "1")
    assert time.process_time() - start < 10  # refused up front: nothing evaluated
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(
        "taxonomy: error: sweep huge: 1,000,000 scenarios x 21 functions = 21,000,000 "
        "evaluations, more than --max-evaluations 1,000,000: to run it, give "
        "--max-evaluations 21000000"
    )
    assert len(result.stderr.splitlines()) == 1

    small = tmp_path / "s.yaml"
    small.write_text("name: small\ngrid:\n  - {function: it, field: notes, values: [a, b, c]}\n")
    args = ("sweep", str(NHS), str(small), "--workers", "1", "--max-evaluations")
    result = run_cli(*args, "63")
    assert result.returncode == 0, result.stderr
    assert result.stderr == "sweep small: 3 scenarios x 21 functions = 63 evaluations\n"
    assert result.stdout.startswith("small: 3 scenarios x 21 functions\n")
    result = run_cli(*args, "62")
    assert result.returncode == 2 and "more than --max-evaluations 62:" in result.stderr


def test_sweep_streams_records_in_order_and_keeps_none() -> None:
    """With a sink, records come chunk by chunk in scenario order, and none is held."""
    from concurrent.futures import ThreadPoolExecutor

    portfolio = taxonomy.load_portfolio(NHS)
    grid = Sweep(
        "stream",
        axes=(
            Axis.setting("capability.nhsi", ["none", "low", "medium", "high"], function="it"),
            Axis.setting("efficiency.duplication", ["low", "medium", "high"], function="it"),
        ),
    )
    batches: list[list[dict[str, Any]]] = []
    with ThreadPoolExecutor(2) as pool:
        streamed = sweep(portfolio, grid, executor=pool, chunk_size=5, sink=batches.append)
        kept = sweep(portfolio, grid, executor=pool)
    assert streamed.records == () and streamed.columns == kept.columns
    assert len(batches) == 3  # 12 scenarios, 5 a chunk
    assert [r for batch in batches for r in batch] == list(kept.records)
    assert len(kept.records) == 12 * len(portfolio.functions)
