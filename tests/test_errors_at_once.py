"""Every problem in a portfolio or a workbook reported in one run, and errors as JSON for tooling."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import attrs
import openpyxl
import pytest
import yaml

import taxonomy
from taxonomy.errors import MAX_PROBLEMS
from taxonomy.input.files import dump_portfolio
from taxonomy.input.portfolio import portfolio_from_data
from taxonomy.language.facts import CHOICE, LEVEL, parse_answer
from tests.conftest import COUNCILS, COUNCILS_PACK, NHS, NWL
from tests.helpers import run_cli, write

PORTFOLIO = """
name: Test
organisations:
  - {id: a, name: Body A}
  - {id: b, name: Body B}
functions:
  - id: pricing
    name: Pricing
    level: national
    performed_by: [a, b]
    efficiency: {duplication: high, simplification: hihg}
    effectiveness: {joint_benefit: medium}
    legal:
      statutory_owner: b
      board_reserved: maybe
    capability: {a: medium, b: high}
  - id: hr
    name: HR
    level: national
    performed_by: a b
    efficiency: {duplication: high, simplification: medium}
    effectiveness: {joint_benefit: medum}
    legal: {}
    capability: {a: medium, b: high}
    shape: round
"""


def _where(error: taxonomy.PortfolioError) -> list[tuple[Any, ...]]:
    return [(p.sheet, p.line, p.column, p.item, p.key) for p in error.problems]


def test_a_yaml_portfolio_reports_every_problem_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "p.yaml", PORTFOLIO)
    with pytest.raises(taxonomy.PortfolioError) as info:
        taxonomy.load_portfolio(path)
    error = info.value
    assert error.total == 5
    assert [(p.line, p.item, p.key) for p in error.problems] == [
        (10, "function 'pricing'", "simplification"),
        (14, "function 'pricing'", "board_reserved"),
        (19, "function 'hr'", "performed_by"),
        (21, "function 'hr'", "joint_benefit"),
        (24, "function 'hr'", "shape"),
    ]
    message = str(error).splitlines()
    assert message[0] == f"{path}: 5 problems:"
    assert message[1] == (
        f"  {path}:10: function 'pricing': key 'simplification': 'hihg' is not a level; "
        "allowed: none, low, medium, high, unknown, LOW..HIGH (a range) (did you mean 'high'?)"
    )
    # The multi-body value written with a space: the message says how to write several.
    assert "list organisation ids with commas, e.g. [a, b]" in message[3]


def test_one_problem_is_reported_exactly_as_before(tmp_path: Path) -> None:
    text = PORTFOLIO.replace("simplification: hihg", "simplification: high")
    text = text.replace("board_reserved: maybe", "board_reserved: false")
    text = text.replace("performed_by: a b", "performed_by: [a, b]")
    text = text.replace("joint_benefit: medum", "joint_benefit: medium")
    path = write(tmp_path / "p.yaml", text)
    with pytest.raises(taxonomy.PortfolioError) as info:
        taxonomy.load_portfolio(path)
    assert str(info.value) == (
        f"{path}:24: function 'hr': key 'shape': unknown key; allowed: id, name, level, "
        "performed_by, efficiency, effectiveness, legal, capability, agreed_lead, involves, notes"
    )
    assert info.value.problems == (info.value,)


def test_a_problem_does_not_bring_its_consequences_with_it() -> None:
    """A function with a bad answer is still a function the governance may name."""
    data = yaml.safe_load(NWL.read_text(encoding="utf-8"))
    delegated = data["governance"]["bodies"][0]["delegated"][0]["function"]
    function = next(f for f in data["functions"] if f["id"] == delegated)
    function["efficiency"]["duplication"] = "hgh"
    with pytest.raises(taxonomy.PortfolioError) as info:
        portfolio_from_data(data, file="nwl.yaml")
    assert [(p.item, p.key) for p in info.value.problems] == [
        (f"function '{delegated}'", "duplication")
    ]
    # A misspelt answer is one problem: what it was meant as is not also missing.
    for where, wrong, meant in (
        ("efficiency", "simplificaton", "simplification"),
        ("capability", "nhsee", "nhse"),
    ):
        data = yaml.safe_load(NHS.read_text(encoding="utf-8"))
        answers = data["functions"][0][where]
        answers[wrong] = answers.pop(meant)
        with pytest.raises(taxonomy.PortfolioError) as info:
            portfolio_from_data(data, file="nhs.yaml")
        assert info.value.total == 1 and info.value.suggestion == meant, str(info.value)
    # A missing organisation id makes every body reference uncheckable: it stops there.
    data = yaml.safe_load(NWL.read_text(encoding="utf-8"))
    del data["organisations"][0]["id"]
    with pytest.raises(taxonomy.PortfolioError) as info:
        portfolio_from_data(data, file="nwl.yaml")
    assert str(info.value) == "nwl.yaml: organisation: missing required key 'id'"


def test_problems_are_capped_with_a_count() -> None:
    data = yaml.safe_load(NHS.read_text(encoding="utf-8"))
    functions = data["functions"]
    extra = MAX_PROBLEMS + 10 - len(functions)
    data["functions"] = functions + [
        dict(functions[0], id=f"copy-{n}", name=f"Copy {n}") for n in range(extra)
    ]
    for function in data["functions"]:
        function["effectiveness"] = {"joint_benefit": "some"}
    with pytest.raises(taxonomy.PortfolioError) as info:
        portfolio_from_data(data, file="big.yaml")
    assert info.value.total == MAX_PROBLEMS + 10
    assert len(info.value.problems) == MAX_PROBLEMS
    assert str(info.value).splitlines()[0] == f"big.yaml: {MAX_PROBLEMS + 10} problems:"
    assert str(info.value).splitlines()[-1] == "  … and 10 more"


def _set(book: Any, sheet: str, row: int, column: str, value: Any) -> None:
    worksheet = book[sheet]
    header = [c.value for c in worksheet[1]]
    worksheet.cell(row=row, column=header.index(column) + 1).value = value


def _five_mistakes(tmp_path: Path) -> Path:
    """The NHS example as a workbook, with five different mistakes in it (and one capital)."""
    path = tmp_path / "nhs.xlsx"
    assert run_cli("template", str(NHS), "-o", str(path)).returncode == 0
    book = openpyxl.load_workbook(path)
    _set(book, "functions", 2, "efficiency.duplication", "hgh")  # a bad level
    _set(book, "functions", 3, "performed_by", "nhse; nhsi")  # bodies not separated by commas
    _set(book, "law", 2, "joint_committees", "flase")  # a typo'd law value
    _set(book, "functions", 4, "capability.nhsi", "hi")  # a bad capability cell
    _set(book, "functions", 5, "capability.nhse", None)  # a required cell left empty
    _set(book, "functions", 6, "efficiency.simplification", "High")  # fine: means high
    book.save(path)
    return path


def test_a_workbook_with_five_mistakes_gets_five_messages(tmp_path: Path) -> None:
    path = _five_mistakes(tmp_path)
    with pytest.raises(taxonomy.PortfolioError) as info:
        taxonomy.load_portfolio(path)
    error = info.value
    assert error.total == 5
    assert [(p.sheet, p.line, p.column) for p in error.problems] == [
        ("functions", 2, "efficiency.duplication"),
        ("functions", 3, "performed_by"),
        ("functions", 4, "capability.nhsi"),
        ("functions", 5, "capability.nhse"),
        ("law", 2, "joint_committees"),
    ]
    assert [p.item for p in error.problems[:4]] == [
        "function 'clinical-programmes'",
        "function 'regional-teams'",
        "function 'transactional-hr'",
        "function 'national-clinical-roles'",
    ]
    lines = str(error).splitlines()
    assert lines[0] == f"{path}: 5 problems:"
    assert "did you mean 'false'?" in lines[5]
    assert "separate organisation ids in a cell with commas, e.g. 'nhse, nhsi'" in lines[2]
    assert lines[4].endswith(
        "column 'capability.nhse': function 'national-clinical-roles': capability must be "
        "answered for every body in performed_by; missing: nhse"
    )
    # Put right, the workbook loads, and "High" was read as high.
    book = openpyxl.load_workbook(path)
    _set(book, "functions", 2, "efficiency.duplication", "high")
    _set(book, "functions", 3, "performed_by", "nhse, nhsi")
    _set(book, "law", 2, "joint_committees", "false")
    _set(book, "functions", 4, "capability.nhsi", "medium")
    _set(book, "functions", 5, "capability.nhse", "medium")
    book.save(path)
    loaded = taxonomy.load_portfolio(path)
    assert loaded.functions[4].efficiency.simplification is taxonomy.Level.HIGH


def test_a_csv_portfolio_reports_every_bad_cell(tmp_path: Path) -> None:
    path = tmp_path / "nhs.csv"
    dump_portfolio(taxonomy.load_portfolio(NHS), path)
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    assert "legal.board_reserved" in header
    lines[0] = lines[0].replace("agreed_lead", "agreed_leed")
    lines[2] = lines[2].replace(",medium,", ",middling,", 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(taxonomy.PortfolioError) as info:
        taxonomy.load_portfolio(path)
    assert info.value.total == 2
    first, second = info.value.problems
    assert (first.sheet, first.line, first.column) == ("functions", 1, "agreed_leed")
    assert (second.sheet, second.line) == ("functions", 3)
    assert "'middling' is not a level" in second.problem


def test_levels_tiers_and_choices_are_read_whatever_their_case(tmp_path: Path) -> None:
    text = PORTFOLIO.replace("simplification: hihg", "simplification: High")
    text = text.replace("board_reserved: maybe", "board_reserved: false")
    text = text.replace("performed_by: a b", "performed_by: [a, b]")
    text = text.replace("joint_benefit: medum", "joint_benefit: MEDIUM")
    text = text.replace("    shape: round\n", "").replace("level: national", "level: National")
    portfolio = taxonomy.load_portfolio(write(tmp_path / "p.yaml", text))
    assert portfolio.functions[0].efficiency.simplification is taxonomy.Level.HIGH
    assert portfolio.functions[1].effectiveness.joint_benefit is taxonomy.Level.MEDIUM
    assert portfolio.functions[0].level == "national"
    assert parse_answer(LEVEL, "Low", bodies=None) == (None, taxonomy.Level.LOW)
    choice = attrs.evolve(CHOICE, choices=("aligned", "separate"))
    assert parse_answer(choice, "Aligned", bodies=None) == (None, "aligned")
    # Two choices differing only in case: which was meant is unknown, so it is refused.
    ambiguous = attrs.evolve(CHOICE, choices=("yes", "YES"))
    assert parse_answer(ambiguous, "Yes", bodies=None)[0] is not None
    assert parse_answer(ambiguous, "YES", bodies=None) == (None, "YES")


def test_the_template_has_a_drop_down_and_a_prompt_on_every_constrained_cell(
    tmp_path: Path,
) -> None:
    target = tmp_path / "t.xlsx"
    assert run_cli("template", str(NHS), "-o", str(target)).returncode == 0
    book = openpyxl.load_workbook(target)

    def checks(sheet: str) -> dict[str, Any]:
        """Each validated cell range's first cell, with its validation."""
        found = {}
        for rule in book[sheet].data_validations.dataValidation:
            for cells in str(rule.sqref).split():
                found[cells.split(":")[0]] = rule
        return found

    def column_of(sheet: str, name: str) -> str:
        header = [c.value for c in book[sheet][1]]
        return str(openpyxl.utils.get_column_letter(header.index(name) + 1))

    functions = checks("functions")
    header = [c.value for c in book["functions"][1]]
    constrained = {
        "level": '"national,regional,local"',
        "efficiency.duplication": '"none,low,medium,high,unknown,none..low,none..medium,none..high,low..medium,low..high,medium..high"',
        "efficiency.simplification": '"none,low,medium,high,unknown,none..low,none..medium,none..high,low..medium,low..high,medium..high"',
        "effectiveness.joint_benefit": '"none,low,medium,high,unknown,none..low,none..medium,none..high,low..medium,low..high,medium..high"',
        "legal.board_reserved": '"true,false"',
        "agreed_lead": '"nhse,nhsi"',
        "capability.nhse": '"none,low,medium,high,unknown,none..low,none..medium,none..high,low..medium,low..high,medium..high"',
        "capability.nhsi": '"none,low,medium,high,unknown,none..low,none..medium,none..high,low..medium,low..high,medium..high"',
        "performed_by": None,  # several ids: a prompt saying how to write them, no list
        "legal.statutory_owner": None,
        "legal.independence_from": None,
    }
    assert set(constrained) <= set(header)
    for name, options in constrained.items():
        rule = functions[f"{column_of('functions', name)}2"]
        assert rule.formula1 == options, name
        assert rule.showInputMessage and rule.prompt and rule.promptTitle == name
        assert len(rule.prompt) <= 255 and len(rule.promptTitle) <= 32
    assert "separated by commas" in functions[f"{column_of('functions', 'performed_by')}2"].prompt
    # The law: the dated law's sheet, and the undated law's cell in a blank template.
    law = checks("law")[f"{column_of('law', 'joint_committees')}2"]
    assert (
        law.formula1 == '"true,false"'
        and law.showInputMessage
        and "joint committee" in (law.prompt)
    )
    blank = tmp_path / "blank.xlsx"
    assert run_cli("template", "westbrook,eastfield", "-o", str(blank)).returncode == 0
    book = openpyxl.load_workbook(blank)
    keys = [c.value for c in book["portfolio"]["A"]]
    cell = f"B{keys.index('law.joint_committees') + 1}"
    rule = checks("portfolio")[cell]
    assert rule.formula1 == '"true,false"' and rule.showInputMessage and rule.prompt
    assert (
        checks("portfolio")["A2"].formula1
        == '"name,rules,rules.name,rules.version,as_of,law.joint_committees"'
    )
    capability = checks("functions")[f"{column_of('functions', 'capability.westbrook')}2"]
    assert "westbrook" in capability.prompt and capability.showInputMessage


