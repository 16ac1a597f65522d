"""JSON Schemas of the JSON the command line writes.

Each lists the keys its output version promises and their types. Output objects are open
(``additionalProperties`` is not false): a later release may add a key without raising the
version, and a consumer ignores keys it does not know. Dropping or changing a key raises it.

A recommendation, its explanation, a rule pack's identity and a classification declare their
keys once, beside their classes (``RECOMMENDATION_JSON``, ...: see
:mod:`taxonomy._output_shape`); their schemas here, like their ``to_dict``, are derived from
those declarations. The what-if comparison, why-not and the rule pack's check, coverage and
mutation reports declare theirs likewise, and their schemas are built beside them (the layers
above this one hold them) with :func:`stamped_root`; :mod:`taxonomy.schemas` gathers them. The
structure check's (:mod:`taxonomy.structure.findings`) and the ``rules list`` JSON's
(:mod:`taxonomy.language.listing`) come from their shapes here; the graph's and the error's keys
are written out below.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from taxonomy._explanation import PACK_IDENTITY_JSON
from taxonomy._model import Arrangement
from taxonomy._output_shape import STRING, STRINGS, Schema
from taxonomy._results import CLASSIFICATION_JSON, RECOMMENDATION_JSON
from taxonomy.language.listing import PACK_LISTING_JSON
from taxonomy.language.rules import PRINCIPLES, QUESTIONS
from taxonomy.schemas._ids import OUTPUTS, STAMP_KEY, VERSION, schema_id
from taxonomy.structure.findings import METRICS_JSON, STRUCTURE_REPORT_JSON

_INT: Schema = {"type": "integer", "minimum": 0}
_SHARE: Schema = {"type": "number", "minimum": 0, "maximum": 1}


def _object(properties: Mapping[str, Schema], required: Iterable[str] | None = None) -> Schema:
    """An object with ``properties``, all required unless ``required`` says otherwise."""
    return {
        "type": "object",
        "properties": dict(properties),
        "required": list(properties if required is None else required),
    }


def _arrangement(nullable: bool = False) -> Schema:
    names: list[str | None] = list(Arrangement.names())
    if nullable:
        names.append(None)
    return {"enum": names}


def _root(kind: str, title: str, body: Schema, defs: Schema | None = None) -> Schema:
    schema: Schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_id(kind),
        "title": title,
        "description": f"The JSON `taxonomy {OUTPUTS[kind]}` writes.",
        "x-taxonomy-schema-version": VERSION,
        **body,
    }
    if defs:
        schema["$defs"] = defs
    return schema


def _stamped(body: Schema, kind: str) -> Schema:
    """``body`` with the required ``schema`` key naming ``kind``'s schema."""
    stamp = {"const": schema_id(kind), "description": "the id of this output's schema"}
    return {
        **body,
        "properties": {STAMP_KEY: stamp, **body["properties"]},
        "required": [STAMP_KEY, *body["required"]],
    }


def _named() -> dict[str, Schema]:
    """The schemas the results' keys name (:class:`~taxonomy._output_shape.Named`).

    They are the values the rule language defines, which the model does not import.
    """
    return {
        "question": {"enum": list(QUESTIONS)},
        "principles": {"type": "array", "items": {"enum": list(PRINCIPLES)}},
    }


def _pack_identity() -> Schema:
    return PACK_IDENTITY_JSON.schema(_named())


def _recommendation_defs() -> Schema:
    """The results' shapes a classification refers to (``$ref``), from their declarations."""
    return {"rule_pack": _pack_identity(), "recommendation": RECOMMENDATION_JSON.schema(_named())}


def _day() -> Mapping[str, Schema]:
    """``as_of`` and ``provisions``, as a classification declares them."""
    properties = _classification_body()["properties"]
    return {name: properties[name] for name in ("as_of", "provisions")}


def _classification_body() -> Schema:
    return CLASSIFICATION_JSON.schema(_named())


def _metrics() -> Schema:
    return METRICS_JSON.schema({})


def output_schema(kind: str) -> Schema:
    """The schema of the JSON output ``kind`` (one of :data:`~taxonomy.schemas.OUTPUTS`)."""
    builder = _BUILDERS.get(kind)
    if builder is None:
        raise ValueError(f"'{kind}' is not an output; allowed: {', '.join(OUTPUTS)}")
    return builder()


def _classification() -> Schema:
    body = _stamped(_classification_body(), "classification")
    return _root("classification", "taxonomy classification", body, _recommendation_defs())


