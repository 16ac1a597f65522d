"""A spreadsheet's rows read as the YAML's mappings, each value at its sheet, row and column.

Each sheet is a shape's (:mod:`taxonomy.input.shapes`): a row is one item, a column one key (a
section's keys under its prefix: ``legal.delegable_to``); a list is one cell, its values
separated by commas. The mappings are then read by the portfolio's own reader, so a cell is
checked as the YAML would be.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from taxonomy.errors import PortfolioError, Problems, did_you_mean
from taxonomy.input.governance import cell_entry
from taxonomy.input.keys import Key, Shape
from taxonomy.input.per_body import cell_per_body
from taxonomy.input.reader import Cells, Location, Row
from taxonomy.input.shapes import ABOLITION, EMPTY_LIST, FUNCTION, FUNCTION_LAW, LEGAL, PROVISION
from taxonomy.input.sheets import Table, boolean, check_columns, located_cells, split_cell
from taxonomy.language.facts import OPEN_TYPES

if TYPE_CHECKING:
    from taxonomy.language.facts import Fact

__all__ = [
    "KeyRows",
    "day_cell",
    "dated_law",
    "function_row",
    "item_rows",
]


class KeyRows(Row):
    """The ``portfolio`` sheet's keys read as one mapping: each key at its own row's value."""

    def __init__(self, data: Mapping[str, Any], *, sheet: str, rows: Mapping[str, int]) -> None:
        super().__init__(
            data,
            sheet=sheet,
            row=min(rows.values(), default=1),
            columns=dict.fromkeys(data, "value"),
        )
        self.rows = dict(rows)

    def location(self, key: str | None = None) -> Location:
        """Where the key's value is (or the first of the keys)."""
        return Location(self.rows.get(key, self.row) if key else self.row, self.sheet, "value")


def day_cell(value: Any) -> Any:
    """A day as a workbook gives it: a date cell is read as a time at midnight."""
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date()
    return value


def item_rows(shape: Shape, table: Table, file: str, problems: Problems) -> list[Row]:
    """Each row of ``shape``'s sheet as its mapping, a list cell split (headings checked)."""
    sheet = shape.sheet or ""
    check_columns(file, sheet, table[0][1]["__header__"], shape.columns(), problems=problems)
    rows = []
    listed = shape.listed
    dated = {k.name: k.shape for k in shape.keys if k.shape is not None and k.kind == "ids"}
    days = {k.name for k in shape.keys if k.kind == "day"}
    for row, cells in table[1:]:
        entry = {
            k: (located_cells(split_cell(v), sheet=sheet, row=row, column=k) if k in listed else v)
            for k, v in cells.items()
            if v is not None
        }
        for k in days & set(entry):
            entry[k] = day_cell(entry[k])
        for k, inner in dated.items():  # a dated entry: `west (from 2020-04-01)`
            if k in entry and inner is not None:
                values = [cell_entry(str(v), inner) for v in entry[k]]
                entry[k] = located_cells(values, sheet=sheet, row=row, column=k)
        rows.append(Row(entry, sheet=sheet, row=row, columns={k: k for k in entry}))
    return rows


def _true_or_false(
    value: Any, *, file: str, sheet: str, row: int | None, column: str, item: str | None = None
) -> bool:
    """A true/false cell; anything else raises, with true and false allowed and a suggestion."""
    return boolean(
        value,
        PortfolioError(
            "must be true or false",
            file=file,
            sheet=sheet,
            line=row,
            column=column,
            item=item,
            allowed=("true", "false"),
            suggestion=did_you_mean(str(value).lower(), ("true", "false")),
        ),
    )


def dated_law(tables: dict[str, Table], file_of: Callable[[str], str], problems: Problems) -> Cells:
    """The ``law``, ``abolitions`` and ``law_functions`` sheets as the YAML's provisions.

    Problems are recorded.
    """
    sheet = PROVISION.sheet or ""
    header = tables[sheet][0][1]["__header__"]
    check_columns(file_of(sheet), sheet, header, PROVISION.columns(), problems=problems)
    provisions: list[Row] = []
    by_id: dict[str, Row] = {}
    for row, cells in tables[sheet][1:]:
        entry = {k: day_cell(v) for k, v in cells.items() if v is not None}
        for key in PROVISION.keys:
            if key.kind == "bool" and key.name in entry:
                try:
                    entry[key.name] = _true_or_false(
                        entry[key.name], file=file_of(sheet), sheet=sheet, row=row, column=key.name
                    )
                except PortfolioError as error:
                    problems.add(error)
                    entry[key.name] = False
        provision = Row(entry, sheet=sheet, row=row, columns={k: k for k in entry})
        provisions.append(provision)
        if isinstance(entry.get("id"), str):
            by_id.setdefault(entry["id"], provision)
    if ABOLITION.sheet in tables:
        _abolitions(tables, file_of, problems, by_id)
    if FUNCTION_LAW.sheet in tables:
        _function_laws(tables, file_of, problems, by_id)
    return located_cells(provisions, sheet=sheet, row=1, column="id")


