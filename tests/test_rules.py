"""Rule packs: loading validates everything, with file:line, rule id and "did you mean"."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import attrs
import pytest

import taxonomy
from taxonomy import RulePackError
from taxonomy.language.rules import default_pack_path, load_rules
from tests.helpers import copy_pack, minimal_pack, write

DECIDE = """
  - id: d.always
    question: decision
    when: {all: []}
    then: {decide: separate_distinct}
    because: always
    principles: [simple]
    source: test
"""


def test_default_pack_loads_with_identity(pack: taxonomy.RulePack) -> None:
    assert pack.name == "nhs-joint-working-2018"
    assert pack.version == "1.1.0"
    assert re.fullmatch(r"[0-9a-f]{64}", pack.hash)
    assert all(rule.source and rule.principles for rule in pack.rules)


def test_hash_is_content_not_layout(tmp_path: Path, pack: taxonomy.RulePack) -> None:
    copy = copy_pack(tmp_path)
    # Reordering files' content and reformatting does not change the hash...
    text = (copy / "legal.yaml").read_text()
    (copy / "legal.yaml").write_text("# a new comment\n" + text)
    assert load_rules(copy).hash == pack.hash
    # ...but changing a rule does.
    (copy / "legal.yaml").write_text(text.replace("priority: 30", "priority: 31"))
    assert load_rules(copy).hash != pack.hash


def _bad(tmp_path: Path, rules_yaml: str) -> str:
    with pytest.raises(RulePackError) as info:
        load_rules(minimal_pack(tmp_path, rules_yaml))
    return str(info.value)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        # unknown key, with a suggestion
        (
            """
  - id: x.one
    question: legal
    wehn: {all: []}
    then: {cap: aligned}
    because: b
    principles: [simple]
    source: s
""",
            ["rules.yaml:4", "rule 'x.one'", "key 'wehn'", "did you mean 'when'"],
        ),
        # unknown operator
        (
            """
  - id: x.one
    question: efficiency
    when: {fact: efficiency.duplication, op: "=>", value: high}
    then: {finding: e, value: high}
    because: b
    principles: [simple]
    source: s
""",
            ["rule 'x.one'", "key 'op'", "'=>' is not allowed", "did you mean '>='"],
        ),
        # unknown fact
        (
            """
  - id: x.one
    question: efficiency
    when: {fact: efficiency.duplicaton, op: ==, value: high}
    then: {finding: e, value: high}
    because: b
    principles: [simple]
    source: s
""",
            [
                "rules.yaml:2",
                "unknown fact 'efficiency.duplicaton'",
                "did you mean 'efficiency.duplication'",
            ],
        ),
        # bad level
        (
            """
  - id: x.one
    question: efficiency
    when: {fact: efficiency.duplication, op: ==, value: hihg}
    then: {finding: e, value: high}
    because: b
    principles: [simple]
    source: s
""",
            ["'hihg' is not a level", "did you mean 'high'"],
        ),
        # operator that does not apply to the fact's type
        (
            """
  - id: x.one
    question: legal
    when: {fact: legal.board_reserved, op: ">", value: true}
    then: {cap: aligned}
    because: b
    principles: [simple]
    source: s
""",
            ["operator '>' does not apply to 'legal.board_reserved' (bool)"],
        ),
        # finding used but never derived
        (
            """
  - id: x.one
    question: decision
    when: {fact: finding.efficency, op: ">=", value: high}
    then: {decide: one_team}
    because: b
    principles: [simple]
    source: s
  - id: x.two
    question: efficiency
    when: {all: []}
    then: {finding: efficiency, value: high}
    because: b
    principles: [simple]
    source: s
""",
            [
                "rule 'x.one'",
                "finding 'efficency', which no rule derives",
                "did you mean 'efficiency'",
            ],
        ),
        # unknown principle
        (
            """
  - id: x.one
    question: legal
    when: {all: []}
    then: {cap: aligned}
    because: b
    principles: [simpel]
    source: s
