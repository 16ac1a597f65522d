"""The accountability graph: structures per arrangement, every check firing and quiet, exports."""

from __future__ import annotations

import json
from typing import Any

import attrs
import networkx as nx
import pytest

import taxonomy
from taxonomy import Arrangement
from taxonomy.language.rules import RulePack
from taxonomy.render.export import to_dot, to_graphml, to_node_link_json
from taxonomy.structure.checks import CHECKS, check, measure, structure_report
from taxonomy.structure.graph import as_is_graph, build_graph, owners, reporting_lines

STRONG = {
    "efficiency": {"duplication": "high", "simplification": "high"},
    "effectiveness": {"joint_benefit": "high"},
}
MEDIUM = {
    "efficiency": {"duplication": "medium", "simplification": "medium"},
    "effectiveness": {"joint_benefit": "medium"},
}
WEAK = {
    "efficiency": {"duplication": "low", "simplification": "low"},
    "effectiveness": {"joint_benefit": "low"},
}


def portfolio(
    *functions: dict[str, Any], law: bool | None = None, governance: dict[str, Any] | None = None
) -> taxonomy.Portfolio:
    data: dict[str, Any] = {
        "name": "Test",
        "organisations": [{"id": "a", "name": "Body A"}, {"id": "b", "name": "Body B"}],
        "functions": [
            {
                "name": f["id"].title(),
                "level": "national",
                "performed_by": ["a", "b"],
                "legal": {},
                "capability": {"a": "high", "b": "medium"},
                **STRONG,
                **f,
            }
            for f in functions
        ],
    }
    if law is not None:
        data["law"] = {"joint_committees": law}
    if governance is not None:
        data["governance"] = governance
    return taxonomy.portfolio_from_data(data)


def to_be(p: taxonomy.Portfolio, pack: RulePack | None = None) -> nx.MultiDiGraph:
    return build_graph(taxonomy.classify(p, rules=pack))


def checks_of(graph: nx.MultiDiGraph, name: str) -> list[taxonomy.Finding]:
    return [f for f in check(graph) if f.check == name]


def kinds(graph: nx.MultiDiGraph, kind: str) -> list[str]:
    return [n for n, k in graph.nodes(data="kind") if k == kind]


# -- structures --------------------------------------------------------------------------------


def test_one_board_per_body_always(nhs: taxonomy.Portfolio) -> None:
    graph = build_graph(taxonomy.classify(nhs))
    assert sorted(kinds(graph, "board")) == ["board:nhse", "board:nhsi"]
    for node, data in graph.nodes(data=True):
        assert data["kind"] in ("board", "joint_body", "team", "role", "function"), node
    for *_, data in graph.edges(data=True):
        assert data["kind"] in (
            "reports_to",
            "accountable_to",
            "holds",
            "delegates_to",
            "member_of",
            "decides",
            "employs",
            "performs",
            "influences",
        )


def test_one_team_led_by_one_body() -> None:
    graph = to_be(portfolio({"id": "it"}))
    assert graph.nodes["function:it"]["arrangement"] == "one_team"
    assert owners(graph, "function:it") == ["team:it"]
    assert reporting_lines(graph, "team:it") == ["board:a"]  # one line, to the host
    # Its head is accountable to both Boards (Annex B category 1), not merely influenced.
    assert graph.has_edge("team:it", "board:a", key="accountable_to")
    assert graph.has_edge("team:it", "board:b", key="accountable_to")
    assert not graph.has_edge("board:b", "team:it", key="influences")
    assert graph.has_edge("board:a", "team:it", key="employs")


def test_one_team_led_jointly_reports_equally() -> None:
    graph = to_be(portfolio({"id": "regional", "level": "regional"}))
    assert reporting_lines(graph, "team:regional") == ["board:a", "board:b"]
    assert graph.nodes["function:regional"]["lead"] is None


