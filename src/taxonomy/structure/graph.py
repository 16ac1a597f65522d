"""The accountability structure a classification implies, as a networkx graph.

Plain functions over ``networkx.MultiDiGraph`` (no graph subclass). Every node has a ``kind``:

- ``board``: one per organisation, always (Boards are never merged: board paper para 8);
- ``joint_body``: a joint committee, committees in common, a joint oversight group, or the joint
  governance of an aligned function;
- ``team``: the people who deliver a function; ``role``: a post such as a joint Regional Director;
- ``function``: an activity, with its recommended arrangement and legal constraints.

Every edge has a ``kind``: ``reports_to`` (a team, role or joint body to whom it answers: its
line), ``accountable_to`` (a function to its accountable owner; a one-team to every Board it
serves), ``holds`` (a Board to a function its body holds in law), ``delegates_to`` (a holder's
Board delegating decisions to a joint body), ``member_of`` (a Board to a joint body its body is a
member of), ``decides`` (a Board, a post its body names, a joint committee or committees in
common that takes the function's decision), ``consents`` (a Board whose agreement the decision
needs by law, without holding it), ``employs`` (a Board to a team or role), ``performs`` (a
team to its function) and ``influences`` (a body consulted, without authority: Annex B key
"Influence").

Who decides is drawn apart from who delivers: a decision reserved to each Board keeps a
``decides`` edge from each Board, whatever team delivers. Who holds, delegates and decides is
worked out once, by :func:`taxonomy._decision.decision_of`, and each recommendation's JSON
carries the same (its ``decision`` block): only a holder delegates; where the law does not say
who holds a function nothing is guessed (no ``holds`` edge; the node's ``holding`` is
``not_stated``).

The to-be structure of each arrangement follows the papers (para 16 table, Annex B):

- one team: a single team performs the function for every body it serves, its head
  accountable to each of them (Annex B category 1); with a lead it is hosted by and reports
  to the lead's Board, with a joint lead it reports equally to each Board, with a tie it has
  no host until the bodies agree;
- aligned: each participant's own team, all accountable to one joint governance body (a joint body
  of the portfolio's governance that oversees the function, or a new "joint plan" body);
- separate, involvement if needed: each body keeps its own team under its own Board; the
  function is accountable to the lead's team, and the other bodies influence it;
- separate and distinct: each body keeps its own team; no involvement.

The as-is structure comes from ``performed_by``: each body's own team under its own Board, with
the governance of the day: its joint bodies, and the posts it dates (:func:`as_is_graph`), and
a post the law names deciding a function.

Examples:
    >>> import taxonomy
    >>> portfolio = taxonomy.load_portfolio("examples/nhs_joint_working_2018.yaml")
    >>> graph = build_graph(taxonomy.classify(portfolio))
    >>> graph.nodes["function:pricing"]["arrangement"]
    'aligned'
    >>> sorted(n for n in graph if graph.nodes[n]["kind"] == "board")
    ['board:nhse', 'board:nhsi']
    >>> reporting_lines(graph, "team:regional-teams")  # a joint lead: equally into both
    ['board:nhse', 'board:nhsi']
"""

from __future__ import annotations

from typing import Any, TypeAlias

import networkx as nx

from taxonomy._decision import Decision, Delegation, decision_of
from taxonomy._model import Arrangement, Function, Portfolio, Role, Term, lead_words
from taxonomy._results import Classification, Recommendation
from taxonomy.structure.dated import (
    delegated,
    exists_on,
    joint_body_attributes,
    role_attributes,
    term_attributes,
)
from taxonomy.structure.deciding import board as _board
from taxonomy.structure.deciding import draw_forum as _forum
from taxonomy.structure.deciding import draw_law as _law
from taxonomy.structure.deciding import edge as _edge
from taxonomy.structure.deciding import node_for as _node_for
from taxonomy.structure.deciding import proposed_joint_body as _proposed_joint_body

__all__ = [
    "ACCOUNTABILITY_EDGES",
    "Graph",
    "EDGE_KINDS",
    "NODE_KINDS",
    "as_is_graph",
    "build_graph",
    "decision",
    "edges_of_kind",
    "nodes_of_kind",
    "owners",
    "predecessors",
    "reporting_lines",
    "successors",
]

#: The graphs this module builds: node ids are text, e.g. ``board:nhse``, ``function:pricing``.
Graph: TypeAlias = "nx.MultiDiGraph[str]"

