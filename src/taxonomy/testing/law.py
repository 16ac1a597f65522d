"""The law as properties, whatever the pack: invariants read from the portfolio's legal facts.

The invariants of :mod:`taxonomy.testing.invariants` compare a pack with itself (its own caps,
its own leads), so a pack that forgets a legal rule passes them. These state the law on their
own: each reads a function's legal facts (:class:`taxonomy.Legal`) and the recommendation the
pack gives, never the pack's rules, so a pack without its independence rule, its employees-only
rule or its separate-reason rule fails them. Each rests on one sentence of a source,
quoted in :data:`SOURCES`.

- :func:`independence`: nothing is integrated with (one team, aligned) or led by a body the
  function must stay independent of;
- :func:`employees_only`: a function only X's employees may carry out is never delivered by
  another body's employees; where each body's part must be done by its own employees, no one
  team serves two bodies;
- :func:`separate_reason`: a separate legal reason gives category 4;
- :func:`one_body`: a function one body alone carries out is never given a joint arrangement
  (one team, aligned), whatever the answers, open or not;
- :func:`reserved_decisions`: a decision reserved to each Board (or a duty each body holds)
  stays with each of those bodies, whoever delivers;
- :func:`successor_inherits`: when a body merges into another, the legal facts about it pass
  to the successor, and a function that thereby lands inside a body it must stay independent
  of is marked (``Legal.independence_breached``), never silently freed.

- :func:`only_holders_delegate`: a body delegates a function's decision only where the decision
  is its own in law (it holds the function, or the decision is reserved to its own Board);
- :func:`consent`: a body whose agreement the decision needs by law takes part in it (it is
  drawn ``consents``) and never becomes its holder or a delegator.

Use them in a ``@given`` test like any invariant::

    @given(strategies.portfolios(rules=MY_PACK))
    def test_my_pack_keeps_the_law(portfolio):
        assert law.check_law(MY_PACK, portfolio) == []
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import attrs

from taxonomy._model import Arrangement, Function, Law, Portfolio
from taxonomy._results import Recommendation
from taxonomy.language.rules import RulePack
from taxonomy.law import Merger, apply_merge
from taxonomy.testing._violation import Violation, classified

if TYPE_CHECKING:
    from taxonomy._decision import Decision
    from taxonomy.structure.graph import Graph

__all__ = [
    "LAW",
    "SOURCES",
    "check_law",
    "consent",
    "employees_only",
    "independence",
    "one_body",
    "only_holders_delegate",
    "reserved_decisions",
    "separate_reason",
    "successor_inherits",
]

#: The sentence each invariant rests on (the seed papers, or the statute the examples cite).
SOURCES = {
    "independence": (
        'board paper para 20: "both Boards can discharge their independent responsibilities"; '
        'Annex B category 1 "one team working on behalf of both organisations" and category 2 '
        '"joint governance to ensure the two teams work to a single aligned plan" are what '
        "independence rules out"
    ),
    "employees only": (
        'board paper para 8: "some specific functions, such as commissioning, may only be '
        'delegated to an NHS England employee"; Annex B category 1: "the team works as a single '
        'team regardless of employer", category 2: "the relevant teams work within their '
        "'own' organisations\""
    ),
    "separate reason": (
        'board paper Annex B category 4: "Delivering a function completely separately, either '
        'due to legal reasons or where joint working does not add value"'
    ),
    "reserved decisions": (
        'board paper para 8: "we know we need to retain separate Boards"; para 20: "both Boards '
        'can discharge their independent responsibilities"'
    ),
    "only holders delegate": (
        'Local Government Act 1972 s.101(5): "two or more local authorities may discharge any '
        'of their functions jointly" and arrange "for the discharge of those functions by a '
        "joint committee of theirs\": a body delegates its own functions, not another's (the "
        "county's waste disposal is not the districts' to delegate)"
    ),
    "consent": (
        "NHS CB board paper NHSCB28027 'Pricing governance' (2013), as "
        'examples/nhs_joint_working_2018.yaml quotes it: "The Act places lead responsibility '
        "for various stages of pricing with either NHS CB or Monitor but at each stage the "
        'organisations are expected to agree proposals with each other": the body agreeing '
        "takes part in the decision without leading or holding it"
    ),
    "one body": (
        'board paper Annex B category 1: "Delivering a function once, through one team working '
        'on behalf of both organisations"; category 2: "Joint governance to ensure the two teams '
        'work to a single aligned plan": both need two bodies delivering it; para 16 table '
        "places EPRR, specialised services commissioning and medical revalidation, NHS "
        'England\'s alone, in "Separate, involvement if needed"'
    ),
    "successor inherits": (
        'Health and Care Act 2022, as examples/nhs_joint_working_2018.yaml cites it: "Monitor and '
        "the NHS Trust Development Authority (together, NHS Improvement) abolished and their "
        'functions transferred to NHS England" (section number to verify); a function '
        "transferred keeps the law that binds it"
    ),
}

_INTEGRATED = (Arrangement.ONE_TEAM, Arrangement.ALIGNED)


def _served(fn: Function, rec: Recommendation) -> tuple[str, ...]:
    """The bodies an integrated arrangement joins: the lead (or tied bodies) and the performers."""
    return tuple(dict.fromkeys((*rec.lead_candidates, *fn.performed_by)))


def _employers(fn: Function, rec: Recommendation) -> tuple[str, ...]:
    """Whose employees deliver the function under ``rec``, as the pack's lead says.

    The team that carries the function is its lead's (Annex B category 1: "everyone who works
    for the team is employed by or seconded to the same organisation"; categories 3 and 4:
    "NHS England led"): the lead, or the tied bodies while none is agreed. With a joint lead
    every body it joins employs some of it ("some members of the team work for NHS England and
    some for NHS Improvement"). Where each body does its own, each that may carry it out.
    Aligned teams of other performers are the structure's to judge (``taxonomy check``,
    ``employees-only``), not the pack's lead.
    """
    if rec.arrangement is Arrangement.ONE_TEAM and fn.legal.employed_by_parent:
        # Para 12: members stay employed by their parent body inside the one team, so the work
        # only some bodies' employees may do is done by those of them it serves.
        allowed = fn.legal.delegable_to
        served = _served(fn, rec)
        return tuple(b for b in served if b in allowed) if allowed else served
    if rec.lead_candidates:
        return rec.lead_candidates
    if rec.each_own:
        return tuple(b for b in rec.each_own if fn.legal.may_lead(b))
    if rec.arrangement in _INTEGRATED:
        return _served(fn, rec)
    return ()


def _per_outcome(
    name: str,
    rules: RulePack,
    portfolio: Portfolio,
    check: Callable[[Function, Recommendation], list[str]],
) -> list[Violation]:
    """Classify once, then ``check`` every function against every outcome still possible."""
    result, errors = classified(rules, portfolio)
    if result is None:
        return errors
    found: dict[Violation, None] = {}
    for fn in result.portfolio.functions:
        for outcome in result[fn.id].outcomes:
            for message in check(fn, outcome.recommendation):
                found[Violation(name, fn.id, message)] = None
    return list(found)


def _words(rec: Recommendation) -> str:
    return f"category {rec.category} ({rec.arrangement})"


def independence(rules: RulePack, portfolio: Portfolio) -> list[Violation]:
    """Nothing is integrated with, or led by, a body the function must stay independent of."""

    def check(fn: Function, rec: Recommendation) -> list[str]:
        barred = fn.legal.independence_from
        found = []
        led = [b for b in rec.lead_candidates if b in barred]
        if led:
            found.append(
                f"it must stay independent of {', '.join(led)}, but the lead is {rec.lead_text}"
            )
        joined = [b for b in _served(fn, rec) if b in barred]
        if rec.arrangement in _INTEGRATED and joined:
            found.append(
                f"it must stay independent of {', '.join(joined)}, but {_words(rec)} joins "
                f"{', '.join(_served(fn, rec))}"
            )
        return found

    return _per_outcome("independence", rules, portfolio, check)


def employees_only(rules: RulePack, portfolio: Portfolio) -> list[Violation]:
    """Only the bodies whose employees may carry a function out deliver it.

    ``legal.delegable_to``: no other body's employees deliver it. ``legal.not_delegable_to``
    ``another_body``: each body's part is done by its own employees, so no one team (a single
    team "regardless of employer") serves two bodies or more.
    """

    def check(fn: Function, rec: Recommendation) -> list[str]:
        found = []
        allowed = fn.legal.delegable_to
        others = [b for b in _employers(fn, rec) if allowed and b not in allowed]
        if others:
            found.append(
                f"only employees of {', '.join(allowed)} may carry it out, but under "
                f"{_words(rec)} (lead: {rec.lead_text}) employees of {', '.join(others)} deliver it"
            )
        own = "another_body" in fn.legal.not_delegable_to and not fn.legal.employed_by_parent
        if allowed and not _employers(fn, rec) and rec.arrangement is Arrangement.ONE_TEAM:
            found.append(
                f"only employees of {', '.join(allowed)} may carry it out, but none of them "
                f"is in the one team serving {', '.join(_served(fn, rec))}"
            )
        if own and rec.arrangement is Arrangement.ONE_TEAM and len(_served(fn, rec)) > 1:
            found.append(
                "each body's part must be carried out by its own employees, but one team "
                f"delivers it for {', '.join(_served(fn, rec))}"
            )
        return found

    return _per_outcome("employees only", rules, portfolio, check)


def separate_reason(rules: RulePack, portfolio: Portfolio) -> list[Violation]:
    """A legal reason to stay separate gives category 4, separate and distinct."""

    def check(fn: Function, rec: Recommendation) -> list[str]:
        if not fn.legal.separate_reason or rec.arrangement is Arrangement.SEPARATE_DISTINCT:
            return []
        return [f"the law keeps it separate ({fn.legal.separate_reason}), but it is {_words(rec)}"]

    return _per_outcome("separate reason", rules, portfolio, check)


def one_body(rules: RulePack, portfolio: Portfolio) -> list[Violation]:
    """A function one body alone carries out is never one team or aligned, in any outcome.

    One team delivers a function "on behalf of both organisations" and aligned teams are "the
    two teams" under one plan (Annex B): with one body carrying it out there is nothing to join,
    so a pack that gives either has made a joint plan of one member. Every outcome still
    possible under answers left open is judged too.
    """

    def check(fn: Function, rec: Recommendation) -> list[str]:
        if len(fn.performed_by) != 1 or rec.arrangement not in _INTEGRATED:
            return []
        return [
            f"{fn.performed_by[0]} alone carries it out, but it is {_words(rec)}: a joint "
            "arrangement of one body"
        ]

    return _per_outcome("one body", rules, portfolio, check)


def reserved_decisions(rules: RulePack, portfolio: Portfolio) -> list[Violation]:
    """A decision reserved to each Board, or a duty each body holds, stays with each of them.

    A duty a body holds and has delegated to a joint body through the governance is the joint
    body's to decide (the body stays accountable); a reserved decision is never delegated.

    Read from the to-be structure (:func:`taxonomy.structure.graph.build_graph`): each of those
    bodies' Board keeps a ``decides`` edge to the function, whoever delivers it. A portfolio
    with answers left open (no single structure yet) is not judged.
    """
    from taxonomy.structure.graph import build_graph, edges_of_kind

    result, errors = classified(rules, portfolio)
    if result is None:
        return errors
    if not all(rec.decided for rec in result):
        return []
    graph = build_graph(result)
    # A body's decision taken by the post it names (legal.decided_by) stays with that body.
    deciding = {
        (f"board:{data['for']}" if "for" in data else u, v)
        for u, v, data in edges_of_kind(graph, "decides")
    }
    # A duty a body holds of its own and has delegated to a joint body (in force) is the joint
    # body's to decide: the body stays accountable, not deciding (a reserved one is never).
    handed = {
        (u, fid)
        for u, _, data in edges_of_kind(graph, "delegates_to")
        for fid in data.get("functions", ())
        if fid not in data.get("planned", ())
    }
    found = []
    for fn in result.portfolio.functions:
        legal = fn.legal
        held = [b for b in legal.held_by_each if (f"board:{b}", fn.id) not in handed]
        keepers = held if legal.held_by_each else (fn.performed_by if legal.board_reserved else ())
        lost = [b for b in keepers if (f"board:{b}", f"function:{fn.id}") not in deciding]
        if lost:
            found.append(
                Violation(
                    "reserved decisions",
                    fn.id,
                    f"the decision stays with each of {', '.join(keepers)}, but the Boards of "
                    f"{', '.join(lost)} no longer decide it under {_words(result[fn.id])}",
                )
            )
    return found


def only_holders_delegate(rules: RulePack, portfolio: Portfolio) -> list[Violation]:
    """A body delegates a function's decision only where the decision is its own in law.

    Read from the to-be structure: each ``delegates_to`` edge naming a function whose holding
    the law states comes from the Board of a holder (``legal.statutory_owner``,
    ``legal.held_by_each``) or, for a decision reserved to each Board, of a body taking part in
    it: to a joint body or, declared in its own right (``governance.delegations``), to another
    body. A function whose holding is not stated is not judged (``taxonomy check`` warns).
    """
    from taxonomy.structure.graph import build_graph, edges_of_kind

    result, errors = classified(rules, portfolio)
    if result is None:
        return errors
    found: dict[Violation, None] = {}
    for u, v, edge in edges_of_kind(build_graph(result), "delegates_to"):
        for fid in edge.get("functions", ()):
            fn, rec = result.portfolio.function(fid), result[fid]
            legal = fn.legal
            own = {*legal.statutory_owner, *legal.held_by_each}
            if not own:
                continue
            if legal.board_reserved:
                own |= {*fn.performed_by, *rec.lead_candidates}
            body = u.removeprefix("board:")
            if body not in own:
                message = (
                    f"{body} delegates it to {v.split(':', 1)[-1]}, but it is not its to "
                    f"delegate: {', '.join(sorted(own))} hold it or keep its decision"
                )
                found[Violation("only holders delegate", fid, message)] = None
    return list(found)


def consent(rules: RulePack, portfolio: Portfolio) -> list[Violation]:
    """A body whose agreement the decision needs takes part in it, never holding or delegating it.

    Read from the to-be structure and each recommendation's decision block: for each body of
    ``legal.with_agreement_of``, a ``consents`` edge from its Board and in the block's
    ``consents``; no ``holds`` edge, no ``delegates_to`` edge naming the function, and never
    among the block's holders or delegators.
    """
    from taxonomy.structure.graph import build_graph

    result, errors = classified(rules, portfolio)
    if result is None:
        return errors
    graph = build_graph(result)
    found = []
    for fn in result.portfolio.functions:
        for body in fn.legal.with_agreement_of:
            found += [
                Violation(
                    "consent", fn.id, f"its decision needs the agreement of {body}, which {w}"
                )
                for w in _consent_broken(graph, result[fn.id].decision, fn.id, body)
            ]
    return found


def _consent_broken(graph: Graph, decision: Decision | None, function: str, body: str) -> list[str]:
    """What the structure and the decision block get wrong about ``body``'s consent."""
    from taxonomy.structure.graph import predecessors

    board, node, block = f"board:{body}", f"function:{function}", decision
    checks = (
        ("is drawn holding it", board in predecessors(graph, node, "holds")),
        ("is drawn delegating it", _delegates(graph, board, function)),
        ("is not drawn consenting", board not in predecessors(graph, node, "consents")),
        ("is a holder in its decision block", block is not None and body in block.holders),
        (
            "is a delegator in its decision block",
            block is not None and body in {d.by for d in block.delegations},
        ),
        (
            "is missing from its decision block's consents",
            block is not None and body not in {c.by for c in block.consents},
        ),
    )
    return [what for what, broken in checks if broken]


