"""A row written plainly is read straight into its function: the same function, the same problems.

Issue 23. :class:`taxonomy.input.plain_rows.PlainRows` reads a streamed CSV row without the
portfolio's reader; a row it cannot vouch for goes to that reader. Each row of many, plain and
not, is read both ways here: where the plain reader gives a function, the portfolio's reader
gives the same one with no problem; where that reader finds a problem, the plain reader gives
none. End to end, the command line's output and messages are those of the portfolio read whole.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import example, given
from hypothesis import strategies as st

from taxonomy import classify, load_portfolio
from taxonomy._model import Function
from taxonomy.cli import cli
from taxonomy.errors import PortfolioError, Problems
from taxonomy.input import spreadsheet
from taxonomy.input.function import read_function
from taxonomy.input.plain_rows import PlainRows
from taxonomy.input.portfolio import portfolio_from_data
from taxonomy.input.reader import Reader
from taxonomy.input.rows import function_row
from taxonomy.input.shapes import FUNCTION
from taxonomy.input.sheets import table_rows
from taxonomy.input.values import item_name
from taxonomy.language.rules import load_rules
from taxonomy.render.prose import paragraph, paragraphs
from tests.helpers import run_cli

BODIES = ["b1", "b2", "b3"]
OUTSIDE = ("x1",)
PACK = load_rules()

#: The functions sheet's headings: every column the reader knows, and one it does not.
HEADER = [*FUNCTION.columns(), *(f"capability.{b}" for b in [*BODIES, "b9"]), "remarks"]

_IDS = ["b1", "b2", "b3", "x1", "b9", "B1", "b1, b2", "b2,b1,", "b1, b1", "b1; b2", ",", "all"]
_LEVELS = ["none", "low", "medium", "high", "High", "unknown", "low..high", "low, high",
           "b1: high; b2: low", "hihg", "3"]  # fmt: skip
_FLAGS = ["true", "false", "TRUE", "yes", "n", "0", "maybe"]
_TEXTS = ["A reason", "tab\there", "bell\x07", "half \ud800 pair", "two\nlines"]
#: What each column may hold (besides nothing), plain and not.
_CELLS: dict[str, list[str]] = {
    "id": ["f1", "f-2.x", "F1", "f 1", "1e3", "f1\x07"],
    "name": ["Pricing", "Pay\x00roll", "x\ud800y", "two\nlines", "3"],
    "level": ["national", "regional", "National", "nope", "b1"],
    "performed_by": _IDS,
    "efficiency.duplication": _LEVELS,
    "efficiency.simplification": _LEVELS,
    "effectiveness.joint_benefit": _LEVELS,
    "legal.statutory_owner": _IDS,
    "legal.held_by_each": _IDS,
    "legal.delegable_to": _IDS,
    "legal.board_reserved": _FLAGS,
    "legal.not_delegable_to": [
        "joint_committee",
        "another_body, joint_committee",
        "Joint_Committee",
        "joint_committee, joint_committee",
        "nope",
    ],
    "legal.independence_from": _IDS,
    "legal.separate_reason": _TEXTS,
    "legal.with_agreement_of": _IDS,
    "legal.agreement_basis": _TEXTS,
    "legal.decided_by": ["ceo"],
    "legal.employed_by_parent": _FLAGS,
    "agreed_lead": ["b1", "b2", "b9", "x1"],
    "involves": _IDS,
    "capability.b1": _LEVELS,
    "capability.b2": _LEVELS,
    "capability.b3": _LEVELS,
    "capability.b9": ["high"],
    "remarks": ["anything"],
}
#: Columns that are mostly given, each as most rows give it.
_USUAL = {
    "id": "f1",
    "name": "Pricing",
    "level": "national",
    "performed_by": "b1, b2",
    "efficiency.duplication": "high",
    "efficiency.simplification": "low",
    "effectiveness.joint_benefit": "medium",
    "capability.b1": "high",
    "capability.b2": "none",
}


def _portfolios_reader(cells: dict[str, Any]) -> Function | list[str]:
    """The function the portfolio's reader gives for a row, or its problems."""
    problems = Problems(PortfolioError, file="p.csv")
    reader = Reader("p.csv", PortfolioError)
    node = function_row("p.csv", 2, cells, (), problems)
    with problems.collecting():
        item = item_name(FUNCTION.item, node)
        return read_function(reader, node, item, BODIES, PACK, outside=OUTSIDE)
    return [str(problem) for problem in problems.found]


