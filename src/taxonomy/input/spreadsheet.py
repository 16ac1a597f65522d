"""Portfolios as spreadsheets: XLSX workbooks and CSV files, read and written without loss.

A workbook has the sheets ``portfolio`` (``key``, ``value``: the name, the rule pack it is
answered for (``rules``: its folder, relative to the workbook; ``rules.name`` and
``rules.version``, as a YAML file's ``rules:`` mapping), ``as_of``, ``law.joint_committees``),
``bodies`` (``id``, ``name``, ``governing_body`` where one is not a
``Board``), ``functions`` (one row per function, a
column per answer: ``efficiency.duplication``, ..., ``legal.delegable_to`` as a comma-separated
list, ``capability.<body id>``, and ``QUESTION.KEY`` for each question the rule pack declares
beyond the model's own, e.g. ``legal.democratic_control``), when there is governance,
``joint_bodies`` and ``roles``, and, for a dated law, ``law`` (a row per provision) and
``abolitions`` (a row per abolition). The template adds a ``questions`` sheet explaining the four
key questions in the papers' words and each question the pack declares (its meaning and source),
a drop-down on every level, tier, true/false (the law's included), choice and body-id cell, and an
input prompt on every constrained cell.

CSV: ``NAME.csv`` is the functions table; beside it ``NAME.bodies.csv``, and, when needed,
``NAME.portfolio.csv``, ``NAME.joint_bodies.csv``, ``NAME.roles.csv``, ``NAME.law.csv`` and
``NAME.abolitions.csv``.

Every cell is validated as the YAML would be; errors name the file, the sheet, the row and the
column (``capability.westbrook``, as the sheet shows it), with a "did you mean". Every bad cell is
reported in one run.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from taxonomy._model import JOINT_BODY_KINDS, Level, OneOf, Portfolio, parse_day
from taxonomy.errors import PortfolioError, Problems, did_you_mean
from taxonomy.input.cells import as_text_cells, check_cells, csv_text, from_csv
from taxonomy.input.portfolio import (
    portfolio_from_data,
    portfolio_to_data,
    read_pack_reference,
    undeclared,
)
from taxonomy.input.reader import Cells, Location, Reader, Row, read_bytes, read_text
from taxonomy.language.facts import ANSWER_QUESTIONS, OPEN_TYPES, allowed_values

if TYPE_CHECKING:
    from taxonomy.language.facts import Fact
    from taxonomy.language.rules import RulePack

__all__ = [
    "QUESTIONS",
    "csv_portfolio_files",
    "read_portfolio",
    "write_portfolio",
    "write_template",
]

_FIXED_COLUMNS = [
    "id",
    "name",
    "level",
    "performed_by",
    "efficiency.duplication",
    "efficiency.simplification",
    "effectiveness.joint_benefit",
    "legal.statutory_owner",
    "legal.held_by_each",
    "legal.delegable_to",
    "legal.board_reserved",
    "legal.not_delegable_to",
    "legal.independence_from",
    "legal.separate_reason",
    "agreed_lead",
]
_LIST_COLUMNS = {
    "performed_by",
    "legal.statutory_owner",
    "legal.held_by_each",
    "legal.delegable_to",
    "legal.not_delegable_to",
    "legal.independence_from",
    "members",
    "delegated",
    "oversees",
    "reports_to",
    "accountable_for",
}
_BODY_COLUMNS = ["id", "name", "governing_body"]
_JOINT_COLUMNS = ["id", "name", "kind", "members", "delegated", "oversees", "notes"]
_ROLE_COLUMNS = ["id", "name", "employed_by", "reports_to", "accountable_for", "notes"]
_LAW_COLUMNS = ["id", "from", "until", "joint_committees", "source"]
_ABOLITION_COLUMNS = ["provision", "body", "into", "name"]
_META_KEYS = ["name", "rules", "rules.name", "rules.version", "as_of", "law.joint_committees"]
_SHEETS = (
    "portfolio",
    "bodies",
    "functions",
    "joint_bodies",
    "roles",
    "law",
    "abolitions",
    "questions",
)

#: The four key questions, for the template's guide sheet: title, columns and the question in
#: general words. A rule pack's vocabulary (``efficiency_question``, ...) gives its own wording;
#: the default pack's is the board paper's (para 8), its legal example said for any bodies.
QUESTIONS = [
    (
        "Efficiency (Q1)",
        "efficiency.duplication, efficiency.simplification",
        "Could we take out costs and inefficiency by removing duplication or simplifying "
        "processes?",
    ),
    (
        "Effectiveness (Q2)",
        "effectiveness.joint_benefit",
        "Could we improve our effectiveness by delivering a certain function or activity together?",
    ),
    (
        "Legal considerations (Q3)",
        "legal.statutory_owner, legal.held_by_each, legal.delegable_to, legal.board_reserved, "
        "legal.not_delegable_to, legal.independence_from, legal.separate_reason",
        "What legal constraints do we need to be aware of?",
    ),
    (
        "Organisational capability (Q4)",
        "capability.<body id>",
        "What is our current level of organisational capability in relation to a certain function "
        "or activity and could this be optimised by coming together?",
    ),
]


# --- reading ------------------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        text = value.replace("\r\n", "\n").strip()
        return text or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _cells(values: Iterable[Any], *, sheet: str, row: int, column: str) -> Cells:
    return Cells(values, at=Location(row, sheet, column))


def _split(value: Any) -> list[str]:
    if value is None:
        return []
    return [part.strip() for part in str(value).split(",") if part.strip()]


def _boolean(value: Any, error: Exception) -> bool:
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


def _check_columns(
    file: str,
    sheet: str,
    header: Sequence[str],
    allowed: Sequence[str],
    prefix_ok: str | None = None,
    pack: RulePack | None = None,
    problems: Problems | None = None,
    named_at: str | None = None,
) -> None:
    """Refuse each heading not in ``allowed`` (recorded in ``problems``, or the first raised).

    ``pack`` says which pack's questions were allowed; ``named_at``, where the workbook named
    it (see :func:`taxonomy.input.portfolio.undeclared`).
    """
    found = problems if problems is not None else Problems(PortfolioError, file=file)
    for column in header:
        if column in allowed or (prefix_ok and column.startswith(prefix_ok)):
            continue
        message = "unknown column"
        if pack is not None and "." in column and column.split(".")[0] in ANSWER_QUESTIONS:
            message = "unknown column: " + undeclared(pack, column, named_at=named_at)
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
) -> list[tuple[int, dict[str, Any]]]:
    """One sheet's rows as (row number, {heading: value}); the first item holds the headings.

    A heading given twice, a value under no heading and a sheet with no heading row are errors:
    none of them can be read without dropping or overriding something the user wrote.
    """
    is_csv = file.lower().endswith(".csv")
    found = iter(rows)
    first = next(found, None)
    if first is None:
        raise PortfolioError(
            "is empty: the first row must hold the column headings", file=file, sheet=sheet
        )
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
    table: list[tuple[int, dict[str, Any]]] = [(0, {"__header__": header})]
    for number, row in enumerate(found, start=2):
        if _blank(row):  # fast, for the million blank rows a workbook may claim
            continue
        cells: dict[str, Any] = {}
        tail = row[len(header) :]
        if _blank(tail):  # nothing beyond the headings
            row = row[: len(header)]
        for index, raw in enumerate(row):
            value = _cell(convert(raw))
            heading = header[index] if index < len(header) else ""
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
            table.append((number, cells))
    return table


def _tables_from_xlsx(path: Path) -> dict[str, list[tuple[int, dict[str, Any]]]]:
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


def _read_sheets(path: Path, book: Any) -> dict[str, list[tuple[int, dict[str, Any]]]]:
    """Each sheet of an open workbook as a table; a sheet that cannot be read is one error.

    A read-only workbook reads a sheet's XML as its rows are asked for, so damage there (XML cut
    short, a cell reference such as ``A-1``, text in a number cell, a number of 5,000 digits)
    shows only then, as whatever openpyxl, zipfile or the XML parser raises.
    """
    tables: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    title = None
    try:
        for sheet in book.worksheets:
            title = sheet.title
            if sheet.title not in _SHEETS:
                raise PortfolioError(
                    f"unknown sheet '{sheet.title}'",
                    file=str(path),
                    allowed=_SHEETS,
                    suggestion=did_you_mean(sheet.title, _SHEETS),
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


def _tables_from_csv(path: Path) -> dict[str, list[tuple[int, dict[str, Any]]]]:
    stem = path.name[: -len(".csv")]
    tables: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    files = {"functions": path}
    for sheet in ("portfolio", "bodies", "joint_bodies", "roles", "law", "abolitions"):
        files[sheet] = path.with_name(f"{stem}.{sheet}.csv")
    for sheet, file in files.items():
        if not file.exists():
            if sheet in ("functions", "bodies"):
                raise PortfolioError(
                    f"a CSV portfolio needs {file.name} beside {path.name}", file=str(file)
                )
            continue
        text = read_text(file, error=PortfolioError, encoding="utf-8-sig", newlines=False)
        try:
            rows = csv.reader(io.StringIO(text, newline=""))
            table = _table(str(file), sheet, rows, convert=from_csv)
        except csv.Error as exc:
            raise PortfolioError(f"not valid CSV: {exc}", file=str(file)) from None
        tables[sheet] = table
    return tables


def read_portfolio(path: str | Path, *, rules: RulePack | None = None) -> Portfolio:
    """Read a portfolio from an XLSX workbook or CSV files (see the module docstring)."""
    path = Path(path)
    try:
        path.stat()
    except FileNotFoundError:
        raise PortfolioError("no such file", file=str(path)) from None
    except OSError as exc:  # a name too long, say
        raise PortfolioError(f"cannot be read: {exc.strerror}", file=str(path)) from None
    is_csv = path.suffix.lower() == ".csv"
    tables = _tables_from_csv(path) if is_csv else _tables_from_xlsx(path)

    def file_of(sheet: str) -> str:
        if not is_csv:
            return str(path)
        stem = path.name[: -len(".csv")]
        return str(path if sheet == "functions" else path.with_name(f"{stem}.{sheet}.csv"))

    for required in ("bodies", "functions"):
        if required not in tables:
            raise PortfolioError(f"no '{required}' sheet", file=str(path), allowed=_SHEETS)
    problems = Problems(PortfolioError, file=str(path))
    data: dict[str, Any] = {}
    meta: dict[str, Any] = {}
    meta_rows: dict[str, int] = {}
    for row, cells in tables.get("portfolio", [])[1:]:
        key, value = cells.get("key"), cells.get("value")
        if key not in _META_KEYS:
            problems.add(
                PortfolioError(
                    f"unknown key '{key}'",
                    file=file_of("portfolio"),
                    sheet="portfolio",
                    line=row,
                    column="key",
                    allowed=_META_KEYS,
                    suggestion=did_you_mean(str(key), _META_KEYS),
                )
            )
            continue
        if str(key) in meta_rows:
            problems.add(
                PortfolioError(
                    f"the key '{key}' is given twice (rows {meta_rows[str(key)]} and {row}): one "
                    "would silently override the other",
                    file=file_of("portfolio"),
                    sheet="portfolio",
                    line=row,
                    column="key",
                )
            )
            continue
        meta[str(key)] = value
        meta_rows[str(key)] = row
        if key == "as_of" and value is not None:
            try:
                data["as_of"] = parse_day(_day_cell(value))
            except ValueError as exc:
                problems.add(
                    PortfolioError(
                        str(exc),
                        file=file_of("portfolio"),
                        sheet="portfolio",
                        line=row,
                        column="value",
                    )
                )
    data["name"] = meta.get("name") or path.stem
    named, named_at = None, None  # the pack the rest is read for, if the sheet names one
    reference = {k.partition(".")[2] or "path": meta[k] for k in _RULES_META if meta.get(k)}
    if reference:
        data["rules"] = _KeyRows(
            reference,
            sheet="portfolio",
            rows={k.partition(".")[2] or "path": meta_rows[k] for k in _RULES_META if k in meta},
        )
        reader = Reader(file_of("portfolio"), PortfolioError)
        _, named, named_at = read_pack_reference(
            reader, {"rules": data["rules"]}, path.parent, load=rules is None
        )
        rules = rules if rules is not None else named
    pack = _pack(rules)
    answered = pack.facts.answered()
    if "law" in tables and meta.get("law.joint_committees") is not None:
        raise PortfolioError(
            "give the law in the 'law' sheet (dated provisions) or as law.joint_committees here, "
            "not both",
            file=file_of("portfolio"),
            sheet="portfolio",
            column="key",
        )
    if "abolitions" in tables and "law" not in tables:
        raise PortfolioError(
            "abolitions belong to provisions of a 'law' sheet, and there is none",
            file=file_of("abolitions"),
            sheet="abolitions",
        )
    if "law" in tables:
        data["law"] = _dated_law(tables, file_of, problems)
    if meta.get("law.joint_committees") is not None:
        try:
            joint = _boolean(
                meta["law.joint_committees"],
                PortfolioError(
                    "must be true or false",
                    file=file_of("portfolio"),
                    sheet="portfolio",
                    line=meta_rows.get("law.joint_committees"),
                    column="value",
                    item="law.joint_committees",
                    allowed=("true", "false"),
                    suggestion=did_you_mean(
                        str(meta["law.joint_committees"]).lower(), ("true", "false")
                    ),
                ),
            )
        except PortfolioError as error:
            problems.add(error)
            joint = False
        data["law"] = Row(
            {"joint_committees": joint},
            sheet="portfolio",
            row=meta_rows.get("law.joint_committees", 1),
            columns={"joint_committees": "value"},
        )

    bodies_table = tables["bodies"]
    _check_columns(
        file_of("bodies"),
        "bodies",
        bodies_table[0][1]["__header__"],
        _BODY_COLUMNS,
        problems=problems,
    )
    bodies = [
        Row(dict(cells), sheet="bodies", row=row, columns={k: k for k in cells})
        for row, cells in bodies_table[1:]
    ]
    data["organisations"] = bodies

    functions_table = tables["functions"]
    header = functions_table[0][1]["__header__"]
    _check_columns(
        file_of("functions"),
        "functions",
        header,
        [*_FIXED_COLUMNS, *(f.name for f in answered), "notes"],
        prefix_ok="capability.",
        pack=pack,
        problems=problems,
        named_at=named_at,
    )
    functions = []
    for row, cells in functions_table[1:]:
        functions.append(_function(file_of("functions"), row, cells, answered, problems))
    data["functions"] = functions

    governance: dict[str, Any] = {}
    for sheet, columns in (("joint_bodies", _JOINT_COLUMNS), ("roles", _ROLE_COLUMNS)):
        if sheet not in tables:
            continue
        _check_columns(
            file_of(sheet), sheet, tables[sheet][0][1]["__header__"], columns, problems=problems
        )
        rows = []
        for row, cells in tables[sheet][1:]:
            entry = {
                k: (_cells(_split(v), sheet=sheet, row=row, column=k) if k in _LIST_COLUMNS else v)
                for k, v in cells.items()
                if v is not None
            }
            rows.append(Row(entry, sheet=sheet, row=row, columns={k: k for k in entry}))
        governance["bodies" if sheet == "joint_bodies" else "roles"] = rows
    if governance:
        data["governance"] = Row(
            governance,
            sheet="joint_bodies",
            row=1,
            columns={"bodies": "joint_bodies", "roles": "roles"},
        )
    portfolio = None
    with problems.collecting():
        portfolio = portfolio_from_data(data, file=str(path), rules=pack)
    # In the order of the workbook: sheet by sheet, row by row.
    order = {sheet: index for index, sheet in enumerate(_SHEETS)}
    problems.found.sort(key=lambda p: (order.get(p.sheet or "", len(order)), p.line or 0))
    problems.raise_if_any()
    assert portfolio is not None
    return attrs.evolve(portfolio, pack=named) if named is not None else portfolio


#: The ``portfolio`` sheet's keys naming the rule pack (a YAML file's ``rules:``).
_RULES_META = ("rules", "rules.name", "rules.version")


class _KeyRows(Row):
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


def _pack(rules: RulePack | None) -> RulePack:
    """``rules``, or the default pack when None."""
    if rules is not None:
        return rules
    from taxonomy.language.rules import load_rules

    return load_rules()


def _day_cell(value: Any) -> Any:
    """A day as a workbook gives it: a date cell is read as a time at midnight."""
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date()
    return value


def _dated_law(
    tables: dict[str, list[tuple[int, dict[str, Any]]]],
    file_of: Callable[[str], str],
    problems: Problems,
) -> Cells:
    """The ``law`` and ``abolitions`` sheets as the YAML's provisions (problems recorded)."""
    header = tables["law"][0][1]["__header__"]
    _check_columns(file_of("law"), "law", header, _LAW_COLUMNS, problems=problems)
    provisions: list[Row] = []
    by_id: dict[str, Row] = {}
    for row, cells in tables["law"][1:]:
        entry = {k: _day_cell(v) for k, v in cells.items() if v is not None}
        if "joint_committees" in entry:
            try:
                entry["joint_committees"] = _boolean(
                    entry["joint_committees"],
                    PortfolioError(
                        "must be true or false",
                        file=file_of("law"),
                        sheet="law",
                        line=row,
                        column="joint_committees",
                        allowed=("true", "false"),
                        suggestion=did_you_mean(
                            str(entry["joint_committees"]).lower(), ("true", "false")
                        ),
                    ),
                )
            except PortfolioError as error:
                problems.add(error)
                entry["joint_committees"] = False
        provision = Row(entry, sheet="law", row=row, columns={k: k for k in entry})
        provisions.append(provision)
        if isinstance(entry.get("id"), str):
            by_id.setdefault(entry["id"], provision)
    if "abolitions" in tables:
        header = tables["abolitions"][0][1]["__header__"]
        _check_columns(
            file_of("abolitions"), "abolitions", header, _ABOLITION_COLUMNS, problems=problems
        )
        for row, cells in tables["abolitions"][1:]:
            owner = cells.get("provision")
            if owner not in by_id:
                problems.add(
                    PortfolioError(
                        f"'{owner}' is not a provision of the 'law' sheet",
                        file=file_of("abolitions"),
                        sheet="abolitions",
                        line=row,
                        column="provision",
                        allowed=list(by_id),
                        suggestion=did_you_mean(str(owner), by_id),
                    )
                )
                continue
            entry = {k: v for k, v in cells.items() if v is not None and k != "provision"}
            if "body" in entry:
                entry["body"] = _cells(
                    _split(entry["body"]), sheet="abolitions", row=row, column="body"
                )
            abolition = Row(entry, sheet="abolitions", row=row, columns={k: k for k in entry})
            provision = by_id[owner]
            if "abolishes" not in provision:
                provision["abolishes"] = _cells([], sheet="abolitions", row=row, column="body")
                provision.columns["abolishes"] = "provision"
            provision["abolishes"].append(abolition)
    return _cells(provisions, sheet="law", row=1, column="id")


