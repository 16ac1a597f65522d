"""Loader fuzz: every loader, fed a valid shipped file with one value replaced by anything (or a
cell of a workbook or CSV file replaced), raises only the library's own errors, naming the file;
and whatever a scenario or sweep file loads as applies with only the library's errors.

The examples come from the hypothesis profile (``ci``: bounded, derandomized), so CI runs these
in a fixed, short time.
"""

from __future__ import annotations

import contextlib
import csv
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import taxonomy
from taxonomy.testing.expectations import load_expectations
from taxonomy.whatif.scenarios import load_scenario
from taxonomy.whatif.sweep import load_sweep
from tests.conftest import EXAMPLES, NHS, NWL, ROOT
from tests.helpers import paths_in, replaced, rule_files_parsed_once, run_cli

SCENARIOS = EXAMPLES / "scenarios"
EXPECTATIONS = ROOT / "tests" / "expectations"

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 300),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["high", "none", "nhse", "nhsi", "pricing", "*", "", "one_team", "=1+1"]),
)
junk = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)

# A fuzz example writes files: the tmp folder is shared between examples, each overwriting.
_fuzz = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None
)


def _mutated(source: Path) -> st.SearchStrategy[str]:
    """YAML text of ``source`` with the value at one path replaced by junk."""
    data = yaml.safe_load(source.read_text())
    return st.tuples(st.sampled_from(paths_in(data)), junk).map(
        lambda case: yaml.safe_dump(replaced(data, case[0], case[1]), allow_unicode=True)
    )


def _names_file(error: taxonomy.TaxonomyError, path: Path) -> None:
    if isinstance(error, taxonomy.InputError):
        assert error.file is None or Path(error.file).name == path.name or path.name in str(error)


SCENARIO_BASES = {
    "joint_committees_2019.yaml": NHS,
    "health_and_care_act_2022.yaml": NHS,
    "nwl_single_ccg_2021.yaml": NWL,
}


@_fuzz
@given(
    st.sampled_from(sorted(SCENARIO_BASES)).flatmap(
        lambda name: st.tuples(st.just(name), _mutated(SCENARIOS / name))
    )
)
def test_a_scenario_file_with_one_value_replaced(tmp_path: Path, case: tuple[str, str]) -> None:
    name, text = case
    path = tmp_path / name
    path.write_text(text)
    try:
        scenario = load_scenario(path)
    except taxonomy.ScenarioError as exc:
        _names_file(exc, path)
        return
    try:
        applied = scenario.apply(taxonomy.load_portfolio(SCENARIO_BASES[name]))
        if not applied.single_body:
            taxonomy.classify(applied.portfolio, rules=applied.rules)
    except taxonomy.TaxonomyError:
        pass


@_fuzz
@given(_mutated(SCENARIOS / "capability_sweep.yaml"))
def test_a_sweep_file_with_one_value_replaced(tmp_path: Path, text: str) -> None:
    path = tmp_path / "sweep.yaml"
    path.write_text(text)
    try:
        grid = load_sweep(path)
        numbered = grid.numbered()
    except taxonomy.ScenarioError as exc:
        _names_file(exc, path)
        return
    portfolio = taxonomy.load_portfolio(NHS)
    for _, _, scenario in numbered[:2]:
        with contextlib.suppress(taxonomy.TaxonomyError):
            scenario.apply(portfolio)


@_fuzz
@given(
    st.sampled_from(sorted(p.name for p in EXPECTATIONS.glob("*.yaml"))).flatmap(
        lambda name: st.tuples(st.just(name), _mutated(EXPECTATIONS / name))
    )
)
def test_an_expectation_file_with_one_value_replaced(tmp_path: Path, case: tuple[str, str]) -> None:
    name, text = case
    # Expectation files name their portfolio and scenarios relative to themselves.
    folder = tmp_path / "tests" / "expectations"
    folder.mkdir(parents=True, exist_ok=True)
    if not (tmp_path / "examples").exists():
        shutil.copytree(EXAMPLES, tmp_path / "examples")
    path = folder / name
    path.write_text(text)
    try:
        load_expectations(path)
    except taxonomy.InputError as exc:
        _names_file(exc, path)


