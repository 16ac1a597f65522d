"""A portfolio's workbook: its sheets written with a drop-down and a prompt on constrained cells.

Each column's prompt is its key's (:mod:`taxonomy.input.shapes`), its drop-down follows from
the key's kind (a level, true/false, a choice, an organisation); the pack's questions add their
own. A ``questions`` sheet explains the four key questions in the pack's words, and each
question the pack declares.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from taxonomy._model import Level
from taxonomy.errors import PortfolioError
from taxonomy.input.cells import as_text_cells, check_cells
from taxonomy.input.columns import answer_value, text_value
from taxonomy.input.keys import Key
from taxonomy.input.shapes import (
    EFFECTIVENESS,
    EFFICIENCY,
    EMPTY_LIST,
    FUNCTION,
    LEGAL,
    SHAPES,
    meta_keys,
)
from taxonomy.language.facts import ANSWER_QUESTIONS, OPEN_TYPES, allowed_values

if TYPE_CHECKING:
    from taxonomy.language.facts import Fact
    from taxonomy.language.rules import RulePack

__all__ = ["OPEN_LEVELS", "QUESTIONS", "write_xlsx"]

#: The four key questions, for the template's guide sheet: title, columns and the question in
#: general words. A rule pack's vocabulary (``efficiency_question``, ...) gives its own wording;
#: the default pack's is the board paper's (para 8), its legal example said for any bodies.
QUESTIONS = [
    (
        "Efficiency (Q1)",
        ", ".join(f"{EFFICIENCY.prefix}{name}" for name in EFFICIENCY.names),
        "Could we take out costs and inefficiency by removing duplication or simplifying "
        "processes?",
    ),
    (
        "Effectiveness (Q2)",
        ", ".join(f"{EFFECTIVENESS.prefix}{name}" for name in EFFECTIVENESS.names),
        "Could we improve our effectiveness by delivering a certain function or activity together?",
    ),
    (
        "Legal considerations (Q3)",
        ", ".join(f"{LEGAL.prefix}{name}" for name in LEGAL.names),
        "What legal constraints do we need to be aware of?",
    ),
    (
        "Organisational capability (Q4)",
        "capability.<body id>",
        "What is our current level of organisational capability in relation to a certain function "
        "or activity and could this be optimised by coming together?",
    ),
]

#: A level cell's drop-down: the levels, ``unknown``, and each range ``low..high``.
OPEN_LEVELS = (
    *Level.names(),
    "unknown",
    *(f"{a}..{b}" for i, a in enumerate(Level.names()) for b in Level.names()[i + 1 :]),
)

#: The prompt of the ``portfolio`` sheet's ``key`` column.
_KEY_PROMPT = (
    "One of: name, rules (the rule pack's folder), rules.name, rules.version, as_of (the "
    "day described, YYYY-MM-DD), law.joint_committees."
)


@attrs.frozen
class _Check:
    """What a template cell accepts: a drop-down (``options``, comma-separated) and a prompt."""

    options: str | None
    title: str
    prompt: str
    per_body: bool = False
    """Whether the cell may hold each body's own answer (``nhse: high; nhsi: medium``): then
    a value not in the drop-down is warned of, not refused."""


def _function_keys() -> dict[str, Key]:
    """The functions sheet's keys by column (a question's keys under its prefix)."""
    found: dict[str, Key] = {}
    for key in FUNCTION.keys:
        if key.kind == "section" and key.shape is not None:
            found |= {f"{key.shape.prefix}{inner.name}": inner for inner in key.shape.keys}
        else:
            found[key.name] = key
    return found


def _prompt(key: Key, column: str, bodies: Sequence[str]) -> str:
    """The input prompt of ``key``'s ``column``, with the bodies and levels filled in."""
    pair = list(bodies[:2]) if len(bodies) > 1 else ["nhse", "nhsi"]
    levels = (
        ", ".join(Level.names())
        + f" (or unknown, a range such as low..high, or each body's own: {pair[0]}: high; "
        f"{pair[1]}: medium)"
    )
    example = ", ".join(pair)
    if column.startswith("capability."):
        return key.prompt.format(body=column.split(".", 1)[1], levels=levels)
    return key.prompt.format(levels=levels, example=example)


def _options(key: Key, bodies: Sequence[str]) -> str | None:
    """A drop-down of the values ``key`` takes, where it takes few (None: no drop-down)."""
    if key.kind == "bool":
        return "true,false"
    if key.kind == "choice":
        return ",".join(key.values)
    if key.kind == "body":
        return ",".join(bodies) or None
    return None


