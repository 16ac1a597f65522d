"""What a merger of bodies does to one function: every body it names follows the merger.

Part of :func:`taxonomy.law.apply_merge` (with :mod:`taxonomy._merged_governance`, what it does
to the governance): a function is merged on its own, so a portfolio read a function at a time
is merged as each is read (:class:`taxonomy.law.EachInForce`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from taxonomy._merged_governance import Succession
from taxonomy._model import (
    UNKNOWN,
    BodyAnswers,
    Capability,
    Function,
    Legal,
    Level,
    OneOf,
)
from taxonomy.language.facts import Facts

__all__ = ["BODY_TYPES", "merge_answers", "merged_function"]


#: The fact types whose values name bodies, and so follow a merger.
BODY_TYPES = ("body", "bodies", "body_levels")


def merge_answers(
    answers: Iterable[tuple[str, Any]], facts: Facts, one: Callable[[str], str]
) -> dict[str, Any]:
    """Declared answers with every body they name replaced by its successor.

    Which answers name bodies comes from the pack's declared types, never from a list here.
    """
    merged: dict[str, Any] = {}
    for name, value in answers:
        kind = facts.type(name).name if name in facts else None
        if kind == "body" and isinstance(value, str):
            value = one(value)
        elif kind == "bodies" and isinstance(value, tuple | list):
            value = tuple(dict.fromkeys(one(b) for b in value))
        elif kind == "body_levels" and isinstance(value, Mapping | tuple | list):
            items = value.items() if isinstance(value, Mapping) else value
            levels: dict[str, Any] = {}
            for body, level in items:
                levels[one(body)] = max(levels.get(one(body), level), level)
            value = levels if isinstance(value, Mapping) else tuple(levels.items())
        merged[name] = value
    return merged


def merged_function(
    fn: Function, succession: Succession, facts: Facts, notes: list[str]
) -> Function:
    """``fn`` after the merger: every body it names replaced by the successor, its law kept.

    The law about a body gone passes to the successor: its duty, its employees-only, and the
    function's independence from it, which becomes independence from the successor. Where
    that independence can no longer be kept (the successor alone carries it out, holds its
    duty, or alone may do it), it is kept as ``legal.independence_breached`` and noted, for
    ``check`` to report, never dropped in silence.
    """
    one, many = succession.one, succession.many
    levels, unknowns = _merged_capability(fn, one)
    legal = attrs.evolve(
        fn.legal,
        statutory_owner=many(fn.legal.statutory_owner),
        held_by_each=many(fn.legal.held_by_each),
        delegable_to=many(fn.legal.delegable_to),
        independence_from=many(fn.legal.independence_from),
        independence_breached=many(fn.legal.independence_breached),
        with_agreement_of=_consents(fn, succession, notes),
    )
    performers = many(fn.performed_by)
    merged = attrs.evolve(
        fn,
        performed_by=performers,
        # A body involved that the merger made a performer, or one it must stay apart from, is
        # no longer merely involved.
        involves=[b for b in many(fn.involves) if b not in (*performers, *legal.independence_from)],
        capability=Capability(levels),
        unknowns=unknowns,
        by_body=_merged_by_body(fn, succession),
        answers=merge_answers(fn.answers, facts, one),
        agreed_lead=None,
        legal=Legal(),
    )
    agreed = one(fn.agreed_lead) if fn.agreed_lead is not None else None
    if agreed is not None and not legal.may_lead(agreed):
        notes.append(
            f"{fn.id}: the agreed lead {fn.agreed_lead} is now {agreed}, which it must stay "
            "independent of: the agreement lapses"
        )
        agreed = None
    return _keep_independence(fn, merged, legal, agreed, succession, notes)


def _consents(fn: Function, succession: Succession, notes: list[str]) -> tuple[str, ...]:
    """The bodies whose agreement ``fn``'s decision still needs after the merger.

    A successor that now holds the function decides it (its agreement is its own decision);
    one the function must stay independent of cannot be asked to agree: each is noted.
    """
    legal, many = fn.legal, succession.many
    holders = many((*legal.statutory_owner, *legal.held_by_each))
    apart = many(legal.independence_from)
    kept = []
    for body in many(legal.with_agreement_of):
        if body in holders or body in apart:
            why = "holds it" if body in holders else "is a body it must stay independent of"
            notes.append(f"{fn.id}: the agreement of {body} is no longer asked: {body} {why}")
        else:
            kept.append(body)
    return tuple(kept)


def _merged_by_body(fn: Function, succession: Succession) -> tuple[BodyAnswers, ...]:
    """Who said what after the merger: a body gone speaks as the successor.

    A body's capability the merger changes (the successor's is the highest of the merged
    bodies') is no longer what any body said of it: its per-body record is dropped, and the
    open answer :func:`_merged_capability` gives stands.
    """
    touched = {*succession.gone, succession.into}
    return tuple(
        said.renamed(succession.one)
        for said in fn.by_body
        if not (said.key.startswith("capability.") and said.key.split(".", 1)[1] in touched)
    )


def _merged_capability(
    fn: Function, one: Callable[[str], str]
) -> tuple[dict[str, Level], tuple[tuple[str, OneOf], ...]]:
    """Each body's capability after the merger, and the function's open answers with it.

    A successor's capability is the highest of the bodies merged into it. Where one of theirs
    is open, the successor's is open over every highest the answers allow (``unknown`` and
    ``medium`` give ``medium..high``); the open answer names the successor, never a body gone.
    """
    open_ = {k.split(".", 1)[1]: v for k, v in fn.unknowns if k.startswith("capability.")}
    options: dict[str, set[Level]] = {}
    for body, level in fn.capability.levels:
        answer = open_.get(body)
        values = set(answer.values or tuple(Level)) if answer is not None else {level}
        before = options.get(one(body))
        options[one(body)] = (
            values if before is None else {max(a, b) for a in before for b in values}
        )
    levels: dict[str, Level] = {}
    unknowns = [(k, v) for k, v in fn.unknowns if not k.startswith("capability.")]
    for body, values in options.items():
        ordered = sorted(values)
        levels[body] = ordered[0]  # the placeholder nothing reads, where it is open
        if len(ordered) > 1:
            chosen: tuple[Any, ...] = tuple(ordered)
            whole = chosen == tuple(Level)
            unknowns.append((f"capability.{body}", UNKNOWN if whole else OneOf(chosen)))
    return levels, tuple(unknowns)


def _keep_independence(
    fn: Function,
    merged: Function,
    legal: Legal,
    agreed: str | None,
    succession: Succession,
    notes: list[str],
) -> Function:
    """``merged`` with its law: independence from the successor kept, or marked as breached."""
    into = succession.into
    try:
        kept = attrs.evolve(merged, legal=legal, agreed_lead=agreed)
    except ValueError:
        apart = tuple(b for b in legal.independence_from if b != into)
        # Once each: a second merger into the same body may breach it again (b2, then b3).
        breached = tuple(dict.fromkeys((*legal.independence_breached, into)))
        legal = attrs.evolve(legal, independence_from=apart, independence_breached=breached)
        gone = ", ".join(sorted(succession.gone))
        notes.append(
            f"{fn.id}: it must stay independent of {', '.join(fn.legal.independence_from)}; "
            f"with {gone} merged into {into}, {into} {_inside(merged, legal, into)}: it now sits "
            "inside a body it must stay independent of, which no arrangement can keep apart: "
            f"manage it as a conflict inside {into}, or move the function"
        )
        return attrs.evolve(merged, legal=legal, agreed_lead=agreed)
    was = [b for b in fn.legal.independence_from if b in succession.gone]
    if was and into not in fn.legal.independence_from:
        notes.append(
            f"{fn.id}: it had to stay independent of {', '.join(was)}, now merged into {into}: "
            f"it must stay independent of {into}"
        )
    return kept


def _inside(fn: Function, legal: Legal, into: str) -> str:
    """How a merger put ``fn`` inside ``into``, in words."""
    if into in legal.statutory_owner:
        return "holds its statutory duty"
    if into in legal.held_by_each:
        return "holds a duty of its own in it"
    if set(fn.performed_by) <= {into, *legal.independence_from}:
        return "carries it out"
    return "is the only body whose employees may carry it out"
