"""Answers to the key questions: levels, answers left open, and the questions a rule pack declares.

A level is read whatever its case (``High``); an answer may be left open (``unknown``,
``low..high``, a list of the values it may take) unless the pack requires it known. An answer
to a question the pack declares (``legal.democratic_control``) is read by the fact's type; a
key neither the model nor the pack knows is refused, naming the pack.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from taxonomy._model import Level, OneOf
from taxonomy.errors import Problems, did_you_mean, misspelt
from taxonomy.input.per_body import is_per_body, read_open
from taxonomy.input.reader import Cells, Fields, Reader, Row, fold_choice, too_large
from taxonomy.input.values import joined, separator_hint
from taxonomy.language.facts import is_open_answer

if TYPE_CHECKING:
    from taxonomy.language.facts import Fact
    from taxonomy.language.rules import RulePack

__all__ = [
    "NAMED_AT",
    "PerBody",
    "declared_answers",
    "known_required",
    "meant",
    "open_answer",
    "read_level",
    "undeclared",
]

#: Reads an answer given per body: (the mapping, its question, its key, the answer's type).
PerBody = Callable[[Fields, str, str, str], Any]

#: Where the pack being read for was named, while a portfolio file that names one is read.
NAMED_AT: ContextVar[str | None] = ContextVar("named_at", default=None)


def undeclared(rules: RulePack, question: str, *, named_at: str | None = None) -> str:
    """The message for an answer to ``question`` (``legal.x``) the pack ``rules`` does not declare.

    ``named_at`` is where the portfolio file named the pack, if it did (see
    :func:`taxonomy.input.portfolio.read_pack_reference`); else the message says how to name
    another.

    >>> from taxonomy.language.rules import load_rules
    >>> undeclared(load_rules(), "legal.x", named_at="packs/p")
    "question 'legal.x' is not declared by pack 'nhs-joint-working-2018' (packs/p)"
    """
    if named_at is not None:
        return f"question '{question}' is not declared by pack '{rules.name}' ({named_at})"
    return (
        f"rule pack '{rules.name}' declares no question '{question}' (for a portfolio written "
        "for another pack, name it in the file, rules: DIR, or give --rules DIR)"
    )


def open_answer(
    reader: Reader,
    node: Fields,
    key: str,
    item: str,
    kind: str,
    *,
    choices: Sequence[str] = (),
    known_required: str | None = None,
) -> OneOf:
    """An answer written ``unknown``, ``low..high`` (ordinal facts) or a list of values.

    ``kind`` is the fact's type (``level``, ``bool``, ``choice``, ``count``);
    ``known_required`` names the pack that requires the answer known, if one does. Read by
    :func:`~taxonomy.language.facts.parse_open`, as a scenario's open answer is.
    """
    value = node[key]
    if known_required is not None:
        reader.fail(
            f"'{value}' leaves the answer open, but rule pack '{known_required}' requires it "
            "known (known: required)",
            at=node,
            key=key,
            item=item,
        )
    where = {"at": node, "key": key, "item": item}
    return read_open(reader, kind, value, choices, where, otherwise="is not an open answer")


def known_required(rules: RulePack, key: str) -> str | None:
    """The pack in ``rules`` requiring ``key`` known (declared ``known: required``), or None."""
    path = "function.capability" if key.startswith("capability.") else f"function.{key}"
    for fact in rules.facts:
        if fact.known_required and ((fact.name == key and fact.answered) or fact.path == path):
            return fact.pack or rules.name
    return None


#: A range written with a dash or "to" instead of "..": ``low-high``, ``low to high``.
_RANGE_LOOKALIKE = re.compile(r"^\s*(\w+)\s*(?:-|\u2013|\u2014|\bto\b)\s*(\w+)\s*$", re.IGNORECASE)


def read_level(reader: Reader, node: Fields, key: str, item: str) -> Level:
    """``node[key]``, a level, whatever its case; a range written ``low-high`` is shown fixed."""
    value = node[key]
    names = Level.names()  # built anew by each call: asked once here, for every answer read
    if isinstance(value, str) and fold_choice(value, names) is None:
        # Not a level: say what else an answer may be (open, or a range) and, for a range
        # written with a dash, how to write it.
        lookalike = _RANGE_LOOKALIKE.match(value)
        ends = [fold_choice(end, names) for end in lookalike.groups()] if lookalike else []
        reader.fail(
            f"'{value}' is not a level",
            at=node,
            key=key,
            item=item,
            allowed=(*names, "unknown", "LOW..HIGH (a range)"),
            suggestion=(
                f"{ends[0]}..{ends[1]}"
                if len(ends) == 2 and None not in ends
                else did_you_mean(value, [*names, "unknown"])
            ),
        )
    return Level.parse(reader.choice(node, key, names, item=item, what="a level", fold_case=True))


def meant(node: Fields, keys: Sequence[str]) -> set[str]:
    """The ``keys`` that a key of ``node`` not among them looks like a misspelling of.

    A misspelt key is one problem: the key it was meant as is not reported missing as well.
    Only the ``keys`` missing from ``node`` are looked for (the others are there).
    """
    unknown = [key for key in node if key not in keys]
    missing = [key for key in keys if key not in node]
    return misspelt(unknown, keys, missing) if unknown and missing else set()


def declared_answers(
    reader: Reader,
    problems: Problems,
    node: Fields,
    question: str,
    own: Sequence[str],
    rules: RulePack,
    bodies: list[str],
    item: str,
    *,
    per_body: PerBody | None = None,
) -> dict[str, Any]:
    """The answers under ``question`` to facts the rule pack declares (problems recorded).

    The model's ``own`` keys are read elsewhere; the others are checked against each
    declaration; unknown keys are refused, with the keys the model and the pack allow there.
    A required declared fact must be answered. An answer given per body (a mapping by body)
    is read by ``per_body`` (``(node, question, key, kind)``: the answer they agree on, else
    the values they gave), and refused where it is None.
    """
    declared = {f.key: f for f in rules.facts.answered(question)}
    where = f"{item}, {question}"
    found: dict[str, Any] = {}
    for key in node:
        if key in own:
            continue
        if key not in declared:
            if question == "capability":
                continue  # not a body and not declared: the capability check reports it
            allowed = [*own, *declared]
            with problems.collecting():
                reader.fail(
                    "unknown key: "
                    + undeclared(rules, f"{question}.{key}", named_at=NAMED_AT.get()),
                    at=node,
                    key=key,
                    item=where,
                    allowed=allowed,
                    suggestion=did_you_mean(key, allowed),
                )
            continue
        with problems.collecting():
            if is_per_body(node[key]) and per_body is not None:
                said = per_body(node, question, key, declared[key].type.name)
                if said is not None:
                    found[declared[key].name] = said
                continue
            found[declared[key].name] = _declared_answer(
                reader, node, key, declared[key], rules, bodies, where
            )
    for key, fact in declared.items():
        if fact.required and key not in node:
            with problems.collecting():
                reader.fail(
                    f"missing required key '{key}' ({fact.meaning}; declared by rule pack "
                    f"'{fact.pack}')",
                    at=node,
                    item=where,
                )
    return found


def _declared_answer(
    reader: Reader,
    node: Fields,
    key: str,
    fact: Fact,
    pack: RulePack,
    bodies: list[str],
    where: str,
) -> Any:
    """The answer under ``key`` to the declared ``fact``, left open or read by its type."""
    from taxonomy.language.facts import allowed_values, parse_answer

    if is_open_answer(node[key]) and fact.type.name not in ("bodies", "body"):
        return open_answer(
            reader,
            node,
            key,
            where,
            fact.type.name,
            choices=fact.type.choices,
            known_required=fact.pack or pack.name if fact.known_required else None,
        )
    problem, value = parse_answer(fact.type, node[key], bodies=bodies)
    if problem is None:
        return value
    options = bodies if fact.type.name in ("body", "bodies") else allowed_values(fact.type)
    raw = node[key]
    wrong = (
        raw if not isinstance(raw, list | tuple) else next((v for v in raw if v not in bodies), raw)
    )
    parts = joined(wrong, bodies) if fact.type.name in ("body", "bodies") else []
    if parts:
        problem += separator_hint(parts, isinstance(raw, Cells) or isinstance(node, Row))
    reader.fail(
        problem,
        at=node,
        key=key,
        item=where,
        allowed=options,
        suggestion=None
        if too_large(wrong)
        else did_you_mean(str(wrong).lower() if isinstance(wrong, bool) else str(wrong), options),
    )
