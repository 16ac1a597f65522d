"""Rule packs declare their own facts, and extend other packs by name and version (issue 12)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings

import taxonomy
from taxonomy.errors import PortfolioError, RulePackError
from taxonomy.input.files import dump_portfolio
from taxonomy.testing import invariants, strategies
from tests.conftest import COUNCILS, COUNCILS_PACK, NHS, ROOT
from tests.helpers import run_cli

EXTENSION = """\
name: democratic
version: 0.1.0
extends: {name: nhs-joint-working-2018, version: "1.1.0"}
"""

QUESTIONS = """\
facts:
  - name: legal.democratic_control
    type: level
    default: none
    meaning: how far elected members must control the decision
    source: a question nobody here declared
rules:
  - id: democratic.cap
    question: legal
    when: {fact: legal.democratic_control, op: ">=", value: high}
    then: {cap: separate_involved}
    because: members control it ({legal.democratic_control})
    principles: [practical]
    source: the test
"""

PORTFOLIO = """\
name: Two councils
organisations:
  - {id: a, name: Council A}
  - {id: b, name: Council B}
functions:
  - id: grants
    name: Community grants
    level: local
    performed_by: [a, b]
    efficiency: {duplication: high, simplification: high}
    effectiveness: {joint_benefit: high}
    legal: {democratic_control: high}
    capability: {a: medium, b: high}
  - id: payroll
    name: Payroll
    level: local
    performed_by: [a, b]
    efficiency: {duplication: high, simplification: high}
    effectiveness: {joint_benefit: high}
    legal: {}
    capability: {a: medium, b: high}
