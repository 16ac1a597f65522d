"""Benchmark: classify synthetic portfolios of 1k, 10k and 100k functions.

Reports functions/s, peak memory (max RSS of a fresh process per size); classify without the
engine's memo of decided cases (``uncached_s``) and the speed-up the memo gives, in the same run;
how many times durable-rules was asked with the memo; and the ratio of uncached classify's time
to the time durable-rules alone takes to evaluate the same facts on the same compiled rulesets
(posting each stratum's fact and freeing the session, nothing else).

    python benchmarks/bench_classify.py            # 1k, 10k, 100k
    python benchmarks/bench_classify.py 1000       # one size

Targets: uncached_ratio <= 1.5, time per function at 100k within 1.25x of 1k, peak memory under
1 GiB at 100k (issue 2); throughput at 10k at least 3x that before the memo (issue 14: 2.95 s
then). Figures go in docs/performance.md.
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import time
from typing import Any

import taxonomy
from taxonomy import Capability, Effectiveness, Efficiency, Function, Legal, Level, Organisation
from taxonomy.language.durable import engine_for

BODIES = [f"b{i}" for i in range(1, 9)]


def synthetic(n: int, seed: int = 2018) -> taxonomy.Portfolio:
    """A portfolio of ``n`` functions over eight bodies with varied answers."""
    rng = random.Random(seed)
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


def measure(n: int) -> dict[str, float]:
    """Time classify and durable-rules alone on ``n`` functions, in this process."""
    pack = taxonomy.load_rules()
    portfolio = synthetic(n)
    engine = engine_for(pack)
    taxonomy.classify(synthetic(50), rules=pack)  # warm up: compile, caches

    # Capture the exact facts classify posts, per stratum (encoding is part of classify's cost,
    # so it is done here, outside the durable-rules timing).
    captured: list[tuple[int, dict]] = []
    fire = engine.fire

    def recording(stratum: int, values, *, function: str):  # type: ignore[no-untyped-def]
        captured.append((stratum, engine.encode(values)))
        return fire(stratum, values, function=function)

    engine.fire = recording  # type: ignore[method-assign]
    taxonomy.classify(portfolio, rules=pack)
    del engine.fire  # back to the method
    assert captured

    # Without the memo: durable-rules is asked for every function and stratum.
    engine.memo_size = 0
    start = time.perf_counter()
    uncached = taxonomy.classify(portfolio, rules=pack)
    uncached_s = time.perf_counter() - start
    # With it (cold: nothing remembered from the runs above), as every user gets it.
    engine.memo_size = 65536
    engine.forget_cases()
    calls = engine.calls
    start = time.perf_counter()
    result = taxonomy.classify(portfolio, rules=pack)
    classify_s = time.perf_counter() - start
    asked = engine.calls - calls
    assert len(result) == n
    assert result.to_dict() == uncached.to_dict()  # the memo changes nothing but the time

    host, names = engine._host, engine._names
    # The same compiled rulesets and actions; only taxonomy's own work around them is left out.
    # Each call gets a fresh list for its actions to record into, as fire() gives it.
    start = time.perf_counter()
    for i, (stratum, fact) in enumerate(captured):
        fact = dict(fact, sid=f"bench{i}")
        engine._sink = []
        host.assert_fact(names[stratum], fact)
        host.delete_state(names[stratum], fact["sid"])
    durable_s = time.perf_counter() - start
    engine._sink = None

    return {
        "functions": n,
        "classify_s": round(classify_s, 3),
        "functions_per_s": round(n / classify_s),
        "us_per_function": round(classify_s / n * 1e6, 1),
        "uncached_s": round(uncached_s, 3),
        "speedup": round(uncached_s / classify_s, 2),
        "durable_calls": asked,
        "durable_alone_s": round(durable_s, 3),
        "uncached_ratio": round(uncached_s / durable_s, 3),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def run_sizes(
    script: str, argv: list[str], defaults: list[int], measure_one: Any
) -> list[dict[str, Any]]:
    """Measure each size in a fresh process (so peak RSS is per size) and print a table.

    Called as ``script --child N`` it measures one size and prints JSON; otherwise it runs a
    child per size and returns the rows.
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
    rows = run_sizes(__file__, argv, [1_000, 10_000, 100_000], measure)
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        growth = last["us_per_function"] / first["us_per_function"]
        print(f"time per function, {last['functions']} vs {first['functions']}: {growth:.2f}x")


if __name__ == "__main__":
    main(sys.argv[1:])
