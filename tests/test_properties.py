"""The semantics the default pack must satisfy, as hypothesis properties (board paper para 8)."""

from __future__ import annotations

import attrs
from hypothesis import assume, given
from hypothesis import strategies as st

import taxonomy
from taxonomy import Arrangement, Effectiveness, Efficiency, Legal, Level
from taxonomy.testing.invariants import determinism, explanation_faithfulness, totality
from taxonomy.testing.strategies import bodies, functions, levels, portfolios

PACK = taxonomy.load_rules()


def _one(portfolio: taxonomy.Portfolio, fn: taxonomy.Function) -> taxonomy.Recommendation:
    return taxonomy.classify(attrs.evolve(portfolio, functions=(fn,)), rules=PACK)[fn.id]


@st.composite
def portfolio_and_function(
    draw: st.DrawFn, **kwargs: object
) -> tuple[taxonomy.Portfolio, taxonomy.Function]:
    portfolio = draw(portfolios(max_functions=1))
    ids = portfolio.organisation_ids
    fn = draw(functions(ids, **kwargs))  # type: ignore[arg-type]
    return attrs.evolve(portfolio, functions=(fn,)), fn


@given(portfolios(max_functions=12))
def test_totality_and_determinism(portfolio: taxonomy.Portfolio) -> None:
    """One recommendation per function, and the same input gives the same JSON.

    Two properties of the same generated portfolios (up to twelve functions), checked on each:
    generating them (the public strategy) costs more than either check.
    """
    assert len(taxonomy.classify(portfolio, rules=PACK)) == len(portfolio.functions)
    assert totality(PACK, portfolio) == []
    assert taxonomy.classify(portfolio, rules=PACK).rule_pack == PACK.identity
    assert determinism(PACK, portfolio) == []


@given(portfolio_and_function())
def test_every_separate_arrangement_names_a_lead(case: tuple) -> None:
    """A separate arrangement names a lead, or the bodies tied for it; the law is obeyed."""
    portfolio, fn = case
    rec = _one(portfolio, fn)
    if rec.each_own:  # a duty each body holds for itself: each does its own, nobody leads
        assert rec.lead is None and not rec.tied
        assert set(rec.each_own) <= set(fn.performed_by)
    elif rec.arrangement.separate:
        assert rec.lead_candidates
    assert len(rec.tied) != 1 and not (rec.lead and rec.tied)
    for body in rec.lead_candidates:
        assert body in portfolio.organisation_ids
        assert fn.legal.may_lead(body), (body, fn.legal)
    if fn.agreed_lead is not None and not rec.each_own:
        assert rec.lead == fn.agreed_lead


@given(portfolio_and_function(), st.data())
def test_legal_dominance(case: tuple, data: st.DataObject) -> None:
    """No efficiency or effectiveness answer overrides a legal constraint."""
    portfolio, fn = case
    rec = _one(portfolio, fn)
    other = attrs.evolve(
        fn,
        efficiency=Efficiency(data.draw(levels()), data.draw(levels())),
        effectiveness=Effectiveness(data.draw(levels())),
    )
    rec2 = _one(portfolio, other)
    # The legal caps depend on the legal answers alone, so they are the same for both.
    if fn.legal.separate_reason:
        assert rec.arrangement is rec2.arrangement is Arrangement.SEPARATE_DISTINCT
    # Independence from a body that would share the arrangement: one that carries the function
    # out too, or any body when only one does (its arrangement is with every other body).
    shares = set(fn.legal.independence_from) & set(fn.performed_by) or len(fn.performed_by) == 1
    if fn.legal.independence_from and shares:
        assert rec2.arrangement >= Arrangement.SEPARATE_INVOLVED
    if "another_body" in fn.legal.not_delegable_to and len(fn.performed_by) > 1:
        assert rec2.arrangement >= Arrangement.ALIGNED
    # A lead required by law (or agreed) is the same whatever the other answers say, wherever
    # a lead is named at all: a duty each body holds for itself, run separately, has none.
    if rec.each_own or rec2.each_own:
        assert all(r.lead is None and not r.tied for r in (rec, rec2) if r.each_own)
    elif fn.agreed_lead is not None:
        assert rec.lead == rec2.lead == fn.agreed_lead
    elif fn.legal.delegable_to:
        assert set(rec.lead_candidates) <= set(fn.legal.delegable_to)
        assert rec.lead_candidates == rec2.lead_candidates
    elif fn.legal.statutory_owner and any(fn.legal.may_lead(b) for b in fn.legal.statutory_owner):
        assert set(rec.lead_candidates) <= set(fn.legal.statutory_owner)
        assert rec.lead_candidates == rec2.lead_candidates


