"""What a new-user trial of the refactored tree found, each with a test that failed before.

The trial wrote a two-tier waste case (a county and two districts) from scratch:

- open questions are ranked by what a Board decides first, the arrangement, then the lead: the
  question ranked first was a district's capability, which moves only the lead (every answer to
  it still leaves one team, aligned and separate-with-involvement possible), because it left the
  fewest (arrangement, lead) outcomes;
- ``check_invariants`` on a portfolio with open functions raised an error worded for the CLI;
- ``convert`` into another folder copied a relative ``rules:`` path that then named nothing.
"""

from __future__ import annotations

from pathlib import Path

import taxonomy

PORTFOLIO = """
name: A county and two districts
organisations:
  - {id: shire-cc, name: Shire County Council}
  - {id: north-dc, name: North District Council}
  - {id: south-dc, name: South District Council}
functions:
  - id: waste-strategy
    name: Joint municipal waste strategy
    level: local
    performed_by: [shire-cc, north-dc, south-dc]
    efficiency: {duplication: unknown, simplification: low..high}
    effectiveness: {joint_benefit: unknown}
    legal: {}
    capability: {shire-cc: high, north-dc: unknown, south-dc: medium}
"""


def _open(tmp_path: Path) -> taxonomy.Recommendation:
    path = tmp_path / "waste.yaml"
    path.write_text(PORTFOLIO, encoding="utf-8")
    return taxonomy.classify(taxonomy.load_portfolio(path))["waste-strategy"]


def test_a_question_that_only_moves_the_lead_is_not_asked_first(tmp_path: Path) -> None:
    rec = _open(tmp_path)
    by_key = {q.key: q for q in rec.open_questions}
    capability = by_key["capability.north-dc"]
    # Whatever north-dc's capability, all three arrangements stay possible...
    assert capability.expected_arrangements == 3
    # ...though it leaves the fewest outcomes, because it only moves the lead.
    assert capability.expected_outcomes == min(q.expected_outcomes for q in rec.open_questions)
    assert rec.open_questions[0].key == "effectiveness.joint_benefit"
    assert rec.open_questions[-1].key == "capability.north-dc"


def test_the_ranking_is_by_arrangements_then_outcomes(tmp_path: Path) -> None:
    questions = _open(tmp_path).open_questions
    ranks = [(q.expected_arrangements, q.expected_outcomes) for q in questions]
    assert ranks == sorted(ranks)
    assert all(q.to_dict()["expected_arrangements"] == q.expected_arrangements for q in questions)


def test_the_invariants_judge_the_answered_functions_of_a_portfolio_with_open_ones() -> None:
    # A new-user trial: check_invariants on a portfolio with open functions raised an error
    # worded for the command line ("this output does not show open recommendations yet").
    import attrs

    from taxonomy._model import Governance
    from taxonomy.testing.invariants import check_invariants

    portfolio = taxonomy.load_portfolio("examples/nhs_joint_working_2018_unknown.yaml")
    # One open function and the answered ones: each invariant reclassifies every function many
    # times, so all 18 open ones cost ten times as much and show nothing more.
    opened = [fn for fn in portfolio.functions if fn.unknowns]
    answered = [fn for fn in portfolio.functions if not fn.unknowns]
    assert opened and answered
    portfolio = attrs.evolve(portfolio, functions=(opened[0], *answered), governance=Governance())
    assert check_invariants(None, portfolio) == []


def test_convert_to_another_folder_keeps_the_pack_the_portfolio_names(tmp_path: Path) -> None:
    # A new-user trial: `convert` copied `rules: packs/councils` unchanged into a file in
    # another folder, which then named a folder that is not there.
    from tests.helpers import run_cli

    for suffix in (".yaml", ".xlsx"):
        out = tmp_path / "elsewhere" / f"councils{suffix}"
        out.parent.mkdir(exist_ok=True)
        done = run_cli("convert", "examples/three_councils_shared_services.yaml", "-o", str(out))
        assert done.returncode == 0, done.stderr
        original = taxonomy.classify(
            taxonomy.load_portfolio("examples/three_councils_shared_services.yaml")
        )
        converted = taxonomy.classify(taxonomy.load_portfolio(out))
        assert converted.to_dict()["rule_pack"] == original.to_dict()["rule_pack"]
        assert [r.arrangement for r in converted] == [r.arrangement for r in original]
