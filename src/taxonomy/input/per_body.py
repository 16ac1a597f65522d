"""Answers each body gives for itself: ``duplication: {nhse: high, nhsi: medium}``.

Any answer that may be left open (a level, a body's capability, a question a pack declares of
type level, true/false, choice or count) may instead be answered per body: a mapping from each
body that performs the function to its own answer (a value, ``unknown``, a range or a list). A
spreadsheet cell writes it ``nhse: high; nhsi: medium`` (:func:`split_per_body`); a scenario's
``set`` takes either form.

A body that gives no answer is left out: it has said nothing, and the answer is open over what
the others said (write ``nhsi: unknown`` for a body that does not know). Where every body gives
the same value, the answer is that value; otherwise it is open over exactly the values given
(:meth:`~taxonomy._model.BodyAnswers.combined`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from taxonomy._model import BodyAnswers, Level, OneOf
from taxonomy.errors import Problems, did_you_mean
from taxonomy.input.reader import Fields, Reader, Row
from taxonomy.language.facts import OPEN_TYPES, is_open_answer, parse_open

__all__ = [
    "cell_per_body",
    "is_per_body",
    "order_of",
    "per_body_problem",
    "read_open",
    "read_per_body",
    "split_per_body",
]

#: ``body: value`` in a cell: a body id, a colon, its answer.
_PART = re.compile(r"^\s*([a-z0-9][a-z0-9._-]*)\s*:\s*(.*?)\s*$", re.IGNORECASE)


def is_per_body(value: Any) -> bool:
    """Whether ``value`` is written as each body's own answer (a mapping by body).

    >>> is_per_body({"nhse": "high"}), is_per_body("high"), is_per_body(["low", "high"])
    (True, False, False)
    """
    return isinstance(value, Mapping)


def split_per_body(text: Any) -> dict[str, Any] | None:
    """A cell written ``nhse: high; nhsi: medium`` as its mapping, else None.

    Bodies are separated by ``;`` (or by commas, where every part names a body); a body's
    answer may itself list values with commas (``nhse: low, high; nhsi: medium``).

    >>> split_per_body("nhse: high; nhsi: low..medium")
    {'nhse': 'high', 'nhsi': 'low..medium'}
    >>> split_per_body("nhse: high, nhsi: medium"), split_per_body("high")
    ({'nhse': 'high', 'nhsi': 'medium'}, None)
    >>> split_per_body("nhse: low, high; nhsi: medium")
    {'nhse': ['low', 'high'], 'nhsi': 'medium'}
    """
    if not isinstance(text, str) or ":" not in text:
        return None
    parts = [p for p in text.split(";") if p.strip()]
    if len(parts) == 1 and all(_PART.match(p) for p in parts[0].split(",")):
        parts = parts[0].split(",")
    found: dict[str, Any] = {}
    for part in parts:
        match = _PART.match(part)
        if match is None:
            return None
        body, value = match.groups()
        values = [v.strip() for v in value.split(",")] if "," in value else None
        found[body] = values if values is not None else value
    return found


def per_body_problem(kind: str, known_required: str | None) -> str | None:
    """Why an answer of type ``kind`` may not be answered per body, or None where it may."""
    if kind not in OPEN_TYPES:
        return (
            f"cannot be answered per body: a {kind} answer is one answer for the function "
            "(levels, true/false, choices and counts may be answered per body)"
        )
    if known_required is not None:
        return (
            f"is answered per body, but rule pack '{known_required}' requires it known "
            "(known: required): give one answer"
        )
    return None


def order_of(kind: str, choices: Sequence[str], answers: Iterable[OneOf]) -> tuple[Any, ...]:
    """The values of a fact of type ``kind``, in its order, covering every value ``answers`` give.

    >>> order_of("count", (), [OneOf((3,)), OneOf((1,))])
    (1, 3)
    """
    if kind == "level":
        return tuple(Level)
    if kind == "bool":
        return (False, True)
    if kind == "choice":
        return tuple(choices)
    return tuple(sorted({v for answer in answers for v in answer.values}))


def read_per_body(
    reader: Reader,
    problems: Problems,
    node: Fields,
    key: str,
    where: tuple[str, str],
    kind: str,
    *,
    performers: Sequence[str] | None,
    choices: Sequence[str] = (),
    known_required: str | None = None,
) -> BodyAnswers | None:
    """``node[key]``, each body's own answer (every problem recorded; None where there is one).

    ``where`` is the item and the answer's key as messages name them (``function 'it'``,
    ``efficiency.duplication``); ``performers`` the bodies that perform the function (None:
    not known, as when ``performed_by`` is itself wrong); ``kind`` the answer's type.
    """
    item = f"{where[0]}, {where[1]}"
    given = node[key]
    problem = per_body_problem(kind, known_required)
    if problem is None and not given:
        problem = "is answered per body but names no body (give each body's answer, body: value)"
    if problem is not None:
        with problems.collecting():
            reader.fail(problem, at=node, key=key, item=where[0])
        return None
    answers: dict[str, OneOf] = {}
    for body, value in given.items():
        with problems.collecting():
            _check_body(reader, given, str(body), performers, item)
            answers[str(body)] = _body_answer(reader, given, str(body), value, kind, choices, item)
    if len(answers) != len(given):
        return None
    performs = list(performers or answers)
    ordered = sorted(answers.items(), key=lambda kv: performs.index(kv[0]))
    return BodyAnswers(where[1], ordered)


def _check_body(
    reader: Reader, given: Fields, body: str, performers: Sequence[str] | None, item: str
) -> None:
    """Refuse a body that does not perform the function (with a "did you mean")."""
    if performers is None or body in performers:
        return
    reader.fail(
        f"'{body}' does not perform this function: each body's own answer is given by a "
        "body in performed_by",
        at=given,
        key=body,
        item=item,
        allowed=performers,
        suggestion=did_you_mean(body, performers),
    )


def _body_answer(
    reader: Reader,
    given: Fields,
    body: str,
    value: Any,
    kind: str,
    choices: Sequence[str],
    item: str,
) -> OneOf:
    """One body's answer: a value, or ``unknown``, a range or a list of values."""
    if isinstance(value, Mapping):
        reader.fail(
            "a body's answer is a value, unknown, a range or a list, not a mapping",
            at=given,
            key=body,
            item=item,
        )
    written = value if is_open_answer(value) else [value]
    where = {"at": given, "key": body, "item": item}
    return read_open(
        reader, kind, written, choices, where, otherwise="is not an answer", near=value
    )


