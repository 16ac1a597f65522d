"""Portfolio loading: every bad input gets a clear error naming file, line, function and key."""

from __future__ import annotations

from pathlib import Path

import pytest

import taxonomy
from taxonomy import Level, PortfolioError
from tests.helpers import write

GOOD = """
name: Test
organisations:
  - {id: a, name: Body A}
  - {id: b, name: Body B}
functions:
  - id: pricing
    name: Pricing
    level: national
    performed_by: [a, b]
    efficiency: {duplication: high, simplification: medium}
    effectiveness: {joint_benefit: medium}
    legal:
      statutory_owner: b
      delegable_to: [b]
      board_reserved: false
      independence_from: []
    capability: {a: medium, b: high}
    notes: "a note"
"""


def _load(tmp_path: Path, text: str) -> taxonomy.Portfolio:
    return taxonomy.load_portfolio(write(tmp_path / "p.yaml", text))


def test_good_portfolio_loads(tmp_path: Path) -> None:
    p = _load(tmp_path, GOOD)
    fn = p.function("pricing")
    assert fn.efficiency.duplication is Level.HIGH
    assert fn.legal.delegable_to == ("b",)
    assert fn.capability.of("b") is Level.HIGH
    assert fn.notes == "a note"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "    notes:",
            "    nots:",
            ["p.yaml:18", "function 'pricing'", "key 'nots'", "did you mean 'notes'"],
        ),
        (
            "duplication: high",
            "duplication: hihg",
            ["p.yaml:10", "'hihg' is not a level", "did you mean 'high'"],
        ),
        (
            "performed_by: [a, b]",
            "performed_by: [a, c]",
            ["p.yaml:9", "'c' is not one of the portfolio's organisations"],
        ),
        ("statutory_owner: b", "statutory_owner: bb", ["p.yaml:13", "did you mean 'b'"]),
        ("level: national", "level: nationl", ["p.yaml:8", "did you mean 'national'"]),
        (
            "    effectiveness: {joint_benefit: medium}\n",
            "",
            ["function 'pricing'", "missing required key 'effectiveness'"],
        ),
        ("capability: {a: medium, b: high}", "capability: {a: medium}", ["missing: b"]),
        (
            "capability: {a: medium, b: high}",
            "capability: {a: medium, b: high, z: low}",
            ["'z' is not one of"],
        ),
        (
            "board_reserved: false",
            "board_reserved: maybe",
            ["key 'board_reserved'", "true or false"],
        ),
        ("  - {id: b, name: Body B}\n", "", ["at least two organisations"]),
        ("name: Test", "name: Test\nname: Again", ["duplicate key 'name'"]),
        (
            "    name: Pricing",
            "    name: Pricing\n    shape: round",
            ["key 'shape'", "unknown key"],
        ),
        (
            "{duplication: high, simplification: medium}",
            "{duplication: high, simplification: medium, cost: high}",
            ["function 'pricing', efficiency", "key 'cost'"],
        ),
        ("  - id: pricing", "  - id: Pricing!", ["not a valid id"]),
        # Impossible legal answers are refused where they are written.
        (
            "independence_from: []",
            "independence_from: [a, b]",
            ["p.yaml:16", "key 'independence_from'", "independent of every body that performs it"],
        ),
        (
            "independence_from: []",
            "independence_from: [b]",
            ["key 'independence_from'", "only employees of b may carry it out"],
        ),
        ("      delegable_to: [b]\n", "", []),  # (a valid variant: see the next case)
        (
            "board_reserved: false",
            "board_reserved: false\n      not_delegable_to: [joint_commitee]",
            ["key 'not_delegable_to'", "did you mean 'joint_committee'"],
        ),
        (
            "board_reserved: false",
            "board_reserved: false\n      held_by_each: [a, z]",
            ["key 'held_by_each'", "'z' is not one of the portfolio's organisations"],
        ),
        (
            '    notes: "a note"',
            '    agreed_lead: a\n    notes: "a note"',
            ["key 'agreed_lead'", "'a' cannot lead", "only employees of b"],
        ),
        (
            '    notes: "a note"',
            '    agreed_lead: q\n    notes: "a note"',
            ["key 'agreed_lead'", "'q' is not one of the portfolio's organisations"],
        ),
        (
            "board_reserved: false",
            "board_reserved: false\n      separate_reason: [x]",
            ["key 'separate_reason'", "must be text"],
        ),
    ],
)
def test_bad_portfolios(tmp_path: Path, old: str, new: str, expected: list[str]) -> None:
    assert old in GOOD
    if not expected:
        _load(tmp_path, GOOD.replace(old, new, 1))
        return
    with pytest.raises(PortfolioError) as info:
        _load(tmp_path, GOOD.replace(old, new, 1))
    message = str(info.value)
    for part in expected:
        assert part in message, message


