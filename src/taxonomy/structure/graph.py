"""The accountability structure a classification implies, as a networkx graph.

Plain functions over ``networkx.MultiDiGraph`` (no graph subclass). Every node has a ``kind``:

- ``board``: one per organisation, always (Boards are never merged: board paper para 8);
- ``joint_body``: a joint committee, committees in common, a joint oversight group, or the joint
  governance of an aligned function;
- ``team``: the people who deliver a function; ``role``: a post such as a joint Regional Director;
- ``function``: an activity, with its recommended arrangement and legal constraints.

Every edge has a ``kind``: ``reports_to`` (a team, role or joint body to whom it answers),
``accountable_to`` (a function to its accountable owner), ``delegates_to`` (a Board delegating
decisions to a joint body), ``employs`` (a Board to a team or role), ``performs`` (a team to its
function) and ``influences`` (a body consulted, without authority: Annex B key "Influence").

The to-be structure of each arrangement follows the papers (para 16 table, Annex B):

- one team: a single team performs the function, employed by and reporting to the lead body's
  Board; with no single lead (joint regional teams) it reports equally to every participating
  Board; the other participants influence it;
- aligned: each participant's own team, all accountable to one joint governance body (a joint body
  of the portfolio's governance that oversees the function, or a new "joint plan" body);
- separate, involvement if needed: the lead's team alone; the other bodies influence it;
- separate and distinct: the lead's team alone.

The as-is structure comes from ``performed_by``: each body runs its own team.

Examples:
    >>> import taxonomy
    >>> portfolio = taxonomy.load_portfolio("examples/nhs_joint_working_2018.yaml")
    >>> graph = build_graph(taxonomy.classify(portfolio))
    >>> graph.nodes["function:pricing"]["arrangement"]
    'aligned'
    >>> sorted(n for n in graph if graph.nodes[n]["kind"] == "board")
    ['board:nhse', 'board:nhsi']
    >>> reporting_lines(graph, "team:it")
    ['board:nhse']
"""

from __future__ import annotations

from typing import Any, TypeAlias

import networkx as nx

from taxonomy._model import Arrangement, Classification, Function, Portfolio

__all__ = [
    "ACCOUNTABILITY_EDGES",
    "Graph",
    "EDGE_KINDS",
    "NODE_KINDS",
    "as_is_graph",
    "build_graph",
    "edges_of_kind",
    "nodes_of_kind",
    "owners",
    "predecessors",
    "reporting_lines",
    "successors",
]

#: The graphs this module builds: node ids are text, e.g. ``board:nhse``, ``function:pricing``.
Graph: TypeAlias = "nx.MultiDiGraph[str]"

NODE_KINDS = ("board", "joint_body", "team", "role", "function")
EDGE_KINDS = ("reports_to", "accountable_to", "delegates_to", "employs", "performs", "influences")
#: Edges that carry accountability upwards, from a function to a Board.
ACCOUNTABILITY_EDGES = ("accountable_to", "reports_to")


def _require_classification(value: object, name: str) -> None:
    if not isinstance(value, Classification):
        hint = (
            " (classify it first: taxonomy.classify(portfolio))"
            if isinstance(value, Portfolio)
            else ""
        )
        raise TypeError(f"{name} takes a Classification, not {type(value).__name__}{hint}")


def build_graph(classification: Classification) -> Graph:
    """The to-be accountability graph of a classification, with the portfolio's governance.

    Raises:
        TypeError: given something other than a :class:`Classification` (a portfolio, say).
    """
    _require_classification(classification, "build_graph")
    portfolio = classification.portfolio
    graph = _base(portfolio, "to-be")
    covering = _covering_bodies(portfolio)
    functions = {fn.id: fn for fn in portfolio.functions}
    for rec in classification:
        fn = functions[rec.function]
        _function_node(graph, fn, rec.arrangement, rec.lead)
        participants = _participants(fn, rec.lead)
        if rec.arrangement is Arrangement.ONE_TEAM:
            team = _team(graph, fn, rec.lead, label=f"{fn.name} (one team)")
            if rec.lead is not None:
                _edge(graph, team, _board(rec.lead), "reports_to")
                for other in participants:
                    if other != rec.lead:
                        _edge(graph, _board(other), team, "influences")
            else:
                # A virtually integrated team: members employed by each body (Annex B).
                for body in participants:
                    _edge(graph, _board(body), team, "employs")
                    _edge(graph, team, _board(body), "reports_to")
            _edge(graph, f"function:{fn.id}", team, "accountable_to", basis="delivery")
            if fn.legal.board_reserved and portfolio.law.joint_committees:
                _decided_jointly(graph, fn, participants, covering.get(fn.id))
        elif rec.arrangement is Arrangement.ALIGNED:
            joint = covering.get(fn.id)
            if joint is None:
                joint = _proposed_joint_body(
                    graph,
                    f"joint:plan-{fn.id}",
                    "joint_governance",
                    f"Joint plan and governance: {fn.name}",
                    participants,
                )
            for body in participants:
                team = _team(graph, fn, body, label=f"{fn.name} ({body})", own=True)
                _edge(graph, team, _board(body), "reports_to")
                _edge(graph, team, joint, "accountable_to")
            _edge(graph, f"function:{fn.id}", joint, "accountable_to", basis="joint plan")
        else:
            lead = rec.lead
            assert lead is not None  # separate arrangements always name a lead
            team = _team(graph, fn, lead, label=f"{fn.name} ({lead} led)", own=True)
            _edge(graph, team, _board(lead), "reports_to")
            _edge(graph, f"function:{fn.id}", team, "accountable_to", basis="delivery")
            if rec.arrangement is Arrangement.SEPARATE_INVOLVED:
                for other in portfolio.organisation_ids:
                    if other != lead and other not in fn.legal.independence_from:
                        _edge(graph, _board(other), team, "influences")
    _governance(graph, portfolio)
    return graph


