"""The JSON Schema of a portfolio, derived from its shapes (:mod:`taxonomy.input.shapes`).

Each shape is a closed mapping of its keys; each key's schema follows from its kind (an id,
ids, text, a level, a day, true/false, a choice), whether it may be left empty and what it means.
A rule pack adds its tiers and the questions it declares. What JSON Schema cannot say (an id
used twice, which body an id names) is left to the loader.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import attrs

from taxonomy.input.keys import Key, Shape
from taxonomy.input.shapes import (
    ABOLITION,
    DELEGATION,
    FUNCTION,
    FUNCTION_LAW,
    GOVERNANCE,
    INDEPENDENT_BODY,
    JOINT_BODY,
    LAW,
    LEGAL,
    ORGANISATION,
    PACK_REFERENCE,
    PORTFOLIO,
    PROVISION,
    ROLE,
)
from taxonomy.language.facts import answer_data
from taxonomy.schemas._parts import (
    Schema,
    closed,
    common_defs,
    described,
    enum,
    nullable,
    openable,
    root,
    some_ids,
    text,
)

if TYPE_CHECKING:
    from taxonomy.language.facts import Fact
    from taxonomy.language.rules import RulePack

__all__ = ["portfolio_schema"]

#: Where each list of items is written: in place, or as a shared definition.
_DEFINED = {
    JOINT_BODY: "#/$defs/joint_body",
    ROLE: "#/$defs/role",
    DELEGATION: "#/$defs/delegation",
}


def _answer(fact: Fact) -> Schema:
    """What a portfolio may write for a fact the pack declares (as ``parse_answer`` reads it)."""
    kind = fact.type.name
    schema: Schema
    if kind == "level":
        schema = {"$ref": "#/$defs/level"}
    elif kind == "bool":
        schema = {"type": "boolean"}
    elif kind == "count":
        schema = {"type": "integer", "minimum": 0}
    elif kind == "choice":
        schema = enum(fact.type.choices)
    elif kind == "text":
        schema = {"type": "string", "pattern": r"\S"}
    elif kind == "body":
        schema = {"$ref": "#/$defs/id"}
    elif kind == "bodies":
        schema = {"$ref": "#/$defs/ids"}
    else:  # body_levels and derived types are never answered
        raise AssertionError(f"a {kind} fact cannot be answered")
    schema = openable(schema, kind, required=fact.known_required)
    meaning = " ".join(fact.meaning.split())
    extra = f" (default: {answer_data(fact.default)})" if fact.default else ""
    return described(schema, f"{meaning}{extra}; declared by rule pack '{fact.pack}'")


def _own_level(pack: RulePack, key: str) -> Schema:
    """A level the model holds (``efficiency.duplication``, ``capability``).

    It may be left open unless the pack declares a fact reading it ``known: required``.
    """
    path = "function.capability" if key == "capability" else f"function.{key}"
    required = any(f.known_required and f.path == path for f in pack.facts)
    return {"$ref": "#/$defs/level" if required else "#/$defs/open_level"}


def _meant(schema: Schema, meaning: str) -> Schema:
    """``schema`` with ``meaning`` as its description, if there is one."""
    return described(schema, meaning) if meaning else schema


def _ids(key: Key, pack: RulePack) -> Schema:
    """A list of ids (or one id), or, with ``at_least``, one id or more, each once.

    Where the key's entries may be dated (its ``shape``: a membership), each is an id or a
    mapping of that shape.
    """
    if key.shape is not None:
        entry = {
            "anyOf": [{"$ref": "#/$defs/id"}, _closed(key.shape, _properties(key.shape, pack))]
        }
        dated: Schema = {"type": "array", "items": entry, "minItems": key.at_least}
        listed_or_one = {"anyOf": [{"$ref": "#/$defs/id"}, dated]}
        return nullable(listed_or_one) if key.may_be_null else listed_or_one
    if key.at_least:
        return some_ids()
    listed: Schema = {"$ref": "#/$defs/ids"}
    if key.values:  # words it takes besides ids (`all`)
        listed = {"anyOf": [*({"const": v} for v in key.values), listed]}
    return nullable(listed) if key.may_be_null else listed


def _value(key: Key, pack: RulePack, question: str) -> Schema:
    """The schema of ``key``'s value by its kind, its description inside the null choice."""
    schema: Schema
    if key.kind in ("id", "body"):
        schema = _meant({"$ref": "#/$defs/id"}, key.meaning)
    elif key.kind == "text":
        schema = text(key.meaning or None)
    elif key.kind == "notes":
        schema = _meant({"type": "string"}, key.meaning)
    elif key.kind == "day":
        schema = _meant({"$ref": "#/$defs/day"}, key.meaning)
    elif key.kind == "bool":
        schema = _meant({"type": "boolean"}, key.meaning)
    elif key.kind == "choice":
        schema = enum(key.values, key.meaning or None)
    elif key.kind == "level":
        schema = _meant(_own_level(pack, f"{question}.{key.name}"), key.meaning)
    elif key.kind == "ids":  # the description outside the null choice, as for every list
        return _meant(_ids(key, pack), key.meaning)
    elif key.kind == "choices":
        choices = enum(key.values)
        any_of = {"anyOf": [choices, {"type": "array", "items": choices}]}
        return _meant(nullable(any_of) if key.may_be_null else any_of, key.meaning)
    else:
        raise AssertionError(f"a {key.kind} key is built with its shape")
    return nullable(schema) if key.may_be_null else schema


