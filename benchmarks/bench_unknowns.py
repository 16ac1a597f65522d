"""Benchmark: classification with answers left unknown (issue 24). CPU time throughout.

1. One function with six level answers unknown (duplication, simplification, joint benefit,
   three bodies' capability): classified cold (a fresh engine memo), then warm (median of 20).
2. The NHS example with the silent answers unknown, through the command line
   (``taxonomy classify examples/nhs_joint_working_2018_unknown.yaml``), in a fresh process:
   its user + system CPU time.
3. Ranked open questions for a 500-function synthetic portfolio, two or three level answers
   left unknown on each function: classify, then rank the first questions across it.

    python benchmarks/bench_unknowns.py

Targets: (1) warm under 50 ms; (2) under 1 s CPU; (3) under 5 s. Figures go in
docs/performance.md ("Unknown answers").
"""

from __future__ import annotations

import json
import random
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import attrs

import taxonomy
from taxonomy._model import UNKNOWN, Capability, Effectiveness, Efficiency, Function, Legal, Level

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_classify import synthetic  # noqa: E402

OWN = ("efficiency.duplication", "efficiency.simplification", "effectiveness.joint_benefit")


def six_unknowns() -> taxonomy.Portfolio:
    """Three bodies; one function with its three level answers and three capabilities unknown."""
    bodies = ("a", "b", "c")
    fn = Function(
        id="f",
        name="F",
        level="national",
        performed_by=bodies,
        efficiency=Efficiency(Level.NONE, Level.NONE),
        effectiveness=Effectiveness(Level.NONE),
        legal=Legal(statutory_owner=None),
        capability=Capability(dict.fromkeys(bodies, Level.NONE)),
        unknowns={**dict.fromkeys(OWN, UNKNOWN), **{f"capability.{b}": UNKNOWN for b in bodies}},
    )
    return taxonomy.Portfolio(
        name="six unknowns",
        organisations=tuple(taxonomy.Organisation(b, b.upper()) for b in bodies),
        functions=(fn,),
    )


def _cpu(run: object) -> float:
    start = time.process_time()
    run()  # type: ignore[operator]
    return time.process_time() - start


def one_function() -> dict[str, float]:
    portfolio = six_unknowns()
    pack = taxonomy.load_rules()
    cold = _cpu(lambda: taxonomy.classify(portfolio, rules=pack))
    warm = statistics.median(
        _cpu(lambda: taxonomy.classify(portfolio, rules=pack)) for _ in range(20)
    )
    rec = taxonomy.classify(portfolio, rules=pack)["f"]
    return {
        "cold_ms": round(cold * 1000, 1),
        "warm_ms": round(warm * 1000, 1),
        "outcomes": len(rec.outcomes),
        "decided": rec.decided,
    }


def nhs_cli() -> dict[str, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "taxonomy.cli", "classify",
         str(ROOT / "examples" / "nhs_joint_working_2018_unknown.yaml")],
        check=True,
        capture_output=True,
    )  # fmt: skip
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"cpu_s": round(cpu, 3), "wall_s": round(wall, 3)}


def portfolio_500(seed: int = 24) -> dict[str, float]:
    rng = random.Random(seed)
    base = synthetic(500)
    functions = []
    for fn in base.functions:
        keys = [*OWN, *(f"capability.{b}" for b in fn.performed_by)]
        chosen = rng.sample(keys, rng.randint(2, 3))
        functions.append(attrs.evolve(fn, unknowns=dict.fromkeys(chosen, UNKNOWN)))
    portfolio = attrs.evolve(base, functions=tuple(functions))
    pack = taxonomy.load_rules()
    start = time.process_time()
    result = taxonomy.classify(portfolio, rules=pack)
    first = Counter(rec.open_questions[0].key for rec in result if not rec.decided)
    cpu = time.process_time() - start
    return {
        "cpu_s": round(cpu, 3),
        "open": sum(not rec.decided for rec in result),
        "decided": sum(rec.decided for rec in result),
        "first_questions": dict(first.most_common(3)),
    }


if __name__ == "__main__":
    print(json.dumps({"six_unknowns": one_function()}))
    print(json.dumps({"nhs_unknown_cli": nhs_cli()}))
    print(json.dumps({"portfolio_500": portfolio_500()}))
