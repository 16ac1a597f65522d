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

import contextlib
import hashlib
import json
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import attrs

from taxonomy._explanation import Override, PackIdentity
from taxonomy._model import Arrangement, Level, Portfolio, conclusion_text
from taxonomy.errors import InputError, Problems, RulePackError, UnknownIdError, did_you_mean
from taxonomy.input.reader import Fields, Location, Reader, load_yaml, location_of
from taxonomy.input.reader import fold_choice as reader_fold_choice
from taxonomy.input.sources import FileId, note_read, recording
from taxonomy.language.facts import (
    BOOL,
    FINDING_TYPES,
    LEVEL,
    OPERATORS,
    Fact,
    Facts,
    FactType,
    allowed_values,
    check_declarations,
    parse_answer,
    read_facts,
)

__all__ = [
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
    "check_keys",
    "default_pack_path",
    "fill_because",
    "find_pack",
    "fold_choice",
    "fold_condition",
    "load_rules",
    "pack_for",
    "read_condition",
    "read_rule",
    "redirect_pack",
]

#: The four key questions (board paper para 8), and ``decision`` for rules that combine them.
QUESTIONS = ("efficiency", "effectiveness", "legal", "capability", "decision")

#: The Annex B design principles a rule may serve.
PRINCIPLES = ("simple", "cost-effective", "aligned", "practical", "collaborative", "adaptive")

#: What a lead rule may name besides a declared ``body`` or ``bodies`` fact: ``joint`` (no
#: single lead: the head is accountable to every body; board paper para 16).
JOINT = "joint"

_RULE_KEYS = ("id", "question", "when", "then", "because", "principles", "source", "priority")
_REQUIRED_RULE_KEYS = ("id", "question", "when", "then", "because", "principles", "source")
_THEN_KEYS = ("finding", "value", "cap", "lead", "decide")

_T = TypeVar("_T")
_COMPARISON_KEYS = ("fact", "op", "value")
_PACK_KEYS = ("name", "version", "description", "extends", "overrides", "vocabulary")
_EXTENDS_KEYS = ("name", "version", "path")
_OVERRIDE_KEYS = ("rule", "reason", "because")
_REQUIRED_OVERRIDE_KEYS = ("rule", "reason")
#: Words a pack may set for the people reading its results (``vocabulary:`` in ``pack.yaml``).
VOCABULARY: Mapping[str, str] = {
    "governing_body": "what each body's governing body is called (Board, Cabinet, ...), "
    "unless the portfolio says so for the body",
    "paper": "the paper the questions and categories come from, as reports cite it",
    **{
        f"{q}_question": f"the {q} question in the pack's words (the template's guide)"
        for q in ("efficiency", "effectiveness", "legal", "capability")
    },
}
_RULE_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_FINDING = re.compile(r"^[a-z][a-z0-9_]*$")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")

#: The most characters one value filled into a ``because`` template may take: a longer one is
#: shortened, ending in an ellipsis.
MAX_FILLED_VALUE = 1000
#: The most characters all the values filled into one ``because`` may take together: a template
#: repeating a long answer many times cannot make an explanation of gigabytes.
MAX_FILLED_TOTAL = 4000


def fill_because(template: str, value_of: Callable[[str], str | None]) -> str:
    """``template`` with each ``{fact}`` replaced by ``value_of(fact)``, within bounds.

    A placeholder ``value_of`` gives None for is left as written. A value longer than
    :data:`MAX_FILLED_VALUE` is shortened with an ellipsis, and once the values filled in take
    :data:`MAX_FILLED_TOTAL` characters, each further one is an ellipsis alone.

    >>> fill_because("as {a} and {b}", {"a": "x"}.get)
    'as x and {b}'
    """
    left = MAX_FILLED_TOTAL

    def fill(match: re.Match[str]) -> str:
        nonlocal left
        value = value_of(match.group(1).strip())
        if value is None:
            return match.group(0)
        room = max(min(MAX_FILLED_VALUE, left), 1)
        if len(value) > room:
            value = value[: room - 1] + "\u2026"
        left -= len(value)
        return value

    return PLACEHOLDER.sub(fill, template)


def fold_choice(value: Any, choices: Iterable[str]) -> Any:
    """``value`` as written in ``choices`` when it is one of them in another case (``High``).

    Anything else (not text, no match, or more than one match) is returned unchanged, for the
    check that follows to refuse with its own message.

    >>> fold_choice("High", ("none", "low", "medium", "high")), fold_choice("hihg", ("high",))
    ('high', 'hihg')
    """
    if not isinstance(value, str):
        return value
    found = reader_fold_choice(value.strip(), choices)
    return value if found is None else found


def _choice(reader: Reader, node: Fields, key: str, choices: Iterable[str], *, item: str) -> str:
    """:meth:`Reader.choice`, accepting a choice written in another case (``Legal``)."""
    options = tuple(choices)
    folded = fold_choice(node[key], options)
    if isinstance(folded, str) and folded in options:
        return folded
    return reader.choice(node, key, options, item=item)


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


