"""What the accountability graph says of dated governance: days, planned, overdue.

A post, joint body, membership or delegation the governance dates (:class:`taxonomy.Term`)
carries, as node or edge attributes, only what the governance says of it: ``from``, ``until``
(YYYY-MM-DD) and ``status``; where it is planned although its first day has come by the day
judged (the portfolio's ``as_of``), ``overdue`` too, which ``taxonomy check`` reports
(``planned-overdue``). Nothing is added where nothing is said, so undated governance draws as
before.

>>> import datetime
>>> from taxonomy import Term
>>> term_attributes(Term(from_=datetime.date(2021, 4, 1), status="planned"),
...     datetime.date(2021, 6, 1))
{'from': '2021-04-01', 'status': 'planned', 'overdue': True}
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from taxonomy._decision import Delegation
from taxonomy._model import JointBody, Role, Term

__all__ = [
    "dated_label",
    "delegated",
    "exists_on",
    "joint_body_attributes",
    "overdue",
    "role_attributes",
    "term_attributes",
]


def overdue(status: str | None, start: datetime.date | None, day: datetime.date | None) -> bool:
    """Whether something planned has seen its first day come by ``day`` (None: no day)."""
    return status == "planned" and start is not None and day is not None and start <= day


def term_attributes(term: Term, day: datetime.date | None) -> dict[str, Any]:
    """A node's or edge's ``from``, ``until`` and ``status`` (only those said), and ``overdue``."""
    found: dict[str, Any] = {name: str(value) for name, value in term.to_data().items()}
    if overdue(term.status, term.from_, day):
        found["overdue"] = True
    return found


def delegated(mine: Sequence[tuple[str, Delegation]], day: datetime.date | None) -> dict[str, Any]:
    """A Board's ``delegates_to`` edge to a joint body: the functions it delegates to it.

    Where some delegations are only planned the edge lists them (``planned``), and those whose
    day has come (``overdue``); where all are, the edge is ``status: planned`` (drawn dashed),
    never in force.
    """
    found: dict[str, Any] = {
        "functions": tuple(fid for fid, _ in mine),
        "holder_stated": all(d.holder_stated for _, d in mine),
    }
    planned = tuple(fid for fid, d in mine if d.planned)
    if planned:
        found["planned"] = planned
        if len(planned) == len(mine):
            found["status"] = "planned"
    late = tuple(fid for fid, d in mine if overdue(d.status, d.from_, day))
    if late:
        found["overdue"] = late
    return found


def dated_label(name: str, term: Term) -> str:
    """A joint body's or post's label: ``(planned)`` after a planned one's name."""
    return f"{name} (planned)" if term.planned else name


def joint_body_attributes(body: JointBody, day: datetime.date | None) -> dict[str, Any]:
    """A joint body of the governance as a node's attributes (``proposed`` False)."""
    return {
        "kind": "joint_body",
        "body_kind": body.kind,
        "label": dated_label(body.name, body.term),
        "proposed": False,
        **term_attributes(body.term, day),
    }


def role_attributes(role: Role, day: datetime.date | None) -> dict[str, Any]:
    """A post as a node's attributes."""
    return {
        "kind": "role",
        "label": dated_label(role.name, role.term),
        "employer": role.employed_by,
        **term_attributes(role.term, day),
    }


def exists_on(term: Term, day: datetime.date | None) -> bool:
    """Whether the governance says a post exists on ``day``: dated or stated, and in force.

    A portfolio's governance is what the bodies have *or plan*; a post it says nothing of the
    days of is taken as planned, for the to-be structure only.
    """
    return term.stated and term.in_force(day)
