"""The HTML report a Board paper can carry: one self-contained file, printable to A4.

``build_report(portfolio, scenarios=...)`` renders the summary (counts per arrangement, as-is
against to-be metrics), the recommendations, each explanation with the papers' citations, the
accountability pictures (inline SVG), the check findings and the scenario comparisons. No network
and no external assets: styles, pictures and the one small script (which opens every explanation
when printing) are inside the file. Rich notebook output (``_repr_html_``) uses the same pieces.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from taxonomy._model import Arrangement, Portfolio
from taxonomy.language.rules import RulePack
from taxonomy.render.html import classification_table_html
from taxonomy.render.text import law_line

__all__ = ["build_report"]


def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("taxonomy.render", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )


def build_report(
    portfolio: Portfolio,
    *,
    scenarios: Sequence[Any] = (),
    rules: RulePack | None = None,
    pictures: bool = True,
    as_of: datetime.date | str | None = None,
) -> str:
    """The HTML report for ``portfolio`` (and, optionally, scenarios compared with it).

    A dated law is judged on ``as_of`` (default: the portfolio's own); the header names the day
    and cites the provisions applied.
    """
    from taxonomy._version import __version__
    from taxonomy.classification import classify
    from taxonomy.language.rules import load_rules
    from taxonomy.structure.checks import check, measure
    from taxonomy.structure.graph import as_is_graph, build_graph
    from taxonomy.whatif.compare import compare

    pack = rules if rules is not None else load_rules()
    classification = classify(portfolio, rules=pack, as_of=as_of)
    portfolio = classification.portfolio  # the portfolio of the day judged on
    to_be = build_graph(classification)
    as_is = as_is_graph(portfolio, classification)
    findings = check(to_be)
    before, after = measure(as_is).flat(), measure(to_be, findings).flat()
    metrics = [(key.replace("_", " "), before[key], value) for key, value in after.items()]
    counts = [
        (a.category, a.title, sum(1 for r in classification if r.arrangement is a))
        for a in Arrangement
    ]
    figures = _pictures(to_be, as_is, pack) if pictures else []
    comparison = compare(portfolio, *scenarios, rules=pack) if scenarios else None
    template = _environment().get_template("report.html.j2")
    return str(
        template.render(
            version=__version__,
            portfolio=portfolio,
            law=law_line(portfolio),
            pack=classification.rule_pack,
            classification=classification,
            counts=counts,
            metrics=metrics,
            table=classification_table_html(classification),
            notes={fn.id: fn.notes for fn in portfolio.functions if fn.notes},
            pictures=figures,
            findings=findings,
            comparison=comparison,
            robust=_robustness(classification, pack),
            paper=pack.word("paper", "the taxonomy's source paper"),
            chain=classification.rule_pack.chain,
        )
    )


def _robustness(classification: Any, pack: RulePack) -> dict[str, Any]:
    """How many one-step answer changes move each placement (tie-only changes not counted)."""
    from taxonomy.whatif.counterfactual import robustness

    portfolio = classification.portfolio
    return {rec.function: robustness(portfolio, rec.function, rules=pack) for rec in classification}


#: Height left above each picture on its page for the section heading and the caption (the
#: pictures are drawn for the stylesheet's 12 mm picture-page margins).
_PICTURE_RESERVE_MM = 22.0


def _pictures(to_be: Any, as_is: Any, pack: RulePack) -> list[dict[str, str]]:
    """Every page of the to-be and as-is pictures: its caption, its A4 orientation, its SVG.

    Each picture page prints on a page of its own orientation (the named pages
    ``picture-portrait`` and ``picture-landscape`` of the stylesheet), at 100%: drawn for A4,
    its text is never under 8 pt on paper.
    """
    from taxonomy.render.picture import draw_pages

    word = dict(pack.vocabulary).get("governing_body")
    figures = []
    for caption, graph in (
        ("To-be: the structure the recommendations imply", to_be),
        ("As-is: each body runs its own team, under its own governing body", as_is),
    ):
        pages = draw_pages(
            graph, fmt="svg", board_word=word, margin_mm=13.0, reserve_mm=_PICTURE_RESERVE_MM
        )
        for page in pages:  # each page's own heading says "(page 1 of 2)"
            figures.append(
                {
                    "caption": caption,
                    "orientation": page.orientation,
                    "svg": _svg(page.data),
                }
            )
    return figures


def _svg(data: bytes) -> str:
    text = data.decode("utf-8")
    start = text.find("<svg")
    return text[start:] if start >= 0 else text