def test_aligned_each_body_own_team_and_joint_plan() -> None:
    graph = to_be(portfolio({"id": "comms", **MEDIUM}))
    assert graph.nodes["function:comms"]["arrangement"] == "aligned"
    assert sorted(kinds(graph, "team")) == ["team:comms:a", "team:comms:b"]
    assert owners(graph, "function:comms") == ["joint:plan-comms"]
    for team in ("team:comms:a", "team:comms:b"):
        assert graph.has_edge(team, "joint:plan-comms", key="accountable_to")


def test_aligned_uses_a_joint_body_that_oversees_it() -> None:
    gov = {
        "bodies": [
            {
                "id": "jog",
                "name": "Joint group",
                "kind": "joint_oversight_group",
                "members": ["a", "b"],
                "oversees": ["comms"],
            }
        ]
    }
    graph = to_be(portfolio({"id": "comms", **MEDIUM}, governance=gov))
    assert "joint:plan-comms" not in graph
    assert owners(graph, "function:comms") == ["joint:jog"]


def test_separate_each_body_keeps_its_team_and_the_lead_is_involved() -> None:
    graph = to_be(portfolio({"id": "eprr", **WEAK}))
    assert graph.nodes["function:eprr"]["arrangement"] == "separate_involved"
    assert kinds(graph, "team") == ["team:eprr:a", "team:eprr:b"]
    assert reporting_lines(graph, "team:eprr:b") == ["board:b"]
    assert owners(graph, "function:eprr") == ["team:eprr:a"]  # the lead's team
    assert graph.has_edge("team:eprr:b", "team:eprr:a", key="influences")


def test_one_team_with_a_lead_differs_from_separate_with_involvement() -> None:
    one = to_be(portfolio({"id": "f"}))
    separate = to_be(portfolio({"id": "f", **WEAK}))
    assert one.nodes["function:f"]["lead"] == separate.nodes["function:f"]["lead"] == "a"
    assert len(kinds(one, "team")) == 1 and len(kinds(separate, "team")) == 2
    assert not checks_of(one, "serves-every-body")
    # A one team whose head answers to its host alone is caught.
    broken = one.copy()
    broken.remove_edge("team:f", "board:b", key="accountable_to")
    (finding,) = checks_of(broken, "serves-every-body")
    assert "b" in finding.message


def test_separate_distinct_has_no_influence() -> None:
    nothing = {
        "efficiency": {"duplication": "none", "simplification": "none"},
        "effectiveness": {"joint_benefit": "none"},
    }
    graph = to_be(portfolio({"id": "x", **nothing}))
    assert graph.nodes["function:x"]["arrangement"] == "separate_distinct"
    assert not [e for e in graph.edges(data="kind") if e[2] == "influences"]
    assert kinds(graph, "team") == ["team:x:a", "team:x:b"]  # each keeps its own


def test_role_heads_the_teams_it_is_accountable_for() -> None:
    gov = {
        "roles": [
            {
                "id": "dir",
                "name": "Director",
                "employed_by": "a",
                "reports_to": ["a"],
                "accountable_for": ["it"],
            }
        ]
    }
    graph = to_be(portfolio({"id": "it"}, governance=gov))
    assert owners(graph, "function:it") == ["role:dir"]
    assert reporting_lines(graph, "team:it") == ["role:dir"]
    assert checks_of(graph, "handovers") == []  # function -> role -> Board


# -- each check fires on a case built for it, and stays quiet on a clean one --------------------


def test_single_accountability() -> None:
    p = portfolio({"id": "it"})
    result = taxonomy.classify(p)
    assert checks_of(
        as_is_graph(p, classification=result), "single-accountability"
    )  # two teams, two owners
    assert not checks_of(build_graph(result), "single-accountability")


def test_reporting_lines() -> None:
    data = {
        "name": "Three",
        "organisations": [{"id": i, "name": i.upper()} for i in "abc"],
        "functions": [
            {
                "id": "f",
                "name": "F",
                "level": "national",
                "performed_by": ["a"],
                "legal": {},
                "capability": {"a": "low"},
                **WEAK,
            }
        ],
        "governance": {
            "roles": [
                {"id": "r", "name": "Joint post", "employed_by": "a", "reports_to": ["a", "b", "c"]}
            ]
        },
    }
    graph = to_be(taxonomy.portfolio_from_data(data))
    (finding,) = checks_of(graph, "reporting-lines")
    assert finding.severity == "warning" and "role:r" in finding.nodes
    data["governance"]["roles"][0]["reports_to"] = ["a", "b"]
    assert not checks_of(to_be(taxonomy.portfolio_from_data(data)), "reporting-lines")


