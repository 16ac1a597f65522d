"""Inputs that used to end in a Python traceback, or be changed without a word (issue 22).

Each is now refused with one message naming the file and where in it (the CLI: one line, exit
2), or, where it was silently changed (a key given twice, text cut to fit a cell, an invalid
sheet title), kept whole or refused.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import taxonomy
from taxonomy.input.portfolio import portfolio_from_data
from taxonomy.input.spreadsheet import write_portfolio
from taxonomy.whatif.counterfactual import counterfactuals
from tests.helpers import RULES, run_cli, write
from tests.test_spreadsheet_declared import FACTS, MORE_FACTS, PORTFOLIO, _pack

pytest_plugins = ["pytester"]

#: Excel's limits: characters in a cell, and in a sheet title.
MAX_CELL_CHARACTERS = 32_767
MAX_SHEET_TITLE = 31

SMALL = """\
name: Small
organisations:
  - {id: a, name: Alpha}
  - {id: b, name: Beta}
functions:
  - id: pay
    name: Payroll
    level: national
    performed_by: [a, b]
    efficiency: {duplication: high, simplification: medium}
    effectiveness: {joint_benefit: high}
    legal: {}
    capability: {a: medium, b: low}
"""


def _small(tmp_path: Path, text: str = SMALL, name: str = "small.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _refused(result: Any, *needles: str) -> str:
    """The one line of a CLI refusal (exit 2, no traceback), checked to hold each needle."""
    assert result.returncode == 2, (result.returncode, result.stdout[-2000:], result.stderr[-2000:])
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


# --- a lone surrogate ---------------------------------------------------------------------------

#: What JSON output used to crash on (UnicodeEncodeError): no UTF-8 can hold one.
UTF8 = {"PYTHONIOENCODING": "utf-8"}


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("small.yaml", SMALL.replace("name: Payroll", 'name: "Pay\\ud800roll"')),
        ("small.json", None),  # the same portfolio as JSON, the surrogate as JSON escapes it
    ],
)
def test_a_lone_surrogate_in_a_name_is_refused_where_it_is_read(
    tmp_path: Path, name: str, text: str | None
) -> None:
    if text is None:
        import yaml

        data = yaml.safe_load(SMALL)
        data["functions"][0]["name"] = "Pay\ud800roll"
        text = json.dumps(data, indent=1)  # ensure_ascii: written "Pay\ud800roll"
    path = _small(tmp_path, text, name)
    result = run_cli("classify", str(path), "--format", "json", env=UTF8)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    message = json.loads(result.stderr)["error"]["message"]
    assert str(path) in message and "key 'name'" in message and "U+D800" in message, message


def test_a_surrogate_pair_escaped_in_two_halves_is_the_character(tmp_path: Path) -> None:
    """JSON writes a character beyond U+FFFF as two escapes; they are joined, not refused."""
    text = SMALL.replace("name: Payroll", 'name: "Pay \\ud83d\\ude00"')
    result = run_cli("classify", str(_small(tmp_path, text)), "--format", "json", env=UTF8)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Pay \U0001f600" in result.stdout


def test_a_lone_surrogate_in_python_data_names_the_function_and_key() -> None:
    import yaml

    data = yaml.safe_load(SMALL)
    data["functions"][0]["name"] = "Pay\udc00roll"
    with pytest.raises(taxonomy.PortfolioError) as info:
        portfolio_from_data(data)
    assert "function 'pay': key 'name'" in str(info.value) and "U+DC00" in str(info.value)


def test_a_lone_surrogate_in_a_workbook_or_csv_is_refused(tmp_path: Path) -> None:
    portfolio = taxonomy.load_portfolio(_small(tmp_path))
    book_path = tmp_path / "p.xlsx"
    write_portfolio(portfolio, book_path)
    book = openpyxl.load_workbook(book_path)
    book["functions"]["B2"] = "Pay\ud800roll"  # openpyxl writes it as &#55296;: no XML holds it
    book.save(book_path)
    _refused(run_cli("classify", str(book_path)), str(book_path), "sheet 'functions'")

    csv_path = tmp_path / "p.csv"
    write_portfolio(portfolio, csv_path)
    bodies = tmp_path / "p.bodies.csv"
    bodies.write_bytes(bodies.read_bytes().replace(b"Beta", b"Be\xed\xa0\x80ta"))  # U+D800
    _refused(run_cli("classify", str(csv_path)), str(bodies), "not UTF-8 text")


# --- numbers too large to write out -------------------------------------------------------------

BIG = "1" * 5000


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("duplication: high", f"duplication: {BIG}", "duplication"),
        ("a: medium", f"a: {BIG}", "a"),
        ("a: medium", "a: 0x" + "f" * 4000, "a"),  # read by Python, but too long to write out
    ],
)
def test_a_5000_digit_level_or_capability_is_too_large(
    tmp_path: Path, old: str, new: str, key: str
) -> None:
    path = _small(tmp_path, SMALL.replace(old, new))
    _refused(run_cli("classify", str(path)), f"{path}:", f"key '{key}'", "too large")


def test_a_5000_digit_priority_is_too_large(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(RULES, pack)
    rules = pack / "capability.yaml"
    rules.write_text(rules.read_text().replace("priority: 2\n", f"priority: {BIG}\n", 1))
    _refused(run_cli("rules", str(pack)), f"{rules}:", "key 'priority'", "too large")


def test_a_too_large_number_in_python_data_is_refused() -> None:
    import yaml

    data = yaml.safe_load(SMALL)
    data["functions"][0]["capability"]["a"] = 10**5000
    with pytest.raises(taxonomy.PortfolioError) as info:
        portfolio_from_data(data)
    assert "function 'pay': key 'a'" in str(info.value) and "too large" in str(info.value)


def test_a_5000_digit_count_in_csv_is_too_large(tmp_path: Path) -> None:
    pack = _pack(tmp_path / "every", FACTS + MORE_FACTS)
    path = tmp_path / "two.yaml"
    path.write_text(PORTFOLIO.replace("capability: {a:", "capability: {staff_shared: false, a:"))
    target = tmp_path / "two.csv"
    write_portfolio(taxonomy.load_portfolio(path, rules=pack), target, rules=pack)
    with target.open(newline="") as handle:
        rows = list(csv.reader(handle))
    rows[2][rows[0].index("efficiency.systems")] = BIG
    with target.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    with pytest.raises(taxonomy.PortfolioError) as info:
        taxonomy.load_portfolio(target, rules=pack)
    message = str(info.value)
    assert "row 3, column 'efficiency.systems'" in message and "too large" in message, message


# --- a damaged workbook -------------------------------------------------------------------------


def _damaged(tmp_path: Path, change: Callable[[str], str]) -> Path:
    """The small portfolio as a workbook whose functions sheet's XML is changed."""
    good = tmp_path / "good.xlsx"
    write_portfolio(taxonomy.load_portfolio(_small(tmp_path)), good)
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bad, "w") as target:
        sheets = {
            name: source.read(name).decode() for name in source.namelist() if "worksheets" in name
        }
        functions = next(n for n, xml in sheets.items() if ">performed_by<" in xml)
        for name in source.namelist():
            data = source.read(name)
            if name == functions:
                data = change(data.decode()).encode()
            target.writestr(name, data)
    return bad


