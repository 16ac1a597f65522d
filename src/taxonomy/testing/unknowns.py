"""Properties of classification under unknown answers, for hypothesis tests.

Each check takes a portfolio, a function id and the open answers to give it, classifies, and
raises AssertionError naming what broke:

- :func:`check_sound`: every completion's classification is among ``possible``;
- :func:`check_complete`: every member of ``possible`` is reached, with its share right;
- :func:`check_monotone`: answering one open answer never adds a possibility;
- :func:`check_conservative`: with nothing open, the recommendation is decided and equal to
  classifying the same function directly.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any

import attrs

from taxonomy._model import OneOf, Portfolio
from taxonomy._results import Recommendation
from taxonomy.classification import classify
from taxonomy.language.rules import RulePack, load_rules
from taxonomy.partial import complete, domain

__all__ = ["check_complete", "check_conservative", "check_monotone", "check_sound", "with_open"]


def with_open(portfolio: Portfolio, function_id: str, open_: dict[str, OneOf]) -> Portfolio:
    """``portfolio`` with the answers ``open_`` (by key) left open on one function."""
    fns = tuple(
        attrs.evolve(f, unknowns=open_) if f.id == function_id else f for f in portfolio.functions
    )
    return attrs.evolve(portfolio, functions=fns)


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
