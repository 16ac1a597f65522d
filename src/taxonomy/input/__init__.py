"""Reading what users write: portfolios from YAML, spreadsheets (XLSX, CSV) and Python data.

- :mod:`taxonomy.input.reader`: safe YAML with locations, and the reader every loader shares.
- :mod:`taxonomy.input.portfolio`: portfolios from mappings (YAML or Python) and back.
- :mod:`taxonomy.input.spreadsheet`: portfolios as workbooks and CSV, and the template.
- :mod:`taxonomy.input.cells`: spreadsheet cells that cannot run as formulas, written and read.
"""
