"""Rule packs: the four key questions as declarative rules, loaded from YAML and validated.

A pack is a folder: ``pack.yaml`` (``name``, ``version``, ``description``) and any number of other
``*.yaml`` files, each a mapping with one key, ``rules``, holding a list of rules. A rule is data,
never code: its condition is a tree of ``all`` / ``any`` / ``not`` over comparisons of facts, and
nothing in a file is ever evaluated. See ``docs/rules.md`` for the format.

Loading checks everything it can without a portfolio: unknown keys, operators, facts, levels,
arrangements, principles, duplicate ids, findings used but never derived, findings of mixed types,
cycles between findings, lead rules that may name no body, and ``because`` templates that name an
unknown fact. Each error names ``file:line``, the rule id and, where one fits, a "did you mean".
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import attrs

from taxonomy._model import SCOPES, Arrangement, Level, PackIdentity, conclusion_text
from taxonomy.errors import RulePackError, did_you_mean
from taxonomy.input.reader import Fields, Location, Reader, load_yaml, location_of
from taxonomy.language.facts import ANSWER_FACTS, BOOL, FINDING_TYPES, LEVEL, OPERATORS, FactType

__all__ = [
    "LEAD_SOURCES",
    "PRINCIPLES",
    "QUESTIONS",
    "AllOf",
    "AnyOf",
    "FactTest",
    "Condition",
    "Not",
    "Rule",
    "RulePack",
    "Then",
    "check_condition",
    "default_pack_path",
    "load_rules",
    "read_condition",
    "read_rule",
    "redirect_pack",
]

#: The four key questions (board paper para 8), and ``decision`` for rules that combine them.
QUESTIONS = ("efficiency", "effectiveness", "legal", "capability", "decision")

#: The Annex B design principles a rule may serve.
PRINCIPLES = ("simple", "cost-effective", "aligned", "practical", "collaborative", "adaptive")

#: What a lead rule may name: a fact holding bodies (the most capable of them leads), or
#: ``joint`` (no single lead: the head is accountable to every body; board paper para 16).
LEAD_SOURCES = (
    "agreed_lead",
    "legal.statutory_owner",
    "legal.delegable_to",
    "performed_by",
    "organisations",
    "joint",
)

#: Lead sources that may be absent on a function: a rule reading one must require it present.
_OPTIONAL_LEAD_SOURCES = ("agreed_lead", "legal.statutory_owner", "legal.delegable_to")

_RULE_KEYS = ("id", "question", "when", "then", "because", "principles", "source", "priority")
_REQUIRED_RULE_KEYS = ("id", "question", "when", "then", "because", "principles", "source")
_THEN_KEYS = ("finding", "value", "cap", "lead", "decide")
_COMPARISON_KEYS = ("fact", "op", "value")
_PACK_KEYS = ("name", "version", "description")
_RULE_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_FINDING = re.compile(r"^[a-z][a-z0-9_]*$")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


# --- conditions -------------------------------------------------------------------------------


@attrs.frozen
class FactTest:
    """``fact op value``: the leaf of a condition. ``value`` is None for ``present``."""

    fact: str
    op: str
    value: Any = None

    def facts(self) -> Iterator[str]:
        """The facts this condition reads."""
        yield self.fact


@attrs.frozen
class AllOf:
    """True when every part is true (and when there are no parts)."""

    parts: tuple[Condition, ...]

    def facts(self) -> Iterator[str]:
        """The facts this condition reads."""
        for part in self.parts:
            yield from part.facts()


@attrs.frozen
class AnyOf:
    """True when at least one part is true."""

    parts: tuple[Condition, ...]

    def facts(self) -> Iterator[str]:
        """The facts this condition reads."""
        for part in self.parts:
            yield from part.facts()


@attrs.frozen
class Not:
    """True when its part is false."""

    part: Condition

    def facts(self) -> Iterator[str]:
        """The facts this condition reads."""
        yield from self.part.facts()


Condition = FactTest | AllOf | AnyOf | Not


def requires_present(condition: Condition, fact: str) -> bool:
    """Whether ``condition`` can only hold when ``fact`` is present on the function.

    >>> requires_present(AllOf((FactTest("legal.statutory_owner", "present"),)),
    ...                  "legal.statutory_owner")
    True
    >>> requires_present(Not(FactTest("legal.statutory_owner", "present")),
    ...                  "legal.statutory_owner")
    False
    """
    if isinstance(condition, FactTest):
        return condition.fact == fact and condition.op != "!="
    if isinstance(condition, AllOf):
        return any(requires_present(part, fact) for part in condition.parts)
    if isinstance(condition, AnyOf):
        return bool(condition.parts) and all(requires_present(p, fact) for p in condition.parts)
    return False


# --- rules ------------------------------------------------------------------------------------


@attrs.frozen
class Then:
    """What a rule concludes when it fires; at least one part is set.

    Attributes:
        finding: the name of a finding to derive (with ``value``).
        value: the finding's value: a :class:`Level`, a ``bool``, or the name of a fact to copy.
        cap: the least integrated arrangement the law allows (legal rules only).
        lead: where the lead comes from, one of :data:`LEAD_SOURCES`.
        decide: the arrangement to recommend (decision rules only).
    """

    finding: str | None = None
    value: Level | bool | str | None = None
    cap: Arrangement | None = None
    lead: str | None = None
    decide: Arrangement | None = None

    def describe(self) -> str:
        """The conclusion as text, e.g. ``finding efficiency = high; lead from performed_by``."""
        value = self.value
        shown = str(value).lower() if isinstance(value, Level | bool) else f"{{{value}}}"
        return conclusion_text(self.finding, shown, self.cap, self.decide, self.lead)


@attrs.frozen
class Rule:
    """One declarative rule.

    Attributes:
        id: unique in its pack, e.g. ``legal.board-reserved``.
        question: which key question it answers, or ``decision``.
        when: the condition over answers and findings.
        then: what it concludes.
        because: a reason template; ``{fact}`` placeholders are filled from the function.
        principles: the Annex B design principles it serves.
        source: where in the papers it comes from.
        priority: declared priority; when rules conclude differently, the highest wins.
        file: the file it was read from ("" when built in Python).
        line: the line it starts on (0 when built in Python).
    """

    id: str
    question: str
    when: Condition
    then: Then
    because: str
    principles: tuple[str, ...]
    source: str
    priority: int = 0
    file: str = attrs.field(default="", eq=False)
    line: int = attrs.field(default=0, eq=False)

    @property
    def where(self) -> str:
        """``file:line`` of the rule, or its id when built in Python."""
        return f"{self.file}:{self.line}" if self.file else f"rule {self.id}"

    def reads(self) -> tuple[str, ...]:
        """Every fact the rule reads (condition, copied value, reason), first use first."""
        seen: dict[str, None] = {}
        for fact in self.when.facts():
            seen.setdefault(fact, None)
        if isinstance(self.then.value, str):
            seen.setdefault(self.then.value, None)
        for fact in PLACEHOLDER.findall(self.because):
            seen.setdefault(fact.strip(), None)
        return tuple(seen)

    def uses(self) -> tuple[str, ...]:
        """The findings the rule reads, without the ``finding.`` prefix."""
        return tuple(f.split(".", 1)[1] for f in self.reads() if f.startswith("finding."))

    def to_data(self) -> dict[str, Any]:
        """The rule as plain data (the canonical form the pack hash is taken over)."""
        return {
            "id": self.id,
            "question": self.question,
            "when": _condition_data(self.when),
            "then": _then_data(self.then),
            "because": self.because,
            "principles": list(self.principles),
            "source": self.source,
            "priority": self.priority,
        }


def _then_data(then: Then) -> dict[str, Any]:
    """The conclusion as the data a rule file holds (so it reads back to the same rule)."""
    data: dict[str, Any] = {}
    if then.finding is not None:
        data["finding"] = then.finding
        value = then.value
        if isinstance(value, bool):
            data["value"] = value
        elif isinstance(value, Level):
            data["value"] = str(value)
        else:
            data["value"] = {"fact": value}
    for key in ("cap", "decide"):
        arrangement = getattr(then, key)
        if arrangement is not None:
            data[key] = str(arrangement)
    if then.lead is not None:
        data["lead"] = then.lead
    return data


def _condition_data(condition: Condition) -> Any:
    if isinstance(condition, FactTest):
        data: dict[str, Any] = {"fact": condition.fact, "op": condition.op}
        if condition.op != "present":
            value = condition.value
            data["value"] = list(value) if isinstance(value, tuple) else value
        return data
    if isinstance(condition, AllOf):
        return {"all": [_condition_data(p) for p in condition.parts]}
    if isinstance(condition, AnyOf):
        return {"any": [_condition_data(p) for p in condition.parts]}
    return {"not": _condition_data(condition.part)}


# --- the pack ---------------------------------------------------------------------------------


@attrs.frozen
class RulePack:
    """A validated rule pack.

    Build one with :func:`load_rules`, or with :meth:`from_rules` from :class:`Rule` objects.

    Attributes:
        name, version, description: from ``pack.yaml``.
        rules: the rules, in the order read (order never decides anything).
        strata: rule ids by stratum: a rule only reads findings derived in earlier strata.
        finding_types: each finding's fact type.
        hash: sha256 of the pack's canonical content.
    """

    name: str
    version: str
    description: str
    rules: tuple[Rule, ...]
    strata: tuple[tuple[str, ...], ...]
    finding_types: Mapping[str, FactType] = attrs.field(eq=False)
    hash: str

    @property
    def identity(self) -> PackIdentity:
        """The pack's name, version and hash, as recorded in every result."""
        return PackIdentity(self.name, self.version, self.hash)

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id (KeyError, with a suggestion, if there is none)."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        hint = did_you_mean(rule_id, [r.id for r in self.rules])
        raise KeyError(f"no rule {rule_id!r}" + (f" (did you mean {hint!r}?)" if hint else ""))

    def fact_type(self, fact: str) -> FactType:
        """The type of an answer fact or of a finding (``finding.NAME``)."""
        if fact.startswith("finding."):
            return self.finding_types[fact.split(".", 1)[1]]
        return ANSWER_FACTS[fact][0]

    @classmethod
    def from_rules(
        cls,
        rules: Iterable[Rule],
        *,
        name: str = "custom",
        version: str = "0",
        description: str = "",
    ) -> RulePack:
        """Validate ``rules`` as a whole and build a pack from them."""
        rules = tuple(rules)
        finding_types, strata = _check_pack(rules)
        canonical = json.dumps(
            {
                "name": name,
                "version": version,
                "description": description,
                "rules": sorted((r.to_data() for r in rules), key=lambda d: d["id"]),
            },
            sort_keys=True,
            separators=(",", ":"),
        )
        digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
        return cls(name, version, description, rules, strata, finding_types, digest)


