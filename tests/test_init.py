"""``taxonomy init`` and ``taxonomy rules init``: a starting point for a policy officer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import taxonomy
from taxonomy.input.starter import RESTATED_RULE
from tests.conftest import NHS
from tests.helpers import run_cli


def test_init_writes_a_starter_portfolio_that_classifies_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = run_cli("init")
    assert out.returncode == 0, out.stderr
    written = tmp_path / "portfolio.yaml"
    portfolio = taxonomy.load_portfolio(written)
    assert len(portfolio.organisations) == 2 and len(portfolio.functions) >= 5
    out = run_cli("classify", str(written), "--format", "json")
    assert out.returncode == 0, out.stderr
    recommendations = json.loads(out.stdout)["recommendations"]
    # Every category shows, and every lead is settled: nothing for a newcomer to puzzle over.
    assert {r["category"] for r in recommendations} == {1, 2, 3, 4}
    # (the annual accounts: each body keeps its own, so none leads)
    assert {r["lead_status"] for r in recommendations} == {"body", "each"}
    assert run_cli("check", str(written)).returncode == 0


def test_the_starter_portfolio_answers_and_explains_every_key(tmp_path: Path) -> None:
    target = tmp_path / "mine.yaml"
    assert run_cli("init", str(target)).returncode == 0
    text = target.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    for function in data["functions"]:
        assert {"efficiency", "effectiveness", "legal", "capability", "notes"} <= set(function)
    legal_keys = {k for f in data["functions"] for k in f["legal"]}
    assert legal_keys == {
        "statutory_owner",
        "held_by_each",
        "delegable_to",
        "board_reserved",
        "not_delegable_to",
        "independence_from",
        "separate_reason",
    }
    assert "agreed_lead" in {k for f in data["functions"] for k in f}
    for key in ("efficiency:", "effectiveness:", "legal:", "capability:", "agreed_lead:"):
        line = text.index(f"    {key}")
        assert "#" in text[text.rindex("\n", 0, text.rindex("\n", 0, line)) : line], key
    assert "CB.28.03.2018/02" in text and "para 8" in text and "Annex B" in text


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "portfolio.yaml"
    target.write_text("mine")
    out = run_cli("init", str(target))
    assert out.returncode == 2 and "--force" in out.stderr and target.read_text() == "mine"
    assert run_cli("init", str(target), "--force").returncode == 0
    assert taxonomy.load_portfolio(target).functions
    out = run_cli("init", str(tmp_path / "p.xlsx"))
    assert out.returncode == 2 and "YAML" in out.stderr


def test_rules_init_writes_an_extension_pack_classify_runs(tmp_path: Path) -> None:
    folder = tmp_path / "My Rules"
    out = run_cli("rules", "init", str(folder))
    assert out.returncode == 0, out.stderr
    pack = taxonomy.load_rules(folder)
    default = taxonomy.load_rules()
    assert pack.name == "my-rules" and pack.name != default.name
    assert [base.name for base in pack.identity.extends] == [default.name]
    assert [o.rule for o in pack.overrides] == [RESTATED_RULE]
    assert len(pack.rules) == len(default.rules) + 1
    assert run_cli("rules", str(folder)).returncode == 0  # validates and compiles for the engine
    # Where its own question is not answered it decides as the default pack does.
    out = run_cli("classify", str(NHS), "--rules", str(folder), "--format", "json")
    assert out.returncode == 0, out.stderr
    mine = json.loads(out.stdout)
    theirs = json.loads(run_cli("classify", str(NHS), "--format", "json").stdout)
    assert mine["rule_pack"]["name"] == "my-rules"
    placed = [(r["function"], r["arrangement"], r["lead"]) for r in mine["recommendations"]]
    assert placed == [
        (r["function"], r["arrangement"], r["lead"]) for r in theirs["recommendations"]
    ]
    # Its rule reads its question.
    starter = tmp_path / "p.yaml"
    assert run_cli("init", str(starter)).returncode == 0
    data = yaml.safe_load(starter.read_text(encoding="utf-8"))
    data["functions"][0]["legal"] = {"local_constraint": True}
    starter.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = taxonomy.classify(taxonomy.load_portfolio(starter, rules=pack), rules=pack)
    payroll = result[data["functions"][0]["id"]]
    assert payroll.arrangement == "aligned"
    assert [f.rule for f in payroll.explanation.capped_by] == ["local.constraint-keeps-teams-apart"]


def test_rules_init_refuses_a_folder_in_use(tmp_path: Path) -> None:
    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    out = run_cli("rules", "init", str(folder))
    assert out.returncode == 2 and "--force" in out.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
    assert run_cli("rules", "init", str(folder), "--force", "--name", "ours").returncode == 0
    assert taxonomy.load_rules(folder).name == "ours"
    out = run_cli("rules", "init", str(tmp_path / "missing" / "pack"))
    assert out.returncode == 2 and "does not exist" in out.stderr
    out = run_cli("rules", "init", str(folder / "notes.txt"))
    assert out.returncode == 2 and "is a file" in out.stderr


@pytest.mark.slow  # every combination of answers (shared with docs/cli.md's: one check a session)
def test_rules_check_passes_the_starter_pack(tmp_path: Path) -> None:
    # The folder docs/cli.md's example writes, so the pack (named after it) is checked once.
    folder = tmp_path / "my-rules"
    assert run_cli("rules", "init", str(folder)).returncode == 0
    out = run_cli("rules", "check", str(folder))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "clean: no gap, conflict, dead rule or unused finding" in out.stdout
