"""The ``taxonomy`` command line.

Every failure prints one message on stderr, never a traceback: bad input (a file, an id, an option)
exits 2; an engine failure or a pack that reaches no single answer exits 1.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import json
import os
import shutil
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from taxonomy.errors import EngineError, InputError, UnknownIdError, did_you_mean, printable

# Each command imports what it uses when it runs, so `taxonomy --help` loads click alone.
if TYPE_CHECKING:
    from taxonomy._model import Arrangement, Portfolio
    from taxonomy._results import Classification
    from taxonomy.language.rules import RulePack
    from taxonomy.law import InForce
    from taxonomy.structure.checks import StructureReport
    from taxonomy.whatif.sweep import SweepResult

__all__ = ["cli", "main"]


def _use_color() -> bool:
    # https://no-color.org: any NO_COLOR value turns colour off; colour only on a terminal.
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _width() -> int:
    """The width tables are drawn to: ``COLUMNS`` if set, else the terminal's, else 120.

    ``COLUMNS`` is honoured when the output is piped or written to a file too, so a script sets
    the width it wants; a value below 40 is taken as 40.
    """
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return max(int(columns), 40)
    return shutil.get_terminal_size((120, 24)).columns if sys.stdout.isatty() else 120


#: What each output file extension means, for commands that write to -o FILE.
FORMAT_OF_EXTENSION = {
    ".json": "json",
    ".jsonl": "jsonl",
    ".csv": "csv",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".txt": "text",
    ".xlsx": "xlsx",
    ".svg": "svg",
    ".png": "png",
    ".pdf": "pdf",
    ".dot": "dot",
    ".gv": "dot",
    ".graphml": "graphml",
    ".xml": "xml",
}


def _output_format(
    fmt: str | None,
    output: str | None,
    allowed: tuple[str, ...],
    extensions: Mapping[str, str] | None = None,
) -> str:
    """The format to write: ``--format`` if given, else the one ``-o FILE``'s extension names.

    Without either (or for a file with no extension), the command's first format, its table or
    text. ``table`` and ``text`` are one kind of output (``.txt``). A ``--format`` that disagrees
    with a known extension is an error, so a table never lands in a ``.json`` file; an unknown
    extension is an error unless ``--format`` says what to write. ``extensions`` adds to (or
    overrides) :data:`FORMAT_OF_EXTENSION` for one command (``graph``: ``.xml`` is GraphML).
    """
    table = {**FORMAT_OF_EXTENSION, **(extensions or {})}
    plain = next((a for a in allowed if a in ("table", "text")), None)

    def kind(name: str) -> str:
        return plain if name == "text" and plain is not None else name

    suffix = Path(output).suffix.lower() if output not in (None, "-") else ""
    if not suffix:
        return fmt or allowed[0]
    endings = ", ".join(e for e, f in table.items() if kind(f) in allowed)
    named = table.get(suffix)
    if named is None:
        if fmt is not None:
            return fmt
        # A command with one format has no --format to give.
        hint = "give --format, or a file" if len(allowed) > 1 else "give a file"
        raise InputError(
            f"cannot tell the format from the extension '{suffix}': {hint} ending {endings}",
            file=output,
        )
    named = kind(named)
    if fmt is not None and fmt != named:
        raise InputError(
            f"--format {fmt} does not match the extension '{suffix}', which means {named}: "
            "change one of them",
            file=output,
        )
    if named not in allowed:
        raise InputError(
            f"the extension '{suffix}' means {named}, which this command does not write; "
            f"give a file ending {endings}",
            file=output,
        )
    return named


_VERBOSE = [False]


def _stdin_once(*inputs: str) -> None:
    """Standard input (``-``) is read once: refuse a command that names it twice."""
    if sum(1 for given in inputs if given == "-") > 1:
        raise InputError("'-' (standard input) is given twice: it can be read only once")


#: The rule pack the portfolio file named (its ``rules:``), which the command then uses
#: wherever it would use the default pack; ``--rules`` overrides it.
_NAMED_PACK: list[RulePack | None] = [None]


def _load_portfolio(path: str, rules_dir: str | None = None) -> Portfolio:
    """Load a portfolio file (YAML, XLSX or CSV) answered for the pack in ``rules_dir``.

    Without ``rules_dir``: for the pack the file names (``rules:``), which the rest of the
    command then uses (see :func:`_load_rules`), else the default pack.
    """
    from taxonomy.input.files import load_portfolio as load

    if rules_dir is not None:
        return load(path, rules=_load_rules(rules_dir))
    loaded = load(path)
    if loaded.pack is not None:
        _NAMED_PACK[0] = loaded.pack
    return loaded


def _classify(portfolio: Portfolio, **options: Any) -> Classification:
    """Classify ``portfolio`` (see :func:`taxonomy.classify`)."""
    from taxonomy.classification import classify as run

    return run(portfolio, **options)


def _on_day(portfolio: Portfolio, as_of: str | None, rules_dir: str | None = None) -> InForce:
    """``portfolio`` as it stood on ``--as-of`` (default: its own ``as_of``), under the law then."""
    from taxonomy._model import parse_day
    from taxonomy.law import in_force

    day = None
    if as_of is not None:
        try:
            day = parse_day(as_of)
        except ValueError as exc:
            raise InputError(f"--as-of: {exc}") from None
    found = in_force(portfolio, day, _load_rules(rules_dir).facts)
    if _VERBOSE[0] and found.as_of is not None:
        laws = ", ".join(found.provisions) or "no dated provision"
        click.echo(f"judging on {found.as_of} under {laws}", err=True)
    return found


def _portfolio_on_day(path: str, as_of: str | None, rules_dir: str | None = None) -> Portfolio:
    """Load a portfolio and judge it on ``--as-of`` (for commands that need two bodies or more).

    A day on which the law leaves one body fails in classify with a message saying so.
    """
    return _on_day(_load_portfolio(path, rules_dir), as_of, rules_dir).portfolio


def _load_rules(directory: str | None = None) -> RulePack:
    """Load a rule pack (None: the one the portfolio named, else the default pack).

    Once per command; its files are inputs.
    """
    from taxonomy.input.sources import note_read

    named = _NAMED_PACK[0]
    pack = named if directory is None and named is not None else _read_rules(directory)
    note_read(*pack.files)
    return pack


@functools.lru_cache(maxsize=8)
def _read_rules(directory: str | None = None) -> RulePack:
    from taxonomy.language.rules import load_rules as load

    return load(directory)


class _ArrangementType(click.ParamType):  # type: ignore[type-arg]  # not generic at run time
    """An arrangement as :meth:`Arrangement.parse` reads it: name, title or category number."""

    name = "arrangement"

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        """The values, shown in the help."""
        return "[one_team|aligned|separate_involved|separate_distinct|1-4]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """The :class:`Arrangement` ``value`` names; refused with the parser's own message."""
        from taxonomy._model import Arrangement

        try:
            return Arrangement.parse(value)
        except InputError as error:
            self.fail(str(error), param, ctx)


