"""Bodies outside the portfolio that a function must stay independent of (issue 25, item 5).

The fixture has three councils, two independent panels and a dated law that merges one panel
into the county on 2023-04-01 (tests/fixtures/independent_panel.yaml, illustrative).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

import taxonomy
from taxonomy.cli import main
from taxonomy.input.writing import portfolio_to_data
from taxonomy.structure.checks import check
from taxonomy.structure.graph import as_is_graph, build_graph, edges_of_kind, nodes_of_kind
from tests.conftest import ROOT
from tests.helpers import run_cli

PANEL = ROOT / "tests/fixtures/independent_panel.yaml"


def _data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(PANEL.read_text(encoding="utf-8"))
    return data


def test_independent_bodies_are_read_and_written_back() -> None:
    portfolio = taxonomy.load_portfolio(PANEL)
    assert portfolio.independent_ids == ("review-panel", "audit-committee")
    assert portfolio.organisation_ids == ("county", "east", "west")  # never a member
    assert portfolio.body_name("review-panel") == "Westshire Independent Review Panel"
    assert taxonomy.portfolio_from_data(portfolio_to_data(portfolio)) == portfolio


def test_the_portfolio_schema_takes_them() -> None:
    import jsonschema

    from taxonomy.schemas import schema

    data = json.loads(json.dumps(_data(), default=str))
    jsonschema.validate(data, schema("portfolio"))
    data["independent_bodies"][0]["chair"] = "x"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema("portfolio"))


def test_the_law_caps_work_as_for_a_member_body() -> None:
    """Nothing is integrated with or led by an outside body; it never performs or is involved."""
    result = taxonomy.classify(taxonomy.load_portfolio(PANEL))
    outside = {"review-panel", "audit-committee"}
    for rec in result:
        assert rec.lead not in outside and not outside & set(rec.tied)
        assert not outside & set(rec.involved or ())
    graph = build_graph(result)
    employers = {graph.nodes[t].get("employer") for t in nodes_of_kind(graph, "team")}
    assert not outside & employers
    # Three councils may still work together without it (it carries nothing out).
    assert str(result["complaints"].arrangement) == "one_team"


def test_the_graph_draws_it_outside_with_its_independence_edges() -> None:
    for graph in (
        build_graph(taxonomy.classify(taxonomy.load_portfolio(PANEL))),
        as_is_graph(taxonomy.load_portfolio(PANEL)),
    ):
        assert nodes_of_kind(graph, "independent_body") == [
            "independent:review-panel",
            "independent:audit-committee",
        ]
        edges = sorted((u, v) for u, v, _ in edges_of_kind(graph, "independent_of"))
        assert edges == [
            ("function:complaint-reviews", "independent:review-panel"),
            ("function:complaints", "independent:review-panel"),
            ("function:internal-audit", "independent:audit-committee"),
        ]
        # Nothing reports to it or is accountable to it: only the independence edges reach it.
        assert {d["kind"] for _, _, d in graph.in_edges("independent:review-panel", data=True)} == {
            "independent_of"
        }
        assert not graph.out_edges("independent:review-panel")


def test_check_reports_a_function_put_under_an_outside_body() -> None:
    graph = build_graph(taxonomy.classify(taxonomy.load_portfolio(PANEL)))
    assert not [f for f in check(graph) if f.check == "independence"]
    team = next(t for t in nodes_of_kind(graph, "team") if "complaints" in t)
    graph.add_edge(team, "independent:review-panel", key="reports_to", kind="reports_to")
    (found,) = [f for f in check(graph) if f.check == "independence"]
    assert found.severity == "error" and "independent:review-panel" in found.nodes


def test_prose_and_report_name_it_as_outside() -> None:
    from taxonomy.render.prose import paragraphs
    from taxonomy.render.report import build_report

    result = taxonomy.classify(taxonomy.load_portfolio(PANEL))
    said = paragraphs(result)["complaints"]
    assert "Westshire Independent Review Panel (outside the joint working) kept out of it" in said
    page = build_report(taxonomy.load_portfolio(PANEL), pictures=False)
    assert "Bodies outside the joint working" in page
    assert "Complaints handling, Second-stage complaint reviews." in page


def test_a_merger_into_a_member_passes_the_independence_or_flags_it() -> None:
    """On 2023-06-01 the review panel is the county's: independence passes to the county."""
    result = taxonomy.classify(taxonomy.load_portfolio(PANEL), as_of="2023-06-01")
    assert result.portfolio.independent_ids == ("audit-committee",)
    complaints = result.portfolio.function("complaints")
    assert complaints.legal.independence_from == ("county",)
    assert str(result["complaints"].arrangement) == "separate_involved"
    assert result["complaints"].lead != "county" and "county" not in result["complaints"].tied
    # The county alone carries reviews out: the independence cannot be kept, so it is flagged.
    reviews = result.portfolio.function("complaint-reviews")
    assert reviews.legal.independence_breached == ("county",)
    errors = [f for f in check(build_graph(result)) if f.check == "independence"]
    assert [f.nodes for f in errors] == [("function:complaint-reviews",)]