def _listed_open(value: Any) -> bool:
    """Whether a cell lists the values an open answer may take (``low, high``)."""
    return isinstance(value, str) and "," in value and ".." not in value


def _level_cell(value: Any) -> Any:
    """A level cell as the YAML gives it: a list where it lists values (``low, high``).

    ``unknown`` and ``low..high`` are read as written, by the portfolio's reader.
    """
    return _split(value) if _listed_open(value) else value


def _answer_cell(fact: Fact, value: Any, row: int) -> Any:
    """A cell answering a question the pack declares, as the YAML would give it.

    Lists are split like the other list columns, true/false and whole numbers read from text;
    a value that cannot be read is passed on as written, for the pack's check to report.
    """
    kind = fact.type.name
    if kind in OPEN_TYPES and _listed_open(value):
        return [_answer_cell(fact, item, row) for item in _split(value)]
    if kind == "bodies":
        return _cells(_split(value), sheet="functions", row=row, column=fact.name)
    if kind == "bool":
        try:
            return _boolean(value, ValueError())
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


def _function(
    file: str,
    row: int,
    cells: dict[str, Any],
    answered: Sequence[Fact] = (),
    problems: Problems | None = None,
) -> Row:
    """One row of the functions sheet as the YAML's function (a bad true/false cell recorded)."""

    def declared(question: str) -> tuple[dict[str, Any], dict[str, str]]:
        """The answers to the pack's questions under ``question``, and their columns."""
        entry: dict[str, Any] = {}
        columns: dict[str, str] = {}
        for fact in answered:
            if fact.question != question:
                continue
            columns[fact.key] = fact.name
            if cells.get(fact.name) is not None:
                try:
                    entry[fact.key] = _answer_cell(fact, cells[fact.name], row)
                except PortfolioError as error:
                    located = PortfolioError(
                        error.problem, file=file, sheet="functions", line=row, column=fact.name
                    )
                    if problems is None:
                        raise located from None
                    problems.add(located)
        return entry, columns

    def sub(keys: dict[str, str], question: str) -> Row:
        entry = {
            key: _level_cell(cells.get(column))
            for key, column in keys.items()
            if cells.get(column) is not None
        }
        extra, columns = declared(question)
        return Row(entry | extra, sheet="functions", row=row, columns=keys | columns)

    efficiency = sub(
        {"duplication": "efficiency.duplication", "simplification": "efficiency.simplification"},
        "efficiency",
    )
    effectiveness = sub({"joint_benefit": "effectiveness.joint_benefit"}, "effectiveness")
    legal_keys = (
        "statutory_owner",
        "held_by_each",
        "delegable_to",
        "board_reserved",
        "not_delegable_to",
        "independence_from",
        "separate_reason",
    )
    legal_columns = {key: f"legal.{key}" for key in legal_keys}
    legal_entry: dict[str, Any] = {}
    for key in ("statutory_owner", "held_by_each", "delegable_to", "not_delegable_to",
                "independence_from"):  # fmt: skip
        value = cells.get(f"legal.{key}")
        if value is None:
            continue
        if key == "held_by_each" and str(value).strip() == "all":
            legal_entry[key] = "all"
            continue
        legal_entry[key] = _cells(_split(value), sheet="functions", row=row, column=f"legal.{key}")
    if cells.get("legal.separate_reason") is not None:
        legal_entry["separate_reason"] = cells["legal.separate_reason"]
    if cells.get("legal.board_reserved") is not None:
        bad = PortfolioError(
            "must be true or false",
            file=file,
            sheet="functions",
            line=row,
            column="legal.board_reserved",
            allowed=["true", "false"],
        )
        try:
            legal_entry["board_reserved"] = _boolean(cells["legal.board_reserved"], bad)
        except PortfolioError:
            if problems is None:
                raise
            problems.add(bad)
    legal_extra, legal_declared = declared("legal")
    legal = Row(
        legal_entry | legal_extra,
        sheet="functions",
        row=row,
        columns=legal_columns | legal_declared,
    )
    capability_extra, capability_declared = declared("capability")
    capability_columns = {
        c.split(".", 1)[1]: c
        for c in cells
        if c.startswith("capability.") and c not in capability_declared.values()
    }
    capability = Row(
        {
            body: _level_cell(cells[column])
            for body, column in capability_columns.items()
            if cells[column] is not None
        }
        | capability_extra,
        sheet="functions",
        row=row,
        columns=capability_columns | capability_declared,
    )
    entry: dict[str, Any] = {
        "efficiency": efficiency,
        "effectiveness": effectiveness,
        "legal": legal,
        "capability": capability,
    }
    for key in ("id", "name", "level", "notes", "agreed_lead"):
        if cells.get(key) is not None:
            entry[key] = cells[key]
    if cells.get("performed_by") is not None:
        entry["performed_by"] = _cells(
            _split(cells["performed_by"]), sheet="functions", row=row, column="performed_by"
        )
    return Row(entry, sheet="functions", row=row, columns={k: k for k in entry})