def _choices(fact: Fact, bodies: Sequence[str]) -> tuple[str, ...]:
    """The drop-down of a declared question's column (empty: none).

    A question the pack does not declare ``known: required`` offers ``unknown`` too (a level
    its ranges as well).
    """
    kind = fact.type.name
    if kind == "level" and not fact.known_required:
        return OPEN_LEVELS
    if kind in ("bool", "choice"):
        return (*allowed_values(fact.type), *(() if fact.known_required else ("unknown",)))
    if kind == "level":
        return allowed_values(fact.type)
    if kind == "body":
        return tuple(bodies)
    return ()


def _function_checks(
    header: Sequence[str], bodies: Sequence[str], pack: RulePack
) -> dict[str, _Check]:
    """The drop-down and prompt of each constrained column of the functions sheet.

    The tier's and the agreed lead's drop-downs come from the pack and the bodies: they follow.
    """
    levels = ",".join(OPEN_LEVELS)
    keys = _function_keys()
    capability = FUNCTION.key("capability")
    checks: dict[str, _Check] = {}
    for column in header:
        key = capability if column.startswith("capability.") else keys.get(column)
        if key is None or not key.prompt or key.kind in ("tier", "body"):
            continue
        level = key.kind in ("level", "section")
        options = levels if level else _options(key, bodies)
        checks[column] = _Check(options, column, _prompt(key, column, bodies), per_body=level)
    tiers = pack.tiers()
    if tiers:
        checks["level"] = _Check(",".join(tiers), "level", FUNCTION.key("level").prompt)
    if bodies:
        lead = FUNCTION.key("agreed_lead")
        checks["agreed_lead"] = _Check(",".join(bodies), "agreed_lead", lead.prompt)
    for fact in pack.facts.answered():
        checks.pop(fact.name, None)  # a declared question's column is its own
        choices = _choices(fact, bodies)
        values = ", ".join(allowed_values(fact.type))
        prompt = f"{fact.meaning} ({fact.type.name}: {values})"
        if fact.type.name == "bodies":
            prompt = f"{fact.meaning} (organisation ids separated by commas)"
        per_body = fact.type.name in OPEN_TYPES and not fact.known_required
        if per_body:
            prompt += "; or each body's own, body: value; body: value"
        checks[fact.name] = _Check(
            ",".join(choices) if choices else None, fact.name, prompt, per_body=per_body
        )
    return checks


def _sheet_checks(sheet: str, bodies: Sequence[str]) -> dict[str, _Check]:
    """The drop-down and prompt of each constrained column of the other sheets."""
    shape = next((s for s in SHAPES if s.sheet == sheet), None)
    if shape is None:
        return {}
    keys = [(shape.owner.name, shape.owner)] if shape.owner is not None else []
    for key in shape.keys:
        if key.kind == "section" and key.shape is not None:  # a function's law: legal.*
            keys += [
                (f"{key.shape.prefix}{inner.name}", attrs.evolve(inner, prompt=_set(inner)))
                for inner in key.shape.keys
            ]
        elif key.column:
            keys.append((key.name, key))
    return {
        column: _Check(_options(key, bodies), column, _prompt(key, column, bodies))
        for column, key in keys
        if key.prompt
    }


def _set(key: Key) -> str:
    """A legal fact's prompt where a provision sets it: an empty cell sets nothing."""
    if not key.prompt:
        return ""
    listed = f", {EMPTY_LIST} an empty list" if key.listed else ""
    return f"{key.prompt.split(' (empty')[0].rstrip('.')}. Empty: not set{listed}."


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
        # Each body's own answer (nhse: high; nhsi: medium) is no drop-down value: warned of.
        errorStyle="warning" if check.per_body else None,
        error="Not a listed value: a level, unknown, a range, or each body's own answer "
        "(body: value; body: value)"
        if check.per_body
        else None,
        showInputMessage=True,
        promptTitle=check.title[:32],
        prompt=check.prompt[:255],
    )
    if check.options is not None:
        rule.error = f"Choose one of: {check.options}"[:255]
        rule.errorTitle = "Not one of the choices"
    rule.add(cells)
    sheet.add_data_validation(rule)


def write_xlsx(
    tables: dict[str, list[list[Any]]], path: Path, bodies: Sequence[str], rules: RulePack
) -> None:
    """Write ``tables`` as a workbook at ``path``, with its checks and the guide sheet.

    Raises:
        PortfolioError: a cell too long for a workbook, or the file cannot be written.
    """
    from openpyxl import Workbook

    for sheet_name, rows in tables.items():  # before anything is written
        check_cells(rows, file=str(path), sheet=sheet_name)
    book = Workbook()
    for index, (sheet_name, rows) in enumerate(tables.items()):
        sheet = book.active if index == 0 else book.create_sheet()
        assert sheet is not None
        _write_sheet(sheet, sheet_name, rows, bodies, rules)
    _write_guide(book, path, rules)
    try:
        book.save(path)
    except OSError as exc:
        raise PortfolioError(f"cannot be written: {exc.strerror}", file=str(path)) from None


