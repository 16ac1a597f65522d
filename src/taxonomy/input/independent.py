"""Reading ``independent_bodies``: bodies outside the joint working a function stays apart from.

An independent review or advisory panel is no member: it carries nothing out and holds
nothing, but a function may have to stay independent of it (``legal.independence_from``).
Its keys are :data:`~taxonomy.input.shapes.INDEPENDENT_BODY`'s; every problem is reported at
once, with the file, the item and the key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from taxonomy._model import IndependentBody
from taxonomy.errors import PortfolioError, Problems
from taxonomy.input.reader import Fields, Reader
from taxonomy.input.shapes import INDEPENDENT_BODY
from taxonomy.input.values import attempt, item_name, read_id

__all__ = ["check_independent_ids", "read_independent"]


def read_independent(
    reader: Reader, problems: Problems, top: Fields, bodies: list[str]
) -> list[IndependentBody]:
    """Each valid independent body of ``top`` (every problem recorded in ``problems``).

    ``bodies``: the organisations' ids, which an independent body's id may not take.
    """
    if top.get("independent_bodies") is None:
        return []
    with problems.collecting():
        nodes = reader.sequence(top["independent_bodies"], what="'independent_bodies'", at=top)
        found: list[IndependentBody] = []
        ids: list[str] = []
        for value in nodes:
            with problems.collecting():
                node = reader.mapping(value, what="an independent body", at=nodes)
                found.append(_one(reader, node, ids, bodies))
        return found
    return []


def _one(reader: Reader, node: Fields, ids: list[str], bodies: list[str]) -> IndependentBody:
    """One independent body, every problem in it raised together; its id added to ``ids``."""
    item = item_name(INDEPENDENT_BODY.item, node)
    problems = Problems(PortfolioError, file=reader.file)
    with problems.collecting():
        reader.keys(
            node, allowed=INDEPENDENT_BODY.names, required=INDEPENDENT_BODY.required, item=item
        )
    body_id = (
        attempt(problems, lambda: read_id(reader, node, "id", item), "") if "id" in node else ""
    )
    if body_id in ids or body_id in bodies:
        whose = "another independent body" if body_id in ids else "an organisation"
        with problems.collecting():
            reader.fail(
                f"this id is used by {whose}: a body outside the portfolio needs its own id",
                at=node,
                key="id",
                item=item,
            )
    elif body_id:
        ids.append(body_id)
    texts = {key: _text(reader, problems, node, key, item) for key in ("name", "source")}
    problems.raise_if_any()
    return IndependentBody(body_id, texts["name"], texts["source"])


def _text(reader: Reader, problems: Problems, node: Fields, key: str, item: str) -> str:
    """``node[key]``, text, where given (a problem recorded, else empty)."""
    if key not in node:
        return ""  # missing: reported by the keys check
    return attempt(problems, lambda: reader.text(node, key, item=item), "")


def check_independent_ids(
    reader: Reader, problems: Problems, top: Fields, taken: Iterable[str], outside: Iterable[str]
) -> None:
    """Record each independent body whose id a function or the governance already uses."""
    used = set(taken)
    nodes: Any = top.get("independent_bodies") or []
    for body in outside:
        if body in used:
            node = next((n for n in nodes if isinstance(n, Mapping) and n.get("id") == body), top)
            with problems.collecting():
                reader.fail(
                    "this id is used by a function or the governance: a body outside the "
                    "portfolio needs its own id",
                    at=node,
                    key="id",
                    item=item_name(INDEPENDENT_BODY.item, node),
                )
