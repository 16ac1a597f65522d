"""The facts a rule can read: the answers to the four key questions, and derived findings.

Each fact has a name (``efficiency.duplication``, ``finding.efficiency``), a type that decides
which operators and values a condition may use with it, and a value on each function. This module
turns a :class:`~taxonomy.Function` into those values; the engine turns them into durable-rules
facts. Facts of type ``body`` or ``bodies`` may be absent (no statutory owner, nobody listed).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from taxonomy._model import Function, Portfolio, format_value

__all__ = ["ANSWER_FACTS", "OPERATORS", "FactType", "answer_values", "format_value"]

# format_value lives with the model (explanations format their typed values with it); it is
# re-exported here because rules and explanations write fact values the same way.


@attrs.frozen
class FactType:
    """A kind of fact: which operators apply to it and what its values are.

    Attributes:
        name: ``level``, ``bool``, ``count``, ``scope``, ``body``, ``bodies`` or ``text``.
        operators: the comparison operators it accepts.
        optional: whether the fact may be absent on a function.
    """

    name: str
    operators: tuple[str, ...]
    optional: bool = False


_ORDERED = ("==", "!=", "<", "<=", ">", ">=", "in")

LEVEL = FactType("level", _ORDERED)
BOOL = FactType("bool", ("==", "!="))
COUNT = FactType("count", _ORDERED)
SCOPE = FactType("scope", ("==", "!=", "in"))
BODY = FactType("body", ("==", "!=", "in", "present"), optional=True)
BODIES = FactType("bodies", ("present",), optional=True)
TEXT = FactType("text", ("present",), optional=True)

#: Every comparison operator a condition may use.
OPERATORS = ("==", "!=", "<", "<=", ">", ">=", "in", "present")

#: The facts read from a function's answers, with their types and what they mean.
ANSWER_FACTS: Mapping[str, tuple[FactType, str]] = {
    "function.level": (SCOPE, "the tier it runs at: national, regional or local"),
    "performed_by": (BODIES, "the bodies that carry it out today"),
    "performed_by.count": (COUNT, "how many bodies carry it out today"),
    "organisations.count": (COUNT, "how many bodies work together in the portfolio"),
    "efficiency.duplication": (LEVEL, "Q1: duplication between the bodies"),
    "efficiency.simplification": (LEVEL, "Q1: scope to simplify processes"),
    "effectiveness.joint_benefit": (LEVEL, "Q2: benefit of delivering it together"),
    "agreed_lead": (BODY, "the lead the bodies agreed, if the portfolio states one"),
    "legal.statutory_owner": (
        BODIES,
        "Q3: the bodies the duty sits with in law (several for a joint duty; may be absent)",
    ),
    "legal.statutory_owner.count": (COUNT, "Q3: how many bodies the duty sits with jointly"),
    "legal.statutory_owner.performs": (
        BOOL,
        "Q3: a statutory owner carries the function out today (false when no owner)",
    ),
    "legal.held_by_each": (BODIES, "Q3: bodies that each hold the duty or office of their own"),
    "legal.held_by_each.count": (COUNT, "Q3: how many bodies each hold it of their own"),
    "legal.delegable_to": (BODIES, "Q3: only employees of these bodies may carry it out"),
    "legal.delegable_to.count": (COUNT, "Q3: how many bodies' employees may carry it out"),
    "legal.board_reserved": (BOOL, "Q3: the decision is reserved to each body's own Board"),
    "legal.not_delegable_to_joint_committee": (
        BOOL,
        "Q3: the decision may not be delegated to a joint committee",
    ),
    "legal.not_delegable_to_another_body": (
        BOOL,
        "Q3: each body's part must be carried out by its own employees, not another body's",
    ),
    "legal.independence_from": (BODIES, "Q3: bodies it must stay independent of"),
    "legal.independence_from.count": (COUNT, "Q3: how many bodies it must stay independent of"),
    "legal.separate_reason": (
        TEXT,
        "Q3: a legal reason that keeps it separate and distinct (may be absent)",
    ),
    "law.joint_committees": (
        BOOL,
        "Q3: the law lets the bodies delegate decisions to a joint committee",
    ),
    "capability.highest": (LEVEL, "Q4: the highest capability among the bodies performing it"),
    "capability.lowest": (LEVEL, "Q4: the lowest capability among the bodies performing it"),
    "capability.gap": (COUNT, "Q4: highest minus lowest capability, 0 to 3"),
}

#: Fact types a derived finding may have, by the kind of value its rules give.
FINDING_TYPES: Mapping[str, FactType] = {"level": LEVEL, "bool": BOOL}


def answer_values(function: Function, portfolio: Portfolio) -> dict[str, Any]:
    """The value of every answer fact on ``function``; absent optional facts are left out.

    Levels are :class:`Level`, counts ``int``, booleans ``bool``, bodies ``str`` and body lists
    ``tuple``.
    """
    levels = [function.capability.of(body) for body in function.performed_by]
    legal = function.legal
    performers = set(function.performed_by)
    values: dict[str, Any] = {
        "function.level": function.level,
        "performed_by": function.performed_by,
        "performed_by.count": len(function.performed_by),
        "organisations.count": len(portfolio.organisations),
        "efficiency.duplication": function.efficiency.duplication,
        "efficiency.simplification": function.efficiency.simplification,
        "effectiveness.joint_benefit": function.effectiveness.joint_benefit,
        "legal.statutory_owner.count": len(legal.statutory_owner),
        "legal.statutory_owner.performs": bool(set(legal.statutory_owner) & performers),
        "legal.held_by_each.count": len(legal.held_by_each),
        "legal.delegable_to.count": len(legal.delegable_to),
        "legal.board_reserved": legal.board_reserved,
        "legal.not_delegable_to_joint_committee": "joint_committee" in legal.not_delegable_to,
        "legal.not_delegable_to_another_body": "another_body" in legal.not_delegable_to,
        "legal.independence_from.count": len(legal.independence_from),
        "law.joint_committees": portfolio.law.joint_committees,
        "capability.highest": max(levels),
        "capability.lowest": min(levels),
        "capability.gap": int(max(levels)) - int(min(levels)),
    }
    for name, bodies in (
        ("legal.statutory_owner", legal.statutory_owner),
        ("legal.held_by_each", legal.held_by_each),
        ("legal.delegable_to", legal.delegable_to),
        ("legal.independence_from", legal.independence_from),
    ):
        if bodies:
            values[name] = bodies
    if legal.separate_reason:
        values["legal.separate_reason"] = legal.separate_reason
    if function.agreed_lead is not None:
        values["agreed_lead"] = function.agreed_lead
    return values
