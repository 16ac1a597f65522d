"""Comparing scenarios with the baseline: what changes, why, and how the structure changes.

Examples:
    >>> import taxonomy
    >>> from taxonomy.whatif.scenarios import Scenario
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
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs

from taxonomy._model import EACH_OWN_WORDS, Arrangement, format_value, lead_words
from taxonomy._results import Classification, Recommendation
from taxonomy.classification import classify
from taxonomy.language.rules import RulePack, pack_for
from taxonomy.law import in_force
from taxonomy.render.text import law_line
from taxonomy.schemas._ids import stamp
from taxonomy.whatif.scenarios import Scenario

if TYPE_CHECKING:  # networkx loads only when a comparison measures structures
    from taxonomy.structure.checks import Metrics

__all__ = ["Comparison", "FunctionChange", "Outcome", "Placement", "compare"]


@attrs.frozen
class Placement:
    """Where a function stands: its arrangement (None when one body is left) and lead."""

    arrangement: Arrangement | None
    lead: str | None
    tied: tuple[str, ...] = ()
    each_own: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "arrangement": str(self.arrangement) if self.arrangement is not None else None,
            "lead": self.lead,
            "lead_status": self.lead_status,
            "tied": list(self.tied),
        }

    @property
    def lead_status(self) -> str:
        """``body``, ``joint``, ``tie`` or ``each``, as a recommendation's :attr:`lead_status`."""
        if self.lead is not None:
            return "body"
        if self.each_own:
            return "each"
        return "tie" if self.tied else "joint"

    @property
    def lead_text(self) -> str:
        """The lead in words, as a recommendation's :attr:`lead_text`."""
        return EACH_OWN_WORDS if self.each_own else lead_words(self.lead, self.tied)

    def __str__(self) -> str:
        where = str(self.arrangement) if self.arrangement is not None else "one body"
        return f"{where} ({self.lead_text})"

    @property
    def words(self) -> str:
        """The placement as classify's table writes it: ``1 One team (nhse)``."""
        arrangement = self.arrangement
        where = "one body" if arrangement is None else f"{arrangement.category} {arrangement.title}"
        return f"{where} ({self.lead_text})"