def test_format_json_errors_are_json_on_stderr(tmp_path: Path) -> None:
    path = _five_mistakes(tmp_path)
    for args in (["--format", "json"], ["--format=json"]):
        out = run_cli("classify", str(path), *args)
        assert out.returncode == 2 and out.stdout == ""
        error = json.loads(out.stderr)["error"]
        assert error["kind"] == "portfolio" and error["exit_code"] == 2
        assert error["message"].startswith(f"{path}: 5 problems:")
        assert [(p["sheet"], p["line"], p["column"]) for p in error["problems"]][:2] == [
            ("functions", 2, "efficiency.duplication"),
            ("functions", 3, "performed_by"),
        ]
        assert error["problems"][0]["suggestion"] == "high"
    text = run_cli("classify", str(path))
    assert text.returncode == 2 and text.stderr.startswith(f"taxonomy: error: {path}: 5 problems")
    missing = run_cli("classify", str(tmp_path / "none.yaml"), "--format", "json")
    assert missing.returncode == 2
    assert json.loads(missing.stderr)["error"]["problems"][0]["problem"] == "no such file"
    usage = run_cli("classify", str(NHS), "--format", "json", "--bogus")
    assert usage.returncode == 2 and json.loads(usage.stderr)["error"]["kind"] == "usage"


