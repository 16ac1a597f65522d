"""Small fixes: the results workbook, convert, the sweep summary, notebook views, and a
``rules check`` that would have run for ever."""

from __future__ import annotations

from pathlib import Path

import pytest

import taxonomy
from taxonomy.errors import RulePackError
from taxonomy.testing.verify import check_pack
from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def _wide_pack(folder: Path, facts: int) -> Path:
    """A pack extending the default one with ``facts`` level facts, each read by a rule."""
    folder.mkdir()
    (folder / "pack.yaml").write_text(
        "name: wide\nversion: 1.0.0\ndescription: many questions\n"
        "extends: {name: nhs-joint-working-2018, version: '>=1.0,<2'}\n",
        encoding="utf-8",
    )
    declared = "".join(
        f"  - name: legal.q{i}\n    type: level\n    default: none\n    meaning: Q3 question {i}\n"
        f"    source: none\n"
        for i in range(facts)
    )
    rules = "".join(
        f"  - id: wide.q{i}\n    question: legal\n"
        f"    when: {{fact: legal.q{i}, op: '==', value: high}}\n"
        f"    then: {{cap: aligned}}\n    because: question {i} is high\n"
        f"    principles: [aligned]\n    source: none\n"
        for i in range(facts)
    )
    (folder / "questions.yaml").write_text(f"facts:\n{declared}\nrules:\n{rules}", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def wide(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # 30 (300 is beyond what durable-rules holds in one stratum, refused when the pack loads):
    # 4^30 times the default pack's space, which the check would never have finished.
    return _wide_pack(tmp_path_factory.mktemp("packs") / "wide", 30)


# --- rules check: refused at once above a bound, never for hours -------------------------------


def test_a_pack_reading_30_level_facts_is_refused_at_once_with_the_facts_named(
    wide: Path,
) -> None:
    pack = taxonomy.load_rules(wide)
    with pytest.raises(RulePackError) as info:
        check_pack(pack)
    message = str(info.value)
    assert "rule pack 'wide' reads about 10^" in message
    assert "legal.q0" in message and "(4 values)" in message
    assert "--max-combinations N" in message


def test_rules_check_says_so_and_exits_2(wide: Path) -> None:
    result = run_cli("rules", "check", str(wide))
    assert result.returncode == 2, result.stderr
    assert "combinations of answers" in result.stderr and "Traceback" not in result.stderr


def test_the_bound_is_max_combinations_and_the_message_says_how_far_to_raise_it(
    tmp_path: Path,
) -> None:
    """Two extra level facts: 16 times the default pack's space, refused under a low bound."""
    pack = taxonomy.load_rules(_wide_pack(tmp_path / "two", 2))
    with pytest.raises(RulePackError, match=r"N at least 7,077,888"):
        check_pack(pack, max_combinations=100_000)
    refused = run_cli("rules", "check", str(tmp_path / "two"), "--max-combinations", "100000")
    assert refused.returncode == 2 and "7,077,888 combinations" in refused.stderr


# --- convert keeps as_of in place and a false law ----------------------------------------------


def test_convert_keeps_as_of_in_its_place_and_a_false_joint_committees(tmp_path: Path) -> None:
    import shutil

    import yaml

    shutil.copytree(EXAMPLES / "packs", tmp_path / "packs")
    source = tmp_path / "p.yaml"
    text = (EXAMPLES / "police_fire_collaboration.yaml").read_text(encoding="utf-8")
    assert "joint_committees: false" in text
    source.write_text(
        text.replace("rules: packs/police\n", "rules: packs/police\nas_of: 2024-04-01\n"),
        encoding="utf-8",
    )
    out = tmp_path / "out.yaml"
    result = run_cli("convert", str(source), "-o", str(out))
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert list(data)[:4] == ["name", "rules", "as_of", "organisations"]
    assert data["law"] == {"joint_committees": False}
