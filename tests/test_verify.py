"""Rule-pack verification, coverage and invariants, on the default pack and on planted faults."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import pytest
from hypothesis import given

import taxonomy
from taxonomy.testing import check_invariants, invariants
from taxonomy.testing.coverage import rule_coverage
from taxonomy.testing.strategies import portfolios
from taxonomy.testing.verify import check_pack
from tests.conftest import NHS, NWL
from tests.helpers import SMALL_PACK, copy_pack, run_cli

PACK = taxonomy.load_rules()


_cli = run_cli  # the command line, in this process


def test_the_small_pack_is_clean_so_a_planted_fault_is_what_is_found() -> None:
    report = check_pack(taxonomy.load_rules(SMALL_PACK))
    assert report.exhaustive and report.issues == ()
    assert report.combinations < 1000


def test_default_pack_is_clean() -> None:
    report = check_pack(PACK)
    assert report.exhaustive and report.issues == ()
    assert report.combinations > 10_000


def test_planted_conflict(tmp_path: Path) -> None:
    folder = copy_pack(tmp_path, SMALL_PACK)
    text = (folder / "decision.yaml").read_text()
    (folder / "decision.yaml").write_text(text.replace("priority: 30", "priority: 40"))
    report = check_pack(taxonomy.load_rules(folder))
    conflicts = [i for i in report.errors if i.kind == "conflict"]
    (issue,) = [i for i in conflicts if set(i.rules) == {"decision.aligned", "decision.one-team"}]
    assert any("decision.yaml:" in w for w in issue.where)
    assert dict(issue.example)  # an input on which both fire


def test_planted_gap(tmp_path: Path) -> None:
    folder = copy_pack(tmp_path, SMALL_PACK)
    text = (folder / "decision.yaml").read_text()
    start = text.index("  - id: decision.separate-distinct")
    end = text.index("  - id: decision.regional-teams-report-equally")
    (folder / "decision.yaml").write_text(text[:start] + text[end:])
    report = check_pack(taxonomy.load_rules(folder))
    gaps = [i for i in report.errors if i.kind == "gap"]
    assert gaps and "no decision rule fires" in gaps[0].message
    example = dict(gaps[0].example)
    assert (
        example["efficiency.duplication"] == "none"
        and example["effectiveness.joint_benefit"] == "none"
    )


def test_planted_dead_rule_and_unused_finding(tmp_path: Path) -> None:
    folder = copy_pack(tmp_path, SMALL_PACK)
    (folder / "extra.yaml").write_text("""
rules:
  - id: extra.never
    question: efficiency
    when:
      all:
        - {fact: efficiency.duplication, op: ==, value: high}
        - {fact: efficiency.duplication, op: ==, value: low}
    then: {finding: impossible, value: true}
    because: never
    principles: [simple]
    source: a planted fault
