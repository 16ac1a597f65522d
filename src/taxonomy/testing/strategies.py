"""Hypothesis strategies for the ``taxonomy`` model; every value is valid by construction.

They shrink towards small, readable examples: two bodies, ``none`` levels, no legal constraint.
Parts can be pinned, e.g. ``functions(bodies, legal=st.just(Legal(board_reserved=True)))``.

>>> import taxonomy
>>> from hypothesis import given, settings
>>> @given(portfolios())
... @settings(max_examples=20, deadline=None)  # a quick look; a suite runs it with its profile
... def test_totality(portfolio):
...     assert len(taxonomy.classify(portfolio)) == len(portfolio.functions)
>>> test_totality()
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

import attrs
from hypothesis import strategies as st

from taxonomy._model import (
    DELEGATION_LIMITS,
    Capability,
    Effectiveness,
    Efficiency,
    Function,
    FunctionLaw,
    Law,
    Legal,
    Level,
    Organisation,
    Portfolio,
    Provision,
)
from taxonomy.language.rules import RulePack, load_rules

__all__ = [
    "ORDER_DAY",
    "bodies",
    "capabilities",
    "dated_laws",
    "declared_answers",
    "function_laws",
    "functions",
    "legal_constraints",
    "levels",
    "organisations",
    "portfolios",
    "scenario_changes",
    "scenarios",
]


#: How many strategies built for one set of arguments are kept (see :func:`_once`).
_CACHE_SIZE = 1024
_T = TypeVar("_T")


def _once(build: Callable[..., _T]) -> Callable[..., _T]:
    """``build``, made once per set of (hashable) arguments and then shared.

    The strategies here are drawn inside other draws: built afresh each time, hypothesis would
    validate each new one, which cost most of a property test's time. Bounded, so tests that
    pass strategies of their own never grow it without end.
    """
    return functools.lru_cache(maxsize=_CACHE_SIZE)(build)


def levels() -> st.SearchStrategy[Level]:
    """Any level, shrinking to ``none``."""
    return _LEVELS


_LEVELS = st.sampled_from(list(Level))


def bodies(*, min_size: int = 2, max_size: int = 8) -> st.SearchStrategy[tuple[str, ...]]:
    """Distinct body ids (``b1``, ``b2``, ...), two to eight by default."""
    return _bodies(min_size, max_size)


@_once
def _bodies(min_size: int, max_size: int) -> st.SearchStrategy[tuple[str, ...]]:
    return st.integers(min_size, max_size).map(lambda n: tuple(f"b{i}" for i in range(1, n + 1)))


def organisations(ids: Sequence[str]) -> st.SearchStrategy[tuple[Organisation, ...]]:
    """One organisation per id, with readable names."""
    return _organisations(tuple(ids))


@_once
def _organisations(ids: tuple[str, ...]) -> st.SearchStrategy[tuple[Organisation, ...]]:
    return st.just(tuple(Organisation(i, f"Body {i}") for i in ids))


@_once
def _subsets(
    pool: tuple[Any, ...], min_size: int = 0, max_size: int | None = None
) -> st.SearchStrategy[tuple[Any, ...]]:
    """Distinct members of ``pool``, in the order drawn."""
    return st.lists(st.sampled_from(pool), unique=True, min_size=min_size, max_size=max_size).map(
        tuple
    )


@_once
def _maybe(pool: tuple[Any, ...]) -> st.SearchStrategy[Any]:
    """None, or one member of ``pool``."""
    return st.none() | st.sampled_from(pool)


@_once
def _one_of(pool: tuple[Any, ...]) -> st.SearchStrategy[Any]:
    return st.sampled_from(pool)


_SEPARATE = st.sampled_from(["", "a statute keeps each body's own"])
_EFFICIENCY = st.builds(Efficiency, _LEVELS, _LEVELS)
_EFFECTIVENESS = st.builds(Effectiveness, _LEVELS)


def legal_constraints(ids: Sequence[str]) -> st.SearchStrategy[Legal]:
    """Legal constraints naming only the given bodies; shrinks to no constraint.

    Every part of :class:`Legal` is drawn: one or several statutory owners, duties each body
    holds, employees-only and delegation limits, a Board-reserved decision, independence (never
    from every body, nor from an owner or a body holding a duty of its own), a reason to stay
    separate and distinct, and a body whose agreement the decision needs (never a holder, nor
    one it must stay independent of).
    """
    return _legal_constraints(tuple(ids))


@_once
@st.composite
def _legal_constraints(draw: st.DrawFn, ids: tuple[str, ...]) -> Legal:
    bodies_ = ids
    some = _subsets(bodies_, 0, min(3, len(bodies_)))
    owners = draw(_subsets(bodies_, 0, 2))
    free = tuple(b for b in bodies_ if b not in owners)
    independence = draw(_subsets(free, 0, min(2, len(free) - 1)) if len(free) > 1 else _NOTHING)
    delegable = draw(some)
    if delegable and set(delegable) <= set(independence):
        delegable = ()  # nobody could carry it out: the model refuses that
    # Never a body it must stay independent of: a body cannot be independent of itself.
    held = tuple(b for b in draw(some) if b not in independence)
    reserved = draw(_BOOLEANS)
    limits = draw(_subsets(tuple(DELEGATION_LIMITS), 0, 2))
    separate = draw(_SEPARATE)
    # Drawn last, so the parts above are drawn as they always were: a body whose agreement the
    # decision needs is never a holder nor one it must stay independent of (the model refuses).
    asked = tuple(b for b in bodies_ if b not in {*owners, *held, *independence})
    consent = draw(_subsets(asked, 0, 1) if asked else _NOTHING)
    return Legal(
        statutory_owner=owners,
        held_by_each=held,
        delegable_to=delegable,
        board_reserved=reserved,
        not_delegable_to=limits,
        independence_from=independence,
        separate_reason=separate,
        with_agreement_of=consent,
        agreement_basis="a statute asks its agreement" if consent else "",
    )


_NOTHING: st.SearchStrategy[tuple[str, ...]] = st.just(())
_BOOLEANS = st.booleans()


def capabilities(ids: Sequence[str]) -> st.SearchStrategy[Capability]:
    """A capability answer for each of the given bodies."""
    return _capabilities(tuple(ids))


@_once
def _capabilities(ids: tuple[str, ...]) -> st.SearchStrategy[Capability]:
    return st.tuples(*(_LEVELS for _ in ids)).map(lambda ls: Capability(zip(ids, ls, strict=True)))


def functions(
    ids: Sequence[str],
    *,
    function_id: str | st.SearchStrategy[str] = "f1",
    legal: st.SearchStrategy[Legal] | None = None,
    efficiency: st.SearchStrategy[Efficiency] | None = None,
    effectiveness: st.SearchStrategy[Effectiveness] | None = None,
    rules: RulePack | None = None,
) -> st.SearchStrategy[Function]:
    """A function among the given bodies; pin any part by passing its strategy.

    ``rules`` (None: the default pack) gives the tiers it may run at and the questions it
    declares beyond the model's own, each answered with a value of its declared type.
    """
    pack = rules if rules is not None else load_rules()
    parts = (function_id, legal, efficiency, effectiveness)
    return _pack_cached(_functions, pack, tuple(ids), parts)


@st.composite
def _functions(
    draw: st.DrawFn,
    pack: RulePack,
    ids: tuple[str, ...],
    parts: tuple[Any, ...],
) -> Function:
    function_id, legal, efficiency, effectiveness = parts
    fid = draw(function_id) if isinstance(function_id, st.SearchStrategy) else function_id
    performed = list(draw(_subsets(ids, 1)))
    drawn_legal = draw(legal if legal is not None else _legal_constraints(ids))
    if set(performed) <= set(drawn_legal.independence_from):
        # Nobody could carry it out (the model refuses that): a body it is free of performs too.
        free = [b for b in ids if b not in drawn_legal.independence_from]
        performed.append(free[0])
    lawful = [b for b in performed if drawn_legal.may_lead(b)]  # a lead carries it out
    agreed = draw(_maybe(tuple(lawful))) if lawful else None
    return Function(
        id=fid,
        name=f"Function {fid}",
        level=draw(_one_of(pack.tiers() or ("national", "regional", "local"))),
        performed_by=tuple(performed),
        efficiency=draw(efficiency if efficiency is not None else _EFFICIENCY),
        effectiveness=draw(effectiveness if effectiveness is not None else _EFFECTIVENESS),
        legal=drawn_legal,
        capability=draw(_capabilities(ids)),
        agreed_lead=agreed,
        answers=draw(declared_answers(pack, ids)),
    )


#: Strategies built for a pack, by what they were built of (see :func:`_pack_cached`).
_BY_PACK: dict[Hashable, st.SearchStrategy[Any]] = {}


def _pack_cached(
    build: Callable[..., st.SearchStrategy[_T]], pack: RulePack, *args: Hashable
) -> st.SearchStrategy[_T]:
    """``build(pack, *args)``, made once per pack content and arguments, then shared.

    Keyed by the pack's hash (which covers its facts and tiers), not the pack, whose own hash
    walks every rule; cleared when full, so it stays bounded.
    """
    key = (build, pack.hash, *args)
    found = _BY_PACK.get(key)
    if found is None:
        if len(_BY_PACK) >= _CACHE_SIZE:
            _BY_PACK.clear()
        found = _BY_PACK[key] = build(pack, *args)
    return found


def declared_answers(rules: RulePack, ids: Sequence[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Answers to every question ``rules`` declares beyond the model's own, by declared type.

    Optional ones are sometimes left out, so their defaults and absence are drawn too.
    """
    return _pack_cached(_declared_answers, rules, tuple(ids))


