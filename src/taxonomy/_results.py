"""The results: a recommendation per function, the outcomes still open, and the classification.

Each result lists its JSON keys once, in a :class:`~taxonomy._output_shape.Shape` beside the
class (``RECOMMENDATION_JSON``, ...): ``to_dict`` and the output JSON Schemas
(:mod:`taxonomy.schemas`) are both derived from it, so a key added is one edit plus its meaning.

The display methods (``explain``, ``paragraph``, ``to_html``, a notebook's ``_repr_html_``) ask
the :class:`Renderer` registered with :func:`register_renderer`: the model never imports the
layer that renders; that layer registers itself when imported (:mod:`taxonomy.render`).
"""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

import attrs

from taxonomy._by_body import DISAGREEMENT_JSON, BodyView, Disagreement
from taxonomy._decision import DECISION_JSON, Decision
from taxonomy._explanation import EXPLANATION_JSON, PACK_IDENTITY_JSON, Explanation, PackIdentity
from taxonomy._model import (
    EACH_OWN_WORDS,
    MAX_LEADS_LISTED,
    Arrangement,
    OfADay,
    alone_words,
    lead_kind,
    lead_words,
    open_lead_words,
)
from taxonomy._output_shape import (
    STRING,
    STRING_OR_NULL,
    STRINGS,
    Schema,
    Shape,
    each,
    key,
    nested,
    text,
)
from taxonomy._questions import ANSWER_JSON, OPEN_QUESTION_JSON, OpenQuestion
from taxonomy.errors import InputError, UnknownIdError

if TYPE_CHECKING:
    from taxonomy._model import Portfolio

__all__ = [
    "ANSWER_JSON",
    "DISAGREEMENT_JSON",
    "MAX_LEADS_LISTED",
    "CLASSIFICATION_JSON",
    "DEFAULT_RENDERER",
    "OPEN_QUESTION_JSON",
    "OUTCOME_JSON",
    "RECOMMENDATION_JSON",
    "BodyView",
    "Classification",
    "Disagreement",
    "OpenQuestion",
    "Outcome",
    "Recommendation",
    "Renderer",
    "open_lead_words",
    "register_renderer",
    "renderer",
]

_CATEGORY: Schema = {"type": "integer", "minimum": 1, "maximum": 4}
_LEAD_STATUS: Schema = {"enum": ["body", "joint", "tie", "each", "open"]}


def _arrangements(*, nullable: bool = False) -> Schema:
    names: list[str | None] = list(Arrangement.names())
    if nullable:
        names.append(None)
    return {"enum": names}


def _or_null(shape: Shape) -> Callable[[Any], dict[str, Any] | None]:
    """Dump a nested result by ``shape``, or None where there is none."""
    return lambda value: None if value is None else shape.dump(value)


def _day(day: datetime.date | None) -> str | None:
    return None if day is None else day.isoformat()


#: Outcome's JSON: one outcome still possible, with its share and the condition it needs.
OUTCOME_JSON = Shape(
    key("arrangement", _arrangements(), via=str),
    key("category", _CATEGORY, attr="arrangement.category"),
    key("lead", STRING_OR_NULL),
    key("lead_status", _LEAD_STATUS, required=False),
    key("tied", STRINGS, via=list, required=False),
    key(
        "share",
        {"type": "string", "pattern": r"^[0-9]+(/[0-9]+)?$"},
        description="the fraction of the open answers' completions that give it",
    ),
    key(
        "when",
        STRING_OR_NULL,
        description="the condition on the open answers that gives it (null: decided)",
    ),
)


