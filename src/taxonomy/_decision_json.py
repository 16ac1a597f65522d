"""The JSON shape of a function's decision block (:class:`taxonomy._decision.Decision`).

Kept apart from the model so each module stays short; :mod:`taxonomy._decision` re-exports it.
"""

from __future__ import annotations

from taxonomy._output_shape import STRING, STRINGS, Schema, Shape, key, nested, text

__all__ = [
    "CONSENT_JSON",
    "DECIDER_JSON",
    "DECISION_JSON",
    "DELEGATION_JSON",
    "HOLDINGS",
    "JOINT_KINDS",
]

#: How a function is held in law: by its statutory owner(s), by each body of its own, or unsaid.
HOLDINGS = ("statutory_owner", "held_by_each", "not_stated")

#: The kinds of joint body a function's decisions may go to.
JOINT_KINDS = ("joint_committee", "committees_in_common", "joint_oversight_group")

_DAY: Schema = {"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}

#: A delegation's JSON (an item of the decision block's ``delegations``).
DELEGATION_JSON = Shape(
    key("by", STRING, description="the body delegating"),
    key("to", STRING, description="the joint body or organisation taking the decisions"),
    key("to_kind", {"enum": [*JOINT_KINDS, "organisation"]}),
    key(
        "basis",
        {"enum": ["governance", "proposed"]},
        description="governance: the portfolio's governance delegates it; proposed: the forum "
        "the structure proposes for a decision each Board keeps",
    ),
    key(
        "holder_stated",
        {"type": "boolean"},
        description="false where the law does not say who holds the function: the body is "
        "taken to delegate it because it carries it out",
    ),
    key(
        "from",
        _DAY,
        attr="from_",
        via=text,
        omit_none=True,
        description="its first day (YYYY-MM-DD), where the governance dates it",
    ),
    key(
        "until",
        _DAY,
        via=text,
        omit_none=True,
        description="its last day, included, where the governance dates it",
    ),
    key(
        "status",
        {"enum": ["existing", "planned"]},
        omit_none=True,
        description="planned: not in force (the joint body does not decide by it); left out "
        "where the governance does not say",
    ),
    key(
        "declared",
        {"const": True},
        read=lambda d: True if d.declared else None,
        omit_none=True,
        description="declared in its own right (governance.delegations); left out for a joint "
        "body's delegated list",
    ),
    key(
        "each_for_own_area",
        {"type": "boolean"},
        read=lambda d: d.each_for_own_area if d.declared else None,
        omit_none=True,
        description="the recipient decides it for its own area only (declared ones)",
    ),
    key(
        "legal_basis",
        STRING,
        omit_none=True,
        description="the statute and section letting the holder delegate it, where declared",
    ),
    key(
        "holder_accountable",
        {"type": "boolean"},
        read=lambda d: d.holder_accountable if d.declared else None,
        omit_none=True,
        description="whether the holder stays accountable in law (declared ones)",
    ),
    key(
        "decisions",
        STRINGS,
        via=list,
        omit_empty=True,
        description="the decisions handed, where the delegation names them (else every one)",
    ),
)

#: A decider's JSON (an item of the decision block's ``deciders``).
DECIDER_JSON = Shape(
    key("id", STRING, description="a body (its governing body) or a joint body"),
    key("kind", {"enum": ["board", "role", *JOINT_KINDS]}),
    key(
        "basis",
        {
            "enum": [
                "holder",
                "held_by_each",
                "board_reserved",
                "delegated",
                "proposed",
                "named",
                "own_part",
            ]
        },
        description="named: a post legal.decided_by names takes its body's decision; "
        "own_part: where the law does not say who holds it, a body carrying it out that "
        "delegates nothing in force decides its own part",
    ),
    key(
        "for",
        STRING,
        attr="for_body",
        omit_none=True,
        description="the body whose decision a post (kind role) takes",
    ),
)

#: A consent's JSON (an item of the decision block's ``consents``).
CONSENT_JSON = Shape(
    key("by", STRING, description="the body whose agreement the decision needs"),
    key(
        "basis",
        {"type": ["string", "null"]},
        description="the statute and section requiring it (null: not stated)",
    ),
)

_MEMBER: Schema = {
    "type": "object",
    "properties": {"body": STRING, "of": STRING},
    "required": ["body", "of"],
}

#: The ``decision`` block of a recommendation's JSON.
DECISION_JSON = Shape(
    key("holding", {"enum": list(HOLDINGS)}, description="how the function is held in law"),
    key("holders", STRINGS, via=list, description="who holds it in law (empty: not stated)"),
    nested("deciders", DECIDER_JSON),
    nested(
        "delegations",
        DELEGATION_JSON,
        description="only holders delegate (or, where not stated, the bodies carrying it out)",
    ),
    key(
        "members",
        {"type": "array", "items": _MEMBER},
        read=lambda d: [{"body": body, "of": of} for body, of in d.members],
        description="members of a joint body deciding it that hold nothing of it",
    ),
    key(
        "unheld",
        STRINGS,
        via=list,
        description="joint bodies it is delegated to although none of their members holds it",
    ),
    key(
        "accountable",
        {"type": ["array", "null"], "items": STRING},
        read=lambda d: None if d.accountable is None else list(d.accountable),
        description="the bodies accountable for it in law (its holders); null: not stated",
    ),
    nested(
        "consents",
        CONSENT_JSON,
        omit_empty=True,
        description="the bodies whose agreement the decision needs by law, without holding it "
        "(left out where none)",
    ),
)