def default_pack_path() -> Path:
    """Where the default pack lives: inside the installed package, or ``rules/`` in a checkout."""
    packaged = resources.files("taxonomy").joinpath("_default_rules")
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[3] / "rules"
    if (checkout / "pack.yaml").is_file():
        return checkout
    raise RulePackError("the default rule pack is missing from this installation")


_REDIRECTS: dict[Path, Path] = {}
_DEFAULT: list[RulePack] = []
_DEFAULT_LOCK = threading.Lock()


def redirect_pack(original: str | Path, replacement: str | Path | None) -> None:
    """Load ``replacement`` wherever the pack folder ``original`` is asked for (None: stop).

    The seam mutation testing uses: ``taxonomy rules mutate`` runs a user's tests with
    ``--taxonomy-substitute-pack ORIGINAL=MUTANT``, and the pytest plugin calls this, so the
    tests classify with a mutant of one pack without knowing it.
    """
    key = Path(original).resolve()
    if replacement is None:
        _REDIRECTS.pop(key, None)
    else:
        _REDIRECTS[key] = Path(replacement)
    _DEFAULT.clear()


def load_rules(path: str | Path | None = None) -> RulePack:
    """Load and validate a rule pack folder; None gives the default pack.

    The default pack is read once per process (a pack is immutable), so every call that takes
    ``rules=None`` shares one parse.

    Raises:
        RulePackError: with ``file:line``, the rule id and a "did you mean" where one fits.

    >>> pack = load_rules()
    >>> pack.name, len(pack.hash), load_rules() is pack
    ('nhs-joint-working-2018', 64, True)
    """
    if path is None:
        with _DEFAULT_LOCK:
            if not _DEFAULT:
                _DEFAULT.append(_load_folder(default_pack_path()))
            return _DEFAULT[0]
    return _load_folder(Path(path))


