"""What the rule language means: the one definition, used by everything that evaluates rules.

Two things are defined here and nowhere else:

1. **What a condition means** (:func:`holds`). Values are compared after one encoding
   (:func:`encode_value`, :func:`encode_literal`): a level is its rank (none 0 .. high 3), true
   and false are 1 and 0, a list of bodies is its length; counts, tiers and body ids are
   themselves. An absent (optional) fact fails every comparison except ``!=``, which it passes;
   ``present`` asks whether it is there; ``not``, ``all`` and ``any`` are the usual logic (an
   empty ``all`` is true).
2. **How the conclusions of the rules that fired resolve** (:func:`derive`): the strata run in
   order; between strata each finding takes the value of its highest-priority rule; then the
   **decision** is the ``decide`` of the highest-priority decision rule, the **legal cap** the
   least integrated ``cap`` of the legal rules that fired, the **arrangement** the less integrated
   of decision and cap (no other answer can override a legal constraint), and the **lead** comes
   from the highest-priority lead rule, ``joint`` standing only for one team and aligned
   arrangements. Rules of equal top priority that conclude differently are a
   :class:`Conflict`; no decision, or a separate arrangement with no lead, is a :class:`Gap`.
   Order in a file never decides anything: ties between agreeing rules go to the lowest id.
   A **default decision** (:func:`default_decision`: a rule that reads nothing and only
   decides, the pack's "otherwise") counts as fired only where it decided or where no
   higher-priority decision was taken: where another rule outranked it, it is set aside, not
   listed among the rules that fired (its condition is empty, so listing it would only say
   "decide X" beside a different decision).

Which rules fire on a stratum is asked of a :class:`Backend`. :class:`ReferenceBackend`
evaluates :func:`holds` in Python; :class:`taxonomy.language.durable.Engine` runs the stratum
on durable-rules, the engine that classifies. A differential property test
(``tests/test_semantics.py``) pins the second to the first on generated packs.

Who uses it: :func:`taxonomy.classify` (durable-rules backend, every conflict and gap an
:class:`~taxonomy.EngineError`), ``taxonomy rules check`` (the reference backend over every
combination of answers, conflicts and gaps reported), the invariants, counterfactuals and the
what-if filters (:func:`holds`).

>>> from taxonomy.language.rules import FactTest, Not
>>> holds(FactTest("efficiency.duplication", ">=", "medium"),
...       {"efficiency.duplication": Level.HIGH})
True
>>> holds(Not(FactTest("legal.statutory_owner", "present")), {})
True
>>> holds(FactTest("legal.statutory_owner", "!=", "nhse"), {})
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import attrs

from taxonomy._model import Arrangement, Level, format_value, lead_words
from taxonomy.errors import EngineError, UnknownIdError
from taxonomy.language.conditions import (
    AllOf,
    AnyOf,
    Condition,
    FactTest,
    Not,
    encode_literal,
    encode_value,
)
from taxonomy.language.facts import FactType
from taxonomy.language.rules import Rule, RulePack

__all__ = [
    "Backend",
    "Conflict",
    "Decided",
    "Derivation",
    "Gap",
    "LeadChooser",
    "ReferenceBackend",
    "answer_fact_type",
    "decide",
    "default_decision",
    "derive",
    "encode_literal",
    "encode_value",
    "holds",
    "lead_by_source",
    "settle_lead",
]


# --- conditions -------------------------------------------------------------------------------


def answer_fact_type(fact: str) -> FactType:
    """The type of a fact the default pack declares.

    For conditions outside a pack, such as what-if filters; pass ``pack.fact_type`` for another
    pack's facts or a finding.

    Raises:
        UnknownIdError: (a ``KeyError``) the default pack declares no fact of this name; a
            finding's type is known only to its pack.
    """
    from taxonomy.language.rules import load_rules

    facts = load_rules().facts
    if fact in facts:
        return facts.type(fact)
    if fact.startswith("finding."):
        where = "the answers: a finding's type is known to its pack (pass pack.fact_type)"
        raise UnknownIdError("answer fact", fact, (), where=where)
    raise UnknownIdError("answer fact", fact, facts.names())


def _typed_value(fact: str, ftype: FactType, value: Any) -> Any:
    """A fact's value, encoded; a level may be given by name ("high") as in files."""
    if ftype.name == "level" and isinstance(value, str):
        try:
            return int(Level.parse(value))
        except ValueError:
            raise ValueError(f"fact '{fact}' is a level; {value!r} is not one") from None
    expected = {"level": (Level,), "bool": (bool,), "count": (int,), "choice": (str,),
                "body": (str,), "bodies": (tuple, list),
                "text": (str,)}.get(ftype.name)  # fmt: skip
    if expected is not None and not isinstance(value, expected):
        raise TypeError(
            f"fact '{fact}' is of type {ftype.name}; {value!r} is not (give values as "
            "Facts.values gives them)"
        )
    return encode_value(value)


