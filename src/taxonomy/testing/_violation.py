"""What every invariant returns, and the classification they share (private to the invariants).

Kept apart so that :mod:`taxonomy.testing.invariants` (the pack compared with itself) and
:mod:`taxonomy.testing.law` (the law, whatever the pack) both read it, neither importing the
other's module.
"""

from __future__ import annotations

import attrs

from taxonomy._model import Portfolio
from taxonomy._results import Classification
from taxonomy.classification import classify
from taxonomy.errors import EngineError
from taxonomy.language.rules import RulePack
from taxonomy.law import in_force

__all__ = ["Violation", "classified", "on_its_day"]


@attrs.frozen
class Violation:
    """One broken invariant: which, on which function, and what happened."""

    invariant: str
    function: str
    message: str

    def __str__(self) -> str:
        return f"{self.invariant}: {self.function}: {self.message}"


def classified(
    rules: RulePack, portfolio: Portfolio
) -> tuple[Classification | None, list[Violation]]:
    """``portfolio`` classified with ``rules``, or no classification and the engine's error.

    A pack that cannot classify a portfolio breaks totality (every function gets one
    recommendation), whichever invariant asked.
    """
    try:
        return classify(portfolio, rules=rules), []
    except EngineError as exc:
        return None, [Violation("totality", exc.function or "?", str(exc))]


def on_its_day(rules: RulePack, portfolio: Portfolio) -> Portfolio:
    """``portfolio`` as it stands on its day, under the law then (an undated law: itself).

    A provision in force sets functions' legal facts (:class:`taxonomy.FunctionLaw`) over the
    function's own: an invariant that changes a function and classifies it again starts from
    the portfolio of the day, or the law would write its facts back over the change, and it
    reads the facts classify judged, not those the function was written with.
    """
    if not portfolio.law.dated:
        return portfolio
    return in_force(portfolio, None, rules.facts).portfolio
