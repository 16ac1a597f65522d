"""Issue 22 items 7 and 8, as a new policy team met them (examples/police_fire_collaboration.yaml).

Two police forces and a fire and rescue authority: a regional crime unit its collaboration
agreement places with a lead force (a question the police pack declares), each body's own
statement of accounts, and a merger of the two forces.
"""

from __future__ import annotations

import attrs
import pytest

import taxonomy
from taxonomy.render.prose import paragraph
from taxonomy.structure.checks import check
from taxonomy.structure.graph import build_graph
from taxonomy.whatif.scenarios import load_scenario

PORTFOLIO = "examples/police_fire_collaboration.yaml"
PACK = "examples/packs/police"
MERGER = "examples/scenarios/police_force_merger.yaml"


@pytest.fixture(scope="module")
def pack() -> taxonomy.RulePack:
    return taxonomy.load_rules(PACK)


@pytest.fixture(scope="module")
def portfolio(pack: taxonomy.RulePack) -> taxonomy.Portfolio:
    return taxonomy.load_portfolio(PORTFOLIO, rules=pack)


def test_a_merger_carries_a_pack_declared_lead_to_the_successor(portfolio, pack) -> None:
    applied = load_scenario(MERGER).apply(portfolio, pack)
    unit = applied.portfolio.function("regional-crime-unit")
    assert unit.answer("legal.lead_force") == "southern-police"
    result = taxonomy.classify(applied.portfolio, rules=pack)
    assert result["regional-crime-unit"].lead == "southern-police"
    labels = [d.get("label", "") for _, d in build_graph(result).nodes(data=True)]
    assert not any("wessex-police" in str(label) for label in labels)
    assert any("regional-crime-unit" in note and "alone" in note for note in applied.notes)


def test_a_lead_naming_a_body_not_in_the_portfolio_is_refused(portfolio, pack) -> None:
    unit = attrs.evolve(
        portfolio.function("regional-crime-unit"), answers={"legal.lead_force": "gone-police"}
    )
    with pytest.raises(taxonomy.PortfolioError, match=r"legal\.lead_force.*gone-police"):
        taxonomy.classify(portfolio.with_function(unit), rules=pack)


def test_a_duty_each_body_keeps_has_no_lead_and_each_owner(portfolio, pack) -> None:
    result = taxonomy.classify(portfolio, rules=pack)
    accounts = result["statutory-accounts"]
    assert accounts.lead is None and accounts.tied == ()
    assert accounts.lead_status == "each"
    assert accounts.each_own == ("wessex-police", "mercia-police", "wessex-fire")
    assert accounts.lead_text == "none: each body does its own"
    text = paragraph(accounts, result, rules=pack)
    assert "led by one of" not in text and "each body doing its own" in text
    graph = build_graph(result)
    found = [f for f in check(graph) if "function:statutory-accounts" in f.nodes]
    assert found == []
    teams = [
        d
        for _, d in graph.nodes(data=True)
        if d.get("kind") == "team" and d.get("function") == "statutory-accounts"
    ]
    assert len(teams) == 3 and not any(t.get("lead") for t in teams)
