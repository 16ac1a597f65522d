"""Sweeps: evaluate many scenarios (a grid, or a random sample of it) and return tidy records.

One record per scenario and function. Scenarios are evaluated in chunks on any
``concurrent.futures.Executor``: a local process pool by default, or a Dask ``distributed``
client's executor (``client.get_executor()``) for users who outgrow one machine. Results are
identical whatever the executor and worker count: chunks are put back in scenario order.

Examples:
    >>> import taxonomy
    >>> from concurrent.futures import ThreadPoolExecutor
    >>> portfolio = taxonomy.load_portfolio("examples/nhs_joint_working_2018.yaml")
    >>> grid = Sweep("capability", axes=(Axis.setting("capability.nhsi", ["low", "high"],
    ...                                               function="pricing"),))
    >>> with ThreadPoolExecutor(2) as pool:
    ...     result = sweep(portfolio, grid, executor=pool)
    >>> len(result.records), result.records[0]["function"]
    (42, 'clinical-programmes')
"""

from __future__ import annotations

import collections
import csv
import io
import itertools
import multiprocessing
import multiprocessing.context
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import BrokenExecutor, Executor, Future, ProcessPoolExecutor
from typing import Any, TypeVar

import attrs

from taxonomy._model import Arrangement, Portfolio
from taxonomy._output_shape import STRING, Schema, Shape, each, key
from taxonomy._results import Recommendation
from taxonomy.errors import EngineError, InputError, TaxonomyError
from taxonomy.input.cells import csv_text
from taxonomy.language.rules import RulePack, pack_for
from taxonomy.whatif.grid import MAX_SCENARIOS, Axis, Sweep, load_sweep, show
from taxonomy.whatif.scenarios import Scenario

__all__ = [
    "MAX_CHUNK",
    "MAX_SCENARIOS",
    "Axis",
    "Failure",
    "FunctionCounts",
    "SWEEP_SUMMARY_JSON",
    "Sweep",
    "SweepResult",
    "SweepSummary",
    "csv_row",
    "load_sweep",
    "sweep",
    "sweep_columns",
]

_Item = TypeVar("_Item")


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


@attrs.frozen
class SweepResult:
    """Tidy records: one per scenario and function; and the scenarios that failed, if any.

    A scenario that cannot be evaluated (its changes leave an invalid portfolio, the engine
    fails, or the worker evaluating it dies) is listed in ``failures``; every other scenario's
    records are kept.
    """

    records: tuple[dict[str, Any], ...]
    columns: tuple[str, ...]
    failures: tuple[Failure, ...] = ()

    def to_csv(self) -> str:
        """The records as CSV text."""
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(self.columns), lineterminator="\n")
        writer.writeheader()
        for record in self.records:
            writer.writerow(csv_row(record))
        return buffer.getvalue()

    def to_frame(self) -> Any:
        """The records as a pandas DataFrame (needs pandas)."""
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - depends on the environment
            raise InputError("to_frame() needs pandas: pip install pandas") from None
        return pd.DataFrame(list(self.records), columns=list(self.columns))

    def summary(self) -> SweepSummary:
        """How often each arrangement and each lead came out, per function.

        See :class:`SweepSummary`; empty for a sweep whose records went to a ``sink``.
        """
        counted = SweepSummary()
        counted.add(self.records)
        return counted


