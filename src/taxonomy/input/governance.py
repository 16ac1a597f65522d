"""The joint bodies and roles a portfolio's bodies have set up (its ``governance:`` section).

The keys are :data:`taxonomy.input.shapes.JOINT_BODY`'s and :data:`taxonomy.input.shapes.ROLE`'s.
Each joint body and role is checked on its own, every problem reported; what a role reports to
may be an organisation, a joint body or another role.

Posts, joint bodies, memberships and delegations may be dated (``from``, ``until``, both days
included) and ``planned``; a membership or a delegation is dated by giving it as a mapping in
its list (:data:`taxonomy.input.shapes.MEMBERSHIP`, :data:`taxonomy.input.shapes.DELEGATED`):
``members: [county, {body: west, from: 2020-04-01}]``. Refused, each with its dates: ``until``
before ``from``, a membership or delegation outside its joint body's days, and one function
delegated by the same body to two joint bodies on overlapping days
(:func:`overlapping_delegations`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Any

from taxonomy._model import DeclaredDelegation, Governance, JointBody, Legal, Role, Term
from taxonomy.errors import PortfolioError, Problems, did_you_mean
from taxonomy.input.delegations import read_delegations
from taxonomy.input.keys import Shape
from taxonomy.input.reader import Fields, Reader
from taxonomy.input.shapes import GOVERNANCE, JOINT_BODY, ROLE
from taxonomy.input.terms import read_term
from taxonomy.input.values import (
    NO_IDS,
    attempt,
    id_list,
    item_name,
    new_id,
    read_notes,
    valid_id,
)

__all__ = [
    "cell_entry",
    "entry_cell",
    "governance_from_data",
    "overlapping_delegations",
    "read_governance",
    "read_term",
]

_Dated = tuple[tuple[str, ...] | None, tuple[tuple[str, Term], ...]]
#: Ids that could not be read (None: not even empty), and no dated entries.
_UNREAD: _Dated = (None, ())
_NONE_DATED: _Dated = (NO_IDS, ())


def governance_from_data(
    data: Any,
    *,
    organisations: Sequence[str],
    functions: Sequence[str],
    file: str = "<governance>",
) -> Governance:
    """Validate a ``governance:`` section (plain data) against the bodies and functions it names.

    The portfolio loader's own checks (keys, kinds, ids, references, a "did you mean"), for
    whoever changes a portfolio's governance (what-if scenarios adding a joint committee).

    Raises:
        PortfolioError: naming the item (``joint body 'jc'``, ``role 'ao'``) and the key.
    """
    reader = Reader(file, PortfolioError)
    return read_governance(reader, data, data, list(organisations), dict.fromkeys(functions))


def _ids(
    reader: Reader, node: Fields, shape: Shape, key: str, known: Collection[str], item: str
) -> tuple[str, ...]:
    """The ids ``shape``'s ``key`` lists, each one of ``known`` (what the key refers to)."""
    return id_list(reader, node, key, known, item, shape.key(key).refers)


_DATED_CELL = re.compile(r"^(?P<id>[^\s(]+)\s*\((?P<words>[^)]*)\)$")


def cell_entry(text: str, shape: Shape) -> str | dict[str, Any]:
    """An entry of a list cell: an id, or an id dated in brackets, as the YAML's mapping.

    A spreadsheet cell lists ids separated by commas; a dated one is written
    ``west (from 2020-04-01)``, ``collection (from 2021-04-01 until 2022-03-31 planned)``.
    A word that is not ``from DAY``, ``until DAY`` or a status is kept as a key, for the reader
    to refuse with the keys allowed.

    >>> from taxonomy.input.shapes import MEMBERSHIP
    >>> cell_entry("west (from 2020-04-01 planned)", MEMBERSHIP)
    {'body': 'west', 'from': '2020-04-01', 'status': 'planned'}
    >>> cell_entry("east", MEMBERSHIP)
    'east'
    """
    found = _DATED_CELL.match(text.strip())
    if found is None:
        return text
    entry: dict[str, Any] = {shape.keys[0].name: found["id"]}
    words = found["words"].split()
    statuses = shape.key("status").values
    while words:
        word = words.pop(0)
        if word in ("from", "until") and words:
            entry[word] = words.pop(0)
        elif word in statuses:
            entry["status"] = word
        else:
            entry[word] = None
    return entry


def entry_cell(entry: str | Mapping[str, Any], shape: Shape) -> str:
    """An entry of a list as a spreadsheet cell writes it: :func:`cell_entry` read back."""
    if isinstance(entry, str):
        return entry
    said = [f"{key} {entry[key]}" for key in ("from", "until") if entry.get(key) is not None]
    said += [str(entry["status"])] if entry.get("status") is not None else []
    return f"{entry[shape.keys[0].name]} ({' '.join(said)})"