def test_a_misspelt_required_key_is_one_problem(tmp_path: Path) -> None:
    text = PORTFOLIO.replace("    name: HR\n", "    nmae: HR\n").replace("    shape: round\n", "")
    text = text.replace("simplification: hihg", "simplification: high")
    text = text.replace("board_reserved: maybe", "board_reserved: false")
    text = text.replace("performed_by: a b", "performed_by: [a, b]")
    text = text.replace("joint_benefit: medum", "joint_benefit: medium")
    with pytest.raises(taxonomy.PortfolioError) as info:
        taxonomy.load_portfolio(write(tmp_path / "p.yaml", text))
    assert info.value.total == 1 and info.value.key == "nmae" and info.value.suggestion == "name"
    # Missing and misspelt are two problems when the misspelling does not point at the key.
    text = text.replace("    nmae: HR\n", "    shape: round\n")
    with pytest.raises(taxonomy.PortfolioError) as info:
        taxonomy.load_portfolio(write(tmp_path / "p.yaml", text))
    assert [p.problem for p in info.value.problems] == [
        "missing required key 'name'",
        "unknown key",
    ]


def test_an_unknown_id_as_json() -> None:
    out = run_cli("explain", str(NHS), "pricng", "--format", "json")
    assert out.returncode == 2
    error = json.loads(out.stderr)["error"]
    assert error["kind"] == "unknown id"
    assert error["problems"][0]["item"] == "pricng"
    assert error["problems"][0]["suggestion"] == "pricing"
    text = run_cli("explain", str(NHS), "pricng")
    assert text.returncode == 2 and text.stderr.startswith("taxonomy: error: no function 'pricng'")


