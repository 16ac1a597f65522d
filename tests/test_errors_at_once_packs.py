"""Rule packs, scenarios, sweeps and expectation files report every problem in one run."""

from __future__ import annotations

from pathlib import Path

import pytest

from taxonomy import load_portfolio
from taxonomy.errors import MAX_PROBLEMS, InputError, RulePackError, ScenarioError
from taxonomy.language.rules import load_rules
from taxonomy.testing.expectations import load_expectations
from taxonomy.whatif.scenarios import load_scenario
from taxonomy.whatif.sweep import load_sweep
from tests.helpers import run_cli, write

ROOT = Path(__file__).resolve().parents[1]
NHS = ROOT / "examples" / "nhs_joint_working_2018.yaml"

#: An extension of the default pack with four independent mistakes: an unknown key in one
#: rule, a level that is no level in another, an unknown fact in a third, and an override of a
#: rule the default pack does not have.
EXTENSION_PACK = """
name: local
version: 0.1.0
extends: {name: nhs-joint-working-2018, version: "1.1.0"}
overrides:
  - {rule: decision.one-tem, reason: the local reading differs}
"""

EXTENSION_RULES = """
rules:
  - id: local.keyed
    question: efficiency
    when: {fact: efficiency.duplication, op: ==, value: high}
    then: {finding: local_keyed, value: high}
    because: duplication is high
    principles: [simple]
    source: local
    priorty: 3
  - id: local.levelled
    question: efficiency
    when: {fact: efficiency.duplication, op: ==, value: low}
    then: {finding: local_levelled, value: hihg}
    because: duplication is low
    principles: [simple]
    source: local
  - id: local.unknown-fact
    question: legal
    when: {fact: legal.board_reservd, op: ==, value: true}
    then: {cap: aligned}
    because: reserved
    principles: [practical]
    source: local
  - id: local.fine
    question: efficiency
    when: {fact: finding.local_levelled, op: ==, value: high}
    then: {finding: local_fine, value: high}
    because: fine
    principles: [simple]
    source: local
"""


def _extension(tmp_path: Path) -> Path:
    folder = tmp_path / "local"
    write(folder / "pack.yaml", EXTENSION_PACK)
    write(folder / "local.yaml", EXTENSION_RULES)
    return folder


def test_a_pack_with_four_mistakes_reports_all_four(tmp_path: Path) -> None:
    folder = _extension(tmp_path)
    with pytest.raises(RulePackError) as caught:
        load_rules(folder)
    error = caught.value
    assert error.total == 4, str(error)
    by_item = {problem.item: problem for problem in error.problems}
    rules_file = str(folder / "local.yaml")
    keyed = by_item["rule 'local.keyed'"]
    assert (keyed.file, keyed.key, keyed.suggestion) == (rules_file, "priorty", "priority")
    assert keyed.line == 9  # the line of the key
    levelled = by_item["rule 'local.levelled'"]
    assert (levelled.key, levelled.suggestion, levelled.line) == ("value", "high", 13)
    unknown = by_item["rule 'local.unknown-fact'"]
    assert (unknown.key, unknown.suggestion) == ("when", "legal.board_reserved")
    assert unknown.problem.startswith("unknown fact 'legal.board_reservd'")
    override = by_item["override of 'decision.one-tem'"]
    assert (override.file, override.key) == (str(folder / "pack.yaml"), "rule")
    assert override.suggestion == "decision.one-team"
    # One message lists them all, under a count; no cascade from the rule that failed to read
    # (local.fine reads the finding local.levelled would have derived).
    message = str(error)
    assert message.splitlines()[0] == f"{folder}: 4 problems:"
    assert "local.fine" not in message
    for problem in error.problems:
        assert f"  {problem}" in message.splitlines()


def test_a_pack_with_one_mistake_reads_as_before(tmp_path: Path) -> None:
    folder = _extension(tmp_path)
    write(folder / "pack.yaml", EXTENSION_PACK.split("overrides:")[0])
    rules = EXTENSION_RULES.replace("    priorty: 3\n", "").replace("hihg", "high")
    write(folder / "local.yaml", rules)
    with pytest.raises(RulePackError) as caught:
        load_rules(folder)
    assert caught.value.total == 1 and caught.value.problems == (caught.value,)
    assert str(caught.value).startswith(
        f"{folder / 'local.yaml'}:"
    ) and "rule 'local.unknown-fact': key 'when': unknown fact 'legal.board_reservd'" in str(
        caught.value
    )
    assert "problems" not in str(caught.value)


