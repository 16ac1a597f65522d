"""Rule coverage: which rules fired, and which never did, over a set of portfolios or a test run.

>>> import taxonomy
>>> portfolio = taxonomy.load_portfolio("examples/nhs_joint_working_2018.yaml")
>>> report = rule_coverage(taxonomy.load_rules(), [portfolio])
>>> report.never[:3]
('capability.gain-high', 'capability.gain-medium', 'decision.one-team-pooled-capability')
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

import attrs

from taxonomy._model import Portfolio
from taxonomy._output_shape import STRING, STRINGS, Schema, Shape, key
from taxonomy._results import Classification
from taxonomy.classification import classify
from taxonomy.language.rules import RulePack

__all__ = ["COVERAGE_JSON", "Coverage", "coverage_of", "coverage_schema", "rule_coverage"]


@attrs.frozen
class Coverage:
    """How often each rule of a pack fired, over some functions."""

    pack: str
    functions: int
    fired: tuple[tuple[str, int], ...]
    never: tuple[str, ...]

    @property
    def share(self) -> float:
        """The share of the pack's rules that fired at least once."""
        total = len(self.fired) + len(self.never)
        return len(self.fired) / total if total else 1.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the keys of :data:`COVERAGE_JSON`."""
        return COVERAGE_JSON.dump(self)

    def to_text(self) -> str:
        """A readable report."""
        lines = [
            f"rule pack {self.pack}: {len(self.fired)} of {len(self.fired) + len(self.never)} "
            f"rules fired over {self.functions} functions ({self.share:.0%})"
        ]
        lines += [f"  fired {count:>6}  {rule}" for rule, count in self.fired]
        lines += [f"  never {'':>6}  {rule}" for rule in self.never]
        return "\n".join(lines) + "\n"

    def to_junit_xml(self) -> str:
        """JUnit XML for CI: a test case per rule, in id order, failed if it never fired.

        >>> Coverage("p", 3, (("a", 2),), ("b",)).to_junit_xml().count("<failure")
        1
        """
        from taxonomy.testing.junit import Case, junit_xml

        fired = dict(self.fired)
        cases = [
            Case(self.pack, rule)
            if rule in fired
            else Case(self.pack, rule, failure=f"rule never fired over {self.functions} functions")
            for rule in sorted({*fired, *self.never})
        ]
        return junit_xml(f"rules coverage {self.pack}", cases)


_COUNT: Schema = {"type": "integer", "minimum": 0}

#: The ``rules-coverage`` JSON (:meth:`Coverage.to_dict`), and the body of its schema.
COVERAGE_JSON = Shape(
    key("pack", STRING),
    key("functions", _COUNT),
    key("fired", {"type": "object", "additionalProperties": _COUNT}, via=dict),
    key("never", STRINGS, via=list),
    key(
        "share",
        {"type": "number", "minimum": 0, "maximum": 1},
        read=lambda found: round(found.share, 3),
    ),
)


def coverage_of(rules: RulePack, classifications: Iterable[Classification]) -> Coverage:
    """Coverage of ``rules`` over classifications already made."""
    counts: Counter[str] = Counter()
    functions = 0
    for result in classifications:
        for rec in result:
            functions += 1
            counts.update(f.rule for f in rec.explanation.fired)
    ids = [r.id for r in rules.rules]
    fired = tuple((rid, counts[rid]) for rid in sorted(ids) if counts[rid])
    never = tuple(rid for rid in sorted(ids) if not counts[rid])
    return Coverage(rules.name, functions, fired, never)


def rule_coverage(rules: RulePack, portfolios: Iterable[Portfolio]) -> Coverage:
    """Classify each portfolio with ``rules`` and report which rules fired and which never did."""
    return coverage_of(rules, (classify(p, rules=rules) for p in portfolios))


def coverage_schema() -> Schema:
    """The JSON Schema of the ``rules-coverage`` output, from :data:`COVERAGE_JSON`."""
    from taxonomy.schemas._outputs import named_schemas, stamped_root

    body = COVERAGE_JSON.schema(named_schemas())
    return stamped_root("rules-coverage", "taxonomy rule coverage", body)
