"""How a result was derived: the rules that fired for a function, and the rule pack that holds them.

:class:`Firing` and :class:`Explanation` are the explanation tree, as data (text, JSON and HTML
are renderings of it); :class:`PackIdentity` and :class:`Override` say which pack made a
result. Each lists its JSON keys once, in a :class:`~taxonomy._output_shape.Shape` beside the
class: ``to_dict`` and the output JSON Schemas (:mod:`taxonomy.schemas`) are derived from it.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from typing import Any

import attrs

from taxonomy._model import Arrangement, Level, conclusion_text, format_value
from taxonomy._output_shape import STRING, STRING_OR_NULL, STRINGS, Named, Shape, each, key

__all__ = [
    "EXPLANATION_JSON",
    "FIRING_JSON",
    "OVERRIDE_JSON",
    "PACK_IDENTITY_JSON",
    "Explanation",
    "Firing",
    "Override",
    "PackIdentity",
]


def _rules(firings: Iterable[Firing]) -> list[str]:
    return [f.rule for f in firings]


def _rule_or_none(firing: Firing | None) -> str | None:
    return None if firing is None else firing.rule


def _findings(explanation: Explanation) -> dict[str, str]:
    return {name: format_value(value) for name, value in explanation.findings}


#: Firing's JSON: one node of the explanation tree.
FIRING_JSON = Shape(
    key("rule", STRING),
    key("question", Named("question")),
    key("conclusion", STRING),
    key("matched", {"type": "object", "additionalProperties": STRING}, attr="shown", via=dict),
    key("because", STRING),
    key("source", STRING),
    key("principles", Named("principles"), via=list),
    key("priority", {"type": "integer"}),
)


@attrs.frozen
class Firing:
    """One rule that fired for a function: a node of the explanation tree, with typed values.

    Attributes:
        rule: the rule id.
        question: the key question it answers (or ``decision``).
        matched: the facts its condition read, with their values on this function (a
            :class:`Level`, a bool, a count, a body id, a tuple of body ids, or None if absent).
        because: its reason, filled from those facts.
        source: where in the papers the rule comes from.
        principles: the Annex B design principles it serves.
        priority: its declared priority.
        uses: the findings its condition read (these are its children in the tree).
        finding: the finding it derived, if any, and ``value`` the value it gave it.
        cap: the legal cap it set, if any.
        decide: the arrangement it decided, if any.
        lead: where it takes the lead from (``joint``, or a fact naming bodies), if anywhere.
    """

    rule: str
    question: str
    matched: tuple[tuple[str, Any], ...]
    because: str
    source: str
    principles: tuple[str, ...]
    priority: int
    uses: tuple[str, ...] = ()
    finding: str | None = None
    value: Level | bool | None = None
    cap: Arrangement | None = None
    decide: Arrangement | None = None
    lead: str | None = None

    @property
    def conclusion(self) -> str:
        """What it concluded, as text: ``finding efficiency = high``, ``cap aligned``, ..."""
        return conclusion_text(
            self.finding, format_value(self.value), self.cap, self.decide, self.lead
        )

    @property
    def shown(self) -> tuple[tuple[str, str], ...]:
        """``matched`` with each value as text, the way rules write values."""
        return tuple((fact, format_value(value)) for fact, value in self.matched)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the keys of :data:`FIRING_JSON`."""
        return FIRING_JSON.dump(self)


#: Explanation's JSON: the rules that decided, capped and led, the findings, every firing.
EXPLANATION_JSON = Shape(
    key("decided_by", STRING, via=operator.attrgetter("rule")),
    key("capped_by", STRINGS, via=_rules),
    key("lead_by", STRING_OR_NULL, via=_rule_or_none),
    key("findings", {"type": "object", "additionalProperties": STRING}, read=_findings),
    key("fired", {"type": "array", "items": FIRING_JSON}, via=each(FIRING_JSON)),
    key("notes", STRINGS, via=list),
)


@attrs.frozen
class Explanation:
    """Why a function got its recommendation: the derivation itself, as data.

    Attributes:
        fired: every rule that fired, in evaluation order (stratum, then rule id).
        decided_by: the decision rule whose conclusion was taken.
        capped_by: the legal rules that capped the arrangement below the decision (may be empty).
        lead_by: the rule that set the lead, or None.
        findings: the findings derived, name to value (a :class:`Level` or a bool), by name.
        notes: anything else worth saying (a joint lead set aside in a separate arrangement).
    """

    fired: tuple[Firing, ...]
    decided_by: Firing
    capped_by: tuple[Firing, ...]
    lead_by: Firing | None
    findings: tuple[tuple[str, Level | bool], ...]
    notes: tuple[str, ...] = ()

    def derivation(self, firing: Firing) -> tuple[Firing, ...]:
        """The firings that derived the findings ``firing`` used: its children in the tree."""
        final = dict(self.findings)
        producers: dict[str, Firing] = {}
        for other in self.fired:
            if other.finding is not None and final.get(other.finding) == other.value:
                producers.setdefault(other.finding, other)
        return tuple(producers[name] for name in firing.uses if name in producers)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the keys of :data:`EXPLANATION_JSON`."""
        return EXPLANATION_JSON.dump(self)


#: Override's JSON (``because`` only for a reworded rule).
OVERRIDE_JSON = Shape(
    key("rule", STRING),
    key("action", {"enum": ["replaced", "removed", "reworded"]}),
    key("reason", STRING),
    key("pack", STRING),
    key("because", STRING, omit_empty=True),
)


def _extends(identity: PackIdentity) -> list[dict[str, Any]]:
    return [PACK_IDENTITY_JSON.dump(base) for base in identity.extends]


#: PackIdentity's JSON: name, version, hash; for an extension, also the packs it extends
#: (nearest first) and the rules it overrides, each with its reason.
PACK_IDENTITY_JSON = Shape(
    key("name", STRING),
    key("version", STRING),
    key("hash", {"type": "string", "pattern": "^[0-9a-f]{64}$"}),
    key(
        "extends",
        {"type": "array", "items": {"$ref": "#/$defs/rule_pack"}},
        read=_extends,
        omit_empty=True,
    ),
    key(
        "overrides",
        {"type": "array", "items": OVERRIDE_JSON},
        via=each(OVERRIDE_JSON),
        omit_empty=True,
    ),
)


@attrs.frozen
class Override:
    """A rule an extension pack replaces, removes or rewords, with the reason it records.

    Attributes:
        rule: the inherited rule's id.
        action: ``replaced``, ``removed`` or ``reworded`` (its ``because`` is the pack's own).
        reason: why, as the pack says.
        pack: the name of the pack that overrides it.
        because: for ``reworded``, the rule's new reason template; else empty.
        line: the line of ``pack.yaml`` the override is on (0 when unknown).
    """

    rule: str
    action: str
    reason: str
    pack: str
    because: str = ""
    line: int = attrs.field(default=0, eq=False)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the keys of :data:`OVERRIDE_JSON`."""
        return OVERRIDE_JSON.dump(self)


@attrs.frozen
class PackIdentity:
    """Which rule pack produced a result: its name, version and content hash."""

    name: str
    version: str
    hash: str
    extends: tuple[PackIdentity, ...] = ()
    overrides: tuple[Override, ...] = ()

    @property
    def chain(self) -> str:
        """The pack and every pack it extends: ``councils 1.0 < nhs-joint-working-2018 1.0.0``."""
        return " < ".join(f"{p.name} {p.version}" for p in (self, *self.extends))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the keys of :data:`PACK_IDENTITY_JSON`."""
        return PACK_IDENTITY_JSON.dump(self)
