"""``taxonomy init``, ``template``, ``convert``: portfolio files to start from, fill in, convert."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from taxonomy.cli._context import say
from taxonomy.cli._options import FORCE_OPTION, RULES_OPTION, load_portfolio, load_rules
from taxonomy.cli._output import Destination, output_option, writes_output
from taxonomy.errors import InputError

if TYPE_CHECKING:
    from taxonomy._model import Portfolio

__all__ = ["convert_command", "init_command", "template_command"]


@click.command("init")
@click.argument("output", metavar="[FILE]", default="portfolio.yaml", required=False)
@FORCE_OPTION
@writes_output(())
def init_command(out: Destination) -> None:
    """Write a starter portfolio to FILE (default: portfolio.yaml) to edit into your own.

    Two bodies and five functions, every answer present with a comment on what it means and
    where the board paper asks it; it classifies as it stands.
    """
    from taxonomy.input.starter import STARTER_PORTFOLIO

    name = out.file("give a file name")
    if Path(name).suffix.lower() not in (".yaml", ".yml"):
        raise InputError("a portfolio is YAML: give a file ending .yaml", file=name)
    with out.writing() as path:
        path.write_text(STARTER_PORTFOLIO, encoding="utf-8")
    say(f"wrote {name}: edit it, then run taxonomy classify {name}")


@click.command("template")
@click.argument("source", metavar="PORTFOLIO_OR_BODIES")
@output_option(metavar="FILE.xlsx", required=True, help=None)
@RULES_OPTION
@FORCE_OPTION
@writes_output((), inputs=("source",))
def template_command(source: str, out: Destination, rules_dir: str | None) -> None:
    """Write a workbook to fill in, with a drop-down on every answer.

    PORTFOLIO_OR_BODIES is a portfolio (pre-filled) or comma-separated body ids, e.g. nhse,nhsi.
    The workbook has the tiers of the rule pack (--rules) and a column for each question it
    declares, explained in its questions sheet.
    """
    from taxonomy.input.spreadsheet import write_template

    name = out.file("give -o FILE.xlsx")
    if not name.lower().endswith(".xlsx"):
        raise InputError("the template is a workbook: give -o FILE.xlsx", file=name)
    if source.strip() and Path(source).exists():  # Path("") is the working folder
        loaded = load_portfolio(source, rules_dir)
        pack = load_rules(rules_dir)  # after the portfolio: the pack it names, if it does
        with out.writing() as path:
            write_template(path, portfolio=loaded, rules=pack)
    else:
        bodies = _bodies(source)  # before the file is claimed: a bad list is the error given
        with out.writing() as path:
            write_template(path, bodies=bodies, rules=load_rules(rules_dir))
    say(f"wrote {name}")


def _bodies(source: str) -> list[str]:
    """The body ids in a comma-separated list: at least two, each a valid id, each once."""
    from taxonomy._model import Organisation

    if not source.strip():
        raise InputError(
            "PORTFOLIO_OR_BODIES is empty: give a portfolio file, or at least two body ids "
            "separated by commas, e.g. nhse,nhsi"
        )
    bodies = [b.strip() for b in source.split(",") if b.strip()]
    for body in bodies:
        try:
            Organisation(body, body)
        except ValueError:
            raise InputError(
                f"'{source}' is neither a portfolio file nor a list of body ids "
                "(lower-case letters, digits, '.', '_' or '-')"
            ) from None
    twice = sorted({b for b in bodies if bodies.count(b) > 1})
    if twice:
        named = ", ".join(f"'{b}'" for b in twice)
        raise InputError(f"'{source}' names {named} more than once: name each body once")
    if len(bodies) < 2:
        raise InputError("name at least two bodies, e.g. nhse,nhsi (or give a portfolio)")
    return bodies


@click.command("convert")
@click.argument("source", metavar="IN")
@output_option(
    metavar="OUT", required=True, help="The converted portfolio: .yaml, .xlsx, .csv or .jsonl."
)
@RULES_OPTION
@FORCE_OPTION
@writes_output((), inputs=("source",))
def convert_command(source: str, out: Destination, rules_dir: str | None) -> None:
    """Convert a portfolio between YAML, XLSX, CSV and JSONL without loss.

    A portfolio answering the questions of a rule pack other than the default is read (and a
    spreadsheet written, with a column for each question) for that pack: give --rules DIR.
    """
    from taxonomy.input.files import dump_portfolio
    from taxonomy.input.spreadsheet import write_portfolio

    name = out.file("give -o OUT")
    loaded = _rebased(load_portfolio(source, rules_dir), source, name)
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":  # several files, each claimed as an output: all written, or none
        write_portfolio(
            loaded, name, rules=load_rules(rules_dir), force=out.force, inputs=(source,)
        )
    else:
        with out.writing() as path:
            if suffix == ".xlsx":
                write_portfolio(loaded, path, rules=load_rules(rules_dir))
            else:
                dump_portfolio(loaded, path)
    say(f"wrote {name}")


def _rebased(portfolio: Portfolio, source: str, target: str) -> Portfolio:
    """``portfolio`` with the pack folder it names (``rules:``) relative to ``target``'s folder.

    A relative ``rules:`` path is read relative to the portfolio file; written unchanged beside
    a file in another folder, it would name a folder that is not there.
    """
    import os

    import attrs

    reference = portfolio.rules
    if reference is None or reference.path is None or Path(reference.path).is_absolute():
        return portfolio
    origin = Path.cwd() if source == "-" else Path(source).resolve().parent
    folder = (origin / reference.path).resolve()
    moved = os.path.relpath(folder, Path(target).resolve().parent)
    return attrs.evolve(portfolio, rules=attrs.evolve(reference, path=Path(moved).as_posix()))
