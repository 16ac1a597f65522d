"""What the commands share: the settings, the options, and the judged input.

A command that judges a portfolio declares ``PORTFOLIO``, :data:`RULES_OPTION` and
:data:`AS_OF_OPTION` where its help lists them, and :func:`judged_input` hands it a
:class:`Judged`: the portfolio read once (a file, or ``-`` for standard input), the rule pack
(``--rules``, else the one the portfolio names, else the default), and the portfolio as it stood
on ``--as-of``; the day on which the law leaves one body is answered here, once.
"""

from __future__ import annotations

import datetime
import functools
import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import click

from taxonomy.cli._context import Command, json_text, settings, stdin_once
from taxonomy.cli._output import format_option, output_option, writes_output
from taxonomy.errors import InputError

if TYPE_CHECKING:
    from taxonomy._model import Portfolio
    from taxonomy.cli._output import Destination
    from taxonomy.language.rules import RulePack
    from taxonomy.law import InForce

PORTFOLIO_ARGUMENT = click.argument("portfolio", metavar="PORTFOLIO")

FORCE_OPTION = click.option(
    "--force", is_flag=True, help="Replace the output file if it exists (never one of the inputs)."
)

AS_OF_OPTION = click.option(
    "--as-of",
    "as_of",
    metavar="DATE",
    default=None,
    help="Judge under the law in force on DATE (YYYY-MM-DD): the provisions of a dated law, "
    "bodies abolished by then merged into their successors, and the posts, joint bodies, "
    "memberships and delegations of that day (planned ones drawn as planned). Default: the "
    "portfolio's as_of.",
)

RULES_OPTION = click.option(
    "--rules",
    "rules_dir",
    metavar="DIR",
    default=None,
    help="Rule pack folder (default: the pack shipped with taxonomy).",
)


def load_rules(directory: str | None = None) -> RulePack:
    """Load a rule pack (None: the one the portfolio named, else the default pack).

    Once per run; its files are inputs.
    """
    from taxonomy.input.sources import note_read
    from taxonomy.language.rules import load_rules as load

    found = settings()
    if directory is None and found.named_pack is not None:
        pack = found.named_pack
    else:
        if directory not in found.packs:
            found.packs[directory] = load(directory)
        pack = found.packs[directory]
    note_read(*pack.files)
    return pack


def load_portfolio(path: str, rules_dir: str | None = None) -> Portfolio:
    """Load a portfolio file (YAML, XLSX or CSV) answered for the pack in ``rules_dir``.

    Without ``rules_dir``: for the pack the file names (``rules:``), which the rest of the
    command then uses (see :func:`load_rules`), else the default pack.
    """
    from taxonomy.input.files import load_portfolio as load

    if rules_dir is not None:
        return load(path, rules=load_rules(rules_dir))
    loaded = load(path)
    if loaded.pack is not None:
        settings().named_pack = loaded.pack
    return loaded


def on_day(portfolio: Portfolio, as_of: str | None, rules_dir: str | None = None) -> InForce:
    """``portfolio`` as it stood on ``--as-of`` (default: its own ``as_of``), under the law then."""
    from taxonomy.law import in_force

    found = in_force(portfolio, as_of_option(as_of), load_rules(rules_dir).facts)
    say_day(found)
    return found


def as_of_option(as_of: str | None) -> datetime.date | None:
    """The day ``--as-of`` gives (None: not given).

    Raises:
        InputError: it is not a day.
    """
    from taxonomy._model import parse_day

    if as_of is None:
        return None
    try:
        return parse_day(as_of)
    except ValueError as exc:
        raise InputError(f"--as-of: {exc}") from None


def say_day(found: InForce) -> None:
    """With --verbose, the day judged and the provisions in force then."""
    if settings().verbose and found.as_of is not None:
        laws = ", ".join(found.provisions) or "no dated provision"
        click.echo(f"judging on {found.as_of} under {laws}", err=True)


def announce_pack(rules_dir: str | None) -> RulePack:
    """The rule pack the command uses; with --verbose, which it is and where it came from."""
    pack = load_rules(rules_dir)
    if settings().verbose:
        named = settings().named_pack is not None
        click.echo(
            f"rule pack {pack.name} {pack.version} ({len(pack.rules)} rules, "
            f"sha256 {pack.hash[:12]}) from "
            f"{rules_dir or ('the portfolio' if named else 'the default pack')}",
            err=True,
        )
    return pack