def test_rules_read_case_insensitively_where_unambiguous(tmp_path: Path) -> None:
    folder = _extension(tmp_path)
    write(folder / "pack.yaml", EXTENSION_PACK.split("overrides:")[0])
    rules = (
        EXTENSION_RULES.replace("    priorty: 3\n", "")
        .replace("hihg", "High")
        .replace("legal.board_reservd", "legal.board_reserved")
        .replace("question: legal", "question: Legal")
        .replace("{cap: aligned}", "{cap: Aligned}")
        .replace("[practical]", "[Practical]")
        .replace("op: ==, value: high}", "op: ==, value: High}")
    )
    write(folder / "local.yaml", rules)
    pack = load_rules(folder)
    rule = pack.rule("local.unknown-fact")
    assert (rule.question, str(rule.then.cap), rule.principles) == (
        "legal",
        "aligned",
        ("practical",),
    )
    assert str(pack.rule("local.levelled").then.value) == "high"
    keyed = pack.rule("local.keyed")
    assert keyed.when.value == "high"
    # The same pack written in lower case: the same rules, the same hash.
    lower = rules
    for written in ("High", "Legal", "Aligned", "Practical"):
        lower = lower.replace(written, written.lower())
    write(folder / "local.yaml", lower)
    assert load_rules(folder).hash == pack.hash
    # Ids and keys are not loosened.
    write(folder / "local.yaml", rules.replace("id: local.fine", "id: Local.Fine"))
    with pytest.raises(RulePackError, match="rule ids are lower-case"):
        load_rules(folder)


def test_more_problems_than_the_cap_are_counted(tmp_path: Path) -> None:
    count = MAX_PROBLEMS + 7
    rules = "rules:\n" + "".join(
        f"  - {{id: r{n}, question: decision, when: {{all: []}}, then: {{decide: one_team}}, "
        f"because: x, principles: [simple], source: x, priorty: 1}}\n"
        for n in range(count)
    )
    folder = tmp_path / "many"
    write(folder / "pack.yaml", "name: many\nversion: '1'\n")
    write(folder / "rules.yaml", rules)
    with pytest.raises(RulePackError) as caught:
        load_rules(folder)
    error = caught.value
    assert error.total == count and len(error.problems) == MAX_PROBLEMS
    lines = str(error).splitlines()
    assert lines[0] == f"{folder}: {count} problems:"
    assert lines[-1] == "  … and 7 more"
    assert [p.item for p in error.problems] == [f"rule 'r{n}'" for n in range(MAX_PROBLEMS)]


