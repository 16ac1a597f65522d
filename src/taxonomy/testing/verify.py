"""Exhaustive verification of a rule pack: gaps, conflicts, dead rules and unused findings.

The answer space is finite: every fact a pack reads has a small domain (four levels, true/false,
three tiers, a few counts, the body ids the rules name). :func:`check_pack` enumerates every
combination of the facts the pack actually reads and derives each one with
:func:`taxonomy.language.semantics.derive`, the same resolver :func:`taxonomy.classify` uses, and
reports, with ``file:line`` and rule ids:

- **gap** (error): answers on which no decision rule fires, or a separate arrangement gets no lead
  the law lets lead (so the classifier's lead never contradicts the law, and never fails);
- **conflict** (error): two rules of equal top priority that fire together and conclude
  differently (decisions, findings or leads);
- **dead rule** (warning): a rule that fires on no combination;
- **unused finding** (warning): a finding derived but read by no rule.

Which rules fire is asked, by default, of the reference semantics
(:class:`~taxonomy.language.semantics.ReferenceBackend`): memoised per rule, it checks the default
pack's 36,864 combinations in about a second. That is sound for what ``classify`` runs because
durable-rules, the backend that classifies, is pinned to the reference semantics by a
differential property test on generated packs (``tests/test_semantics.py``).
``backend="durable-rules"`` enumerates with durable-rules itself, slower, for anyone who wants
the proof without that step.

>>> report = check_pack(taxonomy.load_rules())
>>> report.errors, report.exhaustive
([], True)
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import attrs

import taxonomy
from taxonomy._model import SCOPES, Level
from taxonomy.language.durable import engine_for
from taxonomy.language.facts import ANSWER_FACTS
from taxonomy.language.rules import Condition, FactTest, Rule, RulePack
from taxonomy.language.semantics import (
    Backend,
    Conflict,
    ReferenceBackend,
    derive,
    lead_by_source,
)

__all__ = ["PackIssue", "VerifyReport", "check_pack"]

#: The most combinations enumerated before the check falls back to a sample (and says so).
MAX_COMBINATIONS = 2_000_000


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
        """A JSON-ready dict."""
        return {
            "kind": self.kind,
            "severity": self.severity,
            "rules": list(self.rules),
            "where": list(self.where),
            "message": self.message,
            "example": dict(self.example),
        }


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
        """A JSON-ready dict (the ``rules check --format json`` contract)."""
        return {
            "pack": self.pack,
            "backend": self.backend,
            "combinations": self.combinations,
            "exhaustive": self.exhaustive,
            "seconds": round(self.seconds, 3),
            "issues": [i.to_dict() for i in self.issues],
        }


def _literals(pack: RulePack, fact: str) -> list[Any]:
    found: list[Any] = []

    def walk(condition: Condition) -> None:
        if isinstance(condition, FactTest):
            if condition.fact == fact and condition.op != "present":
                values = condition.value if condition.op == "in" else (condition.value,)
                found.extend(values)
            return
        parts = getattr(condition, "parts", None)
        for part in parts if parts is not None else (condition.part,):  # type: ignore[union-attr]
            walk(part)

    for rule in pack.rules:
        walk(rule.when)
    return found


def _dimensions(pack: RulePack, read: set[str]) -> list[list[dict[str, Any]]]:
    """Each dimension is a list of partial assignments; their product is the answer space."""
    dims: list[list[dict[str, Any]]] = []
    done: set[str] = set()
    cap_facts = {"capability.highest", "capability.lowest", "capability.gap"} & read
    if cap_facts == {"capability.gap"}:
        dims.append([{"capability.gap": gap} for gap in range(4)])
        done |= cap_facts
    elif cap_facts:
        pairs = [(lo, hi) for lo in Level for hi in Level if lo <= hi]
        dims.append(
            [
                {
                    k: v
                    for k, v in (
                        ("capability.lowest", lo),
                        ("capability.highest", hi),
                        ("capability.gap", int(hi) - int(lo)),
                    )
                    if k in cap_facts
                }
                for lo, hi in pairs
            ]
        )
        done |= cap_facts
    bases = (
        "legal.statutory_owner",
        "legal.held_by_each",
        "legal.delegable_to",
        "legal.independence_from",
        "performed_by",
    )
    for base in bases:
        count = f"{base}.count"
        performs = "legal.statutory_owner.performs" if base == "legal.statutory_owner" else ""
        if not {base, count, performs} & read:
            continue
        low = 1 if base == "performed_by" else 0
        # Reading only presence: absent (none listed) or present (one or more).
        top = max([int(v) for v in _literals(pack, count)] + [1]) + 1 if count in read else 1
        options = []
        for n in range(low, top + 1):
            for does in (False, True) if performs in read and n > 0 else (False,):
                option: dict[str, Any] = {}
                if count in read:
                    option[count] = n
                if base in read and n > 0:
                    option[base] = tuple(f"b{i}" for i in range(n))
                if performs in read:
                    option[performs] = does
                options.append(option)
        dims.append(options)
        done |= {base, count, performs} - {""}
    for fact in sorted(read - done):
        ftype = ANSWER_FACTS[fact][0].name
        if ftype == "level":
            values: list[Any] = list(Level)
        elif ftype == "bool":
            values = [False, True]
        elif ftype == "scope":
            values = list(SCOPES)
        elif ftype in ("body", "text"):
            # Absent, or present with each value a rule names, or another value.
            named = sorted(set(map(str, _literals(pack, fact))))
            dims.append([{}, *({fact: v} for v in [*named, "(another)"])])
            continue
        else:  # counts not coupled above (organisations.count)
            literals = [int(v) for v in _literals(pack, fact)]
            values = list(range(2, max([*literals, 2]) + 2))
        dims.append([{fact: v} for v in values])
    return dims


def _assignments(dims: Sequence[list[dict[str, Any]]]) -> Iterator[dict[str, Any]]:
    for parts in itertools.product(*dims):
        values: dict[str, Any] = {}
        for part in parts:
            values.update(part)
        yield values


#: Lead sources whose bodies may all be barred from leading when only some bodies' employees
#: may carry the function out (``legal.delegable_to``): a performer, any body, an owner.
_UNCHECKED_SOURCES = ("performed_by", "organisations", "legal.statutory_owner")


def _lawful_source(
    rule: Rule, values: Mapping[str, Any]
) -> tuple[str | None, tuple[str, ...]] | None:
    """``lead_by_source``, with the law: a source that may name only barred bodies names none.

    The classifier never lets a body lead that the law bars (``Legal.may_lead``); a lead rule
    whose bodies are all barred gives way to the next. So ``rules check`` proves, for every
    combination of answers, that some lead rule names a body the law lets lead: where only some
    bodies' employees may carry the function out, only ``legal.delegable_to`` and
    ``agreed_lead`` (refused at load unless lawful) are sure to; independence never bars every
    performer, body or owner (the loader refuses that).
    """
    if "legal.delegable_to" in values and rule.then.lead in _UNCHECKED_SOURCES:
        return None
    return lead_by_source(rule, values)


def check_pack(
    pack: RulePack,
    *,
    max_combinations: int = MAX_COMBINATIONS,
    backend: str = "reference",
) -> VerifyReport:
    """Enumerate the answer space the pack reads and report gaps, conflicts and dead rules.

    Args:
        pack: the pack to check.
        max_combinations: beyond this many combinations, check that many and say so.
        backend: ``reference`` (the semantics in Python) or ``durable-rules`` (the engine).
    """
    start = time.perf_counter()
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
    read = {
        f
        for r in pack.rules
        for f in (*r.when.facts(), *([r.then.value] if isinstance(r.then.value, str) else []))
        if not f.startswith("finding.")
    }
    if any(r.then.lead in _UNCHECKED_SOURCES for r in pack.rules):
        # Whether only some bodies' employees may carry it out decides which sources are lawful.
        read.add("legal.delegable_to")
    dims = _dimensions(pack, read)
    total = 1
    for dim in dims:
        total *= len(dim)
    exhaustive = total <= max_combinations
    fires: Backend = ReferenceBackend(pack) if backend == "reference" else engine_for(pack)

    ever: set[str] = set()
    found: dict[tuple[str, tuple[str, ...]], PackIssue] = {}

    def note(kind: str, rules: Sequence[Rule], message: str, values: Mapping[str, Any]) -> None:
        key = (kind, tuple(sorted(r.id for r in rules)))
        if key not in found:
            # Every fact the pack reads, absent ones said so: the example reproduces the issue.
            example = tuple(
                (fact, _show(values[fact]) if fact in values else "(absent)")
                for fact in sorted(read)
            )
            found[key] = PackIssue(
                "gap" if kind == "no lead" else kind,
                "error",
                key[1],
                tuple(r.where for r in rules),
                message,
                example,
            )

    combinations = _assignments(dims)
    if not exhaustive:
        combinations = itertools.islice(combinations, max_combinations)
    count = 0
    for values in combinations:
        count += 1
        derivation = derive(pack, values, backend=fires, choose_lead=_lawful_source)
        ever.update(rule.id for rule in derivation.fired)
        for conflict in derivation.conflicts:
            note("conflict", conflict.rules, _conflict_words(conflict), values)
        gap = derivation.gap
        if gap is not None and gap.kind == "decision":
            note("gap", [], "no decision rule fires on these answers", values)
        elif gap is not None:
            note(
                "no lead",
                [],
                f"the arrangement is {gap.arrangement} but no lead rule fires that names a body "
                "the law lets lead",
                values,
            )
    issues = list(found.values())
    for rule in pack.rules:
        if rule.id not in ever:
            issues.append(
                PackIssue(
                    "dead rule",
                    "warning",
                    (rule.id,),
                    (rule.where,),
                    "fires on no combination of answers",
                )
            )
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
    order = {"error": 0, "warning": 1}
    issues.sort(key=lambda i: (order[i.severity], i.kind, i.rules))
    return VerifyReport(
        pack.name, tuple(issues), count, exhaustive, time.perf_counter() - start, backend
    )


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


_ = taxonomy  # the doctest uses the package