def test_duplicate_function_ids(tmp_path: Path) -> None:
    text = GOOD + GOOD.split("functions:\n", 1)[1]
    with pytest.raises(PortfolioError, match="used by another function"):
        _load(tmp_path, text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "[1, 2]",
        "name: x\n  bad: indent: here",
        "!!python/object/apply:os.system ['echo hacked']",
        "name: !!python/name:os.system x",
        "a: &a [*a]",
    ],
)
def test_malformed_yaml_is_an_input_error(tmp_path: Path, text: str) -> None:
    with pytest.raises(PortfolioError) as info:
        _load(tmp_path, text)
    assert str(info.value).startswith(str(tmp_path / "p.yaml"))


def test_missing_file() -> None:
    with pytest.raises(PortfolioError, match="no such file"):
        taxonomy.load_portfolio("does/not/exist.yaml")


GOVERNANCE = """
law:
  joint_committees: true
governance:
  bodies:
    - {id: jc, name: Joint Committee, kind: joint_committee, members: [a, b], delegated: [pricing]}
  roles:
    - {id: ao, name: Accountable Officer, employed_by: a, reports_to: [a, b, jc], accountable_for: [pricing]}
"""


def test_law_and_governance_load(tmp_path: Path) -> None:
    p = _load(tmp_path, GOOD + GOVERNANCE)
    assert p.law.joint_committees is True
    (jc,) = p.governance.bodies
    assert jc.kind == "joint_committee" and jc.delegated == ("pricing",)
    (ao,) = p.governance.roles
    assert ao.reports_to == ("a", "b", "jc")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "members: [a, b]",
            "members: [a, bb]",
            ["joint body 'jc'", "key 'members'", "did you mean 'b'"],
        ),
        (
            "kind: joint_committee",
            "kind: joint_comittee",
            ["'joint_comittee' is not a kind", "did you mean 'joint_committee'"],
        ),
        (
            "reports_to: [a, b, jc]",
            "reports_to: [a, b, jcc]",
            ["role 'ao'", "'jcc' is not one of", "did you mean 'jc'"],
        ),
        ("delegated: [pricing]", "delegated: [pricng]", ["did you mean 'pricing'"]),
        ("id: ao", "id: pricing", ["role 'pricing'", "already used"]),
        (
            "joint_committees: true",
            "joint_committees: yes please",
            ["key 'joint_committees'", "true or false"],
        ),
        ("employed_by: a,", "employed_by: z,", ["'z' is not one of the portfolio's organisations"]),
        (
            "accountable_for: [pricing]}",
            "accountable_for: [pricing], salary: 1}",
            ["key 'salary'", "unknown key"],
        ),
        ("reports_to: [a, b, jc]", "reports_to: []", ["must name at least one"]),
    ],
)
def test_bad_governance(tmp_path: Path, old: str, new: str, expected: list[str]) -> None:
    text = GOOD + GOVERNANCE
    assert old in text
    with pytest.raises(PortfolioError) as info:
        _load(tmp_path, text.replace(old, new, 1))
    for part in expected:
        assert part in str(info.value), str(info.value)


