"""A function, its answers to the four key questions, and answers not (fully) known."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from taxonomy._model.fields import check_id, check_ids, check_plain, check_text, to_ids
from taxonomy._model.legal import Legal
from taxonomy._model.levels import Level, level_field, to_level
from taxonomy._model.text import format_value


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


@attrs.frozen
class Efficiency:
    """Question 1: could we take out cost by removing duplication or simplifying processes?"""

    duplication: Level = level_field()
    simplification: Level = level_field()


@attrs.frozen
class Effectiveness:
    """Question 2: could we be more effective by delivering the function together?"""

    joint_benefit: Level = level_field()


def _capability_tuple(value: Any) -> tuple[tuple[str, Level], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple((str(body), to_level(level)) for body, level in items)


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
            check_id(self, attribute, body)

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

    id: str = attrs.field(validator=check_id)
    name: str = attrs.field(validator=check_text)
    level: str = attrs.field(validator=check_id)
    performed_by: tuple[str, ...] = attrs.field(converter=to_ids, validator=check_ids)
    efficiency: Efficiency = attrs.field(validator=attrs.validators.instance_of(Efficiency))
    effectiveness: Effectiveness = attrs.field(
        validator=attrs.validators.instance_of(Effectiveness)
    )
    legal: Legal = attrs.field(validator=attrs.validators.instance_of(Legal))
    capability: Capability = attrs.field(validator=attrs.validators.instance_of(Capability))
    notes: str = attrs.field(default="", validator=check_plain)
    agreed_lead: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(check_id)
    )
    answers: tuple[tuple[str, Any], ...] = attrs.field(default=(), converter=_answer_tuple)
    involves: tuple[str, ...] = attrs.field(default=(), converter=to_ids, validator=check_ids)
    """Bodies that take part without carrying it out: consulted and involved at key points
    (Annex B category 3). A function one body carries out and holds, with nobody involved, is
    delivered by that body alone."""
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
        self._check_involves()
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

    def _check_involves(self) -> None:
        doing = sorted(set(self.involves) & set(self.performed_by))
        if doing:
            raise ValueError(
                f"function {self.id!r} involves {', '.join(doing)}, which carries it out: "
                "involves names the bodies that take part without carrying it out"
            )
        barred = sorted(set(self.involves) & set(self.legal.independence_from))
        if barred:
            raise ValueError(
                f"function {self.id!r} involves {', '.join(barred)}, which it must stay "
                "independent of"
            )
