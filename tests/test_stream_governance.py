"""Portfolios whose governance names functions, or whose law merges bodies, stream too.

Issue 23 item 2. ``classify NAME.csv|NAME.jsonl --format jsonl -o FILE`` reads the governance
and the law before the functions, carries each merger out on each function as it is read and
checks what names a function once every function is read. Compared here with the same command
reading the portfolio whole (``_streamed`` declined): every shipped example and fixture with
governance or a law, on its own day and on the first day of each provision, the scenarios'
mergers written as the portfolio's law, bad references late in the file, and memory.
"""

from __future__ import annotations

import copy
import csv
import datetime
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml

from taxonomy._model import DeclaredDelegation, Governance, JointBody, Role
from taxonomy.cli import classify as classify_module
from taxonomy.errors import TaxonomyError
from taxonomy.input.files import dump_portfolio, load_portfolio
from taxonomy.input.portfolio import portfolio_from_data, portfolio_to_data
from tests.helpers import peak_traced, run_cli

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_classify import synthetic  # noqa: E402  (the benchmarks' generator, not a copy)

#: Shipped portfolios with governance or a law: the examples and the test fixtures.
SHIPPED = sorted((ROOT / "examples").glob("*.yaml")) + sorted(
    (ROOT / "tests" / "fixtures").glob("*.yaml")
)


@pytest.fixture
def streamed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """Whether each classify streamed, in order (the command's own answer).

    An error it raised, nothing handed to the whole read, counts as streamed.
    """
    seen: list[bool] = []
    original = classify_module._streamed

    def recorded(*given: Any) -> bool:
        ran = True
        try:
            ran = original(*given)
        finally:
            seen.append(ran)
        return ran

    monkeypatch.setattr(classify_module, "_streamed", recorded)
    yield seen


def _run(portfolio: Path, out: Path, *extra: str) -> tuple[int, str, str]:
    """classify to ``out`` as JSONL: exit code, what was written (empty: nothing) and stderr."""
    out.unlink(missing_ok=True)
    result = run_cli("-q", "classify", str(portfolio), "--format", "jsonl", "-o", str(out), *extra)
    written = out.read_text(encoding="utf-8") if out.exists() else ""
    return result.returncode, written, result.stderr


def _both(
    portfolio: Path, monkeypatch: pytest.MonkeyPatch, *extra: str
) -> tuple[tuple[int, str, str], tuple[int, str, str]]:
    """The streamed run and the run reading the portfolio whole (streaming declined)."""
    streamed = _run(portfolio, portfolio.with_suffix(".s.jsonl"), *extra)
    with monkeypatch.context() as patch:
        patch.setattr(classify_module, "_streamed", lambda *given: False)
        whole = _run(portfolio, portfolio.with_suffix(".w.jsonl"), *extra)
    return streamed, whole


def _days(portfolio: Path) -> list[str]:
    """``--as-of`` options worth judging on: none (its own day), each provision's first day."""
    law = load_portfolio(portfolio).law
    firsts = sorted({p.from_ for p in law.provisions if p.from_ is not None})
    return ["", *(day.isoformat() for day in firsts)]


def _merges(portfolio: Path, day: str) -> bool:
    """Whether the law merges bodies by ``day`` (empty: the portfolio's own day)."""
    loaded = load_portfolio(portfolio)
    when = datetime.date.fromisoformat(day) if day else loaded.as_of
    return when is not None and any(p.from_ <= when for p, _ in loaded.law.abolitions())


def _judged(portfolio: Path) -> bool:
    """Whether a portfolio has what used to make it be read whole, and classifies at all."""
    try:
        loaded = load_portfolio(portfolio)
    except TaxonomyError:
        return False  # a fixture of a bad portfolio
    governance = loaded.governance
    names = governance.bodies or governance.roles or governance.delegations
    return bool(names or loaded.law.dated)


def _as_csv(source: Path, folder: Path) -> Path:
    path = folder / f"{source.stem}.csv"
    dump_portfolio(load_portfolio(source), path)
    return path


