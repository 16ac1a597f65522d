"""Every input shape declared once: each key of a portfolio, as files, sheets and schemas write it.

A shape (:class:`taxonomy.input.keys.Shape`) is one kind of mapping a portfolio file holds (the
portfolio itself, an organisation, a function, its legal answers, a provision of a dated law, a
joint body, a role...); each of its keys (:class:`taxonomy.input.keys.Key`) says, once, what the
YAML/JSON key is, the spreadsheet column it is (the key, under the shape's prefix:
``legal.delegable_to``), whether it is required, whether it lists several values (one cell,
separated by commas), what its values may be, what it means (the schema's description, shown by
editors) and the prompt a template cell shows.

Derived from these tables, not written again:

- the YAML/JSON reader's allowed and required keys (unknown keys, with a "did you mean"),
  and the ids each list may name (:mod:`taxonomy.input.portfolio` and its parts);
- the spreadsheet's sheets, columns, list columns, drop-downs and prompts, read and written
  (:mod:`taxonomy.input.spreadsheet`);
- the plain data a portfolio is written as (:mod:`taxonomy.input.writing`);
- the portfolio's JSON Schema (:mod:`taxonomy.schemas._portfolio`).

Adding a key to a shape is one ``Key`` here, plus what it means to the model (the
attribute, and the check only the model can make).

>>> ROLE.names
('id', 'name', 'employed_by', 'reports_to', 'accountable_for', 'from', 'until', 'status', 'notes')
>>> FUNCTION.columns()[:5]
['id', 'name', 'level', 'performed_by', 'efficiency.duplication']
"""

from __future__ import annotations

from taxonomy._model import DELEGATION_LIMITS
from taxonomy.input.governance_shapes import (
    DELEGATED,
    DELEGATION,
    GOVERNANCE,
    JOINT_BODY,
    MEMBERSHIP,
    ROLE,
)
from taxonomy.input.keys import ID_PROMPT, Key, Shape

__all__ = [
    "ABOLITION",
    "EFFECTIVENESS",
    "EFFICIENCY",
    "EMPTY_LIST",
    "FUNCTION",
    "FUNCTION_LAW",
    "GOVERNANCE",
    "LAW",
    "DELEGATED",
    "DELEGATION",
    "LEGAL",
    "MEMBERSHIP",
    "ORGANISATION",
    "PACK_REFERENCE",
    "PORTFOLIO",
    "PROVISION",
    "ROLE",
    "INDEPENDENT_BODY",
    "JOINT_BODY",
    "SHAPES",
    "SHEETS",
    "meta_keys",
]

#: The prompt of a true/false answer on the joint committees the law allows.
JOINT_COMMITTEES_PROMPT = "Can the bodies delegate decisions to a joint committee? true or false."


def _level(name: str, meaning: str, prompt: str) -> Key:
    return Key(name, "level", meaning, required=True, prompt=prompt)


EFFICIENCY = Shape(
    "efficiency",
    (
        _level(
            "duplication",
            "Q1: duplication between the bodies",
            "Q1: how much duplication working jointly removes: {levels}.",
        ),
        _level(
            "simplification",
            "Q1: scope to simplify processes",
            "Q1: how much working jointly simplifies processes: {levels}.",
        ),
    ),
    prefix="efficiency.",
)

EFFECTIVENESS = Shape(
    "effectiveness",
    (
        _level(
            "joint_benefit",
            "Q2: benefit of doing it jointly",
            "Q2: how much more effective it is done together: {levels}.",
        ),
    ),
    prefix="effectiveness.",
)


def _bodies(name: str, meaning: str, prompt: str, values: tuple[str, ...] = ()) -> Key:
    """A legal answer listing organisations (one cell, ids separated by commas)."""
    return Key(
        name, "ids", meaning, listed=True, values=values, refers="organisations", prompt=prompt
    )


