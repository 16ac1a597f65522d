"""Small HTML renderings of results: a notebook's rich output, and parts of the report."""

from __future__ import annotations

import html

from taxonomy._model import Classification, Recommendation
from taxonomy.render.text import explain_text
from taxonomy.render.workbook import CATEGORY_COLOURS

__all__ = ["classification_table_html", "colour", "explain_text", "recommendation_html"]


def classification_table_html(classification: Classification) -> str:
    """The recommendations as an HTML table (also a notebook's rich output)."""
    rows = []
    for rec in classification:
        capped = ", ".join(f.rule for f in rec.explanation.capped_by)
        rows.append(
            f"<tr><td>{html.escape(rec.function)}</td><td>{html.escape(rec.name)}</td>"
            f'<td class="cat{rec.category}" style="background:{colour(rec.category)}">'
            f"{rec.category}. {html.escape(rec.arrangement.title)}</td>"
            f"<td>{html.escape(rec.lead_text)}</td>"
            f"<td>{html.escape(rec.explanation.decided_by.rule)}</td>"
            f"<td>{html.escape(capped)}</td></tr>"
        )
    return (
        "<table><tr><th>function</th><th>name</th><th>arrangement</th><th>lead</th>"
        "<th>decided by</th><th>capped by</th></tr>" + "".join(rows) + "</table>"
    )


def recommendation_html(rec: Recommendation) -> str:
    """One recommendation and its explanation as HTML (a notebook's rich output)."""
    return (
        f"<div><b>{html.escape(rec.name)}</b>: "
        f'<span style="background:{colour(rec.category)};padding:0 .3em">'
        f"{rec.category}. {html.escape(rec.arrangement.title)}</span>, lead "
        f"{html.escape(rec.lead_text)}<pre>{html.escape(explain_text(rec))}</pre></div>"
    )


def colour(category: int) -> str:
    """The fill colour of a category, as CSS (the results workbook's colours)."""
    return f"#{CATEGORY_COLOURS.get(category, 'EEEEEE')}"