def fold_condition(condition: Condition, facts: Facts) -> Condition:
    """``condition`` with levels and choices written in another case (``High``) as named.

    A value is folded only where the fact it is compared with is a level or a choice (a
    declared one, or a finding) and exactly one name matches; the checks that follow judge
    everything else.

    >>> fold_condition(FactTest("efficiency.duplication", "in", ("High", "LOW")),
    ...                load_rules().facts)
    FactTest(fact='efficiency.duplication', op='in', value=('high', 'low'))
    """
    if isinstance(condition, AllOf | AnyOf):
        return type(condition)(tuple(fold_condition(p, facts) for p in condition.parts))
    if isinstance(condition, Not):
        return Not(fold_condition(condition.part, facts))
    choices: tuple[str, ...] = ()
    if condition.fact.startswith("finding."):
        choices = Level.names()
    elif condition.fact in facts:
        ftype = facts.type(condition.fact)
        choices = Level.names() if ftype.name == "level" else ftype.choices
    value = condition.value
    if not choices or value is None:
        return condition
    if isinstance(value, tuple):
        folded: Any = tuple(fold_choice(v, choices) for v in value)
    else:
        folded = fold_choice(value, choices)
    return condition if folded == value else attrs.evolve(condition, value=folded)


# --- rules ------------------------------------------------------------------------------------


