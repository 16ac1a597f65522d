"""The compiled pack: its extractor computes facts as ``Facts.values`` does, its cases only join
functions the rules cannot tell apart, and a text the rules only test for presence is no case
of its own."""

from __future__ import annotations

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

import taxonomy
from taxonomy._model import format_value
from taxonomy.language.compiled import _Because, compile_pack
from taxonomy.language.durable import engine_for
from taxonomy.language.rules import RulePack, fill_because
from taxonomy.language.semantics import ReferenceBackend, decide
from taxonomy.testing.strategies import portfolios

PACKS = [taxonomy.load_rules(), taxonomy.load_rules("examples/packs/councils")]


@settings(max_examples=60, deadline=None)
@given(portfolios(max_functions=8, max_bodies=4))
def test_the_extractor_gives_the_values_facts_values_gives(portfolio: taxonomy.Portfolio) -> None:
    pack = taxonomy.load_rules()
    compiled = compile_pack(pack)
    for fn in portfolio.functions:
        if fn.unknowns:
            continue
        _, values = compiled.extract(fn, portfolio)
        full = pack.facts.values(fn, portfolio)
        assert values == {name: value for name, value in full.items() if name in compiled.facts}


@settings(max_examples=60, deadline=None)
@given(portfolios(max_functions=10, max_bodies=4))
def test_functions_of_one_case_are_decided_alike_by_the_reference_semantics(
    portfolio: taxonomy.Portfolio,
) -> None:
    # A case may only join functions whose rules fire alike and derive the same findings.
    for pack in PACKS:
        compiled = compile_pack(pack)
        backend = ReferenceBackend(pack)
        seen: dict[tuple[object, ...], object] = {}
        for fn in portfolio.functions:
            if fn.unknowns:
                continue
            key, values = compiled.extract(fn, portfolio)
            decided, _ = decide(pack, values, backend=backend, function=fn.id)
            outcome = ([r.id for r in decided.fired], decided.findings, decided.arrangement)
            assert seen.setdefault(key, outcome) == outcome


def test_a_reason_worded_differently_is_not_a_case_of_its_own(nhs: taxonomy.Portfolio) -> None:
    pack = RulePack.from_rules(taxonomy.load_rules().rules, name="reasons")
    fn = nhs.functions[0]
    worded = attrs.evolve(
        nhs,
        functions=tuple(
            attrs.evolve(fn, id=f"f{i}", legal=attrs.evolve(fn.legal, separate_reason=f"law {i}"))
            for i in range(50)
        ),
        governance=taxonomy.Governance(),
    )
    engine = engine_for(pack)
    taxonomy.classify(attrs.evolve(worded, functions=worded.functions[:1]), rules=pack)
    before = engine.calls
    result = taxonomy.classify(worded, rules=pack)
    assert engine.calls == before  # one case: decided once, for the first function
    reasons = [r.explanation.capped_by[0].because for r in result]
    assert reasons == [f"of a legal reason the portfolio gives: law {i}" for i in range(50)]


_WORDS = st.sampled_from(["a", "b", " a ", "c", "{", "}", "because ", "x{y"])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(_WORDS, _WORDS.map(lambda w: "{" + w + "}")), max_size=8).map("".join),
    st.dictionaries(
        st.sampled_from(["a", "b", "c"]),
        st.none() | st.text(max_size=5) | st.integers(0, 1500).map(lambda n: "v" * n),
    ),
)
def test_a_because_split_once_fills_as_fill_because_does(
    template: str, values: dict[str, object]
) -> None:
    # Facts a and b are read (c is not: its placeholder stays); long values are shortened.
    reads = ("a", "b")
    shown = {fact: format_value(values.get(fact)) for fact in reads}
    assert _Because(template, reads).fill(values) == fill_because(template, shown.get)


def test_every_shipped_rule_explains_itself_as_fill_because_does(nhs: taxonomy.Portfolio) -> None:
    for pack in PACKS:
        compiled = compile_pack(pack)
        for rule in pack.rules:
            values = {fact: "x" * 1200 for fact in rule.reads()}
            shown = {fact: format_value(values.get(fact)) for fact in rule.reads()}
            node = compiled.firing(rule, values)
            assert node.because == fill_because(rule.because, shown.get)
