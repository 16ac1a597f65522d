"""Who decides on a day: planned delegations never decide, nor bar a post; a body not yet a
member of the joint body decides its own part.

The case is three districts (tests/fixtures/parks_joint_committee.yaml): red and green sit on
the Parks Joint Committee from 2019 and delegate parks to it, grey joins only on 1 April 2021,
and the three bodies' delegation of leisure to it is only planned (from April 2021). Who holds
either function in law is not stated, so the bodies carrying it out are taken to delegate it.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

import taxonomy
from taxonomy.errors import PortfolioError
from taxonomy.input.portfolio import portfolio_from_data
from taxonomy.law import in_force
from taxonomy.structure.drafting import governance_documents
from taxonomy.structure.graph import build_graph, edges_of_kind
from taxonomy.whatif.scenarios import loads_scenario
from tests.helpers import run_cli as run
from tests.helpers import write

PARKS = Path(__file__).resolve().parent / "fixtures" / "parks_joint_committee.yaml"
POST_DECIDES_LEISURE = """
name: Head of Parks decides leisure
changes:
  - set: {function: leisure, field: legal.decided_by, value: [parks-head]}
"""


def parks_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(PARKS.read_text(encoding="utf-8"))
    return data


def deciders(classification: taxonomy.Classification, function: str) -> list[tuple[str, str]]:
    rec = next(r for r in classification.recommendations if r.function == function)
    assert rec.decision is not None
    return [(d.id, d.basis) for d in rec.decision.deciders]


# --- a planned delegation does not bar the post a function names -----------------------------


@pytest.mark.parametrize("day", ["2021-06-01", "2020-06-01"])
def test_whatif_lets_a_post_decide_what_is_only_planned_for_the_joint_body(
    tmp_path: Path, day: str
) -> None:
    scenario = write(tmp_path / "post.yaml", POST_DECIDES_LEISURE)
    ran = run("whatif", str(PARKS), str(scenario), "--as-of", day, "--format", "json")
    assert ran.returncode == 0, ran.stderr
    assert "delegates the function to a joint body" not in ran.stderr


def test_scenario_naming_the_post_draws_it_deciding_for_its_body() -> None:
    judged = in_force(taxonomy.load_portfolio(PARKS), "2021-06-01").portfolio
    changed = loads_scenario(textwrap.dedent(POST_DECIDES_LEISURE)).apply(judged).portfolio
    found = deciders(taxonomy.classify(changed), "leisure")
    assert ("parks-head", "named") in found
    assert ("red", "own_part") not in found  # the post decides in red's Board's place


def test_reader_lets_a_post_decide_what_is_only_planned_for_the_joint_body() -> None:
    data = parks_data()
    data["functions"][1]["legal"] = {"decided_by": ["parks-head"]}
    portfolio = portfolio_from_data(data)
    assert portfolio.function("leisure").legal.decided_by == ("parks-head",)


def test_a_delegation_in_force_still_bars_the_post() -> None:
    data = parks_data()
    data["functions"][0]["legal"] = {"decided_by": ["parks-head"]}
    with pytest.raises(PortfolioError, match="delegates the function to a joint body"):
        portfolio_from_data(data)
    judged = in_force(taxonomy.load_portfolio(PARKS), "2021-06-01").portfolio
    naming = POST_DECIDES_LEISURE.replace("leisure", "parks")
    with pytest.raises(Exception, match="delegates the function to a joint body"):
        loads_scenario(textwrap.dedent(naming)).apply(judged)


# --- a body not yet a member decides its own part ----------------------------------------------


def test_a_body_not_yet_a_member_decides_its_own_part() -> None:
    day = in_force(taxonomy.load_portfolio(PARKS), "2020-06-01").portfolio
    classification = taxonomy.classify(day)
    assert deciders(classification, "parks") == [
        ("grey", "own_part"),
        ("parks-jc", "delegated"),
    ]
    rec = next(r for r in classification.recommendations if r.function == "parks")
    assert rec.decision is not None
    assert sorted(d.by for d in rec.decision.delegations) == ["green", "red"]
    # Leisure's delegation is only planned: each body's Board decides its own part.
    assert deciders(classification, "leisure") == [
        ("red", "own_part"),
        ("green", "own_part"),
        ("grey", "own_part"),
    ]
    # Once grey has joined, the committee decides all of parks.
    later = taxonomy.classify(in_force(taxonomy.load_portfolio(PARKS), "2021-06-01").portfolio)
    assert deciders(later, "parks") == [("parks-jc", "delegated")]


def test_graph_draws_the_day_s_deciders_and_only_members_answer_to_the_joint_body() -> None:
    day = in_force(taxonomy.load_portfolio(PARKS), "2020-06-01").portfolio
    graph = build_graph(taxonomy.classify(day))
    decides = {(u, v) for u, v, _ in edges_of_kind(graph, "decides")}
    assert ("board:grey", "function:parks") in decides
    assert ("joint:parks-jc", "function:parks") in decides
    assert {("board:red", "function:leisure"), ("board:grey", "function:leisure")} <= decides
    assert ("joint:parks-jc", "function:leisure") not in decides
    answering = {(u, v) for u, v, _ in edges_of_kind(graph, "accountable_to")}
    assert ("team:leisure:grey", "joint:parks-jc") not in answering
    assert ("team:leisure:red", "joint:parks-jc") in answering


def test_governance_documents_say_each_body_decides_its_own_part() -> None:
    day = in_force(taxonomy.load_portfolio(PARKS), "2020-06-01").portfolio
    docs = governance_documents(taxonomy.classify(day))
    grey = {(line.function, line.entry, line.basis) for line in docs.scheme("grey").lines}
    assert ("parks", "reserved", "own_part") in grey
    assert ("leisure", "reserved", "own_part") in grey
    assert not any(entry == "not_stated" for _, entry, _ in grey)
    red = {(line.function, line.entry) for line in docs.scheme("red").lines}
    assert ("leisure", "reserved") in red and ("parks", "delegated") in red
    assert ("parks", "reserved") not in red
