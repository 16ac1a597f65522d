"""Law with dates: dated provisions loaded, judged by day (--as-of), abolitions merged."""

from __future__ import annotations

import datetime
import json
import textwrap
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import taxonomy
from taxonomy import Abolition, InputError, Law, PortfolioError, Provision
from taxonomy.input.files import dump_portfolio
from taxonomy.input.portfolio import portfolio_from_data, portfolio_to_data
from taxonomy.law import in_force
from taxonomy.whatif.scenarios import load_scenario
from tests.conftest import EXAMPLES, NHS, NWL
from tests.helpers import run_cli as run

D = datetime.date
SCENARIOS = EXAMPLES / "scenarios"

BODIES = """
name: Three bodies
organisations:
  - {id: a, name: Body A}
  - {id: b, name: Body B}
  - {id: c, name: Body C}
functions:
  - id: pricing
    name: Pricing
    level: national
    performed_by: [a, b, c]
    efficiency: {duplication: high, simplification: high}
    effectiveness: {joint_benefit: high}
    legal: {board_reserved: true}
    capability: {a: medium, b: high, c: low}
"""

LAW = """
as_of: 2018-03-28
law:
  - id: old-act
    from: 2013-04-01
    until: 2022-06-30
    joint_committees: false
    source: The old Act
  - id: new-act
    from: 2022-07-01
    joint_committees: true
    abolishes:
      - {body: c, into: a}
    source: The new Act
"""


def _load(tmp_path: Path, text: str) -> taxonomy.Portfolio:
    path = tmp_path / "p.yaml"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return taxonomy.load_portfolio(path)


def _error(tmp_path: Path, old: str, new: str) -> PortfolioError:
    text = BODIES + LAW
    assert old in text, old
    with pytest.raises(PortfolioError) as info:
        _load(tmp_path, text.replace(old, new, 1))
    return info.value


# --- loading ---------------------------------------------------------------------------------------


def test_dated_law_loads(tmp_path: Path) -> None:
    p = _load(tmp_path, BODIES + LAW)
    assert p.as_of == D(2018, 3, 28) and p.law.dated
    old, new = p.law.provisions
    assert (old.id, old.from_, old.until, old.joint_committees) == (
        "old-act",
        D(2013, 4, 1),
        D(2022, 6, 30),
        False,
    )
    assert new.abolishes == (Abolition(("c",), "a"),) and new.source == "The new Act"


def test_dates_may_be_quoted_text(tmp_path: Path) -> None:
    text = (BODIES + LAW).replace("from: 2022-07-01", "from: '2022-07-01'")
    assert _load(tmp_path, text).law.provisions[1].from_ == D(2022, 7, 1)


def test_the_undated_mapping_still_loads(tmp_path: Path) -> None:
    p = _load(tmp_path, BODIES + "law: {joint_committees: true}\n")
    assert p.law == Law(joint_committees=True) and not p.law.dated and p.as_of is None