def test_handovers() -> None:
    gov = {
        "roles": [
            {"id": "top", "name": "Top", "employed_by": "a", "reports_to": ["a"]},
            {
                "id": "mid",
                "name": "Middle",
                "employed_by": "a",
                "reports_to": ["top"],
                "accountable_for": ["it"],
            },
        ]
    }
    (finding,) = checks_of(to_be(portfolio({"id": "it"}, governance=gov)), "handovers")
    assert "2 handovers" in finding.message
    gov["roles"][1]["reports_to"] = ["a"]
    assert not checks_of(to_be(portfolio({"id": "it"}, governance=gov)), "handovers")


def test_delivered_once() -> None:
    p = portfolio({"id": "it"})
    result = taxonomy.classify(p)
    (finding,) = checks_of(as_is_graph(p, classification=result), "delivered-once")
    assert finding.principle == "cost-effective"
    assert not checks_of(build_graph(result), "delivered-once")
    assert not checks_of(as_is_graph(p), "delivered-once")  # no recommendation to compare with


def test_aligned_governance() -> None:
    p = portfolio({"id": "comms", **MEDIUM})
    result = taxonomy.classify(p)
    assert checks_of(as_is_graph(p, classification=result), "aligned-governance")
    assert not checks_of(build_graph(result), "aligned-governance")
    gov = {
        "bodies": [
            {
                "id": "jog",
                "name": "Joint group",
                "kind": "joint_oversight_group",
                "members": ["a", "b"],
                "oversees": ["comms"],
            }
        ]
    }
    p2 = portfolio({"id": "comms", **MEDIUM}, governance=gov)
    assert not checks_of(
        as_is_graph(p2, classification=taxonomy.classify(p2)), "aligned-governance"
    )


JC = {
    "bodies": [
        {
            "id": "jc",
            "name": "Joint Committee",
            "kind": "joint_committee",
            "members": ["a", "b"],
            "delegated": ["it"],
        }
    ]
}


def test_joint_committee_law() -> None:
    (finding,) = checks_of(
        to_be(portfolio({"id": "it"}, law=False, governance=JC)), "joint-committee-law"
    )
    assert finding.severity == "error" and "joint:jc" in finding.nodes
    assert not checks_of(
        to_be(portfolio({"id": "it"}, law=True, governance=JC)), "joint-committee-law"
    )
    cic = {"bodies": [{**JC["bodies"][0], "kind": "committees_in_common"}]}
    assert not checks_of(
        to_be(portfolio({"id": "it"}, law=False, governance=cic)), "joint-committee-law"
    )


def test_employees_only() -> None:
    p = portfolio({"id": "commissioning", "legal": {"delegable_to": ["b"]}, **WEAK})
    result = taxonomy.classify(p)
    assert result["commissioning"].lead == "b"
    (finding,) = checks_of(
        as_is_graph(p, classification=result), "employees-only"
    )  # a's team does it today
    assert "team:commissioning:a" in finding.nodes
    assert not checks_of(build_graph(result), "employees-only")
    # One team hosted by b serves a: lawful, only b's employees do the work.
    p2 = portfolio({"id": "commissioning", "legal": {"delegable_to": ["b"]}, **STRONG})
    assert to_be(p2).nodes["function:commissioning"]["arrangement"] == "one_team"
    assert not checks_of(to_be(p2), "employees-only")
    # An aligned arrangement keeps a's own team: a pack that allows it is caught.
    p3 = portfolio({"id": "commissioning", "legal": {"delegable_to": ["b"]}, **MEDIUM})
    assert checks_of(to_be(p3), "employees-only")


def _pack_without_caps() -> RulePack:
    default = taxonomy.load_rules()
    return RulePack.from_rules([r for r in default.rules if r.then.cap is None], name="no-caps")


