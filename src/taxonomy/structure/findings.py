"""Findings, and the registry of the checks that find them.

A check is a small function registered with :func:`registered`: it reads one function of the
graph (a :class:`Site`) or the whole :class:`Structure`, and yields its findings
(:class:`Finding`). The checks themselves are declared in :mod:`taxonomy.structure.checks`,
which runs them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs
import networkx as nx

from taxonomy._output_shape import STRING, STRINGS, Schema, Shape, each, key
from taxonomy.structure.graph import (
    ACCOUNTABILITY_EDGES,
    Graph,
    edges_of_kind,
    nodes_of_kind,
    owners,
    predecessors,
)

__all__ = [
    "CHECKS",
    "FINDING_JSON",
    "FUNCTION_CHECKS",
    "METRICS_JSON",
    "NEEDED_HANDOVERS",
    "SEVERITIES",
    "STRUCTURE_CHECKS",
    "STRUCTURE_REPORT_JSON",
    "Finding",
    "Metrics",
    "Site",
    "Structure",
    "StructureReport",
    "accountability_view",
    "finding",
    "registered",
]

SEVERITIES = ("error", "warning", "info")

#: Every check, the principle it serves, and what it looks for, in the order they are registered
#: (:mod:`taxonomy.structure.checks` declares them); each entry is added by :func:`registered`.
CHECKS: dict[str, tuple[str, str]] = {}

#: Handovers from a function to a Board: function -> owner -> Board is one handover.
NEEDED_HANDOVERS = 1


@attrs.frozen
class Finding:
    """One thing a check found.

    Attributes:
        check: the check's name (a key of :data:`CHECKS`).
        principle: the design principle behind it, or "legal".
        severity: error, warning or info.
        message: what was found, in words.
        nodes: the graph nodes involved, sorted.
    """

    check: str
    principle: str
    severity: str
    message: str
    nodes: tuple[str, ...]

    def _repr_html_(self) -> str:
        import html

        colour = {"error": "#9b1c1c", "warning": "#8a5a00"}.get(self.severity, "#52606d")
        return (
            f'<div><b style="color:{colour}">{self.severity}</b> {html.escape(self.check)} '
            f"({html.escape(self.principle)}): {html.escape(self.message)}</div>"
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (:data:`FINDING_JSON`)."""
        return FINDING_JSON.dump(self)


#: A finding in the ``check`` JSON (:meth:`Finding.to_dict`), and its schema.
FINDING_JSON = Shape(
    key("check", STRING),
    key("principle", STRING),
    key("severity", {"enum": list(SEVERITIES)}),
    key("message", STRING),
    key("nodes", STRINGS, via=list),
    order=("check", "severity", "principle", "message", "nodes"),
)


@attrs.frozen
class Metrics:
    """What a structure costs: the figures compared as-is against to-be.

    Attributes:
        boards, teams, roles, joint_bodies: how many of each node there are.
        reporting_lines: reporting edges (a team or role to whom it reports).
        handovers: summed over functions, the steps from the function to its nearest Board
            beyond the first.
        functions_delivered_more_than_once: functions more than one team performs.
        findings: the structure's findings by severity (every severity, zeros included).
    """

    boards: int
    teams: int
    roles: int
    joint_bodies: int
    reporting_lines: int
    handovers: int
    functions_delivered_more_than_once: int
    findings: tuple[tuple[str, int], ...]

    def flat(self) -> dict[str, int]:
        """Every figure by name, findings as ``findings: SEVERITY``, in a stable order."""
        figures = attrs.asdict(self, filter=lambda a, _: a.name != "findings")
        return {**figures, **{f"findings: {s}": n for s, n in self.findings}}

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract: each figure by name, ``findings`` as severity to count."""
        return METRICS_JSON.dump(self)


_COUNT: Schema = {"type": "integer", "minimum": 0}

#: A structure's metrics in the ``check`` and ``whatif`` JSON (:meth:`Metrics.to_dict`).
METRICS_JSON = Shape(
    *(key(a.name, _COUNT) for a in attrs.fields(Metrics) if a.name != "findings"),
    key("findings", Shape(*(key(s, _COUNT) for s in SEVERITIES)), via=dict),
)


@attrs.frozen
class StructureReport:
    """The to-be structure checked, and measured against the as-is one (``taxonomy check``).

    Attributes:
        findings: the to-be structure's findings.
        as_is: the as-is structure's metrics (counting its own findings).
        to_be: the to-be structure's metrics.
    """

    findings: tuple[Finding, ...]
    as_is: Metrics
    to_be: Metrics

    @property
    def errors(self) -> list[Finding]:
        """The findings of severity error."""
        return [f for f in self.findings if f.severity == "error"]

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract: ``{"findings": [...], "metrics": {"as_is": ..., "to_be": ...}}``."""
        return STRUCTURE_REPORT_JSON.dump(self)


_METRICS_REF: Schema = {"$ref": "#/$defs/metrics"}
#: The as-is and to-be metrics side by side, under ``metrics``.
_METRICS_PAIR = Shape(
    key("as_is", _METRICS_REF, via=METRICS_JSON.dump),
    key("to_be", _METRICS_REF, via=METRICS_JSON.dump),
)
#: The ``check`` JSON (:meth:`StructureReport.to_dict`), and the body of its schema (the
#: metrics are its ``$defs``: :data:`METRICS_JSON`).
STRUCTURE_REPORT_JSON = Shape(
    key("findings", {"type": "array", "items": FINDING_JSON}, via=each(FINDING_JSON)),
    key("metrics", _METRICS_PAIR, read=_METRICS_PAIR.dump),
)