def _abolitions(
    tables: dict[str, Table],
    file_of: Callable[[str], str],
    problems: Problems,
    by_id: dict[str, Row],
) -> None:
    """Each row of the ``abolitions`` sheet added to the provision it names."""
    for abolition in _owned(ABOLITION, tables, file_of, problems, by_id, "abolishes", "body"):
        by_id[abolition.pop("__provision__")]["abolishes"].append(abolition)


def _function_laws(
    tables: dict[str, Table],
    file_of: Callable[[str], str],
    problems: Problems,
    by_id: dict[str, Row],
) -> None:
    """Each row of the ``law_functions`` sheet added, as a ``functions`` entry, to its provision.

    Its ``legal.*`` columns are the entry's ``legal``: an empty cell sets nothing, ``(none)``
    (:data:`EMPTY_LIST`) an empty list.
    """
    sheet = FUNCTION_LAW.sheet or ""
    for law in _owned(FUNCTION_LAW, tables, file_of, problems, by_id, "functions", "function"):
        named = law.pop("__provision__")
        legal: dict[str, Any] = {}
        columns: dict[str, str] = {}
        for key in LEGAL.keys:
            column = f"{LEGAL.prefix}{key.name}"
            value = law.pop(column, None)
            law.columns.pop(column, None)
            columns[key.name] = column
            if value is None:
                continue
            if key.listed and isinstance(value, str) and value.strip() == EMPTY_LIST:
                value = located_cells([], sheet=sheet, row=law.row, column=column)
            elif key.listed and not (key.kind == "ids" and str(value).strip() in key.values):
                value = located_cells(split_cell(value), sheet=sheet, row=law.row, column=column)
            elif key.listed:
                value = str(value).strip()  # `all`: not an id
            elif key.kind == "bool":
                try:
                    value = _true_or_false(
                        value, file=file_of(sheet), sheet=sheet, row=law.row, column=column
                    )
                except PortfolioError as error:
                    problems.add(error)
                    continue
            legal[key.name] = value
        law["legal"] = Row(legal, sheet=sheet, row=law.row, columns=columns)
        law.columns["legal"] = "function"
        by_id[named]["functions"].append(law)


def _owned(
    shape: Shape,
    tables: dict[str, Table],
    file_of: Callable[[str], str],
    problems: Problems,
    by_id: dict[str, Row],
    key: str,
    first: str,
) -> list[Row]:
    """The rows of ``shape``'s sheet whose provision is in the ``law`` sheet.

    Each row keeps its provision's id as ``__provision__``; the provision gets an empty list
    under ``key`` if it had none. A row naming no such provision is a problem recorded.
    """
    sheet = shape.sheet or ""
    owner = shape.owner.name if shape.owner is not None else ""
    found = []
    for row in item_rows(shape, tables[sheet], file_of(sheet), problems):
        named = row.pop(owner, None)
        if named not in by_id:
            problems.add(
                PortfolioError(
                    f"'{named}' is not a provision of the 'law' sheet",
                    file=file_of(sheet),
                    sheet=sheet,
                    line=row.row,
                    column=owner,
                    allowed=list(by_id),
                    suggestion=did_you_mean(str(named), by_id),
                )
            )
            continue
        del row.columns[owner]
        provision = by_id[named]
        if key not in provision:
            provision[key] = located_cells([], sheet=sheet, row=row.row, column=first)
            provision.columns[key] = owner
        row["__provision__"] = named
        found.append(row)
    return found


def _listed_open(value: Any) -> bool:
    """Whether a cell lists the values an open answer may take (``low, high``)."""
    return isinstance(value, str) and "," in value and ".." not in value


def _level_cell(value: Any) -> Any:
    """A level cell as the YAML gives it: a list where it lists values (``low, high``).

    ``unknown`` and ``low..high`` are read as written, by the portfolio's reader.
    """
    return split_cell(value) if _listed_open(value) else value