def test_board_reserved() -> None:
    reserved = {"id": "strategy", "legal": {"board_reserved": True}}
    assert not checks_of(to_be(portfolio(reserved)), "board-reserved")
    # Delegated to a joint committee the law does not allow: taken away from its Board.
    jc = {"bodies": [{**JC["bodies"][0], "delegated": ["strategy"]}]}
    findings = checks_of(to_be(portfolio(reserved, law=False, governance=jc)), "board-reserved")
    assert any("joint:jc" in f.nodes for f in findings)
    # Where the law allows it, a joint committee of the Boards may take the decision.
    assert not checks_of(to_be(portfolio(reserved, law=True, governance=jc)), "board-reserved")
    # Declared to another Board, lawful or not: the message said "an oversight group takes no
    # decisions", though no oversight group was there (none can be delegated to).
    owned = {**reserved, "legal": {"board_reserved": True, "statutory_owner": ["a"]}}
    to_b = {"delegations": [{"function": "strategy", "by": "a", "to": ["b"]}]}
    (finding,) = checks_of(to_be(portfolio(owned, law=True, governance=to_b)), "board-reserved")
    assert "board:b" in finding.nodes and "oversight" not in finding.message
    assert "only a joint committee of the Boards may take it" in finding.message
    cic = {"bodies": [{**jc["bodies"][0], "kind": "committees_in_common"}]}
    assert not checks_of(to_be(portfolio(reserved, law=False, governance=cic)), "board-reserved")


def test_a_reserved_decision_stays_with_each_board_while_one_team_delivers() -> None:
    reserved = {"id": "strategy", "legal": {"board_reserved": True}}
    result = taxonomy.classify(portfolio(reserved, law=False))
    rec = result["strategy"]
    assert rec.arrangement is Arrangement.ONE_TEAM  # the reservation is not a cap
    assert any("each keep deciding" in note for note in rec.explanation.notes)
    graph = build_graph(result)
    assert graph.has_edge("board:a", "function:strategy", key="decides")
    assert graph.has_edge("board:b", "function:strategy", key="decides")
    # No joint committee is lawful, so the Boards meet as committees in common.
    forum = "joint:in-common-strategy"
    assert graph.nodes[forum]["body_kind"] == "committees_in_common"
    assert graph.has_edge(forum, "function:strategy", key="decides")
    assert not checks_of(graph, "board-reserved") and not checks_of(graph, "joint-committee-law")


def test_not_delegable() -> None:
    barred = {"id": "f", "legal": {"not_delegable_to": ["joint_committee"]}}
    jc = {"bodies": [{**JC["bodies"][0], "delegated": ["f"]}]}
    (finding,) = checks_of(to_be(portfolio(barred, law=True, governance=jc)), "not-delegable")
    assert "joint:jc" in finding.nodes
    # Not to another body's employees: one team is capped to aligned by the default pack...
    own = {"id": "g", "legal": {"not_delegable_to": ["another_body"]}}
    rec = taxonomy.classify(portfolio(own))["g"]
    assert rec.arrangement is Arrangement.ALIGNED
    assert [f.rule for f in rec.explanation.capped_by] == ["legal.own-employees-only"]
    # ... and a pack without caps that puts it in one team is caught.
    graph = to_be(portfolio(own), _pack_without_caps())
    assert checks_of(graph, "not-delegable")


def test_lead_undecided() -> None:
    tied = {"id": "f", "capability": {"a": "medium", "b": "medium"}}
    result = taxonomy.classify(portfolio(tied))
    assert result["f"].lead is None and result["f"].tied == ("a", "b")
    assert result["f"].lead_text == "undecided between a and b (tie)"
    (finding,) = checks_of(build_graph(result), "lead-undecided")
    assert finding.severity == "warning"
    agreed = taxonomy.classify(portfolio({**tied, "agreed_lead": "b"}))["f"]
    assert agreed.lead == "b" and agreed.explanation.lead_by.rule == "legal.agreed-lead"


