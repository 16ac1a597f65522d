"""What-if changes that add or remove governance: joint bodies, roles, delegations."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import attrs
import pytest

import taxonomy
from taxonomy import Scenario, ScenarioError
from taxonomy.structure.graph import build_graph
from taxonomy.whatif.scenarios import AddGovernance, Delegation, RemoveGovernance, load_scenario
from tests.conftest import EXAMPLES, NHS, NWL
from tests.helpers import run_cli as run

EXAMPLE = EXAMPLES / "scenarios" / "joint_committee_strategy.yaml"

HEAD = "name: s\nchanges:\n  - law: {joint_committees: true}\n"
JOINT = """
  - add:
      joint_body:
        id: jc
        name: Joint committee
        kind: joint_committee
        members: [nhse, nhsi]
        delegated: [strategy]
"""


def _scenario(tmp_path: Path, text: str) -> Scenario:
    path = tmp_path / "s.yaml"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return load_scenario(path)


def _apply_error(tmp_path: Path, text: str, portfolio: Path = NHS) -> str:
    scenario = _scenario(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        scenario.apply(taxonomy.load_portfolio(portfolio))
    return str(info.value)


def test_a_joint_committee_set_up_is_drawn_in_the_to_be_graph(tmp_path: Path) -> None:
    nhs = taxonomy.load_portfolio(NHS)
    applied = _scenario(tmp_path, HEAD + JOINT).apply(nhs)
    (added,) = [b for b in applied.portfolio.governance.bodies if b.id == "jc"]
    assert added.kind == "joint_committee" and added.delegated == ("strategy",)
    assert "jc" not in [b.id for b in nhs.governance.bodies]  # the baseline is untouched
    graph = build_graph(taxonomy.classify(applied.portfolio, rules=applied.rules))
    assert graph.nodes["joint:jc"]["proposed"] is False
    assert graph.has_edge("board:nhse", "joint:jc", key="delegates_to")
    assert graph.has_edge("board:nhsi", "joint:jc", key="delegates_to")
    assert graph.has_edge("function:strategy", "joint:jc", key="accountable_to")
    # The committee the structure would otherwise only propose is not drawn.
    assert "joint:committee-strategy" not in graph
    # Without it, a reserved one-team decision gets a committee the structure only proposes.
    strong = attrs.evolve(
        nhs.function("strategy"),
        efficiency=taxonomy.Efficiency("high", "high"),
        legal=taxonomy.Legal(board_reserved=True),
    )
    lawful = Scenario("law").law(joint_committees=True).apply(nhs.with_function(strong)).portfolio
    without = build_graph(taxonomy.classify(lawful))
    assert without.nodes["joint:committee-strategy"]["proposed"] is True


def test_python_builders_make_the_same_portfolio_as_yaml(tmp_path: Path) -> None:
    nhs = taxonomy.load_portfolio(NHS)
    from_yaml = _scenario(tmp_path, HEAD + JOINT).apply(nhs).portfolio
    built = (
        Scenario("s")
        .law(joint_committees=True)
        .add_joint_body(
            id="jc", name="Joint committee", kind="joint_committee", members=["nhse", "nhsi"]
        )
        .delegate(functions=["strategy"], to="jc")
    )
    assert built.apply(nhs).portfolio == from_yaml
    assert [c.describe() for c in built.changes][1:] == [
        "add joint body jc",
        "delegate strategy to jc",
    ]
    back = built.undelegate(functions=["strategy"], from_="jc").remove_joint_body("jc")
    assert back.apply(nhs).portfolio.governance == nhs.governance
    assert isinstance(back.changes[-1], RemoveGovernance) and isinstance(
        back.changes[-2], Delegation
    )


def test_roles_are_added_and_removed(tmp_path: Path) -> None:
    nhs = taxonomy.load_portfolio(NHS)
    scenario = (
        Scenario("s")
        .add_joint_body(
            id="jc", name="Joint committee", kind="joint_committee", members=["nhse", "nhsi"]
        )
        .add_role(
            id="secretary",
            name="Committee secretary",
            employed_by="nhse",
            reports_to=["jc"],
            accountable_for=["strategy"],
        )
    )
    applied = scenario.apply(nhs).portfolio
    (role,) = [r for r in applied.governance.roles if r.id == "secretary"]
    assert role.reports_to == ("jc",) and role.accountable_for == ("strategy",)
    graph = build_graph(taxonomy.classify(applied))
    assert graph.has_edge("role:secretary", "joint:jc", key="reports_to")
    removed = scenario.remove_role("secretary").remove_joint_body("jc").apply(nhs).portfolio
    assert removed.governance == nhs.governance
    assert isinstance(scenario.changes[1], AddGovernance) and scenario.changes[1].kind == "role"


def test_removing_a_body_a_role_reports_to_names_the_role() -> None:
    nhs = taxonomy.load_portfolio(NHS)
    scenario = (
        Scenario("s")
        .add_joint_body(
            id="jc", name="Joint committee", kind="joint_committee", members=["nhse", "nhsi"]
        )
        .add_role(id="secretary", name="Secretary", employed_by="nhse", reports_to=["jc"])
        .remove_joint_body("jc")
    )
    with pytest.raises(ScenarioError, match="role 'secretary' reports to joint body 'jc'"):
        scenario.apply(nhs)
    nwl = taxonomy.load_portfolio(NWL)
    with pytest.raises(ScenarioError) as info:
        Scenario("s").remove_role("accountable-officer").apply(nwl)
    assert (
        "roles 'chief-finance-officer', 'director-of-commissioning' report to role 'accountable-officer'"
        in str(info.value)
    )


def test_undelegating_hands_the_decisions_back_to_the_boards() -> None:
    from tests._nwl import nwl_ratified

    nwl = nwl_ratified()  # the delegations in force
    applied = (
        Scenario("s")
        .undelegate(functions=["acute-commissioning"], from_="nwl-joint-committee")
        .apply(nwl)
        .portfolio
    )
    (committee,) = applied.governance.bodies
    assert "acute-commissioning" not in committee.delegated
    graph = build_graph(taxonomy.classify(applied))
    assert not graph.has_edge(
        "function:acute-commissioning", "joint:nwl-joint-committee", key="accountable_to"
    )
    before = build_graph(taxonomy.classify(nwl))
    assert before.has_edge(
        "function:acute-commissioning", "joint:nwl-joint-committee", key="accountable_to"
    )


@pytest.mark.parametrize(
    ("change", "line", "expected"),
    [
        # the portfolio loader's governance checks, located at the change
        (
            JOINT.replace("[nhse, nhsi]", "[nhse, nhsx]"),
            6,
            [
                "change 2",
                "key 'members'",
                "joint body 'jc'",
                "'nhsx' is not one of the portfolio's organisations",
                "did you mean 'nhsi'",
            ],
        ),
        (
            JOINT.replace("delegated:", "delegatd:"),
            6,
            ["change 2", "key 'delegatd'", "unknown key", "did you mean 'delegated'"],
        ),
        (
            JOINT.replace("kind: joint_committee", "kind: joint_comittee"),
            6,
            ["key 'kind'", "'joint_comittee' is not a kind", "did you mean 'joint_committee'"],
        ),
        (
            JOINT.replace("id: jc", "id: joint-finance-advisory-group"),
            6,
            ["key 'id'", "already used by an organisation, function, body or role"],
        ),
        (
            JOINT.replace("[strategy]", "[stratgy]"),
            6,
            ["key 'delegated'", "did you mean 'strategy'"],
        ),
        (JOINT.replace("        name: Joint committee\n", ""), 6, ["missing required key 'name'"]),
        (
            "  - add:\n      role: {id: r, name: R, employed_by: nhse, reports_to: [nhsee]}\n",
            5,
            ["key 'reports_to'", "role 'r'", "did you mean 'nhse'"],
        ),
        # the scenario's own checks
        (
            "  - remove: {joint_body: joint-finance-advisory-grop}\n",
            4,
            [
                "change 2",
                "key 'joint_body'",
                "no joint body 'joint-finance-advisory-grop'",
                "did you mean 'joint-finance-advisory-group'",
            ],
        ),
        (
            "  - remove: {role: joint-rd-londn}\n",
            4,
            ["key 'role'", "did you mean 'joint-rd-london'"],
        ),
        (
            "  - delegate: {functions: [pricing], to: joint-finance-advisory-grop}\n",
            4,
            ["key 'to'", "did you mean 'joint-finance-advisory-group'"],
        ),
        (
            "  - delegate: {functions: [pricng], to: joint-finance-advisory-group}\n",
            4,
            ["key 'functions'", "no function 'pricng'", "did you mean 'pricing'"],
        ),
        (
            "  - undelegate: {functions: [pricing], from: joint-finance-advisory-group}\n",
            4,
            ["key 'functions'", "pricing not delegated to 'joint-finance-advisory-group'"],
        ),
        (
            JOINT + "  - delegate: {functions: [strategy], to: jc}\n",
            12,
            ["change 3", "strategy already delegated to 'jc'"],
        ),
    ],
)
def test_apply_errors_name_file_change_key_and_suggestion(
    tmp_path: Path, change: str, line: int, expected: list[str]
) -> None:
    message = _apply_error(tmp_path, HEAD + change)
    assert message.startswith(f"{tmp_path / 's.yaml'}:{line}: "), message
    for part in expected:
        assert part in message, message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            "  - add: {joint_bdy: {id: x}}\n",
            ["change 2", "key 'joint_bdy'", "did you mean 'joint_body'"],
        ),
        (
            "  - add: {joint_body: {id: x}, role: {id: y}}\n",
            ["'add' takes one of: joint_body, role"],
        ),
        ("  - add: {joint_body: [x]}\n", ["'joint_body' must be a mapping"]),
        ("  - remove: {role: 7}\n", ["key 'role'", "an id must be text"]),
        ("  - delegate: {functions: [strategy]}\n", ["missing required key 'to'"]),
        (
            "  - delegate: {functions: [strategy], from: jc}\n",
            ["key 'from'", "unknown key; allowed: functions, to"],
        ),
        (
            "  - undelegate: {functions: {a: 1}, from: jc}\n",
            ["'functions' must be a list of function ids"],
        ),
        (
            "  - delegat: {functions: [strategy], to: jc}\n",
            ["unknown change 'delegat'", "did you mean 'delegate'"],
        ),
    ],
)
def test_load_errors(tmp_path: Path, change: str, expected: list[str]) -> None:
    with pytest.raises(ScenarioError) as info:
        _scenario(tmp_path, HEAD + change)
    for part in expected:
        assert part in str(info.value), str(info.value)


def test_the_example_scenario_end_to_end(tmp_path: Path) -> None:
    out = run("whatif", str(NHS), str(EXAMPLE), "--format", "json")
    assert out.returncode == 0, out.stderr
    (outcome,) = json.loads(out.stdout)["scenarios"]
    assert outcome["applied"] == [
        "law: joint committees allowed",
        "add joint body joint-strategy-committee",
        "delegate strategy to joint-strategy-committee",
    ]
    assert outcome["changes"] == []  # who decides changes; how it is delivered does not
    target = tmp_path / "g.json"
    out = run("graph", str(NHS), "--scenario", str(EXAMPLE), "-o", str(target))
    assert out.returncode == 0, out.stderr
    nodes = {n["id"]: n for n in json.loads(target.read_text())["nodes"]}
    assert nodes["joint:joint-strategy-committee"]["body_kind"] == "joint_committee"
    assert "joint:committee-strategy" not in nodes


def test_cli_bad_governance_change_is_one_message_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(HEAD + JOINT.replace("[nhse, nhsi]", "[nhse, nhsx]"))
    for args in (
        ("whatif", str(NHS), str(path)),
        ("graph", str(NHS), "--scenario", str(path), "-o", str(tmp_path / "g.dot")),
    ):
        out = run(*args)
        assert out.returncode == 2 and out.stderr.count("\n") == 1, out.stderr
        assert "change 2" in out.stderr and "did you mean 'nhsi'" in out.stderr
    one = tmp_path / "one.yaml"
    one.write_text("name: one\nchanges:\n  - merge: {into: nhse, from: [nhsi]}\n")
    out = run("graph", str(NHS), "--scenario", str(one), "-o", str(tmp_path / "g.dot"))
    # One body left: drawn as its own structure, said on stderr (it exited 2 before).
    assert out.returncode == 0 and "only nhse is left" in out.stderr, out.stderr
    assert "board:nhse" in (tmp_path / "g.dot").read_text("utf-8")
