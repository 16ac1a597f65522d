"""Comparing scenarios with the baseline: what changes, why, and how the structure changes.

Examples:
    >>> import taxonomy
    >>> from taxonomy.whatif.scenarios import Applied, Scenario
    >>> portfolio = taxonomy.load_portfolio("examples/nhs_joint_working_2018.yaml")
    >>> evidenced = Scenario("Strategy duplication evidenced").set(
    ...     function="strategy", field="efficiency.duplication", value="high")
    >>> result = compare(portfolio, evidenced)
    >>> [(c.function, str(c.before.arrangement), str(c.after.arrangement))
    ...  for c in result.outcomes[0].changes]
    [('strategy', 'aligned', 'one_team')]
"""

from __future__ import annotations

import datetime
import importlib
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs

from taxonomy._explanation import PackIdentity
from taxonomy._model import (
    EACH_OWN_WORDS,
    Arrangement,
    format_value,
    lead_kind,
    lead_words,
    word_list,
)
from taxonomy._output_shape import STRING, STRING_OR_NULL, STRINGS, Schema, Shape, each, key, text
from taxonomy._results import CLASSIFICATION_JSON, OUTCOME_JSON, Classification, Recommendation
from taxonomy._results import Outcome as Possible
from taxonomy.classification import classify
from taxonomy.language.rules import RulePack, pack_for
from taxonomy.law import in_force
from taxonomy.schemas._ids import stamp
from taxonomy.whatif.scenarios import Applied, Scenario

if TYPE_CHECKING:  # networkx loads only when a comparison measures structures
    from taxonomy.structure.checks import Metrics

__all__ = [
    "BASELINE_JSON",
    "CHANGE_JSON",
    "COMPARISON_JSON",
    "PLACED_JSON",
    "PLACEMENT_JSON",
    "RENDERERS",
    "RENDERING",
    "SCENARIO_JSON",
    "Comparison",
    "FunctionChange",
    "Outcome",
    "Placement",
    "because",
    "compare",
    "whatif_schema",
]


@attrs.frozen
class Placement:
    """Where a function stands: its arrangement (None when one body is left or it is open) and lead.

    Attributes:
        arrangement: the arrangement; None where one body is left (``lead`` names it) or the
            answers left open give more than one (see ``possible``).
        lead: the lead body, or None (:attr:`lead_status` says why).
        tied: the bodies tied for the lead.
        each_own: the bodies that each do their own (no lead).
        possible: where answers left open give more than one outcome (the arrangement, or only
            the lead), each outcome with its share and when; empty when settled.
    """

    arrangement: Arrangement | None
    lead: str | None
    tied: tuple[str, ...] = ()
    each_own: tuple[str, ...] = ()
    possible: tuple[Possible, ...] = ()

    @classmethod
    def of(cls, rec: Recommendation) -> Placement:
        """Where ``rec`` places its function (its outcomes kept where more than one is possible)."""
        possible = rec.possible if len(rec.possible) > 1 else ()
        return cls(rec.arrangement, rec.lead, rec.tied, rec.each_own, possible)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the keys of :data:`PLACEMENT_JSON`."""
        return PLACEMENT_JSON.dump(self)

    @property
    def decided(self) -> bool:
        """Whether the arrangement is settled (or one body is left): not open between several."""
        return self.arrangement is not None or not self.possible

    @property
    def lead_status(self) -> str:
        """``body``, ``joint``, ``tie``, ``each`` or ``open``, as a recommendation's."""
        return lead_kind(self.lead, self.tied, self.each_own, settled=not self.possible)

    @property
    def lead_text(self) -> str:
        """The lead in words, as a recommendation's :attr:`lead_text`."""
        if self.possible:
            if self.arrangement is None:
                return "open"
            leads = list(dict.fromkeys(o.lead_text for o in self.possible))
            return "not decided yet, it depends on answers left open: " + word_list(leads, "or")
        return EACH_OWN_WORDS if self.each_own else lead_words(self.lead, self.tied)

    @property
    def outcome_key(self) -> tuple[Any, ...]:
        """What a change compares: the arrangement, the lead, and every outcome still possible."""
        outcomes = tuple((o.arrangement, o.lead, o.tied, o.share) for o in self.possible)
        return (self.arrangement, self.lead, self.tied, outcomes)

    def __str__(self) -> str:
        if not self.decided:
            return "open: " + " or ".join(f"{o.arrangement} ({o.share})" for o in self.possible)
        where = str(self.arrangement) if self.arrangement is not None else "one body"
        return f"{where} ({self.lead_text})"

    @property
    def words(self) -> str:
        """The placement as classify's table writes it: ``1 One team (nhse)``.

        Open: ``open: 1 One team (1/2) or 2 Aligned, separate function(s) (1/2)``.
        """
        arrangement = self.arrangement
        if not self.decided:
            return "open: " + " or ".join(
                f"{o.arrangement.category} {o.arrangement.title} ({o.share})" for o in self.possible
            )
        where = "one body" if arrangement is None else f"{arrangement.category} {arrangement.title}"
        return f"{where} ({self.lead_text})"