def _pack(rules: str | None) -> RulePack:
    pack = _load_rules(rules)
    if _VERBOSE[0]:
        click.echo(
            f"rule pack {pack.name} {pack.version} ({len(pack.rules)} rules, "
            f"sha256 {pack.hash[:12]}) from "
            f"{rules or ('the portfolio' if _NAMED_PACK[0] else 'the default pack')}",
            err=True,
        )
    return pack


def _progress_wanted() -> bool:
    return sys.stderr.isatty() and not _QUIET[0]


_T = TypeVar("_T")


def _with_progress(
    label: str, run: Callable[[Callable[[int, int], None] | None], _T], *, wanted: bool = True
) -> _T:
    """Call ``run`` with a progress callback drawing a bar on a terminal, or with None."""
    if not (wanted and _progress_wanted()):
        return run(None)
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task(label, total=None)
        return run(lambda done, total: bar.update(task, completed=done, total=total))


_FORCE_OPTION = click.option(
    "--force", is_flag=True, help="Replace the output file if it exists (never one of the inputs)."
)


_AS_OF_OPTION = click.option(
    "--as-of",
    "as_of",
    metavar="DATE",
    default=None,
    help="Judge under the law in force on DATE (YYYY-MM-DD): the provisions of a dated law, and "
    "bodies abolished by then merged into their successors. Default: the portfolio's as_of.",
)


_RULES_OPTION = click.option(
    "--rules",
    "rules_dir",
    metavar="DIR",
    default=None,
    help="Rule pack folder (default: the pack shipped with taxonomy).",
)


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``--version``: taxonomy's version, and the Python and durable-rules it runs on."""
    if not value or ctx.resilient_parsing:
        return
    from taxonomy._install import versions

    found = versions()
    click.echo(
        f"taxonomy {found['taxonomy']} (Python {found['python']}, "
        f"durable-rules {found['durable-rules']})"
    )
    ctx.exit()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version of taxonomy, Python and durable-rules, and exit.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bars or status lines.")
@click.option("-v", "--verbose", is_flag=True, help="Say what is being loaded and run.")
def cli(quiet: bool, verbose: bool) -> None:
    """Decide how bodies working jointly should organise each function (Annex B taxonomy)."""
    from taxonomy.input.sources import recording

    # Every file read from here on is an input: no output of the command is written over it.
    click.get_current_context().with_resource(recording())
    _QUIET[0] = quiet
    _VERBOSE[0] = verbose and not quiet
    _NAMED_PACK[0] = None


_CLASSIFY_FORMATS = ("table", "json", "jsonl", "markdown", "xlsx", "csv")


@cli.command("classify")
@click.argument("portfolio", metavar="PORTFOLIO")
@_RULES_OPTION
@click.option(
    "--format",
    "fmt",
    type=click.Choice(_CLASSIFY_FORMATS),
    default=None,
    help="Output format (default: from the -o file's extension, else table); json is a stable "
    "contract for other tools; jsonl streams one recommendation per line (large portfolios); "
    "xlsx and csv need -o.",
)
@click.option("-o", "--output", metavar="FILE", default=None, help="Write to FILE.")
@_FORCE_OPTION
@_AS_OF_OPTION
def classify_command(
    portfolio: str,
    rules_dir: str | None,
    fmt: str | None,
    output: str | None,
    force: bool,
    as_of: str | None,
) -> None:
    """Recommend an arrangement and a lead for every function of PORTFOLIO.

    PORTFOLIO is YAML, an XLSX workbook or CSV (by extension), or - for YAML or JSON on stdin.
    With a dated law, the result is judged on --as-of (or the portfolio's as_of); if the law
    leaves one body that day, the output says every function is delivered once, by it.
    """
    fmt = _output_format(fmt, output, _CLASSIFY_FORMATS)
    day = _on_day(_load_portfolio(portfolio, rules_dir), as_of, rules_dir)
    pack = _pack(rules_dir)
    if day.single_body is not None:
        _single_body(day, pack, fmt, output, portfolio, force=force)
        return
    loaded = day.portfolio
    if fmt == "jsonl":
        _stream_jsonl(loaded, pack, portfolio, output, force=force)
        return
    result = _with_progress(
        "classify",
        lambda progress: _classify(loaded, rules=pack, progress=progress),
        wanted=len(loaded.functions) >= 2000,
    )
    if fmt in ("xlsx", "csv"):
        if output is None:
            raise InputError(f"--format {fmt} writes a file: give -o FILE")
        from taxonomy.render.workbook import write_results

        with _writing(output, portfolio, force=force) as path:
            write_results(result, path, rules=pack)
        _say(f"wrote {output} ({len(result)} recommendations)")
        return
    from taxonomy.render.text import to_json, to_markdown, to_table

    if fmt == "json":
        text = to_json(result, rules=pack)
    elif fmt == "markdown":
        text = to_markdown(result, rules=pack)
    else:
        text = to_table(result, width=_width(), color=_use_color() and output is None)
    _emit(text, output, portfolio, force=force)


def _single_body(
    day: InForce, pack: RulePack, fmt: str, output: str | None, source: str, *, force: bool
) -> None:
    """The outcome when the law leaves one body: every function delivered once, by it."""
    from taxonomy.render.text import single_body_dict, single_body_text

    if fmt in ("xlsx", "csv"):
        raise InputError(
            f"on {day.as_of} only {day.single_body} is left: there are no recommendations to "
            f"write as {fmt}; use --format table, markdown or json"
        )
    data = single_body_dict(day.portfolio, pack.identity, day.notes)
    if fmt == "json":
        text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    elif fmt == "jsonl":
        text = json.dumps(data, sort_keys=True, ensure_ascii=False) + "\n"
    else:
        text = single_body_text(day.portfolio, day.notes, markdown=fmt == "markdown")
    _emit(text, output, source, force=force)


