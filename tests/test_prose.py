"""Plain-language explanations: the paragraph a Board paper quotes, the fired list, why-not."""

from __future__ import annotations

import json
import re
from pathlib import Path

import attrs
import pytest

import taxonomy
from taxonomy.language.semantics import ReferenceBackend, default_decision, derive
from taxonomy.render.prose import citation, paragraph, paragraphs
from taxonomy.render.text import to_markdown
from taxonomy.testing.invariants import explanation_faithfulness
from taxonomy.whatif.counterfactual import counterfactuals
from tests.conftest import COUNCILS, COUNCILS_PACK, NHS, NWL
from tests.helpers import copy_pack, shared_complaints
from tests.helpers import run_cli as run

PAPER = "NHS England board paper CB.28.03.2018/02"


@pytest.fixture(scope="module")
def nhs_result() -> taxonomy.Classification:
    return taxonomy.classify(taxonomy.load_portfolio(NHS))


@pytest.fixture(scope="module")
def councils() -> tuple[taxonomy.RulePack, taxonomy.Classification]:
    pack = taxonomy.load_rules(COUNCILS_PACK)
    return pack, taxonomy.classify(taxonomy.load_portfolio(COUNCILS, rules=pack), rules=pack)


def _sentences(text: str) -> list[str]:
    """The sentences of a paragraph: split after a full stop outside brackets and quotes."""
    parts, depth, quoted, start = [], 0, False, 0
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "." and not depth and not quoted and text[index + 1 : index + 2] == " ":
            parts.append(text[start : index + 1].strip())
            start = index + 1
    parts.append(text[start:].strip())
    return [p for p in parts if p]


def _reads_as_board_prose(text: str, portfolio: taxonomy.Portfolio) -> None:
    """Full sentences, names not ids, no rule ids or unfilled placeholders, cites a paper."""
    for sentence in _sentences(text):
        assert sentence[0].isupper(), sentence
        assert sentence.endswith("."), sentence
    for body in portfolio.organisations:
        assert not re.search(rf"(?<![\w-]){re.escape(body.id)}(?![\w-])", text), (body.id, text)
    for fn in portfolio.functions:
        if "-" in fn.id:
            assert fn.id not in text, (fn.id, text)
    assert not re.search(r"\b(decision|legal|capability|efficiency)\.[a-z]", text), text
    assert "{" not in text and "}" not in text and "  " not in text
    assert "see " in text and "para" in text


# -- the paragraph ---------------------------------------------------------------------------------


def test_every_nhs_paragraph_reads_as_board_prose(nhs_result: taxonomy.Classification) -> None:
    found = paragraphs(nhs_result)
    assert list(found) == [rec.function for rec in nhs_result]
    for rec in nhs_result:
        text = found[rec.function]
        assert text == paragraph(rec, nhs_result)  # deterministic, one writer for both
        assert text.startswith(f"For {rec.name}, we recommend")
        assert f"category {rec.category}" in text and PAPER in text
        _reads_as_board_prose(text, nhs_result.portfolio)


def test_a_function_capped_by_law_says_which_law_and_why(nhs: taxonomy.Portfolio) -> None:
    result = taxonomy.classify(shared_complaints(nhs))
    text = paragraph(result["procurement-complaints"], result)
    assert "delivered separately" in text and "led by NHS Improvement" in text
    assert "On these answers alone it would be aligned, separate functions" in text
    assert "the law keeps it separate, with involvement if needed, because" in text
    assert "must stay independent of NHS England" in text
    assert f"({PAPER}, para 20)" in text


def test_one_team_names_the_governing_bodies_the_head_answers_to(
    nhs_result: taxonomy.Classification,
) -> None:
    text = paragraph(nhs_result["it"], nhs_result)
    assert "NHS England and NHS Improvement run it as one team" in text
    assert "on behalf of both" in text
    assert "(efficiency: high)" in text and "duplication between the bodies is high" in text
    assert "accountable to the NHS England Board and the NHS Improvement Board" in text
    assert f"see {PAPER}, Annex B category 1" in text


