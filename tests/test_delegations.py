"""Declared delegations: a holder to another body, a joint body, or several each for its own area.

The case is examples/delegated_commissioning.yaml: NHS England delegating pharmacy, optometry
and dental commissioning to three integrated care boards from 1 April 2023, each for its own
area, and Midlands specialised services to two of them from 1 April 2024.
"""

from __future__ import annotations

import copy
import datetime
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import taxonomy
from taxonomy._model import DeclaredDelegation
from taxonomy.errors import PortfolioError
from taxonomy.input.portfolio import portfolio_from_data, portfolio_to_data
from taxonomy.law import in_force
from taxonomy.structure.drafting import governance_documents
from taxonomy.structure.graph import as_is_graph, build_graph, edges_of_kind
from taxonomy.testing.law import only_holders_delegate
from tests.helpers import run_cli as run

ROOT = Path(__file__).resolve().parent.parent
POD = ROOT / "examples" / "delegated_commissioning.yaml"
ICBS = ("stw-icb", "ddicb", "cios-icb")
D = datetime.date


def pod_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(POD.read_text(encoding="utf-8"))
    return data


def refused(data: dict[str, Any]) -> str:
    with pytest.raises(PortfolioError) as caught:
        portfolio_from_data(data, file="p.yaml")
    return str(caught.value)


def on(day: datetime.date | None) -> taxonomy.Classification:
    portfolio = taxonomy.load_portfolio(POD)
    if day is not None:
        portfolio = in_force(portfolio, day).portfolio
    return taxonomy.classify(portfolio)


# --- the model, the file and the decision block ----------------------------------------------


def test_the_example_reads_and_round_trips() -> None:
    portfolio = taxonomy.load_portfolio(POD)
    first, second = portfolio.governance.delegations
    assert (first.function, first.by, first.to) == ("pod-commissioning", "nhse", ICBS)
    assert first.each_for_own_area and first.holder_accountable
    assert first.term.from_ == D(2023, 4, 1)
    assert second.to == ("stw-icb", "ddicb")
    assert portfolio_from_data(portfolio_to_data(portfolio)) == portfolio


def test_the_decision_block_lists_each_recipient_and_the_holder_stays_accountable() -> None:
    rec = on(None)["pod-commissioning"]
    block = rec.decision
    assert block is not None
    data = block.to_dict()
    assert [d["to"] for d in data["delegations"]] == list(ICBS)
    for made in data["delegations"]:
        assert made["by"] == "nhse" and made["to_kind"] == "organisation"
        assert made["each_for_own_area"] is True and made["holder_accountable"] is True
        assert made["from"] == "2023-04-01" and made["legal_basis"].startswith("NHS Act 2006")
        assert made["declared"] is True
    assert [(d["id"], d["basis"]) for d in data["deciders"]] == [(i, "delegated") for i in ICBS]
    assert data["accountable"] == ["nhse"]


def test_a_joint_body_delegation_keeps_its_json_as_before() -> None:
    waste = taxonomy.classify(taxonomy.load_portfolio(ROOT / "examples" / "two_tier_waste.yaml"))
    for rec in waste:
        assert rec.decision is not None
        for made in rec.decision.to_dict()["delegations"]:
            assert not {"declared", "each_for_own_area", "legal_basis"} & set(made)


def test_before_the_day_the_holder_decides_and_after_it_the_boards_do() -> None:
    before = on(D(2023, 3, 31))["pod-commissioning"].decision
    after = on(D(2023, 4, 1))["pod-commissioning"].decision
    assert before is not None and after is not None
    assert [(d.id, d.basis) for d in before.deciders] == [("nhse", "holder")]
    assert before.delegations == ()
    assert {d.id for d in after.deciders} == set(ICBS)
    specialised = on(D(2023, 6, 1))["specialised-commissioning-midlands"].decision
    assert specialised is not None and specialised.delegations == ()


