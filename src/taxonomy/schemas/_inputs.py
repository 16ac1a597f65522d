"""JSON Schemas of the files a policy team writes, built from the loaders' own declarations.

The keys each loader allows and requires, the levels, arrangements, principles, operators, fact
types and the questions a rule pack declares are read from the modules that load the files, so
the schemas cannot drift from what the loaders accept. What JSON Schema cannot say (an id used
twice, a body a function names that the portfolio does not list, a provision that contradicts
another) is left to the loaders, which report it with the file, line, item and key.
"""

from __future__ import annotations

from taxonomy._model import DELEGATION_LIMITS, Arrangement
from taxonomy.language import facts as facts_loader
from taxonomy.language import rules as rules_loader
from taxonomy.language.facts import ANSWER_QUESTIONS, DERIVATIONS, OPERATORS, TYPES
from taxonomy.language.rules import PRINCIPLES, QUESTIONS, VOCABULARY, RulePack
from taxonomy.schemas._parts import Schema
from taxonomy.schemas._parts import closed as _closed
from taxonomy.schemas._parts import common_defs as _common_defs
from taxonomy.schemas._parts import described as _described
from taxonomy.schemas._parts import enum as _enum
from taxonomy.schemas._parts import nullable as _nullable
from taxonomy.schemas._parts import root as _root
from taxonomy.schemas._parts import text as _text
from taxonomy.schemas._portfolio import portfolio_schema as portfolio_schema
from taxonomy.testing import expectations as expectations_loader
from taxonomy.whatif import scenarios as scenario_loader
from taxonomy.whatif.scenarios import FIELDS, GOVERNANCE_KINDS
from taxonomy.whatif.sweep import MAX_SCENARIOS

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