NODE_KINDS = ("board", "joint_body", "team", "role", "function", "independent_body")
EDGE_KINDS = (
    "reports_to",
    "accountable_to",
    "holds",
    "delegates_to",
    "member_of",
    "decides",
    "consents",
    "employs",
    "performs",
    "influences",
    "independent_of",
)
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
    sitting = {
        f"joint:{b.id}": {m for m in b.members if not b.membership(m).planned}
        for b in portfolio.governance.bodies
    }
    functions = {fn.id: fn for fn in portfolio.functions}
    decisions: dict[str, Decision] = {}
    for rec in classification:
        fn = functions[rec.function]
        _function_node(graph, fn, rec.arrangement, rec.lead, rec.tied)
        graph.nodes[f"function:{fn.id}"]["each_own"] = rec.each_own
        if rec.alone is not None:  # only where one body delivers it alone: exports unchanged
            graph.nodes[f"function:{fn.id}"]["alone"] = rec.alone
        served = _participants(fn, rec.lead)
        function = f"function:{fn.id}"
        found = decisions[fn.id] = decision(portfolio, rec, fn)
        if rec.arrangement is None:
            _undecided(graph, fn, rec)
            _law(graph, found, portfolio)
            continue
        if rec.arrangement is Arrangement.ONE_TEAM:
            _one_team(graph, fn, rec.lead, rec.tied, served)
        elif rec.arrangement is Arrangement.ALIGNED:
            joint = covering.get(fn.id)
            if joint is None:
                joint = _proposed_joint_body(
                    graph,
                    f"joint:plan-{fn.id}",
                    "joint_governance",
                    f"Joint plan and governance: {fn.name}",
                    served,
                )
            for body in served:
                team = _team(graph, fn, body, label=f"{fn.name} ({body})", own=True)
                _edge(graph, team, _board(body), "reports_to")
                # Only a member that day answers to the governance's joint body.
                if body in sitting.get(joint, {body}):
                    _edge(graph, team, joint, "accountable_to")
            _edge(graph, function, joint, "accountable_to", basis="joint plan")
        else:
            _separate(
                graph, fn, rec.arrangement, rec.lead, rec.tied, rec.involved, each_own=rec.each_own
            )
        _law(graph, found, portfolio)
        _forum(graph, fn, found)
    _governance(graph, portfolio, decisions)
    _independent_bodies(graph, portfolio)
    return graph


def _independent_bodies(graph: Graph, portfolio: Portfolio) -> None:
    """Each body outside the portfolio, drawn outside it, and each function's edge to it.

    An ``independent_body`` node (``independent:ID``) has no Board, team or line: nothing
    reports to it and it performs nothing. Each function that must stay independent of it
    gets an ``independent_of`` edge to it (a member body's independence is the function's
    ``independence_from`` attribute, as before).
    """
    for outside in portfolio.independent_bodies:
        node = f"independent:{outside.id}"
        graph.add_node(
            node,
            kind="independent_body",
            label=outside.name,
            body=outside.id,
            source=outside.source,
        )
        for fn in portfolio.functions:
            if outside.id in fn.legal.independence_from:
                _edge(graph, f"function:{fn.id}", node, "independent_of", basis="legal")


def _undecided(graph: Graph, fn: Function, rec: Recommendation) -> None:
    """A function still open between arrangements: today's teams kept, its options listed.

    Nothing of any one option is drawn (that would be a guess): each body in ``performed_by``
    keeps its own team under its own Board, accountable for delivery, until the open answers
    are given. The function node says ``decided: false``, ``possible`` (the arrangements
    still possible, most likely first) and ``open_question`` (the answer that settles most);
    where it turns on whose answer holds (the bodies answered for themselves and disagree),
    ``by_body``: what each body's answers give (``northvale: one_team``; ``a or b`` where that
    body's view is itself still open).
    """
    node = graph.nodes[f"function:{fn.id}"]
    node["decided"] = False
    node["possible"] = tuple(dict.fromkeys(str(o.arrangement) for o in rec.possible))
    node["shares"] = tuple(_shares(rec))
    node["open_question"] = rec.open_questions[0].key if rec.open_questions else None
    if rec.by_body is not None and not rec.by_body.holds:  # only there: exports unchanged
        node["by_body"] = tuple(
            f"{view.body}: "
            + " or ".join(dict.fromkeys(str(o.arrangement) for o in view.recommendation.outcomes))
            for view in rec.by_body.views
        )
    for body in fn.performed_by:
        team = _team(graph, fn, body, label=f"{fn.name} ({body}, until decided)", own=True)
        _edge(graph, team, _board(body), "reports_to")
        _edge(graph, f"function:{fn.id}", team, "accountable_to", basis="delivery")


