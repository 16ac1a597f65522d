"""The input shapes are declared once (taxonomy.input.shapes): the YAML reader, the spreadsheet, the
writer and the JSON Schema each follow the declaration, so none can know a key the others do not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

import taxonomy
from taxonomy.errors import PortfolioError
from taxonomy.input.keys import Key, Shape
from taxonomy.input.portfolio import portfolio_from_data, portfolio_to_data
from taxonomy.input.shapes import (
    ABOLITION,
    FUNCTION,
    JOINT_BODY,
    LEGAL,
    ORGANISATION,
    PORTFOLIO,
    PROVISION,
    ROLE,
    SHAPES,
    SHEETS,
)
from taxonomy.input.spreadsheet import read_portfolio, write_portfolio, write_template
from taxonomy.schemas import schema
from tests.conftest import NHS, NWL


def _object(found: dict[str, Any]) -> dict[str, Any]:
    """The object schema of ``found`` (under a null choice, if it may be left empty)."""
    for choice in found.get("anyOf", ()):
        if choice.get("type") == "object":
            return dict(choice)
    return found


def _schemas() -> dict[str, dict[str, Any]]:
    """Each shape's object schema in the portfolio schema, by the shape's item name."""
    top = schema("portfolio")
    function = top["properties"]["functions"]["items"]
    provision = top["properties"]["law"]["anyOf"][0]["anyOf"][1]["items"]
    return {
        PORTFOLIO.item: top,
        ORGANISATION.item: top["properties"]["organisations"]["items"],
        FUNCTION.item: function,
        LEGAL.item: _object(function["properties"]["legal"]),
        PROVISION.item: provision,
        ABOLITION.item: provision["properties"]["abolishes"]["anyOf"][0]["items"],
        JOINT_BODY.item: top["$defs"]["joint_body"],
        ROLE.item: top["$defs"]["role"],
    }


@pytest.mark.parametrize("item", list(_schemas()))
def test_the_schema_allows_and_requires_exactly_the_declared_keys(item: str) -> None:
    shape = next(s for s in SHAPES if s.item == item)
    found = _schemas()[item]
    assert tuple(found["properties"]) == shape.names
    assert found["additionalProperties"] is False
    assert tuple(found.get("required", ())) == shape.required


def _headings(path: Path) -> dict[str, list[str]]:
    book = openpyxl.load_workbook(path)
    return {sheet.title: [str(c.value) for c in sheet[1] if c.value] for sheet in book.worksheets}


def test_each_sheet_of_a_written_workbook_has_the_declared_columns(tmp_path: Path) -> None:
    portfolio = taxonomy.load_portfolio(NWL)  # governance: joint bodies and roles
    write_portfolio(portfolio, tmp_path / "p.xlsx")
    write_template(tmp_path / "t.xlsx", bodies=["a", "b"])
    written = _headings(tmp_path / "p.xlsx") | _headings(tmp_path / "t.xlsx")
    for shape in (ORGANISATION, JOINT_BODY, ROLE):
        assert written[shape.sheet or ""] == shape.columns(), shape.item
    functions = written["functions"]
    assert functions[: len(FUNCTION.columns())] == FUNCTION.columns()
    assert functions[-1] == "notes" and set(written) <= set(SHEETS)


def test_a_dated_law_is_written_to_its_declared_sheets(tmp_path: Path) -> None:
    portfolio = taxonomy.load_portfolio(NHS)
    write_portfolio(portfolio, tmp_path / "p.xlsx")
    written = _headings(tmp_path / "p.xlsx")
    assert written["law"] == PROVISION.columns() and written["abolitions"] == ABOLITION.columns()
    assert read_portfolio(tmp_path / "p.xlsx") == portfolio


@pytest.mark.parametrize("path", [NHS, NWL])
def test_the_written_data_uses_only_declared_keys_and_reads_back(path: Path) -> None:
    portfolio = taxonomy.load_portfolio(path)
    data = portfolio_to_data(portfolio)

    def check(shape: Shape, value: dict[str, Any]) -> None:
        assert set(value) <= set(shape.names), (shape.item, set(value) - set(shape.names))
        assert set(shape.required) <= set(value), shape.item
        for key in shape.keys:
            if key.shape is not None and key.kind == "items" and value.get(key.name):
                for item in value[key.name]:
                    check(key.shape, item)
            elif key.shape is LEGAL and value.get(key.name):
                check(LEGAL, value[key.name])

    check(PORTFOLIO, {k: v for k, v in data.items() if k != "governance"})
    for item in data.get("governance", {}).get("bodies", []):
        check(JOINT_BODY, item)
    for item in data.get("governance", {}).get("roles", []):
        check(ROLE, item)
    assert portfolio_from_data(data) == portfolio


def test_every_list_key_reads_one_id_as_a_list_of_one() -> None:
    # A declared list (listed=True) takes one id written alone, in YAML as in a cell.
    listed: list[tuple[Shape, Key]] = [(LEGAL, k) for k in LEGAL.keys if k.kind == "ids"]
    data = portfolio_to_data(taxonomy.load_portfolio(NHS))
    function = data["functions"][0]
    # A post named to decide (legal.decided_by) is a role of the body carrying it out.
    post = next(
        r for r in data["governance"]["roles"] if r["employed_by"] in function["performed_by"]
    )
    for shape, key in listed:
        one = post["id"] if key.refers == "roles" else function["performed_by"][0]
        function["legal"] = {key.name: one}
        read = portfolio_from_data(data).functions[0]
        assert getattr(read.legal, key.attr) == (one,), shape.item


def test_an_undeclared_key_is_refused_with_the_declared_ones_allowed() -> None:
    data = portfolio_to_data(taxonomy.load_portfolio(NWL))
    data["governance"]["roles"][0]["employd_by"] = data["governance"]["roles"][0].pop("employed_by")
    with pytest.raises(PortfolioError) as info:
        portfolio_from_data(data)
    message = str(info.value)
    assert "unknown key" in message and "did you mean 'employed_by'" in message
    assert ", ".join(ROLE.names) in message