""")
    report = check_pack(taxonomy.load_rules(folder))
    kinds = {(i.kind, i.rules) for i in report.issues}
    assert ("dead rule", ("extra.never",)) in kinds
    assert ("unused finding", ("extra.never",)) in kinds
    assert report.errors == []  # warnings only


def test_rules_check_cli_exit_codes(tmp_path: Path) -> None:
    out = _cli("rules", "check")
    assert out.returncode == 0 and "clean" in out.stdout
    out = _cli("rules", "check", str(SMALL_PACK))
    assert out.returncode == 0 and "clean" in out.stdout
    folder = copy_pack(tmp_path, SMALL_PACK)
    text = (folder / "decision.yaml").read_text()
    (folder / "decision.yaml").write_text(text.replace("priority: 30", "priority: 40"))
    out = _cli("rules", "check", str(folder), "--format", "json")
    assert out.returncode == 1
    assert json.loads(out.stdout)["issues"][0]["kind"] == "conflict"
    out = _cli("rules", "check", str(tmp_path / "missing"))
    assert out.returncode == 2 and "must be a folder" in out.stderr


def test_coverage() -> None:
    report = rule_coverage(PACK, [taxonomy.load_portfolio(NHS), taxonomy.load_portfolio(NWL)])
    assert report.functions == 30
    assert "capability.gain-high" in report.never
    assert dict(report.fired)["legal.statutory-owner-leads"] >= 3
    out = _cli("rules", "coverage", str(NHS), "--format", "json")
    assert json.loads(out.stdout)["functions"] == 21


def test_invariants_hold_on_the_examples(nhs: taxonomy.Portfolio) -> None:
    assert check_invariants(PACK, nhs) == []
    assert check_invariants(None, taxonomy.load_portfolio(NWL)) == []


@given(portfolios(max_functions=3, max_bodies=4))
def test_invariants_hold_for_generated_portfolios(portfolio: taxonomy.Portfolio) -> None:
    assert check_invariants(PACK, portfolio) == []


def test_invariants_catch_a_broken_pack(tmp_path: Path, nhs: taxonomy.Portfolio) -> None:
    folder = copy_pack(tmp_path)
    # Plant a rule that lets strong answers lift a function each body must staff itself to one
    # team... by making the legal cap read an efficiency answer.
    text = (
        (folder / "legal.yaml")
        .read_text()
        .replace(
            '        - {fact: performed_by.count, op: ">=", value: 2}',
            '        - {fact: performed_by.count, op: ">=", value: 2}\n'
            "        - {fact: efficiency.duplication, op: '<', value: high}",
        )
    )
    assert "efficiency.duplication" in text
    (folder / "legal.yaml").write_text(text)
    comms = nhs.function("communications")  # duplication medium: the cap fires
    own = attrs.evolve(comms, legal=taxonomy.Legal(not_delegable_to=("another_body",)))
    nhs = nhs.with_function(own)
    broken = taxonomy.load_rules(folder)
    found = invariants.legal_dominance(broken, nhs)
    assert found and found[0].invariant == "legal dominance"
    assert "above its legal cap aligned" in found[0].message


def test_monotonicity_catches_an_inverted_threshold(
    tmp_path: Path, nhs: taxonomy.Portfolio
) -> None:
    folder = copy_pack(tmp_path)
    text = (
        (folder / "decision.yaml")
        .read_text()
        .replace(
            '        - {fact: finding.efficiency, op: ">=", value: high}\n        - {fact: finding.effectiveness, op: ">=", value: medium}',
            '        - {fact: finding.efficiency, op: "<=", value: medium}\n        - {fact: finding.effectiveness, op: ">=", value: medium}',
            1,
        )
    )
    (folder / "decision.yaml").write_text(text)
    found = invariants.monotonicity(taxonomy.load_rules(folder), nhs)
    assert found and all(v.invariant == "monotonicity" for v in found)


@pytest.mark.parametrize("name", sorted(invariants.INVARIANTS))
def test_each_invariant_usable_on_its_own(name: str, nhs: taxonomy.Portfolio) -> None:
    assert invariants.INVARIANTS[name](PACK, nhs) == []


def test_rules_check_proves_every_lead_is_one_the_law_allows() -> None:
    # Without the employees-only lead rule, a separate function only one body's employees may
    # carry out could fall to the most capable performer, whom the law bars: rules check finds
    # the answers on which no lead rule names a lawful body.
    small = taxonomy.load_rules(SMALL_PACK)
    pack = taxonomy.RulePack.from_rules(
        [r for r in small.rules if r.id != "legal.employees-only"], name="no-employees-only"
    )
    report = check_pack(pack)
    gaps = [i for i in report.errors if i.kind == "gap"]
    assert gaps and "names a body the law lets lead" in gaps[0].message
    assert dict(gaps[0].example)["legal.delegable_to"] != "(absent)"
    assert check_pack(small).errors == []
    assert check_pack(PACK).errors == []  # the default pack has the rule (checked once)
