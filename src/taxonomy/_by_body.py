"""Each body's own answers: whether a placement holds whatever they say, or whose answer decides it.

Part of the results of classifying a function some of whose questions each body answered for
itself (:class:`~taxonomy._model.BodyAnswers`): :class:`Disagreement` says whether the
placement holds whatever the bodies say and, for each body, what its answers give
(:class:`BodyView`). :mod:`taxonomy._results` re-exports them; their JSON keys are declared once,
in :data:`DISAGREEMENT_JSON` and :data:`BODY_VIEW_JSON`.
"""

from __future__ import annotations

from typing import Any

import attrs

from taxonomy._model import Arrangement, BodyAnswers, OneOf
from taxonomy._output_shape import STRING_OR_NULL, STRINGS, Schema, Shape, key, text

__all__ = ["BODY_VIEW_JSON", "DISAGREEMENT_JSON", "BodyView", "Disagreement"]

_ANSWER: Schema = {
    "oneOf": [
        {"type": ["string", "boolean", "integer"]},
        {"type": "array", "items": {"type": ["string", "boolean", "integer"]}},
    ],
    "description": "the value the body gave (unknown, a range or a list where it gave one)",
}

#: One body's possible outcome, in a view open over other answers left open.
_VIEW_OUTCOME = Shape(
    key("arrangement", {"enum": list(Arrangement.names())}, via=str),
    key("lead", STRING_OR_NULL),
    key("share", {"type": "string", "pattern": r"^[0-9]+(/[0-9]+)?$"}),
)


def _answers(view: BodyView) -> dict[str, Any]:
    return {k: BodyAnswers.value_data(answer) for k, answer in view.answers}


def _possible(view: BodyView) -> list[dict[str, Any]]:
    rec = view.recommendation
    return [] if len(rec.outcomes) == 1 else [_VIEW_OUTCOME.dump(o) for o in rec.outcomes]


#: BodyView's JSON: what one body's answers give.
BODY_VIEW_JSON = Shape(
    key(
        "answers",
        {"type": "object", "additionalProperties": _ANSWER},
        read=_answers,
        description="this body's own answers, by key (the questions it answered per body)",
    ),
    key(
        "arrangement",
        {"enum": [*Arrangement.names(), None]},
        attr="recommendation.arrangement",
        via=text,
        description="the arrangement its answers give (null: still open over other answers)",
    ),
    key("category", {"type": ["integer", "null"]}, attr="recommendation.category"),
    key("lead", STRING_OR_NULL, attr="recommendation.lead"),
    key(
        "lead_status",
        {"enum": ["body", "joint", "tie", "each", "open"]},
        attr="recommendation.lead_status",
    ),
    key("tied", STRINGS, attr="recommendation.tied", via=list),
    key("decided", {"type": "boolean"}, attr="recommendation.decided"),
    key(
        "possible",
        {"type": "array", "items": _VIEW_OUTCOME},
        read=_possible,
        omit_empty=True,
        description="where other answers are still open: each outcome with its share",
    ),
)


@attrs.frozen
class BodyView:
    """What one body's answers give: every question it answered per body, taken at once.

    Attributes:
        body: the body.
        answers: its answers, by key (the questions it answered per body).
        recommendation: the function classified on them, a
            :class:`~taxonomy._results.Recommendation` (open where other answers are, or
            where it left an answer open itself; a question it did not answer per body stays
            open over the other bodies' answers). Typed loosely: the results module holds
            this one, not the other way round.
    """

    body: str
    answers: tuple[tuple[str, OneOf], ...]
    recommendation: Any = attrs.field(eq=False, repr=False)

    @property
    def outcome(self) -> tuple[Any, ...]:
        """The outcomes its answers give (arrangement and lead), to compare views."""
        return tuple((o.arrangement, o.lead, o.tied) for o in self.recommendation.outcomes)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the keys of :data:`BODY_VIEW_JSON`."""
        return BODY_VIEW_JSON.dump(self)


def _views(disagreement: Disagreement) -> dict[str, Any]:
    return {view.body: BODY_VIEW_JSON.dump(view) for view in disagreement.views}


#: Disagreement's JSON: the ``by_body`` of a recommendation with per-body answers.
DISAGREEMENT_JSON = Shape(
    key(
        "holds",
        {"type": "boolean"},
        description="true: the placement holds whatever the bodies say (every value they gave)",
    ),
    key(
        "turns_on",
        STRINGS,
        via=list,
        description="the questions answered per body whose answer moves the placement",
    ),
    key(
        "answers",
        {
            "type": "object",
            "additionalProperties": {"type": "object", "additionalProperties": _ANSWER},
        },
        read=lambda d: {said.key: said.to_data() for said in d.answers},
        description="who said what: each question answered per body, each body's answer",
    ),
    key(
        "views",
        {"type": "object", "additionalProperties": BODY_VIEW_JSON},
        read=_views,
        description="by body: the placement if that body's answers are taken",
    ),
)


@attrs.frozen
class Disagreement:
    """Whether a placement holds whatever the bodies say, and what each body's answers give.

    Attributes:
        answers: the questions answered per body (who said what).
        holds: whether the placement is the same whatever value each body gave (over every
            combination of them, with the other open answers).
        turns_on: the keys answered per body on which the placement turns (empty: it holds).
        views: for each body that answered, what its answers give.
    """

    answers: tuple[BodyAnswers, ...]
    holds: bool
    turns_on: tuple[str, ...]
    views: tuple[BodyView, ...]

    @property
    def agreed(self) -> bool:
        """Whether every body gave the same answers."""
        return all(len({a for _, a in said.answers}) == 1 for said in self.answers)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the keys of :data:`DISAGREEMENT_JSON`."""
        return DISAGREEMENT_JSON.dump(self)
