"""JSON Schemas of the files a policy team writes, built from the loaders' own declarations.

The keys each loader allows and requires, the levels, arrangements, principles, operators, fact
types and the questions a rule pack declares are read from the modules that load the files, so
the schemas cannot drift from what the loaders accept. What JSON Schema cannot say (an id used
twice, a body a function names that the portfolio does not list, a provision that contradicts
another) is left to the loaders, which report it with the file, line, item and key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from taxonomy._model import DELEGATION_LIMITS, ID_PATTERN, JOINT_BODY_KINDS, Arrangement, Level
from taxonomy.errors import CONTROL_CHARACTER
from taxonomy.input import shapes
from taxonomy.language import facts as facts_loader
from taxonomy.language import rules as rules_loader
from taxonomy.language.facts import ANSWER_QUESTIONS, DERIVATIONS, OPERATORS, TYPES, Fact
from taxonomy.language.rules import PRINCIPLES, QUESTIONS, VOCABULARY, RulePack
from taxonomy.testing import expectations as expectations_loader
from taxonomy.whatif import scenarios as scenario_loader
from taxonomy.whatif.scenarios import FIELDS, GOVERNANCE_KINDS
from taxonomy.whatif.sweep import MAX_SCENARIOS

Schema = dict[str, Any]

_TOP_KEYS = shapes.PORTFOLIO.names
_RULES_KEYS = shapes.PACK_REFERENCE.names
_ORG_KEYS = shapes.ORGANISATION.names
_FUNCTION_KEYS = shapes.FUNCTION.names
_REQUIRED_FUNCTION_KEYS = shapes.FUNCTION.required
_LEGAL_KEYS = shapes.LEGAL.names
_PROVISION_KEYS = shapes.PROVISION.names
_ABOLITION_KEYS = shapes.ABOLITION.names
_BODY_KEYS = shapes.JOINT_BODY.names
_ROLE_KEYS = shapes.ROLE.names

#: What a user reads in the editor for each key of a portfolio.
_HELP: Mapping[str, str] = {
    "name": "the name people know it by",
    "as_of": "the day the portfolio is judged on (YYYY-MM-DD), under a dated law",
    "organisations": "the bodies working together (at least two)",
    "functions": "what the bodies do, one entry per function, with the four answers",
    "law": "what the law allows: {joint_committees: true|false}, or a list of dated provisions",
    "governance": "the joint bodies and roles already set up (committees, joint directors)",
    "id": "a short id: lower-case letters, digits, '.', '_' or '-'",
    "governing_body": "what the body's governing body is called (default: the pack's word)",
    "level": "the tier it runs at",
    "performed_by": "the bodies that carry it out today",
    "efficiency": "Q1: could costs and inefficiency be taken out?",
    "effectiveness": "Q2: could the function be more effective?",
    "legal": "Q3: what legal constraints apply?",
    "capability": "Q4: each performing body's capability (none, low, medium, high)",
    "agreed_lead": "the lead the bodies agreed, if any",
    "notes": "free text, shown with the recommendation",
    "duplication": "Q1: duplication between the bodies",
    "simplification": "Q1: scope to simplify processes",
    "joint_benefit": "Q2: benefit of doing it jointly",
    "statutory_owner": "the body (or bodies) holding the statutory duty",
    "held_by_each": "each of these bodies holds the duty itself ('all': every performer)",
    "delegable_to": "only employees of these bodies may carry it out",
    "board_reserved": "a decision reserved to each body's governing body",
    "not_delegable_to": "what the function may not be delegated to",
    "independence_from": "the bodies the function must stay independent of",
    "separate_reason": "why the law keeps the bodies' functions separate",
}


def _text(description: str | None = None) -> Schema:
    """Text as the loaders read it: not empty, no control character; a number kept as written."""
    schema: Schema = {
        "type": ["string", "number"],
        "pattern": r"\S",
        "not": {"type": "string", "pattern": CONTROL_CHARACTER.pattern},
    }
    return _described(schema, description)


def _described(schema: Schema, description: str | None) -> Schema:
    """``schema`` with a description an editor shows as help while the key is typed.

    A plain reference to one of the shared definitions (a level, an id) is written out in place:
    editors that read draft-07 semantics (yaml-language-server) ignore the keywords beside a
    ``$ref``, and would lose the description and the completions with it.
    """
    ref = schema.get("$ref") if set(schema) == {"$ref"} else None
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        shared = _common_defs().get(ref.removeprefix("#/$defs/"))
        if shared is not None:
            schema = {k: v for k, v in shared.items() if k != "description"}
    return {"description": description, **schema} if description else schema


def _nullable(schema: Schema) -> Schema:
    """``schema``, or null: the loaders read a key written with no value as absent."""
    return {"anyOf": [schema, {"type": "null"}]}


def _closed(
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
    return _described(schema, description)


def _enum(values: Iterable[str], description: str | None = None) -> Schema:
    return _described({"type": "string", "enum": list(values)}, description)


def _some_ids() -> Schema:
    """An id, or a list of one id or more, each once."""
    listed = {"type": "array", "items": {"$ref": "#/$defs/id"}, "minItems": 1, "uniqueItems": True}
    return {"anyOf": [{"$ref": "#/$defs/id"}, listed]}


def _common_defs() -> Schema:
    return {
        "id": {"type": "string", "pattern": ID_PATTERN.pattern, "description": _HELP["id"]},
        "level": _enum(Level.names(), "none < low < medium < high"),
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
        "text": _text(),
        "open_level": {
            "description": "a level, or unknown, a range low..high, or a list of the levels "
            "it may be",
            "anyOf": [
                _enum([*Level.names(), "unknown"]),
                _open_scalar(Level.names()),
                {
                    "type": "array",
                    "items": {"$ref": "#/$defs/level"},
                    "minItems": 1,
                    "uniqueItems": True,
                },
            ],
        },
    }


def _open_scalar(ordered: Iterable[str] | None) -> Schema:
    """``unknown``, or (for ``ordered`` values, or counts where None) a range ``a..b``."""
    value = "[0-9]+" if ordered is None else "(" + "|".join(ordered) + ")"
    return {"type": "string", "pattern": rf"^(\s*unknown\s*|\s*{value}\s*\.\.\s*{value}\s*)$"}


def _openable(known: Schema, kind: str, *, required: bool) -> Schema:
    """``known``, or an answer left open as the loader reads it (unless ``known: required``).

    A level or a count may be ``unknown``, a range ``a..b`` or a list of values; true/false
    and a choice may be ``unknown`` or a list.
    """
    if required or kind not in ("level", "bool", "choice", "count"):
        return known
    if kind == "level":
        return {"$ref": "#/$defs/open_level"}
    scalar = _open_scalar(None) if kind == "count" else {"const": "unknown"}
    listed = {"type": "array", "items": known, "minItems": 1, "uniqueItems": True}
    return {"anyOf": [known, scalar, listed]}


def _root(kind: str, title: str, description: str, body: Schema, defs: Schema) -> Schema:
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


# --- portfolios ---------------------------------------------------------------------------------


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
        schema = _enum(fact.type.choices)
    elif kind == "text":
        schema = {"type": "string", "pattern": r"\S"}
    elif kind == "body":
        schema = {"$ref": "#/$defs/id"}
    elif kind == "bodies":
        schema = {"$ref": "#/$defs/ids"}
    else:  # body_levels and derived types are never answered
        raise AssertionError(f"a {kind} fact cannot be answered")
    schema = _openable(schema, kind, required=fact.known_required)
    meaning = " ".join(fact.meaning.split())
    extra = f" (default: {facts_loader.answer_data(fact.default)})" if fact.default else ""
    return _described(schema, f"{meaning}{extra}; declared by rule pack '{fact.pack}'")


def _own_level(pack: RulePack, key: str) -> Schema:
    """A level the model holds (``efficiency.duplication``, ``capability``).

    It may be left open unless the pack declares a fact reading it ``known: required``.
    """
    path = "function.capability" if key == "capability" else f"function.{key}"
    required = any(f.known_required and f.path == path for f in pack.facts)
    return {"$ref": "#/$defs/level" if required else "#/$defs/open_level"}


def _question(
    pack: RulePack, question: str, own: Mapping[str, Schema], required: Iterable[str]
) -> Schema:
    """A key question's mapping: the model's own answers and those the pack declares."""
    declared = {f.key: _answer(f) for f in pack.facts.answered(question)}
    must = [*required, *(f.key for f in pack.facts.answered(question) if f.required)]
    return _closed(
        {**own, **declared}, allowed=(*own, *declared), required=must, description=_HELP[question]
    )


def portfolio_schema(pack: RulePack) -> Schema:
    """The schema of a portfolio answered for ``pack`` (its tiers and declared questions)."""
    tiers = pack.tiers()
    level_help = _HELP["level"]
    scope = _enum(tiers, level_help) if tiers is not None else {"$ref": "#/$defs/id"}
    body_list = {"$ref": "#/$defs/ids"}
    legal_own: dict[str, Schema] = {
        "statutory_owner": _nullable(body_list),
        "held_by_each": _nullable({"anyOf": [{"const": "all"}, body_list]}),
        "delegable_to": _nullable(body_list),
        "board_reserved": {"type": "boolean"},
        "not_delegable_to": _nullable(
            {
                "anyOf": [
                    _enum(DELEGATION_LIMITS),
                    {"type": "array", "items": _enum(DELEGATION_LIMITS)},
                ]
            }
        ),
        "independence_from": _nullable(body_list),
        "separate_reason": _nullable(_text()),
    }
    legal_own = {k: _described(v, _HELP[k]) for k, v in legal_own.items()}
    legal = _question(pack, "legal", legal_own, ())
    capability_declared = {f.key: _answer(f) for f in pack.facts.answered("capability")}
    capability: Schema = {
        "type": "object",
        "description": _HELP["capability"],
        "properties": capability_declared,
        "propertyNames": {"$ref": "#/$defs/id"},
        "additionalProperties": _own_level(pack, "capability"),
        "minProperties": 1,
    }
    must_capability = [f.key for f in pack.facts.answered("capability") if f.required]
    if must_capability:
        capability["required"] = must_capability
    function = _closed(
        {
            "id": {"$ref": "#/$defs/id"},
            "name": _text("the function's name"),
            "level": scope,
            "performed_by": _described(_some_ids(), _HELP["performed_by"]),
            "efficiency": _question(
                pack,
                "efficiency",
                {
                    key: _described(_own_level(pack, f"efficiency.{key}"), _HELP[key])
                    for key in ("duplication", "simplification")
                },
                ("duplication", "simplification"),
            ),
            "effectiveness": _question(
                pack,
                "effectiveness",
                {
                    "joint_benefit": _described(
                        _own_level(pack, "effectiveness.joint_benefit"), _HELP["joint_benefit"]
                    )
                },
                ("joint_benefit",),
            ),
            "legal": _nullable(legal),
            "capability": capability,
            "agreed_lead": _nullable(_described({"$ref": "#/$defs/id"}, _HELP["agreed_lead"])),
            "notes": _nullable(_described({"type": "string"}, _HELP["notes"])),
        },
        allowed=_FUNCTION_KEYS,
        required=_REQUIRED_FUNCTION_KEYS,
    )
    organisation = _closed(
        {
            "id": {"$ref": "#/$defs/id"},
            "name": _text("the body's full name"),
            "governing_body": _nullable(_text(_HELP["governing_body"])),
        },
        allowed=_ORG_KEYS,
        required=("id", "name"),
    )
    abolition = _closed(
        {
            "body": _described(_some_ids(), "the body (or bodies) abolished"),
            "into": _described({"$ref": "#/$defs/id"}, "the successor"),
            "name": _nullable(_text("the successor's name, when it is a new body")),
        },
        allowed=_ABOLITION_KEYS,
        required=("body", "into"),
    )
    provision = _closed(
        {
            "id": {"$ref": "#/$defs/id"},
            "from": _nullable({"$ref": "#/$defs/day"}),
            "until": _nullable({"$ref": "#/$defs/day"}),
            "joint_committees": _nullable({"type": "boolean"}),
            "abolishes": _nullable({"type": "array", "items": abolition}),
            "source": _text("the statute and section"),
        },
        allowed=_PROVISION_KEYS,
        required=("id", "source"),
        description="a provision of the law, in force from a day (and until a day)",
    )
    provision["anyOf"] = [{"required": ["joint_committees"]}, {"required": ["abolishes"]}]
    # An abolition is permanent: it has a 'from' day and no 'until'.
    provision["dependentRequired"] = {"abolishes": ["from"]}
    law = {
        "description": _HELP["law"],
        "anyOf": [
            _closed(
                {"joint_committees": {"type": "boolean"}},
                allowed=("joint_committees",),
                description="undated: always in force",
            ),
            {"type": "array", "items": provision, "minItems": 1},
        ],
    }
    listed = _nullable({"$ref": "#/$defs/ids"})
    joint_body = _closed(
        {
            "id": {"$ref": "#/$defs/id"},
            "name": _text(),
            "kind": _enum(JOINT_BODY_KINDS),
            "members": _described(listed, "the organisations that sit on it"),
            "delegated": _described(listed, "the functions delegated to it"),
            "oversees": _described(listed, "the functions it oversees"),
            "notes": _nullable({"type": "string"}),
        },
        allowed=_BODY_KEYS,
        required=("id", "name", "kind", "members"),
        description="a joint body: a joint committee, committees in common, an oversight group",
    )
    role = _closed(
        {
            "id": {"$ref": "#/$defs/id"},
            "name": _text(),
            "employed_by": _described({"$ref": "#/$defs/id"}, "the organisation employing it"),
            "reports_to": _described(
                _some_ids(), "the Boards, joint bodies or roles it reports to"
            ),
            "accountable_for": _described(listed, "the functions it is accountable for"),
            "notes": _nullable({"type": "string"}),
        },
        allowed=_ROLE_KEYS,
        required=("id", "name", "employed_by", "reports_to"),
        description="a role, such as a joint director",
    )
    governance = _closed(
        {
            "bodies": _nullable({"type": "array", "items": {"$ref": "#/$defs/joint_body"}}),
            "roles": _nullable({"type": "array", "items": {"$ref": "#/$defs/role"}}),
        },
        allowed=("bodies", "roles"),
        description=_HELP["governance"],
    )
    top = _closed(
        {
            "name": _text(_HELP["name"]),
            "rules": _nullable(
                {
                    "oneOf": [
                        _text("the rule pack's folder, relative to this file"),
                        _closed(
                            {
                                "path": _text("its folder, relative to this file"),
                                "name": _text("the name the pack must have"),
                                "version": _text(
                                    "the version it must have or satisfy, e.g. '>=1.0,<2'"
                                ),
                            },
                            allowed=_RULES_KEYS,
                            description="its folder (default: the shipped pack), name, version",
                        ),
                    ],
                    "description": "the rule pack the portfolio is answered for (--rules "
                    "overrides it)",
                }
            ),
            "as_of": _nullable(_described({"$ref": "#/$defs/day"}, _HELP["as_of"])),
            "organisations": _described(
                {"type": "array", "items": organisation, "minItems": 2}, _HELP["organisations"]
            ),
            "functions": _described(
                {"type": "array", "items": function, "minItems": 1}, _HELP["functions"]
            ),
            "law": _nullable(law),
            "governance": _nullable(governance),
        },
        allowed=_TOP_KEYS,
        required=("name", "organisations", "functions"),
    )
    defs = {**_common_defs(), "joint_body": joint_body, "role": role}
    return _root(
        "portfolio",
        "taxonomy portfolio",
        f"A portfolio answered for rule pack '{pack.name}' {pack.version}: the bodies working "
        "together, their functions and the four key questions' answers for each.",
        top,
        defs,
    )


# --- rule packs -------------------------------------------------------------------------------


def pack_schema() -> Schema:
    """The schema of a rule pack's ``pack.yaml``."""
    top = _closed(
        {
            "name": _text("the pack's name"),
            "version": _text("its version, e.g. 1.0.0"),
            "description": _text("what it is for"),
            "extends": _closed(
                {
                    "name": _text("the name of the pack it extends"),
                    "version": _text("the versions it works with, e.g. '>=1.0,<2'"),
                    "path": _text("its folder, relative to this one (default: the shipped pack)"),
                },
                allowed=rules_loader._EXTENDS_KEYS,
                required=("name", "version"),
                description="the pack this one extends",
            ),
            "overrides": _nullable(
                {
                    "type": "array",
                    "items": _closed(
                        {
                            "rule": _text("the id of the rule replaced, removed or reworded"),
                            "reason": _text("why"),
                            "because": _text(
                                "the inherited rule's reason in this pack's words (the rule is "
                                "then reworded: its condition and conclusion stay)"
                            ),
                        },
                        allowed=rules_loader._OVERRIDE_KEYS,
                        required=rules_loader._REQUIRED_OVERRIDE_KEYS,
                    ),
                    "description": "rules of the extended pack this one replaces or removes",
                }
            ),
            "vocabulary": _nullable(
                _closed(
                    {k: _text(v) for k, v in VOCABULARY.items()},
                    allowed=VOCABULARY,
                    description="the words the pack's readers use",
                )
            ),
        },
        allowed=rules_loader._PACK_KEYS,
        required=("name", "version"),
    )
    return _root(
        "pack",
        "taxonomy rule pack (pack.yaml)",
        "A rule pack's pack.yaml: the other YAML files in its folder hold the rules and facts.",
        top,
        _common_defs(),
    )