def _dated_ids(reader: Reader, node: Fields, key: str, known: Collection[str], item: str) -> _Dated:
    """The ids ``key`` lists, each an id or a mapping dating it, and the terms of those dated.

    A plain list of ids is read as before (:func:`id_list`); each mapping is checked against its
    shape (:data:`~taxonomy.input.shapes.MEMBERSHIP` or ``DELEGATED``), every problem raised.
    """
    value = node.get(key)
    entries = value if isinstance(value, list | tuple) else None
    shape = JOINT_BODY.key(key).shape
    if entries is None or shape is None or not any(isinstance(e, Mapping) for e in entries):
        return _ids(reader, node, JOINT_BODY, key, known, item), ()
    problems = Problems(PortfolioError, file=reader.file)
    ids: list[str] = []
    terms: list[tuple[str, Term]] = []
    name = shape.keys[0].name  # body, function
    for entry in entries:
        with problems.collecting():
            if not isinstance(entry, Mapping):
                ids.append(
                    id_list(reader, {key: [entry]}, key, known, item, shape.keys[0].refers)[0]
                )
                continue
            mapping = reader.mapping(entry, what=f"a {shape.item}", item=item, at=node)
            where = f"{item}, {shape.item} of '{mapping.get(name)}'"
            reader.keys(mapping, allowed=shape.names, required=shape.required, item=where)
            found = str(mapping[name])
            if found not in known:
                reader.fail(
                    f"'{found}' is not one of the portfolio's {shape.keys[0].refers}",
                    at=mapping,
                    key=name,
                    item=where,
                    suggestion=did_you_mean(found, known),
                )
            ids.append(found)
            terms.append((found, read_term(reader, mapping, where, shape)))
    for twice in sorted({i for i in ids if ids.count(i) > 1}):
        with problems.collecting():
            reader.fail(f"lists '{twice}' twice", at=node, key=key, item=item)
    problems.raise_if_any()
    return tuple(ids), tuple(terms)


def _outside(
    reader: Reader, node: Fields, item: str, body: Term, terms: Sequence[tuple[str, Term]], key: str
) -> None:
    """Refuse a membership or delegation whose days fall outside its joint body's."""
    problems = Problems(PortfolioError, file=reader.file)
    what = "membership" if key == "members" else "delegation"
    for name, term in terms:
        if not term.within(body):
            with problems.collecting():
                reader.fail(
                    f"the {what} of '{name}' ({term.describe() or 'undated'}) is outside the "
                    f"joint body's days ({body.describe()})",
                    at=node,
                    key=key,
                    item=item,
                )
    problems.raise_if_any()


def overlapping_delegations(
    governance: Governance, holders: Mapping[str, Sequence[str]]
) -> Iterator[tuple[int, str, str]]:
    """Where one body delegates the same function to two joint bodies on overlapping days.

    A body delegates a function to a joint body it sits on when it holds the function
    (``holders``: each function's holders; a function whose holding is not stated counts every
    member). Planned delegations count too: they would overlap once made.

    Yields:
        For each problem: the index of the later joint body, the function, and the problem.
    """
    bodies = governance.bodies
    for index, body in enumerate(bodies):
        for fid in body.delegated:
            for earlier in bodies[:index]:
                if fid not in earlier.delegated:
                    continue
                first, second = earlier.delegation(fid), body.delegation(fid)
                shared = [m for m in body.members if m in earlier.members]
                held = holders.get(fid) or shared
                both = [m for m in shared if m in held]
                if both and first.overlaps(second):
                    yield (
                        index,
                        fid,
                        f"'{fid}' is delegated by {', '.join(both)} to both '{earlier.id}' "
                        f"({first.describe() or 'undated'}) and '{body.id}' "
                        f"({second.describe() or 'undated'}) on overlapping days: end one "
                        "delegation before the other starts",
                    )


