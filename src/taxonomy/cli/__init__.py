"""The ``taxonomy`` command line.

Every failure prints one message on stderr, never a traceback: bad input (a file, an id, an option)
exits 2; an engine failure or a pack that reaches no single answer exits 1.

This module builds the parser only: the group, its options and the settings they give
(:class:`Settings`, on click's context object), and :func:`main`'s error handling. Each command
lives in a module of this package, imported when it runs (:data:`COMMANDS`), so
``taxonomy --help`` loads click alone. The shared options and the two decorators that hand a
command its judged input and its output are in :mod:`taxonomy.cli._options`.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from typing import TYPE_CHECKING, NoReturn

import click

from taxonomy.errors import EngineError, InputError, UnknownIdError, printable

if TYPE_CHECKING:
    from taxonomy.language.rules import RulePack

__all__ = ["COMMANDS", "FORMAT_OF_EXTENSION", "Failed", "Refused", "Settings", "cli", "main"]

#: Each command: the module of this package that defines it (as ``<name>_command``), imported
#: when the command runs, and the first paragraph of its help, which ``taxonomy --help`` lists
#: without importing it (a test checks each is the command's own).
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("check", "Check the to-be structure against the design principles and the law."),
    "classify": (
        "classify",
        "Recommend an arrangement and a lead for every function of PORTFOLIO.",
    ),
    "convert": ("files", "Convert a portfolio between YAML, XLSX, CSV and JSONL without loss."),
    "explain": ("explain", "Show which rules fired on which answers for one function, and why."),
    "governance": (
        "governance",
        "Draft each body's scheme of delegation and each joint body's terms of reference.",
    ),
    "graph": ("graph", "Write the accountability graph of PORTFOLIO (to-be, or --as-is) to FILE."),
    "init": (
        "files",
        "Write a starter portfolio to FILE (default: portfolio.yaml) to edit into your own.",
    ),
    "report": (
        "report",
        "Write one self-contained HTML report a Board paper can carry (prints to A4).",
    ),
    "rules": (
        "rules",
        "Rule packs: list and validate (rules [DIR]), init, check, coverage, mutate.",
    ),
    "schema": (
        "schema",
        "Print the JSON Schema of KIND: a file taxonomy reads, or the JSON it writes.",
    ),
    "sweep": ("whatif", "Evaluate a grid of scenarios: one record per scenario and function."),
    "template": ("files", "Write a workbook to fill in, with a drop-down on every answer."),
    "whatif": (
        "whatif",
        "Compare scenarios with the baseline: what changes, why, and the structure.",
    ),
}

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


class Settings:
    """What the group's options and the terminal say for one run, on click's context object.

    Attributes:
        quiet: no progress bars or status lines (``-q``).
        verbose: say what is loaded and run (``-v``, never with ``-q``).
        color: colour on standard output: a terminal, and no ``NO_COLOR`` (https://no-color.org).
        progress: progress bars on standard error: a terminal, and not ``quiet``.
        width: the width tables are drawn to: ``COLUMNS`` if set (at least 40), else the
            terminal's, else 120. ``COLUMNS`` is honoured when the output is piped or written to
            a file too, so a script sets the width it wants.
        json_errors: the command line asks for ``--format json``: an error is a JSON object.
        named_pack: the rule pack the portfolio file named (its ``rules:``), which the command
            uses wherever it would use the default pack; ``--rules`` overrides it.
        packs: each rule pack loaded in this run, by folder (None: the default pack).
    """

    def __init__(self) -> None:
        self.quiet = False
        self.verbose = False
        self.color = False
        self.progress = False
        self.width = 120
        self.json_errors = False
        self.named_pack: RulePack | None = None
        self.packs: dict[str | None, RulePack] = {}

    def read_terminal(self, *, quiet: bool, verbose: bool) -> None:
        """Take the group's options, and what standard output, error and the environment say."""
        import shutil

        self.quiet = quiet
        self.verbose = verbose and not quiet
        self.color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        self.progress = sys.stderr.isatty() and not quiet
        columns = os.environ.get("COLUMNS", "").strip()
        if columns.isdigit() and int(columns) > 0:
            self.width = max(int(columns), 40)
        else:
            self.width = shutil.get_terminal_size((120, 24)).columns if sys.stdout.isatty() else 120


class Refused(Exception):
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


class Failed(Exception):
    """The command ran and found errors: exit 1 without a further message."""


def _wants_json(args: list[str]) -> bool:
    """Whether the command line asks for ``--format json`` (``--format=json`` too)."""
    args = args[: args.index("--")] if "--" in args else args
    for index, arg in enumerate(args):
        if arg == "--format=json":
            return True
        if arg == "--format" and index + 1 < len(args) and args[index + 1] == "json":
            return True
    return False


class _LazyGroup(click.Group):
    """The ``taxonomy`` group: each command imported from its module when it runs."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Note on the settings whether errors are JSON, before anything can fail."""
        ctx.ensure_object(Settings).json_errors = _wants_json(args)
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command's name, sorted."""
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command ``cmd_name``, its module imported now; None for no such command."""
        if cmd_name not in COMMANDS:
            return None
        module = importlib.import_module(f"{__name__}.{COMMANDS[cmd_name][0]}")
        command: click.Command = getattr(module, f"{cmd_name}_command")
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """As click does, with a "did you mean" among the commands not yet imported."""
        name = args[0]
        if name not in COMMANDS and not name.startswith("-") and not ctx.resilient_parsing:
            raise click.exceptions.NoSuchCommand(name, possibilities=list(COMMANDS), ctx=ctx)
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the commands with their help from :data:`COMMANDS`, importing none of them."""
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [
            (name, click.Command(name, help=summary).get_short_help_str(limit))
            for name, (_module, summary) in sorted(COMMANDS.items())
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


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


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
@click.pass_context
def cli(ctx: click.Context, quiet: bool, verbose: bool) -> None:
    """Decide how bodies working jointly should organise each function (Annex B taxonomy)."""
    from taxonomy.input.sources import recording

    # Every file read from here on is an input: no output of the command is written over it.
    ctx.with_resource(recording())
    ctx.ensure_object(Settings).read_terminal(quiet=quiet, verbose=verbose)


_ERROR_KINDS: dict[type[BaseException], str] = {
    UnknownIdError: "unknown id",
    EngineError: "engine",
    click.Abort: "aborted",
}


def _problems(message: str, error: BaseException | None) -> list[dict[str, object]]:
    """An error's problems for the JSON form (an unknown id: the id and the closest known one)."""
    if isinstance(error, UnknownIdError):
        return [
            {
                "kind": "unknown id",
                "item": error.wanted,
                "problem": f"no {error.kind} {error.wanted!r}",
                "suggestion": error.suggestion,
                "message": message,
            }
        ]
    return list(error.records()) if isinstance(error, InputError) else []


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
    if not as_json:
        click.echo(f"taxonomy: error: {printable(message)}", err=True)
        sys.exit(code)
    from taxonomy.schemas._ids import stamp

    problems = _problems(message, error)
    kind = "usage"
    if isinstance(error, InputError | Refused):
        kind = error.kind
    elif error is not None:
        kind = _ERROR_KINDS.get(type(error), kind)
    # How many problems were found in all: more than are listed once the list is capped.
    total = error.total if isinstance(error, InputError) else len(problems)
    found = {"kind": kind, "message": message, "exit_code": code, "problems": problems}
    payload = stamp("error", {"error": {**found, "total": total}})
    click.echo(json.dumps(payload, indent=2, ensure_ascii=False), err=True)
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI: exit 2 on bad input, 1 on an engine failure; one message, no traceback.

    With ``--format json``, an error is a JSON object on stderr (see :func:`_fail`).
    """
    settings = Settings()
    try:
        cli.main(args=argv, prog_name="taxonomy", standalone_mode=False, obj=settings)
    except (InputError, UnknownIdError) as exc:
        _fail(str(exc), 2, as_json=settings.json_errors, error=exc)
    except EngineError as exc:
        _fail(str(exc), 1, as_json=settings.json_errors, error=exc)
    except Refused as exc:
        _fail(str(exc), exc.code, as_json=settings.json_errors, error=exc)
    except Failed:
        sys.exit(1)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort as exc:
        _fail("aborted", 1, as_json=settings.json_errors, error=exc)
    except click.ClickException as exc:
        _fail(exc.format_message(), 2, as_json=settings.json_errors, error=exc)
    except BrokenPipeError:
        sys.exit(1)
    sys.exit(0)