# --- writing ------------------------------------------------------------------------------------


def _listed(value: str | list[str] | None) -> str | None:
    """A body list (or one body, or ``all``) as one cell: ids separated by commas."""
    if value is None or isinstance(value, str):
        return value
    return ", ".join(value) or None


def _answer_names(portfolio: Portfolio | None, pack: RulePack) -> list[str]:
    """The columns of the pack's questions: each it declares, then any other the portfolio answers.

    A portfolio read for another pack keeps its answers when written without that pack; reading
    the file back needs the pack again.
    """
    names = [f.name for f in pack.facts.answered()]
    for fn in portfolio.functions if portfolio is not None else ():
        names += [name for name, _ in fn.answers if name not in names]
    return names


def _function_columns(bodies: Sequence[str], answers: Sequence[str]) -> list[str]:
    """The functions sheet's headings: each question's own columns, then the pack's under it."""

    def of(question: str) -> list[str]:
        return [name for name in answers if name.split(".", 1)[0] == question]

    columns = ["id", "name", "level", "performed_by"]
    for question in ("efficiency", "effectiveness", "legal"):
        columns += [c for c in _FIXED_COLUMNS if c.startswith(f"{question}.")] + of(question)
    declared = of("capability")
    capability = [f"capability.{b}" for b in bodies if f"capability.{b}" not in declared]
    return [*columns, "agreed_lead", *capability, *declared, "notes"]