def holds(
    condition: Condition,
    values: Mapping[str, Any],
    fact_type: Callable[[str], FactType] = answer_fact_type,
) -> bool:
    """Whether ``condition`` holds on fact ``values`` (absent optional facts left out).

    Args:
        condition: a rule's ``when``, or a what-if filter.
        values: fact name to value, as :meth:`taxonomy.language.facts.Facts.values` gives them,
            plus ``finding.NAME`` values where the condition reads findings.
        fact_type: the type of each fact; a pack's :meth:`~RulePack.fact_type` where the
            condition reads findings.
    """
    if isinstance(condition, AllOf):
        return all(holds(part, values, fact_type) for part in condition.parts)
    if isinstance(condition, AnyOf):
        return any(holds(part, values, fact_type) for part in condition.parts)
    if isinstance(condition, Not):
        return not holds(condition.part, values, fact_type)
    return _compare(condition, values, fact_type)


def _compare(
    comparison: FactTest, values: Mapping[str, Any], fact_type: Callable[[str], FactType]
) -> bool:
    op = comparison.op
    ftype = fact_type(comparison.fact)
    if comparison.fact not in values:
        return op == "!="  # absent: differs from anything, fails every other test
    if op == "present":
        return True
    actual = _typed_value(comparison.fact, ftype, values[comparison.fact])
    if op == "in":
        return actual in {encode_literal(ftype, v) for v in comparison.value}
    expected = encode_literal(ftype, comparison.value)
    if op == "==":
        return bool(actual == expected)
    if op == "!=":
        return bool(actual != expected)
    if op == "<":
        return bool(actual < expected)
    if op == "<=":
        return bool(actual <= expected)
    if op == ">":
        return bool(actual > expected)
    if op == ">=":
        return bool(actual >= expected)
    raise ValueError(f"unknown operator {op!r}")  # the loader admits none; a bug if reached


# --- which rules fire --------------------------------------------------------------------------


class Backend(Protocol):
    """Something that says which rules of one stratum fire on fact values."""

    def fire(self, stratum: int, values: Mapping[str, Any], *, function: str) -> Sequence[str]:
        """The ids of the stratum's rules whose conditions hold, sorted."""
        ...


class ReferenceBackend:
    """The semantics in plain Python: a rule fires when :func:`holds` says its condition holds.

    Results are memoised by the values each rule reads, so enumerating many combinations of
    answers (``rules check``) evaluates each distinct case once.
    """

    def __init__(self, rules: RulePack) -> None:
        self.pack = rules
        self._strata = [[rules.rule(rule_id) for rule_id in ids] for ids in rules.strata]
        self._reads = {rule.id: tuple(rule.when.facts()) for rule in rules.rules}
        self._memo: dict[tuple[str, tuple[Any, ...]], bool] = {}

    def fire(self, stratum: int, values: Mapping[str, Any], *, function: str = "") -> list[str]:
        """The ids of the stratum's rules whose conditions hold on ``values``, sorted."""
        fired = []
        for rule in self._strata[stratum]:
            key = (rule.id, tuple(values.get(fact, _ABSENT) for fact in self._reads[rule.id]))
            hit = self._memo.get(key)
            if hit is None:
                hit = holds(rule.when, values, self.pack.fact_type)
                self._memo[key] = hit
            if hit:
                fired.append(rule.id)
        return fired


_ABSENT = object()  # a memo key part for an absent fact (None could be a value)


# --- resolution --------------------------------------------------------------------------------


