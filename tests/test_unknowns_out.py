"""The outputs that draw one structure, given functions still open: shown open, never guessed."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

import taxonomy
from taxonomy.render.export import to_graphml, to_node_link_json
from taxonomy.render.picture import draw
from taxonomy.render.report import build_report
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
    import attrs

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
