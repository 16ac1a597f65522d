"""Who holds a function in law, who delegates it to whom, who decides: graph and JSON agree.

Cases of more than two bodies: the three councils, the eight NW London CCGs, and a two-tier
council pair (a county and two districts) sharing one joint committee for waste collection (the
districts' duty) and waste disposal (the county's).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import taxonomy
from taxonomy._decision import Decision
from taxonomy.render.text import to_json
from taxonomy.schemas import schema
from taxonomy.structure.checks import check
from taxonomy.structure.graph import Graph, build_graph, edges_of_kind, predecessors, successors
from tests._nwl import nwl_ratified, nwl_ratified_data
from tests.conftest import COUNCILS, COUNCILS_PACK, NHS, NWL

jsonschema = pytest.importorskip("jsonschema")

STRONG = {
    "efficiency": {"duplication": "high", "simplification": "high"},
    "effectiveness": {"joint_benefit": "high"},
}
BODIES = ["county", "north", "south"]


def two_tier(*, members: list[str], delegated: list[str]) -> taxonomy.Portfolio:
    """A county and two districts; one joint committee with ``members`` taking ``delegated``."""

    def function(fid: str, legal: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": fid,
            "name": fid.replace("-", " ").capitalize(),
            "level": "national",
            "performed_by": BODIES,
            "legal": legal,
            "capability": dict.fromkeys(BODIES, "medium"),
            **STRONG,
        }

    return taxonomy.portfolio_from_data(
        {
            "name": "Two-tier waste",
            "organisations": [{"id": b, "name": f"{b.title()} Council"} for b in BODIES],
            "law": {"joint_committees": True},
            "functions": [
                function("waste-collection", {"held_by_each": ["north", "south"]}),
                function("waste-disposal", {"statutory_owner": "county"}),
                function("street-cleaning", {}),
            ],
            "governance": {
                "bodies": [
                    {
                        "id": "waste-jc",
                        "name": "Joint Waste Committee",
                        "kind": "joint_committee",
                        "members": members,
                        "delegated": delegated,
                    }
                ]
            },
        }
    )


def delegating(graph: Graph, function: str) -> set[tuple[str, str]]:
    """(Board, joint body) for each delegation of ``function`` the graph draws."""
    return {
        (u, v)
        for u, v, edge in edges_of_kind(graph, "delegates_to")
        if function in edge.get("functions", ())
    }


def agrees(graph: Graph, decision: Decision) -> None:
    """The graph draws exactly the decision the recommendation's JSON carries."""
    function = f"function:{decision.function}"
    assert sorted(predecessors(graph, function, "holds")) == sorted(
        f"board:{b}" for b in decision.holders
    )
    assert graph.nodes[function]["holding"] == decision.holding
    kinds = {"board": "board", "role": "role"}
    deciders = {f"{kinds.get(d.kind, 'joint')}:{d.id}" for d in decision.deciders}
    assert set(predecessors(graph, function, "decides")) == deciders
    assert delegating(graph, decision.function) == {
        (f"board:{d.by}", f"joint:{d.to}") for d in decision.delegations
    }


@pytest.mark.parametrize(
    ("path", "pack"), [(NHS, None), (NWL, None), (COUNCILS, COUNCILS_PACK)], ids=str
)
def test_the_graph_draws_the_decision_block_of_every_recommendation(path: Any, pack: Any) -> None:
    rules = taxonomy.load_rules(pack) if pack is not None else None
    result = taxonomy.classify(taxonomy.load_portfolio(path, rules=rules), rules=rules)
    graph = build_graph(result)
    for rec in result:
        assert rec.decision is not None
        agrees(graph, rec.decision)
        assert rec.to_dict()["decision"] == rec.decision.to_dict()


