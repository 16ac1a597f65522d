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
from taxonomy._version import __version__ as __version__

# First: a broken engine build (a plain pip install on Python 3.13+) gets one message naming
# the cause and the repair, not a bare ImportError, at ``import taxonomy``.
_install.require_durable_rules()

# Every public name is imported on first use (PEP 562), so ``import taxonomy`` loads the engine
# check and nothing else: fast, and the pytest plugin can load before coverage starts. The map
# says where each name lives; the layout follows the pipeline (see docs/architecture.md).
_WHERE = {
    "taxonomy._model": (
        "Abolition", "Arrangement", "Capability", "DeclaredDelegation", "Effectiveness",
        "Efficiency", "Function", "FunctionLaw", "Governance", "IndependentBody", "JointBody",
        "Law", "Legal", "Level", "Organisation", "PackReference", "Portfolio", "Provision",
        "Role", "Term",
    ),
    "taxonomy._explanation": ("Explanation", "Firing", "PackIdentity"),
    "taxonomy._results": ("Classification", "Recommendation"),
    "taxonomy.errors": (
        "EngineError", "EngineUnavailableError", "InputError", "PortfolioError",
        "RulePackError", "ScenarioError", "TaxonomyError", "UnknownIdError",
    ),
    "taxonomy.input.files": ("load_portfolio",),
    "taxonomy.input.portfolio": ("portfolio_from_data",),
    "taxonomy.language.rules": ("Rule", "RulePack", "load_rules"),
    "taxonomy.classification": ("classify", "classify_function"),
    "taxonomy.structure.graph": ("as_is_graph", "build_graph"),
    "taxonomy.structure.checks": (
        "Finding", "Metrics", "StructureReport", "check", "measure", "structure_report",
    ),
    "taxonomy.whatif.scenarios": ("Applied", "Scenario", "load_scenario"),
    "taxonomy.whatif.compare": ("Comparison", "compare"),
    "taxonomy.whatif.counterfactual": (
        "Counterfactuals", "Robustness", "counterfactuals", "robustness",
    ),
    "taxonomy.whatif.sweep": ("Axis", "Sweep", "SweepResult", "load_sweep", "sweep"),
}  # fmt: skip
_LAZY = {name: module for module, names in _WHERE.items() for name in names}

if TYPE_CHECKING:
    from taxonomy._explanation import Explanation, Firing, PackIdentity
    from taxonomy._model import (
        Abolition,
        Arrangement,
        Capability,
        DeclaredDelegation,
        Effectiveness,
        Efficiency,
        Function,
        FunctionLaw,
        Governance,
        IndependentBody,
        JointBody,
        Law,
        Legal,
        Level,
        Organisation,
        PackReference,
        Portfolio,
        Provision,
        Role,
        Term,
    )
    from taxonomy._results import Classification, Recommendation
    from taxonomy.classification import classify, classify_function
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
    from taxonomy.input.files import load_portfolio
    from taxonomy.input.portfolio import portfolio_from_data
    from taxonomy.language.rules import Rule, RulePack, load_rules
    from taxonomy.structure.checks import (
        Finding,
        Metrics,
        StructureReport,
        check,
        measure,
        structure_report,
    )
    from taxonomy.structure.graph import as_is_graph, build_graph
    from taxonomy.whatif.compare import Comparison, compare
    from taxonomy.whatif.counterfactual import (
        Counterfactuals,
        Robustness,
        counterfactuals,
        robustness,
    )
    from taxonomy.whatif.scenarios import Applied, Scenario, load_scenario
    from taxonomy.whatif.sweep import Axis, Sweep, SweepResult, load_sweep, sweep


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'taxonomy' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


# The same names as the map above: ruff and type checkers read this list and the imports;
# tests/test_api.py checks all three agree.
__all__ = [
    "Abolition",
    "Applied",
    "Arrangement",
    "Axis",
    "Capability",
    "Classification",
    "Comparison",
    "Counterfactuals",
    "DeclaredDelegation",
    "Effectiveness",
    "Efficiency",
    "EngineError",
    "EngineUnavailableError",
    "Explanation",
    "Finding",
    "Firing",
    "Function",
    "FunctionLaw",
    "Governance",
    "IndependentBody",
    "InputError",
    "JointBody",
    "Law",
    "Legal",
    "Level",
    "Metrics",
    "Organisation",
    "PackIdentity",
    "PackReference",
    "Portfolio",
    "PortfolioError",
    "Provision",
    "Recommendation",
    "Robustness",
    "Role",
    "Rule",
    "RulePack",
    "RulePackError",
    "Scenario",
    "ScenarioError",
    "StructureReport",
    "Sweep",
    "SweepResult",
    "TaxonomyError",
    "Term",
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
