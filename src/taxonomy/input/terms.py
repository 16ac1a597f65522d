"""The days and status of a dated piece of governance (``from``, ``until``, ``status``)."""

from __future__ import annotations

import datetime

from taxonomy._model import Term
from taxonomy.errors import PortfolioError, Problems
from taxonomy.input.keys import Shape
from taxonomy.input.reader import Fields, Reader
from taxonomy.input.values import attempt, read_day

__all__ = ["read_term"]


def read_term(reader: Reader, node: Fields, item: str, shape: Shape) -> Term:
    """The ``from``, ``until`` and ``status`` of ``node`` (an item of ``shape``).

    Every problem is raised together; ``until`` before ``from`` is refused with both days.
    """
    problems = Problems(PortfolioError, file=reader.file)
    days: dict[str, datetime.date | None] = {}
    for key in ("from", "until"):
        if node.get(key) is not None:
            with problems.collecting():
                days[key] = read_day(reader, node, key, item)
    status = None
    if node.get("status") is not None:
        values = shape.key("status").values
        status = attempt(
            problems,
            lambda: reader.choice(node, "status", values, item=item, what="a status"),
            None,
        )
    start, end = days.get("from"), days.get("until")
    if start is not None and end is not None and end < start:
        with problems.collecting():
            reader.fail(f"{end} is before 'from' ({start})", at=node, key="until", item=item)
    problems.raise_if_any()
    return Term(start, end, status)
