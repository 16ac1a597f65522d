"""The compiled lookup against a fresh durable-rules evaluation, and the presence abstraction.

For random functions, and a twin of each that differs only where the default pack tests
presence (another ``separate_reason`` text, other bodies as statutory owner, delegate, agreed
lead or involved), the case the extractor gives joins the two; durable-rules asked afresh
(an engine that remembers nothing) decides both alike, and the compiled lookup gives what it
decides: the abstraction is sound, not just fast.
"""

from __future__ import annotations

from typing import Any

import attrs
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import taxonomy
from taxonomy import Function, Portfolio
from taxonomy.classification import classify_function, lead_by_capability
from taxonomy.errors import InputError
from taxonomy.language.compiled import compile_pack
from taxonomy.language.durable import Engine, engine_for
from taxonomy.language.rules import RulePack
from taxonomy.language.semantics import Decided, decide, derive
from taxonomy.testing.strategies import portfolios

PACK = taxonomy.load_rules()
_FRESH: dict[str, Engine] = {}


def _fresh(pack: RulePack) -> Engine:
    """An engine for ``pack`` that remembers nothing: durable-rules decides every call."""
    if pack.hash not in _FRESH:
        _FRESH[pack.hash] = Engine(pack, memo_size=0)
    return _FRESH[pack.hash]


def _outcome(decided: Decided) -> tuple[Any, ...]:
    return (
        tuple(rule.id for rule in decided.fired),
        decided.findings,
        decided.decided_by.id if decided.decided_by is not None else None,
        tuple(rule.id for rule in decided.capped_by),
        decided.arrangement,
    )


@st.composite
def _twin(draw: st.DrawFn, fn: Function, bodies: tuple[str, ...]) -> Function | None:
    """``fn`` with what the default pack only tests for presence drawn anew (None: invalid)."""
    legal = fn.legal
    some = st.lists(st.sampled_from(bodies), unique=True, min_size=1, max_size=2).map(tuple)
    changes: dict[str, Any] = {
        "separate_reason": draw(st.text(min_size=1, max_size=30).filter(str.strip))
        if legal.separate_reason
        else "",
        "statutory_owner": draw(some) if legal.statutory_owner else (),
        "delegable_to": draw(some) if legal.delegable_to else (),
    }
    try:
        return attrs.evolve(
            fn,
            legal=attrs.evolve(legal, **changes),
            agreed_lead=draw(st.sampled_from(bodies)) if fn.agreed_lead else None,
            involves=draw(some) if fn.involves else (),
        )
    except (InputError, ValueError):  # the model refuses the combination drawn
        return None


@settings(max_examples=60, deadline=None)
@given(portfolios(max_functions=6, max_bodies=4), st.data())
def test_the_lookup_agrees_with_a_fresh_durable_rules_run_and_twins_share_a_case(
    portfolio: Portfolio, data: st.DataObject
) -> None:
    compiled, memo = compile_pack(PACK), engine_for(PACK)
    bodies = portfolio.organisation_ids
    for fn in portfolio.functions:
        twin = data.draw(_twin(fn, bodies))
        assume(twin is not None)
        assert twin is not None
        key, values = compiled.extract(fn, portfolio)
        twin_key, twin_values = compiled.extract(twin, portfolio)
        # The default pack only asks whether these are there: the twin is the same case.
        assert twin_key == key
        fresh, _ = decide(PACK, values, backend=_fresh(PACK), function=fn.id)
        fresh_twin, _ = decide(PACK, twin_values, backend=_fresh(PACK), function=twin.id)
        assert _outcome(fresh_twin) == _outcome(fresh)
        if fresh.conflicts or fresh.gap is not None:
            continue
        looked_up = compiled.case(memo, key, values, function=fn.id).decided
        assert _outcome(looked_up) == _outcome(fresh)
        assert _outcome(compiled.case(memo, key, twin_values, function=twin.id).decided) == (
            _outcome(fresh)
        )


@settings(max_examples=40, deadline=None)
@given(
    portfolios(max_functions=5, max_bodies=4, rules=taxonomy.load_rules("examples/packs/councils"))
)
def test_classify_gives_what_a_fresh_durable_rules_derivation_gives(portfolio: Portfolio) -> None:
    # The whole recommendation (arrangement, lead, the rules that fired), for a second pack.
    pack = taxonomy.load_rules("examples/packs/councils")
    for fn in portfolio.functions:
        if fn.unknowns or fn.by_body:
            continue
        values = pack.facts.values(fn, portfolio)
        choose = lead_by_capability(portfolio, fn)
        fresh = derive(pack, values, backend=_fresh(pack), choose_lead=choose, function=fn.id)
        if fresh.conflicts or fresh.gap is not None:
            continue
        found = classify_function(portfolio, fn.id, rules=pack)
        assert (found.arrangement, found.lead or None, found.tied) == (
            fresh.arrangement,
            None if found.each_own else fresh.lead,
            () if found.each_own else fresh.tied,
        )
        assert [f.rule for f in found.explanation.fired] == [r.id for r in fresh.fired]


def test_the_long_lived_session_keeps_no_fact_or_event_between_cases(
    nhs: Portfolio,
) -> None:
    # Every case is asserted in one session per ruleset and retracted once its actions ran
    # (driven through durable-rules' C calls): nothing of one case is left for the next, and
    # each evaluation decides as the first one did.
    engine = Engine(PACK, memo_size=0)
    compiled = compile_pack(PACK)
    first = []
    for _ in range(2):
        outcomes = []
        for fn in nhs.functions:
            _, values = compiled.extract(fn, nhs)
            outcomes.append(_outcome(decide(PACK, values, backend=engine, function=fn.id)[0]))
        first = first or outcomes
        assert outcomes == first
    sid = str(engine._session)
    for name in engine._names:
        assert engine._host.get_facts(name, sid) == []
        assert engine._host.get_pending_events(name, sid) == []
    assert engine.live_sessions() <= engine.strata