def read_open(
    reader: Reader,
    kind: str,
    written: Any,
    choices: Sequence[str],
    where: Mapping[str, Any],
    *,
    otherwise: str,
    near: Any = None,
) -> OneOf:
    """``written`` read as an answer of ``kind`` (:func:`~taxonomy.language.facts.parse_open`).

    Else the reader fails at ``where`` (its ``at``, ``key`` and ``item``) with the problem
    (``otherwise`` if none is named) and the values allowed; with ``near``, the allowed value
    nearest it is suggested. A whole answer and one body's answer are read by this.
    """
    problem, parsed, allowed = parse_open(kind, written, choices)
    if problem is not None or parsed is None:
        suggestion = did_you_mean(str(near), allowed) if near is not None and allowed else None
        reader.fail(problem or otherwise, **where, allowed=allowed or None, suggestion=suggestion)
    return parsed


def cell_per_body(value: Any, *, sheet: str, row: int, column: str) -> Row | None:
    """A spreadsheet cell written ``nhse: high; nhsi: medium`` as its located mapping, else None.

    Each body's answer is at the cell (``column``), so a message about it names that cell.
    """
    found = split_per_body(value)
    if found is None:
        return None
    return Row(found, sheet=sheet, row=row, columns=dict.fromkeys(found, column))