def _as_jsonl(source: Path, folder: Path) -> Path:
    data = portfolio_to_data(load_portfolio(source))
    functions = data.pop("functions")
    path = folder / f"{source.stem}.jsonl"
    lines = [json.dumps(x, default=str) + "\n" for x in (data, *functions)]
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_every_shipped_portfolio_with_governance_or_law_streams_to_the_whole_reads_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, streamed: list[bool]
) -> None:
    """As CSV and as JSONL, on every day its law changes: streamed, the same bytes.

    A day on which the law leaves one body is read whole (its output lists what the mergers
    did to every function); every other run streams.
    """
    (tmp_path / "packs").symlink_to(ROOT / "examples" / "packs")  # as the examples name them
    runs = merging = 0
    for source in filter(_judged, SHIPPED):
        for day in _days(source):
            extra = ("--as-of", day) if day else ()
            for portfolio in (_as_csv(source, tmp_path), _as_jsonl(source, tmp_path)):
                streamed.clear()
                got, whole = _both(portfolio, monkeypatch, *extra)
                assert got == whole, (portfolio.name, day)
                assert got[0] == 0 or "fixtures" in str(source), (portfolio.name, day, got)
                one_body = got[0] == 0 and '"single_body"' in got[1]
                assert streamed == [not one_body], (portfolio.name, day)
                runs += 1
                merging += streamed == [True] and _merges(source, day)
    assert runs >= 40 and merging >= 2


def _with_merger(source: Path, merge: dict[str, Any], day: str) -> dict[str, Any]:
    """The portfolio at ``source`` with a scenario's ``merge:`` as a provision of its law."""
    data = portfolio_to_data(load_portfolio(source))
    law = data.get("law")
    if isinstance(law, list):  # its own abolitions left out: the scenario's is the merger
        provisions = [p for p in law if not p.get("abolishes")]
    else:
        provisions = [{"id": "law-as-written", "source": "undated", **(law or {})}]
    abolition = {"body": merge["from"], "into": merge["into"]}
    if "name" in merge:
        abolition["name"] = merge["name"]
    merger = {"id": "scenario-merger", "from": day, "abolishes": [abolition], "source": "scenario"}
    data["law"] = [*provisions, merger]
    data["as_of"] = day
    return data


def test_each_scenarios_merger_written_as_law_streams_to_the_whole_reads_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, streamed: list[bool]
) -> None:
    """Every shipped scenario's ``merge:`` (police forces, NW London CCGs, NHS I into NHS E).

    Written as an abolition in the portfolio's own law (the scenario names its portfolio on
    its ``# Run:`` line): a named successor, a pack's declared body answers that follow it.
    """
    (tmp_path / "packs").symlink_to(ROOT / "examples" / "packs")
    merged = streaming = 0
    for scenario in sorted((ROOT / "examples" / "scenarios").glob("*.yaml")):
        text = scenario.read_text(encoding="utf-8")
        changes = (yaml.safe_load(text) or {}).get("changes") or []
        merges = [c["merge"] for c in changes if isinstance(c, dict) and "merge" in c]
        run = next(line for line in text.splitlines() if line.startswith("# Run:"))
        source = ROOT / next(
            w for w in run.split() if w.startswith("examples/") and "/scen" not in w
        )
        for merge in merges:
            day = str(yaml.safe_load(source.read_text(encoding="utf-8")).get("as_of", "2030-04-01"))
            data = _with_merger(source, merge, day)
            portfolio = tmp_path / f"{scenario.stem}.yaml"
            portfolio.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
            for written in (_as_csv(portfolio, tmp_path), _as_jsonl(portfolio, tmp_path)):
                streamed.clear()
                got, whole = _both(written, monkeypatch)
                assert got == whole and got[0] == 0, (scenario.name, got)
                assert streamed == ['"single_body"' not in got[1]], scenario.name
                merged += 1
                streaming += streamed[0]
    assert merged == 6 and streaming >= 2


def _large(n: int) -> Any:
    """bench_classify's synthetic portfolio of ``n`` functions, governance naming late ones.

    A joint body of b1 and b2 delegated the last function and overseeing two; a post
    accountable for the last; a declared delegation of the one before by its holder; a dated
    law merging b8 into b7 from 2024-04-01, and the day judged after it.
    """
    portfolio = synthetic(n)
    last, before = portfolio.functions[-1], portfolio.functions[-2]
    functions = list(portfolio.functions)
    functions[-2] = attrs.evolve(before, legal=attrs.evolve(before.legal, statutory_owner=("b3",)))
    oversees = (functions[0].id, before.id)
    governance = Governance(
        (JointBody("jc", "Joint", "joint_committee", ("b1", "b2"), (last.id,), oversees),),
        (Role("lead", "Lead officer", "b1", ("jc",), (last.id,)),),
        (DeclaredDelegation(before.id, "b3", ("b4",)),),
    )
    data = portfolio_to_data(attrs.evolve(portfolio, functions=functions, governance=governance))
    data["law"] = [
        {"id": "base", "joint_committees": True, "source": "illustrative"},
        {"id": "merger", "from": "2024-04-01", "source": "illustrative",
         "abolishes": [{"body": ["b8"], "into": "b7"}]},
    ]  # fmt: skip
    data["as_of"] = "2024-06-01"
    return data


