"""The organisations, and the joint bodies and roles they have or plan, with their dates."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable
from typing import Any

import attrs

from taxonomy._model.fields import check_day, check_id, check_ids, check_plain, check_text, to_ids

#: Whether a piece of governance exists or is planned (``status`` in a file).
STATUSES = ("existing", "planned")


@attrs.frozen
class Term:
    """When a post, joint body, membership or delegation holds, and whether it exists yet.

    The days are read as a dated law's provisions are (:class:`Provision`): ``from_`` is the
    first day, ``until`` the last day, both included; None is open-ended. ``status`` says
    whether it exists (``existing``) or is only planned (``planned``: awaiting ratification,
    say); None where the file does not say, which counts as existing. A planned term is never
    in force, whatever its days.

    >>> d = datetime.date
    >>> t = Term(from_=d(2019, 4, 1), until=d(2020, 3, 31))
    >>> t.in_force(d(2019, 4, 1)), t.in_force(d(2020, 3, 31)), t.in_force(d(2020, 4, 1))
    (True, True, False)
    >>> Term(from_=d(2019, 4, 1), status="planned").in_force(d(2021, 1, 1))
    False
    >>> Term(from_=d(2019, 4, 1), status="planned").describe()
    'from 2019-04-01, planned'
    """

    from_: datetime.date | None = attrs.field(default=None, validator=check_day)
    until: datetime.date | None = attrs.field(default=None, validator=check_day)
    status: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.in_(STATUSES))
    )

    def __attrs_post_init__(self) -> None:
        if self.from_ is not None and self.until is not None and self.until < self.from_:
            raise ValueError(f"until ({self.until}) is before from ({self.from_})")

    @property
    def stated(self) -> bool:
        """Whether anything is said of it (a day or a status)."""
        return self != _ALWAYS

    @property
    def planned(self) -> bool:
        """Whether it is only planned."""
        return self.status == "planned"

    def covers(self, day: datetime.date | None) -> bool:
        """Whether ``day`` falls within its days (None: no day judged, so any day does)."""
        if day is None:
            return True
        return (self.from_ is None or self.from_ <= day) and (
            self.until is None or day <= self.until
        )

    def in_force(self, day: datetime.date | None) -> bool:
        """Whether it exists on ``day``: not planned, and ``day`` within its days."""
        return not self.planned and self.covers(day)

    def overlaps(self, other: Term) -> bool:
        """Whether some day falls within both its days and ``other``'s."""
        start = max((d for d in (self.from_, other.from_) if d is not None), default=None)
        end = min((d for d in (self.until, other.until) if d is not None), default=None)
        return start is None or end is None or start <= end

    def within(self, other: Term) -> bool:
        """Whether the days it gives fall within ``other``'s (a day it leaves out is other's)."""
        starts_in = other.from_ is None or self.from_ is None or self.from_ >= other.from_
        ends_in = other.until is None or self.until is None or self.until <= other.until
        return starts_in and ends_in

    def under(self, outer: Term) -> Term:
        """The term as it holds inside ``outer`` (a membership inside its joint body's term).

        A day or status it does not give is ``outer``'s; it is planned where either is.

        >>> d = datetime.date
        >>> Term(from_=d(2020, 4, 1)).under(Term(d(2019, 4, 1), d(2025, 3, 31), "planned"))
        Term(from_=datetime.date(2020, 4, 1), until=datetime.date(2025, 3, 31), status='planned')
        """
        status = "planned" if self.planned or outer.planned else (self.status or outer.status)
        return Term(
            self.from_ if self.from_ is not None else outer.from_,
            self.until if self.until is not None else outer.until,
            status,
        )

    def describe(self) -> str:
        """Its days and status in words (empty when nothing is said)."""
        said = [f"from {self.from_}"] if self.from_ is not None else []
        said += [f"until {self.until}"] if self.until is not None else []
        said += [self.status] if self.status is not None else []
        return ", ".join(said)

    def to_data(self) -> dict[str, Any]:
        """What is said of it, under the keys a file gives (``from``, ``until``, ``status``)."""
        data: dict[str, Any] = {}
        if self.from_ is not None:
            data["from"] = self.from_
        if self.until is not None:
            data["until"] = self.until
        if self.status is not None:
            data["status"] = self.status
        return data


_ALWAYS = Term()


def _terms(value: Iterable[tuple[str, Term]]) -> tuple[tuple[str, Term], ...]:
    return tuple((name, term) for name, term in value if term.stated)


