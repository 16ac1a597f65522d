"""``taxonomy classify``: a recommendation for every function of a portfolio."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any, NoReturn

import click

from taxonomy.cli._context import say, settings, with_progress
from taxonomy.cli._options import (
    AS_OF_OPTION,
    FORCE_OPTION,
    PORTFOLIO_ARGUMENT,
    RULES_OPTION,
    Judged,
    announce_pack,
    as_of_option,
    judged_input,
    load_rules,
    say_day,
)
from taxonomy.cli._output import (
    Destination,
    format_option,
    output_option,
    writes_output,
)

if TYPE_CHECKING:
    from taxonomy._model import Function, Portfolio
    from taxonomy.errors import TaxonomyError
    from taxonomy.input.jsonl import JsonlStream
    from taxonomy.input.spreadsheet import PortfolioStream
    from taxonomy.language.rules import RulePack
    from taxonomy.law import EachInForce

__all__ = ["classify_command"]

_FORMATS = ("table", "json", "jsonl", "markdown", "xlsx", "csv")


@click.command("classify")
@PORTFOLIO_ARGUMENT
@RULES_OPTION
@format_option(
    _FORMATS,
    help="Output format (default: from the -o file's extension, else table); json is a stable "
    "contract for other tools; jsonl streams one recommendation per line (large portfolios); "
    "xlsx and csv need -o.",
)
@click.option(
    "--answers",
    "answer_files",
    metavar="RESULTS.xlsx",
    multiple=True,
    type=click.Path(dir_okay=False),
    help='Classify with the answers filled in on a results workbook\'s "open questions" '
    "sheet (from classify -o FILE.xlsx); repeat it for each round of answers, in order.",
)
@output_option()
@FORCE_OPTION
@AS_OF_OPTION
@writes_output(_FORMATS, inputs=("portfolio",))
@judged_input(single_body=True, stream=lambda *given: _streamed(*given))
def classify_command(judged: Judged, out: Destination, answer_files: tuple[str, ...]) -> None:
    """Recommend an arrangement and a lead for every function of PORTFOLIO.

    PORTFOLIO is YAML, an XLSX workbook, CSV or JSONL (by extension), or - for YAML or JSON on
    stdin.
    With a dated law, the result is judged on --as-of (or the portfolio's as_of); if the law
    leaves one body that day, the output says every function is delivered once, by it.
    With --answers, the answers a team filled in on the results workbook are applied first.
    """
    from taxonomy.classification import classify

    if answer_files:
        judged = _answered(judged, answer_files)
    loaded, pack = judged.portfolio, judged.pack
    if out.format == "jsonl":
        _stream_jsonl(judged, out)
        return
    result = with_progress(
        "classify",
        lambda progress: classify(loaded, rules=pack, progress=progress),
        wanted=len(loaded.functions) >= 2000,
    )
    if out.format in ("xlsx", "csv"):
        from taxonomy.render.workbook import write_results

        name = out.file(f"--format {out.format} writes a file: give -o FILE")
        with out.writing() as path:
            write_results(result, path, rules=pack)
        say(f"wrote {name} ({len(result)} recommendations)")
        return
    from taxonomy.render.text import to_json, to_markdown, to_table

    if out.format == "json":
        text = to_json(result, rules=pack)
    elif out.format == "markdown":
        text = to_markdown(result, rules=pack)
    else:
        found = settings()
        text = to_table(result, width=found.width, color=found.color and out.name is None)
    out.emit(text)


def _answered(judged: Judged, answer_files: tuple[str, ...]) -> Judged:
    """``judged`` with each workbook's filled-in answers applied, in order (read before any)."""
    import attrs

    from taxonomy.render.answer_sheet import read_answers

    rounds = [read_answers(path) for path in answer_files]  # each file read before any applied
    portfolio, pack = judged.portfolio, judged.pack
    for answers in rounds:
        applied = answers.apply(portfolio, pack)
        portfolio, pack = applied.portfolio, applied.rules
    day = attrs.evolve(judged.day, portfolio=portfolio)
    return Judged(judged.source, day, pack, judged.rules_dir)


def _stream_jsonl(judged: Judged, out: Destination) -> None:
    """Write a header line, then one line per recommendation as each is made, keeping none."""
    from taxonomy.classification import iter_classify
    from taxonomy.render.text import jsonl_header, to_json_lines

    loaded, pack = judged.portfolio, judged.pack

    def write(handle: IO[str]) -> None:
        handle.write(jsonl_header(loaded, pack.identity))
        for line in to_json_lines(iter_classify(loaded, rules=pack), loaded, rules=pack):
            handle.write(line)

    if out.to_stdout:
        write(sys.stdout)
        return
    with out.writing() as path, path.open("w", encoding="utf-8") as handle:
        write(handle)
    say(f"wrote {out.name} ({len(loaded.functions)} recommendations)")


def _streamed(portfolio: str, rules_dir: str | None, as_of: str | None, options: Any) -> bool:
    """Classify a CSV or JSONL portfolio to a JSONL file a function at a time; whether it was.

    The side tables (a JSONL portfolio's first line) are read first, the governance and the
    law with them, then each function (a row, a line) is read, checked, judged under the law
    of the day (a merger carried out on it), classified and written in turn: memory does not
    grow with the functions (but for the ids seen, kept to find one used twice). Every problem
    is still found, what names a function checked once every function is read, and any problem
    leaves nothing at the output (the atomic writer's temporary file is removed): the error is
    the one reading the portfolio whole gives. Not streamed (False): another format or input,
    ``--answers``, standard output (nothing can be taken back from it), a day on which the law
    leaves one body (its output lists what the mergers did to every function, provision by
    provision), or a portfolio that must be read whole
    (:func:`taxonomy.input.spreadsheet.stream_portfolio`, :func:`taxonomy.input.jsonl.
    stream_jsonl`).
    """
    from taxonomy.errors import TaxonomyError
    from taxonomy.law import in_force_each

    out: Destination = options["out"]
    if out.format != "jsonl" or out.to_stdout or options.get("answer_files"):
        return False
    stream = _opened(portfolio, load_rules(rules_dir) if rules_dir else None)
    if stream is None:
        return False
    if rules_dir is None and stream.context.pack is not None:
        settings().named_pack = stream.context.pack
    try:
        law = in_force_each(stream.context, as_of_option(as_of), load_rules(rules_dir).facts)
    except TaxonomyError as error:
        _fail(stream, error)  # the portfolio's own problems first, as when it is read whole
    if law.day is None and law.error is not None:  # a function may fail at an earlier provision
        _fail(stream, law.error, law.each(stream.functions()), law)
    if law.day is None or law.day.single_body is not None:
        return False
    say_day(law.day)
    _write(stream, law, law.day.portfolio, announce_pack(rules_dir), out)
    say(f"wrote {out.name} ({stream.count} recommendations)")
    return True


def _write(
    stream: PortfolioStream | JsonlStream,
    law: EachInForce,
    context: Portfolio,
    pack: RulePack,
    out: Destination,
) -> None:
    """Each function read, judged, classified and written; on any problem, nothing written."""
    from taxonomy.classification import classify_each
    from taxonomy.errors import TaxonomyError
    from taxonomy.render.text import jsonl_header, to_json_lines_of

    with out.writing() as path, path.open("w", encoding="utf-8") as handle:
        handle.write(jsonl_header(context, pack.identity))
        functions = law.each(stream.functions())
        lines = to_json_lines_of(classify_each(context, functions, rules=pack), context, rules=pack)
        try:
            for line in lines:
                handle.write(line)
        except TaxonomyError as error:
            _fail(stream, error, functions, law)
        if law.error is not None:
            _fail(stream, law.error, functions)
        stream.finish()  # raises every problem found: the temporary file is removed


def _opened(portfolio: str, rules: RulePack | None) -> PortfolioStream | JsonlStream | None:
    """The CSV or JSONL portfolio to stream; None for another, or one to read whole."""
    suffix = portfolio.lower().rsplit(".", 1)[-1]
    if suffix == "csv":
        from taxonomy.input.spreadsheet import stream_portfolio

        return stream_portfolio(portfolio, rules=rules)
    if suffix == "jsonl":
        from taxonomy.input.jsonl import stream_jsonl

        return stream_jsonl(portfolio, rules=rules)
    return None


def _fail(
    stream: PortfolioStream | JsonlStream,
    error: TaxonomyError,
    functions: Iterator[Function] | None = None,
    law: EachInForce | None = None,
) -> NoReturn:
    """Raise what reading the portfolio whole would: its problems (the rest read), or ``error``.

    With ``law``, the error of its law on a function read after ``error``'s is raised instead
    (the whole read judges every function on the day before it classifies any).
    """
    if error is stream.failed:
        raise error  # the file cannot be read on
    for _ in functions if functions is not None else stream.functions():
        pass
    stream.finish()
    raise (law.error if law is not None and law.error is not None else error)