@attrs.frozen
class Then:
    """What a rule concludes when it fires; at least one part is set.

    Attributes:
        finding: the name of a finding to derive (with ``value``).
        value: the finding's value: a :class:`Level`, a ``bool``, or the name of a fact to copy.
        cap: the least integrated arrangement the law allows (legal rules only).
        lead: where the lead comes from: a declared ``body`` or ``bodies`` fact, or ``joint``.
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
        rules: the rules, in the order read (order never decides anything); for an extension,
            the rules of the packs it extends, less those it overrides, then its own.
        strata: rule ids by stratum: a rule only reads findings derived in earlier strata.
        finding_types: each finding's fact type.
        hash: sha256 of the pack's canonical content (facts, rules, vocabulary, what it extends).
        facts: every fact its rules may read, as declared (by it and the packs it extends).
        vocabulary: the words its results use (see :data:`VOCABULARY`), by key.
        extends: the packs it extends, nearest first (empty for a pack that extends none).
        overrides: the rules it replaced or removed from those packs, each with its reason.
    """

    name: str
    version: str
    description: str
    rules: tuple[Rule, ...]
    strata: tuple[tuple[str, ...], ...]
    finding_types: Mapping[str, FactType] = attrs.field(eq=False)
    hash: str
    facts: Facts = attrs.field(eq=False)
    vocabulary: tuple[tuple[str, str], ...] = ()
    extends: tuple[PackIdentity, ...] = ()
    overrides: tuple[Override, ...] = ()
    #: The files the pack was read from (its own and those of the packs it extends): inputs of
    #: any command that loads it, never written over by its output.
    files: tuple[FileId, ...] = attrs.field(default=(), eq=False)

    @property
    def identity(self) -> PackIdentity:
        """The pack's name, version and hash (and what it extends), as every result records."""
        return PackIdentity(self.name, self.version, self.hash, self.extends, self.overrides)

    def word(self, key: str, default: str) -> str:
        """The pack's word for ``key`` (see :data:`VOCABULARY`), or ``default``."""
        return dict(self.vocabulary).get(key, default)

    def tiers(self) -> tuple[str, ...] | None:
        """The tiers a function may run at, or None when the pack does not declare them.

        They are the choices of the fact read from ``function.level``.
        """
        for fact in self.facts:
            if fact.path == "function.level" and fact.type.choices:
                return fact.type.choices
        return None

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id.

        Raises:
            UnknownIdError: there is none (a ``KeyError``, with a "did you mean").
        """
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise UnknownIdError(
            "rule", rule_id, [r.id for r in self.rules], where=f"pack '{self.name}'"
        )

    def fact_type(self, fact: str) -> FactType:
        """The type of a declared fact or of a finding (``finding.NAME``)."""
        if fact.startswith("finding."):
            return self.finding_types[fact.split(".", 1)[1]]
        return self.facts.type(fact)

    @classmethod
    def from_rules(
        cls,
        rules: Iterable[Rule],
        *,
        name: str = "custom",
        version: str = "0",
        description: str = "",
        facts: Facts | Iterable[Fact] | None = None,
        vocabulary: Mapping[str, str] | None = None,
        extends: tuple[PackIdentity, ...] = (),
        overrides: tuple[Override, ...] = (),
    ) -> RulePack:
        """Validate ``rules`` as a whole and build a pack from them.

        ``facts`` are the declarations its rules read; None takes the default pack's.
        """
        rules = tuple(rules)
        if facts is None:
            facts = load_rules().facts
        declared = facts if isinstance(facts, Facts) else Facts(tuple(facts))

        def fail_fact(fact: Fact, problem: str, **fields: Any) -> None:
            raise RulePackError(problem, item=f"fact '{fact.name}'", **fields)

        check_declarations(declared, fail_fact)
        rules = tuple(_folded(rule, declared) for rule in rules)
        problems = Problems(RulePackError)
        checked = _check_pack(rules, declared, problems)
        problems.raise_if_any()
        assert checked is not None
        finding_types, strata = checked
        words = tuple(sorted((vocabulary or {}).items()))
        canonical = json.dumps(
            {
                "name": name,
                "version": version,
                "description": description,
                "facts": declared.to_data(),
                "rules": sorted((r.to_data() for r in rules), key=lambda d: d["id"]),
                "vocabulary": dict(words),
                "extends": [b.to_dict() for b in extends],
                "overrides": [o.to_dict() for o in overrides],
            },
            sort_keys=True,
            separators=(",", ":"),
        )
        digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
        pack = cls(
            name,
            version,
            description,
            rules,
            strata,
            finding_types,
            digest,
            declared,
            words,
            extends,
            overrides,
        )
        _check_limits(pack)
        return pack


def _check_limits(pack: RulePack) -> None:
    """Refuse a pack beyond the rules engine's fixed limits (docs/rules.md, "Limits").

    Raises:
        RulePackError: naming the first rule past a limit, and the limit.
    """
    # Imported here: the engine module compiles packs, so it imports this one.
    from taxonomy.language.durable import pack_limit_problems

    problems = pack_limit_problems(pack)
    if not problems:
        return
    first = problems[0]
    more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
    text = f"beyond what the rules engine can hold: {first.text}{more}"
    if first.rule is None:
        raise RulePackError(text)
    raise _fail(pack.rule(first.rule), text)


def _folded(rule: Rule, facts: Facts) -> Rule:
    """``rule`` with the levels and choices its condition compares written as named."""
    when = fold_condition(rule.when, facts)
    return rule if when is rule.when else attrs.evolve(rule, when=when)


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
_DEFAULT_LOCK = threading.RLock()


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
                _DEFAULT.append(_load_folder(default_pack_path(), ()))
            pack = _DEFAULT[0]
    else:
        pack = _load_folder(Path(path), ())
    note_read(*pack.files)  # read once, an input of every command that uses it
    return pack


def _load_folder(folder: Path, seen: tuple[Path, ...]) -> RulePack:
    """Load a pack folder (see :func:`_read_folder`), knowing the files it was read from."""
    with recording() as read:
        pack = _read_folder(folder, seen)
    note_read(*read)
    return attrs.evolve(pack, files=tuple(read))


def _read_folder(folder: Path, seen: tuple[Path, ...]) -> RulePack:
    """Load a pack folder, reporting every problem found in it in one error.

    A problem that leaves nothing to check (no folder, no ``pack.yaml``, a ``pack.yaml`` that
    is not a mapping) stops at once; otherwise each rule, fact, override and setting is checked
    on its own, and the whole-pack checks run on the rules that could be read.
    """
    folder = _REDIRECTS.get(folder.resolve(), folder)
    if not folder.is_dir():
        raise RulePackError("a rule pack must be a folder holding pack.yaml", file=str(folder))
    meta_file = folder / "pack.yaml"
    if not meta_file.is_file():
        raise RulePackError("no pack.yaml in the rule pack folder", file=str(folder))
    if folder.resolve() in seen:
        chain = " -> ".join(str(p) for p in (*seen, folder.resolve()))
        raise RulePackError(f"packs extend each other in a cycle: {chain}", file=str(meta_file))
    reader = Reader(str(meta_file), RulePackError)
    meta = reader.mapping(load_yaml(meta_file, error=RulePackError), what="pack.yaml")
    problems = Problems(RulePackError, file=str(folder))
    check_keys(problems, reader, meta, allowed=_PACK_KEYS, required=("name", "version"))
    name = _text(problems, reader, meta, "name", default=folder.name)
    version = _text(problems, reader, meta, "version", default="0")
    description = _text(problems, reader, meta, "description", default="")
    vocabulary: dict[str, str] = {}
    with problems.collecting():
        vocabulary = _vocabulary(reader, meta)
    base: RulePack | None = None
    base_failed = meta.get("extends") is not None
    if base_failed:
        with problems.collecting():
            base = _base(reader, meta, folder, (*seen, folder.resolve()))
            base_failed = False

    rules: list[Rule] = []
    facts: list[Fact] = []
    files = sorted(p for p in folder.glob("*.y*ml") if p.name not in ("pack.yaml", "pack.yml"))
    if not files and base is None and not base_failed:
        problems.add(RulePackError("the pack has no rule files beside pack.yaml", file=str(folder)))
        problems.raise_if_any()
    seen_ids: dict[str, Rule] = {}
    rules_partial = facts_partial = False
    for file in files:
        read = _read_rule_file(file, name, problems)
        facts.extend(read.facts)
        rules_partial |= read.rules_partial
        facts_partial |= read.facts_partial
        for rule in read.rules:
            if rule.id in seen_ids:
                problems.add(
                    RulePackError(
                        f"duplicate rule id; first defined at {seen_ids[rule.id].where}",
                        file=rule.file,
                        line=rule.line,
                        item=f"rule '{rule.id}'",
                    )
                )
                continue
            seen_ids[rule.id] = rule
            rules.append(rule)
    if base_failed:
        problems.raise_if_any()  # what the pack extends is unknown: nothing more to check
    if base is None:
        if "overrides" in meta:
            with problems.collecting():
                reader.fail(
                    "only a pack that extends another overrides rules", at=meta, key="overrides"
                )
        if problems:
            # A pack that declares no facts reads the default pack's (its four key questions).
            declared = Facts(tuple(facts)) if facts else load_rules().facts
            _check_read(problems, rules, declared, rules_partial, facts_partial)
        return RulePack.from_rules(
            rules,
            name=name,
            version=version,
            description=description,
            facts=facts or None,
            vocabulary=vocabulary,
        )
    overrides = _overrides(reader, meta, base, seen_ids, name, problems)
    seen_base = {r.id for r in base.rules}
    overridden = {o.rule for o in overrides}
    for rule in rules:
        if rule.id in seen_base and rule.id not in overridden:
            problems.add(
                RulePackError(
                    f"rule '{rule.id}' is already in pack '{base.name}' "
                    f"({base.rule(rule.id).where}): to replace it, list it under 'overrides' in "
                    "pack.yaml with the reason",
                    file=rule.file,
                    line=rule.line,
                    item=f"rule '{rule.id}'",
                )
            )
    for fact in facts:
        if fact.name in base.facts:
            problems.add(
                RulePackError(
                    f"fact '{fact.name}' is already declared by pack "
                    f"'{base.facts.get(fact.name).pack}'",
                    file=str(folder),
                    item=f"fact '{fact.name}'",
                )
            )
    new_ids = [r.id for r in rules if r.id not in seen_base]
    for override in overrides:
        near = did_you_mean(override.rule, new_ids)
        if override.action == "removed" and near is not None:
            problems.add(
                RulePackError(
                    f"overrides '{override.rule}' without defining it, so it would be removed, "
                    f"and defines a new rule '{near}': to replace the rule, give the replacement "
                    "its id; to remove it and add another, give the new rule an id of its own",
                    file=str(meta_file),
                    item=f"override of '{override.rule}'",
                    suggestion=override.rule,
                )
            )
    dropped = {o.rule for o in overrides if o.action != "reworded"}
    reworded = {o.rule: o for o in overrides if o.action == "reworded"}
    kept = [
        _reworded(r, reworded[r.id], str(meta_file)) if r.id in reworded else r
        for r in base.rules
        if r.id not in dropped
    ]
    if problems:
        own = [r for r in rules if r.id not in seen_base or r.id in overridden]
        own_facts = [f for f in facts if f.name not in base.facts]
        declared = Facts((*base.facts, *own_facts))
        _check_read(problems, [*kept, *own], declared, rules_partial, facts_partial)
    return RulePack.from_rules(
        [*kept, *rules],
        name=name,
        version=version,
        description=description,
        facts=[*base.facts, *facts],
        vocabulary={**dict(base.vocabulary), **vocabulary},
        extends=(base.identity, *base.extends),
        overrides=(*base.overrides, *overrides),
    )


def _reworded(rule: Rule, override: Override, file: str) -> Rule:
    """An inherited rule with the extension's ``because``; it is then where the override is.

    Its condition, conclusion, source and priority stay the inherited rule's. A placeholder of
    the new reason that names no fact is refused by the pack checks, at the override's line.
    """
    return attrs.evolve(rule, because=override.because, file=file, line=override.line)


def _check_read(
    problems: Problems,
    rules: list[Rule],
    declared: Facts,
    rules_partial: bool,
    facts_partial: bool,
) -> None:
    """With problems already found reading a pack, add those of the rules read, then raise."""
    if not facts_partial:

        def fail_fact(fact: Fact, problem: str, **fields: Any) -> None:
            raise RulePackError(problem, item=f"fact '{fact.name}'", **fields)

        with problems.collecting():
            check_declarations(declared, fail_fact)
    _check_pack(
        tuple(_folded(rule, declared) for rule in rules),
        declared,
        problems,
        rules_partial=rules_partial,
        facts_partial=facts_partial,
    )
    problems.raise_if_any()


def check_keys(
    problems: Problems,
    reader: Reader,
    node: Fields,
    *,
    allowed: Iterable[str],
    required: Iterable[str] = (),
    item: str | None = None,
) -> None:
    """Record every unknown key and every missing required key of ``node`` in ``problems``.

    Each problem reads as :meth:`Reader.keys` words it (which stops at the first).
    """
    allowed = tuple(allowed)
    for key in node:
        if key not in allowed:
            with problems.collecting():
                reader.fail(
                    "unknown key",
                    at=node,
                    key=key,
                    item=item,
                    allowed=allowed,
                    suggestion=did_you_mean(key, allowed),
                )
    for key in required:
        if key not in node:
            with problems.collecting():
                reader.fail(f"missing required key '{key}'", at=node, item=item)


def _text(
    problems: Problems,
    reader: Reader,
    node: Fields,
    key: str,
    *,
    item: str | None = None,
    default: str,
) -> str:
    """``node[key]`` as text; ``default`` when it is missing or its problem was recorded."""
    if key in node:
        with problems.collecting():
            return reader.text(node, key, item=item)
    return default


def _vocabulary(reader: Reader, meta: Fields) -> dict[str, str]:
    if meta.get("vocabulary") is None:
        return {}
    node = reader.mapping(meta["vocabulary"], what="'vocabulary'", at=meta)
    reader.keys(node, allowed=VOCABULARY, item="vocabulary")
    return {key: reader.text(node, key, item="vocabulary") for key in node}


def _base(reader: Reader, meta: Fields, folder: Path, seen: tuple[Path, ...]) -> RulePack:
    """The pack ``extends:`` names: by name (the default pack) or by ``path``, at a version."""
    node = reader.mapping(meta["extends"], what="'extends'", at=meta)
    reader.keys(node, allowed=_EXTENDS_KEYS, required=("name", "version"), item="extends")
    return find_pack(reader, node, folder, item="extends", seen=seen)


def find_pack(
    reader: Reader,
    node: Fields,
    folder: Path,
    *,
    item: str,
    seen: tuple[Path, ...] = (),
    shown: Callable[[str], str] | None = None,
) -> RulePack:
    """The pack a mapping names: its folder (``path``) or, without one, the default pack.

    ``path`` is relative to ``folder``; without it the pack is the default one (the one
    installed). ``name`` and ``version`` (``1.0.0`` or a range such as ``>=1.0,<2``), where
    given, must be the pack's.

    What ``extends:`` in ``pack.yaml`` and ``rules:`` in a portfolio file both name. ``shown``
    gives the folder as a message writes it (default: ``folder / path``).

    Raises:
        InputError: (the reader's type) naming the key of ``node`` that does not fit: no folder
            there, a name or version the pack does not have, neither a path nor a name.
        RulePackError: the pack found does not load.
    """
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

    wanted = reader.text(node, "name", item=item) if node.get("name") is not None else None
    spec = reader.text(node, "version", item=item) if node.get("version") is not None else None
    if node.get("path") is not None:
        where = reader.text(node, "path", item=item)
        target = folder / where
        real = _REDIRECTS.get(target.resolve(), target)
        if not (real / "pack.yaml").is_file():
            label = shown(where) if shown is not None else str(target)
            problem = "is not a folder" if not real.is_dir() else "holds no pack.yaml"
            reader.fail(
                f"{label} {problem}: name a rule pack's folder (relative to this file)",
                at=node,
                key="path",
                item=item,
            )
        base = _load_folder(target, seen)
    elif wanted is None:
        reader.fail("name a rule pack: its folder as 'path', or its 'name'", at=node, item=item)
    else:
        default = load_rules()
        if wanted != default.name:
            reader.fail(
                f"no pack named '{wanted}' is installed; give its folder as 'path'",
                at=node,
                key="name",
                item=item,
                allowed=[default.name],
                suggestion=did_you_mean(wanted, [default.name]),
            )
        base = default
    if wanted is not None and base.name != wanted:
        reader.fail(
            f"the pack at that path is '{base.name}', not '{wanted}'",
            at=node,
            key="name",
            item=item,
        )
    if spec is None:
        return base
    try:
        specifier = SpecifierSet(spec if spec[0] in "<>=!~" else f"=={spec}")
        ok = Version(base.version) in specifier
    except (InvalidSpecifier, InvalidVersion, IndexError) as exc:
        reader.fail(f"cannot compare versions: {exc}", at=node, key="version", item=item)
    if not ok:
        reader.fail(
            f"pack '{base.name}' is version {base.version}, which is not {spec}",
            at=node,
            key="version",
            item=item,
        )
    return base


def pack_for(portfolio: Portfolio | None, rules: RulePack | None = None) -> RulePack:
    """The pack to use on ``portfolio``: ``rules``, else its own, else the default pack.

    ``rules`` overrides; a portfolio's own is the pack it was read for (given to the loader, or
    named by its file's ``rules:``).

    >>> import taxonomy
    >>> p = taxonomy.load_portfolio("examples/three_councils_shared_services.yaml")
    >>> pack_for(p).name, pack_for(p, load_rules()).name
    ('councils-shared-services', 'nhs-joint-working-2018')
    """
    if rules is not None:
        return rules
    if portfolio is not None and isinstance(portfolio.pack, RulePack):
        return portfolio.pack
    return load_rules()


def _overrides(
    reader: Reader,
    meta: Fields,
    base: RulePack,
    own: Mapping[str, Rule],
    pack: str,
    problems: Problems,
) -> tuple[Override, ...]:
    """The overrides ``pack.yaml`` lists, each checked on its own (problems recorded)."""
    if meta.get("overrides") is None:
        return ()
    found: list[Override] = []
    with problems.collecting():
        items = reader.sequence(meta["overrides"], what="'overrides'", at=meta)
        for raw in items:
            with problems.collecting():
                found.append(_override(reader, raw, items, base, own, pack, found))
    return tuple(found)


def _override(
    reader: Reader,
    raw: Any,
    items: Any,
    base: RulePack,
    own: Mapping[str, Rule],
    pack: str,
    found: list[Override],
) -> Override:
    known = [r.id for r in base.rules]
    node = reader.mapping(raw, what="an override", at=items)
    item = f"override of '{node['rule']}'" if isinstance(node.get("rule"), str) else "override"
    reader.keys(node, allowed=_OVERRIDE_KEYS, required=_REQUIRED_OVERRIDE_KEYS, item=item)
    rule_id = reader.text(node, "rule", item=item)
    if rule_id not in known:
        reader.fail(
            f"pack '{base.name}' has no rule '{rule_id}'",
            at=node,
            key="rule",
            item=item,
            suggestion=did_you_mean(rule_id, known),
        )
    if rule_id in [o.rule for o in found]:
        reader.fail("this rule is overridden twice", at=node, key="rule", item=item)
    reason = reader.text(node, "reason", item=item)
    if "because" in node:
        if rule_id in own:
            reader.fail(
                f"rewords '{rule_id}' and also defines it: a rule of the pack's own gives its "
                "reason in its own 'because'; drop 'because' here, or the rule",
                at=node,
                key="because",
                item=item,
            )
        because = reader.text(node, "because", item=item)
        line = location_of(node).line or 0
        return Override(rule_id, "reworded", reason, pack, because, line)
    action = "replaced" if rule_id in own else "removed"
    return Override(rule_id, action, reason, pack)


@attrs.frozen
class _RuleFile:
    """What one rule file gave: its rules and facts, and whether any failed to read."""

    rules: list[Rule]
    facts: list[Fact]
    rules_partial: bool = False
    facts_partial: bool = False


def _read_rule_file(file: Path, pack: str, problems: Problems) -> _RuleFile:
    """Read one rule file, each rule and fact on its own; problems are recorded."""
    reader = Reader(str(file), RulePackError)
    try:
        data = load_yaml(file, error=RulePackError)
        if data is None:
            reader.fail("the file is empty; it must hold a 'rules:' or a 'facts:' list")
        top = reader.mapping(data, what="a rule file")
    except RulePackError as error:
        problems.add(error)
        return _RuleFile([], [], rules_partial=True, facts_partial=True)
    before = len(problems)
    check_keys(problems, reader, top, allowed=("rules", "facts"))
    misspelt = len(problems) > before  # a list under a misspelt key is not read
    if not top:
        problems.add(
            RulePackError(
                "the file must hold a 'rules:' or a 'facts:' list",
                file=reader.file,
                line=location_of(top).line,
            )
        )
    before = len(problems)
    facts = (
        read_facts(reader, top["facts"], at=top, pack=pack, problems=problems)
        if "facts" in top
        else []
    )
    facts_partial = misspelt or len(problems) > before
    rules: list[Rule] = []
    rules_partial = misspelt
    if "rules" in top:
        try:
            items = reader.sequence(top["rules"], what="'rules'", at=top)
        except RulePackError as error:
            problems.add(error)
            items, rules_partial = [], True
        for node, where in reader.each(items):
            try:
                rules.append(read_rule(reader, node, where))
            except RulePackError as error:
                problems.add(error)
                rules_partial = True
    return _RuleFile(rules, facts, rules_partial, facts_partial)


def read_rule(reader: Reader, value: Any, at: Location | None = None) -> Rule:
    """Read one rule mapping (from YAML, or plain Python data) and check it on its own.

    Every key is checked on its own, and every problem found is raised in one error (a
    misspelt question, an unknown principle and a priority that is not a number are three
    problems of one run). Whole-pack checks (findings, cycles, strata) are done by
    :meth:`RulePack.from_rules`.

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
    problems = Problems(reader.error, file=reader.file)
    with problems.collecting():
        reader.keys(node, allowed=_RULE_KEYS, required=_REQUIRED_RULE_KEYS, item=item)

    def attempt(key: str, check: Callable[[], _T]) -> _T | None:
        """``check()`` when ``key`` is given, else None; its problem recorded, not raised."""
        if key not in node:
            return None
        with problems.collecting():
            return check()
        return None

    rule_id = attempt("id", lambda: _rule_id(reader, node, item))
    question = attempt("question", lambda: _choice(reader, node, "question", QUESTIONS, item=item))
    when = attempt(
        "when", lambda: read_condition(reader, node["when"], at=node, key="when", item=item)
    )
    then = attempt("then", lambda: _read_then(reader, node, item))
    because = attempt("because", lambda: reader.text(node, "because", item=item))
    principles = attempt("principles", lambda: _principles(reader, node, item))
    source = attempt("source", lambda: reader.text(node, "source", item=item))
    priority = node.get("priority", 0)
    if isinstance(priority, bool) or not isinstance(priority, int):
        with problems.collecting():
            reader.fail("must be a whole number", at=node, key="priority", item=item)
    problems.found.sort(key=lambda problem: problem.line or 0)  # in the order they are written
    problems.raise_if_any()
    assert rule_id is not None and question is not None and when is not None
    assert then is not None and because is not None and principles is not None
    assert source is not None
    return Rule(
        id=rule_id,
        question=question,
        when=when,
        then=then,
        because=because,
        principles=principles,
        source=source,
        priority=priority,
        file=reader.file,
        line=location_of(node).line or at.line or 0,
    )


def _rule_id(reader: Reader, node: Fields, item: str) -> str:
    rule_id = reader.identifier(node, "id", item=item)
    if not _RULE_ID.match(rule_id):
        reader.fail(
            "rule ids are lower-case letters, digits, '.', '_' and '-'",
            at=node,
            key="id",
            item=item,
        )
    return rule_id


def _principles(reader: Reader, node: Fields, item: str) -> tuple[str, ...]:
    """The rule's design principles; every one unknown is raised together."""
    written = reader.sequence(node["principles"], what="'principles'", item=item, at=node)
    if not written:
        reader.fail("name at least one design principle", at=node, key="principles", item=item)
    problems = Problems(reader.error, file=reader.file)
    principles: list[str] = []
    for value in written:
        principle = fold_choice(value, PRINCIPLES)
        with problems.collecting():
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
    problems.raise_if_any()
    return tuple(principles)


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
    """A rule's ``then``: each key checked on its own, every problem raised together."""
    then = reader.mapping(node["then"], what="'then'", item=item, at=node)
    problems = Problems(reader.error, file=reader.file)
    with problems.collecting():
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
        with problems.collecting():
            finding = _finding(reader, then, item)
        with problems.collecting():
            value = _finding_value(reader, then, item)
    elif "value" in then:
        with problems.collecting():
            reader.fail("'value' goes with 'finding'", at=then, key="value", item=item)
    if "cap" in then:
        with problems.collecting():
            cap = Arrangement.parse(_choice(reader, then, "cap", Arrangement.names(), item=item))
    if "decide" in then:
        with problems.collecting():
            decide = Arrangement.parse(
                _choice(reader, then, "decide", Arrangement.names(), item=item)
            )
    if "lead" in then:
        with problems.collecting():
            lead = reader.text(then, "lead", item=item)
    problems.raise_if_any()
    return Then(finding=finding, value=value, cap=cap, lead=lead, decide=decide)


def _finding(reader: Reader, then: Fields, item: str) -> str:
    finding = reader.text(then, "finding", item=item)
    if not _FINDING.match(finding):
        reader.fail(
            "finding names are lower-case letters, digits and '_', starting with a letter",
            at=then,
            key="finding",
            item=item,
        )
    return finding


def _finding_value(reader: Reader, then: Fields, item: str) -> Level | bool | str:
    """What a finding is set to: a level, true/false or ``{fact: NAME}``."""
    if "value" not in then:
        reader.fail("a finding needs a 'value'", at=then, key="finding", item=item)
    raw = fold_choice(then["value"], Level.names())
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, Mapping) and set(raw) == {"fact"} and isinstance(raw["fact"], str):
        return str(raw["fact"])
    if isinstance(raw, str) and raw in Level.names():
        return Level.parse(raw)
    reader.fail(
        f"'{raw}' is not a finding value",
        at=then,
        key="value",
        item=item,
        allowed=(*Level.names(), "true", "false", "{fact: NAME}"),
        suggestion=did_you_mean(str(raw), Level.names()),
    )


