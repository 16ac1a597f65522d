"""A portfolio written as a spreadsheet's tables: a sheet per shape, a column per key.

The sheets and columns are the shapes' (:mod:`taxonomy.input.shapes`); a list is one cell, its
values separated by commas; an answer left open is written as the YAML writes it (``unknown``,
``low..high``, ``low, high``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from taxonomy._model import BodyAnswers, Function, Level, OneOf, Portfolio
from taxonomy.input.governance import entry_cell
from taxonomy.input.keys import Shape
from taxonomy.input.portfolio import portfolio_to_data
from taxonomy.input.shapes import (
    ABOLITION,
    DELEGATION,
    EMPTY_LIST,
    FUNCTION,
    FUNCTION_LAW,
    INDEPENDENT_BODY,
    JOINT_BODY,
    LEGAL,
    ORGANISATION,
    PORTFOLIO,
    PROVISION,
    ROLE,
    meta_keys,
)

if TYPE_CHECKING:
    from taxonomy.language.rules import RulePack

__all__ = ["answer_value", "function_columns", "portfolio_tables", "text_value"]

#: The sheets of a table-per-sheet portfolio: their rows, the headings first.
Tables = dict[str, list[list[Any]]]


def text_value(value: Any) -> str:
    """A cell's value as text: true/false written as the YAML writes them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


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


def function_columns(bodies: Sequence[str], answers: Sequence[str]) -> list[str]:
    """The functions sheet's headings: each question's own columns, then the pack's under it.

    A column per body (``capability.nhse``) follows the fixed ones; the notes come last.
    """

    def of(question: str) -> list[str]:
        return [name for name in answers if name.split(".", 1)[0] == question]

    columns: list[str] = []
    for key in FUNCTION.keys:
        if key.kind == "section" and key.shape is not None and key.column:
            columns += [f"{key.shape.prefix}{name}" for name in key.shape.names] + of(key.name)
        elif key.column:
            columns.append(key.name)
    declared = of("capability")
    capability = [f"capability.{b}" for b in bodies if f"capability.{b}" not in declared]
    return [*columns, *capability, *declared, "notes"]


def answer_value(value: Any) -> Any:
    """An answer as one cell, ``unknown`` and ``low..high`` as written.

    A list (of bodies, or of the values an open answer may take) is separated by commas;
    each body's own answer is ``body: answer``, separated by semicolons.
    """
    if isinstance(value, BodyAnswers):
        return str(value)  # nhse: high; nhsi: medium
    if isinstance(value, Mapping):
        return "; ".join(f"{body}: {answer_value(said)}" for body, said in value.items())
    if isinstance(value, OneOf):
        value = value.to_data()
    if isinstance(value, Level):
        return str(value)
    if isinstance(value, tuple | list):
        return ", ".join(text_value(v) for v in value) or None
    return value


def portfolio_tables(portfolio: Portfolio | None, bodies: Sequence[str], rules: RulePack) -> Tables:
    """The sheets of ``portfolio`` (headings only for None), for the questions in ``rules``."""
    answers = _answer_names(portfolio, rules)
    header = function_columns(bodies, answers)
    tables: Tables = {
        PORTFOLIO.sheet or "": [["key", "value"]],
        ORGANISATION.sheet or "": [ORGANISATION.columns()[:2]],
        FUNCTION.sheet or "": [header],
    }
    if portfolio is None:
        return tables
    data = portfolio_to_data(portfolio)
    tables["portfolio"] += _meta_rows(data)
    if isinstance(data.get("law", {}), list):
        _law_rows(data["law"], tables)
    if any("governing_body" in o for o in data["organisations"]):
        tables["bodies"][0] = ORGANISATION.columns()
    tables["bodies"] += [[o.get(c) for c in tables["bodies"][0]] for o in data["organisations"]]
    for function, fn in zip(portfolio.functions, data["functions"], strict=True):
        values = _function_values(function, fn, bodies, answers)
        tables["functions"].append([values.get(column) for column in header])
    if data.get("independent_bodies"):
        columns = INDEPENDENT_BODY.columns()
        tables[INDEPENDENT_BODY.sheet or ""] = [columns] + [
            [body.get(c) for c in columns] for body in data["independent_bodies"]
        ]
    governance = data.get("governance", {})
    for shape, part in ((JOINT_BODY, "bodies"), (ROLE, "roles"), (DELEGATION, "delegations")):
        if governance.get(part):
            columns = shape.columns()
            tables[shape.sheet or ""] = [columns] + [
                [_governance_cell(shape, c, b.get(c)) for c in columns] for b in governance[part]
            ]
    return tables