def _properties(shape: Shape, pack: RulePack, *, outer: bool = False) -> dict[str, Schema]:
    """Each plain key of ``shape`` (not a section or a list of items) and its schema.

    With ``outer``, each description is outside the null choice (a question's own answers).
    """
    question = shape.prefix.rstrip(".")
    found = {}
    for key in shape.keys:
        if key.kind in ("section", "items", "tier"):
            continue
        if outer:
            plain = _value(attrs.evolve(key, meaning=""), pack, question)
            found[key.name] = _meant(plain, key.meaning)
        else:
            found[key.name] = _value(key, pack, question)
    return found


def _items(key: Key, items: Schema) -> Schema:
    """A list of items of ``key``'s shape: at least ``at_least``, described; or left empty."""
    schema: Schema = {"type": "array", "items": items}
    if key.at_least:
        schema["minItems"] = key.at_least
    schema = _meant(schema, key.meaning)
    return nullable(schema) if key.may_be_null else schema


def _closed(shape: Shape, properties: Mapping[str, Schema]) -> Schema:
    """``shape`` as a closed mapping of ``properties``."""
    return closed(
        properties,
        allowed=shape.names,
        required=shape.required,
        description=shape.meaning or None,
    )


def _question(
    pack: RulePack, question: str, own: Mapping[str, Schema], required: Iterable[str]
) -> Schema:
    """A key question's mapping: the model's own answers and those the pack declares."""
    declared = {f.key: _answer(f) for f in pack.facts.answered(question)}
    must = [*required, *(f.key for f in pack.facts.answered(question) if f.required)]
    return closed(
        {**own, **declared},
        allowed=(*own, *declared),
        required=must,
        description=FUNCTION.key(question).meaning,
    )


def _capability(pack: RulePack) -> Schema:
    """Question 4: a level per organisation (by id), and the questions the pack declares."""
    declared = {f.key: _answer(f) for f in pack.facts.answered("capability")}
    schema: Schema = {
        "type": "object",
        "description": FUNCTION.key("capability").meaning,
        "properties": declared,
        "propertyNames": {"$ref": "#/$defs/id"},
        "additionalProperties": _own_level(pack, "capability"),
        "minProperties": 1,
    }
    must = [f.key for f in pack.facts.answered("capability") if f.required]
    if must:
        schema["required"] = must
    return schema


