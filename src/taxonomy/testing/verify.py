"""Exhaustive verification of a rule pack: gaps, conflicts, dead rules and unused findings.

The answer space is finite: every fact a pack reads has a small domain (four levels,
true/false, the choices declared, a few counts, the body ids the rules name).
:func:`check_pack` enumerates every combination of the facts the pack actually reads and
derives each one with :func:`taxonomy.language.semantics.derive`, the same resolver
:func:`taxonomy.classify` uses, and reports, with ``file:line`` and rule ids:

- **gap** (error): answers on which no decision rule fires, or a separate arrangement gets no lead
  the law lets lead (so the classifier's lead never contradicts the law, and never fails);
- **conflict** (error): two rules of equal top priority that fire together and conclude
  differently (decisions, findings or leads);
- **dead rule** (warning): a rule that fires on no combination;
- **unused finding** (warning): a finding derived but read by no rule.

Which rules fire is asked, by default, of the reference semantics
(:class:`~taxonomy.language.semantics.ReferenceBackend`), memoised per rule. Conditions only
compare facts with literals, so answers on which every comparison the rules make comes out the
same are alike (a level compared only with ``>= medium`` has two classes, not four): the
reference check derives one combination of each class of alike answers and counts the
combinations it stands for (the default pack's 442,368 are 147,456 classes). That is sound for
what ``classify`` runs because durable-rules, the backend that classifies, is pinned to the
reference semantics by a differential property test on generated packs
(``tests/test_semantics.py``). ``backend="durable-rules"`` derives every combination with
durable-rules itself, slower, for anyone who wants the proof without that step.

>>> import taxonomy
>>> report = check_pack(taxonomy.load_rules())
>>> report.errors, report.exhaustive
([], True)
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from typing import Any

import attrs

from taxonomy._model import Level
from taxonomy._output_shape import STRING, STRINGS, Schema, Shape, each, key
from taxonomy.errors import RulePackError
from taxonomy.language.durable import engine_for
from taxonomy.language.rules import Condition, FactTest, Rule, RulePack
from taxonomy.language.semantics import (
    Backend,
    Conflict,
    ReferenceBackend,
    derive,
    holds,
    lead_by_source,
)

__all__ = ["CHECK_JSON", "ISSUE_JSON", "PackIssue", "VerifyReport", "check_pack", "check_schema"]

#: The most combinations checked unless asked for more: above it the check refuses at once,
#: saying how many there are and which facts multiply them (the default pack has 442,368).
MAX_COMBINATIONS = 2_000_000

#: The facts a refusal names, largest factors first.
_NAMED_FACTORS = 10


@attrs.frozen
class PackIssue:
    """One problem found in a pack."""

    kind: str
    severity: str
    rules: tuple[str, ...]
    where: tuple[str, ...]
    message: str
    example: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the keys of :data:`ISSUE_JSON`."""
        return ISSUE_JSON.dump(self)


#: An issue in the ``rules-check`` JSON (:meth:`PackIssue.to_dict`).
ISSUE_JSON = Shape(
    key("kind", STRING),
    key("severity", STRING),
    key("rules", STRINGS, via=list),
    key("where", STRINGS, via=list),
    key("message", STRING),
    key("example", {"type": "object", "additionalProperties": STRING}, via=dict),
)


@attrs.frozen
class VerifyReport:
    """The result of :func:`check_pack`."""

    pack: str
    issues: tuple[PackIssue, ...]
    combinations: int
    exhaustive: bool
    seconds: float
    backend: str = "reference"

    @property
    def errors(self) -> list[PackIssue]:
        """The issues of severity error (gaps and conflicts)."""
        return [i for i in self.issues if i.severity == "error"]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the ``rules check --format json`` contract): :data:`CHECK_JSON`."""
        return CHECK_JSON.dump(self)


#: The ``rules-check`` JSON (:meth:`VerifyReport.to_dict`), and the body of its schema.
CHECK_JSON = Shape(
    key("pack", STRING),
    key("backend", STRING),
    key("combinations", {"type": "integer", "minimum": 0}),
    key("exhaustive", {"type": "boolean"}),
    key("seconds", {"type": "number", "minimum": 0}, read=lambda report: round(report.seconds, 3)),
    key("issues", {"type": "array", "items": ISSUE_JSON}, via=each(ISSUE_JSON)),
)


def _tests(pack: RulePack) -> list[FactTest]:
    """Every comparison the pack's rules make (the leaves of their conditions), in rule order."""
    found: list[FactTest] = []

    def walk(condition: Condition) -> None:
        if isinstance(condition, FactTest):
            found.append(condition)
            return
        parts = getattr(condition, "parts", None)
        for part in parts if parts is not None else (condition.part,):  # type: ignore[union-attr]
            walk(part)

    for rule in pack.rules:
        walk(rule.when)
    return found