def test_a_pack_whose_rule_file_is_broken_reports_the_other_files(tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    write(folder / "pack.yaml", "name: broken\nversion: '1'\nvocabulary: {govening_body: Board}\n")
    write(folder / "a.yaml", "rules: [unclosed\n")
    write(
        folder / "b.yaml",
        "rules:\n  - {id: b, question: decision, when: {all: []}, then: {decide: One_Tem},"
        " because: x, principles: [simple], source: x}\n",
    )
    with pytest.raises(RulePackError) as caught:
        load_rules(folder)
    problems = caught.value.problems
    assert [(Path(p.file or "").name, p.key) for p in problems] == [
        ("pack.yaml", "govening_body"),
        ("a.yaml", None),
        ("b.yaml", "decide"),
    ]
    assert problems[0].suggestion == "governing_body"
    assert problems[2].suggestion == "one_team"
    # The decision rule failed to read: "the pack has no decision rule" would be its echo.
    assert "no decision rule" not in str(caught.value)


def test_a_broken_declaration_does_not_make_its_readers_unknown(tmp_path: Path) -> None:
    folder = _extension(tmp_path)
    write(folder / "pack.yaml", EXTENSION_PACK.split("overrides:")[0])
    write(
        folder / "local.yaml",
        """
        facts:
          - {name: legal.local_control, type: levle, meaning: how far members direct delivery}
          - {name: legal.local_host, type: body, meanin: the host council}
        rules:
          - id: local.control
            question: legal
            when: {fact: legal.local_control, op: ">=", value: high}
            then: {cap: aligned}
            because: members direct delivery
            principles: [practical]
            source: local
        """,
    )
    with pytest.raises(RulePackError) as caught:
        load_rules(folder)
    assert [(p.item, p.key, p.suggestion) for p in caught.value.problems] == [
        ("fact 'legal.local_control'", "type", "level"),
        ("fact 'legal.local_host'", "meanin", "meaning"),
    ]


SCENARIO = """
name: Several mistakes
changes:
  - set: {function: pricing, field: efficiency.duplication, value: hihg}
  - law: {joint_committees: yes please}
  - mrege: {into: nhse, from: [nhsi]}
  - set: {functions: "*", field: efficency.duplication, value: high}
  - set: {function: pricing, field: capability.nhsi, value: High}
"""


def test_a_scenario_with_several_bad_changes_reports_each(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", SCENARIO)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    error = caught.value
    assert error.total == 4
    assert [(p.item, p.line, p.key, p.suggestion) for p in error.problems] == [
        ("change 1", 3, "value", "high"),
        ("change 2", 4, "joint_committees", None),
        ("change 3", 5, None, "merge"),
        ("change 4", 6, "field", "efficiency.duplication"),
    ]
    assert all(p.file == str(path) for p in error.problems)
    assert str(error).splitlines()[0] == f"{path}: 4 problems:"


def test_a_scenario_sets_a_level_written_in_capitals(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.yaml",
        "name: caps\nchanges:\n"
        "  - set: {function: pricing, field: efficiency.duplication, value: High}\n"
        "  - set: {function: pricing, field: capability.nhsi, value: LOW}\n",
    )
    scenario = load_scenario(path)
    assert [change.value for change in scenario.changes] == ["high", "low"]
    where = write(
        tmp_path / "w.yaml",
        "name: where\nchanges:\n  - set: {where: {fact: efficiency.duplication, op: in,"
        " value: [High, Medium]}, field: notes, value: High}\n",
    )
    (change,) = load_scenario(where).changes
    assert change.selector.where.value == ("high", "medium")
    assert change.value == "High"  # notes are text: kept as written
    applied = scenario.apply(load_portfolio(NHS))
    pricing = applied.portfolio.function("pricing")
    assert str(pricing.efficiency.duplication) == "high"
    assert str(pricing.capability.as_dict()["nhsi"]) == "low"


def test_a_scenario_loading_a_broken_pack_reports_each_problem_at_the_change(
    tmp_path: Path,
) -> None:
    _extension(tmp_path)
    path = write(tmp_path / "s.yaml", "name: local pack\nchanges:\n  - rules: {pack: local}\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path).apply(load_portfolio(NHS))
    error = caught.value
    assert error.total == 4
    assert {(p.item, p.key, p.line) for p in error.problems} == {("change 1", "pack", 3)}
    assert all(p.problem.startswith("cannot load the pack: ") for p in error.problems)
    assert "decision.one-tem" in str(error) and "local.keyed" in str(error)


def test_a_sweep_with_several_bad_axes_reports_each(tmp_path: Path) -> None:
    path = write(
        tmp_path / "sweep.yaml",
        """
        name: Broken sweep
        grid:
          - {functions: "*", field: capability.nhsi, values: [none, Low, hihg]}
          - {law: joint_committee, values: [false, true]}
          - {functions: "*", field: efficiency.duplication, values: []}
          - {functions: "*", field: capability.nhse, values: [Medium, HIGH]}
        sample: {size: 0, sed: 1}
        """,
    )
    with pytest.raises(ScenarioError) as caught:
        load_sweep(path)
    error = caught.value
    assert [(p.item, p.key, p.suggestion) for p in error.problems] == [
        ("axis 1", "values", "high"),
        ("axis 2", "law", "joint_committees"),
        ("axis 3", "values", None),
        ("sample", "sed", "seed"),
        (None, "size", None),
    ]
    assert [p.line for p in error.problems] == [3, 4, 5, 7, 7]
    # The one good axis took its levels whatever their case.
    path.write_text(
        'name: ok\ngrid:\n  - {functions: "*", field: capability.nhse, values: [Medium, HIGH]}\n',
        encoding="utf-8",
    )
    assert load_sweep(path).axes[0].values == ("medium", "high")


def test_an_expectation_file_with_several_bad_cases_reports_each(tmp_path: Path) -> None:
    path = write(
        tmp_path / "x.expect.yaml",
        f"""
        portfolio: {NHS}
        cases:
          - {{function: pricing, arrangement: alinged}}
          - {{function: strategy, arrangement: One_Team, leed: nhse}}
          - {{function: eprr, capped_by: legal.board-reserved}}
          - {{function: hr, arrangement: Separate_Involved}}
          - just text
        """,
    )
    with pytest.raises(InputError) as caught:
        load_expectations(path)
    error = caught.value
    assert [(p.item, p.line, p.key, p.suggestion) for p in error.problems] == [
        ("case 'pricing'", 3, "arrangement", "aligned"),
        ("case 'strategy'", 4, "leed", "lead"),
        ("case 'eprr'", 5, "capped_by", None),
        (None, 3, None, None),  # not a mapping: at the list
    ]
    assert str(error).splitlines()[0] == f"{path}: 4 problems:"
    # Without the mistakes, arrangements written in another case are read as named.
    text = path.read_text(encoding="utf-8")
    for wrong, right in (("alinged", "aligned"), ("leed", "lead"), ("legal.board-reserved", "[]")):
        text = text.replace(wrong, right)
    path.write_text(text.replace("  - just text\n", ""), encoding="utf-8")
    cases = load_expectations(path).cases
    assert [dict(case.expected).get("arrangement") for case in cases] == [
        "aligned",
        "one_team",
        None,
        "separate_involved",
    ]


def test_the_cli_prints_every_problem_in_one_message_and_exits_2(tmp_path: Path) -> None:
    folder = _extension(tmp_path)
    result = run_cli("rules", "check", str(folder))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert f"{folder}: 4 problems:" in result.stderr
    for item in ("local.keyed", "local.levelled", "local.unknown-fact", "decision.one-tem"):
        assert item in result.stderr
    scenario = write(tmp_path / "s.yaml", SCENARIO)
    result = run_cli("whatif", str(NHS), str(scenario))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{scenario}: 4 problems:" in result.stderr
    assert all(f"change {n}" in result.stderr for n in (1, 2, 3, 4))
