"""The law a portfolio works under: undated (``{joint_committees: true}``) or dated provisions.

A dated law is a list of provisions (:data:`taxonomy.input.shapes.PROVISION`), each in force
from a day and until a day, some abolishing bodies into a successor
(:data:`taxonomy.input.shapes.ABOLITION`), some setting functions' legal facts
(:data:`taxonomy.input.shapes.FUNCTION_LAW`, each value read as a function's ``legal`` is).
Every provision is checked, then the succession of bodies it traces.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import attrs

from taxonomy._model import Abolition, FunctionLaw, Law, Provision
from taxonomy.errors import PortfolioError, Problems, did_you_mean
from taxonomy.input.legal import read_legal
from taxonomy.input.reader import Fields, Reader
from taxonomy.input.shapes import ABOLITION, FUNCTION_LAW, LAW, LEGAL, PROVISION
from taxonomy.input.values import item_name, read_day, read_id, valid_id


@attrs.frozen
class _Known:
    """What a provision's ids may name: bodies (successors established too), functions, posts."""

    bodies: list[str]
    functions: Collection[str]
    roles: Collection[str] | None = None


__all__ = ["read_law"]


def read_law(
    reader: Reader,
    value: Any,
    top: Fields,
    bodies: list[str],
    taken: list[str],
    *,
    outside: tuple[str, ...] = (),
    functions: Collection[str] = (),
    roles: Collection[str] | None = None,
) -> Law:
    """``law:``: a mapping (undated, always in force) or a list of dated provisions.

    ``outside`` are the bodies outside the portfolio; ``functions`` the function ids a
    provision's ``functions`` may name; ``roles`` the posts (``governance.roles``) their
    ``legal.decided_by`` may name (None: not judged, the governance could not be read).
    """
    if isinstance(value, list | tuple):
        known = _Known([], functions, roles)
        return _dated_law(reader, value, top, bodies, taken, known, outside)
    if not isinstance(value, Mapping):
        reader.fail(
            "must be a mapping ({joint_committees: true|false}) or a list of dated provisions",
            at=top,
            key="law",
        )
    node = reader.mapping(value, what="'law'", at=top)
    reader.keys(node, allowed=LAW.names, item="law")
    allowed = node.get("joint_committees", False)
    if not isinstance(allowed, bool):
        reader.fail("must be true or false", at=node, key="joint_committees", item="law")
    return Law(joint_committees=allowed)


def _dated_law(
    reader: Reader,
    items: list[Any] | tuple[Any, ...],
    top: Fields,
    bodies: list[str],
    taken: list[str],
    given: _Known,
    outside: tuple[str, ...] = (),
) -> Law:
    if not items:
        reader.fail(
            "lists no provisions: give a mapping, or one provision or more", at=top, key="law"
        )
    provisions: list[Provision] = []
    nodes: list[tuple[Fields, str]] = []
    problems = Problems(PortfolioError, file=reader.file)
    successors = [e.get("into") for raw in items if isinstance(raw, Mapping) for e in _new(raw)]
    named = [*bodies, *(s for s in successors if isinstance(s, str))]
    ids = attrs.evolve(given, bodies=named)
    for raw in items:
        with problems.collecting():
            _provision(reader, raw, items, provisions, nodes, ids)
    problems.raise_if_any()  # the succession is traced through provisions that are all readable
    law = Law(provisions=tuple(provisions))
    for position, index, key, wrong, problem, known in law.succession_problems(
        bodies, taken, outside=outside
    ):
        node, item = nodes[position]
        entry = node["abolishes"][index]
        # A new successor's id clashes with one in use: no list of bodies would help.
        new_successor = key == "into" and entry.get("name") is not None
        with problems.collecting():
            reader.fail(
                problem,
                at=entry,
                key=key,
                item=f"{item}, abolishes",
                allowed=None if new_successor else known,
                suggestion=None if new_successor else did_you_mean(wrong, known),
            )
    problems.raise_if_any()
    return law


def _provision(
    reader: Reader,
    raw: Any,
    items: Sequence[Any],
    provisions: list[Provision],
    nodes: list[tuple[Fields, str]],
    known: _Known,
) -> None:
    """Check one provision of a dated law against those before it, and add it to them."""
    node = reader.mapping(raw, what="a provision of the law", at=items)
    item = item_name("law: provision", node)
    reader.keys(node, allowed=PROVISION.names, required=PROVISION.required, item=item)
    provision_id = read_id(reader, node, "id", item)
    if provision_id in [p.id for p in provisions]:
        reader.fail("this id is used by another provision", at=node, key="id", item=item)
    said = node.get("joint_committees")
    if said is not None and not isinstance(said, bool):
        reader.fail("must be true or false", at=node, key="joint_committees", item=item)
    start = read_day(reader, node, "from", item) if node.get("from") is not None else None
    end = read_day(reader, node, "until", item) if node.get("until") is not None else None
    abolishes = _abolishes(reader, node, item) if node.get("abolishes") is not None else ()
    laws = _functions(reader, node, item, known) if node.get("functions") is not None else ()
    if start is not None and end is not None and end < start:
        reader.fail(f"{end} is before 'from' ({start})", at=node, key="until", item=item)
    if said is None and not abolishes and not laws:
        reader.fail(
            "says nothing: give joint_committees, abolishes or functions", at=node, item=item
        )
    if abolishes and (start is None or end is not None):
        reader.fail(
            "an abolition is permanent: a provision that abolishes bodies has a 'from' day "
            "and no 'until' (put what ends in a provision of its own)",
            at=node,
            key="until" if end is not None else "abolishes",
            item=item,
        )
    provision = Provision(
        id=provision_id,
        source=reader.text(node, "source", item=item),
        from_=start,
        until=end,
        joint_committees=said,
        abolishes=abolishes,
        functions=laws,
    )
    for earlier in provisions:
        problem = earlier.disagreement(provision)
        if problem is not None:
            key = "joint_committees" if "on joint_committees" in problem else "functions"
            reader.fail(problem, at=node, key=key, item=item)
    provisions.append(provision)
    nodes.append((node, item))