def test_portfolio_from_plain_data() -> None:
    import yaml

    data = yaml.safe_load(GOOD)
    portfolio = taxonomy.portfolio_from_data(data)
    assert portfolio.function("pricing").legal.statutory_owner == ("b",)
    data["functions"][0]["efficiency"]["duplication"] = "hgh"
    with pytest.raises(PortfolioError, match="did you mean 'high'"):
        taxonomy.portfolio_from_data(data)


def _plain() -> dict:
    return {
        "name": "Two councils",
        "organisations": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}],
        "functions": [
            {
                "id": "hr",
                "name": "HR",
                "level": "local",
                "performed_by": ("a", "b"),  # a tuple is a list here
                "efficiency": {"duplication": Level.HIGH, "simplification": "low"},
                "effectiveness": {"joint_benefit": "medium"},
                "legal": {},
                "capability": {"a": "high", "b": "low"},
            }
        ],
    }


def test_python_data_is_read_as_it_is_not_through_yaml_text() -> None:
    portfolio = taxonomy.portfolio_from_data(_plain())
    fn = portfolio.function("hr")
    assert fn.performed_by == ("a", "b") and fn.efficiency.duplication is Level.HIGH


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["functions"][0]["efficiency"].update(duplication="hihg"),
         "<portfolio>: function 'hr': key 'duplication': 'hihg' is not a level"),
        (lambda d: d["functions"][0].update(performed_by={"a", "b"}),
         "function 'hr': key 'performed_by'"),
        (lambda d: d["functions"][0]["capability"].update({1: "low"}),
         "has a key that is not text: 1"),
        (lambda d: d["functions"][0].update(levl="x"), "unknown key"),
    ],
)  # fmt: skip
def test_bad_python_data_names_item_and_key_without_a_line(change, expected: str) -> None:
    data = _plain()
    change(data)
    with pytest.raises(PortfolioError) as info:
        taxonomy.portfolio_from_data(data)
    assert expected in str(info.value)
    assert info.value.line is None


def test_an_id_written_as_a_number_is_refused_with_a_hint_to_quote_it(tmp_path: Path) -> None:
    # YAML reads 010 as the octal number 8: the function would silently have been called "8".
    path = write(tmp_path / "p.yaml", GOOD.replace("- id: pricing", "- id: 010"))
    with pytest.raises(PortfolioError) as info:
        taxonomy.load_portfolio(path)
    assert "an id must be text, not '010' was read as the number 8: quote it" in str(info.value)
    assert info.value.key == "id" and info.value.line is not None


def test_text_written_as_a_number_is_kept_as_written(tmp_path: Path) -> None:
    path = write(tmp_path / "p.yaml", GOOD.replace("name: Pricing", "name: 1.0e+3"))
    portfolio = taxonomy.load_portfolio(path)
    assert any(fn.name == "1.0e+3" for fn in portfolio.functions)


def test_per_body_legal_facts_load_and_round_trip(tmp_path: Path) -> None:
    text = GOOD.replace(
        "      statutory_owner: b\n",
        "      statutory_owner: [a, b]\n      held_by_each: all\n"
        "      not_delegable_to: [joint_committee]\n"
        "      separate_reason: each keeps its own office (a statute)\n",
    ).replace("    notes:", "    agreed_lead: b\n    notes:")
    p = _load(tmp_path, text)
    legal = p.function("pricing").legal
    assert legal.statutory_owner == ("a", "b") and legal.held_by_each == ("a", "b")
    assert legal.not_delegable_to == ("joint_committee",)
    assert legal.separate_reason == "each keeps its own office (a statute)"
    assert p.function("pricing").agreed_lead == "b"
    from taxonomy.input.portfolio import portfolio_to_data

    data = portfolio_to_data(p)
    assert data["functions"][0]["legal"]["held_by_each"] == "all"
    assert taxonomy.portfolio_from_data(data) == p