#: A placement in the what-if JSON, its keys declared once: :meth:`Placement.to_dict` and the
#: ``whatif`` schema derive from them.
PLACEMENT_JSON = Shape(
    key(
        "arrangement",
        {"enum": [*Arrangement.names(), None]},
        via=text,
        description="null where one body is left (lead names it) or the placement is open",
    ),
    key("lead", STRING_OR_NULL),
    key(
        "lead_status",
        {"enum": ["body", "joint", "tie", "each", "open"]},
        required=False,
        description="open: answers left unknown give more than one outcome (see possible)",
    ),
    key("tied", STRINGS, via=list),
    key(
        "decided",
        {"type": "boolean"},
        required=False,
        description="false where answers left unknown give more than one arrangement",
    ),
    key(
        "possible",
        {"type": "array", "items": OUTCOME_JSON, "minItems": 2},
        via=each(OUTCOME_JSON),
        omit_empty=True,
        description="where answers left unknown give more than one outcome (the arrangement, "
        "or only the lead): each, with its share and when; absent when settled",
    ),
)


@attrs.frozen
class FunctionChange:
    """A function whose arrangement or lead differs from the baseline, and why."""

    function: str
    name: str
    before: Placement
    after: Placement
    because: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict, in the ``whatif`` JSON contract: :data:`CHANGE_JSON`."""
        return CHANGE_JSON.dump(self)


#: A function's change in the what-if JSON (:meth:`FunctionChange.to_dict`).
CHANGE_JSON = Shape(
    key("function", STRING),
    key("name", STRING),
    key("from", PLACEMENT_JSON, attr="before", via=PLACEMENT_JSON.dump),
    key("to", PLACEMENT_JSON, attr="after", via=PLACEMENT_JSON.dump),
    key("because", STRINGS, via=list),
)


@attrs.frozen
class Outcome:
    """One scenario's result against the baseline.

    Attributes:
        scenario: the scenario.
        classification: its classification, or None when only one body is left.
        single_body: the one body left after mergers, if any.
        changes: the functions whose arrangement or lead changed.
        metrics: the to-be structure's metrics (see ``taxonomy.measure``), or None.
        notes: what applying the scenario did that is worth saying (mergers, dropped constraints).
    """

    scenario: Scenario
    classification: Classification | None
    single_body: str | None
    changes: tuple[FunctionChange, ...]
    metrics: Metrics | None
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict, in the ``whatif`` JSON contract: :data:`SCENARIO_JSON`."""
        return SCENARIO_JSON.dump(self)


def _pack_named(pack: PackIdentity) -> dict[str, str]:
    return {"name": pack.name, "version": pack.version, "hash": pack.hash}


def _scenario_pack(outcome: Outcome) -> dict[str, str] | None:
    found = outcome.classification
    return None if found is None else _pack_named(found.rule_pack)


def _metrics_dict(metrics: Metrics | None) -> dict[str, Any] | None:
    return None if metrics is None else metrics.to_dict()


#: A scenario's outcome in the what-if JSON (:meth:`Outcome.to_dict`).
SCENARIO_JSON = Shape(
    key("name", STRING, attr="scenario.name"),
    key("description", STRING, attr="scenario.description"),
    key("applied", STRINGS, read=lambda o: [c.describe() for c in o.scenario.changes]),
    key("changes", {"type": "array", "items": CHANGE_JSON}, via=each(CHANGE_JSON)),
    key(
        "metrics",
        {"anyOf": [{"$ref": "#/$defs/metrics"}, {"type": "null"}]},
        via=_metrics_dict,
    ),
    key("notes", STRINGS, via=list),
    key("rule_pack", {"$ref": "#/$defs/rule_pack"}, read=_scenario_pack, omit_empty=True),
    key("single_body", STRING_OR_NULL),
)


