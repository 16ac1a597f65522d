"""Benchmark: in-process classify per function, against a plain-Python decision, in one run.

CPU time (``time.process_time``), never wall time, so a busy machine slows every figure alike;
each figure is the min and the median of several runs, and the ones to read are the *ratios*
between figures of one run:

- ``classify``: ``taxonomy.classify`` on the mix, warm (the pack loaded and compiled, and the
  engine remembering the cases of an earlier run: what a long-lived process, a sweep or a
  counterfactual search sees).
- ``cold``: the same with the engine's memory of decided cases emptied before each run, so
  every distinct case is decided again (what one command-line run sees).
- ``plain``: the default pack's decision written by hand as a Python if-chain (arrangement and
  lead), on the same functions: the first anchor. The run checks it agrees with ``classify``.
- ``durable_alone``: durable-rules alone on the pack's compiled rulesets, one long-lived
  session, each function's fact per stratum asserted and retracted (built beforehand): the
  second anchor, what the cheapest use of durable-rules costs (see :func:`durable_alone`).
- ``miss``: classify with nothing remembered between functions (every function a miss: each
  stratum asked of durable-rules), per function.
- ``unique_reasons``: cold, on the mix with a unique ``separate_reason`` text on every
  function (the rules only ask whether there is one): a memo keyed on raw text would miss
  every time; it should cost about what ``cold`` does.

The mix: ``N`` functions over eight bodies with varied answers (a tenth with a legal reason to
stay separate, each worded differently: the rules only ask whether there is one).

    python benchmarks/bench_classify.py              # 10,000 functions, 5 runs
    python benchmarks/bench_classify.py 2000 3       # N, runs

Run it against another checkout with ``PYTHONPATH=/path/to/src`` (the same script measures both
sides; docs/performance.md records the figures). Targets (issue 23): classify <= 30 us a function
and <= 5x plain; a miss <= 200 us. Each ``X_over_Y`` is a ratio of minimums within this run.
``durable_calls_per_run``: durable-rules asked, in a cold run.
"""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import taxonomy
from taxonomy import (
    Arrangement,
    Capability,
    Effectiveness,
    Efficiency,
    Function,
    Legal,
    Level,
    Organisation,
)
from taxonomy.language.compiled import compile_pack
from taxonomy.language.durable import engine_for

BODIES = [f"b{i}" for i in range(1, 9)]


def synthetic(n: int, seed: int = 2018, *, reasons: float = 0.0) -> taxonomy.Portfolio:
    """``n`` functions over eight bodies; a share ``reasons`` give a legal reason, each its own.

    The reasons are drawn apart from the answers, so every share gives the same answers.
    """
    rng = random.Random(seed)
    worded = random.Random(seed + 1)
    levels = list(Level)
    functions = []
    for i in range(n):
        performers = tuple(rng.sample(BODIES, rng.randint(1, 8)))
        owner = rng.choice([None, None, None, *BODIES])
        legal = Legal(
            statutory_owner=owner,
            delegable_to=(owner,) if owner and rng.random() < 0.3 else (),
            board_reserved=rng.random() < 0.2,
            # Never the owner, nor a performer: the model refuses impossible answers.
            independence_from=tuple(
                b for b in (rng.choice(BODIES),) if b != owner and b not in performers
            )
            if rng.random() < 0.05
            else (),
            separate_reason=f"reason number {i}" if worded.random() < reasons else "",
        )
        functions.append(
            Function(
                id=f"f{i}",
                name=f"Function {i}",
                level=rng.choice(["national", "regional", "local"]),
                performed_by=performers,
                efficiency=Efficiency(rng.choice(levels), rng.choice(levels)),
                effectiveness=Effectiveness(rng.choice(levels)),
                legal=legal,
                capability=Capability({b: rng.choice(levels) for b in performers}),
            )
        )
    orgs = [Organisation(b, f"Body {b}") for b in BODIES]
    return taxonomy.Portfolio(f"Synthetic {n}", orgs, functions)


