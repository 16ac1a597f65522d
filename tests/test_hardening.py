"""Hardening the loaders: malformed portfolios, rule packs and scenarios give only the library's
own input errors, each with a clear message, and nothing in a file is ever executed."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import taxonomy
from taxonomy.input import reader as _schema
from taxonomy.input.portfolio import portfolio_from_data
from taxonomy.testing.strategies import portfolios, scenarios
from taxonomy.whatif.scenarios import Scenario, loads_scenario, scenario_from_data
from tests.conftest import NHS
from tests.helpers import RULES, paths_in, replaced, rule_files_parsed_once

NHS_DATA = yaml.safe_load(NHS.read_text())

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.sampled_from(["high", "nhse", "pricing", "*", ""]),
)
junk = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


PATHS = paths_in(NHS_DATA)


@given(st.text(max_size=300))
def test_random_text_as_portfolio(text: str) -> None:
    try:
        portfolio_from_data(
            _schema.loads_yaml(text, file="p.yaml", error=taxonomy.PortfolioError), file="p.yaml"
        )
    except taxonomy.PortfolioError as exc:
        assert str(exc).startswith("p.yaml")


@given(st.sampled_from(PATHS), junk)
def test_valid_portfolio_with_one_value_replaced(path: tuple[Any, ...], value: Any) -> None:
    data = replaced(NHS_DATA, path, value)
    try:
        portfolio_from_data(data, file="p.yaml")
    except taxonomy.PortfolioError as exc:
        assert "p.yaml" in str(exc) and "Traceback" not in str(exc)


@given(junk)
def test_random_structures_as_scenario(data: Any) -> None:
    try:
        scenario = scenario_from_data(
            _schema.loads_yaml(yaml.safe_dump(data), file="s.yaml", error=taxonomy.ScenarioError),
            file="s.yaml",
        )
    except taxonomy.ScenarioError:
        return
    except yaml.YAMLError:  # hypothesis built something safe_dump itself cannot write
        return
    with contextlib.suppress(taxonomy.ScenarioError):
        scenario.apply(taxonomy.load_portfolio(NHS))


def _pack_copy(factory: pytest.TempPathFactory) -> Path:
    """One copy of the default pack for the tests that replace its legal.yaml (each writes the
    file it loads), so the files they leave alone are the same files, parsed once."""
    folder = factory.getbasetemp() / "hardening-pack"
    if not folder.exists():
        shutil.copytree(RULES, folder)
    return folder


@settings(max_examples=40)
@given(junk)
def test_random_rule_file(tmp_path_factory: pytest.TempPathFactory, data: Any) -> None:
    folder = _pack_copy(tmp_path_factory)
    (folder / "legal.yaml").write_text(yaml.safe_dump({"rules": [data]}))
    try:
        with rule_files_parsed_once():  # the five files not replaced: parsed once
            taxonomy.load_rules(folder)
    except taxonomy.RulePackError as exc:
        assert exc.file == str(folder / "legal.yaml"), str(exc)  # the error names the file


@pytest.mark.parametrize(
    "text",
    [
        "!!python/object/apply:os.system ['touch PWNED']",
        "name: !!python/object/apply:os.system ['touch PWNED']",
        "!!python/name:os.system",
        "a: !custom-tag 1",
        "&a [*a, *a]",
        "[" * 5000 + "]" * 5000,
        "{" * 5000 + "}" * 5000,
        "a: b: c",
        "\t- tabbed",
        "\x00binary",
        "name: x\nname: y\n",
    ],
)
def test_nasty_yaml_is_refused_and_never_executed(
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    text: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "p.yaml"
    path.write_text(text)
    for loader, error in (
        (taxonomy.load_portfolio, taxonomy.PortfolioError),
        (taxonomy.load_scenario, taxonomy.ScenarioError),
    ):
        with pytest.raises(error):
            loader(path)
    folder = _pack_copy(tmp_path_factory)
    (folder / "legal.yaml").write_text(text)
    with pytest.raises(taxonomy.RulePackError), rule_files_parsed_once():
        taxonomy.load_rules(folder)
    assert not (tmp_path / "PWNED").exists()


def test_huge_file_is_refused_before_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("name: x\n" + "# padding\n" * 2000)
    monkeypatch.setattr(_schema, "MAX_FILE_BYTES", 1000)
    with pytest.raises(taxonomy.PortfolioError, match="the limit is 1000"):
        taxonomy.load_portfolio(path)


def test_undecodable_file(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(b"name: \xff\xfe\n")
    with pytest.raises(taxonomy.PortfolioError, match="not UTF-8"):
        taxonomy.load_portfolio(path)


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(taxonomy.PortfolioError, match="is a directory"):
        taxonomy.load_portfolio(tmp_path)


@settings(max_examples=30)
@given(
    portfolios(max_functions=3, max_bodies=4).flatmap(lambda p: st.tuples(st.just(p), scenarios(p)))
)
def test_generated_scenarios_apply_and_compare(case: tuple[taxonomy.Portfolio, Scenario]) -> None:
    portfolio, scenario = case
    result = taxonomy.compare(portfolio, scenario)
    (outcome,) = result.outcomes
    assert (outcome.single_body is None) == (outcome.classification is not None)
    assert taxonomy.classify(portfolio).to_dict() == result.baseline.to_dict()  # untouched


def test_scenario_text_round_trip() -> None:
    text = "name: t\nchanges:\n  - law: {joint_committees: true}\n"
    assert loads_scenario(text).changes[0].joint_committees is True
