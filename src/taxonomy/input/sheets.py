"""A portfolio's spreadsheet files read as tables: each sheet's headings and its rows of cells.

An XLSX workbook has a sheet per shape (:data:`taxonomy.input.shapes.SHEETS`); a CSV portfolio
is ``NAME.csv`` (the functions) and a ``NAME.SHEET.csv`` beside it for each other sheet. A cell
is read as written (whole numbers a workbook stores as floats read as whole); a heading given
twice, a value under no heading, an unknown sheet or a damaged file is one clear error.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from taxonomy.errors import PortfolioError, Problems, did_you_mean
from taxonomy.input.answers import undeclared
from taxonomy.input.cells import from_csv
from taxonomy.input.reader import Cells, Location, read_bytes, read_lines, read_text
from taxonomy.input.shapes import SHEETS
from taxonomy.language.facts import ANSWER_QUESTIONS

if TYPE_CHECKING:
    from taxonomy.language.rules import RulePack

__all__ = [
    "Table",
    "boolean",
    "check_columns",
    "csv_rows",
    "located_cells",
    "split_cell",
    "table_rows",
    "tables_from_csv",
    "tables_from_xlsx",
]

#: A sheet read: (row number, {heading: value}) for each row; the first item holds the headings.
Table = list[tuple[int, dict[str, Any]]]


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        text = value.replace("\r\n", "\n").strip()
        return text or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _csv_cell(raw: str) -> str | None:
    """A CSV cell as :func:`_cell` reads :func:`~taxonomy.input.cells.from_csv`'s text."""
    text = (raw[1:] if raw[:1] == "'" else raw).replace("\r\n", "\n").strip()
    return text or None


def located_cells(values: Iterable[Any], *, sheet: str, row: int, column: str) -> Cells:
    """``values``, read from one cell, each at that cell."""
    return Cells(values, at=Location(row, sheet, column))


def split_cell(value: Any) -> list[str]:
    """The values a cell lists, separated by commas.

    >>> split_cell("nhse, nhsi,")
    ['nhse', 'nhsi']
    """
    if value is None:
        return []
    return [part.strip() for part in str(value).split(",") if part.strip()]


def boolean(value: Any, error: Exception) -> bool:
    """A true/false cell (``yes``, ``n``, ``1`` too); ``error`` is raised for anything else."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "y", "1"):
        return True
    if text in ("false", "no", "n", "0"):
        return False
    raise error


def check_columns(
    file: str,
    sheet: str,
    header: Sequence[str],
    allowed: Sequence[str],
    *,
    prefix_ok: str | None = None,
    rules: RulePack | None = None,
    problems: Problems | None = None,
    named_at: str | None = None,
) -> None:
    """Refuse each heading not in ``allowed`` (recorded in ``problems``, or the first raised).

    ``rules`` says which pack's questions were allowed; ``named_at``, where the workbook named
    it (see :func:`taxonomy.input.portfolio.undeclared`).
    """
    found = problems if problems is not None else Problems(PortfolioError, file=file)
    for column in header:
        if column in allowed or (prefix_ok and column.startswith(prefix_ok)):
            continue
        message = "unknown column"
        if rules is not None and "." in column and column.split(".")[0] in ANSWER_QUESTIONS:
            message = "unknown column: " + undeclared(rules, column, named_at=named_at)
        found.add(
            PortfolioError(
                message,
                file=file,
                sheet=sheet,
                line=1,
                column=column,
                allowed=[*allowed, *([f"{prefix_ok}<body id>"] if prefix_ok else [])],
                suggestion=did_you_mean(column, allowed),
            )
        )
    if problems is None:
        found.raise_if_any()


def _blank(cells: Sequence[Any]) -> bool:
    """Whether every cell is empty (None, or "" in CSV), at C speed for long rows."""
    empty = cells.count(None)
    return empty == len(cells) or empty + cells.count("") == len(cells)


#: How many columns past the last heading of a workbook's sheet are read for stray values.
_UNHEADED_SEEN = 256


def _column_name(sheet_is_csv: bool, index: int) -> str:
    """A column as a user finds it: a letter in a workbook, a number in a CSV file."""
    if sheet_is_csv:
        return f"column {index + 1}"
    from openpyxl.utils import get_column_letter

    return f"column {get_column_letter(index + 1)}"


def _table(
    file: str, sheet: str, rows: Iterable[Sequence[Any]], *, convert: Callable[[Any], Any]
) -> Table:
    """One sheet's rows as (row number, {heading: value}); the first item holds the headings."""
    return list(table_rows(file, sheet, rows, convert=convert))


