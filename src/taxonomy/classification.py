"""Classification: every function of a portfolio through the pack, on durable-rules.

For each function the pack's strata run on durable-rules (:mod:`taxonomy.language.durable`) and
their conclusions resolve into a decision, legal caps and a lead by
:func:`taxonomy.language.semantics.derive`, the one definition of what rules mean; the lead is the
most capable of the bodies a lead rule names. A conflict between rules of equal priority, or a gap
(no decision, or a separate arrangement with no lead), raises :class:`~taxonomy.EngineError`
naming the rules: never a silent pick. Order in a file never decides anything.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import attrs

from taxonomy._decision import (
    Decision,
    decision_of,
    decision_words,
    delegating,
    handed_over,
)
from taxonomy._explanation import Explanation, Firing
from taxonomy._model import Arrangement, Function, Level, Portfolio
from taxonomy._outcomes import Completions
from taxonomy._results import Classification, Recommendation
from taxonomy.by_body import classify_by_body
from taxonomy.errors import EngineError, InputError, PortfolioError, did_you_mean
from taxonomy.language.compiled import Case, CompiledPack, compile_pack
from taxonomy.language.durable import Engine, engine_for
from taxonomy.language.facts import Fact, parse_answer
from taxonomy.language.rules import Rule, RulePack, pack_for
from taxonomy.language.semantics import LeadChooser, derive, settle_lead
from taxonomy.law import breached_independence, in_force
from taxonomy.partial import classify_open

__all__ = [
    "Variants",
    "classify",
    "classify_each",
    "classify_function",
    "involvement",
    "iter_classify",
    "lead_by_capability",
    "taking_part",
]


def classify(
    portfolio: Portfolio,
    *,
    rules: RulePack | None = None,
    as_of: datetime.date | str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Classification:
    """Recommend an arrangement and a lead for every function of ``portfolio``.

    Args:
        portfolio: the bodies and functions, e.g. from :func:`taxonomy.load_portfolio`.
        rules: the rule pack; None uses the default pack.
        as_of: the day to judge on, under the provisions of a dated law in force that day
            (a ``date`` or ``YYYY-MM-DD``); None: the portfolio's own ``as_of``. Bodies abolished
            by then are merged into their successors
            (see :func:`taxonomy.law.in_force`).
        progress: called with (functions done, functions in all) every 500 functions.

    Returns:
        One recommendation per function, in portfolio order, with the pack's identity, the day
        judged on and the provisions applied (``as_of``, ``provisions``).

    Raises:
        EngineError: the engine failed, or the pack reached no single answer for a function.
        InputError: the portfolio has a single body (after a what-if merger, or on a day the law
            has abolished every other body); the law is dated and no day is known.

    Safe to call from many threads at once.
    """
    pack = pack_for(portfolio, rules)
    portfolio = _on_day(portfolio, as_of, pack)
    recommendations = tuple(iter_classify(portfolio, rules=pack, progress=progress))
    result = Classification(portfolio, pack.identity, recommendations)
    for observer in OBSERVERS:
        observer(pack, result)
    return result


def iter_classify(
    portfolio: Portfolio,
    *,
    rules: RulePack | None = None,
    as_of: datetime.date | str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[Recommendation]:
    """Recommend for each function of ``portfolio`` in turn, keeping none of them.

    For streaming (``classify --format jsonl``): memory does not grow with the recommendations
    already given. Each is the one :func:`classify` gives for that function (on the same
    ``as_of``); the :data:`OBSERVERS` are not told (there is no whole classification to tell
    them of).

    Raises:
        EngineError, InputError: as :func:`classify`, when the function concerned is reached.
    """
    pack = pack_for(portfolio, rules)
    portfolio = _on_day(portfolio, as_of, pack)
    _check_bodies(portfolio)
    run = _Run(pack, portfolio)
    total = len(portfolio.functions)
    for done, fn in enumerate(portfolio.functions, start=1):
        yield run.recommend(fn)
        if progress is not None and (done % 500 == 0 or done == total):
            progress(done, total)


def classify_each(
    context: Portfolio, functions: Iterable[Function], *, rules: RulePack | None = None
) -> Iterator[tuple[Function, Recommendation]]:
    """Recommend for each of ``functions`` as it comes, judged in ``context``, keeping none.

    For a portfolio read a function at a time: ``context`` gives the bodies, the law (judged
    on its ``as_of``) and the governance, and need not hold the functions; each
    recommendation is the one :func:`iter_classify` gives for the function in a portfolio
    that holds it. The :data:`OBSERVERS` are not told.

    Raises:
        EngineError, InputError: as :func:`classify`, when the function concerned is reached.
    """
    pack = pack_for(context, rules)
    context = _on_day(context, None, pack)
    _check_bodies(context)
    run = _Run(pack, context)
    for fn in functions:
        yield fn, run.recommend(fn)


def classify_function(
    portfolio: Portfolio,
    function_id: str,
    *,
    rules: RulePack | None = None,
    as_of: datetime.date | str | None = None,
) -> Recommendation:
    """Recommend an arrangement and a lead for one function of ``portfolio`` (on ``as_of``)."""
    pack = pack_for(portfolio, rules)
    portfolio = _on_day(portfolio, as_of, pack)
    _check_bodies(portfolio)
    return _Run(pack, portfolio).recommend(portfolio.function(function_id))


class Variants:
    """Classifies variants of a portfolio's functions (answers changed) in its context.

    Counterfactuals and robustness try thousands of variants of one function: the law, the
    bodies and the governance stay the portfolio's, so no new portfolio is built or validated,
    and explanation nodes are shared between variants. Each recommendation is the one
    classifying a portfolio holding the variant in place of the function with its id gives.

    Args:
        portfolio: the context: bodies, law, governance (a dated law is judged on the
            portfolio's ``as_of``).
        rules: the rule pack; None uses the default pack.
    """

    def __init__(self, portfolio: Portfolio, *, rules: RulePack | None = None) -> None:
        self.pack = pack_for(portfolio, rules)
        portfolio = _on_day(portfolio, None, self.pack)
        _check_bodies(portfolio)
        self.portfolio = portfolio
        self._run = _Run(self.pack, portfolio)
        self._bodies = frozenset(portfolio.organisation_ids)

    def recommend(self, function: Function) -> Recommendation:
        """The recommendation for ``function``, a variant of one of the portfolio's functions.

        Raises:
            InputError: ``function`` is performed by a body that is not in the portfolio.
        """
        unknown = sorted(set(function.performed_by) - self._bodies)
        if unknown:
            raise InputError(
                f"performed by {', '.join(unknown)}, not bodies of portfolio "
                f"'{self.portfolio.name}'",
                item=f"function '{function.id}'",
            )
        return self._run.recommend(function)


def _on_day(portfolio: Portfolio, as_of: datetime.date | str | None, pack: RulePack) -> Portfolio:
    """The portfolio as it stood on ``as_of`` (or its own ``as_of``), under the law then."""
    if as_of is None and not portfolio.law.dated:
        return portfolio  # the common case, kept free of any work
    return in_force(portfolio, as_of, pack.facts).portfolio


def _check_bodies(portfolio: Portfolio) -> None:
    if len(portfolio.organisations) < 2:
        when = f"on {portfolio.as_of} " if portfolio.law.applied else ""
        raise InputError(
            f"{when}only one body is left ({portfolio.organisation_ids[0]}): every function is "
            "delivered once by it, so there is no joint arrangement to classify",
            item=f"portfolio '{portfolio.name}'",
        )


#: Callables told of every classification (pack, result); the pytest plugin's coverage uses it.
OBSERVERS: list[Callable[[RulePack, Classification], None]] = []


def _check_answers(
    pack: RulePack,
    fn: Function,
    bodies: tuple[str, ...],
    required: tuple[Fact, ...],
    tiers: tuple[str, ...] | None,
) -> None:
    """Refuse a function whose answers the pack does not declare, or that misses one it needs.

    The loader checks files against the pack they are loaded for; this catches a portfolio
    built in Python, or loaded for another pack, and an answer naming a body that is not (or is
    no longer) one of the portfolio's ``bodies``: a lead nobody could take. ``required``: the
    answered facts the pack requires; ``tiers``: its tiers (both computed once per run).
    """
    facts = pack.facts
    item = f"function '{fn.id}'"
    for name, value in fn.answers:
        if name not in facts or not facts.get(name).answered:
            declared = [f.name for f in facts.answered()]
            raise PortfolioError(
                f"answers '{name}', which rule pack '{pack.name}' does not declare",
                item=item,
                key=name,
                allowed=declared or None,
                suggestion=did_you_mean(name, declared),
            )
        problem, _ = parse_answer(facts.type(name), value, bodies=bodies)
        if problem is not None and facts.type(name).name in ("body", "bodies"):
            raise PortfolioError(
                f"answers '{name}': {problem}",
                item=item,
                key=name,
                allowed=bodies,
                suggestion=did_you_mean(str(value), bodies) if isinstance(value, str) else None,
            )
    for fact in required:
        if fn.answer(fact.name) is None:
            raise PortfolioError(
                f"does not answer '{fact.name}' ({fact.meaning}), which rule pack "
                f"'{pack.name}' requires",
                item=item,
                key=fact.name,
            )
    if tiers is not None and fn.level not in tiers:
        raise PortfolioError(
            f"runs at tier '{fn.level}', which rule pack '{pack.name}' does not declare",
            item=item,
            key="level",
            allowed=tiers,
            suggestion=did_you_mean(fn.level, tiers),
        )


class _Run:
    """Classifies functions of one portfolio with one pack: the compiled pack and its engine.

    Explanation nodes a case does not determine (they quote an answer the rules only test for
    presence, or bodies) are shared by every run of the pack (:meth:`CompiledPack.node`).
    """

    def __init__(self, pack: RulePack, portfolio: Portfolio) -> None:
        self.pack = pack
        self.portfolio = portfolio
        self.engine: Engine = engine_for(pack)
        self.compiled: CompiledPack = compile_pack(pack)
        self.bodies = portfolio.organisation_ids
        self.required = tuple(f for f in pack.facts.answered() if f.required)
        self.tiers = pack.tiers()
        self.fast = Completions(self.compiled, self.engine, portfolio, lead_by_capability, each_own)

    def recommend(self, fn: Function) -> Recommendation:
        """The recommendation for ``fn`` (open answers: over every completion)."""
        if fn.by_body:  # each body's own answers: combined, and each body's taken
            found = classify_by_body(self.pack, fn, self.recommend, fast=self.fast)
            held = decision_of(self.portfolio, fn, found.arrangement, found.lead)
            return attrs.evolve(found, decision=held)
        if fn.unknowns:  # partial evaluation: every completion through this same path
            found = classify_open(self.pack, fn, self.recommend, fast=self.fast)
            held = decision_of(self.portfolio, fn, found.arrangement, found.lead)
            return attrs.evolve(found, decision=held)
        pack, portfolio = self.pack, self.portfolio
        _check_answers(pack, fn, self.bodies, self.required, self.tiers)
        choose = lead_by_capability(portfolio, fn)
        compiled = self.compiled
        key, known = compiled.extract(fn, portfolio)
        case = compiled.case(self.engine, key, known, function=fn.id)
        decided = case.decided
        if decided.conflicts or decided.gap is not None:
            # Raises, naming the rules and the answers as every classification words it.
            values = pack.facts.values(fn, portfolio)
            derive(pack, values, backend=self.engine, choose_lead=choose, function=fn.id).check(
                fn.id
            )
            raise EngineError("the rules reached no single answer", function=fn.id)
        known.update(case.findings)  # the extractor's own dict: the answers and the findings
        lead = _settle(case, known, choose, fn.id)
        node = compiled.node  # a node the case does not hold is each function's own
        nodes = tuple([found or node(rule, known) for rule, found in case.plan])
        return _recommendation(portfolio, fn, case, lead, nodes)


#: How the lead was settled: the lead, the rule it is taken from, the bodies tied, the notes.
_Lead = tuple[str | None, Rule | None, tuple[str, ...], tuple[str, ...]]


def _settle(case: Case, known: Mapping[str, Any], choose: LeadChooser, function: str) -> _Lead:
    """The lead :func:`settle_lead` gives for a case with neither conflict nor gap.

    Where one lead rule has the highest priority and it names one body the law lets lead (or a
    joint lead where that stands), that rule gives the lead and nothing else is said: taken
    here without the general resolution. Otherwise :func:`settle_lead` decides (and raises,
    naming the rules, for a conflict or a gap).
    """
    decided = case.decided
    if len(case.leads) == 1 and decided.arrangement is not None:
        rule = case.leads[0]
        option = choose(rule, known)
        if option is not None and not option[1]:
            lead = option[0]
            if lead is not None or not decided.arrangement.separate:
                return lead, rule, (), ()
    derivation = settle_lead(decided, known, choose).check(function)
    return derivation.lead, derivation.lead_by, derivation.tied, derivation.notes


def _recommendation(
    portfolio: Portfolio, fn: Function, case: Case, settled: _Lead, nodes: tuple[Firing, ...]
) -> Recommendation:
    """The recommendation a case and the lead give, with its explanation tree.

    ``nodes``: the explanation node of each rule that fired, in order.
    """
    decided = case.decided
    arrangement = decided.arrangement
    assert decided.decided_by is not None and arrangement is not None  # checked
    lead, lead_by, settled_tied, notes = settled
    own = each_own(fn, arrangement)
    tied = settled_tied
    if own:
        lead, tied = None, ()
    held = decision_of(portfolio, fn, arrangement, lead)
    index = case.index
    capped = decided.capped_by
    explanation = Explanation(
        nodes,  # fired
        nodes[index[decided.decided_by.id]],  # decided_by
        tuple([nodes[index[rule.id]] for rule in capped]) if capped else (),  # capped_by
        nodes[index[lead_by.id]] if lead_by is not None and not own else None,  # lead_by
        decided.findings,
        _notes(portfolio, fn, arrangement, notes, settled_tied, own, held),
    )
    involved, alone = involvement(portfolio, fn, arrangement, lead, tied)
    return Recommendation(
        fn.id, fn.name, arrangement, lead, explanation, tied, own,
        (), (), "answers",  # possible, open_questions, settled_by: a decided function's
        involved, alone, held,
    )  # fmt: skip


def _notes(
    portfolio: Portfolio,
    fn: Function,
    arrangement: Arrangement,
    said: tuple[str, ...],
    tied: tuple[str, ...],
    own: tuple[str, ...],
    held: Decision,
) -> tuple[str, ...]:
    """The explanation's notes: the lead's (``said``), each body's own, who decides, breaches.

    ``tied``: the bodies tied for the lead, as the lead was settled (before each body's own).
    """
    legal = fn.legal
    void = _void_delegations(portfolio, held)
    if not (
        said or own or held.consents or legal.decided_by or legal.independence_breached or void
    ) and (arrangement.separate or not (legal.board_reserved or legal.held_by_each)):
        return ()  # nothing below would say anything (the common case, kept cheap)
    notes = list(said)
    if void:
        deciding = ", ".join(d.id for d in held.deciders) or "its holders"
        notes.append(
            f"its delegation to {void} cannot take effect: the law does not let these bodies "
            "delegate decisions to a joint committee (law.joint_committees is false on the day "
            f"judged), so {deciding} keep deciding it; check reports it (joint-committee-law)"
        )
    if own:
        if tied:
            notes = [n for n in notes if not n.startswith("undecided between")]
        notes.append(
            f"no lead: the law gives each of {', '.join(own)} the duty of its own, and it is "
            "run separately, so each body does its own and is accountable for its own"
        )
    notes += _decision_notes(portfolio, fn, arrangement, held)
    # decision_words says something only of a post deciding (legal.decided_by names one) or
    # a consent: skipped otherwise.
    if held.consents or any(d.basis == "named" for d in held.deciders):
        notes += decision_words(held, portfolio)
    notes += [breached_independence(fn.name, b) for b in legal.independence_breached]
    return tuple(notes)


def _void_delegations(portfolio: Portfolio, held: Decision) -> str:
    """The joint committees ``held`` lists as delegated to where the law allows none (words)."""
    if portfolio.law.joint_committees or not held.delegations:
        return ""
    names = {b.id: b.name for b in portfolio.governance.bodies}
    void = dict.fromkeys(
        names.get(d.to, d.to)
        for d in held.delegations
        if d.to_kind == "joint_committee" and not d.planned
    )
    return ", ".join(void)


def taking_part(portfolio: Portfolio, fn: Function) -> tuple[str, ...]:
    """The bodies that take part in ``fn``, in portfolio order.

    Those that carry it out, hold it in law (``legal.statutory_owner``, ``legal.held_by_each``),
    are involved in it (``involves``), or sit on a joint body of the governance that takes or
    oversees its decisions. A function one body carries out and holds, with nobody else in this
    list, is that body's alone.
    """
    legal = fn.legal
    named = {*fn.performed_by, *legal.statutory_owner, *legal.held_by_each, *fn.involves}
    for body in portfolio.governance.taking(fn.id):
        named.update(body.members)
    return tuple(b for b in portfolio.organisation_ids if b in named)


def involvement(
    portfolio: Portfolio,
    fn: Function,
    arrangement: Arrangement,
    lead: str | None,
    tied: tuple[str, ...] = (),
) -> tuple[tuple[str, ...], str | None]:
    """Who is involved in ``fn`` under ``arrangement``, and the body delivering it alone, if any.

    In category 3 the bodies "consult and involve each other" (Annex B): every body besides the
    lead (or the tied bodies) that the law lets be involved. Where one body carries the function
    out, only the bodies that take part (:func:`taking_part`) are involved: with nobody else
    taking part, no body is involved, and where that body also leads, it delivers the function
    alone (categories 3 and 4: board paper para 16 places EPRR, NHS England's alone, in
    "Separate, involvement if needed", whose involvement is "if needed"). One team and aligned
    teams involve nobody: the bodies take part in them.
    """
    leads = (lead,) if lead is not None else tied
    single = len(fn.performed_by) == 1
    part = taking_part(portfolio, fn) if single else portfolio.organisation_ids
    involved: tuple[str, ...] = ()
    if arrangement is Arrangement.SEPARATE_INVOLVED:
        legal = fn.legal
        involved = tuple([b for b in part if b not in leads and legal.may_be_involved(b)])
    alone = lead if single and arrangement.separate and part == (lead,) and not involved else None
    return involved, alone


def each_own(fn: Function, arrangement: Arrangement) -> tuple[str, ...]:
    """The bodies that each do their own part of ``fn``, with no lead; empty when one leads.

    Where the law gives every body that carries the function out the duty of its own
    (``legal.held_by_each`` names each of them: each police force's and fire authority's own
    statement of accounts) and the function is run separately (categories 3 and 4), no body
    leads: each does its own and is accountable for its own. Where one team or aligned teams
    deliver it, a lead is still needed for the delivery, and each body keeps deciding.
    """
    performers = fn.performed_by
    held = fn.legal.held_by_each
    if held and len(performers) > 1 and arrangement.separate and set(held).issuperset(performers):
        return performers
    return ()


def _decision_notes(
    portfolio: Portfolio, fn: Function, arrangement: Arrangement, held: Decision
) -> tuple[str, ...]:
    """Who decides, said apart from who delivers (the structure draws both).

    A body that has delegated its own duty to a joint body is not among those that keep
    deciding (``held``'s delegations): the joint body decides it.
    """
    legal = fn.legal
    if arrangement.separate or not (legal.board_reserved or legal.held_by_each):
        return ()  # nobody keeps deciding apart from who delivers
    handed = delegating(held)
    keepers = [b for b in legal.held_by_each if b not in handed]
    if legal.board_reserved:  # held by each and handed over: the joint committee decides
        gave = handed_over(held) if legal.held_by_each else frozenset()
        keepers = [b for b in fn.performed_by if b not in gave]
    if not keepers:
        return ()
    whom = (
        "one team delivers" if arrangement is Arrangement.ONE_TEAM else "the aligned teams deliver"
    )
    governed = {o.id: o.governing_body for o in portfolio.organisations}
    words = sorted({governed.get(b, "Board") for b in keepers})
    word = words[0] if len(words) == 1 else "governing body"
    what = (
        f"the decision is reserved to each body's own {word}"
        if legal.board_reserved
        else "each of them holds the duty or office of its own"
    )
    forum = {
        "joint_committee": "; they may take it together through a joint committee, which the "
        "law allows",
        "committees_in_common": "; with no joint committee open to them, they take it in "
        f"committees in common, each {word} keeping its own decision",
        "governance": "; their joint governance takes or oversees it",
    }.get(portfolio.decision_forum(fn, arrangement) or "", "")
    return (
        f"{what}: {', '.join(keepers)} each keep deciding, and {whom} for them "
        "(who decides is not who delivers; Annex B category 1: the head of the team is "
        f"accountable to both organisations){forum}",
    )


def lead_by_capability(portfolio: Portfolio, function: Function) -> LeadChooser:
    """The lead policy: of the bodies a lead rule names, the most capable at ``function`` leads.

    Only bodies the law lets lead are candidates (:meth:`Legal.may_lead`: never a body the
    function must stay independent of, nor one whose employees may not carry it out). When two
    or more candidates are equally capable, the lead is undecided between them: the rules could
    not separate them, and listing order does not pretend to.
    """
    legal = function.legal
    capability = function.capability
    # Where the law bars no body from leading, every body named is a candidate.
    barring = bool(legal.independence_from or legal.delegable_to)

    def choose(rule: Rule, values: Mapping[str, Any]) -> tuple[str | None, tuple[str, ...]] | None:
        source = rule.then.lead
        if source == "joint":
            return None, ()
        if source == "organisations":
            named: tuple[str, ...] = portfolio.organisation_ids
        else:
            found = values.get(str(source))
            named = (found,) if isinstance(found, str) else tuple(found or ())
        if not named:
            raise EngineError(
                f"sets the lead from '{source}', which is empty", function=function.id, rule=rule.id
            )
        bodies = [b for b in named if legal.may_lead(b)] if barring else named
        if len(bodies) < 2:
            return (bodies[0], ()) if bodies else None
        levels = capability.as_dict()  # a body not answered for has none
        # By rank: comparing levels compares their names.
        ranks = [int(levels.get(b, Level.NONE)) for b in bodies]
        best = max(ranks)
        if ranks.count(best) == 1:
            return bodies[ranks.index(best)], ()
        return None, tuple([b for b, rank in zip(bodies, ranks, strict=True) if rank == best])

    return choose
