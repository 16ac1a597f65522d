"""Benchmark: sweep throughput on 1 and 2 workers, and counterfactuals for every NHS function.

    python benchmarks/bench_whatif.py            # a sweep of 4,800 scenarios x 21 functions
    python benchmarks/bench_whatif.py 1200       # fewer scenarios

The sweep grid varies capability, duplication, joint benefit and the law over the NHS England /
NHS Improvement example; every scenario classifies all 21 functions (100,800 evaluations at the
default size). Both runs use a local process pool (1 worker, then 2), so they pay the same
overheads. Target (issue 4): 2 workers at least 1.7x one. Figures go in docs/performance.md.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import taxonomy
from taxonomy.whatif.counterfactual import counterfactuals, robustness
from taxonomy.whatif.sweep import Axis, Sweep, sweep

ROOT = Path(__file__).resolve().parents[1]
LEVELS = ["none", "low", "medium", "high"]


def grid(scenarios: int) -> Sweep:
    axes = (
        Axis.setting("capability.nhsi", LEVELS, functions="*"),
        Axis.setting("capability.nhse", LEVELS, functions="*"),
        Axis.setting("efficiency.duplication", LEVELS, functions="*"),
        Axis.setting("efficiency.simplification", LEVELS, functions="*"),
        Axis.setting("effectiveness.joint_benefit", LEVELS, functions="*"),
        Axis.joint_committees(),
        Axis.setting("legal.board_reserved", [False, True], function="strategy"),
        Axis.setting("level", ["national", "regional"], function="it"),
    )
    full = Sweep("benchmark", axes)
    return Sweep("benchmark", axes, sample=min(scenarios, full.size), seed=2018)


def main(argv: list[str]) -> None:
    scenarios = int(argv[0]) if argv else 4800
    portfolio = taxonomy.load_portfolio(ROOT / "examples" / "nhs_joint_working_2018.yaml")
    sweep_grid = grid(scenarios)
    evaluations = len(sweep_grid.scenarios()) * len(portfolio.functions)
    timings = {}
    results = {}
    for workers in (1, 2):
        start = time.perf_counter()
        results[workers] = sweep(portfolio, sweep_grid, workers=workers)
        timings[workers] = time.perf_counter() - start
    assert results[1].records == results[2].records
    print(
        f"sweep: {len(sweep_grid.scenarios())} scenarios x {len(portfolio.functions)} functions "
        f"= {evaluations} evaluations"
    )
    for workers, seconds in timings.items():
        print(f"  {workers} worker(s): {seconds:.2f} s, {evaluations / seconds:,.0f} evaluations/s")
    print(f"  speed-up, 2 workers against 1: {timings[1] / timings[2]:.2f}x; records identical")

    start = time.perf_counter()
    searched = 0
    for fn in portfolio.functions:
        for target in taxonomy.Arrangement:
            searched += counterfactuals(portfolio, fn.id, target).searched
        robustness(portfolio, fn.id)
    seconds = time.perf_counter() - start
    print(
        f"counterfactuals: every function x every target ({len(portfolio.functions) * 4} "
        f"questions, {searched} answer combinations) and robustness for every function: "
        f"{seconds:.2f} s"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
