"""Spreadsheets follow the rule pack: a column, a drop-down and a guide entry per declared question."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import taxonomy
from taxonomy.input.files import dump_portfolio
from taxonomy.input.spreadsheet import write_portfolio, write_template
from taxonomy.input.template import OPEN_LEVELS as _OPEN_LEVELS
from taxonomy.language.rules import RulePack
from taxonomy.testing.strategies import portfolios
from tests.helpers import run_cli

PACK = """\
name: shared-councils
version: 0.1.0
extends: {name: nhs-joint-working-2018, version: "1.1.0"}
"""

FACTS = """\
facts:
  - name: legal.democratic_control
    type: level
    default: none
    meaning: how far elected members must direct delivery themselves
    source: Local Government Act 1972 s.101
  - name: legal.host_employer
    type: body
    meaning: the council that employs the shared staff
    source: Local Government Act 1972 s.113
"""

#: Every type a portfolio may answer, under every key question (for the generated round trips).
MORE_FACTS = """\
  - name: legal.members_sign_off
    type: bool
    default: false
    meaning: members sign off each decision
  - name: legal.consulted
    type: bodies
    meaning: councils consulted before a decision
  - name: legal.statute
    type: text
    meaning: the statute that confers the function
  - name: efficiency.systems
    type: count
    default: 1
    meaning: how many systems the councils run for it
  - name: effectiveness.reach
    type: choice
    choices: [district, county]
    default: district
    meaning: how far the service reaches
  - name: capability.staff_shared
    type: bool
    meaning: staff are already shared
"""

PORTFOLIO = """\
name: Two councils
organisations:
  - {id: a, name: Council A}
  - {id: b, name: Council B}
functions:
  - id: grants
    name: Community grants
    level: local
    performed_by: [a, b]
    efficiency: {duplication: high, simplification: high}
    effectiveness: {joint_benefit: high}
    legal: {democratic_control: high, host_employer: b}
    capability: {a: medium, b: high}
  - id: payroll
    name: Payroll
    level: local
    performed_by: [a, b]
    efficiency: {duplication: high, simplification: medium}
    effectiveness: {joint_benefit: medium}
    legal: {}
    capability: {a: high, b: medium}
