"""Whole-pack checks: the rules of a pack judged together, every problem recorded.

Duplicate ids, a pack with no decision rule, findings of mixed types or derived by no rule,
facts no declaration names, operators and values a fact's type does not allow, lead rules that
may name no body, ``because`` placeholders naming no fact, and cycles between findings (the
strata: :func:`strata`). :func:`check_pack` runs them all for :meth:`RulePack.from_rules
<taxonomy.language.rules.RulePack.from_rules>`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs

from taxonomy.errors import InputError, Problems, RulePackError, did_you_mean
from taxonomy.language.conditions import check_condition, fold_condition, requires_present
from taxonomy.language.declarations import check_declarations
from taxonomy.language.facts import BOOL, FINDING_TYPES, LEVEL, Fact, Facts, FactType
from taxonomy.language.rule import JOINT, PLACEHOLDER, Rule

__all__ = ["check_pack", "check_read", "folded", "rule_error", "strata"]


def check_read(
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
    check_pack(
        tuple(folded(rule, declared) for rule in rules),
        declared,
        problems,
        rules_partial=rules_partial,
        facts_partial=facts_partial,
    )
    problems.raise_if_any()


def folded(rule: Rule, facts: Facts) -> Rule:
    """``rule`` with the levels and choices its condition compares written as named."""
    when = fold_condition(rule.when, facts)
    return rule if when is rule.when else attrs.evolve(rule, when=when)


def rule_error(rule: Rule, problem: str, **fields: Any) -> RulePackError:
    """The error for a problem of ``rule``, naming its file, line and id."""
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


def check_pack(
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
    rules = _unique(rules, problems)
    if not rules_partial and not any(r.then.decide is not None for r in rules):
        problems.add(
            RulePackError("the pack has no decision rule: nothing can decide an arrangement")
        )
    finding_types: dict[str, FactType] = {}
    typed_by: dict[str, Rule] = {}
    derived = {r.then.finding for r in rules if r.then.finding is not None}

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

    _type_findings(rules, problems, finding_types, typed_by)
    _type_copies(rules, problems, fact_type, finding_types, typed_by)
    for rule in rules:
        with _checking(problems):
            _check_rule(rule, facts, fact_type)
    order: tuple[tuple[str, ...], ...] = ()
    with _checking(problems):
        order = strata(rules)
    if len(problems) > before:
        return None
    return finding_types, order


def _unique(rules: tuple[Rule, ...], problems: Problems) -> tuple[Rule, ...]:
    """``rules`` less each repeated id (each repeat recorded as a problem)."""
    ids: dict[str, Rule] = {}
    for rule in rules:
        if rule.id in ids:
            problems.add(
                rule_error(rule, f"duplicate rule id; first defined at {ids[rule.id].where}")
            )
            continue
        ids[rule.id] = rule
    return tuple(ids.values())


def _type_findings(
    rules: tuple[Rule, ...],
    problems: Problems,
    finding_types: dict[str, FactType],
    typed_by: dict[str, Rule],
) -> None:
    """Which findings a level or true/false conclusion gives, and of which type."""
    for rule in rules:
        with _checking(problems):
            _check_question(rule)
        if rule.then.finding is None or isinstance(rule.then.value, str):
            continue
        kind = "bool" if isinstance(rule.then.value, bool) else "level"
        ftype = FINDING_TYPES[kind]
        name = rule.then.finding
        if name in finding_types and finding_types[name] != ftype:
            problems.add(
                rule_error(
                    rule,
                    f"finding '{name}' is a {kind} here but a {finding_types[name].name} "
                    f"at {typed_by[name].where}",
                )
            )
            continue
        finding_types.setdefault(name, ftype)
        typed_by.setdefault(name, rule)


def _type_copies(
    rules: tuple[Rule, ...],
    problems: Problems,
    fact_type: Callable[[str, Rule, str], FactType | None],
    finding_types: dict[str, FactType],
    typed_by: dict[str, Rule],
) -> None:
    """Findings whose value is copied from another fact take that fact's type."""
    failed: set[str] = set()
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
            problems.add(rule_error(rule, f"finding '{finding}' copies only other copied findings"))
            failed.add(rule.id)


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
        raise rule_error(rule, f"a finding can copy a level or true/false fact, not '{source}'")
    if name in finding_types and finding_types[name] != source_type:
        raise rule_error(
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
        return rule_error(rule, problem, key="when", **fields)

    check_condition(rule.when, typed, fail)
    for placeholder in PLACEHOLDER.findall(rule.because):
        typed(placeholder.strip(), "because")
    lead = rule.then.lead
    if lead is None or lead == JOINT:
        return
    sources = facts.lead_sources()
    if lead not in sources:
        raise rule_error(
            rule,
            f"'{lead}' names no bodies: a lead comes from a declared body or bodies fact, "
            "or is 'joint'",
            key="then",
            allowed=(*sources, JOINT),
            suggestion=did_you_mean(lead, (*sources, JOINT)),
        )
    if facts.type(lead).optional and not requires_present(rule.when, lead):
        raise rule_error(
            rule,
            f"sets the lead from '{lead}', so its 'when' must require "
            f"{{fact: {lead}, op: present}} (the fact may be absent)",
        )


def _check_question(rule: Rule) -> None:
    then = rule.then
    if then.decide is not None and rule.question != "decision":
        raise rule_error(rule, "only 'decision' rules may 'decide'", key="then")
    if rule.question == "decision" and (then.finding is not None or then.cap is not None):
        raise rule_error(
            rule,
            "'decision' rules decide (and may set a lead); they derive no findings and set no caps",
            key="then",
        )
    if then.cap is not None and rule.question != "legal":
        raise rule_error(
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
        raise rule_error(
            rule,
            f"reads finding '{name}', which no rule derives",
            key=key,
            allowed=sorted(derived) or ["(no findings are derived)"],
            suggestion=did_you_mean(name, derived),
        )
    if facts_partial:
        raise _Unknown(fact)
    choices = [*facts.names(), *(f"finding.{n}" for n in derived)]
    raise rule_error(
        rule,
        f"unknown fact '{fact}': the pack declares no such fact (see its facts: lists)",
        key=key,
        allowed=choices,
        suggestion=did_you_mean(fact, choices),
    )


def strata(rules: tuple[Rule, ...]) -> tuple[tuple[str, ...], ...]:
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
            raise rule_error(
                rule, "findings depend on each other in a cycle: " + " -> ".join(cycle)
            )
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
