"""Unknown answers: reading them, partial evaluation's properties, and the outputs."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import taxonomy
from taxonomy._model import UNKNOWN, Level, OneOf
from taxonomy.errors import PortfolioError
from taxonomy.testing.unknowns import (
    check_complete,
    check_conservative,
    check_monotone,
    check_sound,
    with_open,
)
from tests.conftest import ROOT

EXAMPLE = taxonomy.load_portfolio("examples/nhs_joint_working_2018.yaml")
KEYS = ("efficiency.duplication", "efficiency.simplification", "effectiveness.joint_benefit")
FUNCTIONS = [f.id for f in EXAMPLE.functions]


def _ranges() -> st.SearchStrategy[OneOf]:
    return st.one_of(
        st.just(UNKNOWN),
        st.tuples(st.sampled_from(list(Level)), st.sampled_from(list(Level))).map(
            lambda lh: OneOf(tuple(Level(i) for i in range(min(lh), max(lh) + 1)))
        ),
    )


_OPEN = st.tuples(
    st.sampled_from(FUNCTIONS),
    st.dictionaries(st.sampled_from(KEYS), _ranges(), min_size=1, max_size=2),
)


@settings(max_examples=8, deadline=None)
@given(_OPEN)
def test_sound_and_complete(case: tuple[str, dict[str, OneOf]]) -> None:
    fid, open_ = case
    portfolio = with_open(EXAMPLE, fid, open_)
    check_sound(portfolio, fid)
    check_complete(portfolio, fid)


@settings(max_examples=6, deadline=None)
@given(_OPEN)
def test_answering_never_adds_a_possibility(case: tuple[str, dict[str, OneOf]]) -> None:
    fid, open_ = case
    check_monotone(with_open(EXAMPLE, fid, open_), fid)


@settings(max_examples=5, deadline=None)
@given(st.sampled_from(FUNCTIONS))
def test_nothing_open_is_decided_as_before(fid: str) -> None:
    check_conservative(EXAMPLE, fid)


#: One function's answers with duplication left open (one team if it is high, else aligned).
OPEN_DUPLICATION = """\
efficiency: {duplication: unknown, simplification: low}
effectiveness: {joint_benefit: medium}
capability: {a: medium, b: medium}
"""


def _write(tmp_path: Path, answers: str) -> Path:
    path = tmp_path / "p.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            name: t
            organisations: [{id: a, name: A}, {id: b, name: B}]
            functions:
              - id: f
                name: F
                level: national
                performed_by: [a, b]
                legal: {statutory_owner: a}
            """
        )
        + textwrap.indent(textwrap.dedent(answers), "    ")
    )
    return path


def test_an_open_function_names_every_outcome_and_the_first_question(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        OPEN_DUPLICATION,
    )
    rec = taxonomy.classify(taxonomy.load_portfolio(path))["f"]
    assert not rec.decided and rec.arrangement is None and rec.lead_status == "open"
    assert len(rec.possible) > 1
    assert sum(__import__("fractions").Fraction(o.share) for o in rec.possible) == 1
    assert rec.open_questions[0].key == "efficiency.duplication"
    data = rec.to_dict()
    assert data["arrangement"] is None and data["decided"] is False
    json.dumps(data)


def test_bad_open_answers_are_each_reported(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """\
        efficiency: {duplication: high..low, simplification: []}
        effectiveness: {joint_benefit: ..}
        capability: {a: medium, b: medium}
        """,
    )
    with pytest.raises(PortfolioError) as caught:
        taxonomy.load_portfolio(path)
    message = str(caught.value)
    assert "'high..low' is out of order" in message
    assert "empty list" in message
    assert "'..' is an empty range" in message


def test_yaml_round_trip_keeps_unknowns(tmp_path: Path) -> None:
    from taxonomy.input.portfolio import portfolio_from_data, portfolio_to_data

    path = _write(
        tmp_path,
        """\
        efficiency: {duplication: unknown, simplification: low..high}
        effectiveness: {joint_benefit: medium}
        capability: {a: medium, b: unknown}
        """,
    )
    portfolio = taxonomy.load_portfolio(path)
    assert portfolio_from_data(portfolio_to_data(portfolio)) == portfolio


