"""Resolution: decisions, caps, leads, conflicts and gaps."""

from __future__ import annotations

import attrs
import pytest

import taxonomy
from taxonomy import Arrangement, EngineError, Level
from taxonomy.language.rules import AllOf, FactTest, Rule, RulePack, Then


def _rule(rule_id: str, question: str, then: Then, *, when=None, priority: int = 0) -> Rule:  # type: ignore[no-untyped-def]
    return Rule(rule_id, question, when or AllOf(()), then, "b", ("simple",), "test", priority)


def test_equal_priority_decisions_that_differ_are_a_conflict(nhs: taxonomy.Portfolio) -> None:
    pack = RulePack.from_rules(
        [
            _rule("d.a", "decision", Then(decide=Arrangement.ONE_TEAM), priority=5),
            _rule("d.b", "decision", Then(decide=Arrangement.ALIGNED), priority=5),
            _rule("l.x", "legal", Then(lead="performed_by")),
        ]
    )
    with pytest.raises(
        EngineError,
        match=r"function 'clinical-programmes': conflict on 'decide'.*d\.a \(one_team\).*d\.b \(aligned\)",
    ):
        taxonomy.classify(nhs, rules=pack)


def test_equal_priority_same_conclusion_is_no_conflict(nhs: taxonomy.Portfolio) -> None:
    pack = RulePack.from_rules(
        [
            _rule("d.a", "decision", Then(decide=Arrangement.ALIGNED), priority=5),
            _rule("d.b", "decision", Then(decide=Arrangement.ALIGNED), priority=5),
        ]
    )
    rec = taxonomy.classify(nhs, rules=pack)["it"]
    assert rec.arrangement is Arrangement.ALIGNED
    assert rec.explanation.decided_by.rule == "d.a"  # ties broken by id, never file order


def test_no_decision_is_a_gap(nhs: taxonomy.Portfolio) -> None:
    pack = RulePack.from_rules(
        [
            _rule(
                "d.only-national-never",
                "decision",
                Then(decide=Arrangement.ALIGNED),
                when=FactTest("function.level", "==", "local"),
            ),
        ]
    )
    with pytest.raises(EngineError, match="no decision rule fired: the pack has a gap"):
        taxonomy.classify(nhs, rules=pack)


def test_separate_arrangement_without_lead_is_an_error(nhs: taxonomy.Portfolio) -> None:
    pack = RulePack.from_rules(
        [_rule("d.x", "decision", Then(decide=Arrangement.SEPARATE_DISTINCT))]
    )
    with pytest.raises(EngineError, match="needs a lead body, but no lead rule fired"):
        taxonomy.classify(nhs, rules=pack)


def test_joint_lead_gives_way_in_a_separate_arrangement(nhs: taxonomy.Portfolio) -> None:
    pack = RulePack.from_rules(
        [
            _rule("d.x", "decision", Then(decide=Arrangement.SEPARATE_INVOLVED)),
            _rule("l.joint", "decision", Then(lead="joint"), priority=9),
            _rule("l.cap", "capability", Then(lead="performed_by"), priority=1),
        ]
    )
    fn = nhs.function("financial-recovery")
    # Not a duty each body holds for itself (then nobody leads a separate arrangement).
    stronger = attrs.evolve(
        fn,
        legal=attrs.evolve(fn.legal, held_by_each=()),
        capability=taxonomy.Capability({"nhse": "medium", "nhsi": "high"}),
    )
    rec = taxonomy.classify(nhs.with_function(stronger), rules=pack)["financial-recovery"]
    assert rec.lead == "nhsi"
    assert rec.explanation.lead_by.rule == "l.cap"
    assert any("l.joint asks for a joint lead" in n for n in rec.explanation.notes)


def test_joint_lead_stands_in_one_team(nhs: taxonomy.Portfolio) -> None:
    pack = RulePack.from_rules(
        [
            _rule("d.x", "decision", Then(decide=Arrangement.ONE_TEAM)),
            _rule("l.joint", "decision", Then(lead="joint"), priority=9),
        ]
    )
    assert taxonomy.classify(nhs, rules=pack)["it"].lead is None


def test_most_capable_leads_and_ties_stay_undecided(nhs: taxonomy.Portfolio) -> None:
    fn = nhs.function("financial-recovery")
    ahead = attrs.evolve(fn, capability=taxonomy.Capability({"nhse": "high", "nhsi": "medium"}))
    assert taxonomy.classify(nhs.with_function(ahead))["financial-recovery"].lead == "nhse"
    tied = attrs.evolve(fn, capability=taxonomy.Capability({"nhse": "medium", "nhsi": "medium"}))
    rec = taxonomy.classify(nhs.with_function(tied))["financial-recovery"]
    assert rec.lead is None and rec.tied == ("nhse", "nhsi") and rec.lead_status == "tie"
    assert rec.lead_text == "undecided between nhse and nhsi (tie)"
    assert "agreed_lead" in rec.explanation.notes[0]
    assert rec.to_dict()["lead_status"] == "tie" and rec.to_dict()["tied"] == ["nhse", "nhsi"]
    # Listing order never decides: reversing the bodies gives the same tie, not another lead.
    swapped = attrs.evolve(nhs, organisations=tuple(reversed(nhs.organisations)))
    again = taxonomy.classify(swapped.with_function(tied))["financial-recovery"]
    assert again.lead is None and set(again.tied) == {"nhse", "nhsi"}


