"""The durable-rules glue: each hazard of durable-rules 2.0.28 has a regression test here."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import attrs
import pytest

import taxonomy
from taxonomy._model import Level
from taxonomy.language.durable import Engine, engine_for
from taxonomy.language.rules import AllOf, Condition, FactTest, Not, Rule, RulePack, Then

BODIES = ("b1", "b2", "b3")


def _rule(rule_id: str, when: Condition, then: Then, question: str = "efficiency") -> Rule:
    return Rule(rule_id, question, when, then, "because", ("simple",), "test", 0)


def _pack_with(conditions: list[Condition]) -> RulePack:
    rules = [
        _rule(f"t.{i}", cond, Then(finding=f"hit{i}", value=True))
        for i, cond in enumerate(conditions)
    ]
    rules.append(_rule("d.always", AllOf(()), Then(decide=taxonomy.Arrangement.ALIGNED), "decision"))
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


def test_more_than_1024_sessions_run_and_none_stay_live(nhs: taxonomy.Portfolio) -> None:
    # durable-rules keeps at most 1024 live sessions per ruleset; the 1025th raised MemoryError.
    fn = nhs.functions[0]
    many = attrs.evolve(
        nhs,
        functions=tuple(attrs.evolve(fn, id=f"f{i}") for i in range(3000)),
        governance=taxonomy.Governance(),
    )
    pack = RulePack.from_rules(taxonomy.load_rules().rules, name="sessions")
    result = taxonomy.classify(many, rules=pack)
    assert len(result) == 3000
    assert engine_for(pack).live_sessions() == 0


def test_exception_in_an_action_is_raised_naming_rule_and_function(
    monkeypatch: pytest.MonkeyPatch, nhs: taxonomy.Portfolio
) -> None:
    pack = RulePack.from_rules(taxonomy.load_rules().rules, name="raising")
    engine = Engine(pack)

    record = engine._record

    def exploding(rule_id: str) -> None:
        if rule_id == "legal.board-reserved":
            raise ZeroDivisionError("boom")
        record(rule_id)

    monkeypatch.setattr(engine, "_record", exploding)
    values = {
        "legal.board_reserved": True,
        "law.joint_committees": False,
        "efficiency.duplication": Level.HIGH,
    }
    with pytest.raises(taxonomy.EngineError) as info:
        engine.fire(0, values, function="strategy")
    assert info.value.rule == "legal.board-reserved"
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
    monkeypatch.setattr(engine, "encode", lambda values: {**encode(values), "t": "other"})
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


def test_classify_is_safe_from_many_threads(nhs: taxonomy.Portfolio, pack: RulePack) -> None:
    expected = taxonomy.classify(nhs, rules=pack).to_dict()
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: taxonomy.classify(nhs, rules=pack).to_dict(), range(32)))
    assert all(r == expected for r in results)


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
        _rule("d.with-x", FactTest("finding.x", "==", True),
              Then(decide=taxonomy.Arrangement.ONE_TEAM), "decision"),
    ]
    pack = RulePack.from_rules(rules, name="negation")
    portfolio = taxonomy.load_portfolio(Path(__file__).resolve().parents[1] / "examples/nhs_joint_working_2018.yaml")
    rec = taxonomy.classify_function(portfolio, "it", rules=pack)
    assert rec.arrangement is taxonomy.Arrangement.ONE_TEAM
    assert "d.without-x" not in [f.rule for f in rec.explanation.fired]


def _copies(count: int) -> RulePack:
    """The default pack with ``count`` extra rules testing one and the same condition."""
    same = AllOf((FactTest("efficiency.duplication", ">=", "medium"),))
    extra = [
        _rule(f"extra.r{i}", same, Then(finding="copied", value=True)) for i in range(count)
    ]
    return RulePack.from_rules([*taxonomy.load_rules().rules, *extra], name=f"copies{count}")


def test_rules_beyond_durable_rules_limits_are_refused_not_crashed_on(
    nhs: taxonomy.Portfolio,
) -> None:
    # 256 rules on one condition wrote past the end of a fixed list in durable-rules and the
    # process died (exit 139); the limit is now checked before durable-rules sees the pack.
    assert len(taxonomy.classify(nhs, rules=_copies(255))) == len(nhs.functions)
    with pytest.raises(taxonomy.EngineError) as info:
        Engine(_copies(256))
    assert "256 rules test exactly the same condition (extra.r0" in str(info.value)
    assert "at most 255" in str(info.value)


def test_capacity_counts_each_branch_of_a_disjunction() -> None:
    from taxonomy.language.durable import capacity_problems

    rule = {"all": [{"m": {"$and": [{"t": 1}, {"$or": [{"a": 1}, {"b": 1}]}]}}]}
    definitions = {"s0": {f"r{i}": rule for i in range(200)}}
    assert capacity_problems(definitions) == []
    other = {"all": [{"m": {"$and": [{"t": 1}, {"a": 1}]}}]}
    definitions["s0"].update({f"o{i}": other for i in range(56)})
    (problem,) = capacity_problems(definitions)  # 200 + 56 end on t -> a
    assert problem.startswith("256 rules test exactly the same condition")
