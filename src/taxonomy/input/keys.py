"""What an input shape is: its keys, and what each key's value may be (:data:`KINDS`).

The shapes themselves, one table each, are :mod:`taxonomy.input.shapes`.

>>> Key("members", "ids", listed=True).may_be_null
True
"""

from __future__ import annotations

import attrs

__all__ = ["ID_PROMPT", "KINDS", "Key", "Shape"]

#: The prompt of every id a template asks for.
ID_PROMPT = "An id: lower-case letters, digits, '.', '_' or '-' (no spaces)."

#: What a key's value may be.
KINDS = {
    "id": "an id (lower-case letters, digits, '.', '_' or '-')",
    "body": "the id of one of the portfolio's organisations",
    "ids": "ids (of what the key ``refers`` to), a list in YAML, separated by commas in a cell",
    "text": "text, not empty",
    "notes": "free text, may be empty",
    "tier": "one of the rule pack's tiers (any id where it declares none)",
    "level": "none, low, medium or high (or left open: unknown, a range, a list)",
    "bool": "true or false",
    "choice": "one of ``values``",
    "choices": "some of ``values``",
    "day": "a day, YYYY-MM-DD",
    "section": "a mapping of the keys of another shape",
    "items": "a list of mappings of another shape",
}


def _known_kind(_instance: object, _attribute: attrs.Attribute[str], value: str) -> None:
    if value not in KINDS:
        raise ValueError(f"no kind '{value}'; allowed: {', '.join(KINDS)}")


@attrs.frozen
class Key:
    """One key of a shape, declared once for files, sheets and schemas.

    Attributes:
        name: the key in YAML and JSON (and, under the shape's prefix, the column).
        kind: what its value is, one of :data:`KINDS`.
        meaning: what it means, in the words an editor shows (the schema's description;
            empty: none).
        required: whether every item must give it.
        nullable: whether it may be written with no value (read as absent). Default: when
            it is not required.
        listed: whether it holds several values (a list; one cell, separated by commas).
        at_least: the fewest values a list may hold (a list of ids: 1 or none).
        values: the values it may take (a choice), or the words it takes besides ids
            (``all``).
        refers: what the ids it lists name, in messages (``organisations``).
        prompt: the input prompt of its template cell (empty: no prompt and no drop-down).
        shape: the shape of its value (``section``) or of each item (``items``); for ``ids``,
            of an entry given as a mapping instead of an id (a dated membership).
        column: whether it is a column of its shape's sheet (a nested list has a sheet of
            its own).
        attribute: the model's attribute it is read into (default: ``name``).
    """

    name: str
    kind: str = attrs.field(default="text", validator=_known_kind)
    meaning: str = ""
    required: bool = False
    nullable: bool | None = None
    listed: bool = False
    at_least: int = 0
    values: tuple[str, ...] = ()
    refers: str = ""
    prompt: str = ""
    shape: Shape | None = None
    column: bool = True
    attribute: str = ""

    @property
    def may_be_null(self) -> bool:
        """Whether the key may be written with no value (then read as absent)."""
        return (not self.required) if self.nullable is None else self.nullable

    @property
    def attr(self) -> str:
        """The model's attribute this key fills."""
        return self.attribute or self.name


@attrs.frozen
class Shape:
    """A mapping of a portfolio file: its keys, in the order files write them, and its sheet.

    Attributes:
        item: how messages name one (``joint body``).
        keys: its keys.
        meaning: what it is, in the schema's words (empty: none).
        sheet: the spreadsheet sheet holding one row per item (None: none of its own).
        prefix: what its keys' columns start with where its keys are columns of another
            shape's sheet (``legal.``).
        owner: a column of its sheet naming the item of another sheet it belongs to (an
            abolition's provision), with that column's prompt.
    """

    item: str
    keys: tuple[Key, ...]
    meaning: str = ""
    sheet: str | None = None
    prefix: str = ""
    owner: Key | None = None

    # Worked out once, when the shape is declared: readers ask for them for every item.
    names: tuple[str, ...] = attrs.field(init=False, eq=False, repr=False)
    """The keys a file may give, in order."""
    required: tuple[str, ...] = attrs.field(init=False, eq=False, repr=False)
    """The keys a file must give."""
    listed: frozenset[str] = attrs.field(init=False, eq=False, repr=False)
    """The keys holding several values (one cell each, separated by commas)."""

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "names", tuple(key.name for key in self.keys))
        object.__setattr__(self, "required", tuple(k.name for k in self.keys if k.required))
        object.__setattr__(self, "listed", frozenset(k.name for k in self.keys if k.listed))

    def key(self, name: str) -> Key:
        """The key called ``name``.

        Raises:
            KeyError: the shape has none.
        """
        for key in self.keys:
            if key.name == name:
                return key
        raise KeyError(name)

    def columns(self) -> list[str]:
        """Its sheet's columns: the owner, each key (a section's keys under its prefix).

        A key with one column per organisation (``capability``) and the free text (``notes``)
        are not listed: their columns follow the fixed ones (see
        :func:`taxonomy.input.columns.function_columns`).
        """
        found = [self.owner.name] if self.owner is not None else []
        for key in self.keys:
            if not key.column:
                continue
            if key.kind == "section" and key.shape is not None:
                found += [f"{key.shape.prefix}{name}" for name in key.shape.names]
            else:
                found.append(f"{self.prefix}{key.name}")
        return found