def _answer_cell(fact: Fact, value: Any, row: int) -> Any:
    """A cell answering a question the pack declares, as the YAML would give it.

    Lists are split like the other list columns, true/false and whole numbers read from text;
    a value that cannot be read is passed on as written, for the pack's check to report.
    """
    kind = fact.type.name
    said = cell_per_body(value, sheet="functions", row=row, column=fact.name)
    if kind in OPEN_TYPES and said is not None:
        return said
    if kind in OPEN_TYPES and _listed_open(value):
        return [_answer_cell(fact, item, row) for item in split_cell(value)]
    if kind == "bodies":
        return located_cells(split_cell(value), sheet="functions", row=row, column=fact.name)
    if kind == "bool":
        try:
            return boolean(value, ValueError())
        except ValueError:
            return value
    if kind == "count":
        if isinstance(value, str) and value.strip().isdigit():
            try:
                return int(value)
            except ValueError:  # more digits than Python converts: as the YAML's, too large
                raise PortfolioError(
                    f"the number {value.strip()[:10]}… ({len(value.strip())} digits) is too "
                    "large: no answer is a number that large"
                ) from None
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # a body id, a choice or a text a spreadsheet took for a number
    return value


#: The column of each key of each question, by question (``legal.delegable_to``).
_COLUMNS = {
    key.name: {inner.name: f"{key.shape.prefix}{inner.name}" for inner in key.shape.keys}
    for key in FUNCTION.keys
    if key.shape is not None
}


class _FunctionRow:
    """One row of the functions sheet being read as the YAML's function."""

    def __init__(
        self,
        file: str,
        row: int,
        cells: dict[str, Any],
        answered: Sequence[Fact],
        problems: Problems | None,
    ) -> None:
        self.file, self.row, self.cells = file, row, cells
        self.answered, self.problems = answered, problems

    def record(self, error: PortfolioError) -> None:
        """Record ``error`` (raise it where there is nowhere to record it)."""
        if self.problems is None:
            raise error
        self.problems.add(error)

    def declared(self, question: str) -> tuple[dict[str, Any], dict[str, str]]:
        """The answers to the pack's questions under ``question``, and their columns."""
        entry: dict[str, Any] = {}
        columns: dict[str, str] = {}
        for fact in self.answered:
            if fact.question != question:
                continue
            columns[fact.key] = fact.name
            if self.cells.get(fact.name) is not None:
                try:
                    entry[fact.key] = _answer_cell(fact, self.cells[fact.name], self.row)
                except PortfolioError as error:
                    self.record(
                        PortfolioError(
                            error.problem,
                            file=self.file,
                            sheet="functions",
                            line=self.row,
                            column=fact.name,
                        )
                    )
        return entry, columns

    def value(self, key: Key, column: str) -> Any:
        """The cell of ``key`` (in ``column``) as the YAML would give it; None if empty."""
        value = self.cells.get(column)
        if value is None:
            return None
        if key.kind == "level":
            said = cell_per_body(value, sheet="functions", row=self.row, column=column)
            return said if said is not None else _level_cell(value)
        if key.listed:
            if key.kind == "ids" and str(value).strip() in key.values:  # `all`: not an id
                return str(value).strip()
            return located_cells(split_cell(value), sheet="functions", row=self.row, column=column)
        if key.kind == "bool":
            bad = PortfolioError(
                "must be true or false",
                file=self.file,
                sheet="functions",
                line=self.row,
                column=column,
                allowed=["true", "false"],
            )
            try:
                return boolean(value, bad)
            except PortfolioError:
                self.record(bad)
                return None
        return value

    def section(self, shape: Shape, question: str) -> Row:
        """A question's mapping: its own columns (``legal.*``) and the pack's under it."""
        keys = _COLUMNS[question]
        entry = {}
        for key in shape.keys:
            value = self.value(key, keys[key.name])
            if value is not None:
                entry[key.name] = value
        extra, columns = self.declared(question)
        return Row(entry | extra, sheet="functions", row=self.row, columns=keys | columns)

    def capability(self) -> Row:
        """Question 4's mapping: a column per body, and the pack's questions under it."""
        extra, declared = self.declared("capability")
        cells = self.cells
        columns = {
            c.split(".", 1)[1]: c
            for c in cells
            if c.startswith("capability.") and c not in declared.values()
        }
        levels = {
            body: cell_per_body(cells[c], sheet="functions", row=self.row, column=c)
            or _level_cell(cells[c])
            for body, c in columns.items()
            if cells[c] is not None
        }
        return Row(levels | extra, sheet="functions", row=self.row, columns=columns | declared)


def function_row(
    file: str,
    row: int,
    cells: dict[str, Any],
    answered: Sequence[Fact] = (),
    problems: Problems | None = None,
) -> Row:
    """One row of the functions sheet as the YAML's function (a bad true/false cell recorded)."""
    reading = _FunctionRow(file, row, cells, answered, problems)
    entry: dict[str, Any] = {}
    for key in FUNCTION.keys:
        if key.shape is not None and key.name == "capability":
            entry[key.name] = reading.capability()
        elif key.shape is not None:
            entry[key.name] = reading.section(key.shape, key.name)
        else:
            value = reading.value(key, key.name)
            if value is not None:
                entry[key.name] = value
    return Row(entry, sheet="functions", row=row, columns={k: k for k in entry})