""",
            ["'simpel' is not an Annex B design principle", "did you mean 'simple'"],
        ),
        # caps are legal constraints
        (
            """
  - id: x.one
    question: efficiency
    when: {all: []}
    then: {cap: aligned}
    because: b
    principles: [simple]
    source: s
""",
            ["only 'legal' rules may 'cap'"],
        ),
        # a lead from an optional fact must require it
        (
            """
  - id: x.one
    question: legal
    when: {all: []}
    then: {lead: legal.statutory_owner}
    because: b
    principles: [simple]
    source: s
""",
            ["must require {fact: legal.statutory_owner, op: present}"],
        ),
        # a because template naming no fact
        (
            """
  - id: x.one
    question: legal
    when: {all: []}
    then: {cap: aligned}
    because: "{legal.bord_reserved} is set"
    principles: [simple]
    source: s
""",
            ["unknown fact 'legal.bord_reserved'", "did you mean 'legal.board_reserved'"],
        ),
        # arrangement names
        (
            """
  - id: x.one
    question: legal
    when: {all: []}
    then: {cap: one-team}
    because: b
    principles: [simple]
    source: s
""",
            ["'one-team' is not allowed", "did you mean 'one_team'"],
        ),
        # a combinator must stand alone
        (
            """
  - id: x.one
    question: legal
    when: {all: [], fact: legal.board_reserved}
    then: {cap: aligned}
    because: b
    principles: [simple]
    source: s
""",
            ["'all' must stand alone"],
        ),
        # priorities are whole numbers
        (
            """
  - id: x.one
    question: legal
    when: {all: []}
    then: {cap: aligned}
    because: b
    principles: [simple]
    source: s
    priority: high
""",
            ["key 'priority'", "whole number"],
        ),
        # empty any
        (
            """
  - id: x.one
    question: legal
    when: {any: []}
    then: {cap: aligned}
    because: b
    principles: [simple]
    source: s
""",
            ["'any' needs at least one condition"],
        ),
    ],
)
def test_bad_rules(tmp_path: Path, rule: str, expected: list[str]) -> None:
    message = _bad(tmp_path, "rules:" + rule + DECIDE)
    for part in expected:
        assert part in message, message


def test_duplicate_rule_ids_across_files(tmp_path: Path) -> None:
    folder = minimal_pack(tmp_path, "rules:" + DECIDE)
    write(folder / "more.yaml", "rules:" + DECIDE)
    with pytest.raises(
        RulePackError,
        match=r"rules.yaml:2: rule 'd.always': duplicate rule id; first defined at .*more.yaml:2",
    ):
        load_rules(folder)


def test_cycle_between_findings(tmp_path: Path) -> None:
    message = _bad(
        tmp_path,
        "rules:"
        + """
  - id: x.a
    question: efficiency
    when: {fact: finding.b, op: ==, value: true}
    then: {finding: a, value: true}
    because: b
    principles: [simple]
    source: s
  - id: x.b
    question: efficiency
    when: {fact: finding.a, op: ==, value: true}
    then: {finding: b, value: true}
    because: b
    principles: [simple]
    source: s
"""
        + DECIDE,
    )
    assert "cycle" in message and "x.a" in message and "x.b" in message


def test_finding_of_mixed_types(tmp_path: Path) -> None:
    message = _bad(
        tmp_path,
        "rules:"
        + """
  - id: x.a
    question: efficiency
    when: {all: []}
    then: {finding: a, value: true}
    because: b
    principles: [simple]
    source: s
  - id: x.b
    question: efficiency
    when: {all: []}
    then: {finding: a, value: high}
    because: b
    principles: [simple]
    source: s