@contextlib.contextmanager
def _writing(output: str, *inputs: str, force: bool) -> Iterator[Path]:
    """Claim ``output`` for writing and give the path to write to (see :class:`Output`).

    Never an input of the command (those named in ``inputs``, and every file it read); an
    existing file only with ``--force``, replaced once the content is complete; a device or a
    FIFO written in place. ``-`` (standard output) is for text and pictures, not for what is
    written here.
    """
    from taxonomy.output import Output

    if output == "-":
        raise InputError(
            "this output cannot go to standard output (-o -): give a file name", file="-"
        )
    with Output(output, protected=inputs, force=force).writing() as path:
        yield path


def _stream_jsonl(
    loaded: Portfolio, pack: RulePack, source: str, output: str | None, *, force: bool
) -> None:
    """Write a header line, then one line per recommendation as each is made, keeping none."""
    from taxonomy.classification import iter_classify
    from taxonomy.render.text import jsonl_header, to_json_lines

    def write(handle: IO[str]) -> None:
        handle.write(jsonl_header(loaded, pack.identity))
        for line in to_json_lines(iter_classify(loaded, rules=pack), loaded, rules=pack):
            handle.write(line)

    if output is None or output == "-":
        write(sys.stdout)
        return
    with _writing(output, source, force=force) as path, path.open("w", encoding="utf-8") as out:
        write(out)
    _say(f"wrote {output} ({len(loaded.functions)} recommendations)")


def _emit(text: str, output: str | None, *inputs: str, force: bool = False) -> None:
    if output is None or output == "-":  # -o -: standard output
        click.echo(text, nl=False)
        return
    with _writing(output, *inputs, force=force) as path:
        path.write_text(text, encoding="utf-8")
    _say(f"wrote {output}")


def _stamp(kind: str, data: Any) -> dict[str, Any]:
    """``data`` with the id of its output schema (imported when output is written, not before)."""
    from taxonomy.schemas._ids import stamp

    return stamp(kind, data)


def _schema_id(kind: str) -> str:
    from taxonomy.schemas._ids import schema_id

    return schema_id(kind)


def _say(message: str) -> None:
    """A status line on stderr, unless --quiet."""
    if not _QUIET[0]:
        click.echo(message, err=True)


_QUIET = [False]


@cli.command("report")
@click.argument("portfolio", metavar="PORTFOLIO")
@click.option(
    "--scenario",
    "scenario_files",
    metavar="S.yaml",
    multiple=True,
    help="A scenario to compare with the baseline; repeat for more.",
)
@_RULES_OPTION
@click.option("-o", "--output", metavar="report.html", required=True)
@_FORCE_OPTION
@click.option("--no-pictures", is_flag=True, help="Leave out the accountability pictures.")
@_AS_OF_OPTION
def report_command(
    portfolio: str,
    scenario_files: tuple[str, ...],
    rules_dir: str | None,
    output: str,
    force: bool,
    no_pictures: bool,
    as_of: str | None,
) -> None:
    """Write one self-contained HTML report a Board paper can carry (prints to A4)."""
    _output_format(None, output, ("html",))
    from taxonomy.render.report import build_report
    from taxonomy.whatif.scenarios import load_scenario

    _stdin_once(portfolio, *scenario_files)
    loaded = _portfolio_on_day(portfolio, as_of, rules_dir)
    scenarios = [load_scenario(f) for f in scenario_files]
    text = build_report(
        loaded, scenarios=scenarios, rules=_pack(rules_dir), pictures=not no_pictures
    )
    _emit(text, output, portfolio, *scenario_files, force=force)


@cli.command("init")
@click.argument("output", metavar="[FILE]", default="portfolio.yaml", required=False)
@_FORCE_OPTION
def init_command(output: str, force: bool) -> None:
    """Write a starter portfolio to FILE (default: portfolio.yaml) to edit into your own.

    Two bodies and five functions, every answer present with a comment on what it means and
    where the board paper asks it; it classifies as it stands.
    """
    from taxonomy.input.starter import STARTER_PORTFOLIO

    if Path(output).suffix.lower() not in (".yaml", ".yml"):
        raise InputError("a portfolio is YAML: give a file ending .yaml", file=output)
    with _writing(output, force=force) as path:
        path.write_text(STARTER_PORTFOLIO, encoding="utf-8")
    _say(f"wrote {output}: edit it, then run taxonomy classify {output}")


@cli.command("template")
@click.argument("source", metavar="PORTFOLIO_OR_BODIES")
@click.option("-o", "--output", metavar="FILE.xlsx", required=True)
@_RULES_OPTION
@_FORCE_OPTION
def template_command(source: str, output: str, rules_dir: str | None, force: bool) -> None:
    """Write a workbook to fill in, with a drop-down on every answer.

    PORTFOLIO_OR_BODIES is a portfolio (pre-filled) or comma-separated body ids, e.g. nhse,nhsi.
    The workbook has the tiers of the rule pack (--rules) and a column for each question it
    declares, explained in its questions sheet.
    """
    from taxonomy.input.spreadsheet import write_template

    if not output.lower().endswith(".xlsx"):
        raise InputError("the template is a workbook: give -o FILE.xlsx", file=output)
    if Path(source).exists():
        loaded = _load_portfolio(source, rules_dir)
        pack = _load_rules(rules_dir)  # after the portfolio: the pack it names, if it does
        with _writing(output, source, force=force) as path:
            write_template(path, portfolio=loaded, rules=pack)
    else:
        bodies = [b.strip() for b in source.split(",") if b.strip()]
        from taxonomy._model import Organisation

        for body in bodies:
            try:
                Organisation(body, body)
            except ValueError:
                raise InputError(
                    f"'{source}' is neither a portfolio file nor a list of body ids "
                    "(lower-case letters, digits, '.', '_' or '-')"
                ) from None
        if len(bodies) < 2:
            raise InputError("name at least two bodies, e.g. nhse,nhsi (or give a portfolio)")
        with _writing(output, force=force) as path:
            write_template(path, bodies=bodies, rules=_load_rules(rules_dir))
    _say(f"wrote {output}")


