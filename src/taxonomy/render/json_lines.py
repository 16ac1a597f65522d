"""One writer of ``classify --format jsonl``'s recommendation lines for a whole run.

A line is ``json.dumps(recommendation.to_dict() | {"summary": ...}, sort_keys=True,
ensure_ascii=False)`` byte for byte; :class:`LineWriter` writes the same bytes for less. The
rules that fired for a function are, with the engine's memo, mostly the same objects from one
function to the next (a frozen :class:`~taxonomy._explanation.Firing` per distinct case), and
their JSON is half a line's cost: each is encoded once and kept (a bounded number of them, by
:class:`~taxonomy.render.wording.FiringWords`), and a line's ``fired`` list is spliced in as text
where the rest of the line, encoded without it, holds a marker no input can write.
"""

from __future__ import annotations

import json
import secrets
from typing import TYPE_CHECKING, Any

import attrs

from taxonomy._explanation import EXPLANATION_JSON, FIRING_JSON
from taxonomy._output_shape import Shape
from taxonomy._results import RECOMMENDATION_JSON
from taxonomy.render.wording import FiringWords

if TYPE_CHECKING:
    from taxonomy._explanation import Firing
    from taxonomy._results import Recommendation

__all__ = ["LineWriter"]


class LineWriter:
    r"""Recommendations as JSON lines, byte for byte as ``json.dumps`` of their dicts writes them.

    >>> import json, taxonomy
    >>> result = taxonomy.classify(taxonomy.load_portfolio(
    ...     "examples/nhs_joint_working_2018.yaml"))
    >>> rec = result.recommendations[0]
    >>> LineWriter().line(rec, "S") == json.dumps(
    ...     rec.to_dict() | {"summary": "S"}, sort_keys=True, ensure_ascii=False) + "\n"
    True
    """

    def __init__(self) -> None:
        # A control character and a token made for this writer: no input text holds both.
        marker = f"\x00fired {secrets.token_hex(16)}"
        self._marker = json.dumps(marker)
        explanation = _shape_with(EXPLANATION_JSON, "fired", lambda _: marker)
        self._dump = _shape_with(RECOMMENDATION_JSON, "explanation", explanation.dump).dump
        self._encode = json.JSONEncoder(sort_keys=True, ensure_ascii=False).encode
        self._firings = FiringWords()

    def line(self, recommendation: Recommendation, summary: str | None) -> str:
        """One recommendation's line (``summary`` added when not None), its newline ending it."""
        data = self._dump(recommendation)
        if summary is not None:
            data["summary"] = summary
        fired = ", ".join(map(self._firing, recommendation.explanation.fired))
        return self._encode(data).replace(self._marker, f"[{fired}]", 1) + "\n"

    def _firing(self, firing: Firing) -> str:
        kept = self._firings.get(firing)
        if kept is None:
            kept = self._firings.keep(firing, self._encode(FIRING_JSON.dump(firing)))
        return kept


def _shape_with(shape: Shape, name: str, via: Any) -> Shape:
    """``shape`` with the key ``name`` written by ``via`` (the rest as it is)."""
    keys = [attrs.evolve(k, via=via) if k.name == name else k for k in shape.keys]
    return Shape(*keys, extra=shape.extra, order=shape.order)