def _literals(pack: RulePack, fact: str) -> list[Any]:
    found: list[Any] = []
    for test in _tests(pack):
        if test.fact == fact and test.op != "present":
            found.extend(test.value if test.op == "in" else (test.value,))
    return found


def _dimensions(pack: RulePack, read: set[str]) -> list[list[dict[str, Any]]]:
    """Each dimension is a list of partial assignments; their product is the answer space.

    Derived facts are enumerated with what they derive from, so no impossible combination is
    checked: a list's ``count`` with the list, ``highest``, ``lowest`` and ``spread`` of the
    same levels together. Everything else ranges over its type's values.
    """
    dims: list[list[dict[str, Any]]] = []
    done: set[str] = set()
    for dim, names in (*_level_spreads(pack, read), *_body_lists(pack, read)):
        dims.append(dim)
        done |= names
    dims += [_values(pack, name) for name in sorted(read - done)]
    return dims


_Dimension = tuple[list[dict[str, Any]], set[str]]


def _level_spreads(pack: RulePack, read: set[str]) -> list[_Dimension]:
    """Capability-like levels: highest, lowest and spread over the same levels move together."""
    spreads: dict[tuple[str, str], dict[str, str]] = {}
    for fact in pack.facts:
        if fact.derive is None:
            continue
        op, args = fact.derive
        if op in ("highest", "lowest", "spread") and fact.name in read:
            spreads.setdefault((args["of"], args["over"]), {})[op] = fact.name
    dims: list[_Dimension] = []
    for names in spreads.values():
        if set(names) == {"spread"}:
            dims.append(([{names["spread"]: gap} for gap in range(4)], set(names.values())))
            continue
        pairs = [(lo, hi) for lo in Level for hi in Level if lo <= hi]
        options = [
            {
                names[op]: value
                for op, value in (("lowest", lo), ("highest", hi), ("spread", int(hi) - int(lo)))
                if op in names
            }
            for lo, hi in pairs
        ]
        dims.append((options, set(names.values())))
    return dims


def _body_lists(pack: RulePack, read: set[str]) -> list[_Dimension]:
    """Lists of bodies, with their counts and their overlap with another list."""
    derived = [f for f in pack.facts if f.derive is not None]
    dims: list[_Dimension] = []
    for base in pack.facts:
        if base.type.name != "bodies":
            continue
        counts = [f.name for f in derived if f.derive == ("count", base.name) and f.name in read]
        overlaps = [
            f.name
            for f in derived
            if f.derive is not None
            and f.derive[0] == "overlaps"
            and f.derive[1][0] == base.name
            and f.name in read
        ]
        if not ({base.name, *counts, *overlaps} & read):
            continue
        low = 0 if base.type.optional else 1
        literals = [int(v) for c in counts for v in _literals(pack, c)]
        top = max([*literals, 1]) + 1 if counts else 1
        options = []
        for n in range(low, top + 1):
            for does in (False, True) if overlaps and n > 0 else (False,):
                option: dict[str, Any] = {c: n for c in counts}
                if base.name in read and n > 0:
                    option[base.name] = tuple(f"b{i}" for i in range(n))
                option.update({o: does for o in overlaps})
                options.append(option)
        dims.append((options, {base.name, *counts, *overlaps}))
    return dims


def _values(pack: RulePack, name: str) -> list[dict[str, Any]]:
    """Every value a fact read on its own may take (its type's values)."""
    ftype = pack.facts.type(name)
    if ftype.name == "level":
        values: list[Any] = list(Level)
    elif ftype.name == "bool":
        values = [False, True]
    elif ftype.name == "choice":
        values = list(ftype.choices)
    elif ftype.name in ("body", "text"):
        # Absent, or present with each value a rule names, or another value.
        named = sorted(set(map(str, _literals(pack, name))))
        return [{}, *({name: v} for v in [*named, "(another)"])]
    else:  # counts not derived from a list read above
        literals = [int(v) for v in _literals(pack, name)]
        values = list(range(2, max([*literals, 2]) + 2))
    return [{name: v} for v in values]