def _answer_value(value: Any) -> Any:
    """An answer as one cell, ``unknown`` and ``low..high`` as written.

    A list (of bodies, or of the values an open answer may take) is separated by commas.
    """
    if isinstance(value, OneOf):
        value = value.to_data()
    if isinstance(value, Level):
        return str(value)
    if isinstance(value, tuple | list):
        return ", ".join(_text(v) for v in value) or None
    return value


def _rows(
    portfolio: Portfolio | None, bodies: Sequence[str], pack: RulePack
) -> dict[str, list[list[Any]]]:
    data = portfolio_to_data(portfolio) if portfolio is not None else None
    answers = _answer_names(portfolio, pack)
    header = _function_columns(bodies, answers)
    tables: dict[str, list[list[Any]]] = {
        "portfolio": [["key", "value"]],
        "bodies": [_BODY_COLUMNS[:2]],
        "functions": [header],
    }
    if data is None:
        return tables
    tables["portfolio"].append(["name", data["name"]])
    rules = data.get("rules")
    if rules is not None:
        for key, value in (rules if isinstance(rules, dict) else {"path": rules}).items():
            tables["portfolio"].append(["rules" if key == "path" else f"rules.{key}", value])
    if data.get("as_of") is not None:
        tables["portfolio"].append(["as_of", data["as_of"].isoformat()])
    law = data.get("law", {})
    if isinstance(law, list):
        _law_rows(law, tables)
    else:
        tables["portfolio"].append(["law.joint_committees", bool(law.get("joint_committees"))])
    if any("governing_body" in o for o in data["organisations"]):
        tables["bodies"][0] = list(_BODY_COLUMNS)
    tables["bodies"] += [[o.get(c) for c in tables["bodies"][0]] for o in data["organisations"]]
    assert portfolio is not None
    for function, fn in zip(portfolio.functions, data["functions"], strict=True):
        legal = fn["legal"]
        values: dict[str, Any] = {
            "id": fn["id"],
            "name": fn["name"],
            "level": fn["level"],
            "performed_by": ", ".join(fn["performed_by"]),
            "efficiency.duplication": _answer_value(fn["efficiency"]["duplication"]),
            "efficiency.simplification": _answer_value(fn["efficiency"]["simplification"]),
            "effectiveness.joint_benefit": _answer_value(fn["effectiveness"]["joint_benefit"]),
            "legal.statutory_owner": _listed(legal.get("statutory_owner")),
            "legal.held_by_each": _listed(legal.get("held_by_each")),
            "legal.delegable_to": _listed(legal.get("delegable_to")),
            "legal.board_reserved": bool(legal.get("board_reserved")),
            "legal.not_delegable_to": _listed(legal.get("not_delegable_to")),
            "legal.independence_from": _listed(legal.get("independence_from")),
            "legal.separate_reason": legal.get("separate_reason"),
            "agreed_lead": fn.get("agreed_lead"),
            **{f"capability.{b}": _answer_value(fn["capability"].get(b)) for b in bodies},
            **{
                name: _answer_value(function.unknown(name) or function.answer(name))
                for name in answers
            },
            "notes": fn.get("notes"),
        }
        tables["functions"].append([values.get(column) for column in header])
    governance = data.get("governance", {})
    if governance.get("bodies"):
        tables["joint_bodies"] = [list(_JOINT_COLUMNS)] + [
            [", ".join(b[c]) if c in _LIST_COLUMNS and c in b else b.get(c) for c in _JOINT_COLUMNS]
            for b in governance["bodies"]
        ]
    if governance.get("roles"):
        tables["roles"] = [list(_ROLE_COLUMNS)] + [
            [", ".join(r[c]) if c in _LIST_COLUMNS and c in r else r.get(c) for c in _ROLE_COLUMNS]
            for r in governance["roles"]
        ]
    return tables


