"""What if our finance capability fell? A capability sweep, scripted in Python.

Run:  python examples/scenarios/capability_sweep.py

For each level of NHS Improvement's capability on the finance functions, how are they organised
and who leads them? Uses taxonomy.whatif.sweep on a local process pool (pass executor= to use
another, e.g. a Dask cluster's client.get_executor()).
"""

from __future__ import annotations

from pathlib import Path

import taxonomy
from taxonomy.whatif.sweep import Axis, Sweep, sweep

HERE = Path(__file__).resolve().parent
FINANCE = ["pricing", "national-finance-leadership", "financial-recovery", "regional-finance",
           "financial-reporting"]


def main() -> dict[tuple[str, str], tuple[str, str]]:
    """Sweep NHS Improvement's capability; print and return the finance functions' placements."""
    portfolio = taxonomy.load_portfolio(HERE.parent / "nhs_joint_working_2018.yaml")
    grid = Sweep(
        "NHS Improvement capability",
        axes=(Axis.setting("capability.nhsi", ["none", "low", "medium", "high"], functions="*"),),
    )
    result = sweep(portfolio, grid, workers=2)
    table: dict[tuple[str, str], tuple[str, str]] = {}
    for record in result.records:
        if record["function"] in FINANCE:
            key = (record["capability.nhsi"], record["function"])
            table[key] = (record["arrangement"], record["lead"] or "joint")
    print(f"{'capability':<10} {'function':<28} {'arrangement':<18} lead")
    for (level, function), (arrangement, lead) in table.items():
        print(f"{level:<10} {function:<28} {arrangement:<18} {lead}")
    return table


if __name__ == "__main__":
    main()