def test_every_problem_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _data()
    data["independent_bodies"] += [
        {"id": "county", "name": "Clash", "source": "s"},
        {"id": "review-panel", "name": "Twice"},
    ]
    data["functions"][0]["legal"]["independence_from"] = ["reveiw-panel"]
    data["functions"][1]["performed_by"] = ["county", "audit-committee"]
    with pytest.raises(taxonomy.PortfolioError) as info:
        taxonomy.portfolio_from_data(data, file="p.yaml")
    found = {(p.item, p.key): p for p in info.value.problems}
    assert set(found) >= {
        ("independent body 'county'", "id"),
        ("independent body 'review-panel'", "id"),
        ("independent body 'review-panel'", None),  # missing source
        ("function 'complaints'", "independence_from"),
        ("function 'complaint-reviews'", "performed_by"),  # never a performer
    }
    assert found[("function 'complaints'", "independence_from")].suggestion == "review-panel"
    # The CLI: exit 2, one message, no traceback.
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        main(["classify", str(bad)])
    said = capsys.readouterr()
    assert exited.value.code == 2 and said.out == "" and "Traceback" not in said.err
    assert "did you mean 'review-panel'" in said.err and said.err.startswith("taxonomy: error:")


def test_an_outside_body_is_never_a_successor_and_its_id_is_its_own() -> None:
    data = _data()
    data["law"][1]["abolishes"] = [{"body": "east", "into": "audit-committee"}]
    with pytest.raises(taxonomy.PortfolioError, match="'audit-committee' does not exist"):
        taxonomy.portfolio_from_data(data, file="p.yaml")
    data = _data()
    data["independent_bodies"][0]["id"] = "complaints"  # a function's id
    with pytest.raises(taxonomy.PortfolioError, match="used by a function or the governance"):
        taxonomy.portfolio_from_data(data, file="p.yaml")


def test_a_workbook_and_csv_keep_the_outside_bodies(tmp_path: Path) -> None:
    # Found in a review: `convert` ("without loss") wrote no sheet for independent_bodies, so
    # the workbook it wrote was refused when read back ('review-panel' is not one of the
    # portfolio's organisations). Now a sheet of their own, read whole and streamed.
    from taxonomy.input.spreadsheet import read_portfolio, write_portfolio

    portfolio = taxonomy.load_portfolio(PANEL)
    for name in ("p.xlsx", "p.csv"):
        write_portfolio(portfolio, tmp_path / name)
        assert read_portfolio(tmp_path / name) == portfolio
    assert (tmp_path / "p.independent_bodies.csv").exists()
    streamed = run_cli(
        "classify", str(tmp_path / "p.csv"), "--format", "jsonl", "-o", str(tmp_path / "s.jsonl")
    )
    assert streamed.returncode == 0, streamed.stderr
    whole = run_cli("classify", str(PANEL), "--format", "jsonl")
    assert (tmp_path / "s.jsonl").read_text("utf-8") == whole.stdout