THRESHOLD_PACK = """
rules:
  - id: decision.much
    question: decision
    when: {fact: efficiency.duplication, op: ">=", value: high}
    then: {decide: one_team}
    because: much duplication
    principles: [simple]
    source: a test
  - id: decision.little
    question: decision
    when: {fact: efficiency.duplication, op: "<", value: high}
    then: {decide: aligned}
    because: little duplication
    principles: [simple]
    source: a test
"""


def test_values_the_rules_treat_alike_are_one_class_but_shares_count_raw_answers(
    tmp_path: Path,
) -> None:
    """Rules that only ask ``duplication >= high`` make none, low and medium one class: it is
    classified once, but it stands for three of the four answers (and simplification, which no
    rule reads, for all four of its own)."""
    from taxonomy.partial import completions
    from tests.helpers import minimal_pack

    pack = taxonomy.load_rules(minimal_pack(tmp_path, THRESHOLD_PACK))
    path = _write(
        tmp_path,
        """\
        efficiency: {duplication: unknown, simplification: unknown}
        effectiveness: {joint_benefit: medium}
        capability: {a: medium, b: medium}
        """,
    )
    portfolio = taxonomy.load_portfolio(path, rules=pack)
    keys, groups = completions(pack, portfolio.function("f"))
    assert keys == ("efficiency.duplication", "efficiency.simplification")
    assert groups == [[(Level.NONE, Level.LOW, Level.MEDIUM), (Level.HIGH,)], [tuple(Level)]]
    rec = taxonomy.classify(portfolio, rules=pack)["f"]
    shares = {str(o.arrangement): (o.share, o.when) for o in rec.possible}
    assert shares == {
        "aligned": ("3/4", "duplication is at most medium"),
        "one_team": ("1/4", "duplication is high"),
    }
    (question,) = [q for q in rec.open_questions if q.key == "efficiency.duplication"]
    assert question.expected_outcomes == 1  # either answer settles it
    check_complete(portfolio, "f", rules=pack)


def test_explain_shows_an_open_function_its_residual_not_a_robustness(tmp_path: Path) -> None:
    from tests.helpers import run_cli

    path = _write(
        tmp_path,
        OPEN_DUPLICATION,
    )
    for fmt in ("text", "markdown"):
        out = run_cli("explain", str(path), "f", "--format", fmt)
        assert out.returncode == 0, out.stderr
        assert "Robustness" not in out.stdout
        assert "ossible outcomes" in out.stdout and "pen questions" in out.stdout
        assert "efficiency.duplication" in out.stdout
    data = json.loads(run_cli("explain", str(path), "f", "--format", "json").stdout)
    assert data["robustness"] is None and data["decided"] is False


def test_robustness_of_a_decided_function_steps_only_the_answers_given(tmp_path: Path) -> None:
    from taxonomy.whatif.counterfactual import robustness

    path = _write(
        tmp_path,
        OPEN_DUPLICATION,
    )
    text = path.read_text().replace(
        "legal: {statutory_owner: a}",
        "legal: {statutory_owner: a, separate_reason: the law keeps them apart}",
    )
    path.write_text(text)
    portfolio = taxonomy.load_portfolio(path)
    rec = taxonomy.classify(portfolio)["f"]
    assert rec.decided and rec.settled_by == "law"
    # simplification low, joint benefit medium, two capabilities medium: two steps each; the
    # duplication left unknown is not an answer to step (every value is already covered).
    assert robustness(portfolio, "f").steps == 8


def test_a_scenario_may_open_an_answer_or_settle_one() -> None:
    from taxonomy.whatif.scenarios import Scenario

    opened = (
        Scenario("open")
        .set(function="strategy", field="efficiency.duplication", value="unknown")
        .set(function="strategy", field="capability.nhse", value="low..high")
    ).apply(EXAMPLE)
    fn = opened.portfolio.function("strategy")
    assert dict(fn.unknowns) == {
        "efficiency.duplication": UNKNOWN,
        "capability.nhse": OneOf((Level.LOW, Level.MEDIUM, Level.HIGH)),
    }
    rec = taxonomy.classify(opened.portfolio, rules=opened.rules)["strategy"]
    assert not rec.decided
    # Answering it again settles it: the value set is the one classified.
    unknown = taxonomy.load_portfolio("examples/nhs_joint_working_2018_unknown.yaml")
    assert not taxonomy.classify(unknown)["it"].decided
    for value, arrangement in (("high", "one_team"), ("low", "aligned")):
        settled = Scenario("settle").set(
            function="it", field="effectiveness.joint_benefit", value=value
        )
        applied = settled.apply(unknown)
        assert applied.portfolio.function("it").unknowns == ()
        rec = taxonomy.classify(applied.portfolio, rules=applied.rules)["it"]
        assert rec.decided and str(rec.arrangement) == arrangement


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("efficiency.duplication", "high..low", "out of order"),
        ("efficiency.duplication", ["low", "huge"], "'huge' is not a level"),
        ("capability.nobody", "unknown", "not one of the portfolio's organisations"),
    ],
)
def test_a_scenario_opening_an_answer_badly_is_refused(
    field: str, value: object, message: str
) -> None:
    from taxonomy.errors import ScenarioError
    from taxonomy.whatif.scenarios import Scenario

    with pytest.raises(ScenarioError, match=message):
        Scenario("bad").set(function="it", field=field, value=value).apply(EXAMPLE)


