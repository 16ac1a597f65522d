"""Ready-made invariants of a rule pack, for property tests and for :func:`check_invariants`.

Each invariant takes a rule pack and a portfolio and returns the violations it finds (an empty
list when it holds), so it can be used inside a user's own ``@given`` test::

    from hypothesis import given
    from taxonomy.testing import invariants, strategies

    @given(strategies.portfolios())
    def test_my_pack_is_legally_dominant(portfolio):
        assert invariants.legal_dominance(MY_PACK, portfolio) == []

The invariants (board paper para 8; Annex B):

- :func:`totality`: every function gets exactly one recommendation, in a known category;
- :func:`legal_dominance`: no efficiency or effectiveness answer overrides a legal cap or a legal
  lead (changing those answers never lifts the function above its legal caps);
- :func:`monotonicity`: raising duplication, simplification or joint benefit never makes the
  arrangement more separate; adding a legal restriction never makes it more integrated;
- :func:`determinism`: classifying twice gives byte-identical JSON;
- :func:`lead_rules`: every separate arrangement names a lead (or the bodies tied for it), and
  the law is obeyed: no lead (or tied body) is one the function must stay independent of, and
  a function only X's employees may carry out is led by one of them;
- :func:`explanation_faithfulness`: every rule an explanation cites fired, each fired rule's
  condition holds on the answers, and every rule whose condition holds fired (but a default
  decision another decision outranked, which is set aside).

These compare a pack with itself. The law as properties, whatever the pack, is in
:mod:`taxonomy.testing.law` (:func:`independence`, :func:`employees_only`,
:func:`separate_reason`, :func:`reserved_decisions`, :func:`only_holders_delegate`,
:func:`consent`, :func:`successor_inherits`): each reads the portfolio's legal facts, not the
pack's rules, so a pack that drops a legal rule fails them.
:func:`check_invariants` runs both kinds; the law's are importable from here too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from taxonomy._model import (
    Arrangement,
    Effectiveness,
    Efficiency,
    Function,
    Legal,
    Level,
    Portfolio,
)
from taxonomy._results import Recommendation
from taxonomy.classification import classify
from taxonomy.language.rules import RulePack
from taxonomy.language.semantics import default_decision, holds
from taxonomy.render.text import to_json
from taxonomy.testing._violation import Violation, classified, on_its_day
from taxonomy.testing.law import (
    LAW,
    consent,
    employees_only,
    independence,
    only_holders_delegate,
    reserved_decisions,
    separate_reason,
    successor_inherits,
)

__all__ = [
    "INVARIANTS",
    "Violation",
    "check_invariants",
    "consent",
    "determinism",
    "employees_only",
    "explanation_faithfulness",
    "independence",
    "lead_rules",
    "legal_dominance",
    "monotonicity",
    "only_holders_delegate",
    "reserved_decisions",
    "separate_reason",
    "successor_inherits",
    "totality",
]


def _one(rules: RulePack, portfolio: Portfolio, fn: Function) -> Recommendation:
    return classify(portfolio.with_function(fn), rules=rules)[fn.id]


def _each(
    rules: RulePack,
    portfolio: Portfolio,
    check: Callable[[Function, Recommendation], list[Violation]],
) -> list[Violation]:
    """Classify once, then run ``check`` on every fully answered function and its recommendation.

    A function with answers left open is not one classification but many: the properties of
    :mod:`taxonomy.testing.unknowns` (sound, complete, monotone, conservative) check it.
    """
    result, errors = classified(rules, portfolio)
    if result is None:
        return errors
    return [v for fn in portfolio.functions if not fn.unknowns for v in check(fn, result[fn.id])]


def totality(rules: RulePack, portfolio: Portfolio) -> list[Violation]:
    """Every function gets exactly one recommendation."""
    result, errors = classified(rules, portfolio)
    if result is None:
        return errors
    got = [r.function for r in result]
    wanted = [f.id for f in portfolio.functions]
    if got != wanted:
        return [Violation("totality", "*", f"recommendations for {got}, functions {wanted}")]
    # An open recommendation (answers left open) has no arrangement, but two or more possible.
    return [
        Violation("totality", r.function, f"arrangement {r.arrangement!r} is not a category")
        for r in result
        if not isinstance(r.arrangement, Arrangement)
        and not (
            r.arrangement is None
            and len(r.possible) > 1
            and all(isinstance(o.arrangement, Arrangement) for o in r.possible)
        )
    ]


def _levels_moved(fn: Function) -> list[Function]:
    """The function with each efficiency and effectiveness answer set to every other level."""
    out = []
    for level in Level:
        out.append(attrs.evolve(fn, efficiency=attrs.evolve(fn.efficiency, duplication=level)))
        out.append(attrs.evolve(fn, efficiency=attrs.evolve(fn.efficiency, simplification=level)))
        out.append(attrs.evolve(fn, effectiveness=Effectiveness(level)))
    out.append(
        attrs.evolve(
            fn,
            efficiency=Efficiency(Level.HIGH, Level.HIGH),
            effectiveness=Effectiveness(Level.HIGH),
        )
    )
    return out


def legal_dominance(rules: RulePack, portfolio: Portfolio) -> list[Violation]:
    """No efficiency or effectiveness answer lifts a function above its legal caps or lead."""
    portfolio = on_its_day(rules, portfolio)  # changed functions keep their change

    def check(fn: Function, rec: Recommendation) -> list[Violation]:
        caps = [rules.rule(f.rule).then.cap for f in rec.explanation.fired]
        floor = max((c for c in caps if c is not None), default=None)
        legal_lead = rec.explanation.lead_by and rec.explanation.lead_by.question == "legal"
        for other in _levels_moved(fn):
            moved = _one(rules, portfolio, other)
            if floor is not None and moved.settled_arrangement < floor:
                return [
                    Violation(
                        "legal dominance",
                        fn.id,
                        f"efficiency/effectiveness answers lifted it to {moved.arrangement}, above "
                        f"its legal cap {floor}",
                    )
                ]
            # Each body doing its own (a duty each holds, run separately) names no lead to
            # compare: only arrangements that need a lead must keep the law's.
            needs_lead = not (rec.each_own or moved.each_own)
            if legal_lead and needs_lead and moved.lead_candidates != rec.lead_candidates:
                return [
                    Violation(
                        "legal dominance",
                        fn.id,
                        f"the legal lead {rec.lead_text} became {moved.lead_text} when only "
                        "efficiency or "
                        "effectiveness answers changed",
                    )
                ]
        return []

    return _each(rules, portfolio, check)


def _raised(fn: Function) -> list[tuple[str, Function]]:
    """The function with each efficiency and effectiveness answer raised one level."""
    raised: list[tuple[str, Function]] = []
    for field in ("duplication", "simplification"):
        level = getattr(fn.efficiency, field)
        if level < Level.HIGH:
            up = Level(level + 1)
            raised.append(
                (
                    f"{field} {level}->{up}",
                    attrs.evolve(fn, efficiency=attrs.evolve(fn.efficiency, **{field: up})),
                )
            )
    if fn.effectiveness.joint_benefit < Level.HIGH:
        up = Level(fn.effectiveness.joint_benefit + 1)
        raised.append((f"joint_benefit ->{up}", attrs.evolve(fn, effectiveness=Effectiveness(up))))
    return raised


def _stricter(fn: Function, portfolio: Portfolio) -> list[tuple[str, Legal]]:
    """The function's law with one more restriction each, every one the loader accepts."""
    legal = fn.legal
    stricter: list[tuple[str, Legal]] = []
    if not legal.board_reserved:
        stricter.append(("board_reserved", attrs.evolve(legal, board_reserved=True)))
    if not legal.separate_reason:
        stricter.append(
            ("a legal reason to stay separate", attrs.evolve(legal, separate_reason="law"))
        )
    for limit in ("joint_committee", "another_body"):
        if limit not in legal.not_delegable_to:
            more = (*legal.not_delegable_to, limit)
            stricter.append(
                (f"not delegable to {limit}", attrs.evolve(legal, not_delegable_to=more))
            )
    for body in portfolio.organisation_ids:
        barred = {*legal.independence_from, body}
        lawful = (
            not set(fn.performed_by) <= barred
            and body not in legal.statutory_owner
            and body not in legal.held_by_each
            and body not in legal.with_agreement_of
            and not (legal.delegable_to and set(legal.delegable_to) <= barred)
            and fn.agreed_lead != body
        )
        if body not in legal.independence_from and lawful:
            more = (*legal.independence_from, body)
            stricter.append(
                (f"independence from {body}", attrs.evolve(legal, independence_from=more))
            )
            break
    return stricter


