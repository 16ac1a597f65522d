"""Properties of classification under unknown answers, for hypothesis tests.

Each check takes a portfolio, a function id and the open answers to give it, classifies, and
raises AssertionError naming what broke:

- :func:`check_sound`: every completion's classification is among ``possible``;
- :func:`check_complete`: every member of ``possible`` is reached, with its share right;
- :func:`check_monotone`: answering one open answer never adds a possibility;
- :func:`check_conservative`: with nothing open, the recommendation is decided and equal to
  classifying the same function directly.

And where bodies answer for themselves (:func:`with_body_answers`, :func:`body_answers`):

- :func:`check_body_views`: each body's view (its answers taken) gives only outcomes among
  ``possible``, and where the placement holds whatever they say, each view gives them all;
- :func:`check_agreement`: where every body gives the same answer, the result is exactly that
  of the single answer (apart from ``by_body``, which says they agree).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import attrs
from hypothesis import strategies as st

from taxonomy._model import UNKNOWN, BodyAnswers, Level, OneOf, Portfolio
from taxonomy._results import Recommendation
from taxonomy.by_body import answer_by_body
from taxonomy.classification import classify
from taxonomy.language.rules import RulePack, load_rules
from taxonomy.partial import complete, domain

__all__ = [
    "body_answers",
    "check_agreement",
    "check_body_views",
    "check_complete",
    "check_conservative",
    "check_monotone",
    "check_sound",
    "with_body_answers",
    "with_open",
]


def with_open(portfolio: Portfolio, function_id: str, open_: dict[str, OneOf]) -> Portfolio:
    """``portfolio`` with the answers ``open_`` (by key) left open on one function.

    Nothing else is left open on it, and no answer is given per body.
    """
    fns = tuple(
        attrs.evolve(f, unknowns=open_, by_body=()) if f.id == function_id else f
        for f in portfolio.functions
    )
    return attrs.evolve(portfolio, functions=fns)


def with_body_answers(
    portfolio: Portfolio,
    function_id: str,
    said: Mapping[str, Mapping[str, OneOf]],
) -> Portfolio:
    """``portfolio`` with the questions in ``said`` answered by each body for itself.

    ``said`` maps a level answer's key (``efficiency.duplication``, ``capability.nhse``) to
    each body's answer (a :class:`OneOf`: ``OneOf((Level.HIGH,))`` for one value). Each body
    must perform the function.
    """
    fn = portfolio.function(function_id)
    for key, answers in said.items():
        ordered = sorted(answers.items(), key=lambda kv: fn.performed_by.index(kv[0]))
        fn = answer_by_body(fn, BodyAnswers(key, ordered), tuple(Level))
    fns = tuple(fn if f.id == function_id else f for f in portfolio.functions)
    return attrs.evolve(portfolio, functions=fns)


def body_answers(
    bodies: Sequence[str], keys: Sequence[str], *, ranges: bool = False
) -> st.SearchStrategy[dict[str, dict[str, OneOf]]]:
    """Per-body answers for hypothesis: some of ``keys``, each answered by some of ``bodies``.

    Each body's answer is one level (with ``ranges``, sometimes ``unknown`` or a range).
    """
    one = st.sampled_from(list(Level)).map(lambda level: OneOf(tuple[Any, ...]((level,))))
    answer = one
    if ranges:
        spans = st.tuples(st.sampled_from(list(Level)), st.sampled_from(list(Level))).map(
            lambda lh: OneOf(tuple[Any, ...](Level(i) for i in range(min(lh), max(lh) + 1)))
        )
        answer = st.one_of(one, one, spans, st.just(UNKNOWN))
    per_key = st.dictionaries(st.sampled_from(list(bodies)), answer, min_size=1)
    return st.dictionaries(st.sampled_from(list(keys)), per_key, min_size=1, max_size=2)


def _key(rec: Recommendation) -> tuple[Any, ...]:
    return (rec.arrangement, rec.lead, rec.tied)


def _raw(pack: RulePack, portfolio: Portfolio, function_id: str) -> dict[tuple[Any, ...], int]:
    """Every raw completion classified directly: outcome to the number of completions."""
    fn = portfolio.function(function_id)
    keys = [k for k, _ in fn.unknowns]
    spaces = [domain(pack, k, v) for k, v in fn.unknowns]
    counts: dict[tuple[Any, ...], int] = {}
    for values in itertools.product(*spaces):
        known = complete(fn, dict(zip(keys, values, strict=True)))
        single = with_open(portfolio, function_id, {})
        single = attrs.evolve(
            single,
            functions=tuple(known if f.id == function_id else f for f in single.functions),
        )
        rec = classify(single, rules=pack)[function_id]
        counts[_key(rec)] = counts.get(_key(rec), 0) + 1
    return counts


def check_sound(portfolio: Portfolio, function_id: str, *, rules: RulePack | None = None) -> None:
    """Every completion's classification is in the recommendation's ``possible``."""
    pack = rules or load_rules()
    rec = classify(portfolio, rules=pack)[function_id]
    possible = {(o.arrangement, o.lead, o.tied) for o in rec.outcomes}
    for outcome in _raw(pack, portfolio, function_id):
        assert outcome in possible, f"{function_id}: completion gives {outcome}, not in possible"


def check_complete(
    portfolio: Portfolio, function_id: str, *, rules: RulePack | None = None
) -> None:
    """Every member of ``possible`` is reached by some completion, with its share right."""
    pack = rules or load_rules()
    rec = classify(portfolio, rules=pack)[function_id]
    counts = _raw(pack, portfolio, function_id)
    total = sum(counts.values())
    for o in rec.outcomes:
        key = (o.arrangement, o.lead, o.tied)
        assert key in counts, f"{function_id}: {key} is possible but no completion gives it"
        assert Fraction(o.share) == Fraction(counts[key], total), (
            f"{function_id}: {key} has share {o.share}, completions give {counts[key]}/{total}"
        )


def check_monotone(
    portfolio: Portfolio, function_id: str, *, rules: RulePack | None = None
) -> None:
    """Answering any one open answer (with any of its values) never adds a possibility."""
    pack = rules or load_rules()
    fn = portfolio.function(function_id)
    before = {_key(o.recommendation) for o in classify(portfolio, rules=pack)[function_id].outcomes}
    for key, answer in fn.unknowns:
        for value in domain(pack, key, answer):
            narrowed = complete(fn, {key: value})
            one = attrs.evolve(
                portfolio,
                functions=tuple(
                    narrowed if f.id == function_id else f for f in portfolio.functions
                ),
            )
            after = {
                _key(o.recommendation) for o in classify(one, rules=pack)[function_id].outcomes
            }
            assert after <= before, f"{function_id}: answering {key}={value} adds {after - before}"


def check_conservative(
    portfolio: Portfolio, function_id: str, *, rules: RulePack | None = None
) -> None:
    """With nothing open, the recommendation is decided and the one classify always gave."""
    pack = rules or load_rules()
    plain = with_open(portfolio, function_id, {})
    rec = classify(plain, rules=pack)[function_id]
    assert rec.decided and rec.settled_by == "answers" and not rec.open_questions
    (only,) = rec.outcomes
    assert (only.arrangement, only.lead, only.tied, only.share) == (
        rec.arrangement,
        rec.lead,
        rec.tied,
        "1",
    )


def check_body_views(
    portfolio: Portfolio, function_id: str, *, rules: RulePack | None = None
) -> None:
    """Each body's view gives only outcomes in ``possible`` (all of them where it holds).

    Also: the placement holds whatever the bodies say exactly when no question they disagree
    on moves it.
    """
    pack = rules or load_rules()
    rec = classify(portfolio, rules=pack)[function_id]
    assert rec.by_body is not None, f"{function_id}: no by_body where bodies answered"
    possible = {(o.arrangement, o.lead, o.tied) for o in rec.outcomes}
    for view in rec.by_body.views:
        given = set(view.outcome)
        assert given <= possible, (
            f"{function_id}: {view.body}'s answers give {given - possible}, not in possible"
        )
        if rec.by_body.holds:
            assert given == possible, (
                f"{function_id}: it holds whatever the bodies say, but {view.body}'s answers "
                f"give {given}, not every outcome possible {possible}"
            )
    assert rec.by_body.holds == (not rec.by_body.turns_on)


def check_agreement(
    portfolio: Portfolio,
    function_id: str,
    answers: Mapping[str, OneOf],
    *,
    rules: RulePack | None = None,
) -> None:
    """Every body giving the same answer gives exactly the result of that single answer.

    ``answers`` maps a level answer's key to the answer every body that performs the function
    gives (one value or open); the recommendation must equal the one with the answer given
    once (not per body), apart from ``by_body``, which must say they agree and it holds.
    """
    pack = rules or load_rules()
    fn = portfolio.function(function_id)
    said = {key: dict.fromkeys(fn.performed_by, answer) for key, answer in answers.items()}
    per_body = classify(with_body_answers(portfolio, function_id, said), rules=pack)[function_id]
    single = fn
    for key, answer in answers.items():
        single = (
            complete(single, {key: answer.values[0]})
            if len(answer.values) == 1
            else attrs.evolve(single, unknowns={**dict(single.unknowns), key: answer})
        )
    once = attrs.evolve(
        portfolio,
        functions=tuple(single if f.id == function_id else f for f in portfolio.functions),
    )
    plain = classify(once, rules=pack)[function_id]
    assert per_body.by_body is not None and per_body.by_body.agreed and per_body.by_body.holds
    assert attrs.evolve(per_body, by_body=None) == plain, (
        f"{function_id}: every body answering {dict(answers)} gives {per_body.outcomes}, "
        f"the single answer {plain.outcomes}"
    )