def _shares(rec: Recommendation) -> list[str]:
    """Each arrangement still possible with its share of the completions (``aligned: 7/16``)."""
    from fractions import Fraction

    shares: dict[str, Fraction] = {}
    for o in rec.possible:
        key = str(o.arrangement)
        shares[key] = shares.get(key, Fraction(0)) + Fraction(o.share)
    return [f"{key}: {share}" for key, share in shares.items()]


def _one_team(
    graph: Graph, fn: Function, lead: str | None, tied: tuple[str, ...], served: list[str]
) -> None:
    """One team for every body it serves; its head is accountable to each of them.

    Annex B category 1: "Both organisations agree objectives and work programme. The head of the
    team is accountable to both organisations." With a lead (the host employer) the team has a
    single reporting line, to the lead's Board (para 12: "a single reporting line"), and is
    accountable to every Board it serves. With a joint lead (joint regional teams) it reports
    equally into each (para 16 table). With the lead undecided (a tie) it has no host yet.
    """
    if lead is not None:
        label = f"{fn.name} (one team, hosted by {lead})"
    elif tied:
        label = f"{fn.name} (one team, {lead_words(None, tied)})"
    else:
        label = f"{fn.name} (one team, joint lead)"
    team = _team(graph, fn, lead, label=label)
    graph.nodes[team]["serves"] = tuple(served)
    if fn.legal.employed_by_parent:
        # Para 12: its members stay employed by their parent body, inside the one team.
        graph.nodes[team]["employer"] = ""
        for body in served:
            _edge(graph, _board(body), team, "employs")
    if lead is not None:
        _edge(graph, team, _board(lead), "reports_to")
    elif not tied:
        # A virtually integrated team: members employed by each body (Annex B).
        for body in served:
            _edge(graph, _board(body), team, "employs")
            _edge(graph, team, _board(body), "reports_to")
    for body in served:
        _edge(graph, team, _board(body), "accountable_to", basis="serves")
    _edge(graph, f"function:{fn.id}", team, "accountable_to", basis="delivery")


def _separate(
    graph: Graph,
    fn: Function,
    arrangement: Arrangement,
    lead: str | None,
    tied: tuple[str, ...],
    involved: tuple[str, ...],
    *,
    each_own: tuple[str, ...] = (),
) -> None:
    """Categories 3 and 4: each body keeps its own team, under its own Board.

    Where each body holds the duty of its own (``Recommendation.each_own``) no team leads:
    each body's team is accountable for that body's own part (basis ``own duty``).

    The lead's team is accountable for the function (Annex B: "NHS England led", "NHS
    Improvement led"); in category 3 the bodies ``involved`` (the recommendation's: see
    :func:`taxonomy.classification.involvement`) consult and involve the lead's team ("They
    consult and involve each other within agreed joint forums"), in category 4 nobody does; a
    function one body delivers alone has nobody involved. A body the law bars from carrying it
    out (one it must stay independent of, or one whose employees may not do it) keeps no team
    of it; one it must be independent of is not involved either. With the lead undecided (a
    tie), every tied body's team is accountable until the bodies agree.
    """
    keepers = [b for b in _participants(fn, lead) if fn.legal.may_lead(b)]
    leads = [lead] if lead is not None else [b for b in tied if b in keepers]
    teams = {}
    for body in keepers:
        role = "lead" if lead is not None and body == lead else "own team"
        team = _team(graph, fn, body, label=f"{fn.name} ({body}, {role})", own=True)
        graph.nodes[team]["lead"] = body in leads
        _edge(graph, team, _board(body), "reports_to")
        teams[body] = team
    for body in leads:
        _edge(graph, f"function:{fn.id}", teams[body], "accountable_to", basis="delivery")
    for body in each_own:
        if body in teams:
            _edge(graph, f"function:{fn.id}", teams[body], "accountable_to", basis="own duty")
    if arrangement is not Arrangement.SEPARATE_INVOLVED:
        return
    # Each body doing its own (no lead) consults and involves the others' teams instead.
    targets = leads or [b for b in each_own if b in teams]
    for body in involved:
        source = teams.get(body, _board(body))
        for target in targets:
            if target != body:
                _edge(graph, source, teams[target], "influences")


