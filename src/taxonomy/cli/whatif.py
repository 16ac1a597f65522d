"""``taxonomy whatif`` and ``taxonomy sweep``: scenarios against the baseline, one or a grid."""

from __future__ import annotations

import csv
import functools
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any

import click

from taxonomy.cli import Refused
from taxonomy.cli._context import say, settings, with_progress
from taxonomy.cli._options import (
    AS_OF_OPTION,
    FORCE_OPTION,
    PORTFOLIO_ARGUMENT,
    RULES_OPTION,
    Judged,
    judged_input,
)
from taxonomy.cli._output import Destination, format_option, output_option, writes_output

if TYPE_CHECKING:
    from taxonomy.whatif.scenarios import Scenario
    from taxonomy.whatif.sweep import Sweep, SweepResult, SweepSummary

__all__ = ["MAX_EVALUATIONS", "scenario_or_answers", "sweep_command", "whatif_command"]

_WHATIF_FORMATS = ("table", "markdown", "json", "xlsx")

#: The most evaluations (scenarios x functions) ``sweep`` starts without --max-evaluations:
#: about six minutes on one worker (docs/performance.md).
MAX_EVALUATIONS = 1_000_000


@click.command("whatif")
@PORTFOLIO_ARGUMENT
@click.argument("scenario_files", metavar="SCENARIO.yaml|ANSWERS.xlsx...", nargs=-1, required=True)
@RULES_OPTION
@format_option(
    _WHATIF_FORMATS,
    help="Output format (default: from the -o file's extension, else table); xlsx needs -o.",
)
@output_option()
@FORCE_OPTION
@AS_OF_OPTION
@writes_output(_WHATIF_FORMATS, inputs=("portfolio", "scenario_files"))
@judged_input()
def whatif_command(judged: Judged, out: Destination, scenario_files: tuple[str, ...]) -> None:
    """Compare scenarios with the baseline: what changes, why, and the structure.

    The baseline is PORTFOLIO as it stood on --as-of (or its as_of); each scenario changes that.
    A results workbook (.xlsx, from classify -o) is read as a scenario of the answers filled in
    on its "open questions" sheet: what they decide, and what is still open.
    """
    from taxonomy.whatif.compare import compare

    scenarios = [scenario_or_answers(f) for f in scenario_files]
    pack = judged.pack
    result = compare(judged.written, *scenarios, rules=pack, as_of=judged.portfolio.as_of)
    if out.format == "xlsx":
        from taxonomy.render.workbook import write_results

        out.file("--format xlsx writes a file: give -o FILE.xlsx")
        with out.writing() as path:
            write_results(result.baseline, path, comparison=result, rules=pack)
        say(f"wrote {out.name} (recommendations and a sheet per scenario)")
    elif out.format == "json":
        out.emit(result.to_json())
    elif out.format == "markdown":
        from taxonomy.render.report import board_reason

        out.emit(result.to_markdown(reason=functools.partial(board_reason, rules=pack)))
    else:
        found = settings()
        out.emit(result.to_table(width=found.width, color=found.color and out.name is None))


def scenario_or_answers(path: str) -> Scenario:
    """A scenario file, or a results workbook's filled-in open questions (``.xlsx``) as one.

    The workbook's answers are read by :func:`taxonomy.render.answer_sheet.read_answers`: one
    ``set`` per answer given, named ``answers from <file name>``.
    """
    if path.lower().endswith(".xlsx"):
        from taxonomy.render.answer_sheet import read_answers

        answers: Scenario = read_answers(path)
        return answers
    from taxonomy.whatif.scenarios import load_scenario

    return load_scenario(path)


@click.command("sweep")
@PORTFOLIO_ARGUMENT
@click.argument("sweep_file", metavar="SWEEP.yaml")
@RULES_OPTION
@click.option(
    "--workers",
    type=click.IntRange(1, 256),
    default=None,
    help="Worker processes (default: the CPU count).",
)
@output_option(help="Write the records as CSV (default: a summary on stdout).")
@click.option(
    "--max-evaluations",
    type=click.IntRange(1),
    default=MAX_EVALUATIONS,
    show_default=True,
    metavar="N",
    help="Start a sweep of more evaluations (scenarios x functions) than N only when asked.",
)
@FORCE_OPTION
@AS_OF_OPTION
@writes_output(("csv",), inputs=("portfolio", "sweep_file"))
@judged_input()
def sweep_command(
    judged: Judged, out: Destination, sweep_file: str, workers: int | None, max_evaluations: int
) -> None:
    """Evaluate a grid of scenarios: one record per scenario and function.

    How many evaluations (scenarios x functions) it makes is said before it starts; above
    --max-evaluations it does not start. Records go to the -o file as they are made.
    """
    from taxonomy.whatif.sweep import SweepSummary, load_sweep

    grid = load_sweep(sweep_file)
    functions = len(judged.portfolio.functions)
    evaluations = grid.count * functions
    estimate = (
        f"sweep {grid.name}: {grid.count:,} scenarios x {functions:,} functions = "
        f"{evaluations:,} evaluations"
    )
    if evaluations > max_evaluations:
        raise Refused(
            f"{estimate}, more than --max-evaluations {max_evaluations:,}: to run it, give "
            f"--max-evaluations {evaluations}; or evaluate a sample (sample: {{size: N}})",
            2,
            "sweep",
        )
    counts = SweepSummary()
    run = functools.partial(_sweep_to, judged, grid, counts, workers=workers, estimate=estimate)
    if out.name is None:  # -o - is refused: the records are a file
        result = run(None)
        click.echo(counts.to_text(grid.name))
    else:
        with out.writing() as path, path.open("w", encoding="utf-8") as handle:
            result = run(handle)
        say(f"wrote {out.name} ({counts.records} records)")
    if result.failures:
        shown = "; ".join(str(f) for f in result.failures[:5])
        more = f"; and {len(result.failures) - 5} more" if len(result.failures) > 5 else ""
        kept = f" (the other scenarios' records are in {out.name})" if out.name is not None else ""
        # Bad input (a change leaves an invalid portfolio) is 2, as everywhere; an engine or
        # worker failure is 1.
        code = 2 if all(f.kind == "input" for f in result.failures) else 1
        raise Refused(
            f"{len(result.failures)} scenarios failed{kept}: {shown}{more}", code, "sweep"
        )


def _sweep_to(
    judged: Judged,
    grid: Sweep,
    counts: SweepSummary,
    handle: IO[str] | None,
    *,
    workers: int | None,
    estimate: str,
) -> SweepResult:
    """Run the sweep, counting its records and writing them as CSV to ``handle``, if given."""
    from taxonomy.whatif.sweep import csv_row, sweep, sweep_columns

    write = None
    if handle is not None:
        writer = csv.DictWriter(handle, fieldnames=sweep_columns(grid), lineterminator="\n")
        writer.writeheader()
        write = writer.writerows

    def sink(records: list[dict[str, Any]]) -> None:
        counts.add(records)
        if write is not None:
            write(csv_row(record) for record in records)

    def run(progress: Callable[[int, int], None] | None) -> SweepResult:
        def step(done: int, total: int) -> None:
            if done == 0:  # the axes are checked, nothing has started
                say(estimate)
            if progress is not None:
                progress(done, total)

        return sweep(
            judged.portfolio, grid, rules=judged.pack, workers=workers, progress=step, sink=sink
        )

    return with_progress(f"sweep {grid.name}", run)
