"""What a merger of bodies does to the governance: memberships, lapsed joint bodies, posts.

Part of :func:`taxonomy.law.apply_merge`. A joint body's members follow the merger (a body gone
sits on it as its successor). A joint body the merger leaves with fewer than two distinct
members lapses: there is nobody left to act jointly with. It is dropped from the governance,
with a note; the decisions delegated to it go back to the body that holds them (the
successor), a post that reported to it reports to the successor's governing body, and a
declared delegation to it is dropped. On a day (a dated law's abolition), a successor's
membership of a joint body starts no earlier than the day it came to be.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

import attrs

from taxonomy._model import DeclaredDelegation, Governance, JointBody, Role, Term

__all__ = ["Succession", "merged_governance"]

#: How a lapsed joint body is said to lapse, by kind.
_LAPSES = {
    "joint_committee": "the joint committee lapses",
    "committees_in_common": "the committees in common lapse",
    "joint_oversight_group": "the joint oversight group lapses",
}


@attrs.frozen
class Succession:
    """One merger's mapping of bodies: each body gone becomes the successor.

    Attributes:
        into: the successor.
        gone: the bodies merged into it.
        day: the day of the merger (a dated law's abolition); None for a scenario's merger.
    """

    into: str
    gone: frozenset[str]
    day: datetime.date | None = None

    def one(self, body: str) -> str:
        """``body`` after the merger."""
        return self.into if body in self.gone else body

    def many(self, bodies: Iterable[str]) -> tuple[str, ...]:
        """``bodies`` after the merger, each once, in order."""
        return tuple(dict.fromkeys(self.one(b) for b in bodies))


def merged_governance(
    governance: Governance, succession: Succession
) -> tuple[Governance, list[str]]:
    """``governance`` after the merger, and notes on the joint bodies it made lapse.

    >>> jc = JointBody("jc", "Joint committee", "joint_committee", ("a", "b"), ("f",))
    >>> post = Role("head", "Head", "a", ("jc",))
    >>> gone = frozenset({"a", "b"})
    >>> after, notes = merged_governance(Governance((jc,), (post,)), Succession("c", gone))
    >>> after.bodies, after.roles[0].reports_to
    ((), ('c',))
    >>> notes[0].split(": ")[:2]
    ['jc', 'only c is left of its members, so the joint committee lapses']
    """
    bodies: list[JointBody] = []
    lapsed: list[str] = []
    notes: list[str] = []
    for body in governance.bodies:
        merged = _merged_body(body, succession)
        if len(body.members) < 2 or len(merged.members) >= 2:
            bodies.append(merged)
            continue
        lapsed.append(body.id)
        if not _over(body.term, succession.day):  # one already ended lapses unnoticed
            notes.append(_lapse(body, succession.into))
    roles = tuple(_merged_role(r, succession, lapsed, notes) for r in governance.roles)
    delegations = []
    for n, delegation in enumerate(governance.delegations):
        kept = _merged_delegation(delegation, succession, lapsed)
        if kept is None:
            notes.append(
                f"delegation {n + 1} of {delegation.function} by {delegation.by}: after the "
                f"merger {succession.one(delegation.by)} would delegate it to itself, so it lapses"
            )
        else:
            delegations.append(kept)
    return Governance(tuple(bodies), roles, tuple(delegations)), notes


def _over(term: Term, day: datetime.date | None) -> bool:
    """Whether ``term`` ended before ``day``."""
    return day is not None and term.until is not None and term.until < day


def _lapse(body: JointBody, into: str) -> str:
    said = f"{body.id}: only {into} is left of its members, so {_LAPSES[body.kind]}"
    if body.delegated:
        said += f": its decisions on {', '.join(body.delegated)} go back to {into}"
    return said


def _merged_body(body: JointBody, succession: Succession) -> JointBody:
    """``body`` with its members merged: a dated membership passes to the successor.

    Where the successor already sat on it, its own membership is kept. One that joins it by
    the merger does so no earlier than the merger's day (when the merger has one).
    """
    own = dict(body.member_terms)
    into = succession.into
    terms: dict[str, Term] = {}
    if into in body.members:
        terms[into] = own.get(into, Term())
    for member in body.members:
        terms.setdefault(succession.one(member), own.get(member, Term()))
    day = succession.day
    if into not in body.members and into in terms and day is not None:
        term = terms[into].under(body.term)
        if term.from_ is None or term.from_ < day:
            terms[into] = attrs.evolve(terms[into], from_=day)
    members = succession.many(body.members)
    kept = tuple((m, terms[m]) for m in members)  # an undated one is dropped (Term() says nothing)
    return attrs.evolve(body, members=members, member_terms=kept)


def _merged_role(role: Role, succession: Succession, lapsed: list[str], notes: list[str]) -> Role:
    """``role`` after the merger: employed by the successor, reporting past a lapsed body."""
    into = succession.into
    gone_to = [t for t in role.reports_to if t in lapsed]
    reports_to = tuple(dict.fromkeys(into if t in lapsed else t for t in role.reports_to))
    if gone_to:
        notes.append(
            f"{role.id}: it reported to {', '.join(gone_to)}, which lapses: it now reports to "
            f"{into}'s governing body"
        )
    return attrs.evolve(
        role, employed_by=succession.one(role.employed_by), reports_to=succession.many(reports_to)
    )


def _merged_delegation(
    delegation: DeclaredDelegation, succession: Succession, lapsed: list[str]
) -> DeclaredDelegation | None:
    """A declared delegation after the merger; None where only its holder is left to take it."""
    by = succession.one(delegation.by)
    to = tuple(
        b
        for b in dict.fromkeys(succession.one(t) for t in delegation.to if t not in lapsed)
        if b != by
    )
    return attrs.evolve(delegation, by=by, to=to) if to else None
