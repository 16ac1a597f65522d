"""The paper's placements are reproduced by tests/expectations/*.expect.yaml (collected by the
pytest plugin taxonomy ships); these tests check the expectation files cover the paper, and what
the plugin reports when an expectation fails."""

from __future__ import annotations

from pathlib import Path

import pytest

import taxonomy
from taxonomy.testing.expectations import load_expectations
from tests.conftest import NWL, ROOT

NWL_UNKNOWN = NWL.with_name("nw_london_ccgs_2018_unknown.yaml")

pytest_plugins = ["pytester"]

# Board paper CB.28.03.2018/02, para 16 table: every function it places, by column.
PAPER = {
    "one_team": [
        "clinical-programmes",
        "regional-teams",
        "transactional-hr",
        "national-clinical-roles",
        "it",
        "information-analytics",
        "estates",
        "efficiency-improvement",
        "fyfv-programmes",
        "regional-finance",
        "financial-reporting",
    ],
    "aligned": ["communications", "strategy", "strategic-people", "pricing"],
    "separate_involved": [
        "eprr",
        "specialised-commissioning",
        "medical-revalidation",
        "procurement-complaints",
        "national-finance-leadership",
        "financial-recovery",
    ],
}


def test_expectation_file_records_every_placement_of_the_paper(nhs: taxonomy.Portfolio) -> None:
    spec = load_expectations(ROOT / "tests/expectations/nhs_paper_2018.expect.yaml")
    recorded = {c.function: c.paper for c in spec.cases}
    assert recorded == {fn: column for column, fns in PAPER.items() for fn in fns}
    assert sorted(recorded) == sorted(f.id for f in nhs.functions)
    # What the evidence gives is stated for every function, and the agreement the file's
    # header (and docs/model.md) reports is the real one.
    result = taxonomy.classify(nhs)
    evidence = {c.function: dict(c.expected)["arrangement"] for c in spec.cases}
    assert evidence == {r.function: str(r.arrangement) for r in result}
    agree = sum(evidence[fn] == recorded[fn] for fn in recorded)
    assert agree == 12
    header = (ROOT / "tests/expectations/nhs_paper_2018.expect.yaml").read_text()
    assert f"Agreement: {agree} of {len(recorded)}" in header


def test_nw_london_ties_are_stated_not_hidden() -> None:
    result = taxonomy.classify(taxonomy.load_portfolio(NWL))
    rec = result["performance"]
    assert rec.lead is None and len(rec.tied) == 8
    assert rec.lead_text.startswith("undecided between brent")
    assert any("agreed_lead" in n for n in rec.explanation.notes)


def test_nw_london_unknown_example_is_the_main_one_with_silent_answers_opened() -> None:
    """The pair differs in the level answers only, and only towards unknown."""
    import yaml

    main = yaml.safe_load(NWL.read_text(encoding="utf-8"))
    unknown = yaml.safe_load(NWL_UNKNOWN.read_text(encoding="utf-8"))
    answers = ("efficiency", "effectiveness", "notes")
    assert {k: v for k, v in main.items() if k != "functions"} == {
        k: v for k, v in unknown.items() if k != "functions"
    }
    for kept, opened in zip(main["functions"], unknown["functions"], strict=True):
        assert {k: v for k, v in kept.items() if k not in answers} == {
            k: v for k, v in opened.items() if k not in answers
        }
        for group in answers[:2]:
            for key, value in opened[group].items():
                assert value in (kept[group][key], "unknown"), (kept["id"], key)


def test_nw_london_expectations_record_what_the_update_decides() -> None:
    spec = load_expectations(ROOT / "tests/expectations/nw_london_2018_unknown.expect.yaml")
    result = taxonomy.classify(taxonomy.load_portfolio(NWL_UNKNOWN))
    assert sorted(c.function for c in spec.cases) == sorted(r.function for r in result)
    assert all(dict(c.expected)["decided"] is False for c in spec.cases)
    # What the main file's reading gives is, for every function, still possible on the update.
    reading = taxonomy.classify(taxonomy.load_portfolio(NWL))
    for case in spec.cases:
        assert str(reading[case.function].arrangement) in dict(case.expected)["possible"]


def test_two_tier_waste_each_duty_is_delegated_by_its_own_holder() -> None:
    """Only a holder delegates: the county is a member for collection, the districts for disposal."""
    from taxonomy.testing import law

    portfolio = taxonomy.load_portfolio(ROOT / "examples/two_tier_waste.yaml")
    result = taxonomy.classify(portfolio)
    blocks = {r.function: r.to_dict()["decision"] for r in result}
    committee = "joint-waste-committee"
    collection, disposal = blocks["waste-collection"], blocks["waste-disposal"]
    assert collection["holding"] == "held_by_each"
    assert sorted(d["by"] for d in collection["delegations"]) == ["northvale", "southmere"]
    assert collection["members"] == [{"body": "westshire", "of": committee}]
    assert disposal["holding"] == "statutory_owner" and disposal["accountable"] == ["westshire"]
    assert [d["by"] for d in disposal["delegations"]] == ["westshire"]
    assert disposal["members"] == [
        {"body": "northvale", "of": committee},
        {"body": "southmere", "of": committee},
    ]
    assert all(d["holder_stated"] for b in blocks.values() for d in b["delegations"])
    assert law.check_law(taxonomy.load_rules(), portfolio) == []