def test_the_lead_obeys_the_law(nhs: taxonomy.Portfolio) -> None:
    fn = attrs.evolve(
        nhs.function("financial-recovery"),
        capability=taxonomy.Capability({"nhse": "high", "nhsi": "medium"}),
        legal=taxonomy.Legal(),
    )  # nhse more capable
    independent = attrs.evolve(fn, legal=taxonomy.Legal(independence_from=("nhse",)))
    rec = taxonomy.classify(nhs.with_function(independent))["financial-recovery"]
    assert rec.lead == "nhsi"  # never the body it must be independent of
    only = attrs.evolve(fn, legal=taxonomy.Legal(delegable_to=("nhsi",)))
    assert taxonomy.classify(nhs.with_function(only))["financial-recovery"].lead == "nhsi"
    with pytest.raises(ValueError, match="independent of every body"):
        attrs.evolve(fn, performed_by=("nhse",), legal=taxonomy.Legal(independence_from=("nhse",)))
    with pytest.raises(ValueError, match="agreed lead 'nhse' breaks the law"):
        attrs.evolve(independent, agreed_lead="nhse")


def test_the_strictest_cap_wins_and_is_cited(nhs: taxonomy.Portfolio) -> None:
    fn = nhs.function("it")
    legal = taxonomy.Legal(not_delegable_to=("another_body",), independence_from=("nhsi",))
    rec = taxonomy.classify(nhs.with_function(attrs.evolve(fn, legal=legal)))["it"]
    assert rec.arrangement is Arrangement.SEPARATE_INVOLVED
    assert [f.rule for f in rec.explanation.capped_by] == ["legal.independence"]
    assert "legal.own-employees-only" in [f.rule for f in rec.explanation.fired]
    reason = attrs.evolve(legal, separate_reason="a statute says so")
    rec = taxonomy.classify(nhs.with_function(attrs.evolve(fn, legal=reason)))["it"]
    assert rec.arrangement is Arrangement.SEPARATE_DISTINCT
    assert [f.rule for f in rec.explanation.capped_by] == ["legal.separate-for-legal-reason"]
    assert "a statute says so" in rec.explanation.capped_by[0].because


def test_a_cap_above_the_decision_caps_nothing(nhs: taxonomy.Portfolio) -> None:
    weak = attrs.evolve(
        nhs.function("procurement-complaints"),
        efficiency=taxonomy.Efficiency("low", "low"),
        effectiveness=taxonomy.Effectiveness("low"),
    )  # decided separate, and the independence cap is no stricter
    rec = taxonomy.classify(nhs.with_function(weak))["procurement-complaints"]
    assert rec.arrangement is Arrangement.SEPARATE_INVOLVED
    assert rec.explanation.capped_by == ()


def test_classification_is_indexable_and_iterable(nhs: taxonomy.Portfolio) -> None:
    result = taxonomy.classify(nhs)
    assert len(result) == len(nhs.functions)
    assert [r.function for r in result] == [f.id for f in nhs.functions]
    assert "pricing" in result and "nope" not in result
    with pytest.raises(KeyError):
        result["nope"]


def test_explain_text_names_rules_answers_and_sources(nhs: taxonomy.Portfolio) -> None:
    fn = attrs.evolve(nhs.function("it"), legal=taxonomy.Legal(independence_from=("nhsi",)))
    text = taxonomy.classify(nhs.with_function(fn))["it"].explain()
    assert "Decided by:" in text and "decision.one-team" in text
    assert "Capped by legal constraint:" in text and "legal.independence" in text
    assert "legal.independence_from = nhsi" in text
    assert "board paper para 8" in text
    text = taxonomy.classify(nhs)["it"].explain()
    # The derivation tree: the findings the decision read, under it.
    assert "efficiency.high: finding efficiency = high" in text


def test_finding_values_resolved_by_priority(nhs: taxonomy.Portfolio) -> None:
    fn = attrs.evolve(nhs.function("strategy"), efficiency=taxonomy.Efficiency("high", "medium"))
    rec = taxonomy.classify(nhs.with_function(fn))["strategy"]
    fired = [f.rule for f in rec.explanation.fired]
    assert "efficiency.high" in fired and "efficiency.medium" in fired
    assert dict(rec.explanation.findings)["efficiency"] is taxonomy.Level.HIGH


def test_level_answers_accept_names_and_levels() -> None:
    assert taxonomy.Efficiency("high", Level.LOW).duplication is Level.HIGH
    with pytest.raises(ValueError, match="not a level"):
        taxonomy.Efficiency("hgh", "low")


def test_unknown_function_ids_raise_the_librarys_own_key_error(nhs: taxonomy.Portfolio) -> None:
    result = taxonomy.classify(nhs)
    for lookup in (lambda: result["pricng"], lambda: nhs.function("pricng"),
                   lambda: taxonomy.classify_function(nhs, "pricng")):  # fmt: skip
        with pytest.raises(taxonomy.UnknownIdError) as info:
            lookup()
        assert isinstance(info.value, KeyError)
        assert "no function 'pricng'" in str(info.value)
        assert "(did you mean 'pricing'?)" in str(info.value)