@st.composite
def _rows(draw: st.DrawFn) -> dict[str, Any]:
    """A row's cells as a CSV sheet gives them: the usual row with a few cells changed."""
    cells: dict[str, Any] = {column: _USUAL.get(column) for column in HEADER}
    for column in draw(st.lists(st.sampled_from(HEADER), max_size=4)):
        cells[column] = draw(st.sampled_from([None, *_CELLS[column]]))
    return cells


#: Rows each refused for one reason only the answers together give (the law's checks).
_REFUSED = [
    {"legal.statutory_owner": "b1", "legal.independence_from": "b1, x1"},
    {"legal.delegable_to": "b3", "legal.independence_from": "b3"},
    {"legal.independence_from": "b2, b1"},
    {"legal.with_agreement_of": "b2", "legal.held_by_each": "all"},
    {"legal.with_agreement_of": "b3", "legal.independence_from": "b3"},
    {"involves": "b2"},
    {"involves": "b3", "legal.independence_from": "b3"},
    {"agreed_lead": "b3"},
    {"agreed_lead": "b1", "legal.delegable_to": "b2"},
    {"agreed_lead": "b1", "legal.independence_from": "b1"},
    {"capability.b2": None},
    {"legal.board_reserved": "true", "legal.decided_by": "ceo"},
]


@given(_rows())
@example({c: _USUAL.get(c) for c in HEADER})
@example({c: _USUAL.get(c) for c in HEADER} | {"legal.held_by_each": "all", "involves": "b3"})
def test_a_row_read_plainly_is_the_function_the_portfolios_reader_gives(
    cells: dict[str, Any],
) -> None:
    plain = PlainRows(HEADER, bodies=BODIES, outside=OUTSIDE, tiers=PACK.tiers())
    fast = plain.function(cells)
    slow = _portfolios_reader(cells)
    if fast is not None:
        assert isinstance(slow, Function), slow
        assert repr(fast) == repr(slow)  # repr tells a Level from its name, == does not
        assert fast == slow and hash(fast) == hash(slow)
    again = plain.function(cells)  # the legal answers remembered give the same function
    assert repr(again) == repr(fast)


@pytest.mark.parametrize("change", _REFUSED)
def test_a_row_the_law_refuses_is_left_to_the_portfolios_reader(change: dict[str, Any]) -> None:
    cells = {column: _USUAL.get(column) for column in HEADER} | change
    plain = PlainRows(HEADER, bodies=BODIES, outside=OUTSIDE, tiers=PACK.tiers())
    assert plain.function(cells) is None
    assert not isinstance(_portfolios_reader(cells), Function)


def test_most_rows_of_a_plain_portfolio_are_read_plainly() -> None:
    """A guard on the test above: the plain rows it draws are read, not all sent back."""
    plain = PlainRows(HEADER, bodies=BODIES, outside=OUTSIDE, tiers=PACK.tiers())
    row = {column: _USUAL.get(column) for column in HEADER}
    assert plain.function(row) is not None
    for column, value in [("legal.statutory_owner", "b1"), ("legal.held_by_each", "all"),
                          ("legal.not_delegable_to", "joint_committee"), ("involves", "b3"),
                          ("agreed_lead", "b2"), ("legal.separate_reason", "tab\there")]:  # fmt: skip
        assert plain.function(row | {column: value}) is not None, column
    for column, value in [("capability.b2", None), ("legal.decided_by", "ceo"),
                          ("capability.b9", "high"), ("efficiency.duplication", "High")]:  # fmt: skip
        assert plain.function(row | {column: value}) is None, column
    assert plain.function(row | {"remarks": "a column no reader reads"}) is not None


def test_a_pack_declaring_its_own_questions_is_read_the_usual_way() -> None:
    councils = load_rules(Path(__file__).resolve().parents[1] / "examples" / "packs" / "councils")
    assert councils.facts.answered()
    assert PlainRows.compile(HEADER, bodies=BODIES, outside=(), rules=councils) is None
    assert PlainRows.compile(HEADER, bodies=BODIES, outside=(), rules=PACK) is not None


