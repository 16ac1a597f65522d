"""The law in force on a day, and what a merger of bodies does to a portfolio.

Core semantics, below classification: :func:`in_force` judges a portfolio on one day (the
provisions of a dated law in force that day, the bodies they abolish merged into their
successors), and :func:`apply_merge` is that merger, shared with scenarios' ``merge:`` changes
(:mod:`taxonomy.whatif.scenarios`).

A portfolio's law may be dated (a list of provisions, each in force from one day to another; see
taxonomy.Law). Judging it on a day takes the provisions in force that day: what they say of joint
committees becomes the law classification reads, and the bodies they abolish are merged into
their successors exactly as a scenario's merger does. The day is always given (as_of, or the
portfolio's own as_of), never "today", so the same input gives the same result on any day.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

import attrs

from taxonomy._merged_governance import Succession, merged_governance
from taxonomy._model import (
    UNKNOWN,
    BodyAnswers,
    Capability,
    Function,
    Law,
    Legal,
    Level,
    OfADay,
    OneOf,
    Organisation,
    Portfolio,
    Provision,
    parse_day,
)
from taxonomy.errors import InputError, PortfolioError, TaxonomyError, did_you_mean
from taxonomy.language.facts import Facts
from taxonomy.language.rules import load_rules

__all__ = [
    "BODY_TYPES",
    "InForce",
    "Locates",
    "Merger",
    "apply_merge",
    "breached_independence",
    "in_force",
    "known_body",
]


def _strings(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen
class Merger:
    """Bodies merged into one (NHS Improvement into NHS England, 1 July 2022).

    Attributes:
        into: the successor's id (an existing body, or a new one when ``name`` is given).
        from_: the bodies merged into it.
        name: the successor's name, when it is a new body.
    """

    into: str
    from_: tuple[str, ...] = attrs.field(converter=_strings)
    name: str | None = None

    def error(self, problem: str, **fields: Any) -> TaxonomyError:
        """The error a problem with this merger raises (a scenario's change locates it)."""
        return PortfolioError(
            f"merging {', '.join(self.from_)} into {self.into}: {problem}", **fields
        )


class Locates(Protocol):
    """Anything that makes the error for a problem found at it (a merger, a scenario's change)."""

    def error(self, problem: str, **fields: Any) -> TaxonomyError:
        """The error to raise for ``problem``, located here."""
        ...


def known_body(portfolio: Portfolio, body: str, at: Locates, key: str) -> str:
    """``body``, if it is one of the portfolio's organisations.

    Raises:
        TaxonomyError: ``at``'s error, naming the key, the bodies there are and a "did you mean".
    """
    ids = portfolio.organisation_ids
    if body not in ids:
        raise at.error(
            f"'{body}' is not one of the portfolio's organisations",
            key=key,
            allowed=ids,
            suggestion=did_you_mean(body, ids),
        )
    return body


def apply_merge(
    portfolio: Portfolio,
    change: Merger,
    facts: Facts | None = None,
    *,
    day: datetime.date | None = None,
) -> tuple[Portfolio, list[str]]:
    """``portfolio`` with the bodies of ``change`` merged, and notes on what that did.

    Used by scenarios' mergers and by the law's abolitions (:func:`in_force`). The day the
    portfolio describes (``as_of``) is kept. Every value that names a body follows the merger:
    the model's own (``performed_by``, the legal constraints, ``agreed_lead``, capability, the
    governance) and every answer to a question the pack declares of type ``body``, ``bodies``
    or ``body_levels`` (a police pack's ``legal.lead_force``), found from ``facts``' declared
    types. A joint body left with fewer than two distinct members lapses, with a note: its
    delegated decisions go back to the successor, and a post that reported to it reports to
    the successor (:mod:`taxonomy._merged_governance`).

    Args:
        portfolio: the portfolio before the merger (never changed).
        change: the merger.
        facts: the facts of the pack the portfolio is answered for (None: the default pack's).
        day: the day of the merger (a dated law's abolition), from which a successor sits on
            the joint bodies of the bodies merged into it; None: a merger of no day.

    Raises:
        TaxonomyError: an unknown body, or a merger that leaves an invalid portfolio (the error
            ``change.error`` makes: a :class:`ScenarioError` at a scenario's change).
    """
    if facts is None:
        facts = load_rules().facts
    merged, notes = _apply_merge(portfolio, change, facts, day)
    return attrs.evolve(merged, as_of=portfolio.as_of), notes


#: The fact types whose values name bodies, and so follow a merger.
BODY_TYPES = ("body", "bodies", "body_levels")


def _merge_answers(
    answers: Iterable[tuple[str, Any]], facts: Facts, one: Callable[[str], str]
) -> dict[str, Any]:
    """Declared answers with every body they name replaced by its successor.

    Which answers name bodies comes from the pack's declared types, never from a list here.
    """
    merged: dict[str, Any] = {}
    for name, value in answers:
        kind = facts.type(name).name if name in facts else None
        if kind == "body" and isinstance(value, str):
            value = one(value)
        elif kind == "bodies" and isinstance(value, tuple | list):
            value = tuple(dict.fromkeys(one(b) for b in value))
        elif kind == "body_levels" and isinstance(value, Mapping | tuple | list):
            items = value.items() if isinstance(value, Mapping) else value
            levels: dict[str, Any] = {}
            for body, level in items:
                levels[one(body)] = max(levels.get(one(body), level), level)
            value = levels if isinstance(value, Mapping) else tuple(levels.items())
        merged[name] = value
    return merged


def _successor(portfolio: Portfolio, change: Merger) -> tuple[Portfolio, str, set[str]]:
    """The portfolio with the successor in it (a new body when named), its id and the bodies gone.

    Raises:
        TaxonomyError: an unknown body, a successor that exists already though named, or none
            merged.
    """
    at = change
    if change.name is not None:
        if change.into in portfolio.organisation_ids:
            raise at.error(
                f"'{change.into}' already exists; drop 'name' to merge into it", key="into"
            )
        try:
            # The successor is governed as the bodies it replaces were (a Board, a Cabinet).
            words = [o.governing_body for o in portfolio.organisations if o.id in change.from_]
            new_body = Organisation(change.into, change.name, words[0] if words else "Board")
        except ValueError as exc:
            raise at.error(str(exc), key="into") from None
        portfolio = attrs.evolve(portfolio, organisations=(*portfolio.organisations, new_body))
    into = known_body(portfolio, change.into, at, "into")
    if not change.from_:
        raise at.error("'from' must name at least one body", key="from")
    # A body outside the portfolio (independent_bodies) may be merged into one of its bodies.
    outside = set(portfolio.independent_ids)
    gone = {b if b in outside else known_body(portfolio, b, at, "from") for b in change.from_}
    if into in gone:
        raise at.error(f"'{into}' cannot merge into itself", key="from")
    return portfolio, into, gone


def _apply_merge(
    portfolio: Portfolio, change: Merger, facts: Facts, day: datetime.date | None
) -> tuple[Portfolio, list[str]]:
    portfolio, into, gone = _successor(portfolio, change)
    succession = Succession(into, frozenset(gone), day)
    notes: list[str] = []
    alone: list[str] = []
    functions = []
    for fn in portfolio.functions:
        try:
            merged = _merged_function(fn, succession, facts, notes)
        except ValueError as exc:
            raise change.error(f"leaves an invalid portfolio: {exc}") from None
        if len(fn.performed_by) > 1 and len(merged.performed_by) == 1:
            alone.append(
                f"{fn.id}: every body that carried it out ({', '.join(fn.performed_by)}) is now "
                f"{into}, which carries it out alone"
            )
        functions.append(merged)
    governance, lapsed = merged_governance(portfolio.governance, succession)
    organisations = tuple(o for o in portfolio.organisations if o.id not in gone)
    notes.insert(0, f"{', '.join(sorted(gone))} merged into {into}")
    if len(organisations) > 1:  # with one body left, every function is its alone anyway
        notes += alone
    notes += lapsed
    try:
        merged_portfolio = Portfolio(
            portfolio.name,
            organisations,
            tuple(functions),
            portfolio.law,
            governance,
            rules=portfolio.rules,
            pack=portfolio.pack,
            independent_bodies=[b for b in portfolio.independent_bodies if b.id not in gone],
        )
    except ValueError as exc:
        raise change.error(f"leaves an invalid portfolio: {exc}") from None
    return merged_portfolio, notes


def _merged_function(
    fn: Function, succession: Succession, facts: Facts, notes: list[str]
) -> Function:
    """``fn`` after the merger: every body it names replaced by the successor, its law kept.

    The law about a body gone passes to the successor: its duty, its employees-only, and the
    function's independence from it, which becomes independence from the successor. Where
    that independence can no longer be kept (the successor alone carries it out, holds its
    duty, or alone may do it), it is kept as ``legal.independence_breached`` and noted, for
    ``check`` to report, never dropped in silence.
    """
    one, many = succession.one, succession.many
    levels, unknowns = _merged_capability(fn, one)
    legal = attrs.evolve(
        fn.legal,
        statutory_owner=many(fn.legal.statutory_owner),
        held_by_each=many(fn.legal.held_by_each),
        delegable_to=many(fn.legal.delegable_to),
        independence_from=many(fn.legal.independence_from),
        independence_breached=many(fn.legal.independence_breached),
        with_agreement_of=_consents(fn, succession, notes),
    )
    performers = many(fn.performed_by)
    merged = attrs.evolve(
        fn,
        performed_by=performers,
        # A body involved that the merger made a performer, or one it must stay apart from, is
        # no longer merely involved.
        involves=[b for b in many(fn.involves) if b not in (*performers, *legal.independence_from)],
        capability=Capability(levels),
        unknowns=unknowns,
        by_body=_merged_by_body(fn, succession),
        answers=_merge_answers(fn.answers, facts, one),
        agreed_lead=None,
        legal=Legal(),
    )
    agreed = one(fn.agreed_lead) if fn.agreed_lead is not None else None
    if agreed is not None and not legal.may_lead(agreed):
        notes.append(
            f"{fn.id}: the agreed lead {fn.agreed_lead} is now {agreed}, which it must stay "
            "independent of: the agreement lapses"
        )
        agreed = None
    return _keep_independence(fn, merged, legal, agreed, succession, notes)


def _consents(fn: Function, succession: Succession, notes: list[str]) -> tuple[str, ...]:
    """The bodies whose agreement ``fn``'s decision still needs after the merger.

    A successor that now holds the function decides it (its agreement is its own decision);
    one the function must stay independent of cannot be asked to agree: each is noted.
    """
    legal, many = fn.legal, succession.many
    holders = many((*legal.statutory_owner, *legal.held_by_each))
    apart = many(legal.independence_from)
    kept = []
    for body in many(legal.with_agreement_of):
        if body in holders or body in apart:
            why = "holds it" if body in holders else "is a body it must stay independent of"
            notes.append(f"{fn.id}: the agreement of {body} is no longer asked: {body} {why}")
        else:
            kept.append(body)
    return tuple(kept)


def _merged_by_body(fn: Function, succession: Succession) -> tuple[BodyAnswers, ...]:
    """Who said what after the merger: a body gone speaks as the successor.

    A body's capability the merger changes (the successor's is the highest of the merged
    bodies') is no longer what any body said of it: its per-body record is dropped, and the
    open answer :func:`_merged_capability` gives stands.
    """
    touched = {*succession.gone, succession.into}
    return tuple(
        said.renamed(succession.one)
        for said in fn.by_body
        if not (said.key.startswith("capability.") and said.key.split(".", 1)[1] in touched)
    )


def _merged_capability(
    fn: Function, one: Callable[[str], str]
) -> tuple[dict[str, Level], tuple[tuple[str, OneOf], ...]]:
    """Each body's capability after the merger, and the function's open answers with it.

    A successor's capability is the highest of the bodies merged into it. Where one of theirs
    is open, the successor's is open over every highest the answers allow (``unknown`` and
    ``medium`` give ``medium..high``); the open answer names the successor, never a body gone.
    """
    open_ = {k.split(".", 1)[1]: v for k, v in fn.unknowns if k.startswith("capability.")}
    options: dict[str, set[Level]] = {}
    for body, level in fn.capability.levels:
        answer = open_.get(body)
        values = set(answer.values or tuple(Level)) if answer is not None else {level}
        before = options.get(one(body))
        options[one(body)] = (
            values if before is None else {max(a, b) for a in before for b in values}
        )
    levels: dict[str, Level] = {}
    unknowns = [(k, v) for k, v in fn.unknowns if not k.startswith("capability.")]
    for body, values in options.items():
        ordered = sorted(values)
        levels[body] = ordered[0]  # the placeholder nothing reads, where it is open
        if len(ordered) > 1:
            chosen: tuple[Any, ...] = tuple(ordered)
            whole = chosen == tuple(Level)
            unknowns.append((f"capability.{body}", UNKNOWN if whole else OneOf(chosen)))
    return levels, tuple(unknowns)


def _keep_independence(
    fn: Function,
    merged: Function,
    legal: Legal,
    agreed: str | None,
    succession: Succession,
    notes: list[str],
) -> Function:
    """``merged`` with its law: independence from the successor kept, or marked as breached."""
    into = succession.into
    try:
        kept = attrs.evolve(merged, legal=legal, agreed_lead=agreed)
    except ValueError:
        apart = tuple(b for b in legal.independence_from if b != into)
        # Once each: a second merger into the same body may breach it again (b2, then b3).
        breached = tuple(dict.fromkeys((*legal.independence_breached, into)))
        legal = attrs.evolve(legal, independence_from=apart, independence_breached=breached)
        gone = ", ".join(sorted(succession.gone))
        notes.append(
            f"{fn.id}: it must stay independent of {', '.join(fn.legal.independence_from)}; "
            f"with {gone} merged into {into}, {into} {_inside(merged, legal, into)}: it now sits "
            "inside a body it must stay independent of, which no arrangement can keep apart: "
            f"manage it as a conflict inside {into}, or move the function"
        )
        return attrs.evolve(merged, legal=legal, agreed_lead=agreed)
    was = [b for b in fn.legal.independence_from if b in succession.gone]
    if was and into not in fn.legal.independence_from:
        notes.append(
            f"{fn.id}: it had to stay independent of {', '.join(was)}, now merged into {into}: "
            f"it must stay independent of {into}"
        )
    return kept


def _inside(fn: Function, legal: Legal, into: str) -> str:
    """How a merger put ``fn`` inside ``into``, in words."""
    if into in legal.statutory_owner:
        return "holds its statutory duty"
    if set(fn.performed_by) <= {into, *legal.independence_from}:
        return "carries it out"
    return "is the only body whose employees may carry it out"


def breached_independence(name: str, body: str) -> str:
    """What is said of a function a merger put inside ``body``, which it must stay independent of.

    One sentence, for the recommendation's notes and ``check``'s error alike.

    >>> breached_independence("Procurement complaints", "nhse")[:70]
    'Procurement complaints must stay independent of nhse, but a merger mad'
    """
    return (
        f"{name} must stay independent of {body}, but a merger made {body} the body that "
        "carries it out or holds it, so no arrangement keeps it apart: manage it as a conflict "
        f"inside {body}, or move the function"
    )


def _notes(value: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen
class InForce(OfADay):
    """A portfolio judged on one day.

    Attributes:
        portfolio: the portfolio of that day: its law undated (what the provisions in force say,
            with ``law.applied`` naming them), its ``as_of`` the day, and the bodies abolished by
            then merged into their successors.
        notes: what carrying out the provisions did (mergers, constraints dropped, functions'
            legal facts set), each naming its provision.
    """

    portfolio: Portfolio
    notes: tuple[str, ...] = attrs.field(default=(), converter=_notes)

    @property
    def single_body(self) -> str | None:
        """The one body left, if the abolitions leave only one.

        Then every function is delivered once, by that body, and there is no joint arrangement
        to classify.
        """
        ids = self.portfolio.organisation_ids
        return ids[0] if len(ids) == 1 else None


def in_force(
    portfolio: Portfolio, as_of: datetime.date | str | None = None, facts: Facts | None = None
) -> InForce:
    """``portfolio`` as it stood on ``as_of`` (default: its own ``as_of``), under the law then.

    An undated law is in force on every day: the portfolio is returned as it is (with ``as_of``
    set to the day given, if one is). The baseline is never changed.

    The governance is that day's too (:meth:`Governance.on`): what is dated out of the day
    left out, what is planned kept as planned (judge the portfolio as written on each day).

    Args:
        portfolio: the portfolio, its law dated or not.
        as_of: the day, as a ``date`` or ``YYYY-MM-DD`` text; None for the portfolio's ``as_of``.
        facts: the facts of the pack the portfolio is answered for, so that the answers to its
            declared questions that name bodies follow an abolition (None: the default pack's).

    Raises:
        PortfolioError: the law is dated and no day is known (neither ``as_of`` nor the
            portfolio's), or the portfolio was already judged on another day.
        InputError: ``as_of`` is not a day.

    Examples:
        >>> import taxonomy
        >>> nhs = taxonomy.load_portfolio("examples/nhs_joint_working_2018.yaml")
        >>> day = in_force(nhs)
        >>> day.as_of, day.provisions, day.portfolio.organisation_ids
        (datetime.date(2018, 3, 28), ('nhs-act-2006-2018',), ('nhse', 'nhsi'))
        >>> later = in_force(nhs, "2022-07-01")
        >>> later.single_body, later.notes[0]
        ('nhse', 'health-and-care-act-2022 (from 2022-07-01): nhsi merged into nhse')
    """
    day = _day(as_of) if as_of is not None else portfolio.as_of
    where = f"portfolio '{portfolio.name}'"
    law = portfolio.law
    if law.applied and day != portfolio.as_of:
        raise PortfolioError(
            f"was already judged on {portfolio.as_of} (the law applied is that day's): judge "
            f"the original portfolio on {day} instead",
            item=where,
        )
    if not law.dated:
        governance = portfolio.governance.on(day)
        if day == portfolio.as_of and governance == portfolio.governance:
            return InForce(portfolio)
        return InForce(attrs.evolve(portfolio, as_of=day, governance=governance))
    if day is None:
        ids = ", ".join(p.id for p in law.provisions)
        raise PortfolioError(
            f"its law is dated (provisions {ids}) and no day is given to judge it on: pass "
            "--as-of YYYY-MM-DD (as_of= in Python), or state as_of: in the portfolio",
            item=where,
            key="as_of",
        )
    current, notes = _dated(attrs.evolve(portfolio, law=Law(), as_of=day), law, day, facts)
    governance = current.governance.on(day)
    return InForce(attrs.evolve(current, law=law.on(day), as_of=day, governance=governance), notes)


def _abolished(
    current: Portfolio, law: Law, day: datetime.date, facts: Facts | None
) -> tuple[Portfolio, tuple[str, ...]]:
    """``current`` with the bodies ``law`` abolishes by ``day`` merged, and notes saying so.

    ``current`` is undated while the bodies merge: the dated law names the bodies before the
    abolitions.
    """
    notes: list[str] = []
    for provision, abolition in law.abolitions():
        if not provision.in_force(day):
            continue
        merge = Merger(abolition.into, abolition.bodies, abolition.name)
        current, said = apply_merge(current, merge, facts, day=provision.from_)
        notes += [f"{provision.id} (from {provision.from_}): {note}" for note in said]
    return current, tuple(notes)


def _dated(
    current: Portfolio, law: Law, day: datetime.date, facts: Facts | None
) -> tuple[Portfolio, tuple[str, ...]]:
    """``current`` under the provisions of ``law`` in force on ``day``, and notes saying so.

    In the order they apply (:meth:`Law.in_order`): a provision's abolitions, then the
    functions' legal facts it sets, so a later provision names the successors.
    """
    notes: list[str] = []
    for provision in law.in_order(day):
        if provision.abolishes:
            current, said = _abolished(current, Law(provisions=(provision,)), day, facts)
            notes += said
        if provision.functions:
            current = _legal_set(current, provision, day, notes)
    return current, tuple(notes)


def _legal_set(
    current: Portfolio, provision: Provision, day: datetime.date, notes: list[str]
) -> Portfolio:
    """``current`` with the functions' legal facts ``provision`` sets, each noted.

    Raises:
        PortfolioError: a function those facts make impossible, naming provision, function, day.
    """
    functions = {fn.id: fn for fn in current.functions}
    start, end = provision.from_, provision.until
    when = f"from {start}" if start else f"until {end}" if end else "always"
    changing = ""
    try:
        for change in provision.functions:
            if (changing := change.function) not in functions:
                raise ValueError("the portfolio has no such function")
            fn = functions[changing]
            said = change.facts(fn.performed_by)
            functions[fn.id] = attrs.evolve(fn, legal=attrs.evolve(fn.legal, **said))
            notes += [
                f"{provision.id} ({when}): {fn.id}: {k} {change.words(v)}" for k, v in said.items()
            ]
        return attrs.evolve(current, functions=tuple(functions.values()))
    except ValueError as exc:
        raise PortfolioError(
            f"provision {provision.id!r} sets the law of function '{changing}' on {day} to "
            f"what cannot be: {exc}",
            item=f"law: provision '{provision.id}'",
            key="functions",
        ) from None


def _day(value: datetime.date | str) -> datetime.date:
    try:
        return parse_day(value)
    except ValueError as exc:
        raise InputError(f"as_of: {exc}") from None
