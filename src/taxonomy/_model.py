"""The domain model: bodies, functions, and the four key questions' answers.

Every class is a frozen attrs class whose validators refuse invalid states, so a value that
exists is valid, and hypothesis can build them (see ``taxonomy.testing``). Change a value with
``attrs.evolve``; nothing here is mutated.

The four key questions are those of the board paper, para 8: efficiency (duplication, simpler
processes), effectiveness (better delivered together), legal considerations, and organisational
capability.

The results (recommendations, explanations, the classification) are in
:mod:`taxonomy._results` and :mod:`taxonomy._explanation`.
"""

from __future__ import annotations

import datetime
import enum
import functools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import attrs

from taxonomy.errors import CONTROL_CHARACTER, InputError, UnknownIdError, did_you_mean

__all__ = [
    "DELEGATION_LIMITS",
    "ID_PATTERN",
    "JOINT_BODY_KINDS",
    "Abolition",
    "Arrangement",
    "Capability",
    "Effectiveness",
    "Efficiency",
    "Function",
    "Governance",
    "JointBody",
    "Law",
    "Legal",
    "Level",
    "OneOf",
    "Organisation",
    "Portfolio",
    "Provision",
    "Role",
    "UNKNOWN",
    "conclusion_text",
    "format_value",
    "lead_words",
    "word_list",
    "parse_day",
]

#: What an id (of a body, a function, a joint body, a role) may be: lower case, digits, ``_.-``.
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