def _law_rows(provisions: list[dict[str, Any]], tables: dict[str, list[list[Any]]]) -> None:
    """A dated law as the ``law`` sheet and, where a provision abolishes, ``abolitions``."""
    tables["law"] = [list(_LAW_COLUMNS)]
    abolitions = [list(_ABOLITION_COLUMNS)]
    for provision in provisions:
        tables["law"].append(
            [
                provision["id"],
                *(
                    provision[k].isoformat() if provision.get(k) is not None else None
                    for k in ("from", "until")
                ),
                provision.get("joint_committees"),
                provision["source"],
            ]
        )
        for abolition in provision.get("abolishes", []):
            gone = abolition["body"]
            abolitions.append(
                [
                    provision["id"],
                    gone if isinstance(gone, str) else ", ".join(gone),
                    abolition["into"],
                    abolition.get("name"),
                ]
            )
    if len(abolitions) > 1:
        tables["abolitions"] = abolitions


def write_portfolio(
    portfolio: Portfolio,
    path: str | Path,
    *,
    rules: RulePack | None = None,
    force: bool = True,
    inputs: Iterable[str | Path] = (),
) -> None:
    """Write a portfolio as XLSX (with drop-downs and the guide sheet) or CSV files.

    A CSV portfolio is ``NAME.csv`` and the siblings it needs (:func:`csv_portfolio_files`);
    a sibling it does not need, left by an earlier portfolio of that name, is removed.

    Each file is written as a :class:`taxonomy.output.Output`: never over one of ``inputs`` or a
    file read while the command ran, an existing file only with ``force``, and a symlink
    replaced, never written through; the files of a CSV portfolio are all written, or none.

    ``rules`` is the pack it is answered for (None: the default pack): a column for each question
    it declares, with its drop-down and its entry in the guide sheet.

    Raises:
        InputError: a file may not or cannot be written, naming it.
    """
    from taxonomy.output import Output, writing_together

    path = Path(path)
    pack = _pack(rules)
    tables = _rows(portfolio, portfolio.organisation_ids, pack)
    protected = tuple(inputs)
    if path.suffix.lower() != ".csv":
        with Output(path, protected=protected, force=force).writing() as temporary:
            _write_xlsx(tables, temporary, portfolio.organisation_ids, pack)
        return
    stem = path.name[: -len(".csv")]
    targets = {
        sheet: path if sheet == "functions" else path.with_name(f"{stem}.{sheet}.csv")
        for sheet in tables
    }
    # A sibling this portfolio does not need (left by an earlier one of the same name) would be
    # read back as part of it: the CSV portfolio is exactly the files written.
    stale = [
        Output(file, protected=protected, force=force)
        for file in csv_portfolio_files(path)
        if file not in targets.values()
    ]
    for output in stale:
        output.claim()
    outputs = [Output(t, protected=protected, force=force) for t in targets.values()]
    with writing_together(outputs) as temporaries:
        for rows, temporary in zip(tables.values(), temporaries, strict=True):
            with temporary.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle, lineterminator="\n")
                for row in rows:
                    writer.writerow(["" if v is None else csv_text(_text(v)) for v in row])
    for output in stale:
        output.remove()


