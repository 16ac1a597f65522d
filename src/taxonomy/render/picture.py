"""Pictures of an accountability graph, sized for a Board paper, in the spirit of Annex B's key.

The layout is a grid, not a force-directed hairball: one column per body (its governing body at
the top, named in the body's own word: "NHS England Board", "Eastbrook District Council
(Cabinet)"), one column for joint bodies and posts, and one row per function, grouped in bands
by arrangement (or by lead body). Each category has its own look:

- one team: a single bar spanning the columns of every body it serves;
- aligned: each body's own team, with a line to the joint body or joint plan they answer to;
- separate, with involvement: separate team boxes joined by a dashed line to the lead's team;
- separate and distinct: separate team boxes, no line.

The as-is picture (an as-is graph) is today's structure: each body's own teams, grouped by how
many bodies run each function, with no to-be categories and no planned posts.

Every picture is laid out on A4 (portrait, or landscape when the columns need it) with 15 mm
margins, and split over several pages when the rows do not fit on one: no text is smaller than
8.5 pt printed at 100%, and names are wrapped in full, never cut. :func:`draw_pages` gives the
pages one by one (bytes, orientation, title); :func:`draw` gives one file (a multi-page PDF, or
the pages one under another for SVG and PNG). SVG keeps its text as text, with a ``<title>`` and
a ``<desc>`` describing what the picture shows. Rendered with matplotlib's Agg, SVG and PDF
backends: no system binaries are needed.
"""

from __future__ import annotations

import attrs

from taxonomy.render.painter import render
from taxonomy.render.picture_plan import ORIENTATIONS, SMALLEST, plan_pages
from taxonomy.structure.graph import Graph

__all__ = ["FORMATS", "GROUPS", "ORIENTATIONS", "SMALLEST", "Page", "draw", "draw_pages"]

#: How function rows may be grouped.
GROUPS = ("arrangement", "body")
#: The picture formats.
FORMATS = ("svg", "png", "pdf")


@attrs.frozen
class Page:
    """One page of a picture.

    Attributes:
        data: the page's bytes in the format asked for.
        orientation: ``portrait`` or ``landscape`` (A4).
        title: the page's heading, e.g. ``To-be structure: ... (page 1 of 2)``.
        description: what the page shows, in words (the SVG's ``<desc>``, alt text).
    """

    data: bytes
    orientation: str
    title: str
    description: str


def draw_pages(
    graph: Graph,
    *,
    fmt: str = "svg",
    group: str = "arrangement",
    title: str | None = None,
    board_word: str | None = None,
    margin_mm: float = 15.0,
    reserve_mm: float = 0.0,
) -> list[Page]:
    """Draw ``graph`` on A4 pages, one :class:`Page` each (``svg``, ``png`` or ``pdf``).

    Args:
        graph: a to-be graph (:func:`~taxonomy.structure.graph.build_graph`) or an as-is one.
        fmt: ``svg`` (text kept as text), ``png`` or ``pdf`` (one single-page PDF per page).
        group: rows grouped by ``arrangement`` (as-is: by how many bodies run them) or ``body``.
        title: the heading of every page (default: the portfolio's name and the state).
        board_word: the generic word for a governing body in the key when the bodies' own
            words differ (a rule pack's ``governing_body``; default "governing body").
        margin_mm: the margin around the picture on the page.
        reserve_mm: height left free above the picture (for a heading the page carries).

    Raises:
        ValueError: an unknown ``fmt`` or ``group``.
    """
    _check(fmt, group)
    plans = plan_pages(graph, group, title, board_word, margin_mm, reserve_mm)
    return [
        Page(render([plan], fmt, full_page=False), plan.orientation, plan.title, plan.description)
        for plan in plans
    ]


def draw(
    graph: Graph,
    *,
    fmt: str = "svg",
    group: str = "arrangement",
    text_as_paths: bool = False,
    title: str | None = None,
    board_word: str | None = None,
) -> bytes:
    """Draw ``graph`` as one file: a multi-page A4 PDF, or SVG/PNG with the pages one under another.

    ``text_as_paths=True`` draws SVG text as outlines (for viewers without the font); by default
    it is text, searchable and read by screen readers. See :func:`draw_pages` for the rest.

    Raises:
        ValueError: an unknown ``fmt`` or ``group``.
    """
    _check(fmt, group)
    plans = plan_pages(graph, group, title, board_word, 15.0, 0.0)
    return render(plans, fmt, full_page=fmt == "pdf", text_as_paths=text_as_paths)


def _check(fmt: str, group: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"pictures are svg, png or pdf, not {fmt!r}")
    if group not in GROUPS:
        raise ValueError(f"group must be one of {', '.join(GROUPS)}, not {group!r}")
