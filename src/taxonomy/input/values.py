"""The values a portfolio's keys hold, each read one way: ids, lists of ids, bodies, days, notes.

Each reader takes the mapping, the key and the item (``function 'pricing'``) and raises the
reader's error (with file, line or cell, item and key) for a value it cannot take, with the
values allowed and a "did you mean" where one fits. The portfolio's parts
(:mod:`taxonomy.input.portfolio`, :mod:`taxonomy.input.function`, ...) and the spreadsheet
share them, so a value is checked the same whichever file it came from.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Collection, Sequence
from typing import Any, TypeVar

from taxonomy._model import ID_PATTERN, parse_day
from taxonomy.errors import Problems, did_you_mean
from taxonomy.input.reader import Cells, Fields, Reader, Row

__all__ = [
    "NO_IDS",
    "attempt",
    "body_list",
    "id_list",
    "item_name",
    "joined",
    "new_id",
    "read_body",
    "read_day",
    "read_id",
    "read_notes",
    "separator_hint",
    "valid_id",
]

_T = TypeVar("_T")

#: No ids: what a list of ids that could not be read stands in as.
NO_IDS: tuple[str, ...] = ()


def attempt(problems: Problems, check: Callable[[], _T], default: _T) -> _T:
    """``check()``, or ``default`` when it raises an InputError (then recorded in ``problems``)."""
    with problems.collecting():
        return check()
    return default


def item_name(what: str, node: Fields) -> str:
    """How messages name an item: ``role 'ao'``, or ``role`` when its id is not text."""
    return f"{what} '{node['id']}'" if isinstance(node.get("id"), str) else what


def valid_id(text: str) -> bool:
    """Whether ``text`` is an id the model takes.

    >>> valid_id("nhse"), valid_id("NHS E")
    (True, False)
    """
    return isinstance(text, str) and ID_PATTERN.match(text) is not None  # as Organisation checks


def read_id(reader: Reader, node: Fields, key: str, item: str) -> str:
    """``node[key]``, an id: text of lower-case letters, digits, '.', '_' or '-'."""
    text = reader.identifier(node, key, item=item)
    if not valid_id(text):
        reader.fail(
            f"'{text}' is not a valid id: use lower-case letters, digits, '.', '_' or '-'",
            at=node,
            key=key,
            item=item,
        )
    return text


def new_id(reader: Reader, node: Fields, item: str, taken: set[str]) -> str:
    """The item's ``id``, which no organisation, function, body or role has (then taken)."""
    found = read_id(reader, node, "id", item)
    if found in taken:
        reader.fail(
            "this id is already used by an organisation, function, body or role",
            at=node,
            key="id",
            item=item,
        )
    taken.add(found)
    return found


def id_list(
    reader: Reader, node: Fields, key: str, known: Collection[str], item: str, what: str
) -> tuple[str, ...]:
    """The ids listed under ``key``, each one of ``known`` (give a dict or set for many ids)."""
    if key not in node or node[key] is None:
        return ()
    value = node[key]
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        reader.fail(f"must be a list of {what}", at=node, key=key, item=item)
    found: dict[str, None] = {}
    for entry in value:
        if not isinstance(entry, str) or entry not in known:
            reader.fail(
                f"'{entry}' is not one of the portfolio's {what}",
                at=node,
                key=key,
                item=item,
                allowed=known if len(known) <= 40 else None,
                suggestion=did_you_mean(str(entry), known),
            )
        if entry in found:
            reader.fail(f"lists '{entry}' twice", at=node, key=key, item=item)
        found[entry] = None
    return tuple(found)


def read_notes(reader: Reader, node: Fields, item: str) -> str:
    """The item's ``notes``: text, or empty where it gives none."""
    notes = node.get("notes", "")
    if notes is None:
        return ""
    if not isinstance(notes, str):
        reader.fail("must be text", at=node, key="notes", item=item)
    return reader.text(node, "notes", item=item) if notes.strip() else ""


def read_day(reader: Reader, node: Fields, key: str, item: str) -> datetime.date:
    """A day: a YAML date (``2022-07-01``) or text written ``YYYY-MM-DD``."""
    try:
        return parse_day(node[key])
    except ValueError as exc:
        reader.fail(str(exc), at=node, key=key, item=item)


#: What people put between ids instead of a comma: spaces, semicolons, slashes, "and".
_NOT_A_COMMA = re.compile(r"\s*(?:[;/|&+\n]|\band\b)\s*|\s+")


def joined(value: Any, bodies: Sequence[str]) -> list[str]:
    """The ids ``value`` joins with something other than a comma ("a; b", "a b"), or [].

    >>> joined("nhse; nhsi", ["nhse", "nhsi"])
    ['nhse', 'nhsi']
    """
    if not isinstance(value, str):
        return []
    parts = [p for p in _NOT_A_COMMA.split(value.strip()) if p]
    return parts if len(parts) > 1 and any(p in bodies for p in parts) else []


def separator_hint(parts: Sequence[str], spreadsheet: bool) -> str:
    """How to write several organisations, for a value that joined them otherwise."""
    if spreadsheet:
        return f": separate organisation ids in a cell with commas, e.g. '{', '.join(parts)}'"
    return f": list organisation ids with commas, e.g. [{', '.join(parts)}]"


def read_body(
    reader: Reader,
    node: Fields,
    key: str,
    value: Any,
    bodies: list[str],
    item: str,
    *,
    spreadsheet: bool = False,
    what: str = "organisations",
) -> str:
    """``value`` (given under ``key``), which must be one of ``bodies``.

    ``what`` names what ``bodies`` are in the message: the portfolio's ``organisations``, or
    more where the key may name more (bodies outside the portfolio).
    """
    if not isinstance(value, str) or value not in bodies:
        parts = joined(value, bodies)
        reader.fail(
            f"'{value}' is not one of the portfolio's {what}"
            + (separator_hint(parts, spreadsheet or isinstance(node, Row)) if parts else ""),
            at=node,
            key=key,
            item=item,
            allowed=bodies,
            suggestion=did_you_mean(str(value), bodies),
        )
    return value


def body_list(
    reader: Reader,
    node: Fields,
    key: str,
    bodies: list[str],
    item: str,
    *,
    what: str = "organisations",
) -> tuple[str, ...]:
    """The bodies listed under ``key`` (one id is a list of one), each once, among ``bodies``.

    ``what`` names what ``bodies`` are in the messages (:func:`read_body`).
    """
    value = node[key]
    spreadsheet = isinstance(value, Cells)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        reader.fail("must be a list of organisation ids", at=node, key=key, item=item)
    found = tuple(
        read_body(reader, node, key, v, bodies, item, spreadsheet=spreadsheet, what=what)
        for v in value
    )
    repeated = sorted({b for b in found if found.count(b) > 1})
    if repeated:
        once = "an organisation" if what == "organisations" else "a body"
        named = ", ".join(f"'{b}'" for b in repeated)
        reader.fail(f"lists {once} twice ({named})", at=node, key=key, item=item)
    return found