def csv_portfolio_files(path: str | Path) -> tuple[Path, ...]:
    """Every file a CSV portfolio at ``path`` may be written as: ``NAME.csv`` and its siblings.

    >>> first, second, *_ = csv_portfolio_files("out/p.csv")
    >>> first.name, second.name
    ('p.csv', 'p.portfolio.csv')
    """
    path = Path(path)
    stem = path.name[: -len(".csv")]
    return (
        path,
        *(path.with_name(f"{stem}.{sheet}.csv") for sheet in _SHEETS if sheet != "functions"),
    )


def write_template(
    path: str | Path,
    *,
    portfolio: Portfolio | None = None,
    bodies: Sequence[str] = (),
    rules: RulePack | None = None,
) -> None:
    """Write a workbook to fill in: blank (for ``bodies``) or pre-filled from ``portfolio``.

    ``rules`` is the pack to answer for (None: the default pack): its tiers and a column for each
    question it declares, with drop-downs and the guide sheet's explanation.
    """
    ids = list(portfolio.organisation_ids) if portfolio is not None else list(bodies)
    pack = _pack(rules)
    tables = _rows(portfolio, ids, pack)
    if portfolio is None:
        tables["portfolio"].append(["name", "Our joint working portfolio"])
        tables["portfolio"].append(["law.joint_committees", False])
        # Every column a body has, the governing body's too, filled with the pack's word.
        tables["bodies"][0] = list(_BODY_COLUMNS)
        word = pack.word("governing_body", "Board")
        tables["bodies"] += [[b, "", word] for b in ids]
    _write_xlsx(tables, Path(path), ids, pack)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


#: A level cell's drop-down: the levels, ``unknown``, and each range ``low..high``.
_OPEN_LEVELS = (
    *Level.names(),
    "unknown",
    *(f"{a}..{b}" for i, a in enumerate(Level.names()) for b in Level.names()[i + 1 :]),
)