def decision(portfolio: Portfolio, rec: Recommendation | None, fn: Function) -> Decision:
    """The decision the graph draws for ``fn``: the recommendation's own, so JSON and graph agree.

    Without a recommendation (the as-is graph) the law and governance alone: no forum proposed.
    """
    if rec is not None and rec.decision is not None:
        return rec.decision
    if rec is None:
        return decision_of(portfolio, fn, None, None)
    return decision_of(portfolio, fn, rec.arrangement, rec.lead)


def as_is_graph(portfolio: Portfolio, *, classification: Classification | None = None) -> Graph:
    """The as-is graph: today's structure, each body in ``performed_by`` running its own team.

    A portfolio's governance is what the bodies have *or plan*, of the day judged
    (:func:`taxonomy.law.in_force`). Its joint bodies are kept (a planned one labelled so). Its
    posts only where dated or stated ``existing`` (:func:`~taxonomy.structure.dated.exists_on`):
    a post heads the teams it is accountable for, re-homing their lines, a reorganisation the
    NHS paper plans; the to-be graph (:func:`build_graph`) carries every post.

    With a classification, function nodes also carry the recommended arrangement, so the checks
    can compare today's structure with the recommendation (e.g. a one-team function still
    delivered by two teams); nothing of the to-be structure is added.

    Examples:
        >>> import taxonomy
        >>> portfolio = taxonomy.load_portfolio("examples/nhs_joint_working_2018.yaml")
        >>> graph = as_is_graph(portfolio)
        >>> sorted({graph.nodes[n]["kind"] for n in graph})
        ['board', 'function', 'joint_body', 'team']
        >>> reporting_lines(graph, "team:regional-teams:nhsi")
        ['board:nhsi']
    """
    if not isinstance(portfolio, Portfolio):
        raise TypeError(f"as_is_graph takes a Portfolio, not {type(portfolio).__name__}")
    if classification is not None:
        _require_classification(classification, "as_is_graph")
    graph = _base(portfolio, "as-is")
    decisions: dict[str, Decision] = {}
    for fn in portfolio.functions:
        rec = classification[fn.id] if classification is not None else None
        _function_node(
            graph,
            fn,
            rec.arrangement if rec else None,
            rec.lead if rec else None,
            rec.tied if rec else (),
        )
        for body in fn.performed_by:
            team = _team(graph, fn, body, label=f"{fn.name} ({body})", own=True)
            _edge(graph, team, _board(body), "reports_to")
            _edge(graph, f"function:{fn.id}", team, "accountable_to", basis="delivery")
        _law(graph, decisions.setdefault(fn.id, decision(portfolio, None, fn)), portfolio)
    _governance(graph, portfolio, decisions, posts=False)
    _independent_bodies(graph, portfolio)
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


def _base(portfolio: Portfolio, state: str) -> Graph:
    graph: Graph = nx.MultiDiGraph(
        name=portfolio.name,
        state=state,
        joint_committees_lawful=portfolio.law.joint_committees,
        organisations=list(portfolio.organisation_ids),
    )
    for org in portfolio.organisations:
        graph.add_node(
            _board(org.id),
            kind="board",
            label=org.governing_label,
            body=org.id,
            body_name=org.name,
            governing_body=org.governing_body,
        )
    return graph