class Judged:
    """A command's judged input.

    Attributes:
        source: the PORTFOLIO argument as given (a path, or ``-``).
        day: the portfolio as it stood on the day judged, under the law then.
        pack: the rule pack.
        rules_dir: the ``--rules`` folder, if one was given.
        written: the portfolio as written, before it was judged on the day (a scenario moving
            the day judges it afresh); None: the same as :attr:`portfolio`.
    """

    def __init__(
        self,
        source: str,
        day: InForce,
        rules: RulePack,
        rules_dir: str | None,
        written: Portfolio | None = None,
    ) -> None:
        self.source = source
        self.day = day
        self.pack = rules
        self.rules_dir = rules_dir
        self.written = written if written is not None else day.portfolio

    @property
    def portfolio(self) -> Portfolio:
        """The portfolio as it stood on the day judged."""
        return self.day.portfolio


#: A command's way of running on a portfolio without reading it whole: given the PORTFOLIO
#: argument, ``--rules``, ``--as-of`` and the command's other options, whether it ran.
Streamer = Callable[[str, str | None, str | None, dict[str, Any]], bool]


def judged_input(
    *, single_body: bool = False, stream: Streamer | None = None
) -> Callable[[Command], Command]:
    """Hand the command its judged input as ``judged`` (a :class:`Judged`).

    The command declares ``portfolio``, ``rules_dir`` and ``as_of``; they are taken here. With
    :func:`~taxonomy.cli._output.writes_output` above this, standard input is refused when
    named twice among the output's inputs. With ``single_body``, a day on which the law leaves
    one body is answered here (every function delivered once, by it) and the command does not
    run; without, a command needing two bodies fails in classify with a message saying so.
    With ``stream``, it is asked first, and where it ran, the portfolio is not read whole.
    """

    def decorate(command: Command) -> Command:
        @functools.wraps(command)
        def run(
            *, portfolio: str, rules_dir: str | None, as_of: str | None, **options: Any
        ) -> None:
            out: Destination | None = options.get("out")
            stdin_once(*(out.inputs if out is not None else (portfolio,)))
            if stream is not None and stream(portfolio, rules_dir, as_of, options):
                return
            written = load_portfolio(portfolio, rules_dir)
            day = on_day(written, as_of, rules_dir)
            pack = announce_pack(rules_dir)
            if single_body and day.single_body is not None and out is not None:
                _one_body_left(day, pack, out)
                return
            command(judged=Judged(portfolio, day, pack, rules_dir, written), **options)

        return run

    return decorate


def judging_options(
    formats: Sequence[str], *, default: str, to_file: bool = False, single_body: bool = False
) -> Callable[[Command], Command]:
    """The option block of a command that judges PORTFOLIO and writes one of ``formats``.

    ``PORTFOLIO``, ``--rules``, ``--format`` (``default`` first), with ``to_file`` ``-o`` and
    ``--force``, then ``--as-of``, in that order in the help; the command is handed ``judged``
    (:func:`judged_input`, with ``single_body``) and ``out`` (a
    :class:`~taxonomy.cli._output.Destination`).
    """
    block: list[Callable[[Command], Command]] = [
        PORTFOLIO_ARGUMENT,
        RULES_OPTION,
        format_option(formats, default=default),
    ]
    if to_file:
        block += [output_option(), FORCE_OPTION]
    block += [
        AS_OF_OPTION,
        writes_output(formats, inputs=("portfolio",)),
        judged_input(single_body=single_body),
    ]

    def decorate(command: Command) -> Command:
        for decorator in reversed(block):
            command = decorator(command)
        return command

    return decorate


def _one_body_left(day: InForce, pack: RulePack, out: Destination) -> None:
    """The outcome when the law leaves one body: every function delivered once, by it."""
    from taxonomy.render.text import single_body_dict, single_body_text

    if out.format in ("xlsx", "csv"):
        raise InputError(
            f"on {day.as_of} only {day.single_body} is left: there are no recommendations to "
            f"write as {out.format}; use --format table, markdown or json"
        )
    data = single_body_dict(day.portfolio, pack.identity, day.notes)
    if out.format == "json":
        text = json_text(data)
    elif out.format == "jsonl":
        text = json.dumps(data, sort_keys=True, ensure_ascii=False) + "\n"
    else:
        text = single_body_text(day.portfolio, day.notes, markdown=out.format == "markdown")
    out.emit(text)
