import functools
import os
from collections.abc import Callable
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, settings

import taxonomy
from taxonomy.testing import verify

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
#: The profile the session runs under.
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev")
settings.load_profile(PROFILE)


def _each_pack_checked_once(
    check: Callable[..., verify.VerifyReport],
) -> Callable[..., verify.VerifyReport]:
    """``check_pack``, remembering its report for each pack content it was given.

    ``check_pack`` enumerates every combination of answers a pack reads (the default pack's
    442,368 take seconds) and depends on nothing but the pack's content, which its hash is taken
    over, and where each rule was read (``file:line``), which an issue quotes for its rules. So a
    pack with the same hash gets the same report, each issue's ``where`` read from this pack's
    rules (its ``seconds`` are the first run's). The default pack is checked once per session,
    whoever asks and wherever it was copied to: the tests, the CLI's ``rules check`` run in this
    process, the doctest in ``taxonomy.testing.verify`` and the examples in docs/; so are the
    councils pack (a test, docs/own-case.md's example and command) and the starter pack
    ``rules init my-rules`` writes (tests/test_init.py and docs/cli.md).
    """
    reports: dict[tuple[str, int, str], verify.VerifyReport] = {}

    def placed(report: verify.VerifyReport, pack: taxonomy.RulePack) -> verify.VerifyReport:
        where = {rule.id: rule.where for rule in pack.rules}
        issues = tuple(
            attrs.evolve(issue, where=tuple(where[rule] for rule in issue.rules))
            for issue in report.issues
        )
        return attrs.evolve(report, issues=issues)

    @functools.wraps(check)
    def checked(
        pack: taxonomy.RulePack,
        *,
        max_combinations: int = verify.MAX_COMBINATIONS,
        backend: str = "reference",
    ) -> verify.VerifyReport:
        key = (pack.hash, max_combinations, backend)
        if key not in reports:
            report = check(pack, max_combinations=max_combinations, backend=backend)
            # An issue's places are its rules' places: what makes a report any copy's.
            assert placed(report, pack) == report, report
            reports[key] = report
        return placed(reports[key], pack)

    return checked


# Installed when the tests are collected, before the test modules and the source modules'
# doctests take their own reference to it (tests/ is collected before src/).
verify.check_pack = _each_pack_checked_once(verify.check_pack)


@pytest.fixture(scope="session")
def pack() -> taxonomy.RulePack:
    return taxonomy.load_rules()


@pytest.fixture(scope="session")
def nhs() -> taxonomy.Portfolio:
    return taxonomy.load_portfolio(NHS)


@pytest.fixture
def plain_pytest_children(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pytest runs ``rules mutate`` starts load taxonomy's plugin and no other.

    Each mutant's run is a fresh pytest; with every installed plugin loaded (hypothesis's
    imports hypothesis, about a second) a run of one small test file costs three times what
    the test does. The mutation runner, the substitute-pack option and the expectation files
    it collects are taxonomy's plugin, loaded by name.
    """
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("PYTEST_PLUGINS", "taxonomy.testing.pytest_plugin")


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