LEGAL = Shape(
    "legal",
    (
        _bodies(
            "statutory_owner",
            "the body (or bodies) holding the statutory duty",
            "Q3: the ids of the bodies holding the statutory duty, separated by commas "
            "(empty: none).",
        ),
        _bodies(
            "held_by_each",
            "each of these bodies holds the duty itself ('all': every performer)",
            "Q3: the ids of the bodies each holding the duty, separated by commas, or all "
            "(empty: none).",
            values=("all",),
        ),
        _bodies(
            "delegable_to",
            "only employees of these bodies may carry it out",
            "Q3: the only bodies whose employees may carry it out, ids separated by commas "
            "(empty: any).",
        ),
        Key(
            "board_reserved",
            "bool",
            "a decision reserved to each body's governing body",
            nullable=False,
            prompt="Q3: true if each Board must decide it itself; otherwise false.",
        ),
        Key(
            "not_delegable_to",
            "choices",
            "what the function may not be delegated to",
            listed=True,
            values=DELEGATION_LIMITS,
            prompt="Q3: what it may not be delegated to: joint_committee and/or another_body, "
            "separated by commas (empty: none).",
        ),
        _bodies(
            "independence_from",
            "the bodies the function must stay independent of",
            "Q3: the ids of the bodies it must stay independent of, separated by commas "
            "(empty: none).",
        ),
        Key("separate_reason", "text", "why the law keeps the bodies' functions separate"),
        _bodies(
            "with_agreement_of",
            "the bodies whose agreement the decision needs by law, without holding it",
            "Q3: the ids of the bodies whose agreement the decision needs (statutory consent), "
            "separated by commas (empty: none).",
        ),
        Key("agreement_basis", "text", "the statute and section requiring that agreement"),
        Key(
            "decided_by",
            "ids",
            "the posts (role ids) that take the decision for the body employing them",
            listed=True,
            refers="roles",
            prompt="Q3: the ids of the posts (governance roles) that take the decision for their "
            "body instead of its governing body, separated by commas (empty: each governing "
            "body).",
        ),
        Key(
            "employed_by_parent",
            "bool",
            "one team whose members stay employed by their parent body, so work only some "
            "bodies' employees may do is done by their own employees inside it (para 12)",
            nullable=False,
            prompt="Q3: true if the team's members stay employed by their parent body "
            "(one integrated team, single reporting line); otherwise false.",
        ),
    ),
    prefix="legal.",
)

#: Question 4's shape: one key per organisation (and any the rule pack declares).
CAPABILITY = Shape("capability", (), prefix="capability.")

FUNCTION = Shape(
    "function",
    (
        Key("id", "id", required=True, prompt=ID_PROMPT),
        Key("name", "text", "the function's name", required=True),
        Key(
            "level",
            "tier",
            "the tier it runs at",
            required=True,
            prompt="The tier the function is carried out at; choose from the list.",
        ),
        Key(
            "performed_by",
            "ids",
            "the bodies that carry it out today",
            required=True,
            listed=True,
            at_least=1,
            refers="organisations",
            prompt="The ids of the bodies that perform it, separated by commas, e.g. {example}.",
        ),
        Key(
            "efficiency",
            "section",
            "Q1: could costs and inefficiency be taken out?",
            required=True,
            shape=EFFICIENCY,
        ),
        Key(
            "effectiveness",
            "section",
            "Q2: could the function be more effective?",
            required=True,
            shape=EFFECTIVENESS,
        ),
        Key(
            "legal",
            "section",
            "Q3: what legal constraints apply?",
            required=True,
            nullable=True,
            shape=LEGAL,
        ),
        Key(
            "capability",
            "section",
            "Q4: each performing body's capability (none, low, medium, high)",
            required=True,
            shape=CAPABILITY,
            column=False,
            prompt="Q4: {body}'s capability for this function: {levels}.",
        ),
        Key(
            "agreed_lead",
            "body",
            "the lead the bodies agreed, if any",
            prompt="The body the others agreed should lead it (optional): choose from the list.",
        ),
        Key(
            "involves",
            "ids",
            "the bodies that take part without carrying it out: consulted and involved at key "
            "points (none: a function one body carries out and holds is delivered by it alone)",
            listed=True,
            refers="organisations",
            prompt="The ids of the bodies involved without carrying it out, separated by commas "
            "(optional; empty: none).",
        ),
        Key("notes", "notes", "free text, shown with the recommendation", column=False),
    ),
    sheet="functions",
)

ORGANISATION = Shape(
    "organisation",
    (
        Key("id", "id", required=True, prompt=ID_PROMPT),
        Key("name", "text", "the body's full name", required=True),
        Key(
            "governing_body",
            "text",
            "what the body's governing body is called (default: the pack's word)",
        ),
    ),
    sheet="bodies",
)

INDEPENDENT_BODY = Shape(
    "independent body",
    (
        Key("id", "id", required=True, prompt=ID_PROMPT),
        Key("name", "text", "the body's full name", required=True),
        Key(
            "source",
            "text",
            "where its independence comes from (law, terms of reference)",
            required=True,
        ),
    ),
    sheet="independent_bodies",
)

ABOLITION = Shape(
    "abolition",
    (
        Key(
            "body",
            "ids",
            "the body (or bodies) abolished",
            required=True,
            listed=True,
            at_least=1,
            prompt="The id of the body abolished (or several, separated by commas).",
        ),
        Key(
            "into",
            "id",
            "the successor",
            required=True,
            prompt="The id of the body it is abolished into.",
        ),
        Key("name", "text", "the successor's name, when it is a new body"),
    ),
    sheet="abolitions",
    owner=Key(
        "provision",
        "id",
        prompt="The id of the provision (in the law sheet) that abolishes the body.",
    ),
)

#: What a ``law_functions`` cell says of a list a provision sets empty (an empty cell sets
#: nothing): not an id, so never read as one.
EMPTY_LIST = "(none)"