def _load_folder(folder: Path) -> RulePack:
    folder = _REDIRECTS.get(folder.resolve(), folder)
    if not folder.is_dir():
        raise RulePackError("a rule pack must be a folder holding pack.yaml", file=str(folder))
    meta_file = folder / "pack.yaml"
    if not meta_file.is_file():
        raise RulePackError("no pack.yaml in the rule pack folder", file=str(folder))
    reader = Reader(str(meta_file), RulePackError)
    meta = reader.mapping(load_yaml(meta_file, error=RulePackError), what="pack.yaml")
    reader.keys(meta, allowed=_PACK_KEYS, required=("name", "version"))
    name = reader.text(meta, "name")
    version = reader.text(meta, "version")
    description = reader.text(meta, "description") if "description" in meta else ""

    rules: list[Rule] = []
    files = sorted(p for p in folder.glob("*.y*ml") if p.name not in ("pack.yaml", "pack.yml"))
    if not files:
        raise RulePackError("the pack has no rule files beside pack.yaml", file=str(folder))
    seen: dict[str, Rule] = {}
    for file in files:
        for rule in _read_rule_file(file):
            if rule.id in seen:
                raise RulePackError(
                    f"duplicate rule id; first defined at {seen[rule.id].where}",
                    file=rule.file,
                    line=rule.line,
                    item=f"rule '{rule.id}'",
                )
            seen[rule.id] = rule
            rules.append(rule)
    return RulePack.from_rules(rules, name=name, version=version, description=description)