def _condition_defs() -> Schema:
    condition = {
        "description": "all / any / not, or fact / op / value",
        "anyOf": [
            _closed(
                {"all": {"type": "array", "items": {"$ref": "#/$defs/condition"}}},
                allowed=("all",),
                required=("all",),
            ),
            _closed(
                {
                    "any": {
                        "type": "array",
                        "items": {"$ref": "#/$defs/condition"},
                        "minItems": 1,
                    }
                },
                allowed=("any",),
                required=("any",),
            ),
            _closed({"not": {"$ref": "#/$defs/condition"}}, allowed=("not",), required=("not",)),
            {"$ref": "#/$defs/comparison"},
        ],
    }
    comparison = _closed(
        {
            "fact": _text("a declared fact, or finding.NAME"),
            "op": _enum(OPERATORS),
            "value": {"description": "what the fact is compared with"},
        },
        allowed=rules_loader._COMPARISON_KEYS,
        required=("fact", "op"),
    )
    comparison["if"] = {"properties": {"op": {"const": "present"}}}
    comparison["then"] = {"not": {"required": ["value"]}}
    comparison["else"] = {"required": ["value"]}
    return {"condition": condition, "comparison": comparison}


def _rule() -> Schema:
    arrangement = _enum(Arrangement.names())
    then = _closed(
        {
            "finding": {
                "type": "string",
                "pattern": rules_loader._FINDING.pattern,
                "description": "the finding this rule sets",
            },
            "value": {
                "description": "the finding's value: a level, true/false or {fact: NAME}",
                "anyOf": [
                    {"$ref": "#/$defs/level"},
                    {"type": "boolean"},
                    _closed({"fact": {"type": "string"}}, allowed=("fact",), required=("fact",)),
                ],
            },
            "cap": _described(arrangement, "the most integrated arrangement allowed"),
            "lead": _text("a declared body fact, or joint"),
            "decide": _described(arrangement, "the arrangement decided"),
        },
        allowed=rules_loader._THEN_KEYS,
    )
    then["minProperties"] = 1
    then["dependentRequired"] = {"finding": ["value"], "value": ["finding"]}
    return _closed(
        {
            "id": {"type": "string", "pattern": rules_loader._RULE_ID.pattern},
            "question": _enum(QUESTIONS, "the key question it answers, or decision"),
            "when": {"$ref": "#/$defs/condition"},
            "then": then,
            "because": _text("the reason, in words; {fact} is filled in"),
            "principles": {
                "type": "array",
                "items": _enum(PRINCIPLES),
                "minItems": 1,
                "description": "the Annex B design principles it serves",
            },
            "source": _text("where in the papers it comes from"),
            "priority": {"type": "integer", "description": "higher fires first (default 0)"},
        },
        allowed=rules_loader._RULE_KEYS,
        required=rules_loader._REQUIRED_RULE_KEYS,
    )