#: What a provision of the law says of one function's legal facts while it is in force.
FUNCTION_LAW = Shape(
    "function's law",
    (
        Key(
            "function",
            "id",
            "the function whose legal facts the provision sets",
            required=True,
            refers="functions",
            prompt="The id of the function (in the functions sheet) whose legal facts it sets.",
        ),
        Key(
            "legal",
            "section",
            "the legal facts it sets, replacing the function's own (the keys not given stay "
            "as the function says)",
            required=True,
            shape=LEGAL,
        ),
    ),
    meaning="a function's legal facts as the provision sets them while it is in force",
    sheet="law_functions",
    owner=Key(
        "provision",
        "id",
        prompt="The id of the provision (in the law sheet) that sets the function's legal facts.",
    ),
)

PROVISION = Shape(
    "law: provision",
    (
        Key("id", "id", required=True, prompt=ID_PROMPT),
        Key(
            "from",
            "day",
            prompt="The first day it is in force, YYYY-MM-DD (empty: always was).",
            attribute="from_",
        ),
        Key("until", "day", prompt="The last day it is in force, YYYY-MM-DD (empty: still is)."),
        Key("joint_committees", "bool", prompt=JOINT_COMMITTEES_PROMPT),
        Key("abolishes", "items", shape=ABOLITION, column=False),
        Key("functions", "items", shape=FUNCTION_LAW, column=False),
        Key("source", "text", "the statute and section", required=True),
    ),
    meaning="a provision of the law, in force from a day (and until a day)",
    sheet="law",
)

#: An undated law (always in force).
LAW = Shape(
    "law",
    (Key("joint_committees", "bool", nullable=False, prompt=JOINT_COMMITTEES_PROMPT),),
    meaning="undated: always in force",
    prefix="law.",
)


#: The rule pack a portfolio names (``rules:`` as a mapping; a bare text is its ``path``).
PACK_REFERENCE = Shape(
    "rules",
    (
        Key(
            "path",
            "text",
            "its folder, relative to this file",
            nullable=False,
            prompt="The rule pack's folder, relative to this workbook, e.g. packs/councils.",
        ),
        Key("name", "text", "the name the pack must have", nullable=False),
        Key(
            "version",
            "text",
            "the version it must have or satisfy, e.g. '>=1.0,<2'",
            nullable=False,
        ),
    ),
    meaning="its folder (default: the shipped pack), name, version",
    prefix="rules.",
)

PORTFOLIO = Shape(
    "portfolio",
    (
        Key("name", "text", "the name people know it by", required=True),
        Key(
            "rules",
            "section",
            "the rule pack the portfolio is answered for (--rules overrides it)",
            shape=PACK_REFERENCE,
        ),
        Key(
            "as_of",
            "day",
            "the day the portfolio is judged on (YYYY-MM-DD), under a dated law",
            prompt="The day this portfolio describes, YYYY-MM-DD, e.g. 2018-03-28.",
        ),
        Key(
            "organisations",
            "items",
            "the bodies working together (at least two)",
            required=True,
            at_least=2,
            shape=ORGANISATION,
        ),
        Key(
            "functions",
            "items",
            "what the bodies do, one entry per function, with the four answers",
            required=True,
            at_least=1,
            shape=FUNCTION,
        ),
        Key(
            "law",
            "section",
            "what the law allows: {joint_committees: true|false}, or a list of dated provisions",
            shape=LAW,
        ),
        Key("governance", "section", GOVERNANCE.meaning, shape=GOVERNANCE),
        Key(
            "independent_bodies",
            "items",
            "bodies outside the joint working that a function must stay independent of "
            "(legal.independence_from may name them); YAML and JSON only",
            shape=INDEPENDENT_BODY,
        ),
    ),
    sheet="portfolio",
)

#: Every shape a portfolio file holds, in the order a workbook has their sheets.
SHAPES = (
    PORTFOLIO,
    PACK_REFERENCE,
    ORGANISATION,
    INDEPENDENT_BODY,
    FUNCTION,
    EFFICIENCY,
    EFFECTIVENESS,
    LEGAL,
    GOVERNANCE,
    JOINT_BODY,
    MEMBERSHIP,
    DELEGATED,
    ROLE,
    DELEGATION,
    LAW,
    PROVISION,
    ABOLITION,
    FUNCTION_LAW,
)

#: The spreadsheet's sheets, in a workbook's order (problems are reported in it), the guide last.
SHEETS = (*(shape.sheet for shape in SHAPES if shape.sheet is not None), "questions")


def meta_keys() -> dict[str, Key]:
    """The ``portfolio`` sheet's keys (one row each), by the name the sheet gives them.

    A section's keys take its prefix; the pack reference's ``path`` is ``rules`` itself.

    >>> list(meta_keys())
    ['name', 'rules', 'rules.name', 'rules.version', 'as_of', 'law.joint_committees']
    """
    found: dict[str, Key] = {}
    for key in PORTFOLIO.keys:
        if key.kind == "items":
            continue
        if key.kind != "section" or key.shape is None:
            found[key.name] = key
            continue
        if key.shape is GOVERNANCE:
            continue
        for inner in key.shape.keys:
            name = key.name if inner.name == "path" else f"{key.shape.prefix}{inner.name}"
            found[name] = inner
    return found