def _choices(fact: Fact, bodies: Sequence[str]) -> tuple[str, ...]:
    """The drop-down of a declared question's column (empty: none).

    A question the pack does not declare ``known: required`` offers ``unknown`` too (a level
    its ranges as well).
    """
    kind = fact.type.name
    if kind == "level" and not fact.known_required:
        return _OPEN_LEVELS
    if kind in ("bool", "choice"):
        return (*allowed_values(fact.type), *(() if fact.known_required else ("unknown",)))
    if kind == "level":
        return allowed_values(fact.type)
    if kind == "body":
        return tuple(bodies)
    return ()


@attrs.frozen
class _Check:
    """What a template cell accepts: a drop-down (``options``, comma-separated) and a prompt."""

    options: str | None
    title: str
    prompt: str


#: The input prompt of each column whose cells are constrained (beyond the pack's questions).
_PROMPTS = {
    "key": "One of: name, rules (the rule pack's folder), rules.name, rules.version, as_of (the "
    "day described, YYYY-MM-DD), law.joint_committees.",
    "id": "An id: lower-case letters, digits, '.', '_' or '-' (no spaces).",
    "level": "The tier the function is carried out at; choose from the list.",
    "performed_by": "The ids of the bodies that perform it, separated by commas, e.g. {example}.",
    "efficiency.duplication": "Q1: how much duplication working jointly removes: {levels}.",
    "efficiency.simplification": "Q1: how much working jointly simplifies processes: {levels}.",
    "effectiveness.joint_benefit": "Q2: how much more effective it is done together: {levels}.",
    "legal.statutory_owner": "Q3: the ids of the bodies holding the statutory duty, separated "
    "by commas (empty: none).",
    "legal.held_by_each": "Q3: the ids of the bodies each holding the duty, separated by "
    "commas, or all (empty: none).",
    "legal.delegable_to": "Q3: the only bodies whose employees may carry it out, ids separated "
    "by commas (empty: any).",
    "legal.board_reserved": "Q3: true if each Board must decide it itself; otherwise false.",
    "legal.not_delegable_to": "Q3: what it may not be delegated to: joint_committee and/or "
    "another_body, separated by commas (empty: none).",
    "legal.independence_from": "Q3: the ids of the bodies it must stay independent of, "
    "separated by commas (empty: none).",
    "agreed_lead": "The body the others agreed should lead it (optional): choose from the list.",
    "capability": "Q4: {body}'s capability for this function: {levels}.",
    "joint_committees": "Can the bodies delegate decisions to a joint committee? true or false.",
    "from": "The first day it is in force, YYYY-MM-DD (empty: always was).",
    "until": "The last day it is in force, YYYY-MM-DD (empty: still is).",
    "kind": "The kind of joint body: choose from the list.",
    "members": "The ids of the member bodies, separated by commas, e.g. {example}.",
    "delegated": "The ids of the functions delegated to it, separated by commas.",
    "oversees": "The ids of the functions it oversees, separated by commas.",
    "employed_by": "The body that employs the role: choose from the list.",
    "reports_to": "The ids of the Boards, joint bodies or roles it reports to, separated by "
    "commas.",
    "accountable_for": "The ids of the functions it is accountable for, separated by commas.",
    "provision": "The id of the provision (in the law sheet) that abolishes the body.",
    "body": "The id of the body abolished (or several, separated by commas).",
    "into": "The id of the body it is abolished into.",
}

#: The prompt (and drop-down) of the value of each key of the ``portfolio`` sheet.
_META_PROMPTS = {
    "rules": (None, "The rule pack's folder, relative to this workbook, e.g. packs/councils."),
    "as_of": (None, "The day this portfolio describes, YYYY-MM-DD, e.g. 2018-03-28."),
    "law.joint_committees": ("true,false", _PROMPTS["joint_committees"]),
}


def _prompt(column: str, bodies: Sequence[str]) -> str:
    """The input prompt of ``column``, with the bodies and levels filled in."""
    levels = ", ".join(Level.names()) + " (or unknown, or a range such as low..high)"
    example = ", ".join(bodies[:2]) if len(bodies) > 1 else "nhse, nhsi"
    if column.startswith("capability."):
        return _PROMPTS["capability"].format(body=column.split(".", 1)[1], levels=levels)
    return _PROMPTS[column].format(levels=levels, example=example)


def _function_checks(
    header: Sequence[str], bodies: Sequence[str], pack: RulePack
) -> dict[str, _Check]:
    """The drop-down and prompt of each constrained column of the functions sheet."""
    levels = ",".join(_OPEN_LEVELS)
    checks: dict[str, _Check] = {}
    for column in header:
        own = column in _FIXED_COLUMNS and column.startswith(("efficiency.", "effectiveness."))
        if own or column.startswith("capability."):
            checks[column] = _Check(levels, column, _prompt(column, bodies))
        elif column in _PROMPTS and (column in ("id", "performed_by") or "legal." in column):
            options = "true,false" if column == "legal.board_reserved" else None
            checks[column] = _Check(options, column, _prompt(column, bodies))
    tiers = pack.tiers()
    if tiers:
        checks["level"] = _Check(",".join(tiers), "level", _PROMPTS["level"])
    if bodies:
        checks["agreed_lead"] = _Check(",".join(bodies), "agreed_lead", _PROMPTS["agreed_lead"])
    for fact in pack.facts.answered():
        checks.pop(fact.name, None)  # a declared question's column is its own
        choices = _choices(fact, bodies)
        values = ", ".join(allowed_values(fact.type))
        prompt = f"{fact.meaning} ({fact.type.name}: {values})"
        if fact.type.name == "bodies":
            prompt = f"{fact.meaning} (organisation ids separated by commas)"
        checks[fact.name] = _Check(",".join(choices) if choices else None, fact.name, prompt)
    return checks


