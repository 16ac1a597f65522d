"""Benchmark: what a Board sees, built from a classification (issue 13).

For the NHS and NW London examples and synthetic portfolios over eight bodies (as in
bench_classify, with every fifth answer set left as generated), times each Board output on its
own, best of three after one warm-up run: the plain-language paragraphs, the to-be picture as
A4 PDF pages, and the whole HTML report (with and without pictures; the report classifies and
measures robustness itself, so it includes that work). Peak memory is the max RSS of the process.

    python benchmarks/bench_board.py              # NHS, NW London, 60 and 500 functions
    python benchmarks/bench_board.py 60 2000      # synthetic sizes only

Figures go in docs/performance.md.
"""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_classify import synthetic

import taxonomy
from taxonomy.render.picture import draw_pages
from taxonomy.render.prose import paragraphs
from taxonomy.render.report import build_report
from taxonomy.structure.graph import build_graph

ROOT = Path(__file__).resolve().parents[1]


def best(run: Callable[[], Any], repeats: int = 3) -> tuple[float, Any]:
    """The best wall time of ``repeats`` runs after a warm-up, and the last result."""
    result = run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


def measure(name: str, portfolio: taxonomy.Portfolio) -> dict[str, Any]:
    """Time each Board output for ``portfolio``."""
    result = taxonomy.classify(portfolio)
    graph = build_graph(result)
    prose_s, found = best(lambda: paragraphs(result))
    pdf_s, pages = best(lambda: draw_pages(graph, fmt="pdf"))
    report_s, html = best(lambda: build_report(portfolio, pictures=False), repeats=1)
    full_s, full = best(lambda: build_report(portfolio), repeats=1)
    return {
        "portfolio": name,
        "functions": len(portfolio.functions),
        "paragraphs_s": prose_s,
        "words": sum(len(p.split()) for p in found.values()),
        "picture_pdf_s": pdf_s,
        "pages": len(pages),
        "report_no_pictures_s": report_s,
        "report_s": full_s,
        "report_kib": len(full.encode()) // 1024,
        "no_picture_kib": len(html.encode()) // 1024,
    }


def main(argv: list[str]) -> None:
    """Measure the examples (unless sizes are given) and synthetic portfolios; print a table."""
    sizes = [int(a) for a in argv] or [60, 500]
    cases: list[tuple[str, taxonomy.Portfolio]] = []
    if not argv:
        for name in ("nhs_joint_working_2018", "nw_london_ccgs_2018"):
            cases.append((name, taxonomy.load_portfolio(ROOT / "examples" / f"{name}.yaml")))
    cases += [(f"synthetic {n}", synthetic(n)) for n in sizes]
    print(
        "| portfolio | functions | paragraphs (s) | words | picture PDF (s) | A4 pages "
        "| report, no pictures (s) | report (s) | report (KiB) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, portfolio in cases:
        row = measure(name, portfolio)
        print(
            f"| {row['portfolio']} | {row['functions']:,} | {row['paragraphs_s']:.3f} "
            f"| {row['words']:,} | {row['picture_pdf_s']:.2f} | {row['pages']} "
            f"| {row['report_no_pictures_s']:.2f} | {row['report_s']:.2f} "
            f"| {row['report_kib']:,} |"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS: {peak:.0f} MiB")


if __name__ == "__main__":
    main(sys.argv[1:])