UNKNOWN_EXAMPLE = Path("examples/nhs_joint_working_2018_unknown.yaml")


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_unknowns_round_trip_through_a_spreadsheet(tmp_path: Path, suffix: str) -> None:
    """YAML with unknowns, ranges and lists -> CSV or XLSX -> read back: the same portfolio."""
    from taxonomy.input.files import dump_portfolio
    from taxonomy.input.portfolio import portfolio_from_data

    data = yaml.safe_load(UNKNOWN_EXAMPLE.read_text(encoding="utf-8"))
    first = data["functions"][0]
    first["efficiency"]["duplication"] = ["low", "high"]  # a list, not a range
    first["capability"]["nhse"] = "medium..high"
    original = portfolio_from_data(data)
    target = tmp_path / f"p.{suffix}"
    dump_portfolio(original, target)
    assert taxonomy.load_portfolio(target) == original
    if suffix == "csv":
        text = target.read_text(encoding="utf-8")
        assert "unknown" in text and "medium..high" in text and '"low, high"' in text


def test_spreadsheet_cells_read_as_the_yaml_does(tmp_path: Path) -> None:
    from taxonomy.input.files import dump_portfolio

    path = _write(
        tmp_path,
        """\
        efficiency: {duplication: unknown, simplification: low..high}
        effectiveness: {joint_benefit: [none, high]}
        capability: {a: medium, b: unknown}
        """,
    )
    portfolio = taxonomy.load_portfolio(path)
    dump_portfolio(portfolio, tmp_path / "p.csv")
    text = (tmp_path / "p.csv").read_text(encoding="utf-8")
    # A cell written by hand, in another case, reads the same.
    (tmp_path / "q.csv").write_text(text.replace("low..high", "Low..High"), encoding="utf-8")
    for sibling in tmp_path.glob("p.*.csv"):
        shutil.copy(sibling, tmp_path / sibling.name.replace("p.", "q.", 1))
    assert taxonomy.load_portfolio(tmp_path / "q.csv") == portfolio
    assert taxonomy.classify(taxonomy.load_portfolio(tmp_path / "q.csv"))["f"].to_dict() == (
        taxonomy.classify(portfolio)["f"].to_dict()
    )


def _nhs_with(tmp_path: Path, old: str, new: str) -> Path:
    """The NHS example written to ``tmp_path`` with its first ``old`` replaced by ``new``."""
    text = (ROOT / "examples" / "nhs_joint_working_2018.yaml").read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "nhs.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _it_with_open_capability(tmp_path: Path) -> taxonomy.Portfolio:
    """The NHS example with NHS Improvement's IT capability left unknown: one team whatever it
    is (duplication and simplification decide that), but who leads depends on it."""
    text = (ROOT / "examples" / "nhs_joint_working_2018.yaml").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    start = lines.index("  - id: it\n")
    for number in range(start, start + 12):
        if lines[number].strip() == "capability: {nhse: medium, nhsi: medium}":
            lines[number] = lines[number].replace("nhsi: medium", "nhsi: unknown")
            break
    else:
        raise AssertionError("the IT function's capability line moved")
    path = tmp_path / "it_open.yaml"
    path.write_text("".join(lines), encoding="utf-8")
    return taxonomy.load_portfolio(path)


