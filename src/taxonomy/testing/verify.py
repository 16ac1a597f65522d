"""Exhaustive verification of a rule pack: gaps, conflicts, dead rules and unused findings.

The answer space is finite: every fact a pack reads has a small domain (four levels, true/false,
three tiers, a few counts, the body ids the rules name). :func:`check_pack` enumerates every
combination of the facts the pack actually reads, runs the pack's strata on each with the
engine's semantics (:func:`taxonomy.rules.holds`, which the engine tests are checked against), and
reports, with ``file:line`` and rule ids:

- **gap** (error): answers on which no decision rule fires, or a separate arrangement gets no lead;
- **conflict** (error): two rules of equal top priority that fire together and conclude
  differently (decisions, findings or leads);
- **dead rule** (warning): a rule that fires on no combination;
- **unused finding** (warning): a finding derived but read by no rule.

>>> report = check_pack(taxonomy.load_rules())
>>> report.errors, report.exhaustive
([], True)
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator, Sequence
from typing import Any

import attrs

import taxonomy
from taxonomy._model import SCOPES, Level
from taxonomy.facts import ANSWER_FACTS
from taxonomy.rules import Comparison, Condition, Rule, RulePack, holds

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

    @property
    def errors(self) -> list[PackIssue]:
        """The issues of severity error (gaps and conflicts)."""
        return [i for i in self.issues if i.severity == "error"]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the ``rules check --format json`` contract)."""
        return {
            "pack": self.pack,
            "combinations": self.combinations,
            "exhaustive": self.exhaustive,
            "seconds": round(self.seconds, 3),
            "issues": [i.to_dict() for i in self.issues],
        }


def _literals(pack: RulePack, fact: str) -> list[Any]:
    found: list[Any] = []

    def walk(condition: Condition) -> None:
        if isinstance(condition, Comparison):
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
    for base in ("legal.delegable_to", "legal.independence_from", "performed_by"):
        count = f"{base}.count"
        if base in read and count not in read:
            # Only presence is read: absent (none listed) or present (one or more).
            low = 1 if base == "performed_by" else 0
            dims.append([{base: ("b0",)}] if low else [{}, {base: ("b0",)}])
            done |= {base, count}
        elif count in read:
            top = max([int(v) for v in _literals(pack, count)] + [1]) + 1
            low = 1 if base == "performed_by" else 0
            options = []
            for n in range(low, top + 1):
                option: dict[str, Any] = {}
                if count in read:
                    option[count] = n
                if base in read and n > 0:
                    option[base] = tuple(f"b{i}" for i in range(n))
                options.append(option)
            dims.append(options)
            done |= {base, count}
    if "legal.statutory_owner" in read or "legal.statutory_owner.performs" in read:
        owners: list[Any] = [
            None,
            *sorted(set(map(str, _literals(pack, "legal.statutory_owner")))),
            "(another body)",
        ]
        options = []
        for owner in owners:
            for performs in (False, True) if owner is not None else (False,):
                option = {}
                if "legal.statutory_owner" in read and owner is not None:
                    option["legal.statutory_owner"] = owner
                if "legal.statutory_owner.performs" in read:
                    option["legal.statutory_owner.performs"] = performs
                options.append(option)
        dims.append(options)
        done |= {"legal.statutory_owner", "legal.statutory_owner.performs"}
    for fact in sorted(read - done):
        ftype = ANSWER_FACTS[fact][0].name
        if ftype == "level":
            values: list[Any] = list(Level)
        elif ftype == "bool":
            values = [False, True]
        elif ftype == "scope":
            values = list(SCOPES)
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