def monotonicity(rules: RulePack, portfolio: Portfolio) -> list[Violation]:
    """Stronger answers never separate it more; more legal restriction never integrates it more."""
    portfolio = on_its_day(rules, portfolio)  # changed functions keep their change

    def check(fn: Function, rec: Recommendation) -> list[Violation]:
        found = []
        base = rec.settled_arrangement
        for what, other in _raised(fn):
            after = _one(rules, portfolio, other).settled_arrangement
            if after > base:
                found.append(
                    Violation(
                        "monotonicity",
                        fn.id,
                        f"raising {what} made it more separate: {base} -> {after}",
                    )
                )
        for what, legal in _stricter(fn, portfolio):
            after = _one(rules, portfolio, attrs.evolve(fn, legal=legal)).settled_arrangement
            if after < base:
                found.append(
                    Violation(
                        "monotonicity",
                        fn.id,
                        f"adding {what} made it more integrated: {base} -> {after}",
                    )
                )
        return found

    return _each(rules, portfolio, check)


def determinism(rules: RulePack, portfolio: Portfolio) -> list[Violation]:
    """Classifying twice gives byte-identical JSON."""
    first, errors = classified(rules, portfolio)
    if first is None:
        return errors
    second = classify(portfolio, rules=rules)
    if to_json(first) != to_json(second):
        return [Violation("determinism", "*", "two runs gave different JSON")]
    return []