def test_a_decided_arrangement_with_an_open_lead_is_decided(tmp_path: Path) -> None:
    portfolio = _it_with_open_capability(tmp_path)
    rec = taxonomy.classify(portfolio)["it"]
    # The arrangement is the same in every completion: it is decided, and every output that
    # needs a settled arrangement (check, graph, report) can show it.
    assert rec.decided and rec.arrangement is taxonomy.Arrangement.ONE_TEAM
    assert rec.settled_arrangement is taxonomy.Arrangement.ONE_TEAM
    assert {o.arrangement for o in rec.possible} == {taxonomy.Arrangement.ONE_TEAM}
    assert len(rec.possible) > 1
    # The lead is not: it is said to depend on the open answer, never a guessed body.
    assert rec.lead is None and rec.lead_status == "open"
    assert rec.lead_text.startswith("not decided yet, it depends on answers left open")
    assert rec.open_questions[0].key == "capability.nhsi"
    assert taxonomy.check(taxonomy.build_graph(taxonomy.classify(portfolio))) is not None


def test_why_not_of_a_function_still_open_says_which_answers_reach_the_target(
    tmp_path: Path,
) -> None:
    from taxonomy.whatif.counterfactual import counterfactuals, robustness

    path = _nhs_with(
        tmp_path,
        "efficiency: {duplication: high, simplification: high}",
        "efficiency: {duplication: unknown, simplification: unknown}",
    )
    portfolio = taxonomy.load_portfolio(path)
    open_ = next(r for r in taxonomy.classify(portfolio) if not r.decided)
    for outcome in open_.possible:
        found = counterfactuals(portfolio, open_.function, outcome.arrangement)
        assert outcome in found.when_answered and not found.solutions
        assert f"- {outcome.when}  (lead" in found.explain()
    beyond = next(
        a for a in taxonomy.Arrangement if a not in {o.arrangement for o in open_.possible}
    )
    found = counterfactuals(portfolio, open_.function, beyond)
    assert not found.when_answered
    assert "no answer to its open questions gives it" in found.explain()
    assert found.to_dict()["current"] is None and found.to_dict()["when_answered"] == []
    # With no target, and for robustness, a placement still open has no one answer.
    with pytest.raises(taxonomy.InputError, match="is not decided yet: its answers left open give"):
        counterfactuals(portfolio, open_.function)
    with pytest.raises(taxonomy.InputError, match="is not decided yet: its answers left open give"):
        robustness(portfolio, open_.function)


def test_a_decided_paragraph_says_an_open_answer_is_not_known(tmp_path: Path) -> None:
    """The paragraph of a recommendation decided whatever an open answer is never states that
    answer as a fact (it shows the derivation of one completion)."""
    from taxonomy.render.prose import paragraph

    old = "efficiency: {duplication: none, simplification: medium}\n    effectiveness: {joint_benefit: medium}\n    legal: {statutory_owner: nhse, delegable_to"
    path = _nhs_with(
        tmp_path, old, old.replace("simplification: medium", "simplification: unknown")
    )
    result = taxonomy.classify(taxonomy.load_portfolio(path))
    rec = result["specialised-commissioning"]
    assert rec.decided and len(rec.possible) == 1
    said = paragraph(rec, result)
    assert "the scope to simplify processes is not known yet (taken here as" in said
    assert "the scope to simplify processes is none" not in said
    assert "This holds whatever the open answers turn out to be" in said


def test_a_level_mistake_says_unknown_and_ranges_are_allowed(tmp_path: Path) -> None:
    path = _nhs_with(
        tmp_path,
        "efficiency: {duplication: none, simplification: medium}",
        "efficiency: {duplication: tbc, simplification: low-high}",
    )
    with pytest.raises(PortfolioError) as caught:
        taxonomy.load_portfolio(path)
    problems = {p.key: p for p in caught.value.problems}
    assert "unknown" in problems["duplication"].allowed
    assert problems["simplification"].suggestion == "low..high"


def test_markdown_never_says_an_open_function_was_decided(tmp_path: Path) -> None:
    from taxonomy.render.text import to_markdown

    path = _write(
        tmp_path,
        OPEN_DUPLICATION,
    )
    row = next(
        line
        for line in to_markdown(taxonomy.classify(taxonomy.load_portfolio(path))).splitlines()
        if line.startswith("| f |")
    )
    assert row.rstrip(" |").endswith("not decided: answer efficiency.duplication first")
    assert "the answers" not in row
