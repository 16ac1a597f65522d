"""The durable-rules glue: each hazard of durable-rules 2.0.28 has a regression test here."""

from __future__ import annotations

import gc
import os
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from unittest.mock import ANY

import attrs
import pytest
from hypothesis import given, settings

import taxonomy
from taxonomy._model import Level
from taxonomy.language import durable as durable_module
from taxonomy.language.durable import MAX_ENGINES, Engine, engine_for
from taxonomy.language.rules import AllOf, Condition, FactTest, Not, Rule, RulePack, Then
from taxonomy.render.text import to_json
from taxonomy.testing.strategies import portfolios

BODIES = ("b1", "b2", "b3")


def _rule(rule_id: str, when: Condition, then: Then, question: str = "efficiency") -> Rule:
    return Rule(rule_id, question, when, then, "because", ("simple",), "test", 0)


def _pack_with(conditions: list[Condition]) -> RulePack:
    rules = [
        _rule(f"t.{i}", cond, Then(finding=f"hit{i}", value=True))
        for i, cond in enumerate(conditions)
    ]
    rules.append(
        _rule("d.always", AllOf(()), Then(decide=taxonomy.Arrangement.ALIGNED), "decision")
    )
    return RulePack.from_rules(rules, name="differential")


# The compiled conditions agree with the semantics: tests/test_semantics.py (differential).


# -- durable-rules hazards ------------------------------------------------------------------------


def test_engine_starts_no_threads_and_is_reused(pack: RulePack, nhs: taxonomy.Portfolio) -> None:
    taxonomy.classify(nhs, rules=pack)  # warm: compile once
    before = set(threading.enumerate())
    for _ in range(5):
        taxonomy.classify(nhs, rules=pack)
    reloaded = taxonomy.load_rules()
    taxonomy.classify(nhs, rules=reloaded)
    assert engine_for(reloaded) is engine_for(pack)  # cached by content hash
    assert set(threading.enumerate()) - before == set()  # no new thread (others may have ended)


def test_fresh_engine_starts_no_threads(pack: RulePack) -> None:
    before = set(threading.enumerate())
    Engine(pack)
    assert set(threading.enumerate()) - before == set()  # no new thread (others may have ended)


def test_more_than_1024_evaluations_run_in_one_session_per_ruleset(nhs: taxonomy.Portfolio) -> None:
    # durable-rules keeps at most 1024 live sessions per ruleset; the 1025th raised MemoryError.
    fn = nhs.functions[0]
    many = attrs.evolve(
        nhs,
        functions=tuple(attrs.evolve(fn, id=f"f{i}") for i in range(3000)),
        governance=taxonomy.Governance(),
    )
    pack = RulePack.from_rules(taxonomy.load_rules().rules, name="sessions")
    engine_for(pack).memo_size = 0  # ask durable-rules for every function
    result = taxonomy.classify(many, rules=pack)
    assert engine_for(pack).calls >= 3000
    assert len(result) == 3000
    # One long-lived session per ruleset: each case is asserted there and retracted.
    assert engine_for(pack).live_sessions() <= engine_for(pack).strata


def test_exception_in_an_action_is_raised_naming_rule_and_function(
    monkeypatch: pytest.MonkeyPatch, nhs: taxonomy.Portfolio
) -> None:
    pack = RulePack.from_rules(taxonomy.load_rules().rules, name="raising")
    engine = Engine(pack)

    record = engine._record

    def exploding(rule_id: str) -> None:
        if rule_id == "legal.separate-for-legal-reason":
            raise ZeroDivisionError("boom")
        record(rule_id)

    monkeypatch.setattr(engine, "_record", exploding)
    values = {
        "legal.separate_reason": "a statute",
        "law.joint_committees": False,
        "efficiency.duplication": Level.HIGH,
    }
    with pytest.raises(taxonomy.EngineError) as info:
        engine.fire(0, values, function="strategy")
    assert info.value.rule == "legal.separate-for-legal-reason"
    assert info.value.function == "strategy"
    assert "boom" in str(info.value)
    assert engine.live_sessions() == 0


