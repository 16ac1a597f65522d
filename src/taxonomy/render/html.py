"""Small HTML renderings of results: a notebook's rich output, and parts of the report."""

from __future__ import annotations

import html
from collections.abc import Collection, Mapping, Sequence

from taxonomy._model import Portfolio, alone_words, lead_words
from taxonomy._results import Classification, Recommendation
from taxonomy.language.rules import RulePack
from taxonomy.render.prose import paragraph
from taxonomy.render.text import explain_text
from taxonomy.render.workbook import CATEGORY_COLOURS

__all__ = [
    "classification_table_html",
    "colour",
    "explain_text",
    "lead_names",
    "paragraph",
    "recommendation_html",
]


def classification_table_html(
    classification: Classification, *, bodies: Mapping[str, str] | None = None
) -> str:
    """The recommendations as an HTML table (also a notebook's rich output).

    With ``bodies`` (body id to name), the table is for people rather than tooling: functions
    and lead bodies by name, no id column and no rule ids (the last column says whether the law
    held the arrangement below what the answers gave). Without, each rule id is kept whole
    (``white-space: nowrap``).
    """
    rows = []

    def rule(rule_id: str) -> str:
        return f'<span style="white-space:nowrap">{html.escape(rule_id)}</span>'

    for rec in classification:
        ex = rec.explanation
        if bodies is None:
            function = f"<td>{html.escape(rec.function)}</td>"
            lead = rec.lead_text
            why = (
                f"<td>{rule(ex.decided_by.rule)}</td>"
                f"<td>{', '.join(rule(f.rule) for f in ex.capped_by)}</td>"
            )
        else:
            function = ""
            lead = lead_names(rec.lead, rec.tied, bodies)
            why = "<td>held here by law</td>" if ex.capped_by else "<td>the answers</td>"
        if not rec.decided:
            rows.append(_open_row(rec, function, bodies))
            continue
        rows.append(
            f"<tr>{function}<td>{html.escape(rec.name)}</td>"
            f'<td class="cat{rec.category}" '
            f'style="background:{colour(rec.settled_arrangement.category)}">'
            f"{rec.category}. {html.escape(rec.settled_arrangement.title)}"
            f"{html.escape(_alone(rec, bodies))}</td>"
            f"<td>{html.escape(lead)}</td>{why}</tr>"
        )
    if bodies is None:
        head = "<th>function</th><th>name</th><th>arrangement</th><th>lead</th>"
        head += "<th>decided by</th><th>capped by</th>"
    else:
        head = "<th>function</th><th>arrangement</th><th>lead</th><th>decided by</th>"
    return f"<table><tr>{head}</tr>" + "".join(rows) + "</table>"


def _open_row(rec: Recommendation, function: str, bodies: Mapping[str, str] | None) -> str:
    """A table row for a recommendation still open: its outcomes, and what to answer first."""
    from taxonomy.render.undecided import arrangement_cell, decided_cell

    leads = list(
        dict.fromkeys(
            o.lead_text if bodies is None else lead_names(o.lead, o.tied, bodies)
            for o in rec.possible
        )
    )
    first = decided_cell(rec)
    why = f"<td>{html.escape(first)}</td>" + ("<td></td>" if bodies is None else "")
    return (
        f'<tr>{function}<td>{html.escape(rec.name)}</td><td class="cat0">'
        f"{html.escape(arrangement_cell(rec))}</td>"
        f"<td>{html.escape('open: ' + _leads(rec, leads, bodies))}</td>{why}</tr>"
    )


def _leads(rec: Recommendation, leads: list[str], bodies: Mapping[str, str] | None) -> str:
    """The leads still possible: each, or where many (eight bodies tied every way), in brief."""
    from taxonomy._results import MAX_LEADS_LISTED, open_lead_words

    if len(leads) <= MAX_LEADS_LISTED:
        return " or ".join(leads)
    return open_lead_words(rec.possible, bodies)


def lead_names(
    lead: str | None,
    tied: Sequence[str],
    bodies: Mapping[str, str],
    *,
    everyone: Collection[str] | None = None,
) -> str:
    """A lead in words with bodies by name: the body, ``joint``, or ``undecided between ...``.

    A tie between every body (``everyone``, default: all of ``bodies``), three or more, is
    ``undecided between all N bodies (tie)`` rather than a list of every name.

    >>> names = {"nhse": "NHS England", "nhsi": "NHS Improvement"}
    >>> lead_names(None, ("nhse", "nhsi"), names)
    'undecided between NHS England and NHS Improvement (tie)'
    >>> lead_names(None, ("a", "b", "c"), {"a": "A", "b": "B", "c": "C"})
    'undecided between all 3 bodies (tie)'
    """
    if (
        lead is None
        and len(tied) > 2
        and set(tied) == set(bodies if everyone is None else everyone)
    ):
        return f"undecided between all {len(tied)} bodies (tie)"
    return lead_words(
        bodies.get(lead, lead) if lead is not None else None, [bodies.get(b, b) for b in tied]
    )


def recommendation_html(
    rec: Recommendation,
    context: Classification | Portfolio | None = None,
    *,
    rules: RulePack | None = None,
) -> str:
    """One recommendation and its explanation as HTML (a notebook's rich output).

    With ``context`` (the classification it belongs to, or the portfolio classified), its
    plain-language paragraph (:func:`taxonomy.render.prose.paragraph`) comes first. An open
    recommendation (answers left unknown give more than one outcome) says so, with the
    outcomes still possible. Every text is escaped.
    """
    summary = "" if context is None else paragraph(rec, context, rules=rules)
    words = f"<p>{html.escape(summary)}</p>" if summary else ""
    if rec.arrangement is None:
        head = f"open: {len(rec.possible)} outcomes possible"
    else:
        head = (
            f'<span style="background:{colour(rec.arrangement.category)};padding:0 .3em">'
            f"{rec.arrangement.category}. {html.escape(rec.arrangement.title)}"
            f"{html.escape(_alone(rec, None))}</span>, lead {html.escape(rec.lead_text)}"
        )
    return (
        f"<div><b>{html.escape(rec.name)}</b>: {head}{words}"
        f"<pre>{html.escape(explain_text(rec))}</pre></div>"
    )


def colour(category: int) -> str:
    """The fill colour of a category, as CSS (the results workbook's colours)."""
    return f"#{CATEGORY_COLOURS.get(category, 'EEEEEE')}"


def _alone(rec: Recommendation, bodies: Mapping[str, str] | None) -> str:
    """``: delivered by X alone`` where one body delivers it alone (by name, given ``bodies``)."""
    if rec.alone is None:
        return ""
    return f": {alone_words(bodies.get(rec.alone, rec.alone) if bodies else rec.alone)}"