def _read_rule_file(file: Path) -> list[Rule]:
    reader = Reader(str(file), RulePackError)
    data = load_yaml(file, error=RulePackError)
    if data is None:
        reader.fail("the file is empty; it must hold a 'rules:' list")
    top = reader.mapping(data, what="a rule file")
    reader.keys(top, allowed=("rules",), required=("rules",))
    items = reader.sequence(top["rules"], what="'rules'", at=top)
    return [read_rule(reader, node, where) for node, where in reader.each(items)]


def read_rule(reader: Reader, value: Any, at: Location | None = None) -> Rule:
    """Read one rule mapping (from YAML, or plain Python data) and check it on its own.

    Whole-pack checks (findings, cycles, strata) are done by :meth:`RulePack.from_rules`.

    Args:
        reader: the reader of the file it is in.
        value: the rule, as a mapping.
        at: where it is, for messages about the rule as a whole.
    """
    at = at or location_of(value)
    if not isinstance(value, Mapping):
        reader.fail(f"each rule must be a mapping, not {type(value).__name__}", at=at)
    node = value
    item = f"rule '{node['id']}'" if isinstance(node.get("id"), str) else "rule"
    reader.keys(node, allowed=_RULE_KEYS, required=("id",), item=item)
    rule_id = reader.identifier(node, "id", item=item)
    if not _RULE_ID.match(rule_id):
        reader.fail(
            "rule ids are lower-case letters, digits, '.', '_' and '-'",
            at=node,
            key="id",
            item=item,
        )
    reader.keys(node, allowed=_RULE_KEYS, required=_REQUIRED_RULE_KEYS, item=item)
    question = reader.choice(node, "question", QUESTIONS, item=item)
    when = read_condition(reader, node["when"], at=node, key="when", item=item)
    then = _read_then(reader, node, item)
    because = reader.text(node, "because", item=item)
    principles_node = reader.sequence(node["principles"], what="'principles'", item=item, at=node)
    principles: list[str] = []
    for principle in principles_node:
        if principle not in PRINCIPLES:
            reader.fail(
                f"'{principle}' is not an Annex B design principle",
                at=node,
                key="principles",
                item=item,
                allowed=PRINCIPLES,
                suggestion=did_you_mean(str(principle), PRINCIPLES),
            )
        principles.append(principle)
    if not principles:
        reader.fail("name at least one design principle", at=node, key="principles", item=item)
    source = reader.text(node, "source", item=item)
    priority = node.get("priority", 0)
    if isinstance(priority, bool) or not isinstance(priority, int):
        reader.fail("must be a whole number", at=node, key="priority", item=item)
    return Rule(
        id=rule_id,
        question=question,
        when=when,
        then=then,
        because=because,
        principles=tuple(principles),
        source=source,
        priority=priority,
        file=reader.file,
        line=location_of(node).line or at.line or 0,
    )