def _write(folder: Path, rows: list[dict[str, str]]) -> Path:
    with (folder / "p.bodies.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["id", "name"], *([b, f"Body {b}"] for b in BODIES)])
    path = folder / "p.csv"
    header = [c for c in HEADER if c not in ("capability.b9", "remarks")]
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.DictWriter(handle, header)
        out.writeheader()
        out.writerows(rows)
    return path


def _plain_rows(n: int) -> list[dict[str, str]]:
    return [_USUAL | {"id": f"f{i}", "name": f"Function {i}"} for i in range(n)]


def _run(path: Path, out: str | None) -> Any:
    args = ["-q", "classify", str(path), "--format", "jsonl", *(["-o", out] if out else [])]
    return CliRunner().invoke(cli, args)


def test_plain_and_other_rows_stream_to_the_bytes_the_whole_read_gives(tmp_path: Path) -> None:
    rows = _plain_rows(40)
    rows[3] |= {"efficiency.duplication": "High", "legal.board_reserved": "Yes"}
    rows[7] |= {"capability.b3": "b1: high; b2: low", "performed_by": "b1,b2,b3"}
    rows[9] |= {"efficiency.simplification": "low..high", "legal.held_by_each": "all"}
    rows[12] |= {"legal.statutory_owner": "b1", "legal.delegable_to": "b1", "agreed_lead": "b1"}
    path = _write(tmp_path, rows)
    streamed = tmp_path / "s.jsonl"
    assert _run(path, str(streamed)).exit_code == 0
    whole = _run(path, None)
    assert whole.exit_code == 0
    assert streamed.read_text(encoding="utf-8") == whole.stdout


def test_an_id_given_twice_is_reported_as_the_whole_read_reports_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = _plain_rows(30)
    rows[25]["id"] = "f4"  # a plain row, its id taken by another plain row
    rows[27] |= {"efficiency.duplication": "hihg"}
    path = _write(tmp_path, rows)
    out = tmp_path / "o.jsonl"
    args = ("-q", "classify", str(path), "--format", "jsonl", "-o", str(out))
    streamed = run_cli(*args)
    with monkeypatch.context() as patch:
        patch.setattr(spreadsheet, "stream_portfolio", lambda *a, **k: None)
        whole = run_cli(*args)
    assert streamed.returncode == whole.returncode == 2
    assert "(first at row 6)" in streamed.stderr and "row 29" in streamed.stderr
    assert (streamed.stdout, streamed.stderr) == (whole.stdout, whole.stderr)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.bodies.csv", "p.csv"]


def test_table_rows_reads_cells_as_before() -> None:
    """Headings and cells: stripped, an apostrophe off, empty as nothing, a short row kept."""
    rows = [["id", " name ", "level", ""], ["'=f1", " Pricing\r\n ", "", ""], ["f2"], ["", ""]]
    found = list(table_rows("p.csv", "functions", rows, convert=lambda v: v.removeprefix("'")))
    assert found == [
        (0, {"__header__": ["id", "name", "level"]}),
        (2, {"id": "=f1", "name": "Pricing", "level": None}),
        (3, {"id": "f2"}),
    ]


def _function(fid: str, performers: list[str], owners: list[str]) -> dict[str, Any]:
    return {
        "id": fid,
        "name": f"Function {fid}",
        "level": "national",
        "performed_by": performers,
        "efficiency": {"duplication": "high", "simplification": "high"},
        "effectiveness": {"joint_benefit": "high"},
        "legal": {"statutory_owner": owners},
        "capability": dict.fromkeys(performers, "medium") | {"a": "high"},
    }


def test_one_paragraph_writer_says_each_function_as_a_writer_of_its_own() -> None:
    """The words kept for a firing are said again only where the same bodies are named in full.

    The owners ``a, b, c`` (whose duty makes ``a`` lead) are ``all three`` where the three carry
    the function out, and named where four do; the engine shares the firing between the two.
    """
    bodies = [{"id": b, "name": f"Body {b.upper()}"} for b in "abcd"]
    functions = [
        _function("f1", ["a", "b", "c"], ["a", "b", "c"]),
        _function("f2", ["a", "b", "c", "d"], ["a", "b", "c"]),
        _function("f3", ["a", "b", "c"], ["a", "b", "c"]),
    ]
    data = {"name": "Owners", "organisations": bodies, "functions": functions}
    portfolio = portfolio_from_data(data)
    result = classify(portfolio)
    together = paragraphs(result)
    alone = {rec.function: paragraph(rec, result) for rec in result}
    assert together == alone
    assert "the duty sits in law with all three" in together["f1"]
    assert "the duty sits in law with Body A, Body B and Body C" in together["f2"]
    assert together["f3"] == together["f1"].replace("Function f1", "Function f3")


def test_one_paragraph_writer_says_every_example_as_writers_of_their_own() -> None:
    for shipped in sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.yaml")):
        result = classify(load_portfolio(shipped))
        assert paragraphs(result) == {rec.function: paragraph(rec, result) for rec in result}