def _abolishes(reader: Reader, node: Fields, item: str) -> tuple[Abolition, ...]:
    entries = reader.sequence(node["abolishes"], what="'abolishes'", item=item, at=node)
    found = []
    for raw in entries:
        entry = reader.mapping(raw, what="an abolition", item=item, at=entries)
        where = f"{item}, abolishes"
        reader.keys(entry, allowed=ABOLITION.names, required=ABOLITION.required, item=where)
        gone = entry["body"]
        gone = [gone] if isinstance(gone, str) else gone
        if not isinstance(gone, list | tuple) or not gone:
            reader.fail("must be a body id or a list of them", at=entry, key="body", item=where)
        for body in gone:
            if not isinstance(body, str) or not valid_id(body):
                reader.fail(
                    f"'{body}' is not a valid id: use lower-case letters, digits, '.', '_' or '-'",
                    at=entry,
                    key="body",
                    item=where,
                )
        into = read_id(reader, entry, "into", where)
        if into in gone:
            reader.fail(
                f"'{into}' cannot be abolished into itself", at=entry, key="into", item=where
            )
        if len(set(gone)) != len(gone):
            reader.fail("lists a body twice", at=entry, key="body", item=where)
        name = reader.text(entry, "name", item=where) if entry.get("name") is not None else None
        found.append(Abolition(tuple(gone), into, name))
    return tuple(found)


def _new(raw: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The abolitions of a provision as written that establish a new successor (``name``)."""
    entries = raw.get("abolishes")
    if not isinstance(entries, list | tuple):
        return []
    return [e for e in entries if isinstance(e, Mapping) and e.get("name") is not None]


def _functions(reader: Reader, node: Fields, item: str, known: _Known) -> tuple[FunctionLaw, ...]:
    """A provision's ``functions``: each function's legal facts it sets (every problem)."""
    entries = reader.sequence(node["functions"], what="'functions'", item=item, at=node)
    problems = Problems(PortfolioError, file=reader.file)
    found: list[FunctionLaw] = []
    for raw in entries:
        with problems.collecting():
            law = _function_law(reader, raw, entries, item, known)
            if law.function in [f.function for f in found]:
                reader.fail(
                    f"sets the law of '{law.function}' twice: give its facts in one entry",
                    at=node,
                    key="functions",
                    item=item,
                )
            found.append(law)
    problems.raise_if_any()
    return tuple(found)


def _function_law(
    reader: Reader, raw: Any, entries: Sequence[Any], item: str, known: _Known
) -> FunctionLaw:
    """One entry of a provision's ``functions``: the function and the facts it sets."""
    entry = reader.mapping(raw, what="a function's law", item=item, at=entries)
    where = f"{item}, functions"
    reader.keys(entry, allowed=FUNCTION_LAW.names, required=FUNCTION_LAW.required, item=where)
    problems = Problems(PortfolioError, file=reader.file)
    function = ""
    with problems.collecting():
        function = read_id(reader, entry, "function", where)
        if function not in known.functions:
            ids = list(known.functions)
            reader.fail(
                f"'{function}' is not one of the portfolio's functions",
                at=entry,
                key="function",
                item=where,
                allowed=ids,
                suggestion=did_you_mean(function, ids),
            )
    where = f"{where}, {function or 'function'}"
    legal = reader.mapping(entry["legal"], what="'legal'", item=where, at=entry)
    with problems.collecting():
        reader.keys(legal, allowed=LEGAL.names, item=f"{where}, legal")
    read = None
    with problems.collecting():
        read = read_legal(reader, entry, where, known.bodies, None)
    if known.roles is not None:
        _known_posts(reader, problems, legal, f"{where}, legal", known.roles)
    problems.raise_if_any()
    assert read is not None  # read_legal raised otherwise, and that was raised just above
    written = [key for key in LEGAL.keys if legal.get(key.name) is not None]
    if not written:
        reader.fail("sets no legal fact: give one key or more", at=entry, key="legal", item=where)
    # `held_by_each: all` is each body carrying it out on the day judged, not on this one.
    every = legal.get("held_by_each") == "all"
    facts = [
        (key.attr, "all" if every and key.name == "held_by_each" else getattr(read, key.attr))
        for key in written
    ]
    return FunctionLaw(function, tuple(facts))


def _known_posts(
    reader: Reader, problems: Problems, legal: Fields, item: str, roles: Collection[str]
) -> None:
    """Record each post ``legal.decided_by`` names that is not one of the governance's roles.

    A function's own ``decided_by`` is judged against the roles once they are read
    (:func:`taxonomy.input.legal.check_posts`); a provision's names posts too, refused alike.
    """
    posts = legal.get("decided_by")
    if not isinstance(posts, list | tuple):
        return  # not a list: read_legal said so
    known = list(roles)
    for post in posts:
        if isinstance(post, str) and post not in known:
            with problems.collecting():
                reader.fail(
                    f"'{post}' is not one of the portfolio's roles (governance.roles)",
                    at=legal,
                    key="decided_by",
                    item=item,
                    allowed=known if 0 < len(known) <= 40 else None,
                    suggestion=did_you_mean(post, known),
                )
