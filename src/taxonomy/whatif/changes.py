"""The change kinds ``merge``, ``set``, ``law`` and ``rules``.

Each reads, applies and describes itself, and says its JSON Schema (see
:mod:`taxonomy.whatif.kinds`).

- ``merge: {into: BODY, from: [BODY, ...], name: NAME}``: bodies merge; their functions,
  answers and governance are carried over to ``into`` (its capability is the best of the merged
  bodies'). With ``name``, ``into`` is a new body (eight CCGs into one new CCG).
- ``set: {function: ID | functions: "*" | where: CONDITION, field: FIELD, value: VALUE}``: change
  one answer on the selected functions (see :mod:`taxonomy.whatif.answers`). ``where`` is a rule
  condition over answer facts, e.g. ``{fact: legal.statutory_owner, op: present}``.
- ``law: {joint_committees: true|false}``.
- ``rules: {disable: [RULE_ID, ...]}``, ``{replace: [RULE, ...]}`` or ``{pack: DIR}``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from taxonomy._model import Law
from taxonomy.errors import RulePackError, ScenarioError, did_you_mean
from taxonomy.input.reader import Fields, Reader
from taxonomy.language.rules import Rule, RulePack, load_rules, read_rule
from taxonomy.law import Merger, apply_merge
from taxonomy.whatif.answers import Selector, check_field, normalise_value, read_where, set_answer
from taxonomy.whatif.kinds import Applied, Where, change_kind, each_problem

__all__ = ["LawChange", "Merge", "RulesChange", "SetAnswer", "ids_schema"]

Schema = dict[str, Any]


def _strings(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _rules(value: Iterable[Rule]) -> tuple[Rule, ...]:
    return tuple(value)


def ids_schema() -> Schema:
    """An id or a list of ids, as a change writes the bodies or functions it names."""
    return {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}


def closed(properties: Schema, *, required: Iterable[str] = ()) -> Schema:
    """A mapping of exactly ``properties``' keys (the schemas' own builder)."""
    # The input schemas' builders are private to their module: one spelling for every shape.
    from taxonomy.schemas import _parts

    return _parts.closed(properties, allowed=tuple(properties), required=required)


def text(description: str) -> Schema:
    """Text as the loaders read it, described."""
    from taxonomy.schemas import _parts

    return _parts.text(description)


@change_kind("merge")
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

    def apply(self, applied: Applied) -> Applied:
        """The bodies merged, and notes on what that did."""
        portfolio, notes = apply_merge(applied.portfolio, self, applied.rules.facts)
        return attrs.evolve(applied, portfolio=portfolio, notes=(*applied.notes, *notes))

    @classmethod
    def read(cls, key: str, reader: Reader, body: Fields, at: Where) -> Merge:
        """A merger as a scenario writes it."""
        item = at.item
        reader.keys(body, allowed=("into", "from", "name"), required=("into", "from"), item=item)
        sources = body["from"]
        sources = [sources] if isinstance(sources, str) else sources
        if not isinstance(sources, list | tuple) or not all(isinstance(s, str) for s in sources):
            raise at.error("'from' must be a list of body ids", key="from")
        new_name = reader.text(body, "name", item=item) if "name" in body else None
        return cls(reader.text(body, "into", item=item), tuple(sources), new_name, at)

    @classmethod
    def schema(cls, key: str, rules: RulePack) -> Schema:
        """``into``, ``from`` and an optional new ``name``."""
        from taxonomy.schemas import _parts

        properties = {
            "into": text("the body the others merge into"),
            "from": _parts.described(ids_schema(), "the bodies merged into it"),
            "name": text("the merged body's new name"),
        }
        return closed(properties, required=("into", "from"))


@change_kind("set")
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

    def apply(self, applied: Applied) -> Applied:
        """The answer set on the selected functions."""
        portfolio = set_answer(
            applied.portfolio, self.selector, self.field, self.value, self.at, applied.rules.facts
        )
        return attrs.evolve(applied, portfolio=portfolio)

    @classmethod
    def read(cls, key: str, reader: Reader, body: Fields, at: Where) -> SetAnswer:
        """A ``set`` change: one selector, the field and its new value."""
        item = at.item
        allowed = ("function", "functions", "where", "field", "value")
        reader.keys(body, allowed=allowed, required=("field", "value"), item=item)
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
                    "'functions' takes \"*\" (every function); use 'where' to filter",
                    key="functions",
                )
            selector = Selector(all=True)
        else:
            selector = Selector(where=read_where(reader, body, at, item or ""))
        return cls(selector, field, value, at)

    @classmethod
    def schema(cls, key: str, rules: RulePack) -> Schema:
        """One selector, the field and a value suiting it."""
        from taxonomy.whatif.answers import field_schema, valued

        properties = {
            "function": text("the one function changed"),
            "functions": {"const": "*", "description": "every function"},
            "where": {"$ref": "#/$defs/condition"},
            "field": field_schema(),
            "value": {"description": "the new answer"},
        }
        found = closed(properties, required=("field", "value"))
        found["oneOf"] = [{"required": [k]} for k in ("function", "functions", "where")]
        return valued(found, "value", rules.tiers() or ())


@change_kind("law")
@attrs.frozen
class LawChange:
    """Change what the law lets the bodies do together."""

    joint_committees: bool
    at: Where = attrs.field(factory=Where, eq=False)

    def describe(self) -> str:
        """The change in words."""
        return f"law: joint committees {'allowed' if self.joint_committees else 'not allowed'}"

    def apply(self, applied: Applied) -> Applied:
        """The portfolio under the changed law."""
        portfolio = attrs.evolve(applied.portfolio, law=Law(self.joint_committees))
        return attrs.evolve(applied, portfolio=portfolio)

    @classmethod
    def read(cls, key: str, reader: Reader, body: Fields, at: Where) -> LawChange:
        """``{joint_committees: true|false}``."""
        allowed = ("joint_committees",)
        reader.keys(body, allowed=allowed, required=allowed, item=at.item)
        if not isinstance(body["joint_committees"], bool):
            raise at.error("must be true or false", key="joint_committees")
        return cls(body["joint_committees"], at)

    @classmethod
    def schema(cls, key: str, rules: RulePack) -> Schema:
        """``joint_committees``: true or false."""
        return closed({"joint_committees": {"type": "boolean"}}, required=("joint_committees",))


@change_kind("rules")
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

    def apply(self, applied: Applied) -> Applied:
        """The pack with rules disabled or replaced, or another pack loaded."""
        return attrs.evolve(applied, rules=self._changed(self._base(applied.rules)))

    def _base(self, pack: RulePack) -> RulePack:
        """The pack the change starts from: ``pack``, or the one it loads."""
        if self.pack is None:
            return pack
        at = self.at
        base = Path(at.file).parent if at.file else Path()
        path = Path(self.pack) if Path(self.pack).is_absolute() else base / self.pack
        try:
            return load_rules(path)
        except RulePackError as exc:
            raise each_problem(
                exc, at, lambda problem: at.error(f"cannot load the pack: {problem}", key="pack")
            ) from None

    def _changed(self, pack: RulePack) -> RulePack:
        at = self.at
        ids = [r.id for r in pack.rules]
        for rule_id in (*self.disable, *(r.id for r in self.replace)):
            if rule_id not in ids:
                raise at.error(
                    f"no rule '{rule_id}' in pack '{pack.name}'",
                    key="disable" if rule_id in self.disable else "replace",
                    suggestion=did_you_mean(rule_id, ids),
                )
        replaced = {r.id: r for r in self.replace}
        rules = [replaced.get(r.id, r) for r in pack.rules if r.id not in self.disable]
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
            raise each_problem(
                exc, at, lambda problem: at.error(f"leaves an invalid rule pack: {problem}")
            ) from None

    @classmethod
    def read(cls, key: str, reader: Reader, body: Fields, at: Where) -> RulesChange:
        """``disable``, ``replace`` or ``pack`` (at least one)."""
        item = at.item
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
        return cls(tuple(disable), tuple(replace), pack, at)

    @classmethod
    def schema(cls, key: str, rules: RulePack) -> Schema:
        """``disable``, ``replace`` or ``pack``, at least one."""
        from taxonomy.schemas import _parts

        properties = {
            "disable": _parts.nullable({"type": "array", "items": {"type": "string"}}),
            "replace": _parts.nullable({"type": "array", "items": {"$ref": "#/$defs/rule"}}),
            "pack": text("a rule pack folder to use instead"),
        }
        return {**closed(properties), "minProperties": 1}
