"""What the model's fields accept: ids, text, days, and the tuples they are given as.

Validators and converters every model class shares (attrs ``validator=`` and ``converter=``).
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import attrs

from taxonomy.errors import CONTROL_CHARACTER

#: What an id (of a body, a function, a joint body, a role) may be: lower case, digits, ``_.-``.
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


def check_id(_instance: object, attribute: attrs.Attribute[Any], value: str) -> None:
    """Refuse an id that does not match :data:`ID_PATTERN`."""
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        raise ValueError(
            f"{attribute.name} {value!r} must be lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )


def check_text(_instance: object, attribute: attrs.Attribute[Any], value: str) -> None:
    """Refuse empty text, or text with a control character."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{attribute.name} must be non-empty text")
    check_plain(_instance, attribute, value)


def check_plain(_instance: object, attribute: attrs.Attribute[Any], value: str) -> None:
    """Text a terminal or a spreadsheet shows as written: no control characters."""
    if not isinstance(value, str):
        raise TypeError(f"{attribute.name} must be text")
    control = CONTROL_CHARACTER.search(value)
    if control is not None:
        raise ValueError(
            f"{attribute.name} contains a control character (U+{ord(control.group()):04X})"
        )


def to_ids(value: Any) -> tuple[str, ...]:
    """Ids given as any iterable, as a tuple."""
    return tuple(value)


def check_ids(_instance: object, attribute: attrs.Attribute[Any], value: tuple[str, ...]) -> None:
    """Refuse a malformed id, or a body listed twice."""
    for item in value:
        check_id(_instance, attribute, item)
    if len(set(value)) != len(value):
        raise ValueError(f"{attribute.name} lists a body twice")


def check_day(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Refuse anything but a day (a ``date``, not a ``datetime``) or None."""
    if value is not None and (
        not isinstance(value, datetime.date) or isinstance(value, datetime.datetime)
    ):
        raise TypeError(f"{attribute.name} must be a date (a day), or None")


def check_some_ids(
    _instance: object, attribute: attrs.Attribute[Any], value: tuple[str, ...]
) -> None:
    """Refuse what :func:`check_ids` refuses, and no body at all."""
    check_ids(_instance, attribute, value)
    if not value:
        raise ValueError(f"{attribute.name} must name at least one body")