# --- whole-pack checks ------------------------------------------------------------------------


def _fail(rule: Rule, problem: str, **fields: Any) -> RulePackError:
    return RulePackError(
        problem, file=rule.file or None, line=rule.line or None, item=f"rule '{rule.id}'", **fields
    )


class _Unknown(Exception):
    """A type that cannot be known because an earlier problem left out what would give it.

    Raised by the whole-pack checks when a rule reads a finding only a rule that failed to read
    would derive (or a fact only a declaration that failed would declare): the check is skipped
    rather than reported, since the problem already reported is its cause.
    """


@contextlib.contextmanager
def _checking(problems: Problems, failed: set[str] | None = None, rule: str = "") -> Iterator[None]:
    """Record an :class:`InputError` the block raises (and the rule in ``failed``).

    On :class:`_Unknown` the rule is marked failed and nothing is recorded.
    """
    try:
        yield
    except InputError as error:
        problems.add(error)
        if failed is not None:
            failed.add(rule)
    except _Unknown:
        if failed is not None:
            failed.add(rule)


def _check_pack(
    rules: tuple[Rule, ...],
    facts: Facts,
    problems: Problems,
    *,
    rules_partial: bool = False,
    facts_partial: bool = False,
) -> tuple[dict[str, FactType], tuple[tuple[str, ...], ...]] | None:
    """Check the rules as a whole, recording every problem in ``problems``.

    ``rules_partial``: some rules of the pack could not be read, so a finding no rule read
    derives, or a pack with no decision rule, is not reported (the missing rule may be why).
    ``facts_partial``: likewise for fact declarations and unknown facts.

    Returns the finding types and strata, or None when a problem was found.
    """
    before = len(problems)
    ids: dict[str, Rule] = {}
    unique: list[Rule] = []
    for rule in rules:
        if rule.id in ids:
            problems.add(_fail(rule, f"duplicate rule id; first defined at {ids[rule.id].where}"))
            continue
        ids[rule.id] = rule
        unique.append(rule)
    rules = tuple(unique)
    if not rules_partial and not any(r.then.decide is not None for r in rules):
        problems.add(
            RulePackError("the pack has no decision rule: nothing can decide an arrangement")
        )

    def fact_type(fact: str, rule: Rule, key: str) -> FactType | None:
        return _fact_type(
            fact,
            facts,
            finding_types,
            derived,
            rule,
            key=key,
            rules_partial=rules_partial,
            facts_partial=facts_partial,
        )

    # Which findings exist, and of which type.
    failed: set[str] = set()
    finding_types: dict[str, FactType] = {}
    typed_by: dict[str, Rule] = {}
    for rule in rules:
        with _checking(problems):
            _check_question(rule)
        if rule.then.finding is None or isinstance(rule.then.value, str):
            continue
        kind = "bool" if isinstance(rule.then.value, bool) else "level"
        ftype = FINDING_TYPES[kind]
        name = rule.then.finding
        assert name is not None
        if name in finding_types and finding_types[name] != ftype:
            problems.add(
                _fail(
                    rule,
                    f"finding '{name}' is a {kind} here but a {finding_types[name].name} "
                    f"at {typed_by[name].where}",
                )
            )
            continue
        finding_types.setdefault(name, ftype)
        typed_by.setdefault(name, rule)
    derived = {r.then.finding for r in rules if r.then.finding is not None}
    # Findings whose value is copied from another fact take that fact's type.
    for _ in range(len(rules) + 1):
        for rule in rules:
            copied, source = rule.then.finding, rule.then.value
            if copied is None or not isinstance(source, str) or rule.id in failed:
                continue
            with _checking(problems, failed, rule.id):
                _copy_type(rule, copied, source, fact_type, finding_types, typed_by)
    for rule in rules:
        finding = rule.then.finding
        if finding is not None and finding not in finding_types and rule.id not in failed:
            problems.add(_fail(rule, f"finding '{finding}' copies only other copied findings"))
            failed.add(rule.id)

    for rule in rules:
        with _checking(problems):
            _check_rule(rule, facts, fact_type)
    strata: tuple[tuple[str, ...], ...] = ()
    with _checking(problems):
        strata = _strata(rules)
    if len(problems) > before:
        return None
    return finding_types, strata


