"""Checks of an accountability graph against the design principles and the law.

``check(graph)`` returns findings, each naming the check, the principle behind it (Annex B
design principles; "legal" for the constraints of para 8), a severity (error, warning, info), a
message and the nodes involved. ``measure(graph)`` gives the metrics compared as-is against to-be.

Examples:
    >>> import taxonomy
    >>> from taxonomy.structure.graph import build_graph
    >>> portfolio = taxonomy.load_portfolio("examples/nhs_joint_working_2018.yaml")
    >>> [f.check for f in check(build_graph(taxonomy.classify(portfolio))) if f.severity == "error"]
    []
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import attrs
import networkx as nx

from taxonomy._model import Classification
from taxonomy.structure.graph import (
    ACCOUNTABILITY_EDGES,
    Graph,
    edges_of_kind,
    nodes_of_kind,
    owners,
    predecessors,
    reporting_lines,
    successors,
)

__all__ = [
    "CHECKS",
    "SEVERITIES",
    "Finding",
    "Metrics",
    "StructureReport",
    "check",
    "measure",
    "structure_report",
]

SEVERITIES = ("error", "warning", "info")

#: Every check, the principle it serves, and what it looks for.
CHECKS = {
    "single-accountability": ("simple", "every function has one accountable owner"),
    "reporting-lines": ("simple", "no role or team has more than two reporting lines (Annex A)"),
    "handovers": ("simple", "a function reaches its Board in the fewest handovers"),
    "delivered-once": ("cost-effective", "a one-team function is delivered by one team"),
    "aligned-governance": ("aligned", "an aligned function has joint governance and a plan"),
    "joint-committee-law": ("legal", "decisions go to a joint committee only where lawful"),
    "employees-only": ("legal", "a function only X's employees may do is done by X's employees"),
    "board-reserved": ("legal", "a Board-reserved decision stays with its Board"),
    "not-delegable": (
        "legal",
        "what may not be delegated (to a joint committee, to another body's staff) is not",
    ),
    "serves-every-body": ("collaborative", "one team is accountable to every body it serves"),
    "lead-undecided": ("simple", "every function the rules could not give a lead is agreed"),
    "independence": ("legal", "a function stays independent of the bodies it must"),
    "reporting-cycle": ("simple", "reporting lines have no cycles"),
    "reaches-board": ("simple", "every team, role and joint body reaches a Board"),
    "undecided": ("simple", "every function is decided (no answer it turns on is left open)"),
}

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
        """A JSON-ready dict."""
        return {
            "check": self.check,
            "principle": self.principle,
            "severity": self.severity,
            "message": self.message,
            "nodes": list(self.nodes),
        }


def _finding(name: str, severity: str, message: str, nodes: list[str]) -> Finding:
    return Finding(name, CHECKS[name][0], severity, message, tuple(sorted(set(nodes))))


def _label(graph: Graph, node: str) -> str:
    return str(graph.nodes[node].get("label", node))


def check(graph: Graph) -> list[Finding]:
    """Run every check on ``graph``; findings are sorted by severity, check and nodes."""
    findings: list[Finding] = []
    functions = nodes_of_kind(graph, "function")
    view = _accountability_view(graph)
    boards = nodes_of_kind(graph, "board")
    delegations: dict[str, dict[str, list[str]]] = {}
    for u, v, edge in edges_of_kind(graph, "delegates_to"):
        if graph.nodes[v].get("body_kind") != "committees_in_common":
            for fid in edge.get("functions", ()):
                delegations.setdefault(f"function:{fid}", {}).setdefault(v, []).append(u)
    for function in functions:
        findings += _function_checks(graph, function, view, delegations.get(function, {}), boards)
    for node in nodes_of_kind(graph, "role") + nodes_of_kind(graph, "team"):
        lines = reporting_lines(graph, node)
        if len(lines) > 2:
            findings.append(
                _finding(
                    "reporting-lines",
                    "warning",
                    f"{_label(graph, node)} has {len(lines)} reporting lines "
                    f"({', '.join(lines)}); Annex A: many reporting lines create a "
                    "disproportionate administrative burden",
                    [node, *lines],
                )
            )
    findings += _joint_committee_law(graph)
    findings += _structure(graph, view, boards)
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(findings, key=lambda f: (order[f.severity], f.check, f.nodes, f.message))


def _basis(graph: Graph, function: str, owner: str) -> str:
    data = graph.get_edge_data(function, owner, key="accountable_to") or {}
    return str(data.get("basis", ""))


def _accountability_view(graph: Graph) -> nx.DiGraph[str]:
    view: nx.DiGraph[str] = nx.DiGraph()
    view.add_nodes_from(graph.nodes)
    view.add_edges_from(
        (u, v) for u, v, key in graph.edges(keys=True) if key in ACCOUNTABILITY_EDGES
    )
    return view


def _function_checks(
    graph: Graph,
    function: str,
    view: nx.DiGraph[str],
    delegating: dict[str, list[str]],
    boards: list[str],
) -> list[Finding]:
    data = graph.nodes[function]
    name = _label(graph, function)
    if data.get("decided") is False:  # open: nothing of its structure is decided to check
        return [_undecided(name, data, function)]
    found: list[Finding] = []
    owned_by = owners(graph, function)
    teams = sorted(predecessors(graph, function, "performs"))
    # Decisions delegated to a joint body and delivery are two kinds of accountability: each
    # should sit in one place (a joint committee deciding, one team or role delivering).
    deciders = [n for n in owned_by if _basis(graph, function, n) == "delegated decisions"]
    # Where the law gives each body the duty of its own, each body's team answers for its own
    # part: several owners are what the law requires, not a lack of one point of accountability.
    own = {n for n in owned_by if _basis(graph, function, n) == "own duty"}
    deliverers = [n for n in owned_by if n not in deciders and n not in own]
    if not owned_by:
        found.append(
            _finding(
                "single-accountability", "error", f"{name} has no accountable owner", [function]
            )
        )
    for group, what in ((deliverers, "delivery"), (deciders, "decisions")):
        if len(group) > 1:
            found.append(
                _finding(
                    "single-accountability",
                    "warning",
                    f"{name} has {len(group)} owners accountable for {what} "
                    f"({', '.join(group)}); Annex B: wherever possible, a single point of "
                    "accountability",
                    [function, *group],
                )
            )
    lengths = nx.single_source_shortest_path_length(view, function)
    reached = [lengths[b] for b in boards if b in lengths]
    if reached and min(reached) - 1 > NEEDED_HANDOVERS:
        found.append(
            _finding(
                "handovers",
                "warning",
                f"{name} reaches a Board after {min(reached) - 1} handovers; {NEEDED_HANDOVERS} is "
                "enough (Annex B: the minimum number of steps and handovers)",
                [function],
            )
        )

    arrangement = data.get("arrangement")
    if arrangement == "one_team" and len(teams) > 1:
        found.append(
            _finding(
                "delivered-once",
                "warning",
                f"{name} is recommended as one team but is delivered by {len(teams)} teams "
                f"({', '.join(teams)}); Annex B: wherever possible we do things once",
                [function, *teams],
            )
        )
    if arrangement == "aligned":
        joint = [n for n in owned_by if graph.nodes[n].get("kind") == "joint_body"]
        joint += [
            u
            for u in predecessors(graph, function, "influences")
            if graph.nodes[u].get("kind") == "joint_body"
        ]
        if not joint:
            found.append(
                _finding(
                    "aligned-governance",
                    "warning",
                    f"{name} is recommended as aligned but no joint governance or shared plan "
                    "covers it (Annex B category 2: joint governance to a single aligned plan)",
                    [function, *teams],
                )
            )

    delegable = tuple(data.get("delegable_to") or ())
    if delegable:
        doers = sorted(
            set(teams) | {n for n in owned_by if graph.nodes[n].get("kind") in ("role", "team")}
        )
        for doer in doers:
            employer = graph.nodes[doer].get("employer") or ""
            if employer not in delegable:
                who = f"employed by {employer}" if employer else "with staff of several bodies"
                found.append(
                    _finding(
                        "employees-only",
                        "error",
                        f"{name} may only be carried out by employees of {', '.join(delegable)}, "
                        f"but {_label(graph, doer)} is {who} (board paper para 8)",
                        [function, doer],
                    )
                )
    if data.get("board_reserved"):
        # A Board-reserved decision may be taken jointly only by a joint committee of the
        # Boards, and only where the law allows one; committees in common keep each Board's
        # decision and are not delegations at all.
        lawful = bool(graph.graph.get("joint_committees_lawful", False))
        joint_deciders = [
            body
            for body in delegating
            if graph.nodes[body].get("body_kind") == "joint_committee" and lawful
        ]
        for body, delegators in sorted(delegating.items()):
            if body in joint_deciders:
                continue
            kind = graph.nodes[body].get("body_kind")
            why = (
                "an oversight group takes no decisions"
                if kind != "joint_committee"
                else "the law lets these Boards form no joint committee"
            )
            found.append(
                _finding(
                    "board-reserved",
                    "error",
                    f"{name} is a decision reserved to a Board, but it is delegated to "
                    f"{_label(graph, body)} (by {', '.join(sorted(delegators))}): {why}",
                    [function, body, *delegators],
                )
            )
    limits = tuple(data.get("not_delegable_to") or ())
    if "joint_committee" in limits:
        for body, delegators in sorted(delegating.items()):
            if graph.nodes[body].get("body_kind") == "joint_committee":
                found.append(
                    _finding(
                        "not-delegable",
                        "error",
                        f"{name} may not be delegated to a joint committee, but "
                        f"{_label(graph, body)} takes it (by {', '.join(sorted(delegators))})",
                        [function, body, *delegators],
                    )
                )
    if "another_body" in limits:
        for team in teams:
            served = tuple(graph.nodes[team].get("serves") or ())
            employer = graph.nodes[team].get("employer") or ""
            others = [b for b in served if b != employer]
            if others:
                found.append(
                    _finding(
                        "not-delegable",
                        "error",
                        f"{name} must be carried out by each body's own employees, but "
                        f"{_label(graph, team)} serves {', '.join(others)} with staff "
                        f"{'of ' + employer if employer else 'of no single body'}",
                        [function, team],
                    )
                )
    if arrangement == "one_team":
        for team in teams:
            served = tuple(graph.nodes[team].get("serves") or ())
            answering = {
                v for v in successors(graph, team, "accountable_to") if v.startswith("board:")
            }
            missing = [b for b in served if f"board:{b}" not in answering]
            if missing:
                found.append(
                    _finding(
                        "serves-every-body",
                        "warning",
                        f"{name} is one team serving {', '.join(served)}, but its head is not "
                        f"accountable to {', '.join(missing)} (Annex B category 1: the head of "
                        "the team is accountable to both organisations)",
                        [function, team],
                    )
                )
    tied = tuple(data.get("tied") or ())
    if tied:
        found.append(
            _finding(
                "lead-undecided",
                "warning",
                f"{name} has no lead yet: the rules could not separate {', '.join(tied)}; the "
                "bodies must agree one (para 16: agree a 'lead organisation' for each function)",
                [function],
            )
        )
    for body in data.get("independence_from") or ():
        board = f"board:{body}"
        under = [t for t in teams if graph.nodes[t].get("employer") == body]
        if board in lengths:
            under.append(board)
        if under:
            found.append(
                _finding(
                    "independence",
                    "error",
                    f"{name} must stay independent of {body}, but sits under it "
                    f"({', '.join(sorted(set(under)))})",
                    [function, *under],
                )
            )
    return found


def _undecided(name: str, data: dict[str, Any], function: str) -> Finding:
    """An open function, as a finding: its options and the question to answer first."""
    options = " or ".join(str(s) for s in data.get("shares") or data.get("possible") or ())
    return _finding(
        "undecided",
        "info",
        f"{name} is not decided yet (answers left open): {options}; each body keeps its own "
        f"team until it is; answer {data.get('open_question')} first",
        [function],
    )


def _joint_committee_law(graph: Graph) -> list[Finding]:
    if graph.graph.get("joint_committees_lawful", False):
        return []
    found = []
    for node in nodes_of_kind(graph, "joint_body"):
        kind = graph.nodes[node].get("body_kind")
        delegated = predecessors(graph, node, "delegates_to")
        if delegated and kind in ("joint_committee", "joint_oversight_group"):
            found.append(
                _finding(
                    "joint-committee-law",
                    "error",
                    f"decisions are delegated to {_label(graph, node)} ({kind}), but the law "
                    "does not let these bodies delegate to a joint committee "
                    "(law.joint_committees is false)",
                    [node, *delegated],
                )
            )
    return found


def _structure(graph: Graph, view: nx.DiGraph[str], boards: list[str]) -> list[Finding]:
    found = []
    cyclic = [] if nx.is_directed_acyclic_graph(view) else nx.strongly_connected_components(view)
    for component in cyclic:
        if len(component) > 1:
            members = sorted(component)
            found.append(
                _finding(
                    "reporting-cycle",
                    "error",
                    f"reporting lines form a cycle among: {', '.join(members)}",
                    members,
                )
            )
    # Everything that reaches a Board, found once by walking the reporting lines backwards.
    reach = set(boards)
    frontier = list(boards)
    while frontier:
        node = frontier.pop()
        for parent in view.predecessors(node):
            if parent not in reach:
                reach.add(parent)
                frontier.append(parent)
    for kind in ("team", "role", "joint_body"):
        for node in nodes_of_kind(graph, kind):
            if node not in reach:
                found.append(
                    _finding(
                        "reaches-board",
                        "error",
                        f"{_label(graph, node)} reaches no Board through its reporting lines",
                        [node],
                    )
                )
    return found


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
        figures: dict[str, Any] = attrs.asdict(self, filter=lambda a, _: a.name != "findings")
        figures["findings"] = dict(self.findings)
        return figures


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
        return {
            "findings": [f.to_dict() for f in self.findings],
            "metrics": {"as_is": self.as_is.to_dict(), "to_be": self.to_be.to_dict()},
        }


def measure(graph: Graph, findings: list[Finding] | None = None) -> Metrics:
    """The structure's metrics: teams, reporting lines, joint bodies, handovers, duplication.

    Args:
        graph: an accountability graph.
        findings: its findings, if already computed (else they are computed here).
    """
    findings = check(graph) if findings is None else findings
    view = _accountability_view(graph)
    boards = nodes_of_kind(graph, "board")
    handovers = 0
    delivered_more_than_once = 0
    for function in nodes_of_kind(graph, "function"):
        lengths = nx.single_source_shortest_path_length(view, function)
        reached = [lengths[b] for b in boards if b in lengths]
        handovers += (min(reached) - 1) if reached else 0
        performing = predecessors(graph, function, "performs")
        delivered_more_than_once += len(performing) > 1
    severities = Counter(f.severity for f in findings)
    return Metrics(
        boards=len(boards),
        teams=len(nodes_of_kind(graph, "team")),
        roles=len(nodes_of_kind(graph, "role")),
        joint_bodies=len(nodes_of_kind(graph, "joint_body")),
        reporting_lines=len(edges_of_kind(graph, "reports_to")),
        handovers=handovers,
        functions_delivered_more_than_once=delivered_more_than_once,
        findings=tuple((s, severities.get(s, 0)) for s in SEVERITIES),
    )


def structure_report(classification: Classification) -> StructureReport:
    """Check the to-be structure and measure it against the as-is one (``taxonomy check``).

    The findings are the to-be structure's; the as-is metrics count the as-is structure's own.

    Raises:
        TypeError: given something other than a :class:`Classification` (a portfolio, say).
    """
    from taxonomy.structure.graph import as_is_graph, build_graph

    if not isinstance(classification, Classification):
        raise TypeError(
            f"structure_report takes a Classification, not {type(classification).__name__} "
            "(classify it first: taxonomy.structure_report(taxonomy.classify(portfolio)))"
        )
    to_be = build_graph(classification)
    as_is = as_is_graph(classification.portfolio, classification)
    findings = check(to_be)
    return StructureReport(tuple(findings), measure(as_is), measure(to_be, findings))