def _proposed_joint_body(
    graph: Graph, node: str, body_kind: str, label: str, participants: list[str]
) -> str:
    """Add a joint body the structure implies (not in the governance), reporting to each Board."""
    graph.add_node(node, kind="joint_body", body_kind=body_kind, proposed=True, label=label)
    for body in participants:
        _edge(graph, node, _board(body), "reports_to")
    return node


def _decided_jointly(
    graph: Graph, fn: Function, participants: list[str], given: str | None
) -> None:
    """A Board-reserved function in one team: its decision goes to a joint committee.

    Only where the law allows joint committees (``law.joint_committees``); the governance's own
    joint committee is used when it takes the function's decisions, else one is proposed.
    """
    if given is not None:
        return  # the portfolio's governance already delegates the decision
    node = _proposed_joint_body(
        graph,
        f"joint:committee-{fn.id}",
        "joint_committee",
        f"Joint committee: {fn.name}",
        participants,
    )
    for body in participants:
        _edge(graph, _board(body), node, "delegates_to", functions=(fn.id,))
    _edge(graph, f"function:{fn.id}", node, "accountable_to", basis="delegated decisions")


def as_is_graph(portfolio: Portfolio, classification: Classification | None = None) -> Graph:
    """The as-is graph: each body in ``performed_by`` runs its own team, plus the governance.

    With a classification, function nodes also carry the recommended arrangement, so the checks
    can compare today's structure with the recommendation (e.g. a one-team function still
    delivered by two teams).
    """
    if not isinstance(portfolio, Portfolio):
        raise TypeError(f"as_is_graph takes a Portfolio, not {type(portfolio).__name__}")
    if classification is not None:
        _require_classification(classification, "as_is_graph")
    graph = _base(portfolio, "as-is")
    for fn in portfolio.functions:
        rec = classification[fn.id] if classification is not None else None
        _function_node(graph, fn, rec.arrangement if rec else None, rec.lead if rec else None)
        for body in fn.performed_by:
            team = _team(graph, fn, body, label=f"{fn.name} ({body})", own=True)
            _edge(graph, team, _board(body), "reports_to")
            _edge(graph, f"function:{fn.id}", team, "accountable_to", basis="delivery")
    _governance(graph, portfolio)
    return graph


def owners(graph: Graph, function: str) -> list[str]:
    """The nodes a function is accountable to (its accountable owners), sorted.

    Examples:
        >>> g = nx.MultiDiGraph()
        >>> g.add_edge("function:f", "team:f", kind="accountable_to")
        0
        >>> owners(g, "function:f")
        ['team:f']
    """
    return sorted(set(successors(graph, function, "accountable_to")))


def reporting_lines(graph: Graph, node: str) -> list[str]:
    """The nodes ``node`` reports to, sorted."""
    return sorted(set(successors(graph, node, "reports_to")))


def successors(graph: Graph, node: str, kind: str) -> list[str]:
    """The nodes ``node`` has an edge of ``kind`` to, in edge order."""
    return [v for _, v, data in graph.out_edges(node, data=True) if data.get("kind") == kind]


def predecessors(graph: Graph, node: str, kind: str) -> list[str]:
    """The nodes with an edge of ``kind`` to ``node``, in edge order."""
    return [u for u, _, data in graph.in_edges(node, data=True) if data.get("kind") == kind]


def edges_of_kind(graph: Graph, kind: str) -> list[tuple[str, str, dict[str, Any]]]:
    """Every edge of one kind, with its data."""
    return [(u, v, data) for u, v, data in graph.edges(data=True) if data.get("kind") == kind]


