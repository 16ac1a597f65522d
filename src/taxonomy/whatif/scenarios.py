"""What-if scenarios: named, ordered changes to a portfolio and its rule pack.

A scenario never mutates the baseline: :meth:`Scenario.apply` returns a new portfolio and pack.
Scenarios come from YAML (:func:`load_scenario`) or are built in Python, each call returning a
new scenario, and compose with ``+``::

    from taxonomy import Scenario
    act = (Scenario("Health and Care Act 2022")
           .merge(into="nhse", from_=["nhsi"])
           .set(functions="*", field="legal.board_reserved", value=False))

Changes, each a mapping with one key: ``merge``, ``set``, ``law`` and ``rules``
(:mod:`taxonomy.whatif.changes`); ``add``, ``remove``, ``delegate`` and ``undelegate``
(:mod:`taxonomy.whatif.governance`), each module saying how its changes are written.

Each change kind is a class registered by its YAML key (:mod:`taxonomy.whatif.kinds`): it reads,
applies and describes itself and says its JSON Schema; :func:`scenario_schema` is built from the
registry.

Ids are checked when the scenario is applied to a portfolio; every error names the file, the
change number and, where one fits, a "did you mean".

A scenario changes a portfolio as it stood on a day: :func:`taxonomy.law.in_force` judges a
dated law on that day (its abolitions are carried out with the same merger), and
:meth:`Scenario.apply` starts from there.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from taxonomy._model import Portfolio
from taxonomy.errors import Problems, RulePackError, ScenarioError, did_you_mean
from taxonomy.input.reader import Reader, load_yaml, loads_yaml, location_of, source_name
from taxonomy.language.rules import Condition, Rule, RulePack, check_keys, pack_for
from taxonomy.law import in_force
from taxonomy.whatif.answers import FIELDS, Selector, check_field, normalise_value, read_where
from taxonomy.whatif.changes import LawChange, Merge, RulesChange, SetAnswer
from taxonomy.whatif.governance import (
    GOVERNANCE_KINDS,
    AddGovernance,
    Delegation,
    OnDay,
    RemoveGovernance,
    governance_changes,
)
from taxonomy.whatif.kinds import CHANGE_KINDS, Applied, Change, Where

__all__ = [
    "CHANGE_KINDS",
    "FIELDS",
    "GOVERNANCE_KINDS",
    "AddGovernance",
    "Applied",
    "Change",
    "Delegation",
    "LawChange",
    "Merge",
    "RemoveGovernance",
    "RulesChange",
    "Scenario",
    "Selector",
    "SetAnswer",
    "Where",
    "apply_change",
    "check_field",
    "load_scenario",
    "loads_scenario",
    "normalise_value",
    "read_where",
    "scenario_from_data",
    "scenario_schema",
]


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
        applied = Applied(day.portfolio, pack, tuple(day.notes))
        moved = [c for c in self.changes if isinstance(c, OnDay)]
        if moved:
            applied = _moved(portfolio, pack, day.portfolio, moved, self.changes)
        for change in self.changes:
            applied = apply_change(change, applied)
        return applied


def apply_change(change: Change, applied: Applied) -> Applied:
    """``applied`` with one more change made, as :meth:`Scenario.apply` makes each.

    Raises:
        ScenarioError: located at the change: an unknown id, or the model refused the result.
    """
    try:
        return change.apply(applied)
    except (ScenarioError, RulePackError):
        raise
    except (ValueError, TypeError) as exc:  # the model refused what the change made
        raise change.at.error(f"leaves an invalid portfolio: {exc}") from None


def _moved(
    portfolio: Portfolio,
    pack: RulePack,
    baseline: Portfolio,
    moved: list[OnDay],
    changes: Sequence[Change],
) -> Applied:
    """The portfolio as written judged on the day an ``as_of`` change names.

    Its notes are that day's (abolitions carried out) and what changed in the governance from
    the baseline's day.

    Raises:
        ScenarioError: the ``as_of`` change is not the first, or comes twice.
    """
    first = moved[0]
    if changes[0] is not first or len(moved) > 1:
        wrong = moved[1] if changes[0] is first else first
        raise wrong.at.error("'as_of' moves the day once, as the first change", key="as_of")
    on_day = in_force(portfolio, first.day, pack.facts)
    said = governance_changes(baseline.governance, on_day.portfolio.governance)
    return Applied(on_day.portfolio, pack, (*on_day.notes, *said))


# --- loading ------------------------------------------------------------------------------------

_TOP_KEYS = ("name", "description", "changes")


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
    kinds = tuple(CHANGE_KINDS)
    if not isinstance(raw, Mapping) or len(raw) != 1:
        raise at.error("each change is a mapping with one key", allowed=kinds)
    (key,) = raw
    if key not in CHANGE_KINDS:
        raise at.error(
            f"unknown change '{key}'", allowed=kinds, suggestion=did_you_mean(key, kinds)
        )
    body = reader.mapping(raw[key], what=f"'{key}'", item=at.item, at=raw)
    at = Where(reader.file, number, location_of(body).line or line)
    return CHANGE_KINDS[key].read(key, reader, body, at)


def scenario_schema(rules: RulePack) -> dict[str, Any]:
    """The JSON Schema of a what-if scenario for ``rules``, each change kind's from the registry."""
    # The input schemas' shared builders are private to their module: one spelling for every
    # shape (loaded when a schema is asked for, not when a scenario is read).
    from taxonomy.schemas import _inputs, _parts

    kinds = tuple(CHANGE_KINDS)
    change = {
        "description": "one change: a mapping with one key, " + ", ".join(kinds),
        "type": "object",
        "minProperties": 1,
        "maxProperties": 1,
        "properties": {key: kind.schema(key, rules) for key, kind in CHANGE_KINDS.items()},
        "additionalProperties": False,
    }
    top = _parts.closed(
        {
            "name": _parts.text("the scenario's name"),
            # Left empty or out, a scenario has no description; given, it is text.
            "description": {"anyOf": [_parts.text(), {"type": "null"}, {"const": ""}]},
            "changes": {"type": "array", "items": change},
        },
        allowed=_TOP_KEYS,
        required=("name", "changes"),
    )
    portfolio = _inputs.portfolio_schema(rules)["$defs"]
    defs = {
        **_parts.common_defs(),
        **_inputs._condition_defs(),
        "rule": _inputs._rule(),
        "joint_body": portfolio["joint_body"],
        "role": portfolio["role"],
    }
    return _parts.root(
        "scenario",
        "taxonomy what-if scenario",
        "A scenario: the changes it makes to a portfolio (and its rule pack), in order.",
        top,
        defs,
    )