def _fact() -> Schema:
    fact = _closed(
        {
            "name": {
                "type": "string",
                "pattern": facts_loader._NAME.pattern,
                "description": "dotted, e.g. legal.democratic_control",
            },
            "type": _enum(TYPES),
            "choices": {
                "type": "array",
                "items": {"type": "string", "pattern": facts_loader._ANSWER_KEY.pattern},
                "minItems": 1,
                "uniqueItems": True,
            },
            "from": _text("the model attribute it is read from, e.g. function.level"),
            "derive": {
                "type": "object",
                "propertyNames": _enum(DERIVATIONS),
                "minProperties": 1,
                "maxProperties": 1,
                "description": ", ".join(DERIVATIONS),
            },
            "default": {"description": "the answer when a portfolio is silent"},
            "optional": {"const": False},
            "meaning": _text("what it means, in a sentence"),
            "source": _nullable(_text("where it comes from")),
            "known": {
                "const": "required",
                "description": "a portfolio may not answer it unknown or with a range",
            },
        },
        allowed=facts_loader._FACT_KEYS,
        required=("name", "type", "meaning"),
        description=(
            "a fact the pack's rules read; portfolios answer it under "
            f"{', '.join(ANSWER_QUESTIONS)} unless it has 'from' or 'derive'"
        ),
    )
    fact["not"] = {"required": ["from", "derive"]}
    fact["dependentSchemas"] = {"known": {"not": {"required": ["derive"]}}}
    fact["if"] = {"properties": {"type": {"const": "choice"}}}
    fact["then"] = {"required": ["choices"]}
    fact["else"] = {"not": {"required": ["choices"]}}
    return fact