@pytest.mark.parametrize(
    ("old", "new", "line", "expected"),
    [
        # unknown key, with a "did you mean"
        (
            "    from: 2013-04-01",
            "    form: 2013-04-01",
            19,
            ["provision 'old-act'", "key 'form'", "unknown key", "did you mean 'from'"],
        ),
        # not a day of the calendar
        (
            "from: 2022-07-01",
            "from: 2022-13-01",
            24,
            ["provision 'new-act'", "key 'from'", "'2022-13-01' is not a day of the calendar"],
        ),
        # a time of day is not a day
        (
            "from: 2022-07-01",
            "from: 2022-07-01 10:00:00",
            24,
            ["key 'from'", "is a time, not a day"],
        ),
        # a number is not a day
        (
            "until: 2022-06-30",
            "until: 20220630",
            20,
            ["key 'until'", "the number 20220630 is not a day: write YYYY-MM-DD"],
        ),
        # the source is required on dated provisions
        (
            "    source: The old Act\n",
            "",
            18,
            ["provision 'old-act'", "missing required key 'source'"],
        ),
        # overlapping provisions that disagree on the same day
        (
            "from: 2022-07-01",
            "from: 2022-06-30",
            25,
            [
                "provision 'new-act'",
                "key 'joint_committees'",
                "'old-act' and 'new-act' disagree on joint_committees on 2022-06-30",
            ],
        ),
        # an abolished body that is not one of the portfolio's, with a "did you mean"
        (
            "{body: c, into: a}",
            "{body: cc, into: a}",
            27,
            [
                "provision 'new-act', abolishes",
                "key 'body'",
                "'cc' is not one of the bodies",
                "did you mean 'c'",
            ],
        ),
        # a successor that does not exist, without a name to establish it
        (
            "{body: c, into: a}",
            "{body: c, into: z}",
            27,
            ["key 'into'", "'z' does not exist on 2022-07-01", "give 'name'"],
        ),
        # a body abolished into itself
        (
            "{body: c, into: a}",
            "{body: c, into: c}",
            27,
            ["key 'into'", "cannot be abolished into itself"],
        ),
        # a key of an abolition
        ("{body: c, into: a}", "{body: c, ino: a}", 27, ["unknown key", "did you mean 'into'"]),
        # an abolition is permanent
        (
            "    joint_committees: true\n",
            "    joint_committees: true\n    until: 2030-01-01\n",
            26,
            ["key 'until'", "an abolition is permanent"],
        ),
        # until before from
        (
            "until: 2022-06-30",
            "until: 2012-06-30",
            20,
            ["key 'until'", "2012-06-30 is before 'from' (2013-04-01)"],
        ),
        # a provision that says nothing
        ("    joint_committees: false\n", "", 18, ["provision 'old-act'", "says nothing"]),
        # provision ids are ids, and unique
        ("id: new-act", "id: old-act", 23, ["key 'id'", "used by another provision"]),
        ("id: new-act", "id: New Act", 23, ["key 'id'", "is not a valid id"]),
        # the portfolio's day
        ("as_of: 2018-03-28", "as_of: 28/03/2018", 16, ["key 'as_of'", "is not a day"]),
    ],
)
def test_loader_errors_name_file_line_item_and_key(
    tmp_path: Path, old: str, new: str, line: int, expected: list[str]
) -> None:
    error = _error(tmp_path, old, new)
    message = str(error)
    assert message.startswith(f"{tmp_path / 'p.yaml'}:{line}: "), message
    for part in expected:
        assert part in message, message


def test_law_must_be_a_mapping_or_a_list(tmp_path: Path) -> None:
    with pytest.raises(PortfolioError, match=r"must be a mapping .* or a list of dated provisions"):
        _load(tmp_path, BODIES + "law: yes\n")
    with pytest.raises(PortfolioError, match="lists no provisions"):
        _load(tmp_path, BODIES + "law: []\n")


def test_a_new_successor_needs_an_id_of_its_own(tmp_path: Path) -> None:
    error = _error(tmp_path, "{body: c, into: a}", "{body: c, into: pricing, name: New body}")
    assert "'pricing' is already an id" in str(error) and error.key == "into"


def test_a_body_abolished_twice_is_refused(tmp_path: Path) -> None:
    twice = (
        LAW
        + "  - id: again\n    from: 2023-01-01\n    abolishes: [{body: c, into: b}]\n    source: S\n"
    )
    with pytest.raises(PortfolioError, match="'c' no longer exists on 2023-01-01"):
        _load(tmp_path, BODIES + twice)


def test_a_successor_may_be_abolished_later(tmp_path: Path) -> None:
    later = LAW.replace("{body: c, into: a}", "{body: [b, c], into: n, name: New body}") + (
        "  - id: later\n    from: 2023-01-01\n    abolishes: [{body: n, into: a}]\n    source: S\n"
    )
    p = _load(tmp_path, BODIES + later)
    assert in_force(p, "2022-07-01").portfolio.organisation_ids == ("a", "n")
    assert in_force(p, "2023-01-01").single_body == "a"


def test_dated_law_round_trips_through_yaml_and_spreadsheets(tmp_path: Path) -> None:
    p = _load(tmp_path, BODIES + LAW)
    assert portfolio_from_data(portfolio_to_data(p)) == p
    for suffix in ("yaml", "xlsx", "csv"):
        dump_portfolio(p, tmp_path / f"out.{suffix}")
        assert taxonomy.load_portfolio(tmp_path / f"out.{suffix}") == p