@_fuzz
@given(_mutated(ROOT / "rules" / "legal.yaml"))
def test_a_rule_file_with_one_value_replaced(tmp_path: Path, text: str) -> None:
    folder = tmp_path / "pack"
    if not folder.exists():
        shutil.copytree(ROOT / "rules", folder)
    (folder / "legal.yaml").write_text(text)
    try:
        with rule_files_parsed_once():  # the five files not replaced: parsed once
            pack = taxonomy.load_rules(folder)
    except taxonomy.RulePackError as exc:
        _names_file(exc, folder / "legal.yaml")
        return
    # A pack may fail to decide for a function; the engine says so, naming the rules.
    with contextlib.suppress(taxonomy.EngineError):
        taxonomy.classify(taxonomy.load_portfolio(NHS), rules=pack)


# --- spreadsheets ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def csv_rows(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[list[str]]]:
    folder = tmp_path_factory.mktemp("csv")
    assert run_cli("convert", str(NHS), "-o", str(folder / "p.csv")).returncode == 0
    with (folder / "p.csv").open(newline="", encoding="utf-8") as handle:
        return folder, list(csv.reader(handle))


cell_text = st.one_of(
    st.text(max_size=15),
    st.sampled_from(
        [
            "",
            "high",
            "nhse",
            "nhse, nhsi",
            "nhse,,",
            "TRUE",
            "maybe",
            "010",
            "1e3",
            "=1+1",
            "national",
        ]
    ),
)


@_fuzz
@given(st.data())
def test_a_csv_portfolio_with_one_cell_replaced(
    tmp_path: Path, csv_rows: tuple[Path, list[list[str]]], data: st.DataObject
) -> None:
    source, rows = csv_rows
    row = data.draw(st.integers(0, len(rows) - 1))
    column = data.draw(st.integers(0, len(rows[0])))  # one past the last: an unheaded column
    changed = [list(r) for r in rows]
    while len(changed[row]) <= column:
        changed[row].append("")
    changed[row][column] = data.draw(cell_text)
    for sibling in source.glob("p.*.csv"):
        shutil.copy(sibling, tmp_path / sibling.name)
    path = tmp_path / "p.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(changed)
    try:
        taxonomy.load_portfolio(path)
    except taxonomy.PortfolioError as exc:
        assert "p.csv" in str(exc)


@_fuzz
@given(st.text(max_size=200))
def test_random_text_as_a_csv_portfolio(
    tmp_path: Path, csv_rows: tuple[Path, list[list[str]]], text: str
) -> None:
    source, _ = csv_rows
    shutil.copy(source / "p.bodies.csv", tmp_path / "p.bodies.csv")
    path = tmp_path / "p.csv"
    path.write_text(text, encoding="utf-8")
    try:
        taxonomy.load_portfolio(path)
    except taxonomy.PortfolioError as exc:
        assert "p.csv" in str(exc)


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("openpyxl")
    path = tmp_path_factory.mktemp("xlsx") / "p.xlsx"
    assert run_cli("convert", str(NHS), "-o", str(path)).returncode == 0
    return path


@settings(_fuzz, max_examples=40)
@given(st.data())
def test_a_workbook_with_one_cell_replaced(
    tmp_path: Path, workbook: Path, data: st.DataObject
) -> None:
    import openpyxl

    book = openpyxl.load_workbook(workbook)
    sheet = book[data.draw(st.sampled_from([s for s in book.sheetnames if s != "questions"]))]
    row = data.draw(st.integers(1, sheet.max_row + 1))
    column = data.draw(st.integers(1, sheet.max_column + 1))
    # A workbook cannot hold control characters at all (openpyxl refuses to write them).
    printable = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=15)
    value = data.draw(
        st.one_of(
            printable,
            cell_text.filter(str.isprintable),
            st.integers(-3, 300),
            st.booleans(),
            st.floats(allow_nan=False, allow_infinity=False),
        )
    )
    sheet.cell(row=row, column=column, value=value)
    path = tmp_path / "p.xlsx"
    book.save(path)
    try:
        taxonomy.load_portfolio(path)
    except taxonomy.PortfolioError as exc:
        assert "p.xlsx" in str(exc)