def read_governance(
    reader: Reader,
    value: Any,
    top: Fields,
    orgs: list[str],
    functions: Mapping[str, object],
    holders: Mapping[str, Sequence[str]] | None = None,
    laws: Mapping[str, Legal] | None = None,
    *,
    overlaps: bool = True,
) -> Governance:
    """The ``governance:`` section: every joint body, role and delegation checked, every problem.

    ``holders`` (each function's holders in law, where stated) tells which member delegates a
    function, for :func:`overlapping_delegations`, and refuses a declared delegation by a body
    not holding it; ``laws`` (each function's legal facts) a delegation the law forbids
    (:func:`taxonomy.input.delegations.read_delegations`). Without ``overlaps``, delegations
    overlapping are not looked for: a governance read before the functions (a portfolio
    streamed) is read again once they are, their holders known.
    """
    node = reader.mapping(value, what="'governance'", at=top)
    reader.keys(node, allowed=GOVERNANCE.names, item="governance")
    problems = Problems(PortfolioError, file=reader.file)
    taken = set(orgs) | set(functions)
    bodies: list[JointBody] = []
    body_nodes_read: list[Fields] = []
    body_ids: list[str] = []
    every_id = True
    body_nodes = node.get("bodies") or []
    if node.get("bodies") is not None:
        reader.sequence(node["bodies"], what="'governance.bodies'", at=node)
    for raw in body_nodes:
        with problems.collecting():
            item_node = reader.mapping(raw, what="a joint body", at=node)
            every_id = every_id and valid_id(str(item_node.get("id")))
            bodies.append(_joint_body(reader, item_node, taken, body_ids, orgs, functions))
            body_nodes_read.append(item_node)
    roles_raw = node.get("roles") or []
    role_nodes = _role_nodes(reader, node, problems, taken)
    if not every_id or len(role_nodes) < len(roles_raw):
        problems.raise_if_any()  # what names a body or role with no id cannot be checked
    targets = dict.fromkeys([*orgs, *body_ids, *(rid for rid, _, _, _ in role_nodes)])
    roles = []
    for role_id, item_node, item, whole in role_nodes:
        if not whole:
            continue
        with problems.collecting():
            roles.append(_role(reader, item_node, item, role_id, orgs, targets, functions))
    delegations: tuple[DeclaredDelegation, ...] = ()
    if len(bodies) == len(body_nodes):  # a joint body not read cannot be delegated to
        with problems.collecting():
            delegations = read_delegations(
                reader, node, orgs, bodies, functions, holders, laws, overlaps=overlaps
            )
    problems.raise_if_any()
    governance = Governance(tuple(bodies), tuple(roles), delegations)
    if not overlaps:
        return governance
    return _without_overlaps(reader, governance, body_nodes_read, holders)


def _role_nodes(
    reader: Reader, node: Fields, problems: Problems, taken: set[str]
) -> list[tuple[str, Fields, str, bool]]:
    """Each role's id, mapping, name and whether it has every required key (problems kept)."""
    if node.get("roles") is not None:
        reader.sequence(node["roles"], what="'governance.roles'", at=node)
    role_nodes = []
    for raw in node.get("roles") or []:
        with problems.collecting():
            item_node = reader.mapping(raw, what="a role", at=node)
            item = item_name(ROLE.item, item_node)
            required = ROLE.required
            with problems.collecting():
                reader.keys(item_node, allowed=ROLE.names, required=required, item=item)
            if "id" in item_node:
                role_id = new_id(reader, item_node, item, taken)
                # A role missing a required key (already reported) is named, not built.
                whole = all(key in item_node for key in required)
                role_nodes.append((role_id, item_node, item, whole))
    return role_nodes


def _without_overlaps(
    reader: Reader,
    governance: Governance,
    nodes: Sequence[Fields],
    holders: Mapping[str, Sequence[str]] | None,
) -> Governance:
    """``governance``, unless a function is delegated twice on overlapping days (each refused)."""
    problems = Problems(PortfolioError, file=reader.file)
    for index, _fid, problem in overlapping_delegations(governance, holders or {}):
        with problems.collecting():
            at = nodes[index]
            reader.fail(problem, at=at, key="delegated", item=item_name(JOINT_BODY.item, at))
    problems.raise_if_any()
    return governance


def _joint_body(
    reader: Reader,
    node: Fields,
    taken: set[str],
    ids: list[str],
    orgs: list[str],
    functions: Mapping[str, object],
) -> JointBody:
    """One joint body, every problem in it raised together; its id, if valid, added to ``ids``."""
    item = item_name(JOINT_BODY.item, node)
    problems = Problems(PortfolioError, file=reader.file)
    with problems.collecting():
        reader.keys(node, allowed=JOINT_BODY.names, required=JOINT_BODY.required, item=item)
    body_id = kind = name = ""
    kinds = JOINT_BODY.key("kind").values
    if "id" in node:
        body_id = attempt(problems, lambda: new_id(reader, node, item, taken), "")
    if body_id:
        ids.append(body_id)
    if "kind" in node:
        kind = attempt(
            problems,
            lambda: reader.choice(node, "kind", kinds, item=item, what="a kind", fold_case=True),
            "",
        )
    if "name" in node:
        name = attempt(problems, lambda: reader.text(node, "name", item=item), "")
    members, member_terms = attempt(
        problems, lambda: _dated_ids(reader, node, "members", orgs, item), _UNREAD
    )
    if members == () and "members" in node:
        # A joint body of nobody: a spreadsheet cannot write it (an empty cell is no key).
        with problems.collecting():
            reader.fail("must name at least one organisation", at=node, key="members", item=item)
    delegated, delegation_terms = _delegated(reader, node, item, kind, functions, problems)
    oversees = attempt(
        problems, lambda: _ids(reader, node, JOINT_BODY, "oversees", functions, item), NO_IDS
    )
    notes = attempt(problems, lambda: read_notes(reader, node, item), "")
    term = attempt(problems, lambda: read_term(reader, node, item, JOINT_BODY), None)
    if term is not None:
        for key, terms in (("members", member_terms), ("delegated", delegation_terms)):
            with problems.collecting():
                _outside(reader, node, item, term, terms, key)
    problems.raise_if_any()
    return JointBody(
        id=body_id,
        name=name,
        kind=kind,
        members=members or (),
        delegated=delegated or (),
        oversees=oversees,
        notes=notes,
        term=term or Term(),
        member_terms=member_terms,
        delegation_terms=delegation_terms,
    )


