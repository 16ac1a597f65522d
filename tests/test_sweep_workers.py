"""A sweep's work split over workers: the same records whatever the workers, chunks and hash seed.

A local pool's workers start once with the portfolio, pack and scenarios and are sent scenario
numbers; each applies a scenario from where the previous one's shared changes left it; a sweep
too small to pay for starting workers runs in the caller's process (issue 23, item 4).
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import attrs
import pytest

import taxonomy
from taxonomy.language.rules import pack_for
from taxonomy.whatif import sweep as sweep_module
from taxonomy.whatif._workers import Applier
from taxonomy.whatif.scenarios import Scenario
from taxonomy.whatif.sweep import Axis, Sweep, load_sweep, sweep
from tests.conftest import EXAMPLES, NHS, ROOT

SHIPPED = EXAMPLES / "scenarios" / "capability_sweep.yaml"

#: Three axes, the first over every function: neighbours share their first changes, and one
#: value of the last makes some scenarios fail (a body that does not exist as lead).
GRID = Sweep(
    "grid",
    axes=(
        Axis.setting("capability.nhsi", ["none", "medium", "high"], functions="*"),
        Axis.joint_committees(),
        Axis.setting("efficiency.duplication", ["low", "high"], function="eprr"),
    ),
)


@pytest.fixture(scope="module")
def nhs() -> taxonomy.Portfolio:
    return taxonomy.load_portfolio(NHS)


@pytest.fixture
def pooled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every sweep with no executor given runs on a local pool, however small."""
    monkeypatch.setattr(sweep_module, "SMALL_SWEEP", 0)


def test_the_same_records_in_process_and_on_pools_of_any_size_and_chunking(
    nhs: taxonomy.Portfolio, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = sweep(nhs, GRID).to_csv()  # 12 x 21 evaluations: in the caller's process
    with ThreadPoolExecutor(2) as threads:
        assert sweep(nhs, GRID, executor=threads, chunk_size=5).to_csv() == here
    monkeypatch.setattr(sweep_module, "SMALL_SWEEP", 0)
    for workers, chunk in ((1, None), (2, 1), (2, 5)):
        assert sweep(nhs, GRID, workers=workers, chunk_size=chunk).to_csv() == here


def test_listed_scenarios_on_a_pool_are_numbered_as_listed(
    nhs: taxonomy.Portfolio, pooled: None
) -> None:
    merged = Scenario("merged").merge(into="nhse", from_=["nhsi"])
    bad = Scenario("bad").set(function="it", field="agreed_lead", value="nobody")
    joint = Scenario("joint").law(joint_committees=True)
    listed = [joint, bad, merged, joint + merged, joint]
    pooled_result = sweep(nhs, listed, workers=2, chunk_size=2)
    with ThreadPoolExecutor(1) as threads:
        assert pooled_result == sweep(nhs, listed, executor=threads)
    assert [f.scenario for f in pooled_result.failures] == [1]
    assert sorted({r["scenario"] for r in pooled_result.records}) == [0, 2, 3, 4]


def test_an_applier_gives_what_each_scenario_gives_alone(nhs: taxonomy.Portfolio) -> None:
    pack = pack_for(nhs, None)
    applier = Applier(nhs, pack)
    scenarios = [s for _, s in GRID.scenarios()]
    bad = (
        Scenario("bad")
        .law(joint_committees=True)
        .set(functions="*", field="capability.nobody", value="low")
    )
    # In grid order, then reversed (no shared changes with the one before), then after a
    # scenario that failed halfway.
    for scenario in [*scenarios, *reversed(scenarios), bad, scenarios[3], bad, scenarios[0]]:
        try:
            alone = scenario.apply(nhs, pack)
        except taxonomy.ScenarioError as exc:
            with pytest.raises(taxonomy.ScenarioError) as raised:
                applier.apply(scenario)
            assert str(raised.value) == str(exc)
            continue
        assert applier.apply(scenario) == alone


def test_changes_equal_in_python_but_written_differently_are_not_shared(
    nhs: taxonomy.Portfolio,
) -> None:
    # 1 == True in Python, so the two changes compare equal; only true is a valid value.
    pack = pack_for(nhs, None)
    applier = Applier(nhs, pack)
    flag = Scenario("flag").set(function="strategy", field="legal.board_reserved", value=True)
    one = Scenario("one", changes=(attrs.evolve(flag.changes[0], value=1),))
    assert flag.changes == one.changes
    applier.apply(flag)
    with pytest.raises(taxonomy.ScenarioError, match="1 is not a valid value"):
        one.apply(nhs, pack)
    with pytest.raises(taxonomy.ScenarioError, match="1 is not a valid value"):
        applier.apply(one)


def test_small_sweeps_run_in_process_and_the_shipped_one_is_small(nhs: taxonomy.Portfolio) -> None:
    shipped = load_sweep(SHIPPED)
    evaluations = shipped.count * len(nhs.functions)
    assert evaluations == 672 and sweep_module._small(evaluations, shipped)
    assert not sweep_module._small(sweep_module.SMALL_SWEEP, shipped)

    class Own(Scenario):
        pass

    # A scenario of a class of its own may do anything, even end the process: a worker's.
    assert not sweep_module._small(21, (Own("own"),))
    assert sweep_module._small(21, (Scenario("plain"),))


_RUN = """
import sys
import taxonomy
from taxonomy.whatif import sweep as module
module.SMALL_SWEEP = int(sys.argv[1])
portfolio = taxonomy.load_portfolio(sys.argv[2])
result = module.sweep(portfolio, module.load_sweep(sys.argv[3]), workers=2, chunk_size=3)
sys.stdout.write(result.to_csv())
"""


def test_the_same_records_whatever_the_hash_seed() -> None:
    outputs = set()
    for seed, small in (("0", "0"), ("1", "0"), ("2", "1000000")):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _RUN, small, str(NHS), str(SHIPPED)],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            check=True,
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1 and outputs.pop().count("\n") == 673