def read_condition(reader: Reader, value: Any, *, at: Any, key: str, item: str) -> Condition:
    """Read a condition (``all`` / ``any`` / ``not``, or ``fact`` / ``op`` / ``value``).

    Checks its shape only; :func:`check_condition` checks its facts, operators and values.
    """
    if not isinstance(value, Mapping):
        reader.fail(
            "a condition must be a mapping: all / any / not, or fact / op / value",
            at=at,
            key=key,
            item=item,
        )
    node = value
    combinators = [k for k in ("all", "any", "not") if k in node]
    if combinators:
        if len(node) != 1:
            extra = sorted(k for k in node if k != combinators[0])
            reader.fail(
                f"'{combinators[0]}' must stand alone in its mapping; "
                f"found also: {', '.join(extra)}",
                at=node,
                item=item,
            )
        word = combinators[0]
        if word == "not":
            return Not(read_condition(reader, node["not"], at=node, key="not", item=item))
        items = node[word]
        if not isinstance(items, list | tuple):
            reader.fail(f"'{word}' takes a list of conditions", at=node, key=word, item=item)
        if word == "any" and not items:
            reader.fail("'any' needs at least one condition", at=node, key=word, item=item)
        parts = tuple(
            read_condition(reader, part, at=where, key=word, item=item)
            for part, where in reader.each(items)
        )
        return AllOf(parts) if word == "all" else AnyOf(parts)
    reader.keys(
        node,
        allowed=(*_COMPARISON_KEYS, "all", "any", "not"),
        required=("fact", "op"),
        item=item,
    )
    fact = reader.text(node, "fact", item=item)
    op = reader.choice(node, "op", OPERATORS, item=item)
    if op == "present":
        if "value" in node:
            reader.fail("'present' takes no value", at=node, key="value", item=item)
        return FactTest(fact, op)
    if "value" not in node:
        reader.fail(f"operator '{op}' needs a value", at=node, item=item)
    return FactTest(fact, op, _plain(node["value"]))


