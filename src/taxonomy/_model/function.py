"""A function, its answers to the four key questions, and answers not (fully) known."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import attrs

from taxonomy._model.fields import check_id, check_ids, check_plain, check_text, to_ids
from taxonomy._model.legal import Legal
from taxonomy._model.levels import Level, level_field, to_level
from taxonomy._model.text import format_value

_A = TypeVar("_A")


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


def _body_answer_tuple(value: Any) -> tuple[tuple[str, OneOf], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple((str(body), answer) for body, answer in items)


@attrs.frozen
class BodyAnswers:
    """One question answered by each body for itself: who said what (``nhse: high``).

    Each body's answer is a :class:`OneOf`: one value (``OneOf((Level.HIGH,))``), a range or
    :data:`UNKNOWN`. Where the bodies disagree the function's answer is open over the values
    they gave (not the range between them); classification then says whether the placement
    holds whatever they say, or which body's answer gives which (:mod:`taxonomy.partial`).

    >>> said = BodyAnswers("efficiency.duplication", {"nhse": OneOf((Level.HIGH,)),
    ...                    "nhsi": OneOf((Level.MEDIUM,))})
    >>> str(said), said.to_data()
    ('nhse: high; nhsi: medium', {'nhse': 'high', 'nhsi': 'medium'})
    >>> said.of("nhsi"), said.combined(tuple(Level))
    (OneOf(values=(<Level.MEDIUM: 2>,)), OneOf(values=(<Level.MEDIUM: 2>, <Level.HIGH: 3>)))
    """

    key: str
    answers: tuple[tuple[str, OneOf], ...] = attrs.field(converter=_body_answer_tuple)

    @answers.validator
    def _check(self, attribute: attrs.Attribute[Any], value: tuple[tuple[str, OneOf], ...]) -> None:
        bodies = [body for body, _ in value]
        if not bodies:
            raise ValueError(f"{self.key} is answered per body but names no body")
        if len(set(bodies)) != len(bodies):
            raise ValueError(f"{self.key} is answered twice by one body")
        for body, answer in value:
            check_id(self, attribute, body)
            if not isinstance(answer, OneOf):
                raise TypeError(f"{self.key}: {body}'s answer must be a OneOf")

    @property
    def bodies(self) -> tuple[str, ...]:
        """The bodies that answered, in the order given."""
        return tuple(body for body, _ in self.answers)

    def of(self, body: str) -> OneOf | None:
        """``body``'s answer, or None where it gave none."""
        return dict(self.answers).get(body)

    def combined(self, order: tuple[Any, ...]) -> OneOf:
        """Every value some body gave, in ``order`` (the fact's values): what is still possible.

        :data:`UNKNOWN` where a body said ``unknown``; one value where they all agree.
        """
        if any(answer.unknown for _, answer in self.answers):
            return UNKNOWN
        given = {v for _, answer in self.answers for v in answer.values}
        return OneOf(tuple(v for v in order if v in given))

    def renamed(self, one: Callable[[str], str]) -> BodyAnswers:
        """The answers with each body renamed by ``one`` (a merger: gone bodies -> successor).

        Bodies renamed alike have given, between them, every value either gave.

        >>> said = BodyAnswers("k", {"a": OneOf((Level.LOW,)), "b": OneOf((Level.HIGH,))})
        >>> str(said.renamed(lambda body: "ab"))
        'ab: low, high'
        """
        merged: dict[str, OneOf] = {}
        for body, answer in self.answers:
            before = merged.get(one(body))
            if before is None:
                merged[one(body)] = answer
            elif before.unknown or answer.unknown:
                merged[one(body)] = UNKNOWN
            else:
                merged[one(body)] = OneOf(tuple(sorted({*before.values, *answer.values})))
        return BodyAnswers(self.key, merged)

    def to_data(self) -> dict[str, Any]:
        """As a file writes it: each body's value (one value as itself, else as open)."""
        return {body: self.value_data(answer) for body, answer in self.answers}

    @staticmethod
    def value_data(answer: OneOf) -> Any:
        """One body's answer as a file writes it: one value as itself, else as open."""
        if len(answer.values) == 1:
            return format_value(answer.values[0])
        return answer.to_data()

    def words(self) -> tuple[tuple[str, str], ...]:
        """Each body and its answer in words (``("nhse", "high")``, ``("nhsi", "low, high")``)."""
        return tuple((body, _one_text(answer)) for body, answer in self.answers)

    def __str__(self) -> str:
        return "; ".join(f"{body}: {said}" for body, said in self.words())


