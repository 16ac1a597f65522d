"""The answers a scenario's ``set`` change (and a sweep's axis) may set, and how each is set.

:data:`FIELDS` lists the model's own answers; a rule pack may declare more questions
(``legal.democratic_control``), which are checked against its facts. :func:`check_field` judges
a value, :func:`normalise_value` folds its case, :func:`set_answer` sets it on the functions a
:class:`Selector` picks, and :func:`field_schema` and :func:`valued` say the same in JSON Schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from taxonomy._model import (
    DELEGATION_LIMITS,
    BodyAnswers,
    Capability,
    Effectiveness,
    Function,
    Level,
    OneOf,
    Portfolio,
)
from taxonomy.by_body import answer_by_body
from taxonomy.errors import RulePackError, ScenarioError, did_you_mean
from taxonomy.input.legal import post_problems
from taxonomy.input.per_body import order_of, per_body_problem, split_per_body
from taxonomy.input.reader import Fields, Reader
from taxonomy.language.facts import (
    ANSWER_QUESTIONS,
    OPEN_TYPES,
    Facts,
    FactType,
    is_open_answer,
    parse_answer,
    parse_open,
)
from taxonomy.language.rules import (
    Condition,
    check_condition,
    fold_choice,
    fold_condition,
    load_rules,
    read_condition,
)
from taxonomy.language.semantics import holds
from taxonomy.law import known_body
from taxonomy.whatif.kinds import Where

__all__ = [
    "FIELDS",
    "Selector",
    "check_field",
    "field_schema",
    "normalise_value",
    "read_where",
    "set_answer",
    "valued",
]

#: The answers a ``set`` change may change, and the kind of value each takes.
FIELDS = {
    "level": "tier",
    "performed_by": "bodies",
    "efficiency.duplication": "level",
    "efficiency.simplification": "level",
    "effectiveness.joint_benefit": "level",
    "legal.statutory_owner": "body, bodies or null",
    "legal.held_by_each": "bodies",
    "legal.delegable_to": "bodies",
    "legal.board_reserved": "true/false",
    "legal.not_delegable_to": "limits",
    "legal.independence_from": "bodies",
    "legal.separate_reason": "text",
    "legal.with_agreement_of": "bodies",
    "legal.agreement_basis": "text",
    "legal.employed_by_parent": "true/false",
    "legal.decided_by": "posts",
    "involves": "bodies",
    "agreed_lead": "body or null",
    "capability.<body>": "level",
    "notes": "text",
}


#: The legal answers that list bodies (each checked to be one of the portfolio's).
_BODY_LISTS = (
    "statutory_owner",
    "held_by_each",
    "delegable_to",
    "independence_from",
    "with_agreement_of",
)


@attrs.frozen
class Selector:
    """Which functions a ``set`` change applies to: one id, every function, or a filter."""

    function: str | None = None
    all: bool = False
    where: Condition | None = None

    def select(self, portfolio: Portfolio, at: Where, facts: Facts | None = None) -> list[Function]:
        """The selected functions (ScenarioError for an unknown id).

        ``facts`` are the declarations a ``where`` filter reads (None: the default pack's).
        """
        if self.all:
            return list(portfolio.functions)
        if self.function is not None:
            ids = [f.id for f in portfolio.functions]
            if self.function not in ids:
                raise at.error(
                    f"no function '{self.function}' in the portfolio",
                    key="function",
                    suggestion=did_you_mean(self.function, ids),
                )
            return [portfolio.function(self.function)]
        assert self.where is not None
        facts = facts if facts is not None else load_rules().facts
        return [f for f in portfolio.functions if holds(self.where, facts.values(f, portfolio))]

    def describe(self) -> str:
        """The selector in words."""
        if self.all:
            return "every function"
        if self.function is not None:
            return f"function {self.function}"
        return "functions matching a filter"


def check_field(field: str, value: Any, at: Where, facts: Facts | None = None) -> None:
    """Check that ``value`` suits the answer ``field``, or raise at ``at``.

    A field is one of :data:`FIELDS` (the model's answers), or a question a rule pack declares
    (``legal.democratic_control``), checked against ``facts``. Without ``facts`` (a scenario
    read before the pack it will run under is known), a field named like a declared question
    is checked when the scenario is applied.

    An answer may be set open (``unknown``, ``low..high``, a list), as a portfolio writes it,
    where the portfolio could leave it open: the function is then classified over every value
    (:mod:`taxonomy.partial`).
    """
    written = split_per_body(value) if isinstance(value, str) else value
    if isinstance(written, Mapping) and _open_kind(field, facts) is not None:
        _per_body_answers(field, written, at, facts)  # which bodies: checked when applied
        return
    if is_open_answer(value) and _open_kind(field, facts) is not None:
        _check_open(field, value, at, facts)
        return
    if facts is not None and field in facts and facts.get(field).answered:
        problem, _ = parse_answer(facts.type(field), value, bodies=None)
        if problem is not None:
            raise at.error(f"{problem} (for {field})", key=at.value_key)
        return
    kind = FIELDS.get(field)
    question, _, key = field.partition(".")
    if question == "capability" and key and "." not in key:
        kind = "level"
    if kind is None:
        if facts is None and _maybe_declared(field):
            return
        declared = [f.name for f in facts.answered()] if facts is not None else []
        raise at.error(
            f"unknown field '{field}'",
            key="field",
            allowed=[*FIELDS, *declared],
            suggestion=did_you_mean(field, [*FIELDS, *declared]),
        )
    ok = _suits(kind, value)
    if not ok:
        allowed = {"level": Level.names(), "tier": _tiers(), "limits": DELEGATION_LIMITS}.get(
            kind, (kind,)
        )
        raise at.error(
            f"{value!r} is not a valid value for {field} ({kind})",
            key=at.value_key,
            allowed=allowed,
            suggestion=did_you_mean(str(value), allowed),
        )


def _suits(kind: str, value: Any) -> bool:
    """Whether ``value`` is a value of ``kind`` (one of :data:`FIELDS`' kinds)."""
    names = isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)
    return {
        "level": isinstance(value, str) and value in Level.names(),
        "tier": value in _tiers(),
        "true/false": isinstance(value, bool),
        "body or null": value is None or isinstance(value, str),
        "bodies": names,
        "posts": names,
        "body, bodies or null": value is None or isinstance(value, str) or names,
        "limits": isinstance(value, list | tuple) and all(v in DELEGATION_LIMITS for v in value),
        "text": isinstance(value, str),
    }[kind]


def _check_open(field: str, value: Any, at: Where, facts: Facts | None) -> None:
    """Check an open value (``unknown``, ``low..high``, a list) for a field that may be open."""
    kind = _open_kind(field, facts)
    assert kind is not None
    choices = facts.type(field).choices if kind == "choice" and facts else ()
    problem, _, allowed = parse_open(kind, value, choices)
    if problem is not None:
        raise at.error(f"{problem} (for {field})", key=at.value_key, allowed=allowed or None)
    required = _known_required(field, facts)
    if required is not None:
        raise at.error(
            f"{value!r} leaves {field} open, but rule pack '{required}' requires it "
            "known (known: required)",
            key=at.value_key,
        )


def _open_kind(field: str, facts: Facts | None) -> str | None:
    """The type of an answer ``field`` a scenario may set open, or None (it may not)."""
    if facts is not None and field in facts and facts.get(field).answered:
        kind = facts.type(field).name
        return kind if kind in OPEN_TYPES else None
    question, _, key = field.partition(".")
    if FIELDS.get(field) == "level" or (question == "capability" and key and "." not in key):
        return "level"
    return None


def _known_required(field: str, facts: Facts | None) -> str | None:
    """The pack requiring ``field`` known (a fact declared ``known: required``), if any."""
    if facts is None:
        return None
    path = "function.capability" if field.startswith("capability.") else f"function.{field}"
    for fact in facts:
        if fact.known_required and ((fact.name == field and fact.answered) or fact.path == path):
            return fact.pack or "the pack"
    return None


def normalise_value(field: str, value: Any, facts: Facts | None = None) -> Any:
    """``value`` for ``field`` with a level or choice written in another case as it is named.

    ``High`` for a level field is ``high``; a tier or a declared choice likewise, where exactly
    one choice matches. Anything else is returned unchanged, for :func:`check_field` to judge.

    >>> normalise_value("efficiency.duplication", "High"), normalise_value("notes", "High")
    ('high', 'High')
    """
    if isinstance(value, Mapping) or split_per_body(value) is not None:
        return value  # each body's own answer: each read as its own (see check_field)
    choices: tuple[str, ...] = ()
    if facts is not None and field in facts and facts.get(field).answered:
        ftype = facts.type(field)
        choices = Level.names() if ftype.name == "level" else ftype.choices
    else:
        kind = FIELDS.get(field)
        question, _, key = field.partition(".")
        if question == "capability" and key and "." not in key:
            kind = "level"
        choices = {"level": Level.names(), "tier": _tiers(), "limits": DELEGATION_LIMITS}.get(
            kind or "", ()
        )
    if not choices or (isinstance(value, str) and is_open_answer(value)):
        return value  # an open answer (unknown, low..high) is read by parse_open
    if isinstance(value, list | tuple):
        return [fold_choice(v, choices) for v in value]
    return fold_choice(value, choices)


def set_answer(
    portfolio: Portfolio, selector: Selector, field: str, value: Any, at: Where, facts: Facts
) -> Portfolio:
    """``portfolio`` with ``field`` set to ``value`` on the functions ``selector`` picks.

    ``facts`` are the declarations of the pack the scenario runs under.

    Raises:
        ScenarioError: located at ``at``: the value does not suit the field, an id is unknown,
            or the model refuses the result.
    """
    written = split_per_body(value) if isinstance(value, str) else value
    said: Mapping[Any, Any] = written if isinstance(written, Mapping) else {}
    per_body = isinstance(written, Mapping) and _open_kind(field, facts) is not None
    value = normalise_value(field, value, facts)
    check_field(field, value, at, facts)
    selected = {f.id for f in selector.select(portfolio, at, facts)}
    updated = []
    for fn in portfolio.functions:
        if fn.id not in selected:
            updated.append(fn)
            continue
        try:
            if per_body:
                updated.append(_set_by_body(fn, field, said, at, facts))
                continue
            if any(s.key == field for s in fn.by_body):  # a known answer replaces theirs
                fn = attrs.evolve(fn, by_body=tuple(s for s in fn.by_body if s.key != field))
            updated.append(_set_one(portfolio, fn, field, value, at, facts))
        except ScenarioError:
            raise
        except (ValueError, TypeError) as exc:  # the model refused the result
            raise at.error(f"leaves function '{fn.id}' invalid: {exc}", key=at.value_key) from None
    try:
        return attrs.evolve(portfolio, functions=tuple(updated))
    except (ValueError, TypeError) as exc:
        raise at.error(f"leaves an invalid portfolio: {exc}") from None


def _per_body_answers(
    field: str, said: Mapping[Any, Any], at: Where, facts: Facts | None
) -> dict[str, OneOf]:
    """Each body's answer in ``said`` read as its own open answer (or raise at ``at``)."""
    kind = _open_kind(field, facts)
    assert kind is not None
    choices = facts.type(field).choices if kind == "choice" and facts is not None else ()
    problem = per_body_problem(kind, _known_required(field, facts))
    if problem is None and not said:
        problem = "names no body"
    if problem is not None:
        raise at.error(f"{field} {problem}", key=at.value_key)
    answers: dict[str, OneOf] = {}
    for body, value in said.items():
        if isinstance(value, str) and kind == "level" and not is_open_answer(value):
            value = fold_choice(value, Level.names()) or value
        written = value if is_open_answer(value) else [value]
        problem, parsed, allowed = parse_open(kind, written, choices)
        if problem is not None or parsed is None:
            raise at.error(
                f"{body}'s answer: {problem} (for {field})",
                key=at.value_key,
                allowed=allowed or None,
                suggestion=did_you_mean(str(value), allowed) if allowed else None,
            )
        answers[str(body)] = parsed
    return answers


def _set_by_body(
    fn: Function, field: str, said: Mapping[Any, Any], at: Where, facts: Facts
) -> Function:
    """``fn`` with ``field`` answered by each body for itself, each a body that performs it."""
    answers = _per_body_answers(field, said, at, facts)
    for body in answers:
        if body not in fn.performed_by:
            raise at.error(
                f"'{body}' does not perform function '{fn.id}': each body's own answer is "
                "given by a body in performed_by",
                key=at.value_key,
                allowed=fn.performed_by,
                suggestion=did_you_mean(body, fn.performed_by),
            )
    kind = _open_kind(field, facts)
    assert kind is not None
    choices = facts.type(field).choices if kind == "choice" else ()
    ordered = sorted(answers.items(), key=lambda kv: fn.performed_by.index(kv[0]))
    order = order_of(kind, choices, answers.values())
    return answer_by_body(fn, BodyAnswers(field, ordered), order)


def _performed_by(
    portfolio: Portfolio, fn: Function, value: Any, at: Where, facts: Facts
) -> Function:
    """``fn`` carried out by the bodies ``value`` names: a new one answers capability none."""
    bodies = tuple(known_body(portfolio, b, at, "value") for b in value)
    levels = fn.capability.as_dict()
    for body in bodies:
        levels.setdefault(body, Level.NONE)
    fn = attrs.evolve(fn, performed_by=bodies, capability=Capability(levels))
    return _performers_answers(fn, at, facts)


def _performers_answers(fn: Function, at: Where, facts: Facts) -> Function:
    """``fn``'s own answers of the bodies that still perform it: a body dropped says nothing.

    Raises:
        ScenarioError: every body that answered a question for itself was dropped (set it too).
    """
    for said in fn.by_body:
        kept = [(body, answer) for body, answer in said.answers if body in fn.performed_by]
        if len(kept) == len(said.answers):
            continue
        if not kept:
            raise at.error(
                f"performed_by drops every body that answered {said.key} for itself "
                f"({', '.join(body for body, _ in said.answers)}): set {said.key} as well",
                key=at.value_key,
            )
        kind = _open_kind(said.key, facts)
        assert kind is not None
        choices = facts.type(said.key).choices if kind == "choice" else ()
        order = order_of(kind, choices, [answer for _, answer in kept])
        fn = answer_by_body(fn, BodyAnswers(said.key, kept), order)
    return fn


def _maybe_declared(field: str) -> bool:
    """Whether ``field`` may be a question some rule pack declares (checked when applied)."""
    question, _, key = field.partition(".")
    return question in ANSWER_QUESTIONS and question != "capability" and key.isidentifier()


def _set_one(
    portfolio: Portfolio, fn: Function, field: str, value: Any, at: Where, facts: Facts
) -> Function:
    """``fn`` with ``field`` set to ``value`` (already checked to suit the field).

    An open value (``unknown``, ``low..high``) leaves the answer open; a known value settles
    an answer that was open.
    """
    kind = _open_kind(field, facts) if is_open_answer(value) else None
    if kind is not None:
        choices = facts.type(field).choices if kind == "choice" else ()
        _, opened, _ = parse_open(kind, value, choices)
        assert opened is not None  # checked by check_field
        if field.startswith("capability."):
            known_body(portfolio, field.split(".", 1)[1], at, "field")
        unknowns = {**dict(fn.unknowns), field: opened}
        answers = {k: v for k, v in fn.answers if k != field}
        return attrs.evolve(fn, unknowns=unknowns, answers=answers)
    if fn.unknown(field) is not None:  # answered now: no longer open
        fn = attrs.evolve(fn, unknowns=tuple((k, v) for k, v in fn.unknowns if k != field))
    if field in facts and facts.get(field).answered:
        _, parsed = parse_answer(facts.type(field), value, bodies=portfolio.organisation_ids)
        if parsed is None:
            raise at.error(f"{value!r} names a body not in the portfolio", key=at.value_key)
        answers = {**dict(fn.answers), field: parsed}
        return attrs.evolve(fn, answers=answers)
    if field == "level":
        fn = attrs.evolve(fn, level=value)
    elif field == "notes":
        fn = attrs.evolve(fn, notes=value)
    elif field == "performed_by":
        fn = _performed_by(portfolio, fn, value, at, facts)
    elif field.startswith("efficiency."):
        fn = attrs.evolve(
            fn, efficiency=attrs.evolve(fn.efficiency, **{field.split(".")[1]: value})
        )
    elif field == "effectiveness.joint_benefit":
        fn = attrs.evolve(fn, effectiveness=Effectiveness(value))
    elif field == "agreed_lead":
        agreed = known_body(portfolio, value, at, "value") if value is not None else None
        fn = attrs.evolve(fn, agreed_lead=agreed)
    elif field == "involves":
        fn = attrs.evolve(fn, involves=tuple(known_body(portfolio, b, at, "value") for b in value))
    elif field.startswith("legal."):
        key = field.split(".")[1]
        if key == "statutory_owner":
            value = () if value is None else (value,) if isinstance(value, str) else value
        if key in _BODY_LISTS:
            value = tuple(known_body(portfolio, b, at, "value") for b in value)
        elif key == "not_delegable_to":
            value = tuple(dict.fromkeys(value))
        fn = attrs.evolve(fn, legal=attrs.evolve(fn.legal, **{key: value}))
        if key == "decided_by":
            _check_posts(portfolio, fn, at)
    else:  # capability.<body>
        body = known_body(portfolio, field.split(".", 1)[1], at, "field")
        levels = fn.capability.as_dict()
        levels[body] = Level.parse(value)
        fn = attrs.evolve(fn, capability=Capability(levels))
    return fn


def _check_posts(portfolio: Portfolio, fn: Function, at: Where) -> None:
    """Raise at ``at`` for the first post ``fn``'s ``legal.decided_by`` cannot name.

    The same judgement as a portfolio's (:func:`taxonomy.input.legal.post_problems`), by the
    delegations in force on the portfolio's day (never a planned one).
    """
    for problem, hints in post_problems(fn, portfolio.governance, day=portfolio.as_of):
        raise at.error(f"{problem} (for function '{fn.id}')", key=at.value_key, **hints)


def read_where(reader: Reader, body: Fields, at: Where, item: str) -> Condition:
    """A filter: a rule condition over answer facts (findings exist only inside a pack)."""
    rule_reader = Reader(reader.file, RulePackError)
    try:
        condition = read_condition(rule_reader, body["where"], at=body, key="where", item=item)
    except RulePackError as exc:
        raise at.error(
            exc.problem, key="where", allowed=exc.allowed, suggestion=exc.suggestion
        ) from None
    facts = load_rules().facts
    answers = facts.names()
    condition = fold_condition(condition, facts)

    def fact_type(fact: str) -> FactType:
        if fact.startswith("finding."):
            raise at.error("'where' reads answers, not findings", key="where")
        if fact not in facts:
            raise at.error(
                f"unknown fact '{fact}'",
                key="where",
                allowed=answers,
                suggestion=did_you_mean(fact, answers),
            )
        return facts.type(fact)

    check_condition(condition, fact_type, lambda problem, **f: at.error(problem, key="where", **f))
    return condition


def _tiers() -> tuple[str, ...]:
    """The tiers the default pack declares."""
    return load_rules().tiers() or ()


# --- in JSON Schema -----------------------------------------------------------------------------


def _choice(values: Any) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


def _field_values(tiers: tuple[str, ...]) -> list[dict[str, Any]]:
    """``if field is X then value is ...``, for each field a change may set (``FIELDS``)."""
    strings = {"type": "array", "items": {"type": "string"}}
    kinds: dict[str, dict[str, Any]] = {
        "level": {"$ref": "#/$defs/open_level"},  # a what-if may leave an answer open
        "tier": _choice(tiers),
        "true/false": {"type": "boolean"},
        "body or null": {"type": ["string", "null"]},
        "bodies": strings,
        "posts": strings,
        "body, bodies or null": {"anyOf": [{"type": ["string", "null"]}, strings]},
        "limits": {"type": "array", "items": _choice(DELEGATION_LIMITS)},
        "text": {"type": "string"},
    }
    found = []
    for field, kind in FIELDS.items():
        if "<" in field:
            continue
        found.append({"field": {"const": field}, "value": kinds[kind]})
    found.append({"field": {"pattern": r"^capability\.[^.]+$"}, "value": kinds["level"]})
    return found


def field_schema() -> dict[str, Any]:
    """The JSON Schema of a ``field``: one of :data:`FIELDS`, or a question a pack declares."""
    known = [f for f in FIELDS if "<" not in f]
    declared = "|".join(q for q in ANSWER_QUESTIONS if q != "capability")
    return {
        "description": "the answer changed: "
        + ", ".join(FIELDS)
        + ", or a question the rule pack declares",
        "anyOf": [
            _choice(known),
            {"type": "string", "pattern": r"^capability\.[^.]+$"},
            {"type": "string", "pattern": rf"^({declared})\.[A-Za-z_][A-Za-z0-9_]*$"},
        ],
    }


def valued(schema: dict[str, Any], key: str, tiers: tuple[str, ...]) -> dict[str, Any]:
    """``schema`` with its ``key`` (``value``, or an axis's ``values``) checked against its field.

    Args:
        schema: a mapping's schema with a ``field`` key.
        key: the key holding the value (``value``), or a list of values (``values``).
        tiers: the tiers the rule pack declares (what ``level`` takes).
    """

    def each(value: dict[str, Any]) -> dict[str, Any]:
        return value if key == "value" else {"type": "array", "items": value, "minItems": 1}

    schema["allOf"] = [
        {
            "if": {"properties": {"field": case["field"]}, "required": ["field"]},
            "then": {"properties": {key: each(case["value"])}},
        }
        for case in _field_values(tiers)
    ]
    return schema
