"""What-if: scenarios, comparisons, counterfactuals and sweeps."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import taxonomy
from taxonomy import Arrangement, ScenarioError
from taxonomy.language.rules import FactTest
from taxonomy.structure.graph import build_graph
from taxonomy.testing.strategies import portfolios
from taxonomy.whatif.compare import compare
from taxonomy.whatif.counterfactual import apply_changes, counterfactuals, robustness
from taxonomy.whatif.scenarios import Scenario, load_scenario, loads_scenario
from taxonomy.whatif.sweep import Axis, Sweep, load_sweep, sweep
from tests.conftest import EXAMPLES, NWL
from tests.helpers import shared_complaints

SCENARIOS = EXAMPLES / "scenarios"


# -- scenarios -----------------------------------------------------------------------------------


def test_apply_never_mutates_the_baseline(nhs: taxonomy.Portfolio, pack: taxonomy.RulePack) -> None:
    before = taxonomy.classify(nhs).to_dict()
    applied = Scenario("x").merge(into="nhse", from_=["nhsi"]).apply(nhs, pack)
    assert applied.single_body == "nhse"
    assert nhs.organisation_ids == ("nhse", "nhsi")
    assert taxonomy.classify(nhs).to_dict() == before


def test_builder_is_immutable_and_composes() -> None:
    base = Scenario("a", "first")
    one = base.law(joint_committees=True)
    two = one.set(function="pricing", field="efficiency.duplication", value="high")
    assert base.changes == () and len(one.changes) == 1 and len(two.changes) == 2
    both = one + Scenario("b", "second").rules(disable=["legal.independence"])
    assert both.name == "a + b" and both.description == "first; second"
    assert [c.describe() for c in both.changes] == [
        "law: joint committees allowed",
        "rules: disable legal.independence",
    ]


def test_set_by_id_star_and_filter(nhs: taxonomy.Portfolio, pack: taxonomy.RulePack) -> None:
    owned = FactTest("legal.statutory_owner", "present")
    s = Scenario("s").set(where=owned, field="effectiveness.joint_benefit", value="high")
    changed = s.apply(nhs, pack).portfolio
    for fn in changed.functions:
        expected = (
            "high"
            if fn.legal.statutory_owner
            else str(nhs.function(fn.id).effectiveness.joint_benefit)
        )
        assert str(fn.effectiveness.joint_benefit) == expected
    every = Scenario("s").set(functions="*", field="capability.nhsi", value="low").apply(nhs, pack)
    assert {str(f.capability.of("nhsi")) for f in every.portfolio.functions} == {"low"}


def test_merge_carries_answers_and_governance(
    nhs: taxonomy.Portfolio, pack: taxonomy.RulePack
) -> None:
    merged = Scenario("m").merge(into="nhse", from_=["nhsi"]).apply(nhs, pack).portfolio
    pricing = merged.function("pricing")
    assert pricing.performed_by == ("nhse",)
    assert pricing.legal.statutory_owner == ("nhse",)  # the joint duty now sits with one body
    reporting = nhs.function("financial-reporting")
    better = attrs.evolve(
        reporting, capability=taxonomy.Capability({"nhse": "low", "nhsi": "high"})
    )
    merged2 = (
        Scenario("m").merge(into="nhse", from_=["nhsi"]).apply(nhs.with_function(better), pack)
    )
    capability = merged2.portfolio.function("financial-reporting").capability
    assert str(capability.of("nhse")) == "high"  # the best of the two
    assert all(r.reports_to == ("nhse",) for r in merged.governance.roles)
    assert merged.function("procurement-complaints").legal.independence_from == ()


def test_merge_into_a_new_body() -> None:
    portfolio = taxonomy.load_portfolio(NWL)
    applied = load_scenario(SCENARIOS / "nwl_single_ccg_2021.yaml").apply(portfolio)
    assert applied.portfolio.organisation_ids == ("nwl-ccg",)
    assert applied.portfolio.organisations[0].name == "NHS North West London CCG"


def test_rules_changes(nhs: taxonomy.Portfolio, pack: taxonomy.RulePack) -> None:
    applied = Scenario("r").rules(disable=["legal.independence"]).apply(nhs, pack)
    assert "legal.independence" not in [r.id for r in applied.rules.rules]
    assert applied.rules.hash != pack.hash and pack.rule("legal.independence")
    text = """