def table_rows(
    file: str, sheet: str, rows: Iterable[Sequence[Any]], *, convert: Callable[[Any], Any]
) -> Iterator[tuple[int, dict[str, Any]]]:
    """One sheet's rows as (row number, {heading: value}), as they are read; headings first.

    The first item is ``(0, {"__header__": headings})``. A heading given twice, a value under
    no heading and a sheet with no heading row are errors, raised when reached: none of them
    can be read without dropping or overriding something the user wrote.
    """
    is_csv = file.lower().endswith(".csv")
    found = iter(rows)
    first = next(found, None)
    if first is None:
        raise PortfolioError(
            "is empty: the first row must hold the column headings", file=file, sheet=sheet
        )
    header = _headings(file, sheet, first, is_csv)
    yield 0, {"__header__": header}
    width = len(header)
    every_headed = "" not in header
    # A CSV cell is text: read in one step (from_csv, then _cell's reading of text).
    read = _csv_cell if convert is from_csv else lambda raw: _cell(convert(raw))
    for number, row in enumerate(found, start=2):
        if _blank(row):  # fast, for the million blank rows a workbook may claim
            continue
        if len(row) > width and _blank(row[width:]):  # nothing beyond the headings
            row = row[:width]
        if every_headed and len(row) <= width:  # each value under a heading: the usual row
            values = list(map(read, row))
            if values.count(None) < len(values):
                yield number, dict(zip(header, values, strict=False))
            continue
        cells: dict[str, Any] = {}
        for index, raw in enumerate(row):
            value = read(raw)
            heading = header[index] if index < width else ""
            if heading:
                cells[heading] = value
            elif value is not None:
                raise PortfolioError(
                    f"a value in {_column_name(is_csv, index)}, which has no heading: give the "
                    "column a heading or move the value",
                    file=file,
                    sheet=sheet,
                    line=number,
                )
        if any(v is not None for v in cells.values()):
            yield number, cells


def _headings(file: str, sheet: str, first: Sequence[Any], is_csv: bool) -> list[str]:
    """A sheet's headings (none after the last given); one given twice is an error."""
    header = [str(h).strip() if h is not None else "" for h in first]
    while header and not header[-1]:
        header.pop()
    seen: dict[str, int] = {}
    for index, heading in enumerate(header):
        if heading and heading in seen:
            raise PortfolioError(
                f"the heading '{heading}' is given twice ({_column_name(is_csv, seen[heading])} "
                f"and {_column_name(is_csv, index)}): one would silently override the other",
                file=file,
                sheet=sheet,
                line=1,
            )
        seen[heading] = index
    return header


def tables_from_xlsx(path: Path) -> dict[str, Table]:
    """Each sheet of the workbook at ``path`` as a table (the guide sheet left out)."""
    import openpyxl

    # At most the size limit is read (a workbook may be a pipe or a symlink to a device).
    data = read_bytes(path, error=PortfolioError)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise PortfolioError(
            f"not a readable XLSX workbook: {_reason(exc)}", file=str(path)
        ) from None
    try:
        return _read_sheets(path, book)
    finally:
        book.close()  # a read-only workbook holds the file open