def _check_terms(listed: str) -> Any:
    """A validator: every dated entry names one of the ``listed`` attribute's ids, once."""

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        names = [name for name, _ in value]
        ids = getattr(instance, listed)
        for name, term in value:
            if not isinstance(term, Term):
                raise TypeError(f"{attribute.name}: {name!r} must be given a Term")
            if name not in ids:
                raise ValueError(f"{attribute.name}: {name!r} is not one of its {listed}")
        if len(set(names)) != len(names):
            raise ValueError(f"{attribute.name} dates an entry twice")

    return check


@attrs.frozen
class Organisation:
    """A statutory body with its own governing body (NHS England, NHS Improvement, a CCG).

    ``governing_body`` is what that governing body is called: ``Board`` for the NHS bodies,
    ``Cabinet`` or ``full council`` for a council (a portfolio may say so for each body; a rule
    pack's vocabulary gives the default).
    """

    id: str = attrs.field(validator=check_id)
    name: str = attrs.field(validator=check_text)
    governing_body: str = attrs.field(default="Board", validator=check_text)

    @property
    def governing_label(self) -> str:
        """The governing body in words.

        ``NHS England Board``; ``Eastbrook District Council (Cabinet)``; a body whose name
        already says it is a board (an integrated care board) is not called a "Board Board".

        >>> Organisation("icb", "NHS North West London Integrated Care Board").governing_label
        'NHS North West London Integrated Care Board (its board)'
        """
        if self.governing_body == "Board" and self.name.lower().endswith(" board"):
            return f"{self.name} (its board)"
        if self.governing_body == "Board":
            return f"{self.name} Board"
        return f"{self.name} ({self.governing_body})"


#: Kinds of joint body (portfolio ``governance.bodies[].kind``).
JOINT_BODY_KINDS = ("joint_committee", "committees_in_common", "joint_oversight_group")


@attrs.frozen
class JointBody:
    """A body the organisations form together (a joint committee, an oversight group).

    Attributes:
        kind: ``joint_committee`` (decisions delegated to it), ``committees_in_common`` (each
            Board's committee meeting together, each keeping its decisions) or
            ``joint_oversight_group`` (oversight and advice, no delegated decisions: board
            paper para 20).
        members: the organisations that form it.
        delegated: functions whose decisions are delegated to it (none to an oversight group:
            a ValueError).
        oversees: functions it oversees without delegated decisions (a shared plan, joint
            governance).
        term: when it exists (its days, and whether it is only planned).
        member_terms: ``(member, term)`` for each member whose membership is dated or planned
            (a district joining later); a member not listed sits on it for the body's term.
        delegation_terms: ``(function, term)`` for each delegated function whose delegation is
            dated or planned (awaiting ratification); one not listed is delegated for the
            body's term.

    >>> d = datetime.date
    >>> jc = JointBody("waste", "Waste committee", "joint_committee", ("county", "east", "west"),
    ...     term=Term(from_=d(2019, 4, 1)), member_terms=(("west", Term(from_=d(2020, 4, 1))),))
    >>> jc.members_on(d(2019, 6, 1)), jc.membership("west").describe()
    (('county', 'east'), 'from 2020-04-01')
    >>> jc.membership("east") == jc.term
    True
    """

    id: str = attrs.field(validator=check_id)
    name: str = attrs.field(validator=check_text)
    kind: str = attrs.field(validator=attrs.validators.in_(JOINT_BODY_KINDS))
    members: tuple[str, ...] = attrs.field(converter=to_ids, validator=check_ids)
    delegated: tuple[str, ...] = attrs.field(default=(), converter=to_ids, validator=check_ids)
    oversees: tuple[str, ...] = attrs.field(default=(), converter=to_ids, validator=check_ids)
    notes: str = attrs.field(default="", validator=check_plain)
    term: Term = attrs.field(default=_ALWAYS, validator=attrs.validators.instance_of(Term))
    member_terms: tuple[tuple[str, Term], ...] = attrs.field(
        default=(), converter=_terms, validator=_check_terms("members")
    )
    delegation_terms: tuple[tuple[str, Term], ...] = attrs.field(
        default=(), converter=_terms, validator=_check_terms("delegated")
    )

    def __attrs_post_init__(self) -> None:
        if self.kind == "joint_oversight_group" and self.delegated:
            raise ValueError(
                f"joint body {self.id!r}: a joint oversight group takes no decisions (board "
                f"paper para 20): list {', '.join(map(repr, self.delegated))} under 'oversees'"
            )

    def membership(self, body: str) -> Term:
        """The term of ``body``'s membership: its own, inside the body's (:meth:`Term.under`)."""
        own = dict(self.member_terms).get(body)
        return self.term if own is None else own.under(self.term)

    def delegation(self, function: str) -> Term:
        """The term of ``function``'s delegation: its own, inside the body's."""
        own = dict(self.delegation_terms).get(function)
        return self.term if own is None else own.under(self.term)

    def members_on(self, day: datetime.date | None) -> tuple[str, ...]:
        """The members whose membership is in force on ``day``."""
        return tuple(m for m in self.members if self.membership(m).in_force(day))