def _plain(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _read_then(reader: Reader, node: Fields, item: str) -> Then:
    then = reader.mapping(node["then"], what="'then'", item=item, at=node)
    reader.keys(then, allowed=_THEN_KEYS, item=item)
    if not then:
        reader.fail(
            "'then' must set at least one of: finding, cap, lead, decide", at=then, item=item
        )
    finding: str | None = None
    value: Level | bool | str | None = None
    cap: Arrangement | None = None
    lead: str | None = None
    decide: Arrangement | None = None
    if "finding" in then:
        finding = reader.text(then, "finding", item=item)
        if not _FINDING.match(finding):
            reader.fail(
                "finding names are lower-case letters, digits and '_', starting with a letter",
                at=then,
                key="finding",
                item=item,
            )
        if "value" not in then:
            reader.fail("a finding needs a 'value'", at=then, key="finding", item=item)
        raw = then["value"]
        if isinstance(raw, bool):
            value = raw
        elif isinstance(raw, Mapping) and set(raw) == {"fact"} and isinstance(raw["fact"], str):
            value = raw["fact"]
        elif isinstance(raw, str) and raw in Level.names():
            value = Level.parse(raw)
        else:
            reader.fail(
                f"'{raw}' is not a finding value",
                at=then,
                key="value",
                item=item,
                allowed=(*Level.names(), "true", "false", "{fact: NAME}"),
                suggestion=did_you_mean(str(raw), Level.names()),
            )
    elif "value" in then:
        reader.fail("'value' goes with 'finding'", at=then, key="value", item=item)
    if "cap" in then:
        cap = Arrangement.parse(reader.choice(then, "cap", Arrangement.names(), item=item))
    if "decide" in then:
        decide = Arrangement.parse(reader.choice(then, "decide", Arrangement.names(), item=item))
    if "lead" in then:
        lead = reader.choice(then, "lead", LEAD_SOURCES, item=item)
    return Then(finding=finding, value=value, cap=cap, lead=lead, decide=decide)


# --- whole-pack checks ------------------------------------------------------------------------


def _fail(rule: Rule, problem: str, **fields: Any) -> RulePackError:
    return RulePackError(
        problem, file=rule.file or None, line=rule.line or None, item=f"rule '{rule.id}'", **fields
    )


def _check_pack(rules: tuple[Rule, ...]) -> tuple[dict[str, FactType], tuple[tuple[str, ...], ...]]:
    ids: dict[str, Rule] = {}
    for rule in rules:
        if rule.id in ids:
            raise _fail(rule, f"duplicate rule id; first defined at {ids[rule.id].where}")
        ids[rule.id] = rule
    if not any(r.then.decide is not None for r in rules):
        raise RulePackError("the pack has no decision rule: nothing can decide an arrangement")

    # Which findings exist, and of which type.
    finding_types: dict[str, FactType] = {}
    typed_by: dict[str, Rule] = {}
    for rule in rules:
        _check_question(rule)
        if rule.then.finding is None or isinstance(rule.then.value, str):
            continue
        kind = "bool" if isinstance(rule.then.value, bool) else "level"
        ftype = FINDING_TYPES[kind]
        name = rule.then.finding
        assert name is not None
        if name in finding_types and finding_types[name] != ftype:
            raise _fail(
                rule,
                f"finding '{name}' is a {kind} here but a {finding_types[name].name} "
                f"at {typed_by[name].where}",
            )
        finding_types.setdefault(name, ftype)
        typed_by.setdefault(name, rule)
    derived = {r.then.finding for r in rules if r.then.finding is not None}
    # Findings whose value is copied from another fact take that fact's type.
    for _ in range(len(rules) + 1):
        for rule in rules:
            copied, source = rule.then.finding, rule.then.value
            if copied is None or not isinstance(source, str):
                continue
            name = copied
            source_type = _fact_type(source, finding_types, derived, rule, key="then")
            if source_type is None:
                continue
            if source_type not in (LEVEL, BOOL):
                raise _fail(rule, f"a finding can copy a level or true/false fact, not '{source}'")
            if name in finding_types and finding_types[name] != source_type:
                raise _fail(
                    rule,
                    f"finding '{name}' would mix {source_type.name} values with "
                    f"{finding_types[name].name} values from {typed_by[name].where}",
                )
            finding_types.setdefault(name, source_type)
            typed_by.setdefault(name, rule)
    for rule in rules:
        if rule.then.finding is not None and rule.then.finding not in finding_types:
            raise _fail(rule, f"finding '{rule.then.finding}' copies only other copied findings")

    for rule in rules:
        _check_when(rule, finding_types, derived)
        for placeholder in PLACEHOLDER.findall(rule.because):
            if _fact_type(placeholder.strip(), finding_types, derived, rule, key="because") is None:
                raise _fail(rule, f"'{{{placeholder}}}' in 'because' names no fact")
        lead = rule.then.lead
        if lead in _OPTIONAL_LEAD_SOURCES and not requires_present(rule.when, lead):
            raise _fail(
                rule,
                f"sets the lead from '{lead}', so its 'when' must require "
                f"{{fact: {lead}, op: present}} (the fact may be absent)",
            )
    return finding_types, _strata(rules)


def _check_question(rule: Rule) -> None:
    then = rule.then
    if then.decide is not None and rule.question != "decision":
        raise _fail(rule, "only 'decision' rules may 'decide'", key="then")
    if rule.question == "decision" and (then.finding is not None or then.cap is not None):
        raise _fail(
            rule,
            "'decision' rules decide (and may set a lead); they derive no findings and set no caps",
            key="then",
        )
    if then.cap is not None and rule.question != "legal":
        raise _fail(
            rule,
            "only 'legal' rules may 'cap' an arrangement: caps are legal constraints",
            key="then",
        )


def _check_when(rule: Rule, finding_types: Mapping[str, FactType], derived: set[str]) -> None:
    def fact_type(fact: str) -> FactType:
        return _typed(fact, finding_types, derived, rule, key="when")

    def fail(problem: str, **fields: Any) -> RulePackError:
        return _fail(rule, problem, key="when", **fields)

    check_condition(rule.when, fact_type, fail)


def _typed(
    fact: str, finding_types: Mapping[str, FactType], derived: set[str], rule: Rule, *, key: str
) -> FactType:
    ftype = _fact_type(fact, finding_types, derived, rule, key=key)
    assert ftype is not None  # every derived finding is typed before conditions are checked
    return ftype


def _fact_type(
    fact: str,
    finding_types: Mapping[str, FactType],
    derived: set[str],
    rule: Rule,
    *,
    key: str,
) -> FactType | None:
    """The type of ``fact``; None for a finding that is derived but not typed yet."""
    if fact in ANSWER_FACTS:
        return ANSWER_FACTS[fact][0]
    if fact.startswith("finding."):
        name = fact.split(".", 1)[1]
        if name in finding_types:
            return finding_types[name]
        if name in derived:
            return None
        raise _fail(
            rule,
            f"reads finding '{name}', which no rule derives",
            key=key,
            allowed=sorted(derived) or ["(no findings are derived)"],
            suggestion=did_you_mean(name, derived),
        )
    choices = [*ANSWER_FACTS, *(f"finding.{n}" for n in derived)]
    raise _fail(
        rule,
        f"unknown fact '{fact}'",
        key=key,
        allowed=choices,
        suggestion=did_you_mean(fact, choices),
    )


def check_condition(
    condition: Condition,
    fact_type: Callable[[str], FactType],
    fail: Callable[..., Exception],
) -> None:
    """Check that a condition reads known facts with operators and values their types allow.

    Used for every rule's ``when`` and for what-if filters.

    Args:
        condition: the condition.
        fact_type: the type of a fact the condition may read; raises for one it may not.
        fail: builds the error for a problem (``fail(problem, key=..., allowed=..., ...)``).
    """
    if isinstance(condition, AllOf | AnyOf):
        for part in condition.parts:
            check_condition(part, fact_type, fail)
        return
    if isinstance(condition, Not):
        check_condition(condition.part, fact_type, fail)
        return
    ftype = fact_type(condition.fact)
    if condition.op not in ftype.operators:
        raise fail(
            f"operator '{condition.op}' does not apply to '{condition.fact}' ({ftype.name})",
            allowed=ftype.operators,
        )
    if condition.op == "present":
        return
    values = condition.value if condition.op == "in" else (condition.value,)
    if condition.op == "in" and (not isinstance(condition.value, tuple) or not condition.value):
        raise fail(f"'in' on '{condition.fact}' takes a non-empty list")
    for value in values:
        problem = _bad_value(ftype, value)
        if problem:
            raise fail(
                f"{problem} for '{condition.fact}'",
                allowed=_allowed_values(ftype),
                suggestion=did_you_mean(str(value), _allowed_values(ftype)),
            )


def _bad_value(ftype: FactType, value: Any) -> str | None:
    if ftype.name == "level":
        ok = isinstance(value, str) and value in Level.names()
        return None if ok else f"'{value}' is not a level"
    if ftype.name == "bool":
        return None if isinstance(value, bool) else f"'{value}' is not true or false"
    if ftype.name == "count":
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        return None if ok else f"'{value}' is not a whole number"
    if ftype.name == "scope":
        return None if value in SCOPES else f"'{value}' is not a tier"
    if ftype.name == "body":
        ok = isinstance(value, str) and bool(value)
        return None if ok else f"'{value}' is not a body id"
    return f"'{value}' cannot be compared"


def _allowed_values(ftype: FactType) -> tuple[str, ...]:
    return {
        "level": Level.names(),
        "bool": ("true", "false"),
        "count": ("0", "1", "2", "..."),
        "scope": SCOPES,
        "body": ("a body id",),
    }.get(ftype.name, ())


def _strata(rules: tuple[Rule, ...]) -> tuple[tuple[str, ...], ...]:
    """Order rules so a rule runs only after every rule deriving a finding it reads.

    Findings read under ``not`` or ``!=`` must be final before the rule runs, so stratification is
    what makes negation safe; a cycle between findings is refused.
    """
    producers: dict[str, list[Rule]] = {}
    for rule in rules:
        if rule.then.finding is not None:
            producers.setdefault(rule.then.finding, []).append(rule)
    level: dict[str, int] = {}
    visiting: list[str] = []

    def stratum(rule: Rule) -> int:
        if rule.id in level:
            return level[rule.id]
        if rule.id in visiting:
            cycle = [*visiting[visiting.index(rule.id) :], rule.id]
            raise _fail(rule, "findings depend on each other in a cycle: " + " -> ".join(cycle))
        visiting.append(rule.id)
        depth = 0
        for name in rule.uses():
            for producer in producers.get(name, ()):
                depth = max(depth, stratum(producer) + 1)
        visiting.pop()
        level[rule.id] = depth
        return depth

    for rule in rules:
        stratum(rule)
    count = max(level.values()) + 1
    return tuple(tuple(sorted(r.id for r in rules if level[r.id] == k)) for k in range(count))