def rules_schema() -> Schema:
    """The schema of a rule pack's rule file (``rules:`` and ``facts:``)."""
    top = _closed(
        {
            "rules": {"type": "array", "items": {"$ref": "#/$defs/rule"}},
            "facts": {"type": "array", "items": {"$ref": "#/$defs/fact"}},
        },
        allowed=("rules", "facts"),
    )
    top["minProperties"] = 1
    return _root(
        "rules",
        "taxonomy rule file",
        "A file of a rule pack beside pack.yaml: its rules and the facts they read.",
        top,
        {**_common_defs(), **_condition_defs(), "rule": _rule(), "fact": _fact()},
    )


# --- scenarios and sweeps ---------------------------------------------------------------------


def _field_values(tiers: tuple[str, ...]) -> list[Schema]:
    """``if field is X then value is ...``, for each field a change may set (``FIELDS``)."""
    strings = {"type": "array", "items": {"type": "string"}}
    kinds: dict[str, Schema] = {
        "level": {"$ref": "#/$defs/open_level"},  # a what-if may leave an answer open
        "tier": _enum(tiers),
        "true/false": {"type": "boolean"},
        "body or null": {"type": ["string", "null"]},
        "bodies": strings,
        "body, bodies or null": {"anyOf": [{"type": ["string", "null"]}, strings]},
        "limits": {"type": "array", "items": _enum(DELEGATION_LIMITS)},
        "text": {"type": "string"},
    }
    found = []
    for field, kind in FIELDS.items():
        if "<" in field:
            continue
        found.append({"field": {"const": field}, "value": kinds[kind]})
    found.append({"field": {"pattern": r"^capability\.[^.]+$"}, "value": kinds["level"]})
    return found


