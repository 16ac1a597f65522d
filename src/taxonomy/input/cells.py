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

Workbooks have limits of their own, which openpyxl does not enforce (it cuts text silently, and
writes sheet titles Excel then "repairs"): :func:`check_cells` refuses text longer than a cell
holds, and :func:`sheet_title` makes any name a valid sheet title.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from taxonomy.errors import InputError

__all__ = [
    "FORMULA_START",
    "MAX_CELL_CHARACTERS",
    "MAX_SHEET_TITLE",
    "as_text_cells",
    "check_cells",
    "csv_text",
    "from_csv",
    "sheet_title",
]

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


#: The most characters an Excel cell holds; openpyxl cuts longer text to this without a word.
MAX_CELL_CHARACTERS = 32_767


def check_cells(
    rows: Iterable[Sequence[Any]],
    *,
    file: str,
    sheet: str,
    headings: bool = True,
    start: int = 1,
) -> None:
    """Refuse text longer than a cell holds, before a sheet of ``rows`` is written.

    With ``headings``, the first row is the headings, which name a cell's column in the message
    (else its letter does). Writing the workbook would otherwise keep the first 32,767
    characters and drop the rest. ``start`` is the row number of the first of ``rows``.

    Raises:
        InputError: naming the file, the sheet, the row and the column, and the text's length.

    >>> check_cells([["id", "name"], ["pay", "Payroll"]], file="p.xlsx", sheet="functions")
    >>> check_cells([["id", "name"], ["pay", "x" * 40_000]], file="p.xlsx", sheet="functions")
    Traceback (most recent call last):
    ...
    taxonomy.errors.InputError: p.xlsx: sheet 'functions', row 2, column 'name': text of 40000 ...
    """
    names: Sequence[Any] = ()
    for number, row in enumerate(rows, start=start):
        if number == start and headings:
            names = row
        for index, value in enumerate(row):
            if isinstance(value, str) and len(value) > MAX_CELL_CHARACTERS:
                column = names[index] if index < len(names) else None
                raise InputError(
                    f"text of {len(value)} characters: a workbook cell holds at most "
                    f"{MAX_CELL_CHARACTERS}, and the rest would be lost; shorten it, or write "
                    "YAML or CSV, which hold it whole",
                    file=file,
                    sheet=sheet,
                    line=number,
                    column=str(column) if column is not None else _letter(index),
                )


def _letter(index: int) -> str:
    """The letters of the 0-based column ``index``: 0 is A, 26 is AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


#: The most characters a sheet title may have.
MAX_SHEET_TITLE = 31

#: What a sheet title may not hold: ``[]:*?/\`` and characters no XML file can hold.
_NOT_IN_TITLE = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def sheet_title(name: str, taken: Iterable[str] = (), *, default: str = "sheet") -> str:
    r"""A valid sheet title for ``name``, unlike any title in ``taken``.

    Excel refuses (and "repairs") a title longer than 31 characters, holding any of
    ``[]:*?/\``, starting or ending with an apostrophe, named ``History`` (its own, for change
    tracking) or equal, ignoring case, to another sheet's. Those characters are dropped, the
    title is cut to 31 characters, and a number added where it would clash; ``default`` stands
    for a name left with nothing.

    >>> sheet_title("What if: 2019/20?")
    'What if 201920'
    >>> sheet_title("Joint committees allowed (2019 legislative proposals)")
    'Joint committees allowed (2019 '
    >>> sheet_title("'quoted'"), sheet_title("History"), sheet_title("???", default="scenario")
    ('quoted', 'History (2)', 'scenario')
    >>> long = "A scenario whose name is much longer than thirty-one characters"
    >>> first = sheet_title(long)
    >>> first, sheet_title(long, [first])
    ('A scenario whose name is much l', 'A scenario whose name is mu (2)')
    """
    title = _NOT_IN_TITLE.sub("", name).lstrip("'")[:MAX_SHEET_TITLE].rstrip("'")
    title = title if title.strip() else default
    used = {t.casefold() for t in taken} | {"history"}
    number = 1
    candidate = title
    while candidate.casefold() in used:
        number += 1
        suffix = f" ({number})"
        base = title[: MAX_SHEET_TITLE - len(suffix)].rstrip("'")
        candidate = f"{base}{suffix}"
    return candidate