"""


def _pack(tmp_path: Path, meta: str = EXTENSION, questions: str = QUESTIONS) -> Path:
    folder = tmp_path / "pack"
    folder.mkdir(exist_ok=True)
    (folder / "pack.yaml").write_text(meta)
    (folder / "questions.yaml").write_text(questions)
    return folder


def _portfolio(tmp_path: Path, text: str = PORTFOLIO) -> Path:
    path = tmp_path / "p.yaml"
    path.write_text(text)
    return path


def test_a_question_nobody_declared_loads_and_classifies_under_a_pack_that_declares_it(
    tmp_path: Path,
) -> None:
    pack = taxonomy.load_rules(_pack(tmp_path))
    portfolio = taxonomy.load_portfolio(_portfolio(tmp_path), rules=pack)
    assert portfolio.function("grants").answer("legal.democratic_control") is taxonomy.Level.HIGH
    result = taxonomy.classify(portfolio, rules=pack)
    grants = result["grants"]
    assert grants.arrangement is taxonomy.Arrangement.SEPARATE_INVOLVED
    assert [f.rule for f in grants.explanation.capped_by] == ["democratic.cap"]
    assert (
        dict(grants.explanation.capped_by[0].matched)["legal.democratic_control"]
        is taxonomy.Level.HIGH
    )
    # Unanswered: the declared default (none), so no cap.
    assert result["payroll"].arrangement is taxonomy.Arrangement.ONE_TEAM
    # Every rule of the pack it extends is there, and the result records the chain.
    record = result.rule_pack.to_dict()
    assert record["name"] == "democratic"
    assert [b["name"] for b in record["extends"]] == ["nhs-joint-working-2018"]
    assert len(pack.rules) == len(taxonomy.load_rules().rules) + 1


def test_the_same_portfolio_is_refused_by_a_pack_that_does_not_declare_it(tmp_path: Path) -> None:
    with pytest.raises(PortfolioError) as caught:
        taxonomy.load_portfolio(_portfolio(tmp_path))
    message = str(caught.value)
    assert "p.yaml:" in message and "function 'grants'" in message
    assert "key 'democratic_control'" in message
    assert "declares no question 'legal.democratic_control'" in message
    assert "--rules" in message


def test_a_portfolio_built_for_one_pack_is_refused_by_classify_under_another(
    tmp_path: Path,
) -> None:
    pack = taxonomy.load_rules(_pack(tmp_path))
    portfolio = taxonomy.load_portfolio(_portfolio(tmp_path), rules=pack)
    with pytest.raises(
        PortfolioError, match=r"answers 'legal\.democratic_control', which rule pack"
    ):
        taxonomy.classify(portfolio)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("democratic_contol: high", "did you mean 'democratic_control'"),
        ("democratic_control: hihg", "'hihg' is not a level"),
        ("democratic_control: [a]", "is not a level"),
    ],
)
def test_bad_answers_to_declared_questions(tmp_path: Path, answer: str, expected: str) -> None:
    pack = taxonomy.load_rules(_pack(tmp_path))
    text = PORTFOLIO.replace("legal: {democratic_control: high}", f"legal: {{{answer}}}")
    with pytest.raises(PortfolioError, match=re.escape(expected)) as caught:
        taxonomy.load_portfolio(_portfolio(tmp_path, text), rules=pack)
    assert "function 'grants', legal" in str(caught.value)


def test_a_required_question_must_be_answered(tmp_path: Path) -> None:
    questions = QUESTIONS.replace("    default: none\n", "")
    pack = taxonomy.load_rules(_pack(tmp_path, questions=questions))
    with pytest.raises(PortfolioError, match="missing required key 'democratic_control'"):
        taxonomy.load_portfolio(_portfolio(tmp_path), rules=pack)


def test_declared_answers_round_trip_through_yaml(tmp_path: Path) -> None:
    pack = taxonomy.load_rules(_pack(tmp_path))
    portfolio = taxonomy.load_portfolio(_portfolio(tmp_path), rules=pack)
    out = tmp_path / "out.yaml"
    dump_portfolio(portfolio, out)
    assert taxonomy.load_portfolio(out, rules=pack) == portfolio


@pytest.mark.parametrize(
    ("meta", "questions", "expected"),
    [
        (EXTENSION.replace('"1.1.0"', '">=2"'), QUESTIONS, "is version 1.1.0, which is not >=2"),
        (EXTENSION.replace("nhs-joint", "nhs-jiont"), QUESTIONS, "did you mean 'nhs-joint"),
        (
            EXTENSION,
            QUESTIONS.replace("democratic.cap", "legal.independence"),
            "rule 'legal.independence' is already in pack 'nhs-joint-working-2018'",
        ),
        (
            EXTENSION + "overrides:\n  - {rule: legal.indepndence, reason: x}\n",
            QUESTIONS,
            "did you mean 'legal.independence'",
        ),
        (
            EXTENSION,
            QUESTIONS.replace("legal.democratic_control", "legal.board_reserved"),
            "fact 'legal.board_reserved' is already declared by pack 'nhs-joint-working-2018'",
        ),
        (EXTENSION, QUESTIONS.replace("type: level", "type: levle"), "did you mean 'level'"),
        (EXTENSION, QUESTIONS.replace("name: legal.", "name: politics."), "QUESTION.KEY"),
        (
            EXTENSION,
            QUESTIONS.replace("    default: none\n", "    from: function.legal.boardreserved\n"),
            "did you mean 'board_reserved'",
        ),
        (
            EXTENSION,
            QUESTIONS.replace("{cap: separate_involved}", "{lead: legal.democratic_control}"),
            "'legal.democratic_control' names no bodies",
        ),
    ],
)
def test_bad_extensions_and_declarations(
    tmp_path: Path, meta: str, questions: str, expected: str
) -> None:
    with pytest.raises(RulePackError, match=re.escape(expected)):
        taxonomy.load_rules(_pack(tmp_path, meta, questions))


def test_an_override_replaces_or_removes_a_named_rule_and_records_why(tmp_path: Path) -> None:
    replaced = QUESTIONS + (
        "  - id: legal.independence\n"
        "    question: legal\n"
        "    when: {fact: legal.independence_from, op: present}\n"
        "    then: {cap: separate_distinct}\n"
        "    because: stricter\n"
        "    principles: [simple]\n"
        "    source: the test\n"
    )
    meta = EXTENSION + (
        "overrides:\n"
        "  - {rule: legal.independence, reason: stricter here}\n"
        "  - {rule: decision.regional-teams-report-equally, reason: no regions}\n"
    )
    pack = taxonomy.load_rules(_pack(tmp_path, meta, replaced))
    assert pack.rule("legal.independence").then.cap is taxonomy.Arrangement.SEPARATE_DISTINCT
    with pytest.raises(KeyError):
        pack.rule("decision.regional-teams-report-equally")
    actions = {o.rule: (o.action, o.reason) for o in pack.overrides}
    assert actions == {
        "legal.independence": ("replaced", "stricter here"),
        "decision.regional-teams-report-equally": ("removed", "no regions"),
    }
    assert pack.identity.chain == "democratic 0.1.0 < nhs-joint-working-2018 1.1.0"


def test_an_extension_can_be_extended_by_path(tmp_path: Path) -> None:
    _pack(tmp_path)
    outer = tmp_path / "outer"
    outer.mkdir()
    (outer / "pack.yaml").write_text(
        "name: outer\nversion: 2.0.0\nextends: {name: democratic, version: '0.1.0', path: ../pack}\n"
    )
    pack = taxonomy.load_rules(outer)
    assert [b.name for b in pack.extends] == ["democratic", "nhs-joint-working-2018"]
    assert "legal.democratic_control" in pack.facts


def test_the_councils_pack_is_checked_clean_and_removes_the_nhs_regional_rule() -> None:
    from taxonomy.testing.verify import check_pack

    # Read from the path docs/own-case.md reads it from, so the session checks it once.
    pack = taxonomy.load_rules(COUNCILS_PACK.relative_to(ROOT))
    report = check_pack(pack)
    assert report.errors == [] and report.exhaustive
    assert [o.rule for o in pack.overrides] == ["decision.regional-teams-report-equally"]
    portfolio = taxonomy.load_portfolio(COUNCILS, rules=pack)
    words = {o.id: o.governing_body for o in portfolio.organisations}
    assert words == {
        "northvale": "full council",
        "southmere": "full council",
        "eastbrook": "Cabinet",
    }


def test_no_fact_list_is_left_in_python() -> None:
    """Fact names appear in src/ only where the model's own attributes are read or written."""
    names = [f.name for f in taxonomy.load_rules().facts if f.derive is not None]
    for path in (ROOT / "src" / "taxonomy").rglob("*.py"):
        text = path.read_text()
        assert "ANSWER_FACTS" not in text, path
        for name in names:
            assert f'"{name}"' not in text, (path, name)


