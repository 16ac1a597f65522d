"""A portfolio: the bodies working together and the functions they must decide on."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable
from typing import Any

import attrs

from taxonomy._model.fields import check_day, check_text
from taxonomy._model.function import Function
from taxonomy._model.governance import Governance, Organisation
from taxonomy._model.levels import Arrangement
from taxonomy._model.provisions import Law
from taxonomy.errors import UnknownIdError


def _organisations(value: Iterable[Organisation]) -> tuple[Organisation, ...]:
    return tuple(value)


def _functions(value: Iterable[Function]) -> tuple[Function, ...]:
    return tuple(value)


@attrs.frozen
class IndependentBody:
    """A body outside the joint working that a function must stay independent of.

    Not a member: it carries nothing out, holds nothing and never leads. A function naming it
    in ``legal.independence_from`` is capped as for a member body (nothing integrated with or
    led by it); the graph draws it outside, with the function's ``independent_of`` edge.

    Attributes:
        id: its id, apart from every organisation, function and governance id.
        name: its full name.
        source: where its independence comes from (the law or the instrument setting it up).

    >>> IndependentBody("panel", "Independent Review Panel", "its terms of reference").name
    'Independent Review Panel'
    """

    id: str = attrs.field(validator=check_text)
    name: str = attrs.field(validator=check_text)
    source: str = attrs.field(validator=check_text)


def _independent(value: Iterable[IndependentBody]) -> tuple[IndependentBody, ...]:
    return tuple(value)


@attrs.frozen
class PackReference:
    """The rule pack a portfolio file names, as written (its ``rules:`` key).

    ``rules: packs/councils`` (a folder, relative to the portfolio file) gives ``path`` alone;
    a mapping may add the ``name`` the pack must have and the ``version`` it must satisfy
    (``1.0.0`` or a range, ``>=1.0,<2``), or give ``name`` and ``version`` without a path for
    the default pack (the one installed with taxonomy).

    >>> PackReference("packs/councils").to_data()
    'packs/councils'
    >>> PackReference(None, "nhs-joint-working-2018", ">=1.0").to_data()
    {'name': 'nhs-joint-working-2018', 'version': '>=1.0'}
    """

    path: str | None = None
    name: str | None = None
    version: str | None = None

    def to_data(self) -> str | dict[str, str]:
        """The reference as a portfolio file writes it: the path alone, or a mapping."""
        if self.path is not None and self.name is None and self.version is None:
            return self.path
        fields = {"path": self.path, "name": self.name, "version": self.version}
        return {key: value for key, value in fields.items() if value is not None}


@attrs.frozen
class Portfolio:
    """The bodies working together and the functions they must decide on.

    Validation checks every id a function refers to names one of the organisations.

    Attributes:
        as_of: the day the portfolio describes (the board paper's 28 March 2018), if stated:
            the day a dated law is judged on unless another is asked for.
        rules: the rule pack the file names (its ``rules:`` key), as written, if it names one.
        pack: the rule pack the file named (``rules``), loaded, when the loader was given no
            other: classify, explain, what-if, report and check use it when given no pack.
            Not compared: two portfolios with the same content and reference are equal.
        streamed: a context for functions read one at a time (a portfolio streamed): it
            holds none of them, and what its governance says of them was checked by the
            reader against every function as it was read, so it is not checked here.
    """

    name: str = attrs.field(validator=check_text)
    organisations: tuple[Organisation, ...] = attrs.field(converter=_organisations)
    functions: tuple[Function, ...] = attrs.field(converter=_functions)
    law: Law = attrs.field(factory=Law, validator=attrs.validators.instance_of(Law))
    governance: Governance = attrs.field(
        factory=Governance, validator=attrs.validators.instance_of(Governance)
    )
    as_of: datetime.date | None = attrs.field(default=None, validator=check_day)
    rules: PackReference | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(attrs.validators.instance_of(PackReference)),
    )
    # A RulePack (taxonomy.language.rules imports this module, so the hint cannot name it: fact
    # paths read the model's hints at run time; see taxonomy.language.rules.pack_for).
    pack: Any = attrs.field(default=None, eq=False, repr=False)
    independent_bodies: tuple[IndependentBody, ...] = attrs.field(
        default=(), converter=_independent, kw_only=True
    )
    streamed: bool = attrs.field(default=False, kw_only=True, repr=False)

    @organisations.validator
    def _check_organisations(
        self, _attribute: attrs.Attribute[Any], value: tuple[Organisation, ...]
    ) -> None:
        # Files need two or more bodies; one is left only after a what-if merger, and then every
        # function is delivered once by that body (see taxonomy.whatif.scenarios).
        if len(value) < 1:
            raise ValueError("a portfolio needs at least one organisation")
        ids = [org.id for org in value]
        if len(set(ids)) != len(ids):
            raise ValueError("two organisations share an id")

    @functions.validator
    def _check_functions(
        self, _attribute: attrs.Attribute[Any], value: tuple[Function, ...]
    ) -> None:
        ids = [fn.id for fn in value]
        if len(set(ids)) != len(ids):
            raise ValueError("two functions share an id")
        bodies = {org.id for org in self.organisations}
        for fn in value:
            named = set(fn.performed_by) | fn.legal.bodies() | {b for b, _ in fn.capability.levels}
            named |= set(fn.involves)
            if fn.agreed_lead is not None:
                named.add(fn.agreed_lead)
            # A body outside the portfolio may only be one the function stays independent of.
            outside = set(self.independent_ids) & set(fn.legal.independence_from)
            unknown = sorted(named - bodies - outside)
            if unknown:
                raise ValueError(f"function {fn.id!r} names unknown bodies: {', '.join(unknown)}")
            missing = [b for b in fn.performed_by if b not in dict(fn.capability.levels)]
            if missing:
                raise ValueError(
                    f"function {fn.id!r}: capability must be answered for every body in "
                    f"performed_by; missing: {', '.join(missing)}"
                )

    @independent_bodies.validator
    def _check_independent(
        self, _attribute: attrs.Attribute[Any], value: tuple[IndependentBody, ...]
    ) -> None:
        taken = {*self.organisation_ids, *(fn.id for fn in self.functions)}
        taken |= {b.id for b in self.governance.bodies} | {r.id for r in self.governance.roles}
        ids = [b.id for b in value]
        if len(set(ids)) != len(ids):
            raise ValueError("two independent bodies share an id")
        clash = sorted(set(ids) & taken)
        if clash:
            raise ValueError(f"independent body id {clash[0]!r} is already used")

    @law.validator
    def _check_law(self, _attribute: attrs.Attribute[Any], value: Law) -> None:
        taken = [fn.id for fn in self.functions]
        taken += [b.id for b in self.governance.bodies] + [r.id for r in self.governance.roles]
        for position, _, key, _, problem, _ in value.succession_problems(
            self.organisation_ids, taken, outside=self.independent_ids
        ):
            raise ValueError(f"law: provision {value.provisions[position].id!r}: {key}: {problem}")

    @governance.validator
    def _check_governance(self, _attribute: attrs.Attribute[Any], value: Governance) -> None:
        orgs = {org.id for org in self.organisations}
        fns = {fn.id for fn in self.functions}
        ids = [b.id for b in value.bodies] + [r.id for r in value.roles]
        taken = orgs | fns
        for node_id in ids:
            if node_id in taken:
                raise ValueError(f"governance id {node_id!r} is already used")
            taken.add(node_id)
        bodies = {b.id for b in value.bodies}
        roles = {r.id for r in value.roles}
        named = None if self.streamed else fns  # a stream's functions: checked as read
        for body in value.bodies:
            _known(body.id, "members", body.members, orgs)
            _known(body.id, "delegated", body.delegated, named)
            _known(body.id, "oversees", body.oversees, named)
        for role in value.roles:
            _known(role.id, "employed_by", (role.employed_by,), orgs)
            _known(role.id, "reports_to", role.reports_to, orgs | bodies | roles)
            _known(role.id, "accountable_for", role.accountable_for, named)
        for number, made in enumerate(value.delegations, start=1):
            item = f"delegation {number}"
            _known(item, "function", (made.function,), named)
            _known(item, "by", (made.by,), orgs)
            _known(item, "to", made.to, orgs | bodies)

    def decision_forum(self, function: Function, arrangement: Arrangement) -> str | None:
        """Where a decision each body keeps is taken, when one team delivers for them all.

        ``None`` unless the decision is reserved to each body's Board, two or more bodies keep
        it and the arrangement is one team. Then: ``governance`` when a joint body of the
        portfolio's governance takes or oversees the function; else ``joint_committee`` where
        the law lets the bodies form one and the decision may go to one; else
        ``committees_in_common`` (each Board's committee meeting together, each keeping its own
        decision, which needs no power to form joint committees).

        >>> import taxonomy
        >>> councils = taxonomy.load_rules("examples/packs/councils")
        >>> p = taxonomy.load_portfolio(
        ...     "examples/three_councils_shared_services.yaml", rules=councils
        ... )
        >>> p.decision_forum(p.function("planning-decisions"), Arrangement.ONE_TEAM)
        'joint_committee'
        """
        legal = function.legal
        keepers = legal.held_by_each or (function.performed_by if legal.board_reserved else ())
        if arrangement is not Arrangement.ONE_TEAM or not legal.board_reserved:
            return None
        if len(keepers) < 2:
            return None
        if function.id in self._governed:
            return "governance"
        if self.law.joint_committees and "joint_committee" not in legal.not_delegable_to:
            return "joint_committee"
        return "committees_in_common"

    def with_function(self, function: Function) -> Portfolio:
        """A new portfolio with ``function`` in place of the function of the same id.

        >>> import taxonomy
        >>> p = taxonomy.load_portfolio("examples/nhs_joint_working_2018.yaml")
        >>> it = attrs.evolve(p.function("it"), name="Digital")
        >>> p.with_function(it).function("it").name, p.function("it").name
        ('Digital', 'IT')
        """
        self.function(function.id)  # KeyError for an unknown id
        return attrs.evolve(
            self, functions=tuple(function if f.id == function.id else f for f in self.functions)
        )

    def function(self, function_id: str) -> Function:
        """The function with this id (found in constant time: the functions are indexed once).

        Raises:
            UnknownIdError: (a ``KeyError``) no function has it; the message suggests one.
        """
        found = self._functions_by_id.get(function_id)
        if found is not None:
            return found
        raise UnknownIdError(
            "function",
            function_id,
            (f.id for f in self.functions),
            where=f"portfolio {self.name!r}",
        )

    @property
    def organisation_ids(self) -> tuple[str, ...]:
        """The organisations' ids, in the portfolio's order."""
        return self._organisation_ids

    @property
    def independent_ids(self) -> tuple[str, ...]:
        """The ids of the bodies outside the portfolio a function may stay independent of."""
        return tuple(b.id for b in self.independent_bodies)

    def body_name(self, body: str) -> str:
        """The name of an organisation or of an independent body outside the portfolio."""
        names = {o.id: o.name for o in self.organisations}
        names |= {b.id: b.name for b in self.independent_bodies}
        if body in names:
            return names[body]
        raise UnknownIdError(
            "body",
            body,
            (*self.organisation_ids, *self.independent_ids),
            where=f"portfolio {self.name!r}",
        )

    # Indexes built once, on first use: the portfolio is frozen, so they never go stale. A cached
    # property is no attrs field: it is left out of eq, hash, repr, evolve and asdict, and a
    # pickled portfolio rebuilds it.
    @functools.cached_property
    def _functions_by_id(self) -> dict[str, Function]:
        return {fn.id: fn for fn in self.functions}

    @functools.cached_property
    def _organisation_ids(self) -> tuple[str, ...]:
        return tuple(org.id for org in self.organisations)

    @functools.cached_property
    def _governed(self) -> frozenset[str]:
        """The functions a joint body of the governance takes or oversees."""
        return frozenset(
            fn for body in self.governance.bodies for fn in (*body.delegated, *body.oversees)
        )


def _known(item: str, key: str, named: Iterable[str], known: set[str] | None) -> None:
    """Refuse ids of ``named`` not in ``known`` (None: checked by whoever read them)."""
    if known is None:
        return
    unknown = sorted(set(named) - known)
    if unknown:
        raise ValueError(f"{item!r}: {key} names unknown ids: {', '.join(unknown)}")


class OfADay:
    """The day a portfolio was judged on, and the law of that day, for a result holding it.

    Mixed into the classes that hold the ``portfolio`` of the day judged (a classification,
    the law in force), so each says ``as_of`` and ``provisions`` the one way.
    """

    __slots__ = ()
    portfolio: Portfolio

    @property
    def as_of(self) -> datetime.date | None:
        """The day judged on (the portfolio's or the one asked for); None: undated, no day."""
        return self.portfolio.as_of

    @property
    def provisions(self) -> tuple[str, ...]:
        """The ids of the dated provisions of the law in force that day, in the order written."""
        return tuple(p.id for p in self.portfolio.law.applied)
