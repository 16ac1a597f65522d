"""Benchmark: classification with answers left unknown (issue 24). CPU time throughout.

1. One function with six level answers unknown (duplication, simplification, joint benefit,
   three bodies' capability): classified cold, then warm (min and median of 20), against the
   anchor (the same function with every answer known, in the same process) and against the
   plain enumeration (every completion by the full path, :func:`taxonomy.partial.plain_tally`).
2. The NHS example with the silent answers unknown, through the command line
   (``taxonomy classify examples/nhs_joint_working_2018_unknown.yaml --format json``), in a
   fresh process each time: the child's user + system CPU time, min and median of 5.
3. Ranked open questions for a 500-function synthetic portfolio, two or three level answers
   left unknown on each function: classify, then rank the first questions across it (min and
   median of 3), against the same portfolio with every answer known.
4. One function of eight bodies with every capability unknown (65,536 completions), and the
   NW London example (nine functions, eight CCGs) with every capability unknown too.

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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

import taxonomy
from taxonomy._model import UNKNOWN, Capability, Effectiveness, Efficiency, Function, Legal, Level
from taxonomy._outcomes import Completions

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


def eight_capabilities() -> taxonomy.Portfolio:
    """Eight bodies; one function with every body's capability unknown (65,536 completions)."""
    bodies = tuple(f"b{i}" for i in range(8))
    fn = Function(
        id="f",
        name="F",
        level="national",
        performed_by=bodies,
        efficiency=Efficiency(Level.MEDIUM, Level.LOW),
        effectiveness=Effectiveness(Level.MEDIUM),
        legal=Legal(statutory_owner=None),
        capability=Capability(dict.fromkeys(bodies, Level.NONE)),
        unknowns={f"capability.{b}": UNKNOWN for b in bodies},
    )
    return taxonomy.Portfolio(
        name="eight capabilities",
        organisations=tuple(taxonomy.Organisation(b, b.upper()) for b in bodies),
        functions=(fn,),
    )


def _known(portfolio: taxonomy.Portfolio) -> taxonomy.Portfolio:
    """The anchor: the same portfolio with every answer known (its first completion)."""
    fns = tuple(attrs.evolve(f, unknowns={}) for f in portfolio.functions)
    return attrs.evolve(portfolio, functions=fns)


def _cpu(run: Callable[[], object]) -> float:
    start = time.process_time()
    run()
    return time.process_time() - start


def _runs(run: Callable[[], object], times: int) -> dict[str, float]:
    spent = [_cpu(run) for _ in range(times)]
    return {"min": min(spent), "median": statistics.median(spent)}


def _classified(
    portfolio: taxonomy.Portfolio, pack: taxonomy.RulePack, times: int
) -> dict[str, Any]:
    """CPU ms of classifying ``portfolio`` (cold, then min/median warm), against the anchor."""
    cold = _cpu(lambda: taxonomy.classify(portfolio, rules=pack))
    warm = _runs(lambda: taxonomy.classify(portfolio, rules=pack), times)
    known = _known(portfolio)
    anchor = _runs(lambda: taxonomy.classify(known, rules=pack), times)
    rec = taxonomy.classify(portfolio, rules=pack).recommendations[0]
    return {
        "cold_ms": round(cold * 1000, 1),
        "warm_ms_min": round(warm["min"] * 1000, 1),
        "warm_ms_median": round(warm["median"] * 1000, 1),
        "anchor_ms_median": round(anchor["median"] * 1000, 2),
        "ratio_to_anchor": round(warm["median"] / anchor["median"], 1),
        "outcomes": len(rec.outcomes),
        "decided": rec.decided,
    }


def plain(portfolio: taxonomy.Portfolio, pack: taxonomy.RulePack) -> float:
    """CPU s of the plain enumeration (every completion by the full path), for the ratio."""
    original = Completions.tally
    Completions.tally = lambda *args, **kwargs: None  # type: ignore[method-assign]
    try:
        return _cpu(lambda: taxonomy.classify(portfolio, rules=pack))
    finally:
        Completions.tally = original  # type: ignore[method-assign]


def one_function(times: int = 20) -> dict[str, Any]:
    pack = taxonomy.load_rules()
    found = _classified(six_unknowns(), pack, times)
    found["plain_ms"] = round(plain(six_unknowns(), pack) * 1000, 1)
    found["plain_over_blocks"] = round(found["plain_ms"] / found["warm_ms_median"], 1)
    return found


def eight(times: int = 3) -> dict[str, Any]:
    return _classified(eight_capabilities(), taxonomy.load_rules(), times)


def nw_london() -> dict[str, Any]:
    """NW London (nine functions, eight CCGs) with every CCG's capability also unknown."""
    portfolio = taxonomy.load_portfolio(ROOT / "examples" / "nw_london_ccgs_2018.yaml")
    fns = tuple(
        attrs.evolve(
            f, unknowns={**dict(f.unknowns), **{f"capability.{b}": UNKNOWN for b in f.performed_by}}
        )
        for f in portfolio.functions
    )
    portfolio = attrs.evolve(portfolio, functions=fns)
    result: list[taxonomy.Classification] = []
    cpu = _cpu(lambda: result.append(taxonomy.classify(portfolio)))
    return {"cpu_s": round(cpu, 2), "open": sum(not rec.decided for rec in result[0])}


def nhs_cli(times: int = 5) -> dict[str, float]:
    """CPU s (user + system) of the CLI in a fresh process, JSON out: min and median."""
    spent = []
    for _ in range(times):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(
            [sys.executable, "-m", "taxonomy.cli", "classify",
             str(ROOT / "examples" / "nhs_joint_working_2018_unknown.yaml"), "--format", "json"],
            check=True,
            capture_output=True,
        )  # fmt: skip
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        spent.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    return {"cpu_s_min": round(min(spent), 3), "cpu_s_median": round(statistics.median(spent), 3)}


def portfolio_500(seed: int = 24, times: int = 3) -> dict[str, Any]:
    rng = random.Random(seed)
    base = synthetic(500)
    functions = []
    for fn in base.functions:
        keys = [*OWN, *(f"capability.{b}" for b in fn.performed_by)]
        chosen = rng.sample(keys, rng.randint(2, 3))
        functions.append(attrs.evolve(fn, unknowns=dict.fromkeys(chosen, UNKNOWN)))
    portfolio = attrs.evolve(base, functions=tuple(functions))
    pack = taxonomy.load_rules()
    firsts: list[Counter[str]] = []

    def rank() -> None:
        result = taxonomy.classify(portfolio, rules=pack)
        firsts.append(Counter(rec.open_questions[0].key for rec in result if not rec.decided))

    spent = _runs(rank, times)
    anchor = _runs(lambda: taxonomy.classify(base, rules=pack), times)
    result = taxonomy.classify(portfolio, rules=pack)
    return {
        "cpu_s_min": round(spent["min"], 3),
        "cpu_s_median": round(spent["median"], 3),
        "anchor_s_median": round(anchor["median"], 3),
        "ratio_to_anchor": round(spent["median"] / anchor["median"], 1),
        "open": sum(not rec.decided for rec in result),
        "decided": sum(rec.decided for rec in result),
        "first_questions": dict(firsts[-1].most_common(3)),
    }


if __name__ == "__main__":
    print(json.dumps({"six_unknowns": one_function()}))
    print(json.dumps({"nhs_unknown_cli": nhs_cli()}))
    print(json.dumps({"portfolio_500": portfolio_500()}))
    print(json.dumps({"eight_capabilities": eight()}))
    print(json.dumps({"nw_london_capabilities_unknown": nw_london()}))