def _cell_b2(value: str) -> Callable[[str], str]:
    return lambda xml: re.sub(r'<c r="B2"[^>]*>.*?</c>', f'<c r="B2"><v>{value}</v></c>', xml)


@pytest.mark.parametrize(
    "change",
    [
        lambda xml: xml[: len(xml) // 2],  # XML cut short
        lambda xml: xml.replace('r="A2"', 'r="A-1"', 1),  # a cell reference that is none
        _cell_b2("abc"),  # text in a number cell
        _cell_b2(BIG),  # a number of 5,000 digits
    ],
    ids=["cut", "bad-reference", "not-a-number", "5000-digits"],
)
def test_a_damaged_sheet_is_one_error_naming_the_file_and_sheet(
    tmp_path: Path, change: Callable[[str], str]
) -> None:
    bad = _damaged(tmp_path, change)
    _refused(run_cli("classify", str(bad)), f"{bad}: sheet 'functions'", "damaged")
    with pytest.raises(taxonomy.PortfolioError):
        taxonomy.load_portfolio(bad)


# --- expectation files under pytest -------------------------------------------------------------


def test_a_bad_expectation_file_is_a_collection_error_without_a_stack(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(
        ".expect.yaml", bad="portfolio: x.yaml\ncases:\n  - {function: a, arrangement: alinged}\n"
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*bad.expect.yaml:3: case 'a': key 'arrangement': 'alinged' is not an arrangement*"]
    )
    output = result.stdout.str()
    assert "load_expectations" not in output and "raise_if_any" not in output, output


# --- counterfactuals' target --------------------------------------------------------------------


def test_counterfactuals_target_misspelt_is_the_librarys_error(tmp_path: Path) -> None:
    portfolio = taxonomy.load_portfolio(_small(tmp_path))
    with pytest.raises(taxonomy.InputError) as info:
        counterfactuals(portfolio, "pay", "alinged")
    assert info.value.suggestion == "aligned" and "did you mean 'aligned'" in str(info.value)


@pytest.mark.parametrize("target", [2, "2", "Aligned, separate function(s)", "ALIGNED", "aligned"])
def test_counterfactuals_target_by_number_or_label(tmp_path: Path, target: object) -> None:
    portfolio = taxonomy.load_portfolio(_small(tmp_path))
    assert counterfactuals(portfolio, "pay", target).target is taxonomy.Arrangement.ALIGNED  # type: ignore[arg-type]


# --- silent changes -----------------------------------------------------------------------------


def test_a_key_twice_in_the_csv_portfolio_table_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "p.csv"
    write_portfolio(taxonomy.load_portfolio(_small(tmp_path)), target)
    table = tmp_path / "p.portfolio.csv"
    table.write_text(table.read_text() + "name,Another name\n")
    rows = len(table.read_text().splitlines())
    _refused(
        run_cli("classify", str(target)),
        str(table),
        "sheet 'portfolio'",
        f"the key 'name' is given twice (rows 2 and {rows})",
    )


def test_convert_to_xlsx_refuses_a_name_longer_than_a_cell(tmp_path: Path) -> None:
    path = _small(tmp_path, SMALL.replace("name: Payroll", "name: " + "x" * 40_000))
    target = tmp_path / "p.xlsx"
    _refused(
        run_cli("convert", str(path), "-o", str(target)),
        f"{target}: sheet 'functions', row 2, column 'name'",
        f"text of 40000 characters: a workbook cell holds at most {MAX_CELL_CHARACTERS}",
    )
    assert not target.exists()
    results = tmp_path / "results.xlsx"
    _refused(
        run_cli("classify", str(path), "-o", str(results)),
        f"{results}: sheet 'recommendations', row 2, column 'name'",
    )
    assert not results.exists()
    # YAML and CSV hold it whole.
    assert run_cli("convert", str(path), "-o", str(tmp_path / "p.csv")).returncode == 0
    assert taxonomy.load_portfolio(tmp_path / "p.csv").function("pay").name == "x" * 40_000


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-1", "100.5"])
def test_fail_under_refuses_what_is_not_a_percentage(tmp_path: Path, value: str) -> None:
    path = _small(tmp_path)
    _refused(run_cli("rules", "coverage", str(path), "--fail-under", value), "'--fail-under'")


SCENARIO = """\
name: {name}
changes:
  - set: {{function: pay, field: efficiency.duplication, value: low}}
"""

LONG = "A scenario whose name is much longer than thirty-one characters"


def test_scenario_sheet_titles_are_valid_and_unique(tmp_path: Path) -> None:
    names = ["History", "\"'quoted'\"", f"{LONG}, one", f"{LONG}, two", "'What: if?'", "history"]
    scenarios = [
        str(write(tmp_path / f"s{n}.yaml", SCENARIO.format(name=name)))
        for n, name in enumerate(names)
    ]
    target = tmp_path / "w.xlsx"
    result = run_cli("whatif", str(_small(tmp_path)), *scenarios, "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr, result.stderr
    titles = openpyxl.load_workbook(target).sheetnames[1:]
    assert len(titles) == len(names)
    assert len({t.casefold() for t in titles}) == len(titles), titles
    for title in titles:
        _assert_valid_title(title)
    assert titles[0] == "History (2)" and titles[1] == "quoted", titles


def _assert_valid_title(title: str) -> None:
    assert 0 < len(title) <= MAX_SHEET_TITLE, title
    assert not set(title) & set("[]:*?/\\"), title
    assert title.casefold() != "history" and title[0] != "'" and title[-1] != "'", title


@pytest.mark.parametrize(
    "name", ["", "'", "''x''", "x" * 40, "a/b\\c[d]e:f*g?h", "History", "HISTORY", "\x07bell"]
)
def test_sheet_title_is_always_valid(name: str) -> None:
    from taxonomy.input.cells import sheet_title

    title = sheet_title(name, ["taken", "scenario"], default="scenario")
    _assert_valid_title(title)
    assert title.casefold() not in ("taken", "scenario")
    assert "\x07" not in title


# --- rule packs: every mistake in one run -------------------------------------------------------


def test_three_mistakes_in_one_rule_are_reported_in_one_run(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(RULES, pack)
    rules = pack / "capability.yaml"
    text = rules.read_text()
    text = text.replace("    question: capability\n", "    question: capabilty\n", 1)
    text = text.replace("priority: 2\n", "priority: two\n", 1)
    text = text.replace("[cost-effective, collaborative]", "[cost-efective, collaborative]", 1)
    # And in another rule, two mistakes in its 'then'.
    text = text.replace("then: {finding: capability_gain, value: medium}",
                        "then: {finding: capability_gain, value: meduim, cap: alinged}", 1)  # fmt: skip
    rules.write_text(text)
    with pytest.raises(taxonomy.RulePackError) as info:
        taxonomy.load_rules(pack)
    problems = [(p.item, p.key) for p in info.value.problems]
    assert problems == [
        ("rule 'capability.gain-high'", "question"),
        ("rule 'capability.gain-high'", "priority"),
        ("rule 'capability.gain-high'", "principles"),
        ("rule 'capability.gain-medium'", "value"),
        ("rule 'capability.gain-medium'", "cap"),
    ], str(info.value)
    result = run_cli("rules", str(pack))
    assert result.returncode == 2 and "5 problems" in result.stderr, result.stderr


def test_every_problem_of_one_rule_given_as_python_data() -> None:
    from taxonomy.input.reader import Reader
    from taxonomy.language.rules import read_rule

    rule = {
        "id": "x.y",
        "question": "efficency",
        "when": {"fact": "efficiency.duplication", "op": ">=", "value": "high"},
        "then": {"decide": "one_taem"},
        "because": "",
        "principles": ["simple", "simpel"],
        "source": "here",
    }
    with pytest.raises(taxonomy.RulePackError) as info:
        read_rule(Reader("<rules>", taxonomy.RulePackError), rule)
    keys = sorted(str(p.key) for p in info.value.problems)
    assert keys == ["because", "decide", "principles", "question"], str(info.value)