@attrs.frozen
class Conflict:
    """Rules of equal top priority that fired together and concluded differently.

    Attributes:
        on: what they disagree on: ``decide``, ``lead`` or ``finding NAME``.
        priority: their shared priority.
        rules: the disagreeing rules, by id.
        conclusions: each rule's conclusion, in the same order, as text.
    """

    on: str
    priority: int
    rules: tuple[Rule, ...]
    conclusions: tuple[str, ...]

    @property
    def message(self) -> str:
        """The conflict in words, with each rule's conclusion and ``file:line``."""
        listed = ", ".join(
            f"{rule.id} ({conclusion}) at {rule.where}"
            for rule, conclusion in zip(self.rules, self.conclusions, strict=True)
        )
        verb = "name different leads" if self.on == "lead" else "conclude differently"
        return (
            f"conflict on '{self.on}': rules of equal priority {self.priority} {verb}: {listed}; "
            "declare a priority between them"
        )


@attrs.frozen
class Gap:
    """No single answer: no decision rule fired, or a separate arrangement got no lead.

    Attributes:
        kind: ``decision`` or ``lead``.
        arrangement: for ``lead``, the separate arrangement that needed one.
    """

    kind: str
    arrangement: Arrangement | None = None


@attrs.frozen
class Derivation:
    """Everything the rules concluded for one function, before it becomes a recommendation.

    Attributes:
        fired: the rules that fired, stratum by stratum, by id within a stratum (a default
            decision another decision outranked is not among them: see :func:`derive`).
        values: the answers and the findings (``finding.NAME``), as the rules read them.
        findings: each finding derived, name to value (a :class:`Level` or a bool), by name.
        decided_by: the decision rule whose conclusion was taken (None on a decision gap).
        capped_by: the legal rules whose cap made the arrangement less integrated.
        arrangement: the recommendation (None on a decision gap).
        lead: the lead body, or None for a joint lead, a tie or none.
        lead_by: the rule that set the lead.
        tied: the bodies tied for the lead when the rules could not separate them (the lead
            is then undecided).
        notes: what else is worth saying (a joint lead set aside, a tie, a lead the law bars).
        conflicts: rules of equal priority that disagreed, in the order they were met.
        gap: the gap, if the rules gave no single answer.
    """

    fired: tuple[Rule, ...]
    values: Mapping[str, Any]
    findings: tuple[tuple[str, Level | bool], ...]
    decided_by: Rule | None
    capped_by: tuple[Rule, ...]
    arrangement: Arrangement | None
    lead: str | None
    lead_by: Rule | None
    tied: tuple[str, ...]
    notes: tuple[str, ...]
    conflicts: tuple[Conflict, ...]
    gap: Gap | None

    def check(self, function: str) -> Derivation:
        """Return this derivation; raise :class:`EngineError` for its first conflict or its gap."""
        if self.conflicts:
            raise EngineError(self.conflicts[0].message, function=function)
        if self.gap is not None and self.gap.kind == "decision":
            raise EngineError(
                "no decision rule fired: the pack has a gap for these answers "
                f"({_answers_text(self.values)})",
                function=function,
            )
        if self.gap is not None:
            raise EngineError(
                f"the arrangement is {self.gap.arrangement}, which needs a lead body, but no lead "
                "rule fired",
                function=function,
            )
        return self


#: Given a lead rule and the fact values: None when the rule names no body the law lets lead;
#: else the body it names (None for ``joint``, or for a tie) and the bodies tied for it when
#: more than one is equally placed (then the lead is undecided, never picked by listing order).
LeadChooser = Callable[[Rule, Mapping[str, Any]], tuple[str | None, tuple[str, ...]] | None]


def lead_by_source(
    rule: Rule, values: Mapping[str, Any]
) -> tuple[str | None, tuple[str, ...]] | None:
    """A lead chooser for reasoning about all portfolios at once: a rule's lead is its source.

    Two lead rules naming different sources name different bodies on some portfolio, so
    ``rules check`` judges lead conflicts with this chooser.
    """
    source = rule.then.lead
    return (None if source == "joint" else source), ()


def derive(
    rules: RulePack,
    values: Mapping[str, Any],
    *,
    backend: Backend,
    choose_lead: LeadChooser = lead_by_source,
    function: str = "",
) -> Derivation:
    """Run the pack's strata on ``values`` and resolve what the rules concluded.

    Conflicts and gaps are recorded, not raised (:meth:`Derivation.check` raises them): where
    rules conflict, the one with the lowest id is followed, so a check can go on looking.

    Args:
        rules: the rule pack.
        values: the answer facts of one function (see ``Facts.values``).
        backend: what says which rules fire: durable-rules or the reference semantics.
        choose_lead: how a lead rule's bodies become one lead (classification's is the most
            capable body: ``taxonomy.classification.lead_by_capability``).
        function: the function's id, for error messages.
    """
    decided, known = decide(rules, values, backend=backend, function=function)
    return settle_lead(decided, known, choose_lead)