def _write(data: dict[str, Any], path: Path) -> Path:
    dump_portfolio(portfolio_from_data(copy.deepcopy(data)), path)
    return path


def test_a_large_portfolio_with_governance_and_a_merger_streams_to_the_whole_reads_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, streamed: list[bool]
) -> None:
    """2,000 functions, the last ones named by the governance, b8 merged into b7."""
    portfolio = _write(_large(2000), tmp_path / "p.csv")
    got, whole = _both(portfolio, monkeypatch)
    assert streamed == [True]
    assert got == whole and got[0] == 0, got[2]
    assert len(got[1].splitlines()) == 2001 and '"b8"' not in got[1]


#: Where each sheet's rows are in a portfolio's data.
_PLACES = {
    "functions": ("functions",),
    "joint_bodies": ("governance", "bodies"),
    "roles": ("governance", "roles"),
    "delegations": ("governance", "delegations"),
}
_LISTS = ("delegated", "oversees", "accountable_for", "to", "legal.decided_by", "performed_by")

#: A change: sheet, item (0 the first), column, new value.
Change = tuple[str, int, str, str]


def _spoilt(tmp_path: Path, changes: list[Change], *, jsonl: bool = False) -> Path:
    """The large portfolio (500 functions) with ``changes`` made, as CSV or JSONL."""
    data = _large(500)
    folder = tmp_path / ("jsonl" if jsonl else "csv")
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    if not jsonl:
        path = _write(data, folder / "p.csv")
        for sheet, index, column, value in changes:
            table = path if sheet == "functions" else folder / f"p.{sheet}.csv"
            _set_cell(table, index, column, value)
        return path
    for sheet, index, column, value in changes:
        items: Any = data
        for key in _PLACES[sheet]:
            items = items[key]
        item = items[index]
        *parents, last = column.split(".")
        for key in parents:
            item = item.setdefault(key, {})
        item[last] = value.split(", ") if column in _LISTS else value
    functions = data.pop("functions")
    path = folder / "p.jsonl"
    lines = [json.dumps(x, default=str) + "\n" for x in (data, *functions)]
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _set_cell(path: Path, index: int, column: str, value: str) -> None:
    """Set a cell of a CSV table (the column added, empty elsewhere, where missing)."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    if column not in rows[0]:
        for row in rows:
            row.append("")
        rows[0][-1] = column
    rows[index + 1][rows[0].index(column)] = value
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


_UNKNOWN: list[Change] = [("joint_bodies", 0, "delegated", "f4999")]  # f499 is the last
_NOT_HOLDER: list[Change] = [("delegations", 0, "by", "b5")]  # f498 is held by b3
_CLASH: list[Change] = [("roles", 0, "id", "f497")]  # a function's id
_EVERY: list[Change] = [
    *_UNKNOWN,
    *_NOT_HOLDER,
    *_CLASH,
    ("roles", 0, "accountable_for", "f10, nothing"),
]


@pytest.mark.parametrize("jsonl", [False, True], ids=["csv", "jsonl"])
@pytest.mark.parametrize(
    "changes",
    [_UNKNOWN, _NOT_HOLDER, _CLASH, _EVERY],
    ids=["unknown-function", "holder-mismatch", "id-clash", "every-kind"],
)
def test_a_bad_reference_to_a_late_function_gives_the_whole_reads_message(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    streamed: list[bool],
    changes: list[Change],
    jsonl: bool,
) -> None:
    """Found once every function is read: the same one message, exit 2, nothing written."""
    portfolio = _spoilt(tmp_path, changes, jsonl=jsonl)
    before = sorted(p.name for p in portfolio.parent.iterdir())
    got, whole = _both(portfolio, monkeypatch)
    assert streamed == [True]  # the governance is read first, its references checked last
    assert got == whole, (got[2], whole[2])
    assert got[0] == 2 and got[1] == "" and "Traceback" not in got[2]
    assert sorted(p.name for p in portfolio.parent.iterdir()) == before  # no output, no temp
    for said in {
        "joint_bodies": "'f4999' is not one of the portfolio's functions (did you mean 'f499'?)",
        "delegations": "'b5' does not hold 'f498' in law (held by b3)",
        "roles": "this id is already used",
    }.items():
        # A joint body not read stops the whole read before the delegations: so the stream.
        if any(change[0] == said[0] for change in changes) and said[0] != "delegations":
            assert said[1] in got[2], got[2]
    if changes == _NOT_HOLDER:
        assert "'b5' does not hold 'f498' in law (held by b3)" in got[2]


def test_a_post_problem_is_dropped_where_the_governance_has_one_as_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, streamed: list[bool]
) -> None:
    """The whole read judges posts only once the governance reads cleanly: so does the stream."""
    post: Change = ("functions", 10, "legal.decided_by", "nobody")
    for jsonl in (False, True):
        got, whole = _both(_spoilt(tmp_path, [*_UNKNOWN, post], jsonl=jsonl), monkeypatch)
        assert got == whole and got[0] == 2
        assert "'f4999' is not one of the portfolio's functions" in got[2]
        assert "nobody" not in got[2]
        got, whole = _both(_spoilt(tmp_path, [post], jsonl=jsonl), monkeypatch)
        assert got == whole and got[0] == 2
        assert "'nobody' is not one of the portfolio's roles" in got[2]
    assert streamed == [True, True, True, True]


def test_a_provision_setting_a_late_functions_law_to_what_cannot_be_fails_as_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, streamed: list[bool]
) -> None:
    """Legal facts set by a dated law, carried out on each function as read; the error at the end.

    Two entries fail, the one for the later function first in the provision: the whole read's
    error is the one it meets first (the first entry), and so is the stream's, though the
    stream meets the other function first.
    """
    data = _large(500)
    entries = []
    for fn in (data["functions"][-1], data["functions"][3]):
        body = fn["performed_by"][0]
        fn["legal"] = {"statutory_owner": body}  # the Order cannot keep it apart from its holder
        entries.append({"function": fn["id"], "legal": {"independence_from": [body]}})
    data["law"].append(
        {"id": "order", "from": "2024-01-01", "source": "illustrative", "functions": entries}
    )
    for portfolio in (_write(data, tmp_path / "p.csv"), tmp_path / "p.jsonl"):
        if portfolio.suffix == ".jsonl":
            functions = data.pop("functions")
            lines = [json.dumps(x, default=str) + "\n" for x in (data, *functions)]
            portfolio.write_text("".join(lines), encoding="utf-8")
        got, whole = _both(portfolio, monkeypatch)
        assert got == whole and got[0] == 2, (got, whole)
        assert "provision 'order' sets the law of function 'f499'" in got[2]
    assert streamed == [True, True]


def _forced(path: Path, out: Path) -> int:
    """classify ``path`` to ``out`` (replaced) as JSONL; the exit code."""
    args = ("-q", "classify", str(path), "--format", "jsonl", "-o", str(out), "--force")
    return run_cli(*args).returncode


def _peak(path: Path, out: Path) -> int:
    """The most memory Python held (tracemalloc) while classify ran on ``path``."""

    def run() -> None:
        assert _forced(path, out) == 0

    return peak_traced(run)


@pytest.mark.slow
def test_memory_stays_flat_with_governance_naming_functions_and_a_merger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, streamed: list[bool]
) -> None:
    """4x the functions: the peak grows by the ids seen, not by the functions (tracemalloc).

    Kept per function for the checks after the last row: its id; the holders and legal facts
    only of the few functions the governance delegates.
    """
    small, large = tmp_path / "small", tmp_path / "large"
    small.mkdir(), large.mkdir()
    _write(_large(250), small / "p.csv")
    _write(_large(1000), large / "p.csv")
    out = tmp_path / "o.jsonl"
    assert _forced(large / "p.csv", out) == 0  # the pack, its cases: made before measuring

    def growth() -> float:
        low, high = _peak(small / "p.csv", out), _peak(large / "p.csv", out)
        return (high - low) / 750

    flat = growth()
    assert streamed == [True, True, True]
    with monkeypatch.context() as patch:
        patch.setattr(classify_module, "_streamed", lambda *given: False)
        whole = growth()
    assert flat < 2048, f"{flat:.0f} bytes more held per function more"
    assert whole > 2 * 2048, f"read whole: {whole:.0f} bytes per function"


def test_a_dated_law_with_no_day_fails_as_read_whole_the_rows_problems_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, streamed: list[bool]
) -> None:
    """The law cannot be judged on the bodies (no day): its error, or the rows' problems first."""
    data = _large(500)
    del data["as_of"]
    portfolio = _write(data, tmp_path / "p.csv")
    got, whole = _both(portfolio, monkeypatch)
    assert got == whole and got[0] == 2 and got[1] == ""
    assert "its law is dated (provisions base, merger) and no day is given" in got[2]
    _set_cell(portfolio, 480, "efficiency.duplication", "hihg")
    got, whole = _both(portfolio, monkeypatch)
    assert got == whole and got[0] == 2
    assert "'hihg' is not a level" in got[2] and "no day is given" not in got[2]
    assert streamed == [True, True]


