"""Counterfactuals: what would have to be true for a function to get another arrangement.

For a function and a target arrangement, :func:`counterfactuals` searches the smallest changes to
its answers that give the target: fewest answers changed first, then the smallest moves on the
none-low-medium-high scale. Answers are efficiency, effectiveness and capability; a legal
constraint is not an answer a team can change, so when only relaxing the law reaches the target,
the result names the legal rules that cap the function instead (unreachable without a change in
the law). :func:`robustness` counts how many one-step answer changes flip a recommendation.

Two kinds of answer change are not offered as a way to the target:

- **Who carries it out.** One team delivers a function once on behalf of several bodies; a
  function only one body carries out has no one to be one team with, whatever its answers. The
  search does not run: the result names the body (``performed_only_by``) as what stands in the way.
- **Making a body worse.** The rules read capability as a *gap* between the bodies (a weak body
  gains from pooling), so lowering one body's capability can read as a reason to integrate. That
  is the rules' reading of a gap, never a step a Board would take. Changes that lower a body's
  capability are tried only after every change that lowers none: they are offered only when
  nothing else within ``max_changes`` reaches the target, and then said plainly as a loss. Raising
  a capability is an improvement and is tried with the other answers.

>>> import taxonomy
>>> portfolio = taxonomy.load_portfolio("examples/nhs_joint_working_2018.yaml")
>>> found = counterfactuals(portfolio, "pricing", taxonomy.Arrangement.ONE_TEAM)
>>> "efficiency.duplication: medium -> high" in [str(c) for c in found.solutions]
True
>>> counterfactuals(portfolio, "eprr", taxonomy.Arrangement.ONE_TEAM).performed_only_by
('nhse',)
>>> counterfactuals(portfolio, "procurement-complaints", taxonomy.Arrangement.ONE_TEAM).blocked_by
('legal.independence',)
"""

from __future__ import annotations

import importlib
import itertools
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import attrs

from taxonomy._model import (
    Arrangement,
    Capability,
    Effectiveness,
    Function,
    Level,
    Portfolio,
    word_list,
)
from taxonomy._output_shape import STRING, STRING_OR_NULL, STRINGS, Schema, Shape, each, key, text
from taxonomy._results import OUTCOME_JSON, Outcome, Recommendation
from taxonomy.classification import Variants, classify_function
from taxonomy.errors import InputError
from taxonomy.language.rules import RulePack, pack_for

__all__ = [
    "ANSWER_CHANGE_JSON",
    "MAX_CHANGES",
    "RENDERERS",
    "RENDERING",
    "ROBUSTNESS_JSON",
    "SOLUTION_JSON",
    "WHY_NOT_JSON",
    "AnswerChange",
    "Counterfactuals",
    "Robustness",
    "apply_changes",
    "counterfactuals",
    "robustness",
    "why_not_schema",
]


@attrs.frozen
class AnswerChange:
    """One answer moved from one level to another."""

    field: str
    before: Level
    after: Level

    @property
    def steps(self) -> int:
        """How far the answer moved on the scale."""
        return abs(int(self.after) - int(self.before))

    @property
    def lowers_capability(self) -> str | None:
        """The body whose capability this change lowers, or None: a loss, not a step to take."""
        if self.field.startswith("capability.") and self.after < self.before:
            return self.field.split(".", 1)[1]
        return None

    def __str__(self) -> str:
        return f"{self.field}: {self.before} -> {self.after}"


