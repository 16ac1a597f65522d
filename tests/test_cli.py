"""End-to-end tests of the ``taxonomy`` command on the shipped examples."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import taxonomy
from tests.conftest import COUNCILS, COUNCILS_PACK, NHS, NWL, RULES
from tests.helpers import copy_pack
from tests.helpers import run_cli as run


def test_classify_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """One row per function, in the portfolio's order, saying what classify decides for it."""
    monkeypatch.setenv("COLUMNS", "200")  # wide enough that no rule id wraps
    out = run("classify", str(NHS))
    assert out.returncode == 0, out.stderr
    rows = [
        [cell.strip() for cell in line.split("\u2502")[1:-1]]
        for line in out.stdout.splitlines()
        if line.startswith("\u2502 ") and line[2] != " "  # a row's first line, not a wrapped one
    ]
    result = taxonomy.classify(taxonomy.load_portfolio(NHS))
    assert [row[0] for row in rows] == [rec.function for rec in result]
    for row, rec in zip(rows, result, strict=True):
        assert row[1] and rec.name.startswith(row[1])  # a long name wraps onto the next line
        assert row[2] == f"{rec.arrangement.category} {rec.arrangement.title}" + (
            f": delivered by {rec.alone} alone" if rec.alone else ""
        )
        decided = rec.explanation.decided_by
        assert decided is not None and row[4].startswith(decided.rule), (rec.function, row)
    assert {row[2] for row in rows} >= {
        "1 One team",
        "3 Separate, involvement if needed: delivered by nhse alone",
    }


def test_classify_json_contract() -> None:
    out = run("classify", str(NHS), "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) == {"schema", "as_of", "provisions", "rule_pack", "recommendations"}
    assert data["schema"] == "urn:taxonomy:schema:classification:1"
    # The day judged on (the board paper's), and the dated provisions of the law applied.
    assert data["as_of"] == "2018-03-28" and data["provisions"] == ["nhs-act-2006-2018"]
    assert set(data["rule_pack"]) == {"name", "version", "hash"}
    first = data["recommendations"][0]
    assert set(first) == {
        "function",
        "name",
        "arrangement",
        "category",
        "lead",
        "lead_status",
        "tied",
        "alone",
        "involved",
        "explanation",
        "summary",
        "decided",
        "settled_by",
        "possible",
        "open_questions",
        "decision",
    }
    by_id = {r["function"]: r for r in data["recommendations"]}
    assert by_id["regional-teams"]["lead"] is None
    assert by_id["regional-teams"]["lead_status"] == "joint"
    new = {"decided", "settled_by", "possible", "open_questions", "decision", "alone", "involved"}
    assert {k: v for k, v in by_id["pricing"].items() if k not in new} | {
        "explanation": None,
        "summary": None,
    } == {
        "function": "pricing",
        "name": "Pricing",
        "arrangement": "aligned",
        "category": 2,
        "lead": None,
        "lead_status": "tie",
        "tied": ["nhsi", "nhse"],
        "explanation": None,
        "summary": None,
    }
    assert by_id["efficiency-improvement"]["lead"] == "nhsi"
    # One body carries it out and holds it (NHS Improvement), nobody else takes part: alone.
    complaints = by_id["procurement-complaints"]["explanation"]
    assert complaints["decided_by"] == "decision.one-body-alone" and complaints["capped_by"] == []
    assert by_id["procurement-complaints"]["alone"] == "nhsi"
    assert by_id["procurement-complaints"]["involved"] == []
    assert by_id["pricing"]["alone"] is None and by_id["pricing"]["involved"] == []


def test_json_is_byte_identical_across_hash_seeds() -> None:
    runs = [
        run("classify", str(NHS), "--format", "json", env={"PYTHONHASHSEED": seed})
        for seed in ("0", "1", "12345")
    ]
    runs.append(run("classify", str(NHS), "--format", "json"))  # this process's own seed
    for out in runs:
        assert out.returncode == 0, out.stderr
    assert len(json.loads(runs[0].stdout)["recommendations"]) == 21
    assert [out.stdout for out in runs[1:]] == [runs[0].stdout] * 3


def test_markdown_and_nw_london() -> None:
    out = run("classify", str(NWL), "--format", "markdown")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("# NW London Collaboration of CCGs")
    assert "| acute-commissioning |" in out.stdout


def test_explain() -> None:
    out = run("explain", str(NHS), "procurement-complaints")
    assert out.returncode == 0, out.stderr
    assert "Lead set by:" in out.stdout and "legal.statutory-owner-leads" in out.stdout
    out = run("explain", str(COUNCILS), "elections", "--rules", str(COUNCILS_PACK))
    assert "Capped by legal constraint:" in out.stdout
    assert "Representation of the People Act 1983 s.35" in out.stdout
    out = run("explain", str(NHS), "strategy", "--format", "json")
    assert json.loads(out.stdout)["arrangement"] == "aligned"


def test_rules_lists_and_validates() -> None:
    out = run("rules")
    assert out.returncode == 0, out.stderr
    assert "legal.separate-for-legal-reason" in out.stdout and "valid" in out.stdout
    data = json.loads(run("rules", str(RULES), "--format", "json").stdout)
    assert data["name"] == "nhs-joint-working-2018" and len(data["hash"]) == 64


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["classify", "missing.yaml"], "missing.yaml: no such file"),
        (["explain", str(NHS), "pricng"], "did you mean 'pricing'"),
        (["classify", str(NHS), "--format", "xml"], "'xml' is not one of"),
        (["classify", str(NHS), "--rules", "/nonexistent"], "must be a folder"),
        (["frobnicate"], "No such command"),
        (["classify"], "Missing argument"),
    ],
)
def test_bad_input_one_message_exit_2(args: list[str], expected: str) -> None:
    out = run(*args)
    assert out.returncode == 2, out
    assert expected in out.stderr
    assert "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_bad_rule_pack_file_line_exit_2(tmp_path: Path) -> None:
    folder = copy_pack(tmp_path)
    text = (folder / "legal.yaml").read_text().replace("    when:", "    wehn:", 1)
    (folder / "legal.yaml").write_text(text)
    out = run("classify", str(NHS), "--rules", str(folder))
    assert out.returncode == 2
    assert "legal.yaml:" in out.stderr and "rule 'legal.separate-for-legal-reason'" in out.stderr
    assert "did you mean 'when'" in out.stderr