def _declared_answers(rules: RulePack, ids: tuple[str, ...]) -> st.SearchStrategy[dict[str, Any]]:
    parts: dict[str, st.SearchStrategy[Any]] = {}
    for fact in rules.facts.answered():
        kind = fact.type.name
        value: st.SearchStrategy[Any] = {
            "level": _LEVELS,
            "bool": _BOOLEANS,
            "count": st.integers(0, 5),
            "choice": st.sampled_from(fact.type.choices or ("x",)),
            "body": st.sampled_from(ids),
            "bodies": _subsets(ids, 1),
            "text": st.just("a reason given in the portfolio"),
        }[kind]
        parts[fact.name] = value if fact.required else st.none() | value
    return st.fixed_dictionaries(parts).map(
        lambda found: {name: v for name, v in found.items() if v is not None}
    )


@st.composite
def portfolios(
    draw: st.DrawFn,
    *,
    min_bodies: int = 2,
    max_bodies: int = 8,
    max_functions: int = 6,
    legal: st.SearchStrategy[Legal] | None = None,
    law: st.SearchStrategy[Law] | None = None,
    rules: RulePack | None = None,
    function_laws: bool = False,
) -> Portfolio:
    """A valid portfolio of two to eight bodies and one to ``max_functions`` functions.

    Functions answer the questions ``rules`` declares (None: the default pack).

    ``law`` shrinks to no joint committees (the 2018 position of NHS England and Improvement).
    With ``function_laws``, the law is dated instead (:func:`dated_laws`: an order setting
    functions' legal facts from :data:`ORDER_DAY`) and the portfolio's day is drawn before or
    from that day, so the facts the order sets are judged in force and not; ``law`` is unused.
    """
    ids = draw(bodies(min_size=min_bodies, max_size=max_bodies))
    count = draw(st.integers(1, max_functions))
    fns = [
        draw(functions(ids, function_id=f"f{i}", legal=legal, rules=rules))
        for i in range(1, count + 1)
    ]
    orgs = draw(organisations(ids))
    if function_laws:
        dated = draw(dated_laws(fns, ids))
        day = draw(st.sampled_from([ORDER_DAY, ORDER_DAY - datetime.timedelta(days=1)]))
        return Portfolio("Generated portfolio", orgs, tuple(fns), dated, as_of=day)
    drawn_law = draw(law if law is not None else _LAWS)
    return Portfolio("Generated portfolio", orgs, tuple(fns), drawn_law)


