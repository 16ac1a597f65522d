"""A what-if comparison for a reader: Markdown, a terminal table, and HTML for notebooks.

:class:`~taxonomy.whatif.compare.Comparison` holds the data; these write it. Importing this
module registers them as the comparison's renderers (``Comparison.to_markdown()``,
``to_table()`` and its notebook display use them).
"""

from __future__ import annotations

from collections.abc import Callable

from taxonomy.render.tables import metrics_table
from taxonomy.render.text import law_line
from taxonomy.whatif.compare import RENDERERS, Comparison

__all__ = ["comparison_html", "comparison_markdown", "comparison_table"]


def comparison_html(comparison: Comparison) -> str:
    """The comparison as HTML for a notebook: per scenario, a table of the changed functions."""
    import html

    parts = []
    for outcome in comparison.outcomes:
        rows = (
            "".join(
                f"<tr><td>{html.escape(c.function)}</td><td>{html.escape(str(c.before))}</td>"
                f"<td>{html.escape(str(c.after))}</td>"
                f"<td>{html.escape('; '.join(c.because))}</td></tr>"
                for c in outcome.changes
            )
            or '<tr><td colspan="4">No function changes arrangement or lead.</td></tr>'
        )
        parts.append(
            f"<h4>{html.escape(outcome.scenario.name)}</h4><table><tr><th>function</th>"
            f"<th>from</th><th>to</th><th>because</th></tr>{rows}</table>"
        )
    return "".join(parts)


def comparison_markdown(
    comparison: Comparison, *, reason: Callable[[str], str] | None = None
) -> str:
    """A Markdown report: per scenario, a table of the changed functions and the metrics.

    Args:
        comparison: the baseline and the scenarios' outcomes.
        reason: says each reason of a change for the reader (the CLI passes
            :func:`taxonomy.render.report.board_reason`, the words of the report's scenario
            tables, so no rule id or finding name shows); None keeps them as
            :func:`~taxonomy.whatif.compare.because` wrote them.
    """
    said = reason if reason is not None else str
    lines = [f"# What-if: {comparison.baseline.portfolio.name}", ""]
    day = law_line(comparison.baseline.portfolio)
    if day:
        lines += [f"Baseline: {day[0].lower()}{day[1:]}.", ""]
    for outcome in comparison.outcomes:
        lines += [f"## {outcome.scenario.name}", ""]
        if outcome.scenario.description:
            lines += [outcome.scenario.description, ""]
        for note in outcome.notes:
            lines.append(f"- {note}")
        if outcome.notes:
            lines.append("")
        if not outcome.changes:
            lines += ["No function changes arrangement or lead.", ""]
        else:
            lines += ["| function | from | to | because |", "|---|---|---|---|"]
            for c in outcome.changes:
                lines.append(
                    f"| {c.function} | {c.before.words} | {c.after.words} | "
                    f"{'; '.join(said(r) for r in c.because)} |"
                )
            lines.append("")
        if outcome.metrics is not None:
            lines += ["| metric | baseline | scenario |", "|---|---:|---:|"]
            for key, value in outcome.metrics.flat().items():
                name = key.replace("_", " ")  # as the table writes it
                lines.append(f"| {name} | {comparison.baseline_metrics.flat()[key]} | {value} |")
            lines.append("")
    return "\n".join(lines)


def comparison_table(comparison: Comparison, *, width: int = 120, color: bool = False) -> str:
    """A readable report for a terminal."""
    import io

    from rich.console import Console
    from rich.table import Table

    console = Console(
        file=io.StringIO(),
        width=width,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        record=True,
    )
    for outcome in comparison.outcomes:
        console.rule(outcome.scenario.name)
        for note in outcome.notes:
            console.print(f"• {note}")
        if outcome.changes:
            table = Table(title="Functions that change")
            for header in ("function", "from", "to", "because"):
                table.add_column(header, overflow="fold")
            for c in outcome.changes:
                table.add_row(c.function, c.before.words, c.after.words, "\n".join(c.because))
            console.print(table)
        else:
            console.print("No function changes arrangement or lead.")
        if outcome.metrics is not None:
            headers = ("baseline", "scenario")
            before = comparison.baseline_metrics
            console.print(metrics_table("Structure", headers, before, outcome.metrics))
    return console.export_text(styles=color)


RENDERERS.update(html=comparison_html, markdown=comparison_markdown, table=comparison_table)
