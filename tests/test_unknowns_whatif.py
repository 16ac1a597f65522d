"""What-if with answers left unknown: whatif, sweep, report --scenario, why-not, answers read back."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

import taxonomy
from taxonomy.schemas import schema
from taxonomy.whatif.compare import compare
from taxonomy.whatif.scenarios import Scenario
from taxonomy.whatif.sweep import SweepSummary, sweep
from tests.conftest import ROOT
from tests.helpers import run_cli

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


def _fill(path: Path, answers: dict[tuple[str, str], str]) -> None:
    """Fill in the results workbook's open questions sheet as a team would."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    sheet = book["open questions"]
    header = [c.value for c in sheet[1]]
    column = header.index("answer")
    for row in sheet.iter_rows(min_row=2):
        answer = answers.get((row[0].value, row[2].value))
        if answer is not None:
            row[column].value = answer
    book.save(path)


def test_a_filled_in_results_workbook_is_a_scenario_and_rounds_of_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """classify -o results.xlsx, fill in answers, then whatif with it and classify --answers."""
    monkeypatch.chdir(tmp_path)
    example = str(UNKNOWN_EXAMPLE)
    assert run_cli("classify", example, "-o", "results.xlsx").returncode == 0
    _fill(
        tmp_path / "results.xlsx",
        {
            ("it", "effectiveness.joint_benefit"): "high",
            ("estates", "efficiency.duplication"): "low..high",
        },
    )
    out = run_cli("whatif", example, "results.xlsx", "--format", "markdown")
    assert out.returncode == 0, out.stderr
    assert "## answers from results.xlsx" in out.stdout
    assert (
        "| it | open: 1 One team (1/2) or 2 Aligned, separate function(s) (1/2) | 1 One team"
        in out.stdout
    )
    assert (
        "| estates | open: " in out.stdout
        and "still open, between 3 outcomes (was 4)" in out.stdout
    )
    # classify with the answers: a new results workbook asks only what is still open
    out = run_cli("classify", example, "--answers", "results.xlsx", "-o", "round2.xlsx")
    assert out.returncode == 0, out.stderr
    _fill(tmp_path / "round2.xlsx", {("estates", "effectiveness.joint_benefit"): "high"})
    out = run_cli(
        "classify",
        example,
        "--answers",
        "results.xlsx",
        "--answers",
        "round2.xlsx",
        "--format",
        "json",
    )
    assert out.returncode == 0, out.stderr
    placed = {r["function"]: r for r in json.loads(out.stdout)["recommendations"]}
    assert placed["it"]["decided"] and placed["it"]["arrangement"] == "one_team"
    assert not placed["estates"]["decided"]  # duplication low..high, simplification still open
    # Only the first round: estates' joint benefit is still open.
    first = run_cli("classify", example, "--answers", "results.xlsx", "--format", "json")
    before = {r["function"]: r for r in json.loads(first.stdout)["recommendations"]}
    assert len(before["estates"]["possible"]) > len(placed["estates"]["possible"])
    narrowed = {o["arrangement"] for o in placed["estates"]["possible"]}
    assert narrowed <= {o["arrangement"] for o in before["estates"]["possible"]}


def test_a_bad_answers_workbook_is_one_message_exit_2(tmp_path: Path) -> None:
    missing = run_cli("classify", str(UNKNOWN_EXAMPLE), "--answers", str(tmp_path / "no.xlsx"))
    assert missing.returncode == 2 and "no.xlsx" in missing.stderr
    assert "Traceback" not in missing.stderr
    results = tmp_path / "results.xlsx"
    assert run_cli("classify", str(UNKNOWN_EXAMPLE), "-o", str(results)).returncode == 0
    _fill(results, {("it", "effectiveness.joint_benefit"): "hihg"})
    bad = run_cli("whatif", str(UNKNOWN_EXAMPLE), str(results))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "'it'" in bad.stderr and "effectiveness.joint_benefit" in bad.stderr


def _nwl_with_four_capabilities_open() -> tuple[taxonomy.Classification, str]:
    """NW London's strategic direction with four CCGs' capability unknown: 60 outcomes."""
    from taxonomy._model import UNKNOWN
    from taxonomy.testing.unknowns import with_open

    portfolio = taxonomy.load_portfolio(ROOT / "examples" / "nw_london_ccgs_2018.yaml")
    bodies = ("brent", "central-london", "ealing", "harrow")
    opened = with_open(
        portfolio, "strategic-direction", {f"capability.{b}": UNKNOWN for b in bodies}
    )
    return taxonomy.classify(opened), "strategic-direction"


def test_many_leads_are_summarised_in_words_and_kept_exact_in_json() -> None:
    from taxonomy.render.prose import paragraph
    from taxonomy.render.text import explain_markdown, explain_text, to_markdown, to_table
    from taxonomy.render.undecided import MAX_OUTCOMES_LISTED, lead_cell

    result, fid = _nwl_with_four_capabilities_open()
    rec = result[fid]
    assert not rec.decided and len(rec.possible) > MAX_OUTCOMES_LISTED
    leads = {o.lead_text for o in rec.possible}
    assert len(leads) > 20  # every subset of the bodies may tie
    brief = "any of the 8 bodies (brent, central-london, ealing, hammersmith-fulham, harrow, "
    assert lead_cell(rec).startswith("open: " + brief)
    assert lead_cell(rec).endswith("alone or tied (it turns on their capability, unknown)")
    said = paragraph(rec, result)
    markdown = to_markdown(result)
    row = next(line for line in markdown.splitlines() if line.startswith(f"| {fid} "))
    explained = explain_text(rec) + explain_markdown(rec)
    for words in (said, row, explained):
        # no tie is listed one by one: the leads are said in brief
        assert not [lead for lead in leads if "tie" in lead and lead in words], words[:500]
        assert "any of the 8 bodies" in words
    assert len(to_table(result, width=160).splitlines()) < 120
    # each arrangement once in the cell, its share the sum of its outcomes'
    assert row.count("1 One team") == 1 and row.count("2 Aligned") == 1
    assert "(225/256)" in row and "(31/256)" in row
    assert "in 225/256 of the answers left open" in said
    # the JSON keeps every outcome and its condition
    data = rec.to_dict()
    assert len(data["possible"]) == len(rec.possible)
    assert all(o["when"] for o in data["possible"])


def test_a_lead_left_open_among_many_is_said_in_brief_in_the_paragraph() -> None:
    """A decided arrangement whose lead turns on eight capabilities never says 'None leads it'."""
    from taxonomy._model import UNKNOWN
    from taxonomy.render.prose import paragraph
    from taxonomy.render.text import to_markdown
    from taxonomy.testing.unknowns import with_open

    portfolio = taxonomy.load_portfolio(ROOT / "examples" / "nw_london_ccgs_2018.yaml")
    bodies = ("brent", "central-london", "ealing", "harrow")
    opened = with_open(
        portfolio, "acute-commissioning", {f"capability.{b}": UNKNOWN for b in bodies}
    )
    result = taxonomy.classify(opened)
    rec = result["acute-commissioning"]
    assert rec.decided and rec.lead_status == "open"
    said = paragraph(rec, result)
    assert "None leads it" not in said
    assert (
        "The lead is not decided yet: it depends on answers left open, and may be any of the 8 bodies (NHS Brent CCG"
        in said
    )
    assert "The arrangement holds whatever the open answers turn out to be" in said
    assert "the lead does not" in said
    row = next(
        line for line in to_markdown(result).splitlines() if "| acute-commissioning " in line
    )
    assert "not decided yet, it depends on answers left open: any of the 8 bodies" in row
    assert "(tie)" not in row
