"""The governance's shapes: joint bodies, memberships, posts and delegations, each declared once.

Part of :mod:`taxonomy.input.shapes` (which holds the portfolio's other shapes and lists them
all): each key says once what the YAML/JSON key, the spreadsheet column, the schema and the
template prompt are.

>>> [key.name for key in DELEGATION.keys][:3]
['function', 'by', 'to']
"""

from __future__ import annotations

from taxonomy._model import JOINT_BODY_KINDS, STATUSES
from taxonomy.input.keys import ID_PROMPT, Key, Shape

__all__ = ["DELEGATED", "DELEGATION", "GOVERNANCE", "JOINT_BODY", "MEMBERSHIP", "ROLE"]


def _term(what: str) -> tuple[Key, ...]:
    """The keys dating ``what`` (a post...): the model's ``term``, both days included."""
    return (
        Key(
            "from",
            "day",
            f"the first day {what} holds (empty: always did)",
            prompt=f"The first day {what} holds, YYYY-MM-DD (empty: always did).",
            attribute="term.from_",
        ),
        Key(
            "until",
            "day",
            f"the last day {what} holds, included (empty: still does)",
            prompt=f"The last day {what} holds, YYYY-MM-DD (empty: still does).",
            attribute="term.until",
        ),
        Key(
            "status",
            "choice",
            f"existing (the default) or planned: a planned {what.split()[-1]} is drawn as "
            "planned, never as in force",
            values=STATUSES,
            prompt="existing (the default) or planned: choose from the list.",
            attribute="term.status",
        ),
    )


#: A dated membership: an entry of a joint body's ``members`` given as a mapping.
MEMBERSHIP = Shape(
    "membership",
    (
        Key("body", "id", "the member organisation", required=True, refers="organisations"),
        *_term("the membership"),
    ),
    meaning="a member, with the days it sits on the joint body (or planned)",
)

#: A dated delegation: an entry of a joint body's ``delegated`` given as a mapping.
DELEGATED = Shape(
    "delegation",
    (
        Key("function", "id", "the function delegated", required=True, refers="functions"),
        *_term("the delegation"),
    ),
    meaning="a function delegated, with the days the delegation holds (or planned)",
)

JOINT_BODY = Shape(
    "joint body",
    (
        Key("id", "id", required=True, prompt=ID_PROMPT),
        Key("name", "text", required=True),
        Key(
            "kind",
            "choice",
            required=True,
            values=JOINT_BODY_KINDS,
            prompt="The kind of joint body: choose from the list.",
        ),
        Key(
            "members",
            "ids",
            "the organisations that sit on it (each an id, or a dated membership)",
            required=True,
            listed=True,
            at_least=1,
            refers="organisations",
            prompt="The ids of the member bodies, separated by commas, e.g. {example}; one "
            "joining later: id (from YYYY-MM-DD).",
            shape=MEMBERSHIP,
        ),
        Key(
            "delegated",
            "ids",
            "the functions delegated to it (each an id, or a dated delegation)",
            listed=True,
            refers="functions",
            prompt="The ids of the functions delegated to it, separated by commas; one dated "
            "or planned: id (from YYYY-MM-DD planned).",
            shape=DELEGATED,
        ),
        Key(
            "oversees",
            "ids",
            "the functions it oversees",
            listed=True,
            refers="functions",
            prompt="The ids of the functions it oversees, separated by commas.",
        ),
        *_term("the joint body"),
        Key("notes", "notes"),
    ),
    meaning="a joint body: a joint committee, committees in common, an oversight group",
    sheet="joint_bodies",
)

ROLE = Shape(
    "role",
    (
        Key("id", "id", required=True, prompt=ID_PROMPT),
        Key("name", "text", required=True),
        Key(
            "employed_by",
            "body",
            "the organisation employing it",
            required=True,
            prompt="The body that employs the role: choose from the list.",
        ),
        Key(
            "reports_to",
            "ids",
            "the Boards, joint bodies or roles it reports to",
            required=True,
            listed=True,
            at_least=1,
            refers="organisations, joint bodies or roles",
            prompt="The ids of the Boards, joint bodies or roles it reports to, separated by "
            "commas.",
        ),
        Key(
            "accountable_for",
            "ids",
            "the functions it is accountable for",
            listed=True,
            refers="functions",
            prompt="The ids of the functions it is accountable for, separated by commas.",
        ),
        *_term("the post"),
        Key("notes", "notes"),
    ),
    meaning="a role, such as a joint director",
    sheet="roles",
)

DELEGATION = Shape(
    "delegation",
    (
        Key("function", "id", "the function delegated", required=True, refers="functions"),
        Key("by", "body", "the holder delegating it", required=True),
        Key("to", "ids", "organisations or joint bodies", required=True, listed=True, at_least=1),
        Key("each_for_own_area", "bool", "each body takes it for its own area only"),
        Key("decisions", "ids", "the decisions handed (none: all)", listed=True),
        Key("basis", "text", "the statute and section that lets the holder delegate it"),
        Key("holder_accountable", "bool", "the holder stays accountable in law (default true)"),
        *_term("the delegation"),
        Key("source", "text", "where the delegation is said (an agreement, a paper)"),
        Key("notes", "notes"),
    ),
    meaning="a delegation from a holder to other bodies, each for its own area or jointly",
    sheet="delegations",
)

GOVERNANCE = Shape(
    "governance",
    (
        Key("bodies", "items", shape=JOINT_BODY, attribute="bodies"),
        Key("roles", "items", shape=ROLE),
        Key("delegations", "items", shape=DELEGATION),
    ),
    meaning="the joint bodies and roles already set up (committees, joint directors)",
)
