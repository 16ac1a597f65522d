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
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

import attrs

from taxonomy._merged_function import BODY_TYPES, merged_function
from taxonomy._merged_governance import Succession, merged_governance
from taxonomy._model import (
    Function,
    Law,
    OfADay,
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
    "EachInForce",
    "InForce",
    "Locates",
    "Merger",
    "apply_merge",
    "breached_independence",
    "in_force",
    "in_force_each",
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
    portfolio: Portfolio,
    change: Merger,
    facts: Facts,
    day: datetime.date | None,
    steps: list[_Step] | None = None,
) -> tuple[Portfolio, list[str]]:
    portfolio, into, gone = _successor(portfolio, change)
    succession = Succession(into, frozenset(gone), day)
    merging = _Merging(change, succession, facts)
    if steps is not None:
        steps.append(merging)
    notes: list[str] = []
    alone: list[str] = []
    functions = []
    for fn in portfolio.functions:
        merged = merging(fn, notes)
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
            streamed=portfolio.streamed,
        )
    except ValueError as exc:
        raise change.error(f"leaves an invalid portfolio: {exc}") from None
    return merged_portfolio, notes


class _Step(Protocol):
    """What one provision does to one function: the function after it (notes said)."""

    def __call__(self, fn: Function, notes: list[str]) -> Function:
        """``fn`` after the provision.

        Raises:
            TaxonomyError: the provision cannot be carried out on ``fn`` (see :class:`_Failed`).
        """
        ...


@attrs.frozen
class _Merging:
    """One merger carried out on one function (an abolition, or a scenario's ``merge:``)."""

    change: Merger
    succession: Succession
    facts: Facts

    def __call__(self, fn: Function, notes: list[str]) -> Function:
        try:
            return merged_function(fn, self.succession, self.facts, notes)
        except ValueError as exc:
            raise self.change.error(f"leaves an invalid portfolio: {exc}") from None


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
    return _in_force(portfolio, as_of, facts)


def _in_force(
    portfolio: Portfolio,
    as_of: datetime.date | str | None,
    facts: Facts | None,
    steps: list[_Step] | None = None,
) -> InForce:
    """:func:`in_force`; with ``steps``, what each provision does to a function is added to it."""
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
    undated = attrs.evolve(portfolio, law=Law(), as_of=day)
    current, notes = _dated(undated, law, day, facts, steps)
    governance = current.governance.on(day)
    return InForce(attrs.evolve(current, law=law.on(day), as_of=day, governance=governance), notes)


def in_force_each(
    context: Portfolio, as_of: datetime.date | str | None = None, facts: Facts | None = None
) -> EachInForce:
    """:func:`in_force` for a portfolio read a function at a time (``context``: no function).

    The bodies, governance and law are judged on the day now, as :func:`in_force` judges
    them; each function is judged as it is read, by :meth:`EachInForce.each`.

    What :func:`in_force` raises for the bodies themselves (no day for a dated law, a merger
    the bodies cannot take) is not raised: :attr:`EachInForce.day` is then None and
    :attr:`EachInForce.error` the error, unless a function read fails at an earlier provision
    (the whole read meets that first).
    """
    steps: list[_Step] = []
    try:
        day = _in_force(context, as_of, facts, steps)
    except TaxonomyError as error:
        failed = EachInForce(None, tuple(steps))
        # After every failure of the steps carried out so far (a merger's own included).
        failed._fail((len(steps), -1), error)
        return failed
    return EachInForce(day, tuple(steps))


class EachInForce:
    """The law of a day carried out on one function at a time (a portfolio streamed).

    Each function goes through what each provision in force does to a function, in the order
    :func:`in_force` carries them out (mergers, legal facts set); the function it gives is the
    one :func:`in_force` gives for that function in the whole portfolio.

    Attributes:
        day: the context (the bodies, governance and law, no function) judged on the day;
            None when the law cannot be carried out on the bodies themselves (see
            :attr:`error`).
    """

    def __init__(self, day: InForce | None, steps: tuple[_Step, ...]) -> None:
        self.day, self._steps = day, steps
        #: Where the whole portfolio's law fails first: (provision's step, place), the error.
        self._failed: tuple[tuple[int, int], TaxonomyError] | None = None
        self._count = 0

    @property
    def error(self) -> TaxonomyError | None:
        """The error :func:`in_force` raises on the whole portfolio, once every function is read.

        The first step to fail on any function, and of its failures the first a whole
        portfolio meets: the function first in the file (a merger), the change first in the
        provision's list (legal facts set).
        """
        return self._failed[1] if self._failed is not None else None

    def each(self, functions: Iterable[Function]) -> Iterator[Function]:
        """Each function as it stood on the day; none once one fails (every one still judged).

        Every function is read on (so that the first failure the whole read meets is found),
        through the steps before the first that has failed.
        """
        for fn in functions:
            judged = self._judged(fn)
            if judged is not None and self._failed is None:
                yield judged

    def _judged(self, fn: Function) -> Function | None:
        self._count += 1
        notes: list[str] = []  # what a merger says of one function is said only of a day's one body
        for number, step in enumerate(self._steps):
            if self._failed is not None and number > self._failed[0][0]:
                return None  # the whole read stops at that step
            try:
                fn = step(fn, notes)
            except _Failed as failed:
                self._fail((number, failed.position), failed.error)
                return None
            except TaxonomyError as error:
                self._fail((number, self._count), error)
                return None
        return fn

    def _fail(self, where: tuple[int, int], error: TaxonomyError) -> None:
        if self._failed is None or where < self._failed[0]:
            self._failed = (where, error)


