"""Drawing who holds, decides and consents to a function, and the forum proposed for it.

The building blocks of :mod:`taxonomy.structure.graph` (a Board's node id, an edge keyed by its
kind, a joint body the structure proposes) and the edges a function's
:class:`~taxonomy._decision.Decision` draws: ``holds`` from each holder's Board, ``decides``
from each Board, post or joint body taking its decision, ``consents`` from each body whose
agreement the decision needs by law, and the joint committee or committees in common proposed
for a decision each Board keeps (each keeper ``delegates_to`` a proposed joint committee).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

import networkx as nx

if TYPE_CHECKING:
    from taxonomy._decision import Decision
    from taxonomy._model import Function, Portfolio

#: The graphs drawn on (:data:`taxonomy.structure.graph.Graph`).
Graph: TypeAlias = "nx.MultiDiGraph[str]"

__all__ = ["board", "draw_forum", "draw_law", "edge", "node_for", "proposed_joint_body"]


def board(body: str) -> str:
    """The node id of ``body``'s governing body: ``board:nhse``."""
    return f"board:{body}"


def edge(graph: Graph, u: str, v: str, kind: str, **attrs: Any) -> None:
    """An edge of ``kind`` from ``u`` to ``v``: at most one of each kind between two nodes."""
    if not graph.has_edge(u, v, key=kind):
        graph.add_edge(u, v, key=kind, kind=kind, **attrs)


def draw_law(graph: Graph, found: Decision, portfolio: Portfolio) -> None:
    """Who holds the function in law, who decides it and who must agree (``found``).

    A ``holds`` edge from each holder's Board (``basis`` says how it holds it); where the law
    does not say, no edge (nothing is guessed) and the node's ``holding`` says ``not_stated``.
    A ``decides`` edge from each Board that keeps the decision, or from the post its body
    names instead (``basis`` ``named``, ``for`` the body); a ``consents`` edge from the Board
    of each body whose agreement the decision needs (``basis``: the statute, where stated).
    """
    function = f"function:{found.function}"
    node = graph.nodes[function]
    node["holding"] = found.holding
    node["holders"] = found.holders
    if found.unheld:
        node["unheld"] = found.unheld
    for body in found.holders:
        edge(graph, board(body), function, "holds", basis=found.holding)
    for decider in found.deciders:
        if decider.kind == "board":
            edge(graph, board(decider.id), function, "decides", basis=decider.basis)
        elif decider.kind == "role" and decider.for_body is not None:
            post = _post(graph, portfolio, decider.id, decider.for_body)
            edge(graph, post, function, "decides", basis="named", **{"for": decider.for_body})
    for consent in found.consents:
        basis = {"basis": consent.basis} if consent.basis is not None else {}
        edge(graph, board(consent.by), function, "consents", **basis)


def _post(graph: Graph, portfolio: Portfolio, role_id: str, employer: str) -> str:
    """The node of a post taking a decision, employed by its body (added if not drawn yet).

    Drawn with its reporting lines (a post it reports to is drawn too), so that it reaches a
    Board in the as-is structure as in the to-be one.
    """
    node = f"role:{role_id}"
    if node in graph:
        return node
    role = next((r for r in portfolio.governance.roles if r.id == role_id), None)
    label = role.name if role is not None else role_id
    graph.add_node(node, kind="role", label=label, employer=employer)
    edge(graph, board(employer), node, "employs")
    for target in role.reports_to if role is not None else ():
        found = node_for(portfolio, target)
        if found.startswith("role:"):
            boss = next(r for r in portfolio.governance.roles if r.id == target)
            _post(graph, portfolio, target, boss.employed_by)
        edge(graph, node, found, "reports_to")
    return node


def node_for(portfolio: Portfolio, target: str) -> str:
    """The node of what a role reports to: a Board, a joint body or another role."""
    if target in portfolio.organisation_ids:
        return board(target)
    if any(b.id == target for b in portfolio.governance.bodies):
        return f"joint:{target}"
    return f"role:{target}"


def draw_forum(graph: Graph, fn: Function, found: Decision) -> None:
    """The forum proposed for a decision each Board keeps, when one team delivers for them all.

    :meth:`Portfolio.decision_forum` names it: a joint committee where the law allows one and
    the decision may go to one (each keeper ``delegates_to`` it), else committees in common
    (each Board's committee meeting together, each keeping its decision).
    """
    function = f"function:{fn.id}"
    keepers = [d.id for d in found.deciders if d.kind == "board" and d.basis != "holder"]
    for decider in found.deciders:
        if decider.basis != "proposed":
            continue
        if decider.kind == "joint_committee":
            node = proposed_joint_body(
                graph,
                f"joint:{decider.id}",
                "joint_committee",
                f"Joint committee: {fn.name}",
                keepers,
            )
            for made in found.delegations:
                if made.to == decider.id:
                    edge(
                        graph,
                        board(made.by),
                        node,
                        "delegates_to",
                        functions=(fn.id,),
                        holder_stated=made.holder_stated,
                    )
            edge(graph, function, node, "accountable_to", basis="delegated decisions")
        else:
            node = proposed_joint_body(
                graph,
                f"joint:{decider.id}",
                "committees_in_common",
                f"Committees in common: {fn.name}",
                keepers,
            )
        edge(graph, node, function, "decides", basis="proposed")


def proposed_joint_body(
    graph: Graph, node: str, body_kind: str, label: str, participants: list[str]
) -> str:
    """Add a joint body the structure implies (not in the governance), reporting to each Board."""
    graph.add_node(node, kind="joint_body", body_kind=body_kind, proposed=True, label=label)
    for body in participants:
        edge(graph, node, board(body), "reports_to")
    return node