@cli.command("convert")
@click.argument("source", metavar="IN")
@click.option(
    "-o",
    "--output",
    metavar="OUT",
    required=True,
    help="The converted portfolio: .yaml, .xlsx or .csv.",
)
@_RULES_OPTION
@_FORCE_OPTION
def convert_command(source: str, output: str, rules_dir: str | None, force: bool) -> None:
    """Convert a portfolio between YAML, XLSX and CSV without loss.

    A portfolio answering the questions of a rule pack other than the default is read (and a
    spreadsheet written, with a column for each question) for that pack: give --rules DIR.
    """
    from taxonomy.input.files import dump_portfolio
    from taxonomy.input.spreadsheet import write_portfolio

    loaded = _load_portfolio(source, rules_dir)
    suffix = Path(output).suffix.lower()
    if suffix == ".csv":  # several files, each claimed as an output: all written, or none
        write_portfolio(loaded, output, rules=_load_rules(rules_dir), force=force, inputs=(source,))
        _say(f"wrote {output}")
        return
    with _writing(output, source, force=force) as path:
        if suffix == ".xlsx":
            write_portfolio(loaded, path, rules=_load_rules(rules_dir))
        else:
            dump_portfolio(loaded, path)
    _say(f"wrote {output}")


@cli.command("explain")
@click.argument("portfolio", metavar="PORTFOLIO")
@click.argument("function_id", metavar="FUNCTION_ID")
@_RULES_OPTION
@click.option(
    "--why-not",
    "why_not",
    type=_ArrangementType(),
    default=None,
    help="Show the smallest answer changes that would give this arrangement instead: its name, "
    "its title ('one team') or its category number (1 to 4).",
)
@click.option(
    "--max-changes",
    type=click.IntRange(1, 4),
    default=2,
    show_default=True,
    help="With --why-not: the most answers changed at once.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="text and markdown open with the recommendation in sentences a Board paper can "
    "quote; json carries it as 'summary'.",
)
@_AS_OF_OPTION
def explain_command(
    portfolio: str,
    function_id: str,
    rules_dir: str | None,
    why_not: Arrangement | None,
    max_changes: int,
    fmt: str,
    as_of: str | None,
) -> None:
    """Show which rules fired on which answers for one function, and why.

    With --why-not, show what would have to be true for another arrangement.
    """
    from taxonomy.whatif.counterfactual import counterfactuals, robustness

    loaded = _portfolio_on_day(portfolio, as_of, rules_dir)
    loaded.function(function_id)  # an unknown id: UnknownIdError, with a "did you mean"
    pack = _pack(rules_dir)
    if why_not is not None:
        found = counterfactuals(loaded, function_id, why_not, rules=pack, max_changes=max_changes)
        if fmt == "json":
            data = _stamp("why-not", found.to_dict())
            click.echo(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False))
        else:
            click.echo(found.explain(), nl=False)
        return
    from taxonomy.classification import classify_function
    from taxonomy.render.prose import paragraph
    from taxonomy.render.text import explain_markdown, explain_text

    rec = classify_function(loaded, function_id, rules=pack)
    # An open recommendation has no one placement to be robust: its explanation is the residual
    # (each possible outcome with when it holds, and the questions ranked), nothing more.
    sturdy = robustness(loaded, function_id, rules=pack) if rec.decided else None
    summary = paragraph(rec, loaded, rules=pack)
    if fmt == "json":
        data = _stamp(
            "explain",
            {
                **rec.to_dict(),
                "summary": summary,
                "robustness": sturdy.to_dict() if sturdy is not None else None,
            },
        )
        click.echo(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False))
    elif fmt == "markdown":
        click.echo(explain_markdown(rec, summary=summary), nl=False)
        if sturdy is None:
            return
        click.echo(
            f"\n**Robustness:** {len(sturdy.flips)} of {sturdy.steps} one-step answer changes "
            "change this recommendation"
            + (" (fragile: worth a second look)" if sturdy.share >= 0.25 else "")
        )
        if sturdy.flips:
            click.echo("")
        for flip in sturdy.flips:
            click.echo(f"- {flip}")
    else:
        click.echo(explain_text(rec, summary=summary), nl=False)
        if sturdy is None:
            return
        click.echo(
            f"\nRobustness: {len(sturdy.flips)} of {sturdy.steps} one-step answer changes "
            "change this recommendation"
            + (" (fragile: worth a second look)" if sturdy.share >= 0.25 else "")
        )
        for flip in sturdy.flips:
            click.echo(f"  - {flip}")


_WHATIF_FORMATS = ("table", "markdown", "json", "xlsx")


@cli.command("whatif")
@click.argument("portfolio", metavar="PORTFOLIO")
@click.argument("scenario_files", metavar="SCENARIO.yaml...", nargs=-1, required=True)
@_RULES_OPTION
@click.option(
    "--format",
    "fmt",
    type=click.Choice(_WHATIF_FORMATS),
    default=None,
    help="Output format (default: from the -o file's extension, else table); xlsx needs -o.",
)
@click.option("-o", "--output", metavar="FILE", default=None, help="Write to FILE.")
@_FORCE_OPTION
@_AS_OF_OPTION
def whatif_command(
    portfolio: str,
    scenario_files: tuple[str, ...],
    rules_dir: str | None,
    fmt: str | None,
    output: str | None,
    force: bool,
    as_of: str | None,
) -> None:
    """Compare scenarios with the baseline: what changes, why, and the structure.

    The baseline is PORTFOLIO as it stood on --as-of (or its as_of); each scenario changes that.
    """
    fmt = _output_format(fmt, output, _WHATIF_FORMATS)
    from taxonomy.whatif.compare import compare
    from taxonomy.whatif.scenarios import load_scenario

    _stdin_once(portfolio, *scenario_files)
    loaded = _portfolio_on_day(portfolio, as_of, rules_dir)
    scenarios = [load_scenario(f) for f in scenario_files]
    pack = _pack(rules_dir)
    result = compare(loaded, *scenarios, rules=pack)
    if fmt == "xlsx":
        if output is None:
            raise InputError("--format xlsx writes a file: give -o FILE.xlsx")
        from taxonomy.render.workbook import write_results

        with _writing(output, portfolio, *scenario_files, force=force) as path:
            write_results(result.baseline, path, comparison=result, rules=pack)
        _say(f"wrote {output} (recommendations and a sheet per scenario)")
        return
    inputs = (portfolio, *scenario_files)
    if fmt == "json":
        _emit(result.to_json(), output, *inputs, force=force)
    elif fmt == "markdown":
        from taxonomy.render.report import board_reason

        text = result.to_markdown(reason=functools.partial(board_reason, pack=pack))
        _emit(text, output, *inputs, force=force)
    else:
        table = result.to_table(width=_width(), color=_use_color() and output is None)
        _emit(table, output, *inputs, force=force)