def test_a_planned_delegation_never_decides_and_is_drawn_planned() -> None:
    data = pod_data()
    data["governance"]["delegations"][0]["status"] = "planned"
    portfolio = portfolio_from_data(data, file="p.yaml")
    result = taxonomy.classify(portfolio)
    block = result["pod-commissioning"].decision
    assert block is not None
    assert [(d.id, d.basis) for d in block.deciders] == [("nhse", "holder")]
    edges = [
        (u, v, e)
        for u, v, e in edges_of_kind(build_graph(result), "delegates_to")
        if "pod-commissioning" in e["functions"]
    ]
    assert len(edges) == 3 and all("pod-commissioning" in e["planned"] for _, _, e in edges)
    cios = [e for _, v, e in edges if v == "board:cios-icb"]
    assert [e["status"] for e in cios] == ["planned"]  # its only delegation: drawn dashed


# --- the graph ---------------------------------------------------------------------------------


def test_the_graph_draws_one_delegates_to_edge_per_recipient() -> None:
    graph = build_graph(on(None))
    edges = edges_of_kind(graph, "delegates_to")
    pairs = sorted((u, v) for u, v, _ in edges)
    assert pairs == sorted(("board:nhse", f"board:{i}") for i in ICBS)
    ddicb = next(e for u, v, e in edges if v == "board:ddicb")
    assert ddicb["functions"] == ("pod-commissioning", "specialised-commissioning-midlands")
    assert ddicb["each_for_own_area"] is True
    deciding = {
        u for u, v, _ in edges_of_kind(graph, "decides") if v == "function:pod-commissioning"
    }
    assert deciding == {f"board:{i}" for i in ICBS}
    holds = {u for u, v, _ in edges_of_kind(graph, "holds") if v == "function:pod-commissioning"}
    assert holds == {"board:nhse"}
    as_is = as_is_graph(taxonomy.load_portfolio(POD))
    assert len(edges_of_kind(as_is, "delegates_to")) == 3


def test_a_declared_delegation_to_a_joint_body_draws_it_deciding() -> None:
    data = pod_data()
    data["governance"]["bodies"] = [
        {
            "id": "mids-cic",
            "name": "Midlands committees",
            "kind": "joint_committee",
            "members": ["stw-icb", "ddicb"],
        }
    ]
    data["governance"]["delegations"][1]["to"] = ["mids-cic"]
    data["governance"]["delegations"][1]["each_for_own_area"] = False
    graph = build_graph(taxonomy.classify(portfolio_from_data(data, file="p.yaml")))
    assert ("board:nhse", "joint:mids-cic") in {
        (u, v) for u, v, _ in edges_of_kind(graph, "delegates_to")
    }
    deciding = [
        u
        for u, v, _ in edges_of_kind(graph, "decides")
        if v == "function:specialised-commissioning-midlands"
    ]
    assert deciding == ["joint:mids-cic"]


def test_a_planned_membership_draws_no_reports_to_line_in_force() -> None:
    waste = yaml.safe_load((ROOT / "tests" / "fixtures" / "two_tier_waste.yaml").read_text())
    body = waste["governance"]["bodies"][0]
    body["members"] = [
        m if not isinstance(m, dict) else {**m, "status": "planned"} for m in body["members"]
    ]
    graph = build_graph(taxonomy.classify(portfolio_from_data(waste, file="w.yaml")))
    lines = {v: e for u, v, e in edges_of_kind(graph, "reports_to") if u.startswith("joint:")}
    assert lines["board:west"].get("status") == "planned"
    assert "status" not in lines["board:east"]


# --- the documents and the paragraph -----------------------------------------------------------


def test_the_documents_say_delegated_to_each_for_its_own_area() -> None:
    docs = governance_documents(on(None))
    nhse = next(s for s in docs.schemes if s.body == "nhse")
    (pod,) = [x for x in nhse.lines if x.function == "pod-commissioning"]
    assert pod.entry == "delegated"
    assert pod.notes[0].startswith(
        "delegated to NHS Shropshire, Telford and Wrekin ICB, NHS Derby and Derbyshire ICB and "
        "NHS Cornwall and the Isles of Scilly ICB, each for its own area (NHS Act 2006 s.65Z5"
    )
    for icb in ICBS:
        scheme = next(s for s in docs.schemes if s.body == icb)
        received = [x for x in scheme.lines if x.function == "pod-commissioning"]
        assert [x.entry for x in received] == ["received"]
        assert "delegated to it by NHS England for its own area" in received[0].notes[0]
    markdown = run("governance", str(POD))
    assert markdown.returncode == 0, markdown.stderr
    assert "each for its own area" in markdown.stdout