@attrs.frozen
class Role:
    """A post, such as a joint Regional Director or a single Accountable Officer.

    Attributes:
        employed_by: the organisation that employs the post holder.
        reports_to: the organisations (their Boards), joint bodies or roles it reports to.
        accountable_for: functions the post is accountable for.
        term: when the post exists (its days, and whether it is only planned).
    """

    id: str = attrs.field(validator=check_id)
    name: str = attrs.field(validator=check_text)
    employed_by: str = attrs.field(validator=check_id)
    reports_to: tuple[str, ...] = attrs.field(converter=to_ids, validator=check_ids)
    accountable_for: tuple[str, ...] = attrs.field(
        default=(), converter=to_ids, validator=check_ids
    )
    notes: str = attrs.field(default="", validator=check_plain)
    term: Term = attrs.field(default=_ALWAYS, validator=attrs.validators.instance_of(Term))


def _strings(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen
class DeclaredDelegation:
    """A holder handing a function's decisions to other bodies (``governance.delegations``).

    A delegation declared in its own right, not through a joint body's ``delegated`` list: to
    another organisation, to a joint body, or to several bodies each for its own area (NHS
    England delegating primary care commissioning to each integrated care board). Only a
    holder delegates; the reader refuses anything else.

    Attributes:
        function: the function delegated.
        by: the holder delegating it.
        to: the bodies taking its decisions: organisations or joint bodies.
        each_for_own_area: each recipient decides it for its own area only (not jointly).
        decisions: the decisions handed, in words (empty: every decision of the function).
        basis: the statute and section that lets the holder delegate it.
        holder_accountable: whether the holder stays accountable in law (the default).
        term: when it holds (its days, and whether it is only planned).
        source: where it is said (an agreement, a board paper).
        notes: free text.

    >>> d = DeclaredDelegation("pod", "nhse", ("icb-a", "icb-b"), each_for_own_area=True)
    >>> d.to, d.term.stated
    (('icb-a', 'icb-b'), False)
    """

    function: str = attrs.field(validator=check_id)
    by: str = attrs.field(validator=check_id)
    to: tuple[str, ...] = attrs.field(converter=to_ids, validator=check_ids)
    each_for_own_area: bool = False
    decisions: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    basis: str = attrs.field(default="", validator=check_plain)
    holder_accountable: bool = True
    term: Term = attrs.field(default=_ALWAYS, validator=attrs.validators.instance_of(Term))
    source: str = attrs.field(default="", validator=check_plain)
    notes: str = attrs.field(default="", validator=check_plain)

    @to.validator
    def _check_to(self, _attribute: attrs.Attribute[Any], value: tuple[str, ...]) -> None:
        if not value:
            raise ValueError("a delegation is to at least one body")
        if self.by in value:
            raise ValueError(f"{self.by!r} cannot delegate to itself")


def _bodies_tuple(value: Iterable[JointBody]) -> tuple[JointBody, ...]:
    return tuple(value)


def _roles_tuple(value: Iterable[Role]) -> tuple[Role, ...]:
    return tuple(value)


def _delegations_tuple(value: Iterable[DeclaredDelegation]) -> tuple[DeclaredDelegation, ...]:
    return tuple(value)


def _kept(term: Term, day: datetime.date) -> bool:
    """Whether a term belongs to ``day``'s governance: in force, or planned and not yet over."""
    if term.planned:
        return term.until is None or day <= term.until
    return term.covers(day)


@attrs.frozen
class Governance:
    """The joint bodies, roles and declared delegations the organisations have or plan."""

    bodies: tuple[JointBody, ...] = attrs.field(default=(), converter=_bodies_tuple)
    roles: tuple[Role, ...] = attrs.field(default=(), converter=_roles_tuple)
    delegations: tuple[DeclaredDelegation, ...] = attrs.field(
        default=(), converter=_delegations_tuple
    )

    def __attrs_post_init__(self) -> None:
        groups = {b.id for b in self.bodies if b.kind == "joint_oversight_group"}
        for made in self.delegations:
            for body in made.to:
                if body in groups:
                    raise ValueError(
                        f"delegation of {made.function!r} by {made.by!r}: {body!r} is a joint "
                        "oversight group, which takes no decisions (board paper para 20)"
                    )

    def delegated_to(self, function: str) -> tuple[JointBody, ...]:
        """The joint bodies whose ``delegated`` lists ``function``, in order (a lookup)."""
        return self._delegated_to.get(function, ())

    def taking(self, function: str) -> tuple[JointBody, ...]:
        """The joint bodies that take or oversee ``function``'s decisions, in order (a lookup)."""
        return self._taking.get(function, ())

    def declared_of(self, function: str) -> tuple[DeclaredDelegation, ...]:
        """The declared delegations of ``function``, in order (a lookup)."""
        return self._declared_of.get(function, ())

    # Indexes built once, on first use (the governance is frozen): a function's delegations
    # are found without a scan of every joint body's list, so a portfolio of n functions all
    # delegated is read in linear time.
    @functools.cached_property
    def _delegated_to(self) -> dict[str, tuple[JointBody, ...]]:
        found: dict[str, list[JointBody]] = {}
        for body in self.bodies:
            for function in dict.fromkeys(body.delegated):
                found.setdefault(function, []).append(body)
        return {function: tuple(bodies) for function, bodies in found.items()}

    @functools.cached_property
    def _taking(self) -> dict[str, tuple[JointBody, ...]]:
        found: dict[str, list[JointBody]] = {}
        for body in self.bodies:
            for function in dict.fromkeys((*body.delegated, *body.oversees)):
                found.setdefault(function, []).append(body)
        return {function: tuple(bodies) for function, bodies in found.items()}

    @functools.cached_property
    def _declared_of(self) -> dict[str, tuple[DeclaredDelegation, ...]]:
        found: dict[str, list[DeclaredDelegation]] = {}
        for made in self.delegations:
            found.setdefault(made.function, []).append(made)
        return {function: tuple(made) for function, made in found.items()}

    def on(self, day: datetime.date | None) -> Governance:
        """The governance of ``day``: what is in force then, and what is planned and not over.

        A post, joint body, membership or delegation whose days do not include ``day`` is left
        out; a planned one is kept (drawn as planned) until its ``until`` has passed. Their
        terms are kept, so what is planned stays planned. A post reporting to a joint body or
        post left out is left out too. None: no day, nothing left out.

        >>> d = datetime.date
        >>> jc = JointBody("jc", "Joint committee", "joint_committee", ("a", "b"), ("f", "g"),
        ...     delegation_terms=(("g", Term(from_=d(2021, 1, 1))),))
        >>> Governance((jc,)).on(d(2020, 1, 1)).bodies[0].delegated
        ('f',)
        """
        if day is None:
            return self
        bodies = []
        for body in self.bodies:
            if not _kept(body.term, day):
                continue
            members = tuple(m for m in body.members if _kept(body.membership(m), day))
            delegated = tuple(f for f in body.delegated if _kept(body.delegation(f), day))
            bodies.append(
                attrs.evolve(
                    body,
                    members=members,
                    delegated=delegated,
                    member_terms=tuple((m, t) for m, t in body.member_terms if m in members),
                    delegation_terms=tuple(
                        (f, t) for f, t in body.delegation_terms if f in delegated
                    ),
                )
            )
        roles = [role for role in self.roles if _kept(role.term, day)]
        named = {b.id for b in self.bodies} | {r.id for r in self.roles}
        while True:  # a post reporting to a body or post not there that day is not there
            there = {b.id for b in bodies} | {r.id for r in roles}
            lines = [r for r in roles if all(t in there or t not in named for t in r.reports_to)]
            if len(lines) == len(roles):
                break
            roles = lines
        delegations = tuple(d for d in self.delegations if _kept(d.term, day))
        return Governance(tuple(bodies), tuple(roles), delegations)

    def overdue(self, day: datetime.date | None) -> list[tuple[str, str, Term]]:
        """What is still planned although its first day has come by ``day``.

        Legal to write, wrong to run: a planned post, joint body, membership or delegation
        whose ``from`` is on or before ``day`` has either started (say so: drop ``planned``)
        or slipped (move its ``from``). Each is ``(item, what, term)``: ``joint body 'jc'``,
        ``delegation of 'f'``.
        """
        if day is None:
            return []

        def due(term: Term) -> bool:
            return term.planned and term.from_ is not None and term.from_ <= day

        found: list[tuple[str, str, Term]] = []
        for body in self.bodies:
            item = f"joint body '{body.id}'"
            if due(body.term):
                found.append((item, "the joint body", body.term))
            found += [(item, f"membership of '{m}'", t) for m, t in body.member_terms if due(t)]
            found += [(item, f"delegation of '{f}'", t) for f, t in body.delegation_terms if due(t)]
        found += [(f"role '{r.id}'", "the post", r.term) for r in self.roles if due(r.term)]
        found += [
            (f"delegation {n + 1}", f"delegation of '{d.function}' by '{d.by}'", d.term)
            for n, d in enumerate(self.delegations)
            if due(d.term)
        ]
        return found