class SweepSummary:
    """How often each arrangement and each lead came out across a sweep, per function.

    Counted as records come (:meth:`add`, e.g. from a ``sink``), none of them kept. An
    arrangement is counted in words with its category (``1 One team``), or as ``one body``
    where the law left a single body; a lead as every output writes it (:attr:`lead_text`): a
    body's id, ``joint``, ``undecided between a and b (tie)`` or ``none: each body does its
    own``, and where the law left a single body, that body.

    Examples:
        >>> counted = SweepSummary()
        >>> counted.add([
        ...     {"scenario": 0, "function": "it", "arrangement": "one_team", "lead": "nhse"},
        ...     {"scenario": 1, "function": "it", "arrangement": "one_team", "lead": "joint"},
        ...     {"scenario": 2, "function": "it", "arrangement": "aligned", "lead": "nhse"},
        ... ])
        >>> print(counted.to_text("grid"))
        grid: 3 scenarios x 1 functions
          it: 1 One team: 2; 2 Aligned, separate function(s): 1
            lead: nhse: 2; joint: 1
    """

    def __init__(self) -> None:
        self.records = 0
        self.scenarios = 0
        self._last: Any = None  # records come in scenario order
        #: Per function (portfolio order): how often each arrangement came out.
        self.arrangements: dict[str, dict[str, int]] = {}
        #: Per function (portfolio order): how often each lead came out.
        self.leads: dict[str, dict[str, int]] = {}

    def add(self, records: Iterable[dict[str, Any]]) -> None:
        """Count ``records`` (a sweep's, in scenario order)."""
        for record in records:
            self.records += 1
            if record["scenario"] != self._last:
                self.scenarios += 1
                self._last = record["scenario"]
            function = record["function"]
            key = _arrangement_key(record["arrangement"])
            per = self.arrangements.setdefault(function, {})
            per[key] = per.get(key, 0) + 1
            lead = str(record["lead"]) if record["lead"] is not None else "none"
            leads = self.leads.setdefault(function, {})
            leads[lead] = leads.get(lead, 0) + 1

    def _sorted(self, function: str) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
        """A function's arrangements by category, and its leads most frequent first."""
        arrangements = sorted(self.arrangements.get(function, {}).items())
        leads = sorted(self.leads.get(function, {}).items(), key=lambda kv: (-kv[1], kv[0]))
        return arrangements, leads

    @property
    def functions(self) -> list[FunctionCounts]:
        """Per function (portfolio order), its arrangements and its leads, sorted."""
        return [FunctionCounts(f, *self._sorted(f)) for f in self.arrangements]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the counts, and per function its arrangements and leads.

        ``{"scenarios", "records", "functions": [{"function", "arrangements": [{"arrangement",
        "count"}], "leads": [{"lead", "count"}]}]}``, arrangements by category, leads most
        frequent first (ties in alphabetical order): :data:`SWEEP_SUMMARY_JSON`.
        """
        return SWEEP_SUMMARY_JSON.dump(self)

    def to_text(self, name: str) -> str:
        """The summary ``taxonomy sweep`` prints: per function, its arrangements, then its leads."""
        lines = [f"{name}: {self.scenarios} scenarios x {len(self.arrangements)} functions"]
        for function in self.arrangements:
            arrangements, leads = self._sorted(function)
            lines.append(f"  {function}: " + "; ".join(f"{k}: {v}" for k, v in arrangements))
            lines.append("    lead: " + "; ".join(f"{k}: {v}" for k, v in leads))
        return "\n".join(lines)


@attrs.frozen
class FunctionCounts:
    """How often each arrangement and each lead came out for one function of a sweep.

    Attributes:
        function: the function's id.
        arrangements: (arrangement, count), by category.
        leads: (lead, count), most frequent first.
    """

    function: str
    arrangements: list[tuple[str, int]]
    leads: list[tuple[str, int]]


_COUNT: Schema = {"type": "integer", "minimum": 0}


def _counted(name: str) -> Shape:
    """A ``(name, count)`` pair as ``{name: ..., "count": ...}``."""
    return Shape(
        key(name, STRING, read=lambda pair: pair[0]), key("count", _COUNT, read=lambda p: p[1])
    )


_ARRANGEMENT_COUNT, _LEAD_COUNT = _counted("arrangement"), _counted("lead")
_FUNCTION_COUNTS = Shape(
    key("function", STRING),
    key(
        "arrangements", {"type": "array", "items": _ARRANGEMENT_COUNT}, via=each(_ARRANGEMENT_COUNT)
    ),
    key("leads", {"type": "array", "items": _LEAD_COUNT}, via=each(_LEAD_COUNT)),
)
#: A sweep's summary (:meth:`SweepSummary.to_dict`), and its schema.
SWEEP_SUMMARY_JSON = Shape(
    key("scenarios", _COUNT),
    key("records", _COUNT),
    key("functions", {"type": "array", "items": _FUNCTION_COUNTS}, via=each(_FUNCTION_COUNTS)),
)


def _arrangement_key(arrangement: str | None) -> str:
    """A record's arrangement as a summary counts it: ``1 One team``, ``one body``, or open.

    An open record (``open: 1 One team (1/2) or 2 Aligned ... (1/2)``) counts under its
    outcomes without their shares, which vary from one scenario to another.

    >>> _arrangement_key("one_team"), _arrangement_key(None)
    ('1 One team', 'one body')
    >>> _arrangement_key("open: 1 One team (7/16) or 3 Separate, involvement if needed (1/8)")
    'open: 1 One team or 3 Separate, involvement if needed'
    """
    if arrangement is None:
        return "one body"
    if arrangement.startswith("open: "):
        return re.sub(r" \([0-9]+(/[0-9]+)?\)", "", arrangement)
    named = Arrangement.parse(arrangement)
    return f"{named.category} {named.title}"


def csv_row(record: dict[str, Any]) -> dict[str, str]:
    """A record as :meth:`SweepResult.to_csv` writes it (for writing records as they come)."""
    return {k: csv_text(show(v)) if v is not None else "" for k, v in record.items()}


def sweep_columns(scenarios: Sweep | Iterable[Scenario]) -> tuple[str, ...]:
    """The columns of a sweep's records, known before any is made."""
    labels = [axis.label for axis in scenarios.axes] if isinstance(scenarios, Sweep) else []
    return (
        "scenario",
        "name",
        *labels,
        "function",
        "arrangement",
        "category",
        "lead",
        "lead_status",
        "decided_by",
    )