def test_every_provision_of_a_dated_law_is_checked() -> None:
    data = yaml.safe_load(NHS.read_text(encoding="utf-8"))
    assert len(data["law"]) >= 2
    for provision in data["law"][:2]:
        provision["source"] = " "
    data["functions"][0]["efficiency"]["duplication"] = "hgh"
    with pytest.raises(taxonomy.PortfolioError) as info:
        portfolio_from_data(data, file="nhs.yaml")
    assert [(p.item, p.key, p.problem) for p in info.value.problems] == [
        (f"function '{data['functions'][0]['id']}'", "duplication", "'hgh' is not a level"),
        (f"law: provision '{data['law'][0]['id']}'", "source", "must not be empty"),
        (f"law: provision '{data['law'][1]['id']}'", "source", "must not be empty"),
    ]


def test_a_role_missing_required_keys_is_reported_not_built(tmp_path: Path) -> None:
    """Found by the workbook fuzz test: a role with no name or employer went on to be built, and
    the model's own ValueError escaped instead of the loader's message."""
    text = NHS.read_text(encoding="utf-8").replace(
        "{id: joint-rd-london, name: Joint Regional Director London, employed_by: nhse, ",
        "{id: joint-rd-london, ",
    )
    path = write(tmp_path / "p.yaml", text)
    with pytest.raises(taxonomy.PortfolioError) as caught:
        taxonomy.load_portfolio(path)
    message = str(caught.value)
    assert "role 'joint-rd-london': missing required key 'name'" in message
    assert "role 'joint-rd-london': missing required key 'employed_by'" in message


