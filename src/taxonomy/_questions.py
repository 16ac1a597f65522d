"""An answer still open and what each way of answering it gives (:class:`OpenQuestion`).

Part of the results of classifying a function whose answers are not all known
(:mod:`taxonomy.partial`); :mod:`taxonomy._results` re-exports it. Its JSON keys are declared
once, in :data:`OPEN_QUESTION_JSON`, from which ``to_dict`` and the output schema derive.
"""

from __future__ import annotations

import operator
from typing import Any

import attrs

from taxonomy._output_shape import STRING, STRINGS, Shape, each, key

__all__ = ["ANSWER_JSON", "OPEN_QUESTION_JSON", "OpenQuestion"]

#: One answer to an open question and the outcomes it leaves (an item of ``answers``).
ANSWER_JSON = Shape(
    key(
        "answer",
        STRING,
        read=operator.itemgetter(0),
        description="a value, or values the rules treat alike",
    ),
    key(
        "gives",
        STRINGS,
        read=lambda answer: list(answer[1]),
        description="the outcomes that answer leaves",
    ),
)

#: OpenQuestion's JSON: an answer still open and what each way of answering it gives.
OPEN_QUESTION_JSON = Shape(
    key("key", STRING, description="the open answer, as a portfolio writes it"),
    key(
        "expected_outcomes",
        {"type": "number", "minimum": 1},
        description="outcomes (arrangement and lead) expected to remain once it is answered",
    ),
    key(
        "expected_arrangements",
        {"type": "number", "minimum": 1},
        description="arrangements expected to remain once it is answered (ranked by it first)",
    ),
    key("answers", {"type": "array", "items": ANSWER_JSON}, via=each(ANSWER_JSON)),
    key(
        "disagreement",
        {"type": "object", "additionalProperties": STRING},
        read=lambda question: dict(question.disagreement),
        omit_empty=True,
        description="where the bodies answered it each for itself and disagree: who said what "
        "(settling it is choosing among those values)",
    ),
)


@attrs.frozen
class OpenQuestion:
    """An answer still open, and what each way of answering it would give.

    Attributes:
        key: the answer, as a portfolio writes it (``efficiency.duplication``).
        expected_outcomes: the number of outcomes (arrangement and lead) expected to remain
            once it is answered (over the completions; lower settles more).
        expected_arrangements: the number of arrangements expected to remain once it is
            answered. Questions are ranked by it first, then by ``expected_outcomes``: one
            that only moves the lead comes after one that settles the arrangement.
        answers: each answer (a value, or a set of values the rules treat alike, in words),
            with the outcomes it would leave (as ``arrangement, lead`` words).
        disagreement: where the bodies answered it each for itself and disagree, each
            body's answer in words (``(("nhse", "high"), ("nhsi", "medium"))``); else empty.
            Its answers are then only the values they gave, and among questions that settle
            as much it is ranked first: the Boards can settle it between them.
    """

    key: str
    expected_outcomes: float
    answers: tuple[tuple[str, tuple[str, ...]], ...]
    expected_arrangements: float = 1.0
    disagreement: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the keys of :data:`OPEN_QUESTION_JSON`."""
        return OPEN_QUESTION_JSON.dump(self)
