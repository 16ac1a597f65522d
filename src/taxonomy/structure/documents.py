"""Governance documents drawn from the structure: a scheme per body, terms per joint body.

:func:`~taxonomy.structure.drafting.governance_documents` reads each recommendation's
:class:`~taxonomy._decision.Decision` (who holds the function in law, who decides it, who
delegates it to whom) and the portfolio's governance (its joint bodies and roles), never the
prose, and gives:

- for each body, its **scheme of reservation and delegation** (:class:`Scheme`): each function
  its governing body keeps (``reserved``), delegates (``delegated``, to whom and on what basis),
  takes part in as a member of a joint body without holding it (``member``), oversees jointly
  (``oversight``), or carries out while the law does not say who holds it (``not_stated``:
  nobody is drawn deciding it, and the document says so rather than guess);
- for each joint committee, committees in common or joint oversight group of the governance,
  and each forum the structure proposes, draft **terms of reference** (:class:`TermsOfReference`):
  its members, each function delegated to it and by whom, who stays accountable, what each
  member keeps.

Every line cites its sources (:class:`Citation`: the portfolio's legal key, the pack rules that
read it, the governance item, the provision of the law), numbered once for the whole document.
A function still open (answers left unknown) is shown as open (``decided`` false, no
arrangement): what the law and the governance say is given, and no forum is proposed for it. A
delegation the law does not back (``holder_stated`` false) is flagged, never shown as settled.

Each class declares its JSON keys once in a :class:`~taxonomy._output_shape.Shape` beside it, so
``to_dict`` and the ``governance`` JSON Schema derive from one declaration: a key added (a
delegation's ``from``, when the decision block carries it) is one ``key(...)`` line, read through
the line's ``delegation``.

The documents are drafted by :func:`taxonomy.structure.drafting.governance_documents`.
"""

from __future__ import annotations

import datetime
from typing import Any

import attrs

from taxonomy._decision import Delegation
from taxonomy._explanation import PACK_IDENTITY_JSON, PackIdentity
from taxonomy._model import JointBody
from taxonomy._output_shape import STRING, STRING_OR_NULL, STRINGS, Shape, each, key

__all__ = [
    "CITATION_JSON",
    "ENTRIES",
    "GOVERNANCE_JSON",
    "REMIT_JSON",
    "SCHEME_JSON",
    "SCHEME_LINE_JSON",
    "TERMS_JSON",
    "Citation",
    "GovernanceDocuments",
    "RemitLine",
    "Scheme",
    "SchemeLine",
    "TermsOfReference",
]

#: What a scheme line says of a function, in the order a scheme lists them.
ENTRIES = ("reserved", "delegated", "member", "consents", "oversight", "not_stated", "received")

#: What a citation points at.
CITATION_KINDS = ("portfolio", "rule", "governance", "law")


@attrs.frozen
class Citation:
    """A source a line rests on.

    Attributes:
        ref: what it is, unique in the document: ``functions[eprr].legal.statutory_owner``,
            ``rule legal.statutory-owner-leads``, ``governance.bodies[jc]``, ``law act-2012``.
        kind: one of :data:`CITATION_KINDS`.
        text: what it says: the key's value, the rule's source in the papers, the joint body's
            name and notes, the provision's source.
    """

    ref: str
    kind: str
    text: str


@attrs.frozen
class SchemeLine:
    """One function in a body's scheme of reservation and delegation.

    Attributes:
        function: the function's id; ``name`` its name.
        entry: one of :data:`ENTRIES`.
        to: the joint body it is delegated to, sits on or oversees it in; None otherwise.
        to_kind: that joint body's kind (``joint_committee``, ...); None without ``to``.
        basis: ``holder``, ``held_by_each``, ``board_reserved`` or ``named`` (reserved: a post
            ``legal.decided_by`` names takes it for the body); ``consent`` (its agreement is
            needed, ``legal.with_agreement_of``); ``governance``
            or ``proposed`` (delegated); ``governance`` (member, oversight); ``not_stated``.
        holder_stated: False where the law does not say who holds the function.
        accountable: whether the body stays accountable for it in law; None where the law
            does not say who holds it.
        arrangement: the arrangement recommended; None where the function is open.
        decided: False where answers left unknown give more than one outcome.
        sources: the refs of the :class:`Citation` s it rests on.
        notes: what a reader must know (the law not stated, an open function, a proposal).
        delegation: the decision block's delegation this line shows, if any (not written: a
            key reading its dates is one line of :data:`SCHEME_LINE_JSON`).
    """

    function: str
    name: str
    entry: str
    to: str | None
    to_kind: str | None
    basis: str
    holder_stated: bool
    accountable: bool | None
    arrangement: str | None
    decided: bool
    sources: tuple[str, ...]
    notes: tuple[str, ...] = ()
    delegation: Delegation | None = attrs.field(default=None, eq=False, repr=False)