def plain(fn: Function) -> tuple[Arrangement, str | None]:
    """The default pack's decision by hand: the arrangement and the lead (None: joint or tied)."""
    efficiency = max(fn.efficiency.duplication, fn.efficiency.simplification)
    effect = fn.effectiveness.joint_benefit
    performers = fn.performed_by
    levels = [fn.capability.of(b) for b in performers] or [Level.NONE]
    gap = int(max(levels)) - int(min(levels))
    gain = Level.HIGH if gap >= 2 else Level.MEDIUM if gap == 1 else Level.LOW
    medium_both = efficiency >= Level.MEDIUM and effect >= Level.MEDIUM
    if len(performers) == 1 and (efficiency >= Level.LOW or effect >= Level.LOW):
        decision = Arrangement.SEPARATE_INVOLVED
    elif (efficiency >= Level.HIGH and effect >= Level.MEDIUM) or (
        medium_both and gain >= Level.HIGH
    ):
        decision = Arrangement.ONE_TEAM
    elif medium_both or effect >= Level.HIGH or efficiency >= Level.HIGH:
        decision = Arrangement.ALIGNED
    elif efficiency >= Level.LOW or effect >= Level.LOW:
        decision = Arrangement.SEPARATE_INVOLVED
    else:
        decision = Arrangement.SEPARATE_DISTINCT
    legal = fn.legal
    arrangement = decision
    if legal.separate_reason:
        arrangement = max(arrangement, Arrangement.SEPARATE_DISTINCT)
    if "another_body" in legal.not_delegable_to and len(performers) >= 2:
        arrangement = max(arrangement, Arrangement.ALIGNED)
    independent = set(legal.independence_from)
    if independent & set(performers) or (len(performers) == 1 and independent):
        arrangement = max(arrangement, Arrangement.SEPARATE_INVOLVED)
    return arrangement, _plain_lead(fn, arrangement)


def _plain_lead(fn: Function, arrangement: Arrangement) -> str | None:
    legal = fn.legal
    sources: list[tuple[str, ...] | None] = [
        (fn.agreed_lead,) if fn.agreed_lead else (),
        legal.delegable_to,
        legal.statutory_owner,
        None if fn.level == "regional" else (),  # None: the joint lead rule fired
        fn.performed_by,
    ]
    for named in sources:
        if named is None:
            if arrangement.separate:
                continue
            return None
        bodies = [b for b in named if legal.may_lead(b)]
        if not bodies:
            continue
        best = max(fn.capability.of(b) for b in bodies)
        tied = [b for b in bodies if fn.capability.of(b) == best]
        return tied[0] if len(tied) == 1 else None
    return None


