"""The compiled pack: its extractor computes facts as ``Facts.values`` does, its cases only join
functions the rules cannot tell apart, and a text the rules only test for presence is no case
of its own."""

from __future__ import annotations

import attrs
from hypothesis import given, settings

import taxonomy
from taxonomy.language.compiled import compile_pack
from taxonomy.language.durable import engine_for
from taxonomy.language.rules import RulePack
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
