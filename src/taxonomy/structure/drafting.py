"""Drafting the governance documents from a classification: :func:`governance_documents`.

The documents' shapes are in :mod:`taxonomy.structure.documents`; this module reads each
recommendation's decision block and the portfolio's governance into them, citing as it goes.

>>> import taxonomy
>>> docs = governance_documents(taxonomy.classify(
...     taxonomy.load_portfolio("examples/nhs_joint_working_2018.yaml")))
>>> [(line.function, line.entry, line.basis) for line in docs.scheme("nhse").lines][:2]
[('pricing', 'reserved', 'holder'), ('eprr', 'reserved', 'holder')]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from taxonomy._decision import Decision, Delegation
from taxonomy._model.text import word_list
from taxonomy.structure.documents import (
    ENTRIES,
    Citation,
    GovernanceDocuments,
    RemitLine,
    Scheme,
    SchemeLine,
    TermsOfReference,
)

if TYPE_CHECKING:
    from taxonomy._model import Function, JointBody, Portfolio
    from taxonomy._results import Classification, Recommendation

__all__ = ["governance_documents"]


class _Sources:
    """The citations of one document, each kept once, in the order first cited."""

    def __init__(self) -> None:
        self.found: dict[str, Citation] = {}

    def cite(self, ref: str, kind: str, text: str) -> str:
        """Keep the citation ``ref`` (the first text given for it) and give its ref back."""
        self.found.setdefault(ref, Citation(ref, kind, text))
        return ref


def _legal_key(sources: _Sources, fn: Function, name: str) -> str:
    """Cite the function's legal key ``name`` (``statutory_owner``) with its value."""
    value = getattr(fn.legal, name)
    shown = ", ".join(value) if isinstance(value, tuple) else str(value).lower()
    ref = f"functions[{fn.id}].legal.{name}"
    return sources.cite(ref, "portfolio", f"{fn.name}: legal.{name} = {shown}")


def _legal_rules(sources: _Sources, rec: Recommendation) -> list[str]:
    """Cite the pack rules that read the function's legal answers (none for an open function)."""
    if not rec.decided:
        return []
    return [
        sources.cite(f"rule {f.rule}", "rule", f.source)
        for f in rec.explanation.fired
        if any(fact.startswith("legal.") for fact, _ in f.matched)
    ]


def _body_citation(sources: _Sources, body: JointBody) -> str:
    text = f"{body.name} ({body.kind.replace('_', ' ')})"
    return sources.cite(
        f"governance.bodies[{body.id}]",
        "governance",
        f"{text}: {body.notes}" if body.notes else text,
    )


def _law_citations(sources: _Sources, portfolio: Portfolio) -> list[str]:
    """Cite what lets the bodies delegate to a joint committee: the provisions, or the key."""
    law = portfolio.law
    dated = [p for p in law.applied if p.joint_committees is not None]
    if dated:
        return [sources.cite(f"law {p.id}", "law", p.source) for p in dated]
    said = "allowed" if law.joint_committees else "not allowed"
    return [sources.cite("law.joint_committees", "law", f"joint committees {said}")]


_BASIS_KEY = {
    "holder": "statutory_owner",
    "held_by_each": "held_by_each",
    "board_reserved": "board_reserved",
    "named": "decided_by",
}

_OWN_PART = (
    "the law is not stated: it carries it out and delegates nothing in force, so it decides "
    "its own part"
)
_NOT_STATED_DELEGATES = "the law is not stated: taken to delegate it because it carries it out"
_PROPOSED = (
    "proposed: the forum for a decision each Board keeps while one team delivers; not yet agreed"
)


