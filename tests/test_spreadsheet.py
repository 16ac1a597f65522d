"""Spreadsheet portfolios and results: lossless round trips, error locations, templates."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings

import taxonomy
from taxonomy.input.files import dump_portfolio
from taxonomy.input.template import OPEN_LEVELS as _OPEN_LEVELS
from taxonomy.testing.strategies import portfolios
from tests.conftest import NHS, NWL
from tests.helpers import run_cli


@pytest.mark.parametrize("example", [NHS, NWL])
@pytest.mark.parametrize("suffix", ["xlsx", "csv", "yaml"])
def test_examples_round_trip(tmp_path: Path, example: Path, suffix: str) -> None:
    original = taxonomy.load_portfolio(example)
    target = tmp_path / f"p.{suffix}"
    dump_portfolio(original, target)
    assert taxonomy.load_portfolio(target) == original


@settings(max_examples=25, deadline=None)
@given(portfolios(max_functions=3, max_bodies=4))
def test_generated_portfolios_round_trip(
    tmp_path_factory: pytest.TempPathFactory, portfolio: taxonomy.Portfolio
) -> None:
    folder = tmp_path_factory.mktemp("rt")
    for suffix in ("xlsx", "csv"):
        dump_portfolio(portfolio, folder / f"p.{suffix}")
        assert taxonomy.load_portfolio(folder / f"p.{suffix}") == portfolio


def _workbook(tmp_path: Path) -> Path:
    path = tmp_path / "p.xlsx"
    dump_portfolio(taxonomy.load_portfolio(NHS), path)
    return path


@pytest.mark.parametrize(
    ("sheet", "cell", "value", "expected"),
    [
        (
            "functions",
            "E2",
            "hgh",
            "sheet 'functions', row 2, column 'efficiency.duplication': function 'clinical-programmes': 'hgh' is not a level",
        ),
        ("functions", "D3", "nhse, nhsx", "row 3, column 'performed_by'"),
        ("functions", "B1", "nmae", "column 'nmae': unknown column"),
        ("functions", "K4", "perhaps", "column 'legal.board_reserved': must be true or false"),
        ("functions", "U2", "hi", "column 'capability.nhse'"),
        ("bodies", "A3", "nhse", "organisation"),
        ("portfolio", "A2", "nmae", "sheet 'portfolio', row 2, column 'key': unknown key 'nmae'"),
    ],
)
def test_spreadsheet_errors_name_sheet_row_and_column(
    tmp_path: Path, sheet: str, cell: str, value: str, expected: str
) -> None:
    path = _workbook(tmp_path)
    book = openpyxl.load_workbook(path)
    book[sheet][cell] = value
    book.save(path)
    with pytest.raises(taxonomy.PortfolioError) as info:
        taxonomy.load_portfolio(path)
    assert expected in str(info.value), str(info.value)


def test_unknown_sheet_and_missing_csv_sibling(tmp_path: Path) -> None:
    path = _workbook(tmp_path)
    book = openpyxl.load_workbook(path)
    book.create_sheet("bodys")
    book.save(path)
    with pytest.raises(taxonomy.PortfolioError, match="did you mean 'bodies'"):
        taxonomy.load_portfolio(path)
    (tmp_path / "lonely.csv").write_text("id,name\n")
    with pytest.raises(taxonomy.PortfolioError, match=r"needs lonely\.bodies\.csv"):
        taxonomy.load_portfolio(tmp_path / "lonely.csv")
    (tmp_path / "junk.xlsx").write_text("not a workbook")
    with pytest.raises(taxonomy.PortfolioError, match="not a readable XLSX"):
        taxonomy.load_portfolio(tmp_path / "junk.xlsx")


_cli = run_cli  # the command line, in this process


def test_template_has_dropdowns_and_the_questions(tmp_path: Path) -> None:
    target = tmp_path / "t.xlsx"
    assert _cli("template", "nhse,nhsi", "-o", str(target)).returncode == 0
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["portfolio", "bodies", "functions", "questions"]
    # A blank template asks for each body's governing body too (a Cabinet, a Fire Authority).
    bodies = [[c.value for c in row] for row in book["bodies"].iter_rows()]
    assert bodies[0] == ["id", "name", "governing_body"] and bodies[1][::2] == ["nhse", "Board"]
    functions = book["functions"]
    header = [c.value for c in functions[1]]
    assert "capability.nhse" in header and "capability.nhsi" in header
    formulas = {dv.formula1 for dv in functions.data_validations.dataValidation}
    # A level cell offers unknown and the ranges too (answers left open).
    assert f'"{",".join(_OPEN_LEVELS)}"' in formulas and "unknown" in _OPEN_LEVELS
    assert '"national,regional,local"' in formulas
    assert '"nhse,nhsi"' in formulas  # statutory owner drop-down
    questions = " ".join(str(c.value) for row in book["questions"].iter_rows() for c in row)
    assert "removing duplication or simplifying processes" in questions
    prefilled = tmp_path / "p.xlsx"
    assert _cli("template", str(NHS), "-o", str(prefilled)).returncode == 0
    assert taxonomy.load_portfolio(prefilled) == taxonomy.load_portfolio(NHS)
    out = _cli("template", "nhse", "-o", str(target))
    assert out.returncode == 2 and "at least two bodies" in out.stderr


def test_convert_and_classify_from_a_workbook(tmp_path: Path) -> None:
    workbook = tmp_path / "nhs.xlsx"
    assert _cli("convert", str(NHS), "-o", str(workbook)).returncode == 0
    out = _cli("classify", str(workbook), "--format", "json")
    assert out.returncode == 0
    direct = _cli("classify", str(NHS), "--format", "json")
    assert out.stdout == direct.stdout


def test_results_workbook_coloured_by_category(tmp_path: Path) -> None:
    target = tmp_path / "results.xlsx"
    out = _cli("classify", str(NHS), "--format", "xlsx", "-o", str(target))
    assert out.returncode == 0, out.stderr
    sheet = openpyxl.load_workbook(target)["recommendations"]
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=2)}
    assert rows["pricing"][2].value == "aligned" and rows["pricing"][4].value.startswith(
        "undecided between"
    )
    assert rows["pricing"][2].fill.fgColor.rgb.endswith("DDEBF7")
    assert rows["it"][2].fill.fgColor.rgb.endswith("C6EFCE")
    csv_target = tmp_path / "results.csv"
    assert _cli("classify", str(NHS), "--format", "csv", "-o", str(csv_target)).returncode == 0
    assert csv_target.read_text().splitlines()[0].startswith("function,name,arrangement")
    out = _cli("classify", str(NHS), "--format", "xlsx")
    assert out.returncode == 2 and "give -o" in out.stderr


def test_whatif_workbook_has_a_sheet_per_scenario(tmp_path: Path) -> None:
    target = tmp_path / "w.xlsx"
    scenarios = NHS.parent / "scenarios"
    out = _cli(
        "-q",
        "whatif",
        str(NHS),
        str(scenarios / "joint_committees_2019.yaml"),
        str(scenarios / "health_and_care_act_2022.yaml"),
        "--format",
        "xlsx",
        "-o",
        str(target),
    )
    assert out.returncode == 0 and out.stderr == ""
    book = openpyxl.load_workbook(target)
    assert book.sheetnames[0] == "recommendations" and len(book.sheetnames) == 3


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_and_saves_the_template(tmp_path: Path) -> None:
    """A real spreadsheet program keeps the drop-downs, and taxonomy reads what it saves."""
    template = tmp_path / "template.xlsx"
    assert _cli("template", str(NHS), "-o", str(template)).returncode == 0
    out = subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo-profile",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(tmp_path / "saved"),
            str(template),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    saved = tmp_path / "saved" / "template.xlsx"
    assert saved.exists(), out.stderr
    assert taxonomy.load_portfolio(saved) == taxonomy.load_portfolio(NHS)
    assert len(openpyxl.load_workbook(saved)["functions"].data_validations.dataValidation) >= 7


HOSTILE = ('=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", "'already quoted")


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_formula_looking_text_is_never_a_formula_and_round_trips(
    tmp_path: Path, suffix: str
) -> None:
    import attrs

    nhs = taxonomy.load_portfolio(NHS)
    fns = [attrs.evolve(fn, name=HOSTILE[i % len(HOSTILE)] + f" {i}", notes=HOSTILE[i % len(HOSTILE)])
           for i, fn in enumerate(nhs.functions[:5])]  # fmt: skip
    hostile = attrs.evolve(nhs, functions=(*fns, *nhs.functions[5:]))
    target = tmp_path / f"p{suffix}"
    dump_portfolio(hostile, target)
    assert taxonomy.load_portfolio(target) == hostile  # lossless
    if suffix == ".xlsx":
        book = openpyxl.load_workbook(target)
        cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
        assert all(c.data_type != "f" for c in cells)  # no formula anywhere
        assert any(c.value == HOSTILE[0] for c in cells)  # the text itself, unchanged
    else:
        lines = target.read_text().splitlines()
        assert not any(
            cell.startswith(("=", "+", "@")) for line in lines for cell in line.split(",")
        )
        assert "'=HYPERLINK" in target.read_text()


def test_results_files_neutralise_formulas(tmp_path: Path) -> None:
    import attrs

    from taxonomy.render.workbook import write_results

    nhs = taxonomy.load_portfolio(NHS)
    hostile = nhs.with_function(attrs.evolve(nhs.function("pricing"), name="=cmd|' /C calc'!A0"))
    result = taxonomy.classify(hostile)
    write_results(result, tmp_path / "r.csv")
    assert "\n" + "pricing,'=cmd" in (tmp_path / "r.csv").read_text()
    write_results(result, tmp_path / "r.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx").active
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
