"""Benchmark: build, check and measure the accountability graph of synthetic portfolios.

Eight bodies; 1k and 10k functions with random answers (as in bench_classify), plus governance:
a joint committee taking a twentieth of the functions' decisions, a joint oversight group, and a
role accountable for every fiftieth function. Classification is done first and not timed.

    python benchmarks/bench_graph.py            # 1k and 10k
    python benchmarks/bench_graph.py 10000      # one size

Target (issue 3): build and check grow near-linearly: 10k within 12x of 1k. Peak memory is the
max RSS of a fresh process per size. Figures go in docs/performance.md.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import attrs

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_classify import BODIES, run_sizes, synthetic

import taxonomy
from taxonomy import Governance, JointBody, Law, Role
from taxonomy.structure.checks import check, measure
from taxonomy.structure.graph import as_is_graph, build_graph


def with_governance(portfolio: taxonomy.Portfolio) -> taxonomy.Portfolio:
    ids = [f.id for f in portfolio.functions]
    governance = Governance(
        bodies=(
            JointBody("jc", "Joint Committee", "joint_committee", tuple(BODIES), ids[::20]),
            JointBody(
                "jog",
                "Joint oversight",
                "joint_oversight_group",
                tuple(BODIES),
                oversees=ids[5::20],
            ),
        ),
        roles=(
            Role("ao", "Accountable Officer", "b1", tuple(BODIES)),
            Role("director", "Director", "b1", ("ao",), ids[::50]),
        ),
    )
    return attrs.evolve(portfolio, law=Law(joint_committees=True), governance=governance)


def _best(fn, repeat: int = 3):  # type: ignore[no-untyped-def]
    """The fastest of ``repeat`` runs (seconds) and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def measure_size(n: int) -> dict[str, float]:
    warm = with_governance(synthetic(100))
    warm_result = taxonomy.classify(warm)
    check(build_graph(warm_result))  # first calls pay for imports and networkx dispatch setup
    measure(as_is_graph(warm, classification=warm_result))

    portfolio = with_governance(synthetic(n))
    result = taxonomy.classify(portfolio)
    build_s, to_be = _best(lambda: build_graph(result))
    check_s, findings = _best(lambda: check(to_be))
    compare_s, _ = _best(
        lambda: (
            measure(to_be, findings=findings),
            measure(as_is_graph(portfolio, classification=result)),
        )
    )
    return {
        "functions": n,
        "nodes": to_be.number_of_nodes(),
        "edges": to_be.number_of_edges(),
        "build_s": round(build_s, 3),
        "build_us_per_fn": round(build_s / n * 1e6, 1),
        "check_s": round(check_s, 3),
        "check_us_per_fn": round(check_s / n * 1e6, 1),
        "as_is_and_metrics_s": round(compare_s, 3),
        "findings": len(findings),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main(argv: list[str]) -> None:
    rows = run_sizes(__file__, argv, [1_000, 10_000], measure_size)
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        for key in ("build_s", "check_s"):
            growth = last[key] / first[key]
            print(f"{key}, {last['functions']} vs {first['functions']}: {growth:.2f}x")


if __name__ == "__main__":
    main(sys.argv[1:])
