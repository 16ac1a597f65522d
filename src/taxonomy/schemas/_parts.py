"""The parts every input schema is built of: text, ids, levels, days, closed mappings.

A closed mapping allows exactly the keys its loader allows; text is what the loaders read as
text (not empty, no control character); a description is what an editor shows while a key is
typed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from taxonomy._model import ID_PATTERN, Level
from taxonomy.errors import CONTROL_CHARACTER

__all__ = [
    "ID_HELP",
    "by_body",
    "Schema",
    "closed",
    "common_defs",
    "described",
    "enum",
    "nullable",
    "open_scalar",
    "openable",
    "root",
    "some_ids",
    "text",
]

Schema = dict[str, Any]

#: What an editor shows for an id.
ID_HELP = "a short id: lower-case letters, digits, '.', '_' or '-'"


def text(description: str | None = None) -> Schema:
    """Text as the loaders read it: not empty, no control character; a number kept as written."""
    schema: Schema = {
        "type": ["string", "number"],
        "pattern": r"\S",
        "not": {"type": "string", "pattern": CONTROL_CHARACTER.pattern},
    }
    return described(schema, description)


def described(schema: Schema, description: str | None) -> Schema:
    """``schema`` with a description an editor shows as help while the key is typed.

    A plain reference to one of the shared definitions (a level, an id) is written out in place:
    editors that read draft-07 semantics (yaml-language-server) ignore the keywords beside a
    ``$ref``, and would lose the description and the completions with it.
    """
    ref = schema.get("$ref") if set(schema) == {"$ref"} else None
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        shared = common_defs().get(ref.removeprefix("#/$defs/"))
        if shared is not None:
            schema = {k: v for k, v in shared.items() if k != "description"}
    return {"description": description, **schema} if description else schema


def nullable(schema: Schema) -> Schema:
    """``schema``, or null: the loaders read a key written with no value as absent."""
    return {"anyOf": [schema, {"type": "null"}]}


def closed(
    properties: Mapping[str, Schema],
    *,
    allowed: Iterable[str],
    required: Iterable[str] = (),
    description: str | None = None,
) -> Schema:
    """A mapping whose keys are ``allowed`` (each described by ``properties``), and no others."""
    keys = tuple(allowed)
    missing = [k for k in keys if k not in properties]
    if missing:  # a key a loader allows and the schema does not describe: a bug here
        raise AssertionError(f"no schema for keys {missing}")
    schema: Schema = {
        "type": "object",
        "properties": {k: properties[k] for k in keys},
        "additionalProperties": False,
    }
    if tuple(required):
        schema["required"] = list(required)
    return described(schema, description)


def enum(values: Iterable[str], description: str | None = None) -> Schema:
    return described({"type": "string", "enum": list(values)}, description)


def some_ids() -> Schema:
    """An id, or a list of one id or more, each once."""
    listed = {"type": "array", "items": {"$ref": "#/$defs/id"}, "minItems": 1, "uniqueItems": True}
    return {"anyOf": [{"$ref": "#/$defs/id"}, listed]}


def common_defs() -> Schema:
    return {
        "id": {"type": "string", "pattern": ID_PATTERN.pattern, "description": ID_HELP},
        "level": enum(Level.names(), "none < low < medium < high"),
        "day": {
            "type": "string",
            "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
            "description": "a day, YYYY-MM-DD",
        },
        "ids": {
            "description": "an id, or a list of ids",
            "anyOf": [
                {"$ref": "#/$defs/id"},
                {"type": "array", "items": {"$ref": "#/$defs/id"}, "uniqueItems": True},
            ],
        },
        "text": text(),
        "open_level": {
            "description": "a level, or unknown, a range low..high, or a list of the levels "
            "it may be, or each body's own answer (by body)",
            "anyOf": [*_open_levels(), by_body({"anyOf": _open_levels()})],
        },
    }


def _open_levels() -> list[Schema]:
    """A level, ``unknown``, a range or a list of levels: an open level, not per body."""
    return [
        enum([*Level.names(), "unknown"]),
        open_scalar(Level.names()),
        {
            "type": "array",
            "items": {"$ref": "#/$defs/level"},
            "minItems": 1,
            "uniqueItems": True,
        },
    ]


def by_body(answer: Schema) -> Schema:
    """Each body's own answer (``{nhse: high, nhsi: medium}``), each as ``answer`` allows."""
    return {
        "type": "object",
        "description": "each body's own answer, by the id of a body that performs the function",
        "propertyNames": {"$ref": "#/$defs/id"},
        "additionalProperties": answer,
        "minProperties": 1,
    }


def open_scalar(ordered: Iterable[str] | None) -> Schema:
    """``unknown``, or (for ``ordered`` values, or counts where None) a range ``a..b``."""
    value = "[0-9]+" if ordered is None else "(" + "|".join(ordered) + ")"
    return {"type": "string", "pattern": rf"^(\s*unknown\s*|\s*{value}\s*\.\.\s*{value}\s*)$"}


def openable(known: Schema, kind: str, *, required: bool) -> Schema:
    """``known``, or an answer left open as the loader reads it (unless ``known: required``).

    A level or a count may be ``unknown``, a range ``a..b`` or a list of values; true/false
    and a choice may be ``unknown`` or a list; each may be answered per body, each body's
    answer one of those (:func:`by_body`).
    """
    if required or kind not in ("level", "bool", "choice", "count"):
        return known
    if kind == "level":
        return {"$ref": "#/$defs/open_level"}
    scalar = open_scalar(None) if kind == "count" else {"const": "unknown"}
    listed = {"type": "array", "items": known, "minItems": 1, "uniqueItems": True}
    return {"anyOf": [known, scalar, listed, by_body({"anyOf": [known, scalar, listed]})]}


def root(kind: str, title: str, description: str, body: Schema, defs: Schema) -> Schema:
    from taxonomy.schemas._ids import VERSION, schema_id

    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_id(kind),
        "title": title,
        "description": description,
        "x-taxonomy-schema-version": VERSION,
        **body,
        "$defs": defs,
    }