def _write_sheet(
    sheet: Any, sheet_name: str, rows: list[list[Any]], bodies: Sequence[str], pack: RulePack
) -> None:
    """One sheet: its rows, bold headings, widths, and each constrained column's check."""
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet.title = sheet_name
    for row in rows:
        sheet.append([text_value(v) if isinstance(v, bool) else v for v in row])
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
        _add_checks(
            sheet, ["key"], {"key": _Check(",".join(meta_keys()), "key", _KEY_PROMPT)}, last=20
        )
        keys = meta_keys()
        for number, row in enumerate(rows[1:], start=2):
            key = keys.get(str(row[0]))
            if key is not None and key.prompt:
                options = "true,false" if key.kind == "bool" else None
                _add_check(sheet, f"B{number}", _Check(options, str(row[0]), key.prompt))
    elif sheet_name == "functions":
        _add_checks(sheet, header, _function_checks(header, bodies, pack), last=500)
        if "notes" in header:
            sheet.column_dimensions[get_column_letter(header.index("notes") + 1)].width = 60
    else:
        _add_checks(sheet, header, _sheet_checks(sheet_name, bodies), last=200)


def _scale() -> str:
    """How the guide says to answer: the scale, and how each list is written in one cell."""
    columns = [(f"{FUNCTION.key(k.name).name}", k) for k in FUNCTION.keys if k.listed]
    columns += [(f"{LEGAL.prefix}{k.name}", k) for k in LEGAL.keys if k.listed]
    lists = [name for name, key in columns if key.kind == "ids" and key.refers == "organisations"]
    posts = [name for name, key in columns if key.kind == "ids" and key.refers == "roles"]
    words = [
        f"{name} may be '{v}'" for name, key in columns if key.kind == "ids" for v in key.values
    ]
    choices = [
        f"{name} lists {' and/or '.join(key.values)}"
        for name, key in columns
        if key.kind == "choices"
    ]
    return (
        "Answer each on none < low < medium < high. "
        f"Lists ({', '.join(lists)}) are body ids separated by commas ({'; '.join(words)}); "
        f"{', '.join(posts)} lists role ids (the roles sheet); "
        f"{'; '.join(choices)}; leave legal cells empty where there is no constraint."
    )


def _write_guide(book: Any, path: Path, pack: RulePack) -> None:
    """The ``questions`` sheet: the four key questions in the pack's words, and its own."""
    from openpyxl.styles import Alignment, Font

    guide = book.create_sheet("questions")
    put = _guide_writer(guide, path)
    put(["question", "columns", f"in the words of rule pack '{pack.name}'"])
    answered = pack.facts.answered()
    for (title, columns, words), question in zip(QUESTIONS, ANSWER_QUESTIONS, strict=True):
        own = [f.name for f in answered if f.question == question]
        put([title, ", ".join([columns, *own]), pack.word(f"{question}_question", words)])
    put([])
    put(["scale", "", _scale()])
    if answered:
        put([])
        heading = guide.max_row + 1
        put([f"questions of rule pack '{pack.name}'", "column (answers)", "meaning", "source"])
        for cell in guide[heading]:
            cell.font = Font(bold=True)
        titles = dict(zip(ANSWER_QUESTIONS, (q[0] for q in QUESTIONS), strict=True))
        for fact in answered:
            put([titles[fact.question], *_declared_row(fact)])
        guide.column_dimensions["D"].width = 80
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for letter, width in (("A", 30), ("B", 45), ("C", 100)):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _guide_writer(guide: Any, path: Path) -> Callable[[list[Any]], None]:
    """A function appending a row to the guide; a pack's text too long for a cell is refused."""
    written: list[list[Any]] = []

    def put(values: list[Any]) -> None:
        where = len(written) + 1
        check_cells([values], file=str(path), sheet="questions", headings=False, start=where)
        written.append(values)
        guide.append(values)

    return put


def _declared_row(fact: Fact) -> list[str]:
    """A declared question in the guide: its column and answers, meaning and source."""
    if fact.required:
        empty = "required"
    elif fact.default is not None:
        empty = f"empty: {answer_value(fact.default)}"
    else:
        empty = "may be left empty"
    values = ", ".join(allowed_values(fact.type))
    return [
        f"{fact.name} ({fact.type.name}: {values}; {empty})",
        fact.meaning,
        fact.source or f"declared by rule pack '{fact.pack}'",
    ]
