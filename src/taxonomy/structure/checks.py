"""Checks of an accountability graph against the design principles and the law.

``check(graph)`` returns findings, each naming the check, the principle behind it (Annex B
design principles; "legal" for the constraints of para 8), a severity (error, warning, info), a
message and the nodes involved. ``measure(graph)`` gives the metrics compared as-is against to-be.

Each check is one small function below, registered with
:func:`~taxonomy.structure.findings.registered` under its name, principle and what it looks for:
adding a check is adding one function here.

Examples:
    >>> import taxonomy
    >>> from taxonomy.structure.graph import build_graph
    >>> portfolio = taxonomy.load_portfolio("examples/nhs_joint_working_2018.yaml")
    >>> [f.check for f in check(build_graph(taxonomy.classify(portfolio))) if f.severity == "error"]
    []
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import networkx as nx

from taxonomy._results import Classification
from taxonomy.law import breached_independence
from taxonomy.structure.findings import (
    CHECKS,
    FUNCTION_CHECKS,
    NEEDED_HANDOVERS,
    SEVERITIES,
    STRUCTURE_CHECKS,
    Finding,
    Metrics,
    Site,
    Structure,
    StructureReport,
    accountability_view,
    finding,
    registered,
)
from taxonomy.structure.graph import (
    Graph,
    edges_of_kind,
    nodes_of_kind,
    predecessors,
    reporting_lines,
    successors,
)

__all__ = [
    "CHECKS",
    "SEVERITIES",
    "Finding",
    "Metrics",
    "Site",
    "Structure",
    "StructureReport",
    "check",
    "measure",
    "registered",
    "structure_report",
]


def check(graph: Graph) -> list[Finding]:
    """Run every registered check on ``graph``; findings are sorted by severity, check, nodes."""
    structure = Structure.of(graph)
    findings: list[Finding] = []
    for function in nodes_of_kind(graph, "function"):
        site = structure.site(function)
        # An open function (answers left open) has nothing of its structure decided to check.
        open_ = site.data.get("decided") is False
        for function_check in (_undecided,) if open_ else FUNCTION_CHECKS:
            findings += function_check(site)
    for structure_check in STRUCTURE_CHECKS:
        findings += structure_check(structure)
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(findings, key=lambda f: (order[f.severity], f.check, f.nodes, f.message))


# --- the checks, registered in the order CHECKS lists them ------------------------------------


@registered(
    "single-accountability",
    principle="simple",
    looks_for="every function has one accountable owner",
)
def _single_accountability(site: Site) -> Iterator[Finding]:
    name = site.name
    if not site.owners:
        yield finding(
            "single-accountability", "error", f"{name} has no accountable owner", [site.function]
        )
    for group, what in ((site.deliverers, "delivery"), (site.deciders, "decisions")):
        if len(group) > 1:
            yield finding(
                "single-accountability",
                "warning",
                f"{name} has {len(group)} owners accountable for {what} "
                f"({', '.join(group)}); Annex B: wherever possible, a single point of "
                "accountability",
                [site.function, *group],
            )


@registered(
    "reporting-lines",
    principle="simple",
    looks_for="no role or team has more than two reporting lines (Annex A)",
    per_function=False,
)
def _reporting_lines(structure: Structure) -> Iterator[Finding]:
    graph = structure.graph
    for node in nodes_of_kind(graph, "role") + nodes_of_kind(graph, "team"):
        lines = reporting_lines(graph, node)
        if len(lines) > 2:
            yield finding(
                "reporting-lines",
                "warning",
                f"{structure.label(node)} has {len(lines)} reporting lines "
                f"({', '.join(lines)}); Annex A: many reporting lines create a "
                "disproportionate administrative burden",
                [node, *lines],
            )


@registered(
    "handovers",
    principle="simple",
    looks_for="a function reaches its Board in the fewest handovers",
)
def _handovers(site: Site) -> Iterator[Finding]:
    reached = [site.lengths[b] for b in site.structure.boards if b in site.lengths]
    if reached and min(reached) - 1 > NEEDED_HANDOVERS:
        yield finding(
            "handovers",
            "warning",
            f"{site.name} reaches a Board after {min(reached) - 1} handovers; "
            f"{NEEDED_HANDOVERS} is enough (Annex B: the minimum number of steps and handovers)",
            [site.function],
        )


@registered(
    "delivered-once",
    principle="cost-effective",
    looks_for="a one-team function is delivered by one team",
)
def _delivered_once(site: Site) -> Iterator[Finding]:
    teams = site.teams
    if site.data.get("arrangement") == "one_team" and len(teams) > 1:
        yield finding(
            "delivered-once",
            "warning",
            f"{site.name} is recommended as one team but is delivered by {len(teams)} teams "
            f"({', '.join(teams)}); Annex B: wherever possible we do things once",
            [site.function, *teams],
        )


@registered(
    "aligned-governance",
    principle="aligned",
    looks_for="an aligned function has joint governance and a plan",
)
def _aligned_governance(site: Site) -> Iterator[Finding]:
    if site.data.get("arrangement") != "aligned":
        return
    structure = site.structure
    joint = [n for n in site.owners if structure.kind(n) == "joint_body"]
    joint += [
        u
        for u in predecessors(site.graph, site.function, "influences")
        if structure.kind(u) == "joint_body"
    ]
    if not joint:
        yield finding(
            "aligned-governance",
            "warning",
            f"{site.name} is recommended as aligned but no joint governance or shared plan "
            "covers it (Annex B category 2: joint governance to a single aligned plan)",
            [site.function, *site.teams],
        )


@registered(
    "joint-committee-law",
    principle="legal",
    looks_for="decisions go to a joint committee only where lawful",
    per_function=False,
)
def _joint_committee_law(structure: Structure) -> Iterator[Finding]:
    graph = structure.graph
    if graph.graph.get("joint_committees_lawful", False):
        return
    for node in nodes_of_kind(graph, "joint_body"):
        kind = structure.kind(node, "body_kind")
        delegated = predecessors(graph, node, "delegates_to")
        if delegated and kind == "joint_committee":
            yield finding(
                "joint-committee-law",
                "error",
                f"decisions are delegated to {structure.label(node)} ({kind}), but the law "
                "does not let these bodies delegate to a joint committee "
                "(law.joint_committees is false)",
                [node, *delegated],
            )


@registered(
    "employees-only",
    principle="legal",
    looks_for="a function only X's employees may do is done by X's employees",
)
def _employees_only(site: Site) -> Iterator[Finding]:
    delegable = tuple(site.data.get("delegable_to") or ())
    if not delegable:
        return
    structure = site.structure
    doers = sorted(
        set(site.teams) | {n for n in site.owners if structure.kind(n) in ("role", "team")}
    )
    parent = bool(site.data.get("employed_by_parent"))  # para 12: members keep their employer
    for doer in doers:
        employer = structure.kind(doer, "employer") or ""
        employers = (
            set(predecessors(site.graph, doer, "employs")) if parent and not employer else set()
        )
        if employers & {f"board:{b}" for b in delegable}:
            continue
        if employer not in delegable:
            who = f"employed by {employer}" if employer else "with staff of several bodies"
            yield finding(
                "employees-only",
                "error",
                f"{site.name} may only be carried out by employees of {', '.join(delegable)}, "
                f"but {structure.label(doer)} is {who} (board paper para 8)",
                [site.function, doer],
            )


@registered(
    "board-reserved",
    principle="legal",
    looks_for="a Board-reserved decision stays with its Board",
)
def _board_reserved(site: Site) -> Iterator[Finding]:
    if not site.data.get("board_reserved"):
        return
    # A Board-reserved decision may be taken jointly only by a joint committee of the Boards,
    # and only where the law allows one; committees in common keep each Board's decision and
    # are not delegations at all.
    structure = site.structure
    lawful = bool(site.graph.graph.get("joint_committees_lawful", False))
    for body, delegators in sorted(site.delegating.items()):
        kind = structure.kind(body, "body_kind")
        if kind == "joint_committee" and lawful:
            continue
        why = (
            "only a joint committee of the Boards may take it, where the law allows one"
            if kind != "joint_committee"
            else "the law lets these Boards form no joint committee"
        )
        yield finding(
            "board-reserved",
            "error",
            f"{site.name} is a decision reserved to a Board, but it is delegated to "
            f"{structure.label(body)} (by {', '.join(sorted(delegators))}): {why}",
            [site.function, body, *delegators],
        )


@registered(
    "not-delegable",
    principle="legal",
    looks_for="what may not be delegated (to a joint committee, to another body's staff) is not",
)
def _not_delegable(site: Site) -> Iterator[Finding]:
    structure = site.structure
    limits = tuple(site.data.get("not_delegable_to") or ())
    if "joint_committee" in limits:
        for body, delegators in sorted(site.delegating.items()):
            if structure.kind(body, "body_kind") == "joint_committee":
                yield finding(
                    "not-delegable",
                    "error",
                    f"{site.name} may not be delegated to a joint committee, but "
                    f"{structure.label(body)} takes it (by {', '.join(sorted(delegators))})",
                    [site.function, body, *delegators],
                )
    if "another_body" in limits and not site.data.get("employed_by_parent"):
        for team in site.teams:
            served = tuple(structure.kind(team, "serves") or ())
            employer = structure.kind(team, "employer") or ""
            others = [b for b in served if b != employer]
            if others:
                yield finding(
                    "not-delegable",
                    "error",
                    f"{site.name} must be carried out by each body's own employees, but "
                    f"{structure.label(team)} serves {', '.join(others)} with staff "
                    f"{'of ' + employer if employer else 'of no single body'}",
                    [site.function, team],
                )


@registered(
    "only-holders-delegate",
    principle="legal",
    looks_for="only a body that holds a function in law delegates it, where the law says who",
)
def _only_holders_delegate(site: Site) -> Iterator[Finding]:
    holders = tuple(site.data.get("holders") or ())
    if not holders:
        return
    said = f"{site.name} is held in law by {', '.join(holders)}"
    for joint in (f"joint:{body}" for body in site.data.get("unheld") or ()):
        label = site.structure.label(joint)
        message = f"{said}, but it is delegated to {label}, of which none is a member"
        yield finding("only-holders-delegate", "error", message, [site.function, joint])
    for body, delegators in sorted(site.delegating.items()):
        others = sorted(d for d in delegators if d.removeprefix("board:") not in holders)
        if others:
            yield finding(
                "only-holders-delegate",
                "error",
                f"{said}, but {', '.join(others)} delegate it to {site.structure.label(body)}",
                [site.function, body, *others],
            )


@registered(
    "holder-stated",
    principle="legal",
    looks_for="the law says who holds each function delegated to a joint body",
)
def _holder_stated(site: Site) -> Iterator[Finding]:
    if site.data.get("holding") != "not_stated" or not site.delegating:
        return
    for body, delegators in sorted(site.delegating.items()):
        yield finding(
            "holder-stated",
            "warning",
            f"who holds {site.name} in law is not stated: its delegation to "
            f"{site.structure.label(body)} is drawn from the {len(delegators)} bodies that carry "
            "it out (say who holds it: legal.statutory_owner or legal.held_by_each)",
            [site.function, body],
        )


@registered(
    "serves-every-body",
    principle="collaborative",
    looks_for="one team is accountable to every body it serves",
)
def _serves_every_body(site: Site) -> Iterator[Finding]:
    if site.data.get("arrangement") != "one_team":
        return
    for team in site.teams:
        served = tuple(site.structure.kind(team, "serves") or ())
        answering = {
            v for v in successors(site.graph, team, "accountable_to") if v.startswith("board:")
        }
        missing = [b for b in served if f"board:{b}" not in answering]
        if missing:
            yield finding(
                "serves-every-body",
                "warning",
                f"{site.name} is one team serving {', '.join(served)}, but its head is not "
                f"accountable to {', '.join(missing)} (Annex B category 1: the head of "
                "the team is accountable to both organisations)",
                [site.function, team],
            )


@registered(
    "lead-undecided",
    principle="simple",
    looks_for="every function the rules could not give a lead is agreed",
)
def _lead_undecided(site: Site) -> Iterator[Finding]:
    tied = tuple(site.data.get("tied") or ())
    if tied:
        yield finding(
            "lead-undecided",
            "warning",
            f"{site.name} has no lead yet: the rules could not separate {', '.join(tied)}; the "
            "bodies must agree one (para 16: agree a 'lead organisation' for each function)",
            [site.function],
        )


@registered(
    "independence",
    principle="legal",
    looks_for="a function stays independent of the bodies it must",
)
def _independence(site: Site) -> Iterator[Finding]:
    for body in site.data.get("independence_from") or ():
        under = [t for t in site.teams if site.structure.kind(t, "employer") == body]
        # A body outside the portfolio (independent_bodies) is drawn as independent:ID.
        under += [n for n in (f"board:{body}", f"independent:{body}") if n in site.lengths]
        if under:
            yield finding(
                "independence",
                "error",
                f"{site.name} must stay independent of {body}, but sits under it "
                f"({', '.join(sorted(set(under)))})",
                [site.function, *under],
            )
    # A merger that put the function inside a body it must stay independent of keeps the
    # constraint as legal.independence_breached (taxonomy.law.apply_merge), not dropped.
    for body in site.data.get("independence_breached") or ():
        yield finding(
            "independence", "error", breached_independence(site.name, body), [site.function]
        )


@registered(
    "reporting-cycle",
    principle="simple",
    looks_for="reporting lines have no cycles",
    per_function=False,
)
def _reporting_cycle(structure: Structure) -> Iterator[Finding]:
    view = structure.view
    cyclic = [] if nx.is_directed_acyclic_graph(view) else nx.strongly_connected_components(view)
    for component in cyclic:
        if len(component) > 1:
            members = sorted(component)
            yield finding(
                "reporting-cycle",
                "error",
                f"reporting lines form a cycle among: {', '.join(members)}",
                members,
            )


@registered(
    "reaches-board",
    principle="simple",
    looks_for="every team, role and joint body reaches a Board",
    per_function=False,
)
def _reaches_board(structure: Structure) -> Iterator[Finding]:
    # Everything that reaches a Board, found once by walking the reporting lines backwards.
    reach = set(structure.boards)
    frontier = list(structure.boards)
    while frontier:
        node = frontier.pop()
        for parent in structure.view.predecessors(node):
            if parent not in reach:
                reach.add(parent)
                frontier.append(parent)
    for kind in ("team", "role", "joint_body"):
        for node in nodes_of_kind(structure.graph, kind):
            if node not in reach:
                yield finding(
                    "reaches-board",
                    "error",
                    f"{structure.label(node)} reaches no Board through its reporting lines",
                    [node],
                )


@registered(
    "undecided",
    principle="simple",
    looks_for="every function is decided (no answer it turns on is left open)",
)
def _undecided(site: Site) -> Iterator[Finding]:
    """An open function, as a finding: its options and the question to answer first."""
    data = site.data
    if data.get("decided") is not False:
        return
    options = " or ".join(str(s) for s in data.get("shares") or data.get("possible") or ())
    yield finding(
        "undecided",
        "info",
        f"{site.name} is not decided yet (answers left open): {options}; each body keeps its own "
        f"team until it is; answer {data.get('open_question')} first",
        [site.function],
    )


# The checks of dated governance, registered after those above (planned-overdue).
from taxonomy.structure import dated_checks  # noqa: E402, F401


def measure(graph: Graph, *, findings: list[Finding] | None = None) -> Metrics:
    """The structure's metrics: teams, reporting lines, joint bodies, handovers, duplication.

    Args:
        graph: an accountability graph.
        findings: its findings, if already computed (else they are computed here).
    """
    findings = check(graph) if findings is None else findings
    view = accountability_view(graph)
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
    as_is = as_is_graph(classification.portfolio, classification=classification)
    findings = check(to_be)
    return StructureReport(tuple(findings), measure(as_is), measure(to_be, findings=findings))