def _check_id(_instance: object, attribute: attrs.Attribute[Any], value: str) -> None:
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        raise ValueError(
            f"{attribute.name} {value!r} must be lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )


def _non_empty(_instance: object, attribute: attrs.Attribute[Any], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{attribute.name} must be non-empty text")
    _plain(_instance, attribute, value)


def _plain(_instance: object, attribute: attrs.Attribute[Any], value: str) -> None:
    """Text a terminal or a spreadsheet shows as written: no control characters."""
    if not isinstance(value, str):
        raise TypeError(f"{attribute.name} must be text")
    control = CONTROL_CHARACTER.search(value)
    if control is not None:
        raise ValueError(
            f"{attribute.name} contains a control character (U+{ord(control.group()):04X})"
        )


class _Named(enum.IntEnum):
    """An ordinal scale whose members also compare equal to their JSON names.

    Ordering and arithmetic are the numbers' (``max`` of two arrangements is the more
    separate; ``Level(level + 1)`` is the next level up), and a member still equals its number,
    which ordering code relies on. A member also equals its name as JSON and the CLI write it
    (``Arrangement.ALIGNED == "aligned"``), and hashes as that name, so a dict or a set keyed by
    members is found by the name (``counts["aligned"]``); it is therefore not found by the
    number (use the member, or the name, as a key).
    """

    def __str__(self) -> str:
        return self.name.lower()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return str(self) == other
        if isinstance(other, _Named):  # a level is never an arrangement
            return self is other
        return int.__eq__(self, other) if isinstance(other, int) else NotImplemented

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash(str(self))


class Level(_Named):
    """The ordinal scale every answer is given on: none < low < medium < high.

    >>> Level.parse("medium") > Level.LOW
    True
    >>> str(Level.HIGH), Level.HIGH == "high", Level.HIGH == 3
    ('high', True, True)
    """

    NONE = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3

    @classmethod
    def parse(cls, text: str) -> Level:
        """Return the level named ``text`` (``none``, ``low``, ``medium`` or ``high``)."""
        try:
            return cls[str(text).upper()]
        except KeyError:
            raise ValueError(
                f"{text!r} is not a level; allowed: {', '.join(cls.names())}"
            ) from None

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The level names, lowest first."""
        return tuple(str(level) for level in cls)


@attrs.frozen
class OneOf:
    """An answer not (fully) known: one of ``values``, or anything the fact may take.

    ``OneOf(())`` (:data:`UNKNOWN`) is ``unknown``: any value of the fact's type. Otherwise
    ``values`` are the values still possible, in the fact's order: ``low..high`` is
    ``OneOf((Level.LOW, Level.MEDIUM, Level.HIGH))``; a list of choices is their ``OneOf``.
    Classification treats such an answer as partial evaluation: every completion is
    classified and the outcomes are reported with the condition each needs
    (:mod:`taxonomy.partial`).

    >>> str(UNKNOWN), str(OneOf((Level.LOW, Level.MEDIUM, Level.HIGH))), str(OneOf(("a", "b")))
    ('unknown', 'low..high', 'a or b')
    """

    values: tuple[Any, ...] = attrs.field(default=(), converter=tuple)

    @property
    def unknown(self) -> bool:
        """Whether nothing at all is known (any value of the fact's type)."""
        return not self.values

    def __str__(self) -> str:
        if not self.values:
            return "unknown"
        if all(isinstance(v, Level) for v in self.values) and len(self.values) > 1:
            levels = [int(v) for v in self.values]
            if levels == list(range(levels[0], levels[-1] + 1)):
                return f"{self.values[0]}..{self.values[-1]}"
        words = [format_value(v) for v in self.values]
        return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"

    def to_data(self) -> Any:
        """As a file writes it: ``unknown``, ``low..high``, or a list of values."""
        text = str(self)
        if not self.values or ".." in text:
            return text
        return [format_value(v) for v in self.values]


#: The answer ``unknown``: any value of the fact's type.
UNKNOWN = OneOf(())


class Arrangement(_Named):
    """The taxonomy's four categories (board paper, Annex B), most to least integrated.

    A larger value is more separate, so ``max`` of two arrangements is the more restrictive.

    >>> Arrangement.ONE_TEAM < Arrangement.SEPARATE_DISTINCT
    True
    >>> Arrangement.parse("aligned").title
    'Aligned, separate function(s)'
    >>> Arrangement.ALIGNED == "aligned", "aligned" in {Arrangement.ALIGNED}
    (True, True)
    """

    ONE_TEAM = 1
    ALIGNED = 2
    SEPARATE_INVOLVED = 3
    SEPARATE_DISTINCT = 4

    @property
    def category(self) -> int:
        """The category number, 1 to 4."""
        return int(self.value)

    @property
    def title(self) -> str:
        """The category's name in the paper's words."""
        return _TITLES[self]

    @property
    def separate(self) -> bool:
        """True for categories 3 and 4, which always name a lead body."""
        return self >= Arrangement.SEPARATE_INVOLVED

    @classmethod
    def parse(cls, text: str | int) -> Arrangement:
        """Return the arrangement ``text`` names: its name, its title or its category number.

        Names and titles are read whatever their case, with spaces or hyphens for underscores.

        >>> Arrangement.parse("one_team"), Arrangement.parse("Separate-Involved")
        (<Arrangement.ONE_TEAM: 1>, <Arrangement.SEPARATE_INVOLVED: 3>)
        >>> Arrangement.parse(2), Arrangement.parse("4")
        (<Arrangement.ALIGNED: 2>, <Arrangement.SEPARATE_DISTINCT: 4>)
        >>> Arrangement.parse("Aligned, separate function(s)")
        <Arrangement.ALIGNED: 2>
        >>> Arrangement.parse("alinged")
        Traceback (most recent call last):
        ...
        taxonomy.errors.InputError: 'alinged' is not an arrangement ... (did you mean 'aligned'?)
        """
        if isinstance(text, cls):
            return text
        if isinstance(text, int) and not isinstance(text, bool) and 1 <= text <= len(cls):
            return cls(text)
        if isinstance(text, str):
            words = " ".join(text.split())
            if words.isdigit() and len(words) == 1 and 1 <= int(words) <= len(cls):
                return cls(int(words))
            name = words.replace("-", "_").replace(" ", "_").upper()
            if name in cls.__members__:
                return cls[name]
            for member in cls:
                if member.title.casefold() == words.casefold():
                    return member
        shown = text if isinstance(text, str) else repr(text)
        raise InputError(
            f"'{shown}' is not an arrangement (a name, a title or a category number, 1 to 4)",
            allowed=cls.names(),
            suggestion=did_you_mean(str(shown).lower(), cls.names()),
        )

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The arrangement names, most integrated first."""
        return tuple(str(a) for a in cls)


_TITLES = {
    Arrangement.ONE_TEAM: "One team",
    Arrangement.ALIGNED: "Aligned, separate function(s)",
    Arrangement.SEPARATE_INVOLVED: "Separate, involvement if needed",
    Arrangement.SEPARATE_DISTINCT: "Separate and distinct",
}


def format_value(value: Any) -> str:
    """A fact value as text, the way rules and explanations write it.

    >>> format_value(Level.HIGH), format_value(True), format_value(("a", "b")), format_value(None)
    ('high', 'true', 'a, b', 'absent')
    """
    if value is None:
        return "absent"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Level):
        return str(value)
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value)
    return str(value)


def conclusion_text(
    finding: str | None,
    value: str,
    cap: Arrangement | None,
    decide: Arrangement | None,
    lead: str | None,
) -> str:
    """A rule's conclusion as text, the one way rules and explanations write it.

    >>> conclusion_text("efficiency", "high", None, None, "performed_by")
    'finding efficiency = high; lead from performed_by'
    """
    parts = []
    if finding is not None:
        parts.append(f"finding {finding} = {value}")
    if cap is not None:
        parts.append(f"cap {cap}")
    if decide is not None:
        parts.append(f"decide {decide}")
    if lead is not None:
        parts.append("lead joint" if lead == "joint" else f"lead from {lead}")
    return "; ".join(parts)


@attrs.frozen
class Organisation:
    """A statutory body with its own governing body (NHS England, NHS Improvement, a CCG).

    ``governing_body`` is what that governing body is called: ``Board`` for the NHS bodies,
    ``Cabinet`` or ``full council`` for a council (a portfolio may say so for each body; a rule
    pack's vocabulary gives the default).
    """

    id: str = attrs.field(validator=_check_id)
    name: str = attrs.field(validator=_non_empty)
    governing_body: str = attrs.field(default="Board", validator=_non_empty)

    @property
    def governing_label(self) -> str:
        """The governing body in words.

        ``NHS England Board``; ``Eastbrook District Council (Cabinet)``.
        """
        if self.governing_body == "Board":
            return f"{self.name} Board"
        return f"{self.name} ({self.governing_body})"


def _level_field() -> Any:
    return attrs.field(converter=_to_level, validator=attrs.validators.instance_of(Level))


def _to_level(value: Level | str | int) -> Level:
    if isinstance(value, Level):
        return value
    if isinstance(value, str):
        return Level.parse(value)
    return Level(value)


@attrs.frozen
class Efficiency:
    """Question 1: could we take out cost by removing duplication or simplifying processes?"""

    duplication: Level = _level_field()
    simplification: Level = _level_field()


@attrs.frozen
class Effectiveness:
    """Question 2: could we be more effective by delivering the function together?"""

    joint_benefit: Level = _level_field()


def _id_tuple(value: Any) -> tuple[str, ...]:
    return tuple(value)


def _ids(_instance: object, attribute: attrs.Attribute[Any], value: tuple[str, ...]) -> None:
    for item in value:
        _check_id(_instance, attribute, item)
    if len(set(value)) != len(value):
        raise ValueError(f"{attribute.name} lists a body twice")


#: What a function's decision or delivery may not be delegated to (``legal.not_delegable_to``).
DELEGATION_LIMITS = ("joint_committee", "another_body")


def _owner_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _limits(_instance: object, attribute: attrs.Attribute[Any], value: tuple[str, ...]) -> None:
    for item in value:
        if item not in DELEGATION_LIMITS:
            raise ValueError(
                f"{attribute.name}: {item!r} is not one of {', '.join(DELEGATION_LIMITS)}"
            )
    if len(set(value)) != len(value):
        raise ValueError(f"{attribute.name} lists {value!r} twice")


@attrs.frozen
class Legal:
    """Question 3: the legal constraints on a function. Every part is optional.

    Who *decides* is kept apart from who *delivers*: a decision reserved to each Board, or an
    office each body holds, keeps each body deciding; it does not by itself stop one team from
    delivering for all of them (Annex B category 1: "the head of the team is accountable to both
    organisations"). What the law forbids outright (delegation to a joint committee, or to
    another body's employees; a reason to stay separate and distinct) is said on its own.

    Attributes:
        statutory_owner: the bodies the duty sits with in law: one, or several for a joint
            statutory duty. A string is taken as one body.
        held_by_each: bodies that each hold the duty or office of their own (each council's
            Returning Officer; each body's accounts), so no single body owns it.
        delegable_to: only employees of these bodies may carry it out (board paper para 8:
            "commissioning may only be delegated to an NHS England employee").
        board_reserved: the decision is reserved to each body's own Board (or its committee);
            Boards stay separate (para 8, para 20).
        not_delegable_to: what the decision or the work may not be delegated to at all:
            ``joint_committee`` (the Boards may not hand it to a joint committee) or
            ``another_body`` (each body's own employees must carry out its part).
        independence_from: bodies the function must stay independent of.
        separate_reason: a legal reason that keeps the function separate and distinct (Annex B
            category 4: "completely separately, either due to legal reasons or ..."), with its
            source; empty when there is none.
        independence_breached: bodies it must stay independent of that a merger made the body
            that carries it out, holds it or alone may do it (:func:`taxonomy.law.apply_merge`):
            no arrangement can keep it apart, so ``check`` reports it; never read from input.
    """

    statutory_owner: tuple[str, ...] = attrs.field(
        default=(), converter=_owner_tuple, validator=_ids
    )
    delegable_to: tuple[str, ...] = attrs.field(default=(), converter=_id_tuple, validator=_ids)
    board_reserved: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))
    independence_from: tuple[str, ...] = attrs.field(
        default=(), converter=_id_tuple, validator=_ids
    )
    held_by_each: tuple[str, ...] = attrs.field(default=(), converter=_id_tuple, validator=_ids)
    not_delegable_to: tuple[str, ...] = attrs.field(
        default=(), converter=_id_tuple, validator=_limits
    )
    separate_reason: str = attrs.field(default="", validator=_plain)
    independence_breached: tuple[str, ...] = attrs.field(
        default=(), converter=_id_tuple, validator=_ids
    )

    def bodies(self) -> set[str]:
        """Every body id these constraints refer to."""
        return (
            set(self.statutory_owner)
            | set(self.delegable_to)
            | set(self.independence_from)
            | set(self.held_by_each)
            | set(self.independence_breached)
        )

    def may_lead(self, body: str) -> bool:
        """Whether the law lets ``body`` lead the function.

        Never a body the function must stay independent of, nor, where only some bodies'
        employees may carry it out, any other body.

        >>> Legal(delegable_to=("nhse",), independence_from=("x",)).may_lead("nhsi")
        False
        """
        if body in self.independence_from:
            return False
        return not self.delegable_to or body in self.delegable_to

    def may_be_involved(self, body: str) -> bool:
        """Whether ``body`` may be consulted and involved where the function is run separately.

        Not a body the function must stay independent of (category 3's involvement is for every
        other body; the picture and the prose both follow this).

        >>> Legal(independence_from=("nhse",)).may_be_involved("nhse")
        False
        """
        return body not in self.independence_from


def _capability_tuple(value: Any) -> tuple[tuple[str, Level], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple((str(body), _to_level(level)) for body, level in items)


def _answer_tuple(value: Any) -> tuple[tuple[str, Any], ...]:
    """Answers to pack-declared facts, sorted by name (so equal answers compare equal)."""
    items = value.items() if isinstance(value, Mapping) else value
    found = tuple(sorted((str(k), tuple(v) if isinstance(v, list) else v) for k, v in items))
    names = [k for k, _ in found]
    if len(set(names)) != len(names):
        raise ValueError("answers name a fact twice")
    return found


@attrs.frozen
class Capability:
    """Question 4: each body's current capability for the function.

    >>> c = Capability({"nhse": "medium", "nhsi": "high"})
    >>> c.of("nhsi"), c.of("other")
    (<Level.HIGH: 3>, <Level.NONE: 0>)
    """

    levels: tuple[tuple[str, Level], ...] = attrs.field(converter=_capability_tuple)

    @levels.validator
    def _check(self, attribute: attrs.Attribute[Any], value: tuple[tuple[str, Level], ...]) -> None:
        bodies = [body for body, _ in value]
        if len(set(bodies)) != len(bodies):
            raise ValueError("capability names a body twice")
        for body in bodies:
            _check_id(self, attribute, body)

    def of(self, body: str) -> Level:
        """The capability of ``body``; a body not answered for has none."""
        for name, level in self.levels:
            if name == body:
                return level
        return Level.NONE

    def as_dict(self) -> dict[str, Level]:
        """The answers as a mapping from body id to level."""
        return dict(self.levels)


@attrs.frozen
class Function:
    """An activity some of the bodies carry out today, with the four questions answered."""

    id: str = attrs.field(validator=_check_id)
    name: str = attrs.field(validator=_non_empty)
    level: str = attrs.field(validator=_check_id)
    performed_by: tuple[str, ...] = attrs.field(converter=_id_tuple, validator=_ids)
    efficiency: Efficiency = attrs.field(validator=attrs.validators.instance_of(Efficiency))
    effectiveness: Effectiveness = attrs.field(
        validator=attrs.validators.instance_of(Effectiveness)
    )
    legal: Legal = attrs.field(validator=attrs.validators.instance_of(Legal))
    capability: Capability = attrs.field(validator=attrs.validators.instance_of(Capability))
    notes: str = attrs.field(default="", validator=_plain)
    agreed_lead: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(_check_id)
    )
    answers: tuple[tuple[str, Any], ...] = attrs.field(default=(), converter=_answer_tuple)
    unknowns: tuple[tuple[str, OneOf], ...] = attrs.field(default=(), converter=_answer_tuple)
    """Answers not (fully) known, by the key a portfolio answers them by
    (``efficiency.duplication``, ``capability.nhse``, ``legal.democratic_control``): each a
    :class:`OneOf`. The attribute the answer would fill holds a placeholder that nothing reads:
    classification enumerates every completion instead (:mod:`taxonomy.partial`)."""

    def unknown(self, key: str) -> OneOf | None:
        """The :class:`OneOf` answered for ``key``, or None where the answer is known."""
        for name, value in self.unknowns:
            if name == key:
                return value
        return None

    def answer(self, name: str, default: Any = None) -> Any:
        """The answer to a fact a rule pack declares (``legal.democratic_control``), or ``default``.

        The four answers the model itself interprets (``efficiency``, ``legal``, ...) are
        attributes; ``answers`` holds the others, by fact name, as the pack's types give them.
        """
        for key, value in self.answers:
            if key == name:
                return value
        return default

    @performed_by.validator
    def _check_performers(self, _attribute: attrs.Attribute[Any], value: tuple[str, ...]) -> None:
        if not value:
            raise ValueError("performed_by must name at least one body")

    def __attrs_post_init__(self) -> None:
        legal = self.legal
        if legal.independence_from and set(self.performed_by) <= set(legal.independence_from):
            raise ValueError(
                f"function {self.id!r} must stay independent of every body that performs it "
                f"({', '.join(self.performed_by)}): nobody could carry it out"
            )
        if legal.delegable_to and set(legal.delegable_to) <= set(legal.independence_from):
            raise ValueError(
                f"function {self.id!r}: only employees of {', '.join(legal.delegable_to)} may "
                "carry it out, but it must stay independent of them: nobody could"
            )
        bound = sorted(set(legal.statutory_owner) & set(legal.independence_from))
        if bound:
            raise ValueError(
                f"function {self.id!r} must stay independent of {', '.join(bound)}, which holds "
                "its statutory duty: a body cannot be independent of itself"
            )
        if self.agreed_lead is not None and not legal.may_lead(self.agreed_lead):
            why = (
                "it must stay independent of that body"
                if self.agreed_lead in legal.independence_from
                else f"only employees of {', '.join(legal.delegable_to)} may carry it out"
            )
            raise ValueError(
                f"function {self.id!r}: the agreed lead {self.agreed_lead!r} breaks the law: {why}"
            )


#: Kinds of joint body (portfolio ``governance.bodies[].kind``).
JOINT_BODY_KINDS = ("joint_committee", "committees_in_common", "joint_oversight_group")


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


def _day(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and (
        not isinstance(value, datetime.date) or isinstance(value, datetime.datetime)
    ):
        raise TypeError(f"{attribute.name} must be a date (a day), or None")


def _non_empty_ids(
    _instance: object, attribute: attrs.Attribute[Any], value: tuple[str, ...]
) -> None:
    _ids(_instance, attribute, value)
    if not value:
        raise ValueError(f"{attribute.name} must name at least one body")


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

    bodies: tuple[str, ...] = attrs.field(converter=_id_tuple, validator=_non_empty_ids)
    into: str = attrs.field(validator=_check_id)
    name: str | None = attrs.field(default=None, validator=attrs.validators.optional(_non_empty))

    def __attrs_post_init__(self) -> None:
        if self.into in self.bodies:
            raise ValueError(f"'{self.into}' cannot be abolished into itself")

    def describe(self) -> str:
        """The abolition in words."""
        into = f"{self.into} ({self.name}, new)" if self.name else self.into
        return f"abolishes {', '.join(self.bodies)}; functions to {into}"


def _abolitions(value: Iterable[Abolition]) -> tuple[Abolition, ...]:
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

    >>> act = Provision("act", "An Act", from_=datetime.date(2022, 7, 1), joint_committees=True)
    >>> act.in_force(datetime.date(2022, 6, 30)), act.in_force(datetime.date(2022, 7, 1))
    (False, True)
    """

    id: str = attrs.field(validator=_check_id)
    source: str = attrs.field(validator=_non_empty)
    from_: datetime.date | None = attrs.field(default=None, validator=_day)
    until: datetime.date | None = attrs.field(default=None, validator=_day)
    joint_committees: bool | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(bool))
    )
    abolishes: tuple[Abolition, ...] = attrs.field(
        default=(),
        converter=_abolitions,
        validator=attrs.validators.deep_iterable(attrs.validators.instance_of(Abolition)),
    )

    def __attrs_post_init__(self) -> None:
        if self.from_ is not None and self.until is not None and self.until < self.from_:
            raise ValueError(
                f"provision {self.id!r}: until ({self.until}) is before from ({self.from_})"
            )
        if self.joint_committees is None and not self.abolishes:
            raise ValueError(
                f"provision {self.id!r} says nothing: give joint_committees or abolishes"
            )
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

        Two provisions in force on the same day may not say different things of the same key;
        None when they never do.

        >>> d = datetime.date
        >>> a = Provision("a", "A", until=d(2022, 6, 30), joint_committees=False)
        >>> b = Provision("b", "B", from_=d(2022, 6, 30), joint_committees=True)
        >>> print(a.disagreement(b).split(" (")[0])
        provisions 'a' and 'b' disagree on joint_committees on 2022-06-30
        """
        if (
            self.joint_committees is None
            or other.joint_committees is None
            or self.joint_committees == other.joint_committees
        ):
            return None
        starts = [day for day in (self.from_, other.from_) if day is not None]
        ends = [day for day in (self.until, other.until) if day is not None]
        first = max(starts) if starts else None
        if first is not None and ends and min(ends) < first:
            return None
        when = f"on {first}" if first is not None else "on every day both are in force"
        return (
            f"provisions {self.id!r} and {other.id!r} disagree on joint_committees {when} "
            f"({self.id!r} says {format_value(self.joint_committees)}, {other.id!r} says "
            f"{format_value(other.joint_committees)}): make their days not overlap"
        )


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
        order = sorted(
            (p for p in self.provisions if p.abolishes),
            key=lambda p: (p.from_ or datetime.date.min, self.provisions.index(p)),
        )
        return tuple((p, abolition) for p in order for abolition in p.abolishes)

    def succession_problems(
        self, organisations: Iterable[str], taken: Iterable[str] = ()
    ) -> Iterator[tuple[int, int, str, str, str, tuple[str, ...]]]:
        """Where the abolitions name bodies that do not exist when they take effect.

        Args:
            organisations: the portfolio's bodies before any abolition.
            taken: other ids (functions, governance) a new successor may not take.

        Yields:
            For each problem, in the order the abolitions take effect: the provision's index,
            the abolition's index within it, the key (``body`` or ``into``), the id that is
            wrong, what is wrong, and the bodies that existed then.
        """
        existing = list(organisations)
        ever = set(existing) | set(taken)
        for provision, abolition in self.abolitions():
            where = (self.provisions.index(provision), provision.abolishes.index(abolition))
            known = tuple(existing)
            for body in abolition.bodies:
                if body not in existing:
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
            if abolition.into not in existing:
                existing.append(abolition.into)
            ever.add(abolition.into)


@attrs.frozen
class JointBody:
    """A body the organisations form together (a joint committee, an oversight group).

    Attributes:
        kind: ``joint_committee`` (decisions delegated to it), ``committees_in_common`` (each
            Board's committee meeting together, each keeping its decisions) or
            ``joint_oversight_group`` (oversight and advice, no delegated decisions).
        members: the organisations that form it.
        delegated: functions whose decisions are delegated to it.
        oversees: functions it oversees without delegated decisions (a shared plan, joint
            governance).
    """

    id: str = attrs.field(validator=_check_id)
    name: str = attrs.field(validator=_non_empty)
    kind: str = attrs.field(validator=attrs.validators.in_(JOINT_BODY_KINDS))
    members: tuple[str, ...] = attrs.field(converter=_id_tuple, validator=_ids)
    delegated: tuple[str, ...] = attrs.field(default=(), converter=_id_tuple, validator=_ids)
    oversees: tuple[str, ...] = attrs.field(default=(), converter=_id_tuple, validator=_ids)
    notes: str = attrs.field(default="", validator=_plain)


@attrs.frozen
class Role:
    """A post, such as a joint Regional Director or a single Accountable Officer.

    Attributes:
        employed_by: the organisation that employs the post holder.
        reports_to: the organisations (their Boards), joint bodies or roles it reports to.
        accountable_for: functions the post is accountable for.
    """

    id: str = attrs.field(validator=_check_id)
    name: str = attrs.field(validator=_non_empty)
    employed_by: str = attrs.field(validator=_check_id)
    reports_to: tuple[str, ...] = attrs.field(converter=_id_tuple, validator=_ids)
    accountable_for: tuple[str, ...] = attrs.field(default=(), converter=_id_tuple, validator=_ids)
    notes: str = attrs.field(default="", validator=_plain)


def _bodies_tuple(value: Iterable[JointBody]) -> tuple[JointBody, ...]:
    return tuple(value)


def _roles_tuple(value: Iterable[Role]) -> tuple[Role, ...]:
    return tuple(value)


@attrs.frozen
class Governance:
    """The joint bodies and roles the organisations have or plan."""

    bodies: tuple[JointBody, ...] = attrs.field(default=(), converter=_bodies_tuple)
    roles: tuple[Role, ...] = attrs.field(default=(), converter=_roles_tuple)


def _organisations(value: Iterable[Organisation]) -> tuple[Organisation, ...]:
    return tuple(value)


def _functions(value: Iterable[Function]) -> tuple[Function, ...]:
    return tuple(value)


@attrs.frozen
class PackReference:
    """The rule pack a portfolio file names, as written (its ``rules:`` key).

    ``rules: packs/councils`` (a folder, relative to the portfolio file) gives ``path`` alone;
    a mapping may add the ``name`` the pack must have and the ``version`` it must satisfy
    (``1.0.0`` or a range, ``>=1.0,<2``), or give ``name`` and ``version`` without a path for
    the default pack (the one installed with taxonomy).

    >>> PackReference("packs/councils").to_data()
    'packs/councils'
    >>> PackReference(None, "nhs-joint-working-2018", ">=1.0").to_data()
    {'name': 'nhs-joint-working-2018', 'version': '>=1.0'}
    """

    path: str | None = None
    name: str | None = None
    version: str | None = None

    def to_data(self) -> str | dict[str, str]:
        """The reference as a portfolio file writes it: the path alone, or a mapping."""
        if self.path is not None and self.name is None and self.version is None:
            return self.path
        fields = {"path": self.path, "name": self.name, "version": self.version}
        return {key: value for key, value in fields.items() if value is not None}


@attrs.frozen
class Portfolio:
    """The bodies working together and the functions they must decide on.

    Validation checks every id a function refers to names one of the organisations.

    Attributes:
        as_of: the day the portfolio describes (the board paper's 28 March 2018), if stated:
            the day a dated law is judged on unless another is asked for.
        rules: the rule pack the file names (its ``rules:`` key), as written, if it names one.
        pack: the rule pack the file named (``rules``), loaded, when the loader was given no
            other: classify, explain, what-if, report and check use it when given no pack.
            Not compared: two portfolios with the same content and reference are equal.
    """

    name: str = attrs.field(validator=_non_empty)
    organisations: tuple[Organisation, ...] = attrs.field(converter=_organisations)
    functions: tuple[Function, ...] = attrs.field(converter=_functions)
    law: Law = attrs.field(factory=Law, validator=attrs.validators.instance_of(Law))
    governance: Governance = attrs.field(
        factory=Governance, validator=attrs.validators.instance_of(Governance)
    )
    as_of: datetime.date | None = attrs.field(default=None, validator=_day)
    rules: PackReference | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(attrs.validators.instance_of(PackReference)),
    )
    # A RulePack (taxonomy.language.rules imports this module, so the hint cannot name it: fact
    # paths read the model's hints at run time; see taxonomy.language.rules.pack_for).
    pack: Any = attrs.field(default=None, eq=False, repr=False)

    @organisations.validator
    def _check_organisations(
        self, _attribute: attrs.Attribute[Any], value: tuple[Organisation, ...]
    ) -> None:
        # Files need two or more bodies; one is left only after a what-if merger, and then every
        # function is delivered once by that body (see taxonomy.whatif.scenarios).
        if len(value) < 1:
            raise ValueError("a portfolio needs at least one organisation")
        ids = [org.id for org in value]
        if len(set(ids)) != len(ids):
            raise ValueError("two organisations share an id")

    @functions.validator
    def _check_functions(
        self, _attribute: attrs.Attribute[Any], value: tuple[Function, ...]
    ) -> None:
        ids = [fn.id for fn in value]
        if len(set(ids)) != len(ids):
            raise ValueError("two functions share an id")
        bodies = {org.id for org in self.organisations}
        for fn in value:
            named = set(fn.performed_by) | fn.legal.bodies() | {b for b, _ in fn.capability.levels}
            if fn.agreed_lead is not None:
                named.add(fn.agreed_lead)
            unknown = sorted(named - bodies)
            if unknown:
                raise ValueError(f"function {fn.id!r} names unknown bodies: {', '.join(unknown)}")
            missing = [b for b in fn.performed_by if b not in dict(fn.capability.levels)]
            if missing:
                raise ValueError(
                    f"function {fn.id!r}: capability must be answered for every body in "
                    f"performed_by; missing: {', '.join(missing)}"
                )

    @law.validator
    def _check_law(self, _attribute: attrs.Attribute[Any], value: Law) -> None:
        taken = [fn.id for fn in self.functions]
        taken += [b.id for b in self.governance.bodies] + [r.id for r in self.governance.roles]
        for position, _, key, _, problem, _ in value.succession_problems(
            self.organisation_ids, taken
        ):
            raise ValueError(f"law: provision {value.provisions[position].id!r}: {key}: {problem}")

    @governance.validator
    def _check_governance(self, _attribute: attrs.Attribute[Any], value: Governance) -> None:
        orgs = {org.id for org in self.organisations}
        fns = {fn.id for fn in self.functions}
        ids = [b.id for b in value.bodies] + [r.id for r in value.roles]
        taken = orgs | fns
        for node_id in ids:
            if node_id in taken:
                raise ValueError(f"governance id {node_id!r} is already used")
            taken.add(node_id)
        bodies = {b.id for b in value.bodies}
        roles = {r.id for r in value.roles}
        for body in value.bodies:
            _known(body.id, "members", body.members, orgs)
            _known(body.id, "delegated", body.delegated, fns)
            _known(body.id, "oversees", body.oversees, fns)
        for role in value.roles:
            _known(role.id, "employed_by", (role.employed_by,), orgs)
            _known(role.id, "reports_to", role.reports_to, orgs | bodies | roles)
            _known(role.id, "accountable_for", role.accountable_for, fns)

    def decision_forum(self, function: Function, arrangement: Arrangement) -> str | None:
        """Where a decision each body keeps is taken, when one team delivers for them all.

        ``None`` unless the decision is reserved to each body's Board, two or more bodies keep
        it and the arrangement is one team. Then: ``governance`` when a joint body of the
        portfolio's governance takes or oversees the function; else ``joint_committee`` where
        the law lets the bodies form one and the decision may go to one; else
        ``committees_in_common`` (each Board's committee meeting together, each keeping its own
        decision, which needs no power to form joint committees).

        >>> import taxonomy
        >>> councils = taxonomy.load_rules("examples/packs/councils")
        >>> p = taxonomy.load_portfolio("examples/three_councils_shared_services.yaml", councils)
        >>> p.decision_forum(p.function("planning-decisions"), Arrangement.ONE_TEAM)
        'joint_committee'
        """
        legal = function.legal
        keepers = legal.held_by_each or (function.performed_by if legal.board_reserved else ())
        if arrangement is not Arrangement.ONE_TEAM or not legal.board_reserved:
            return None
        if len(keepers) < 2:
            return None
        if function.id in self._governed:
            return "governance"
        if self.law.joint_committees and "joint_committee" not in legal.not_delegable_to:
            return "joint_committee"
        return "committees_in_common"

    def with_function(self, function: Function) -> Portfolio:
        """A new portfolio with ``function`` in place of the function of the same id.

        >>> import taxonomy
        >>> p = taxonomy.load_portfolio("examples/nhs_joint_working_2018.yaml")
        >>> it = attrs.evolve(p.function("it"), name="Digital")
        >>> p.with_function(it).function("it").name, p.function("it").name
        ('Digital', 'IT')
        """
        self.function(function.id)  # KeyError for an unknown id
        return attrs.evolve(
            self, functions=tuple(function if f.id == function.id else f for f in self.functions)
        )

    def function(self, function_id: str) -> Function:
        """The function with this id (found in constant time: the functions are indexed once).

        Raises:
            UnknownIdError: (a ``KeyError``) no function has it; the message suggests one.
        """
        found = self._functions_by_id.get(function_id)
        if found is not None:
            return found
        raise UnknownIdError(
            "function",
            function_id,
            (f.id for f in self.functions),
            where=f"portfolio {self.name!r}",
        )

    @property
    def organisation_ids(self) -> tuple[str, ...]:
        """The organisations' ids, in the portfolio's order."""
        return self._organisation_ids

    # Indexes built once, on first use: the portfolio is frozen, so they never go stale. A cached
    # property is no attrs field: it is left out of eq, hash, repr, evolve and asdict, and a
    # pickled portfolio rebuilds it.
    @functools.cached_property
    def _functions_by_id(self) -> dict[str, Function]:
        return {fn.id: fn for fn in self.functions}

    @functools.cached_property
    def _organisation_ids(self) -> tuple[str, ...]:
        return tuple(org.id for org in self.organisations)

    @functools.cached_property
    def _governed(self) -> frozenset[str]:
        """The functions a joint body of the governance takes or oversees."""
        return frozenset(
            fn for body in self.governance.bodies for fn in (*body.delegated, *body.oversees)
        )


def _known(item: str, key: str, named: Iterable[str], known: set[str]) -> None:
    unknown = sorted(set(named) - known)
    if unknown:
        raise ValueError(f"{item!r}: {key} names unknown ids: {', '.join(unknown)}")


#: The lead in words where each body does its own (``Recommendation.each_own``).
EACH_OWN_WORDS = "none: each body does its own"


def lead_words(lead: str | None, tied: Iterable[str] = ()) -> str:
    """A lead in words: the body, ``joint``, or ``undecided between X and Y (tie)``.

    >>> lead_words("nhse"), lead_words(None), lead_words(None, ["a", "b", "c"])
    ('nhse', 'joint', 'undecided between a, b and c (tie)')
    """
    if lead is not None:
        return lead
    bodies = list(tied)
    if not bodies:
        return "joint"
    return f"undecided between {word_list(bodies)} (tie)"


def word_list(items: Sequence[str], conjunction: str = "and") -> str:
    """Items as a sentence lists them: ``a``, ``a and b``, ``a, b and c``.

    The one way every output joins names, so a tie of three reads as a list, not as
    ``a and b and c``.

    >>> word_list(["a"]), word_list(["a", "b"]), word_list(["a", "b", "c"], "or")
    ('a', 'a and b', 'a, b or c')
    """
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"
