"""The command line's shape: each command loaded when it runs, its help listed without loading
it, its settings on click's context (nothing carried from one run to the next in a process), and
its output decided once by the shared decorators."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from taxonomy.cli import COMMANDS, cli
from tests.conftest import COUNCILS, NHS
from tests.helpers import run_cli as run


def _command(name: str) -> click.Command:
    module = importlib.import_module(f"taxonomy.cli.{COMMANDS[name][0]}")
    command = getattr(module, f"{name}_command")
    assert isinstance(command, click.Command) and command.name == name
    return command


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_listed_help_is_each_commands_own_at_every_width(name: str) -> None:
    command = _command(name)
    listed = click.Command(name, help=COMMANDS[name][1])
    for limit in (20, 45, 70, 114):
        assert listed.get_short_help_str(limit) == command.get_short_help_str(limit), limit


def test_every_command_module_is_listed() -> None:
    folder = Path(importlib.import_module("taxonomy.cli").__file__ or "").parent
    modules = {p.stem for p in folder.glob("*.py") if not p.stem.startswith("_")}
    assert modules == {module for module, _ in COMMANDS.values()}
    assert set(cli.list_commands(click.Context(cli))) == set(COMMANDS)


def _loaded_by(args: list[str]) -> list[str]:
    code = (
        "import sys\nfrom taxonomy.cli import main\ntry:\n    main(sys.argv[1:])\n"
        "except SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('taxonomy')), file=sys.stderr)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120
    )
    listed: list[str] = eval(out.stderr.strip().splitlines()[-1])  # a list literal
    return listed


def test_help_lists_every_command_and_loads_none_of_them() -> None:
    base = ["taxonomy", "taxonomy._install", "taxonomy._version", "taxonomy.cli", "taxonomy.errors"]
    assert _loaded_by(["--help"]) == base
    loaded = _loaded_by(["classify", "--help"])
    commands = {m for m in loaded if m.startswith("taxonomy.cli.") and not m[13:].startswith("_")}
    assert commands == {"taxonomy.cli.classify"}


def test_a_mistyped_command_is_told_the_closest_one() -> None:
    out = run("clasify", str(NHS))
    assert out.returncode == 2
    assert out.stderr == "taxonomy: error: No such command 'clasify'. Did you mean 'classify'?\n"


def test_settings_belong_to_one_run(tmp_path: Path) -> None:
    quiet = run("-q", "classify", str(NHS), "-o", str(tmp_path / "a.json"))
    assert quiet.returncode == 0 and quiet.stderr == ""
    loud = run("classify", str(NHS), "-o", str(tmp_path / "b.json"))
    assert loud.returncode == 0 and loud.stderr == f"wrote {tmp_path / 'b.json'}\n"
    # The pack a portfolio names is that run's: the next run is judged by the default pack.
    councils = json.loads(run("classify", str(COUNCILS), "--format", "json").stdout)
    nhs = json.loads(run("classify", str(NHS), "--format", "json").stdout)
    assert councils["rule_pack"]["name"] != nhs["rule_pack"]["name"]
    assert nhs["rule_pack"]["name"] == "nhs-joint-working-2018"


def test_json_errors_follow_the_command_line_given_not_the_processs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "argv", ["taxonomy", "classify", "x.yaml"])
    out = run("classify", "missing.yaml", "--format", "json")
    assert out.returncode == 2
    assert json.loads(out.stderr)["error"]["message"] == "missing.yaml: no such file"
    out = run("classify", "missing.yaml", "--format=json", "--", "-x")
    assert out.returncode == 2 and json.loads(out.stderr)["error"]["exit_code"] == 2
    out = run("classify", "missing.yaml", "--", "--format", "json")
    assert out.returncode == 2 and out.stderr.startswith("taxonomy: error: ")


@pytest.mark.parametrize(
    "args",
    [
        ["sweep", str(NHS), str(NHS.parent / "scenarios" / "capability_sweep.yaml"), "-o", "-"],
        ["classify", str(NHS), "--format", "xlsx", "-o", "-"],
        ["rules", "coverage", str(NHS), "--junit-xml", "-"],
    ],
)
def test_a_file_output_never_goes_to_standard_output(args: list[str]) -> None:
    out = run(*args)
    assert out.returncode == 2, out
    assert out.stderr == (
        "taxonomy: error: -: this output cannot go to standard output (-o -): give a file name\n"
    )
    assert "sweep" not in out.stdout


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["classify", "-o", "x.svg"], "the extension '.svg' means svg, which this command"),
        (["whatif", "-o", "x.json", "--format", "table"], "--format table does not match"),
        (["report", "-o", "x.pdf"], "the extension '.pdf' means pdf, which this command"),
        (["sweep", "-o", "x.json"], "the extension '.json' means json, which this command"),
        (["graph", "-o", "x.gif"], "cannot tell the format from the extension '.gif'"),
        (["graph", "-o", "x"], "cannot tell the graph's format: give --format"),
    ],
)
def test_the_output_format_is_refused_before_anything_is_read(
    args: list[str], problem: str
) -> None:
    command, *rest = args
    extra = ["scenario.yaml"] if command in ("whatif", "sweep") else []
    # The portfolio does not exist: the output is judged first, so its error is the one given.
    out = run(command, "missing.yaml", *extra, *rest)
    assert out.returncode == 2, out
    assert problem in out.stderr and "missing.yaml" not in out.stderr
