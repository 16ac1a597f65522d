"""The semantics of the rule language (taxonomy.language.semantics), and durable-rules pinned to it.

The differential test generates whole packs (every operator on every fact type, absent optional
facts, negation, findings read across several strata, caps, leads, priorities that conflict) and
answers, and requires durable-rules' derivation to equal the reference semantics' exactly.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pytest
from hypothesis import Phase, assume, given, settings
from hypothesis import strategies as st

import taxonomy
from taxonomy import Arrangement, Level
from taxonomy.language.durable import Engine
from taxonomy.language.facts import FactType
from taxonomy.language.rules import AllOf, AnyOf, Condition, FactTest, Not, Rule, RulePack, Then
from taxonomy.language.semantics import (
    ReferenceBackend,
    derive,
    holds,
    lead_by_source,
)
from taxonomy.testing import verify
from taxonomy.testing.verify import check_pack
from tests.conftest import NHS

BODIES = ("b1", "b2", "b3")

# Generated packs are large; hypothesis warns when it prints one. Only on failure, and then useful.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")


def _rule(
    rule_id: str, when: Condition, then: Then, question: str = "efficiency", priority: int = 0
) -> Rule:
    return Rule(rule_id, question, when, then, "because", ("simple",), "test", priority)


# -- holds, branch by branch ------------------------------------------------------------------------

DUP = "efficiency.duplication"


@pytest.mark.parametrize(
    ("op", "literal", "expected"),
    [
        ("==", "medium", True), ("==", "high", False),
        ("!=", "high", True), ("!=", "medium", False),
        ("<", "high", True), ("<", "medium", False),
        ("<=", "medium", True), ("<=", "low", False),
        (">", "low", True), (">", "medium", False),
        (">=", "medium", True), (">=", "high", False),
    ],
)  # fmt: skip
def test_each_ordering_operator_on_levels(op: str, literal: str, expected: bool) -> None:
    assert holds(FactTest(DUP, op, literal), {DUP: Level.MEDIUM}) is expected


def test_in_takes_a_list_of_literals_of_the_facts_type() -> None:
    assert holds(FactTest(DUP, "in", ("low", "medium")), {DUP: Level.MEDIUM})
    assert not holds(FactTest(DUP, "in", ("high",)), {DUP: Level.MEDIUM})
    owner = "agreed_lead"
    assert holds(FactTest(owner, "in", ("b1", "b2")), {owner: "b2"})
    assert not holds(FactTest(owner, "in", ("b1",)), {owner: "b2"})


def test_an_absent_fact_passes_only_not_equal_and_fails_present() -> None:
    owner = "agreed_lead"
    assert holds(FactTest(owner, "!=", "b1"), {})
    for op in ("==", "in"):
        value = ("b1",) if op == "in" else "b1"
        assert not holds(FactTest(owner, op, value), {})
    assert not holds(FactTest(owner, "present"), {})
    assert holds(FactTest(owner, "present"), {owner: "b1"})
    # ... so its negation holds: not (owner == b1) is true when there is no owner.
    assert holds(Not(FactTest(owner, "==", "b1")), {})


def test_booleans_counts_and_lists_compare_as_numbers() -> None:
    values = {"legal.board_reserved": True, "performed_by.count": 2, "performed_by": ("a", "b")}
    assert holds(FactTest("legal.board_reserved", "==", True), values)
    assert not holds(FactTest("legal.board_reserved", "!=", True), values)
    assert holds(FactTest("performed_by.count", ">", 1), values)
    assert holds(FactTest("performed_by", "present"), values)


def test_literals_follow_the_facts_type_not_their_spelling() -> None:
    # A count compared with the text "high" is not read as the level high (rank 3).
    assert not holds(FactTest("performed_by.count", "==", "high"), {"performed_by.count": 3})


def test_empty_all_is_true_and_logic_composes() -> None:
    values = {DUP: Level.LOW}
    assert holds(AllOf(()), values)
    high, low = FactTest(DUP, "==", "high"), FactTest(DUP, "==", "low")
    assert holds(AnyOf((high, low)), values) and not holds(AllOf((high, low)), values)
    assert holds(Not(high), values)


def test_findings_are_typed_by_the_pack() -> None:
    pack = taxonomy.load_rules()
    values = {"finding.efficiency": Level.HIGH}
    assert holds(FactTest("finding.efficiency", ">=", "medium"), values, pack.fact_type)
    with pytest.raises(KeyError):  # outside a pack, only answers have types
        holds(FactTest("finding.efficiency", ">=", "medium"), values)


# -- resolution -----------------------------------------------------------------------------------


def _pack(*rules: Rule) -> RulePack:
    return RulePack.from_rules(rules, name="resolution")


ALWAYS = AllOf(())


def test_the_highest_priority_decides_and_the_legal_cap_is_not_overridden() -> None:
    pack = _pack(
        _rule("d.low", ALWAYS, Then(decide=Arrangement.SEPARATE_DISTINCT), "decision", 0),
        _rule("d.high", ALWAYS, Then(decide=Arrangement.ONE_TEAM), "decision", 5),
        _rule("l.cap", ALWAYS, Then(cap=Arrangement.ALIGNED), "legal"),
    )
    d = derive(pack, {}, backend=ReferenceBackend(pack))
    assert d.decided_by is not None and d.decided_by.id == "d.high"
    assert d.arrangement is Arrangement.ALIGNED
    assert [r.id for r in d.capped_by] == ["l.cap"]
    assert d.conflicts == () and d.gap is None


def test_equal_priorities_that_disagree_are_a_conflict_and_the_lowest_id_is_followed() -> None:
    pack = _pack(
        _rule("q.b", ALWAYS, Then(finding="x", value=Level.LOW)),
        _rule("q.a", ALWAYS, Then(finding="x", value=Level.HIGH)),
        _rule("d.one", ALWAYS, Then(decide=Arrangement.ONE_TEAM), "decision"),
        _rule("d.two", ALWAYS, Then(decide=Arrangement.ALIGNED), "decision"),
    )
    d = derive(pack, {}, backend=ReferenceBackend(pack))
    assert [c.on for c in d.conflicts] == ["finding x", "decide"]
    assert dict(d.findings)["x"] is Level.HIGH  # q.a, the lowest id
    assert d.arrangement is Arrangement.ONE_TEAM
    assert "q.a (high) at rule q.a, q.b (low) at rule q.b" in d.conflicts[0].message
    with pytest.raises(taxonomy.EngineError, match="conflict on 'finding x'"):
        d.check("f")


def test_no_decision_and_no_lead_are_gaps() -> None:
    pack = _pack(_rule("d.never", FactTest(DUP, "==", "high"), Then(decide=Arrangement.ALIGNED),
                       "decision"),
                 _rule("d.apart", FactTest(DUP, "==", "low"),
                       Then(decide=Arrangement.SEPARATE_INVOLVED), "decision"))  # fmt: skip
    backend = ReferenceBackend(pack)
    none = derive(pack, {DUP: Level.NONE}, backend=backend)
    assert none.gap is not None and none.gap.kind == "decision"
    apart = derive(pack, {DUP: Level.LOW}, backend=backend)
    assert apart.gap is not None and apart.gap.kind == "lead"
    with pytest.raises(taxonomy.EngineError, match="needs a lead body"):
        apart.check("f")


def test_a_joint_lead_gives_way_in_a_separate_arrangement() -> None:
    pack = _pack(
        _rule("d.apart", ALWAYS, Then(decide=Arrangement.SEPARATE_INVOLVED), "decision"),
        _rule("l.joint", ALWAYS, Then(lead="joint"), "decision", 5),
        _rule("l.performers", ALWAYS, Then(lead="performed_by"), "decision", 1),
    )
    d = derive(pack, {"performed_by": ("b1",)}, backend=ReferenceBackend(pack))
    assert d.lead == "performed_by" and d.lead_by is not None and d.lead_by.id == "l.performers"
    assert any("asks for a joint lead" in note for note in d.notes)


# -- durable-rules pinned to the semantics, on generated packs ------------------------------------

LITERALS: dict[str, Any] = {
    "level": st.sampled_from(Level.names()),
    "bool": st.booleans(),
    "count": st.integers(0, 4),
    "choice": st.sampled_from(["national", "regional", "local"]),
    "body": st.sampled_from(BODIES),
}


@st.composite
def comparisons(draw: st.DrawFn, facts: dict[str, FactType]) -> FactTest:
    fact = draw(st.sampled_from(sorted(facts)))
    ftype = facts[fact]
    op = draw(st.sampled_from(ftype.operators))
    if op == "present":
        return FactTest(fact, op)
    literal = LITERALS[ftype.name]
    if op == "in":
        return FactTest(
            fact, op, tuple(draw(st.lists(literal, min_size=1, max_size=3, unique=True)))
        )
    return FactTest(fact, op, draw(literal))


class _Facts(dict[str, FactType]):
    """Facts and their types, named in a strategy's repr by their number.

    hypothesis spells out a recursive strategy's repr when it validates it, the first time it
    is drawn from: its base's repr with every fact and type in full cost more than the rest.
    """

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(f"<{len(self)} facts>")


_CONDITIONS: dict[tuple[tuple[str, FactType], ...], st.SearchStrategy[Condition]] = {}


def conditions(facts: dict[str, FactType]) -> st.SearchStrategy[Condition]:
    """Conditions on ``facts`` (a copy: the caller's grows): one strategy per set of facts.

    Made once, not at each draw: hypothesis validates a recursive strategy the first time it
    is drawn from, which made up most of what generating a pack cost.
    """
    key = tuple(sorted(facts.items()))
    if key not in _CONDITIONS:
        _CONDITIONS[key] = _conditions(_Facts(facts))
    return _CONDITIONS[key]


def _conditions(facts: dict[str, FactType]) -> st.SearchStrategy[Condition]:
    return st.recursive(
        comparisons(facts),
        lambda inner: (
            st.lists(inner, max_size=3).map(lambda ps: AllOf(tuple(ps)))
            | st.lists(inner, min_size=1, max_size=3).map(lambda ps: AnyOf(tuple(ps)))
            | inner.map(Not)
        ),
        max_leaves=6,
    )


ANSWER_TYPES = {f.name: f.type for f in taxonomy.load_rules().facts if f.type.operators}
LEVEL_ANSWERS = sorted(n for n, t in ANSWER_TYPES.items() if t.name == "level")


@st.composite
def packs(draw: st.DrawFn) -> RulePack:
    """Findings in up to three layers (each may read the layers before it), then caps, decisions
    and leads reading any of them; priorities from a small range, so conflicts happen."""
    facts = dict(ANSWER_TYPES)
    rules: list[Rule] = []
    priority = st.integers(0, 2)
    for layer in range(draw(st.integers(1, 3))):
        names = [f"l{layer}x{i}" for i in range(draw(st.integers(1, 2)))]
        typed: dict[str, FactType] = {}
        for name in names:
            kind = draw(st.sampled_from(["level", "bool", "copy"]))
            for k in range(draw(st.integers(1, 2))):
                if kind == "level":
                    value: Any = draw(st.sampled_from(list(Level)))
                elif kind == "bool":
                    value = draw(st.booleans())
                else:
                    value = draw(st.sampled_from(LEVEL_ANSWERS))
                when = draw(conditions(facts))
                rules.append(_rule(f"q.{name}.{k}", when, Then(finding=name, value=value),
                                   priority=draw(priority)))  # fmt: skip
            typed[name] = ANSWER_TYPES["legal.board_reserved" if kind == "bool" else DUP]
        facts.update({f"finding.{n}": t for n, t in typed.items()})
    for k in range(draw(st.integers(0, 2))):
        cap = draw(st.sampled_from(list(Arrangement)))
        rules.append(_rule(f"legal.c{k}", draw(conditions(facts)), Then(cap=cap), "legal"))
    for k in range(draw(st.integers(1, 3))):
        decide = draw(st.sampled_from(list(Arrangement)))
        rules.append(_rule(f"d.{k}", draw(conditions(facts)), Then(decide=decide), "decision",
                           draw(priority)))  # fmt: skip
    for k in range(draw(st.integers(0, 2))):
        lead = draw(st.sampled_from(["joint", "performed_by", "organisations"]))
        rules.append(_rule(f"lead.{k}", draw(conditions(facts)), Then(lead=lead), "decision",
                           draw(priority)))  # fmt: skip
    return RulePack.from_rules(rules, name="generated")


@st.composite
def answers(draw: st.DrawFn) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, ftype in ANSWER_TYPES.items():
        if ftype.optional and name != "performed_by" and draw(st.booleans()):
            continue  # absent
        if ftype.name == "bodies":
            values[name] = tuple(draw(st.lists(st.sampled_from(BODIES), min_size=1, unique=True)))
        elif ftype.name == "level":
            values[name] = draw(st.sampled_from(list(Level)))
        elif ftype.name == "body":
            values[name] = draw(st.sampled_from(BODIES))
        elif ftype.name == "bool":
            values[name] = draw(st.booleans())
        elif ftype.name == "text":
            values[name] = draw(st.sampled_from(["a reason", "another reason"]))
        else:
            values[name] = draw(LITERALS[ftype.name])
    return values


@settings(max_examples=200)
@given(packs(), st.lists(answers(), min_size=1, max_size=4))
def test_durable_rules_derives_exactly_what_the_semantics_say(
    pack: RulePack, cases: list[dict[str, Any]]
) -> None:
    engine, reference = Engine(pack), ReferenceBackend(pack)
    for values in cases:
        expected = derive(pack, values, backend=reference, function="f")
        got = derive(pack, values, backend=engine, function="f")
        assert got == expected, (values, [r.id for r in expected.fired])


def test_a_finding_no_rule_derived_is_absent_on_durable_rules_too() -> None:
    # Found by the differential test: durable-rules compiled `not finding.x == none` without the
    # absent case, so the rule failed where the semantics say it holds (x was never derived).
    pack = _pack(
        _rule("q.x", FactTest("capability.gap", "==", 0), Then(finding="x", value=Level.NONE)),
        _rule("d.unless-none", Not(FactTest("finding.x", "==", "none")),
              Then(decide=Arrangement.ONE_TEAM), "decision"),
        _rule("d.else", ALWAYS, Then(decide=Arrangement.SEPARATE_DISTINCT), "decision", -1),
        _rule("lead.any", ALWAYS, Then(lead="organisations"), "decision"),
    )  # fmt: skip
    values = {"capability.gap": 1}
    engine = Engine(pack)
    assert engine.fire(1, values, function="f") == ["d.unless-none"]
    d = derive(pack, values, backend=engine)
    assert d.arrangement is Arrangement.ONE_TEAM
    assert d == derive(pack, values, backend=ReferenceBackend(pack))


def test_the_generated_packs_reach_what_they_must() -> None:
    """The generator is not vacuous: it reaches several strata, conflicts, gaps and every
    operator, measured over a fixed sample."""
    from hypothesis import find
    from hypothesis.errors import NoSuchExample

    # Each only has to be found, not made minimal: no shrinking (shrinking generated packs took
    # minutes), no example database, and the same sample every run (derandomised), of at most
    # 2,000 tries each.
    only_find = settings(
        max_examples=2000, phases=[Phase.generate], database=None, derandomize=True
    )
    for op in ("==", "!=", "<", "<=", ">", ">=", "in", "present"):
        found = find(comparisons(ANSWER_TYPES), lambda c, op=op: c.op == op, settings=only_find)
        assert found.op == op
    # One sample of packs and answers for the three, so each pack is generated once.
    wanted = {"three strata", "a conflict", "a gap"}
    reached: set[str] = set()

    def reaches_all(case: tuple[RulePack, dict[str, Any]]) -> bool:
        generated, values = case
        derivation = derive(generated, values, backend=ReferenceBackend(generated))
        if len(generated.strata) >= 3:
            reached.add("three strata")
        if derivation.conflicts:
            reached.add("a conflict")
        if derivation.gap is not None:
            reached.add("a gap")
        return reached == wanted

    try:
        find(st.tuples(packs(), answers()), reaches_all, settings=only_find)
    except NoSuchExample:
        pytest.fail(f"the generated packs never reach {sorted(wanted - reached)}")


# -- one resolver for classify and rules check ----------------------------------------------------


def test_classify_and_rules_check_derive_alike(pack: RulePack) -> None:
    """Every NHS function's recommendation is what derive gives on its answers."""
    portfolio = taxonomy.load_portfolio(NHS)
    result = taxonomy.classify(portfolio, rules=pack)
    backend = ReferenceBackend(pack)
    for fn in portfolio.functions:
        d = derive(
            pack, pack.facts.values(fn, portfolio), backend=backend, choose_lead=lead_by_source
        )
        rec = result[fn.id]
        assert d.arrangement is rec.arrangement
        assert [r.id for r in d.fired] == [f.rule for f in rec.explanation.fired]
        assert d.findings == rec.explanation.findings


@settings(max_examples=60)
@given(packs())
def test_rules_check_finds_on_a_combination_of_each_class_what_every_combination_gives(
    pack: RulePack,
) -> None:
    """``check_pack`` derives one combination of each class of answers the rules cannot tell
    apart: its report (issues, the example of each, the count) is the one every combination
    gives, on generated packs (copied findings, absent facts, leads the law may bar)."""
    read = verify._read(pack)
    dims = verify._dimensions(pack, read)
    assume(math.prod(map(len, dims)) <= 5_000)  # every combination derived: keep it quick
    every = verify._Found(read)
    count = every.enumerate(pack, verify._each(dims), ReferenceBackend(pack))
    report = check_pack(pack)
    assert (report.combinations, report.issues) == (count, every.report(pack))


def test_rules_check_derives_one_combination_of_each_class_of_alike_answers() -> None:
    pack = _pack(
        _rule("d.a", FactTest(DUP, ">=", "medium"), Then(decide=Arrangement.ALIGNED), "decision"),
        _rule("d.b", FactTest(DUP, "<", "medium"), Then(decide=Arrangement.ONE_TEAM), "decision"),
    )
    dims = verify._dimensions(pack, verify._read(pack))
    assert verify._classes(pack, dims) == [[({DUP: Level.NONE}, 2), ({DUP: Level.MEDIUM}, 2)]]
    assert check_pack(pack).combinations == 4


def test_rules_check_reports_an_unused_finding_under_its_own_name() -> None:
    pack = _pack(
        _rule("q.first", ALWAYS, Then(finding="spare", value=True)),
        _rule("q.read", ALWAYS, Then(finding="read", value=True)),
        _rule("d.x", FactTest("finding.read", "==", True), Then(decide=Arrangement.ALIGNED),
              "decision"),
    )  # fmt: skip
    issues = [i for i in check_pack(pack).issues if i.kind == "unused finding"]
    assert [(i.rules, i.message) for i in issues] == [
        (("q.first",), "derives finding 'spare', which no rule reads")
    ]


@pytest.mark.parametrize("backend", ["reference", "durable-rules"])
def test_rules_check_says_which_backend_it_enumerated_with(backend: str) -> None:
    pack = _pack(
        _rule("d.a", FactTest(DUP, ">=", "medium"), Then(decide=Arrangement.ALIGNED), "decision"),
    )
    report = check_pack(pack, backend=backend)
    assert report.backend == backend and report.to_dict()["backend"] == backend
    assert [i.kind for i in report.issues] == ["gap"]  # none and low decide nothing
    assert report.combinations == 4


def test_holds_takes_levels_by_name_and_refuses_values_of_the_wrong_type() -> None:
    assert holds(FactTest(DUP, "==", "high"), {DUP: "high"})  # a level by name, as in files
    assert holds(FactTest(DUP, ">=", "medium"), {DUP: "high"})
    with pytest.raises(
        ValueError, match=re.escape("fact 'efficiency.duplication' is a level; 'hgh'")
    ):
        holds(FactTest(DUP, "==", "high"), {DUP: "hgh"})
    with pytest.raises(TypeError, match=re.escape("fact 'legal.board_reserved' is of type bool")):
        holds(FactTest("legal.board_reserved", "==", True), {"legal.board_reserved": "true"})
    with pytest.raises(
        taxonomy.UnknownIdError, match=re.escape("did you mean 'efficiency.duplication'")
    ):
        holds(FactTest("efficiency.duplicaton", "==", "high"), {})
    with pytest.raises(KeyError, match=re.escape("pass pack.fact_type")):
        holds(FactTest("finding.efficiency", "==", "high"), {})


def test_rules_check_examples_name_every_fact_read_absent_ones_too() -> None:
    pack = _pack(
        _rule("q.risk", FactTest("legal.statutory_owner", "present"),
              Then(finding="risk", value=Level.HIGH)),
        _rule("d.a", Not(FactTest("finding.risk", "==", "high")), Then(decide=Arrangement.ALIGNED),
              "decision"),
        _rule("d.b", Not(FactTest("finding.risk", "==", "high")), Then(decide=Arrangement.ONE_TEAM),
              "decision"),
        _rule("d.else", ALWAYS, Then(decide=Arrangement.ALIGNED), "decision", -1),
    )  # fmt: skip
    (conflict,) = [i for i in check_pack(pack).issues if i.kind == "conflict"]
    assert dict(conflict.example)["legal.statutory_owner"] == "(absent)"