def _copy_type(
    rule: Rule,
    name: str,
    source: str,
    fact_type: Callable[[str, Rule, str], FactType | None],
    finding_types: dict[str, FactType],
    typed_by: dict[str, Rule],
) -> None:
    """Type the finding ``name`` a rule copies from ``source`` (once the source is typed)."""
    source_type = fact_type(source, rule, "then")
    if source_type is None:
        return
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


def _check_rule(
    rule: Rule, facts: Facts, fact_type: Callable[[str, Rule, str], FactType | None]
) -> None:
    """One rule's condition, reason and lead, against the pack's facts and findings."""

    def typed(fact: str, key: str = "when") -> FactType:
        found = fact_type(fact, rule, key)
        if found is None:  # derived only by rules whose own problem was reported
            raise _Unknown(fact)
        return found

    def fail(problem: str, **fields: Any) -> RulePackError:
        return _fail(rule, problem, key="when", **fields)

    check_condition(rule.when, typed, fail)
    for placeholder in PLACEHOLDER.findall(rule.because):
        typed(placeholder.strip(), "because")
    lead = rule.then.lead
    if lead is None or lead == JOINT:
        return
    sources = facts.lead_sources()
    if lead not in sources:
        raise _fail(
            rule,
            f"'{lead}' names no bodies: a lead comes from a declared body or bodies fact, "
            "or is 'joint'",
            key="then",
            allowed=(*sources, JOINT),
            suggestion=did_you_mean(lead, (*sources, JOINT)),
        )
    if facts.type(lead).optional and not requires_present(rule.when, lead):
        raise _fail(
            rule,
            f"sets the lead from '{lead}', so its 'when' must require "
            f"{{fact: {lead}, op: present}} (the fact may be absent)",
        )


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


