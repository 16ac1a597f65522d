"""One declaration per output shape: the keys a result writes in JSON, each with its JSON Schema.

A result class lists its JSON keys once, in a :class:`Shape` beside it. Its ``to_dict`` is
:meth:`Shape.dump`, and its part of the output JSON Schemas (:mod:`taxonomy.schemas`) is
:meth:`Shape.schema`, so a key added is one edit plus its meaning, and the JSON and its schema
cannot disagree about which keys there are, in which order, or which may be left out.

>>> point = Shape(
...     key("x", {"type": "integer"}),
...     key("tags", STRINGS, via=list, omit_empty=True),
... )
>>> import types
>>> point.dump(types.SimpleNamespace(x=1, tags=()))
{'x': 1}
>>> point.schema({})["required"]
['x']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

__all__ = [
    "STRING",
    "STRINGS",
    "STRING_OR_NULL",
    "Key",
    "Named",
    "Schema",
    "Shape",
    "each",
    "key",
    "nested",
    "text",
]

Schema = dict[str, Any]

STRING: Schema = {"type": "string"}
STRINGS: Schema = {"type": "array", "items": STRING}
STRING_OR_NULL: Schema = {"type": ["string", "null"]}


@attrs.frozen
class Named:
    """The schema of values a higher layer defines (the rule pack's questions), by name.

    :meth:`Shape.schema` takes them from the mapping its caller passes, so the model declares
    the key without importing the layer that knows its allowed values.
    """

    name: str


@attrs.frozen
class Key:
    """One key of a result's JSON.

    Attributes:
        name: the JSON key.
        schema: its JSON Schema. It may hold a :class:`Shape` (the schema of a nested object)
            or a :class:`Named` schema anywhere inside; :meth:`Shape.schema` fills them in.
        attr: the attribute or property its value is read from (a dotted path may go
            further: ``arrangement.category``).
        via: what turns that value into JSON (``list``, :func:`text`, :func:`each`); None:
            the value as it is.
        read: its JSON value, from the whole result, where ``attr`` and ``via`` cannot say it.
        omit_empty: the key is left out when its value is empty.
        omit_none: the key is left out when its value is None (an empty value is written).
        required: whether the schema requires it.
        written: False for a key another layer adds to the dict ``to_dict`` gives (the JSON's
            ``summary``): in the schema, not in ``to_dict``.
        listed: False for a key ``to_dict`` writes that the published schema leaves to its
            open objects (``additionalProperties``): in ``to_dict``, not in the schema.
    """

    name: str
    schema: Schema | Named | Shape
    attr: str
    via: Callable[[Any], Any] | None = None
    read: Callable[[Any], Any] | None = None
    omit_empty: bool = False
    required: bool = True
    written: bool = True
    omit_none: bool = False
    listed: bool = True

    def __attrs_post_init__(self) -> None:
        # dump is compiled from these (see _compiled): only names, never other code.
        if not all(part.isidentifier() for part in self.attr.split(".")):
            raise ValueError(f"key {self.name!r}: {self.attr!r} is not an attribute path")


def key(
    name: str,
    schema: Schema | Named | Shape,
    *,
    attr: str | None = None,
    via: Callable[[Any], Any] | None = None,
    read: Callable[[Any], Any] | None = None,
    omit_empty: bool = False,
    omit_none: bool = False,
    required: bool | None = None,
    description: str | None = None,
    written: bool = True,
    listed: bool = True,
) -> Key:
    """A :class:`Key`: the JSON value is ``via(result.attr)`` (``attr`` defaults to ``name``).

    Args:
        name: the JSON key.
        schema: its JSON Schema (see :attr:`Key.schema`).
        attr: the attribute or property read; None: ``name``.
        via: turns the attribute's value into JSON; None: the value as it is.
        read: the JSON value from the whole result, instead of ``attr`` and ``via``.
        omit_empty: leave the key out when its value is empty.
        omit_none: leave the key out when its value is None.
        required: whether the schema requires it; None: unless it may be left out.
        description: its meaning, in the schema.
        written: False for a key another layer adds (see :attr:`Key.written`).
        listed: False for a key the schema leaves out (see :attr:`Key.listed`).
    """
    if description is not None:
        assert isinstance(schema, dict), "a description goes with a schema written out"
        schema = {**schema, "description": description}
    needed = (omit_empty or omit_none) if required is None else not required
    return Key(
        name, schema, attr or name, via, read, omit_empty, not needed, written, omit_none, listed
    )


def text(value: Any) -> str | None:
    """A value as its text (an arrangement's name), None kept: ``via`` for a key."""
    return None if value is None else str(value)


def each(shape: Shape) -> Callable[[Any], list[dict[str, Any]]]:
    """``via`` for a key listing nested results: each as ``shape`` dumps it."""
    dump = shape.dump
    return lambda items: [dump(item) for item in items]


def nested(name: str, shape: Shape, *, min_items: int | None = None, **options: Any) -> Key:
    """A key listing nested results, each as ``shape`` dumps it (its schema: an array of it).

    ``options`` are :func:`key`'s (``attr``, ``omit_empty``, ``description`` ...).
    """
    schema: Schema = {"type": "array", "items": shape}
    if min_items is not None:
        schema["minItems"] = min_items
    return key(name, schema, via=each(shape), **options)


class Shape:
    """The JSON keys of one kind of result, in the order it writes them.

    Attributes:
        keys: the keys.
        extra: more of the object's schema, after its keys (a condition between keys).
        order: the order the schema lists the keys in, where a published schema lists them in
            another order than the JSON writes them (its bytes are kept); None: the keys' order.
        dump: the result as a JSON-ready dict: each key written, in order, unless left out
            (a result's ``to_dict``).
    """

    __slots__ = ("dump", "extra", "keys", "order")
    dump: Callable[[Any], dict[str, Any]]

    def __init__(
        self, *keys: Key, extra: Schema | None = None, order: tuple[str, ...] | None = None
    ) -> None:
        self.keys = keys
        self.extra: Schema = extra or {}
        names = [k.name for k in keys if k.listed]
        if order is not None and sorted(order) != sorted(names):
            raise ValueError(f"order {order} does not list the schema's keys {names}")
        self.order = order
        self.dump = _compiled(keys)

    def __repr__(self) -> str:
        return f"Shape({', '.join(k.name for k in self.keys)})"

    def schema(self, named: Mapping[str, Schema]) -> Schema:
        """The JSON Schema of the object, with the schemas ``named`` supplies filled in."""
        listed = [k for k in self.keys if k.listed]
        if self.order is not None:
            rank = {name: i for i, name in enumerate(self.order)}
            listed.sort(key=lambda k: rank[k.name])
        found: Schema = {
            "type": "object",
            "properties": {k.name: _filled(k.schema, named) for k in listed},
            "required": [k.name for k in listed if k.required],
        }
        found.update(_filled(self.extra, named))
        return found


def _compiled(keys: tuple[Key, ...]) -> Callable[[Any], dict[str, Any]]:
    """``dump`` for ``keys``, compiled once the way attrs compiles ``__init__``.

    A dict display of attribute reads is what a hand-written ``to_dict`` is; calling a reader
    per key made ``to_dict`` half as slow again, and it is called for every result written.
    """
    namespace: dict[str, Any] = {}
    items: list[str] = []
    after: list[str] = []
    for i, k in enumerate(keys):
        if not k.written:
            continue
        if k.read is not None:
            namespace[f"read{i}"] = k.read
            value = f"read{i}(result)"
        else:
            value = f"result.{k.attr}"
            if k.via is not None:
                namespace[f"via{i}"] = k.via
                value = f"via{i}({value})"
        if k.omit_empty or k.omit_none:
            test = "    if value:" if k.omit_empty else "    if value is not None:"
            after += [f"    value = {value}", test, f"        data[{k.name!r}] = value"]
        elif after:
            after.append(f"    data[{k.name!r}] = {value}")
        else:
            items.append(f"{k.name!r}: {value}")
    lines = ["def dump(result):", f"    data = {{{', '.join(items)}}}", *after, "    return data"]
    exec(compile("\n".join(lines), "<taxonomy output shape>", "exec"), namespace)
    dump: Callable[[Any], dict[str, Any]] = namespace["dump"]
    return dump


def _filled(schema: Any, named: Mapping[str, Schema]) -> Any:
    """``schema`` with each :class:`Shape` and :class:`Named` inside it written out."""
    if isinstance(schema, Shape):
        return schema.schema(named)
    if isinstance(schema, Named):
        return named[schema.name]
    if isinstance(schema, dict):
        return {name: _filled(part, named) for name, part in schema.items()}
    if isinstance(schema, list):
        return [_filled(part, named) for part in schema]
    return schema