def test_the_paragraph_says_it_in_one_sentence() -> None:
    out = run("classify", str(POD), "--format", "markdown")
    assert out.returncode == 0, out.stderr
    sentence = (
        "NHS England delegates its decisions to NHS Shropshire, Telford and Wrekin ICB, NHS "
        "Derby and Derbyshire ICB and NHS Cornwall and the Isles of Scilly ICB, each for its "
        "own area (NHS Act 2006 s.65Z5, inserted by the Health and Care Act 2022); it stays "
        "accountable in law as holder."
    )
    assert sentence in out.stdout
    before = run("classify", str(POD), "--format", "markdown", "--as-of", "2023-01-01")
    assert "delegates its decisions" not in before.stdout


def test_the_json_validates_against_the_schema() -> None:
    out = run("classify", str(POD), "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(data, json.loads(run("schema", "classification").stdout))
    docs = run("governance", str(POD), "--format", "json")
    assert docs.returncode == 0, docs.stderr
    schema = json.loads(run("schema", "governance").stdout)
    jsonschema.validate(json.loads(docs.stdout), schema)
    portfolio = yaml.safe_load(POD.read_text(encoding="utf-8"))
    portfolio = json.loads(json.dumps(portfolio, default=str))
    jsonschema.validate(portfolio, json.loads(run("schema", "portfolio").stdout))


# --- bad input: every problem at once ----------------------------------------------------------


def test_every_problem_is_reported_at_once_with_item_key_and_did_you_mean() -> None:
    data = pod_data()
    first = data["governance"]["delegations"][0]
    first["by"] = "stw-icb"  # not a holder
    first["to"] = ["ddicb", "cios-icbb"]  # an unknown body
    second = data["governance"]["delegations"][1]
    second["to"] = ["nhse", "stw-icb"]  # to the holder itself
    second["until"] = "2024-01-01"  # before from
    message = refused(data)
    assert "delegation 1 ('pod-commissioning' by 'stw-icb')" in message
    assert "'cios-icbb' is not one of the portfolio's organisations or joint bodies" in message
    assert "cios-icb" in message  # did you mean
    assert "delegation 2 ('specialised-commissioning-midlands' by 'nhse')" in message
    assert "'nhse' delegates to itself" in message
    assert "2024-01-01 is before 'from' (2024-04-01)" in message


def test_a_body_not_holding_the_function_is_refused() -> None:
    data = pod_data()
    data["governance"]["delegations"][0]["by"] = "stw-icb"
    data["governance"]["delegations"][0]["to"] = ["ddicb"]
    message = refused(data)
    assert "'stw-icb' does not hold 'pod-commissioning' in law (held by nhse)" in message
    assert "key 'by'" in message or "by:" in message or ".by" in message


def test_an_unknown_function_or_holder_gets_a_did_you_mean() -> None:
    data = pod_data()
    data["governance"]["delegations"][0]["function"] = "pod-comissioning"
    data["governance"]["delegations"][1]["by"] = "nhsee"
    message = refused(data)
    assert "pod-commissioning" in message and "'pod-comissioning'" in message
    assert "nhsee" in message and "nhse" in message


def test_overlapping_delegations_of_one_function_by_one_holder_are_refused() -> None:
    data = pod_data()
    again = copy.deepcopy(data["governance"]["delegations"][0])
    again["to"] = ["cios-icb"]
    again["from"] = "2024-01-01"
    data["governance"]["delegations"].append(again)
    message = refused(data)
    assert "delegation 3" in message and "overlapping days" in message
    assert "from 2023-04-01" in message and "from 2024-01-01" in message
    again["until"] = "2024-03-31"
    data["governance"]["delegations"][0]["from"] = "2024-04-01"
    portfolio_from_data(data, file="p.yaml")  # one after the other: accepted


def test_overlap_with_a_joint_body_delegation_is_refused() -> None:
    data = pod_data()
    data["governance"]["bodies"] = [
        {
            "id": "jc",
            "name": "Joint committee",
            "kind": "joint_committee",
            "members": ["nhse", "stw-icb"],
            "delegated": ["pod-commissioning"],
        }
    ]
    message = refused(data)
    assert "to the joint body 'jc'" in message and "overlapping days" in message


def test_the_law_forbids_recipients_independence_and_not_delegable_to() -> None:
    data = pod_data()
    functions = {f["id"]: f for f in data["functions"]}
    functions["pod-commissioning"]["legal"]["independence_from"] = ["ddicb"]
    functions["specialised-commissioning-midlands"]["legal"]["not_delegable_to"] = ["another_body"]
    message = refused(data)
    assert "'pod-commissioning' must stay independent of 'ddicb'" in message
    assert "may not be delegated to another body (legal.not_delegable_to)" in message


def test_the_cli_exits_2_with_one_message(tmp_path: Path) -> None:
    data = pod_data()
    data["governance"]["delegations"][0]["by"] = "cios-icb"
    data["governance"]["delegations"][0]["to"] = ["ddicb"]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    out = run("classify", str(path))
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert "only a holder delegates" in out.stderr


# --- the law invariant and a property ----------------------------------------------------------


def test_only_holders_delegate_holds_for_the_example() -> None:
    portfolio = taxonomy.load_portfolio(POD)
    assert only_holders_delegate(taxonomy.load_rules(), portfolio) == []


@settings(max_examples=15, deadline=None)
@given(st.lists(st.sampled_from(ICBS), min_size=1, max_size=3, unique=True), st.booleans())
def test_every_recipient_gets_exactly_one_edge_from_the_holder(
    recipients: list[str], each: bool
) -> None:
    data = pod_data()
    data["governance"]["delegations"] = [
        {"function": "pod-commissioning", "by": "nhse", "to": recipients, "each_for_own_area": each}
    ]
    graph = build_graph(taxonomy.classify(portfolio_from_data(data, file="p.yaml")))
    edges = edges_of_kind(graph, "delegates_to")
    assert sorted(v for _, v, _ in edges) == sorted(f"board:{r}" for r in recipients)
    assert {u for u, _, _ in edges} == {"board:nhse"}  # nobody but the holder delegates
    assert all(e.get("each_for_own_area", False) is each for _, _, e in edges)


def test_the_invariant_catches_a_non_holder_drawn_delegating() -> None:
    import attrs

    portfolio = taxonomy.load_portfolio(POD)
    wrong = DeclaredDelegation("pod-commissioning", "stw-icb", ("ddicb",))
    governance = attrs.evolve(portfolio.governance, delegations=(wrong,))
    found = only_holders_delegate(
        taxonomy.load_rules(), attrs.evolve(portfolio, governance=governance)
    )
    assert [(v.invariant, v.function) for v in found] == [
        ("only holders delegate", "pod-commissioning")
    ]
    assert "stw-icb delegates it to ddicb, but it is not its to delegate" in found[0].message


def test_check_warns_of_a_recipient_that_does_not_carry_the_function_out() -> None:
    from taxonomy.structure.checks import check

    data = pod_data()
    pod = next(f for f in data["functions"] if f["id"] == "pod-commissioning")
    pod["performed_by"] = ["stw-icb", "ddicb"]
    del pod["capability"]["cios-icb"]
    result = taxonomy.classify(portfolio_from_data(data, file="p.yaml"))
    findings = [f for f in check(build_graph(result)) if f.check == "delegated-to-non-performer"]
    assert len(findings) == 1
    assert "NHS Cornwall and the Isles of Scilly ICB" in findings[0].message
    clean = [f for f in check(build_graph(on(None))) if f.check == "delegated-to-non-performer"]
    assert clean == []