@settings(max_examples=40, deadline=None)
@given(data=strategies.st.data())
def test_generated_portfolios_answer_the_declared_questions_and_keep_legal_dominance(
    data: strategies.st.DataObject,
) -> None:
    pack = taxonomy.load_rules(COUNCILS_PACK)
    portfolio = data.draw(strategies.portfolios(max_functions=3, rules=pack))
    assert not invariants.legal_dominance(pack, portfolio)
    assert not invariants.lead_rules(pack, portfolio)


def test_the_cli_classifies_under_an_extension(tmp_path: Path) -> None:
    folder = _pack(tmp_path)
    out = run_cli("classify", str(_portfolio(tmp_path)), "--rules", str(folder), "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["rule_pack"]["extends"][0]["name"] == "nhs-joint-working-2018"
    refused = run_cli("classify", str(_portfolio(tmp_path)))
    assert refused.returncode == 2
    assert "Traceback" not in refused.stderr
    assert "declares no question 'legal.democratic_control'" in refused.stderr


def test_a_scenario_sets_a_declared_answer_checked_against_the_pack(tmp_path: Path) -> None:
    from taxonomy.errors import ScenarioError
    from taxonomy.whatif.scenarios import load_scenario

    pack = taxonomy.load_rules(_pack(tmp_path))
    portfolio = taxonomy.load_portfolio(_portfolio(tmp_path), rules=pack)
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "name: Members let go\nchanges:\n"
        "  - set: {function: grants, field: legal.democratic_control, value: low}\n"
    )
    applied = load_scenario(scenario).apply(portfolio, pack)
    grants = applied.portfolio.function("grants")
    assert grants.answer("legal.democratic_control") is taxonomy.Level.LOW
    assert taxonomy.classify(applied.portfolio, rules=pack)["grants"].arrangement is (
        taxonomy.Arrangement.ONE_TEAM
    )
    # Under a pack that does not declare it, the field is unknown when applied.
    with pytest.raises(ScenarioError, match=re.escape("unknown field 'legal.democratic_control'")):
        load_scenario(scenario).apply(taxonomy.load_portfolio(NHS))
    # A typo of one of the model's own fields is caught when applied, with a "did you mean".
    scenario.write_text(
        "name: Typo\nchanges:\n"
        "  - set: {function: grants, field: legal.board_reservd, value: true}\n"
    )
    with pytest.raises(ScenarioError, match=re.escape("did you mean 'legal.board_reserved'")):
        load_scenario(scenario).apply(portfolio, pack)
    # A declared question whose name is close to one of the model's fields (found by a user:
    # legal.operational_independence was taken for a typo of legal.independence_from).
    questions = QUESTIONS.replace("legal.democratic_control", "legal.independence_fro")
    (tmp_path / "close").mkdir()
    close = taxonomy.load_rules(_pack(tmp_path / "close", questions=questions))
    text = PORTFOLIO.replace("democratic_control", "independence_fro")
    (tmp_path / "close" / "p.yaml").write_text(text)
    near = taxonomy.load_portfolio(tmp_path / "close" / "p.yaml", rules=close)
    scenario.write_text(
        "name: Near\nchanges:\n"
        "  - set: {function: grants, field: legal.independence_fro, value: low}\n"
    )
    applied = load_scenario(scenario).apply(near, close)
    assert applied.portfolio.function("grants").answer("legal.independence_fro") is (
        taxonomy.Level.LOW
    )