def test_spreadsheet_law_errors_name_sheet_row_and_column(tmp_path: Path) -> None:
    p = _load(tmp_path, BODIES + LAW)
    dump_portfolio(p, tmp_path / "out.csv")
    law = tmp_path / "out.law.csv"
    law.write_text(law.read_text().replace("2022-07-01", "2022-07-32"))
    with pytest.raises(PortfolioError) as info:
        taxonomy.load_portfolio(tmp_path / "out.csv")
    assert "sheet 'law', row 3, column 'from'" in str(info.value)
    assert "'2022-07-32' is not a day of the calendar" in str(info.value)
    abolitions = tmp_path / "out.abolitions.csv"
    law.write_text(law.read_text().replace("2022-07-32", "2022-07-01"))
    abolitions.write_text(abolitions.read_text().replace("new-act", "newact"))
    with pytest.raises(PortfolioError, match=r"row 2, column 'provision'.*did you mean 'new-act'"):
        taxonomy.load_portfolio(tmp_path / "out.csv")


def test_the_model_refuses_what_the_loader_refuses() -> None:
    with pytest.raises(ValueError, match="disagree on joint_committees on 2022-07-01"):
        Law(
            provisions=(
                Provision("x", "X", joint_committees=False),
                Provision("y", "Y", from_=D(2022, 7, 1), joint_committees=True),
            )
        )
    with pytest.raises(ValueError, match="says nothing"):
        Provision("x", "X")
    with pytest.raises(ValueError, match="abolition is permanent"):
        Provision("x", "X", abolishes=(Abolition(("b",), "a"),))
    with pytest.raises(TypeError, match="must be a date"):
        Provision("x", "X", from_=datetime.datetime(2022, 7, 1), joint_committees=True)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"dated .provisions. or of one day"):
        Law(
            provisions=(Provision("x", "X", joint_committees=True),),
            applied=(Provision("x", "X", joint_committees=True),),
        )
    p = taxonomy.load_portfolio(NHS)
    gone = Provision("x", "X", from_=D(2022, 7, 1), abolishes=(Abolition(("nhsx",), "nhse"),))
    with pytest.raises(ValueError, match="'nhsx' is not one of the bodies"):
        attrs.evolve(p, law=Law(provisions=(gone,)))


# --- judging by day --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "provisions", "joint_committees", "bodies"),
    [
        (D(2013, 3, 31), (), False, ("a", "b", "c")),  # before every provision
        (D(2013, 4, 1), ("old-act",), False, ("a", "b", "c")),  # first day included
        (D(2022, 6, 30), ("old-act",), False, ("a", "b", "c")),  # last day included
        (D(2022, 7, 1), ("new-act",), True, ("a", "b")),  # the new Act's first day: c is gone
        (D(2099, 1, 1), ("new-act",), True, ("a", "b")),
    ],
)
def test_the_law_of_a_day_includes_its_boundary_days(
    tmp_path: Path,
    day: datetime.date,
    provisions: tuple[str, ...],
    joint_committees: bool,
    bodies: tuple[str, ...],
) -> None:
    p = _load(tmp_path, BODIES + LAW)
    result = taxonomy.classify(p, as_of=day)
    assert result.as_of == day and result.provisions == provisions
    assert result.portfolio.law.joint_committees is joint_committees
    assert result.portfolio.organisation_ids == bodies
    assert not result.portfolio.law.dated  # classification always reads an undated law
    assert p.law.dated and p.organisation_ids == ("a", "b", "c")  # the baseline is untouched


def test_the_law_changes_the_recommendation(tmp_path: Path) -> None:
    p = _load(tmp_path, BODIES + LAW)
    before, after = taxonomy.classify(p), taxonomy.classify(p, as_of="2022-07-01")
    # Board-reserved, one team: each Board keeps the decision. While the Boards could not form
    # a joint committee they meet in common; after, a joint committee may take it.
    assert str(before["pricing"].arrangement) == str(after["pricing"].arrangement) == "one_team"
    from taxonomy.structure.graph import build_graph

    assert "joint:in-common-pricing" in build_graph(before)
    assert "joint:committee-pricing" in build_graph(after)
    assert after.to_dict()["as_of"] == "2022-07-01" and after.to_dict()["provisions"] == ["new-act"]


def test_abolition_merges_with_the_merger_machinery(tmp_path: Path) -> None:
    p = _load(tmp_path, BODIES + LAW)
    day = in_force(p, D(2022, 7, 1))
    fn = day.portfolio.function("pricing")
    assert fn.performed_by == ("a", "b")
    assert fn.capability.as_dict() == {"a": taxonomy.Level.MEDIUM, "b": taxonomy.Level.HIGH}
    assert day.notes == ("new-act (from 2022-07-01): c merged into a",)
    assert day.single_body is None