_LAWS = st.builds(Law, _BOOLEANS)
#: The day from which the order :func:`dated_laws` draws sets functions' legal facts.
ORDER_DAY = datetime.date(2020, 4, 1)
#: What a provision drawn by :func:`function_laws` writes: every key :func:`legal_constraints`
#: draws (a text only where it is not empty), so little the function says itself is mixed with
#: what the provision sets.
_LAW_KEYS = (
    "statutory_owner",
    "held_by_each",
    "delegable_to",
    "board_reserved",
    "not_delegable_to",
    "independence_from",
    "separate_reason",
    "with_agreement_of",
    "agreement_basis",
)


@st.composite
def function_laws(draw: st.DrawFn, fn: Function, ids: Sequence[str]) -> FunctionLaw:
    """The legal facts a provision sets of ``fn`` while in force, valid for it by construction.

    Drawn as :func:`legal_constraints` draws a function's own, every key written but an empty
    text (which no file can set: the function's own stands); an
    independence that would leave nobody to carry it out, bar its agreed lead or a body it
    involves, is dropped, and so is an employees-only limit its agreed lead is outside.
    """
    legal = draw(_legal_constraints(tuple(ids)))
    barred = set(legal.independence_from)
    if set(fn.performed_by) <= barred or fn.agreed_lead in barred or barred & set(fn.involves):
        legal = attrs.evolve(legal, independence_from=())
    lead = fn.agreed_lead
    if lead is not None and legal.delegable_to and lead not in legal.delegable_to:
        legal = attrs.evolve(legal, delegable_to=())
    # A text left empty is not a fact a file can set (a provision's text must not be empty):
    # the function's own stands, which nothing the provision sets contradicts.
    facts = ((key, getattr(legal, key)) for key in _LAW_KEYS)
    return FunctionLaw(fn.id, tuple((key, value) for key, value in facts if value != ""))