def test_a_tie_a_joint_lead_and_a_lead_the_law_names(nhs_result: taxonomy.Classification) -> None:
    tie = paragraph(nhs_result["strategy"], nhs_result)
    assert "The lead is undecided between NHS England and NHS Improvement" in tie
    assert "they must agree which of them leads" in tie
    joint = paragraph(nhs_result["regional-teams"], nhs_result)
    assert "It is led jointly: the function runs in the integrated regional teams" in joint
    legal = paragraph(nhs_result["specialised-commissioning"], nhs_result)
    assert "NHS England leads it: only employees of NHS England may carry it out" in legal
    # The paper's NHS example is cited as the source, not quoted as the reason (issue 22).
    assert '"everyone who works for the team is employed by or seconded to the same' in legal
    assert "NHS England employee" not in legal
    agreed = paragraph(nhs_result["efficiency-improvement"], nhs_result)
    assert "NHS Improvement leads it: the bodies agreed that NHS Improvement leads" in agreed


def test_nw_london_groups_eight_bodies_after_naming_them() -> None:
    portfolio = taxonomy.load_portfolio(NWL)
    result = taxonomy.classify(portfolio)
    for rec in result:
        text = paragraph(rec, result)
        _reads_as_board_prose(text, portfolio)
        assert text.count("NHS Brent CCG") == 1, text  # named once, then "all eight"
    text = paragraph(result["acute-commissioning"], result)
    assert "on behalf of all eight" in text
    assert "The lead is undecided among all eight" in text
    assert "accountable to the Board of each of the eight" in text


def test_councils_read_in_their_own_governing_words(
    councils: tuple[taxonomy.RulePack, taxonomy.Classification],
) -> None:
    pack, result = councils
    found = paragraphs(result, rules=pack)
    for rec in result:
        text = found[rec.function]
        _reads_as_board_prose(text, result.portfolio)
        assert "Board" not in text.replace(PAPER.replace("board", "Board"), ""), text
        assert "board paper" not in text.replace(PAPER, ""), text
    planning = found["planning-decisions"]
    assert "Eastbrook District Council (Cabinet)" in planning
    assert "Northvale District Council (full council)" in planning
    assert "each keep deciding, and one team delivers for them" in planning
    assert "through a joint committee, which the law allows" in planning
    housing = found["housing-allocations"]
    assert "it would be one team, but the law keeps it aligned, separate functions" in housing
    assert "(democratic control high)" in housing and "Local Government Act 1972" in housing
    elections = found["elections"]
    assert "delivered completely separately" in elections and "Returning Officer" in elections
    audit = found["internal-audit"]
    assert "Eastbrook District Council employs the shared staff" in audit


def test_paragraph_refuses_a_pack_other_than_the_one_that_classified(
    councils: tuple[taxonomy.RulePack, taxonomy.Classification],
) -> None:
    _, result = councils
    with pytest.raises(ValueError, match="made with rule pack 'councils-shared-services'"):
        paragraph(result["elections"], result)


def test_citation_keeps_places_and_drops_comments() -> None:
    source = (
        "board paper para 20 (both Boards discharge), generalised; the paper names no function "
        "that must stay independent, so this rule is this pack's reading of para 8"
    )
    assert citation(source, PAPER) == f"{PAPER}, para 20"
    assert citation("Local Government Act 1972 s.101(1) and s.113 (shared)") == (
        "Local Government Act 1972 s.101(1) and s.113"
    )
    long = 'board paper para 16 table ("we will agree a lead"). The loader refuses more'
    assert citation(long, PAPER) == f"{PAPER}, para 16 table"
    assert citation(long, PAPER, quote=True) == f'{PAPER}, para 16 table, "we will agree a lead"'


# -- the catch-all decision ------------------------------------------------------------------------


def _nothing_to_gain(fn: taxonomy.Function) -> taxonomy.Function:
    return attrs.evolve(
        fn,
        efficiency=taxonomy.Efficiency("none", "none"),
        effectiveness=taxonomy.Effectiveness("none"),
    )


