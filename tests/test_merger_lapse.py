"""A merger that leaves a joint body with fewer than two members makes it lapse.

The case is tests/fixtures/merger_lapse_councils.yaml (a new user's trial): three councils with a
Joint Parks Committee, which a dated law merges into Vale Council on 1 April 2023. From then
only vale is left, so there is no joint committee: the graph, ``check`` and the notes of the day
agree. A merger of two of the three keeps the committee, with two members.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import attrs

import taxonomy
from taxonomy import Law, Term
from taxonomy._model import DeclaredDelegation
from taxonomy.law import Merger, apply_merge, in_force
from taxonomy.structure.graph import as_is_graph, edges_of_kind, nodes_of_kind
from taxonomy.whatif.scenarios import Scenario
from tests.helpers import run_cli as run

COUNCILS = Path(__file__).parent / "fixtures" / "merger_lapse_councils.yaml"
LAPSE = "parks-jc: only vale is left of its members, so the joint committee lapses"


def councils() -> taxonomy.Portfolio:
    return taxonomy.load_portfolio(COUNCILS)


def undated() -> taxonomy.Portfolio:
    """The councils under an undated law (joint committees allowed), for what-if mergers."""
    return attrs.evolve(councils(), law=Law(joint_committees=True))


def edges(portfolio: taxonomy.Portfolio, kind: str) -> set[tuple[str, str]]:
    return {(a, b) for a, b, _ in edges_of_kind(as_is_graph(portfolio), kind)}


def test_before_the_merger_the_committee_has_three_members() -> None:
    day = in_force(councils(), "2022-06-01").portfolio
    (body,) = day.governance.bodies
    assert body.members == ("north", "south", "east")


def test_the_dated_merger_of_all_three_makes_the_committee_lapse() -> None:
    judged = in_force(councils(), "2023-06-01")
    day = judged.portfolio
    assert judged.single_body == "vale"
    assert day.governance.bodies == ()
    assert any(LAPSE in note and "go back to vale" in note for note in judged.notes)
    graph = as_is_graph(day)
    assert nodes_of_kind(graph, "joint_body") == []
    assert edges(day, "member_of") == set() and edges(day, "delegates_to") == set()
    assert ("board:vale", "function:parks") in edges(day, "decides")
    assert ("role:parks-head", "board:vale") in edges(day, "reports_to")
    assert any("parks-head: it reported to parks-jc" in note for note in judged.notes)


def test_graph_and_check_agree_on_the_day(tmp_path: Path) -> None:
    out = tmp_path / "g.json"
    done = run("graph", str(COUNCILS), "--as-of", "2023-06-01", "--format", "json", "-o", str(out))
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert not [n for n in data["nodes"] if n["id"].startswith("joint:")]
    assert not [e for e in data["links"] if "joint:" in e["source"] + e["target"]]
    checked = run("check", str(COUNCILS), "--as-of", "2023-06-01")
    assert checked.returncode == 0, checked.stderr
    assert LAPSE in checked.stdout
    classified = run("classify", str(COUNCILS), "--as-of", "2023-06-01")
    assert LAPSE in classified.stdout


def test_a_merger_of_two_of_three_keeps_the_committee() -> None:
    applied = Scenario("two").merge(into="north", from_=["south"]).apply(undated())
    (body,) = applied.portfolio.governance.bodies
    assert body.members == ("north", "east")
    assert not any("lapse" in note for note in applied.notes)
    members = edges(applied.portfolio, "member_of")
    assert members == {("board:north", "joint:parks-jc"), ("board:east", "joint:parks-jc")}


def test_a_what_if_merger_of_all_three_makes_it_lapse() -> None:
    scenario = Scenario("one").merge(into="vale", from_=["north", "south", "east"], name="Vale")
    applied = scenario.apply(undated())
    assert applied.portfolio.governance.bodies == ()
    assert any(LAPSE in note for note in applied.notes)
    (post,) = applied.portfolio.governance.roles
    assert post.reports_to == ("vale",) and post.employed_by == "vale"


def test_a_successor_sits_on_a_joint_body_from_the_merger_day() -> None:
    data = councils()
    law = attrs.evolve(
        data.law,
        provisions=tuple(
            attrs.evolve(p, abolishes=(attrs.evolve(p.abolishes[0], bodies=("north", "south")),))
            if p.abolishes
            else p
            for p in data.law.provisions
        ),
    )
    day = in_force(attrs.evolve(data, law=law), "2023-06-01").portfolio
    (body,) = day.governance.bodies
    assert body.members == ("vale", "east")
    assert body.membership("vale").from_ == datetime.date(2023, 4, 1)
    assert body.membership("east").from_ == datetime.date(2019, 4, 1)


def test_declared_delegations_follow_a_merger() -> None:
    data = undated()
    handed = DeclaredDelegation("parks", "north", ("south",), term=Term(datetime.date(2020, 1, 1)))
    to_jc = DeclaredDelegation("leisure", "east", ("parks-jc",))
    portfolio = attrs.evolve(
        data, governance=attrs.evolve(data.governance, delegations=(handed, to_jc))
    )
    kept, _ = apply_merge(portfolio, Merger("north", ("east",)))
    assert [(d.function, d.by, d.to) for d in kept.governance.delegations] == [
        ("parks", "north", ("south",)),
        ("leisure", "north", ("parks-jc",)),
    ]
    alone, notes = apply_merge(portfolio, Merger("vale", ("north", "south", "east"), "Vale"))
    assert alone.governance.delegations == ()
    assert sum("so it lapses" in note for note in notes) == 2
