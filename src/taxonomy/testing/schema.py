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
    from taxonomy.schemas import _parts

    arrangements = (*Arrangement.names(), "one_body")
    paper = "what a source document gives (recorded, not compared)"
    scenario = "a scenario applied first, relative to this file"
    keys: tuple[str, ...] = (*loader._CASE, *loader._RECORD)
    case = _parts.closed(
        {
            "function": _parts.text("the function's id"),
            "arrangement": _parts.enum(arrangements),
            "lead": {"type": ["string", "null"], "description": "the lead body (null: none)"},
            "decided_by": {"type": "string", "description": "the rule that decided"},
            "capped_by": {"type": "array", "items": {"type": "string"}},
            "lead_by": {"type": ["string", "null"]},
            "decided": {
                "type": "boolean",
                "description": "whether one arrangement follows whatever the unknowns are",
            },
            "possible": {
                "type": "array",
                "items": _parts.enum(arrangements),
                "minItems": 1,
                "description": "the arrangements still possible, in any order",
            },
            "paper": _parts.enum(arrangements, paper),
        },
        allowed=keys,
        required=("function",),
    )
    top = _parts.closed(
        {
            "portfolio": _parts.text("the portfolio file, relative to this one"),
            "rules": _parts.nullable(_parts.text("a rule pack folder, relative to this file")),
            "scenario": _parts.nullable(_parts.text(scenario)),
            "cases": {"type": "array", "items": case},
        },
        allowed=loader._TOP,
        required=("portfolio", "cases"),
    )
    return _parts.root(
        "expectations",
        "taxonomy expectation file",
        "What each listed function of a portfolio should get (taxonomy.testing).",
        top,
        _parts.common_defs(),
    )