#: The most evaluations (scenarios x functions) ``sweep`` starts without --max-evaluations:
#: about six minutes on one worker (docs/performance.md).
MAX_EVALUATIONS = 1_000_000


@cli.command("sweep")
@click.argument("portfolio", metavar="PORTFOLIO")
@click.argument("sweep_file", metavar="SWEEP.yaml")
@_RULES_OPTION
@click.option(
    "--workers",
    type=click.IntRange(1, 256),
    default=None,
    help="Worker processes (default: the CPU count).",
)
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    default=None,
    help="Write the records as CSV (default: a summary on stdout).",
)
@click.option(
    "--max-evaluations",
    type=click.IntRange(1),
    default=MAX_EVALUATIONS,
    show_default=True,
    metavar="N",
    help="Start a sweep of more evaluations (scenarios x functions) than N only when asked.",
)
@_FORCE_OPTION
@_AS_OF_OPTION
def sweep_command(
    portfolio: str,
    sweep_file: str,
    rules_dir: str | None,
    workers: int | None,
    output: str | None,
    max_evaluations: int,
    force: bool,
    as_of: str | None,
) -> None:
    """Evaluate a grid of scenarios: one record per scenario and function.

    How many evaluations (scenarios x functions) it makes is said before it starts; above
    --max-evaluations it does not start. Records go to the -o file as they are made.
    """
    if output is not None:
        _output_format(None, output, ("csv",))
    from taxonomy.whatif.sweep import SweepSummary, csv_row, load_sweep, sweep, sweep_columns

    _stdin_once(portfolio, sweep_file)
    loaded = _portfolio_on_day(portfolio, as_of, rules_dir)
    grid = load_sweep(sweep_file)
    pack = _pack(rules_dir)
    functions = len(loaded.functions)
    evaluations = grid.count * functions
    estimate = (
        f"sweep {grid.name}: {grid.count:,} scenarios x {functions:,} functions = "
        f"{evaluations:,} evaluations"
    )
    if evaluations > max_evaluations:
        raise _Refused(
            f"{estimate}, more than --max-evaluations {max_evaluations:,}: to run it, give "
            f"--max-evaluations {evaluations}; or evaluate a sample (sample: {{size: N}})",
            2,
            "sweep",
        )
    counts = SweepSummary()

    def sweep_to(handle: IO[str] | None) -> SweepResult:
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
                    _say(estimate)
                if progress is not None:
                    progress(done, total)

            return sweep(loaded, grid, rules=pack, workers=workers, progress=step, sink=sink)

        return _with_progress(f"sweep {grid.name}", run)

    if output is not None:
        with (
            _writing(output, portfolio, sweep_file, force=force) as path,
            path.open("w", encoding="utf-8") as out,
        ):
            result = sweep_to(out)
        _say(f"wrote {output} ({counts.records} records)")
    else:
        result = sweep_to(None)
        click.echo(counts.to_text(grid.name))
    if result.failures:
        shown = "; ".join(str(f) for f in result.failures[:5])
        more = f"; and {len(result.failures) - 5} more" if len(result.failures) > 5 else ""
        kept = f" (the other scenarios' records are in {output})" if output is not None else ""
        # Bad input (a change leaves an invalid portfolio) is 2, as everywhere; an engine or
        # worker failure is 1.
        code = 2 if all(f.kind == "input" for f in result.failures) else 1
        raise _Refused(
            f"{len(result.failures)} scenarios failed{kept}: {shown}{more}", code, "sweep"
        )


class _RulesGroup(click.Group):
    """``taxonomy rules [DIR]`` lists a pack; ``taxonomy rules check|coverage|mutate ...``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["list", *args]
        return super().parse_args(ctx, args)


@cli.group("rules", cls=_RulesGroup, invoke_without_command=True)
@click.pass_context
def rules_group(ctx: click.Context) -> None:
    """Rule packs: list and validate (rules [DIR]), init, check, coverage, mutate."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(rules_list)


@rules_group.command("list")
@click.argument("directory", metavar="[DIR]", required=False)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def rules_list(directory: str | None = None, fmt: str = "table") -> None:
    """Validate a rule pack and list its rules (default: the shipped pack).

    Validation includes compiling the pack for durable-rules, whose fixed limits (rules on one
    condition, rules per stratum) a valid pack can still exceed: exit 1 then, with the rules named.
    """
    from taxonomy.language.durable import engine_for

    pack = _load_rules(directory)
    engine_for(pack)
    if fmt == "json":
        data = {
            "schema": _schema_id("rules-list"),
            "name": pack.name,
            "version": pack.version,
            "hash": pack.hash,
            "description": pack.description,
            "strata": [list(s) for s in pack.strata],
            "rules": [
                {
                    **rule.to_data(),
                    "file": Path(rule.file).name,
                    "folder": Path(rule.file).parent.name,
                    "line": rule.line,
                }
                for rule in pack.rules
            ],
            "facts": [{**fact.to_data(), "pack": fact.pack} for fact in pack.facts],
            "vocabulary": dict(pack.vocabulary),
            **{k: v for k, v in pack.identity.to_dict().items() if k in ("extends", "overrides")},
        }
        click.echo(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=pack.identity.chain,
        caption=(
            f"sha256 {pack.hash} · {len(pack.rules)} rules in {len(pack.strata)} strata · "
            f"{len(pack.facts)} facts · valid"
            + "".join(f"\n{o.action}: {o.rule} ({o.reason})" for o in pack.overrides)
        ),
    )
    for header in ("rule", "question", "priority", "then", "where"):
        table.add_column(header, overflow="fold")
    for rule in pack.rules:
        table.add_row(
            rule.id,
            rule.question,
            str(rule.priority),
            rule.then.describe(),
            # An extension's rules come from several folders: name the folder too.
            (f"{Path(rule.file).parent.name}/" if pack.extends else "")
            + f"{Path(rule.file).name}:{rule.line}",
        )
    console = Console(
        width=_width(), force_terminal=_use_color(), no_color=not _use_color(), highlight=False
    )
    console.print(table)