def test_a_member_that_holds_nothing_of_a_function_does_not_delegate_it() -> None:
    p = two_tier(members=BODIES, delegated=["waste-collection", "waste-disposal"])
    result = taxonomy.classify(p)
    graph = build_graph(result)
    # Each function is delegated by its own holders only: the districts do not "delegate" the
    # county's waste disposal, nor the county the districts' collection.
    assert delegating(graph, "waste-disposal") == {("board:county", "joint:waste-jc")}
    assert delegating(graph, "waste-collection") == {
        ("board:north", "joint:waste-jc"),
        ("board:south", "joint:waste-jc"),
    }
    assert graph.edges["board:county", "joint:waste-jc", "delegates_to"]["functions"] == (
        "waste-disposal",
    )
    for body in BODIES:  # every member is a member
        assert graph.has_edge(f"board:{body}", "joint:waste-jc", key="member_of")
    assert predecessors(graph, "function:waste-disposal", "holds") == ["board:county"]
    assert graph.has_edge("joint:waste-jc", "function:waste-disposal", key="decides")
    block = result["waste-disposal"].to_dict()["decision"]
    assert block["holders"] == ["county"] and block["accountable"] == ["county"]
    assert [d["by"] for d in block["delegations"]] == ["county"]
    assert block["members"] == [
        {"body": "north", "of": "waste-jc"},
        {"body": "south", "of": "waste-jc"},
    ]
    assert not [f for f in check(graph) if f.check in ("only-holders-delegate", "holder-stated")]


def test_only_holders_delegate() -> None:
    # The districts' committee is given the county's waste disposal: nobody in it may delegate.
    p = two_tier(members=["north", "south"], delegated=["waste-disposal"])
    result = taxonomy.classify(p)
    graph = build_graph(result)
    assert delegating(graph, "waste-disposal") == set()
    assert result["waste-disposal"].decision is not None
    assert result["waste-disposal"].decision.unheld == ("waste-jc",)
    (found,) = [f for f in check(graph) if f.check == "only-holders-delegate"]
    assert found.severity == "error" and "none is a member" in found.message
    assert found.nodes == ("function:waste-disposal", "joint:waste-jc")
    # A graph drawn by hand with a district delegating it is caught as well.
    graph.add_edge(
        "board:north",
        "joint:waste-jc",
        key="delegates_to",
        kind="delegates_to",
        functions=("waste-disposal",),
    )
    messages = [f.message for f in check(graph) if f.check == "only-holders-delegate"]
    assert any("board:north delegate it" in m for m in messages)


def test_where_the_law_does_not_say_who_holds_it_the_performers_delegate_and_check_warns() -> None:
    p = two_tier(members=BODIES, delegated=["street-cleaning"])
    graph = build_graph(taxonomy.classify(p))
    node = graph.nodes["function:street-cleaning"]
    assert node["holding"] == "not_stated" and node["holders"] == ()
    assert predecessors(graph, "function:street-cleaning", "holds") == []  # no guess
    edge = graph.edges["board:county", "joint:waste-jc", "delegates_to"]
    assert edge["holder_stated"] is False
    (found,) = [f for f in check(graph) if f.check == "holder-stated"]
    assert found.severity == "warning" and "who holds Street cleaning in law is not stated" in (
        found.message
    )


def test_nw_london_each_ccg_delegates_its_own_part_to_the_joint_committee() -> None:
    # The example states who holds what the Joint Committee decides (each CCG, NHS Act 2006
    # s.14Z3(2A)): each of the eight delegates its own part, holding stated, and stays accountable
    # (the delegations in force, as NHS England's ratification would make them).
    result = taxonomy.classify(nwl_ratified())
    graph = build_graph(result)
    ccgs = [f"board:{b}" for b in result.portfolio.organisation_ids]
    assert sorted(u for u, _ in delegating(graph, "acute-commissioning")) == sorted(ccgs)
    assert delegating(graph, "corporate-services") == set()
    block = result["acute-commissioning"].to_dict()["decision"]
    assert block["holding"] == "held_by_each"
    assert block["accountable"] == list(result.portfolio.organisation_ids)
    assert {"id": "nwl-joint-committee", "kind": "joint_committee", "basis": "delegated"} in block[
        "deciders"
    ]
    assert len(block["delegations"]) == 8
    assert all(d["holder_stated"] for d in block["delegations"])
    assert not [f for f in check(graph) if f.check == "holder-stated"]


