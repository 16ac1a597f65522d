"""The check of dated governance: what is still planned although its day has come.

Registered with the other checks (:mod:`taxonomy.structure.checks` imports this module). A
portfolio may well say that a post, joint body, membership or delegation is planned from a day
that has passed by the day judged: that is legal to write, but wrong to run on, since it has
either started (drop ``status: planned``) or slipped (move its ``from``). ``taxonomy check``
reports it as a warning and goes on; nothing planned is ever drawn or counted as in force.
"""

from __future__ import annotations

from collections.abc import Iterator

from taxonomy.structure.findings import Finding, Structure, finding, registered
from taxonomy.structure.graph import edges_of_kind

__all__: list[str] = []


@registered(
    "planned-overdue",
    principle="adaptive",
    looks_for="nothing is still planned once its first day has come",
    per_function=False,
)
def _planned_overdue(structure: Structure) -> Iterator[Finding]:
    graph = structure.graph
    after = "has come by the day judged"
    for node, data in graph.nodes(data=True):
        if data.get("overdue"):
            yield finding(
                "planned-overdue",
                "warning",
                f"{structure.label(node)} is planned from {data.get('from')}, a day that "
                f"{after}: say it exists (drop status: planned) or move its from",
                [node],
            )
    for kind in ("member_of", "delegates_to"):
        for u, v, edge in edges_of_kind(graph, kind):
            late = edge.get("overdue")
            if not late:
                continue
            what = (
                f"{structure.label(u)}'s membership of {structure.label(v)}"
                if kind == "member_of"
                else f"the delegation of {', '.join(late)} by {structure.label(u)} to "
                f"{structure.label(v)}"
            )
            yield finding(
                "planned-overdue",
                "warning",
                f"{what} is still planned although its first day {after}: say it exists "
                "(drop status: planned) or move its from",
                [u, v],
            )


@registered(
    "delegated-to-non-performer",
    principle="legal",
    looks_for="a body a function is delegated to carries the function out",
    per_function=False,
)
def _delegated_to_non_performer(structure: Structure) -> Iterator[Finding]:
    """Legal to write, wrong to run: a Board delegated a function it does not carry out."""
    graph = structure.graph
    for u, v, edge in edges_of_kind(graph, "delegates_to"):
        if not v.startswith("board:") or edge.get("status") == "planned":
            continue
        body = graph.nodes[v].get("body")
        for fid in edge.get("functions", ()):
            performers = graph.nodes[f"function:{fid}"].get("performed_by", ())
            if body not in performers:
                yield finding(
                    "delegated-to-non-performer",
                    "warning",
                    f"{structure.label(u)} delegates {fid} to {structure.label(v)}, which does "
                    "not carry it out (not in performed_by): say who delivers it for that body, "
                    "or add it to performed_by",
                    [u, v, f"function:{fid}"],
                )
