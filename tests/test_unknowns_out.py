"""The outputs that draw one structure, given functions still open: shown open, never guessed."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import attrs
import pytest

import taxonomy
from taxonomy._model import Level
from taxonomy.errors import ScenarioError
from taxonomy.render.answer_sheet import ANSWER_COLUMNS, SHEET
from taxonomy.render.export import to_graphml, to_node_link_json
from taxonomy.render.picture import draw
from taxonomy.render.report import build_report
from taxonomy.render.workbook import read_answers, write_results
from taxonomy.structure.checks import check, structure_report
from taxonomy.structure.graph import build_graph, owners

#: Two functions: ``f`` open on duplication (one team if high, else aligned), ``g`` decided.
PORTFOLIO = """\
name: t
organisations: [{id: a, name: Alpha}, {id: b, name: Beta}]
functions:
  - id: f
    name: Finance
    level: national
    performed_by: [a, b]
    legal: {statutory_owner: a}
    efficiency: {duplication: unknown, simplification: low}
    effectiveness: {joint_benefit: medium}
    capability: {a: medium, b: medium}
  - id: g
    name: Grants
    level: national
    performed_by: [a, b]
    legal: {statutory_owner: a}
    efficiency: {duplication: high, simplification: high}
    effectiveness: {joint_benefit: high}
    capability: {a: high, b: medium}
"""


def _decided_only(portfolio: taxonomy.Portfolio) -> taxonomy.Portfolio:
    """The portfolio without its open function ``f``."""
    return attrs.evolve(portfolio, functions=tuple(f for f in portfolio.functions if f.id != "f"))


@pytest.fixture
def portfolio(tmp_path: Path) -> taxonomy.Portfolio:
    path = tmp_path / "p.yaml"
    path.write_text(textwrap.dedent(PORTFOLIO), encoding="utf-8")
    return taxonomy.load_portfolio(path)


def test_the_graph_draws_an_open_function_undecided_between_its_options(
    portfolio: taxonomy.Portfolio,
) -> None:
    result = taxonomy.classify(portfolio)
    rec = result["f"]
    assert not rec.decided
    graph = build_graph(result)
    node = graph.nodes["function:f"]
    assert node["decided"] is False and node["arrangement"] is None
    assert set(node["possible"]) == {str(o.arrangement) for o in rec.possible}
    assert len(node["possible"]) > 1
    assert node["open_question"] == "efficiency.duplication"
    # Today's teams are kept, each under its own Board: no option is drawn as a guess.
    assert owners(graph, "function:f") == ["team:f:a", "team:f:b"]
    assert "decided" not in graph.nodes["function:g"]  # a decided node is as it always was
    data = json.loads(to_node_link_json(graph))
    f = next(n for n in data["nodes"] if n["id"] == "function:f")
    assert f["decided"] is False and f["possible"] == list(node["possible"])
    assert "<data key=" in to_graphml(graph)


def test_check_reports_an_open_function_as_open_and_checks_the_rest(
    portfolio: taxonomy.Portfolio,
) -> None:
    result = taxonomy.classify(portfolio)
    findings = check(build_graph(result))
    open_ = [f for f in findings if f.check == "undecided"]
    assert [f.nodes for f in open_] == [("function:f",)]
    assert open_[0].severity == "info"
    assert "answer efficiency.duplication first" in open_[0].message
    # The open function gets no finding about an arrangement it does not have.
    assert all(f.nodes[0] != "function:f" for f in findings if f.check != "undecided")
    decided_alone = taxonomy.classify(_decided_only(portfolio))
    assert [f for f in findings if f.check != "undecided"] == check(build_graph(decided_alone))
    assert structure_report(result).to_dict()["metrics"]["to_be"]["findings"]["info"] >= 1


def test_the_picture_draws_an_open_function_dashed_with_its_options(
    portfolio: taxonomy.Portfolio,
) -> None:
    result = taxonomy.classify(portfolio)
    svg = draw(build_graph(result), fmt="svg").decode()
    assert "Not decided yet: answers left open" in svg
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", svg, re.S)
    assert desc is not None
    options = " or ".join(
        f"{o.arrangement.category}. {o.arrangement.title}" for o in result["f"].possible
    )
    assert f"Finance (open: {options})" in desc.group(1)
    assert "drawn with each body's own team, dashed" in desc.group(1)
    assert "not decided yet" in svg  # the key says what the dashed teams are
    assert "stroke-dasharray" in svg


def test_the_report_shows_open_functions_open_and_what_to_answer_first(
    portfolio: taxonomy.Portfolio,
) -> None:
    page = build_report(portfolio, pictures=False)
    summary = page[
        page.index('<section id="summary">') : page.index('<section id="recommendations">')
    ]
    assert "What we still need to know" in summary
    assert "1 of 2 functions are not decided yet" in summary
    assert "efficiency.duplication" in summary
    assert "high: decides 1 (1 one team)" in summary
    assert "decides 1 (1 aligned, separate functions)" in summary
    # Finance is counted under no arrangement: the counts name only the decided function.
    counts = summary[: summary.index("What we still need to know")]
    assert "Grants" in counts and "Finance" not in counts
    table = page[
        page.index('<section id="recommendations">') : page.index('<section id="explanations">')
    ]
    assert re.search(r"Finance</td><td class=\"cat0\">open: ", table)
    why = page[page.index('<section id="explanations">') : page.index('<section id="checks">')]
    assert 'Finance — <span class="arrangement cat0">not decided yet</span>' in why
    assert "Robustness" in why and why.count("Robustness") == 1  # only the decided one


def test_the_report_of_a_decided_portfolio_says_nothing_is_open(
    portfolio: taxonomy.Portfolio,
) -> None:
    page = build_report(_decided_only(portfolio), pictures=False)
    assert "What we still need to know" not in page and "not decided yet" not in page


def _fill(path: Path, answers: dict[tuple[str, str], object]) -> None:
    """Fill in the open questions sheet as a team would, in a spreadsheet program."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    sheet = book[SHEET]
    heads = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        key = (row[heads.index("function")].value, row[heads.index("question")].value)
        if key in answers:
            row[heads.index("answer")].value = answers[key]
    book.save(path)


