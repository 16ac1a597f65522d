"""Results workbooks: recommendations as XLSX (categories coloured, a sheet per scenario) or CSV."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from taxonomy._model import EACH_OWN_WORDS, lead_words
from taxonomy._results import Classification, Recommendation
from taxonomy.errors import PortfolioError
from taxonomy.input.cells import as_text_cells, check_cells, csv_text, sheet_title
from taxonomy.language.rules import RulePack, pack_for
from taxonomy.render.answer_sheet import read_answers, write_questions_sheet
from taxonomy.render.prose import paragraph_writer

__all__ = ["CATEGORY_COLOURS", "read_answers", "write_results"]

#: Fill colours of the four categories in result workbooks (and the HTML report).
CATEGORY_COLOURS = {1: "C6EFCE", 2: "DDEBF7", 3: "FFF2CC", 4: "F8CBAD"}
_RESULT_COLUMNS = [
    "function",
    "name",
    "arrangement",
    "category",
    "lead",
    "lead_status",
    "decided_by",
    "capped_by",
    "reason",
    # added later, at the end so that the columns above keep their places
    "lead_name",
    "summary",
    "alone",
]


def _result_rows(classification: Classification, rules: RulePack | None) -> list[list[Any]]:
    rows: list[list[Any]] = [list(_RESULT_COLUMNS)]
    names = {o.id: o.name for o in classification.portfolio.organisations}
    pack = pack_for(classification.portfolio, rules)
    summary = (
        paragraph_writer(classification, rules=pack)
        if pack.hash == classification.rule_pack.hash
        else None
    )
    for rec in classification:
        ex = rec.explanation
        if not rec.decided:
            rows.append(_open_row(rec, names, summary(rec) if summary is not None else None))
            continue
        rows.append(
            [
                rec.function,
                rec.name,
                str(rec.settled_arrangement),
                rec.category,
                rec.lead_text,
                rec.lead_status,
                ex.decided_by.rule,
                ", ".join(f.rule for f in ex.capped_by),
                (ex.capped_by[0].because if ex.capped_by else ex.decided_by.because),
                _lead_name(rec, names),
                summary(rec) if summary is not None else None,
                rec.alone,
            ]
        )
    return rows


def _open_row(rec: Recommendation, names: dict[str, str], summary: str | None) -> list[Any]:
    """The row of a recommendation still open: each outcome, and the question to answer first."""
    from taxonomy._results import MAX_LEADS_LISTED, open_lead_words
    from taxonomy.render.undecided import arrangement_cell, decided_cell, lead_cell, open_reason

    leads = dict.fromkeys(_lead_name(o.recommendation, names) for o in rec.possible)
    return [
        rec.function,
        rec.name,
        arrangement_cell(rec),
        None,
        lead_cell(rec),
        rec.lead_status,
        decided_cell(rec),
        "",
        open_reason(rec),
        "open: "
        + (
            " or ".join(leads)
            if len(leads) <= MAX_LEADS_LISTED
            else open_lead_words(rec.possible, names)
        ),
        summary,
        None,
    ]


def _lead_name(rec: Recommendation, names: dict[str, str]) -> str:
    """The lead in words as ``lead`` gives it, with each body by its name rather than its id."""
    if rec.each_own:
        return EACH_OWN_WORDS
    return lead_words(
        names.get(rec.lead, rec.lead) if rec.lead is not None else None,
        [names.get(body, body) for body in rec.tied],
    )


def write_results(
    classification: Classification,
    path: str | Path,
    comparison: Any = None,
    *,
    rules: RulePack | None = None,
) -> None:
    """Write recommendations as XLSX (categories coloured; a sheet per scenario) or CSV.

    One row per function, its columns in a fixed order (new ones are added at the end):
    ``function`` (its id), ``name``, ``arrangement``, ``category`` (a number, 1 to 4),
    ``lead``, ``lead_status``, ``decided_by``, ``capped_by``, ``reason``, ``lead_name`` and
    ``summary``. ``lead`` is the lead in words, as every table writes it (the body's id,
    ``joint``, or ``undecided between a and b (tie)``), and ``lead_name`` the same with each
    body by its name; ``lead_status`` is ``body``, ``joint``, ``tie`` or ``each``, as the
    JSON's ``lead_status``; ``summary`` is the recommendation in sentences a Board paper can
    quote, as the JSON's ``summary`` (empty when ``rules`` is not the pack that made it).

    A function still open (answers left unknown) is never given one of its arrangements: its
    ``arrangement`` says ``open:`` with each outcome and its share, ``category`` is empty,
    ``lead_status`` is ``open``, ``decided_by`` names the question to answer first and
    ``reason`` says when each outcome holds. An XLSX workbook then has a sheet ``open
    questions`` to fill in and read back (:mod:`taxonomy.render.answer_sheet`). Without a
    comparison, a sheet ``governance``: each body's scheme and each joint body's terms, a row
    per line with its sources (:mod:`taxonomy.render.governance_docs`).

    Args:
        classification: the result.
        path: the file to write: ``.csv`` for CSV, else XLSX.
        comparison: a :class:`~taxonomy.whatif.compare.Comparison` of this baseline, for a
            sheet per scenario (XLSX only).
        rules: the rule pack that made it, for the summaries' words; None: the portfolio's
            own pack, else the default pack.

    Raises:
        PortfolioError: (an ``InputError``) the file cannot be written, naming it.
        InputError: a text is longer than a workbook cell holds (nothing is written).
    """
    path = Path(path)
    rows = _result_rows(classification, rules)
    if path.suffix.lower() == ".csv":
        _write_csv(path, rows)
        return
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "recommendations"
    check_cells(rows, file=str(path), sheet=sheet.title)
    _fill_results(sheet, rows, Font, PatternFill, get_column_letter)
    write_questions_sheet(book, classification, pack_for(classification.portfolio, rules))
    _later_sheets(book, classification, comparison, path)
    try:
        book.save(path)
    except OSError as exc:
        raise PortfolioError(f"cannot be written: {exc.strerror}", file=str(path)) from None


def _write_csv(path: Path, rows: list[list[Any]]) -> None:
    """The results as CSV, every cell that could run as a formula made plain text."""
    try:
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            for row in rows:
                writer.writerow(["" if v is None else csv_text(v) for v in row])
    except OSError as exc:
        raise PortfolioError(f"cannot be written: {exc.strerror}", file=str(path)) from None


def _scenario_sheet(book: Any, outcome: Any, path: Path) -> None:
    """A scenario's sheet: its name, description and notes, and each function it changes."""
    title = sheet_title(outcome.scenario.name, book.sheetnames, default="scenario")
    scenario_rows: list[list[Any]] = [
        ["scenario", outcome.scenario.name],
        ["description", outcome.scenario.description],
        *(["note", note] for note in outcome.notes),
        [],
        ["function", "from", "to", "because"],
        *(
            [change.function, str(change.before), str(change.after), "; ".join(change.because)]
            for change in outcome.changes
        ),
    ]
    if not outcome.changes:
        scenario_rows.append(["(no function changes arrangement or lead)"])
    check_cells(scenario_rows, file=str(path), sheet=title, headings=False)
    scenario_sheet = book.create_sheet(title)
    for row in scenario_rows:
        scenario_sheet.append(row)
    as_text_cells(scenario_sheet)
    scenario_sheet.column_dimensions["A"].width = 30
    for column in ("B", "C"):
        scenario_sheet.column_dimensions[column].width = 28
    scenario_sheet.column_dimensions["D"].width = 90