def _governance_cell(shape: Shape, column: str, value: Any) -> Any:
    """A joint body's or role's cell: a list joined by commas, a day as text.

    A dated entry of a list is written in brackets (:func:`entry_cell`).
    """
    key = shape.key(column)
    if value is not None and key.listed:
        inner = key.shape
        return ", ".join(entry_cell(v, inner) if inner is not None else v for v in value)
    if value is not None and key.kind == "day":
        return value.isoformat()
    return value


def _meta_rows(data: dict[str, Any]) -> list[list[Any]]:
    """The ``portfolio`` sheet's rows: the name, the pack, the day and an undated law."""
    keys = meta_keys()
    rows: list[list[Any]] = [["name", data["name"]]]
    rules = data.get("rules")
    if rules is not None:
        for key, value in (rules if isinstance(rules, dict) else {"path": rules}).items():
            rows.append(["rules" if key == "path" else f"rules.{key}", value])
    if data.get("as_of") is not None:
        rows.append(["as_of", data["as_of"].isoformat()])
    law = data.get("law", {})
    if not isinstance(law, list):
        for name in keys:
            if name.startswith("law."):
                rows.append([name, bool(law.get(name.removeprefix("law.")))])
    return rows


def _function_values(
    function: Function, fn: dict[str, Any], bodies: Sequence[str], answers: Sequence[str]
) -> dict[str, Any]:
    """One function's cells by column: each question's own, each body's, the pack's."""
    values: dict[str, Any] = {}
    for key in FUNCTION.keys:
        if key.kind == "section" and key.shape is not None and key.column:
            part = fn[key.name]
            for inner in key.shape.keys:
                column = f"{key.shape.prefix}{inner.name}"
                if inner.kind == "level":
                    values[column] = answer_value(part[inner.name])
                elif inner.kind == "bool":
                    values[column] = bool(part.get(inner.name))
                elif inner.listed:
                    values[column] = _listed(part.get(inner.name))
                else:
                    values[column] = part.get(inner.name)
        elif key.listed:
            values[key.name] = ", ".join(fn.get(key.name) or ())
        elif key.kind != "section":
            values[key.name] = fn.get(key.name)
    values |= {f"capability.{b}": answer_value(fn["capability"].get(b)) for b in bodies}
    values |= {
        name: answer_value(
            function.said_by_body(name) or function.unknown(name) or function.answer(name)
        )
        for name in answers
    }
    return values


def _law_rows(provisions: list[dict[str, Any]], tables: Tables) -> None:
    """A dated law as the ``law`` sheet, ``abolitions`` and ``law_functions`` where needed.

    ``abolitions`` where a provision abolishes, ``law_functions`` where one sets functions'
    legal facts.
    """
    law_columns = PROVISION.columns()
    tables["law"] = [law_columns]
    abolitions = [ABOLITION.columns()]
    facts = [FUNCTION_LAW.columns()]
    for provision in provisions:
        tables["law"].append(
            [
                provision[c].isoformat()
                if PROVISION.key(c).kind == "day" and provision.get(c) is not None
                else provision.get(c)
                for c in law_columns
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
        for law in provision.get("functions", []):
            facts.append([provision["id"], law["function"], *_law_cells(law["legal"])])
    if len(abolitions) > 1:
        tables["abolitions"] = abolitions
    if len(facts) > 1:
        tables[FUNCTION_LAW.sheet or ""] = facts


def _law_cells(legal: dict[str, Any]) -> list[Any]:
    """A function's legal facts as a provision sets them: a cell per key of ``legal``.

    A key not set is an empty cell; a list set empty is :data:`EMPTY_LIST`.
    """
    cells: list[Any] = []
    for key in LEGAL.keys:
        value = legal.get(key.name)
        if isinstance(value, list):
            value = ", ".join(value) or EMPTY_LIST
        cells.append(value)
    return cells
