"""JSON Schemas of the files a policy team writes, built from the loaders' own declarations.

The keys each loader allows and requires, the levels, arrangements, principles, operators, fact
types and the questions a rule pack declares are read from the modules that load the files, so
the schemas cannot drift from what the loaders accept. What JSON Schema cannot say (an id used
twice, a body a function names that the portfolio does not list, a provision that contradicts
another) is left to the loaders, which report it with the file, line, item and key.
"""

from __future__ import annotations

from taxonomy._model import Arrangement
from taxonomy.language import facts as facts_loader
from taxonomy.language import rules as rules_loader
from taxonomy.language.facts import ANSWER_QUESTIONS, DERIVATIONS, OPERATORS, TYPES
from taxonomy.language.rules import PRINCIPLES, QUESTIONS, VOCABULARY
from taxonomy.schemas._parts import Schema
from taxonomy.schemas._parts import closed as _closed
from taxonomy.schemas._parts import common_defs as _common_defs
from taxonomy.schemas._parts import described as _described
from taxonomy.schemas._parts import enum as _enum
from taxonomy.schemas._parts import nullable as _nullable
from taxonomy.schemas._parts import root as _root
from taxonomy.schemas._parts import text as _text
from taxonomy.schemas._portfolio import portfolio_schema as portfolio_schema

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