@attrs.frozen
class Solution:
    """A set of answer changes that gives the target, and the recommendation it gives."""

    changes: tuple[AnswerChange, ...]
    recommendation: Recommendation

    @property
    def cost(self) -> tuple[int, int, int]:
        """Lowers a body's capability (0 or 1), answers changed, steps moved: smaller is closer."""
        return _cost(self.changes)

    @property
    def losses(self) -> tuple[str, ...]:
        """The bodies whose capability this solution lowers (a loss for each), in change order."""
        return tuple(body for c in self.changes if (body := c.lowers_capability) is not None)

    def __str__(self) -> str:
        return "; ".join(str(c) for c in self.changes)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the keys of :data:`SOLUTION_JSON`."""
        return SOLUTION_JSON.dump(self)


_ARRANGEMENT: Schema = {"enum": list(Arrangement.names())}
_COUNT: Schema = {"type": "integer", "minimum": 0}

#: An answer change in the why-not JSON.
ANSWER_CHANGE_JSON = Shape(
    key("field", STRING),
    key("from", STRING, attr="before", via=str),
    key("to", STRING, attr="after", via=str),
)

#: A solution in the why-not JSON (:meth:`Solution.to_dict`).
SOLUTION_JSON = Shape(
    key(
        "changes",
        {"type": "array", "items": ANSWER_CHANGE_JSON, "minItems": 1},
        via=each(ANSWER_CHANGE_JSON),
    ),
    key("lowers_capability_of", STRINGS, attr="losses", via=list),
    key("arrangement", _ARRANGEMENT, attr="recommendation.arrangement", via=str),
    key("lead", STRING_OR_NULL, attr="recommendation.lead"),
    key("decided_by", STRING, attr="recommendation.explanation.decided_by.rule"),
)


@attrs.frozen
class Counterfactuals:
    """The answer to "what would have to be true for this function to be TARGET?".

    Attributes:
        function: the function's id.
        current: its recommendation today.
        target: the arrangement asked about.
        solutions: the cheapest answer changes that give the target (all of equal cost).
        blocked_by: legal rules whose cap keeps the function from the target whatever the
            answers: the target needs a change in the law.
        searched: how many answer combinations were evaluated.
        max_changes: the most answers changed at once in the search.
        performed_only_by: the one body that carries the function out, when the target is one
            team: no answer change makes it one team, as no other body carries it out.
        when_answered: where the function is still open (answers left unknown): each outcome
            still possible that gives the target, with its share and when; empty where none
            does (then ``blocked_by`` names a legal cap every answer leaves in place, if any).
    """

    function: str
    current: Recommendation
    target: Arrangement
    solutions: tuple[Solution, ...]
    blocked_by: tuple[str, ...]
    searched: int
    max_changes: int = 2
    performed_only_by: tuple[str, ...] = ()
    when_answered: tuple[Outcome, ...] = ()

    def explain(self) -> str:
        """The answer in words (written by :mod:`taxonomy.render.counterfactual`).

        The solutions are alternatives: each is enough on its own ("any one of these would
        do"). Within a solution of several changes, all are needed together: the search takes
        the fewest answers first, so had fewer changes reached the target, no solution would
        have more. Legal caps that block the target must all be lifted. A function only one body
        carries out cannot be one team: that body is named as what stands in the way. Solutions
        that lower a body's capability (offered only when nothing else reaches the target) are
        said as a loss.
        """
        return _rendered("text", self)

    def _repr_html_(self) -> str:
        """The answer as :meth:`explain` words it, as HTML (a notebook's rich output)."""
        return _rendered("html", self)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the keys of :data:`WHY_NOT_JSON` (the ``why-not`` output)."""
        return WHY_NOT_JSON.dump(self)


def _when_answered(found: Counterfactuals) -> list[dict[str, Any]] | None:
    """Where the function is open, each outcome that gives the target; None where decided."""
    return None if found.current.decided else [o.to_dict() for o in found.when_answered]


#: The ``why-not`` JSON (:meth:`Counterfactuals.to_dict`), and the body of its schema.
WHY_NOT_JSON = Shape(
    key("function", STRING),
    key(
        "current",
        {"enum": [*Arrangement.names(), None]},
        attr="current.arrangement",
        via=text,
        description="null where the function is open (answers left unknown)",
    ),
    key(
        "decided",
        {"type": "boolean"},
        attr="current.decided",
        required=False,
        description="false where answers left unknown give more than one arrangement",
    ),
    key("target", _ARRANGEMENT, via=str),
    key("solutions", {"type": "array", "items": SOLUTION_JSON}, via=each(SOLUTION_JSON)),
    key("blocked_by", STRINGS, via=list),
    key("performed_only_by", STRINGS, via=list),
    key("searched", _COUNT),
    key(
        "when_answered",
        {"type": "array", "items": OUTCOME_JSON},
        read=_when_answered,
        omit_none=True,
        description="where the function is open: each outcome still possible that "
        "gives the target, with its share and when (empty: no answer to its open "
        "questions gives it)",
    ),
)


def _cost(changes: Sequence[AnswerChange]) -> tuple[int, int, int]:
    """Changes that lower a body's capability last, then fewest answers, then fewest steps."""
    lowers = any(c.lowers_capability is not None for c in changes)
    return (int(lowers), len(changes), sum(c.steps for c in changes))


def _answers(fn: Function) -> list[tuple[str, Level]]:
    """The level answers a change may step, leaving out those left open.

    An open answer (``fn.unknowns``) holds a placeholder, and classification already covers
    every value it may take.
    """
    answers = [
        ("efficiency.duplication", fn.efficiency.duplication),
        ("efficiency.simplification", fn.efficiency.simplification),
        ("effectiveness.joint_benefit", fn.effectiveness.joint_benefit),
    ]
    answers += [(f"capability.{body}", fn.capability.of(body)) for body in fn.performed_by]
    return [(key, level) for key, level in answers if fn.unknown(key) is None]


def apply_changes(fn: Function, changes: Sequence[AnswerChange]) -> Function:
    """``fn`` with each answer change made (the baseline function is not changed)."""
    for change in changes:
        if change.field.startswith("efficiency."):
            key = change.field.split(".")[1]
            fn = attrs.evolve(fn, efficiency=attrs.evolve(fn.efficiency, **{key: change.after}))
        elif change.field == "effectiveness.joint_benefit":
            fn = attrs.evolve(fn, effectiveness=Effectiveness(change.after))
        else:
            levels = fn.capability.as_dict()
            levels[change.field.split(".", 1)[1]] = change.after
            fn = attrs.evolve(fn, capability=Capability(levels))
    return fn


#: The most answers :func:`counterfactuals` changes at once: the combinations it tries grow as
#: (answers x 3) to this power.
MAX_CHANGES = 4


def _combinations(fn: Function, max_changes: int) -> Iterator[tuple[AnswerChange, ...]]:
    answers = _answers(fn)
    for count in range(1, max_changes + 1):
        for chosen in itertools.combinations(answers, count):
            moves = [
                [AnswerChange(field, level, other) for other in Level if other != level]
                for field, level in chosen
            ]
            yield from itertools.product(*moves)


def counterfactuals(
    portfolio: Portfolio,
    function_id: str,
    target: Arrangement | str | int | None = None,
    *,
    rules: RulePack | None = None,
    max_changes: int = 2,
) -> Counterfactuals:
    """The smallest answer changes that give ``function_id`` the ``target`` arrangement.

    Args:
        portfolio: the portfolio (not mutated).
        function_id: the function to ask about.
        target: the arrangement wanted: an :class:`Arrangement`, its name (``aligned``), its
            title or its category number (2); None means the next more integrated one (or, for
            one team, the next less integrated one).
        rules: the rule pack; None uses the default pack.
        max_changes: the most answers changed at once, from 1 to :data:`MAX_CHANGES` (as
            ``explain --max-changes`` takes it).

    Raises:
        InputError: ``target`` names no arrangement (with a "did you mean"), or
            ``max_changes`` is not a whole number from 1 to :data:`MAX_CHANGES`.
        UnknownIdError: no function has the id ``function_id``.
    """
    _check_max_changes(max_changes)
    # Before any work: a misspelt target is the caller's mistake.
    wanted = Arrangement.parse(target) if target is not None else None
    pack = pack_for(portfolio, rules)
    fn = portfolio.function(function_id)
    current = classify_function(portfolio, function_id, rules=pack)
    if not current.decided:  # which answers to its open questions reach the target
        return _open_counterfactuals(current, wanted, pack, max_changes)
    if wanted is None:
        wanted = (
            Arrangement(current.settled_arrangement - 1)
            if current.arrangement is not Arrangement.ONE_TEAM
            else Arrangement.ALIGNED
        )
    target = wanted
    if current.arrangement is target:
        return Counterfactuals(function_id, current, target, (), (), 0, max_changes)
    # A legal cap below the target cannot be answered away: only the law can lift it.
    blocked = tuple(
        f.rule
        for f in current.explanation.fired
        if (cap := pack.rule(f.rule).then.cap) is not None and cap > target
    )
    # Who carries it out is not an answer: one body alone has no one to be one team with.
    alone = (
        tuple(fn.performed_by)
        if target is Arrangement.ONE_TEAM and len(fn.performed_by) == 1
        else ()
    )
    if blocked or alone:
        return Counterfactuals(
            function_id, current, target, (), tuple(sorted(blocked)), 0, max_changes, alone
        )
    best, searched = _cheapest(Variants(portfolio, rules=pack), fn, target, max_changes)
    return Counterfactuals(function_id, current, target, best, (), searched, max_changes)


def _open_counterfactuals(
    current: Recommendation, target: Arrangement | None, pack: RulePack, max_changes: int
) -> Counterfactuals:
    """For a function still open: the outcomes still possible that give ``target``, and when.

    None of them: the legal caps below ``target`` that every outcome's derivation shows (the
    law, whatever the open answers) stand in the way, if any.

    Raises:
        InputError: no ``target`` was named (an open function has no next arrangement).
    """
    if target is None:
        _decided(current, "name the arrangement to ask about")
        raise AssertionError("unreachable: an open recommendation is refused above")
    reaching = tuple(o for o in current.possible if o.arrangement is target)
    blocked: set[str] = set()
    if not reaching:
        capped = [
            {
                f.rule
                for f in o.recommendation.explanation.fired
                if (cap := pack.rule(f.rule).then.cap) is not None and cap > target
            }
            for o in current.possible
        ]
        blocked = set.intersection(*capped) if capped else set()
    return Counterfactuals(
        current.function,
        current,
        target,
        (),
        tuple(sorted(blocked)),
        0,
        max_changes,
        when_answered=reaching,
    )


def _check_max_changes(max_changes: object) -> None:
    if (
        not isinstance(max_changes, int)
        or isinstance(max_changes, bool)
        or not 1 <= max_changes <= MAX_CHANGES
    ):
        raise InputError(
            f"must be a whole number from 1 to {MAX_CHANGES}, not {max_changes!r}: every "
            "combination of that many changed answers is tried",
            key="max_changes",
        )


def _cheapest(
    variants: Variants, fn: Function, target: Arrangement, max_changes: int
) -> tuple[tuple[Solution, ...], int]:
    """The cheapest answer changes giving ``target``, cheapest first, and how many were tried."""
    best: list[Solution] = []
    searched = 0
    for changes in sorted(
        _combinations(fn, max_changes),
        key=lambda cs: (_cost(cs), [str(c) for c in cs]),
    ):
        cost = _cost(changes)
        if best and cost > best[0].cost:
            break
        searched += 1
        rec = variants.recommend(apply_changes(fn, changes))
        if rec.arrangement is target:
            best.append(Solution(tuple(changes), rec))
    return tuple(best), searched


@attrs.frozen
class Robustness:
    """How many one-step answer changes flip a recommendation (arrangement or lead).

    Changes that only make or break a tie for the lead are not counted. A fragile
    recommendation (a high ``share``) deserves a second look by the Board.
    """

    function: str
    steps: int
    flips: tuple[str, ...]

    @property
    def share(self) -> float:
        """The share of one-step changes that flip it, 0 to 1."""
        return len(self.flips) / self.steps if self.steps else 0.0

    def _repr_html_(self) -> str:
        """How many one-step changes flip it, and each flip, as HTML (a notebook's rich output)."""
        return _rendered("robustness_html", self)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the keys of :data:`ROBUSTNESS_JSON`."""
        return ROBUSTNESS_JSON.dump(self)


#: Robustness in the ``explain`` JSON (:meth:`Robustness.to_dict`).
ROBUSTNESS_JSON = Shape(
    key("function", STRING),
    key("steps", _COUNT),
    key("flips", STRINGS, via=list),
    key(
        "share",
        {"type": "number", "minimum": 0, "maximum": 1},
        read=lambda found: round(found.share, 3),
    ),
)


def robustness(
    portfolio: Portfolio, function_id: str, *, rules: RulePack | None = None
) -> Robustness:
    """Try every one-step change of each answer (up or down the scale) and count the flips."""
    pack = pack_for(portfolio, rules)
    fn = portfolio.function(function_id)
    current = _decided(classify_function(portfolio, function_id, rules=pack))
    flips = []
    steps = 0
    variants = Variants(portfolio, rules=pack)
    for field, level in _answers(fn):
        for delta in (-1, 1):
            if not 0 <= int(level) + delta <= 3:
                continue
            steps += 1
            change = AnswerChange(field, level, Level(int(level) + delta))
            rec = variants.recommend(apply_changes(fn, [change]))
            if not rec.decided:  # the answers left open now matter
                flips.append(f"{change} leaves it open ({len(rec.possible)} outcomes possible)")
            elif _flipped(current, rec):
                flips.append(f"{change} gives {rec.arrangement} ({rec.lead_text})")
    return Robustness(function_id, steps, tuple(flips))


def _decided(
    current: Recommendation,
    then: str = "then ask what would change it (explain shows what each answer would give)",
) -> Recommendation:
    """``current``, if its arrangement is decided.

    How robust a placement still open between several is has no one answer.

    Raises:
        InputError: the function's answers left open give more than one arrangement (naming the
            outcomes and the question to answer first, then ``then``).
    """
    if current.arrangement is not None:
        return current
    outcomes = word_list(
        [
            f"{o.arrangement.title} if {o.when}" if o.when else o.arrangement.title
            for o in current.possible
        ],
        "or",
    )
    first = current.open_questions[0].key if current.open_questions else "its open answers"
    raise InputError(
        f"is not decided yet: its answers left open give {outcomes}; answer {first} first, {then}",
        item=f"function '{current.function}'",
    )


def _flipped(current: Recommendation, other: Recommendation) -> bool:
    """Whether ``other`` places the function differently from ``current``.

    A change that only makes or breaks a tie for the lead (the lead becomes one of the bodies
    tied, or a tie forms around the lead) is not a flip: the tie was already the answer.
    """
    if other.arrangement is not current.arrangement:
        return True
    if current.lead_status == "joint" or other.lead_status == "joint":
        return current.lead_status != other.lead_status
    now, then = set(current.lead_candidates), set(other.lead_candidates)
    return not (now <= then or then <= now)


#: How counterfactuals and robustness are written for a reader, by format (``text``, ``html``,
#: ``robustness_html``). The renderers register themselves when :data:`RENDERING` is imported:
#: whatif holds data and sits below render/ in the layers, so it names the module rather than
#: importing it (as :data:`taxonomy.whatif.compare.RENDERERS`).
RENDERERS: dict[str, Callable[..., str]] = {}

#: The module whose import registers the :data:`RENDERERS`.
RENDERING = "taxonomy.render.counterfactual"


def _rendered(written_as: str, result: Counterfactuals | Robustness) -> str:
    if written_as not in RENDERERS:
        importlib.import_module(RENDERING)
    return RENDERERS[written_as](result)


def why_not_schema() -> Schema:
    """The JSON Schema of the ``why-not`` output, from :data:`WHY_NOT_JSON`."""
    from taxonomy.schemas._outputs import named_schemas, stamped_root

    return stamped_root("why-not", "taxonomy why-not", WHY_NOT_JSON.schema(named_schemas()))