@attrs.frozen
class Decided:
    """What the rules concluded for one function before the lead: all that the rules decide.

    It depends on the values the rules' conditions read and nothing else, so one ``Decided``
    serves every function whose values the rules cannot tell apart (the compiled pack's cases).

    Attributes:
        fired, findings, decided_by, capped_by, arrangement: as in :class:`Derivation`.
        conflicts: rules of equal priority that disagreed (the lead's not yet judged).
        gap: a decision gap, if no decision rule fired.
    """

    fired: tuple[Rule, ...]
    findings: tuple[tuple[str, Level | bool], ...]
    decided_by: Rule | None
    capped_by: tuple[Rule, ...]
    arrangement: Arrangement | None
    conflicts: tuple[Conflict, ...]
    gap: Gap | None


def decide(
    rules: RulePack, values: Mapping[str, Any], *, backend: Backend, function: str = ""
) -> tuple[Decided, dict[str, Any]]:
    """Run the pack's strata on ``values``: the decision, the caps, and the values known.

    The first step of :func:`derive`; the values known are ``values`` and the findings
    (``finding.NAME``).
    """
    known: dict[str, Any] = dict(values)
    conflicts: list[Conflict] = []
    fired, derived = _run_strata(rules, known, backend, function, conflicts)
    findings = tuple(sorted(derived.items()))
    deciders = [rule for rule in fired if rule.then.decide is not None]
    if not deciders:
        gap = Gap("decision")
        return Decided(tuple(fired), findings, None, (), None, tuple(conflicts), gap), known
    decider = _top(deciders, lambda r: r.then.decide, "decide", conflicts)
    decision = decider.then.decide
    assert decision is not None
    # A default decision outranked by the one taken concluded nothing: it is not listed.
    fired = [rule for rule in fired if not _set_aside(rule, decider)]
    caps = [rule for rule in fired if rule.then.cap is not None]
    arrangement = max([decision, *(rule.then.cap for rule in caps if rule.then.cap is not None)])
    capped_by = tuple(
        sorted(
            (r for r in caps if r.then.cap == arrangement and arrangement > decision),
            key=lambda r: r.id,
        )
    )
    return Decided(
        tuple(fired), findings, decider, capped_by, arrangement, tuple(conflicts), None
    ), known


def settle_lead(
    decided: Decided, known: Mapping[str, Any], choose_lead: LeadChooser = lead_by_source
) -> Derivation:
    """The second step of :func:`derive`: the lead, from the lead rules that fired.

    ``known``: the function's values and findings, as :func:`decide` gives them (only the
    facts the lead rules name are read).
    """
    if decided.arrangement is None:
        return Derivation(
            decided.fired, known, decided.findings, None, (), None, None, None, (), (),
            decided.conflicts, decided.gap,
        )  # fmt: skip
    conflicts = list(decided.conflicts)
    lead, lead_by, tied, notes, gap = _lead(
        decided.fired, decided.arrangement, known, choose_lead, conflicts
    )
    return Derivation(
        decided.fired, known, decided.findings, decided.decided_by, decided.capped_by,
        decided.arrangement, lead, lead_by, tied, tuple(notes), tuple(conflicts), gap,
    )  # fmt: skip


def _run_strata(
    pack: RulePack,
    known: dict[str, Any],
    backend: Backend,
    function: str,
    conflicts: list[Conflict],
) -> tuple[list[Rule], dict[str, Level | bool]]:
    """The rules that fired, stratum by stratum, and the findings derived (added to ``known``)."""
    fired: list[Rule] = []
    derived: dict[str, Level | bool] = {}
    for stratum in range(len(pack.strata)):
        step = [pack.rule(rule_id) for rule_id in backend.fire(stratum, known, function=function)]
        fired.extend(step)
        producers: dict[str, list[Rule]] = {}
        for rule in step:
            if rule.then.finding is not None:
                producers.setdefault(rule.then.finding, []).append(rule)
        for name in sorted(producers):
            winner = _top(
                producers[name], lambda r: _finding_value(r, known), f"finding {name}", conflicts
            )
            value = _finding_value(winner, known)
            derived[name] = value
            known[f"finding.{name}"] = value
    return fired, derived


