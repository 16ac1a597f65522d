import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

import taxonomy

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
NHS = EXAMPLES / "nhs_joint_working_2018.yaml"
NWL = EXAMPLES / "nw_london_ccgs_2018.yaml"
COUNCILS = EXAMPLES / "three_councils_shared_services.yaml"
#: The pack the councils example is answered for (the default pack, extended for councils).
COUNCILS_PACK = EXAMPLES / "packs" / "councils"
RULES = ROOT / "rules"

# "dev": quick local runs. "ci": bounded, so the suite stays well inside CI's budget on 2 cores.
# "thorough": many examples, for the tests marked slow (run with -m slow).
settings.register_profile(
    "dev", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci",
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(scope="session")
def pack() -> taxonomy.RulePack:
    return taxonomy.load_rules()


@pytest.fixture(scope="session")
def nhs() -> taxonomy.Portfolio:
    return taxonomy.load_portfolio(NHS)


@pytest.fixture(autouse=True)
def _chdir_root(monkeypatch: pytest.MonkeyPatch) -> None:
    # Doctests and examples use paths relative to the project root.
    monkeypatch.chdir(ROOT)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--run-install",
        action="store_true",
        help="run the tests marked 'install': they build taxonomy in fresh environments "
        "(minutes, and the package index must be reachable); CI runs them",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-install"):
        return
    skip = pytest.mark.skip(reason="builds fresh environments: run with --run-install")
    for item in items:
        if "install" in item.keywords:
            item.add_marker(skip)