@rules_group.command("init")
@click.argument("directory", metavar="DIR")
@click.option(
    "--name", metavar="NAME", default=None, help="The pack's name (default: from DIR's name)."
)
@_FORCE_OPTION
def rules_init(directory: str, name: str | None, force: bool) -> None:
    """Write a rule pack of your own to DIR: an extension of the default pack, ready to edit.

    It adds one question and one rule, and restates one inherited rule under overrides, each
    commented; `taxonomy rules check DIR` passes it and `classify --rules DIR` uses it. DIR
    must be new or empty (or give --force to write over its pack.yaml and questions.yaml).
    """
    from taxonomy.input.starter import starter_pack

    folder = Path(directory)
    files = starter_pack(name or folder.resolve().name, _load_rules(None))
    if folder.exists() and not folder.is_dir():
        raise InputError("is a file: give a folder for the pack", file=directory)
    if not folder.exists() and not folder.parent.is_dir():
        raise InputError(f"the folder {folder.parent} does not exist", file=directory)
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise InputError(
            "is not empty: give --force to write the pack's files into it", file=directory
        )
    from taxonomy.output import Output

    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot be written: {exc.strerror}", file=directory) from None
    for file_name, text in files.items():
        Output(folder / file_name, force=True).write_text(text)
    _say(f"wrote {directory} ({', '.join(files)}): edit it, then taxonomy rules check {directory}")


@rules_group.command("check")
@click.argument("directory", metavar="[DIR]", required=False)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option(
    "--backend",
    type=click.Choice(["reference", "durable-rules"]),
    default="reference",
    show_default=True,
    help="Which rules fire: the reference semantics (fast; durable-rules is pinned to it by a "
    "differential test), or durable-rules itself.",
)
@click.option(
    "--max-combinations",
    "max_combinations",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Check a pack reading up to N combinations of answers (default 2,000,000); one "
    "reading more is refused at once, with the facts that multiply them.",
)
def rules_check(
    directory: str | None, fmt: str, backend: str, max_combinations: int | None
) -> None:
    """Verify a pack over every combination of answers: gaps, conflicts, dead rules.

    Every combination is derived by the resolver classify uses; which rules fire comes from
    --backend. Exit 0 when clean, 1 with errors (gaps, conflicts), 2 on bad input or a pack
    reading more combinations than --max-combinations.
    """
    from taxonomy.testing.verify import MAX_COMBINATIONS, check_pack

    report = check_pack(
        _load_rules(directory),
        backend=backend,
        max_combinations=max_combinations or MAX_COMBINATIONS,
    )
    if fmt == "json":
        data = _stamp("rules-check", report.to_dict())
        click.echo(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False))
    else:
        click.echo(
            f"rule pack {report.pack}: {report.combinations} answer combinations "
            f"({'exhaustive' if report.exhaustive else 'a sample: the space is too large'}), "
            f"derived with the {report.backend} backend, {report.seconds:.1f} s"
        )
        if not report.issues:
            click.echo("clean: no gap, conflict, dead rule or unused finding")
        for issue in report.issues:
            where = ", ".join(issue.where) or "-"
            click.echo(
                f"{issue.severity}: {issue.kind}: {', '.join(issue.rules) or '-'} "
                f"({where}): {issue.message}"
            )
            if issue.example:
                shown = ", ".join(f"{k}={v}" for k, v in issue.example)
                click.echo(f"    for example: {shown}")
    if report.errors:
        raise _Failed()


class _Percent(click.FloatRange):
    """A percentage, 0 to 100: ``nan`` (which compares false with every bound) and ``inf`` too."""

    name = "percentage"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if number != number:  # nan: below no threshold, so it would pass every score
            self.fail(f"{value!r} is not a number; give a percentage from 0 to 100", param, ctx)
        return number


_FAIL_UNDER_OPTION = click.option(
    "--fail-under",
    "fail_under",
    metavar="PCT",
    type=_Percent(0, 100),
    default=None,
    help="Exit 1 if the score is below PCT percent (for CI). Default: report only, exit 0.",
)

_JUNIT_OPTION = click.option(
    "--junit-xml",
    "junit_xml",
    metavar="FILE",
    default=None,
    help="Also write a JUnit XML report to FILE, which CI systems show as test results.",
)


def _write_junit(output: str | None, text: str, *inputs: str, force: bool) -> None:
    """Write a JUnit XML report to ``--junit-xml FILE``, if given."""
    if output is None:
        return
    with _writing(output, *inputs, force=force) as path:
        path.write_text(text, encoding="utf-8")
    _say(f"wrote {output}")


def _check_score(what: str, score: float, fail_under: float | None) -> None:
    """Exit 1 with one line if ``score`` (a share, 0 to 1) is below ``--fail-under`` percent."""
    if fail_under is not None and score * 100 < fail_under:
        raise _Refused(
            f"{what} {score * 100:.1f}% is below --fail-under {fail_under:g}%", 1, "threshold"
        )


@rules_group.command("coverage")
@click.argument("portfolios", metavar="PORTFOLIO...", nargs=-1, required=True)
@_RULES_OPTION
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@_FAIL_UNDER_OPTION
@_JUNIT_OPTION
@_FORCE_OPTION
def rules_coverage(
    portfolios: tuple[str, ...],
    rules_dir: str | None,
    fmt: str,
    fail_under: float | None,
    junit_xml: str | None,
    force: bool,
) -> None:
    """List which rules fired, and which never did, over the given portfolios.

    With --fail-under PCT, exit 1 if fewer than PCT percent of the rules fired; with
    --junit-xml FILE, also write a test case per rule (failed if it never fired).
    """
    from taxonomy.testing.coverage import rule_coverage

    _stdin_once(*portfolios)
    if junit_xml is not None:
        _output_format(None, junit_xml, ("xml",))
    loaded = [_load_portfolio(p, rules_dir) for p in portfolios]  # first: the pack they name
    report = rule_coverage(_pack(rules_dir), loaded)
    if fmt == "json":
        click.echo(json.dumps(_stamp("rules-coverage", report.to_dict()), indent=2, sort_keys=True))
    else:
        click.echo(report.to_text(), nl=False)
    _write_junit(junit_xml, report.to_junit_xml(), *portfolios, force=force)
    _check_score("rule coverage", report.share, fail_under)