def _later_sheets(book: Any, classification: Classification, comparison: Any, path: Path) -> None:
    """A sheet per scenario compared; without a comparison, the ``governance`` sheet."""
    if comparison is None:
        _governance_sheet(book, classification, path)
    for outcome in comparison.outcomes if comparison is not None else ():
        _scenario_sheet(book, outcome, path)


def _governance_sheet(book: Any, classification: Classification, path: Path) -> None:
    """The ``governance`` sheet: each body's scheme and each joint body's terms, with sources."""
    from taxonomy.render.governance_docs import governance_rows
    from taxonomy.structure.drafting import governance_documents

    rows = governance_rows(governance_documents(classification))
    check_cells(rows, file=str(path), sheet="governance")
    sheet = book.create_sheet("governance")
    for row in rows:
        sheet.append(row)
    as_text_cells(sheet)
    widths = (20, 26, 36, 26, 40, 12, 26, 16, 8, 12, 18, 60, 70)
    for column, width in zip("ABCDEFGHIJKLM", widths, strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "D2"


def _fill_results(sheet: Any, rows: list[list[Any]], font: Any, fill: Any, letter: Any) -> None:
    for row in rows:
        sheet.append(row)
    as_text_cells(sheet)
    for cell in sheet[1]:
        cell.font = font(bold=True)
    for row_cells in sheet.iter_rows(min_row=2):
        category = row_cells[3].value
        if category in CATEGORY_COLOURS:
            row_cells[2].fill = fill("solid", fgColor=CATEGORY_COLOURS[category])
            row_cells[3].fill = fill("solid", fgColor=CATEGORY_COLOURS[category])
    widths = [28, 40, 20, 10, 24, 12, 36, 28, 90, 36, 120]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[letter(index)].width = width
    sheet.freeze_panes = "B2"