def _cpu(run: Callable[[], Any], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return times


def _us(times: list[float], n: int) -> tuple[float, float]:
    return round(min(times) / n * 1e6, 1), round(statistics.median(times) / n * 1e6, 1)


def _forget(engine: Any) -> None:
    engine.forget_cases()
    forget_nodes = getattr(compile_pack(engine.pack), "forget_nodes", None)
    if forget_nodes is not None:  # a checkout without it shares nodes only within a run
        forget_nodes()


def _disagreements(portfolio: taxonomy.Portfolio, result: taxonomy.Classification) -> int:
    """How many functions :func:`plain` decides otherwise than ``classify`` (should be 0)."""
    return sum(
        1
        for fn, rec in zip(portfolio.functions, result, strict=True)
        if plain(fn) != (rec.arrangement, rec.lead)
        and not rec.each_own  # each body does its own: no lead, which plain() does not model
    )


def durable_alone(engine: Any, portfolio: taxonomy.Portfolio) -> Callable[[], None]:
    """durable-rules alone on the pack's rulesets, one long-lived session: the second anchor.

    Each function's fact for each stratum (its values and the findings of earlier strata, as
    the engine encodes them) is built beforehand; the run asserts and retracts each in one
    session, with the engine's actions (they record the rule id). Nothing of taxonomy's own
    work is timed: what the cheapest use of durable-rules costs per function.
    """
    compiled = compile_pack(engine.pack)
    facts = []
    for fn in portfolio.functions:
        key, values = compiled.extract(fn, portfolio)
        case = compiled.case(engine, key, values, function=fn.id)
        known = {**values, **{f"finding.{f}": v for f, v in case.decided.findings}}
        facts += [(name, engine.encode(known, k)) for k, name in enumerate(engine._names)]
    host = engine._host

    def run() -> None:
        engine._sink = []
        try:
            for name, fact in facts:
                fact["sid"], fact["id"] = "anchor", "case"
                host.assert_fact(name, fact)
                host.retract_fact(name, fact)
                engine._sink.clear()
        finally:
            engine._sink = None

    return run


def measure(n: int, repeat: int) -> dict[str, Any]:
    """Every figure of one run, per function (us), and the ratios."""
    pack = taxonomy.load_rules()
    portfolio = synthetic(n, reasons=0.1)
    engine = engine_for(pack)
    taxonomy.classify(synthetic(50), rules=pack)  # warm up: compile, caches
    wrong = _disagreements(portfolio, taxonomy.classify(portfolio, rules=pack))

    def classify() -> None:
        taxonomy.classify(portfolio, rules=pack)

    def cold() -> None:
        _forget(engine)
        taxonomy.classify(portfolio, rules=pack)

    def by_hand() -> None:
        for fn in portfolio.functions:
            plain(fn)

    unique = synthetic(n, reasons=1.0)

    def unique_reasons() -> None:
        _forget(engine)
        taxonomy.classify(unique, rules=pack)

    few = synthetic(max(n // 20, 50), seed=7)

    def misses() -> None:
        memo_size = engine.memo_size
        engine.memo_size = 0
        try:
            _forget(engine)
            taxonomy.classify(few, rules=pack)
        finally:
            engine.memo_size = memo_size

    figures = {
        "classify": _us(_cpu(classify, repeat), n),
        "cold": _us(_cpu(cold, repeat), n),
        "plain": _us(_cpu(by_hand, repeat), n),
        "durable_alone": _us(_cpu(durable_alone(engine, few), repeat), len(few.functions)),
        "unique_reasons": _us(_cpu(unique_reasons, repeat), n),
        "miss": _us(_cpu(misses, repeat), len(few.functions)),
    }
    calls = engine.calls
    cold()
    ratios = {
        f"{name}_over_{anchor}": round(figures[name][0] / figures[anchor][0], 2)
        for name in ("classify", "cold", "unique_reasons", "miss")
        for anchor in ("plain", "durable_alone")
    }
    return {
        "functions": n,
        "runs": repeat,
        "taxonomy": taxonomy.__file__,
        "us_per_function_min_median": figures,
        **ratios,
        "durable_calls_per_run": engine.calls - calls,
        "plain_disagrees": wrong,
    }


def run_sizes(
    script: str, argv: list[str], defaults: list[int], measure_one: Any
) -> list[dict[str, Any]]:
    """Measure each size in a fresh process (so peak RSS is per size) and print a table.

    Called as ``script --child N`` it measures one size and prints JSON; otherwise it runs a
    child per size and returns the rows. (The other benchmarks' driver.)
    """
    if len(argv) == 2 and argv[0] == "--child":
        print(json.dumps(measure_one(int(argv[1]))))
        return []
    sizes = [int(a) for a in argv] or defaults
    rows = []
    for n in sizes:
        out = subprocess.run(
            [sys.executable, script, "--child", str(n)], capture_output=True, text=True, check=True
        )
        rows.append(json.loads(out.stdout))
    header = list(rows[0])
    print(" | ".join(header))
    for row in rows:
        print(" | ".join(str(row[h]) for h in header))
    return rows


def main(argv: list[str]) -> None:
    n = int(argv[0]) if argv else 10_000
    repeat = int(argv[1]) if len(argv) > 1 else 5
    for key, value in measure(n, repeat).items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main(sys.argv[1:])
