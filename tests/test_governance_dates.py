"""Dated governance: posts, joint bodies, memberships and delegations from a day, or planned.

The case is a county and two districts (tests/fixtures/two_tier_waste.yaml): their Joint Waste
Committee starts on 1 April 2019, West joins a year later, the county delegates waste disposal
from the start and the districts' delegation of waste collection is planned from April 2021.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

import taxonomy
from taxonomy import Governance, JointBody, Term
from taxonomy.input.governance import overlapping_delegations
from taxonomy.input.portfolio import portfolio_from_data, portfolio_to_data
from taxonomy.law import in_force
from taxonomy.render.export import to_dot
from taxonomy.structure.checks import check
from taxonomy.structure.graph import as_is_graph, build_graph, edges_of_kind, nodes_of_kind
from taxonomy.whatif.scenarios import loads_scenario
from tests.helpers import run_cli as run
from tests.helpers import write

D = datetime.date
WASTE = Path(__file__).resolve().parent / "fixtures" / "two_tier_waste.yaml"


def waste_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(WASTE.read_text(encoding="utf-8"))
    return data


def bodies_of(portfolio: taxonomy.Portfolio) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    return {b.id: (b.members, b.delegated) for b in portfolio.governance.bodies}


# --- the model and the file ------------------------------------------------------------------


def test_plain_forms_stay_valid_and_dated_ones_round_trip() -> None:
    portfolio = taxonomy.load_portfolio(WASTE)
    (body,) = portfolio.governance.bodies
    assert body.members == ("county", "east", "west")
    assert body.delegated == ("waste-disposal", "waste-collection")
    assert body.term == Term(from_=D(2019, 4, 1))
    assert body.membership("west") == Term(from_=D(2020, 4, 1))
    assert body.membership("east") == body.term  # undated: the body's own term
    assert body.delegation("waste-collection").planned
    assert portfolio_from_data(portfolio_to_data(portfolio)) == portfolio
    written = portfolio_to_data(portfolio)["governance"]["bodies"][0]
    assert written["members"] == ["county", "east", {"body": "west", "from": D(2020, 4, 1)}]
    # A body with nothing dated is written as before: plain ids, no from/until/status.
    plain = taxonomy.load_portfolio("examples/two_tier_waste.yaml")
    for entry in portfolio_to_data(plain)["governance"]["bodies"]:
        assert not {"from", "until", "status"} & set(entry)
        assert all(isinstance(m, str) for m in entry["members"])


def test_the_portfolio_schema_takes_the_dated_forms() -> None:
    import jsonschema

    from taxonomy.schemas import schema as schema_for

    data = json.loads(json.dumps(waste_data(), default=str))
    jsonschema.validate(data, schema_for("portfolio"))
    data["governance"]["bodies"][0]["members"][2]["status"] = "maybe"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema_for("portfolio"))


def test_a_term_refuses_until_before_from() -> None:
    with pytest.raises(ValueError, match="before from"):
        Term(from_=D(2020, 1, 2), until=D(2020, 1, 1))
    with pytest.raises(ValueError, match="not one of its members"):
        JointBody("jc", "JC", "joint_committee", ("a",), member_terms=(("b", Term(D(2020, 1, 1))),))


# --- the governance of a day ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2019-01-01", {}),
        ("2019-06-01", {"waste-committee": (("county", "east"), ("waste-disposal",))}),
        ("2020-06-01", {"waste-committee": (("county", "east", "west"), ("waste-disposal",))}),
    ],
)
def test_as_of_keeps_the_governance_of_that_day(day: str, expected: dict[str, Any]) -> None:
    portfolio = taxonomy.load_portfolio(WASTE)
    judged = in_force(portfolio, day).portfolio
    found = {
        b: (m, tuple(f for f in d if f != "waste-collection"))
        for b, (m, d) in bodies_of(judged).items()
    }
    assert found == expected
    if expected:  # the planned delegation is kept, as planned, whatever the day
        (body,) = judged.governance.bodies
        assert body.delegation("waste-collection").planned


def test_a_planned_delegation_is_listed_with_its_dates_and_never_decides() -> None:
    result = taxonomy.classify(taxonomy.load_portfolio(WASTE))
    disposal = result["waste-disposal"].to_dict()["decision"]
    assert disposal["delegations"] == [
        {
            "by": "county",
            "to": "waste-committee",
            "to_kind": "joint_committee",
            "basis": "governance",
            "holder_stated": True,
            "from": "2019-04-01",
        }
    ]
    assert [d["id"] for d in disposal["deciders"]] == ["waste-committee"]
    collection = result["waste-collection"].to_dict()["decision"]
    assert {(d["by"], d["status"], d["from"]) for d in collection["delegations"]} == {
        ("east", "planned", "2021-04-01"),
        ("west", "planned", "2021-04-01"),
    }
    # Each district still decides its own duty: the planned delegation is not in force.
    assert [(d["id"], d["basis"]) for d in collection["deciders"]] == [
        ("east", "held_by_each"),
        ("west", "held_by_each"),
    ]


def test_undated_delegations_carry_no_dates() -> None:
    result = taxonomy.classify(taxonomy.load_portfolio("examples/two_tier_waste.yaml"))
    for rec in result:
        for made in rec.to_dict()["decision"]["delegations"]:
            assert not {"from", "until", "status"} & set(made)


def test_the_as_is_structure_draws_the_day_and_the_plan() -> None:
    portfolio = taxonomy.load_portfolio(WASTE)
    before = as_is_graph(in_force(portfolio, "2019-01-01").portfolio)
    assert not nodes_of_kind(before, "joint_body") and not nodes_of_kind(before, "role")
    graph = as_is_graph(in_force(portfolio, "2020-06-01").portfolio)
    # The dated, existing post is drawn in the as-is; the planned one is not.
    assert nodes_of_kind(graph, "role") == ["role:waste-manager"]
    members = {u: data for u, _, data in edges_of_kind(graph, "member_of")}
    assert members["board:west"]["from"] == "2020-04-01"
    delegations = {u: data for u, _, data in edges_of_kind(graph, "delegates_to")}
    assert delegations["board:county"].get("status") is None
    assert delegations["board:east"]["status"] == "planned"
    assert delegations["board:east"]["planned"] == ("waste-collection",)
    # A planned delegation: the function is not accountable to the committee, which does not
    # decide it.
    assert not before.has_edge("function:waste-collection", "joint:waste-committee")
    assert not graph.has_edge("joint:waste-committee", "function:waste-collection")
    dot = to_dot(graph)
    assert 'kind="delegates_to", style=dashed' in dot
    # The to-be draws every post; a planned one is labelled so.
    to_be = build_graph(taxonomy.classify(portfolio))
    assert to_be.nodes["role:waste-director"]["label"] == "Joint Director of Waste (planned)"
    assert to_be.nodes["role:waste-director"]["status"] == "planned"


def test_check_reports_what_is_still_planned_once_its_day_has_come() -> None:
    portfolio = taxonomy.load_portfolio(WASTE)

    def overdue(day: str) -> list[str]:
        result = taxonomy.classify(portfolio, as_of=day)
        return [f.message for f in check(build_graph(result)) if f.check == "planned-overdue"]

    assert overdue("2020-06-01") == []
    late = overdue("2021-06-01")
    assert len(late) == 3  # East's and West's delegations, and the post
    assert any("delegation of waste-collection by East District Council" in m for m in late)
    assert any(
        m.startswith("Joint Director of Waste (planned) is planned from 2021-04-01") for m in late
    )
    out = run("check", str(WASTE), "--as-of", "2021-06-01", "--format", "json")
    assert out.returncode == 0, out.stderr  # reported, not refused
    found = json.loads(out.stdout)["findings"]
    assert {f["severity"] for f in found if f["check"] == "planned-overdue"} == {"warning"}


def test_a_merger_passes_a_dated_membership_to_the_successor() -> None:
    data = waste_data()
    data["law"] = [
        {"id": "act", "from": D(2013, 1, 1), "joint_committees": True, "source": "An Act"},
        {
            "id": "merger",
            "from": D(2022, 4, 1),
            "abolishes": [
                {"body": ["east", "west"], "into": "shire-districts", "name": "Shire Districts"}
            ],
            "source": "The Structural Changes Order",
        },
    ]
    judged = in_force(portfolio_from_data(data), "2022-06-01").portfolio
    (body,) = judged.governance.bodies
    assert body.members == ("county", "shire-districts")
    # East sat on it from the start, but Shire Districts exists only from the merger: its
    # membership (East's, passed on) starts on the merger's day, the rest of it the body's.
    assert body.membership("shire-districts") == Term(D(2022, 4, 1), body.term.until)


# --- comparing two days -------------------------------------------------------------------------


def test_a_comparison_between_two_days_shows_what_changed_in_governance() -> None:
    portfolio = taxonomy.load_portfolio(WASTE)
    later = loads_scenario("name: June 2021\nchanges:\n  - as_of: {day: 2021-06-01}\n")
    found = taxonomy.compare(portfolio, later, as_of="2018-06-01")
    (outcome,) = found.outcomes
    assert outcome.notes == (
        "governance: joint body 'waste-committee': new, in force",
        "governance: county's membership of 'waste-committee': new, in force",
        "governance: east's membership of 'waste-committee': new, in force",
        "governance: west's membership of 'waste-committee': new, in force",
        "governance: the delegation of waste-disposal to 'waste-committee': new, in force",
        "governance: the delegation of waste-collection to 'waste-committee': new, planned",
        "governance: post 'waste-manager': new, in force",
        "governance: post 'waste-director': new, planned",
    )
    one_year = taxonomy.compare(portfolio, later, as_of="2019-06-01").outcomes[0].notes
    assert one_year == ("governance: west's membership of 'waste-committee': new, in force",)


def test_whatif_compares_two_days_from_the_portfolio_as_written(tmp_path: Path) -> None:
    scenario = write(
        tmp_path / "later.yaml", "name: Later\nchanges:\n  - as_of: {day: 2020-06-01}\n"
    )
    out = run("whatif", str(WASTE), str(scenario), "--as-of", "2019-01-01", "--format", "json")
    assert out.returncode == 0, out.stderr
    (outcome,) = json.loads(out.stdout)["scenarios"]
    assert "governance: joint body 'waste-committee': new, in force" in outcome["notes"]


def test_the_day_moves_once_and_first() -> None:
    late = loads_scenario(
        "name: Late\nchanges:\n  - law: {joint_committees: true}\n  - as_of: {day: 2021-06-01}\n",
        file="late.yaml",
    )
    with pytest.raises(
        taxonomy.ScenarioError,
        match="change 2: key 'as_of': 'as_of' moves the day once, as the first change",
    ):
        late.apply(taxonomy.load_portfolio(WASTE))
    with pytest.raises(taxonomy.ScenarioError, match="key 'day'"):
        loads_scenario("name: Bad\nchanges:\n  - as_of: {day: 2021-13-01}\n")


# --- bad input: one message, every problem, exit 2 ------------------------------------------------


def test_every_dating_problem_at_once(tmp_path: Path) -> None:
    data = waste_data()
    body = data["governance"]["bodies"][0]
    body["until"] = D(2019, 1, 1)  # before its from
    body["members"][2]["from"] = D(2018, 1, 1)
    data["governance"]["roles"][0]["until"] = D(2019, 3, 31)  # before its from
    body["delegated"][1]["status"] = "pending"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    out = run("classify", str(path))
    assert out.returncode == 2
    err = out.stderr
    assert err.count("taxonomy: error") == 1 and "Traceback" not in err
    assert "bad.yaml" in err
    assert (
        "joint body 'waste-committee': key 'until': 2019-01-01 is before 'from' (2019-04-01)" in err
    )
    assert "role 'waste-manager': key 'until': 2019-03-31 is before 'from' (2019-04-01)" in err
    assert (
        "joint body 'waste-committee', delegation of 'waste-collection': key 'status': "
        "'pending' is not a status" in err
    )


def test_a_membership_outside_its_joint_body_is_refused(tmp_path: Path) -> None:
    data = waste_data()
    data["governance"]["bodies"][0]["members"][2]["from"] = D(2018, 1, 1)
    data["governance"]["bodies"][0]["delegated"][0] = {
        "function": "waste-disposal",
        "until": D(2030, 1, 1),
    }
    data["governance"]["bodies"][0]["until"] = D(2025, 3, 31)
    with pytest.raises(taxonomy.PortfolioError) as caught:
        portfolio_from_data(data, file="w.yaml")
    messages = [str(p) for p in caught.value.problems]
    assert any(
        "key 'members': the membership of 'west' (from 2018-01-01) is outside the joint body's "
        "days (from 2019-04-01, until 2025-03-31)" in m
        for m in messages
    ), messages
    assert any(
        "key 'delegated': the delegation of 'waste-disposal' (until 2030-01-01) is outside" in m
        for m in messages
    ), messages


def test_overlapping_delegations_of_one_function_are_refused() -> None:
    data = waste_data()
    second = {
        "id": "disposal-board",
        "name": "Disposal Board",
        "kind": "joint_committee",
        "from": D(2020, 4, 1),
        "members": ["county", "west"],
        "delegated": ["waste-disposal"],
    }
    data["governance"]["bodies"].append(second)
    with pytest.raises(taxonomy.PortfolioError) as caught:
        portfolio_from_data(data, file="w.yaml")
    (problem,) = caught.value.problems
    assert problem.item == "joint body 'disposal-board'" and problem.key == "delegated"
    assert problem.problem == (
        "'waste-disposal' is delegated by county to both 'waste-committee' (from 2019-04-01) "
        "and 'disposal-board' (from 2020-04-01) on overlapping days: end one delegation before "
        "the other starts"
    )
    # One ending the day before the other starts is two delegations in turn.
    data["governance"]["bodies"][0]["until"] = D(2020, 3, 31)
    data["governance"]["bodies"][0]["members"][2] = "west"
    data["governance"]["bodies"][0]["delegated"] = ["waste-disposal"]
    data["governance"]["roles"] = []
    portfolio_from_data(data)
    # A member that does not hold the function delegates nothing, so nothing overlaps.
    assert not list(
        overlapping_delegations(
            Governance(
                (
                    JointBody("x", "X", "joint_committee", ("east",), ("waste-disposal",)),
                    JointBody("y", "Y", "joint_committee", ("east",), ("waste-disposal",)),
                )
            ),
            {"waste-disposal": ("county",)},
        )
    )


def test_a_merger_into_a_body_that_does_not_exist_that_day_is_refused() -> None:
    data = waste_data()
    data["law"] = [
        {
            "id": "merger",
            "from": D(2022, 4, 1),
            "abolishes": [{"body": "east", "into": "districts"}],
            "source": "An Order",
        }
    ]
    with pytest.raises(taxonomy.PortfolioError) as caught:
        portfolio_from_data(data, file="w.yaml")
    (problem,) = caught.value.problems
    assert problem.key == "into" and "'districts' does not exist on 2022-04-01" in problem.problem


def test_a_workbook_and_csv_files_carry_the_dates(tmp_path: Path) -> None:
    from taxonomy.input.files import dump_portfolio

    portfolio = taxonomy.load_portfolio(WASTE)
    for name in ("w.xlsx", "w.csv"):
        dump_portfolio(portfolio, tmp_path / name)
        assert taxonomy.load_portfolio(tmp_path / name) == portfolio
    import openpyxl

    sheet = openpyxl.load_workbook(tmp_path / "w.xlsx")["joint_bodies"]
    row = {h.value: c.value for h, c in zip(sheet[1], sheet[2], strict=True)}
    assert row["members"] == "county, east, west (from 2020-04-01)"
    assert row["delegated"] == "waste-disposal, waste-collection (from 2021-04-01 planned)"
    assert row["from"] == "2019-04-01"


def test_a_dated_cell_with_a_mistake_is_refused_with_the_keys_allowed(tmp_path: Path) -> None:
    import openpyxl

    from taxonomy.input.files import dump_portfolio

    dump_portfolio(taxonomy.load_portfolio(WASTE), tmp_path / "w.xlsx")
    book = openpyxl.load_workbook(tmp_path / "w.xlsx")
    sheet = book["joint_bodies"]
    sheet["D2"] = "county, east, west (form 2020-04-01)"
    sheet["G2"] = datetime.datetime(2019, 4, 1)  # a date cell, as Excel types it: a day
    book.save(tmp_path / "bad.xlsx")
    with pytest.raises(taxonomy.PortfolioError) as caught:
        taxonomy.load_portfolio(tmp_path / "bad.xlsx")
    (first, *_) = caught.value.problems
    assert first.item == "joint body 'waste-committee', membership of 'west'"
    assert first.key == "form" and first.suggestion == "from"


def test_scenarios_change_dated_governance() -> None:
    """Taking back a dated delegation drops its dates; a joint body added may be dated."""
    waste = taxonomy.load_portfolio(WASTE)
    text = """
    name: Collection stays with the districts; a recycling board from 2022
    changes:
      - undelegate: {functions: [waste-collection], from: waste-committee}
      - add:
          joint_body:
            id: recycling-board
            name: Recycling Board
            kind: joint_oversight_group
            from: 2022-04-01
            status: planned
            members: [county, {body: east, from: 2023-04-01}]
            oversees: [waste-collection]
    """
    import textwrap

    applied = loads_scenario(textwrap.dedent(text)).apply(waste)
    committee, board = applied.portfolio.governance.bodies
    assert committee.delegated == ("waste-disposal",) and committee.delegation_terms == ()
    assert board.term == Term(from_=D(2022, 4, 1), status="planned")
    assert board.membership("east") == Term(from_=D(2023, 4, 1), status="planned")  # its body is


def test_the_classification_json_with_dated_delegations_meets_its_schema() -> None:
    import jsonschema

    from taxonomy.schemas import schema as schema_for

    out = run("classify", str(WASTE), "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    jsonschema.validate(data, schema_for("classification"))
    made = [d for r in data["recommendations"] for d in r["decision"]["delegations"]]
    assert {d.get("status") for d in made} == {None, "planned"}


def test_a_planned_joint_body_is_drawn_as_planned_and_an_ended_one_not_at_all() -> None:
    data = waste_data()
    data["governance"]["roles"] = []
    data["governance"]["bodies"][0]["until"] = D(2021, 3, 31)
    data["governance"]["bodies"][0]["delegated"] = ["waste-disposal"]
    data["governance"]["bodies"].append(
        {
            "id": "waste-authority",
            "name": "Shire Waste Authority",
            "kind": "joint_committee",
            "from": D(2021, 4, 1),
            "status": "planned",
            "members": ["county", "east", "west"],
            "delegated": ["waste-disposal"],
        }
    )
    portfolio = portfolio_from_data(data)
    graph = as_is_graph(in_force(portfolio, "2021-06-01").portfolio)
    assert nodes_of_kind(graph, "joint_body") == ["joint:waste-authority"]
    node = graph.nodes["joint:waste-authority"]
    assert node["label"] == "Shire Waste Authority (planned)" and node["status"] == "planned"
    assert node["overdue"] is True
    decision = taxonomy.classify(portfolio, as_of="2021-06-01")["waste-disposal"].decision
    assert decision is not None
    assert [(d.to, d.status) for d in decision.delegations] == [("waste-authority", "planned")]
    assert [(d.id, d.basis) for d in decision.deciders] == [("county", "holder")]
