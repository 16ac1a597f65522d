"""What-if scenarios: named, ordered changes to a portfolio and its rule pack.

A scenario never mutates the baseline: :meth:`Scenario.apply` returns a new portfolio and pack.
Scenarios come from YAML (:func:`load_scenario`) or are built in Python, each call returning a
new scenario, and compose with ``+``::

    from taxonomy import Scenario
    act = (Scenario("Health and Care Act 2022")
           .merge(into="nhse", from_=["nhsi"])
           .set(functions="*", field="legal.board_reserved", value=False))

Changes:

- ``merge: {into: BODY, from: [BODY, ...], name: NAME}``: bodies merge; their functions,
  answers and governance are carried over to ``into`` (its capability is the best of the merged
  bodies'). With ``name``, ``into`` is a new body (eight CCGs into one new CCG).
- ``set: {function: ID | functions: "*" | where: CONDITION, field: FIELD, value: VALUE}``: change
  one answer on the selected functions. ``where`` is a rule condition over answer facts, e.g.
  ``{fact: legal.statutory_owner, op: present}``.
- ``law: {joint_committees: true|false}``.
- ``rules: {disable: [RULE_ID, ...]}``, ``{replace: [RULE, ...]}`` or ``{pack: DIR}``.
- ``add: {joint_body: {id, name, kind, members, delegated, oversees, notes}}`` or
  ``add: {role: {id, name, employed_by, reports_to, accountable_for, notes}}``: new governance,
  checked as the portfolio loader checks its ``governance:`` section.
- ``remove: {joint_body: ID}`` or ``remove: {role: ID}`` (not while a role reports to it).
- ``delegate: {functions: [ID, ...], to: JOINT_BODY}`` and ``undelegate: {functions: [ID, ...],
  from: JOINT_BODY}``: decisions handed to a joint body, or taken back by the Boards.

Ids are checked when the scenario is applied to a portfolio; every error names the file, the
change number and, where one fits, a "did you mean".

A scenario changes a portfolio as it stood on a day: :func:`taxonomy.law.in_force` judges a
dated law on that day (its abolitions are carried out with the same merger), and
:meth:`Scenario.apply` starts from there.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from taxonomy._model import (
    DELEGATION_LIMITS,
    Capability,
    Effectiveness,
    Function,
    Law,
    Level,
    Portfolio,
)
from taxonomy.errors import (
    InputError,
    PortfolioError,
    Problems,
    RulePackError,
    ScenarioError,
    did_you_mean,
)
from taxonomy.input.portfolio import governance_from_data, governance_to_data
from taxonomy.input.reader import (
    Fields,
    Reader,
    load_yaml,
    loads_yaml,
    location_of,
    source_name,
)
from taxonomy.language.facts import (
    ANSWER_QUESTIONS,
    OPEN_TYPES,
    Facts,
    FactType,
    is_open_answer,
    parse_answer,
    parse_open,
)
from taxonomy.language.rules import (
    Condition,
    Rule,
    RulePack,
    check_condition,
    check_keys,
    fold_choice,
    fold_condition,
    load_rules,
    pack_for,
    read_condition,
    read_rule,
)
from taxonomy.language.semantics import holds
from taxonomy.law import Merger, apply_merge, in_force, known_body

__all__ = [
    "FIELDS",
    "GOVERNANCE_KINDS",
    "AddGovernance",
    "Applied",
    "Delegation",
    "LawChange",
    "Merge",
    "RemoveGovernance",
    "RulesChange",
    "Scenario",
    "Selector",
    "SetAnswer",
    "check_field",
    "load_scenario",
    "loads_scenario",
    "normalise_value",
    "read_where",
    "scenario_from_data",
]

#: The answers a ``set`` change may change, and the kind of value each takes.
FIELDS = {
    "level": "tier",
    "performed_by": "bodies",
    "efficiency.duplication": "level",
    "efficiency.simplification": "level",
    "effectiveness.joint_benefit": "level",
    "legal.statutory_owner": "body, bodies or null",
    "legal.held_by_each": "bodies",
    "legal.delegable_to": "bodies",
    "legal.board_reserved": "true/false",
    "legal.not_delegable_to": "limits",
    "legal.independence_from": "bodies",
    "legal.separate_reason": "text",
    "agreed_lead": "body or null",
    "capability.<body>": "level",
    "notes": "text",
}


@attrs.frozen
class Where:
    """Where a change was written: file, change number (1-based) and line."""

    file: str = ""
    number: int = 0
    line: int | None = None
    #: What is numbered: a scenario's "change", a sweep's "axis".
    what: str = "change"

    @property
    def value_key(self) -> str:
        """The key a change's value is written under: ``value``, or an axis's ``values``."""
        return "values" if self.what == "axis" else "value"

    def error(self, problem: str, **fields: Any) -> ScenarioError:
        """A :class:`ScenarioError` located at this change."""
        return ScenarioError(
            problem,
            file=self.file or None,
            line=self.line,
            item=f"{self.what} {self.number}" if self.number else None,
            **fields,
        )


@attrs.frozen
class Selector:
    """Which functions a ``set`` change applies to: one id, every function, or a filter."""

    function: str | None = None
    all: bool = False
    where: Condition | None = None

    def select(self, portfolio: Portfolio, at: Where, facts: Facts | None = None) -> list[Function]:
        """The selected functions (ScenarioError for an unknown id).

        ``facts`` are the declarations a ``where`` filter reads (None: the default pack's).
        """
        if self.all:
            return list(portfolio.functions)
        if self.function is not None:
            ids = [f.id for f in portfolio.functions]
            if self.function not in ids:
                raise at.error(
                    f"no function '{self.function}' in the portfolio",
                    key="function",
                    suggestion=did_you_mean(self.function, ids),
                )
            return [portfolio.function(self.function)]
        assert self.where is not None
        facts = facts if facts is not None else load_rules().facts
        return [f for f in portfolio.functions if holds(self.where, facts.values(f, portfolio))]

    def describe(self) -> str:
        """The selector in words."""
        if self.all:
            return "every function"
        if self.function is not None:
            return f"function {self.function}"
        return "functions matching a filter"


def _strings(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _rules(value: Iterable[Rule]) -> tuple[Rule, ...]:
    return tuple(value)


@attrs.frozen
class SetAnswer:
    """Set one answer on the selected functions."""

    selector: Selector
    field: str
    value: Any
    at: Where = attrs.field(factory=Where, eq=False)

    def describe(self) -> str:
        """The change in words."""
        return f"set {self.field} = {self.value!r} on {self.selector.describe()}"


@attrs.frozen
class Merge(Merger):
    """Merge bodies into one (e.g. NHS Improvement into NHS England, 1 July 2022).

    The merger itself is the law's (:func:`taxonomy.law.apply_merge`); a scenario's change adds
    where it was written, so a problem is located at the change.
    """

    at: Where = attrs.field(factory=Where, eq=False)

    def error(self, problem: str, **fields: Any) -> ScenarioError:
        """A :class:`ScenarioError` located at this change."""
        return self.at.error(problem, **fields)

    def describe(self) -> str:
        """The change in words."""
        target = f"{self.into} ({self.name})" if self.name else self.into
        return f"merge {', '.join(self.from_)} into {target}"


@attrs.frozen
class LawChange:
    """Change what the law lets the bodies do together."""

    joint_committees: bool
    at: Where = attrs.field(factory=Where, eq=False)

    def describe(self) -> str:
        """The change in words."""
        return f"law: joint committees {'allowed' if self.joint_committees else 'not allowed'}"


@attrs.frozen
class RulesChange:
    """Change the rule pack: disable rules, replace rules, or load another pack."""

    disable: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    replace: tuple[Rule, ...] = attrs.field(default=(), converter=_rules)
    pack: str | None = None
    at: Where = attrs.field(factory=Where, eq=False)

    def describe(self) -> str:
        """The change in words."""
        parts = []
        if self.pack:
            parts.append(f"load pack {self.pack}")
        if self.disable:
            parts.append(f"disable {', '.join(self.disable)}")
        if self.replace:
            parts.append(f"replace {', '.join(r.id for r in self.replace)}")
        return "rules: " + "; ".join(parts)


#: What ``add`` and ``remove`` changes act on: a joint body, or a role.
GOVERNANCE_KINDS = ("joint_body", "role")


def _fields(value: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> tuple[tuple[str, Any], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple((str(key), tuple(v) if isinstance(v, list | tuple) else v) for key, v in items)


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


@attrs.frozen
class RemoveGovernance:
    """Remove a joint body or a role (refused while a role reports to it)."""

    kind: str = attrs.field(validator=attrs.validators.in_(GOVERNANCE_KINDS))
    id: str
    at: Where = attrs.field(factory=Where, eq=False)

    def describe(self) -> str:
        """The change in words."""
        return f"remove {self.kind.replace('_', ' ')} {self.id}"


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


Change = SetAnswer | Merge | LawChange | RulesChange | AddGovernance | RemoveGovernance | Delegation


@attrs.frozen
class Applied:
    """A scenario applied: the new portfolio and pack (the baseline is untouched)."""

    portfolio: Portfolio
    rules: RulePack
    notes: tuple[str, ...] = ()

    @property
    def single_body(self) -> str | None:
        """The one body left after mergers, if only one is left."""
        ids = self.portfolio.organisation_ids
        return ids[0] if len(ids) == 1 else None


def _changes(value: Iterable[Change]) -> tuple[Change, ...]:
    return tuple(value)


@attrs.frozen
class Scenario:
    """A named, ordered list of changes. Immutable: every builder call returns a new scenario.

    >>> s = Scenario("What if").law(joint_committees=True)
    >>> t = s.set(function="pricing", field="legal.board_reserved", value=False)
    >>> len(s.changes), len(t.changes), (s + t).name
    (1, 2, 'What if + What if')
    """

    name: str
    description: str = ""
    changes: tuple[Change, ...] = attrs.field(default=(), converter=_changes)

    def _with(self, change: Change) -> Scenario:
        return attrs.evolve(self, changes=(*self.changes, change))

    def set(
        self,
        *,
        field: str,
        value: Any,
        function: str | None = None,
        functions: str | None = None,
        where: Condition | None = None,
    ) -> Scenario:
        """Add a change setting ``field`` to ``value`` on the selected functions.

        Select with ``function="id"``, ``functions="*"`` or ``where=Condition``.
        """
        chosen = [x is not None for x in (function, functions, where)]
        if sum(chosen) != 1:
            raise ScenarioError("select functions with exactly one of function, functions, where")
        if functions is not None and functions != "*":
            raise ScenarioError("functions takes '*' (every function)", key="functions")
        value = normalise_value(field, value)
        check_field(field, value, Where())
        return self._with(
            SetAnswer(Selector(function=function, all=functions == "*", where=where), field, value)
        )

    def merge(self, *, into: str, from_: Sequence[str], name: str | None = None) -> Scenario:
        """Add a change merging the bodies ``from_`` into ``into``.

        Give ``name`` to merge into a new body ``into`` (e.g. eight CCGs into one new CCG).
        """
        return self._with(Merge(into, tuple(from_), name))

    def law(self, *, joint_committees: bool) -> Scenario:
        """Add a change to the law."""
        return self._with(LawChange(joint_committees))

    def add_joint_body(
        self,
        *,
        id: str,
        name: str,
        kind: str,
        members: Sequence[str],
        delegated: Sequence[str] = (),
        oversees: Sequence[str] = (),
        notes: str = "",
    ) -> Scenario:
        """Add a change setting up a joint body (a joint committee, an oversight group).

        Checked when applied, as the portfolio loader checks ``governance.bodies``.
        """
        fields: dict[str, Any] = {"id": id, "name": name, "kind": kind, "members": members}
        fields |= {"delegated": delegated, "oversees": oversees, "notes": notes}
        return self._with(AddGovernance("joint_body", fields))

    def add_role(
        self,
        *,
        id: str,
        name: str,
        employed_by: str,
        reports_to: Sequence[str],
        accountable_for: Sequence[str] = (),
        notes: str = "",
    ) -> Scenario:
        """Add a change creating a role (a joint director, a single Accountable Officer)."""
        fields: dict[str, Any] = {"id": id, "name": name, "employed_by": employed_by}
        fields |= {"reports_to": reports_to, "accountable_for": accountable_for, "notes": notes}
        return self._with(AddGovernance("role", fields))

    def remove_joint_body(self, id: str) -> Scenario:
        """Add a change removing a joint body (refused while a role reports to it)."""
        return self._with(RemoveGovernance("joint_body", id))

    def remove_role(self, id: str) -> Scenario:
        """Add a change removing a role (refused while another role reports to it)."""
        return self._with(RemoveGovernance("role", id))

    def delegate(self, *, functions: Sequence[str], to: str) -> Scenario:
        """Add a change delegating the decisions on ``functions`` to the joint body ``to``."""
        return self._with(Delegation(tuple(functions), to, True))

    def undelegate(self, *, functions: Sequence[str], from_: str) -> Scenario:
        """Add a change giving the decisions on ``functions`` back from the joint body ``from_``."""
        return self._with(Delegation(tuple(functions), from_, False))

    def rules(
        self,
        *,
        disable: Sequence[str] = (),
        replace: Sequence[Rule] = (),
        pack: str | None = None,
    ) -> Scenario:
        """Add a change to the rule pack."""
        return self._with(RulesChange(tuple(disable), tuple(replace), pack))

    def __add__(self, other: Scenario) -> Scenario:
        if not isinstance(other, Scenario):
            return NotImplemented
        description = "; ".join(d for d in (self.description, other.description) if d)
        return Scenario(f"{self.name} + {other.name}", description, self.changes + other.changes)

    def apply(
        self,
        portfolio: Portfolio,
        rules: RulePack | None = None,
        *,
        as_of: datetime.date | str | None = None,
    ) -> Applied:
        """Apply every change in order to copies of ``portfolio`` and ``rules``.

        A scenario changes the portfolio as it stood on a day: a dated law is first judged on
        ``as_of`` (default: the portfolio's own ``as_of``), its abolitions carried out, as
        :func:`taxonomy.law.in_force` does; the notes say what that did.

        Raises:
            ScenarioError: a change names an unknown id, or leaves an invalid portfolio.
            PortfolioError: the law is dated and no day is known.
        """
        pack = pack_for(portfolio, rules)
        day = in_force(portfolio, as_of, pack.facts)
        portfolio = day.portfolio
        notes: list[str] = list(day.notes)
        for change in self.changes:
            try:
                if isinstance(change, SetAnswer):
                    portfolio = _apply_set(portfolio, change, pack.facts)
                elif isinstance(change, Merge):
                    portfolio, more = apply_merge(portfolio, change, pack.facts)
                    notes += more
                elif isinstance(change, LawChange):
                    portfolio = attrs.evolve(portfolio, law=Law(change.joint_committees))
                elif isinstance(change, AddGovernance):
                    portfolio = _apply_add(portfolio, change)
                elif isinstance(change, RemoveGovernance):
                    portfolio = _apply_remove(portfolio, change)
                elif isinstance(change, Delegation):
                    portfolio = _apply_delegation(portfolio, change)
                else:
                    pack = _apply_rules(pack, change)
            except (ScenarioError, RulePackError):
                raise
            except (ValueError, TypeError) as exc:  # the model refused what the change made
                raise change.at.error(f"leaves an invalid portfolio: {exc}") from None
        return Applied(portfolio, pack, tuple(notes))


# --- applying -----------------------------------------------------------------------------------


def check_field(field: str, value: Any, at: Where, facts: Facts | None = None) -> None:
    """Check that ``value`` suits the answer ``field``, or raise at ``at``.

    A field is one of :data:`FIELDS` (the model's answers), or a question a rule pack declares
    (``legal.democratic_control``), checked against ``facts``. Without ``facts`` (a scenario
    read before the pack it will run under is known), a field named like a declared question
    is checked when the scenario is applied.

    An answer may be set open (``unknown``, ``low..high``, a list), as a portfolio writes it,
    where the portfolio could leave it open: the function is then classified over every value
    (:mod:`taxonomy.partial`).
    """
    if is_open_answer(value):
        kind = _open_kind(field, facts)
        if kind is not None:
            choices = facts.type(field).choices if kind == "choice" and facts else ()
            problem, _, allowed = parse_open(kind, value, choices)
            if problem is not None:
                raise at.error(
                    f"{problem} (for {field})", key=at.value_key, allowed=allowed or None
                )
            required = _known_required(field, facts)
            if required is not None:
                raise at.error(
                    f"{value!r} leaves {field} open, but rule pack '{required}' requires it "
                    "known (known: required)",
                    key=at.value_key,
                )
            return
    if facts is not None and field in facts and facts.get(field).answered:
        problem, _ = parse_answer(facts.type(field), value, bodies=None)
        if problem is not None:
            raise at.error(f"{problem} (for {field})", key=at.value_key)
        return
    kind = FIELDS.get(field)
    question, _, key = field.partition(".")
    if question == "capability" and key and "." not in key:
        kind = "level"
    if kind is None:
        if facts is None and _maybe_declared(field):
            return
        declared = [f.name for f in facts.answered()] if facts is not None else []
        raise at.error(
            f"unknown field '{field}'",
            key="field",
            allowed=[*FIELDS, *declared],
            suggestion=did_you_mean(field, [*FIELDS, *declared]),
        )
    ok = {
        "level": isinstance(value, str) and value in Level.names(),
        "tier": value in _tiers(),
        "true/false": isinstance(value, bool),
        "body or null": value is None or isinstance(value, str),
        "bodies": isinstance(value, list | tuple) and all(isinstance(v, str) for v in value),
        "body, bodies or null": value is None
        or isinstance(value, str)
        or (isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)),
        "limits": isinstance(value, list | tuple) and all(v in DELEGATION_LIMITS for v in value),
        "text": isinstance(value, str),
    }[kind]
    if not ok:
        allowed = {"level": Level.names(), "tier": _tiers(), "limits": DELEGATION_LIMITS}.get(
            kind, (kind,)
        )
        raise at.error(
            f"{value!r} is not a valid value for {field} ({kind})",
            key=at.value_key,
            allowed=allowed,
            suggestion=did_you_mean(str(value), allowed),
        )


def _open_kind(field: str, facts: Facts | None) -> str | None:
    """The type of an answer ``field`` a scenario may set open, or None (it may not)."""
    if facts is not None and field in facts and facts.get(field).answered:
        kind = facts.type(field).name
        return kind if kind in OPEN_TYPES else None
    question, _, key = field.partition(".")
    if FIELDS.get(field) == "level" or (question == "capability" and key and "." not in key):
        return "level"
    return None


def _known_required(field: str, facts: Facts | None) -> str | None:
    """The pack requiring ``field`` known (a fact declared ``known: required``), if any."""
    if facts is None:
        return None
    path = "function.capability" if field.startswith("capability.") else f"function.{field}"
    for fact in facts:
        if fact.known_required and ((fact.name == field and fact.answered) or fact.path == path):
            return fact.pack or "the pack"
    return None


def normalise_value(field: str, value: Any, facts: Facts | None = None) -> Any:
    """``value`` for ``field`` with a level or choice written in another case as it is named.

    ``High`` for a level field is ``high``; a tier or a declared choice likewise, where exactly
    one choice matches. Anything else is returned unchanged, for :func:`check_field` to judge.

    >>> normalise_value("efficiency.duplication", "High"), normalise_value("notes", "High")
    ('high', 'High')
    """
    choices: tuple[str, ...] = ()
    if facts is not None and field in facts and facts.get(field).answered:
        ftype = facts.type(field)
        choices = Level.names() if ftype.name == "level" else ftype.choices
    else:
        kind = FIELDS.get(field)
        question, _, key = field.partition(".")
        if question == "capability" and key and "." not in key:
            kind = "level"
        choices = {"level": Level.names(), "tier": _tiers(), "limits": DELEGATION_LIMITS}.get(
            kind or "", ()
        )
    if not choices or (isinstance(value, str) and is_open_answer(value)):
        return value  # an open answer (unknown, low..high) is read by parse_open
    if isinstance(value, list | tuple):
        return [fold_choice(v, choices) for v in value]
    return fold_choice(value, choices)


def _apply_set(portfolio: Portfolio, change: SetAnswer, facts: Facts) -> Portfolio:
    at = change.at
    field, value = change.field, normalise_value(change.field, change.value, facts)
    check_field(field, value, at, facts)
    selected = {f.id for f in change.selector.select(portfolio, at, facts)}
    updated = []
    for fn in portfolio.functions:
        if fn.id not in selected:
            updated.append(fn)
            continue
        try:
            updated.append(_set_one(portfolio, fn, field, value, at, facts))
        except ScenarioError:
            raise
        except (ValueError, TypeError) as exc:  # the model refused the result
            raise at.error(f"leaves function '{fn.id}' invalid: {exc}", key=at.value_key) from None
    try:
        return attrs.evolve(portfolio, functions=tuple(updated))
    except (ValueError, TypeError) as exc:
        raise at.error(f"leaves an invalid portfolio: {exc}") from None


def _maybe_declared(field: str) -> bool:
    """Whether ``field`` may be a question some rule pack declares (checked when applied)."""
    question, _, key = field.partition(".")
    return question in ANSWER_QUESTIONS and question != "capability" and key.isidentifier()


def _set_one(
    portfolio: Portfolio, fn: Function, field: str, value: Any, at: Where, facts: Facts
) -> Function:
    """``fn`` with ``field`` set to ``value`` (already checked to suit the field).

    An open value (``unknown``, ``low..high``) leaves the answer open; a known value settles
    an answer that was open.
    """
    kind = _open_kind(field, facts) if is_open_answer(value) else None
    if kind is not None:
        choices = facts.type(field).choices if kind == "choice" else ()
        _, opened, _ = parse_open(kind, value, choices)
        assert opened is not None  # checked by check_field
        if field.startswith("capability."):
            known_body(portfolio, field.split(".", 1)[1], at, "field")
        unknowns = {**dict(fn.unknowns), field: opened}
        answers = {k: v for k, v in fn.answers if k != field}
        return attrs.evolve(fn, unknowns=unknowns, answers=answers)
    if fn.unknown(field) is not None:  # answered now: no longer open
        fn = attrs.evolve(fn, unknowns=tuple((k, v) for k, v in fn.unknowns if k != field))
    if field in facts and facts.get(field).answered:
        _, parsed = parse_answer(facts.type(field), value, bodies=portfolio.organisation_ids)
        if parsed is None:
            raise at.error(f"{value!r} names a body not in the portfolio", key=at.value_key)
        answers = {**dict(fn.answers), field: parsed}
        return attrs.evolve(fn, answers=answers)
    if field == "level":
        fn = attrs.evolve(fn, level=value)
    elif field == "notes":
        fn = attrs.evolve(fn, notes=value)
    elif field == "performed_by":
        bodies = tuple(known_body(portfolio, b, at, "value") for b in value)
        levels = fn.capability.as_dict()
        for body in bodies:
            levels.setdefault(body, Level.NONE)
        fn = attrs.evolve(fn, performed_by=bodies, capability=Capability(levels))
    elif field.startswith("efficiency."):
        fn = attrs.evolve(
            fn, efficiency=attrs.evolve(fn.efficiency, **{field.split(".")[1]: value})
        )
    elif field == "effectiveness.joint_benefit":
        fn = attrs.evolve(fn, effectiveness=Effectiveness(value))
    elif field == "agreed_lead":
        agreed = known_body(portfolio, value, at, "value") if value is not None else None
        fn = attrs.evolve(fn, agreed_lead=agreed)
    elif field.startswith("legal."):
        key = field.split(".")[1]
        if key == "statutory_owner":
            value = () if value is None else (value,) if isinstance(value, str) else value
        if key in ("statutory_owner", "held_by_each", "delegable_to", "independence_from"):
            value = tuple(known_body(portfolio, b, at, "value") for b in value)
        elif key == "not_delegable_to":
            value = tuple(dict.fromkeys(value))
        fn = attrs.evolve(fn, legal=attrs.evolve(fn.legal, **{key: value}))
    else:  # capability.<body>
        body = known_body(portfolio, field.split(".", 1)[1], at, "field")
        levels = fn.capability.as_dict()
        levels[body] = Level.parse(value)
        fn = attrs.evolve(fn, capability=Capability(levels))
    return fn


def _apply_add(portfolio: Portfolio, change: AddGovernance) -> Portfolio:
    """The governance with the new joint body or role, read by the portfolio loader's checks."""
    at = change.at
    data = governance_to_data(portfolio.governance)
    data.setdefault("bodies" if change.kind == "joint_body" else "roles", []).append(
        dict(change.fields)
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

        raise _each_problem(exc, at, located) from None
    return attrs.evolve(portfolio, governance=governance)


def _apply_remove(portfolio: Portfolio, change: RemoveGovernance) -> Portfolio:
    at = change.at
    governance = portfolio.governance
    body = change.kind == "joint_body"
    ids = [b.id for b in governance.bodies] if body else [r.id for r in governance.roles]
    what = "joint body" if body else "role"
    if change.id not in ids:
        raise at.error(
            f"no {what} '{change.id}' in the portfolio's governance",
            key=change.kind,
            allowed=ids,
            suggestion=did_you_mean(change.id, ids),
        )
    reporting = [r.id for r in governance.roles if change.id in r.reports_to and r.id != change.id]
    if reporting:
        roles = ", ".join(f"'{r}'" for r in reporting)
        raise at.error(
            f"{'role' if len(reporting) == 1 else 'roles'} {roles} "
            f"{'reports' if len(reporting) == 1 else 'report'} to {what} '{change.id}': "
            "remove or change that reporting line first",
            key=change.kind,
        )
    if body:
        governance = attrs.evolve(
            governance, bodies=tuple(b for b in governance.bodies if b.id != change.id)
        )
    else:
        governance = attrs.evolve(
            governance, roles=tuple(r for r in governance.roles if r.id != change.id)
        )
    return attrs.evolve(portfolio, governance=governance)


def _apply_delegation(portfolio: Portfolio, change: Delegation) -> Portfolio:
    at = change.at
    key = "to" if change.delegate else "from"
    bodies = {b.id: b for b in portfolio.governance.bodies}
    if change.body not in bodies:
        raise at.error(
            f"no joint body '{change.body}' in the portfolio's governance",
            key=key,
            allowed=list(bodies),
            suggestion=did_you_mean(change.body, bodies),
        )
    if not change.functions:
        raise at.error("name at least one function", key="functions")
    if len(set(change.functions)) != len(change.functions):
        raise at.error("lists a function twice", key="functions")
    ids = {fn.id for fn in portfolio.functions}
    for function in change.functions:
        if function not in ids:
            raise at.error(
                f"no function '{function}' in the portfolio",
                key="functions",
                suggestion=did_you_mean(function, ids),
            )
    body = bodies[change.body]
    held = set(body.delegated)
    if change.delegate:
        already = [f for f in change.functions if f in held]
        if already:
            raise at.error(
                f"{', '.join(already)} already delegated to '{body.id}'", key="functions"
            )
        delegated = (*body.delegated, *change.functions)
    else:
        missing = [f for f in change.functions if f not in held]
        if missing:
            raise at.error(
                f"{', '.join(missing)} not delegated to '{body.id}'",
                key="functions",
                allowed=body.delegated,
            )
        taken_back = set(change.functions)
        delegated = tuple(f for f in body.delegated if f not in taken_back)
    updated = attrs.evolve(body, delegated=delegated)
    governance = attrs.evolve(
        portfolio.governance,
        bodies=tuple(updated if b.id == body.id else b for b in portfolio.governance.bodies),
    )
    return attrs.evolve(portfolio, governance=governance)


def _apply_rules(pack: RulePack, change: RulesChange) -> RulePack:
    at = change.at
    if change.pack is not None:
        base = Path(at.file).parent if at.file else Path()
        path = Path(change.pack) if Path(change.pack).is_absolute() else base / change.pack
        try:
            pack = load_rules(path)
        except RulePackError as exc:
            raise _each_problem(
                exc, at, lambda problem: at.error(f"cannot load the pack: {problem}", key="pack")
            ) from None
    ids = [r.id for r in pack.rules]
    for rule_id in (*change.disable, *(r.id for r in change.replace)):
        if rule_id not in ids:
            raise at.error(
                f"no rule '{rule_id}' in pack '{pack.name}'",
                key="disable" if rule_id in change.disable else "replace",
                suggestion=did_you_mean(rule_id, ids),
            )
    replaced = {r.id: r for r in change.replace}
    rules = [replaced.get(r.id, r) for r in pack.rules if r.id not in change.disable]
    try:
        return RulePack.from_rules(
            rules,
            name=pack.name,
            version=f"{pack.version}+scenario",
            description=pack.description,
            facts=pack.facts,
            vocabulary=dict(pack.vocabulary),
            extends=pack.extends,
            overrides=pack.overrides,
        )
    except RulePackError as exc:
        raise _each_problem(
            exc, at, lambda problem: at.error(f"leaves an invalid rule pack: {problem}")
        ) from None


def _each_problem(
    error: InputError, at: Where, located: Callable[[InputError], ScenarioError]
) -> InputError:
    """One error standing for ``located(problem)`` for each problem of ``error``.

    A pack or governance refused while a change is applied may have several problems: each is
    reported at the change.
    """
    problems = Problems(ScenarioError, file=at.file or None)
    for problem in error.problems:
        problems.add(located(problem))
    problems.total += error.total - len(error.problems)  # counted by the pack, not listed
    found = problems.error()
    assert found is not None
    return found


# --- the law on a day ---------------------------------------------------------------------------
#
# A portfolio's law may be dated (a list of provisions, each in force from one day to another; see
# --- loading ------------------------------------------------------------------------------------

_TOP_KEYS = ("name", "description", "changes")
_CHANGE_KINDS = ("merge", "set", "law", "rules", "add", "remove", "delegate", "undelegate")


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario YAML file.

    Raises:
        ScenarioError: naming the file, the change number and the key.
    """
    return scenario_from_data(load_yaml(path, error=ScenarioError), file=source_name(path))


def loads_scenario(text: str, *, file: str = "<scenario>") -> Scenario:
    """Load a scenario from YAML text."""
    return scenario_from_data(loads_yaml(text, file=file, error=ScenarioError), file=file)


def scenario_from_data(data: Any, *, file: str = "<scenario>") -> Scenario:
    """Validate parsed YAML as a scenario.

    Every problem is reported in one :class:`ScenarioError`: each change is checked on its own
    (one problem per change), as are the keys, name and description.
    """
    reader = Reader(file, ScenarioError)
    if data is None:
        reader.fail("the file is empty")
    top = reader.mapping(data, what="a scenario")
    problems = Problems(ScenarioError, file=file)
    check_keys(problems, reader, top, allowed=_TOP_KEYS, required=("name", "changes"))
    name = description = ""
    if "name" in top:
        with problems.collecting():
            name = reader.text(top, "name")
    if top.get("description"):
        with problems.collecting():
            description = reader.text(top, "description")
    changes = []
    if "changes" in top:
        with problems.collecting():
            items = reader.sequence(top["changes"], what="'changes'", at=top)
            for number, (raw, where) in enumerate(reader.each(items), start=1):
                with problems.collecting():
                    changes.append(_read_change(reader, raw, number, where.line))
    problems.raise_if_any()
    return Scenario(name, description, tuple(changes))


def _read_change(reader: Reader, raw: Any, number: int, line: int | None) -> Change:
    at = Where(reader.file, number, line)
    item = f"change {number}"
    if not isinstance(raw, Mapping) or len(raw) != 1:
        raise at.error("each change is a mapping with one key", allowed=_CHANGE_KINDS)
    (kind,) = raw
    if kind not in _CHANGE_KINDS:
        raise at.error(
            f"unknown change '{kind}'",
            allowed=_CHANGE_KINDS,
            suggestion=did_you_mean(kind, _CHANGE_KINDS),
        )
    body = reader.mapping(raw[kind], what=f"'{kind}'", item=item, at=raw)
    at = Where(reader.file, number, location_of(body).line or line)
    if kind == "merge":
        reader.keys(body, allowed=("into", "from", "name"), required=("into", "from"), item=item)
        sources = body["from"]
        sources = [sources] if isinstance(sources, str) else sources
        if not isinstance(sources, list | tuple) or not all(isinstance(s, str) for s in sources):
            raise at.error("'from' must be a list of body ids", key="from")
        new_name = reader.text(body, "name", item=item) if "name" in body else None
        return Merge(reader.text(body, "into", item=item), tuple(sources), new_name, at)
    if kind == "law":
        reader.keys(body, allowed=("joint_committees",), required=("joint_committees",), item=item)
        if not isinstance(body["joint_committees"], bool):
            raise at.error("must be true or false", key="joint_committees")
        return LawChange(body["joint_committees"], at)
    if kind in ("add", "remove"):
        reader.keys(body, allowed=GOVERNANCE_KINDS, item=item)
        if len(body) != 1:
            raise at.error(f"'{kind}' takes one of: joint_body, role", allowed=GOVERNANCE_KINDS)
        (what,) = body
        if kind == "remove":
            return RemoveGovernance(what, reader.identifier(body, what, item=item), at)
        fields = reader.mapping(body[what], what=f"'{what}'", item=item, at=body)
        return AddGovernance(what, fields, at)
    if kind in ("delegate", "undelegate"):
        target = "to" if kind == "delegate" else "from"
        reader.keys(body, allowed=("functions", target), required=("functions", target), item=item)
        functions = body["functions"]
        functions = [functions] if isinstance(functions, str) else functions
        if not isinstance(functions, list | tuple) or not all(
            isinstance(f, str) for f in functions
        ):
            raise at.error("'functions' must be a list of function ids", key="functions")
        return Delegation(
            tuple(functions), reader.identifier(body, target, item=item), kind == "delegate", at
        )
    if kind == "rules":
        reader.keys(body, allowed=("disable", "replace", "pack"), item=item)
        if not body:
            raise at.error("say what to change: disable, replace or pack")
        disable = body.get("disable") or []
        if not isinstance(disable, list | tuple) or not all(isinstance(d, str) for d in disable):
            raise at.error("'disable' must be a list of rule ids", key="disable")
        replace_items = body.get("replace")
        if replace_items is not None and not isinstance(replace_items, list | tuple):
            raise at.error("'replace' must be a list of rules", key="replace")
        replace = []
        for raw_rule, rule_at in reader.each(replace_items or ()):
            try:
                replace.append(read_rule(Reader(reader.file, RulePackError), raw_rule, rule_at))
            except RulePackError as exc:
                raise at.error(
                    f"replacement rule: {exc.problem}", key=exc.key, suggestion=exc.suggestion
                ) from None
        pack = reader.text(body, "pack", item=item) if "pack" in body else None
        return RulesChange(tuple(disable), tuple(replace), pack, at)
    # set
    reader.keys(
        body,
        allowed=("function", "functions", "where", "field", "value"),
        required=("field", "value"),
        item=item,
    )
    chosen = [k for k in ("function", "functions", "where") if k in body]
    if len(chosen) != 1:
        raise at.error("select functions with exactly one of: function, functions, where")
    field = reader.text(body, "field", item=item)
    value = normalise_value(field, body["value"])
    if isinstance(value, list | tuple):
        value = list(value)
    check_field(field, value, at)
    if chosen[0] == "function":
        selector = Selector(function=reader.text(body, "function", item=item))
    elif chosen[0] == "functions":
        if body["functions"] != "*":
            raise at.error(
                "'functions' takes \"*\" (every function); use 'where' to filter", key="functions"
            )
        selector = Selector(all=True)
    else:
        selector = Selector(where=read_where(reader, body, at, item))
    return SetAnswer(selector, field, value, at)


def read_where(reader: Reader, body: Fields, at: Where, item: str) -> Condition:
    """A filter: a rule condition over answer facts (findings exist only inside a pack)."""
    rule_reader = Reader(reader.file, RulePackError)
    try:
        condition = read_condition(rule_reader, body["where"], at=body, key="where", item=item)
    except RulePackError as exc:
        raise at.error(
            exc.problem, key="where", allowed=exc.allowed, suggestion=exc.suggestion
        ) from None
    facts = load_rules().facts
    answers = facts.names()
    condition = fold_condition(condition, facts)

    def fact_type(fact: str) -> FactType:
        if fact.startswith("finding."):
            raise at.error("'where' reads answers, not findings", key="where")
        if fact not in facts:
            raise at.error(
                f"unknown fact '{fact}'",
                key="where",
                allowed=answers,
                suggestion=did_you_mean(fact, answers),
            )
        return facts.type(fact)

    check_condition(condition, fact_type, lambda problem, **f: at.error(problem, key="where", **f))
    return condition


def _tiers() -> tuple[str, ...]:
    """The tiers the default pack declares."""
    return load_rules().tiers() or ()
