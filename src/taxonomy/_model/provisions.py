"""The law: undated, or dated provisions (bodies abolished, functions' legal facts) by day."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Iterator
from typing import Any

import attrs

from taxonomy._model.fields import check_day, check_id, check_some_ids, check_text, to_ids
from taxonomy._model.text import format_value


def parse_day(value: object) -> datetime.date:
    """A day of the calendar: a ``date``, or text written ``YYYY-MM-DD``.

    Raises:
        ValueError: anything else (a time of day, a number, ``2022-13-01``), saying how to write it.

    >>> parse_day("2022-07-01"), parse_day(datetime.date(2018, 3, 28))
    (datetime.date(2022, 7, 1), datetime.date(2018, 3, 28))
    """
    if isinstance(value, datetime.datetime):
        raise ValueError(f"{value} is a time, not a day: write YYYY-MM-DD")
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and _DAY.match(value.strip()):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"'{value}' is not a day of the calendar") from None
    if isinstance(value, str):
        shown = f"'{value}'"
    elif isinstance(value, int | float) and not isinstance(value, bool):
        shown = f"the number {value}"
    else:
        shown = f"{type(value).__name__} {value!r}"
    raise ValueError(f"{shown} is not a day: write YYYY-MM-DD, e.g. 2022-07-01")


_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


@attrs.frozen
class Abolition:
    """Bodies the law abolishes, and the body that takes their functions.

    Applied like a what-if merger (:class:`taxonomy.whatif.scenarios.Merge`): the functions,
    answers and governance of ``bodies`` go to ``into``.

    Attributes:
        bodies: the bodies that cease to exist.
        into: their successor.
        name: the successor's name when the same provision establishes it as a new body (eight
            CCGs into one new CCG); None when ``into`` already exists.

    >>> Abolition(("nhsi",), "nhse").describe()
    'abolishes nhsi; functions to nhse'
    """

    bodies: tuple[str, ...] = attrs.field(converter=to_ids, validator=check_some_ids)
    into: str = attrs.field(validator=check_id)
    name: str | None = attrs.field(default=None, validator=attrs.validators.optional(check_text))

    def __attrs_post_init__(self) -> None:
        if self.into in self.bodies:
            raise ValueError(f"'{self.into}' cannot be abolished into itself")

    def describe(self) -> str:
        """The abolition in words."""
        into = f"{self.into} ({self.name}, new)" if self.name else self.into
        return f"abolishes {', '.join(self.bodies)}; functions to {into}"


def _abolitions(value: Iterable[Abolition]) -> tuple[Abolition, ...]:
    return tuple(value)


def _facts(value: Iterable[tuple[str, Any]]) -> tuple[tuple[str, Any], ...]:
    return tuple((key, fact) for key, fact in value)


def _some_facts(
    instance: FunctionLaw, _attribute: attrs.Attribute[Any], value: tuple[tuple[str, Any], ...]
) -> None:
    keys = [key for key, _ in value]
    if not keys:
        raise ValueError(f"the law on {instance.function!r} sets no legal fact")
    if len(set(keys)) != len(keys):
        raise ValueError(f"the law on {instance.function!r} sets a legal fact twice")


@attrs.frozen
class FunctionLaw:
    """What a provision says of one function's legal facts while it is in force.

    Each key written replaces that key of the function's own ``legal``
    (:class:`taxonomy.Legal`); the keys not written stay as the function says.

    Attributes:
        function: the function's id.
        legal: the legal facts set, as ``(key, value)`` pairs in the order written: the key is
            the attribute of :class:`taxonomy.Legal`, the value as it holds it (a tuple of
            ids, true/false, a text), except ``held_by_each``'s ``"all"``: each body that
            performs the function on the day judged.

    >>> FunctionLaw("eprr", (("statutory_owner", ("nhse",)),)).describe()
    'eprr: statutory_owner nhse'
    """

    function: str = attrs.field(validator=check_id)
    legal: tuple[tuple[str, Any], ...] = attrs.field(converter=_facts, validator=_some_facts)

    def facts(self, performed_by: tuple[str, ...]) -> dict[str, Any]:
        """The facts it sets of a function performed by ``performed_by``, ``all`` resolved.

        >>> FunctionLaw("fn", (("held_by_each", "all"),)).facts(("a", "b"))
        {'held_by_each': ('a', 'b')}
        """
        return {
            k: tuple(performed_by) if (k, v) == ("held_by_each", "all") else v
            for k, v in self.legal
        }

    @staticmethod
    def words(value: Any) -> str:
        """A fact's value in words: ids separated by commas (``none``), true or false, the text."""
        return _said(value)

    def describe(self) -> str:
        """The facts set, in words: ``eprr: statutory_owner nhse; board_reserved true``."""
        said = "; ".join(f"{key} {_said(value)}" for key, value in self.legal)
        return f"{self.function}: {said}"