def test_the_catch_all_is_not_listed_when_another_rule_decided(
    nhs_result: taxonomy.Classification, pack: taxonomy.RulePack
) -> None:
    assert default_decision(pack.rule("decision.separate-distinct"))
    for rec in nhs_result:
        fired = [f.rule for f in rec.explanation.fired]
        assert rec.explanation.decided_by.rule != "decision.separate-distinct"
        assert "decision.separate-distinct" not in fired, rec.function
        assert rec.explanation.decided_by.rule in fired
    assert not explanation_faithfulness(pack, nhs_result.portfolio)


def test_the_catch_all_is_listed_when_it_decided(
    nhs: taxonomy.Portfolio, pack: taxonomy.RulePack
) -> None:
    fn = _nothing_to_gain(nhs.function("strategy"))
    portfolio = nhs.with_function(fn)
    rec = taxonomy.classify(portfolio)["strategy"]
    assert rec.arrangement is taxonomy.Arrangement.SEPARATE_DISTINCT
    assert rec.explanation.decided_by.rule == "decision.separate-distinct"
    assert "decision.separate-distinct" in [f.rule for f in rec.explanation.fired]
    reference = derive(pack, pack.facts.values(fn, portfolio), backend=ReferenceBackend(pack))
    assert [r.id for r in reference.fired] == [f.rule for f in rec.explanation.fired]
    assert not explanation_faithfulness(pack, portfolio)
    text = paragraph(rec, portfolio)
    assert "completely separately" in text and "joint working would add no value here" in text
    assert (
        "joint working would add no value here: the duplication between the bodies is none" in text
    )
    assert "(efficiency: none)" in text and "(effectiveness: none)" in text


def test_outranked_decisions_say_which_rule_decided(nhs_result: taxonomy.Classification) -> None:
    text = nhs_result["it"].explain()
    assert "decision.separate-distinct" not in text
    assert "decide aligned (not taken: decision.one-team, priority 40, decided)" in text


# -- the command line and JSON ---------------------------------------------------------------------


def test_json_outputs_carry_the_summary(nhs_result: taxonomy.Classification) -> None:
    expected = paragraphs(nhs_result)
    data = json.loads(run("classify", str(NHS), "--format", "json").stdout)
    assert {r["function"]: r["summary"] for r in data["recommendations"]} == expected
    lines = run("classify", str(NHS), "--format", "jsonl").stdout.splitlines()
    streamed = [json.loads(line) for line in lines[1:]]
    assert streamed == data["recommendations"]
    explained = json.loads(run("explain", str(NHS), "it", "--format", "json").stdout)
    assert explained["summary"] == expected["it"]


def test_councils_json_summary_uses_the_councils_pack() -> None:
    out = run("classify", str(COUNCILS), "--rules", str(COUNCILS_PACK), "--format", "json")
    data = json.loads(out.stdout)
    summaries = {r["function"]: r["summary"] for r in data["recommendations"]}
    assert "Eastbrook District Council (Cabinet)" in summaries["planning-decisions"]


def test_explain_text_and_markdown_open_with_the_paragraph(
    nhs_result: taxonomy.Classification,
) -> None:
    expected = paragraph(nhs_result["procurement-complaints"], nhs_result)
    text = run("explain", str(NHS), "procurement-complaints").stdout
    assert f"In plain words:\n{expected}\n" in text
    markdown = run("explain", str(NHS), "procurement-complaints", "--format", "markdown")
    assert markdown.returncode == 0
    assert markdown.stdout.startswith(f"# Considering complaints about procurement\n\n{expected}\n")
    assert "| legal | 0 | at most 3. Separate, involvement if needed | the function must" in (
        markdown.stdout
    )


# -- why not ---------------------------------------------------------------------------------------