def _sheet_checks(sheet: str, bodies: Sequence[str]) -> dict[str, _Check]:
    """The drop-down and prompt of each constrained column of the other sheets."""
    lists: dict[str, dict[str, str | None]] = {
        "bodies": {"id": None},
        "law": {"id": None, "from": None, "until": None, "joint_committees": "true,false"},
        "abolitions": {"provision": None, "body": None, "into": None},
        "joint_bodies": {
            "id": None,
            "kind": ",".join(JOINT_BODY_KINDS),
            "members": None,
            "delegated": None,
            "oversees": None,
        },
        "roles": {
            "id": None,
            "employed_by": ",".join(bodies) or None,
            "reports_to": None,
            "accountable_for": None,
        },
    }
    return {
        column: _Check(options, column, _prompt(column, bodies))
        for column, options in lists.get(sheet, {}).items()
    }


def _add_checks(sheet: Any, header: Sequence[str], checks: dict[str, _Check], *, last: int) -> None:
    """Give each column of ``checks`` in ``header`` its drop-down and prompt, rows 2 to ``last``."""
    from openpyxl.utils import get_column_letter

    for column, check in checks.items():
        if column in header:
            letter = get_column_letter(list(header).index(column) + 1)
            _add_check(sheet, f"{letter}2:{letter}{last}", check)


def _add_check(sheet: Any, cells: str, check: _Check) -> None:
    """A data validation on ``cells``: the drop-down (if any), and the prompt shown on entry."""
    from openpyxl.worksheet.datavalidation import DataValidation

    rule = DataValidation(
        type="list" if check.options is not None else None,
        formula1=f'"{check.options}"' if check.options is not None else None,
        allow_blank=True,
        showErrorMessage=check.options is not None,
        showInputMessage=True,
        promptTitle=check.title[:32],
        prompt=check.prompt[:255],
    )
    if check.options is not None:
        rule.error = f"Choose one of: {check.options}"[:255]
        rule.errorTitle = "Not one of the choices"
    rule.add(cells)
    sheet.add_data_validation(rule)


def _write_xlsx(
    tables: dict[str, list[list[Any]]], path: Path, bodies: Sequence[str], pack: RulePack
) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    for sheet_name, rows in tables.items():  # before anything is written
        check_cells(rows, file=str(path), sheet=sheet_name)
    book = Workbook()
    first = True
    for sheet_name, rows in tables.items():
        sheet = book.active if first else book.create_sheet()
        assert sheet is not None
        first = False
        sheet.title = sheet_name
        for row in rows:
            sheet.append([_text(v) if isinstance(v, bool) else v for v in row])
        as_text_cells(sheet)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
        sheet.freeze_panes = "B2"
        for index, column in enumerate(sheet.columns, start=1):
            width = max(len(str(c.value or "")) for c in column)
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = min(max(width + 2, 12), 60)
        header = [str(h) for h in rows[0]]
        if sheet_name == "portfolio":
            keys = [str(row[0]) for row in rows[1:]]
            checks = {"key": _Check(",".join(_META_KEYS), "key", _PROMPTS["key"])}
            _add_checks(sheet, ["key"], checks, last=20)
            for number, key in enumerate(keys, start=2):
                if key in _META_PROMPTS:
                    options, prompt = _META_PROMPTS[key]
                    _add_check(sheet, f"B{number}", _Check(options, key, prompt))
        elif sheet_name == "functions":
            _add_checks(sheet, header, _function_checks(header, bodies, pack), last=500)
            for name in ("notes",):
                if name in header:
                    letter = get_column_letter(header.index(name) + 1)
                    sheet.column_dimensions[letter].width = 60
        else:
            _add_checks(sheet, header, _sheet_checks(sheet_name, bodies), last=200)
    guide = book.create_sheet("questions")

    guide_rows: list[list[Any]] = []

    def put(values: list[Any]) -> None:
        """Append a row to the guide; a pack's text too long for a cell is refused first."""
        where = len(guide_rows) + 1
        check_cells([values], file=str(path), sheet="questions", headings=False, start=where)
        guide_rows.append(values)
        guide.append(values)

    put(["question", "columns", f"in the words of rule pack '{pack.name}'"])
    answered = pack.facts.answered()
    for (title, columns, words), question in zip(QUESTIONS, ANSWER_QUESTIONS, strict=True):
        own = [f.name for f in answered if f.question == question]
        put([title, ", ".join([columns, *own]), pack.word(f"{question}_question", words)])
    put([])
    put(
        [
            "scale",
            "",
            "Answer each on none < low < medium < high. "
            "Lists (performed_by, legal.statutory_owner, legal.held_by_each, "
            "legal.delegable_to, legal.independence_from) are body ids separated by commas "
            "(legal.held_by_each may be 'all'); legal.not_delegable_to lists joint_committee "
            "and/or another_body; leave legal cells empty where there is no constraint.",
        ]
    )
    if answered:
        put([])
        heading = guide.max_row + 1
        put([f"questions of rule pack '{pack.name}'", "column (answers)", "meaning", "source"])
        for cell in guide[heading]:
            cell.font = Font(bold=True)
        titles = dict(zip(ANSWER_QUESTIONS, (q[0] for q in QUESTIONS), strict=True))
        for fact in answered:
            if fact.required:
                empty = "required"
            elif fact.default is not None:
                empty = f"empty: {_answer_value(fact.default)}"
            else:
                empty = "may be left empty"
            values = ", ".join(allowed_values(fact.type))
            put(
                [
                    titles[fact.question],
                    f"{fact.name} ({fact.type.name}: {values}; {empty})",
                    fact.meaning,
                    fact.source or f"declared by rule pack '{fact.pack}'",
                ]
            )
        guide.column_dimensions["D"].width = 80
    for cell in guide[1]:
        cell.font = Font(bold=True)
    guide.column_dimensions["A"].width = 30
    guide.column_dimensions["B"].width = 45
    guide.column_dimensions["C"].width = 100
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    try:
        book.save(path)
    except OSError as exc:
        raise PortfolioError(f"cannot be written: {exc.strerror}", file=str(path)) from None