def test_engine_failure_exit_1(tmp_path: Path) -> None:
    folder = copy_pack(tmp_path)
    text = (folder / "decision.yaml").read_text().replace("priority: 30", "priority: 40")
    (folder / "decision.yaml").write_text(text)
    out = run("classify", str(NHS), "--rules", str(folder))
    assert out.returncode == 1
    assert "conflict on 'decide'" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.parametrize("fmt", ["graphml", "dot", "json", "svg", "png"])
def test_graph_command_writes_each_format(tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"nhs.{fmt}"
    out = run("graph", str(NHS), "-o", str(target))
    assert out.returncode == 0, out.stderr
    assert target.stat().st_size > 1000
    assert f"({fmt}," in out.stderr


def test_graph_as_is_and_group_by_body(tmp_path: Path) -> None:
    target = tmp_path / "nwl.json"
    out = run("graph", str(NWL), "-o", str(target), "--as-is")
    assert out.returncode == 0, out.stderr
    data = json.loads(target.read_text())
    assert data["graph"]["state"] == "as-is"
    pictures = {}
    for group in ("body", "arrangement"):
        target = tmp_path / f"nwl-{group}.svg"
        out = run("graph", str(NWL), "-o", str(target), "--group", group)
        assert out.returncode == 0, out.stderr
        pictures[group] = target.read_text(encoding="utf-8")
        assert pictures[group].lstrip().startswith(("<?xml", "<svg"))
    assert pictures["body"] != pictures["arrangement"]  # the rows are grouped differently


def test_graph_bad_output() -> None:
    out = run("graph", str(NHS), "-o", "picture.gif")
    assert out.returncode == 2 and "give --format" in out.stderr
    out = run("graph", str(NHS), "-o", "/nonexistent/dir/x.svg")
    assert out.returncode == 2 and "the folder /nonexistent/dir does not exist" in out.stderr


def test_output_never_replaces_an_input_and_an_existing_file_only_with_force(
    tmp_path: Path,
) -> None:
    portfolio = tmp_path / "in.yaml"
    portfolio.write_bytes(NHS.read_bytes())
    before = portfolio.read_bytes()
    for force in ([], ["--force"]):  # the input is refused even with --force
        out = run("classify", str(portfolio), "--format", "json", "-o", str(portfolio), *force)
        assert out.returncode == 2 and "is an input of this command" in out.stderr
        assert portfolio.read_bytes() == before
    target = tmp_path / "out.json"
    target.write_text("keep me")
    out = run("classify", str(portfolio), "--format", "json", "-o", str(target))
    assert out.returncode == 2 and "exists: give --force to replace it" in out.stderr
    assert target.read_text() == "keep me"
    out = run("classify", str(portfolio), "--format", "json", "-o", str(target), "--force")
    assert out.returncode == 0 and json.loads(target.read_text())["rule_pack"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporaries


def test_a_filled_workbook_is_never_blanked_by_template(tmp_path: Path) -> None:
    filled = tmp_path / "filled.xlsx"
    assert run("convert", str(NHS), "-o", str(filled)).returncode == 0
    before = filled.read_bytes()
    out = run("template", str(filled), "-o", str(filled), "--force")
    assert out.returncode == 2 and "is an input" in out.stderr
    out = run("template", "a,b", "-o", str(filled))
    assert out.returncode == 2 and "exists" in out.stderr
    assert filled.read_bytes() == before


def test_check_command_json_contract_and_exit_codes(tmp_path: Path) -> None:
    out = run("check", str(NHS), "--format", "json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert set(report) == {"schema", "findings", "metrics"}
    assert set(report["metrics"]) == {"as_is", "to_be"}
    out = run("check", str(NWL))
    assert out.returncode == 0 and "reporting-lines" in out.stdout
    # The NW London Joint Committee without the power to form one: an error, exit 1.
    text = NWL.read_text().replace("joint_committees: true", "joint_committees: false")
    unlawful = tmp_path / "nwl.yaml"
    unlawful.write_text(text)
    out = run("check", str(unlawful), "--format", "json")
    assert out.returncode == 1
    assert any(f["check"] == "joint-committee-law" for f in json.loads(out.stdout)["findings"])


def test_whatif_formats(tmp_path: Path) -> None:
    scenario = str(tmp_path / "strong.yaml")
    Path(scenario).write_text(
        "name: Strategy evidenced\nchanges:\n"
        "  - set: {function: strategy, field: efficiency.duplication, value: high}\n"
        "  - set: {function: strategy, field: effectiveness.joint_benefit, value: high}\n"
    )
    out = run("whatif", str(NHS), scenario, "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["scenarios"][0]["changes"][0]["function"] == "strategy"
    out = run(
        "whatif",
        str(NHS),
        scenario,
        str(NHS.parent / "scenarios" / "health_and_care_act_2022.yaml"),
    )
    assert out.returncode == 0 and "Health and Care Act 2022" in out.stdout
    assert "only nhse is left" in out.stdout
    out = run("whatif", str(NHS), scenario, "--format", "markdown")
    tie = "undecided between nhse and nhsi (tie)"
    assert (
        f"| strategy | 2 Aligned, separate function(s) ({tie}) | 1 One team ({tie}) |" in out.stdout
    )


def test_whatif_bad_scenario(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nchanges:\n  - set: {function: pricng, field: notes, value: y}\n")
    out = run("whatif", str(NHS), str(bad))
    assert out.returncode == 2 and "did you mean 'pricing'" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_sweep_command(tmp_path: Path) -> None:
    grid = str(NHS.parent / "scenarios" / "capability_sweep.yaml")
    target = tmp_path / "out.csv"
    out = run("sweep", str(NHS), grid, "--workers", "2", "-o", str(target))
    assert out.returncode == 0, out.stderr
    lines = target.read_text().splitlines()
    assert len(lines) == 1 + 32 * 21
    out = run("sweep", str(NHS), grid, "--workers", "1")
    assert "32 scenarios x 21 functions" in out.stdout


def test_explain_why_not_and_robustness() -> None:
    out = run("explain", str(NHS), "procurement-complaints", "--why-not", "aligned")
    assert out.returncode == 0 and "unreachable without a change in the law" in out.stdout
    out = run("explain", str(NHS), "pricing", "--why-not", "one_team", "--format", "json")
    assert json.loads(out.stdout)["solutions"]
    out = run("explain", str(NHS), "it")
    assert "Robustness: 1 of 8" in out.stdout
    out = run("explain", str(NHS), "pricing", "--why-not", "merged")
    assert out.returncode == 2 and "'merged' is not an arrangement" in out.stderr


def _under_a_terminal(command: str, env: dict[str, str]) -> str:
    """Run a command with a pseudo-terminal as stdout (util-linux's script), return its output."""
    full = {**os.environ, **env, "COLUMNS": "150"}
    full.pop("NO_COLOR", None) if "NO_COLOR" not in env else None
    out = subprocess.run(
        ["script", "-qec", command, "/dev/null"],
        capture_output=True,
        text=True,
        env=full,
        timeout=120,
    )
    return out.stdout


def test_colour_only_on_a_terminal_and_never_with_no_color() -> None:
    command = f"{sys.executable} -m taxonomy.cli classify {NHS}"
    assert "\x1b[" in _under_a_terminal(command, {})
    assert "\x1b[" not in _under_a_terminal(command, {"NO_COLOR": "1"})
    assert "\x1b[" not in run("classify", str(NHS)).stdout  # piped


def test_quiet_and_verbose(tmp_path: Path) -> None:
    target = tmp_path / "x.json"
    out = run("-q", "graph", str(NHS), "-o", str(target))
    assert out.returncode == 0 and out.stderr == ""
    out = run("-v", "classify", str(NHS), "--format", "json", "-o", str(target), "--force")
    assert "rule pack nhs-joint-working-2018" in out.stderr and "wrote" in out.stderr


def test_rules_group_lists_by_default() -> None:
    assert json.loads(run("rules", "--format", "json").stdout)["name"] == "nhs-joint-working-2018"
    assert "legal.agreed-lead" in run("rules", "list").stdout
    out = run("rules", "nope")
    assert out.returncode == 2 and "must be a folder" in out.stderr


def test_jsonl_streams_the_json_contract_line_by_line(tmp_path: Path) -> None:
    whole = json.loads(run("classify", str(NHS), "--format", "json").stdout)
    out = tmp_path / "out.jsonl"
    result = run("classify", str(NHS), "--format", "jsonl", "-o", str(out))
    assert result.returncode == 0, result.stderr
    header, *lines = out.read_text(encoding="utf-8").splitlines()
    assert json.loads(header)["rule_pack"] == whole["rule_pack"]
    assert [json.loads(line) for line in lines] == whole["recommendations"]
    assert run("classify", str(NHS), "--format", "jsonl").stdout == out.read_text()
