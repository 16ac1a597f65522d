"""A function's legal facts set by a dated provision of the law: read, judged by day, converted.

The portfolio is illustrative (three councils and an Order that moves a duty): no real law is
cited.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import taxonomy
from taxonomy import PortfolioError, Provision
from taxonomy._model import FunctionLaw
from taxonomy.classification import classify
from taxonomy.input import spreadsheet
from taxonomy.input.files import dump_portfolio
from taxonomy.input.portfolio import portfolio_from_data, portfolio_to_data
from taxonomy.law import in_force
from taxonomy.render.text import to_json
from tests.helpers import run_cli as run

D = datetime.date

BODIES = """
name: Three councils (illustrative)
as_of: 2024-03-31
organisations:
  - {id: north, name: North District Council}
  - {id: south, name: South District Council}
  - {id: county, name: Shire County Council}
functions:
  - id: trading-standards
    name: Trading standards
    level: local
    performed_by: [north, south, county]
    efficiency: {duplication: high, simplification: high}
    effectiveness: {joint_benefit: high}
    legal: {held_by_each: all}
    capability: {north: medium, south: medium, county: high}
  - id: audit
    name: Internal audit
    level: local
    performed_by: [north, south, county]
    efficiency: {duplication: high, simplification: medium}
    effectiveness: {joint_benefit: medium}
    legal: {}
    capability: {north: medium, south: medium, county: medium}
"""

LAW = """
law:
  - id: la-1972
    source: Local Government Act 1972 s.101 (illustrative)
    joint_committees: true
  - id: order-2024
    from: 2024-04-01
    source: The Shire (Trading Standards) Order 2024 art. 3 (illustrative)
    functions:
      - function: trading-standards
        legal: {statutory_owner: county, held_by_each: []}
      - function: audit
        legal: {independence_from: [county], separate_reason: the Order keeps audit apart}
