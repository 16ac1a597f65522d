"""What-if with answers left unknown: whatif, sweep, report --scenario, why-not, answers read back."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

import taxonomy
from taxonomy.schemas import schema
from taxonomy.whatif.compare import compare
from taxonomy.whatif.scenarios import Scenario
from taxonomy.whatif.sweep import SweepSummary, sweep
from tests.conftest import ROOT

UNKNOWN_EXAMPLE = ROOT / "examples" / "nhs_joint_working_2018_unknown.yaml"


def _answering() -> Scenario:
    """IT's joint benefit answered, regional teams' opened, clinical programmes' narrowed."""
    return (
        Scenario("answers")
        .set(function="it", field="effectiveness.joint_benefit", value="high")
        .set(function="regional-teams", field="effectiveness.joint_benefit", value="unknown")
        .set(
            function="clinical-programmes",
            field="effectiveness.joint_benefit",
            value="medium..high",
        )
    )


def test_whatif_shows_what_answers_decide_open_and_narrow() -> None:
    portfolio = taxonomy.load_portfolio(UNKNOWN_EXAMPLE)
    baseline = taxonomy.classify(portfolio)
    assert not baseline["it"].decided and baseline["regional-teams"].decided
    result = compare(portfolio, _answering())
    changes = {c.function: c for c in result.outcomes[0].changes}
    assert set(changes) == {"it", "regional-teams", "clinical-programmes"}
    # open -> decided
    it = changes["it"]
    assert not it.before.decided and it.after.decided
    assert it.after.arrangement is taxonomy.Arrangement.ONE_TEAM
    assert it.because == (
        "now decided (it was open between 2 outcomes): the answers given settle it",
    )
    # decided -> open
    regional = changes["regional-teams"]
    assert regional.before.decided and not regional.after.decided
    assert regional.because[0].startswith("now open between 2 outcomes: answer ")
    # open in both: the outcomes it lost are named
    clinical = changes["clinical-programmes"]
    assert not clinical.before.decided and not clinical.after.decided
    lost = {o.arrangement for o in clinical.before.possible} - {
        o.arrangement for o in clinical.after.possible
    }
    assert lost == {taxonomy.Arrangement.SEPARATE_DISTINCT}
    assert any(
        r.startswith("no longer possible: 4 Separate and distinct") for r in clinical.because
    )
    # Markdown and the table write an open placement with its outcomes and shares
    markdown = result.to_markdown()
    assert (
        "| it | open: 1 One team (1/2) or 2 Aligned, separate function(s) (1/2) | 1 One team"
        in markdown
    )
    assert "open: 1 One team" in result.to_table(width=200)
    # JSON: the new keys are in the schema, and an open placement has no arrangement
    data = json.loads(result.to_json())
    jsonschema.validate(data, schema("whatif"))
    moved = {c["function"]: c for c in data["scenarios"][0]["changes"]}
    assert moved["it"]["from"]["arrangement"] is None and moved["it"]["from"]["decided"] is False
    assert [o["arrangement"] for o in moved["it"]["from"]["possible"]] == ["one_team", "aligned"]
    assert moved["it"]["to"] == {
        "arrangement": "one_team",
        "decided": True,
        "lead": None,
        "lead_status": "tie",
        "tied": ["nhse", "nhsi"],
    }
    baseline_it = next(r for r in data["baseline"]["recommendations"] if r["function"] == "it")
    assert baseline_it["arrangement"] is None and len(baseline_it["possible"]) == 2


def test_whatif_of_a_portfolio_with_nothing_open_says_decided_and_lists_nothing_possible() -> None:
    portfolio = taxonomy.load_portfolio(ROOT / "examples" / "nhs_joint_working_2018.yaml")
    scenario = Scenario("s").set(function="strategy", field="efficiency.duplication", value="high")
    data = json.loads(compare(portfolio, scenario).to_json())
    placements = [c["from"] for c in data["scenarios"][0]["changes"]]
    placements += data["baseline"]["recommendations"]
    assert placements and all(p["decided"] and "possible" not in p for p in placements)


def test_sweep_records_an_open_function_as_open_with_its_outcomes() -> None:
    portfolio = taxonomy.load_portfolio(UNKNOWN_EXAMPLE)
    values = ["unknown", "high"]
    scenarios = [
        Scenario(v).set(function="it", field="effectiveness.joint_benefit", value=v) for v in values
    ]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        result = sweep(portfolio, scenarios, executor=pool)
    it = [r for r in result.records if r["function"] == "it"]
    assert it[0]["arrangement"] == "open: 1 One team (1/2) or 2 Aligned, separate function(s) (1/2)"
    assert it[0]["category"] is None and it[0]["lead_status"] == "open"
    assert it[0]["decided_by"] == "not decided: answer effectiveness.joint_benefit first"
    assert it[1]["arrangement"] == "one_team" and it[1]["category"] == 1
    counted = SweepSummary()
    counted.add(it)
    assert counted.arrangements["it"] == {
        "open: 1 One team or 2 Aligned, separate function(s)": 1,
        "1 One team": 1,
    }


def test_report_with_a_scenario_shows_an_open_function_open(tmp_path: Path) -> None:
    from taxonomy.render.report import build_report

    portfolio = taxonomy.load_portfolio(UNKNOWN_EXAMPLE)
    page = build_report(portfolio, scenarios=[_answering()])
    assert "now decided (it was open between 2 outcomes)" in page
    assert "open: 1 One team (1/2) or 2 Aligned, separate function(s) (1/2)" in page