def test_board_reserved_one_team_under_lawful_joint_committees() -> None:
    reserved = {"id": "strategy", "legal": {"board_reserved": True}}
    graph = to_be(portfolio(reserved, law=True))
    assert graph.nodes["function:strategy"]["arrangement"] == "one_team"
    assert "joint:committee-strategy" in graph  # the decision goes to a joint committee
    assert owners(graph, "function:strategy") == ["joint:committee-strategy", "team:strategy"]
    assert not checks_of(graph, "board-reserved")
    assert not checks_of(graph, "joint-committee-law")
    # Unless the decision may not go to a joint committee: then committees in common.
    barred = {
        **reserved,
        "legal": {"board_reserved": True, "not_delegable_to": ["joint_committee"]},
    }
    graph = to_be(portfolio(barred, law=True))
    assert "joint:committee-strategy" not in graph and "joint:in-common-strategy" in graph


def test_independence() -> None:
    p = portfolio(
        {"id": "complaints", "legal": {"statutory_owner": "a", "independence_from": ["b"]}}
    )
    result = taxonomy.classify(p)
    assert result["complaints"].arrangement is Arrangement.SEPARATE_INVOLVED
    (finding,) = checks_of(
        as_is_graph(p, classification=result), "independence"
    )  # b's own team today
    assert "team:complaints:b" in finding.nodes
    assert not checks_of(build_graph(result), "independence")
    assert not build_graph(result).has_edge("board:b", "team:complaints:a")  # no influence
    assert "team:complaints:b" not in build_graph(result)  # b keeps no team of it
    graph = to_be(p, _pack_without_caps())  # one team, influenced by b... and reporting
    assert graph.nodes["function:complaints"]["arrangement"] == "one_team"


def test_reporting_cycle_and_reaching_a_board() -> None:
    gov = {
        "roles": [
            {"id": "r1", "name": "R1", "employed_by": "a", "reports_to": ["r2"]},
            {"id": "r2", "name": "R2", "employed_by": "a", "reports_to": ["r1"]},
        ]
    }
    graph = to_be(portfolio({"id": "it"}, governance=gov))
    (cycle,) = checks_of(graph, "reporting-cycle")
    assert set(cycle.nodes) == {"role:r1", "role:r2"}
    assert {f.nodes for f in checks_of(graph, "reaches-board")} == {("role:r1",), ("role:r2",)}
    clean = to_be(portfolio({"id": "it"}))
    assert not checks_of(clean, "reporting-cycle") and not checks_of(clean, "reaches-board")


def test_every_check_has_a_firing_test() -> None:
    tested = {
        "single-accountability",
        "reporting-lines",
        "handovers",
        "delivered-once",
        "aligned-governance",
        "joint-committee-law",
        "employees-only",
        "board-reserved",
        "independence",
        "reporting-cycle",
        "reaches-board",
        "not-delegable",
        "serves-every-body",
        "lead-undecided",
        "undecided",  # tests/test_unknowns_out.py
        "only-holders-delegate",  # tests/test_decision.py
        "holder-stated",  # tests/test_decision.py
        "planned-overdue",  # tests/test_governance_dates.py
        "delegated-to-non-performer",  # tests/test_delegations.py
    }
    assert tested == set(CHECKS)


# -- the examples --------------------------------------------------------------------------------


def test_examples_to_be_have_no_errors(nhs: taxonomy.Portfolio) -> None:
    from tests.conftest import NWL

    for p in (nhs, taxonomy.load_portfolio(NWL)):
        report = structure_report(taxonomy.classify(p))
        assert report.errors == [] and dict(report.to_be.findings)["error"] == 0
        assert report.to_be.teams < report.as_is.teams


def test_nhs_regional_model(nhs: taxonomy.Portfolio) -> None:
    graph = build_graph(taxonomy.classify(nhs))
    rds = [n for n in kinds(graph, "role") if n.startswith("role:joint-rd-")]
    assert len(rds) == 7
    for rd in rds:
        assert reporting_lines(graph, rd) == ["board:nhse", "board:nhsi"]
    assert graph.has_edge(
        "joint:joint-finance-advisory-group",
        "function:national-finance-leadership",
        key="influences",
    )
    assert owners(graph, "function:pricing") == ["joint:joint-finance-advisory-group"]