"""


def _write(tmp_path: Path, text: str, name: str = "p.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _load(tmp_path: Path, text: str) -> taxonomy.Portfolio:
    return taxonomy.load_portfolio(_write(tmp_path, text))


def _recommendations(output: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(output)["recommendations"]
    return found


def _by_hand(tmp_path: Path, legal: dict[str, dict[str, Any]], day: str) -> list[dict[str, Any]]:
    """The CLI's recommendations for the portfolio with each function's legal edited by hand."""
    data = yaml.safe_load(BODIES)
    for fn in data["functions"]:
        fn["legal"] = {**fn["legal"], **legal.get(fn["id"], {})}
    data["law"] = {"joint_committees": True}
    path = _write(tmp_path, yaml.safe_dump(data), "hand.yaml")
    done = run("classify", str(path), "--as-of", day, "--format", "json")
    assert done.returncode == 0, done.stderr
    return _recommendations(done.stdout)


def test_the_law_sets_the_legal_facts_from_its_day_and_not_before(tmp_path: Path) -> None:
    path = _write(tmp_path, BODIES + LAW)
    days = {}
    for day in ("2024-03-31", "2024-04-01"):
        done = run("classify", str(path), "--as-of", day, "--format", "json")
        assert done.returncode == 0, done.stderr
        days[day] = done.stdout
    before, after = (_recommendations(days[d]) for d in ("2024-03-31", "2024-04-01"))
    assert json.loads(days["2024-04-01"])["provisions"] == ["la-1972", "order-2024"]
    # Before: the functions as written; from the day: exactly as if their legal said the Order's.
    assert before == _by_hand(tmp_path, {}, "2024-03-31")
    moved = {
        "trading-standards": {"statutory_owner": "county", "held_by_each": []},
        "audit": {
            "independence_from": ["county"],
            "separate_reason": "the Order keeps audit apart",
        },
    }
    assert after == _by_hand(tmp_path, moved, "2024-04-01")
    assert before != after
    audit = {r["function"]: r for r in after}["audit"]
    assert audit["category"] == 4 and "county" not in str(audit["lead"])


def test_the_notes_cite_the_provision_for_each_fact(tmp_path: Path) -> None:
    p = _load(tmp_path, BODIES + LAW)
    assert in_force(p, "2024-03-31").notes == ()
    assert in_force(p, "2024-04-01").notes == (
        "order-2024 (from 2024-04-01): trading-standards: statutory_owner county",
        "order-2024 (from 2024-04-01): trading-standards: held_by_each none",
        "order-2024 (from 2024-04-01): audit: independence_from county",
        "order-2024 (from 2024-04-01): audit: separate_reason the Order keeps audit apart",
    )
    scenario = _write(
        tmp_path, "name: The Order\nchanges:\n  - as_of: {day: 2024-04-01}\n", "s.yaml"
    )
    done = run("whatif", str(tmp_path / "p.yaml"), str(scenario), "--format", "markdown")
    assert done.returncode == 0, done.stderr
    assert "order-2024 (from 2024-04-01): audit: independence_from county" in done.stdout


def test_held_by_each_all_is_the_performers_of_the_day(tmp_path: Path) -> None:
    law = LAW.replace("{statutory_owner: county, held_by_each: []}", "{held_by_each: all}")
    law = law.replace(
        "    functions:",
        "    abolishes: [{body: south, into: north}]\n    functions:",
    )
    day = in_force(_load(tmp_path, BODIES + law), "2024-04-01")
    fn = {f.id: f for f in day.portfolio.functions}["trading-standards"]
    assert fn.legal.held_by_each == ("north", "county")


def test_an_abolition_the_same_day_comes_first_and_later_provisions_name_the_successor(
    tmp_path: Path,
) -> None:
    law = LAW + (
        "  - id: merger-2024\n"
        "    from: 2024-04-01\n"
        "    source: The Shire (Structural Changes) Order 2024 (illustrative)\n"
        "    abolishes: [{body: [north, south], into: districts, name: Shire Districts}]\n"
        "    functions:\n"
        "      - function: trading-standards\n"
        "        legal: {delegable_to: [districts, county]}\n"
        "  - id: later-2025\n"
        "    from: 2025-04-01\n"
        "    source: A later Order (illustrative)\n"
        "    functions:\n"
        "      - function: audit\n"
        "        legal: {with_agreement_of: [districts]}\n"
    )
    p = _load(tmp_path, BODIES + law)
    day = in_force(p, "2024-04-01")
    assert day.portfolio.organisation_ids == ("county", "districts")
    fns = {f.id: f for f in day.portfolio.functions}
    assert fns["trading-standards"].legal.delegable_to == ("districts", "county")
    assert fns["trading-standards"].legal.statutory_owner == ("county",)
    assert fns["audit"].legal.independence_from == ("county",)
    notes = day.notes
    merged = notes.index("merger-2024 (from 2024-04-01): north, south merged into districts")
    assert (
        notes.index(
            "merger-2024 (from 2024-04-01): trading-standards: delegable_to districts, county"
        )
        > merged
    )
    later = {f.id: f for f in in_force(p, "2025-04-01").portfolio.functions}
    assert later["audit"].legal.with_agreement_of == ("districts",)


def test_a_fact_set_before_an_abolition_follows_the_successor(tmp_path: Path) -> None:
    law = LAW.replace("independence_from: [county]", "independence_from: [south]") + (
        "  - id: merger-2025\n"
        "    from: 2025-04-01\n"
        "    source: A later Order (illustrative)\n"
        "    abolishes: [{body: south, into: north}]\n"
    )
    day = in_force(_load(tmp_path, BODIES + law), "2025-04-01")
    audit = {f.id: f for f in day.portfolio.functions}["audit"]
    assert audit.legal.independence_from == ("north",)


# Each bad entry, with what its message must say.
BAD = [
    (
        "function: trading-standards",
        "function: trading-standard",
        ["did you mean 'trading-standards'"],
    ),
    (
        "{independence_from: [county],",
        "{independence_frm: [county],",
        ["did you mean 'independence_from'"],
    ),
    (
        "{statutory_owner: county,",
        "{statutory_owner: cuonty,",
        ["'cuonty'", "did you mean 'county'"],
    ),
    (
        "held_by_each: []}",
        "held_by_each: [], board_reserved: maybe}",
        ["board_reserved", "true or false"],
    ),
]


@pytest.mark.parametrize(("old", "new", "said"), BAD)
def test_each_bad_entry_is_refused_naming_file_provision_and_key(
    tmp_path: Path, old: str, new: str, said: list[str]
) -> None:
    assert old in LAW
    path = _write(tmp_path, BODIES + LAW.replace(old, new))
    done = run("classify", str(path))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("taxonomy: error:") == 1, done.stderr
    for part in [str(path), "provision 'order-2024'", *said]:
        assert part in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_every_bad_entry_is_reported_at_once(tmp_path: Path) -> None:
    law = LAW
    for old, new, _ in BAD:
        law = law.replace(old, new)
    law += "      - function: audit\n        legal: {}\n"
    path = _write(tmp_path, BODIES + law)
    done = run("classify", str(path))
    assert done.returncode == 2 and done.stderr.count("taxonomy: error:") == 1
    for _, _, said in BAD:
        for part in said:
            assert part in done.stderr, done.stderr
    assert "sets no legal fact" in done.stderr


def test_a_function_set_twice_by_one_provision_is_refused(tmp_path: Path) -> None:
    law = LAW + "      - function: audit\n        legal: {board_reserved: true}\n"
    with pytest.raises(PortfolioError, match="sets the law of 'audit' twice"):
        _load(tmp_path, BODIES + law)


def test_a_provision_saying_nothing_is_refused(tmp_path: Path) -> None:
    law = LAW.replace("    joint_committees: true\n", "")
    with pytest.raises(PortfolioError, match="give joint_committees, abolishes or functions"):
        _load(tmp_path, BODIES + law)
    with pytest.raises(ValueError, match="give joint_committees, abolishes or functions"):
        Provision("p", "An Act")


OVERLAP = (
    "  - id: amendment\n"
    "    from: 2024-01-01\n"
    "    until: {until}\n"
    "    source: An amending Order (illustrative)\n"
    "    functions:\n"
    "      - function: trading-standards\n"
    "        legal: {{statutory_owner: {owner}}}\n"
)


def test_provisions_setting_a_fact_differently_on_a_day_are_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, BODIES + LAW + OVERLAP.format(until="2024-06-30", owner="north"))
    done = run("classify", str(path))
    assert done.returncode == 2, done.stderr
    assert (
        "provisions 'order-2024' and 'amendment' disagree on trading-standards's "
        "legal.statutory_owner on 2024-04-01 ('order-2024' says county, 'amendment' says north)"
    ) in done.stderr
    # The same fact, or days that do not overlap, are not a disagreement.
    _load(tmp_path, BODIES + LAW + OVERLAP.format(until="2024-06-30", owner="county"))
    _load(tmp_path, BODIES + LAW + OVERLAP.format(until="2024-03-31", owner="north"))


def test_a_function_the_law_makes_impossible_on_a_day_is_an_error_naming_it(
    tmp_path: Path,
) -> None:
    # Each provision is possible alone; together, from 2024-04-01, audit would have to be
    # independent of the body holding it.
    law = LAW + (
        "  - id: audit-duty\n"
        "    from: 2024-01-01\n"
        "    source: An Order (illustrative)\n"
        "    functions:\n"
        "      - function: audit\n"
        "        legal: {statutory_owner: county}\n"
    )
    path = _write(tmp_path, BODIES + law)
    assert run("classify", str(path), "--as-of", "2024-03-31").returncode == 0
    done = run("classify", str(path), "--as-of", "2024-04-01")
    assert done.returncode == 2 and done.stderr.count("taxonomy: error:") == 1
    for part in ("provision 'order-2024'", "function 'audit'", "on 2024-04-01"):
        assert part in done.stderr, done.stderr


def test_the_law_of_functions_round_trips_through_yaml_and_spreadsheets(tmp_path: Path) -> None:
    p = _load(tmp_path, BODIES + LAW)
    assert portfolio_from_data(portfolio_to_data(p)) == p
    dump_portfolio(p, tmp_path / "out.yaml")
    written = (tmp_path / "out.yaml").read_text()
    for suffix in ("xlsx", "csv"):
        dump_portfolio(p, tmp_path / f"out.{suffix}")
        assert taxonomy.load_portfolio(tmp_path / f"out.{suffix}") == p
        back = taxonomy.load_portfolio(tmp_path / f"out.{suffix}")
        dump_portfolio(back, tmp_path / f"back-{suffix}.yaml")
        assert (tmp_path / f"back-{suffix}.yaml").read_text() == written
    sheet = (tmp_path / "out.law_functions.csv").read_text().splitlines()
    assert sheet[1].startswith("order-2024,trading-standards,county,(none),")


def test_a_bad_law_functions_cell_names_its_sheet_row_and_column(tmp_path: Path) -> None:
    p = _load(tmp_path, BODIES + LAW)
    dump_portfolio(p, tmp_path / "out.csv")
    sheet = tmp_path / "out.law_functions.csv"
    sheet.write_text(sheet.read_text().replace("order-2024,audit", "order-2042,audit"))
    with pytest.raises(PortfolioError) as info:
        taxonomy.load_portfolio(tmp_path / "out.csv")
    assert "sheet 'law_functions', row 3, column 'provision'" in str(info.value)
    assert "did you mean 'order-2024'" in str(info.value)


def test_a_csv_whose_law_sets_functions_facts_streams_as_read_whole(tmp_path: Path) -> None:
    p = _load(tmp_path, BODIES + LAW)
    dump_portfolio(p, tmp_path / "out.csv")
    assert spreadsheet.stream_portfolio(tmp_path / "out.csv") is not None  # streamed since #23
    csv = run("classify", str(tmp_path / "out.csv"), "--as-of", "2024-04-01", "--format", "json")
    whole = run("classify", str(tmp_path / "p.yaml"), "--as-of", "2024-04-01", "--format", "json")
    assert csv.returncode == 0 and csv.stdout == whole.stdout
    streamed = tmp_path / "streamed.jsonl"
    day = ("--as-of", "2024-04-01", "--format", "jsonl")
    done = run("classify", str(tmp_path / "out.csv"), *day, "-o", str(streamed))
    lines = run("classify", str(tmp_path / "p.yaml"), *day)
    assert done.returncode == 0 and streamed.read_text(encoding="utf-8") == lines.stdout


def _portfolio_of(tmp_path: Path) -> taxonomy.Portfolio:
    law = LAW + (
        "  - id: interim\n"
        "    from: 2023-01-01\n"
        "    until: 2024-03-31\n"
        "    source: An interim Order (illustrative)\n"
        "    functions:\n"
        "      - function: audit\n"
        "        legal: {board_reserved: true}\n"
        "  - id: lapse\n"
        "    from: 2025-01-01\n"
        "    until: 2025-12-31\n"
        "    source: A temporary Order (illustrative)\n"
        "    functions:\n"
        "      - function: trading-standards\n"
        "        legal: {not_delegable_to: [joint_committee]}\n"
    )
    return _load(tmp_path, BODIES + law)


@pytest.fixture(scope="module")
def dated(tmp_path_factory: pytest.TempPathFactory) -> taxonomy.Portfolio:
    return _portfolio_of(tmp_path_factory.mktemp("dated"))


@given(day=st.dates(D(2022, 6, 1), D(2026, 6, 1)))
def test_judging_on_a_day_is_editing_each_functions_legal_by_hand(
    dated: taxonomy.Portfolio, day: datetime.date
) -> None:
    law = dated.law
    order = sorted(law.in_force(day), key=lambda p: (p.from_ or D.min, law.provisions.index(p)))
    functions = []
    for fn in dated.functions:
        said: dict[str, Any] = {}
        for provision in order:
            for change in provision.functions:
                if change.function == fn.id:
                    said |= change.facts(fn.performed_by)
        functions.append(attrs.evolve(fn, legal=attrs.evolve(fn.legal, **said)))
    by_hand = attrs.evolve(
        dated,
        functions=tuple(functions),
        law=taxonomy.Law(joint_committees=law.on(day).joint_committees),
        as_of=day,
    )
    judged = json.loads(to_json(classify(dated, as_of=day)))["recommendations"]
    edited = json.loads(to_json(classify(by_hand)))["recommendations"]
    assert judged == edited


def test_a_function_law_sets_a_fact_once_and_says_what() -> None:
    law = FunctionLaw("audit", (("board_reserved", True), ("independence_from", ())))
    assert law.describe() == "audit: board_reserved true; independence_from none"
    with pytest.raises(ValueError, match="sets no legal fact"):
        FunctionLaw("audit", ())
    with pytest.raises(ValueError, match="sets a legal fact twice"):
        FunctionLaw("audit", (("board_reserved", True), ("board_reserved", False)))


def test_the_law_functions_sheet_prompts_each_legal_column(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    p = _load(tmp_path, BODIES + LAW)
    dump_portfolio(p, tmp_path / "out.xlsx")
    sheet = load_workbook(tmp_path / "out.xlsx")["law_functions"]
    prompts = {v.promptTitle: v.prompt for v in sheet.data_validations.dataValidation}
    assert prompts["provision"].startswith("The id of the provision")
    assert prompts["legal.independence_from"].endswith("Empty: not set, (none) an empty list.")
    assert prompts["legal.board_reserved"].endswith("Empty: not set.")


def test_the_schema_takes_a_functions_law_and_refuses_what_the_loader_refuses() -> None:
    import jsonschema

    from taxonomy.schemas import schema

    validator = jsonschema.Draft202012Validator(schema("portfolio"))
    fixture = Path(__file__).parent / "fixtures" / "dated_legal_facts.yaml"
    data = json.loads(json.dumps(yaml.safe_load(fixture.read_text()), default=str))
    assert list(validator.iter_errors(data)) == []
    for bad in ({"statutory_ownr": "county"}, {}, {"board_reserved": "maybe"}):
        data["law"][1]["functions"][1]["legal"] = bad
        assert list(validator.iter_errors(data)), bad
    del data["law"][1]["functions"][1]["function"]
    assert list(validator.iter_errors(data))


def test_a_function_law_naming_no_function_of_the_portfolio_is_an_error_on_the_day(
    tmp_path: Path,
) -> None:
    p = _load(tmp_path, BODIES + LAW)
    order = p.law.provisions[1]
    wrong = attrs.evolve(order, functions=(FunctionLaw("payroll", (("board_reserved", True),)),))
    built = attrs.evolve(p, law=taxonomy.Law(provisions=(p.law.provisions[0], wrong)))
    with pytest.raises(PortfolioError, match=r"function 'payroll' on 2024-04-01.*no such function"):
        in_force(built, "2024-04-01")


def test_only_held_by_each_reads_all_as_the_performers() -> None:
    law = FunctionLaw("audit", (("separate_reason", "all"), ("held_by_each", "all")))
    assert law.facts(("north", "south")) == {
        "separate_reason": "all",
        "held_by_each": ("north", "south"),
    }