@attrs.frozen
class FunctionChange:
    """A function whose arrangement or lead differs from the baseline, and why."""

    function: str
    name: str
    before: Placement
    after: Placement
    because: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict, in the ``whatif`` JSON contract."""
        return {
            "function": self.function,
            "name": self.name,
            "from": self.before.to_dict(),
            "to": self.after.to_dict(),
            "because": list(self.because),
        }


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
        """A JSON-ready dict, in the ``whatif`` JSON contract."""
        data: dict[str, Any] = {
            "name": self.scenario.name,
            "description": self.scenario.description,
            "applied": [c.describe() for c in self.scenario.changes],
            "changes": [c.to_dict() for c in self.changes],
            "metrics": self.metrics.to_dict() if self.metrics is not None else None,
            "notes": list(self.notes),
        }
        if self.classification is not None:
            pack = self.classification.rule_pack
            data["rule_pack"] = {"name": pack.name, "version": pack.version, "hash": pack.hash}
        data["single_body"] = self.single_body
        return data


@attrs.frozen
class Comparison:
    """The baseline and every scenario's outcome, side by side."""

    baseline: Classification
    baseline_metrics: Metrics
    outcomes: tuple[Outcome, ...]

    def to_dict(self) -> dict[str, Any]:
        """The ``whatif`` JSON contract."""
        pack = self.baseline.rule_pack
        return {
            "baseline": {
                "portfolio": self.baseline.portfolio.name,
                "as_of": self.baseline.to_dict()["as_of"],
                "provisions": list(self.baseline.provisions),
                "rule_pack": {"name": pack.name, "version": pack.version, "hash": pack.hash},
                "recommendations": [
                    {
                        "function": r.function,
                        "arrangement": str(r.settled_arrangement),
                        "lead": r.lead,
                        "tied": list(r.tied),
                    }
                    for r in self.baseline
                ],
                "metrics": self.baseline_metrics.to_dict(),
            },
            "scenarios": [o.to_dict() for o in self.outcomes],
        }

    def _repr_html_(self) -> str:
        import html

        parts = []
        for outcome in self.outcomes:
            rows = (
                "".join(
                    f"<tr><td>{html.escape(c.function)}</td><td>{html.escape(str(c.before))}</td>"
                    f"<td>{html.escape(str(c.after))}</td>"
                    f"<td>{html.escape('; '.join(c.because))}</td></tr>"
                    for c in outcome.changes
                )
                or '<tr><td colspan="4">No function changes arrangement or lead.</td></tr>'
            )
            parts.append(
                f"<h4>{html.escape(outcome.scenario.name)}</h4><table><tr><th>function</th>"
                f"<th>from</th><th>to</th><th>because</th></tr>{rows}</table>"
            )
        return "".join(parts)

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

        Args:
            reason: says each reason of a change for the reader (the CLI passes
                :func:`taxonomy.render.report.board_reason`, the words of the report's scenario
                tables, so no rule id or finding name shows); None keeps them as
                :func:`because` wrote them.
        """
        said = reason if reason is not None else str
        lines = [f"# What-if: {self.baseline.portfolio.name}", ""]
        day = law_line(self.baseline.portfolio)
        if day:
            lines += [f"Baseline: {day[0].lower()}{day[1:]}.", ""]
        for outcome in self.outcomes:
            lines += [f"## {outcome.scenario.name}", ""]
            if outcome.scenario.description:
                lines += [outcome.scenario.description, ""]
            for note in outcome.notes:
                lines.append(f"- {note}")
            if outcome.notes:
                lines.append("")
            if not outcome.changes:
                lines += ["No function changes arrangement or lead.", ""]
            else:
                lines += ["| function | from | to | because |", "|---|---|---|---|"]
                for c in outcome.changes:
                    lines.append(
                        f"| {c.function} | {c.before.words} | {c.after.words} | "
                        f"{'; '.join(said(r) for r in c.because)} |"
                    )
                lines.append("")
            if outcome.metrics is not None:
                lines += ["| metric | baseline | scenario |", "|---|---:|---:|"]
                for key, value in outcome.metrics.flat().items():
                    name = key.replace("_", " ")  # as the table writes it
                    lines.append(f"| {name} | {self.baseline_metrics.flat()[key]} | {value} |")
                lines.append("")
        return "\n".join(lines)

    def to_table(self, *, width: int = 120, color: bool = False) -> str:
        """A readable report for a terminal."""
        import io

        from rich.console import Console
        from rich.table import Table

        console = Console(
            file=io.StringIO(),
            width=width,
            force_terminal=color,
            no_color=not color,
            highlight=False,
            record=True,
        )
        for outcome in self.outcomes:
            console.rule(outcome.scenario.name)
            for note in outcome.notes:
                console.print(f"• {note}")
            if outcome.changes:
                table = Table(title="Functions that change")
                for header in ("function", "from", "to", "because"):
                    table.add_column(header, overflow="fold")
                for c in outcome.changes:
                    table.add_row(c.function, c.before.words, c.after.words, "\n".join(c.because))
                console.print(table)
            else:
                console.print("No function changes arrangement or lead.")
            if outcome.metrics is not None:
                metrics = Table(title="Structure")
                for header in ("metric", "baseline", "scenario"):
                    metrics.add_column(header)
                base = self.baseline_metrics.flat()
                for key, value in outcome.metrics.flat().items():
                    metrics.add_row(key.replace("_", " "), str(base[key]), str(value))
                console.print(metrics)
        return console.export_text(styles=color)


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
    portfolio = in_force(portfolio, as_of, pack.facts).portfolio
    baseline = classify(portfolio, rules=pack)
    baseline_metrics = measure(build_graph(baseline))
    outcomes = []
    for scenario in scenarios:
        applied = scenario.apply(portfolio, pack)
        if applied.single_body is not None:
            body = applied.single_body
            changes = tuple(
                FunctionChange(
                    r.function,
                    r.name,
                    Placement(r.arrangement, r.lead, r.tied, r.each_own),
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
            outcomes.append(Outcome(scenario, None, body, changes, None, notes))
            continue
        result = classify(applied.portfolio, rules=applied.rules)
        for rec in result:
            rec.settled_arrangement  # noqa: B018  refuses an open recommendation, never guesses
        changes = tuple(
            _change(before, result[before.function])
            for before in baseline
            if before.function in result
            and (before.arrangement, before.lead, before.tied)
            != (
                result[before.function].arrangement,
                result[before.function].lead,
                result[before.function].tied,
            )
        )
        outcomes.append(
            Outcome(scenario, result, None, changes, measure(build_graph(result)), applied.notes)
        )
    return Comparison(baseline, baseline_metrics, tuple(outcomes))


def _change(before: Recommendation, after: Recommendation) -> FunctionChange:
    return FunctionChange(
        before.function,
        before.name,
        Placement(before.arrangement, before.lead, before.tied, before.each_own),
        Placement(after.arrangement, after.lead, after.tied, after.each_own),
        because(before, after),
    )


def because(before: Recommendation, after: Recommendation) -> tuple[str, ...]:
    """The differences between two derivations of one function, in words."""
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
