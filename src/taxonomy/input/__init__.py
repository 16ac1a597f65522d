"""Reading what users write: portfolios from YAML, spreadsheets (XLSX, CSV) and Python data.

- :mod:`taxonomy.input.shapes`: every input shape declared once (its keys, columns, kinds,
  meanings and prompts), with :mod:`taxonomy.input.keys` saying what a shape and a key are.
- :mod:`taxonomy.input.reader`: the reader every loader shares, and files read within limits;
  :mod:`taxonomy.input.yaml_nodes`: safe YAML with the line of every value.
- :mod:`taxonomy.input.portfolio`: portfolios from mappings (YAML or Python) and back; its
  parts :mod:`~taxonomy.input.function`, :mod:`~taxonomy.input.legal`,
  :mod:`~taxonomy.input.answers`, :mod:`~taxonomy.input.provisions`,
  :mod:`~taxonomy.input.governance`, :mod:`~taxonomy.input.values` and
  :mod:`~taxonomy.input.writing`.
- :mod:`taxonomy.input.spreadsheet`: portfolios as workbooks and CSV, and the template; its
  parts :mod:`~taxonomy.input.sheets`, :mod:`~taxonomy.input.rows`,
  :mod:`~taxonomy.input.columns` and :mod:`~taxonomy.input.template`.
- :mod:`taxonomy.input.cells`: spreadsheet cells that cannot run as formulas, written and read.
"""