@rules_group.command("mutate")
@click.argument("directory", metavar="[DIR]", required=False)
@click.option(
    "--tests",
    "tests",
    metavar="PATH",
    multiple=True,
    required=True,
    help="The tests to run against each mutant (pytest paths); repeat for more.",
)
@click.option("--limit", type=click.IntRange(1), default=None, help="Run only the first N mutants.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@_FAIL_UNDER_OPTION
@_JUNIT_OPTION
@_FORCE_OPTION
def rules_mutate(
    directory: str | None,
    tests: tuple[str, ...],
    limit: int | None,
    workers: int,
    fmt: str,
    fail_under: float | None,
    junit_xml: str | None,
    force: bool,
) -> None:
    """Mutate a pack, run the tests on each mutant, and report the mutants that survived.

    Survivors alone do not fail the command (some mutants change nothing a test could see):
    with --fail-under PCT, exit 1 if fewer than PCT percent of the mutants were killed; with
    --junit-xml FILE, also write a test case per mutant (failed if it survived).
    """
    from taxonomy.testing.mutation import run_mutants

    if junit_xml is not None:
        _output_format(None, junit_xml, ("xml",))
    for test in tests:
        if not Path(test.split("::")[0]).exists():
            raise InputError("no such test file or folder", file=test)
    report = _with_progress(
        "mutants",
        lambda progress: run_mutants(
            directory, list(tests), limit=limit, workers=workers, progress=progress
        ),
    )
    if fmt == "json":
        click.echo(json.dumps(_stamp("rules-mutate", report.to_dict()), indent=2, sort_keys=True))
    else:
        click.echo(report.to_text(), nl=False)
    _write_junit(junit_xml, report.to_junit_xml(), force=force)
    _check_score("mutation score", report.score, fail_under)


_GRAPH_FORMATS = ("graphml", "dot", "json", "svg", "png", "pdf")


@cli.command("graph")
@click.argument("portfolio", metavar="PORTFOLIO")
@click.option(
    "-o",
    "--output",
    "output",
    metavar="FILE",
    required=True,
    help="Where to write; the format follows the extension unless --format is given.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(_GRAPH_FORMATS),
    default=None,
    help="graphml, dot, json (node-link), svg, png or pdf (A4 pages, one per page).",
)
@click.option(
    "--as-is",
    "as_is",
    is_flag=True,
    help="Today's structure (each body runs its own team) instead of the to-be one.",
)
@click.option(
    "--group",
    type=click.Choice(["arrangement", "body"]),
    default="arrangement",
    show_default=True,
    help="Pictures: group function rows by arrangement or lead body.",
)
@click.option(
    "--scenario",
    "scenario_files",
    metavar="S.yaml",
    multiple=True,
    help="Draw the portfolio as a scenario changes it (a joint committee set up, say); repeat "
    "to apply several in order.",
)
@_RULES_OPTION
@_FORCE_OPTION
@_AS_OF_OPTION
def graph_command(
    portfolio: str,
    output: str,
    fmt: str | None,
    as_is: bool,
    group: str,
    scenario_files: tuple[str, ...],
    rules_dir: str | None,
    force: bool,
    as_of: str | None,
) -> None:
    """Write the accountability graph of PORTFOLIO (to-be, or --as-is) to FILE."""
    from taxonomy.structure.graph import as_is_graph, build_graph

    if fmt is None and (output == "-" or not Path(output).suffix):
        raise InputError(
            "cannot tell the graph's format: give --format, or a file ending .graphml, .xml, "
            ".dot, .gv, .json, .svg, .png or .pdf",
            file=None if output == "-" else output,
            allowed=_GRAPH_FORMATS,
        )
    fmt = _output_format(fmt, output, _GRAPH_FORMATS, extensions={".xml": "graphml"})
    _stdin_once(portfolio, *scenario_files)
    loaded = _portfolio_on_day(portfolio, as_of, rules_dir)
    pack = _pack(rules_dir)
    if scenario_files:
        from taxonomy.whatif.scenarios import load_scenario

        first, *rest = [load_scenario(f) for f in scenario_files]
        applied = sum(rest, first).apply(loaded, pack)
        if applied.single_body is not None:
            raise InputError(
                f"after the scenarios only {applied.single_body} is left: every function is "
                "delivered once by it, and there is no joint structure to draw"
            )
        baseline = list(loaded.organisation_ids)
        loaded, pack = applied.portfolio, applied.rules
    result = _classify(loaded, rules=pack)
    graph = as_is_graph(loaded, result) if as_is else build_graph(result)
    if scenario_files:  # the picture names its scenario and keeps the baseline's colours
        graph.graph["scenario"] = " + ".join(s.name for s in (first, *rest))
        graph.graph["baseline_organisations"] = baseline
    if fmt in ("svg", "png", "pdf"):
        from taxonomy.render.picture import draw

        word = dict(pack.vocabulary).get("governing_body")
        data = draw(graph, fmt=fmt, group=group, board_word=word)
    else:
        from taxonomy.render.export import to_dot, to_graphml, to_node_link_json

        writer = {"graphml": to_graphml, "dot": to_dot, "json": to_node_link_json}[fmt]
        data = writer(graph).encode("utf-8")
    if output == "-":
        if fmt in ("png", "pdf"):
            stream: IO[bytes] | None = getattr(sys.stdout, "buffer", None)
            if stream is None:
                raise InputError(f"{fmt} cannot go to this standard output: give a file name")
            stream.write(data)
            stream.flush()
        else:
            click.echo(data.decode("utf-8"), nl=False)
        return
    with _writing(output, portfolio, *scenario_files, force=force) as path:
        path.write_bytes(data)
    _say(
        f"wrote {output} ({fmt}, {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges)"
    )


@cli.command("check")
@click.argument("portfolio", metavar="PORTFOLIO")
@_RULES_OPTION
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@_AS_OF_OPTION
def check_command(portfolio: str, rules_dir: str | None, fmt: str, as_of: str | None) -> None:
    """Check the to-be structure against the design principles and the law.

    Exit 0 with no error findings, 1 with any, 2 on bad input. On a day the law leaves one
    body there is no joint structure to check: the output says so (exit 0).
    """
    from taxonomy.render.text import law_line
    from taxonomy.structure.checks import structure_report

    day = _on_day(_load_portfolio(portfolio, rules_dir), as_of, rules_dir)
    pack = _pack(rules_dir)
    if day.single_body is not None:
        _single_body(day, pack, fmt, None, portfolio, force=False)
        return
    report = structure_report(_classify(day.portfolio, rules=pack))
    if fmt == "json":
        data = _stamp("check", report.to_dict())
        click.echo(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False))
    else:
        header = law_line(day.portfolio)
        if header:
            click.echo(header)
        click.echo(_report_table(report), nl=False)
    if report.errors:
        raise _Failed()