@attrs.frozen
class Outcome:
    """One outcome still possible for a function whose answers are not all known.

    Attributes:
        arrangement: the arrangement it recommends.
        lead: the lead body, or None (``lead_status`` says why).
        lead_status: as :attr:`Recommendation.lead_status`.
        tied: the bodies tied for the lead, if any.
        share: the fraction of the open answers' completions that give it (each answer left
            open counts every value it may take; ``"1"`` when decided).
        when: the simplest condition on the open answers that gives it
            (``duplication is high``); None when it is the only outcome.
        recommendation: the recommendation of one completion that gives it (its explanation
            shows the derivation on those answers).
    """

    arrangement: Arrangement
    lead: str | None
    lead_status: str
    tied: tuple[str, ...]
    share: str
    when: str | None
    recommendation: Recommendation = attrs.field(repr=False, eq=False)

    @property
    def lead_text(self) -> str:
        """The lead in words, as :attr:`Recommendation.lead_text`."""
        return self.recommendation.lead_text

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the keys of :data:`OUTCOME_JSON`."""
        return OUTCOME_JSON.dump(self)


# An open recommendation has no arrangement, category or lead; a decided one has both.
_OPEN_OR_DECIDED: Schema = {
    "if": {"properties": {"decided": {"const": False}}, "required": ["decided"]},
    "then": {
        "properties": {
            "arrangement": {"const": None},
            "category": {"const": None},
            "lead": {"const": None},
            "lead_status": {"const": "open"},
            "settled_by": {"const": None},
            "possible": {"minItems": 2},
            "open_questions": {"minItems": 1},
        }
    },
    "else": {
        "properties": {
            "arrangement": _arrangements(),
            "category": _CATEGORY,
            "settled_by": {"enum": ["answers", "evidence", "law"]},
        }
    },
}

#: Recommendation's JSON, the CLI's stable contract (see :meth:`Recommendation.to_dict`).
RECOMMENDATION_JSON = Shape(
    key("function", STRING),
    key("name", STRING),
    key(
        "arrangement",
        _arrangements(nullable=True),
        via=text,
        description="null where the recommendation is open (see possible)",
    ),
    key("category", {**_CATEGORY, "type": ["integer", "null"]}),
    key("lead", STRING_OR_NULL, description="the lead body, or null (see lead_status)"),
    key("lead_status", _LEAD_STATUS),
    key("tied", STRINGS, via=list),
    key("alone", STRING_OR_NULL, description="the body delivering it alone, or null"),
    key(
        "involved",
        STRINGS,
        via=list,
        description="category 3: the bodies consulted and involved at key points, besides the "
        "lead (empty in other categories, and where it is delivered alone)",
    ),
    key("explanation", EXPLANATION_JSON, via=EXPLANATION_JSON.dump),
    key(
        "summary",
        STRING,
        written=False,  # by taxonomy.render.text, which knows the words of the pack
        description="the recommendation in sentences a Board paper can quote",
    ),
    key(
        "decided",
        {"type": "boolean"},
        description="false where answers left unknown give more than one outcome",
    ),
    key(
        "settled_by",
        {"enum": ["answers", "evidence", "law", None]},
        description="answers: nothing open; evidence: the known answers settle it; "
        "law: a legal cap settles it; null: open",
    ),
    nested(
        "possible",
        OUTCOME_JSON,
        min_items=1,
        attr="outcomes",
        description="each outcome still possible (one when decided)",
    ),
    nested(
        "open_questions",
        OPEN_QUESTION_JSON,
        description="the open answers, the most settling first (empty when decided)",
    ),
    key(
        "decision",
        {"oneOf": [DECISION_JSON, {"type": "null"}]},
        via=_or_null(DECISION_JSON),
        description="who holds the function in law, who decides it, the delegations and the "
        "accountable owner (the structure the graph draws); for an open function what the law "
        "and governance say, no forum proposed; null: made without its portfolio",
    ),
    key(
        "by_body",
        DISAGREEMENT_JSON,
        via=_or_null(DISAGREEMENT_JSON),
        omit_none=True,  # only where some question is answered by each body for itself
    ),
    extra=_OPEN_OR_DECIDED,
)


@attrs.frozen
class Recommendation:
    """The taxonomy's answer for one function: an arrangement, a lead where one is needed, and why.

    Attributes:
        function: the function's id.
        name: the function's name.
        arrangement: one of the four categories.
        lead: the lead body's id; None where the function is led jointly, or where the rules
            could not separate the candidates (then ``tied`` names them).
        explanation: the derivation.
        tied: the bodies the rules could not separate for the lead (two or more), when the
            lead is undecided; empty otherwise. Listing order never picks between them.
        each_own: the bodies that each carry out their own part, with no lead, where the law
            gives each of them the duty of its own (``legal.held_by_each`` names every body
            that carries it out) and it is run separately (categories 3 and 4): each is
            accountable for its own (each force's and fire authority's statement of accounts).
        involved: in category 3, the bodies consulted and involved at key points besides the
            lead (Annex B category 3: "They consult and involve each other"); empty otherwise.
        alone: the body that delivers it alone (categories 3 and 4): the only body carrying it
            out, its lead, holding it (or nobody said to), and no other body taking part; None
            otherwise. Every output says it as "delivered by X alone".
        decision: who holds the function in law, who decides it and the delegations
            (:func:`taxonomy._decision.decision_of`, the structure the graph draws); None where
            the recommendation was made without its portfolio.
        by_body: where some question is answered by each body for itself, whether the
            placement holds whatever they say and what each body's answers give; else None.
    """

    function: str
    name: str
    arrangement: Arrangement | None
    lead: str | None
    explanation: Explanation
    tied: tuple[str, ...] = ()
    each_own: tuple[str, ...] = ()
    possible: tuple[Outcome, ...] = ()
    open_questions: tuple[OpenQuestion, ...] = ()
    settled_by: str | None = "answers"
    involved: tuple[str, ...] = ()
    alone: str | None = None
    decision: Decision | None = attrs.field(default=None, eq=False, repr=False)
    by_body: Disagreement | None = None

    @property
    def decided(self) -> bool:
        """Whether one outcome follows whatever the open answers turn out to be."""
        return self.arrangement is not None

    @property
    def settled_arrangement(self) -> Arrangement:
        """The arrangement, for an output that cannot show an open recommendation yet.

        Raises:
            InputError: the recommendation is open (naming the question to answer first).
        """
        if self.arrangement is None:
            first = self.open_questions[0].key if self.open_questions else "its open answers"
            raise InputError(
                "this output does not show open recommendations yet (answers left unknown "
                f"give {len(self.possible)} outcomes): answer {first}, or see every open "
                "function with classify (as a table, JSON or Markdown) or explain",
                item=f"function '{self.function}'",
            )
        return self.arrangement

    @property
    def category(self) -> int | None:
        """The category number, 1 to 4; None where the recommendation is open."""
        return None if self.arrangement is None else self.arrangement.category

    @property
    def outcomes(self) -> tuple[Outcome, ...]:
        """The outcomes possible: ``possible``, or this decided recommendation's own."""
        if self.possible:
            return self.possible
        assert self.arrangement is not None  # a decided recommendation
        return (Outcome(self.arrangement, self.lead, self.lead_status, self.tied, "1", None, self),)

    @property
    def lead_status(self) -> str:
        """``body`` (one lead), ``joint`` (no single lead), ``tie`` (lead undecided) or ``each``.

        ``each``: no lead, each body does its own (see ``each_own``); ``open``: the
        recommendation is not decided (see ``possible``).
        """
        settled = self.arrangement is not None and not self.lead_open
        return lead_kind(self.lead, self.tied, self.each_own, settled=settled)

    @property
    def lead_candidates(self) -> tuple[str, ...]:
        """The bodies that may lead: the lead, the tied bodies, or none for a joint lead."""
        return (self.lead,) if self.lead is not None else self.tied

    @property
    def lead_text(self) -> str:
        """The lead in words, the one way every output writes it.

        >>> ex = Explanation((), None, (), None, ())  # type: ignore[arg-type]
        >>> Recommendation("f", "F", Arrangement.ALIGNED, None, ex, ("a", "b")).lead_text
        'undecided between a and b (tie)'
        """
        if self.arrangement is None:
            return "open"
        if self.lead_open:
            return "not decided yet, it depends on answers left open: " + open_lead_words(
                self.possible
            )
        if self.each_own:
            return EACH_OWN_WORDS
        return lead_words(self.lead, self.tied)

    @property
    def arrangement_text(self) -> str:
        """The arrangement as tables write it, with ``: delivered by X alone`` where one is.

        >>> ex = Explanation((), None, (), None, ())  # type: ignore[arg-type]
        >>> rec = Recommendation("f", "F", Arrangement.SEPARATE_INVOLVED, "a", ex, alone="a")
        >>> rec.arrangement_text
        '3 Separate, involvement if needed: delivered by a alone'
        """
        if self.arrangement is None:
            return "open"
        said = f"{self.arrangement.category} {self.arrangement.title}"
        return f"{said}: {alone_words(self.alone)}" if self.alone is not None else said

    @property
    def lead_open(self) -> bool:
        """Whether the arrangement is decided but the lead depends on answers left open."""
        return self.arrangement is not None and len(self.possible) > 1

    def explain(self) -> str:
        """A readable account of which rules fired on which answers, and why this arrangement."""
        return renderer().explain_text(self)

    def paragraph(self, context: Classification | Portfolio, *, rules: Any = None) -> str:
        """The recommendation as a paragraph in full sentences a Board paper can quote.

        The JSON's ``summary``; see :func:`taxonomy.render.prose.paragraph`.

        Args:
            context: the classification it belongs to, or the portfolio classified (for the
                bodies' names and the function's legal answers).
            rules: the rule pack that made it (a ``RulePack``); None: the portfolio's own
                pack, else the default pack.

        Raises:
            ValueError: ``context`` is a classification made with another pack than ``rules``.
        """
        return renderer().paragraph(self, context, rules=rules)

    def to_html(
        self, context: Classification | Portfolio | None = None, *, rules: Any = None
    ) -> str:
        """The recommendation as HTML: its paragraph (given ``context``), then its explanation.

        A notebook shows a recommendation this way without its paragraph (it does not know the
        portfolio it belongs to); ``IPython.display.HTML(rec.to_html(result))`` shows it with.
        Arguments and errors as for :meth:`paragraph`.
        """
        return renderer().recommendation_html(self, context, rules=rules)

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict, in the CLI's stable JSON contract (:data:`RECOMMENDATION_JSON`).

        ``lead`` is the lead body or null; ``lead_status`` says whether null means a joint lead
        or a tie, and ``tied`` lists the bodies tied. ``decided`` is false where answers left
        open give more than one outcome: then ``arrangement``, ``category`` and ``lead`` are
        null, ``lead_status`` is ``open``, ``possible`` lists each outcome with its share and
        the condition it needs, and ``open_questions`` ranks what to answer first.
        ``settled_by``: ``answers`` (nothing open), ``evidence`` (the known answers settle
        it), ``law`` (a legal cap settles it whatever the open answers), or null (open).
        ``summary`` is not in it: the JSON output adds it (:mod:`taxonomy.render.text`).
        """
        return RECOMMENDATION_JSON.dump(self)


def _recommendations(value: Iterable[Recommendation]) -> tuple[Recommendation, ...]:
    return tuple(value)


_ONE_BODY: Schema = {
    "type": "object",
    "properties": {"id": STRING, "name": STRING, "functions": STRINGS},
    "required": ["id", "name", "functions"],
}

#: Classification's JSON, the CLI's stable contract (see :meth:`Classification.to_dict`).
CLASSIFICATION_JSON = Shape(
    key(
        "as_of",
        {"type": ["string", "null"], "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
        via=_day,
        description="the day judged on, or null",
    ),
    key("provisions", STRINGS, via=list, description="the dated provisions of the law applied"),
    key("rule_pack", {"$ref": "#/$defs/rule_pack"}, via=PACK_IDENTITY_JSON.dump),
    key(
        "recommendations",
        {"type": "array", "items": {"$ref": "#/$defs/recommendation"}},
        via=each(RECOMMENDATION_JSON),
    ),
    # Written by the command line, on a day the law leaves one body (taxonomy.cli).
    key(
        "single_body",
        _ONE_BODY,
        written=False,
        required=False,
        description="on a day the law leaves one body: it, delivering every function",
    ),
    key("notes", STRINGS, written=False, required=False),
)


@attrs.frozen
class Classification(OfADay):
    """Every function's recommendation, with the identity of the rule pack that made them.

    Iterate over it for the recommendations in portfolio order, or index it by function id.
    ``portfolio`` is the portfolio classified, so the result can be turned into a graph: for a
    dated law, the portfolio of the day judged on (abolished bodies merged, the law of that day).
    """

    portfolio: Portfolio = attrs.field(repr=False)
    rule_pack: PackIdentity
    recommendations: tuple[Recommendation, ...] = attrs.field(converter=_recommendations)
    _by_id: dict[str, Recommendation] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {r.function: r for r in self.recommendations})

    def __iter__(self) -> Iterator[Recommendation]:
        return iter(self.recommendations)

    def __len__(self) -> int:
        return len(self.recommendations)

    def __getitem__(self, function_id: str) -> Recommendation:
        try:
            return self._by_id[function_id]
        except KeyError:
            raise UnknownIdError("function", function_id, self._by_id) from None

    def __contains__(self, function_id: object) -> bool:
        return function_id in self._by_id

    def _repr_html_(self) -> str:
        return renderer().classification_table_html(self)

    def to_frame(self) -> Any:
        """The recommendations as a pandas DataFrame, one row per function (needs pandas)."""
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - depends on the environment
            raise ImportError("to_frame() needs pandas: pip install 'taxonomy[pandas]'") from None
        rows = [
            {
                "function": r.function,
                "name": r.name,
                "arrangement": str(r.arrangement),
                "category": r.category,
                "lead": r.lead,
                "decided_by": r.explanation.decided_by.rule,
                "capped_by": ", ".join(f.rule for f in r.explanation.capped_by),
            }
            for r in self.recommendations
        ]
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict, in the CLI's stable JSON contract (:data:`CLASSIFICATION_JSON`).

        ``as_of`` is the day judged on (``YYYY-MM-DD``) or null; ``provisions`` the ids of the
        dated provisions applied (empty for an undated law).
        """
        return CLASSIFICATION_JSON.dump(self)


