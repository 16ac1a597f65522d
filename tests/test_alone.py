"""A function of one body alone, and one integrated team whose members stay with their parent.

Issue 25 item 2. A function one body holds and carries out, with nobody else taking part, gets
no joint arrangement: it is "delivered by X alone" in every output (category 3 or 4, led by X,
nobody involved); where others take part (``involves:``, or another body holds it) it is
category 3 led by the holder. One integrated team whose specialist members stay employed by
their parent body (board paper para 12: direct commissioning inside one regional team with a
single reporting line) is one team, not capped to aligned by the employees-only rule.

Every case has three bodies or more.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import Phase, find, given, settings

import taxonomy
from taxonomy import Arrangement
from taxonomy.input.portfolio import portfolio_from_data
from taxonomy.render.prose import paragraph
from taxonomy.structure.checks import check
from taxonomy.structure.graph import build_graph, edges_of_kind
from taxonomy.testing import law
from taxonomy.testing.mutation import write_pack
from taxonomy.testing.strategies import portfolios
from tests.helpers import run_cli, write

ROOT = Path(__file__).resolve().parents[1]
NHS = ROOT / "examples" / "nhs_joint_working_2018.yaml"
PACK = taxonomy.load_rules()
COUNCILS = ("north", "south", "east")


def _function(fid: str, performed: list[str], **extra: Any) -> dict[str, Any]:
    levels = extra.pop("levels", ("high", "high", "high"))
    return {
        "id": fid,
        "name": fid.replace("-", " ").capitalize(),
        "level": extra.pop("level", "national"),
        "performed_by": performed,
        "efficiency": {"duplication": levels[0], "simplification": levels[1]},
        "effectiveness": {"joint_benefit": levels[2]},
        "legal": extra.pop("legal", {}),
        "capability": {b: "medium" for b in performed},
        **extra,
    }


def _portfolio(*functions: dict[str, Any], bodies: tuple[str, ...] = COUNCILS) -> Any:
    return portfolio_from_data(
        {
            "name": "Three councils",
            "organisations": [{"id": b, "name": b.capitalize() + " Council"} for b in bodies],
            "functions": list(functions),
        }
    )


# -- one body alone ----------------------------------------------------------------------------


def test_a_function_one_body_holds_and_performs_is_delivered_by_it_alone() -> None:
    portfolio = _portfolio(_function("coroner", ["north"], legal={"statutory_owner": "north"}))
    result = taxonomy.classify(portfolio)
    rec = result["coroner"]
    assert rec.arrangement is Arrangement.SEPARATE_INVOLVED and rec.lead == "north"
    assert rec.alone == "north" and rec.involved == ()
    data = rec.to_dict()
    assert data["alone"] == "north" and data["involved"] == []
    said = paragraph(rec, result)
    assert "delivered by North Council alone" in said
    first = said.split(". ")[0]
    assert "involved at key points" not in first and "South" not in first
    graph = build_graph(result)
    # Nobody else takes part: no Board or team is drawn influencing it.
    assert [(u, v) for u, v, _ in edges_of_kind(graph, "influences")] == []
    assert graph.nodes["function:coroner"]["alone"] == "north"


def test_alone_with_no_statutory_owner_and_when_joint_working_adds_nothing() -> None:
    portfolio = _portfolio(
        _function("parks", ["east"]),
        _function("signs", ["east"], levels=("none", "none", "none")),
        _function("vote", ["east"], legal={"separate_reason": "a statute"}),
    )
    result = taxonomy.classify(portfolio)
    assert result["parks"].alone == "east"
    assert result["parks"].arrangement is Arrangement.SEPARATE_INVOLVED
    for fid in ("signs", "vote"):  # category 4: completely separate, still by east alone
        assert result[fid].arrangement is Arrangement.SEPARATE_DISTINCT
        assert result[fid].alone == "east" and result[fid].involved == ()


def test_where_others_take_part_it_is_category_3_led_by_the_holder() -> None:
    portfolio = _portfolio(
        _function("coroner", ["north"], legal={"statutory_owner": "north"}, involves=["south"]),
        _function("quiet", ["north"], levels=("none", "none", "none"), involves=["east"]),
        _function("held-elsewhere", ["north"], legal={"statutory_owner": "south"}),
    )
    result = taxonomy.classify(portfolio)
    coroner = result["coroner"]
    assert coroner.arrangement is Arrangement.SEPARATE_INVOLVED and coroner.lead == "north"
    assert coroner.alone is None and coroner.involved == ("south",)  # east takes no part
    said = paragraph(coroner, result)
    assert "with South Council involved at key points" in said and "East" not in said
    graph = build_graph(result)
    assert [(u, v) for u, v, _ in edges_of_kind(graph, "influences") if "coroner" in v] == [
        ("board:south", "team:coroner:north")
    ]
    # Taking part makes it category 3 even where the answers alone would keep it apart.
    assert result["quiet"].arrangement is Arrangement.SEPARATE_INVOLVED
    assert result["quiet"].involved == ("east",)
    # Held in law by another body: it takes part, and it leads.
    held = result["held-elsewhere"]
    assert held.arrangement is Arrangement.SEPARATE_INVOLVED and held.lead == "south"
    assert held.alone is None and held.involved == ("north",)


def test_involves_is_checked() -> None:
    bad = _function(
        "f", ["north"], involves=["north", "west", "east"], legal={"independence_from": ["east"]}
    )
    with pytest.raises(taxonomy.PortfolioError) as info:
        _portfolio(bad)
    said = str(info.value)
    assert "'west'" in said  # not a body
    assert "carries it out" in said  # a performer is not 'involved'
    assert "independent of" in said  # nor a body it must stay independent of


def test_every_output_says_alone(tmp_path: Path) -> None:
    path = write(
        tmp_path / "p.yaml",
        """
        name: Three councils
        organisations:
          - {id: north, name: North Council}
          - {id: south, name: South Council}
          - {id: east, name: East Council}
        functions:
          - id: coroner
            name: Coroner service
            level: national
            performed_by: [north]
            efficiency: {duplication: high, simplification: high}
            effectiveness: {joint_benefit: high}
            legal: {statutory_owner: north}
            capability: {north: medium}
          - id: waste
            name: Waste
            level: national
            performed_by: [north, south, east]
            efficiency: {duplication: high, simplification: high}
            effectiveness: {joint_benefit: high}
            legal: {}
            capability: {north: high, south: medium, east: medium}
        """,
    )
    table = run_cli("classify", str(path))
    assert table.returncode == 0, table.stderr
    assert "delivered by north alone" in " ".join(table.stdout.split())
    markdown = run_cli("classify", str(path), "--format", "markdown").stdout
    assert "delivered by north alone" in markdown
    data = json.loads(run_cli("classify", str(path), "--format", "json").stdout)
    by_id = {r["function"]: r for r in data["recommendations"]}
    assert by_id["coroner"]["alone"] == "north" and by_id["waste"]["alone"] is None
    assert "delivered by North Council alone" in by_id["coroner"]["summary"]
    explained = run_cli("explain", str(path), "coroner").stdout
    assert "delivered by north alone" in explained
    out = tmp_path / "r.csv"
    assert run_cli("classify", str(path), "-o", str(out)).returncode == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["alone"] for r in rows] == ["north", ""]
    assert "delivered by North Council alone" in rows[0]["summary"]
    dot = tmp_path / "g.dot"
    assert run_cli("graph", str(path), "-o", str(dot)).returncode == 0
    assert "influences" not in dot.read_text()


# -- open answers ------------------------------------------------------------------------------


def test_open_answers_never_make_a_joint_arrangement_of_one_body() -> None:
    fn = _function(
        "coroner",
        ["north"],
        levels=("unknown", "unknown", "unknown"),
        legal={"statutory_owner": "north"},
    )
    rec = taxonomy.classify(_portfolio(fn))["coroner"]
    assert {o.arrangement for o in rec.outcomes} <= {
        Arrangement.SEPARATE_INVOLVED,
        Arrangement.SEPARATE_DISTINCT,
    }
    assert all(o.recommendation.alone == "north" for o in rec.outcomes)


# -- the law invariant -------------------------------------------------------------------------


def test_a_pack_without_the_one_body_rule_fails_the_law(tmp_path: Path) -> None:
    kept = [r for r in PACK.rules if r.id != "decision.one-body-alone"]
    broken = taxonomy.load_rules(write_pack(PACK, kept, tmp_path / "broken"))
    portfolio = _portfolio(_function("coroner", ["north"], legal={"statutory_owner": "north"}))
    found = law.one_body(broken, portfolio)
    assert [v.function for v in found] == ["coroner"]
    assert "north alone carries it out" in found[0].message
    assert law.one_body(PACK, portfolio) == []

    def breaks(generated: taxonomy.Portfolio) -> bool:
        return bool(law.one_body(broken, generated))

    example = find(
        portfolios(min_bodies=3, max_bodies=4, max_functions=2, rules=broken),
        breaks,
        # Any portfolio it breaks will do (a violation is a function one body alone carries
        # out): found, not shrunk.
        settings=settings(max_examples=300, database=None, deadline=None, phases=[Phase.generate]),
    )
    assert any(len(fn.performed_by) == 1 for fn in example.functions)


@settings(max_examples=40, database=None, deadline=None)
@given(portfolios(min_bodies=3, max_bodies=5, max_functions=3))
def test_the_default_pack_never_makes_a_joint_arrangement_of_one_body(
    portfolio: taxonomy.Portfolio,
) -> None:
    assert law.one_body(PACK, portfolio) == []


# -- para 12: one integrated team, members employed by their parent ---------------------------

_RESTRICTED = {
    "statutory_owner": "nhse",
    "delegable_to": ["nhse"],
    "not_delegable_to": ["another_body"],
}


def _regional(**legal: Any) -> Any:
    return _portfolio(
        _function(
            "regional-direct-commissioning",
            ["nhse", "nhsi", "ccg"],
            level="regional",
            legal={**_RESTRICTED, **legal},
        ),
        bodies=("nhse", "nhsi", "ccg"),
    )


def test_para_12_one_integrated_team_with_members_employed_by_their_parent() -> None:
    result = taxonomy.classify(_regional(employed_by_parent=True))
    rec = result["regional-direct-commissioning"]
    assert rec.arrangement is Arrangement.ONE_TEAM and not rec.explanation.capped_by
    assert law.check_law(PACK, result.portfolio) == []
    graph = build_graph(result)
    employers = {u for u, v, _ in edges_of_kind(graph, "employs") if v.startswith("team:")}
    assert employers == {"board:nhse", "board:nhsi", "board:ccg"}
    assert not [f for f in check(graph) if f.check in ("employees-only", "not-delegable")]
    assert "stay employed by their parent body" in paragraph(rec, result)


def test_a_team_where_other_bodies_employees_would_do_the_work_is_still_capped() -> None:
    rec = taxonomy.classify(_regional())["regional-direct-commissioning"]
    assert rec.arrangement is Arrangement.ALIGNED
    assert [c.rule for c in rec.explanation.capped_by] == ["legal.own-employees-only"]


def test_the_law_invariant_still_catches_a_one_team_of_other_employers(tmp_path: Path) -> None:
    kept = [r for r in PACK.rules if r.id != "legal.own-employees-only"]
    broken = taxonomy.load_rules(write_pack(PACK, kept, tmp_path / "broken"))
    assert law.employees_only(broken, _regional())  # one team, nobody stays with a parent
    assert law.employees_only(broken, _regional(employed_by_parent=True)) == []


def test_nhs_example_one_body_functions_are_delivered_alone() -> None:
    result = taxonomy.classify(taxonomy.load_portfolio(NHS))
    for fid, body in (
        ("eprr", "nhse"),
        ("specialised-commissioning", "nhse"),
        ("medical-revalidation", "nhse"),
        ("procurement-complaints", "nhsi"),
    ):
        rec = result[fid]
        assert rec.arrangement is Arrangement.SEPARATE_INVOLVED, fid  # the paper's column
        assert rec.alone == body, fid


def test_a_scenario_sets_who_takes_part_and_whose_agreement_a_decision_needs() -> None:
    # docs/portfolios.md says a change to legal answers is made with set: the keys added for
    # issue 25 were refused as unknown fields (found by a new user).
    from taxonomy.errors import ScenarioError
    from taxonomy.whatif.scenarios import Scenario

    nhs = taxonomy.load_portfolio("examples/nhs_joint_working_2018.yaml")
    assert taxonomy.classify(nhs)["eprr"].alone == "nhse"
    applied = (
        Scenario("take part")
        .set(function="eprr", field="involves", value=["nhsi"])
        .set(function="eprr", field="legal.with_agreement_of", value=["nhsi"])
        .set(function="eprr", field="legal.agreement_basis", value="an agreement (illustrative)")
        .apply(nhs)
    )
    rec = taxonomy.classify(applied.portfolio)["eprr"]
    assert rec.alone is None and rec.involved == ("nhsi",)
    assert rec.decision is not None
    assert [(c.by, c.basis) for c in rec.decision.consents] == [
        ("nhsi", "an agreement (illustrative)")
    ]
    with pytest.raises(ScenarioError, match="invalid"):
        Scenario("holder agrees").set(
            function="eprr", field="legal.with_agreement_of", value=["nhse"]
        ).apply(nhs)
    with pytest.raises(ScenarioError, match="nhsx"):
        Scenario("unknown").set(function="eprr", field="involves", value=["nhsx"]).apply(nhs)


def test_an_agreed_lead_is_a_body_that_carries_it_out(tmp_path: Path) -> None:
    # Found in a review: a what-if making nhsi the agreed lead of EPRR, which only NHS England
    # carries out, gave "led by NHS Improvement, with NHS England involved": a lead that does
    # nothing of the function. A portfolio and a what-if now refuse it, with the performers.
    from taxonomy.errors import ScenarioError
    from taxonomy.whatif.scenarios import Scenario

    nhs = taxonomy.load_portfolio(NHS)
    with pytest.raises(ScenarioError, match="does not carry it out"):
        Scenario("lead").set(function="eprr", field="agreed_lead", value="nhsi").apply(nhs)
    data = yaml.safe_load(Path(NHS).read_text("utf-8"))
    eprr = next(f for f in data["functions"] if f["id"] == "eprr")
    eprr["agreed_lead"] = "nhsi"
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(data), "utf-8")
    out = run_cli("classify", str(path))
    assert out.returncode == 2, out.stderr
    assert "function 'eprr'" in out.stderr and "key 'agreed_lead'" in out.stderr
    assert "does not carry out the function" in out.stderr and "allowed: nhse" in out.stderr
    assert "Traceback" not in out.stderr