def lead_rules(rules: RulePack, portfolio: Portfolio) -> list[Violation]:
    """Separate arrangements name a lead or each body does its own; leads are lawful bodies."""
    portfolio = on_its_day(rules, portfolio)  # changed functions keep their change

    def check(fn: Function, rec: Recommendation) -> list[Violation]:
        found = []
        if rec.settled_arrangement.separate and not rec.lead_candidates and not rec.each_own:
            found.append(Violation("lead rules", fn.id, f"{rec.arrangement} names no lead"))
        for body in rec.lead_candidates:
            if body not in portfolio.organisation_ids:
                found.append(Violation("lead rules", fn.id, f"lead {body} is not a body"))
            if body in fn.legal.independence_from:
                found.append(
                    Violation(
                        "lead rules",
                        fn.id,
                        f"it must stay independent of {body}, but the lead is {rec.lead_text}",
                    )
                )
            if fn.legal.delegable_to and body not in fn.legal.delegable_to:
                found.append(
                    Violation(
                        "lead rules",
                        fn.id,
                        f"only employees of {', '.join(fn.legal.delegable_to)} may carry it "
                        f"out, but the lead is {rec.lead_text}",
                    )
                )
        if len(rec.tied) == 1:
            found.append(Violation("lead rules", fn.id, "a tie of one body is not a tie"))
        return found

    return _each(rules, portfolio, check)


def explanation_faithfulness(rules: RulePack, portfolio: Portfolio) -> list[Violation]:
    """Explanations cite only rules that fired, on answers that satisfy them, and miss none."""
    portfolio = on_its_day(rules, portfolio)  # changed functions keep their change

    def check(fn: Function, rec: Recommendation) -> list[Violation]:
        found = []
        ex = rec.explanation
        values: dict[str, Any] = rules.facts.values(fn, portfolio)
        values.update((f"finding.{name}", value) for name, value in ex.findings)
        fired = {f.rule for f in ex.fired}
        cited = [ex.decided_by, *ex.capped_by, *([ex.lead_by] if ex.lead_by else [])]
        for firing in cited:
            if firing.rule not in fired:
                found.append(
                    Violation(
                        "explanation faithfulness",
                        fn.id,
                        f"cites {firing.rule}, which did not fire",
                    )
                )
        for rule in rules.rules:
            held = holds(rule.when, values, rules.fact_type)
            if rule.id in fired and not held:
                found.append(
                    Violation(
                        "explanation faithfulness",
                        fn.id,
                        f"{rule.id} fired but its condition does not hold",
                    )
                )
            # A default decision outranked by the one taken is set aside, not listed as fired.
            outranked = default_decision(rule) and rule.priority < ex.decided_by.priority
            if held and rule.id not in fired and not outranked:
                found.append(
                    Violation(
                        "explanation faithfulness",
                        fn.id,
                        f"{rule.id}'s condition holds but it did not fire",
                    )
                )

        return found

    return _each(rules, portfolio, check)


#: Every invariant by name.
INVARIANTS: dict[str, Callable[[RulePack, Portfolio], list[Violation]]] = {
    "totality": totality,
    "legal dominance": legal_dominance,
    "monotonicity": monotonicity,
    "determinism": determinism,
    "lead rules": lead_rules,
    "explanation faithfulness": explanation_faithfulness,
    **LAW,
}


def check_invariants(rules: RulePack | None, portfolio: Portfolio) -> list[Violation]:
    """Run every invariant on ``portfolio``; returns the violations found (empty when none).

    The invariants judge each fully answered function; a function with answers left open is
    checked by :mod:`taxonomy.testing.unknowns` instead.

    >>> import taxonomy
    >>> portfolio = taxonomy.load_portfolio("examples/nhs_joint_working_2018.yaml")
    >>> check_invariants(taxonomy.load_rules(), portfolio)
    []
    """
    from taxonomy.language.rules import pack_for

    pack = pack_for(portfolio, rules)
    found: list[Violation] = []
    for invariant in INVARIANTS.values():
        found += invariant(pack, portfolio)
    return found