def _field() -> Schema:
    known = [f for f in FIELDS if "<" not in f]
    declared = "|".join(q for q in ANSWER_QUESTIONS if q != "capability")
    return {
        "description": "the answer changed: "
        + ", ".join(FIELDS)
        + ", or a question the rule pack declares",
        "anyOf": [
            _enum(known),
            {"type": "string", "pattern": r"^capability\.[^.]+$"},
            {"type": "string", "pattern": rf"^({declared})\.[A-Za-z_][A-Za-z0-9_]*$"},
        ],
    }


def _valued(schema: Schema, key: str, tiers: tuple[str, ...]) -> Schema:
    """``schema`` with its ``key`` checked against the field it sets."""

    def each(value: Schema) -> Schema:
        return value if key == "value" else {"type": "array", "items": value, "minItems": 1}

    schema["allOf"] = [
        {
            "if": {"properties": {"field": case["field"]}, "required": ["field"]},
            "then": {"properties": {key: each(case["value"])}},
        }
        for case in _field_values(tiers)
    ]
    return schema


def scenario_schema(pack: RulePack) -> Schema:
    """The schema of a what-if scenario."""
    tiers = pack.tiers() or ()
    ids = {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
    one_of_governance = {"minProperties": 1, "maxProperties": 1}
    set_change = _closed(
        {
            "function": _text("the one function changed"),
            "functions": {"const": "*", "description": "every function"},
            "where": {"$ref": "#/$defs/condition"},
            "field": _field(),
            "value": {"description": "the new answer"},
        },
        allowed=("function", "functions", "where", "field", "value"),
        required=("field", "value"),
    )
    set_change["oneOf"] = [{"required": [k]} for k in ("function", "functions", "where")]
    set_change = _valued(set_change, "value", tiers)
    changes: dict[str, Schema] = {
        "merge": _closed(
            {
                "into": _text("the body the others merge into"),
                "from": _described(ids, "the bodies merged into it"),
                "name": _text("the merged body's new name"),
            },
            allowed=("into", "from", "name"),
            required=("into", "from"),
        ),
        "set": set_change,
        "law": _closed(
            {"joint_committees": {"type": "boolean"}},
            allowed=("joint_committees",),
            required=("joint_committees",),
        ),
        "rules": {
            **_closed(
                {
                    "disable": _nullable({"type": "array", "items": {"type": "string"}}),
                    "replace": _nullable({"type": "array", "items": {"$ref": "#/$defs/rule"}}),
                    "pack": _text("a rule pack folder to use instead"),
                },
                allowed=("disable", "replace", "pack"),
            ),
            "minProperties": 1,
        },
        "add": {
            **_closed(
                {
                    "joint_body": {"$ref": "#/$defs/joint_body"},
                    "role": {"$ref": "#/$defs/role"},
                },
                allowed=GOVERNANCE_KINDS,
            ),
            **one_of_governance,
        },
        "remove": {
            **_closed({k: {"type": "string"} for k in GOVERNANCE_KINDS}, allowed=GOVERNANCE_KINDS),
            **one_of_governance,
        },
        "delegate": _closed(
            {"functions": ids, "to": {"type": "string"}},
            allowed=("functions", "to"),
            required=("functions", "to"),
        ),
        "undelegate": _closed(
            {"functions": ids, "from": {"type": "string"}},
            allowed=("functions", "from"),
            required=("functions", "from"),
        ),
    }
    kinds: tuple[str, ...] = scenario_loader._CHANGE_KINDS
    change = {
        "description": "one change: a mapping with one key, " + ", ".join(kinds),
        "type": "object",
        "minProperties": 1,
        "maxProperties": 1,
        "properties": {k: changes[k] for k in kinds},
        "additionalProperties": False,
    }
    top = _closed(
        {
            "name": _text("the scenario's name"),
            # Left empty or out, a scenario has no description; given, it is text.
            "description": {"anyOf": [_text(), {"type": "null"}, {"const": ""}]},
            "changes": {"type": "array", "items": change},
        },
        allowed=scenario_loader._TOP_KEYS,
        required=("name", "changes"),
    )
    portfolio = portfolio_schema(pack)["$defs"]
    defs = {
        **_common_defs(),
        **_condition_defs(),
        "rule": _rule(),
        "joint_body": portfolio["joint_body"],
        "role": portfolio["role"],
    }
    return _root(
        "scenario",
        "taxonomy what-if scenario",
        "A scenario: the changes it makes to a portfolio (and its rule pack), in order.",
        top,
        defs,
    )


def sweep_schema(pack: RulePack) -> Schema:
    """The schema of a sweep: a grid of axes, each a field and its values."""
    tiers = pack.tiers() or ()
    law_axis = _closed(
        {
            "law": {"const": "joint_committees"},
            "values": {"type": "array", "items": {"type": "boolean"}, "minItems": 1},
        },
        allowed=("law", "values"),
        required=("law", "values"),
    )
    setting_axis = _closed(
        {
            "function": _text("the one function changed"),
            "functions": {"const": "*"},
            "where": {"$ref": "#/$defs/condition"},
            "field": _field(),
            "values": {"type": "array", "minItems": 1, "description": "the values tried"},
        },
        allowed=("function", "functions", "where", "field", "values"),
        required=("field", "values"),
    )
    setting_axis = _valued(setting_axis, "values", tiers)
    top = _closed(
        {
            "name": _text("the sweep's name"),
            "description": {"description": "what it is for"},
            "grid": {
                "type": "array",
                "items": {"anyOf": [law_axis, setting_axis]},
                "description": "the axes: every combination of their values is a scenario",
            },
            "sample": _nullable(
                _closed(
                    {
                        "size": {"type": "integer", "minimum": 1, "maximum": MAX_SCENARIOS},
                        "seed": {"type": "integer"},
                    },
                    allowed=("size", "seed"),
                    required=("size",),
                    description="a random sample of the grid",
                )
            ),
        },
        allowed=("name", "description", "grid", "sample"),
        required=("name", "grid"),
    )
    return _root(
        "sweep",
        "taxonomy sweep",
        "A sweep: a grid of answer changes, every combination evaluated.",
        top,
        {**_common_defs(), **_condition_defs()},
    )


def expectations_schema() -> Schema:
    """The schema of an expectation file (what each function of a portfolio should get)."""
    arrangements = (*Arrangement.names(), "one_body")
    keys: tuple[str, ...] = (*expectations_loader._CASE, *expectations_loader._RECORD)
    case = _closed(
        {
            "function": _text("the function's id"),
            "arrangement": _enum(arrangements),
            "lead": {"type": ["string", "null"], "description": "the lead body (null: none)"},
            "decided_by": {"type": "string", "description": "the rule that decided"},
            "capped_by": {"type": "array", "items": {"type": "string"}},
            "lead_by": {"type": ["string", "null"]},
            "paper": _enum(arrangements, "what a source document gives (recorded, not compared)"),
        },
        allowed=keys,
        required=("function",),
    )
    top = _closed(
        {
            "portfolio": _text("the portfolio file, relative to this one"),
            "rules": _nullable(_text("a rule pack folder, relative to this file")),
            "scenario": _nullable(_text("a scenario applied first, relative to this file")),
            "cases": {"type": "array", "items": case},
        },
        allowed=expectations_loader._TOP,
        required=("portfolio", "cases"),
    )
    return _root(
        "expectations",
        "taxonomy expectation file",
        "What each listed function of a portfolio should get (taxonomy.testing).",
        top,
        _common_defs(),
    )