def default_decision(rule: Rule) -> bool:
    """Whether ``rule`` is a default decision: it reads no fact and only decides.

    Such a rule (``when: {all: []}``, the pack's "otherwise") holds on every function; it
    counts as fired only where no higher-priority decision rule was taken (see :func:`derive`).

    >>> from taxonomy.language.rules import load_rules
    >>> pack = load_rules()
    >>> default_decision(pack.rule("decision.separate-distinct"))
    True
    >>> default_decision(pack.rule("decision.aligned"))
    False
    """
    then = rule.then
    only_decides = then.finding is None and then.cap is None and then.lead is None
    return then.decide is not None and only_decides and next(rule.when.facts(), None) is None


def _set_aside(rule: Rule, decider: Rule) -> bool:
    """A default decision that a higher-priority decision rule outranked."""
    return rule.id != decider.id and rule.priority < decider.priority and default_decision(rule)


def _finding_value(rule: Rule, values: Mapping[str, Any]) -> Any:
    value = rule.then.value
    if isinstance(value, str):  # copied from another fact
        return values.get(value)
    return value


def _top(
    rules: Sequence[Rule], conclusion: Callable[[Rule], Any], on: str, conflicts: list[Conflict]
) -> Rule:
    """The highest-priority rule (lowest id among equals); records a conflict if they disagree."""
    if len(rules) == 1:
        return rules[0]
    best = max(rule.priority for rule in rules)
    top = sorted((rule for rule in rules if rule.priority == best), key=lambda r: r.id)
    if len({conclusion(rule) for rule in top}) > 1:
        conflicts.append(
            Conflict(on, best, tuple(top), tuple(format_value(conclusion(r)) for r in top))
        )
    return top[0]


def _lead(
    fired: Sequence[Rule],
    arrangement: Arrangement,
    values: Mapping[str, Any],
    choose: LeadChooser,
    conflicts: list[Conflict],
) -> tuple[str | None, Rule | None, tuple[str, ...], list[str], Gap | None]:
    notes: list[str] = []
    candidates = [rule for rule in fired if rule.then.lead is not None]
    for priority in sorted({rule.priority for rule in candidates}, reverse=True):
        tier = sorted((r for r in candidates if r.priority == priority), key=lambda r: r.id)
        options = {rule.id: choose(rule, values) for rule in tier}
        for rule in tier:
            if options[rule.id] is None:
                notes.append(
                    f"{rule.id} names no body the law lets lead ({rule.then.lead}: each is one "
                    "the function must stay independent of, or whose employees may not carry "
                    "it out); the next lead rule decides"
                )
        chosen = {rid: option for rid, option in options.items() if option is not None}
        tier = [rule for rule in tier if rule.id in chosen]
        if arrangement.separate:
            for rule in tier:
                lead, tied = chosen[rule.id]
                if lead is None and not tied:
                    notes.append(
                        f"{rule.id} asks for a joint lead, which only stands for one team or "
                        f"aligned arrangements; a {arrangement} arrangement takes the next lead"
                    )
            tier = [rule for rule in tier if chosen[rule.id] != (None, ())]
        if not tier:
            continue
        if len({chosen[rule.id] for rule in tier}) > 1:
            conflicts.append(
                Conflict(
                    "lead",
                    priority,
                    tuple(tier),
                    tuple(lead_words(*chosen[rule.id]) for rule in tier),
                )
            )
        lead, tied = chosen[tier[0].id]
        if tied:
            notes.append(
                f"{lead_words(None, tied)}: they are equally capable and nothing in the law or "
                "the portfolio separates them, so the bodies must agree the lead (state it as "
                "agreed_lead)"
            )
        return lead, tier[0], tied, notes, None
    gap = Gap("lead", arrangement) if arrangement.separate else None
    return None, None, (), notes, gap


def _answers_text(values: Mapping[str, Any]) -> str:
    shown = [
        f"{name}={format_value(value)}"
        for name, value in sorted(values.items())
        if isinstance(value, Level | bool) or name.startswith("finding.")
    ]
    return ", ".join(shown)
