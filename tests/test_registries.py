"""Registries where behaviour varies by kind: a structure check, a scenario change kind, a
renderer each join by registration, and what reads the registry picks them up."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs
import pytest

import taxonomy
from taxonomy.input.reader import Fields, Reader
from taxonomy.language.rules import RulePack
from taxonomy.structure import findings
from taxonomy.structure.checks import CHECKS, check
from taxonomy.structure.findings import Finding, Site, registered
from taxonomy.structure.graph import build_graph
from taxonomy.whatif.kinds import CHANGE_KINDS, Applied, Where, change_kind
from taxonomy.whatif.scenarios import loads_scenario, scenario_schema

NHS = "examples/nhs_joint_working_2018.yaml"


@pytest.fixture
def restored() -> Iterator[None]:
    """Put the registries back as they were, whatever a test registered."""
    kinds, checks = dict(CHANGE_KINDS), dict(CHECKS)
    per_function, whole = list(findings.FUNCTION_CHECKS), list(findings.STRUCTURE_CHECKS)
    yield
    CHANGE_KINDS.clear()
    CHANGE_KINDS.update(kinds)
    CHECKS.clear()
    CHECKS.update(checks)
    findings.FUNCTION_CHECKS[:] = per_function
    findings.STRUCTURE_CHECKS[:] = whole


def test_the_change_kinds_are_registered_in_the_order_scenarios_list_them() -> None:
    assert list(CHANGE_KINDS) == [
        "merge", "set", "law", "rules", "add", "remove", "delegate", "undelegate", "as_of",
    ]  # fmt: skip
    schema = scenario_schema(taxonomy.load_rules())
    change = schema["properties"]["changes"]["items"]
    assert list(change["properties"]) == list(CHANGE_KINDS)


@pytest.mark.usefixtures("restored")
def test_a_change_kind_registered_once_is_read_applied_and_in_the_schema() -> None:
    @change_kind("rename")
    @attrs.frozen
    class Rename:
        name: str
        at: Where = attrs.field(factory=Where, eq=False)

        def describe(self) -> str:
            return f"rename the portfolio {self.name}"

        def apply(self, applied: Applied) -> Applied:
            return attrs.evolve(applied, portfolio=attrs.evolve(applied.portfolio, name=self.name))

        @classmethod
        def read(cls, key: str, reader: Reader, body: Fields, at: Where) -> Rename:
            reader.keys(body, allowed=("to",), required=("to",), item=at.item)
            return cls(reader.text(body, "to", item=at.item), at)

        @classmethod
        def schema(cls, key: str, pack: RulePack) -> dict[str, Any]:
            return {"type": "object", "properties": {"to": {"type": "string"}}}

    scenario = loads_scenario("name: s\nchanges:\n  - rename: {to: Joint}\n")
    assert [c.describe() for c in scenario.changes] == ["rename the portfolio Joint"]
    applied = scenario.apply(taxonomy.load_portfolio(NHS))
    assert applied.portfolio.name == "Joint"
    schema = scenario_schema(taxonomy.load_rules())
    assert "rename" in schema["properties"]["changes"]["items"]["properties"]
    with pytest.raises(taxonomy.ScenarioError, match="'to'") as refused:
        loads_scenario("name: s\nchanges:\n  - rename: {into: Joint}\n")
    assert "change 1" in str(refused.value)
    with pytest.raises(ValueError, match="registered twice"):
        change_kind("rename")(Rename)


def test_an_unknown_change_lists_the_registered_kinds() -> None:
    with pytest.raises(taxonomy.ScenarioError) as refused:
        loads_scenario("name: s\nchanges:\n  - mrege: {into: a, from: [b]}\n")
    (problem,) = refused.value.problems
    assert list(problem.allowed or ()) == list(CHANGE_KINDS)
    assert problem.suggestion == "merge"


@pytest.mark.usefixtures("restored")
def test_a_structure_check_registered_once_runs_on_every_function() -> None:
    @registered("named", principle="simple", looks_for="every function has a name")
    def _named(site: Site) -> Iterator[Finding]:
        yield findings.finding("named", "info", f"{site.name} is named", [site.function])

    portfolio = taxonomy.load_portfolio(NHS)
    found = [f for f in check(build_graph(taxonomy.classify(portfolio))) if f.check == "named"]
    assert len(found) == len(portfolio.functions)
    assert {f.principle for f in found} == {"simple"}
    assert list(CHECKS)[-1] == "named"
    with pytest.raises(ValueError, match="registered twice"):
        registered("named", principle="simple", looks_for="again")(_named)


def test_a_comparison_is_written_by_render() -> None:
    from taxonomy.render.comparison import comparison_markdown, comparison_table

    portfolio = taxonomy.load_portfolio(NHS)
    evidenced = taxonomy.Scenario("Evidenced").set(
        function="strategy", field="efficiency.duplication", value="high"
    )
    result = taxonomy.compare(portfolio, evidenced)
    assert result.to_markdown() == comparison_markdown(result)
    assert result.to_table(width=100) == comparison_table(result, width=100)
    assert "| strategy |" in result.to_markdown()
