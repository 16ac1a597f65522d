"""The JSON Schema of an expectation file, built from the expectation loader's own keys.

``taxonomy schema expectations`` writes it; editors use it to complete and check the file.
"""

from __future__ import annotations

from typing import Any

from taxonomy._model import Arrangement
from taxonomy.testing import expectations as loader

__all__ = ["expectations_schema"]


def expectations_schema() -> dict[str, Any]:
    """The schema of an expectation file (what each function of a portfolio should get)."""
    # The loader's key lists and the input schemas' builders are private to their modules: the
    # schema reads them rather than keeping a second copy.
    from taxonomy.schemas import _inputs

    arrangements = (*Arrangement.names(), "one_body")
    paper = "what a source document gives (recorded, not compared)"
    scenario = "a scenario applied first, relative to this file"
    keys: tuple[str, ...] = (*loader._CASE, *loader._RECORD)
    case = _inputs._closed(
        {
            "function": _inputs._text("the function's id"),
            "arrangement": _inputs._enum(arrangements),
            "lead": {"type": ["string", "null"], "description": "the lead body (null: none)"},
            "decided_by": {"type": "string", "description": "the rule that decided"},
            "capped_by": {"type": "array", "items": {"type": "string"}},
            "lead_by": {"type": ["string", "null"]},
            "paper": _inputs._enum(arrangements, paper),
        },
        allowed=keys,
        required=("function",),
    )
    top = _inputs._closed(
        {
            "portfolio": _inputs._text("the portfolio file, relative to this one"),
            "rules": _inputs._nullable(_inputs._text("a rule pack folder, relative to this file")),
            "scenario": _inputs._nullable(_inputs._text(scenario)),
            "cases": {"type": "array", "items": case},
        },
        allowed=loader._TOP,
        required=("portfolio", "cases"),
    )
    return _inputs._root(
        "expectations",
        "taxonomy expectation file",
        "What each listed function of a portfolio should get (taxonomy.testing).",
        top,
        _inputs._common_defs(),
    )