def test_delegations_overlapping_only_for_a_non_holder_stream(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, streamed: list[bool]
) -> None:
    """Overlaps are judged once the holders are read: before, every member would count.

    Two joint bodies of b1 and b2 are both delegated the last function, which b3 holds: no
    member delegates it twice, so there is no overlap, and the portfolio streams. Held by b1,
    it is delegated twice: found once the last row is read, the whole read's message.
    """
    data = _large(300)
    last = data["functions"][-1]
    last["performed_by"] = sorted({*last["performed_by"], "b3"})
    last["capability"].setdefault("b3", "medium")
    last["legal"] = {"statutory_owner": "b3"}
    second = dict(data["governance"]["bodies"][0], id="jc2", name="Second joint committee")
    data["governance"]["bodies"].append(second)
    portfolio = _write(data, tmp_path / "p.csv")
    got, whole = _both(portfolio, monkeypatch)
    assert got == whole and got[0] == 0, got[2]
    _set_cell(portfolio, 299, "legal.statutory_owner", "b1")  # b1 now delegates it twice
    got, whole = _both(portfolio, monkeypatch)
    assert got == whole and got[0] == 2 and "on overlapping days" in got[2], got[2]
    assert streamed == [True, True]


#: Governance naming a function by what cannot be an id (each a list cell or a value).
_NOT_IDS: list[list[Change]] = [
    [("delegations", 0, "function", "F498")],
    [("joint_bodies", 0, "delegated", "F 499")],
    [("joint_bodies", 0, "oversees", "f0, (none)")],
    [("roles", 0, "accountable_for", "F499")],
    [("roles", 0, "accountable_for", "f10, F 9"), ("delegations", 0, "function", "F498")],
]