def _delegates(graph: Graph, board: str, function: str) -> bool:
    """Whether ``board`` is drawn delegating ``function`` to any joint body."""
    return any(
        function in data.get("functions", ())
        for _, _, data in graph.out_edges(board, data=True)
        if data.get("kind") == "delegates_to"
    )


def successor_inherits(rules: RulePack, portfolio: Portfolio) -> list[Violation]:
    """Merging any body into any other passes the law about it to the successor.

    For every body some function's law names and every other body as successor, the merged
    function names the successor where it named the body (statutory owner, duties each body
    holds, employees-only, independence), and a function that lands inside the body it must
    stay independent of (the successor alone carries it out, holds its duty or may do it) is
    marked ``legal.independence_breached``, and only such a function.
    """
    named = sorted({b for fn in portfolio.functions for b in fn.legal.bodies()})
    # The functions' law, not the portfolio's dated law (whose abolitions name the bodies).
    undated = attrs.evolve(portfolio, law=Law(portfolio.law.joint_committees))
    found: list[Violation] = []
    for gone in named:
        for into in portfolio.organisation_ids:
            if into != gone:
                merged, _ = apply_merge(undated, Merger(into, (gone,)), rules.facts)
                found += _inherited(undated, merged, gone, into)
    return found


def _inherited(before: Portfolio, after: Portfolio, gone: str, into: str) -> list[Violation]:
    """What a merger of ``gone`` into ``into`` lost of the law about ``gone``."""
    found = []
    for fn in before.functions:
        legal = after.function(fn.id).legal
        facts = {
            "statutory owner": (fn.legal.statutory_owner, legal.statutory_owner),
            "duty each holds": (fn.legal.held_by_each, legal.held_by_each),
            "employees only": (fn.legal.delegable_to, legal.delegable_to),
            "independence": (
                fn.legal.independence_from,
                (*legal.independence_from, *legal.independence_breached),
            ),
        }
        for fact, (was, now) in facts.items():
            if gone in was and into not in now:
                found.append(
                    Violation(
                        "successor inherits",
                        fn.id,
                        f"{fact} of {gone}: after merging {gone} into {into} it is "
                        f"{', '.join(now) or 'gone'}, not {into}",
                    )
                )
        if into in legal.independence_breached and not _inside(after.function(fn.id), into):
            found.append(
                Violation(
                    "successor inherits",
                    fn.id,
                    f"merging {gone} into {into} marks its independence from {into} breached, "
                    "though an arrangement could still keep it apart",
                )
            )
    return found