@attrs.frozen
class Comparison:
    """The baseline and every scenario's outcome, side by side."""

    baseline: Classification
    baseline_metrics: Metrics
    outcomes: tuple[Outcome, ...]

    def to_dict(self) -> dict[str, Any]:
        """The ``whatif`` JSON contract: :data:`COMPARISON_JSON`."""
        return COMPARISON_JSON.dump(self)

    def _repr_html_(self) -> str:
        return _rendered("html", self)

    def to_frame(self) -> Any:
        """One row per scenario and changed function, as a pandas DataFrame (needs pandas)."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "scenario": o.scenario.name,
                    "function": c.function,
                    "from_arrangement": str(c.before.arrangement),
                    "from_lead": lead_words(c.before.lead, c.before.tied),
                    "to_arrangement": str(c.after.arrangement) if c.after.arrangement else None,
                    "to_lead": lead_words(c.after.lead, c.after.tied),
                    "because": "; ".join(c.because),
                }
                for o in self.outcomes
                for c in o.changes
            ]
        )

    def to_json(self) -> str:
        """The JSON contract as text, keys sorted: the same input gives the same bytes."""
        data = stamp("whatif", self.to_dict())
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    def to_markdown(self, *, reason: Callable[[str], str] | None = None) -> str:
        """A Markdown report: per scenario, a table of the changed functions and the metrics.

        Written by :func:`taxonomy.render.comparison.comparison_markdown`.

        Args:
            reason: says each reason of a change for the reader (the CLI passes
                :func:`taxonomy.render.report.board_reason`, the words of the report's scenario
                tables, so no rule id or finding name shows); None keeps them as
                :func:`because` wrote them.
        """
        return _rendered("markdown", self, reason=reason)

    def to_table(self, *, width: int = 120, color: bool = False) -> str:
        """A readable report for a terminal.

        Written by :func:`taxonomy.render.comparison.comparison_table`.
        """
        return _rendered("table", self, width=width, color=color)


def _placed(classification: Classification) -> list[dict[str, Any]]:
    dump = PLACEMENT_JSON.dump
    return [{"function": r.function, **dump(Placement.of(r))} for r in classification]


#: A baseline recommendation in the what-if JSON: a placement with its function.
PLACED_JSON = Shape(key("function", STRING), *PLACEMENT_JSON.keys)

_DAY = {k.name: k for k in CLASSIFICATION_JSON.keys if k.name in ("as_of", "provisions")}

#: The baseline in the what-if JSON, read from the :class:`Comparison`.
BASELINE_JSON = Shape(
    key("portfolio", STRING, attr="baseline.portfolio.name"),
    *(attrs.evolve(k, attr=f"baseline.{k.attr}") for k in _DAY.values()),
    key(
        "rule_pack", {"$ref": "#/$defs/rule_pack"}, read=lambda c: _pack_named(c.baseline.rule_pack)
    ),
    key("recommendations", {"type": "array", "items": PLACED_JSON}, attr="baseline", via=_placed),
    key("metrics", {"$ref": "#/$defs/metrics"}, attr="baseline_metrics", via=_metrics_dict),
)

#: The ``whatif`` JSON (:meth:`Comparison.to_dict`), and the body of its schema.
COMPARISON_JSON = Shape(
    key("baseline", BASELINE_JSON, read=BASELINE_JSON.dump),
    key(
        "scenarios",
        {"type": "array", "items": SCENARIO_JSON},
        attr="outcomes",
        via=each(SCENARIO_JSON),
    ),
)


#: How a comparison is written for a reader, by format (``markdown``, ``table``, ``html``).
#: The renderers register themselves when :data:`RENDERING` is imported: a result holds data
#: and sits below render/ in the layers, so it names the module rather than importing it.
RENDERERS: dict[str, Callable[..., str]] = {}

#: The module whose import registers the :data:`RENDERERS`.
RENDERING = "taxonomy.render.comparison"


def _rendered(written_as: str, comparison: Comparison, **options: Any) -> str:
    if written_as not in RENDERERS:
        importlib.import_module(RENDERING)
    return RENDERERS[written_as](comparison, **options)


def compare(
    portfolio: Any,
    *scenarios: Scenario,
    rules: RulePack | None = None,
    as_of: datetime.date | str | None = None,
) -> Comparison:
    """Classify the baseline and each scenario, and report what changes and why.

    Args:
        portfolio: the baseline portfolio (never mutated).
        scenarios: the scenarios, each applied to the baseline on its own.
        rules: the baseline rule pack; None uses the default pack.
        as_of: the day the baseline stands on, for a dated law (see
            :func:`~taxonomy.law.in_force`); None: the portfolio's ``as_of``.
    """
    from taxonomy.structure.checks import measure
    from taxonomy.structure.graph import build_graph

    pack = pack_for(portfolio, rules)
    written = portfolio  # as written: a scenario moving the day judges it afresh
    portfolio = in_force(portfolio, as_of, pack.facts).portfolio
    baseline = classify(portfolio, rules=pack)
    baseline_metrics = measure(build_graph(baseline))
    outcomes = []
    for scenario in scenarios:
        applied = scenario.apply(written, pack, as_of=portfolio.as_of)
        if applied.single_body is not None:
            outcomes.append(_one_body_left(scenario, applied.single_body, applied, baseline))
            continue
        result = classify(applied.portfolio, rules=applied.rules)
        changes = tuple(
            _change(before, result[before.function])
            for before in baseline
            if before.function in result
            and Placement.of(before).outcome_key
            != Placement.of(result[before.function]).outcome_key
        )
        outcomes.append(
            Outcome(scenario, result, None, changes, measure(build_graph(result)), applied.notes)
        )
    return Comparison(baseline, baseline_metrics, tuple(outcomes))


def _one_body_left(
    scenario: Scenario, body: str, applied: Applied, baseline: Classification
) -> Outcome:
    """The outcome of a scenario that leaves one body: every function is delivered by it."""
    changes = tuple(
        FunctionChange(
            r.function,
            r.name,
            Placement.of(r),
            Placement(None, body),
            (f"only {body} is left: the function is delivered once, by {body}",),
        )
        for r in baseline
    )
    notes = (
        *applied.notes,
        f"only {body} is left: every function is delivered once "
        "by one body, so no joint arrangement applies",
    )
    return Outcome(scenario, None, body, changes, None, notes)


def _change(before: Recommendation, after: Recommendation) -> FunctionChange:
    return FunctionChange(
        before.function,
        before.name,
        Placement.of(before),
        Placement.of(after),
        because(before, after),
    )


def _outcome_words(outcome: Possible) -> str:
    """An outcome still possible in words: ``1 One team (nhse)``."""
    return f"{outcome.arrangement.category} {outcome.arrangement.title} ({outcome.lead_text})"


def _open_because(before: Recommendation, after: Recommendation) -> tuple[str, ...]:
    """Why a function open before or after (answers left unknown) changed, in words.

    Opened or settled by the scenario's answers; open in both, the outcomes it gained or lost,
    or only their shares.
    """
    if not after.decided:
        first = after.open_questions[0].key
        if before.decided:
            return (f"now open between {len(after.possible)} outcomes: answer {first} first",)
        was = {_outcome_words(o) for o in before.possible}
        now = {_outcome_words(o) for o in after.possible}
        reasons = [f"no longer possible: {w}" for w in sorted(was - now)]
        reasons += [f"now possible: {w}" for w in sorted(now - was)]
        return (
            f"still open, between {len(after.possible)} outcomes (was {len(before.possible)}): "
            f"answer {first} first",
            *(reasons or ["the same outcomes, in other shares"]),
        )
    why = "the law settles it" if after.settled_by == "law" else "the answers given settle it"
    return (f"now decided (it was open between {len(before.possible)} outcomes): {why}",)


def because(before: Recommendation, after: Recommendation) -> tuple[str, ...]:
    """The differences between two derivations of one function, in words.

    A function open before or after (answers left unknown) says what the scenario's answers
    settled or opened (see ``_open_because``), not rules of one completion.
    """
    if not (before.decided and after.decided):
        return _open_because(before, after)
    b, a = before.explanation, after.explanation
    reasons = []
    if a.decided_by.rule != b.decided_by.rule:
        reasons.append(f"decided by {a.decided_by.rule} (was {b.decided_by.rule})")
    capped_before = {f.rule for f in b.capped_by}
    capped_after = {f.rule for f in a.capped_by}
    for rule in sorted(capped_after - capped_before):
        reasons.append(f"now capped by {rule}")
    for rule in sorted(capped_before - capped_after):
        reasons.append(f"no longer capped by {rule}")
    findings_before = {name: format_value(value) for name, value in b.findings}
    findings_after = {name: format_value(value) for name, value in a.findings}
    for name in sorted(set(findings_before) | set(findings_after)):
        old, new = (
            findings_before.get(name, "none derived"),
            findings_after.get(name, "none derived"),
        )
        if old != new:
            reasons.append(f"finding {name}: {old} -> {new}")
    lead_before = b.lead_by.rule if b.lead_by else None
    lead_after = a.lead_by.rule if a.lead_by else None
    if (before.lead, before.tied) != (after.lead, after.tied):
        reasons.append(
            f"lead {before.lead_text} -> {after.lead_text} "
            f"(set by {lead_after or 'no rule'}"
            + (f", was {lead_before})" if lead_before != lead_after else ")")
        )
    return tuple(reasons) or ("the rules fired the same way; the answers they read changed",)


def whatif_schema() -> Schema:
    """The JSON Schema of the ``whatif`` output, from :data:`COMPARISON_JSON`."""
    from taxonomy.schemas._outputs import (
        metrics_schema,
        named_schemas,
        pack_identity_schema,
        stamped_root,
    )

    body = COMPARISON_JSON.schema(named_schemas())
    defs = {"rule_pack": pack_identity_schema(), "metrics": metrics_schema()}
    return stamped_root("whatif", "taxonomy what-if comparison", body, defs)