def test_a_pack_question_answered_wrongly_is_one_problem_not_two(tmp_path: Path) -> None:
    """A declared legal answer with a bad value, and the same keys under a pack that does not
    declare them: each is one problem (the legal reader reported them again as unknown keys)."""
    text = COUNCILS.read_text(encoding="utf-8")
    text = re.sub(r"^rules: .*\n", "", text, flags=re.M)  # the pack is given here, or none
    text = re.sub(r"democratic_control: \w+", "democratic_control: hihg", text, count=1)
    text = re.sub(r"host_employer: \w+", "host_employer: eastbrok", text, count=1)
    path = write(tmp_path / "p.yaml", text)
    pack = taxonomy.load_rules(COUNCILS_PACK)
    for rules in (pack, None):
        with pytest.raises(taxonomy.PortfolioError) as caught:
            taxonomy.load_portfolio(path, rules=rules)
        assert caught.value.total == 2, str(caught.value)
        assert [p.key for p in caught.value.problems] == ["democratic_control", "host_employer"]


def test_a_delegation_limit_is_read_in_any_case(tmp_path: Path) -> None:
    text = NHS.read_text(encoding="utf-8")
    assert "not_delegable_to: [another_body]" in text
    text = text.replace("not_delegable_to: [another_body]", "not_delegable_to: [Another_Body]")
    loaded = taxonomy.load_portfolio(write(tmp_path / "p.yaml", text))
    assert loaded == taxonomy.load_portfolio(NHS)
