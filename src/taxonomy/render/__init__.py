"""Renderings of results: text, JSON and Markdown, the HTML report, pictures, exports, workbooks.

- :mod:`taxonomy.render.text`: tables, explanations, JSON and Markdown.
- :mod:`taxonomy.render.prose`: a recommendation as a paragraph a Board paper can quote.
- :mod:`taxonomy.render.report`: one self-contained HTML report.
- :mod:`taxonomy.render.picture`: the structure as A4 pictures: SVG, PNG or PDF.
- :mod:`taxonomy.render.export`: the graph as GraphML, DOT or node-link JSON.

The results' display methods (``explain()``, a notebook's rich output) render through
:mod:`taxonomy.render.html`, registered here when this package is imported: the model never
imports it (see :func:`taxonomy._results.register_renderer`).
"""

from __future__ import annotations

from taxonomy._results import Renderer, register_renderer


def _html() -> Renderer:
    from taxonomy.render import html  # imported when something is first displayed

    return html


register_renderer(_html)