def _too_many(pack: RulePack, dims: Sequence[list[dict[str, Any]]], total: int, bound: int) -> str:
    """Why the check refuses: how many combinations, which facts multiply them, what to do."""
    factors = sorted(
        ((len(dim), sorted({fact for part in dim for fact in part})) for dim in dims if dim),
        key=lambda factor: (-factor[0], factor[1]),
    )
    factors = [(size, facts) for size, facts in factors if size > 1]
    named = "; ".join(
        f"{', '.join(facts)} ({size} values)" for size, facts in factors[:_NAMED_FACTORS]
    )
    more = len(factors) - _NAMED_FACTORS
    if more > 0:
        named += f"; and {more} more"
    allow = (
        f"or allow more with --max-combinations N (max_combinations=N), N at least {total:,}"
        if total < 10**12
        else "--max-combinations N (max_combinations=N) allows more, but this many would "
        "never finish"
    )
    return (
        f"rule pack '{pack.name}' reads {_count(total)} combinations of answers, more than "
        f"the {bound:,} the exhaustive check runs (it would run for hours or never finish): "
        f"the product of the values of {len(factors)} facts (or groups of facts derived "
        f"together), the largest {named}. Read fewer facts in the rules, {allow}"
    )


def _count(total: int) -> str:
    """A number of combinations in words: exact when short, its order of magnitude when not.

    >>> _count(221_184), _count(3**300)
    ('221,184', 'about 10^143')
    """
    digits = len(str(total))
    return f"{total:,}" if digits <= 18 else f"about 10^{digits - 1}"


#: A dimension's options the rules tell apart: the first of each class of alike options, and
#: how many options the class holds.
_Classes = list[tuple[dict[str, Any], int]]


def _classes(pack: RulePack, dims: Sequence[list[dict[str, Any]]]) -> list[_Classes]:
    """Each dimension's options grouped into the classes the rules cannot tell apart.

    Two options of a dimension are alike when every comparison the rules make on its facts gives
    the same answer on both, each of its facts is present in both or in neither, and a fact a
    finding copies (``value: FACT``) has the same value in both. Conditions only compare facts
    with literals, so every derivation over them is the same: which rules fire, the findings,
    the decision, the lead and the law's check on it. One combination of each class is derived,
    and stands for the product of the class sizes. Classes keep the order of their first
    option, so the first combination found with an issue (the example it reports) is the one
    an enumeration of every combination would meet first.
    """
    tests = _tests(pack)
    copied = {r.then.value for r in pack.rules if isinstance(r.then.value, str)}
    found: list[_Classes] = []
    for dim in dims:
        facts = sorted({fact for option in dim for fact in option})
        asked = [test for test in tests if test.fact in facts]
        classes: dict[tuple[Any, ...], list[Any]] = {}
        for option in dim:
            signature = (
                tuple(holds(test, option, pack.fact_type) for test in asked),
                tuple(fact in option for fact in facts),
                tuple(option.get(fact) for fact in facts if fact in copied),
            )
            classes.setdefault(signature, [option, 0])[1] += 1
        found.append([(option, size) for option, size in classes.values()])
    return found


def _alike(pack: RulePack, fires: Backend) -> Callable[[Mapping[str, Any]], Hashable]:
    """What a derivation depends on: which rules of the first stratum fire, and a few values.

    The first stratum's rules read answers only; a finding is a constant or an answer copied
    (``value: FACT``); later strata read findings and the answers they name; the law's check on
    leads asks whether ``legal.delegable_to`` is there. Two combinations of answers alike in
    those derive the same rules, findings, decision, lead, conflicts and gaps, so the first of
    them (which any issue's example is) is derived and the others need not be.
    """
    later = {
        fact
        for stratum in pack.strata[1:]
        for rule_id in stratum
        for fact in pack.rule(rule_id).when.facts()
        if not fact.startswith("finding.")
    }
    copied = {r.then.value for r in pack.rules if isinstance(r.then.value, str)}
    delegable = _delegable_fact(pack)
    read = sorted(later | copied | ({delegable} if delegable is not None else set()))
    first = bool(pack.strata)

    def key(values: Mapping[str, Any]) -> Hashable:
        fired = tuple(fires.fire(0, values, function="")) if first else ()
        return fired, tuple(values.get(fact, _ABSENT) for fact in read)

    return key