def _fact_type(
    fact: str,
    facts: Facts,
    finding_types: Mapping[str, FactType],
    derived: set[str],
    rule: Rule,
    *,
    key: str,
    rules_partial: bool = False,
    facts_partial: bool = False,
) -> FactType | None:
    """The type of ``fact``; None for a finding that is derived but not typed yet.

    Raises :class:`_Unknown` where the fact may be one a rule or declaration that failed to read
    would have given (``rules_partial``, ``facts_partial``).
    """
    if fact in facts:
        return facts.type(fact)
    if fact.startswith("finding."):
        name = fact.split(".", 1)[1]
        if name in finding_types:
            return finding_types[name]
        if name in derived:
            return None
        if rules_partial:
            raise _Unknown(fact)
        raise _fail(
            rule,
            f"reads finding '{name}', which no rule derives",
            key=key,
            allowed=sorted(derived) or ["(no findings are derived)"],
            suggestion=did_you_mean(name, derived),
        )
    if facts_partial:
        raise _Unknown(fact)
    choices = [*facts.names(), *(f"finding.{n}" for n in derived)]
    raise _fail(
        rule,
        f"unknown fact '{fact}': the pack declares no such fact (see its facts: lists)",
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
                allowed=allowed_values(ftype),
                suggestion=did_you_mean(str(value), allowed_values(ftype)),
            )


def _bad_value(ftype: FactType, value: Any) -> str | None:
    if ftype.name in ("bodies", "text", "body_levels"):
        return f"'{value}' cannot be compared"
    problem, _ = parse_answer(ftype, value, bodies=None)
    return None if problem is None else problem.replace("must be", f"'{value}' is not")


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
    count = max(level.values(), default=-1) + 1
    return tuple(tuple(sorted(r.id for r in rules if level[r.id] == k)) for k in range(count))
