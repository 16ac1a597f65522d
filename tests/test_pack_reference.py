"""A portfolio names its rule pack (``rules:``): no --rules, no pack passed again and again."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

import taxonomy
from taxonomy.errors import PortfolioError
from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
COUNCILS = EXAMPLES / "three_councils_shared_services.yaml"
POLICE = EXAMPLES / "police_fire_collaboration.yaml"


def _copy(tmp_path: Path, source: Path, rules: object) -> Path:
    """``source`` beside a copy of the example packs, its ``rules:`` replaced by ``rules``."""
    shutil.copytree(EXAMPLES / "packs", tmp_path / "packs", dirs_exist_ok=True)
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["rules"] = rules
    target = tmp_path / source.name
    target.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return target


@pytest.mark.parametrize("path", [COUNCILS, POLICE], ids=lambda p: p.stem)
def test_classify_needs_no_rules_and_gives_what_rules_gave(path: Path) -> None:
    pack = "councils" if path == COUNCILS else "police"
    named = run_cli("classify", str(path), "--format", "json")
    given = run_cli(
        "classify", str(path), "--rules", str(EXAMPLES / "packs" / pack), "--format", "json"
    )
    assert named.returncode == 0, named.stderr
    assert named.stdout == given.stdout
    assert json.loads(named.stdout)["rule_pack"]["name"] != "nhs-joint-working-2018"


def test_the_python_api_remembers_the_pack() -> None:
    portfolio = taxonomy.load_portfolio(COUNCILS)
    councils = taxonomy.load_rules(EXAMPLES / "packs" / "councils")
    assert portfolio.pack is not None and portfolio.pack.name == councils.name
    assert portfolio.rules == taxonomy.PackReference("packs/councils")
    assert (
        taxonomy.classify(portfolio).to_dict()
        == taxonomy.classify(portfolio, rules=councils).to_dict()
    )
    fn = "housing-allocations"
    assert (
        taxonomy.robustness(portfolio, fn).to_dict()
        == taxonomy.robustness(portfolio, fn, rules=councils).to_dict()
    )
    assert taxonomy.classify_function(portfolio, fn) == taxonomy.classify_function(
        portfolio, fn, rules=councils
    )


def test_rules_overrides_the_pack_the_file_names() -> None:
    refused = run_cli("classify", str(COUNCILS), "--rules", str(ROOT / "rules"))
    assert refused.returncode == 2
    assert "declares no question 'legal.democratic_control'" in refused.stderr


def test_an_undeclared_question_names_the_pack_and_its_folder(tmp_path: Path) -> None:
    path = _copy(tmp_path, COUNCILS, "packs/police")
    with pytest.raises(PortfolioError) as info:
        taxonomy.load_portfolio(path)
    message = str(info.value)
    folder = str(tmp_path / "packs" / "police")
    assert (
        f"question 'legal.democratic_control' is not declared by pack "
        f"'police-fire-collaboration' ({folder})"
    ) in message


def test_name_and_version_are_checked_against_the_pack(tmp_path: Path) -> None:
    ok = _copy(
        tmp_path,
        COUNCILS,
        {"path": "packs/councils", "name": "councils-shared-services", "version": ">=1.0,<2"},
    )
    assert taxonomy.load_portfolio(ok).pack is not None
    wrong_name = _copy(tmp_path, COUNCILS, {"path": "packs/councils", "name": "councils"})
    with pytest.raises(
        PortfolioError,
        match=r"rules: key 'name': the pack at that path is 'councils-shared-services', not 'councils'",
    ):
        taxonomy.load_portfolio(wrong_name)
    wrong_version = _copy(tmp_path, COUNCILS, {"path": "packs/councils", "version": "2.0"})
    with pytest.raises(PortfolioError, match=r"is version 1\.0\.0, which is not 2\.0"):
        taxonomy.load_portfolio(wrong_version)


def test_a_name_alone_is_the_default_pack(tmp_path: Path) -> None:
    data = yaml.safe_load((EXAMPLES / "nhs_joint_working_2018.yaml").read_text(encoding="utf-8"))
    data["rules"] = {"name": "nhs-joint-working-2018", "version": ">=1.0"}
    assert taxonomy.portfolio_from_data(data).pack is taxonomy.load_rules()
    data["rules"] = {"name": "councils-shared-services"}
    with pytest.raises(
        PortfolioError, match="no pack named 'councils-shared-services' is installed"
    ):
        taxonomy.portfolio_from_data(data)


def test_a_missing_folder_is_one_message_at_the_key(tmp_path: Path) -> None:
    path = _copy(tmp_path, COUNCILS, "packs/nowhere")
    result = run_cli("classify", str(path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "rules" in result.stderr and "is not a folder" in result.stderr


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_spreadsheets_and_convert_keep_the_reference(tmp_path: Path, suffix: str) -> None:
    path = _copy(tmp_path, COUNCILS, {"path": "packs/councils", "name": "councils-shared-services"})
    sheet = tmp_path / f"c{suffix}"
    assert run_cli("convert", str(path), "-o", str(sheet)).returncode == 0
    loaded = taxonomy.load_portfolio(sheet)
    assert loaded.rules == taxonomy.PackReference("packs/councils", "councils-shared-services")
    assert loaded.pack is not None and loaded.pack.name == "councils-shared-services"
    back = tmp_path / "back.yaml"
    assert run_cli("convert", str(sheet), "-o", str(back)).returncode == 0
    assert yaml.safe_load(back.read_text(encoding="utf-8"))["rules"] == {
        "path": "packs/councils",
        "name": "councils-shared-services",
    }


def test_the_portfolio_schema_describes_rules() -> None:
    from taxonomy.schemas import schema

    top = schema("portfolio")["properties"]
    assert "rules" in top
