"""The default pack reproduces the board paper's draft placements (para 16 table, Annex B)."""

from __future__ import annotations

import pytest

import taxonomy
from taxonomy import Arrangement
from tests.conftest import NWL

# Board paper CB.28.03.2018/02, para 16 table "Draft organisation of joint or aligned national
# functions": the column each function is placed in.
PAPER = {
    "clinical-programmes": Arrangement.ONE_TEAM,
    "regional-teams": Arrangement.ONE_TEAM,
    "transactional-hr": Arrangement.ONE_TEAM,
    "national-clinical-roles": Arrangement.ONE_TEAM,
    "it": Arrangement.ONE_TEAM,
    "information-analytics": Arrangement.ONE_TEAM,
    "estates": Arrangement.ONE_TEAM,
    "efficiency-improvement": Arrangement.ONE_TEAM,
    "fyfv-programmes": Arrangement.ONE_TEAM,
    "regional-finance": Arrangement.ONE_TEAM,
    "financial-reporting": Arrangement.ONE_TEAM,
    "communications": Arrangement.ALIGNED,
    "strategy": Arrangement.ALIGNED,
    "strategic-people": Arrangement.ALIGNED,
    "pricing": Arrangement.ALIGNED,
    "eprr": Arrangement.SEPARATE_INVOLVED,
    "specialised-commissioning": Arrangement.SEPARATE_INVOLVED,
    "medical-revalidation": Arrangement.SEPARATE_INVOLVED,
    "procurement-complaints": Arrangement.SEPARATE_INVOLVED,
    "national-finance-leadership": Arrangement.SEPARATE_INVOLVED,
    "financial-recovery": Arrangement.SEPARATE_INVOLVED,
}


def test_the_example_holds_every_function_the_paper_places(nhs: taxonomy.Portfolio) -> None:
    assert sorted(f.id for f in nhs.functions) == sorted(PAPER)


@pytest.mark.parametrize("function_id", sorted(PAPER))
def test_paper_placement_reproduced(nhs: taxonomy.Portfolio, function_id: str) -> None:
    rec = taxonomy.classify(nhs)[function_id]
    assert rec.arrangement is PAPER[function_id], rec.explain()


def test_leads_the_paper_states(nhs: taxonomy.Portfolio) -> None:
    result = taxonomy.classify(nhs)
    # "In joint regional teams, Regional Directors will report equally into the two organisations"
    assert result["regional-teams"].lead is None
    assert result["regional-finance"].lead is None
    # "the Efficiency and Productivity function will have a lead report into NHS Improvement"
    assert result["efficiency-improvement"].lead == "nhsi"
    # Para 8: commissioning may only be delegated to an NHS England employee.
    assert result["specialised-commissioning"].lead == "nhse"
    assert result["specialised-commissioning"].explanation.lead_by.rule == "legal.employees-only"


def test_strategy_is_aligned_because_boards_stay_separate(nhs: taxonomy.Portfolio) -> None:
    rec = taxonomy.classify(nhs)["strategy"]
    assert rec.explanation.decided_by.rule == "decision.one-team"
    assert [f.rule for f in rec.explanation.capped_by] == ["legal.board-reserved"]


def test_nw_london_eight_ccgs() -> None:
    portfolio = taxonomy.load_portfolio(NWL)
    assert len(portfolio.organisations) == 8
    result = taxonomy.classify(portfolio)
    assert len(result) == len(portfolio.functions)
    assert result["acute-commissioning"].arrangement is Arrangement.ONE_TEAM
    assert result["strategic-direction"].arrangement is Arrangement.ALIGNED
    assert result["joint-financial-strategy"].explanation.decided_by.rule == "decision.aligned"
    # Eight CCGs of equal capability: the tie-break is stated, not hidden.
    assert any("tie on capability" in n for n in result["performance"].explanation.notes)