def test_a_scenario_changing_rules_keeps_an_extension_whole(tmp_path: Path) -> None:
    from taxonomy.whatif.scenarios import load_scenario

    pack = taxonomy.load_rules(COUNCILS_PACK)
    portfolio = taxonomy.load_portfolio(COUNCILS, rules=pack)
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "name: No legal reason\nchanges:\n  - rules: {disable: [legal.separate-for-legal-reason]}\n"
    )
    applied = load_scenario(scenario).apply(portfolio, pack)
    assert "legal.democratic_control" in applied.rules.facts
    assert applied.rules.extends == pack.extends and applied.rules.overrides == pack.overrides
    assert taxonomy.classify(applied.portfolio, rules=applied.rules)["elections"].arrangement is (
        taxonomy.Arrangement.SEPARATE_INVOLVED
    )


def test_held_by_each_all_means_every_body_performing_it(tmp_path: Path) -> None:
    text = PORTFOLIO.replace(
        "    performed_by: [a, b]\n    efficiency: {duplication: high, simplification: high}\n"
        "    effectiveness: {joint_benefit: high}\n    legal: {}",
        "    performed_by: [b]\n    efficiency: {duplication: high, simplification: high}\n"
        "    effectiveness: {joint_benefit: high}\n    legal: {held_by_each: all}",
    )
    pack = taxonomy.load_rules(_pack(tmp_path))
    portfolio = taxonomy.load_portfolio(_portfolio(tmp_path, text), rules=pack)
    assert portfolio.function("payroll").legal.held_by_each == ("b",)
    out = tmp_path / "out.yaml"
    dump_portfolio(portfolio, out)
    assert "held_by_each: all" in out.read_text()


def test_an_override_whose_replacement_id_is_a_typo_is_refused(tmp_path: Path) -> None:
    questions = QUESTIONS + (
        "  - id: legal.independance\n"
        "    question: legal\n"
        "    when: {fact: legal.independence_from, op: present}\n"
        "    then: {cap: separate_involved}\n"
        "    because: same cap, other words\n"
        "    principles: [simple]\n"
        "    source: the test\n"
    )
    meta = EXTENSION + "overrides:\n  - {rule: legal.independence, reason: other words}\n"
    with pytest.raises(RulePackError, match=re.escape("defines a new rule 'legal.independance'")):
        taxonomy.load_rules(_pack(tmp_path, meta, questions))


def test_a_declared_body_answer_lists_the_bodies_and_suggests_one(tmp_path: Path) -> None:
    questions = QUESTIONS.replace(
        "rules:\n",
        "  - name: legal.host\n    type: body\n    meaning: who hosts it\nrules:\n",
    )
    pack = taxonomy.load_rules(_pack(tmp_path, questions=questions))
    text = PORTFOLIO.replace("legal: {democratic_control: high}", "legal: {host: bb}")
    with pytest.raises(PortfolioError) as caught:
        taxonomy.load_portfolio(_portfolio(tmp_path, text), rules=pack)
    assert "allowed: a, b" in str(caught.value) and "did you mean 'b'" in str(caught.value)


def test_a_board_under_a_pack_whose_word_is_not_board_survives_a_round_trip(tmp_path: Path) -> None:
    """Written out and read back under the councils pack (whose word is 'full council'), a body
    governed by a Board keeps its Board: the writer used to leave 'Board' out as the default."""
    pack = taxonomy.load_rules(COUNCILS_PACK)
    portfolio = taxonomy.load_portfolio(COUNCILS, rules=pack)
    assert "Board" not in {o.governing_body for o in portfolio.organisations}
    first = portfolio.organisations[0]
    changed = attrs.evolve(
        portfolio,
        organisations=(attrs.evolve(first, governing_body="Board"), *portfolio.organisations[1:]),
    )
    out = tmp_path / "out.yaml"
    dump_portfolio(changed, out)
    again = taxonomy.load_portfolio(out, rules=pack)
    assert again.organisations[0].governing_body == "Board"
    assert again == changed