def test_the_nhs_example_differs_as_the_law_says() -> None:
    nhs = taxonomy.load_portfolio(NHS)
    in_2018 = taxonomy.classify(nhs)
    assert in_2018.as_of == D(2018, 3, 28) and in_2018.provisions == ("nhs-act-2006-2018",)
    assert taxonomy.classify(nhs, as_of="2018-03-28").to_dict() == in_2018.to_dict()
    with pytest.raises(InputError, match="on 2022-07-01 only one body is left \\(nhse\\)"):
        taxonomy.classify(nhs, as_of=D(2022, 7, 1))
    assert in_force(nhs, "2022-07-01").single_body == "nhse"


def test_the_dated_law_reaches_the_scenarios_outcomes() -> None:
    """The 2022 Act and the 2021 CCG merger, from each portfolio's own law, are the scenarios'."""
    nhs = taxonomy.load_portfolio(NHS)
    by_law = in_force(nhs, "2022-07-01").portfolio
    by_scenario = load_scenario(SCENARIOS / "health_and_care_act_2022.yaml").apply(nhs).portfolio
    assert by_law.organisations == by_scenario.organisations
    assert by_law.functions == by_scenario.functions
    assert by_law.governance == by_scenario.governance
    nwl = taxonomy.load_portfolio(NWL)
    by_law = in_force(nwl, "2021-04-01").portfolio
    by_scenario = load_scenario(SCENARIOS / "nwl_single_ccg_2021.yaml").apply(nwl).portfolio
    assert by_law.organisations == by_scenario.organisations
    assert by_law.functions == by_scenario.functions
    assert in_force(nwl, "2022-07-01").single_body == "nwl-icb"
    assert in_force(nwl, "2018-12-06").portfolio.law.joint_committees is True


def test_a_dated_power_reaches_the_2019_scenarios_outcome() -> None:
    """Had the 2019 proposals become law while both bodies existed, the law gives the scenario's
    outcome (joint_committees_2019.yaml) on its days, and the 2018 outcome before them."""
    nhs = taxonomy.load_portfolio(NHS)
    power = Law(
        provisions=(
            Provision("before", "2018 law", until=D(2019, 12, 31), joint_committees=False),
            Provision(
                "proposals",
                "2019 proposals, supposed law",
                from_=D(2020, 1, 1),
                joint_committees=True,
            ),
        )
    )
    dated = attrs.evolve(nhs, law=power)
    scenario = load_scenario(SCENARIOS / "joint_committees_2019.yaml").apply(nhs)
    expected = taxonomy.classify(scenario.portfolio)
    got = taxonomy.classify(dated, as_of="2020-01-01")
    assert [(r.function, r.arrangement, r.lead) for r in got] == [
        (r.function, r.arrangement, r.lead) for r in expected
    ]
    assert [r.arrangement for r in taxonomy.classify(dated, as_of="2019-12-31")] == [
        r.arrangement for r in taxonomy.classify(nhs)
    ]


def test_a_dated_law_without_a_day_asks_for_one(tmp_path: Path) -> None:
    p = _load(tmp_path, BODIES + LAW.replace("as_of: 2018-03-28\n", ""))
    with pytest.raises(PortfolioError, match="no day is given to judge it on: pass --as-of"):
        taxonomy.classify(p)
    assert taxonomy.classify(p, as_of="2018-03-28").as_of == D(2018, 3, 28)
    with pytest.raises(InputError, match="as_of: 'soon' is not a day"):
        taxonomy.classify(p, as_of="soon")


def test_a_day_judged_is_not_judged_again_on_another() -> None:
    day = in_force(taxonomy.load_portfolio(NHS), "2018-03-28").portfolio
    assert in_force(day).portfolio is day
    with pytest.raises(PortfolioError, match="already judged on 2018-03-28"):
        in_force(day, "2022-07-01")


def test_an_undated_law_takes_the_day_asked_for() -> None:
    p = attrs.evolve(taxonomy.load_portfolio(NHS), law=Law(), as_of=None)
    result = taxonomy.classify(p, as_of="2020-02-02")
    assert result.as_of == D(2020, 2, 2) and result.provisions == ()
    assert taxonomy.classify(p).to_dict()["as_of"] is None