def _abolished(
    current: Portfolio,
    law: Law,
    day: datetime.date,
    facts: Facts | None,
    steps: list[_Step] | None = None,
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
        facts = facts if facts is not None else load_rules().facts
        merged, said = _apply_merge(current, merge, facts, provision.from_, steps)
        current = attrs.evolve(merged, as_of=current.as_of)
        notes += [f"{provision.id} (from {provision.from_}): {note}" for note in said]
    return current, tuple(notes)


def _dated(
    current: Portfolio,
    law: Law,
    day: datetime.date,
    facts: Facts | None,
    steps: list[_Step] | None = None,
) -> tuple[Portfolio, tuple[str, ...]]:
    """``current`` under the provisions of ``law`` in force on ``day``, and notes saying so.

    In the order they apply (:meth:`Law.in_order`): a provision's abolitions, then the
    functions' legal facts it sets, so a later provision names the successors. With
    ``steps`` (``current`` holds no function), what each does to a function is added to it.
    """
    notes: list[str] = []
    for provision in law.in_order(day):
        if provision.abolishes:
            current, said = _abolished(current, Law(provisions=(provision,)), day, facts, steps)
            notes += said
        if provision.functions and steps is not None:
            steps.append(_Setting(provision, day))
        elif provision.functions:
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
    for index, change in enumerate(provision.functions):
        if change.function not in functions:
            raise _cannot(provision, change.function, day, "the portfolio has no such function")
        fn = functions[change.function]
        functions[fn.id] = _Setting(provision, day).change(fn, index, notes)
    return attrs.evolve(current, functions=tuple(functions.values()))


def _cannot(provision: Provision, function: str, day: datetime.date, why: object) -> PortfolioError:
    """The error of a provision setting a function's legal facts to what cannot be."""
    return PortfolioError(
        f"provision {provision.id!r} sets the law of function '{function}' on {day} to "
        f"what cannot be: {why}",
        item=f"law: provision '{provision.id}'",
        key="functions",
    )


class _Failed(Exception):
    """A provision could not be carried out on a function: where, among the provision's own."""

    def __init__(self, error: TaxonomyError, position: int) -> None:
        super().__init__(str(error))
        self.error, self.position = error, position


@attrs.frozen
class _Setting:
    """A provision's legal facts of functions, set on each function it names."""

    provision: Provision
    day: datetime.date

    def __call__(self, fn: Function, notes: list[str]) -> Function:
        """``fn`` with the facts the provision sets for it (it may name it more than once).

        Raises:
            _Failed: what the whole portfolio's law raises, at the change's place in the list.
        """
        for index, change in enumerate(self.provision.functions):
            if change.function == fn.id:
                try:
                    fn = self.change(fn, index, notes)
                except PortfolioError as error:
                    raise _Failed(error, index) from None
        return fn

    def change(self, fn: Function, index: int, notes: list[str]) -> Function:
        """``fn`` with the ``index``-th change of the provision made, noted."""
        provision, change = self.provision, self.provision.functions[index]
        start, end = provision.from_, provision.until
        when = f"from {start}" if start else f"until {end}" if end else "always"
        try:
            said = change.facts(fn.performed_by)
            changed = attrs.evolve(fn, legal=attrs.evolve(fn.legal, **said))
            notes += [
                f"{provision.id} ({when}): {fn.id}: {k} {change.words(v)}" for k, v in said.items()
            ]
        except ValueError as exc:
            raise _cannot(provision, fn.id, self.day, exc) from None
        return changed


def _day(value: datetime.date | str) -> datetime.date:
    try:
        return parse_day(value)
    except ValueError as exc:
        raise InputError(f"as_of: {exc}") from None