def _said_tuple(value: Iterable[BodyAnswers]) -> tuple[BodyAnswers, ...]:
    return tuple(value)


def _one_text(answer: OneOf) -> str:
    data = BodyAnswers.value_data(answer)
    return ", ".join(data) if isinstance(data, list) else str(data)


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
    by_body: tuple[BodyAnswers, ...] = attrs.field(default=(), converter=_said_tuple)
    """The questions each body answered for itself (:class:`BodyAnswers`), by key. Where they
    disagree, :attr:`unknowns` holds what they leave possible; where they agree, the answer is
    given as known."""

    def said_by_body(self, key: str) -> BodyAnswers | None:
        """The bodies' own answers to ``key``, or None where it is not answered per body."""
        for said in self.by_body:
            if said.key == key:
                return said
        return None

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
        bound = sorted(set(legal.independence_from) & {*legal.statutory_owner, *legal.held_by_each})
        if bound:
            raise ValueError(
                f"function {self.id!r} must stay independent of {', '.join(bound)}, which holds "
                "its statutory duty: a body cannot be independent of itself"
            )
        asked = set(legal.with_agreement_of)
        wrong = sorted(
            asked & {*legal.statutory_owner, *legal.held_by_each, *legal.independence_from}
        )
        if wrong:
            raise ValueError(
                f"function {self.id!r}: with_agreement_of names {', '.join(wrong)}, which holds it "
                "or which it must stay independent of: a body agreeing neither holds the decision "
                "nor stands apart from it"
            )
        if self.agreed_lead is not None and self.agreed_lead not in self.performed_by:
            raise ValueError(
                f"function {self.id!r}: the agreed lead {self.agreed_lead!r} does not carry it "
                f"out (performed_by: {', '.join(self.performed_by)}): a lead is one of the bodies "
                "that carry it out"
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


def prechecked(cls: type[_A], **values: Any) -> _A:
    """An instance of the frozen attrs class ``cls`` (a model class) holding ``values`` as given.

    No converter, validator or ``__attrs_post_init__`` runs: each value must already be what
    they would make of it and accept (a tuple where they make a tuple, every id valid, every
    combination allowed). For a reader that has checked each value as they would, so a row is
    not checked twice (:class:`taxonomy.input.plain_rows.PlainRows`; ``tests/
    test_stream_rows.py`` compares its functions with those built with every check). A field
    not given takes its default.

    >>> prechecked(Effectiveness, joint_benefit=Level.HIGH) == Effectiveness(Level.HIGH)
    True
    """
    instance = object.__new__(cls)
    for name, default in _defaults(cls):
        value = values.get(name, default)
        if value is attrs.NOTHING:
            raise TypeError(f"{cls.__name__} needs {name}")
        object.__setattr__(instance, name, value)
    return instance


_DEFAULTS: dict[type, tuple[tuple[str, Any], ...]] = {}


def _defaults(cls: type) -> tuple[tuple[str, Any], ...]:
    """Each field of ``cls`` with its default (``attrs.NOTHING`` where it has none)."""
    found = _DEFAULTS.get(cls)
    if found is None:
        fields = attrs.fields(cls)
        if any(isinstance(field.default, attrs.Factory) for field in fields):  # type: ignore[arg-type]
            raise TypeError(f"{cls.__name__} has a field made by a factory")
        found = _DEFAULTS[cls] = tuple((field.name, field.default) for field in fields)
    return found