def _classification_jsonl() -> Schema:
    header = _stamped(
        _object({"portfolio": STRING, **_day(), "rule_pack": {"$ref": "#/$defs/rule_pack"}}),
        "classification-jsonl",
    )
    # On a day one body is left, the one line is the JSON output itself, naming its schema.
    single = _stamped(_classification_body(), "classification")
    body = {
        "description": "One line: the first is the header (the portfolio, the day, the rule "
        "pack, and this schema's id), each other one recommendation. On a day one body is left, "
        "the one line is the classification with single_body.",
        "anyOf": [
            {"$ref": "#/$defs/header"},
            {"$ref": "#/$defs/recommendation"},
            {"$ref": "#/$defs/single_body"},
        ],
    }
    defs = {**_recommendation_defs(), "header": header, "single_body": single}
    return _root("classification-jsonl", "taxonomy classification, JSON lines", body, defs)


def _explain() -> Schema:
    robustness = _object({"function": STRING, "steps": _INT, "flips": STRINGS, "share": _SHARE})
    body = {
        "allOf": [{"$ref": "#/$defs/recommendation"}],
        **_stamped(
            _object(
                {
                    "robustness": {
                        "anyOf": [robustness, {"type": "null"}],
                        "description": "null where the recommendation is open",
                    }
                }
            ),
            "explain",
        ),
    }
    return _root("explain", "taxonomy explanation", body, _recommendation_defs())


def _check() -> Schema:
    body = _stamped(STRUCTURE_REPORT_JSON.schema({}), "check")
    return _root("check", "taxonomy structure check", body, {"metrics": _metrics()})


def _graph() -> Schema:
    node = _object({"id": STRING, "kind": STRING}, required=("id",))
    link = _object(
        {"source": STRING, "target": STRING, "kind": STRING}, required=("source", "target")
    )
    body = _object(
        {
            "directed": {"type": "boolean"},
            "multigraph": {"type": "boolean"},
            "graph": {"type": "object"},
            "nodes": {"type": "array", "items": node},
            "links": {"type": "array", "items": link},
        }
    )
    return _root("graph", "taxonomy accountability graph (node-link)", _stamped(body, "graph"))


def _rules_list() -> Schema:
    body = _stamped(PACK_LISTING_JSON.schema({}), "rules-list")
    return _root("rules-list", "taxonomy rule pack listing", body)


def _error() -> Schema:
    nullable = {"type": ["string", "null"]}
    problem = _object(
        {
            "kind": STRING,
            "file": nullable,
            "sheet": nullable,
            "line": {"type": ["integer", "null"], "minimum": 1},
            "column": nullable,
            "item": nullable,
            "key": nullable,
            "problem": STRING,
            "allowed": {"type": ["array", "null"], "items": STRING},
            "suggestion": nullable,
            "message": STRING,
        },
        required=("kind", "problem", "message"),
    )
    error = _object(
        {
            "kind": {**STRING, "description": "portfolio, rule pack, scenario, usage, engine…"},
            "message": {**STRING, "description": "the message the text form prints"},
            "exit_code": {"enum": [1, 2]},
            "problems": {
                "type": "array",
                "items": problem,
                "description": "each problem found (every one, up to the cap)",
            },
            "total": {**_INT, "description": "how many problems were found in all"},
        }
    )
    body = _object({"error": error})
    return _root("error", "taxonomy error", _stamped(body, "error"))


_BUILDERS = {
    "classification": _classification,
    "classification-jsonl": _classification_jsonl,
    "explain": _explain,
    "check": _check,
    "graph": _graph,
    "rules-list": _rules_list,
    "error": _error,
}


def stamped_root(kind: str, title: str, body: Schema, defs: Schema | None = None) -> Schema:
    """The schema of output ``kind``: ``body`` stamped with its id, under the root's keys.

    For the builders beside the results they describe (the what-if comparison, why-not).
    """
    return _root(kind, title, _stamped(body, kind), defs)


def named_schemas() -> dict[str, Schema]:
    """The schemas the results' keys name, by name (see :class:`~taxonomy._output_shape.Named`)."""
    return _named()


def pack_identity_schema() -> Schema:
    """A rule pack's identity, as a result writes it (its ``rule_pack``)."""
    return _pack_identity()


def metrics_schema() -> Schema:
    """A structure's metrics, as the what-if and check outputs write them."""
    return _metrics()