"""
        + DECIDE,
    )
    assert "finding 'a' is a level here but a bool" in message


def test_pack_without_decision(tmp_path: Path) -> None:
    folder = minimal_pack(
        tmp_path,
        "rules:\n"
        + DECIDE.replace("decision", "legal").replace(
            "{decide: separate_distinct}", "{cap: aligned}"
        ),
    )
    with pytest.raises(RulePackError, match="no decision rule"):
        load_rules(folder)


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (lambda d: (d / "pack.yaml").unlink(), "no pack.yaml"),
        (
            lambda d: (d / "pack.yaml").write_text("name: x\nversion: 1\nauthor: me\n"),
            "key 'author'",
        ),
        (lambda d: (d / "legal.yaml").write_text("rule:\n  - id: x\n"), "did you mean 'rules'"),
        (lambda d: (d / "legal.yaml").write_text(""), "the file is empty"),
        (lambda d: (d / "legal.yaml").write_text("rules: [1, 2]\n"), "each rule must be a mapping"),
        (
            lambda d: (d / "legal.yaml").write_text(
                "rules:\n  - !!python/object/apply:os.system [ls]\n"
            ),
            "not valid YAML",
        ),
    ],
)
def test_bad_pack_files(tmp_path: Path, setup, expected: str) -> None:  # type: ignore[no-untyped-def]
    folder = copy_pack(tmp_path)
    setup(folder)
    with pytest.raises(RulePackError, match=re.escape(expected)):
        load_rules(folder)


def test_not_a_folder(tmp_path: Path) -> None:
    with pytest.raises(RulePackError, match="must be a folder"):
        load_rules(tmp_path / "nothing")


def test_default_pack_is_found_in_a_checkout() -> None:
    assert (default_pack_path() / "pack.yaml").is_file()


def test_rule_lookup_suggests(pack: taxonomy.RulePack) -> None:
    with pytest.raises(KeyError, match=re.escape("did you mean 'legal.independence'")):
        pack.rule("legal.independance")


def test_a_pack_can_be_copied_and_edited(tmp_path: Path, nhs: taxonomy.Portfolio) -> None:
    folder = copy_pack(tmp_path)
    shutil.copy(folder / "legal.yaml", tmp_path / "legal.bak")
    # What if functions that must stay independent could be aligned? Remove the cap rule.
    text = (folder / "legal.yaml").read_text()
    start = text.index("  - id: legal.independence")
    end = text.index("  - id: legal.employees-only")
    (folder / "legal.yaml").write_text(text[:start] + text[end:])
    fn = attrs.evolve(nhs.function("it"), legal=taxonomy.Legal(independence_from=("nhsi",)))
    nhs = nhs.with_function(fn)
    assert taxonomy.classify(nhs)["it"].arrangement is taxonomy.Arrangement.SEPARATE_INVOLVED
    result = taxonomy.classify(nhs, rules=load_rules(folder))
    assert result["it"].arrangement is taxonomy.Arrangement.ONE_TEAM


def test_independence_from_a_body_that_does_not_carry_it_out_leaves_the_others_free() -> None:
    """Found trying a fire-and-police case: four fire authorities enforcing fire safety, which
    must stay independent of the police (whose premises they inspect), were capped apart from
    each other too. Independence caps only where the body would share the arrangement: it
    carries the function out, or the function is one body's, arranged with every other."""
    from taxonomy.input.portfolio import portfolio_from_data

    def function(performed_by: list[str], independence_from: list[str]) -> dict[str, object]:
        return {
            "id": "f",
            "name": "Fire safety enforcement",
            "level": "local",
            "performed_by": performed_by,
            "efficiency": {"duplication": "high", "simplification": "high"},
            "effectiveness": {"joint_benefit": "high"},
            "legal": {"independence_from": independence_from},
            "capability": {"a": "high", "b": "medium", "c": "medium", "p": "medium"},
        }

    def classify(fn: dict[str, object]) -> taxonomy.Recommendation:
        data = {
            "name": "Fire and police",
            "organisations": [{"id": b, "name": b.upper()} for b in ("a", "b", "c", "p")],
            "functions": [fn],
        }
        return taxonomy.classify(portfolio_from_data(data))["f"]

    free = classify(function(["a", "b", "c"], ["p"]))
    assert free.arrangement == "one_team" and not free.explanation.capped_by
    shared = classify(function(["a", "b", "p"], ["p"]))  # the police carry it out too
    assert shared.arrangement == "separate_involved"
    assert [c.rule for c in shared.explanation.capped_by] == ["legal.independence"]
    alone = classify(function(["a"], ["p"]))  # one body's function, arranged with every other
    assert alone.arrangement == "separate_involved"