@attrs.frozen
class _Function:
    """One function as its scheme lines are drawn: its recommendation, decision and context."""

    fn: Function
    rec: Recommendation
    portfolio: Portfolio
    sources: _Sources

    @property
    def decision(self) -> Decision:
        return _block(self.rec)

    def joint(self, body: str) -> JointBody | None:
        return next((b for b in self.portfolio.governance.bodies if b.id == body), None)

    def line(
        self,
        body: str,
        entry: str,
        to: tuple[str, str] | None,
        basis: str,
        cited: list[str],
        notes: tuple[str, ...] = (),
        delegation: Delegation | None = None,
    ) -> SchemeLine:
        """A line of ``body``'s scheme; ``to`` is the joint body and its kind, if any."""
        d, rec = self.decision, self.rec
        if not rec.decided:
            notes += ("open: not decided yet, so no forum is proposed",)
        apart, apart_cited = _outside_apart(self)
        notes, cited = notes + apart, [*cited, *apart_cited]
        return SchemeLine(
            self.fn.id,
            self.fn.name,
            entry,
            to[0] if to else None,
            to[1] if to else None,
            basis,
            d.holding != "not_stated",
            None if d.accountable is None else body in d.accountable,
            None if rec.arrangement is None else str(rec.arrangement),
            rec.decided,
            tuple(dict.fromkeys(cited)),
            notes,
            delegation,
        )


def _reserved_lines(body: str, f: _Function) -> list[SchemeLine]:
    """The decisions ``body`` keeps: as holder, of its own duty, reserved, or by a named post."""
    posts = {r.id: r.name for r in f.portfolio.governance.roles}
    found = []
    for x in f.decision.deciders:
        if (x.id if x.kind == "board" else x.for_body) != body or x.kind not in ("board", "role"):
            continue
        if x.basis == "delegated":
            continue  # a decision delegated to it: a line of its own (_received_lines)
        notes = (
            (f"taken by {posts.get(x.id, x.id)}, not the governing body (legal.decided_by)",)
            if x.kind == "role"
            else (_OWN_PART,)
            if x.basis == "own_part"
            else ()
        )
        key = (
            _holding_key(f.sources, f.fn, f.decision)
            if x.basis == "own_part"
            else _legal_key(f.sources, f.fn, _BASIS_KEY[x.basis])
        )
        cited = [key, *_legal_rules(f.sources, f.rec)]
        found.append(f.line(body, "reserved", None, x.basis, cited, notes))
    return found


def _consent_lines(body: str, f: _Function) -> list[SchemeLine]:
    """The decisions that need ``body``'s agreement by law, though it holds none of them."""
    found = []
    for consent in f.decision.consents:
        if consent.by == body:
            cited = [_legal_key(f.sources, f.fn, "with_agreement_of")]
            words = f"its agreement is needed{f' ({consent.basis})' if consent.basis else ''}"
            found.append(f.line(body, "consents", None, "consent", cited, (words,)))
    return found


def _dates(delegation: Delegation) -> tuple[str, ...]:
    """A delegation's dates and status in words (nothing where it has none)."""
    when = [
        f"{word} {day.isoformat()}"
        for word, day in (("from", delegation.from_), ("until", delegation.until))
        if day is not None
    ]
    if delegation.planned:
        return (
            f"planned{f' ({and_})' if (and_ := ', '.join(when)) else ''}: not in force, so "
            "the governing body still decides it",
        )
    return (f"in force {', '.join(when)}",) if when else ()


def _declared_citation(f: _Function, delegation: Delegation) -> str:
    """Cite the declared delegation a line shows: the governance's words for it."""
    made = next(
        d
        for d in f.portfolio.governance.delegations
        if (d.function, d.by) == (f.fn.id, delegation.by) and delegation.to in d.to
    )
    text = f"{made.function} delegated by {made.by} to {', '.join(made.to)}"
    said = [x for x in (made.basis, made.source, made.notes) if x]
    return f.sources.cite(
        f"governance.delegations[{made.function}:{made.by}]",
        "governance",
        f"{text}: {'; '.join(said)}" if said else text,
    )


def _declared_words(delegation: Delegation, to: str) -> str:
    """``delegated to X, each for its own area (basis)`` for a declared delegation."""
    each = ", each for its own area" if delegation.each_for_own_area else ""
    basis = f" ({delegation.legal_basis})" if delegation.legal_basis else ""
    kept = "" if delegation.holder_accountable is not False else "; the holder is not accountable"
    return f"delegated to {to}{each}{basis}{kept}"