def _read_sheets(path: Path, book: Any) -> dict[str, Table]:
    """Each sheet of an open workbook as a table; a sheet that cannot be read is one error.

    A read-only workbook reads a sheet's XML as its rows are asked for, so damage there (XML cut
    short, a cell reference such as ``A-1``, text in a number cell, a number of 5,000 digits)
    shows only then, as whatever openpyxl, zipfile or the XML parser raises.
    """
    tables: dict[str, Table] = {}
    title = None
    try:
        for sheet in book.worksheets:
            title = sheet.title
            if sheet.title not in SHEETS:
                raise PortfolioError(
                    f"unknown sheet '{sheet.title}'",
                    file=str(path),
                    allowed=SHEETS,
                    suggestion=did_you_mean(sheet.title, SHEETS),
                )
            if sheet.title == "questions":
                continue
            # A workbook may claim 16,384 columns (one blank cell far to the right): read the
            # headed columns and _UNHEADED_SEEN beyond them, never the whole width.
            first = next(sheet.iter_rows(values_only=True, max_row=1), ())
            width = len(first) - next(
                (i for i, v in enumerate(reversed(first)) if v is not None), 0
            )
            rows = sheet.iter_rows(values_only=True, max_col=max(1, width) + _UNHEADED_SEEN)
            tables[sheet.title] = _table(str(path), sheet.title, rows, convert=lambda v: v)
    except PortfolioError:
        raise
    except Exception as exc:  # as for load_workbook: any kind, from openpyxl, zipfile or XML
        raise PortfolioError(
            f"the sheet cannot be read, the workbook is damaged: {_reason(exc)}",
            file=str(path),
            sheet=title,
        ) from None
    return tables


def _reason(exc: BaseException) -> str:
    """What went wrong, in the words of the library that raised ``exc`` (its type if silent)."""
    return " ".join(str(exc).split()) or type(exc).__name__


def tables_from_csv(path: Path, *, functions: bool = True) -> dict[str, Table]:
    """The CSV portfolio at ``path`` (``NAME.csv`` and its siblings) as a table per sheet.

    Without ``functions``, ``NAME.csv`` (the functions) must be there but is not read (it is
    read as a stream: :func:`csv_rows`).
    """
    stem = path.name[: -len(".csv")]
    tables: dict[str, Table] = {}
    files = {"functions": path}
    for sheet in SHEETS:
        if sheet in ("functions", "questions"):
            continue
        files[sheet] = path.with_name(f"{stem}.{sheet}.csv")
    for sheet, file in files.items():
        if not file.exists():
            if sheet in ("functions", "bodies"):
                raise PortfolioError(
                    f"a CSV portfolio needs {file.name} beside {path.name}", file=str(file)
                )
            continue
        if sheet == "functions" and not functions:
            continue
        text = read_text(file, error=PortfolioError, encoding="utf-8-sig", newlines=False)
        try:
            rows = csv.reader(io.StringIO(text, newline=""))
            table = _table(str(file), sheet, rows, convert=from_csv)
        except csv.Error as exc:
            raise PortfolioError(f"not valid CSV: {exc}", file=str(file)) from None
        tables[sheet] = table
    return tables


def csv_rows(path: Path, sheet: str) -> Generator[tuple[int, dict[str, Any]], None, None]:
    """One CSV sheet's rows as :func:`table_rows` gives them, read from the file as asked for.

    What :func:`tables_from_csv` reads whole, for a file too large to hold (a portfolio's
    functions, streamed): the same rows and the same errors, each raised when its row is
    reached, and one row in memory at a time.
    """
    lines = read_lines(path, error=PortfolioError, encoding="utf-8-sig")
    try:
        yield from table_rows(str(path), sheet, csv.reader(lines), convert=from_csv)
    except csv.Error as exc:
        raise PortfolioError(f"not valid CSV: {exc}", file=str(path)) from None
    finally:
        lines.close()
