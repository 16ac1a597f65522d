"""How the model's values are written as text: fact values, conclusions, leads and lists."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from taxonomy._model.levels import Arrangement, Level


def format_value(value: Any) -> str:
    """A fact value as text, the way rules and explanations write it.

    >>> format_value(Level.HIGH), format_value(True), format_value(("a", "b")), format_value(None)
    ('high', 'true', 'a, b', 'absent')
    """
    if value is None:
        return "absent"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Level):
        return str(value)
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value)
    return str(value)


def conclusion_text(
    finding: str | None,
    value: str,
    cap: Arrangement | None,
    decide: Arrangement | None,
    lead: str | None,
) -> str:
    """A rule's conclusion as text, the one way rules and explanations write it.

    >>> conclusion_text("efficiency", "high", None, None, "performed_by")
    'finding efficiency = high; lead from performed_by'
    """
    parts = []
    if finding is not None:
        parts.append(f"finding {finding} = {value}")
    if cap is not None:
        parts.append(f"cap {cap}")
    if decide is not None:
        parts.append(f"decide {decide}")
    if lead is not None:
        parts.append("lead joint" if lead == "joint" else f"lead from {lead}")
    return "; ".join(parts)


#: The lead in words where each body does its own (``Recommendation.each_own``).
EACH_OWN_WORDS = "none: each body does its own"


def alone_words(body: str) -> str:
    """A function one body delivers with nobody else taking part, the one way outputs say it.

    >>> alone_words("nhse")
    'delivered by nhse alone'
    """
    return f"delivered by {body} alone"


def lead_words(lead: str | None, tied: Iterable[str] = ()) -> str:
    """A lead in words: the body, ``joint``, or ``undecided between X and Y (tie)``.

    >>> lead_words("nhse"), lead_words(None), lead_words(None, ["a", "b", "c"])
    ('nhse', 'joint', 'undecided between a, b and c (tie)')
    """
    if lead is not None:
        return lead
    bodies = list(tied)
    if not bodies:
        return "joint"
    return f"undecided between {word_list(bodies)} (tie)"


def lead_kind(
    lead: str | None, tied: Sequence[str] = (), each_own: Sequence[str] = (), *, settled: bool
) -> str:
    """What kind of lead a result has: ``body``, ``joint``, ``tie``, ``each`` or ``open``.

    The one answer a recommendation's and a what-if placement's ``lead_status`` give. ``open``:
    not ``settled`` (the lead depends on answers left open); ``each``: no lead, each body does
    its own.

    >>> lead_kind("a", settled=True), lead_kind(None, ["a", "b"], settled=True)
    ('body', 'tie')
    >>> lead_kind(None, settled=True), lead_kind(None, (), ["a"], settled=True)
    ('joint', 'each')
    >>> lead_kind("a", settled=False)
    'open'
    """
    if not settled:
        return "open"
    if lead is not None:
        return "body"
    if each_own:
        return "each"
    return "tie" if tied else "joint"


def word_list(items: Sequence[str], conjunction: str = "and") -> str:
    """Items as a sentence lists them: ``a``, ``a and b``, ``a, b and c``.

    The one way every output joins names, so a tie of three reads as a list, not as
    ``a and b and c``.

    >>> word_list(["a"]), word_list(["a", "b"]), word_list(["a", "b", "c"], "or")
    ('a', 'a and b', 'a, b or c')
    """
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


class PossibleLead(Protocol):
    """An outcome still possible, as far as its lead goes (:class:`taxonomy._results.Outcome`)."""

    @property
    def lead(self) -> str | None:
        """The lead body, or None."""

    @property
    def tied(self) -> tuple[str, ...]:
        """The bodies tied for the lead."""

    @property
    def lead_text(self) -> str:
        """The lead in words."""


#: The most leads still possible that words list one by one; more are summarised by the bodies
#: they name (the JSON's ``possible`` keeps every one).
MAX_LEADS_LISTED = 4


def open_lead_words(
    possible: Sequence[PossibleLead], names: Mapping[str, str] | None = None
) -> str:
    """The leads still possible, in words: each one, or where there are many, their bodies.

    With eight bodies whose capability is unknown, every subset may tie for the lead: hundreds
    of leads, summarised as ``any of the 8 bodies (a, b, ...), alone or tied``. ``names``
    writes each body by its name (default: its id).

    >>> from typing import NamedTuple
    >>> class Lead(NamedTuple):
    ...     lead: str | None
    ...     tied: tuple[str, ...] = ()
    ...     @property
    ...     def lead_text(self) -> str:
    ...         return lead_words(self.lead, self.tied)
    >>> possible = [Lead("a"), Lead(None, ("a", "b")), *map(Lead, "bcd")]
    >>> open_lead_words(possible[:2])
    'a or undecided between a and b (tie)'
    >>> open_lead_words(possible)
    'any of the 4 bodies (a, b, c and d), alone or tied'
    """
    named = (lambda body: names.get(body, body)) if names is not None else (lambda body: body)
    leads = list(
        dict.fromkeys(
            o.lead_text
            if names is None
            else lead_words(o.lead and named(o.lead), map(named, o.tied))
            for o in possible
        )
    )
    if len(leads) <= MAX_LEADS_LISTED:
        return word_list(leads, "or")
    bodies = sorted({named(b) for o in possible for b in (o.lead, *o.tied) if b is not None})
    how = [
        w
        for w, found in (
            ("alone", any(o.lead for o in possible)),
            ("tied", any(o.tied for o in possible)),
        )
        if found
    ]
    said = f"any of the {len(bodies)} bodies ({word_list(bodies)})"
    said += f", {' or '.join(how)}" if how else ""
    others = [w for w in ("joint", EACH_OWN_WORDS) if w in leads]
    return word_list([said, *others], "or")