def _declared_lines(body: str, f: _Function) -> list[SchemeLine]:
    """What ``body`` delegates in its own right: one line per declaration, every recipient."""
    groups: dict[tuple[str | None, str | None, str | None], list[Delegation]] = {}
    for d in f.decision.delegations:
        if d.by == body and d.declared:
            groups.setdefault((str(d.from_), str(d.until), d.status), []).append(d)
    found = []
    for mine in groups.values():
        first, to = mine[0], ", ".join(d.to for d in mine)
        cited = [_holding_key(f.sources, f.fn, f.decision), _declared_citation(f, first)]
        names = {o.id: o.name for o in f.portfolio.organisations}
        named = word_list([names.get(d.to, d.to) for d in mine])
        notes = (_declared_words(first, named), *_dates(first))
        kind = first.to_kind if len(mine) == 1 else "several"
        found.append(f.line(body, "delegated", (to, kind), "governance", cited, notes, first))
    return found


def _received_lines(body: str, f: _Function) -> list[SchemeLine]:
    """The decisions delegated to ``body`` by their holder (declared), for its own area."""
    found = []
    for d in f.decision.delegations:
        if d.to != body or not d.declared:
            continue
        cited = [_holding_key(f.sources, f.fn, f.decision), _declared_citation(f, d)]
        each = " for its own area" if d.each_for_own_area else ""
        basis = f" ({d.legal_basis})" if d.legal_basis else ""
        stays = "; it stays accountable in law" if d.holder_accountable is not False else ""
        holder = next((o.name for o in f.portfolio.organisations if o.id == d.by), d.by)
        words = f"delegated to it by {holder}{each}{basis}{stays}"
        found.append(
            f.line(
                body, "received", (d.by, "organisation"), "delegated", cited, (words, *_dates(d)), d
            )
        )
    return found


def _delegated_lines(body: str, f: _Function) -> list[SchemeLine]:
    """What ``body`` delegates, to whom, on what basis (holders, or where law is unsaid)."""
    found = _declared_lines(body, f)
    for delegation in f.decision.delegations:
        if delegation.by != body or delegation.declared:
            continue
        cited = [_holding_key(f.sources, f.fn, f.decision), *_legal_rules(f.sources, f.rec)]
        notes: tuple[str, ...] = ()
        joint = f.joint(delegation.to)
        if joint is not None:
            cited.append(_body_citation(f.sources, joint))
        else:
            decided_by = f.rec.explanation.decided_by
            cited.append(f.sources.cite(f"rule {decided_by.rule}", "rule", decided_by.source))
            notes = (_PROPOSED,)
        if delegation.to_kind == "joint_committee":
            cited += _law_citations(f.sources, f.portfolio)
        if not delegation.holder_stated:
            notes += (_NOT_STATED_DELEGATES,)
        notes += _dates(delegation)
        to = (delegation.to, delegation.to_kind)
        found.append(f.line(body, "delegated", to, delegation.basis, cited, notes, delegation))
    return found


def _member_lines(body: str, f: _Function) -> list[SchemeLine]:
    """The joint bodies ``body`` sits on for this function without holding it, or oversees in."""
    found = []
    for member, of in f.decision.members:
        joint = f.joint(of)
        if member == body and joint is not None:
            cited = [_holding_key(f.sources, f.fn, f.decision), _body_citation(f.sources, joint)]
            words = "a member only: it holds nothing of this function, so it delegates nothing"
            found.append(f.line(body, "member", (of, joint.kind), "governance", cited, (words,)))
    for group in f.portfolio.governance.bodies:
        if f.fn.id in group.oversees and body in group.members:
            cited = [_body_citation(f.sources, group)]
            found.append(f.line(body, "oversight", (group.id, group.kind), "governance", cited))
    return found


def _outside_apart(f: _Function) -> tuple[tuple[str, ...], list[str]]:
    """The note that the function stays independent of bodies outside the joint working, cited.

    Such a body has no scheme of its own: each line of the function says so, citing the
    function's ``legal.independence_from`` and each body's declared source.
    """
    outside = [b for b in f.portfolio.independent_bodies if b.id in f.fn.legal.independence_from]
    if not outside:
        return (), []
    cited = [_legal_key(f.sources, f.fn, "independence_from")]
    for body in outside:
        text = f"{body.name}: {body.source}" if body.source else body.name
        cited.append(f.sources.cite(f"independent_bodies[{body.id}]", "portfolio", text))
    names = word_list([f"{b.name} (outside the joint working)" for b in outside])
    return (f"must stay independent of {names}",), cited


