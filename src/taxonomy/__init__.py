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

from typing import TYPE_CHECKING, Any

from taxonomy import _install

# First, before anything imports durable-rules: a broken engine build (a plain pip install on
# Python 3.13+) gets one message naming the cause and the repair, not a bare ImportError.
_install.require_durable_rules()

from taxonomy._model import (
    Arrangement,
    Capability,
    Classification,
    Effectiveness,
    Efficiency,
    Explanation,
    Firing,
    Function,
    Governance,
    JointBody,
    Law,
    Legal,
    Level,
    Organisation,
    PackIdentity,
    Portfolio,
    Recommendation,
    Role,
)
from taxonomy.classify import classify, classify_function
from taxonomy.errors import (
    EngineError,
    EngineUnavailableError,
    InputError,
    PortfolioError,
    RulePackError,
    ScenarioError,
    TaxonomyError,
    UnknownIdError,
)
from taxonomy.input.portfolio import load_portfolio, portfolio_from_data
from taxonomy.language.rules import Rule, RulePack, load_rules
from taxonomy.whatif.compare import Comparison, compare
from taxonomy.whatif.counterfactual import Counterfactuals, Robustness, counterfactuals, robustness
from taxonomy.whatif.scenarios import Scenario, load_scenario
from taxonomy.whatif.sweep import Axis, Sweep, SweepResult, load_sweep, sweep

if TYPE_CHECKING:
    from taxonomy.structure.checks import Finding, check, measure, structure_report
    from taxonomy.structure.graph import as_is_graph, build_graph

__version__ = "0.1.0"

# The graph work needs networkx (and pictures matplotlib): imported on first use, so that
# ``import taxonomy`` stays fast.
_LAZY = {
    "build_graph": "taxonomy.structure.graph",
    "as_is_graph": "taxonomy.structure.graph",
    "check": "taxonomy.structure.checks",
    "measure": "taxonomy.structure.checks",
    "structure_report": "taxonomy.structure.checks",
    "Finding": "taxonomy.structure.checks",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'taxonomy' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "Arrangement",
    "Axis",
    "Capability",
    "Classification",
    "Comparison",
    "Counterfactuals",
    "Effectiveness",
    "Efficiency",
    "EngineError",
    "EngineUnavailableError",
    "Explanation",
    "Finding",
    "Firing",
    "Function",
    "Governance",
    "InputError",
    "JointBody",
    "Law",
    "Legal",
    "Level",
    "Organisation",
    "PackIdentity",
    "Portfolio",
    "PortfolioError",
    "Recommendation",
    "Robustness",
    "Role",
    "Rule",
    "RulePack",
    "RulePackError",
    "Scenario",
    "ScenarioError",
    "Sweep",
    "SweepResult",
    "TaxonomyError",
    "UnknownIdError",
    "as_is_graph",
    "build_graph",
    "check",
    "classify",
    "classify_function",
    "compare",
    "counterfactuals",
    "load_portfolio",
    "load_rules",
    "load_scenario",
    "load_sweep",
    "measure",
    "portfolio_from_data",
    "robustness",
    "structure_report",
    "sweep",
]
