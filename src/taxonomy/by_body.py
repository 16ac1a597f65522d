"""Classification where bodies answer for themselves: does the placement hold whatever they say?

A question may be answered by each body for itself (:class:`~taxonomy._model.BodyAnswers`:
``duplication: {nhse: high, nhsi: medium}``). Where they disagree, the function's answer is open
over exactly the values they gave (:attr:`~taxonomy.Function.unknowns`, filled by the reader),
and it is classified over every completion like any open answer (:mod:`taxonomy.partial`); its
open question says who said what and, among those that settle as much, comes first.

Then each body's *view*: the function classified with every answer that body gave taken at once
(a question it did not answer per body stays open over the other bodies' answers). The result
(:class:`~taxonomy._results.Disagreement`) says whether the placement holds whatever the bodies
say (no completion of their answers moves it) and, if not, the questions it turns on and what
each body's answers give.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from taxonomy._by_body import BodyView, Disagreement
from taxonomy._model import BodyAnswers, Function
from taxonomy._outcomes import Completions
from taxonomy._results import Recommendation
from taxonomy.language.rules import RulePack
from taxonomy.partial import classify_open, complete, turns_on

__all__ = ["answer_by_body", "body_view", "classify_by_body"]


def classify_by_body(
    rules: RulePack,
    function: Function,
    recommend: Callable[[Function], Recommendation],
    *,
    fast: Completions | None = None,
) -> Recommendation:
    """The recommendation for ``function`` and, in its ``by_body``, what each body's answers give.

    Args:
        rules: the rule pack.
        function: the function, with :attr:`~taxonomy.Function.by_body`.
        recommend: classifies one function (answers open or not) by the normal path.
        fast: as :func:`taxonomy.partial.classify_open` takes it.
    """
    plain = attrs.evolve(function, by_body=())
    disputed = {  # where the bodies' answers differ (an answer they share is no dispute)
        said.key: said.words()
        for said in function.by_body
        if len({answer for _, answer in said.answers}) > 1
    }
    if plain.unknowns:
        found = classify_open(rules, plain, recommend, disputed=disputed, fast=fast)
    else:
        found = recommend(plain)
    bodies = [b for b in function.performed_by if any(s.of(b) for s in function.by_body)]
    views = tuple(body_view(plain, body, function.by_body, recommend) for body in bodies)
    moved = turns_on(rules, plain, recommend, tuple(disputed), fast=fast) if disputed else ()
    return attrs.evolve(found, by_body=Disagreement(function.by_body, not moved, moved, views))


def body_view(
    function: Function,
    body: str,
    said: tuple[BodyAnswers, ...],
    recommend: Callable[[Function], Recommendation],
) -> BodyView:
    """What ``body``'s answers give: each question it answered in ``said`` taken as it said.

    ``function`` is the function with the bodies' answers combined (no ``by_body``).
    """
    answers = tuple((s.key, answer) for s in said if (answer := s.of(body)) is not None)
    narrowed = function
    for key, answer in answers:
        if len(answer.values) == 1:
            narrowed = complete(narrowed, {key: answer.values[0]})
        else:
            unknowns = {**dict(narrowed.unknowns), key: answer}
            narrowed = attrs.evolve(narrowed, unknowns=unknowns)
    return BodyView(body, answers, recommend(narrowed))


def answer_by_body(function: Function, said: BodyAnswers, order: tuple[Any, ...]) -> Function:
    """``function`` with ``said.key`` answered by each body as ``said`` says (who said what kept).

    ``order`` is the fact's values in order (the levels, a choice's words). Where the bodies
    agree, the answer is that value; otherwise it is open over exactly the values they gave.
    """
    kept = tuple(s for s in function.by_body if s.key != said.key)
    combined = said.combined(order)
    if len(combined.values) == 1:
        answered = complete(function, {said.key: combined.values[0]})
    else:
        answered = attrs.evolve(function, unknowns={**dict(function.unknowns), said.key: combined})
    return attrs.evolve(answered, by_body=(*kept, said))
