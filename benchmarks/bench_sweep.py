"""Benchmark: a sweep in the caller's process and on local pools of 1 and 2 workers.

    python benchmarks/bench_sweep.py                 # the shipped sweep, then the 86,016 grid
    python benchmarks/bench_sweep.py --scenarios 512 # a smaller grid (512 x 21 evaluations)
    python benchmarks/bench_sweep.py --repeats 3     # min and median of three runs of each

Every run is a fresh Python process (``--one``), so worker start-up is paid as a user pays it,
and its CPU time is read from ``getrusage``: the parent's own, and its children's (the fork
server and every worker it reaped, counted once the fork server is stopped at the end). On a
busy machine the CPU figures hold: the total CPU with 2 workers against 1 shows how much the
split costs (issue 23: at most 1.1x). On an idle machine the wall ratio shows the speed-up
(target: 2 workers at least 1.7x one on the 86,016-evaluation grid, and the shipped sweep no
slower on 2 workers than on 1). Every run's records are hashed: they must be identical.

The grid is ``bench_whatif.py``'s over the NHS example, sampled to 4,096 scenarios x 21
functions. ``in-process`` is the path a sweep under :data:`SMALL_SWEEP` evaluations takes;
``pool`` runs force a local pool whatever the size.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NHS = ROOT / "examples" / "nhs_joint_working_2018.yaml"
SHIPPED = ROOT / "examples" / "scenarios" / "capability_sweep.yaml"


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def one(grid_name: str, scenarios: int, workers: int) -> dict[str, Any]:
    """One run in this process: ``workers`` 0 is in-process, else a local pool of that size."""
    import multiprocessing.forkserver

    import taxonomy
    from taxonomy.whatif import sweep as module

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_whatif import grid

    portfolio = taxonomy.load_portfolio(NHS)
    chosen = module.load_sweep(SHIPPED) if grid_name == "shipped" else grid(scenarios)
    module.SMALL_SWEEP = sys.maxsize if workers == 0 else 0
    cpu, wall = _cpu(resource.RUSAGE_SELF), time.perf_counter()
    result = module.sweep(portfolio, chosen, workers=max(workers, 1))
    wall = time.perf_counter() - wall
    parent = _cpu(resource.RUSAGE_SELF) - cpu
    server = getattr(multiprocessing.forkserver, "_forkserver", None)
    if server is not None and getattr(server, "_forkserver_pid", None) is not None:
        server._stop()  # reaps the fork server, which reaped every worker: children's CPU
    return {
        "evaluations": len(result.records),
        "wall": wall,
        "parent": parent,
        "children": _cpu(resource.RUSAGE_CHILDREN),
        "hash": hashlib.sha256(result.to_csv().encode()).hexdigest()[:16],
    }


def _run(grid_name: str, scenarios: int, workers: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--one", grid_name, str(scenarios), str(workers)]
    out = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
    return dict(json.loads(out.stdout.splitlines()[-1]))


def _table(title: str, grid_name: str, scenarios: int, repeats: int) -> None:
    runs = {w: [_run(grid_name, scenarios, w) for _ in range(repeats)] for w in (0, 1, 2)}
    hashes = {r["hash"] for rs in runs.values() for r in rs}
    evaluations = runs[0][0]["evaluations"]
    print(f"{title}: {evaluations:,} evaluations, records identical: {len(hashes) == 1}")
    print("  run          CPU s (min/median)  of it workers'  µs CPU/eval  wall s (min/median)")
    cpu: dict[int, float] = {}
    wall: dict[int, float] = {}
    for workers, rs in runs.items():
        totals = [r["parent"] + r["children"] for r in rs]
        walls = [r["wall"] for r in rs]
        cpu[workers], wall[workers] = min(totals), min(walls)
        name = "in-process" if workers == 0 else f"pool of {workers}"
        print(
            f"  {name:<12} {min(totals):7.2f} / {statistics.median(totals):7.2f}"
            f"  {min(r['children'] for r in rs):12.2f}"
            f"  {1e6 * min(totals) / evaluations:11.0f}"
            f"  {min(walls):7.2f} / {statistics.median(walls):7.2f}"
        )
    print(
        f"  CPU, pool of 2 / pool of 1: {cpu[2] / cpu[1]:.3f} (target at most 1.1);"
        f" pool of 1 / in-process: {cpu[1] / cpu[0]:.3f}"
    )
    print(
        f"  wall, pool of 1 / pool of 2: {wall[1] / wall[2]:.2f}x"
        " (target on an idle machine: at least 1.7 for the grid)"
    )


def main(argv: list[str]) -> None:
    if argv[:1] == ["--one"]:
        print(json.dumps(one(argv[1], int(argv[2]), int(argv[3]))))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=4096)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--skip-grid", action="store_true", help="only the shipped sweep")
    args = parser.parse_args(argv)
    _table("shipped sweep (capability_sweep.yaml)", "shipped", 0, args.repeats)
    if not args.skip_grid:
        _table(f"grid of {args.scenarios} scenarios", "grid", args.scenarios, args.repeats)


if __name__ == "__main__":
    main(sys.argv[1:])