#: Scenarios sent to a worker as one task: (number, axis values, scenario) each.
Chunk = Sequence[tuple[int, dict[str, Any], Scenario]]


def _evaluate(
    portfolio: Portfolio,
    pack: RulePack,
    chunk: Chunk,
) -> tuple[list[dict[str, Any]], list[Failure]]:
    """Evaluate a chunk of scenarios in a worker; returns their records and failures."""
    from taxonomy.classification import classify

    records: list[dict[str, Any]] = []
    failures: list[Failure] = []
    for index, labels, scenario in chunk:
        try:
            applied = scenario.apply(portfolio, pack)
            single = applied.single_body
            result = None if single else classify(applied.portfolio, rules=applied.rules)
        except TaxonomyError as exc:
            kind = "input" if isinstance(exc, InputError) else "engine"
            failures.append(Failure(index, scenario.name, str(exc), kind))
            continue
        for fn in portfolio.functions:
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


def sweep(
    portfolio: Portfolio,
    scenarios: Sweep | Iterable[Scenario],
    *,
    rules: RulePack | None = None,
    executor: Executor | None = None,
    workers: int | None = None,
    chunk_size: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    sink: Callable[[list[dict[str, Any]]], None] | None = None,
) -> SweepResult:
    """Evaluate every scenario and return one record per scenario and function.

    Args:
        portfolio: the baseline (never mutated).
        scenarios: a :class:`Sweep` grid, or scenarios.
        rules: the rule pack; None uses the default pack.
        executor: any ``concurrent.futures.Executor``; None starts a local process pool.
        workers: the pool's size when ``executor`` is None (default: the CPU count).
        chunk_size: scenarios per task (default: about four tasks per worker, at most
            :data:`MAX_CHUNK`).
        progress: called with (0, scenarios in all) once the axes are checked, before any
            work is sent, then with (scenarios done, scenarios in all) as chunks finish.
        sink: called with each chunk's records, in scenario order, as they are made; the
            result then keeps none (its ``records`` is empty), so a sweep of any size runs in
            bounded memory. A grid's scenarios are made as they are sent, a few chunks ahead.

    Raises:
        ScenarioError: a value of an axis cannot be applied to ``portfolio`` at all (checked
            before any work is sent), or a full grid is too large to evaluate without a sample.

    A scenario that fails later (a combination of values, the engine, a worker that died) does
    not stop the others: it is listed in :attr:`SweepResult.failures`.
    """
    pack = pack_for(portfolio, rules)
    total, numbered = _numbered(portfolio, pack, scenarios)
    size = workers or os.cpu_count() or 1
    step = chunk_size or min(MAX_CHUNK, max(1, -(-total // (size * 4))))
    tally = _Tally(total, sink, progress)
    pending: Iterable[Chunk] = _batched(numbered, step)
    for attempt in range(1, _ATTEMPTS + 1):
        pool = executor if executor is not None else _pool(size)
        try:
            broken = tally.take(_in_order(pool, portfolio, pack, pending, ahead=2 * size + 2))
        finally:
            if executor is None:
                pool.shutdown(cancel_futures=True)
        if not broken:
            break
        if executor is None and attempt < _ATTEMPTS:
            # A worker died: every chunk left unfinished is tried again on a fresh pool, one
            # scenario per task, so the next death takes as few others with it as it can.
            pending = [[item] for chunk in broken for item in chunk]
            continue
        problem = "the worker process evaluating it stopped"
        tally.failures += [Failure(i, s.name, problem, "worker") for c in broken for i, _, s in c]
        break
    return tally.result(sweep_columns(scenarios))


def _numbered(
    portfolio: Portfolio, pack: RulePack, scenarios: Sweep | Iterable[Scenario]
) -> tuple[int, Iterable[tuple[int, dict[str, Any], Scenario]]]:
    """How many scenarios there are, and each numbered with its axis values, made lazily.

    A grid's axes are checked here, before any work is sent.
    """
    if isinstance(scenarios, Sweep):
        grid = scenarios.iter_numbered()  # too large a grid is refused here, before any work
        _check_axes(portfolio, pack, scenarios)
        return scenarios.count, ((i, labels, s) for i, (_, labels, s) in enumerate(grid))
    listed = list(scenarios)
    return len(listed), [(i, {}, s) for i, s in enumerate(listed)]


class _Tally:
    """A sweep's records and failures as chunks come back, passed on in scenario order."""

    def __init__(
        self,
        total: int,
        sink: Callable[[list[dict[str, Any]]], None] | None,
        progress: Callable[[int, int], None] | None,
    ) -> None:
        self.total = total
        self.kept: list[dict[str, Any]] = []
        self.emit = sink if sink is not None else self.kept.extend
        self.late: list[dict[str, Any]] = []  # after a worker died: in order once all are back
        self.failures: list[Failure] = []
        self.done = 0
        self.attempts = 0
        self.progress = progress
        if progress is not None:
            progress(0, total)

    def take(
        self, outcomes: Iterable[tuple[Chunk, tuple[list[dict[str, Any]], list[Failure]] | None]]
    ) -> list[Chunk]:
        """Take one attempt's outcomes; returns the chunks whose worker died."""
        self.attempts += 1
        broken: list[Chunk] = []
        for chunk, outcome in outcomes:
            if outcome is None:
                broken.append(chunk)
                continue
            chunk_records, chunk_failures = outcome
            if broken or self.attempts > 1:
                self.late += chunk_records
            else:
                self.emit(chunk_records)
            self.failures += chunk_failures
            self.done += len(chunk)
            if self.progress is not None:
                self.progress(self.done, self.total)
        return broken

    def result(self, columns: tuple[str, ...]) -> SweepResult:
        """The sweep's result, every record passed on (EngineError if no worker finished)."""
        if self.late:
            # A stable sort: within a scenario, the functions stay in order.
            self.late.sort(key=lambda record: int(record["scenario"]))
            self.emit(self.late)
        failures = sorted(self.failures, key=lambda failure: failure.scenario)
        if failures and self.done == 0 and all(f.kind == "worker" for f in failures):
            raise EngineError(
                "every worker process stopped before finishing a scenario (from a script, start "
                'the sweep under `if __name__ == "__main__":`, which worker processes need)'
            )
        return SweepResult(tuple(self.kept), columns, tuple(failures))


#: The most scenarios sent to a worker as one task by default: a task's records are held
#: until they are passed on, so this bounds a sweep's memory however many scenarios it has.
MAX_CHUNK = 256


def _batched(items: Iterable[_Item], size: int) -> Iterator[list[_Item]]:
    """``items`` in lists of ``size`` (the last shorter), made as they are asked for."""
    it = iter(items)
    while batch := list(itertools.islice(it, size)):
        yield batch


def _in_order(
    pool: Executor, portfolio: Portfolio, pack: RulePack, chunks: Iterable[Chunk], *, ahead: int
) -> Iterator[tuple[Chunk, tuple[list[dict[str, Any]], list[Failure]] | None]]:
    """Each chunk with its records and failures (None: its worker died), in the chunks' order.

    At most ``ahead`` chunks are submitted and not yet given back, so neither the scenarios
    nor their records pile up in memory.
    """
    window: collections.deque[tuple[Chunk, Future[Any] | None]] = collections.deque()
    for chunk in chunks:
        try:
            window.append((chunk, pool.submit(_evaluate, portfolio, pack, chunk)))
        except BrokenExecutor:
            window.append((chunk, None))
        while len(window) >= ahead:
            yield _outcome(*window.popleft())
    while window:
        yield _outcome(*window.popleft())


def _outcome(
    chunk: Chunk, future: Future[Any] | None
) -> tuple[Chunk, tuple[list[dict[str, Any]], list[Failure]] | None]:
    if future is None:
        return chunk, None
    try:
        return chunk, future.result()
    except BrokenExecutor:
        return chunk, None


#: How many times a chunk of scenarios is tried when the worker evaluating it dies.
_ATTEMPTS = 3


def _pool(size: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=size, mp_context=_worker_context(), initializer=_fresh_worker
    )


def _check_axes(portfolio: Portfolio, pack: RulePack, grid: Sweep) -> None:
    """Apply each value of each axis alone to ``portfolio``: a bad value fails here, once."""
    for axis in grid.axes:
        for value in axis.values:
            Scenario(grid.name, changes=(axis.change(value),)).apply(portfolio, pack)


def _worker_context() -> multiprocessing.context.BaseContext:
    """How pool workers start: a fork server where there is one, else a fresh interpreter.

    Never a bare fork: the caller may have threads (a web server, a notebook, durable-rules'
    callers), and forking a threaded process can deadlock the child; Python 3.12 warns of it and
    3.14 no longer forks by default.
    """
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _fresh_worker() -> None:
    """Start a pool worker with its own durable-rules hosts, not copies of the parent's."""
    from taxonomy.language.durable import forget_engines

    forget_engines()
