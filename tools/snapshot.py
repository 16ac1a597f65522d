"""Write every text output of every shipped example and scenario to one folder.

Run it before and after a change and compare the folders: a refactor that
keeps behaviour leaves them byte-identical.

    python tools/snapshot.py /tmp/before          # on the old commit
    python tools/snapshot.py /tmp/after           # on the new one
    diff -r /tmp/before /tmp/after

Each command's standard output, standard error and exit status are kept, so
an error message that changes shows up too. It uses the ``taxonomy`` found
beside the running Python (the project's ``.venv``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: (portfolio, pack folder or None) for every shipped example.
EXAMPLES: tuple[tuple[str, str | None], ...] = (
    ("examples/nhs_joint_working_2018.yaml", None),
    ("examples/nhs_joint_working_2018_unknown.yaml", None),
    ("examples/nw_london_ccgs_2018.yaml", None),
    ("examples/nw_london_ccgs_2018_unknown.yaml", None),
    ("examples/three_councils_shared_services.yaml", None),
    ("examples/police_fire_collaboration.yaml", None),
    ("examples/two_tier_waste.yaml", None),
    ("examples/delegated_commissioning.yaml", None),
)

#: scenario -> the example it changes.
SCENARIOS: dict[str, str] = {
    "health_and_care_act_2022.yaml": "examples/nhs_joint_working_2018.yaml",
    "joint_committee_strategy.yaml": "examples/nhs_joint_working_2018.yaml",
    "joint_committees_2019.yaml": "examples/nhs_joint_working_2018.yaml",
    "strategy_duplication.yaml": "examples/nhs_joint_working_2018.yaml",
    "nhs_unknown_answers.yaml": "examples/nhs_joint_working_2018_unknown.yaml",
    "nwl_single_ccg_2021.yaml": "examples/nw_london_ccgs_2018.yaml",
    "nwl_dated_2021.yaml": "examples/nw_london_ccgs_2018.yaml",
    "nwl_icb_2022.yaml": "examples/nw_london_ccgs_2018.yaml",
    "police_force_merger.yaml": "examples/police_fire_collaboration.yaml",
}


_SCHEMAS = (
    "portfolio",
    "pack",
    "rules",
    "scenario",
    "sweep",
    "expectations",
    "classification",
    "classification-jsonl",
    "explain",
    "why-not",
    "whatif",
    "check",
    "graph",
    "governance",
    "rules-list",
    "rules-check",
    "rules-coverage",
    "rules-mutate",
    "error",
)


def _function_ids(portfolio: str) -> list[str]:
    import yaml  # the project's own dependency

    data = yaml.safe_load((ROOT / portfolio).read_text(encoding="utf-8"))
    return [str(f["id"]) for f in data.get("functions", [])]


def _commands() -> dict[str, list[str]]:
    runs: dict[str, list[str]] = {}
    for portfolio, _ in EXAMPLES:
        name = Path(portfolio).stem
        for fmt in ("table", "json", "jsonl", "markdown"):
            runs[f"{name}.classify.{fmt}"] = ["classify", portfolio, "--format", fmt]
        runs[f"{name}.classify.csv"] = ["classify", portfolio, "-o", "{out}.csv"]
        for fmt in ("table", "json"):
            runs[f"{name}.check.{fmt}"] = ["check", portfolio, "--format", fmt]
        for fmt in ("json", "dot", "graphml", "svg"):
            out = "{out}." + fmt
            runs[f"{name}.graph.{fmt}"] = ["graph", portfolio, "--format", fmt, "-o", out]
        runs[f"{name}.graph-as-is.json"] = ["graph", portfolio, "--as-is", "-o", "{out}.json"]
        for fid in _function_ids(portfolio)[:4]:
            for fmt in ("text", "markdown", "json"):
                runs[f"{name}.explain.{fid}.{fmt}"] = ["explain", portfolio, fid, "--format", fmt]
            runs[f"{name}.why-not.{fid}"] = ["explain", portfolio, fid, "--why-not", "one_team"]
        runs[f"{name}.report.html"] = ["report", portfolio, "-o", "{out}.html"]
        for fmt in ("markdown", "json"):
            runs[f"{name}.governance.{fmt}"] = ["governance", portfolio, "--format", fmt]
    for scenario, portfolio in SCENARIOS.items():
        path = f"examples/scenarios/{scenario}"
        stem = Path(scenario).stem
        for fmt in ("table", "json", "markdown"):
            runs[f"whatif.{stem}.{fmt}"] = ["whatif", portfolio, path, "--format", fmt]
        runs[f"graph.{stem}.json"] = ["graph", portfolio, "--scenario", path, "-o", "{out}.json"]
    runs["sweep.capability.csv"] = [
        "sweep",
        "examples/nhs_joint_working_2018.yaml",
        "examples/scenarios/capability_sweep.yaml",
        "--workers",
        "1",
        "-o",
        "{out}.csv",
    ]
    runs["sweep.capability.summary"] = [
        "sweep",
        "examples/nhs_joint_working_2018.yaml",
        "examples/scenarios/capability_sweep.yaml",
        "--workers",
        "1",
    ]
    for kind in _SCHEMAS:
        runs[f"schema.{kind}"] = ["schema", kind]
    runs["rules.list"] = ["rules"]
    return runs


def _fix_pack(argv: list[str]) -> list[str]:
    for portfolio, pack in EXAMPLES:
        if pack and portfolio in argv:
            return [*argv, "--rules", pack]
    return argv


def main(argv: list[str]) -> int:
    """Write the snapshot to the folder named on the command line."""
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[1]).resolve()
    out.mkdir(parents=True, exist_ok=True)
    exe = str(Path(sys.executable).parent / "taxonomy")
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120", "PYTHONHASHSEED": "0"}

    def run(item: tuple[str, list[str]]) -> None:
        name, args = item
        target = out / name
        args = [a.replace("{out}", str(target)) for a in _fix_pack(args)]
        done = subprocess.run(
            [exe, "-q", *args], cwd=ROOT, env=env, capture_output=True, check=False
        )
        (out / f"{name}.stdout").write_bytes(done.stdout)
        if done.stderr or done.returncode:
            (out / f"{name}.stderr").write_bytes(
                done.stderr + f"\nexit {done.returncode}\n".encode()
            )

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(run, sorted(_commands().items())))
    print(f"{len(list(out.iterdir()))} files in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