def test_why_not_says_any_one_would_do_for_alternatives(nhs: taxonomy.Portfolio) -> None:
    found = counterfactuals(nhs, "pricing", "one_team")
    assert len(found.solutions) > 1 and all(len(s.changes) == 1 for s in found.solutions)
    assert "any one of these would do:" in found.explain()


def test_why_not_says_all_together_when_every_change_is_needed(nhs: taxonomy.Portfolio) -> None:
    found = counterfactuals(nhs, "it", "separate_involved")
    (solution,) = found.solutions
    assert len(solution.changes) == 2
    said = found.explain()
    assert "these changes would do it, all of them together (none alone is enough):" in said
    assert " and efficiency.simplification: high -> low" in said
    # Truthful: no single change reaches the target.
    assert not counterfactuals(nhs, "it", "separate_involved", max_changes=1).solutions


def test_why_not_names_the_cap_that_must_be_lifted(nhs: taxonomy.Portfolio) -> None:
    said = counterfactuals(nhs, "procurement-complaints", "aligned").explain()
    assert "unreachable without a change in the law: legal.independence caps it" in said


def test_a_decision_on_answers_read_directly_names_them(tmp_path: Path) -> None:
    folder = copy_pack(tmp_path)
    (folder / "extra.yaml").write_text("""
rules:
  - id: extra.duplication-decides
    question: decision
    when: {fact: efficiency.duplication, op: ==, value: medium}
    then: {decide: separate_involved}
    priority: 50
    because: the duplication alone decides here
    principles: [simple]
    source: board paper para 8 (opportunities for efficiency)
""")
    pack = taxonomy.load_rules(folder)
    result = taxonomy.classify(taxonomy.load_portfolio(NHS, rules=pack), rules=pack)
    text = paragraph(result["strategy"], result, rules=pack)
    assert (
        "This is because the duplication alone decides here: the duplication between the bodies "
        f"is medium; see {PAPER}, para 8." in text
    )


def test_classify_markdown_gives_every_paragraph_under_its_function(
    councils: tuple[taxonomy.RulePack, taxonomy.Classification],
) -> None:
    pack, result = councils
    out = run("classify", str(COUNCILS), "--rules", str(COUNCILS_PACK), "--format", "markdown")
    assert out.returncode == 0, out.stderr
    plain = out.stdout.split("## In plain words\n", 1)[1]
    found = paragraphs(result, rules=pack)
    for rec in result:
        assert f"### {rec.name}\n\n{found[rec.function]}\n" in plain
    # No paragraph from Python when the pack that made the result is not the one given.
    assert "## In plain words" not in to_markdown(result)


def test_a_body_the_function_must_stay_independent_of_is_not_said_to_be_involved() -> None:
    """Three bodies run it, and it must stay independent of one of them. The paragraph names as
    involved exactly the bodies the picture draws an involvement line from."""
    from taxonomy.input.portfolio import portfolio_from_data
    from taxonomy.structure.graph import build_graph, edges_of_kind

    answers = {
        "efficiency": {"duplication": "medium", "simplification": "medium"},
        "effectiveness": {"joint_benefit": "medium"},
        "capability": {"a": "high", "b": "medium", "c": "medium"},
    }
    data = {
        "name": "Three trusts",
        "organisations": [
            {"id": "a", "name": "Alpha Trust"},
            {"id": "b", "name": "Beta Trust"},
            {"id": "c", "name": "Gamma Trust"},
        ],
        "functions": [
            {
                "id": "audit",
                "name": "Audit",
                "level": "national",
                "performed_by": ["a", "b", "c"],
                **answers,
                "legal": {"independence_from": ["c"], "delegable_to": ["a"]},
            }
        ],
    }
    result = taxonomy.classify(portfolio_from_data(data))
    (rec,) = result
    assert rec.arrangement == "separate_involved" and rec.lead == "a"
    text = paragraph(rec, result)
    assert "with Beta Trust involved at key points" in text, text
    graph = build_graph(result)
    involved = {graph.nodes[u].get("body") for u, _, _ in edges_of_kind(graph, "influences")}
    assert involved == {"b"}