#: An absent fact, in :func:`_alike`'s key (None could be a value).
_ABSENT = object()


def _each(dims: Sequence[list[dict[str, Any]]]) -> list[_Classes]:
    """Every option of each dimension, a class of its own (the durable-rules backend's check)."""
    return [[(option, 1) for option in dim] for dim in dims]


def _assignments(classes: Sequence[_Classes]) -> Iterator[tuple[dict[str, Any], int]]:
    """Each combination of the classes' options, and how many combinations of answers it is."""
    for parts in itertools.product(*classes):
        values: dict[str, Any] = {}
        weight = 1
        for part, size in parts:
            values.update(part)
            weight *= size
        yield values, weight


#: Where the model's own lead law reads (``Legal.may_lead``): only employees of the bodies in
#: ``legal.delegable_to`` may carry the function out; an agreed lead is refused unless lawful.
_DELEGABLE = "function.legal.delegable_to"
_LAWFUL_BY_CONSTRUCTION = (_DELEGABLE, "function.agreed_lead")


def _delegable_fact(pack: RulePack) -> str | None:
    """The pack's fact read from ``legal.delegable_to``, if it declares one."""
    return next((f.name for f in pack.facts if f.path == _DELEGABLE), None)


def _unchecked_sources(pack: RulePack) -> tuple[str, ...]:
    """Lead sources whose bodies may all be barred from leading.

    That happens when only some bodies' employees may carry the function out: every source but
    those lawful by construction.
    """
    return tuple(
        f.name
        for f in pack.facts
        if f.name in pack.facts.lead_sources() and f.path not in _LAWFUL_BY_CONSTRUCTION
    )


def _lawful_source(
    rule: Rule, values: Mapping[str, Any], delegable: str | None, unchecked: tuple[str, ...]
) -> tuple[str | None, tuple[str, ...]] | None:
    """``lead_by_source``, with the law: a source that may name only barred bodies names none.

    The classifier never lets a body lead that the law bars (``Legal.may_lead``); a lead rule
    whose bodies are all barred gives way to the next. So ``rules check`` proves, for every
    combination of answers, that some lead rule names a body the law lets lead: where only some
    bodies' employees may carry the function out, only ``legal.delegable_to`` and
    ``agreed_lead`` (refused at load unless lawful) are sure to; independence never bars every
    performer, body or owner (the loader refuses that).
    """
    if delegable is not None and delegable in values and rule.then.lead in unchecked:
        return None
    return lead_by_source(rule, values)


def check_pack(
    rules: RulePack,
    *,
    max_combinations: int = MAX_COMBINATIONS,
    backend: str = "reference",
) -> VerifyReport:
    """Enumerate the answer space ``rules`` reads and report gaps, conflicts and dead rules.

    Args:
        rules: the pack to check.
        max_combinations: the most combinations to check; a pack reading more is refused
            before any is checked (the check is exhaustive or not run).
        backend: ``reference`` (the semantics in Python) or ``durable-rules`` (the engine).

    Raises:
        RulePackError: the pack reads more than ``max_combinations`` combinations of answers;
            the message says how many, which facts multiply them, and how to allow more.
    """
    start = time.perf_counter()
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
    read = _read(rules)
    dims = _dimensions(rules, read)
    total = 1
    for dim in dims:
        total *= len(dim)
    if total > max_combinations:
        raise RulePackError(_too_many(rules, dims, total, max_combinations))
    reference = backend == "reference"
    fires: Backend = ReferenceBackend(rules) if reference else engine_for(rules)
    found = _Found(read)
    if reference:
        count = found.enumerate(rules, _classes(rules, dims), fires, alike=_alike(rules, fires))
    else:
        count = found.enumerate(rules, _each(dims), fires)
    assert count == total, (count, total)  # every combination stood for
    return VerifyReport(
        rules.name, found.report(rules), count, True, time.perf_counter() - start, backend
    )


def _read(pack: RulePack) -> set[str]:
    """Every fact the pack's rules read (findings aside), and the law's where leads need it."""
    read = {
        f
        for r in pack.rules
        for f in (*r.when.facts(), *([r.then.value] if isinstance(r.then.value, str) else []))
        if not f.startswith("finding.")
    }
    delegable = _delegable_fact(pack)
    unchecked = _unchecked_sources(pack)
    if delegable is not None and any(r.then.lead in unchecked for r in pack.rules):
        # Whether only some bodies' employees may carry it out decides which sources are lawful.
        read.add(delegable)
    return read