def _raise(level: Level) -> Level:
    return Level(min(int(level) + 1, 3))


@given(
    portfolio_and_function(), st.sampled_from(["duplication", "simplification", "joint_benefit"])
)
def test_monotone_in_efficiency_and_effectiveness(case: tuple, answer: str) -> None:
    """Raising duplication, simplification or joint benefit never makes it more separate."""
    portfolio, fn = case
    if answer == "joint_benefit":
        raised = attrs.evolve(
            fn, effectiveness=Effectiveness(_raise(fn.effectiveness.joint_benefit))
        )
    else:
        eff = fn.efficiency
        raised = attrs.evolve(
            fn, efficiency=attrs.evolve(eff, **{answer: _raise(getattr(eff, answer))})
        )
    assert _one(portfolio, raised).arrangement <= _one(portfolio, fn).arrangement


@given(portfolio_and_function(), st.data())
def test_monotone_in_legal_restrictions(case: tuple, data: st.DataObject) -> None:
    """Adding a legal restriction never makes it more integrated."""
    portfolio, fn = case
    ids = list(portfolio.organisation_ids)
    legal = fn.legal
    choice = data.draw(
        st.sampled_from(
            ["board_reserved", "independence", "delegable", "owner", "reason", "limit", "held"]
        )
    )
    if choice == "board_reserved":
        assume(not legal.board_reserved)
        stricter = attrs.evolve(legal, board_reserved=True)
    elif choice == "independence":
        extra = [b for b in ids if b not in legal.independence_from]
        assume(extra)
        stricter = attrs.evolve(
            legal, independence_from=(*legal.independence_from, data.draw(st.sampled_from(extra)))
        )
    elif choice == "delegable":
        stricter = attrs.evolve(legal, delegable_to=(data.draw(st.sampled_from(ids)),))
    elif choice == "owner":
        assume(not legal.statutory_owner)
        stricter = attrs.evolve(legal, statutory_owner=(data.draw(st.sampled_from(ids)),))
    elif choice == "reason":
        stricter = attrs.evolve(legal, separate_reason="a statute keeps it apart")
    elif choice == "limit":
        stricter = attrs.evolve(legal, not_delegable_to=("joint_committee", "another_body"))
    else:
        stricter = attrs.evolve(legal, held_by_each=tuple(ids))
    try:
        stricter_fn = attrs.evolve(fn, legal=stricter)
    except ValueError:
        assume(False)  # a restriction that leaves nobody to carry it out is refused
    before = _one(portfolio, fn).arrangement
    after = _one(portfolio, stricter_fn).arrangement
    assert after >= before


@given(
    portfolio_and_function(
        efficiency=st.just(Efficiency(Level.NONE, Level.NONE)),
        effectiveness=st.just(Effectiveness(Level.NONE)),
    )
)
def test_nothing_to_gain_is_separate_and_distinct(case: tuple) -> None:
    portfolio, fn = case
    assert _one(portfolio, fn).arrangement is Arrangement.SEPARATE_DISTINCT


@given(
    portfolio_and_function(
        efficiency=st.just(Efficiency(Level.HIGH, Level.HIGH)),
        effectiveness=st.just(Effectiveness(Level.HIGH)),
        legal=st.just(Legal()),
    )
)
def test_strong_on_all_three_without_legal_barrier_is_one_team(case: tuple) -> None:
    """... where two or more bodies carry it out; with one, there is no second team to join."""
    portfolio, fn = case
    expected = Arrangement.ONE_TEAM if len(fn.performed_by) >= 2 else Arrangement.SEPARATE_INVOLVED
    assert _one(portfolio, fn).arrangement is expected


@given(portfolios(max_functions=3))
def test_explanations_are_faithful(portfolio: taxonomy.Portfolio) -> None:
    """Every rule an explanation cites fired on answers that satisfy it, and none is missed."""
    assert explanation_faithfulness(PACK, portfolio) == []


@given(bodies())
def test_bodies_strategy_spans_two_to_eight(ids: tuple[str, ...]) -> None:
    assert 2 <= len(ids) <= 8 and ids[0] == "b1" and len(set(ids)) == len(ids)