def test_scenarios_start_from_the_day() -> None:
    nhs = taxonomy.load_portfolio(NHS)
    act = taxonomy.Scenario("act").set(functions="*", field="legal.board_reserved", value=False)
    applied = act.apply(nhs, as_of="2022-07-01")
    assert applied.single_body == "nhse" and applied.notes[0].startswith("health-and-care-act-2022")
    assert act.apply(nhs).portfolio.as_of == D(2018, 3, 28)
    merged = taxonomy.Scenario("m").merge(into="nhse", from_=["nhsi"]).apply(nhs)
    assert merged.portfolio.as_of == D(2018, 3, 28)  # a merger keeps the day


def test_compare_takes_the_day() -> None:
    nhs = taxonomy.load_portfolio(NHS)
    free = taxonomy.Scenario("free").set(functions="*", field="legal.board_reserved", value=False)
    data = taxonomy.compare(nhs, free).to_dict()["baseline"]
    assert data["as_of"] == "2018-03-28" and data["provisions"] == ["nhs-act-2006-2018"]
    assert "Baseline: as of 2018-03-28" in taxonomy.compare(nhs, free).to_markdown()


# --- the property -----------------------------------------------------------------------------------

DAYS = st.dates(min_value=D(2000, 1, 1), max_value=D(2030, 12, 31))


@st.composite
def provisions(draw: st.DrawFn) -> tuple[Provision, ...]:
    found: list[Provision] = []
    for index in range(draw(st.integers(1, 6))):
        start = draw(st.none() | DAYS)
        end = draw(st.none() | DAYS)
        if start is not None and end is not None and end < start:
            start, end = end, start
        provision = Provision(
            f"p{index}",
            f"Source {index}",
            from_=start,
            until=end,
            joint_committees=draw(st.booleans()),
        )
        if all(p.disagreement(provision) is None for p in found):
            found.append(provision)
    return tuple(found)


@given(provisions(), DAYS, st.booleans())
def test_the_law_of_a_day_is_exactly_the_provisions_in_force(
    written: tuple[Provision, ...], day: datetime.date, base: bool
) -> None:
    law = Law(joint_committees=base, provisions=written)
    resolved = law.on(day)
    start = {p.id: (p.from_ or D.min).toordinal() for p in written}
    end = {p.id: (p.until or D.max).toordinal() for p in written}
    expected = [p for p in written if start[p.id] <= day.toordinal() <= end[p.id]]
    assert list(resolved.applied) == expected
    said = {p.joint_committees for p in expected}
    assert len(said) <= 1  # provisions in force together never disagree
    assert resolved.joint_committees is (said.pop() if said else base)
    assert not resolved.dated


# --- the command line -------------------------------------------------------------------------------


def test_cli_as_of_end_to_end_on_the_example() -> None:
    before = run("classify", str(NHS), "--as-of", "2018-03-28", "--format", "json")
    assert before.returncode == 0, before.stderr
    data = json.loads(before.stdout)
    assert data["as_of"] == "2018-03-28" and data["provisions"] == ["nhs-act-2006-2018"]
    assert {r["function"]: r["arrangement"] for r in data["recommendations"]}[
        "strategy"
    ] == "aligned"
    assert run("classify", str(NHS), "--format", "json").stdout == before.stdout  # the default day
    after = run("classify", str(NHS), "--as-of", "2022-07-01", "--format", "json")
    assert after.returncode == 0, after.stderr
    data = json.loads(after.stdout)
    assert data["as_of"] == "2022-07-01" and data["provisions"] == ["health-and-care-act-2022"]
    assert data["recommendations"] == [] and data["single_body"]["id"] == "nhse"
    assert len(data["single_body"]["functions"]) == 21
    assert data["notes"][0] == "health-and-care-act-2022 (from 2022-07-01): nhsi merged into nhse"
    table = run("classify", str(NHS), "--as-of", "2022-07-01")
    assert table.returncode == 0 and table.stderr == ""
    assert (
        "Only NHS England (nhse) is left: every function is delivered once, by nhse" in table.stdout
    )
    assert (
        "As of 2022-07-01, under the law in force that day: health-and-care-act-2022"
        in table.stdout
    )
    markdown = run("classify", str(NHS), "--format", "markdown").stdout
    assert "As of 2018-03-28, under the law in force that day:" in markdown
    assert "- `nhs-act-2006-2018` (from 2013-04-01 until 2022-06-30): NHS Act 2006" in markdown
    assert "As of 2018-03-28" in run("classify", str(NHS)).stdout