def _lines_for(body: str, f: _Function) -> list[SchemeLine]:
    """``body``'s lines for one function, from the recommendation's decision block."""
    found = [
        *_reserved_lines(body, f),
        *_delegated_lines(body, f),
        *_member_lines(body, f),
        *_consent_lines(body, f),
        *_received_lines(body, f),
    ]
    deciding = any(x.entry in (*ENTRIES[:3], "received") for x in found)
    if not deciding and f.decision.holding == "not_stated" and body in f.fn.performed_by:
        cited = [_holding_key(f.sources, f.fn, f.decision)]
        words = (
            "the law is not stated: nobody is drawn deciding it; say who holds it "
            "(legal.statutory_owner or legal.held_by_each)"
        )
        found.append(f.line(body, "not_stated", None, "not_stated", cited, (words,)))
    return found


def _block(rec: Recommendation) -> Decision:
    """The recommendation's decision block (:func:`governance_documents` checks it is there)."""
    assert rec.decision is not None
    return rec.decision


def _holding_key(sources: _Sources, fn: Function, d: Decision) -> str:
    """Cite how the function is held: its legal key, or who carries it out where unsaid."""
    if d.holding == "statutory_owner":
        return _legal_key(sources, fn, "statutory_owner")
    if d.holding == "held_by_each":
        return _legal_key(sources, fn, "held_by_each")
    return sources.cite(
        f"functions[{fn.id}].performed_by",
        "portfolio",
        f"{fn.name}: performed_by = {', '.join(fn.performed_by)}",
    )


def _remit_line(
    fn: Function, rec: Recommendation, body: JointBody, power: str, sources: _Sources
) -> RemitLine:
    """One function of a joint body's remit: who delegates it, who only sits, who answers."""
    d = _block(rec)
    by = tuple(x.by for x in d.delegations if x.to == body.id)
    stated = d.holding != "not_stated"
    cited = [_holding_key(sources, fn, d), *_legal_rules(sources, rec)]
    notes: list[str] = []
    if power == "delegated" and not stated:
        notes.append(
            "the law is not stated: the members that carry it out are taken to delegate it"
        )
    if power == "delegated" and not by:
        notes.append("no member holds it: only a holder delegates, so nobody can delegate it here")
    planned = sorted({x.by for x in d.delegations if x.to == body.id and x.planned})
    if planned:
        notes.append(f"planned, not in force: the delegation by {', '.join(planned)}")
    if not rec.decided:
        notes.append("open: not decided yet")
    return RemitLine(
        fn.id,
        fn.name,
        power,
        by,
        tuple(m for m in body.members if m not in by) if power == "delegated" else (),
        stated,
        d.accountable,
        None if rec.arrangement is None else str(rec.arrangement),
        rec.decided,
        tuple(dict.fromkeys(cited)),
        tuple(notes),
    )


def _officers(portfolio: Portfolio, body: str, functions: set[str]) -> tuple[tuple[str, str], ...]:
    """The roles reporting to joint body ``body`` or accountable for a function of its remit."""
    return tuple(
        (role.id, role.name)
        for role in portfolio.governance.roles
        if body in role.reports_to or functions & set(role.accountable_for)
    )


def _governance_terms(
    classification: Classification, body: JointBody, schemes: dict[str, Scheme], sources: _Sources
) -> TermsOfReference:
    """Draft terms of reference of a joint body of the portfolio's governance."""
    portfolio = classification.portfolio
    remit = [
        _remit_line(portfolio.function(f), classification[f], body, "delegated", sources)
        for f in body.delegated
    ]
    remit += [
        _remit_line(portfolio.function(f), classification[f], body, "oversees", sources)
        for f in body.oversees
        if f not in body.delegated
    ]
    cited = [_body_citation(sources, body)]
    notes: list[str] = []
    if body.kind == "joint_committee":
        cited += _law_citations(sources, portfolio)
        if body.delegated and not portfolio.law.joint_committees:
            notes.append(
                "the law in force does not let the bodies delegate decisions to a joint "
                "committee: its delegations cannot take effect"
            )
    unheld = tuple(f for f in body.delegated if body.id in _block(classification[f]).unheld)
    return TermsOfReference(
        body.id,
        body.name,
        body.kind,
        "governance",
        body.members,
        tuple(remit),
        _reserved(body.members, schemes),
        unheld,
        _officers(portfolio, body.id, set(body.delegated) | set(body.oversees)),
        tuple(dict.fromkeys(cited)),
        tuple(notes),
        body,
    )


