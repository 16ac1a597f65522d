"""The joint bodies and roles a portfolio's bodies have set up (its ``governance:`` section).

The keys are :data:`taxonomy.input.shapes.JOINT_BODY`'s and :data:`taxonomy.input.shapes.ROLE`'s.
Each joint body and role is checked on its own, every problem reported; what a role reports to
may be an organisation, a joint body or another role.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from taxonomy._model import Governance, JointBody, Role
from taxonomy.errors import PortfolioError, Problems
from taxonomy.input.keys import Shape
from taxonomy.input.reader import Fields, Reader
from taxonomy.input.shapes import GOVERNANCE, JOINT_BODY, ROLE
from taxonomy.input.values import NO_IDS, attempt, id_list, item_name, new_id, read_notes, valid_id

__all__ = ["governance_from_data", "read_governance"]


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


def read_governance(
    reader: Reader, value: Any, top: Fields, orgs: list[str], functions: Mapping[str, None]
) -> Governance:
    """The ``governance:`` section: every joint body and role checked, every problem raised."""
    node = reader.mapping(value, what="'governance'", at=top)
    reader.keys(node, allowed=GOVERNANCE.names, item="governance")
    problems = Problems(PortfolioError, file=reader.file)
    taken = set(orgs) | set(functions)
    bodies: list[JointBody] = []
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
    roles_raw = node.get("roles") or []
    if node.get("roles") is not None:
        reader.sequence(node["roles"], what="'governance.roles'", at=node)
    role_nodes = []
    for raw in roles_raw:
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
    if not every_id or len(role_nodes) < len(roles_raw):
        problems.raise_if_any()  # what names a body or role with no id cannot be checked
    targets = dict.fromkeys([*orgs, *body_ids, *(rid for rid, _, _, _ in role_nodes)])
    roles = []
    for role_id, item_node, item, whole in role_nodes:
        if not whole:
            continue
        with problems.collecting():
            roles.append(_role(reader, item_node, item, role_id, orgs, targets, functions))
    problems.raise_if_any()
    return Governance(tuple(bodies), tuple(roles))


def _joint_body(
    reader: Reader,
    node: Fields,
    taken: set[str],
    ids: list[str],
    orgs: list[str],
    functions: Mapping[str, None],
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
    members = attempt(problems, lambda: _ids(reader, node, JOINT_BODY, "members", orgs, item), None)
    if members == () and "members" in node:
        # A joint body of nobody: a spreadsheet cannot write it (an empty cell is no key).
        with problems.collecting():
            reader.fail("must name at least one organisation", at=node, key="members", item=item)
    delegated = attempt(
        problems, lambda: _ids(reader, node, JOINT_BODY, "delegated", functions, item), NO_IDS
    )
    oversees = attempt(
        problems, lambda: _ids(reader, node, JOINT_BODY, "oversees", functions, item), NO_IDS
    )
    notes = attempt(problems, lambda: read_notes(reader, node, item), "")
    problems.raise_if_any()
    return JointBody(
        id=body_id,
        name=name,
        kind=kind,
        members=members or (),
        delegated=delegated,
        oversees=oversees,
        notes=notes,
    )


def _role(
    reader: Reader,
    node: Fields,
    item: str,
    role_id: str,
    orgs: list[str],
    targets: Mapping[str, None],
    functions: Mapping[str, None],
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
        reports = attempt(
            problems, lambda: _ids(reader, node, ROLE, "reports_to", targets, item), None
        )
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
    problems.raise_if_any()
    return Role(
        id=role_id,
        name=name,
        employed_by=employer,
        reports_to=reports or (),
        accountable_for=accountable,
        notes=notes,
    )
