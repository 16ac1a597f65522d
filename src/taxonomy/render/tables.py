"""Tables for the terminal: a rule pack's rules, and a structure check's metrics and findings.

Each is text drawn to a width, with colour only when asked for, as the command line prints it.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.table import Table

    from taxonomy.language.rules import RulePack
    from taxonomy.structure.checks import Metrics, StructureReport

__all__ = ["metrics_table", "rules_table", "structure_table"]


def metrics_table(title: str, headers: tuple[str, str], before: Metrics, after: Metrics) -> Table:
    """Two structures' metrics side by side, one row a figure (``headers``: their columns)."""
    from rich.table import Table

    table = Table(title=title)
    for header in ("metric", *headers):
        table.add_column(header)
    earlier = before.flat()
    for key, value in after.flat().items():
        table.add_row(key.replace("_", " "), str(earlier[key]), str(value))
    return table


def rules_table(rules: RulePack, *, width: int = 120, color: bool = False) -> str:
    """A validated pack's rules, one row each, under its name and above its hash and overrides.

    Args:
        rules: the rule pack.
        width: the width to draw to.
        color: draw with colour (for a terminal).
    """
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=rules.identity.chain,
        caption=(
            f"sha256 {rules.hash} · {len(rules.rules)} rules in {len(rules.strata)} strata · "
            f"{len(rules.facts)} facts · valid"
            + "".join(f"\n{o.action}: {o.rule} ({o.reason})" for o in rules.overrides)
        ),
    )
    for header in ("rule", "question", "priority", "then", "where"):
        table.add_column(header, overflow="fold")
    for rule in rules.rules:
        table.add_row(
            rule.id,
            rule.question,
            str(rule.priority),
            rule.then.describe(),
            # An extension's rules come from several folders: name the folder too.
            (f"{Path(rule.file).parent.name}/" if rules.extends else "")
            + f"{Path(rule.file).name}:{rule.line}",
        )
    text = io.StringIO()
    console = Console(
        file=text, width=width, force_terminal=color, no_color=not color, highlight=False
    )
    console.print(table)
    return text.getvalue()


def structure_table(report: StructureReport, *, width: int = 120, color: bool = False) -> str:
    """A structure check: each metric as-is and to-be, then the findings (or that there are none).

    Args:
        report: the structure check.
        width: the width to draw to.
        color: draw with colour (for a terminal).
    """
    from rich.console import Console
    from rich.table import Table

    console = Console(
        width=width,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        record=True,
        file=io.StringIO(),
    )
    title, headers = "Structure: as-is against to-be", ("as-is", "to-be")
    console.print(metrics_table(title, headers, report.as_is, report.to_be))
    if report.findings:
        found = Table(title="Findings on the to-be structure")
        for header in ("severity", "check", "principle", "message"):
            found.add_column(header, overflow="fold")
        for f in report.findings:
            found.add_row(f.severity, f.check, f.principle, f.message)
        console.print(found)
    else:
        console.print("No findings: the to-be structure passes every check.")
    return console.export_text(styles=color)