def test_the_workbook_asks_the_open_questions_with_their_allowed_answers(
    portfolio: taxonomy.Portfolio, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "results.xlsx"
    result = taxonomy.classify(portfolio)
    write_results(result, path)
    book = load_workbook(path)
    rows = list(book["recommendations"].iter_rows(values_only=True))
    finance = next(r for r in rows if r[0] == "f")
    assert str(finance[2]).startswith("open: ") and finance[3] is None and finance[5] == "open"
    assert finance[6] == "not decided: answer efficiency.duplication first"
    sheet = book[SHEET]
    assert [c.value for c in sheet[1]] == ANSWER_COLUMNS
    asked = [r for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert [(r[0], r[2], r[3]) for r in asked] == [("f", "efficiency.duplication", 1)]
    assert asked[0][-1] is None  # for the team to fill in
    (validation,) = sheet.data_validations.dataValidation
    assert validation.formula1 == '"none,low,medium,high"' and "G2" in str(validation.sqref)


def test_a_workbook_filled_in_reads_back_as_answers_that_decide(
    portfolio: taxonomy.Portfolio, tmp_path: Path
) -> None:
    path = tmp_path / "results.xlsx"
    write_results(taxonomy.classify(portfolio), path)
    _fill(path, {("f", "efficiency.duplication"): "high"})
    scenario = read_answers(path)
    answered = taxonomy.classify(scenario.apply(portfolio).portfolio)
    rec = answered["f"]
    assert rec.decided and rec.arrangement is taxonomy.Arrangement.ONE_TEAM
    direct = attrs.evolve(
        portfolio.function("f"),
        efficiency=attrs.evolve(portfolio.function("f").efficiency, duplication=Level.HIGH),
        unknowns=(),
    )
    assert rec == taxonomy.classify(portfolio.with_function(direct))["f"]
    # Nothing filled in: no answer given, the function stays open.
    write_results(taxonomy.classify(portfolio), path)
    assert not taxonomy.classify(read_answers(path).apply(portfolio).portfolio)["f"].decided


def test_bad_answers_in_the_workbook_are_each_reported(
    portfolio: taxonomy.Portfolio, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "results.xlsx"
    write_results(taxonomy.classify(portfolio), path)
    book = load_workbook(path)
    book[SHEET].append(["g", "Grants", "efficiency.simplification", 1, 1, "", "hihg"])
    book.save(path)
    _fill(path, {("f", "efficiency.duplication"): "very"})
    with pytest.raises(ScenarioError) as caught:
        read_answers(path)
    message = str(caught.value)
    assert "2 problems" in message and "results.xlsx" in message
    assert "row 2" in message and "row 3" in message and "efficiency.duplication" in message
    with pytest.raises(ScenarioError, match="has no sheet 'open questions'"):
        decided = tmp_path / "decided.xlsx"
        write_results(taxonomy.classify(_decided_only(portfolio)), decided)
        read_answers(decided)


def test_grouped_by_lead_an_open_function_is_still_drawn_open(
    portfolio: taxonomy.Portfolio,
) -> None:
    svg = draw(build_graph(taxonomy.classify(portfolio)), fmt="svg", group="body").decode()
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", svg, re.S)
    assert desc is not None and "Finance (open: " in desc.group(1)
    assert "stroke-dasharray" in svg


def test_the_nhs_example_with_its_silences_open_checks_draws_and_reports(tmp_path: Path) -> None:
    from tests.conftest import ROOT
    from tests.helpers import run_cli

    example = str(ROOT / "examples" / "nhs_joint_working_2018_unknown.yaml")
    out = run_cli("check", example, "--format", "json")
    assert out.returncode == 0, out.stderr
    findings = json.loads(out.stdout)["findings"]
    undecided = [f for f in findings if f["check"] == "undecided"]
    result = taxonomy.classify(taxonomy.load_portfolio(example))
    assert len(undecided) == sum(1 for r in result if not r.decided) > 0
    for args in (["graph", example, "-o", str(tmp_path / "g.json")],
                 ["report", example, "-o", str(tmp_path / "r.html")]):  # fmt: skip
        done = run_cli(*args)
        assert done.returncode == 0, done.stderr
    nodes = json.loads((tmp_path / "g.json").read_text(encoding="utf-8"))["nodes"]
    assert sum(1 for n in nodes if n.get("decided") is False) == len(undecided)
    assert "What we still need to know" in (tmp_path / "r.html").read_text(encoding="utf-8")