class Renderer(Protocol):
    """What the display methods need of the layer that renders (:mod:`taxonomy.render.html`)."""

    def explain_text(self, recommendation: Recommendation, /) -> str:
        """A recommendation's explanation as text (:meth:`Recommendation.explain`)."""

    def paragraph(
        self, recommendation: Recommendation, context: Classification | Portfolio, /, *, rules: Any
    ) -> str:
        """A recommendation as a paragraph (:meth:`Recommendation.paragraph`)."""

    def recommendation_html(
        self,
        recommendation: Recommendation,
        context: Classification | Portfolio | None,
        /,
        *,
        rules: Any,
    ) -> str:
        """A recommendation as HTML (:meth:`Recommendation.to_html`)."""

    def classification_table_html(self, classification: Classification, /) -> str:
        """A classification as an HTML table (a notebook's rich output)."""


_RENDERERS: list[Callable[[], Renderer]] = []

#: The package whose import registers the renderer, imported when one is first needed and
#: none is registered yet: the way a plugin names its entry point, so the model names it as
#: data and never imports it.
DEFAULT_RENDERER = "taxonomy.render"


def register_renderer(load: Callable[[], Renderer]) -> None:
    """Make ``load()`` the renderer the display methods use (the last registered wins).

    ``load`` is called when a display method is used, so registering costs nothing.
    """
    _RENDERERS.append(load)


def renderer() -> Renderer:
    """The renderer registered last (importing :data:`DEFAULT_RENDERER` if there is none)."""
    if not _RENDERERS:
        importlib.import_module(DEFAULT_RENDERER)
    return _RENDERERS[-1]()