@attrs.frozen
class Structure:
    """What every check reads of the whole graph, worked out once per :func:`check`.

    Attributes:
        graph: the accountability graph.
        view: its accountability edges only (who answers to whom), as a plain digraph.
        boards: the Board nodes.
        delegations: per function node, the joint bodies its decisions are delegated to
            (committees in common aside: they keep each Board's decision), each with the
            bodies delegating.
    """

    graph: Graph
    view: nx.DiGraph[str]
    boards: list[str]
    delegations: dict[str, dict[str, list[str]]]

    def label(self, node: str) -> str:
        """The node's label, or its id."""
        return str(self.graph.nodes[node].get("label", node))

    def kind(self, node: str, key: str = "kind") -> Any:
        """An attribute of ``node`` (its ``kind`` unless another key is named)."""
        return self.graph.nodes[node].get(key)

    @classmethod
    def of(cls, graph: Graph) -> Structure:
        """The structure of ``graph``, as the checks read it."""
        delegations: dict[str, dict[str, list[str]]] = {}
        for u, v, edge in edges_of_kind(graph, "delegates_to"):
            if graph.nodes[v].get("body_kind") != "committees_in_common":
                for fid in edge.get("functions", ()):
                    if fid in edge.get("planned", ()):
                        continue  # planned: not in force, so not yet a delegation to check
                    delegations.setdefault(f"function:{fid}", {}).setdefault(v, []).append(u)
        return cls(graph, accountability_view(graph), nodes_of_kind(graph, "board"), delegations)

    def site(self, function: str) -> Site:
        """The function node ``function`` as the function checks read it."""
        graph = self.graph
        owned_by = owners(graph, function)
        # Decisions delegated to a joint body and delivery are two kinds of accountability: each
        # should sit in one place (a joint committee deciding, one team or role delivering).
        deciders = [n for n in owned_by if _basis(graph, function, n) == "delegated decisions"]
        # Where the law gives each body the duty of its own, each body's team answers for its
        # own part: several owners are what the law requires, not a lack of one accountability.
        own = {n for n in owned_by if _basis(graph, function, n) == "own duty"}
        return Site(
            structure=self,
            function=function,
            name=self.label(function),
            data=graph.nodes[function],
            owners=owned_by,
            teams=sorted(predecessors(graph, function, "performs")),
            deciders=deciders,
            own=own,
            deliverers=[n for n in owned_by if n not in deciders and n not in own],
            lengths=nx.single_source_shortest_path_length(self.view, function),
            delegating=self.delegations.get(function, {}),
        )


@attrs.frozen
class Site:
    """One function as the function checks read it.

    Attributes:
        structure: the whole graph's view.
        function: the function node.
        name: its label.
        data: its node attributes.
        owners: the nodes it is accountable to.
        teams: the teams performing it, sorted.
        deciders: owners it is accountable to for decisions delegated to them.
        own: owners answering for their own body's duty (the law gives each body its own).
        deliverers: the other owners, accountable for delivery.
        lengths: steps from the function to each node it reaches by accountability.
        delegating: the joint bodies its decisions are delegated to, with who delegates.
    """

    structure: Structure
    function: str
    name: str
    data: Mapping[str, Any]
    owners: list[str]
    teams: list[str]
    deciders: list[str]
    own: set[str]
    deliverers: list[str]
    lengths: Mapping[str, int]
    delegating: dict[str, list[str]]

    @property
    def graph(self) -> Graph:
        """The accountability graph."""
        return self.structure.graph


FunctionCheck = Callable[[Site], Iterator[Finding]]
StructureCheck = Callable[[Structure], Iterator[Finding]]

#: The checks reading one function at a time, in the order they were registered.
FUNCTION_CHECKS: list[FunctionCheck] = []
#: The checks reading the whole structure once, in the order they were registered.
STRUCTURE_CHECKS: list[StructureCheck] = []


def registered(
    name: str, *, principle: str, looks_for: str, per_function: bool = True
) -> Callable[[Any], Any]:
    """Register a check under ``name`` (a key of :data:`CHECKS`): adding a check is one function.

    Args:
        name: the check's name, as findings and ``taxonomy check`` show it.
        principle: the Annex B design principle it serves, or "legal".
        looks_for: what it looks for, in words.
        per_function: True: the check reads one function (a :class:`Site`) at a time; False:
            it reads the whole :class:`Structure` once.
    """

    def register(found: Any) -> Any:
        if name in CHECKS:
            raise ValueError(f"check '{name}' is registered twice")
        CHECKS[name] = (principle, looks_for)
        (FUNCTION_CHECKS if per_function else STRUCTURE_CHECKS).append(found)
        return found

    return register


def finding(name: str, severity: str, message: str, nodes: list[str]) -> Finding:
    """A finding of the registered check ``name``, its nodes sorted once each."""
    return Finding(name, CHECKS[name][0], severity, message, tuple(sorted(set(nodes))))


def _basis(graph: Graph, function: str, owner: str) -> str:
    data = graph.get_edge_data(function, owner, key="accountable_to") or {}
    return str(data.get("basis", ""))


def accountability_view(graph: Graph) -> nx.DiGraph[str]:
    """The graph's accountability edges only (who answers to whom), as a plain digraph."""
    view: nx.DiGraph[str] = nx.DiGraph()
    view.add_nodes_from(graph.nodes)
    view.add_edges_from(
        (u, v) for u, v, key in graph.edges(keys=True) if key in ACCOUNTABILITY_EDGES
    )
    return view
