"""The delegations a portfolio declares in their own right (``governance.delegations``).

The keys are :data:`taxonomy.input.shapes.DELEGATION`'s. A declared delegation hands a
function's decisions from a holder to other bodies: an organisation, a joint body, or several
bodies each for its own area (NHS England delegating pharmacy, optometry and dental
commissioning to each integrated care board)::

    delegations:
      - {function: pod, by: nhse, to: [icb-a, icb-b], each_for_own_area: true,
         basis: "NHS Act 2006 s.65Z5", from: 2023-04-01}

Refused, every problem at once, each naming the delegation, the key and the days: a function,
holder or recipient the portfolio does not have (with a "did you mean"); a body that does not
hold the function in law (only a holder delegates); a body delegating to itself; a joint
oversight group (it takes no decisions: board paper para 20); ``until``
before ``from``; a recipient the function must stay independent of, or of a kind
``legal.not_delegable_to`` forbids; two delegations of one function by one holder on
overlapping days, declared ones or a joint body's (:func:`overlapping_declared`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from taxonomy._model import DeclaredDelegation, JointBody, Legal, Term
from taxonomy.errors import PortfolioError, Problems, did_you_mean
from taxonomy.input.reader import Fields, Reader, Row
from taxonomy.input.shapes import DELEGATION
from taxonomy.input.sheets import boolean
from taxonomy.input.terms import read_term
from taxonomy.input.values import NO_IDS, attempt, id_list, read_notes

__all__ = ["entry_data", "overlapping_declared", "read_delegations"]


def read_delegations(
    reader: Reader,
    node: Fields,
    orgs: Sequence[str],
    bodies: Sequence[JointBody],
    functions: Mapping[str, object],
    holders: Mapping[str, Sequence[str]] | None,
    laws: Mapping[str, Legal] | None = None,
    *,
    overlaps: bool = True,
) -> tuple[DeclaredDelegation, ...]:
    """``governance.delegations``: each checked, every problem raised together.

    ``holders`` (each function's holders, where the portfolio's functions are read) lets the
    reader refuse a body that does not hold what it delegates; ``laws`` (each function's legal
    facts) a recipient the function must stay independent of or may not be delegated to.
    Without ``overlaps``, two delegations overlapping are not looked for (a governance read
    before the functions: who holds them, which decides it, is not known yet).
    """
    value = node.get("delegations")
    if value is None:
        return ()
    reader.sequence(value, what="'governance.delegations'", at=node)
    problems = Problems(PortfolioError, file=reader.file)
    found: list[DeclaredDelegation] = []
    items: list[tuple[Fields, str]] = []
    for number, raw in enumerate(value, start=1):
        with problems.collecting():
            entry = reader.mapping(raw, what="a delegation", at=node)
            item = _item(number, entry)
            made = _delegation(reader, entry, item, orgs, bodies, functions)
            _against_law(reader, entry, item, made, holders, laws, bodies)
            found.append(made)
            items.append((entry, item))
    for index, problem in overlapping_declared(found, bodies, holders or {}) if overlaps else ():
        with problems.collecting():
            entry, item = items[index]
            reader.fail(problem, at=entry, key="from", item=item)
    problems.raise_if_any()
    return tuple(found)


def _item(number: int, entry: Fields) -> str:
    """How messages name a delegation: ``delegation 2 ('pod' by 'nhse')``."""
    fid, by = entry.get("function"), entry.get("by")
    said = f" ('{fid}' by '{by}')" if isinstance(fid, str) and isinstance(by, str) else ""
    return f"delegation {number}{said}"


def _delegation(
    reader: Reader,
    entry: Fields,
    item: str,
    orgs: Sequence[str],
    bodies: Sequence[JointBody],
    functions: Mapping[str, object],
) -> DeclaredDelegation:
    """One delegation's keys read, every problem in it raised together."""
    problems = Problems(PortfolioError, file=reader.file)
    with problems.collecting():
        reader.keys(entry, allowed=DELEGATION.names, required=DELEGATION.required, item=item)
    fid = by = ""
    if "function" in entry:
        fid = attempt(problems, lambda: _function(reader, entry, item, functions), "")
    if "by" in entry:
        what = "one of the portfolio's organisations"
        by = attempt(problems, lambda: reader.choice(entry, "by", orgs, item=item, what=what), "")
    known = dict.fromkeys([*orgs, *(b.id for b in bodies)])
    refers = "organisations or joint bodies"
    to = attempt(problems, lambda: id_list(reader, entry, "to", known, item, refers), NO_IDS)
    if "to" in entry and not to and to is not NO_IDS:
        with problems.collecting():
            reader.fail("must name at least one body", at=entry, key="to", item=item)
    if by and by in to:
        with problems.collecting():
            reader.fail(f"'{by}' delegates to itself", at=entry, key="to", item=item)
    for group in (b.id for b in bodies if b.kind == "joint_oversight_group" and b.id in to):
        with problems.collecting():
            reader.fail(
                f"'{group}' is a joint oversight group, which takes no decisions (board paper "
                f"para 20): list '{fid or entry.get('function')}' under its 'oversees'",
                at=entry,
                key="to",
                item=item,
            )
    each_own = _flag(reader, problems, entry, "each_for_own_area", item)
    accountable = _flag(reader, problems, entry, "holder_accountable", item, default=True)
    decisions: tuple[str, ...] = attempt(
        problems, lambda: _words(reader, entry, "decisions", item), NO_IDS
    )
    basis = attempt(problems, lambda: _text(reader, entry, "basis", item), "")
    source = attempt(problems, lambda: _text(reader, entry, "source", item), "")
    notes = attempt(problems, lambda: read_notes(reader, entry, item), "")
    term = attempt(problems, lambda: read_term(reader, entry, item, DELEGATION), Term())
    problems.raise_if_any()
    return DeclaredDelegation(
        function=fid,
        by=by,
        to=to,
        each_for_own_area=each_own,
        decisions=decisions,
        basis=basis,
        holder_accountable=accountable,
        term=term,
        source=source,
        notes=notes,
    )


