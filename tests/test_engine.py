"""The durable-rules glue: each hazard of durable-rules 2.0.28 has a regression test here."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import taxonomy
from taxonomy._model import Level
from taxonomy.engine import Engine, engine_for
from taxonomy.rules import AllOf, AnyOf, Comparison, Condition, Not, Rule, RulePack, Then
from tests.helpers import holds

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


# -- the compiled conditions agree with the documented semantics ---------------------------------

_level_cmp = st.builds(
    Comparison,
    st.just("efficiency.duplication"),
    st.sampled_from(["==", "!=", "<", "<=", ">", ">="]),
    st.sampled_from(Level.names()),
)
_level_in = st.builds(
    Comparison,
    st.just("efficiency.duplication"),
    st.just("in"),
    st.lists(st.sampled_from(Level.names()), min_size=1, max_size=3, unique=True).map(tuple),
)
_owner_cmp = st.builds(
    Comparison,
    st.just("legal.statutory_owner"),
    st.sampled_from(["==", "!="]),
    st.sampled_from(BODIES),
) | st.builds(
    Comparison,
    st.just("legal.statutory_owner"),
    st.just("in"),
    st.lists(st.sampled_from(BODIES), min_size=1, max_size=2, unique=True).map(tuple),
) | st.just(Comparison("legal.statutory_owner", "present"))
_bool_cmp = st.builds(
    Comparison, st.just("legal.board_reserved"), st.sampled_from(["==", "!="]), st.booleans()
)
_count_cmp = st.builds(
    Comparison,
    st.just("performed_by.count"),
    st.sampled_from(["==", "!=", "<", "<=", ">", ">="]),
    st.integers(0, 4),
)
_scope_cmp = st.builds(
    Comparison,
    st.just("function.level"),
    st.sampled_from(["==", "!="]),
    st.sampled_from(["national", "regional", "local"]),
)
_bodies_cmp = st.just(Comparison("legal.delegable_to", "present"))

conditions = st.recursive(
    _level_cmp | _level_in | _owner_cmp | _bool_cmp | _count_cmp | _scope_cmp | _bodies_cmp,
    lambda inner: st.lists(inner, max_size=3).map(lambda ps: AllOf(tuple(ps)))
    | st.lists(inner, min_size=1, max_size=3).map(lambda ps: AnyOf(tuple(ps)))
    | inner.map(Not),
    max_leaves=8,
)


@st.composite
def fact_values(draw: st.DrawFn) -> dict[str, Any]:
    values: dict[str, Any] = {
        "efficiency.duplication": draw(st.sampled_from(list(Level))),
        "legal.board_reserved": draw(st.booleans()),
        "performed_by.count": draw(st.integers(1, 3)),
        "function.level": draw(st.sampled_from(["national", "regional", "local"])),
    }
    owner = draw(st.none() | st.sampled_from(BODIES))
    if owner is not None:
        values["legal.statutory_owner"] = owner
    delegable = draw(st.lists(st.sampled_from(BODIES), unique=True, max_size=2))
    if delegable:
        values["legal.delegable_to"] = tuple(delegable)
    return values


@given(st.lists(conditions, min_size=1, max_size=4), st.lists(fact_values(), min_size=1, max_size=4))
def test_compiled_conditions_match_reference_semantics(
    conds: list[Condition], cases: list[dict[str, Any]]
) -> None:
    engine = Engine(_pack_with(conds))
    for values in cases:
        fired = {f.rule for f in engine.fire(0, values, function="f")}
        for i, cond in enumerate(conds):
            assert (f"t.{i}" in fired) == holds(cond, values), (cond, values)


# -- durable-rules hazards ------------------------------------------------------------------------


def test_engine_starts_no_threads_and_is_reused(pack: RulePack, nhs: taxonomy.Portfolio) -> None:
    taxonomy.classify(nhs, rules=pack)  # warm: compile once
    before = threading.active_count()
    for _ in range(5):
        taxonomy.classify(nhs, rules=pack)
    reloaded = taxonomy.load_rules()
    taxonomy.classify(nhs, rules=reloaded)
    assert engine_for(reloaded) is engine_for(pack)  # cached by content hash
    assert threading.active_count() <= before  # none started (others may have ended)


def test_fresh_engine_starts_no_threads(pack: RulePack) -> None:
    before = threading.active_count()
    Engine(pack)
    assert threading.active_count() <= before  # none started (others may have ended)


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
    assert [f.rule for f in first.fire(0, values, function="f")] == [
        f.rule for f in second.fire(0, values, function="f")
    ]


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
            Not(Comparison("finding.x", "==", True)),
            Then(decide=taxonomy.Arrangement.SEPARATE_DISTINCT),
            "decision",
        ),
        _rule("d.with-x", Comparison("finding.x", "==", True),
              Then(decide=taxonomy.Arrangement.ONE_TEAM), "decision"),
    ]
    pack = RulePack.from_rules(rules, name="negation")
    portfolio = taxonomy.load_portfolio(Path(__file__).resolve().parents[1] / "examples/nhs_joint_working_2018.yaml")
    rec = taxonomy.classify_function(portfolio, "it", rules=pack)
    assert rec.arrangement is taxonomy.Arrangement.ONE_TEAM
    assert "d.without-x" not in [f.rule for f in rec.explanation.fired]