def test_nw_london_joint_committee_and_single_leadership() -> None:
    from tests._nwl import nwl_ratified

    p = nwl_ratified()  # the delegations in force, as NHS England's ratification made them
    graph = build_graph(taxonomy.classify(p))
    assert graph.graph["joint_committees_lawful"] is True
    assert owners(graph, "function:acute-commissioning") == [
        "joint:nwl-joint-committee",
        "role:director-of-commissioning",
    ]
    (finding,) = checks_of(graph, "reporting-lines")
    assert "role:accountable-officer" in finding.nodes
    # Were joint committees unlawful, the delegation would be an error.
    unlawful = attrs.evolve(p, law=taxonomy.Law(joint_committees=False))
    assert checks_of(build_graph(taxonomy.classify(unlawful)), "joint-committee-law")


def test_metrics(nhs: taxonomy.Portfolio) -> None:
    result = taxonomy.classify(nhs)
    before, after = measure(as_is_graph(nhs, classification=result)), measure(build_graph(result))
    assert before.teams == sum(len(f.performed_by) for f in nhs.functions)
    # The aligned functions, and the separate ones two bodies perform, keep a team per body.
    several = [
        r.function
        for r in result
        if r.arrangement is not Arrangement.ONE_TEAM
        and len(nhs.function(r.function).performed_by) > 1
    ]
    assert after.functions_delivered_more_than_once == len(several)
    assert set(before.to_dict()) == {
        "boards",
        "teams",
        "roles",
        "joint_bodies",
        "reporting_lines",
        "handovers",
        "functions_delivered_more_than_once",
        "findings",
    }
    assert before.to_dict()["findings"] == dict(before.findings)


# -- exports -------------------------------------------------------------------------------------


def test_exports_round_trip(nhs: taxonomy.Portfolio) -> None:
    import io

    import pydot

    graph = build_graph(taxonomy.classify(nhs))
    back = nx.read_graphml(io.StringIO(to_graphml(graph)))
    assert back.number_of_nodes() == graph.number_of_nodes()
    assert back.number_of_edges() == graph.number_of_edges()
    assert back.nodes["function:pricing"]["arrangement"] == "aligned"
    data = json.loads(to_node_link_json(graph))
    assert len(data["nodes"]) == graph.number_of_nodes()
    (dot,) = pydot.graph_from_dot_data(to_dot(graph))
    assert len(dot.get_edges()) == graph.number_of_edges()


def test_exports_are_deterministic(nhs: taxonomy.Portfolio) -> None:
    one = build_graph(taxonomy.classify(nhs))
    two = build_graph(taxonomy.classify(nhs))
    assert to_node_link_json(one) == to_node_link_json(two)
    assert to_graphml(one) == to_graphml(two)


@pytest.mark.parametrize("fmt", ["svg", "png"])
@pytest.mark.parametrize("group", ["arrangement", "body"])
def test_pictures_render(nhs: taxonomy.Portfolio, fmt: str, group: str) -> None:
    from taxonomy.render.picture import draw

    data = draw(build_graph(taxonomy.classify(nhs)), fmt=fmt, group=group)
    assert data.startswith(b"<?xml" if fmt == "svg" else b"\x89PNG")
    if fmt == "svg":  # by default text is text: the names can be searched and read aloud
        assert b"<text" in data and b"Joint Finance Advisory Group" in data
        paths = draw(
            build_graph(taxonomy.classify(nhs)), fmt="svg", group=group, text_as_paths=True
        )
        assert b"<text" not in paths and b"<path" in paths


def test_picture_rejects_bad_options(nhs: taxonomy.Portfolio) -> None:
    from taxonomy.render.picture import draw

    graph = build_graph(taxonomy.classify(nhs))
    with pytest.raises(ValueError, match="svg, png or pdf"):
        draw(graph, fmt="gif")
    with pytest.raises(ValueError, match="group"):
        draw(graph, group="colour")


def test_graph_functions_do_not_subclass(nhs: taxonomy.Portfolio) -> None:
    assert type(build_graph(taxonomy.classify(nhs))) is nx.MultiDiGraph