def _delegated(
    reader: Reader,
    node: Fields,
    item: str,
    kind: str,
    functions: Mapping[str, object],
    problems: Problems,
) -> _Dated:
    """A joint body's ``delegated`` ids and terms, its problems kept in ``problems``.

    A joint oversight group oversees and advises and takes no decisions (board paper para 20):
    each function its ``delegated`` lists, dated or not, is refused, pointing to ``oversees``.
    """
    dated = attempt(
        problems, lambda: _dated_ids(reader, node, "delegated", functions, item), _NONE_DATED
    )
    listed = node.get("delegated") if kind == "joint_oversight_group" else None
    entries = listed if isinstance(listed, list | tuple) else ()
    names = (e.get("function") if isinstance(e, Mapping) else e for e in entries)
    for fid in dict.fromkeys(str(name) for name in names if name is not None):
        with problems.collecting():
            reader.fail(
                "a joint oversight group takes no decisions (board paper para 20): "
                f"list '{fid}' under 'oversees'",
                at=node,
                key="delegated",
                item=item,
            )
    return dated


class _Others(Collection[str]):
    """The ids of ``ids`` but ``left_out``: where a post may report (not to itself)."""

    def __init__(self, ids: Collection[str], left_out: str) -> None:
        self.ids, self.left_out = ids, left_out

    def __contains__(self, value: object) -> bool:
        return value != self.left_out and value in self.ids

    def __iter__(self) -> Iterator[str]:
        return (i for i in self.ids if i != self.left_out)

    def __len__(self) -> int:
        return len(self.ids) - (self.left_out in self.ids)


def _reports_to(
    reader: Reader, node: Fields, item: str, role_id: str, targets: Mapping[str, None]
) -> tuple[str, ...]:
    """Whom the post reports to: Boards, joint bodies or other posts, never itself."""
    value = node["reports_to"]
    if role_id and (value == role_id or (isinstance(value, list | tuple) and role_id in value)):
        reader.fail(
            f"'{role_id}' is this post itself: a post reports to a Board, a joint body or "
            "another post",
            at=node,
            key="reports_to",
            item=item,
        )
    return _ids(reader, node, ROLE, "reports_to", _Others(targets, role_id), item)


def _role(
    reader: Reader,
    node: Fields,
    item: str,
    role_id: str,
    orgs: list[str],
    targets: Mapping[str, None],
    functions: Mapping[str, object],
) -> Role:
    """One role, every problem in it raised together."""
    problems = Problems(PortfolioError, file=reader.file)
    employer = name = ""
    if "employed_by" in node:
        employer = attempt(
            problems,
            lambda: reader.choice(
                node, "employed_by", orgs, item=item, what="one of the portfolio's organisations"
            ),
            "",
        )
    reports = None
    if "reports_to" in node:
        reports = attempt(problems, lambda: _reports_to(reader, node, item, role_id, targets), None)
    if reports == ():
        with problems.collecting():
            reader.fail(
                "must name at least one Board, joint body or role",
                at=node,
                key="reports_to",
                item=item,
            )
    if "name" in node:
        name = attempt(problems, lambda: reader.text(node, "name", item=item), "")
    accountable = attempt(
        problems,
        lambda: _ids(reader, node, ROLE, "accountable_for", functions, item),
        NO_IDS,
    )
    notes = attempt(problems, lambda: read_notes(reader, node, item), "")
    term = attempt(problems, lambda: read_term(reader, node, item, ROLE), Term())
    problems.raise_if_any()
    return Role(
        id=role_id,
        name=name,
        employed_by=employer,
        reports_to=reports or (),
        accountable_for=accountable,
        notes=notes,
        term=term,
    )
