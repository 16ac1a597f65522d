"""The change kinds ``add``, ``remove``, ``delegate`` and ``undelegate``: governance, changed.

Each reads, applies and describes itself, and says its JSON Schema (see
:mod:`taxonomy.whatif.kinds`).

- ``add: {joint_body: {id, name, kind, members, delegated, oversees, notes}}`` or
  ``add: {role: {id, name, employed_by, reports_to, accountable_for, notes}}``: new governance,
  checked as the portfolio loader checks its ``governance:`` section.
- ``remove: {joint_body: ID}`` or ``remove: {role: ID}`` (not while a role reports to it).
- ``delegate: {functions: [ID, ...], to: JOINT_BODY}`` and ``undelegate: {functions: [ID, ...],
  from: JOINT_BODY}``: decisions handed to a joint body, or taken back by the Boards.
- ``as_of: {day: YYYY-MM-DD}``: the portfolio as it stands on another day, its governance
  compared with the baseline's (two days compared).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from taxonomy._model import Governance, Portfolio, Term, parse_day
from taxonomy.errors import InputError, PortfolioError, ScenarioError, did_you_mean
from taxonomy.input.portfolio import governance_from_data, governance_to_data
from taxonomy.input.reader import Fields, Reader
from taxonomy.language.rules import RulePack
from taxonomy.whatif.changes import closed, ids_schema
from taxonomy.whatif.kinds import Applied, Where, change_kind, each_problem

__all__ = [
    "GOVERNANCE_KINDS",
    "AddGovernance",
    "Delegation",
    "OnDay",
    "RemoveGovernance",
    "governance_changes",
]

Schema = dict[str, Any]

#: What ``add`` and ``remove`` changes act on: a joint body, or a role.
GOVERNANCE_KINDS = ("joint_body", "role")


def _strings(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _fields(value: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> tuple[tuple[str, Any], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple((str(key), tuple(v) if isinstance(v, list | tuple) else v) for key, v in items)


def _governance_kind(key: str, reader: Reader, body: Fields, at: Where) -> str:
    """The one governance kind an ``add`` or ``remove`` names."""
    reader.keys(body, allowed=GOVERNANCE_KINDS, item=at.item)
    if len(body) != 1:
        raise at.error(f"'{key}' takes one of: joint_body, role", allowed=GOVERNANCE_KINDS)
    (what,) = body
    return str(what)


def _one_of(properties: Schema) -> Schema:
    return {**closed(properties), "minProperties": 1, "maxProperties": 1}


@change_kind("add")
@attrs.frozen
class AddGovernance:
    """Add a joint body or a role, as the portfolio's ``governance:`` section would state it.

    Attributes:
        kind: ``joint_body`` or ``role``.
        fields: its keys and values (``id``, ``name``, ...), checked when the change is applied,
            by the portfolio loader's governance checks.
    """

    kind: str = attrs.field(validator=attrs.validators.in_(GOVERNANCE_KINDS))
    fields: tuple[tuple[str, Any], ...] = attrs.field(converter=_fields)
    at: Where = attrs.field(factory=Where, eq=False)

    def describe(self) -> str:
        """The change in words."""
        return f"add {self.kind.replace('_', ' ')} {dict(self.fields).get('id')}"

    def apply(self, applied: Applied) -> Applied:
        """The portfolio with its governance changed."""
        return attrs.evolve(applied, portfolio=self._applied(applied.portfolio))

    def _applied(self, portfolio: Portfolio) -> Portfolio:
        """The governance with the new joint body or role, read by the portfolio loader's checks."""
        at = self.at
        data = governance_to_data(portfolio.governance)
        data.setdefault("bodies" if self.kind == "joint_body" else "roles", []).append(
            dict(self.fields)
        )
        try:
            governance = governance_from_data(
                data,
                organisations=portfolio.organisation_ids,
                functions=[fn.id for fn in portfolio.functions],
                file=at.file or "<scenario>",
            )
        except PortfolioError as exc:

            def located(problem: InputError) -> ScenarioError:
                where = f"{problem.item}: " if problem.item else ""
                return at.error(
                    where + problem.problem,
                    key=problem.key,
                    allowed=problem.allowed,
                    suggestion=problem.suggestion,
                )

            raise each_problem(exc, at, located) from None
        return attrs.evolve(portfolio, governance=governance)

    @classmethod
    def read(cls, key: str, reader: Reader, body: Fields, at: Where) -> AddGovernance:
        """``{joint_body: {...}}`` or ``{role: {...}}``."""
        what = _governance_kind(key, reader, body, at)
        fields = reader.mapping(body[what], what=f"'{what}'", item=at.item, at=body)
        return cls(what, fields, at)

    @classmethod
    def schema(cls, key: str, rules: RulePack) -> Schema:
        """A joint body or a role, as a portfolio's governance writes it."""
        return _one_of({kind: {"$ref": f"#/$defs/{kind}"} for kind in GOVERNANCE_KINDS})