def test_plugin_compares_decided_and_possible(pytester: pytest.Pytester) -> None:
    pytester.makefile(
        ".expect.yaml",
        unknown=f"""
portfolio: {NWL_UNKNOWN}
cases:
  - {{function: performance, decided: false, possible: [aligned, one_team]}}
  - {{function: corporate-services, decided: true}}
  - {{function: acute-commissioning, possible: [One_Team, aligned]}}
""",
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*case 'performance'*",
            "*possible: expected *'one_team'*, got *'separate_involved'*",
            "*decided: expected True, got False*",
        ]
    )


def test_plugin_rejects_a_bad_possible_or_decided(pytester: pytest.Pytester) -> None:
    pytester.makefile(
        ".expect.yaml",
        bad="portfolio: x.yaml\ncases:\n  - {function: a, possible: [one_tem]}\n"
        "  - {function: b, decided: maybe}\n",
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["*'one_tem' is not an arrangement*did you mean 'one_team'*"])
    result.stdout.fnmatch_lines(["*decided*must be true or false*"])


def test_plugin_reports_file_case_and_difference(pytester: pytest.Pytester) -> None:
    pytester.makefile(
        ".expect.yaml",
        wrong=f"""
portfolio: {ROOT / "examples/nhs_joint_working_2018.yaml"}
cases:
  - {{function: pricing, arrangement: one_team, lead: nhsi}}
  - {{function: it, arrangement: one_team}}
""",
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*wrong.expect.yaml:3: case 'pricing'*",
            "*arrangement: expected 'one_team', got 'aligned'*",
        ]
    )


def test_plugin_rejects_a_bad_expectation_file(pytester: pytest.Pytester) -> None:
    pytester.makefile(
        ".expect.yaml", bad="portfolio: x.yaml\ncases:\n  - {function: a, arangement: aligned}\n"
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["*key 'arangement'*did you mean 'arrangement'*"])


def test_plugin_coverage_option(pytester: pytest.Pytester) -> None:
    pytester.makefile(
        ".expect.yaml",
        one=f"""
portfolio: {ROOT / "examples/nhs_joint_working_2018.yaml"}
cases:
  - {{function: it, arrangement: one_team}}
""",
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "--taxonomy-coverage")
    result.stdout.fnmatch_lines(["*taxonomy rule coverage*", "*never*capability.gain-high*"])


def test_nw_london_joint_committee_is_planned_on_the_updates_day() -> None:
    """On 2018-12-06 the delegations await NHS England's ratification: each CCG's Board decides."""
    result = taxonomy.classify(taxonomy.load_portfolio(NWL))
    delegated = ("acute-commissioning", "mental-health-commissioning", "strategic-direction")
    for function in (*delegated, "joint-financial-strategy"):
        block = result[function].to_dict()["decision"]
        assert {d["status"] for d in block["delegations"]} == {"planned"}, function
        assert {d["until"] for d in block["delegations"]} == {"2021-03-31"}, function
        assert [d["kind"] for d in block["deciders"]] == ["board"] * 8, function
    # What each Board keeps is kept whatever the Joint Committee's status.
    assert result["primary-care"].to_dict()["decision"]["delegations"] == []


@pytest.mark.parametrize(
    ("day", "bodies", "joint"),
    [
        ("2018-12-06", 8, ["joint:nwl-joint-committee"]),
        ("2021-06-01", 1, []),  # merged into NHS North West London CCG on 2021-04-01
        ("2022-08-01", 1, []),  # the CCG abolished, the ICB established on 2022-07-01
    ],
)
def test_nw_london_graph_of_each_day(
    day: str, bodies: int, joint: list[str], tmp_path: Path
) -> None:
    """The graph of a day the law leaves one body draws that body's own structure."""
    import json

    from click.testing import CliRunner

    from taxonomy.cli import cli

    out = tmp_path / "g.json"
    ran = CliRunner().invoke(cli, ["graph", str(NWL), "--as-of", day, "-o", str(out)])
    assert ran.exit_code == 0, ran.output
    graph = json.loads(out.read_text())
    kinds = {n["id"]: n["kind"] for n in graph["nodes"]}
    assert sum(k == "board" for k in kinds.values()) == bodies
    assert sorted(n for n, k in kinds.items() if k == "joint_body" and "nwl" in n) == joint
    single = {"2018-12-06": None, "2021-06-01": "nwl-ccg", "2022-08-01": "nwl-icb"}[day]
    assert graph["graph"].get("single_body") == single
    if single is not None:
        assert {e["kind"] for e in graph["links"] if e["source"] == f"board:{single}"} >= {
            "decides"
        }