@pytest.mark.parametrize("jsonl", [False, True], ids=["csv", "jsonl"])
@pytest.mark.parametrize("changes", _NOT_IDS, ids=["deleg", "jb-del", "jb-over", "role", "two"])
def test_governance_naming_a_function_by_no_valid_id_fails_as_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, changes: list[Change], jsonl: bool
) -> None:
    """Not a valid id: no function can have it; the whole read's message, never a traceback.

    The governance read before the functions took any text as a function's id, and the model
    refused the joint body, post or delegation naming it: a traceback, exit 1.
    """
    portfolio = _spoilt(tmp_path, changes, jsonl=jsonl)
    got, whole = _both(portfolio, monkeypatch)
    assert got == whole, (got[2], whole[2])
    assert got[0] == 2 and got[1] == "" and "Traceback" not in got[2]
    assert "is not one of the portfolio's functions" in got[2]


def test_a_dated_or_empty_function_name_in_the_governance_fails_as_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dated delegation to a joint body, and a post accountable for '': as read whole."""
    data = _large(300)
    body = data["governance"]["bodies"][0]
    body["delegated"] = [*body["delegated"], {"function": "F 9", "from": "2020-01-01"}]
    data["governance"]["roles"][0]["accountable_for"] = [""]
    functions = data.pop("functions")
    portfolio = tmp_path / "p.jsonl"
    lines = [json.dumps(x, default=str) + "\n" for x in (data, *functions)]
    portfolio.write_text("".join(lines), encoding="utf-8")
    got, whole = _both(portfolio, monkeypatch)
    assert got == whole, (got[2], whole[2])
    assert got[0] == 2 and "Traceback" not in got[2]
    assert "'F 9' is not one of the portfolio's functions" in got[2]
    assert "'' is not one of the portfolio's functions" in got[2]


@pytest.mark.parametrize(
    "spoil",
    [
        lambda line: line[: len(line) // 2],
        lambda line: line.replace("{", '{"id": "x", ', 1),
        lambda line: line.replace("{", '{"weight": NaN, ', 1),
    ],
    ids=["truncated", "key-twice", "nan"],
)
def test_an_unreadable_line_of_a_function_the_governance_names_fails_as_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spoil: Any
) -> None:
    """The line gives no function, as read whole: the governance naming it is reported too.

    The stream reported only the line's problem: it left the governance unchecked.
    """
    data = _large(300)
    functions = data.pop("functions")
    lines = [json.dumps(x, default=str) for x in (data, *functions)]
    lines[-1] = spoil(lines[-1])  # f299: delegated to jc, the lead post accountable for it
    portfolio = tmp_path / "p.jsonl"
    portfolio.write_text("\n".join(lines) + "\n", encoding="utf-8")
    got, whole = _both(portfolio, monkeypatch)
    assert got == whole, (got[2], whole[2])
    assert got[0] == 2 and got[1] == "" and "p.jsonl:301: not JSON" in got[2]
    assert "'f299' is not one of the portfolio's functions" in got[2]


def test_a_function_that_is_not_a_mapping_is_reported_at_its_own_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Streamed or read whole, JSONL or YAML: the item's line, not the list's first line."""
    data = _large(300)
    functions = data.pop("functions")
    lines = [json.dumps(x, default=str) for x in (data, *functions[:-1])] + ["[1, 2]"]
    portfolio = tmp_path / "p.jsonl"
    portfolio.write_text("\n".join(lines) + "\n", encoding="utf-8")
    got, whole = _both(portfolio, monkeypatch)
    assert got == whole, (got[2], whole[2])
    assert got[0] == 2 and "p.jsonl:301: a function must be a mapping, not a list" in got[2]
    yaml_file = tmp_path / "p.yaml"
    organisations = "  - {id: a, name: A}\n  - {id: b, name: B}\n"
    yaml_file.write_text(f"name: x\norganisations:\n{organisations}functions:\n  - 3\n  - [1]\n")
    result = run_cli("-q", "classify", str(yaml_file))
    assert result.returncode == 2
    assert "p.yaml:6: a function must be a mapping, not the number 3" in result.stderr
    assert "p.yaml:7: a function must be a mapping, not a list" in result.stderr