@attrs.frozen
class Scheme:
    """A body's scheme of reservation and delegation: its lines, reserved first.

    Attributes:
        body: the body's id; ``name`` its name; ``governing_body`` its governing body in words.
        lines: every function it keeps, delegates, sits on, oversees or carries out unheld.
    """

    body: str
    name: str
    governing_body: str
    lines: tuple[SchemeLine, ...]

    def entries(self, entry: str) -> tuple[SchemeLine, ...]:
        """The lines of one kind (one of :data:`ENTRIES`)."""
        return tuple(line for line in self.lines if line.entry == entry)


@attrs.frozen
class RemitLine:
    """One function in a joint body's terms of reference.

    Attributes:
        function: the function's id; ``name`` its name.
        power: ``delegated`` (its decisions are delegated to the joint body) or ``oversees``.
        by: the holders delegating it (or, where the law is not stated, the members taken to).
        members_only: members that hold nothing of it: members, not delegators.
        holder_stated: False where the law does not say who holds it.
        accountable: who stays accountable in law (its holders); None where not stated.
        arrangement: the arrangement recommended; None where the function is open.
        decided: False where the function is open.
        sources: the refs of the citations it rests on.
        notes: what a reader must know.
    """

    function: str
    name: str
    power: str
    by: tuple[str, ...]
    members_only: tuple[str, ...]
    holder_stated: bool
    accountable: tuple[str, ...] | None
    arrangement: str | None
    decided: bool
    sources: tuple[str, ...]
    notes: tuple[str, ...] = ()


@attrs.frozen
class TermsOfReference:
    """Draft terms of reference of a joint body (of the governance, or proposed).

    Attributes:
        id: the joint body's id; ``name`` its name; ``kind`` its kind.
        basis: ``governance`` (the portfolio's governance has it) or ``proposed`` (the forum
            the structure proposes for a decision each Board keeps while one team delivers).
        members: the bodies that form it.
        remit: each function delegated to it or that it oversees.
        reserved: ``(member, functions)``: what each member's governing body keeps, anywhere in
            the portfolio (its scheme's reserved lines).
        unheld: functions delegated to it although no member holds them (only a holder
            delegates: ``taxonomy check`` reports an error).
        officers: ``(id, name)`` of each role reporting to it or accountable for a function of
            its remit.
        sources: the refs of the citations it rests on (the governance item, the law).
        notes: what a reader must know (the law does not let the bodies form one).
        joint: the governance's joint body these terms draft, if any (not written: a key
            reading its dates or status is one line of :data:`TERMS_JSON`).
    """

    id: str
    name: str
    kind: str
    basis: str
    members: tuple[str, ...]
    remit: tuple[RemitLine, ...]
    reserved: tuple[tuple[str, tuple[str, ...]], ...]
    unheld: tuple[str, ...]
    officers: tuple[tuple[str, str], ...]
    sources: tuple[str, ...]
    notes: tuple[str, ...] = ()
    joint: JointBody | None = attrs.field(default=None, eq=False, repr=False)