def _reserved(
    members: tuple[str, ...], schemes: dict[str, Scheme]
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """What each member's governing body keeps (its scheme's reserved lines)."""
    return tuple(
        (m, tuple(line.function for line in schemes[m].entries("reserved")))
        for m in members
        if m in schemes
    )


def _proposed_remit(
    rec: Recommendation, fn: Function, forum: str, portfolio: Portfolio, sources: _Sources
) -> tuple[RemitLine, tuple[str, ...]]:
    """The one function of a proposed forum's remit, and the citations of the forum."""
    d = _block(rec)
    by = tuple(x.by for x in d.delegations if x.to == forum)
    boards = [x for x in d.deciders if x.kind == "board"]
    cited = [
        _holding_key(sources, fn, d),
        *(_legal_key(sources, fn, _BASIS_KEY[x.basis]) for x in boards if x.basis in _BASIS_KEY),
        *_legal_rules(sources, rec),
    ]
    if by:  # a joint committee: the law must let the bodies form one
        cited += _law_citations(sources, portfolio)
    notes = () if by else ("each member's committee takes its own decision, meeting in common",)
    cited_once = tuple(dict.fromkeys(cited))
    remit = RemitLine(
        fn.id,
        fn.name,
        "delegated" if by else "in_common",
        by,
        (),
        d.holding != "not_stated",
        d.accountable,
        str(rec.arrangement),
        rec.decided,
        cited_once,
        notes,
    )
    return remit, cited_once


def _proposed_terms(
    classification: Classification, schemes: dict[str, Scheme], sources: _Sources
) -> list[TermsOfReference]:
    """Draft terms of each forum the structure proposes (one per function, as the graph draws)."""
    portfolio = classification.portfolio
    found = []
    for rec in classification:
        d = _block(rec)
        for forum in (x for x in d.deciders if x.basis == "proposed"):
            fn = portfolio.function(rec.function)
            keepers = tuple(x.id for x in d.deciders if x.kind == "board")
            remit, cited = _proposed_remit(rec, fn, forum.id, portfolio, sources)
            words = "Joint committee" if forum.kind == "joint_committee" else "Committees in common"
            found.append(
                TermsOfReference(
                    forum.id,
                    f"{words} for {fn.name}",
                    forum.kind,
                    "proposed",
                    keepers,
                    (remit,),
                    _reserved(keepers, schemes),
                    (),
                    _officers(portfolio, forum.id, {fn.id}),
                    cited,
                    (
                        "proposed by the structure: each Board keeps the decision while one team "
                        "delivers; not yet agreed",
                    ),
                )
            )
    return found


def governance_documents(classification: Classification) -> GovernanceDocuments:
    """Each body's scheme and each joint body's terms of reference, from ``classification``.

    Raises:
        ValueError: a recommendation carries no decision block (made without its portfolio).
    """
    portfolio = classification.portfolio
    missing = [r.function for r in classification if r.decision is None]
    if missing:
        raise ValueError(f"no decision block for {', '.join(missing)}: classify the portfolio")
    sources = _Sources()
    functions = [
        _Function(portfolio.function(rec.function), rec, portfolio, sources)
        for rec in classification
    ]
    schemes = {}
    for org in portfolio.organisations:
        lines = [line for f in functions for line in _lines_for(org.id, f)]
        lines.sort(key=lambda line: ENTRIES.index(line.entry))  # stable: portfolio order within
        schemes[org.id] = Scheme(org.id, org.name, org.governing_label, tuple(lines))
    terms = [
        _governance_terms(classification, body, schemes, sources)
        for body in portfolio.governance.bodies
    ]
    terms += _proposed_terms(classification, schemes, sources)
    return GovernanceDocuments(
        portfolio.name,
        classification.as_of,
        classification.provisions,
        classification.rule_pack,
        tuple(schemes.values()),
        tuple(terms),
        tuple(sources.found.values()),
    )
