"""Conditions: the tree of ``all`` / ``any`` / ``not`` over comparisons of facts a rule tests.

What a condition is (:class:`FactTest`, :class:`AllOf`, :class:`AnyOf`, :class:`Not`), how it is
read from a mapping (:func:`read_condition`) and checked against the facts' types
(:func:`check_condition`), and how values and literals are encoded for comparison
(:func:`encode_value`, :func:`encode_literal`). What a condition *means* is
:func:`taxonomy.language.semantics.holds`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import attrs

from taxonomy._model import Level
from taxonomy.errors import did_you_mean
from taxonomy.input.reader import Reader
from taxonomy.input.reader import fold_choice as reader_fold_choice
from taxonomy.language.facts import OPERATORS, Facts, FactType, allowed_values, parse_answer

__all__ = [
    "COMPARISON_KEYS",
    "AllOf",
    "AnyOf",
    "Condition",
    "FactTest",
    "Not",
    "check_condition",
    "encode_literal",
    "encode_value",
    "fold_choice",
    "fold_condition",
    "read_condition",
    "requires_present",
]

#: The keys of a comparison (a condition's leaf).
COMPARISON_KEYS = ("fact", "op", "value")


def fold_choice(value: Any, choices: Iterable[str]) -> Any:
    """``value`` as written in ``choices`` when it is one of them in another case (``High``).

    Anything else (not text, no match, or more than one match) is returned unchanged, for the
    check that follows to refuse with its own message.

    >>> fold_choice("High", ("none", "low", "medium", "high")), fold_choice("hihg", ("high",))
    ('high', 'hihg')
    """
    if not isinstance(value, str):
        return value
    found = reader_fold_choice(value.strip(), choices)
    return value if found is None else found


# --- conditions -------------------------------------------------------------------------------


@attrs.frozen
class FactTest:
    """``fact op value``: the leaf of a condition. ``value`` is None for ``present``."""

    fact: str
    op: str
    value: Any = None

    def facts(self) -> Iterator[str]:
        """The facts this condition reads."""
        yield self.fact


@attrs.frozen
class AllOf:
    """True when every part is true (and when there are no parts)."""

    parts: tuple[Condition, ...]

    def facts(self) -> Iterator[str]:
        """The facts this condition reads."""
        for part in self.parts:
            yield from part.facts()


@attrs.frozen
class AnyOf:
    """True when at least one part is true."""

    parts: tuple[Condition, ...]

    def facts(self) -> Iterator[str]:
        """The facts this condition reads."""
        for part in self.parts:
            yield from part.facts()


@attrs.frozen
class Not:
    """True when its part is false."""

    part: Condition

    def facts(self) -> Iterator[str]:
        """The facts this condition reads."""
        yield from self.part.facts()


Condition = FactTest | AllOf | AnyOf | Not


def requires_present(condition: Condition, fact: str) -> bool:
    """Whether ``condition`` can only hold when ``fact`` is present on the function.

    >>> requires_present(AllOf((FactTest("legal.statutory_owner", "present"),)),
    ...                  "legal.statutory_owner")
    True
    >>> requires_present(Not(FactTest("legal.statutory_owner", "present")),
    ...                  "legal.statutory_owner")
    False
    """
    if isinstance(condition, FactTest):
        return condition.fact == fact and condition.op != "!="
    if isinstance(condition, AllOf):
        return any(requires_present(part, fact) for part in condition.parts)
    if isinstance(condition, AnyOf):
        return bool(condition.parts) and all(requires_present(p, fact) for p in condition.parts)
    return False


def fold_condition(condition: Condition, facts: Facts) -> Condition:
    """``condition`` with levels and choices written in another case (``High``) as named.

    A value is folded only where the fact it is compared with is a level or a choice (a
    declared one, or a finding) and exactly one name matches; the checks that follow judge
    everything else.

    >>> from taxonomy.language.rules import load_rules
    >>> fold_condition(FactTest("efficiency.duplication", "in", ("High", "LOW")),
    ...                load_rules().facts)
    FactTest(fact='efficiency.duplication', op='in', value=('high', 'low'))
    """
    if isinstance(condition, AllOf | AnyOf):
        return type(condition)(tuple(fold_condition(p, facts) for p in condition.parts))
    if isinstance(condition, Not):
        return Not(fold_condition(condition.part, facts))
    choices: tuple[str, ...] = ()
    if condition.fact.startswith("finding."):
        choices = Level.names()
    elif condition.fact in facts:
        ftype = facts.type(condition.fact)
        choices = Level.names() if ftype.name == "level" else ftype.choices
    value = condition.value
    if not choices or value is None:
        return condition
    if isinstance(value, tuple):
        folded: Any = tuple(fold_choice(v, choices) for v in value)
    else:
        folded = fold_choice(value, choices)
    return condition if folded == value else attrs.evolve(condition, value=folded)


def encode_value(value: Any) -> Any:
    """A fact's value as conditions compare it: levels and booleans as numbers, lists by length.

    >>> encode_value(Level.MEDIUM), encode_value(True), encode_value(("a", "b")), encode_value(3)
    (2, 1, 2, 3)
    """
    if isinstance(value, bool | Level):
        return int(value)
    if isinstance(value, tuple | list):
        return len(value)
    return value


def encode_literal(ftype: FactType, value: Any) -> Any:
    """A literal written in a rule, encoded the way values of a fact of type ``ftype`` are.

    >>> from taxonomy.language.facts import LEVEL, BOOL, COUNT
    >>> encode_literal(LEVEL, "high"), encode_literal(BOOL, False), encode_literal(COUNT, 2)
    (3, 0, 2)
    """
    if ftype.name == "level":
        return int(Level.parse(value))
    if ftype.name == "bool":
        return int(bool(value))
    return value


def read_condition(reader: Reader, value: Any, *, at: Any, key: str, item: str) -> Condition:
    """Read a condition (``all`` / ``any`` / ``not``, or ``fact`` / ``op`` / ``value``).

    Checks its shape only; :func:`check_condition` checks its facts, operators and values.
    """
    if not isinstance(value, Mapping):
        reader.fail(
            "a condition must be a mapping: all / any / not, or fact / op / value",
            at=at,
            key=key,
            item=item,
        )
    node = value
    combinators = [k for k in ("all", "any", "not") if k in node]
    if combinators:
        if len(node) != 1:
            extra = sorted(k for k in node if k != combinators[0])
            reader.fail(
                f"'{combinators[0]}' must stand alone in its mapping; "
                f"found also: {', '.join(extra)}",
                at=node,
                item=item,
            )
        word = combinators[0]
        if word == "not":
            return Not(read_condition(reader, node["not"], at=node, key="not", item=item))
        items = node[word]
        if not isinstance(items, list | tuple):
            reader.fail(f"'{word}' takes a list of conditions", at=node, key=word, item=item)
        if word == "any" and not items:
            reader.fail("'any' needs at least one condition", at=node, key=word, item=item)
        parts = tuple(
            read_condition(reader, part, at=where, key=word, item=item)
            for part, where in reader.each(items)
        )
        return AllOf(parts) if word == "all" else AnyOf(parts)
    reader.keys(
        node,
        allowed=(*COMPARISON_KEYS, "all", "any", "not"),
        required=("fact", "op"),
        item=item,
    )
    fact = reader.text(node, "fact", item=item)
    op = reader.choice(node, "op", OPERATORS, item=item)
    if op == "present":
        if "value" in node:
            reader.fail("'present' takes no value", at=node, key="value", item=item)
        return FactTest(fact, op)
    if "value" not in node:
        reader.fail(f"operator '{op}' needs a value", at=node, item=item)
    return FactTest(fact, op, _plain(node["value"]))


def _plain(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def check_condition(
    condition: Condition,
    fact_type: Callable[[str], FactType],
    fail: Callable[..., Exception],
) -> None:
    """Check that a condition reads known facts with operators and values their types allow.

    Used for every rule's ``when`` and for what-if filters.

    Args:
        condition: the condition.
        fact_type: the type of a fact the condition may read; raises for one it may not.
        fail: builds the error for a problem (``fail(problem, key=..., allowed=..., ...)``).
    """
    if isinstance(condition, AllOf | AnyOf):
        for part in condition.parts:
            check_condition(part, fact_type, fail)
        return
    if isinstance(condition, Not):
        check_condition(condition.part, fact_type, fail)
        return
    ftype = fact_type(condition.fact)
    if condition.op not in ftype.operators:
        raise fail(
            f"operator '{condition.op}' does not apply to '{condition.fact}' ({ftype.name})",
            allowed=ftype.operators,
        )
    if condition.op == "present":
        return
    values = condition.value if condition.op == "in" else (condition.value,)
    if condition.op == "in" and (not isinstance(condition.value, tuple) or not condition.value):
        raise fail(f"'in' on '{condition.fact}' takes a non-empty list")
    for value in values:
        problem = _bad_value(ftype, value)
        if problem:
            raise fail(
                f"{problem} for '{condition.fact}'",
                allowed=allowed_values(ftype),
                suggestion=did_you_mean(str(value), allowed_values(ftype)),
            )


def _bad_value(ftype: FactType, value: Any) -> str | None:
    if ftype.name in ("bodies", "text", "body_levels"):
        return f"'{value}' cannot be compared"
    problem, _ = parse_answer(ftype, value, bodies=None)
    return None if problem is None else problem.replace("must be", f"'{value}' is not")