@st.composite
def dated_laws(draw: st.DrawFn, fns: Sequence[Function], ids: Sequence[str]) -> Law:
    """A dated law of two provisions, the second an order setting functions' legal facts.

    The first says whether joint committees are lawful, on every day; the order, from
    :data:`ORDER_DAY`, sets the legal facts of one or two of ``fns`` (:func:`function_laws`).
    Shrinks to joint committees unlawful and one function's facts.
    """
    lawful = draw(st.booleans())
    standing = Provision("standing-law", "Generated: the standing law", joint_committees=lawful)
    chosen = draw(st.lists(st.sampled_from(list(fns)), min_size=1, max_size=2, unique_by=_id))
    order = Provision(
        id="generated-order",
        source="Generated: an order setting functions' legal facts",
        from_=ORDER_DAY,
        functions=tuple(draw(function_laws(fn, ids)) for fn in chosen),
    )
    return Law(provisions=(standing, order))


def _id(fn: Function) -> str:
    return fn.id


_LEVEL_FIELDS = (
    "efficiency.duplication",
    "efficiency.simplification",
    "effectiveness.joint_benefit",
)


def scenario_changes(portfolio: Portfolio) -> st.SearchStrategy[Any]:
    """One valid scenario change for ``portfolio``: set an answer, change the law, or merge.

    Shrinks towards a law change, then setting one level on one function.
    """
    from taxonomy.whatif.scenarios import LawChange, Merge, Selector, SetAnswer

    ids = list(portfolio.organisation_ids)
    fns = [f.id for f in portfolio.functions]
    selector = st.one_of(
        st.sampled_from(fns).map(lambda f: Selector(function=f)),
        st.just(Selector(all=True)),
    )
    set_level = st.builds(
        SetAnswer,
        selector,
        st.sampled_from(_LEVEL_FIELDS + tuple(f"capability.{b}" for b in ids)),
        st.sampled_from(Level.names()),
    )
    set_flag = st.builds(SetAnswer, selector, st.just("legal.board_reserved"), st.booleans())
    law = st.builds(LawChange, st.booleans())
    options = [law, set_level, set_flag]
    if len(ids) > 1:
        merge = st.sampled_from(ids).flatmap(
            lambda into: st.lists(
                st.sampled_from([b for b in ids if b != into]), min_size=1, unique=True
            ).map(lambda gone: Merge(into, tuple(gone)))
        )
        options.append(merge)
    return st.one_of(*options)


@st.composite
def scenarios(draw: st.DrawFn, portfolio: Portfolio, *, max_changes: int = 3) -> Any:
    """A scenario of up to ``max_changes`` valid changes for ``portfolio``.

    Changes are drawn against the portfolio as it stands before the scenario, so a merge is
    followed only by changes that name bodies still present.
    """
    from taxonomy.whatif.scenarios import Merge, Scenario

    changes = []
    current = portfolio
    for _ in range(draw(st.integers(0, max_changes))):
        change = draw(scenario_changes(current))
        changes.append(change)
        if isinstance(change, Merge):
            current = Scenario("probe", changes=(change,)).apply(current).portfolio
            if len(current.organisations) < 2:
                break
    return Scenario("Generated scenario", changes=tuple(changes))