@change_kind("remove")
@attrs.frozen
class RemoveGovernance:
    """Remove a joint body or a role (refused while a role reports to it)."""

    kind: str = attrs.field(validator=attrs.validators.in_(GOVERNANCE_KINDS))
    id: str
    at: Where = attrs.field(factory=Where, eq=False)

    def describe(self) -> str:
        """The change in words."""
        return f"remove {self.kind.replace('_', ' ')} {self.id}"

    def apply(self, applied: Applied) -> Applied:
        """The portfolio with its governance changed."""
        return attrs.evolve(applied, portfolio=self._applied(applied.portfolio))

    def _applied(self, portfolio: Portfolio) -> Portfolio:
        """The governance without the body or role."""
        at = self.at
        governance = portfolio.governance
        body = self.kind == "joint_body"
        ids = [b.id for b in governance.bodies] if body else [r.id for r in governance.roles]
        what = "joint body" if body else "role"
        if self.id not in ids:
            raise at.error(
                f"no {what} '{self.id}' in the portfolio's governance",
                key=self.kind,
                allowed=ids,
                suggestion=did_you_mean(self.id, ids),
            )
        reporting = [r.id for r in governance.roles if self.id in r.reports_to and r.id != self.id]
        if reporting:
            roles = ", ".join(f"'{r}'" for r in reporting)
            raise at.error(
                f"{'role' if len(reporting) == 1 else 'roles'} {roles} "
                f"{'reports' if len(reporting) == 1 else 'report'} to {what} '{self.id}': "
                "remove or change that reporting line first",
                key=self.kind,
            )
        if body:
            governance = attrs.evolve(
                governance, bodies=tuple(b for b in governance.bodies if b.id != self.id)
            )
        else:
            governance = attrs.evolve(
                governance, roles=tuple(r for r in governance.roles if r.id != self.id)
            )
        return attrs.evolve(portfolio, governance=governance)

    @classmethod
    def read(cls, key: str, reader: Reader, body: Fields, at: Where) -> RemoveGovernance:
        """``{joint_body: ID}`` or ``{role: ID}``."""
        what = _governance_kind(key, reader, body, at)
        return cls(what, reader.identifier(body, what, item=at.item), at)

    @classmethod
    def schema(cls, key: str, rules: RulePack) -> Schema:
        """The id of a joint body or of a role."""
        return _one_of({kind: {"type": "string"} for kind in GOVERNANCE_KINDS})


@change_kind("delegate", "undelegate")
@attrs.frozen
class Delegation:
    """Delegate decisions on functions to a joint body (``delegate``), or take them back.

    Attributes:
        functions: the functions whose decisions move.
        body: the joint body they are delegated to (or taken back from).
        delegate: True to delegate, False to take back (``undelegate``).
    """

    functions: tuple[str, ...] = attrs.field(converter=_strings)
    body: str
    delegate: bool = True
    at: Where = attrs.field(factory=Where, eq=False)

    def describe(self) -> str:
        """The change in words."""
        if self.delegate:
            return f"delegate {', '.join(self.functions)} to {self.body}"
        return f"take {', '.join(self.functions)} back from {self.body}"

    def apply(self, applied: Applied) -> Applied:
        """The portfolio with its governance changed."""
        return attrs.evolve(applied, portfolio=self._applied(applied.portfolio))

    def _applied(self, portfolio: Portfolio) -> Portfolio:
        """The joint body's delegated functions, changed."""
        at = self.at
        key = "to" if self.delegate else "from"
        bodies = {b.id: b for b in portfolio.governance.bodies}
        if self.body not in bodies:
            raise at.error(
                f"no joint body '{self.body}' in the portfolio's governance",
                key=key,
                allowed=list(bodies),
                suggestion=did_you_mean(self.body, bodies),
            )
        if not self.functions:
            raise at.error("name at least one function", key="functions")
        if len(set(self.functions)) != len(self.functions):
            raise at.error("lists a function twice", key="functions")
        ids = {fn.id for fn in portfolio.functions}
        for function in self.functions:
            if function not in ids:
                raise at.error(
                    f"no function '{function}' in the portfolio",
                    key="functions",
                    suggestion=did_you_mean(function, ids),
                )
        body = bodies[self.body]
        held = set(body.delegated)
        if self.delegate and body.kind == "joint_oversight_group":
            raise at.error(
                f"'{body.id}' is a joint oversight group, which takes no decisions (board paper "
                "para 20): it only oversees",
                key="to",
            )
        if self.delegate:
            already = [f for f in self.functions if f in held]
            if already:
                raise at.error(
                    f"{', '.join(already)} already delegated to '{body.id}'", key="functions"
                )
            delegated = (*body.delegated, *self.functions)
        else:
            missing = [f for f in self.functions if f not in held]
            if missing:
                raise at.error(
                    f"{', '.join(missing)} not delegated to '{body.id}'",
                    key="functions",
                    allowed=body.delegated,
                )
            taken_back = set(self.functions)
            delegated = tuple(f for f in body.delegated if f not in taken_back)
        terms = tuple((f, t) for f, t in body.delegation_terms if f in delegated)
        updated = attrs.evolve(body, delegated=delegated, delegation_terms=terms)
        governance = attrs.evolve(
            portfolio.governance,
            bodies=tuple(updated if b.id == body.id else b for b in portfolio.governance.bodies),
        )
        return attrs.evolve(portfolio, governance=governance)

    @classmethod
    def read(cls, key: str, reader: Reader, body: Fields, at: Where) -> Delegation:
        """``{functions: [ID, ...], to: BODY}``, or ``from: BODY`` to take them back."""
        item = at.item
        target = "to" if key == "delegate" else "from"
        reader.keys(body, allowed=("functions", target), required=("functions", target), item=item)
        functions = body["functions"]
        functions = [functions] if isinstance(functions, str) else functions
        if not isinstance(functions, list | tuple) or not all(
            isinstance(f, str) for f in functions
        ):
            raise at.error("'functions' must be a list of function ids", key="functions")
        return cls(
            tuple(functions), reader.identifier(body, target, item=item), key == "delegate", at
        )

    @classmethod
    def schema(cls, key: str, rules: RulePack) -> Schema:
        """The functions, and the joint body they go ``to`` (or come back ``from``)."""
        target = "to" if key == "delegate" else "from"
        return closed(
            {"functions": ids_schema(), target: {"type": "string"}},
            required=("functions", target),
        )


