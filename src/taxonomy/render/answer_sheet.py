"""The results workbook's sheet of open questions: filled in by the team, read back as answers.

A results workbook (:func:`taxonomy.render.workbook.write_results`, ``classify ... -o
results.xlsx``) of a portfolio with functions still open gains a sheet ``open questions``: one
row for each question each open function leaves open, the most settling first within each
function, with what each answer would give and an empty ``answer`` column whose drop-down
offers the values the answer may take (the range left open, or every value of its type).

The team fills in the answers it has (any of them; a row left empty stays open) and
:func:`read_answers` reads the sheet back as a :class:`~taxonomy.whatif.scenarios.Scenario`
setting each one, so that applying it to the portfolio and classifying again shows what the
answers decide::

    scenario = read_answers("results.xlsx")
    answered = scenario.apply(portfolio).portfolio
    taxonomy.classify(answered)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from taxonomy._model import Function, format_value
from taxonomy._results import Classification
from taxonomy.errors import InputError, ScenarioError
from taxonomy.language.rules import RulePack

__all__ = ["ANSWER_COLUMNS", "SHEET", "question_rows", "read_answers", "write_questions_sheet"]

#: The sheet's title.
SHEET = "open questions"
#: Its columns, in order; the team fills in ``answer``.
ANSWER_COLUMNS = [
    "function",
    "name",
    "question",
    "rank",
    "outcomes_left",
    "what_each_answer_gives",
    "answer",
]
_ANSWER = ANSWER_COLUMNS.index("answer")
#: The longest list of values a drop-down holds (Excel's limit on a list's text).
_MAX_LIST = 255


def question_rows(
    classification: Classification, rules: RulePack
) -> list[tuple[list[Any], tuple[str, ...]]]:
    """Each open question of each open function as a row, with the answer's allowed values.

    The values are the ones a drop-down offers (empty where the answer's type has no list:
    then any value the portfolio would take is read back).
    """
    from taxonomy.partial import domain

    functions = {fn.id: fn for fn in classification.portfolio.functions}
    rows: list[tuple[list[Any], tuple[str, ...]]] = []
    for rec in classification:
        if rec.decided:
            continue
        fn = functions[rec.function]
        for rank, q in enumerate(rec.open_questions, start=1):
            gives = "; ".join(f"{answer}: {' or '.join(g)}" for answer, g in q.answers)
            row = [rec.function, rec.name, q.key, rank, q.expected_outcomes, gives, None]
            rows.append((row, _allowed(rules, fn, q.key, domain)))
    return rows


def _allowed(pack: RulePack, fn: Function, key: str, domain: Any) -> tuple[str, ...]:
    """The values an open answer to ``key`` may take, as the drop-down writes them."""
    answer = dict(fn.unknowns).get(key)
    if answer is None:
        return ()
    try:
        values = domain(pack, key, answer)
    except ValueError:
        return ()
    if values and type(values[0]) is int:
        return ()  # a count: any whole number (the highest a rule names stands for more)
    return tuple(format_value(v) for v in values)


def write_questions_sheet(book: Any, classification: Classification, rules: RulePack) -> None:
    """Add the ``open questions`` sheet to an openpyxl workbook (nothing when none is open)."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    from taxonomy.input.cells import as_text_cells

    rows = question_rows(classification, rules)
    if not rows:
        return
    sheet = book.create_sheet(SHEET)
    sheet.append(ANSWER_COLUMNS)
    for row, _ in rows:
        sheet.append(row)
    as_text_cells(sheet)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    head = sheet.cell(row=1, column=_ANSWER + 1)
    head.comment = Comment(
        "Fill in the answers you have (leave a row empty to keep it open), then read the sheet "
        "back with taxonomy.render.workbook.read_answers.",
        "taxonomy",
    )
    lists: dict[tuple[str, ...], Any] = {}
    for number, (_, allowed) in enumerate(rows, start=2):
        cell = sheet.cell(row=number, column=_ANSWER + 1)
        cell.fill = PatternFill("solid", fgColor="FFF2CC")
        text = ",".join(allowed)
        if not allowed or len(text) > _MAX_LIST - 2:
            continue
        if allowed not in lists:
            lists[allowed] = DataValidation(
                type="list", formula1=f'"{text}"', allow_blank=True, showErrorMessage=True
            )
            lists[allowed].error = f"Choose one of: {', '.join(allowed)} (or leave it empty)"
            sheet.add_data_validation(lists[allowed])
        lists[allowed].add(cell.coordinate)
    for index, width in enumerate([28, 36, 30, 6, 14, 100, 14], start=1):
        sheet.column_dimensions[chr(ord("A") + index - 1)].width = width
    sheet.freeze_panes = "C2"


def read_answers(path: str | Path, *, name: str | None = None) -> Any:
    """The answers filled in on a results workbook's ``open questions`` sheet, as a scenario.

    Each row whose ``answer`` is filled in sets that function's answer (``true``/``false``
    and whole numbers are read as such; ``unknown`` and ranges are kept open, as everywhere);
    empty rows are skipped. Apply the scenario to the portfolio classified and classify again.

    Args:
        path: the results workbook (``.xlsx``).
        name: the scenario's name; default ``answers from <file name>``.

    Returns:
        A :class:`~taxonomy.whatif.scenarios.Scenario` with one ``set`` per answer.

    Raises:
        ScenarioError: the file cannot be read, has no such sheet or columns, or answers are
            not answers to their questions: every problem at once, each naming the file, the
            sheet, the row, the function and the key.
    """
    from taxonomy.whatif.scenarios import Scenario

    path = Path(path)
    rows = _sheet_rows(path)
    scenario = Scenario(name or f"answers from {path.name}")
    problems: list[InputError] = []
    for number, row in rows:
        function, key, value = row["function"], row["question"], row["answer"]
        try:
            scenario = scenario.set(function=function, field=key, value=_value(value))
        except InputError as exc:
            problems.append(
                ScenarioError(
                    exc.problem,
                    file=str(path),
                    sheet=SHEET,
                    line=number,
                    column="answer",
                    item=f"function '{function}'",
                    key=key,
                    allowed=exc.allowed,
                )
            )
    if problems:
        raise ScenarioError.combined(problems, file=str(path))
    return scenario


def _sheet_rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """The filled-in rows of the sheet, by row number, each as column name to value."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (OSError, ValueError, KeyError) as exc:
        raise ScenarioError(f"cannot be read as a workbook: {exc}", file=str(path)) from None
    if SHEET not in book.sheetnames:
        raise ScenarioError(
            f"has no sheet '{SHEET}' (a results workbook has one when functions are open)",
            file=str(path),
        )
    values = list(book[SHEET].iter_rows(values_only=True))
    heads = [str(v).strip() if v is not None else "" for v in (values[0] if values else ())]
    missing = [c for c in ("function", "question", "answer") if c not in heads]
    if missing:
        raise ScenarioError(
            f"the sheet lacks the column(s) {', '.join(missing)}",
            file=str(path),
            sheet=SHEET,
            allowed=ANSWER_COLUMNS,
        )
    rows = []
    for number, cells in enumerate(values[1:], start=2):
        row = dict(zip(heads, cells, strict=False))
        answer = row.get("answer")
        if answer is None or (isinstance(answer, str) and not answer.strip()):
            continue
        rows.append((number, row))
    return rows


def _value(value: Any) -> Any:
    """A cell's answer as a portfolio writes it: ``true`` a bool, ``3`` a count, else text."""
    if isinstance(value, bool | int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip()
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    return int(text) if text.isdigit() else text
