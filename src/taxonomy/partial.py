"""Classification under unknown answers: partial evaluation over every completion.

A function may leave answers open (``unknown``, a range ``low..high``, a list of choices:
:class:`~taxonomy._model.OneOf`). It is classified on every *completion* of its open answers,
but only over the values the pack's rules distinguish: two values every condition of the pack
treats alike (``duplication`` low and none where rules only ask ``>= medium``) give the same
classification, so one of them stands for both and counts for both. Each distinct outcome
(arrangement and lead) gets its share of the completions (over the raw values left open) and
the simplest condition on the open answers that gives it (a greedy cover of its cells by
prime implicants). A recommendation is *decided* when one outcome follows whatever the open
answers are; otherwise it is *open*, with the questions ranked by the number of outcomes
expected to remain once each is answered.

A function with nothing open is the special case with one completion, classified as before.
Grids beyond :data:`MAX_COMPLETIONS` are refused, never sampled.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any, cast

import attrs

from taxonomy._explanation import Explanation, Firing
from taxonomy._model import (
    Capability,
    Effectiveness,
    Efficiency,
    Function,
    Level,
    OneOf,
    format_value,
)
from taxonomy._outcomes import Completions, completed_parts
from taxonomy._results import OpenQuestion, Outcome, Recommendation
from taxonomy.errors import InputError
from taxonomy.language.rules import FactTest, RulePack
from taxonomy.language.semantics import holds

__all__ = [
    "MAX_COMPLETIONS",
    "OWN_LEVELS",
    "classify_open",
    "complete",
    "completions",
    "domain",
    "turns_on",
]

#: The most completions of one function's open answers that are classified (beyond: refused).
MAX_COMPLETIONS = 100_000

#: The level answers the model itself holds, by the key a portfolio answers them by.
OWN_LEVELS = ("efficiency.duplication", "efficiency.simplification", "effectiveness.joint_benefit")


def _model_path(key: str) -> str:
    if key.startswith("capability."):
        return "function.capability"
    return f"function.{key}"


def domain(rules: RulePack, key: str, answer: OneOf) -> tuple[Any, ...]:
    """The raw values an open answer to ``key`` may take (its range, or its type's values)."""
    if answer.values:
        return answer.values
    if key in OWN_LEVELS or (key.startswith("capability.") and key not in rules.facts):
        return tuple(Level)
    ftype = rules.facts.type(key)
    if ftype.name == "level":
        return tuple(Level)
    if ftype.name == "bool":
        return (False, True)
    if ftype.name == "choice":
        return ftype.choices
    if ftype.name == "count":
        # Every count above the highest a rule names is alike: the last stands for them all.
        top = max([int(t.value) for t in _tests(rules, {key}) if t.op != "in"] or [0])
        return tuple(range(top + 2))
    raise ValueError(f"a {ftype.name} answer cannot be unknown")


def _tests(pack: RulePack, facts: set[str]) -> list[FactTest]:
    found: list[FactTest] = []

    def walk(condition: Any) -> None:
        if isinstance(condition, FactTest):
            if condition.fact in facts:
                found.append(condition)
            return
        parts = getattr(condition, "parts", None)
        for part in parts if parts is not None else (condition.part,):
            walk(part)

    for rule in pack.rules:
        walk(rule.when)
    return found


def _classes(pack: RulePack, key: str, values: Sequence[Any]) -> list[tuple[Any, ...]]:
    """``values`` grouped by what the pack's rules distinguish (each group's first stands in).

    The facts that read the answer are found by name (a declared answer) or by the model path
    it fills; if any of them is derived from, or its value is copied into a finding, every
    value is its own group (the derivation may tell them apart).
    """
    facts = pack.facts
    path = _model_path(key)
    readers = {f.name for f in facts if (f.name == key and f.answered) or f.path == path}
    derived_from = {
        str(part)
        for f in facts
        if f.derive is not None
        for part in (
            f.derive[1].values()
            if isinstance(f.derive[1], dict)
            else (f.derive[1] if isinstance(f.derive[1], tuple) else (f.derive[1],))
        )
    }
    copied = {r.then.value for r in pack.rules if isinstance(r.then.value, str)}
    if (
        not readers
        or readers & (derived_from | copied)
        or any(facts.type(n).name == "body_levels" for n in readers)
    ):
        return [(v,) for v in values]
    tests = _tests(pack, readers)
    groups: dict[tuple[bool, ...], list[Any]] = {}
    for value in values:
        signature = tuple(holds(t, {t.fact: value}, pack.fact_type) for t in tests)
        groups.setdefault(signature, []).append(value)
    return [tuple(group) for group in groups.values()]


def complete(function: Function, values: dict[str, Any]) -> Function:
    """``function`` with its open answers given ``values`` (by key): a fully known function."""
    (dup, simp), joint, cap, answers = completed_parts(function, values)
    eff, fx = function.efficiency, function.effectiveness
    if (dup, simp) != (eff.duplication, eff.simplification):
        eff = Efficiency(dup, simp)
    if joint != fx.joint_benefit:
        fx = Effectiveness(joint)
    left = tuple((k, v) for k, v in function.unknowns if k not in values)
    return attrs.evolve(
        function,
        efficiency=eff,
        effectiveness=fx,
        capability=Capability(cap),
        answers=answers,
        unknowns=left,
    )


def completions(
    rules: RulePack, function: Function
) -> tuple[tuple[str, ...], list[list[tuple[Any, ...]]]]:
    """The open keys and, for each, its values grouped by what the rules distinguish."""
    keys = tuple(k for k, _ in function.unknowns)
    groups = [_classes(rules, k, domain(rules, k, v)) for k, v in function.unknowns]
    return keys, groups


def _label(key: str) -> str:
    question, _, rest = key.partition(".")
    if question == "capability":
        return f"{rest}'s capability"
    return rest.replace("_", " ")


def _words(values: Sequence[Any], every: Sequence[Any]) -> str:
    shown = [format_value(v) for v in values]
    if (
        all(isinstance(v, Level) for v in values)
        and len(values) > 2
        and [int(v) for v in values] == list(range(int(values[0]), int(values[-1]) + 1))
    ):
        if values[-1] == Level.HIGH:
            return f"at least {values[0]}"
        if values[0] == Level.NONE:
            return f"at most {values[-1]}"
        return f"{values[0]} to {values[-1]}"
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"


def _count_words(values: Sequence[Any], every: Sequence[Any]) -> str:
    if not every or isinstance(every[0], Level | bool) or not isinstance(every[0], int):
        return _words(values, every)
    top = every[-1]
    shown = [f"{v} or more" if v == top else str(v) for v in values]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"


Cell = tuple[int, ...]


def _cover(cells: set[Cell], sizes: Sequence[int]) -> list[tuple[frozenset[int], ...]]:
    """A greedy cover of ``cells`` by maximal cubes lying inside them (prime implicants)."""
    cover: list[tuple[frozenset[int], ...]] = []
    covered: set[Cell] = set()
    for seed in sorted(cells):  # each time, the least cell not yet covered seeds a cube
        if seed in covered:
            continue
        cube = [frozenset({i}) for i in seed]
        for dim, size in enumerate(sizes):
            for other in range(size):
                if other in cube[dim]:
                    continue
                # Only the slice the new value adds needs checking: the cube is inside already.
                added = [*cube[:dim], (other,), *cube[dim + 1 :]]
                if all(c in cells for c in itertools.product(*added)):
                    cube = [*cube[:dim], cube[dim] | {other}, *cube[dim + 1 :]]
        cover.append(tuple(cube))
        covered.update(itertools.product(*cube))
    return cover


def _when(
    cells: set[Cell],
    keys: Sequence[str],
    groups: Sequence[Sequence[tuple[Any, ...]]],
    every: Sequence[Sequence[Any]],
    said: dict[tuple[int, frozenset[int]], str],
) -> str:
    """The simplest condition on the open answers that gives the outcome of ``cells``.

    ``said``: the words for one answer's values, shared by the outcomes of one function.
    """
    sizes = [len(g) for g in groups]
    terms = []
    for cube in _cover(cells, sizes):
        parts = []
        for dim, chosen in enumerate(cube):
            if len(chosen) == sizes[dim]:
                continue
            words = said.get((dim, chosen))
            if words is None:
                values = [v for i in sorted(chosen) for v in groups[dim][i]]
                order = list(every[dim])
                values.sort(key=order.index)
                words = f"{_label(keys[dim])} is {_count_words(values, order)}"
                said[(dim, chosen)] = words
            parts.append(words)
        terms.append(" and ".join(parts) if parts else "always")
    if len(terms) == 1:
        return terms[0]
    return " or ".join(f"({t})" if " and " in t else t for t in terms)


def _outcome_words(rec: Recommendation) -> str:
    assert rec.arrangement is not None
    lead = rec.lead_text
    return f"{rec.arrangement}, lead {lead}" if lead != "joint" else f"{rec.arrangement}, joint"


def _share(weight: int, total: int) -> str:
    return str(Fraction(weight, total))


def classify_open(
    rules: RulePack,
    function: Function,
    recommend: Callable[[Function], Recommendation],
    *,
    disputed: Mapping[str, tuple[tuple[str, str], ...]] | None = None,
    fast: Completions | None = None,
) -> Recommendation:
    """The recommendation for a function with open answers, over every completion.

    Args:
        rules: the rule pack (its conditions say which values are alike).
        function: the function, with :attr:`~taxonomy.Function.unknowns`.
        recommend: classifies one fully known function (the normal path).
        disputed: the open answers the bodies disagree on, each with who said what: their
            questions say so (:attr:`~taxonomy._results.OpenQuestion.disagreement`) and come
            first among those that settle as much (:mod:`taxonomy.by_body`).
        fast: computes the same outcome table by blocks of the open answers
            (:mod:`taxonomy._outcomes`); None: every completion through ``recommend``.

    Raises:
        InputError: more than :data:`MAX_COMPLETIONS` completions (answer some first).
    """
    keys, groups = completions(rules, function)
    every = [domain(rules, k, v) for k, v in function.unknowns]
    _check_grid(function, keys, groups)
    total = 1
    for values in every:
        total *= len(values)
    found, outcome_of = _tally(function, keys, groups, recommend, fast)
    ranked = sorted(
        found.items(),
        key=lambda kv: (-kv[1][0], kv[1][2].category or 0, kv[1][2].lead_text),
    )
    if len(ranked) == 1:
        return _decided(ranked[0][1], keys, groups)
    said: dict[tuple[int, frozenset[int]], str] = {}
    possible = tuple(
        Outcome(
            rec.arrangement,
            rec.lead,
            rec.lead_status,
            rec.tied,
            _share(weight, total),
            _when(cells, keys, groups, every, said),
            rec,
        )
        for _, (weight, cells, rec, _capped) in ranked
        if rec.arrangement is not None
    )
    words = {outcome: _outcome_words(entry[2]) for outcome, entry in found.items()}
    questions = _questions(keys, groups, every, outcome_of, words, disputed or {})
    if len({outcome.arrangement for outcome in possible}) == 1:
        return _lead_open(function, ranked, possible, questions, keys)
    return _undecided(function, possible, questions, keys)


def turns_on(
    rules: RulePack,
    function: Function,
    recommend: Callable[[Function], Recommendation],
    asked: Sequence[str],
    *,
    fast: Completions | None = None,
) -> tuple[str, ...]:
    """The open answers among ``asked`` on which the outcome (arrangement and lead) turns.

    An answer matters where two completions differing in it alone give different outcomes;
    none of ``asked`` matters exactly when the outcome is the same whatever values they take
    (with every value of the other open answers).
    """
    keys, groups = completions(rules, function)
    _check_grid(function, keys, groups)
    _, outcome_of = _tally(function, keys, groups, recommend, fast)
    found = []
    for dim, key in enumerate(keys):
        if key not in asked:
            continue
        seen: dict[Cell, tuple[Any, ...]] = {}
        for cell, outcome in outcome_of.items():
            rest = (*cell[:dim], *cell[dim + 1 :])
            if seen.setdefault(rest, outcome) != outcome:
                found.append(key)
                break
    return tuple(found)


def _undecided(
    function: Function,
    possible: tuple[Outcome, ...],
    questions: Sequence[OpenQuestion],
    keys: Sequence[str],
) -> Recommendation:
    """More than one arrangement is possible: no decision, the outcomes and questions listed."""
    explanation = Explanation(
        fired=(),
        decided_by=_OPEN,
        capped_by=(),
        lead_by=None,
        findings=(),
        notes=(
            f"not decided: {len(possible)} outcomes are possible over the open answers "
            f"({', '.join(keys)}); answer {questions[0].key} first",
        ),
    )
    return Recommendation(
        function.id,
        function.name,
        None,
        None,
        explanation,
        possible=possible,
        open_questions=tuple(questions),
        settled_by=None,
    )


Groups = Sequence[Sequence[tuple[Any, ...]]]


def _check_grid(function: Function, keys: Sequence[str], groups: Groups) -> None:
    """Refuse more than :data:`MAX_COMPLETIONS` completions the rules tell apart."""
    grid = 1
    for group in groups:
        grid *= len(group)
    if grid > MAX_COMPLETIONS:
        raise InputError(
            f"its open answers ({', '.join(keys)}) have {grid:,} completions the rules tell "
            f"apart, more than {MAX_COMPLETIONS:,}: too many unknowns to enumerate; answer some",
            item=f"function '{function.id}'",
        )


def _weight(cell: Cell, groups: Groups) -> int:
    """How many raw completions the cell stands for."""
    weight = 1
    for d, i in enumerate(cell):
        weight *= len(groups[d][i])
    return weight


def _tally(
    function: Function,
    keys: Sequence[str],
    groups: Groups,
    recommend: Callable[[Function], Recommendation],
    fast: Completions | None,
) -> tuple[dict[tuple[Any, ...], list[Any]], dict[Cell, tuple[Any, ...]]]:
    """Each outcome's [weight, cells, a recommendation, capped everywhere], and each cell's.

    By ``fast`` where it can say; otherwise by :func:`plain_tally`.
    """
    if fast is not None:
        table = fast.tally(function, keys, groups, recommend, complete)
        if table is not None:
            return table
    return plain_tally(function, keys, groups, recommend)


def plain_tally(
    function: Function,
    keys: Sequence[str],
    groups: Groups,
    recommend: Callable[[Function], Recommendation],
) -> tuple[dict[tuple[Any, ...], list[Any]], dict[Cell, tuple[Any, ...]]]:
    """The outcome table, every completion classified by ``recommend`` (the reference)."""
    found: dict[tuple[Any, ...], list[Any]] = {}
    outcome_of: dict[Cell, tuple[Any, ...]] = {}
    for cell in itertools.product(*(range(len(g)) for g in groups)):
        chosen = {keys[d]: groups[d][i][0] for d, i in enumerate(cell)}
        rec = recommend(complete(function, chosen))
        key = (rec.arrangement, rec.lead, rec.tied, rec.each_own)
        entry = found.setdefault(key, [0, set(), rec, True])
        entry[0] += _weight(cell, groups)
        entry[1].add(cell)
        entry[3] = entry[3] and bool(rec.explanation.capped_by)
        outcome_of[cell] = key
    return found, outcome_of


def _decided(entry: list[Any], keys: Sequence[str], groups: Groups) -> Recommendation:
    """The recommendation when one outcome follows whatever the open answers are."""
    only_rec, capped = entry[2], entry[3]
    rec = cast(Recommendation, only_rec)
    settled = "law" if capped else "evidence"
    assert rec.arrangement is not None
    note = (
        f"decided whatever the open answers ({', '.join(keys)}) turn out to be, "
        + ("because the law caps it" if capped else "on the answers given")
        + "; the rules fired are those of one completion ("
        + ", ".join(f"{k} {format_value(groups[d][0][0])}" for d, k in enumerate(keys))
        + ")"
    )
    explanation = attrs.evolve(rec.explanation, notes=(*rec.explanation.notes, note))
    only = Outcome(rec.arrangement, rec.lead, rec.lead_status, rec.tied, "1", None, rec)
    return attrs.evolve(
        rec, explanation=explanation, possible=(only,), open_questions=(), settled_by=settled
    )


def _questions(
    keys: Sequence[str],
    groups: Groups,
    every: Sequence[Sequence[Any]],
    outcome_of: dict[Cell, tuple[Any, ...]],
    words: dict[tuple[Any, ...], str],
    disputed: Mapping[str, tuple[tuple[str, str], ...]],
) -> list[OpenQuestion]:
    """The open questions, ranked by what is expected to remain once each is answered.

    First the arrangements expected to remain (what a Board decides), then the outcomes
    (arrangement and lead): a question that only moves the lead comes after one that settles
    the arrangement.
    """
    # The weight of each outcome under each answer to each question, in one pass over the cells
    # (each outcome listed in the order the cells first reach it).
    tally = _answer_tally(groups, outcome_of)
    questions = []
    for dim, asked in enumerate(keys):
        expected = arrangements = Fraction(0)
        answers = []
        for index, group in enumerate(groups[dim]):
            here = tally[dim][index]
            expected += Fraction(len(group), len(every[dim])) * len(here)
            arrangements += Fraction(len(group), len(every[dim])) * len({o[0] for o in here})
            order = list(every[dim])
            answers.append(
                (
                    _count_words(sorted(group, key=order.index), order),
                    tuple(words[o] for o in sorted(here, key=lambda o: -here[o])),
                )
            )
        questions.append(
            OpenQuestion(
                asked,
                round(float(expected), 4),
                tuple(answers),
                round(float(arrangements), 4),
                disputed.get(asked, ()),
            )
        )
    questions.sort(
        key=lambda q: (
            q.expected_arrangements,
            q.expected_outcomes,
            not q.disagreement,  # the Boards can settle a disagreement between them
            keys.index(q.key),
        )
    )
    return questions


def _answer_tally(
    groups: Groups, outcome_of: dict[Cell, tuple[Any, ...]]
) -> list[list[dict[tuple[Any, ...], int]]]:
    """The weight of each outcome under each answer to each question (in first-reached order).

    One pass over the cells, each outcome counted by a small number (an outcome hashes by its
    words, which is slow), turned back into outcomes at the end.
    """
    sizes = [[len(g) for g in dim] for dim in groups]
    numbers: dict[tuple[Any, ...], int] = {}
    by_id: dict[int, int] = {}  # the same outcome object is met many times
    order: list[tuple[Any, ...]] = []
    counts: list[list[dict[int, int]]] = [[{} for _ in g] for g in groups]
    for cell, outcome in outcome_of.items():
        number = by_id.get(id(outcome))
        if number is None:
            number = numbers.setdefault(outcome, len(numbers))
            if number == len(order):
                order.append(outcome)
            by_id[id(outcome)] = number
        weight = 1
        for dim, index in enumerate(cell):
            weight *= sizes[dim][index]
        for dim, index in enumerate(cell):
            here = counts[dim][index]
            here[number] = here.get(number, 0) + weight
    return [[{order[n]: w for n, w in here.items()} for here in dim] for dim in counts]


def _lead_open(
    function: Function,
    ranked: Sequence[tuple[tuple[Any, ...], list[Any]]],
    possible: tuple[Outcome, ...],
    questions: Sequence[OpenQuestion],
    keys: Sequence[str],
) -> Recommendation:
    """One arrangement whatever the open answers: it is decided; only the lead is not."""
    first = cast(Recommendation, ranked[0][1][2])
    capped = all(entry[3] for _, entry in ranked)
    candidates = sorted({b for o in possible for b in (o.lead, *o.tied) if b is not None})
    note = (
        f"the arrangement is decided whatever the open answers ({', '.join(keys)}) turn out "
        f"to be; the lead is not: answer {questions[0].key} first"
    )
    return Recommendation(
        function.id,
        function.name,
        first.arrangement,
        None,
        attrs.evolve(first.explanation, notes=(*first.explanation.notes, note)),
        tuple(candidates),
        possible=possible,
        open_questions=tuple(questions),
        settled_by="law" if capped else "evidence",
    )


#: The explanation node of an open recommendation: no decision rule decided it.
_OPEN = Firing(
    rule="(open)",
    question="decision",
    matched=(),
    because="answers left open give more than one outcome",
    source="",
    principles=(),
    priority=0,
    decide=None,
)