def _said(value: Any) -> str:
    if isinstance(value, tuple):
        return ", ".join(value) if value else "none"
    if isinstance(value, str):
        return value or "none"
    return format_value(value)


def _function_laws(value: Iterable[FunctionLaw]) -> tuple[FunctionLaw, ...]:
    return tuple(value)


@attrs.frozen
class Provision:
    """A dated provision of the law: what it says, the days it is in force, and its source.

    Attributes:
        id: how results cite it.
        source: where it is in the law (the Act, the section, the commencement): required.
        from_: its first day in force (``from`` in a file); None: in force on any earlier day.
        until: its last day in force, inclusive; None: still in force.
        joint_committees: whether, while it is in force, the bodies may delegate decisions to a
            joint committee; None when it says nothing of that.
        abolishes: the bodies it abolishes from ``from_`` on. An abolition is permanent, so a
            provision that abolishes has a ``from_`` and no ``until``.
        functions: the functions' legal facts it sets while it is in force (each function
            once), applied after its abolitions (:func:`taxonomy.law.in_force`).

    >>> act = Provision("act", "An Act", from_=datetime.date(2022, 7, 1), joint_committees=True)
    >>> act.in_force(datetime.date(2022, 6, 30)), act.in_force(datetime.date(2022, 7, 1))
    (False, True)
    """

    id: str = attrs.field(validator=check_id)
    source: str = attrs.field(validator=check_text)
    from_: datetime.date | None = attrs.field(default=None, validator=check_day)
    until: datetime.date | None = attrs.field(default=None, validator=check_day)
    joint_committees: bool | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(bool))
    )
    abolishes: tuple[Abolition, ...] = attrs.field(
        default=(),
        converter=_abolitions,
        validator=attrs.validators.deep_iterable(attrs.validators.instance_of(Abolition)),
    )
    functions: tuple[FunctionLaw, ...] = attrs.field(
        default=(),
        converter=_function_laws,
        validator=attrs.validators.deep_iterable(attrs.validators.instance_of(FunctionLaw)),
    )

    def __attrs_post_init__(self) -> None:
        if self.from_ is not None and self.until is not None and self.until < self.from_:
            raise ValueError(
                f"provision {self.id!r}: until ({self.until}) is before from ({self.from_})"
            )
        if self.joint_committees is None and not self.abolishes and not self.functions:
            raise ValueError(
                f"provision {self.id!r} says nothing: give joint_committees, abolishes or functions"
            )
        named = [law.function for law in self.functions]
        if len(set(named)) != len(named):
            raise ValueError(f"provision {self.id!r} sets the law of a function twice")
        if self.abolishes and (self.from_ is None or self.until is not None):
            raise ValueError(
                f"provision {self.id!r}: an abolition is permanent, so a provision that abolishes "
                "bodies has a 'from' day and no 'until' (put what ends in a provision of its own)"
            )
        gone = [body for abolition in self.abolishes for body in abolition.bodies]
        if len(set(gone)) != len(gone):
            raise ValueError(f"provision {self.id!r} abolishes a body twice")

    def in_force(self, day: datetime.date) -> bool:
        """Whether it is in force on ``day`` (its first and last days included)."""
        return (self.from_ is None or self.from_ <= day) and (
            self.until is None or day <= self.until
        )

    def disagreement(self, other: Provision) -> str | None:
        """How this provision and ``other`` contradict each other on a day both are in force.

        Two provisions in force on the same day may not say different things of the same key
        (``joint_committees``, or the same legal fact of the same function); None when they
        never do.

        >>> d = datetime.date
        >>> a = Provision("a", "A", until=d(2022, 6, 30), joint_committees=False)
        >>> b = Provision("b", "B", from_=d(2022, 6, 30), joint_committees=True)
        >>> print(a.disagreement(b).split(" (")[0])
        provisions 'a' and 'b' disagree on joint_committees on 2022-06-30
        """
        starts = [day for day in (self.from_, other.from_) if day is not None]
        ends = [day for day in (self.until, other.until) if day is not None]
        first = max(starts) if starts else None
        if first is not None and ends and min(ends) < first:
            return None
        for key, mine, theirs in self._said_twice(other):
            when = f"on {first}" if first is not None else "on every day both are in force"
            return (
                f"provisions {self.id!r} and {other.id!r} disagree on {key} {when} "
                f"({self.id!r} says {_said(mine)}, {other.id!r} says {_said(theirs)}): make "
                "their days not overlap"
            )
        return None

    def _said_twice(self, other: Provision) -> Iterator[tuple[str, Any, Any]]:
        """Each key both provisions set, differently: the key and what each says."""
        if (
            self.joint_committees is not None
            and other.joint_committees is not None
            and self.joint_committees != other.joint_committees
        ):
            yield "joint_committees", self.joint_committees, other.joint_committees
        theirs = {law.function: dict(law.legal) for law in other.functions}
        for law in self.functions:
            for key, value in law.legal:
                said = theirs.get(law.function, {})
                if key in said and said[key] != value:
                    yield f"{law.function}'s legal.{key}", value, said[key]