def test_a_jsonl_portfolio_may_start_with_a_byte_order_mark_as_a_csv_one_may(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, streamed: list[bool]
) -> None:
    """Streamed or read whole, the same recommendations as without the mark (was: not JSON)."""
    data = _large(300)
    functions = data.pop("functions")
    text = "".join(json.dumps(x, default=str) + "\n" for x in (data, *functions))
    plain, marked = tmp_path / "plain.jsonl", tmp_path / "marked.jsonl"
    plain.write_text(text, encoding="utf-8")
    marked.write_text(text, encoding="utf-8-sig")
    assert marked.read_bytes().startswith(b"\xef\xbb\xbf")
    got, whole = _both(marked, monkeypatch)
    assert got == whole and got[0] == 0, got[2]
    assert got == _both(plain, monkeypatch)[0]
    assert streamed == [True, True]


def test_a_delegation_to_a_body_a_plain_rows_law_keeps_apart_fails_as_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, streamed: list[bool]
) -> None:
    """A plain row (read straight into its function) keeps its legal facts if delegated.

    f498 is delegated by b3 to b4; its row says it must stay independent of b4. The row read
    the fast way kept no legal facts: the stream wrote every function, exit 0.
    """
    portfolio = _spoilt(tmp_path, [("functions", 498, "legal.independence_from", "b4")])
    got, whole = _both(portfolio, monkeypatch)
    assert got == whole, (got[2], whole[2])
    assert got[0] == 2 and "'f498' must stay independent of 'b4'" in got[2]
    assert streamed == [True]