@attrs.frozen
class GovernanceDocuments:
    """The schemes and terms of reference of one portfolio, and every source they cite.

    Attributes:
        portfolio: the portfolio's name.
        as_of: the day judged on, if any; ``provisions`` the dated provisions applied.
        rule_pack: the identity of the pack that made the recommendations.
        schemes: one per body, in the portfolio's order.
        terms: one per joint body of the governance, then each forum proposed.
        citations: every source cited, in the order first cited.
    """

    portfolio: str
    as_of: datetime.date | None
    provisions: tuple[str, ...]
    rule_pack: PackIdentity
    schemes: tuple[Scheme, ...]
    terms: tuple[TermsOfReference, ...]
    citations: tuple[Citation, ...]

    def scheme(self, body: str) -> Scheme:
        """The scheme of ``body``.

        Raises:
            KeyError: no body has that id.
        """
        for scheme in self.schemes:
            if scheme.body == body:
                return scheme
        raise KeyError(body)

    def number(self, ref: str) -> int:
        """The number a citation is listed under (1-based)."""
        return next(i for i, c in enumerate(self.citations, start=1) if c.ref == ref)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the keys of :data:`GOVERNANCE_JSON`."""
        return GOVERNANCE_JSON.dump(self)


#: A citation's JSON (an item of the document's ``citations``).
CITATION_JSON = Shape(
    key("ref", STRING, description="what it is; the lines' sources name it"),
    key("kind", {"enum": list(CITATION_KINDS)}),
    key("text", STRING, description="what it says"),
)

_ARRANGEMENT = {
    "type": ["string", "null"],
    "description": "the arrangement recommended; null: open (not decided yet)",
}
_SOURCES = {**STRINGS, "description": "the refs of the citations it rests on"}
_ACCOUNTABLE_BODIES = {
    "type": ["array", "null"],
    "items": STRING,
    "description": "who stays accountable in law; null: the law does not say who holds it",
}

#: A scheme line's JSON. A delegation's dates, when the decision block carries them, are one
#: key each here, read from the line's ``delegation`` (``read=``).
SCHEME_LINE_JSON = Shape(
    key("function", STRING),
    key("name", STRING),
    key("entry", {"enum": list(ENTRIES)}),
    key("to", STRING_OR_NULL, description="the joint body it goes to, sits on or oversees in"),
    key("to_kind", STRING_OR_NULL),
    key(
        "basis",
        {
            "enum": [
                "holder",
                "held_by_each",
                "board_reserved",
                "named",
                "own_part",
                "consent",
                "governance",
                "proposed",
                "not_stated",
                "delegated",
            ]
        },
    ),
    key(
        "holder_stated",
        {"type": "boolean"},
        description="false: the law does not say who holds the function",
    ),
    key(
        "accountable",
        {"type": ["boolean", "null"]},
        description="whether the body stays accountable in law; null: not stated",
    ),
    key("arrangement", _ARRANGEMENT),
    key("decided", {"type": "boolean"}),
    key("sources", _SOURCES, via=list),
    key("notes", STRINGS, via=list),
)

#: A body's scheme of reservation and delegation.
SCHEME_JSON = Shape(
    key("body", STRING),
    key("name", STRING),
    key("governing_body", STRING),
    key("lines", {"type": "array", "items": SCHEME_LINE_JSON}, via=each(SCHEME_LINE_JSON)),
)

#: A function of a joint body's remit.
REMIT_JSON = Shape(
    key("function", STRING),
    key("name", STRING),
    key("power", {"enum": ["delegated", "oversees", "in_common"]}),
    key("by", STRINGS, via=list, description="the bodies delegating it"),
    key("members_only", STRINGS, via=list, description="members that hold nothing of it"),
    key("holder_stated", {"type": "boolean"}),
    key(
        "accountable",
        _ACCOUNTABLE_BODIES,
        read=lambda r: None if r.accountable is None else list(r.accountable),
    ),
    key("arrangement", _ARRANGEMENT),
    key("decided", {"type": "boolean"}),
    key("sources", _SOURCES, via=list),
    key("notes", STRINGS, via=list),
)

_RESERVED = {
    "type": "object",
    "properties": {"member": STRING, "functions": STRINGS},
    "required": ["member", "functions"],
}

_OFFICER = {
    "type": "object",
    "properties": {"id": STRING, "name": STRING},
    "required": ["id", "name"],
}

#: A joint body's draft terms of reference.
TERMS_JSON = Shape(
    key("id", STRING),
    key("name", STRING),
    key("kind", {"enum": ["joint_committee", "committees_in_common", "joint_oversight_group"]}),
    key("basis", {"enum": ["governance", "proposed"]}),
    key("members", STRINGS, via=list),
    key("remit", {"type": "array", "items": REMIT_JSON}, via=each(REMIT_JSON)),
    key(
        "reserved",
        {"type": "array", "items": _RESERVED},
        read=lambda t: [{"member": m, "functions": list(fs)} for m, fs in t.reserved],
        description="what each member's governing body keeps",
    ),
    key("unheld", STRINGS, via=list, description="delegated although no member holds it"),
    key(
        "officers",
        {"type": "array", "items": _OFFICER},
        read=lambda t: [{"id": i, "name": n} for i, n in t.officers],
        description="roles reporting to it or answering for a function of its remit",
    ),
    key("sources", _SOURCES, via=list),
    key("notes", STRINGS, via=list),
)


def _day(day: datetime.date | None) -> str | None:
    return None if day is None else day.isoformat()


#: The governance documents' JSON (``taxonomy governance --format json``, stamped).
GOVERNANCE_JSON = Shape(
    key("portfolio", STRING),
    key("as_of", {"type": ["string", "null"]}, via=_day, description="the day judged on"),
    key("provisions", STRINGS, via=list, description="the dated provisions applied"),
    key("rule_pack", {"$ref": "#/$defs/rule_pack"}, via=PACK_IDENTITY_JSON.dump),
    key("schemes", {"type": "array", "items": SCHEME_JSON}, via=each(SCHEME_JSON)),
    key(
        "terms_of_reference",
        {"type": "array", "items": TERMS_JSON},
        attr="terms",
        via=each(TERMS_JSON),
    ),
    key("citations", {"type": "array", "items": CITATION_JSON}, via=each(CITATION_JSON)),
)
