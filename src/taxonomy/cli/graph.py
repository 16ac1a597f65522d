"""``taxonomy graph``: the accountability graph of a portfolio, as data or a picture."""

from __future__ import annotations

import sys
from typing import IO, TYPE_CHECKING

import click

from taxonomy.cli._context import say
from taxonomy.cli._options import (
    AS_OF_OPTION,
    FORCE_OPTION,
    PORTFOLIO_ARGUMENT,
    RULES_OPTION,
    Judged,
    judged_input,
)
from taxonomy.cli._output import Destination, format_option, output_option, writes_output
from taxonomy.errors import InputError

if TYPE_CHECKING:
    from taxonomy._model import Portfolio
    from taxonomy.language.rules import RulePack
    from taxonomy.structure.graph import Graph

__all__ = ["graph_command"]

_FORMATS = ("graphml", "dot", "json", "svg", "png", "pdf")


@click.command("graph")
@PORTFOLIO_ARGUMENT
@output_option(
    required=True,
    help="Where to write; the format follows the extension unless --format is given.",
)
@format_option(
    _FORMATS, help="graphml, dot, json (node-link), svg, png or pdf (A4 pages, one per page)."
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
@RULES_OPTION
@FORCE_OPTION
@AS_OF_OPTION
@writes_output(
    _FORMATS,
    inputs=("portfolio", "scenario_files"),
    extensions={".xml": "graphml"},
    unnamed="cannot tell the graph's format: give --format, or a file ending .graphml, .xml, "
    ".dot, .gv, .json, .svg, .png or .pdf",
)
@judged_input()
def graph_command(
    judged: Judged, out: Destination, as_is: bool, group: str, scenario_files: tuple[str, ...]
) -> None:
    """Write the accountability graph of PORTFOLIO (to-be, or --as-is) to FILE.

    On a day the law leaves one body (every other merged into it), there is nothing joint to
    recommend: the graph is that body's structure of the day, as-is and to-be alike (its Board,
    a team of its own for each function, what it holds and decides), marked ``single_body``;
    likewise where the scenarios leave one body (a merger, or another day), said on stderr.
    """
    from taxonomy.classification import classify
    from taxonomy.structure.graph import as_is_graph, build_graph

    loaded, pack, single = judged.portfolio, judged.pack, judged.day.single_body
    if scenario_files:
        loaded, pack, named = _as_scenarios_change_it(judged, scenario_files)
        single = loaded.organisation_ids[0] if len(loaded.organisation_ids) == 1 else None
        if single is not None:
            say(
                f"on the day judged, with the scenarios applied, only {single} is left (the "
                "day's law or a scenario merged the others into it): every function is "
                "delivered once by it, nothing is held jointly; drawn as its own structure"
            )
    if single is not None:
        graph = as_is_graph(loaded)
        graph.graph["single_body"] = single
    else:
        result = classify(loaded, rules=pack)
        graph = as_is_graph(loaded, classification=result) if as_is else build_graph(result)
    if scenario_files:  # the picture names its scenario and keeps the baseline's colours
        graph.graph["scenario"] = named
        graph.graph["baseline_organisations"] = list(judged.portfolio.organisation_ids)
    data = _drawn(graph, out.format, group=group, pack=pack)
    if out.name == "-":
        _to_stdout(data, out.format)
        return
    with out.writing() as path:
        path.write_bytes(data)
    nodes, edges = graph.number_of_nodes(), graph.number_of_edges()
    say(f"wrote {out.name} ({out.format}, {nodes} nodes, {edges} edges)")


def _as_scenarios_change_it(
    judged: Judged, scenario_files: tuple[str, ...]
) -> tuple[Portfolio, RulePack, str]:
    """The portfolio and pack once the scenarios are applied in order, and their names.

    Applied to the portfolio as written, on the day judged (as ``whatif`` does), so a scenario
    moving the day (``as_of``) judges it afresh; they may leave one body.
    """
    from taxonomy.whatif.scenarios import load_scenario

    first, *rest = [load_scenario(f) for f in scenario_files]
    day = judged.portfolio.as_of
    applied = sum(rest, first).apply(judged.written, judged.pack, as_of=day)
    return applied.portfolio, applied.rules, " + ".join(s.name for s in (first, *rest))


def _drawn(graph: Graph, fmt: str, *, group: str, pack: RulePack) -> bytes:
    """The graph in ``fmt``: a picture, or GraphML, DOT or node-link JSON."""
    if fmt in ("svg", "png", "pdf"):
        from taxonomy.render.picture import draw

        word = dict(pack.vocabulary).get("governing_body")
        return draw(graph, fmt=fmt, group=group, board_word=word)
    from taxonomy.render.export import to_dot, to_graphml, to_node_link_json

    writer = {"graphml": to_graphml, "dot": to_dot, "json": to_node_link_json}[fmt]
    return writer(graph).encode("utf-8")


def _to_stdout(data: bytes, fmt: str) -> None:
    """A picture's bytes, or the text, on standard output."""
    if fmt in ("png", "pdf"):
        stream: IO[bytes] | None = getattr(sys.stdout, "buffer", None)
        if stream is None:
            raise InputError(f"{fmt} cannot go to this standard output: give a file name")
        stream.write(data)
        stream.flush()
    else:
        click.echo(data.decode("utf-8"), nl=False)
