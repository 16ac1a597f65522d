"""A rule: when its condition holds, what it concludes, and why (as data, never code).

:class:`Rule` and its conclusion :class:`Then`, the words a rule may use (:data:`QUESTIONS`,
:data:`PRINCIPLES`, :data:`JOINT`), and :func:`fill_because`, which fills a rule's reason with
the values of a function. Rules are read by :mod:`taxonomy.language.reading` and gathered into
packs by :mod:`taxonomy.language.rules`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import attrs

from taxonomy._model import Arrangement, Level, conclusion_text
from taxonomy._output_shape import STRING, Schema, Shape, key
from taxonomy.language.conditions import AllOf, AnyOf, Condition, FactTest

__all__ = [
    "JOINT",
    "MAX_FILLED_TOTAL",
    "MAX_FILLED_VALUE",
    "PLACEHOLDER",
    "PRINCIPLES",
    "QUESTIONS",
    "RULE_DATA",
    "Rule",
    "Then",
    "fill_because",
]

#: The four key questions (board paper para 8), and ``decision`` for rules that combine them.
QUESTIONS = ("efficiency", "effectiveness", "legal", "capability", "decision")

#: The Annex B design principles a rule may serve.
PRINCIPLES = ("simple", "cost-effective", "aligned", "practical", "collaborative", "adaptive")

#: What a lead rule may name besides a declared ``body`` or ``bodies`` fact: ``joint`` (no
#: single lead: the head is accountable to every body; board paper para 16).
JOINT = "joint"

#: A ``{fact}`` placeholder in a rule's ``because``.
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")

#: The most characters one value filled into a ``because`` template may take: a longer one is
#: shortened, ending in an ellipsis.
MAX_FILLED_VALUE = 1000
#: The most characters all the values filled into one ``because`` may take together: a template
#: repeating a long answer many times cannot make an explanation of gigabytes.
MAX_FILLED_TOTAL = 4000


def fill_because(template: str, value_of: Callable[[str], str | None]) -> str:
    """``template`` with each ``{fact}`` replaced by ``value_of(fact)``, within bounds.

    A placeholder ``value_of`` gives None for is left as written. A value longer than
    :data:`MAX_FILLED_VALUE` is shortened with an ellipsis, and once the values filled in take
    :data:`MAX_FILLED_TOTAL` characters, each further one is an ellipsis alone.

    >>> fill_because("as {a} and {b}", {"a": "x"}.get)
    'as x and {b}'
    """
    left = MAX_FILLED_TOTAL

    def fill(match: re.Match[str]) -> str:
        nonlocal left
        value = value_of(match.group(1).strip())
        if value is None:
            return match.group(0)
        room = max(min(MAX_FILLED_VALUE, left), 1)
        if len(value) > room:
            value = value[: room - 1] + "\u2026"
        left -= len(value)
        return value

    return PLACEHOLDER.sub(fill, template)


@attrs.frozen
class Then:
    """What a rule concludes when it fires; at least one part is set.

    Attributes:
        finding: the name of a finding to derive (with ``value``).
        value: the finding's value: a :class:`Level`, a ``bool``, or the name of a fact to copy.
        cap: the least integrated arrangement the law allows (legal rules only).
        lead: where the lead comes from: a declared ``body`` or ``bodies`` fact, or ``joint``.
        decide: the arrangement to recommend (decision rules only).
    """

    finding: str | None = None
    value: Level | bool | str | None = None
    cap: Arrangement | None = None
    lead: str | None = None
    decide: Arrangement | None = None

    def describe(self) -> str:
        """The conclusion as text, e.g. ``finding efficiency = high; lead from performed_by``."""
        value = self.value
        shown = str(value).lower() if isinstance(value, Level | bool) else f"{{{value}}}"
        return conclusion_text(self.finding, shown, self.cap, self.decide, self.lead)


@attrs.frozen
class Rule:
    """One declarative rule.

    Attributes:
        id: unique in its pack, e.g. ``legal.board-reserved``.
        question: which key question it answers, or ``decision``.
        when: the condition over answers and findings.
        then: what it concludes.
        because: a reason template; ``{fact}`` placeholders are filled from the function.
        principles: the Annex B design principles it serves.
        source: where in the papers it comes from.
        priority: declared priority; when rules conclude differently, the highest wins.
        file: the file it was read from ("" when built in Python).
        line: the line it starts on (0 when built in Python).
    """

    id: str
    question: str
    when: Condition
    then: Then
    because: str
    principles: tuple[str, ...]
    source: str
    priority: int = 0
    file: str = attrs.field(default="", eq=False)
    line: int = attrs.field(default=0, eq=False)

    @property
    def where(self) -> str:
        """``file:line`` of the rule, or its id when built in Python."""
        return f"{self.file}:{self.line}" if self.file else f"rule {self.id}"

    def reads(self) -> tuple[str, ...]:
        """Every fact the rule reads (condition, copied value, reason), first use first."""
        seen: dict[str, None] = {}
        for fact in self.when.facts():
            seen.setdefault(fact, None)
        if isinstance(self.then.value, str):
            seen.setdefault(self.then.value, None)
        for fact in PLACEHOLDER.findall(self.because):
            seen.setdefault(fact.strip(), None)
        return tuple(seen)

    def uses(self) -> tuple[str, ...]:
        """The findings the rule reads, without the ``finding.`` prefix."""
        return tuple(f.split(".", 1)[1] for f in self.reads() if f.startswith("finding."))

    def to_data(self) -> dict[str, Any]:
        """The rule as plain data (the canonical form the pack hash is taken over)."""
        return RULE_DATA.dump(self)


def _then_data(then: Then) -> dict[str, Any]:
    """The conclusion as the data a rule file holds (so it reads back to the same rule)."""
    data: dict[str, Any] = {}
    if then.finding is not None:
        data["finding"] = then.finding
        value = then.value
        if isinstance(value, bool):
            data["value"] = value
        elif isinstance(value, Level):
            data["value"] = str(value)
        else:
            data["value"] = {"fact": value}
    for kind in ("cap", "decide"):
        arrangement = getattr(then, kind)
        if arrangement is not None:
            data[kind] = str(arrangement)
    if then.lead is not None:
        data["lead"] = then.lead
    return data


def _condition_data(condition: Condition) -> Any:
    if isinstance(condition, FactTest):
        data: dict[str, Any] = {"fact": condition.fact, "op": condition.op}
        if condition.op != "present":
            value = condition.value
            data["value"] = list(value) if isinstance(value, tuple) else value
        return data
    if isinstance(condition, AllOf):
        return {"all": [_condition_data(p) for p in condition.parts]}
    if isinstance(condition, AnyOf):
        return {"any": [_condition_data(p) for p in condition.parts]}
    return {"not": _condition_data(condition.part)}


def _arrangement_names() -> Schema:
    return {"enum": list(Arrangement.names())}


_THEN: Schema = {
    "type": "object",
    "properties": {
        "finding": STRING,
        "value": {
            "anyOf": [{"enum": list(Level.names())}, {"type": "boolean"}, {"type": "object"}]
        },
        "cap": _arrangement_names(),
        "decide": _arrangement_names(),
        "lead": STRING,
    },
    "minProperties": 1,
}

#: A rule as plain data (:meth:`Rule.to_data`), and the schema of the keys it writes.
RULE_DATA = Shape(
    key("id", STRING),
    key("question", {"enum": list(QUESTIONS)}),
    key("when", {"type": "object"}, via=_condition_data),
    key("then", _THEN, via=_then_data),
    key("because", STRING),
    key("principles", {"type": "array", "items": {"enum": list(PRINCIPLES)}}, via=list),
    key("source", STRING),
    key("priority", {"type": "integer"}),
)