"""


def _pack(folder: Path, facts: str = FACTS) -> RulePack:
    folder.mkdir(exist_ok=True)
    (folder / "pack.yaml").write_text(PACK)
    (folder / "facts.yaml").write_text(facts)
    return taxonomy.load_rules(folder)


@pytest.fixture
def pack(tmp_path: Path) -> RulePack:
    return _pack(tmp_path / "pack")


@pytest.fixture
def portfolio_file(tmp_path: Path) -> Path:
    path = tmp_path / "two.yaml"
    path.write_text(PORTFOLIO)
    return path


def _functions_sheet(path: Path) -> list[list[object]]:
    sheet = openpyxl.load_workbook(path)["functions"]
    return [[c.value for c in row] for row in sheet.iter_rows()]


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_declared_answers_round_trip(
    tmp_path: Path, pack: RulePack, portfolio_file: Path, suffix: str
) -> None:
    original = taxonomy.load_portfolio(portfolio_file, rules=pack)
    grants = original.function("grants")
    assert grants.answer("legal.democratic_control") == taxonomy.Level.HIGH
    target = tmp_path / f"two.{suffix}"
    write_portfolio(original, target, rules=pack)
    assert taxonomy.load_portfolio(target, rules=pack) == original
    # and back to YAML, with the answers under their question
    back = tmp_path / "back.yaml"
    dump_portfolio(taxonomy.load_portfolio(target, rules=pack), back)
    data = yaml.safe_load(back.read_text())
    assert data["functions"][0]["legal"] == {"democratic_control": "high", "host_employer": "b"}
    assert taxonomy.load_portfolio(back, rules=pack) == original


def test_columns_sit_under_their_question(
    tmp_path: Path, pack: RulePack, portfolio_file: Path
) -> None:
    target = tmp_path / "two.csv"
    write_portfolio(taxonomy.load_portfolio(portfolio_file, rules=pack), target, rules=pack)
    with target.open(newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    at = header.index("legal.democratic_control")
    assert header[at - 1] == "legal.employed_by_parent" and header[at + 1] == "legal.host_employer"
    assert rows[1][at : at + 2] == ["high", "b"]
    assert rows[2][at : at + 2] == ["", ""]  # not answered: the default applies on reading


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_every_declared_type_round_trips(tmp_path: Path, data: st.DataObject) -> None:
    pack = _pack(tmp_path / "every", FACTS + MORE_FACTS)
    portfolio = data.draw(portfolios(max_functions=3, max_bodies=4, rules=pack))
    for suffix in ("xlsx", "csv"):
        target = tmp_path / f"p.{suffix}"
        write_portfolio(portfolio, target, rules=pack)
        assert taxonomy.load_portfolio(target, rules=pack) == portfolio


def test_cells_are_read_as_the_yaml_would_be(tmp_path: Path) -> None:
    pack = _pack(tmp_path / "every", FACTS + MORE_FACTS)
    path = tmp_path / "two.yaml"
    path.write_text(PORTFOLIO.replace("capability: {a:", "capability: {staff_shared: false, a:"))
    target = tmp_path / "two.xlsx"
    write_portfolio(taxonomy.load_portfolio(path, rules=pack), target, rules=pack)
    book = openpyxl.load_workbook(target)
    sheet = book["functions"]
    header = [c.value for c in sheet[1]]
    for column, value in {
        "legal.members_sign_off": "yes",
        "legal.consulted": "a, b",
        "efficiency.systems": "3",
        "capability.staff_shared": "TRUE",
        "legal.statute": 1972,
    }.items():
        sheet.cell(row=2, column=header.index(column) + 1, value=value)
    book.save(target)
    grants = taxonomy.load_portfolio(target, rules=pack).function("grants")
    assert grants.answer("legal.members_sign_off") is True
    assert grants.answer("legal.consulted") == ("a", "b")
    assert grants.answer("efficiency.systems") == 3
    assert grants.answer("capability.staff_shared") is True
    assert grants.answer("legal.statute") == "1972"
    assert grants.capability.as_dict() == {"a": taxonomy.Level.MEDIUM, "b": taxonomy.Level.HIGH}


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        (
            "legal.democratic_control",
            "hgh",
            "sheet 'functions', row 2, column 'legal.democratic_control': function 'grants', "
            "legal: 'hgh' is not a level",
        ),
        ("legal.democratic_control", "hgh", "did you mean 'high'"),
        ("legal.host_employer", "c", "row 2, column 'legal.host_employer'"),
    ],
)
def test_a_bad_answer_names_sheet_row_and_column(
    tmp_path: Path,
    pack: RulePack,
    portfolio_file: Path,
    column: str,
    value: str,
    expected: str,
) -> None:
    target = tmp_path / "two.xlsx"
    write_portfolio(taxonomy.load_portfolio(portfolio_file, rules=pack), target, rules=pack)
    book = openpyxl.load_workbook(target)
    sheet = book["functions"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=header.index(column) + 1, value=value)
    book.save(target)
    with pytest.raises(taxonomy.PortfolioError) as info:
        taxonomy.load_portfolio(target, rules=pack)
    assert expected in str(info.value), str(info.value)


def test_a_bad_count_in_csv_names_the_file_row_and_column(tmp_path: Path) -> None:
    pack = _pack(tmp_path / "every", FACTS + MORE_FACTS)
    path = tmp_path / "two.yaml"
    path.write_text(PORTFOLIO.replace("capability: {a:", "capability: {staff_shared: false, a:"))
    target = tmp_path / "two.csv"
    write_portfolio(taxonomy.load_portfolio(path, rules=pack), target, rules=pack)
    with target.open(newline="") as handle:
        rows = list(csv.reader(handle))
    rows[2][rows[0].index("efficiency.systems")] = "several"
    with target.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    with pytest.raises(taxonomy.PortfolioError) as info:
        taxonomy.load_portfolio(target, rules=pack)
    message = str(info.value)
    assert "two.csv" in message and "row 3, column 'efficiency.systems'" in message, message
    assert "must be a whole number" in message


def test_an_unknown_column_gets_a_did_you_mean(
    tmp_path: Path, pack: RulePack, portfolio_file: Path
) -> None:
    target = tmp_path / "two.xlsx"
    loaded = taxonomy.load_portfolio(portfolio_file, rules=pack)
    write_portfolio(loaded, target, rules=pack)
    book = openpyxl.load_workbook(target)
    sheet = book["functions"]
    header = [c.value for c in sheet[1]]
    sheet.cell(
        row=1, column=header.index("legal.democratic_control") + 1
    ).value = "legal.democratic_contrl"
    book.save(target)
    with pytest.raises(taxonomy.PortfolioError) as info:
        taxonomy.load_portfolio(target, rules=pack)
    message = str(info.value)
    assert "column 'legal.democratic_contrl': unknown column" in message, message
    assert "did you mean 'legal.democratic_control'" in message
    # A workbook answering the pack's questions, read without the pack, says which to give.
    write_portfolio(loaded, target, rules=pack)
    with pytest.raises(taxonomy.PortfolioError) as info:
        taxonomy.load_portfolio(target)
    assert "declares no question 'legal.democratic_control'" in str(info.value)
    assert "--rules DIR" in str(info.value)


def test_answers_survive_writing_without_the_pack(
    tmp_path: Path, pack: RulePack, portfolio_file: Path
) -> None:
    original = taxonomy.load_portfolio(portfolio_file, rules=pack)
    target = tmp_path / "two.csv"
    write_portfolio(original, target)  # the default pack declares no such question
    assert taxonomy.load_portfolio(target, rules=pack) == original


def test_template_has_the_pack_columns_drop_downs_and_guide(tmp_path: Path, pack: RulePack) -> None:
    target = tmp_path / "t.xlsx"
    write_template(target, bodies=["a", "b"], rules=pack)
    book = openpyxl.load_workbook(target)
    functions = book["functions"]
    header = [c.value for c in functions[1]]
    assert "legal.democratic_control" in header and "legal.host_employer" in header
    checks = {
        str(ref): dv.formula1
        for dv in functions.data_validations.dataValidation
        for ref in dv.sqref.ranges
    }

    def letter(column: str) -> str:
        return openpyxl.utils.get_column_letter(header.index(column) + 1)

    assert (
        checks[f"{letter('legal.democratic_control')}2:{letter('legal.democratic_control')}500"]
        == f'"{",".join(_OPEN_LEVELS)}"'
    )  # a level may be left unknown or a range
    assert checks[f"{letter('legal.host_employer')}2:{letter('legal.host_employer')}500"] == '"a,b"'
    assert checks[f"{letter('level')}2:{letter('level')}500"] == '"national,regional,local"'
    guide = [[c.value for c in row] for row in book["questions"].iter_rows()]
    control = next(row for row in guide if str(row[1]).startswith("legal.democratic_control"))
    assert control[2] == "how far elected members must direct delivery themselves"
    assert control[3] == "Local Government Act 1972 s.101"
    legal = next(row for row in guide if row[0] == "Legal considerations (Q3)")
    assert "legal.democratic_control" in str(legal[1])


def test_cli_template_and_convert_take_the_pack(
    tmp_path: Path, pack: RulePack, portfolio_file: Path
) -> None:
    folder = str(tmp_path / "pack")
    template = tmp_path / "t.xlsx"
    out = run_cli("template", "a,b", "-o", str(template), "--rules", folder)
    assert out.returncode == 0, out.stderr
    assert "legal.democratic_control" in _functions_sheet(template)[0]
    prefilled = tmp_path / "p.xlsx"
    out = run_cli("template", str(portfolio_file), "-o", str(prefilled), "--rules", folder)
    assert out.returncode == 0, out.stderr
    original = taxonomy.load_portfolio(portfolio_file, rules=pack)
    assert taxonomy.load_portfolio(prefilled, rules=pack) == original
    for suffix in ("xlsx", "csv"):
        converted = tmp_path / f"c.{suffix}"
        out = run_cli("convert", str(portfolio_file), "-o", str(converted), "--rules", folder)
        assert out.returncode == 0, out.stderr
        back = tmp_path / f"back-{suffix}.yaml"
        out = run_cli("convert", str(converted), "-o", str(back), "--rules", folder)
        assert out.returncode == 0, out.stderr
        assert taxonomy.load_portfolio(back, rules=pack) == original
    out = run_cli("convert", str(portfolio_file), "-o", str(tmp_path / "x.xlsx"))
    assert out.returncode == 2 and "--rules DIR" in out.stderr