name: replace
changes:
  - rules:
      replace:
        - id: legal.independence
          question: legal
          when: {fact: legal.independence_from, op: present}
          then: {cap: separate_distinct}
          because: stricter
          principles: [simple]
          source: a what-if
"""
    stricter = loads_scenario(text).apply(nhs, pack)
    result = taxonomy.classify(stricter.portfolio, rules=stricter.rules)
    assert result["procurement-complaints"].arrangement is Arrangement.SEPARATE_DISTINCT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("changes: []", "missing required key 'name'"),
        ("name: x\nchanges:\n  - sett: {}\n", "did you mean 'set'"),
        (
            "name: x\nchanges:\n  - set: {function: it, field: efficency.duplication, value: x}\n",
            "unknown field 'efficency.duplication'",
        ),
        (
            "name: x\nchanges:\n  - set: {function: it, field: efficiency.duplication, value: hgh}\n",
            "did you mean 'high'",
        ),
        (
            "name: x\nchanges:\n  - set: {function: it, functions: '*', field: notes, value: x}\n",
            "exactly one of",
        ),
        ("name: x\nchanges:\n  - law: {joint_committees: maybe}\n", "true or false"),
        ("name: x\nchanges:\n  - merge: {into: nhse, form: [nhsi]}\n", "did you mean 'from'"),
        ("name: x\nchanges:\n  - rules: {}\n", "say what to change"),
        (
            "name: x\nchanges:\n  - set: {where: {fact: legal.owner, op: present}, field: notes, value: x}\n",
            "unknown fact 'legal.owner'",
        ),
        ("name: x\nchanges:\n  - !!python/object/apply:os.system [ls]\n", "not valid YAML"),
    ],
)
def test_bad_scenario_files(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert expected in str(info.value) and str(path) in str(info.value)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            "- set: {function: pricng, field: notes, value: x}",
            "change 2: key 'function': no function 'pricng' in the portfolio (did you mean 'pricing'?)",
        ),
        ("- merge: {into: nhse, from: [nhsii]}", "change 2: key 'from': 'nhsii' is not one of"),
        ("- rules: {disable: [legal.independance]}", "did you mean 'legal.independence'"),
        # A field named like a question (QUESTION.KEY) may be one a rule pack declares, so it
        # is checked against the pack the scenario runs under, when applied.
        (
            "- set: {function: it, field: efficiency.duplicaton, value: high}",
            "did you mean 'efficiency.duplication'",
        ),
        ("- set: {function: it, field: capability.nhsx, value: low}", "did you mean 'nhsi'"),
        ("- merge: {into: nhse, from: [nhse]}", "cannot merge into itself"),
    ],
)
def test_scenario_ids_checked_against_the_portfolio(
    tmp_path: Path, nhs: taxonomy.Portfolio, change: str, expected: str
) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(f"name: x\nchanges:\n  - law: {{joint_committees: true}}\n  {change}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path).apply(nhs)
    assert expected in str(info.value)
    assert f"{path}:4" in str(info.value)


# -- the shipped scenarios, pinned -------------------------------------------------------------


def test_health_and_care_act_2022(nhs: taxonomy.Portfolio) -> None:
    result = compare(nhs, load_scenario(SCENARIOS / "health_and_care_act_2022.yaml"))
    (outcome,) = result.outcomes
    assert outcome.single_body == "nhse" and outcome.classification is None
    assert len(outcome.changes) == len(nhs.functions)
    assert all(c.after.arrangement is None and c.after.lead == "nhse" for c in outcome.changes)
    assert any("procurement-complaints" in n and "conflict" in n for n in outcome.notes)


def test_joint_committees_2019(nhs: taxonomy.Portfolio) -> None:
    # The power to form joint committees changes who may decide, not how a function is
    # delivered: on the answers the paper supports, no NHS function's placement moves.
    result = compare(nhs, load_scenario(SCENARIOS / "joint_committees_2019.yaml"))
    (outcome,) = result.outcomes
    assert outcome.changes == ()
    assert outcome.metrics is not None and dict(outcome.metrics.findings)["error"] == 0
    # A decision reserved to each Board, delivered by one team: the Boards meet in common
    # under 2018 law, and may form a joint committee with the power.
    strategy = attrs.evolve(
        nhs.function("strategy"),
        efficiency=taxonomy.Efficiency("high", "high"),
        legal=taxonomy.Legal(board_reserved=True),
    )
    reserved = nhs.with_function(strategy)
    before = build_graph(taxonomy.classify(reserved))
    assert "joint:in-common-strategy" in before
    applied = load_scenario(SCENARIOS / "joint_committees_2019.yaml").apply(reserved)
    after = build_graph(taxonomy.classify(applied.portfolio))
    assert "joint:committee-strategy" in after and "joint:in-common-strategy" not in after


def test_nw_london_single_ccg_2021() -> None:
    portfolio = taxonomy.load_portfolio(NWL)
    (outcome,) = compare(portfolio, load_scenario(SCENARIOS / "nwl_single_ccg_2021.yaml")).outcomes
    assert outcome.single_body == "nwl-ccg"
    assert {c.after.lead for c in outcome.changes} == {"nwl-ccg"}


def test_capability_sweep_script() -> None:
    out = subprocess.run(
        [sys.executable, str(SCENARIOS / "capability_sweep.py")],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    rows = [line.split() for line in out.stdout.splitlines()[1:]]
    leads = {(r[0], r[1]): r[3] for r in rows}
    assert leads[("high", "financial-reporting")] == "nhsi"
    assert leads[("low", "financial-reporting")] == "nhse"
    assert leads[("medium", "financial-reporting")] == "undecided"  # equal: a tie, not a pick
    assert leads[("none", "financial-recovery")] == "nhse"
    assert {r[2] for r in rows if r[1] == "pricing"} == {"one_team", "aligned"}


# -- compare -------------------------------------------------------------------------------------


def test_compare_json_contract(nhs: taxonomy.Portfolio) -> None:
    free = Scenario("free").set(function="strategy", field="efficiency.duplication", value="high")
    data = json.loads(compare(nhs, free).to_json())
    assert set(data) == {"schema", "baseline", "scenarios"}
    (scenario,) = data["scenarios"]
    assert scenario["name"] == "free"
    (change,) = scenario["changes"]
    assert set(change) >= {"function", "from", "to", "because"}
    tie = {"lead": None, "lead_status": "tie", "tied": ["nhse", "nhsi"], "decided": True}
    assert change["from"] == {"arrangement": "aligned", **tie}
    assert change["to"] == {"arrangement": "one_team", **tie}
    assert set(scenario["metrics"]) >= {"teams", "reporting_lines", "joint_bodies", "findings"}


def test_compare_is_deterministic(nhs: taxonomy.Portfolio) -> None:
    s = load_scenario(SCENARIOS / "joint_committees_2019.yaml")
    assert compare(nhs, s).to_json() == compare(nhs, s).to_json()


def test_compare_explains_lead_changes(nhs: taxonomy.Portfolio) -> None:
    s = Scenario("cap").set(function="financial-recovery", field="capability.nhsi", value="low")
    (change,) = compare(nhs, s).outcomes[0].changes
    assert change.before.lead is None and change.before.tied == ("nhse", "nhsi")
    assert change.after.lead == "nhse"
    assert any(
        b.startswith("lead undecided between nhse and nhsi (tie) -> nhse") for b in change.because
    )


# -- counterfactuals -----------------------------------------------------------------------------


def test_counterfactual_smallest_change(nhs: taxonomy.Portfolio) -> None:
    found = counterfactuals(nhs, "pricing", Arrangement.SEPARATE_INVOLVED)
    assert found.solutions
    for solution in found.solutions:
        assert solution.cost == (0, 1, 1)  # lowers no capability; one answer, one step
        assert solution.recommendation.arrangement is Arrangement.SEPARATE_INVOLVED
        changed = nhs.with_function(apply_changes(nhs.function("pricing"), solution.changes))
        assert taxonomy.classify(changed)["pricing"].arrangement is Arrangement.SEPARATE_INVOLVED


def test_counterfactual_needs_a_change_in_the_law(nhs: taxonomy.Portfolio) -> None:
    found = counterfactuals(shared_complaints(nhs), "procurement-complaints", "one_team")
    assert found.blocked_by == ("legal.independence",) and found.solutions == ()
    assert "unreachable without a change in the law" in found.explain()


def test_counterfactual_default_target_and_already_there(nhs: taxonomy.Portfolio) -> None:
    assert counterfactuals(nhs, "pricing").target is Arrangement.ONE_TEAM
    assert counterfactuals(nhs, "eprr").target is Arrangement.ALIGNED  # from 3, the next one up
    assert counterfactuals(nhs, "it").target is Arrangement.ALIGNED
    assert "already" in counterfactuals(nhs, "it", "one_team").explain()


def test_every_nhs_function_has_an_answer_for_every_target(nhs: taxonomy.Portfolio) -> None:
    for fn in nhs.functions:
        for target in Arrangement:
            found = counterfactuals(nhs, fn.id, target, max_changes=2)
            if found.current.arrangement is target:
                assert not found.solutions and "already" in found.explain()
                continue
            # Every solution offered, applied, gives the target: checked by classifying again.
            for solution in found.solutions:
                changed = nhs.with_function(apply_changes(nhs.function(fn.id), solution.changes))
                assert taxonomy.classify_function(changed, fn.id).arrangement is target
            if found.performed_only_by:  # one body: one team is out of reach, and said so
                assert target is Arrangement.ONE_TEAM and "only" in found.explain()
            elif not found.solutions and not found.blocked_by:
                assert found.searched > 0 and "no change of up to 2 answers" in found.explain()


def test_robustness(nhs: taxonomy.Portfolio) -> None:
    fragile = robustness(nhs, "pricing")
    assert fragile.steps == 10  # five answers, all medium, each one step up or down
    assert fragile.flips == (
        "efficiency.duplication: medium -> high gives one_team (undecided between nhsi and nhse (tie))",
        "efficiency.simplification: medium -> high gives one_team (undecided between nhsi and nhse (tie))",
        "effectiveness.joint_benefit: medium -> low gives separate_involved (undecided between nhsi and nhse (tie))",
    )
    # Capability steps only make or break the tie for the lead: not flips.
    assert not [f for f in fragile.flips if f.startswith("capability.")]
    assert robustness(nhs, "it").flips  # one team on high duplication: one step from aligned


# -- sweeps --------------------------------------------------------------------------------------


GRID = Sweep(
    "grid",
    axes=(
        Axis.setting("capability.nhsi", ["none", "high"], functions="*"),
        Axis.setting("efficiency.duplication", ["low", "high"], function="eprr"),
        Axis.joint_committees(),
    ),
)


def test_sweep_records(nhs: taxonomy.Portfolio) -> None:
    result = sweep(nhs, GRID, executor=ThreadPoolExecutor(2))
    assert len(result.records) == 8 * len(nhs.functions)
    first = result.records[0]
    assert first["capability.nhsi"] == "none" and first["efficiency.duplication@eprr"] == "low"
    assert first["law.joint_committees"] is False
    assert result.to_csv().splitlines()[0] == ",".join(result.columns)
    frame = result.to_frame()
    assert len(frame) == len(result.records)


def test_sweep_identical_on_one_and_two_process_workers(
    nhs: taxonomy.Portfolio, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("taxonomy.whatif.sweep.SMALL_SWEEP", 0)  # a pool, however small
    one = sweep(nhs, GRID, workers=1)
    two = sweep(nhs, GRID, workers=2, chunk_size=1)
    assert one.records == two.records


def test_sweep_workers_are_not_forked_from_a_threaded_process(
    nhs: taxonomy.Portfolio, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Forking a process that has threads can deadlock the child; Python 3.12+ warns of it. The
    # caller here has a thread running, as a web server or a notebook would.
    import threading
    import warnings

    monkeypatch.setattr("taxonomy.whatif.sweep.SMALL_SWEEP", 0)  # a pool, however small

    stop = threading.Event()
    busy = threading.Thread(target=stop.wait, daemon=True)
    busy.start()
    try:
        # os.fork reports the hazard as a warning it cannot raise: record, then look.
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            result = sweep(nhs, GRID, workers=2, chunk_size=1)
    finally:
        stop.set()
    assert [str(w.message) for w in seen if "fork" in str(w.message)] == []
    assert result.records == sweep(nhs, GRID, workers=1).records


def test_sweep_sample_is_reproducible(nhs: taxonomy.Portfolio) -> None:
    grid = Sweep("s", GRID.axes, sample=3, seed=7)
    a = sweep(nhs, grid, executor=ThreadPoolExecutor(1))
    b = sweep(nhs, grid, executor=ThreadPoolExecutor(1))
    assert a.records == b.records and len({r["scenario"] for r in a.records}) == 3


def test_sweep_on_a_real_local_dask_cluster(nhs: taxonomy.Portfolio) -> None:
    distributed = pytest.importorskip("distributed")
    local = sweep(nhs, GRID, executor=ProcessPoolExecutor(2))
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = sweep(nhs, GRID, executor=client.get_executor())
    assert remote.records == local.records


def test_sweep_file(tmp_path: Path) -> None:
    grid = load_sweep(SCENARIOS / "capability_sweep.yaml")
    assert grid.size == 32
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ngrid:\n  - {functions: '*', field: capability.nhsi, values: [hihg]}\n")
    with pytest.raises(ScenarioError, match="did you mean 'high'"):
        load_sweep(bad)
    bad.write_text("name: x\ngrid:\n  - {law: joint_comittees, values: [true]}\n")
    with pytest.raises(ScenarioError, match="did you mean 'joint_committees'"):
        load_sweep(bad)


def test_progress_is_reported(nhs: taxonomy.Portfolio) -> None:
    seen: list[tuple[int, int]] = []
    sweep(
        nhs,
        GRID,
        executor=ThreadPoolExecutor(1),
        chunk_size=3,
        progress=lambda done, total: seen.append((done, total)),
    )
    # Once the axes are checked (the total known, nothing started), then chunk by chunk.
    assert seen == [(0, 8), (3, 8), (6, 8), (8, 8)]


@settings(max_examples=25, deadline=None)
@given(portfolios(max_functions=4, max_bodies=4), st.data())
def test_variants_are_classified_as_a_rebuilt_portfolio_would_be(
    portfolio: taxonomy.Portfolio, data: st.DataObject
) -> None:
    from taxonomy.classification import Variants
    from taxonomy.whatif.counterfactual import AnswerChange, apply_changes

    fn = data.draw(st.sampled_from(portfolio.functions))
    after = data.draw(st.sampled_from(list(taxonomy.Level)))
    change = AnswerChange("efficiency.duplication", fn.efficiency.duplication, after)
    variant = apply_changes(fn, [change])
    rebuilt = taxonomy.classify_function(portfolio.with_function(variant), fn.id)
    assert Variants(portfolio).recommend(variant) == rebuilt


def test_a_variant_performed_by_a_stranger_is_refused(nhs: taxonomy.Portfolio) -> None:
    from taxonomy.classification import Variants

    stranger = attrs.evolve(
        nhs.functions[0],
        performed_by=("nhse", "elsewhere"),
        capability=taxonomy.Capability({"nhse": "high", "elsewhere": "low"}),
    )
    with pytest.raises(taxonomy.InputError, match="performed by elsewhere, not bodies"):
        Variants(nhs).recommend(stranger)
