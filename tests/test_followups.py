"""Follow-ups left by issues 24 and 25: each a defect a user would hit, with its test."""

from __future__ import annotations

import re

import taxonomy
from taxonomy.render.picture import draw, draw_pages
from taxonomy.structure.graph import as_is_graph, build_graph
from tests.conftest import ROOT

PANEL = ROOT / "tests/fixtures/independent_panel.yaml"


def _svg_text(svg: bytes) -> str:
    found = re.findall(r"<text\b[^>]*>([^<]*)</text>", svg.decode("utf-8"))
    return re.sub(r"\s+", " ", " ".join(found))


def test_the_picture_draws_outside_bodies_apart_and_labelled() -> None:
    """1. The DOT/JSON graph had the outside panels; the SVG/PNG picture left them out."""
    portfolio = taxonomy.load_portfolio(PANEL)
    for graph in (build_graph(taxonomy.classify(portfolio)), as_is_graph(portfolio)):
        svg = draw(graph, fmt="svg")
        text = _svg_text(svg)
        assert "Westshire Independent Review Panel" in text
        assert "Westshire Independent Audit Panel" in text
        assert "Outside the joint working" in text
        # Each says what must stay independent of it.
        assert "Complaints handling" in text and "Internal audit" in text
        (page,) = draw_pages(graph, fmt="svg")
        assert "Westshire Independent Review Panel" in page.description
        assert "outside the joint working" in page.description.lower()
        assert draw(graph, fmt="png").startswith(b"\x89PNG")