def test_cli_as_of_in_the_other_commands(tmp_path: Path) -> None:
    out = run("check", str(NHS), "--as-of", "2022-07-01")
    assert out.returncode == 0 and "every function is delivered once, by nhse" in out.stdout
    out = run("check", str(NWL), "--as-of", "2018-12-06")
    assert out.returncode == 0 and out.stdout.startswith("As of 2018-12-06")
    stream = run("classify", str(NHS), "--format", "jsonl")
    header = json.loads(stream.stdout.splitlines()[0])
    assert header["as_of"] == "2018-03-28" and header["provisions"] == ["nhs-act-2006-2018"]
    whatif = run(
        "whatif",
        str(NHS),
        str(SCENARIOS / "joint_committees_2019.yaml"),
        "--as-of",
        "2020-01-01",
        "--format",
        "json",
    )
    assert whatif.returncode == 0, whatif.stderr
    assert json.loads(whatif.stdout)["baseline"]["as_of"] == "2020-01-01"
    # The graph of a day one body is left draws that body alone (tests/test_paper.py).
    drawn = run("graph", str(NHS), "-o", str(tmp_path / "g.dot"), "--as-of", "2022-07-01")
    assert drawn.returncode == 0 and "board:nhse" in (tmp_path / "g.dot").read_text()
    for args in (("explain", str(NHS), "pricing"),):
        out = run(*args, "--as-of", "2022-07-01")
        assert out.returncode == 2 and out.stdout == ""
        assert (
            out.stderr.count("\n") == 1
            and "on 2022-07-01 only one body is left (nhse)" in out.stderr
        )
    report = tmp_path / "r.html"
    out = run("report", str(NHS), "--as-of", "2019-01-01", "--no-pictures", "-o", str(report))
    assert out.returncode == 0 and "As of 2019-01-01" in report.read_text()


@pytest.mark.parametrize("bad", ["2022-13-01", "tomorrow", "01/07/2022", "2022-7-1"])
def test_cli_bad_date_is_one_message_exit_2(bad: str) -> None:
    out = run("classify", str(NHS), "--as-of", bad)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.startswith("taxonomy: error: --as-of: ") and out.stderr.count("\n") == 1
    assert "Traceback" not in out.stderr


def test_cli_dated_law_without_a_day_asks_for_as_of(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(textwrap.dedent(BODIES + LAW.replace("as_of: 2018-03-28\n", "")).lstrip())
    out = run("classify", str(path))
    assert out.returncode == 2 and "pass --as-of YYYY-MM-DD" in out.stderr
    assert run("classify", str(path), "--as-of", "2018-01-01").returncode == 0


def test_cli_output_is_the_same_under_any_hash_seed() -> None:
    args = ("classify", str(NHS), "--as-of", "2022-07-01", "--format", "json")
    first = run(*args, env={"PYTHONHASHSEED": "1"})
    second = run(*args, env={"PYTHONHASHSEED": "2"})
    assert first.returncode == 0 and first.stdout == second.stdout == run(*args).stdout
    args = ("classify", str(NWL), "--as-of", "2018-12-06", "--format", "json")
    assert run(*args, env={"PYTHONHASHSEED": "3"}).stdout == run(*args).stdout


def test_a_second_merger_into_the_body_already_breaching_independence_is_kept() -> None:
    """b2, then b3, merged into b1, which the function must stay independent of both: the
    breach is kept once, where the second merger was refused (found by tests/test_hardening)."""
    from taxonomy.law import Merger, apply_merge

    bodies = ("b1", "b2", "b3")
    portfolio = taxonomy.portfolio_from_data(
        {
            "name": "Three bodies",
            "organisations": [{"id": b, "name": b} for b in bodies],
            "functions": [
                {
                    "id": "f",
                    "name": "F",
                    "level": "national",
                    "performed_by": ["b1"],
                    "efficiency": {"duplication": "low", "simplification": "low"},
                    "effectiveness": {"joint_benefit": "low"},
                    "legal": {"independence_from": ["b2", "b3"]},
                    "capability": {"b1": "high"},
                }
            ],
        }
    )
    once, _ = apply_merge(portfolio, Merger("b1", ("b2",)))
    twice, notes = apply_merge(once, Merger("b1", ("b3",)))
    assert twice.function("f").legal.independence_breached == ("b1",)
    assert twice.function("f").legal.independence_from == ()
    assert any("sits inside a body it must stay independent of" in n for n in notes)
