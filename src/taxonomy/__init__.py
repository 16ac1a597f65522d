"""taxonomy: decide, function by function, how public bodies working jointly should organise.

The four arrangements are the board paper's taxonomy (NHS England board paper CB.28.03.2018/02,
Annex B): one team, aligned separate functions, separate with involvement if needed, and separate
and distinct. Rules that encode the paper's four key questions (para 8) run on durable-rules.

>>> import taxonomy
>>> portfolio = taxonomy.load_portfolio("examples/nhs_joint_working_2018.yaml")
>>> result = taxonomy.classify(portfolio)
>>> str(result["pricing"].arrangement)
'aligned'
"""

from taxonomy._model import (
    Arrangement,
    Capability,
    Classification,
    Effectiveness,
    Efficiency,
    Explanation,
    Firing,
    Function,
    Legal,
    Level,
    Organisation,
    PackIdentity,
    Portfolio,
    Recommendation,
)
from taxonomy.classify import classify, classify_function
from taxonomy.errors import (
    EngineError,
    InputError,
    PortfolioError,
    RulePackError,
    ScenarioError,
    TaxonomyError,
)
from taxonomy.portfolio import load_portfolio, portfolio_from_data
from taxonomy.rules import Rule, RulePack, load_rules

__version__ = "0.1.0"

__all__ = [
    "Arrangement",
    "Capability",
    "Classification",
    "Effectiveness",
    "Efficiency",
    "EngineError",
    "Explanation",
    "Firing",
    "Function",
    "InputError",
    "Legal",
    "Level",
    "Organisation",
    "PackIdentity",
    "Portfolio",
    "PortfolioError",
    "Recommendation",
    "Rule",
    "RulePack",
    "RulePackError",
    "ScenarioError",
    "TaxonomyError",
    "classify",
    "classify_function",
    "load_portfolio",
    "load_rules",
    "portfolio_from_data",
]
