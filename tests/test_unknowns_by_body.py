"""Each body's own answers: reading them, their properties, what the outputs say, bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import taxonomy
from taxonomy._model import UNKNOWN, Level, OneOf
from taxonomy.cli import cli
from taxonomy.errors import PortfolioError, ScenarioError
from taxonomy.testing.unknowns import (
    body_answers,
    check_agreement,
    check_body_views,
    check_sound,
    with_body_answers,
    with_open,
)
from tests.conftest import COUNCILS_PACK, ROOT
from tests.helpers import run_cli

FIXTURE = ROOT / "tests" / "fixtures" / "councils_by_body.yaml"
EXAMPLE = taxonomy.load_portfolio(ROOT / "examples" / "nhs_joint_working_2018.yaml")
COUNCILS = taxonomy.load_portfolio(ROOT / "examples" / "three_councils_shared_services.yaml")
KEYS = ("efficiency.duplication", "efficiency.simplification", "effectiveness.joint_benefit")
THREE = ("northvale", "southmere", "eastbrook")


def _one(level: str) -> OneOf:
    return OneOf((Level.parse(level),))


# --- properties ---------------------------------------------------------------------------------


#: The example's functions both bodies perform (a body's own answer is that of a performer).
BOTH = [f.id for f in EXAMPLE.functions if set(f.performed_by) == {"nhse", "nhsi"}]


@settings(max_examples=8, deadline=None)
@given(
    st.sampled_from(BOTH),
    body_answers(("nhse", "nhsi"), (*KEYS, "capability.nhse"), ranges=True),
)
def test_each_body_view_is_among_the_possible(fid: str, said: dict[str, dict[str, OneOf]]) -> None:
    portfolio = with_body_answers(EXAMPLE, fid, said)
    check_body_views(portfolio, fid)
    check_sound(portfolio, fid)  # the disagreement is an open answer like any other


@settings(max_examples=6, deadline=None)
@given(
    st.sampled_from(["revenues-benefits", "transactional-hr", "planning-decisions", "licensing"]),
    body_answers(THREE, KEYS),
)
def test_three_councils_views_are_among_the_possible(
    fid: str, said: dict[str, dict[str, OneOf]]
) -> None:
    pack = COUNCILS.pack
    portfolio = with_body_answers(COUNCILS, fid, said)
    check_body_views(portfolio, fid, rules=pack)


@settings(max_examples=8, deadline=None)
@given(
    st.sampled_from([f.id for f in EXAMPLE.functions]),
    st.dictionaries(
        st.sampled_from(KEYS),
        st.one_of(st.sampled_from(list(Level)).map(lambda v: OneOf((v,))), st.just(UNKNOWN)),
        min_size=1,
        max_size=2,
    ),
)
def test_bodies_agreeing_give_the_single_answer(fid: str, answers: dict[str, OneOf]) -> None:
    check_agreement(EXAMPLE, fid, answers)


# --- three councils disagreeing -----------------------------------------------------------------


def test_three_councils_disagreeing_turn_on_whose_answer() -> None:
    result = taxonomy.classify(taxonomy.load_portfolio(FIXTURE))
    rec = result["revenues-benefits"]
    assert not rec.decided
    # The values they gave, not the range between them: low, medium and high, each a third.
    assert sorted(o.share for o in rec.possible) == ["1/3", "2/3"]
    assert rec.by_body is not None and not rec.by_body.holds
    assert rec.by_body.turns_on == ("efficiency.duplication",)
    views = {v.body: v.recommendation for v in rec.by_body.views}
    assert list(views) == list(THREE)
    assert str(views["northvale"].arrangement) == "one_team"
    assert str(views["southmere"].arrangement) == str(views["eastbrook"].arrangement) == "aligned"
    question = rec.open_questions[0]
    assert dict(question.disagreement) == {
        "northvale": "high",
        "southmere": "low",
        "eastbrook": "medium",
    }
    data = rec.to_dict()["by_body"]
    assert data["holds"] is False and data["turns_on"] == ["efficiency.duplication"]
    assert data["answers"] == {
        "efficiency.duplication": {"northvale": "high", "southmere": "low", "eastbrook": "medium"}
    }
    assert data["views"]["northvale"]["arrangement"] == "one_team"
    assert data["views"]["southmere"]["answers"] == {"efficiency.duplication": "low"}
    paragraph = rec.paragraph(result)
    assert (
        "It turns on whose answer (duplication): Northvale District Council's (high) gives one "
        "team (category 1); Southmere District Council's (low) gives aligned" in paragraph
    )


def test_a_placement_the_law_settles_holds_whatever_the_bodies_say() -> None:
    result = taxonomy.classify(taxonomy.load_portfolio(FIXTURE))
    rec = result["elections"]
    assert rec.decided and rec.settled_by == "law"
    assert rec.by_body is not None and rec.by_body.holds and rec.by_body.turns_on == ()
    assert {str(v.recommendation.arrangement) for v in rec.by_body.views} == {"separate_distinct"}
    assert "This holds whatever the bodies say: they differ on joint benefit" in rec.paragraph(
        result
    )
    agreed = result["transactional-hr"]
    assert agreed.settled_by == "answers" and agreed.by_body is not None
    assert agreed.by_body.agreed and agreed.by_body.holds
    assert not agreed.open_questions


def test_the_outputs_say_it_and_no_by_body_where_none_is_given() -> None:
    runner = CliRunner()
    table = runner.invoke(cli, ["classify", str(FIXTURE), "--format", "markdown"])
    assert table.exit_code == 0, table.output
    # As the arrangement column writes them (a trial found the JSON names, one_team, here).
    assert (
        "turns on whose answer: northvale: 1 One team; southmere, eastbrook: 2 Aligned, "
        "separate function(s)"
    ) in table.output
    assert "holds whatever the bodies say" in table.output
    explained = runner.invoke(cli, ["explain", str(FIXTURE), "revenues-benefits"])
    assert "Each body's own answers:" in explained.output
    assert "if northvale's answers are taken (high): one team (category 1)" in explained.output
    assert "the bodies disagree: northvale high, southmere low, eastbrook medium" in (
        explained.output
    )
    markdown = runner.invoke(cli, ["explain", str(FIXTURE), "elections", "--format", "markdown"])
    assert "## Each body's own answers" in markdown.output
    nhs = "examples/nhs_joint_working_2018.yaml"
    plain = runner.invoke(cli, ["classify", nhs, "--format", "json"])
    assert '"by_body"' not in plain.output and '"disagreement"' not in plain.output


def test_a_disagreement_comes_first_among_questions_that_settle_as_much() -> None:
    # In pricing, duplication and joint benefit, each low or high, settle as much as each other.
    low_high = OneOf((Level.LOW, Level.HIGH))
    both_open = with_open(
        EXAMPLE,
        "pricing",
        {"efficiency.duplication": low_high, "effectiveness.joint_benefit": low_high},
    )
    plain = taxonomy.classify(both_open)["pricing"].open_questions
    assert [q.key for q in plain] == ["effectiveness.joint_benefit", "efficiency.duplication"]
    assert (plain[0].expected_arrangements, plain[0].expected_outcomes) == (
        plain[1].expected_arrangements,
        plain[1].expected_outcomes,
    )
    # The bodies disagreeing on duplication (low, high): it is the one to settle first.
    said = {"efficiency.duplication": {"nhse": _one("low"), "nhsi": _one("high")}}
    one_open = with_open(EXAMPLE, "pricing", {"effectiveness.joint_benefit": low_high})
    disputed = taxonomy.classify(with_body_answers(one_open, "pricing", said))["pricing"]
    first, second = disputed.open_questions
    assert first.key == "efficiency.duplication" and dict(first.disagreement) == {
        "nhse": "low",
        "nhsi": "high",
    }
    assert (first.expected_arrangements, first.expected_outcomes) == (
        plain[1].expected_arrangements,
        plain[1].expected_outcomes,
    )
    assert not second.disagreement and "disagreement" not in second.to_dict()


# --- reading: every file kind, and back -----------------------------------------------------------


def test_yaml_round_trip_and_spreadsheets_keep_who_said_what(tmp_path: Path) -> None:
    from taxonomy.input.files import dump_portfolio
    from taxonomy.input.portfolio import portfolio_from_data, portfolio_to_data

    original = taxonomy.load_portfolio(FIXTURE)
    fn = original.function("revenues-benefits")
    assert fn.said_by_body("efficiency.duplication") is not None
    assert fn.unknown("efficiency.duplication") == OneOf((Level.LOW, Level.MEDIUM, Level.HIGH))
    agreed = original.function("transactional-hr")
    assert agreed.unknowns == () and agreed.efficiency.duplication == Level.HIGH
    assert portfolio_from_data(portfolio_to_data(original), rules=original.pack) == original
    for suffix in ("csv", "xlsx"):
        target = tmp_path / f"p.{suffix}"
        dump_portfolio(original, target)
        assert taxonomy.load_portfolio(target, rules=original.pack) == original
    text = (tmp_path / "p.csv").read_text(encoding="utf-8")
    assert "northvale: high; southmere: low; eastbrook: medium" in text


def test_a_cell_may_separate_bodies_with_commas_and_a_body_list_values(tmp_path: Path) -> None:
    import csv

    from taxonomy.input.files import dump_portfolio

    dump_portfolio(EXAMPLE, tmp_path / "p.csv")
    with (tmp_path / "p.csv").open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    head, row = rows[0], next(r for r in rows if r[0] == "pricing")
    row[head.index("efficiency.duplication")] = "nhse: high, nhsi: medium"
    row[head.index("effectiveness.joint_benefit")] = "nhse: low, high; nhsi: medium"
    with (tmp_path / "p.csv").open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows(rows)
    fn = taxonomy.load_portfolio(tmp_path / "p.csv").function("pricing")
    said = fn.said_by_body("effectiveness.joint_benefit")
    assert said is not None and said.of("nhse") == OneOf((Level.LOW, Level.HIGH))
    assert fn.unknown("efficiency.duplication") == OneOf((Level.MEDIUM, Level.HIGH))


def test_the_portfolio_schema_accepts_each_body_s_answer() -> None:
    import jsonschema

    schema = taxonomy.schemas.schema("portfolio", rules=COUNCILS_PACK)
    data = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    data.pop("rules")
    jsonschema.Draft202012Validator(schema).validate(data)
    data["functions"][0]["efficiency"]["duplication"] = {"northvale": "huge"}
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(data))


def test_a_scenario_may_set_each_body_s_answer() -> None:
    from taxonomy.whatif.scenarios import Scenario

    for value in ({"nhse": "high", "nhsi": "Low"}, "nhse: high; nhsi: low"):
        applied = (
            Scenario("views")
            .set(function="it", field="effectiveness.joint_benefit", value=value)
            .apply(EXAMPLE)
        )
        rec = taxonomy.classify(applied.portfolio)["it"]
        assert rec.by_body is not None and rec.by_body.turns_on == ("effectiveness.joint_benefit",)
        # Settling it afterwards drops who said what.
        settled = (
            Scenario("settle")
            .set(function="it", field="effectiveness.joint_benefit", value="high")
            .apply(applied.portfolio)
        )
        assert settled.portfolio.function("it").by_body == ()
    with pytest.raises(
        ScenarioError, match=r"'nhsee' does not perform function 'it'.*did you mean 'nhse'"
    ):
        Scenario("bad").set(
            function="it", field="effectiveness.joint_benefit", value={"nhsee": "high"}
        ).apply(EXAMPLE)
    with pytest.raises(ScenarioError, match="'huge' is not a level"):
        Scenario("bad").set(
            function="it", field="effectiveness.joint_benefit", value={"nhse": "huge"}
        ).apply(EXAMPLE)


def test_a_body_a_scenario_drops_from_performed_by_no_longer_answers() -> None:
    # Found by a new user: dropping a body from performed_by kept its own answer in the
    # disagreement, though a portfolio written that way is refused.
    from taxonomy.whatif.scenarios import Scenario

    councils = taxonomy.load_portfolio(FIXTURE)
    pack = taxonomy.load_rules(COUNCILS_PACK)
    two = ["northvale", "southmere"]
    applied = (
        Scenario("two")
        .set(function="revenues-benefits", field="performed_by", value=two)
        .apply(councils, rules=pack)
    )
    fn = applied.portfolio.function("revenues-benefits")
    (said,) = fn.by_body
    assert said.bodies == ("northvale", "southmere")
    assert set(dict(fn.unknowns)["efficiency.duplication"].values) == {Level.HIGH, Level.LOW}
    with pytest.raises(ScenarioError, match="drops every body that answered"):
        Scenario("none").set(
            function="revenues-benefits",
            field="efficiency.duplication",
            value={"northvale": "high", "southmere": "low"},
        ).set(function="revenues-benefits", field="performed_by", value=["eastbrook"]).apply(
            councils, rules=pack
        )


# --- bad input ------------------------------------------------------------------------------------


def test_bad_per_body_answers_are_each_reported_at_once(tmp_path: Path) -> None:
    pack = tmp_path / "councils"
    shutil.copytree(COUNCILS_PACK, pack)
    questions = pack / "questions.yaml"
    declared = "  - name: legal.democratic_control\n    type: level\n"
    text = questions.read_text(encoding="utf-8")
    assert declared in text
    questions.write_text(text.replace(declared, declared + "    known: required\n"))
    data = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    data["rules"] = str(pack)
    fn = data["functions"][0]
    fn["efficiency"]["duplication"] = {"northvale": "high", "southmer": "low", "westbrook": "low"}
    fn["efficiency"]["simplification"] = {"northvale": "hgh"}
    fn["legal"]["democratic_control"] = {"northvale": "high", "southmere": "low"}
    fn["legal"]["host_employer"] = {"northvale": "northvale"}
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    result = run_cli("classify", str(path))
    assert result.returncode == 2
    message = result.stderr
    assert "5 problems" in message
    assert "key 'southmer': 'southmer' does not perform this function" in message
    assert "(did you mean 'southmere'?)" in message
    assert "key 'westbrook': 'westbrook' does not perform this function" in message
    assert "efficiency.simplification: key 'northvale': 'hgh' is not a level" in message
    assert "requires it known (known: required): give one answer" in message
    assert "key 'host_employer': cannot be answered per body: a body answer" in message
    assert "Traceback" not in message
    with pytest.raises(PortfolioError):
        taxonomy.load_portfolio(path)
    json_out = run_cli("classify", str(path), "--format", "json")
    problems = json.loads(json_out.stdout or json_out.stderr)["error"]["problems"]
    assert all(p["file"] == str(path) and p["item"] and p["key"] for p in problems)


def test_a_merger_makes_a_body_gone_speak_as_its_successor() -> None:
    from taxonomy.whatif.scenarios import Scenario

    portfolio = taxonomy.load_portfolio(FIXTURE)
    applied = Scenario("merge").merge(into="northvale", from_=["southmere"]).apply(portfolio)
    fn = applied.portfolio.function("revenues-benefits")
    (said,) = fn.by_body
    assert said.bodies == ("northvale", "eastbrook")
    assert said.of("northvale") == OneOf((Level.LOW, Level.HIGH))  # what both said, together
    rec = taxonomy.classify(applied.portfolio, rules=applied.rules)["revenues-benefits"]
    assert rec.by_body is not None
    views = {v.body: v.recommendation for v in rec.by_body.views}
    assert not views["northvale"].decided and str(views["eastbrook"].arrangement) == "aligned"


def test_the_graph_and_picture_name_whose_answer_gives_which_option() -> None:
    """Open because the councils disagree: drawn undecided, each council's option named."""
    import html
    import re

    from taxonomy.render.picture import draw
    from taxonomy.structure.graph import build_graph

    graph = build_graph(taxonomy.classify(taxonomy.load_portfolio(FIXTURE)))
    node = graph.nodes["function:revenues-benefits"]
    assert node["decided"] is False
    assert node["by_body"] == ("northvale: one_team", "southmere: aligned", "eastbrook: aligned")
    assert "by_body" not in graph.nodes["function:elections"]  # it holds whatever they say
    svg = draw(graph).decode()
    text = " ".join(html.unescape(t) for t in re.findall(r">([^<>]+)</text>", svg))
    assert (
        "it turns on whose answer: Northvale District Council's gives 1. One team; Southmere "
        "District Council's gives 2. Aligned" in " ".join(text.split())
    )