def test_structure_functions_say_when_given_a_portfolio(nhs: taxonomy.Portfolio) -> None:
    for call in (lambda: structure_report(nhs), lambda: build_graph(nhs)):  # type: ignore[arg-type]
        with pytest.raises(TypeError, match=r"Classification, not Portfolio .*classify"):
            call()


def test_three_councils_each_keep_their_own_team() -> None:
    from tests.conftest import COUNCILS, COUNCILS_PACK

    pack = taxonomy.load_rules(COUNCILS_PACK)
    p = taxonomy.load_portfolio(COUNCILS, rules=pack)
    result = taxonomy.classify(p, rules=pack)
    graph = build_graph(result)
    # Separate and distinct for a legal reason: each council keeps its electoral team.
    elections = result["elections"]
    assert elections.arrangement is Arrangement.SEPARATE_DISTINCT
    assert [f.rule for f in elections.explanation.capped_by] == ["legal.separate-for-legal-reason"]
    teams = sorted(t for t in kinds(graph, "team") if t.startswith("team:elections:"))
    assert teams == [
        "team:elections:eastbrook",
        "team:elections:northvale",
        "team:elections:southmere",
    ]
    for team in teams:
        assert reporting_lines(graph, team) == [f"board:{team.rsplit(':', 1)[1]}"]
    # Separate with involvement: three licensing teams, the others involved with the lead's.
    licensing = sorted(t for t in kinds(graph, "team") if t.startswith("team:licensing:"))
    assert len(licensing) == 3
    # The to-be structure counts every council's team, and moving elections to aligned does
    # not add teams.
    report = structure_report(result)
    assert report.to_be.teams == sum(
        1 if r.arrangement is Arrangement.ONE_TEAM else len(p.function(r.function).performed_by)
        for r in result
    )
    aligned = attrs.evolve(
        p,
        functions=tuple(
            attrs.evolve(
                f,
                legal=attrs.evolve(f.legal, separate_reason=""),
                efficiency=taxonomy.Efficiency("medium", "medium"),
                effectiveness=taxonomy.Effectiveness("medium"),
            )
            if f.id == "elections"
            else f
            for f in p.functions
        ),
    )
    moved = structure_report(taxonomy.classify(aligned, rules=pack))
    assert taxonomy.classify(aligned, rules=pack)["elections"].arrangement is Arrangement.ALIGNED
    assert moved.to_be.teams == report.to_be.teams
    # The audit must stay independent of Northvale: Northvale neither leads nor is involved.
    audit = result["internal-audit"]
    assert "northvale" not in audit.lead_candidates
    assert audit.lead == "eastbrook"  # the host of the auditors (the councils pack's question)
    assert not graph.has_edge("board:northvale", "team:internal-audit:eastbrook")
    # Planning: one team serves three planning committees, each keeping its decision.
    assert result["planning-decisions"].arrangement is Arrangement.ONE_TEAM
    for body in p.organisation_ids:
        assert graph.has_edge(f"board:{body}", "function:planning-decisions", key="decides")
        assert graph.has_edge("team:planning-decisions", f"board:{body}", key="accountable_to")
    assert report.errors == []


def test_the_picture_tells_one_team_from_separate_with_involvement() -> None:
    from taxonomy.render.picture import draw
    from tests.conftest import COUNCILS, COUNCILS_PACK

    pack = taxonomy.load_rules(COUNCILS_PACK)
    graph = build_graph(
        taxonomy.classify(taxonomy.load_portfolio(COUNCILS, rules=pack), rules=pack)
    )
    svg = draw(graph, fmt="svg", text_as_paths=False).decode()
    assert svg.count(">one team<") == 3  # revenues, HR, planning
    # Licensing and elections: each council holds the duty of its own and runs it separately,
    # so no council's team leads: each is an own team, and the function says so.
    assert ">lead team<" not in svg
    assert "no lead: each body its own" in svg
    assert ">joint committee<" in svg  # planning: the committees' decisions, taken jointly
    # The key says what the bar means, in the councils' words (theirs differ: the generic one).
    assert "one team serves every governing body" in svg
