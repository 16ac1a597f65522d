"""A JSONL portfolio (the portfolio on line 1, a function a line) is read as YAML and streamed.

Issue 23 item 2: "CSV and JSONL portfolios stream". Each shipped example written as JSONL
classifies to the same bytes as the example itself, streamed (``-o FILE.jsonl``) and read
whole; a bad line late in the file is reported at its line with every other problem, and
nothing is written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from taxonomy.errors import PortfolioError
from taxonomy.input import jsonl
from taxonomy.input.files import load_portfolio
from taxonomy.input.portfolio import portfolio_to_data
from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def _as_jsonl(source: Path, path: Path) -> list[dict[str, Any]]:
    """The portfolio at ``source`` written as JSONL at ``path``; its functions' mappings."""
    data = portfolio_to_data(load_portfolio(source))
    functions = data.pop("functions")
    lines = [data, *functions]
    path.write_text("".join(json.dumps(x, default=str) + "\n" for x in lines), encoding="utf-8")
    return list(functions)


def _classify(*args: str) -> tuple[int, str, str]:
    result = run_cli("-q", "classify", *args, "--format", "jsonl")
    return result.returncode, result.stdout, result.stderr


@pytest.fixture
def streams(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each classify streamed the JSONL portfolio (stream_jsonl gave a stream)."""
    seen: list[bool] = []
    original = jsonl.stream_jsonl

    def recorded(*args: Any, **kwargs: Any) -> jsonl.JsonlStream | None:
        found = original(*args, **kwargs)
        seen.append(found is not None)
        return found

    monkeypatch.setattr(jsonl, "stream_jsonl", recorded)
    return seen


def test_every_example_as_jsonl_classifies_as_the_example(
    tmp_path: Path, streams: list[bool]
) -> None:
    """Byte for byte: the YAML to standard output, the JSONL whole and the JSONL streamed."""
    (tmp_path / "packs").symlink_to(ROOT / "examples" / "packs")  # as the examples name them
    for example in EXAMPLES:
        path = tmp_path / f"{example.stem}.jsonl"
        _as_jsonl(example, path)
        expected = _classify(str(example))
        assert expected[0] == 0, expected
        assert _classify(str(path)) == expected, example.name
        out = tmp_path / f"{example.stem}.out.jsonl"
        code, _, err = _classify(str(path), "-o", str(out))
        assert code == 0, err
        assert out.read_text(encoding="utf-8") == expected[1], example.name
    # Those with a merger or governance naming functions are read whole (as CSV ones are).
    assert any(streams) and len(streams) == len(EXAMPLES)


def test_a_portfolio_given_whole_on_one_line_is_refused_at_its_key(tmp_path: Path) -> None:
    """The functions are the lines after the first: a first line listing them says so."""
    path = tmp_path / "p.jsonl"
    data = portfolio_to_data(load_portfolio(EXAMPLES[0]))
    path.write_text(json.dumps(data, default=str) + "\n", encoding="utf-8")
    with pytest.raises(PortfolioError) as caught:
        load_portfolio(path)
    assert (caught.value.line, caught.value.key) == (1, "functions")
    assert "each function is a line of its own" in str(caught.value)


def test_bad_lines_late_in_2000_are_each_reported_and_nothing_is_written(tmp_path: Path) -> None:
    """Every problem at once at its line (JSON's own too), as read whole; no output; exit 2."""
    path = tmp_path / "p.jsonl"
    functions = _as_jsonl(EXAMPLES[0], path)
    head = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    head.pop("governance", None)  # it names the example's functions
    lines = [json.dumps(head)]
    for n in range(2000):
        function = dict(functions[n % len(functions)], id=f"f{n}")
        lines.append(json.dumps(function, default=str))
    spoilt = json.loads(lines[1990])
    spoilt["efficiency"]["duplication"] = "hihg"
    lines[1990] = json.dumps(spoilt)
    lines[1995] = '{"id": "f1995", "id": "again"}'
    lines[1998] = '{"id": "f1998", '
    lines[2000] = json.dumps(dict(json.loads(lines[2000]), id="f0"))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code, _, message = _classify(str(path), "-o", str(out))
    assert code == 2 and message.startswith("taxonomy: error: "), message
    assert "Traceback" not in message
    for expected in (
        f"{path}:1991: function 'f1989': key 'duplication': 'hihg' is not a level",
        f"{path}:1996: not JSON a portfolio holds: duplicate key 'id'",
        f"{path}:1999: not JSON: ",
        f"{path}:2001: function 'f0': key 'id': this id is used by another function",
    ):
        assert expected in message, message
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.jsonl"]
    assert _classify(str(path)) == (2, "", message)  # read whole: the same message


def test_an_empty_file_and_a_first_line_not_a_mapping_are_refused(tmp_path: Path) -> None:
    """Exit 2 with the reason, whether streamed or not."""
    path = tmp_path / "p.jsonl"
    for text, problem in (("\n\n", "the file is empty"), ("[1]\n", "the portfolio's mapping")):
        path.write_text(text, encoding="utf-8")
        code, _, message = _classify(str(path), "-o", str(tmp_path / "o.jsonl"))
        assert code == 2 and problem in message, message