@change_kind("as_of")
@attrs.frozen
class OnDay:
    """The portfolio as it stands on another day: ``as_of: {day: 2021-06-01}``.

    Comparing two days is a scenario that moves the day: the law, the bodies and the
    governance of that day (:func:`taxonomy.law.in_force`, taken from the portfolio as written,
    never from the baseline already judged), and the notes say what changed in the governance
    (:func:`governance_changes`). It is the first change, once; the others apply on that day.

    Attributes:
        day: the day.
    """

    day: datetime.date
    at: Where = attrs.field(factory=Where, eq=False)

    def describe(self) -> str:
        """The change in words."""
        return f"as of {self.day}"

    def apply(self, applied: Applied) -> Applied:
        """Nothing more: :meth:`taxonomy.Scenario.apply` has judged the portfolio on the day."""
        return applied

    @classmethod
    def read(cls, key: str, reader: Reader, body: Fields, at: Where) -> OnDay:
        """``{day: YYYY-MM-DD}``."""
        reader.keys(body, allowed=("day",), required=("day",), item=at.item)
        try:
            return cls(parse_day(body["day"]), at)
        except ValueError as exc:
            raise at.error(str(exc), key="day") from None

    @classmethod
    def schema(cls, key: str, rules: RulePack) -> Schema:
        """``day``: the day to judge the portfolio on."""
        return closed({"day": {"$ref": "#/$defs/day"}}, required=("day",))


def _standing(governance: Governance) -> dict[str, str]:
    """Each post, joint body, membership and delegation, in words, and whether it is planned."""
    found: dict[str, str] = {}

    def state(*terms: Term) -> str:
        return "planned" if any(t.planned for t in terms) else "in force"

    for body in governance.bodies:
        named = f"joint body '{body.id}'"
        found[named] = state(body.term)
        for member in body.members:
            found[f"{member}'s membership of '{body.id}'"] = state(
                body.term, body.membership(member)
            )
        for fid in body.delegated:
            found[f"the delegation of {fid} to '{body.id}'"] = state(
                body.term, body.delegation(fid)
            )
    for role in governance.roles:
        found[f"post '{role.id}'"] = state(role.term)
    return found


def governance_changes(before: Governance, after: Governance) -> list[str]:
    """What changed in the governance between two days, one sentence each.

    Posts, joint bodies, memberships and delegations that came (``new, in force`` or ``new,
    planned``), went (``gone``), or moved between planned and in force.

    >>> import datetime
    >>> from taxonomy import JointBody, Term
    >>> jc = JointBody("jc", "Joint committee", "joint_committee", ("a", "b"),
    ...     member_terms=(("b", Term(from_=datetime.date(2021, 4, 1))),))
    >>> governance_changes(Governance((jc,)).on(datetime.date(2020, 1, 1)),
    ...     Governance((jc,)).on(datetime.date(2021, 6, 1)))
    ["governance: b's membership of 'jc': new, in force"]
    """
    was, now = _standing(before), _standing(after)
    said = []
    for what, state in now.items():
        if what not in was:
            said.append(f"governance: {what}: new, {state}")
        elif was[what] != state:
            said.append(f"governance: {what}: was {was[what]}, now {state}")
    said += [f"governance: {what}: gone" for what in was if what not in now]
    return said
