"""Renderings of results: text, JSON and Markdown, the HTML report, pictures, exports, workbooks.

- :mod:`taxonomy.render.text`: tables, explanations, JSON and Markdown.
- :mod:`taxonomy.render.prose`: a recommendation as a paragraph a Board paper can quote.
- :mod:`taxonomy.render.report`: one self-contained HTML report.
- :mod:`taxonomy.render.picture`: the structure as A4 pictures: SVG, PNG or PDF.
- :mod:`taxonomy.render.export`: the graph as GraphML, DOT or node-link JSON.
"""