def test_an_unhandled_fact_is_an_engine_error_and_its_session_is_freed(
    monkeypatch: pytest.MonkeyPatch, pack: RulePack
) -> None:
    # Every ruleset has a catch-all rule, so MessageNotHandledException means a real failure:
    # it must surface, not read as "no rule fired". Deleting such a session segfaulted
    # durable-rules; the engine makes the deletion safe first.
    engine = Engine(pack)
    encode = engine.encode
    monkeypatch.setattr(
        engine, "encode", lambda values, *args, **kw: {**encode(values, *args, **kw), "t": "other"}
    )
    with pytest.raises(taxonomy.EngineError, match="did not take the fact"):
        engine.fire(0, {}, function="f")
    assert engine.live_sessions() == 0


def test_two_engines_for_one_pack_do_not_collide(pack: RulePack) -> None:
    # durable-rules deletes the 'run' keys of definitions it registers and keeps rulesets by
    # name; two private hosts compiled from one pack must both work.
    first, second = Engine(pack), Engine(pack)
    values = {"efficiency.duplication": Level.HIGH, "efficiency.simplification": Level.LOW}
    assert first.fire(0, values, function="f") == second.fire(0, values, function="f")
    assert first.fire(0, values, function="f")  # and something fired


@pytest.mark.parametrize("memo_size", [0, 65536, 3])
def test_classify_is_safe_from_many_threads(nhs: taxonomy.Portfolio, memo_size: int) -> None:
    pack = RulePack.from_rules(taxonomy.load_rules().rules, name=f"threads-{memo_size}")
    expected = taxonomy.classify(nhs, rules=pack).to_dict()
    engine_for(pack).memo_size = memo_size
    engine_for(pack).forget_cases()
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: taxonomy.classify(nhs, rules=pack).to_dict(), range(32)))
    assert all(r == expected for r in results)


@settings(max_examples=40, deadline=None)
@given(portfolios(max_functions=12, max_bodies=4))
def test_the_memo_of_decided_cases_changes_nothing_but_the_time(
    portfolio: taxonomy.Portfolio,
) -> None:
    # durable-rules decides every distinct case; the memo answers a case it has decided before.
    # The same classification, byte for byte, with the memo and without it.
    pack = taxonomy.load_rules()
    engine = engine_for(pack)
    try:
        engine.memo_size = 0
        before = engine.calls
        plain = to_json(taxonomy.classify(portfolio, rules=pack))
        asked_plain = engine.calls - before
        engine.memo_size = 65536
        engine.forget_cases()
        before = engine.calls
        remembered = to_json(taxonomy.classify(portfolio, rules=pack))
        asked_remembered = engine.calls - before
        again = to_json(taxonomy.classify(portfolio, rules=pack))  # from the memo alone
    finally:
        engine.memo_size = 65536
    assert remembered == plain == again
    assert asked_remembered <= asked_plain


def test_the_memo_is_bounded(nhs: taxonomy.Portfolio) -> None:
    pack = RulePack.from_rules(taxonomy.load_rules().rules, name="small-memo")
    engine = engine_for(pack)
    engine.memo_size = 5
    expected = taxonomy.classify(nhs).to_dict()
    assert taxonomy.classify(nhs, rules=pack).to_dict() == {**expected, "rule_pack": ANY}
    assert len(engine._memo) <= 5


def test_the_engine_cache_is_bounded_and_frees_what_it_drops() -> None:
    rules = taxonomy.load_rules().rules
    first = engine_for(RulePack.from_rules(rules, name="evicted-0"))
    gone = weakref.ref(first)
    del first
    for i in range(1, MAX_ENGINES + 4):
        engine_for(RulePack.from_rules(rules, name=f"evicted-{i}"))
    assert len(durable_module._CACHE) == MAX_ENGINES
    gc.collect()
    assert gone() is None  # dropped and collected: its C rulesets freed by its finalizer


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="reads Linux's /proc")
def test_compiling_many_packs_does_not_grow_memory_without_bound() -> None:
    # Each compiled pack held about 0.34 MB of C memory that durable-rules never freed.
    rules = taxonomy.load_rules().rules

    def resident_mib() -> float:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20

    for i in range(40):  # reach a steady state first
        engine_for(RulePack.from_rules(rules, name=f"warm-{i}"))
    gc.collect()
    start = resident_mib()
    for i in range(300):
        engine_for(RulePack.from_rules(rules, name=f"many-{i}"))
        if i % 50 == 0:
            gc.collect()
    gc.collect()
    assert resident_mib() - start < 40  # 300 leaked packs would be over 100 MiB