def _provisions(value: Iterable[Provision]) -> tuple[Provision, ...]:
    return tuple(value)


_PROVISIONS = attrs.validators.deep_iterable(attrs.validators.instance_of(Provision))


@attrs.frozen
class Law:
    """What the law lets the bodies do together: undated, or dated provisions to resolve by day.

    Undated, it is one answer, in force on every day. Dated (``provisions``), it says what holds
    on each day; :meth:`on` gives the undated law of one day, and
    :func:`taxonomy.law.in_force` the portfolio of that day (abolished bodies merged
    into their successors). Classification always reads an undated law.

    Attributes:
        joint_committees: whether the bodies may delegate decisions to a joint committee. CCGs
            could (the NW London Joint Committee); NHS England and NHS Improvement could not in
            2018 (the 2019 legislative proposals sought it). For a dated law, the answer on a day
            no provision in force speaks to it.
        provisions: dated provisions, each with its source; empty for an undated law.
        applied: for the law of one day (from :meth:`on`), the provisions in force that day,
            already carried out; empty otherwise.

    >>> d = datetime.date
    >>> law = Law(provisions=(
    ...     Provision("old", "Old Act", until=d(2022, 6, 30), joint_committees=False),
    ...     Provision("new", "New Act", from_=d(2022, 7, 1), joint_committees=True),
    ... ))
    >>> law.on(d(2022, 7, 1)).joint_committees, [p.id for p in law.on(d(2022, 7, 1)).applied]
    (True, ['new'])
    """

    joint_committees: bool = attrs.field(
        default=False, validator=attrs.validators.instance_of(bool)
    )
    provisions: tuple[Provision, ...] = attrs.field(
        default=(), converter=_provisions, validator=_PROVISIONS
    )
    applied: tuple[Provision, ...] = attrs.field(
        default=(), converter=_provisions, validator=_PROVISIONS
    )

    def __attrs_post_init__(self) -> None:
        if self.provisions and self.applied:
            raise ValueError("a law is dated (provisions) or of one day (applied), not both")
        ids = [p.id for p in self.provisions]
        if len(set(ids)) != len(ids):
            raise ValueError("two provisions share an id")
        for index, provision in enumerate(self.provisions):
            for earlier in self.provisions[:index]:
                problem = earlier.disagreement(provision)
                if problem is not None:
                    raise ValueError(problem)

    @property
    def dated(self) -> bool:
        """Whether it is dated: which provisions hold depends on the day."""
        return bool(self.provisions)

    def in_force(self, day: datetime.date) -> tuple[Provision, ...]:
        """The provisions in force on ``day``, in the order written."""
        return tuple(p for p in self.provisions if p.in_force(day))

    def in_order(self, day: datetime.date) -> tuple[Provision, ...]:
        """The provisions in force on ``day`` in the order they apply: by first day, as written."""
        return tuple(sorted(self.in_force(day), key=self._order))

    def _order(self, provision: Provision) -> tuple[datetime.date, int]:
        return (provision.from_ or datetime.date.min, self.provisions.index(provision))

    def on(self, day: datetime.date) -> Law:
        """The undated law of ``day``: what the provisions in force say, and which they are.

        Abolitions are not carried out here (they change the bodies, not the law): see
        :func:`taxonomy.law.in_force`. An undated law is the same on every day.
        """
        if not self.dated:
            return self
        applied = self.in_force(day)
        said = [p.joint_committees for p in applied if p.joint_committees is not None]
        return Law(joint_committees=said[0] if said else self.joint_committees, applied=applied)

    def abolitions(self) -> tuple[tuple[Provision, Abolition], ...]:
        """Every abolition with its provision, in the order they take effect.

        By first day in force, then as written: an abolition may name a successor that an
        earlier one established.
        """
        order = sorted((p for p in self.provisions if p.abolishes), key=self._order)
        return tuple((p, abolition) for p in order for abolition in p.abolishes)

    def succession_problems(
        self,
        organisations: Iterable[str],
        taken: Iterable[str] = (),
        *,
        outside: Iterable[str] = (),
    ) -> Iterator[tuple[int, int, str, str, str, tuple[str, ...]]]:
        """Where the abolitions name bodies that do not exist when they take effect.

        Args:
            organisations: the portfolio's bodies before any abolition.
            taken: other ids (functions, governance) a new successor may not take.
            outside: the independent bodies outside the portfolio: each may be abolished into
                a body (its independence passes to it), never be one a body goes into.

        Yields:
            For each problem, in the order the abolitions take effect: the provision's index,
            the abolition's index within it, the key (``body`` or ``into``), the id that is
            wrong, what is wrong, and the bodies that existed then.
        """
        existing, apart = list(organisations), list(outside)
        ever = set(existing) | set(taken) | set(apart)
        for provision, abolition in self.abolitions():
            where = (self.provisions.index(provision), provision.abolishes.index(abolition))
            known = tuple(existing)
            for body in abolition.bodies:
                if body not in existing and body not in apart:
                    gone = "no longer exists" if body in ever else "is not one of the bodies"
                    yield (*where, "body", body, f"'{body}' {gone} on {provision.from_}", known)
            if abolition.name is None and abolition.into not in existing:
                yield (
                    *where,
                    "into",
                    abolition.into,
                    f"'{abolition.into}' does not exist on {provision.from_}: name an existing "
                    "body, or give 'name' to establish it",
                    known,
                )
            elif abolition.name is not None and abolition.into in ever:
                yield (
                    *where,
                    "into",
                    abolition.into,
                    f"'{abolition.into}' is already an id: a new successor (with 'name') needs an "
                    "id of its own, or drop 'name' to merge into the existing body",
                    known,
                )
            existing = [b for b in existing if b not in abolition.bodies]
            apart = [b for b in apart if b not in abolition.bodies]
            if abolition.into not in existing:
                existing.append(abolition.into)
            ever.add(abolition.into)