def test_nw_london_eight_ccgs_delegate_what_nobody_is_said_to_hold() -> None:
    # The same example with its holding facts removed: the members carrying the functions out
    # are taken to delegate them, and check warns where the holding is not stated.
    data = nwl_ratified_data()
    for fn in data["functions"]:
        fn["legal"] = {}
    result = taxonomy.classify(taxonomy.portfolio_from_data(data, file=str(NWL)))
    graph = build_graph(result)
    ccgs = [f"board:{b}" for b in result.portfolio.organisation_ids]
    assert sorted(u for u, _ in delegating(graph, "acute-commissioning")) == sorted(ccgs)
    block = result["acute-commissioning"].to_dict()["decision"]
    assert block["holding"] == "not_stated" and block["accountable"] is None
    assert block["deciders"] == [
        {"id": "nwl-joint-committee", "kind": "joint_committee", "basis": "delegated"}
    ]
    assert len(block["delegations"]) == 8
    assert not any(d["holder_stated"] for d in block["delegations"])
    warned = sorted(f.nodes[0] for f in check(graph) if f.check == "holder-stated")
    assert warned == [
        "function:acute-commissioning",
        "function:joint-financial-strategy",
        "function:mental-health-commissioning",
        "function:strategic-direction",
    ]


def test_three_councils_each_holder_delegates_to_the_proposed_committee() -> None:
    pack = taxonomy.load_rules(COUNCILS_PACK)
    result = taxonomy.classify(taxonomy.load_portfolio(COUNCILS, rules=pack), rules=pack)
    graph = build_graph(result)
    boards = {"board:eastbrook", "board:northvale", "board:southmere"}
    committee = "joint:committee-planning-decisions"
    assert {u for u, _ in delegating(graph, "planning-decisions")} == boards
    assert set(predecessors(graph, "function:planning-decisions", "holds")) == boards
    assert set(predecessors(graph, "function:planning-decisions", "decides")) == boards | {
        committee
    }
    block = result["planning-decisions"].to_dict()["decision"]
    assert {d["basis"] for d in block["delegations"]} == {"proposed"}
    assert all(d["holder_stated"] for d in block["delegations"])


def test_a_statutory_owner_that_delegates_nothing_decides(nhs: taxonomy.Portfolio) -> None:
    graph = build_graph(taxonomy.classify(nhs))
    assert "function:procurement-complaints" in successors(graph, "board:nhsi", "holds")
    assert predecessors(graph, "function:procurement-complaints", "holds") == ["board:nhsi"]
    assert predecessors(graph, "function:procurement-complaints", "decides") == ["board:nhsi"]
    assert graph.edges["board:nhsi", "function:procurement-complaints", "holds"]["basis"] == (
        "statutory_owner"
    )


def test_an_open_function_says_what_is_known() -> None:
    unknown = taxonomy.load_portfolio(NHS.with_name("nhs_joint_working_2018_unknown.yaml"))
    result = taxonomy.classify(unknown)
    graph = build_graph(result)
    open_ = [rec for rec in result if not rec.decided]
    assert open_
    for rec in open_:
        assert rec.decision is not None
        agrees(graph, rec.decision)
    held = result["national-finance-leadership"]
    assert not held.decided
    block = held.to_dict()["decision"]
    assert block["holders"] == ["nhse", "nhsi"] and block["holding"] == "held_by_each"
    assert not [d for d in block["deciders"] if d["basis"] == "proposed"]
    nobody = result["strategy"].to_dict()["decision"]
    assert nobody["holders"] == [] and nobody["accountable"] is None


def test_the_decision_block_is_in_the_output_schema() -> None:
    p = two_tier(members=BODIES, delegated=["waste-collection", "waste-disposal"])
    data = json.loads(to_json(taxonomy.classify(p)))
    jsonschema.validate(data, schema("classification"))
    data["recommendations"][0]["decision"]["holding"] = "somebody"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema("classification"))


def test_a_body_that_delegates_its_own_duty_no_longer_keeps_deciding_it() -> None:
    # Each CCG holds its own part of acute commissioning and delegates it to the Joint
    # Committee: the committee decides it, the CCGs stay accountable; no words say a CCG
    # "keeps deciding" it (before, each Board was listed deciding beside the committee).
    result = taxonomy.classify(nwl_ratified())
    rec = result["acute-commissioning"]
    assert rec.decision is not None
    assert [(d.id, d.basis) for d in rec.decision.deciders] == [
        ("nwl-joint-committee", "delegated")
    ]
    assert rec.decision.accountable == result.portfolio.organisation_ids
    words = " ".join((*rec.explanation.notes, rec.paragraph(result)))
    assert "keep deciding" not in words and "keeps deciding" not in words
    assert "taken by the NW London Joint Committee, to which all eight delegate them" in words
    # Quality stays with each CCG's own Board: nothing delegates it.
    quality = result["quality-nursing"].decision
    assert quality is not None and {d.basis for d in quality.deciders} == {"held_by_each"}