def test_the_default_pack_compiles_into_strata(pack: RulePack) -> None:
    # Decision rules read findings, so they run in a later stratum than the rules deriving them.
    stratum = {rid: k for k, ids in enumerate(pack.strata) for rid in ids}
    for rule in pack.rules:
        for name in rule.uses():
            for producer in pack.rules:
                if producer.then.finding == name:
                    assert stratum[producer.id] < stratum[rule.id]


def test_negated_finding_sees_the_final_finding(tmp_path: Path) -> None:
    # Regression: on durable-rules' own chaining a rule reading "not finding" fired before the
    # finding was asserted. Strata make the finding final first.
    rules = [
        _rule("q.derive", AllOf(()), Then(finding="x", value=True)),
        _rule(
            "d.without-x",
            Not(FactTest("finding.x", "==", True)),
            Then(decide=taxonomy.Arrangement.SEPARATE_DISTINCT),
            "decision",
        ),
        _rule(
            "d.with-x",
            FactTest("finding.x", "==", True),
            Then(decide=taxonomy.Arrangement.ONE_TEAM),
            "decision",
        ),
    ]
    pack = RulePack.from_rules(rules, name="negation")
    portfolio = taxonomy.load_portfolio(
        Path(__file__).resolve().parents[1] / "examples/nhs_joint_working_2018.yaml"
    )
    rec = taxonomy.classify_function(portfolio, "it", rules=pack)
    assert rec.arrangement is taxonomy.Arrangement.ONE_TEAM
    assert "d.without-x" not in [f.rule for f in rec.explanation.fired]


def _copies(count: int) -> RulePack:
    """The default pack with ``count`` extra rules testing one and the same condition."""
    same = AllOf((FactTest("efficiency.duplication", ">=", "medium"),))
    extra = [_rule(f"extra.r{i}", same, Then(finding="copied", value=True)) for i in range(count)]
    return RulePack.from_rules([*taxonomy.load_rules().rules, *extra], name=f"copies{count}")


def test_rules_beyond_durable_rules_limits_are_refused_not_crashed_on(
    nhs: taxonomy.Portfolio,
) -> None:
    # 256 rules on one condition wrote past the end of a fixed list in durable-rules and the
    # process died (exit 139); the limit is now checked when the pack is built.
    assert len(taxonomy.classify(nhs, rules=_copies(255))) == len(nhs.functions)
    with pytest.raises(taxonomy.RulePackError) as info:
        _copies(256)
    assert "256 rules test exactly the same condition (extra.r0" in str(info.value)
    assert "at most 255" in str(info.value)


def test_capacity_models_a_disjunction_as_durable_rules_builds_it() -> None:
    # durable-rules does not expand an `$or`: each branch links to one forward node of the rule,
    # and every forward node linked from a test that holds is pushed on its 64-slot stack.
    from taxonomy.language.durable import MAX_TESTS_AT_ONCE, capacity_problems

    rule = {"all": [{"m": {"$and": [{"t": 1}, {"$or": [{"a": 1}, {"b": 1}]}]}}]}
    definitions = {"s0": {f"r{i}": rule for i in range(MAX_TESTS_AT_ONCE - 1)}}
    assert capacity_problems(definitions) == []
    definitions["s0"]["last"] = rule
    (problem,) = capacity_problems(definitions)
    assert problem.rule == "last"
    assert f"more than {MAX_TESTS_AT_ONCE} tests of the rules of s0 can hold" in str(problem)