class _Found:
    """The errors found over the answer space (one per kind and rules) and the rules that fired."""

    def __init__(self, read: set[str]) -> None:
        self.read = read
        self.ever: set[str] = set()
        self.issues: dict[tuple[str, tuple[str, ...]], PackIssue] = {}

    def note(
        self, kind: str, rules: Sequence[Rule], message: str, values: Mapping[str, Any]
    ) -> None:
        key = (kind, tuple(sorted(r.id for r in rules)))
        if key not in self.issues:
            # Every fact the pack reads, absent ones said so: the example reproduces the issue.
            example = tuple(
                (fact, _show(values[fact]) if fact in values else "(absent)")
                for fact in sorted(self.read)
            )
            self.issues[key] = PackIssue(
                "gap" if kind == "no lead" else kind,
                "error",
                key[1],
                tuple(r.where for r in rules),
                message,
                example,
            )

    def enumerate(
        self,
        pack: RulePack,
        classes: Sequence[_Classes],
        fires: Backend,
        *,
        alike: Callable[[Mapping[str, Any]], Hashable] | None = None,
    ) -> int:
        """Derive one combination of each class; returns how many combinations they stand for.

        ``alike``: what a derivation depends on, if given; a combination alike to one derived
        before is not derived again (it finds nothing the first did not).
        """
        delegable = _delegable_fact(pack)
        unchecked = _unchecked_sources(pack)
        count = 0
        seen: set[Hashable] = set()
        for values, weight in _assignments(classes):
            count += weight
            if alike is not None:
                key = alike(values)
                if key in seen:
                    continue
                seen.add(key)
            derivation = derive(
                pack,
                values,
                backend=fires,
                choose_lead=lambda r, v: _lawful_source(r, v, delegable, unchecked),
            )
            self.ever.update(rule.id for rule in derivation.fired)
            for conflict in derivation.conflicts:
                self.note("conflict", conflict.rules, _conflict_words(conflict), values)
            gap = derivation.gap
            if gap is not None and gap.kind == "decision":
                self.note("gap", [], "no decision rule fires on these answers", values)
            elif gap is not None:
                self.note(
                    "no lead",
                    [],
                    f"the arrangement is {gap.arrangement} but no lead rule fires that names a "
                    "body the law lets lead",
                    values,
                )
        return count

    def report(self, pack: RulePack) -> tuple[PackIssue, ...]:
        """The errors found and the warnings (dead rules, unused findings): errors first."""
        issues = [*self.issues.values(), *_warnings(pack, self.ever)]
        order = {"error": 0, "warning": 1}
        issues.sort(key=lambda i: (order[i.severity], i.kind, i.rules))
        return tuple(issues)


def _warnings(pack: RulePack, ever: set[str]) -> list[PackIssue]:
    """Dead rules (never fired) and unused findings (derived, never read)."""
    issues = [
        PackIssue("dead rule", "warning", (r.id,), (r.where,), "fires on no combination of answers")
        for r in pack.rules
        if r.id not in ever
    ]
    used = {name for r in pack.rules for name in r.uses()}
    for rule in pack.rules:
        derived = rule.then.finding
        if derived is not None and derived not in used:
            issues.append(
                PackIssue(
                    "unused finding",
                    "warning",
                    (rule.id,),
                    (rule.where,),
                    f"derives finding '{derived}', which no rule reads",
                )
            )
    return issues


#: What ``check_pack`` can enumerate with.
BACKENDS = ("reference", "durable-rules")


def _conflict_words(conflict: Conflict) -> str:
    if conflict.on == "decide":
        return "decision rules of equal priority decide differently on the same answers"
    if conflict.on == "lead":
        return "lead rules of equal priority name leads from different sources"
    name = conflict.on.removeprefix("finding ")
    return f"rules of equal priority derive different values for finding '{name}'"


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return f"{len(value)} bodies"
    return str(value)


def check_schema() -> Schema:
    """The JSON Schema of the ``rules-check`` output, from :data:`CHECK_JSON`."""
    from taxonomy.schemas._outputs import named_schemas, stamped_root

    body = CHECK_JSON.schema(named_schemas())
    return stamped_root("rules-check", "taxonomy rule pack check", body)
