"""Sweeps: evaluate many scenarios (a grid, or a random sample of it) and return tidy records.

One record per scenario and function. Scenarios are evaluated in chunks on any
``concurrent.futures.Executor``: a local process pool by default, or a Dask ``distributed``
client's executor (``client.get_executor()``) for users who outgrow one machine. Results are
identical whatever the executor and worker count: chunks are put back in scenario order. A local
pool's workers start once with the portfolio, pack and scenarios (:mod:`taxonomy.whatif._workers`);
a sweep smaller than :data:`SMALL_SWEEP` evaluations runs in the caller's process.

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
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import BrokenExecutor, Executor, Future, ProcessPoolExecutor
from typing import Any, TypeVar

import attrs

from taxonomy._model import Arrangement, Portfolio
from taxonomy._output_shape import STRING, Schema, Shape, key, nested
from taxonomy.errors import EngineError, InputError
from taxonomy.input.cells import csv_text
from taxonomy.language.rules import RulePack, pack_for
from taxonomy.whatif._workers import (
    Applier,
    Chunk,
    Failure,
    Outcome,
    evaluate,
    evaluate_numbers,
    evaluate_with,
    start_worker,
    worker_context,
)
from taxonomy.whatif.grid import MAX_SCENARIOS, Axis, Sweep, load_sweep, show
from taxonomy.whatif.scenarios import Scenario

__all__ = [
    "MAX_CHUNK",
    "MAX_SCENARIOS",
    "SMALL_SWEEP",
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
    nested("arrangements", _ARRANGEMENT_COUNT),
    nested("leads", _LEAD_COUNT),
)
#: A sweep's summary (:meth:`SweepSummary.to_dict`), and its schema.
SWEEP_SUMMARY_JSON = Shape(
    key("scenarios", _COUNT),
    key("records", _COUNT),
    nested("functions", _FUNCTION_COUNTS),
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
        executor: any ``concurrent.futures.Executor``; None starts a local process pool
            whose workers each get the portfolio, pack and scenarios once, or evaluates in
            this process a sweep of fewer than :data:`SMALL_SWEEP` evaluations.
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
    pending: Iterable[_Chunk] = _batched(numbered, step)
    shared = scenarios if isinstance(scenarios, Sweep) else tuple(s for *_, s in numbered)
    if executor is None and _small(total * len(portfolio.functions), shared):
        tally.take(_here(Applier(portfolio, pack), pending))
        return tally.result(sweep_columns(scenarios))
    sent = (portfolio, pack, shared)
    _on_pools(tally, pending, executor, size, sent)
    return tally.result(sweep_columns(scenarios))


def _on_pools(
    tally: _Tally,
    pending: Iterable[_Chunk],
    executor: Executor | None,
    size: int,
    sent: tuple[Portfolio, RulePack, Sweep | tuple[Scenario, ...]],
) -> None:
    """Evaluate the chunks on ``executor``, or on local pools of ``size`` workers.

    A local pool's worker that dies loses its chunks to a fresh pool, up to :data:`_ATTEMPTS`
    times; what is still unfinished then is tallied as failed.
    """
    portfolio, pack, scenarios = sent
    for attempt in range(1, _ATTEMPTS + 1):
        pool = executor if executor is not None else _pool(size, portfolio, pack, scenarios)
        task = _task(pool, None if executor is None else (portfolio, pack))
        try:
            broken = tally.take(_in_order(task, pending, ahead=2 * size + 2))
        finally:
            if executor is None:
                pool.shutdown(cancel_futures=True)
        if not broken:
            return
        if executor is None and attempt < _ATTEMPTS:
            # A worker died: every chunk left unfinished is tried again on a fresh pool, one
            # scenario per task, so the next death takes as few others with it as it can.
            pending = [[item] for chunk in broken for item in chunk]
            continue
        problem = "the worker process evaluating it stopped"
        tally.failures += [Failure(i, s.name, problem, "worker") for c in broken for i, *_, s in c]
        return


#: Below this many evaluations (scenarios x functions), a sweep with no executor given runs in
#: the caller's process: starting workers (a fork server, each worker importing the library and
#: compiling the pack) would cost more than it saves. Measured in docs/performance.md.
SMALL_SWEEP = 5_000


def _small(evaluations: int, scenarios: Sweep | tuple[Scenario, ...]) -> bool:
    """Whether a sweep is evaluated in the caller's process rather than on a local pool.

    Only a sweep too small to pay for starting workers, and only of plain scenarios: one of a
    class of its own may do anything (even end the process), so it runs in a worker.
    """
    if evaluations >= SMALL_SWEEP:
        return False
    return isinstance(scenarios, Sweep) or all(type(s) is Scenario for s in scenarios)


#: A scenario numbered as its records are, with its position in the grid (or the list), its
#: axis values, and itself.
_Numbered = tuple[int, int, dict[str, Any], Scenario]
_Chunk = Sequence[_Numbered]
_Outcomes = Iterator[tuple[_Chunk, Outcome | None]]


def _numbered(
    portfolio: Portfolio, pack: RulePack, scenarios: Sweep | Iterable[Scenario]
) -> tuple[int, Iterable[_Numbered]]:
    """How many scenarios there are, and each numbered with its axis values, made lazily.

    A grid's axes are checked here, before any work is sent.
    """
    if isinstance(scenarios, Sweep):
        grid = scenarios.iter_numbered()  # too large a grid is refused here, before any work
        _check_axes(portfolio, pack, scenarios)
        return scenarios.count, ((i, p, labels, s) for i, (p, labels, s) in enumerate(grid))
    listed = list(scenarios)
    return len(listed), [(i, i, {}, s) for i, s in enumerate(listed)]


def _here(applier: Applier, chunks: Iterable[_Chunk]) -> _Outcomes:
    """Each chunk evaluated in this process, with its records and failures."""
    for chunk in chunks:
        yield chunk, evaluate_with(applier, _unplaced(chunk))


def _task(
    pool: Executor, sent: tuple[Portfolio, RulePack] | None
) -> Callable[[_Chunk], Future[Outcome]]:
    """How a chunk is sent to ``pool``.

    By number to a local pool's started workers (``sent`` None), or whole with the portfolio
    and pack (``sent``) to any other executor.
    """
    if sent is None:
        return lambda chunk: pool.submit(evaluate_numbers, [(i, p) for i, p, *_ in chunk])
    portfolio, pack = sent
    return lambda chunk: pool.submit(evaluate, portfolio, pack, _unplaced(chunk))


def _unplaced(chunk: _Chunk) -> Chunk:
    """The chunk as any executor's task takes it: each scenario's number, axis values and itself."""
    return [(number, labels, scenario) for number, _, labels, scenario in chunk]


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

    def take(self, outcomes: _Outcomes) -> list[_Chunk]:
        """Take one attempt's outcomes; returns the chunks whose worker died."""
        self.attempts += 1
        broken: list[_Chunk] = []
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
    task: Callable[[_Chunk], Future[Outcome]], chunks: Iterable[_Chunk], *, ahead: int
) -> _Outcomes:
    """Each chunk with its records and failures (None: its worker died), in the chunks' order.

    At most ``ahead`` chunks are submitted and not yet given back, so neither the scenarios
    nor their records pile up in memory.
    """
    window: collections.deque[tuple[_Chunk, Future[Outcome] | None]] = collections.deque()
    for chunk in chunks:
        try:
            window.append((chunk, task(chunk)))
        except BrokenExecutor:
            window.append((chunk, None))
        while len(window) >= ahead:
            yield _outcome(*window.popleft())
    while window:
        yield _outcome(*window.popleft())


def _outcome(chunk: _Chunk, future: Future[Outcome] | None) -> tuple[_Chunk, Outcome | None]:
    if future is None:
        return chunk, None
    try:
        return chunk, future.result()
    except BrokenExecutor:
        return chunk, None


#: How many times a chunk of scenarios is tried when the worker evaluating it dies.
_ATTEMPTS = 3


def _pool(
    size: int, portfolio: Portfolio, pack: RulePack, scenarios: Sweep | tuple[Scenario, ...]
) -> ProcessPoolExecutor:
    """A local pool whose workers each start once with the portfolio, pack and scenarios."""
    return ProcessPoolExecutor(
        max_workers=size,
        mp_context=worker_context(),
        initializer=start_worker,
        initargs=(portfolio, pack, scenarios),
    )


def _check_axes(portfolio: Portfolio, pack: RulePack, grid: Sweep) -> None:
    """Apply each value of each axis alone to ``portfolio``: a bad value fails here, once."""
    for axis in grid.axes:
        for value in axis.values:
            Scenario(grid.name, changes=(axis.change(value),)).apply(portfolio, pack)