def _inside(fn: Function, body: str) -> bool:
    """Whether nothing can keep ``fn`` apart from ``body``: it alone does it, holds it, or may.

    It holds it where it holds the statutory duty or a duty of its own (``held_by_each``).
    """
    barred = {body, *fn.legal.independence_from}
    only = fn.legal.delegable_to
    return (
        set(fn.performed_by) <= barred
        or body in fn.legal.statutory_owner
        or body in fn.legal.held_by_each
        or bool(only and set(only) <= barred)
    )


#: Every law invariant by name.
LAW: dict[str, Callable[[RulePack, Portfolio], list[Violation]]] = {
    "independence": independence,
    "employees only": employees_only,
    "separate reason": separate_reason,
    "one body": one_body,
    "reserved decisions": reserved_decisions,
    "only holders delegate": only_holders_delegate,
    "consent": consent,
    "successor inherits": successor_inherits,
}


def check_law(rules: RulePack, portfolio: Portfolio) -> list[Violation]:
    """Run every law invariant on ``portfolio``; the violations found (empty when none).

    >>> import taxonomy
    >>> portfolio = taxonomy.load_portfolio("examples/nhs_joint_working_2018.yaml")
    >>> check_law(taxonomy.load_rules(), portfolio)
    []
    """
    found: list[Violation] = []
    for invariant in LAW.values():
        found += invariant(rules, portfolio)
    return found