def _function(pack: RulePack) -> Schema:
    """A function: its keys, each question's answers, the pack's tiers."""
    tiers = pack.tiers()
    level = FUNCTION.key("level")
    properties = _properties(FUNCTION, pack)
    properties["level"] = (
        enum(tiers, level.meaning) if tiers is not None else {"$ref": "#/$defs/id"}
    )
    for key in FUNCTION.keys:
        if key.shape is None or key.kind != "section":
            continue
        if key.name == "capability":
            properties[key.name] = _capability(pack)
            continue
        own = _properties(key.shape, pack, outer=key.shape is LEGAL)
        schema = _question(pack, key.name, own, key.shape.required)
        properties[key.name] = nullable(schema) if key.may_be_null else schema
    return _closed(FUNCTION, properties)


def _law(pack: RulePack) -> Schema:
    """The law: undated (a mapping), or a list of dated provisions."""
    abolishes = PROVISION.key("abolishes")
    abolition = _closed(ABOLITION, _properties(ABOLITION, pack))
    facts = _properties(LEGAL, pack, outer=True)
    legal = closed(facts, allowed=facts, description=FUNCTION_LAW.key("legal").meaning)
    legal["minProperties"] = 1  # a function's law sets one legal fact or more
    fact = _closed(FUNCTION_LAW, _properties(FUNCTION_LAW, pack) | {"legal": legal})
    provision = _closed(
        PROVISION,
        _properties(PROVISION, pack)
        | {
            "abolishes": _items(abolishes, abolition),
            "functions": _items(PROVISION.key("functions"), fact),
        },
    )
    said = ("joint_committees", "abolishes", "functions")
    provision["anyOf"] = [{"required": [key]} for key in said]
    # An abolition is permanent: it has a 'from' day. `abolishes:` left empty abolishes nothing.
    abolishing = {"properties": {"abolishes": {"type": "array", "minItems": 1}}}
    provision["if"] = {**abolishing, "required": ["abolishes"]}
    provision["then"] = {"required": ["from"]}
    return {
        "description": PORTFOLIO.key("law").meaning,
        "anyOf": [
            _closed(LAW, _properties(LAW, pack)),
            {"type": "array", "items": provision, "minItems": 1},
        ],
    }


def _pack_reference(pack: RulePack) -> Schema:
    """The rule pack the portfolio names: its folder, or a mapping of folder, name, version."""
    return {
        "oneOf": [
            text("the rule pack's folder, relative to this file"),
            _closed(PACK_REFERENCE, _properties(PACK_REFERENCE, pack)),
        ],
        "description": PORTFOLIO.key("rules").meaning,
    }


def portfolio_schema(rules: RulePack) -> Schema:
    """The schema of a portfolio answered for ``rules`` (its tiers and declared questions)."""
    lists = {k.name: _items(k, {"$ref": _DEFINED[k.shape]}) for k in GOVERNANCE.keys if k.shape}
    governance = _closed(GOVERNANCE, lists)
    properties = _properties(PORTFOLIO, rules) | {
        "rules": nullable(_pack_reference(rules)),
        "organisations": _items(
            PORTFOLIO.key("organisations"), _closed(ORGANISATION, _properties(ORGANISATION, rules))
        ),
        "functions": _items(PORTFOLIO.key("functions"), _function(rules)),
        "law": nullable(_law(rules)),
        "governance": nullable(governance),
        "independent_bodies": _items(
            PORTFOLIO.key("independent_bodies"),
            _closed(INDEPENDENT_BODY, _properties(INDEPENDENT_BODY, rules)),
        ),
    }
    defs = {
        **common_defs(),
        "joint_body": _closed(JOINT_BODY, _properties(JOINT_BODY, rules)),
        "role": _closed(ROLE, _properties(ROLE, rules)),
        "delegation": _closed(DELEGATION, _properties(DELEGATION, rules)),
    }
    return root(
        "portfolio",
        "taxonomy portfolio",
        f"A portfolio answered for rule pack '{rules.name}' {rules.version}: the bodies working "
        "together, their functions and the four key questions' answers for each.",
        _closed(PORTFOLIO, properties),
        defs,
    )