def _function_node(
    graph: Graph,
    fn: Function,
    arrangement: Arrangement | None,
    lead: str | None,
    tied: tuple[str, ...] = (),
) -> None:
    graph.add_node(
        f"function:{fn.id}",
        kind="function",
        label=fn.name,
        function=fn.id,
        arrangement=str(arrangement) if arrangement is not None else None,
        category=arrangement.category if arrangement is not None else None,
        lead=lead,
        tied=tuple(tied),
        performed_by=fn.performed_by,
        delegable_to=fn.legal.delegable_to,
        board_reserved=fn.legal.board_reserved,
        held_by_each=fn.legal.held_by_each,
        not_delegable_to=fn.legal.not_delegable_to,
        independence_from=fn.legal.independence_from,
        separate_reason=fn.legal.separate_reason,
        # Only where a merger left it (taxonomy.law), so other graphs' exports are unchanged.
        **({"independence_breached": b} if (b := fn.legal.independence_breached) else {}),
        **({"employed_by_parent": True} if fn.legal.employed_by_parent else {}),
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


def _governance(
    graph: Graph, portfolio: Portfolio, decisions: dict[str, Decision], *, posts: bool = True
) -> None:
    """Add the portfolio's joint bodies and (with ``posts``) roles, and re-home what they own.

    Each member of a joint body is ``member_of`` it; a member ``delegates_to`` it only the
    functions it delegates (:func:`decision_of`: only holders, or where the law does not say who
    holds a function, the members that carry it out, with ``holder_stated`` false).
    """
    day = portfolio.as_of
    for body in portfolio.governance.bodies:
        node = f"joint:{body.id}"
        graph.add_node(node, **joint_body_attributes(body, day))
        made = [(f, m) for f in body.delegated for m in decisions[f].delegations if m.to == body.id]
        for member in body.members:
            term = body.membership(member)
            # A planned membership is no line yet: drawn planned (dashed), never in force.
            _edge(graph, node, _board(member), "reports_to", **_planned(term))
            _edge(graph, _board(member), node, "member_of", **term_attributes(term, day))
            mine = [(fid, m) for fid, m in made if m.by == member]
            if mine:
                _edge(graph, _board(member), node, "delegates_to", **delegated(mine, day))
        for fid in body.delegated:
            if all(m.planned for f, m in made if f == fid):
                continue  # a planned delegation: the function is not yet accountable to it
            _edge(graph, f"function:{fid}", node, "accountable_to", basis="delegated decisions")
            if any(d.id == body.id for d in decisions[fid].deciders):
                _edge(graph, node, f"function:{fid}", "decides", basis="delegated")
        for fid in body.oversees:
            _edge(graph, node, f"function:{fid}", "influences")
    _declared(graph, portfolio, decisions)
    for role in portfolio.governance.roles:
        if posts or exists_on(role.term, day):  # the as-is: the posts existing that day
            _post(graph, portfolio, role)


def _planned(term: Term) -> dict[str, Any]:
    """``status: planned`` for a planned term's edge; nothing otherwise (exports unchanged)."""
    return {"status": "planned"} if term.planned else {}


def _declared(graph: Graph, portfolio: Portfolio, decisions: dict[str, Decision]) -> None:
    """A ``delegates_to`` edge from each holder to each body it delegates to in its own right.

    Read from the decision blocks (declared delegations, one per recipient): a planned one is
    ``status: planned`` (drawn dashed); one in force adds the recipient's ``decides`` edge where
    the recipient is a joint body (a Board's is drawn with the law), and, each for its own
    area, says so (``each_for_own_area``).
    """
    day = portfolio.as_of
    pairs: dict[tuple[str, str], list[tuple[str, Delegation]]] = {}
    for fid, found in decisions.items():
        for made in found.delegations:
            if made.declared:
                pairs.setdefault((made.by, made.to), []).append((fid, made))
    for (by, to), mine in pairs.items():
        target = _node_for(portfolio, to)
        extra: dict[str, Any] = {}
        if all(made.each_for_own_area for _, made in mine):
            extra["each_for_own_area"] = True
        bases = sorted({made.legal_basis for _, made in mine if made.legal_basis})
        if bases:
            extra["basis"] = "; ".join(bases)
        _edge(graph, _board(by), target, "delegates_to", **delegated(mine, day), **extra)
        for fid, made in mine:
            if not made.planned and made.to_kind != "organisation":
                _edge(graph, target, f"function:{fid}", "decides", basis="delegated")


def _post(graph: Graph, portfolio: Portfolio, role: Role) -> None:
    """Add a post: it heads the teams delivering what it is accountable for."""
    node = f"role:{role.id}"
    graph.add_node(node, **role_attributes(role, portfolio.as_of))
    _edge(graph, _board(role.employed_by), node, "employs")
    for target in role.reports_to:
        _edge(graph, node, _node_for(portfolio, target), "reports_to")
    for fid in role.accountable_for:
        function = f"function:{fid}"
        # The role heads the teams delivering the function: they report to it, and it is
        # the function's accountable owner in their place.
        for team in sorted(predecessors(graph, function, "performs")):
            for board in [v for v in reporting_lines(graph, team) if v.startswith("board:")]:
                graph.remove_edge(team, board, key="reports_to")
            _edge(graph, team, node, "reports_to")
            if graph.has_edge(function, team, key="accountable_to"):
                graph.remove_edge(function, team, key="accountable_to")
        _edge(graph, function, node, "accountable_to", basis="role")


def nodes_of_kind(graph: Graph, kind: str) -> list[str]:
    """The nodes of one kind, in insertion order."""
    return [n for n, data in graph.nodes(data=True) if data.get("kind") == kind]