class _Refused(Exception):
    """The command ran and must fail with one message: exit ``code`` (text, or JSON on request).

    Args:
        message: the one line to print.
        code: the exit code.
        kind: what failed, the JSON error's ``kind`` (``threshold``, ``sweep``).
    """

    def __init__(self, message: str, code: int, kind: str) -> None:
        super().__init__(message)
        self.code = code
        self.kind = kind


class _Failed(Exception):
    """The command ran and found errors: exit 1 without a further message."""


def _report_table(report: StructureReport) -> str:
    from rich.console import Console
    from rich.table import Table

    console = Console(
        width=_width(),
        force_terminal=_use_color(),
        no_color=not _use_color(),
        highlight=False,
        record=True,
        file=io.StringIO(),
    )
    table = Table(title="Structure: as-is against to-be")
    for header in ("metric", "as-is", "to-be"):
        table.add_column(header)
    before = report.as_is.flat()
    for key, value in report.to_be.flat().items():
        table.add_row(key.replace("_", " "), str(before[key]), str(value))
    console.print(table)
    if report.findings:
        found = Table(title="Findings on the to-be structure")
        for header in ("severity", "check", "principle", "message"):
            found.add_column(header, overflow="fold")
        for f in report.findings:
            found.add_row(f.severity, f.check, f.principle, f.message)
        console.print(found)
    else:
        console.print("No findings: the to-be structure passes every check.")
    return console.export_text(styles=_use_color())


@cli.command("schema")
@click.argument("kind", metavar="[KIND]", required=False)
@_RULES_OPTION
@click.option("--list", "listing", is_flag=True, help="List the kinds (also with no KIND).")
@click.option("-o", "--output", metavar="FILE", default=None, help="Write to FILE.")
@_FORCE_OPTION
def schema_command(
    kind: str | None, rules_dir: str | None, listing: bool, output: str | None, force: bool
) -> None:
    """Print the JSON Schema of KIND: a file taxonomy reads, or the JSON it writes.

    A portfolio's, scenario's or sweep's schema follows the rule pack (--rules DIR): its tiers
    and the questions it declares. Point an editor at it (docs/schemas.md) to have a file
    completed and checked as it is typed.
    """
    from taxonomy.schemas import INPUTS, KINDS, OUTPUTS, schema_text

    if listing or kind is None:
        width = max(len(k) for k in KINDS)
        lines = [f"{k:<{width}}  {what}" for k, what in INPUTS.items()]
        lines += [f"{k:<{width}}  output of taxonomy {what}" for k, what in OUTPUTS.items()]
        click.echo("\n".join(lines))
        return
    if kind not in KINDS:
        raise InputError(f"no schema '{kind}'", allowed=KINDS, suggestion=did_you_mean(kind, KINDS))
    _emit(
        schema_text(kind, rules=_load_rules(rules_dir) if rules_dir else None), output, force=force
    )


def _fail(
    message: str, code: int, *, as_json: bool = False, error: BaseException | None = None
) -> NoReturn:
    """Print one error and exit with ``code``: a line of text, or for tooling a JSON object.

    The JSON form (when the command was given ``--format json``) is ``{"error": {"kind",
    "message", "exit_code", "problems", "total"}}`` on stderr: ``problems`` is each problem of
    an :class:`InputError` as :meth:`~taxonomy.errors.InputError.records` gives it (for an
    unknown id, the id and the closest known one; empty for other errors), ``total`` how many
    were found in all (more than are listed once capped).
    """
    if as_json:
        problems = error.records() if isinstance(error, InputError) else []
        if isinstance(error, UnknownIdError):
            problems = [
                {
                    "kind": "unknown id",
                    "item": error.wanted,
                    "problem": f"no {error.kind} {error.wanted!r}",
                    "suggestion": error.suggestion,
                    "message": message,
                }
            ]
        kind = "usage"
        if isinstance(error, InputError | _Refused):
            kind = error.kind
        elif error is not None:
            kind = _ERROR_KINDS.get(type(error), kind)
        # How many problems were found in all: more than are listed once the list is capped.
        total = error.total if isinstance(error, InputError) else len(problems)
        payload = _stamp(
            "error",
            {
                "error": {
                    "kind": kind,
                    "message": message,
                    "exit_code": code,
                    "problems": problems,
                    "total": total,
                }
            },
        )
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False), err=True)
    else:
        click.echo(f"taxonomy: error: {printable(message)}", err=True)
    sys.exit(code)


_ERROR_KINDS: dict[type[BaseException], str] = {
    UnknownIdError: "unknown id",
    EngineError: "engine",
    click.Abort: "aborted",
}


def _wants_json(argv: list[str]) -> bool:
    """Whether the command line asks for ``--format json`` (``--format=json`` too)."""
    args = argv[: argv.index("--")] if "--" in argv else argv
    for index, arg in enumerate(args):
        if arg == "--format=json":
            return True
        if arg == "--format" and index + 1 < len(args) and args[index + 1] == "json":
            return True
    return False


def main(argv: list[str] | None = None) -> None:
    """Run the CLI: exit 2 on bad input, 1 on an engine failure; one message, no traceback.

    With ``--format json``, an error is a JSON object on stderr (see :func:`_fail`).
    """
    as_json = _wants_json(list(argv) if argv is not None else sys.argv[1:])
    try:
        cli.main(args=argv, prog_name="taxonomy", standalone_mode=False)
    except (InputError, UnknownIdError) as exc:
        _fail(str(exc), 2, as_json=as_json, error=exc)
    except EngineError as exc:
        _fail(str(exc), 1, as_json=as_json, error=exc)
    except _Refused as exc:
        _fail(str(exc), exc.code, as_json=as_json, error=exc)
    except _Failed:
        sys.exit(1)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort as exc:
        _fail("aborted", 1, as_json=as_json, error=exc)
    except click.ClickException as exc:
        _fail(exc.format_message(), 2, as_json=as_json, error=exc)
    except BrokenPipeError:
        sys.exit(1)
    sys.exit(0)


if __name__ == "__main__":  # pragma: no cover
    main()
