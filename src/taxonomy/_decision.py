"""Who holds a function in law, who decides it, and who delegates it to whom.

One function, :func:`decision_of`, works this out from what a portfolio already says (the
function's legal facts and the governance's joint bodies); the accountability graph draws it
(:mod:`taxonomy.structure.graph`: ``holds``, ``delegates_to``, ``member_of``, ``decides``,
``consents``) and
each recommendation's JSON carries it (its ``decision`` block, :data:`DECISION_JSON`), so the
two cannot disagree.

- **Holding.** ``legal.statutory_owner`` (one body, or several jointly) or ``legal.held_by_each``
  (each body its own duty) says who holds the function in law; where neither is given the law
  is *not stated*, and nothing is guessed: nobody is drawn holding it.
- **Delegating.** Only a holder delegates. A member of a joint body that decides the function
  and holds nothing of it is a member (``member_of``), not a delegator (a district council does
  not delegate the county's waste disposal). Where the holding is not stated, the members that
  carry the function out are taken to delegate it, marked ``holder_stated: false`` (``taxonomy
  check`` warns); where it is stated and no member holds it, nobody delegates it
  (``unheld``: ``taxonomy check`` reports an error).
- **Deciding.** A joint committee (or committees in common) decides what is delegated to it;
  each Board keeps a decision reserved to it (``legal.board_reserved``) or a duty it holds of
  its own (``legal.held_by_each``); a statutory owner that delegates nothing decides; with one
  team delivering a decision each Board keeps, the forum :meth:`Portfolio.decision_forum` names
  is proposed. Where the law does not say who holds it but the governance delegates it, a
  body carrying it out that delegates nothing in force (not yet a member, or its delegation only
  planned) decides its own part (``own_part``). Where nothing is stated nobody is drawn
  deciding. A body may name the post
  that takes its decision instead of its governing body (``legal.decided_by``, a governance
  role: a chief constable grants firearms certificates, not the Police and Crime Commissioner;
  Firearms Act 1968 s.1 "chief officer of police"): the post decides (basis ``named``).
- **Consenting.** A body whose agreement the decision needs by law (``legal.with_agreement_of``:
  the national tariff, which Monitor published with NHS England's agreement) takes part in
  the decision without holding it: it is drawn ``consents``, never ``holds`` nor
  ``delegates_to``.
- **Accountable.** The holders stay accountable in law, whoever decides; null where the holding
  is not stated.

>>> import taxonomy
>>> nhs = taxonomy.load_portfolio("examples/nhs_joint_working_2018.yaml")
>>> d = decision_of(nhs, nhs.function("procurement-complaints"), None, None)
>>> d.holding, d.holders, [(x.id, x.basis) for x in d.deciders], d.accountable
('statutory_owner', ('nhsi',), [('nhsi', 'holder')], ('nhsi',))
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from taxonomy._decision_json import (
    CONSENT_JSON,
    DECIDER_JSON,
    DECISION_JSON,
    DELEGATION_JSON,
    HOLDINGS,
)
from taxonomy._model.text import word_list

if TYPE_CHECKING:
    from taxonomy._model import Arrangement, Function, Governance, JointBody, Portfolio

__all__ = [
    "CONSENT_JSON",
    "DECIDER_JSON",
    "DECISION_JSON",
    "DELEGATION_JSON",
    "HOLDINGS",
    "Consent",
    "Decider",
    "Decision",
    "Delegation",
    "decision_of",
    "delegating",
    "delegations_in_force",
    "decision_words",
    "delegators",
]


@attrs.frozen
class Delegation:
    """A holder handing a function's decisions to a joint body or another body.

    Attributes:
        by: the body delegating.
        to: the joint body's or organisation's id (``committee-<function>`` for a proposed
            one).
        to_kind: ``joint_committee``, ``committees_in_common`` or ``organisation`` (a
            declared delegation to another body); never a joint oversight group, which takes
            no decisions (the model refuses one).
        basis: ``governance`` (the portfolio's governance delegates it) or ``proposed`` (the
            forum the structure proposes for a decision each Board keeps).
        holder_stated: False where the law does not say who holds the function, so the body
            is taken to delegate it because it carries it out.
        from_: its first day, where the governance dates it (the delegation's, else the joint
            body's); None: not said.
        until: its last day, included; None: not said.
        status: ``planned`` where the delegation, the membership or the joint body is only
            planned (never counted as in force: the joint body does not decide by it),
            ``existing`` where the governance says so; None: not said.
        declared: whether it is declared in its own right (``governance.delegations``), not
            through a joint body's ``delegated`` list; the keys below are said only then.
        each_for_own_area: the recipient takes the decisions for its own area only.
        legal_basis: the statute and section letting the holder delegate it.
        holder_accountable: whether the holder stays accountable in law.
        decisions: the decisions handed (empty: every decision of the function).
    """

    by: str
    to: str
    to_kind: str
    basis: str
    holder_stated: bool
    from_: datetime.date | None = None
    until: datetime.date | None = None
    status: str | None = None
    declared: bool = False
    each_for_own_area: bool | None = None
    legal_basis: str | None = None
    holder_accountable: bool | None = None
    decisions: tuple[str, ...] = ()

    @property
    def planned(self) -> bool:
        """Whether it is only planned."""
        return self.status == "planned"


@attrs.frozen
class Decider:
    """Who takes a function's decision.

    Attributes:
        id: a body's id (``kind`` ``board``: its governing body) or a joint body's id.
        kind: ``board`` or the joint body's kind.
        basis: ``holder`` (a statutory owner that delegates nothing), ``held_by_each``,
            ``board_reserved``, ``delegated`` (a joint body of the governance), ``proposed``
            (the forum the structure proposes), ``named`` (a post) or ``own_part`` (a body
            carrying it out, the law unsaid, that delegates nothing in force while others do).
    """

    id: str
    kind: str
    basis: str
    for_body: str | None = None


@attrs.frozen
class Consent:
    """A body whose agreement a function's decision needs by law, without holding it.

    Attributes:
        by: the body whose agreement is needed (``legal.with_agreement_of``).
        basis: the statute and section requiring it (``legal.agreement_basis``); None where
            the portfolio does not say.
    """

    by: str
    basis: str | None


@attrs.frozen
class Decision:
    """Who holds a function, who decides it, the delegations and the accountable owner.

    Attributes:
        function: the function's id.
        holding: one of :data:`HOLDINGS`.
        holders: the bodies that hold it in law (empty where not stated).
        deciders: who decides it, Boards first.
        delegations: the delegations in force (governance) or proposed, in order.
        members: ``(body, joint body)`` for each member of a joint body deciding it that holds
            nothing of it: a member, not a delegator.
        unheld: joint bodies the function is delegated to although no member holds it, where
            the holding is stated (only a holder delegates).
        accountable: the bodies accountable for it in law (its holders); None where not stated.
        consents: the bodies whose agreement the decision needs by law (statutory consent):
            they take part in the decision without holding it or delegating it.
    """

    function: str
    holding: str
    holders: tuple[str, ...]
    deciders: tuple[Decider, ...]
    delegations: tuple[Delegation, ...]
    members: tuple[tuple[str, str], ...]
    unheld: tuple[str, ...]
    accountable: tuple[str, ...] | None
    consents: tuple[Consent, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the keys of :data:`DECISION_JSON`."""
        return DECISION_JSON.dump(self)


def _holding(fn: Function) -> tuple[str, tuple[str, ...]]:
    """How the law places ``fn`` (statutory_owner, held_by_each, not_stated) and its holders."""
    legal = fn.legal
    if legal.statutory_owner:
        return "statutory_owner", tuple(legal.statutory_owner)
    if legal.held_by_each:
        return "held_by_each", tuple(legal.held_by_each)
    return "not_stated", ()


def _propose(
    fn: Function,
    forum: str,
    keepers: list[str],
    holders: tuple[str, ...],
    deciders: list[Decider],
    delegations: list[Delegation],
) -> None:
    """Add the joint forum proposed for the Boards keeping ``fn``'s decision, if any."""
    if forum == "joint_committee":
        proposed = f"committee-{fn.id}"
        # A body whose agreement the decision needs keeps its own Board's say: it hands nothing.
        delegations += [
            Delegation(b, proposed, "joint_committee", "proposed", b in holders)
            for b in keepers
            if b not in fn.legal.with_agreement_of
        ]
        deciders.append(Decider(proposed, "joint_committee", "proposed"))
    elif forum == "committees_in_common":
        deciders.append(Decider(f"in-common-{fn.id}", "committees_in_common", "proposed"))


def _dated(body: JointBody, function: str, by: str, holder_stated: bool) -> Delegation:
    """``by``'s delegation of ``function`` to ``body``, with the days the governance gives it.

    Its days are the delegation's own, else the joint body's; it is planned where the
    delegation, ``by``'s membership or the body itself is planned.
    """
    term = body.delegation(function)
    planned = any(t.planned for t in (term, body.membership(by), body.term))
    status = "planned" if planned else term.status
    return Delegation(
        by, body.id, body.kind, "governance", holder_stated, term.from_, term.until, status
    )


def _joint_delegations(
    governance: Governance, fn: Function, holders: tuple[str, ...], found: _Found
) -> None:
    """The delegations of ``fn`` to the governance's joint bodies (their ``delegated``)."""
    for body in governance.delegated_to(fn.id):
        by = delegators(fn, body.members)
        found.members += [(m, body.id) for m in body.members if m not in by]
        made = [_dated(body, fn.id, m, bool(holders)) for m in by]
        found.delegations += made
        if not by:
            found.unheld.append(body.id)
        elif not all(d.planned for d in made):
            found.deciders.append(Decider(body.id, body.kind, "delegated"))


def _declared_delegations(governance: Governance, fn: Function, found: _Found) -> None:
    """The delegations of ``fn`` the governance declares in their own right, one per recipient.

    Each recipient decides it (each for its own area, where so declared) unless the delegation
    is only planned; its holder no longer does, and stays accountable unless it says not.
    """
    kinds = {b.id: b.kind for b in governance.bodies}
    for made in governance.declared_of(fn.id):
        term = made.term
        said: dict[str, Any] = {
            "declared": True,
            "each_for_own_area": made.each_for_own_area,
            "legal_basis": made.basis or None,
            "holder_accountable": made.holder_accountable,
            "decisions": made.decisions,
        }
        for to in made.to:
            kind = kinds.get(to, "organisation")
            dates = (term.from_, term.until, term.status)
            delegation = Delegation(made.by, to, kind, "governance", True, *dates, **said)
            found.delegations.append(delegation)
            if not term.planned:
                decider = "board" if kind == "organisation" else kind
                found.deciders.append(Decider(to, decider, "delegated"))


@attrs.define
class _Found:
    """What the governance says of a function's delegations, gathered for :func:`decision_of`."""

    delegations: list[Delegation] = attrs.field(factory=list)
    deciders: list[Decider] = attrs.field(factory=list)
    members: list[tuple[str, str]] = attrs.field(factory=list)
    unheld: list[str] = attrs.field(factory=list)


def _governed(governance: Governance, fn: Function) -> _Found:
    """What ``governance`` delegates of ``fn``: its joint bodies' and its declared delegations."""
    found = _Found()
    _joint_delegations(governance, fn, _holding(fn)[1], found)
    _declared_delegations(governance, fn, found)
    return found


def delegations_in_force(fn: Function, governance: Governance) -> tuple[Delegation, ...]:
    """``fn``'s delegations in force under ``governance`` (a day's, or undated): none planned.

    The same :class:`Delegation` records :func:`decision_of` gives (a body delegating one of
    them no longer decides the function itself), for checks made without a portfolio.
    """
    return tuple(d for d in _governed(governance, fn).delegations if not d.planned)


def _own_parts(fn: Function, boards: list[Decider], handed: set[str]) -> list[Decider]:
    """The Boards deciding their own part of ``fn``, the law unsaid but the governance delegating.

    They are the bodies carrying it out that delegate nothing in force: one not yet a member of
    the joint body, or whose delegation is only planned, keeps its decision (basis
    ``own_part``), as the others are taken to delegate it because they carry it out; never a
    body whose agreement the decision needs (it consents).
    """
    drawn = {d.id for d in boards}
    return [
        Decider(b, "board", "own_part")
        for b in fn.performed_by
        if b not in handed and b not in drawn and b not in fn.legal.with_agreement_of
    ]


def _unlawful(kind: str, basis: str) -> bool:
    """Whether a decider is a joint committee delegated to: none where the law allows none."""
    return kind == "joint_committee" and basis == "delegated"


def _takes_effect(delegation: Delegation, lawful: bool) -> bool:
    """Whether ``delegation`` takes the decision from its maker: in force, and lawful.

    A delegation to a joint committee where the law allows the bodies none (``law.
    joint_committees`` false on the day) cannot take effect: the holders keep deciding, and
    ``check`` reports it (``joint-committee-law``).
    """
    return not delegation.planned and (lawful or delegation.to_kind != "joint_committee")


def _accountable(
    holders: tuple[str, ...], delegations: list[Delegation], *, lawful: bool = True
) -> tuple[str, ...]:
    """The holders, but a holder a delegation in force relieves gives way to its recipients."""
    if not delegations:
        return holders  # the model lists no holder twice
    relieved = [
        d for d in delegations if d.holder_accountable is False and _takes_effect(d, lawful)
    ]
    gone = {d.by for d in relieved}
    kept = [h for h in holders if h not in gone]
    return tuple(dict.fromkeys([*kept, *(d.to for d in relieved)]))


def decision_of(
    portfolio: Portfolio, fn: Function, arrangement: Arrangement | None, lead: str | None
) -> Decision:
    """Who holds ``fn``, who decides it and who delegates it, under ``arrangement``.

    ``arrangement`` None: the function is open (answers left unknown); what the law and the
    governance say is given, and no forum is proposed (that depends on the arrangement).
    ``lead`` joins the bodies keeping a decision reserved to each Board (as the graph's
    participants). Joint bodies' delegations and declared ones are read alike: each is a
    :class:`Delegation` of the block, from a holder to one recipient.
    """
    legal = fn.legal
    governance = portfolio.governance
    governed = (governance.bodies and governance.delegated_to(fn.id)) or (
        governance.delegations and governance.declared_of(fn.id)
    )
    if not governed and not (
        legal.held_by_each or legal.board_reserved or legal.decided_by or legal.with_agreement_of
    ):
        return _by_owners(fn)
    return _in_full(portfolio, fn, arrangement, lead)


def _in_full(
    portfolio: Portfolio, fn: Function, arrangement: Arrangement | None, lead: str | None
) -> Decision:
    """:func:`decision_of` worked out in full (what :func:`_by_owners` shortens)."""
    legal = fn.legal
    governance = portfolio.governance
    holding, holders = _holding(fn)
    handed: set[str]
    if governance.delegated_to(fn.id) or governance.declared_of(fn.id):
        found = _governed(governance, fn)
        deciders, delegations = found.deciders, found.delegations
        members, unheld = tuple(found.members), tuple(found.unheld)
        if not portfolio.law.joint_committees:  # such a delegation cannot take effect
            deciders = [d for d in deciders if not _unlawful(d.kind, d.basis)]
        handed = {d.by for d in delegations if _takes_effect(d, portfolio.law.joint_committees)}
    else:  # the governance says nothing of it (what _governed finds then), found cheaply
        deciders, delegations, members, unheld, handed = [], [], (), (), set()
    keepers, basis = _keepers(fn, lead, handed)
    boards = [_decider(b, "board", basis) for b in keepers]
    if legal.statutory_owner:
        boards += [
            _decider(b, "board", "holder")
            for b in legal.statutory_owner
            if b not in keepers and b not in handed
        ]
    if holding == "not_stated" and delegations:
        boards += _own_parts(fn, boards, handed)
    if legal.decided_by:
        boards = _named_posts(portfolio, fn, boards, handed)
    if keepers and arrangement is not None:
        forum = portfolio.decision_forum(fn, arrangement)
        if forum is not None:
            _propose(fn, forum, keepers, holders, deciders, delegations)
    agreeing = legal.with_agreement_of
    return Decision(
        fn.id,
        holding,
        holders,
        (*boards, *deciders),
        tuple(delegations),
        members,
        unheld,
        _accountable(holders, delegations, lawful=portfolio.law.joint_committees) or None,
        tuple([Consent(b, legal.agreement_basis or None) for b in agreeing]) if agreeing else (),
    )


def _by_owners(fn: Function) -> Decision:
    """:func:`decision_of` where only the law's holders speak (the common case, kept cheap).

    No governance delegates ``fn``, no Board keeps it, no post or consent is named: its
    statutory owners hold and decide it and are accountable; with none, nothing is stated.
    """
    owners = fn.legal.statutory_owner
    if not owners:
        return Decision(fn.id, "not_stated", (), (), (), (), (), None, ())
    deciders = tuple([_decider(b, "board", "holder") for b in owners])
    return Decision(fn.id, "statutory_owner", owners, deciders, (), (), (), owners, ())


def _keepers(fn: Function, lead: str | None, handed: set[str]) -> tuple[list[str], str]:
    """The Boards keeping ``fn``'s decision, and on what basis (``handed``: who delegated it).

    A body that has delegated its own duty no longer decides it: the joint body or the bodies
    it delegated to do (it stays accountable, as a holder). A reserved decision is never
    delegated: each body it serves keeps it, the lead among them.
    """
    legal = fn.legal
    if legal.held_by_each:
        return [b for b in legal.held_by_each if b not in handed], "held_by_each"
    if legal.board_reserved:
        keepers = list(fn.performed_by)
        if lead is not None and lead not in keepers:
            keepers.insert(0, lead)
        return keepers, "board_reserved"
    return [], ""


_DECIDERS: dict[tuple[str, str, str], Decider] = {}
#: The most :class:`Decider` records kept for reuse (then they are made afresh).
MAX_DECIDERS = 4096


def _decider(body: str, kind: str, basis: str) -> Decider:
    """``Decider(body, kind, basis)``, made once and shared (it is frozen)."""
    key = (body, kind, basis)
    found = _DECIDERS.get(key)
    if found is None:
        if len(_DECIDERS) >= MAX_DECIDERS:
            _DECIDERS.clear()
        found = _DECIDERS[key] = Decider(body, kind, basis)
    return found


def decision_words(
    decision: Decision | None, portfolio: Portfolio, names: Mapping[str, str] | None = None
) -> list[str]:
    """Who takes the decision in a body's place and whose agreement it needs, in words.

    One clause each (no full stop), bodies by ``names`` (None: by id), posts by their names:
    what the explanation notes and the paragraph say, where the law names a post or asks
    another body's agreement; nothing otherwise (nor for no decision).

    >>> import taxonomy
    >>> nhs = taxonomy.load_portfolio("examples/nhs_joint_working_2018.yaml")
    >>> law = taxonomy.Legal(statutory_owner="nhsi", with_agreement_of="nhse")
    >>> tariff = attrs.evolve(nhs.function("pricing"), legal=law)
    >>> print(*decision_words(decision_of(nhs, tariff, None, None), nhs))
    nhsi decides it with the agreement of nhse, which takes part in the decision without holding it
    """
    if decision is None:
        return []
    named = names or {}
    posts = {role.id: role.name for role in portfolio.governance.roles}
    boards = {org.id: org.governing_body for org in portfolio.organisations}
    said = []
    for d in decision.deciders:
        if d.basis == "named" and d.for_body is not None:
            body = named.get(d.for_body, d.for_body)
            said.append(
                f"{posts.get(d.id, d.id)} takes the decision for {body}, not its "
                f"{boards.get(d.for_body, 'governing body')} (the post legal.decided_by names)"
            )
    if decision.consents:
        who = [
            posts.get(d.id, d.id) if d.kind == "role" else named.get(d.id, d.id)
            for d in decision.deciders
        ]
        agree = word_list([named.get(c.by, c.by) for c in decision.consents])
        bases = sorted({c.basis for c in decision.consents if c.basis})
        cited = f" ({'; '.join(bases)})" if bases else ""
        verb = "decides" if len(who) == 1 else "decide"
        lead = f"{word_list(who)} {verb} it with" if who else "its decision needs"
        which = "which takes" if len(decision.consents) == 1 else "which take"
        said.append(
            f"{lead} the agreement of {agree}{cited}, {which} part in the decision without "
            "holding it"
        )
    return said


def delegators(fn: Function, members: tuple[str, ...]) -> list[str]:
    """The members of a joint body ``fn`` is delegated to that delegate it: its holders.

    Where the law does not say who holds ``fn``, the members that carry it out (or, if none
    does, every member) are taken to; never a body whose agreement the decision needs.
    """
    holders = _holding(fn)[1]
    if holders:
        return [m for m in members if m in holders]
    # A body whose agreement the decision needs takes part in it; it does not delegate it.
    free = [m for m in members if m not in fn.legal.with_agreement_of]
    return [m for m in free if m in fn.performed_by] or free


def _named_posts(
    portfolio: Portfolio, fn: Function, boards: list[Decider], delegating: set[str]
) -> list[Decider]:
    """``boards`` with each post ``legal.decided_by`` names deciding in its body's place.

    A post decides for the body employing it: its governing body is no longer drawn deciding
    (a chief constable grants firearms certificates, not the Police and Crime Commissioner).
    A body that delegates the function keeps its delegation (the reader refuses naming a post
    as well), and a post the governance does not have is left out.
    """
    if not fn.legal.decided_by:
        return boards
    employer = {r.id: r.employed_by for r in portfolio.governance.roles}
    posts = {
        employer[post]: post
        for post in fn.legal.decided_by
        if post in employer and employer[post] not in delegating
    }
    named = [Decider(posts[d.id], "role", "named", d.id) if d.id in posts else d for d in boards]
    drawn = {d.for_body for d in named}
    named += [
        Decider(post, "role", "named", body) for body, post in posts.items() if body not in drawn
    ]
    return named


def handed_over(decision: Decision | None) -> frozenset[str]:
    """The bodies whose delegation to the governance took effect: its recipient decides.

    Not a forum the structure proposes, nor a delegation planned or one the law does not let
    take effect (a joint committee where the law allows none): the recipient of each is not
    among the deciders. A body that handed over a duty it holds no longer decides it, even a
    decision reserved to its Board (a joint committee of the Boards, lawful, takes it).
    """
    if decision is None:
        return frozenset()
    deciding = {d.id for d in decision.deciders}
    return frozenset(
        d.by for d in decision.delegations if d.basis == "governance" and d.to in deciding
    )


def delegating(decision: Decision | None) -> frozenset[str]:
    """The bodies that have delegated the function's decisions to a joint body, in force.

    Such a body no longer decides the function itself (the joint body does), though as a
    holder it stays accountable: what each body keeps deciding is said without them.
    """
    if decision is None:
        return frozenset()
    return frozenset(d.by for d in decision.delegations if not d.planned)
