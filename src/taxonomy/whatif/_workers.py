"""A sweep's workers: what evaluates a chunk of scenarios, in a pool's process or in the caller's.

A local pool's worker is started once (:func:`start_worker`) with the portfolio, the rule pack
and the scenarios (a grid, or the list given); each task then names scenarios by number only
(:func:`evaluate_numbers`), so nothing large is pickled per task and the compiled pack and the
durable-rules host are built once per worker. Any other executor (Dask) gets the portfolio, the
pack and the scenarios with every task (:func:`evaluate`).

Scenarios are applied by an :class:`Applier`, which keeps the portfolio each change of the
previous scenario left: a scenario that shares its first changes with the one before (a grid's
neighbours share all but the last axes) starts from there, so what did not change is neither
applied nor validated again. Applying is deterministic and the portfolios are frozen, so the
records are the same whatever the chunking.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
from collections.abc import Sequence
from typing import Any

import attrs

from taxonomy._model import Portfolio
from taxonomy._results import Recommendation
from taxonomy.errors import InputError, TaxonomyError
from taxonomy.language.rules import RulePack
from taxonomy.law import in_force
from taxonomy.whatif.governance import OnDay
from taxonomy.whatif.grid import Sweep
from taxonomy.whatif.kinds import Applied, Change
from taxonomy.whatif.scenarios import Scenario, apply_change

__all__ = [
    "Applier",
    "Chunk",
    "Failure",
    "Outcome",
    "evaluate",
    "evaluate_numbers",
    "evaluate_with",
    "start_worker",
    "worker_context",
]


@attrs.frozen
class Failure:
    """A scenario of a sweep that gave no records, and why."""

    scenario: int
    name: str
    problem: str
    #: "input" (the scenario leaves an invalid portfolio), "engine" (the pack reaches no single
    #: answer, or durable-rules failed) or "worker" (the process evaluating it died).
    kind: str = "input"

    def __str__(self) -> str:
        return f"scenario {self.scenario} ({self.name}): {self.problem}"


#: Scenarios evaluated as one task: (number, axis values, scenario) each.
Chunk = Sequence[tuple[int, dict[str, Any], Scenario]]
#: What a task gives back: its records and its failures.
Outcome = tuple[list[dict[str, Any]], list[Failure]]


def _same(one: Change, other: Change) -> bool:
    """Whether two changes are the same change (type, fields and how each is written)."""
    return one is other or (type(one) is type(other) and one == other and repr(one) == repr(other))


class Applier:
    """Applies scenarios to one portfolio and pack.

    Each scenario starts from where the previous one's shared first changes left it.
    """

    def __init__(self, portfolio: Portfolio, rules: RulePack) -> None:
        self.portfolio = portfolio
        self.pack = rules
        self._start: Applied | None = None
        self._made: list[tuple[Change, Applied]] = []  # the last scenario's changes, each applied

    def apply(self, scenario: Scenario) -> Applied:
        """``scenario.apply(portfolio, pack)``, reusing the changes it shares with the last.

        A scenario of a class of its own, or one that moves the day, is applied whole.
        """
        changes = scenario.changes
        if type(scenario) is not Scenario or any(isinstance(c, OnDay) for c in changes):
            return scenario.apply(self.portfolio, self.pack)
        if self._start is None:
            day = in_force(self.portfolio, None, self.pack.facts)
            self._start = Applied(day.portfolio, self.pack, tuple(day.notes))
        shared = 0
        for (made, _), change in zip(self._made, changes, strict=False):
            if not _same(made, change):
                break
            shared += 1
        del self._made[shared:]
        applied = self._made[-1][1] if self._made else self._start
        for change in changes[shared:]:
            applied = apply_change(change, applied)
            self._made.append((change, applied))
        return applied


def evaluate(portfolio: Portfolio, rules: RulePack, chunk: Chunk) -> Outcome:
    """Evaluate a chunk of scenarios (any executor's task); returns their records and failures."""
    return evaluate_with(Applier(portfolio, rules), chunk)


def evaluate_with(applier: Applier, chunk: Chunk) -> Outcome:
    """Evaluate a chunk of scenarios with ``applier``; returns their records and failures."""
    from taxonomy.classification import classify

    functions = applier.portfolio.functions
    records: list[dict[str, Any]] = []
    failures: list[Failure] = []
    for index, labels, scenario in chunk:
        try:
            applied = applier.apply(scenario)
            single = applied.single_body
            result = None if single else classify(applied.portfolio, rules=applied.rules)
        except TaxonomyError as exc:
            kind = "input" if isinstance(exc, InputError) else "engine"
            failures.append(Failure(index, scenario.name, str(exc), kind))
            continue
        for fn in functions:
            rec = result[fn.id] if result is not None else None
            records.append(
                {
                    "scenario": index,
                    "name": scenario.name,
                    **labels,
                    "function": fn.id,
                    **(_placed(rec) if rec else _one_body(single)),
                }
            )
    return records, failures


def _one_body(single: str | None) -> dict[str, Any]:
    """A record's placement where the law left one body (``single``) to deliver everything."""
    status = "body" if single else None
    return {
        "arrangement": None,
        "category": None,
        "lead": single,
        "lead_status": status,
        "decided_by": None,
    }


def _placed(rec: Recommendation) -> dict[str, Any]:
    """A record's placement, as classify's CSV writes it.

    An open recommendation (answers left unknown) is never written as one of its outcomes:
    ``arrangement`` says ``open:`` with each outcome possible and its share, ``category`` is
    empty, ``lead`` lists the leads possible, and ``decided_by`` the question to answer first.
    """
    if rec.decided:
        return {
            "arrangement": str(rec.arrangement),
            "category": rec.category,
            "lead": rec.lead_text,
            "lead_status": rec.lead_status,
            "decided_by": rec.explanation.decided_by.rule,
        }
    shares = " or ".join(
        f"{o.arrangement.category} {o.arrangement.title} ({o.share})" for o in rec.possible
    )
    leads = " or ".join(dict.fromkeys(o.lead_text for o in rec.possible))
    return {
        "arrangement": f"open: {shares}",
        "category": None,
        "lead": f"open: {leads}",
        "lead_status": "open",
        "decided_by": f"not decided: answer {rec.open_questions[0].key} first",
    }


# --- a local pool's workers ---------------------------------------------------------------------


@attrs.frozen
class _Worker:
    """What a local pool's worker holds for every task: its applier and the scenarios."""

    applier: Applier
    scenarios: Sweep | tuple[Scenario, ...]

    def numbered(self, number: int, position: int) -> tuple[int, dict[str, Any], Scenario]:
        """Scenario ``number`` of the sweep, at ``position`` of the grid or of the list."""
        if isinstance(self.scenarios, Sweep):
            return (number, *self.scenarios.at(position))
        return number, {}, self.scenarios[position]


_WORKER: list[_Worker] = []  # this process's, once started


def start_worker(
    portfolio: Portfolio, rules: RulePack, scenarios: Sweep | tuple[Scenario, ...]
) -> None:
    """Start a local pool's worker: its own durable-rules hosts, and what every task shares."""
    from taxonomy.language.durable import forget_engines

    forget_engines()
    _WORKER[:] = [_Worker(Applier(portfolio, rules), scenarios)]


def evaluate_numbers(numbers: Sequence[tuple[int, int]]) -> Outcome:
    """Evaluate the scenarios named by (number, position) in a started worker."""
    worker = _WORKER[0]
    return evaluate_with(worker.applier, [worker.numbered(n, p) for n, p in numbers])


def worker_context() -> multiprocessing.context.BaseContext:
    """How pool workers start: a fork server where there is one, else a fresh interpreter.

    Never a bare fork: the caller may have threads (a web server, a notebook, durable-rules'
    callers), and forking a threaded process can deadlock the child; Python 3.12 warns of it and
    3.14 no longer forks by default.
    """
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