def check_pack(pack: RulePack, *, max_combinations: int = MAX_COMBINATIONS) -> VerifyReport:
    """Enumerate the answer space the pack reads and report gaps, conflicts and dead rules."""
    start = time.perf_counter()
    read = {
        f
        for r in pack.rules
        for f in (*r.when.facts(), *([r.then.value] if isinstance(r.then.value, str) else []))
        if not f.startswith("finding.")
    }
    dims = _dimensions(pack, read)
    total = 1
    for dim in dims:
        total *= len(dim)
    exhaustive = total <= max_combinations
    by_stratum = [[pack.rule(rid) for rid in ids] for ids in pack.strata]
    reads = {r.id: tuple(r.when.facts()) for r in pack.rules}
    memo: dict[tuple[str, tuple[Any, ...]], bool] = {}

    def fires(rule: Rule, values: dict[str, Any]) -> bool:
        key = (rule.id, tuple(values.get(f) for f in reads[rule.id]))
        hit = memo.get(key)
        if hit is None:
            hit = holds(rule.when, values)
            memo[key] = hit
        return hit

    ever: set[str] = set()
    found: dict[tuple[str, tuple[str, ...]], PackIssue] = {}

    def note(kind: str, rules: Sequence[Rule], message: str, values: dict[str, Any]) -> None:
        key = (kind, tuple(sorted(r.id for r in rules)))
        if key not in found:
            example = tuple(sorted((k, _show(v)) for k, v in values.items()))
            found[key] = PackIssue(
                kind if kind != "no lead" else "gap",
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
        fired: list[Rule] = []
        for rules in by_stratum:
            step = [r for r in rules if fires(r, values)]
            fired += step
            by_name: dict[str, list[Rule]] = {}
            for rule in step:
                if rule.then.finding is not None:
                    by_name.setdefault(rule.then.finding, []).append(rule)
            for name, producers in by_name.items():
                top = _top(producers)
                distinct = {_value(r, values) for r in top}
                if len(distinct) > 1:
                    note(
                        "conflict",
                        top,
                        f"rules of equal priority derive different values for finding '{name}'",
                        values,
                    )
                values[f"finding.{name}"] = _value(max(top, key=lambda r: r.id), values)
        ever |= {r.id for r in fired}
        deciders = [r for r in fired if r.then.decide is not None]
        if not deciders:
            note("gap", [], "no decision rule fires on these answers", values)
            continue
        top = _top(deciders)
        if len({r.then.decide for r in top}) > 1:
            note(
                "conflict",
                top,
                "decision rules of equal priority decide differently on the same answers",
                values,
            )
        decided = max(r.then.decide for r in top if r.then.decide is not None)
        caps = [r.then.cap for r in fired if r.then.cap is not None]
        arrangement = max([decided, *caps])
        leads = [r for r in fired if r.then.lead is not None]
        if arrangement.separate:
            leads = [r for r in leads if r.then.lead != "joint"]
            if not leads:
                note(
                    "no lead",
                    [],
                    f"the arrangement is {arrangement} but no lead rule fires",
                    values,
                )
        if leads:
            top_leads = _top(leads)
            if len({r.then.lead for r in top_leads}) > 1:
                note(
                    "conflict",
                    top_leads,
                    "lead rules of equal priority name leads from different sources",
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
                    f"derives finding '{name}', which no rule reads",
                )
            )
    seen: set[tuple[str, tuple[str, ...]]] = set()
    unique = []
    for issue in issues:
        if (issue.kind, issue.rules) not in seen:
            seen.add((issue.kind, issue.rules))
            unique.append(issue)
    order = {"error": 0, "warning": 1}
    unique.sort(key=lambda i: (order[i.severity], i.kind, i.rules))
    return VerifyReport(pack.name, tuple(unique), count, exhaustive, time.perf_counter() - start)


def _top(rules: Sequence[Rule]) -> list[Rule]:
    best = max(r.priority for r in rules)
    return sorted((r for r in rules if r.priority == best), key=lambda r: r.id)


def _value(rule: Rule, values: dict[str, Any]) -> Any:
    value = rule.then.value
    return values.get(value) if isinstance(value, str) else value


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return f"{len(value)} bodies"
    return str(value)


_ = taxonomy  # the doctest uses the package
