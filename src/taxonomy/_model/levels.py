"""The ordinal scales: the level every answer is given on, and the four arrangements."""

from __future__ import annotations

import enum
from typing import Any

import attrs

from taxonomy.errors import InputError, did_you_mean


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
        return self._name_.lower()  # not .name: a property, and this is called very often

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
        return _LEVEL_NAMES


#: Asked for every level read: made once.
_LEVEL_NAMES = tuple(str(level) for level in Level)


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


def level_field() -> Any:
    """An attrs field holding a :class:`Level`, given as one or by its name or number."""
    return attrs.field(converter=to_level, validator=attrs.validators.instance_of(Level))


def to_level(value: Level | str | int) -> Level:
    """A level given as a :class:`Level`, its name or its number, as a :class:`Level`."""
    if isinstance(value, Level):
        return value
    if isinstance(value, str):
        return Level.parse(value)
    return Level(value)