def _function(reader: Reader, entry: Fields, item: str, functions: Mapping[str, object]) -> str:
    found = entry["function"]
    if not isinstance(found, str) or found not in functions:
        reader.fail(
            f"'{found}' is not one of the portfolio's functions",
            at=entry,
            key="function",
            item=item,
            suggestion=did_you_mean(str(found), functions),
        )
    return found


def _flag(
    reader: Reader,
    problems: Problems,
    entry: Fields,
    key: str,
    item: str,
    *,
    default: bool = False,
) -> bool:
    value = entry.get(key)
    if value is None:
        return default
    if isinstance(entry, Row) and isinstance(value, str):  # a cell: true, yes, 1 ...
        with contextlib.suppress(ValueError):
            value = boolean(value, ValueError())
    if not isinstance(value, bool):
        with problems.collecting():
            reader.fail("must be true or false", at=entry, key=key, item=item)
        return default
    return value


def _text(reader: Reader, entry: Fields, key: str, item: str) -> str:
    return "" if entry.get(key) is None else reader.text(entry, key, item=item)


def _words(reader: Reader, entry: Fields, key: str, item: str) -> tuple[str, ...]:
    value = entry.get(key)
    if value is None:
        return ()
    value = [value] if isinstance(value, str) else value
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) and v for v in value):
        reader.fail("must be a list of decisions (text)", at=entry, key=key, item=item)
    return tuple(value)


def _against_law(
    reader: Reader,
    entry: Fields,
    item: str,
    made: DeclaredDelegation,
    holders: Mapping[str, Sequence[str]] | None,
    laws: Mapping[str, Legal] | None,
    bodies: Sequence[JointBody],
) -> None:
    """Refuse what the law forbids: a delegator not holding it, a recipient it must not reach."""
    problems = Problems(PortfolioError, file=reader.file)
    fid = made.function
    if holders is not None and fid in holders:
        held = tuple(holders[fid])
        if not held:
            problem = (
                f"who holds '{fid}' in law is not stated: only a holder delegates "
                "(give legal.statutory_owner or legal.held_by_each)"
            )
        else:
            problem = (
                f"'{made.by}' does not hold '{fid}' in law (held by {', '.join(held)}): only a "
                "holder delegates"
            )
        if made.by not in held:
            with problems.collecting():
                reader.fail(problem, at=entry, key="by", item=item)
    legal = (laws or {}).get(fid)
    kinds = {b.id: b.kind for b in bodies}
    for body in made.to if legal is not None else ():
        for problem in _forbidden(fid, body, kinds.get(body), legal):
            with problems.collecting():
                reader.fail(problem, at=entry, key="to", item=item)
    problems.raise_if_any()


def _forbidden(fid: str, body: str, kind: str | None, legal: Legal | None) -> Iterator[str]:
    """Why the law forbids delegating ``fid`` to ``body`` (a joint body of ``kind``, or None)."""
    if legal is None:
        return
    if body in legal.independence_from:
        yield f"'{fid}' must stay independent of '{body}' (legal.independence_from)"
    limit = "another_body" if kind is None else "joint_committee"
    if limit in legal.not_delegable_to and (kind is None or kind == "joint_committee"):
        what = "another body" if kind is None else "a joint committee"
        yield (
            f"'{fid}' may not be delegated to {what} (legal.not_delegable_to), but '{body}' is one"
        )


def overlapping_declared(
    found: Sequence[DeclaredDelegation],
    bodies: Sequence[JointBody],
    holders: Mapping[str, Sequence[str]],
) -> Iterator[tuple[int, str]]:
    """Where one holder delegates one function twice on overlapping days.

    Each declared delegation is compared with the declared ones before it and with each joint
    body the holder delegates the function to (its member, holding it: the joint body's
    ``delegated``). Planned ones count too: they would overlap once made.

    Yields:
        The index of the later delegation and the problem, with both delegations' days.
    """
    for index, made in enumerate(found):
        for earlier in found[:index]:
            same = (earlier.function, earlier.by) == (made.function, made.by)
            if same and earlier.term.overlaps(made.term):
                yield index, _overlap(made, f"to {', '.join(earlier.to)}", earlier.term)
        for body in bodies:
            held = holders.get(made.function) or body.members
            if made.function not in body.delegated or made.by not in body.members:
                continue
            term = body.delegation(made.function)
            if made.by in held and term.overlaps(made.term):
                yield index, _overlap(made, f"to the joint body '{body.id}'", term)


def _overlap(made: DeclaredDelegation, other: str, term: Term) -> str:
    return (
        f"'{made.by}' delegates '{made.function}' to {', '.join(made.to)} "
        f"({made.term.describe() or 'undated'}) and {other} ({term.describe() or 'undated'}) "
        "on overlapping days: end one delegation before the other starts"
    )


def entry_data(made: DeclaredDelegation) -> dict[str, Any]:
    """A declared delegation as a file writes it (only what is said)."""
    data: dict[str, Any] = {"function": made.function, "by": made.by, "to": list(made.to)}
    if made.each_for_own_area:
        data["each_for_own_area"] = True
    if made.decisions:
        data["decisions"] = list(made.decisions)
    if made.basis:
        data["basis"] = made.basis
    if not made.holder_accountable:
        data["holder_accountable"] = False
    data |= made.term.to_data()
    if made.source:
        data["source"] = made.source
    if made.notes:
        data["notes"] = made.notes
    return data
