"""Spreadsheet cells that cannot run: text a spreadsheet program would take for a formula.

A name or a note that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run
as a formula by spreadsheet programs when the file is opened (CSV injection, OWASP). Every writer
of workbooks and CSV in ``taxonomy`` neutralises such text, and every reader undoes it, so files
round-trip without loss:

- XLSX: the cell is stored as text (a string cell), never as a formula; nothing is added to it.
- CSV: the text gets a leading apostrophe, as OWASP recommends; text that itself starts with an
  apostrophe gets one more, and the reader removes exactly one.

>>> csv_text("=SUM(A1:A9)"), csv_text("'quoted"), csv_text("Pricing")
("'=SUM(A1:A9)", "''quoted", 'Pricing')
>>> from_csv(csv_text("=1+1")), from_csv(csv_text("'quoted"))
('=1+1', "'quoted")
"""

from __future__ import annotations

from typing import Any

__all__ = ["FORMULA_START", "as_text_cells", "csv_text", "from_csv"]

#: How text that a spreadsheet program would run as a formula begins.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: Any) -> Any:
    """``value`` for a CSV cell: text that could run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith((*FORMULA_START, "'")):
        return "'" + value
    return value


def from_csv(text: str) -> str:
    """A CSV cell's text as written by :func:`csv_text`'s caller: one leading apostrophe off."""
    return text[1:] if text.startswith("'") else text


def as_text_cells(sheet: Any) -> None:
    """Store every cell of an openpyxl worksheet that holds text as text, never as a formula."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.data_type == "f":
                cell.data_type = "s"
