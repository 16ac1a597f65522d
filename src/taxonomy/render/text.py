"""Renderings of results: readable text, tables, Markdown and the stable JSON contract.

Results are data (see ``_model``); everything here only turns that data into text, so every
rendering shows the same derivation.
"""

from __future__ import annotations

import io
import json
from typing import Any

from taxonomy._model import Classification, Firing, PackIdentity, Portfolio, Recommendation

__all__ = ["explain_text", "jsonl_header", "to_json", "to_json_line", "to_markdown", "to_table"]


def to_json(classification: Classification) -> str:
    """The stable JSON contract, byte-identical for the same input.

    ``{"rule_pack": {"name", "version", "hash"}, "recommendations": [{"function", "name",
    "arrangement", "category", "lead", "explanation"}]}``
    """
    return json.dumps(classification.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def to_json_line(recommendation: Recommendation) -> str:
    """One recommendation as one line of JSON (``classify --format jsonl``).

    The object is the one :func:`to_json` lists under ``recommendations``, byte for byte once
    parsed; the rule pack's identity is on the first line (:func:`jsonl_header`).
    """
    return json.dumps(recommendation.to_dict(), sort_keys=True, ensure_ascii=False) + "\n"


def jsonl_header(portfolio: Portfolio, pack: PackIdentity) -> str:
    """The first line of ``classify --format jsonl``: the portfolio and the rule pack."""
    header = {"portfolio": portfolio.name, "rule_pack": pack.to_dict()}
    return json.dumps(header, sort_keys=True, ensure_ascii=False) + "\n"


def _rows(classification: Classification) -> list[tuple[str, str, str, str, str]]:
    return [
        (
            r.function,
            r.name,
            f"{r.category} {r.arrangement.title}",
            r.lead_text,
            r.explanation.decided_by.rule
            + (
                f" capped by {', '.join(f.rule for f in r.explanation.capped_by)}"
                if r.explanation.capped_by
                else ""
            ),
        )
        for r in classification
    ]


_HEADERS = ("function", "name", "arrangement", "lead", "decided by")


def to_markdown(classification: Classification) -> str:
    """A Markdown table of the recommendations, with the pack's identity."""
    pack = classification.rule_pack
    lines = [
        f"# {classification.portfolio.name}",
        "",
        f"Rule pack: {pack.name} {pack.version} (sha256 {pack.hash[:12]})",
        "",
        "| " + " | ".join(_HEADERS) + " |",
        "|" + "|".join("---" for _ in _HEADERS) + "|",
    ]
    for row in _rows(classification):
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    return "\n".join(lines) + "\n"


def to_table(classification: Classification, *, width: int = 120, color: bool = False) -> str:
    """A readable table for a terminal."""
    from rich.console import Console
    from rich.table import Table

    pack = classification.rule_pack
    table = Table(
        title=classification.portfolio.name,
        caption=f"rule pack {pack.name} {pack.version} · sha256 {pack.hash[:12]}",
    )
    styles = {1: "green", 2: "cyan", 3: "yellow", 4: "red"}
    for header in _HEADERS:
        # The arrangement and ids are what a reader scans for: never wrap them.
        keep = header in ("function", "arrangement", "lead")
        table.add_column(header, overflow="fold", no_wrap=keep)
    for rec, row in zip(classification, _rows(classification), strict=True):
        table.add_row(*row, style=styles[rec.category] if color else None)
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width, force_terminal=color, no_color=not color, highlight=False
    )
    console.print(table)
    return buffer.getvalue()


def explain_text(rec: Recommendation) -> str:
    """A readable account of one recommendation: the decision, the cap, the lead, every rule."""
    ex = rec.explanation
    lines = [
        f"{rec.name} ({rec.function})",
        f"  arrangement: category {rec.category}, {rec.arrangement.title} ({rec.arrangement})",
        f"  lead: {rec.lead_text if rec.lead_status != 'joint' else 'joint (no single lead body)'}",
        "",
        "Decided by:",
        *_node(ex, ex.decided_by, "  "),
    ]
    if ex.capped_by:
        lines += ["", "Capped by legal constraint:"]
        for firing in ex.capped_by:
            lines += _node(ex, firing, "  ")
    if ex.lead_by is not None:
        lines += ["", "Lead set by:", *_node(ex, ex.lead_by, "  ")]
    for note in ex.notes:
        lines += ["", f"Note: {note}"]
    lines += ["", "Every rule that fired:"]
    for firing in ex.fired:
        lines.append(
            f"  - {firing.rule} [{firing.question}, priority {firing.priority}]: "
            f"{firing.conclusion}"
        )
    return "\n".join(lines) + "\n"


def _node(ex: Any, firing: Firing, indent: str) -> list[str]:
    matched = ", ".join(f"{k} = {v}" for k, v in firing.shown)
    lines = [
        f"{indent}{firing.rule}: {firing.conclusion}",
        f"{indent}  because {firing.because}",
        f"{indent}  on {matched}" if matched else f"{indent}  (no condition: always applies)",
        f"{indent}  source: {firing.source}; principles: {', '.join(firing.principles)}",
    ]
    for child in ex.derivation(firing):
        lines += _node(ex, child, indent + "    ")
    return lines