# --- building blocks --------------------------------------------------------------------------


def _board(body: str) -> str:
    return f"board:{body}"


def _edge(graph: Graph, u: str, v: str, kind: str, **attrs: Any) -> None:
    # Edges are keyed by kind: at most one edge of each kind between two nodes.
    if not graph.has_edge(u, v, key=kind):
        graph.add_edge(u, v, key=kind, kind=kind, **attrs)


def _base(portfolio: Portfolio, state: str) -> Graph:
    graph: Graph = nx.MultiDiGraph(
        name=portfolio.name,
        state=state,
        joint_committees_lawful=portfolio.law.joint_committees,
        organisations=list(portfolio.organisation_ids),
    )
    for org in portfolio.organisations:
        graph.add_node(_board(org.id), kind="board", label=f"{org.name} Board", body=org.id)
    return graph


def _function_node(
    graph: Graph, fn: Function, arrangement: Arrangement | None, lead: str | None
) -> None:
    graph.add_node(
        f"function:{fn.id}",
        kind="function",
        label=fn.name,
        function=fn.id,
        arrangement=str(arrangement) if arrangement is not None else None,
        category=arrangement.category if arrangement is not None else None,
        lead=lead,
        performed_by=fn.performed_by,
        delegable_to=fn.legal.delegable_to,
        board_reserved=fn.legal.board_reserved,
        independence_from=fn.legal.independence_from,
    )


def _participants(fn: Function, lead: str | None) -> list[str]:
    bodies = list(fn.performed_by)
    if lead is not None and lead not in bodies:
        bodies.insert(0, lead)
    return bodies


def _team(
    graph: Graph, fn: Function, employer: str | None, *, label: str, own: bool = False
) -> str:
    node = f"team:{fn.id}:{employer}" if own else f"team:{fn.id}"
    graph.add_node(node, kind="team", label=label, employer=employer or "", function=fn.id)
    if employer is not None:
        _edge(graph, _board(employer), node, "employs")
    _edge(graph, node, f"function:{fn.id}", "performs")
    return node


def _covering_bodies(portfolio: Portfolio) -> dict[str, str]:
    """The joint body of the governance that oversees or takes each function's decisions."""
    covering: dict[str, str] = {}
    for body in portfolio.governance.bodies:
        for fid in (*body.delegated, *body.oversees):
            covering.setdefault(fid, f"joint:{body.id}")
    return covering


def _governance(graph: Graph, portfolio: Portfolio) -> None:
    """Add the portfolio's joint bodies and roles, and re-home the functions they own."""
    for body in portfolio.governance.bodies:
        node = f"joint:{body.id}"
        graph.add_node(
            node, kind="joint_body", body_kind=body.kind, label=body.name, proposed=False
        )
        for member in body.members:
            _edge(graph, node, _board(member), "reports_to")
            if body.delegated:
                _edge(graph, _board(member), node, "delegates_to", functions=body.delegated)
        for fid in body.delegated:
            _edge(graph, f"function:{fid}", node, "accountable_to", basis="delegated decisions")
        for fid in body.oversees:
            _edge(graph, node, f"function:{fid}", "influences")
    for role in portfolio.governance.roles:
        node = f"role:{role.id}"
        graph.add_node(node, kind="role", label=role.name, employer=role.employed_by)
        _edge(graph, _board(role.employed_by), node, "employs")
        for target in role.reports_to:
            _edge(graph, node, _node_for(portfolio, target), "reports_to")
        for fid in role.accountable_for:
            function = f"function:{fid}"
            # The role heads the teams delivering the function: they report to it, and it is
            # the function's accountable owner in their place.
            for team in _teams_of(graph, function):
                for board in [v for v in reporting_lines(graph, team) if v.startswith("board:")]:
                    graph.remove_edge(team, board, key="reports_to")
                _edge(graph, team, node, "reports_to")
                if graph.has_edge(function, team, key="accountable_to"):
                    graph.remove_edge(function, team, key="accountable_to")
            _edge(graph, function, node, "accountable_to", basis="role")


def _teams_of(graph: Graph, function: str) -> list[str]:
    return sorted(predecessors(graph, function, "performs"))


def _node_for(portfolio: Portfolio, target: str) -> str:
    if target in portfolio.organisation_ids:
        return _board(target)
    if any(b.id == target for b in portfolio.governance.bodies):
        return f"joint:{target}"
    return f"role:{target}"


def nodes_of_kind(graph: Graph, kind: str) -> list[str]:
    """The nodes of one kind, in insertion order."""
    return [n for n, data in graph.nodes(data=True) if data.get("kind") == kind]
