"""What a second trial of the refactored tree found, each with a test that failed before.

- ``taxonomy template a,a`` wrote a workbook for a body named twice, and ``taxonomy template ""``
  said ``: no such file`` (the empty path is the working folder);
- docs/cli.md did not name ``rules list``; docs/testing.md named the law's invariants by their
  functions while ``law.SOURCES`` keys them in words; docs/whatif.md's sweep example needed pandas.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from taxonomy.cli import cli
from taxonomy.testing import invariants, law
from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


@pytest.mark.parametrize(
    ("bodies", "said"),
    [
        ("a,a", "'a,a' names 'a' more than once: name each body once"),
        ("nhse,nhsi,nhse,nhsi", "names 'nhse', 'nhsi' more than once"),
        ("", "PORTFOLIO_OR_BODIES is empty: give a portfolio file, or at least two body ids"),
        ("  ", "PORTFOLIO_OR_BODIES is empty"),
    ],
)
def test_template_refuses_a_body_named_twice_or_none_in_one_message(
    bodies: str, said: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = run_cli("template", bodies, "-o", "t.xlsx")
    assert out.returncode == 2
    assert said in out.stderr
    assert out.stderr.count("taxonomy: error") == 1 and "Traceback" not in out.stderr
    assert not (tmp_path / "t.xlsx").exists()


def _command_lines(group: click.Group, prefix: str) -> list[str]:
    """``taxonomy NAME`` for every command, ``taxonomy GROUP SUB`` for every subcommand."""
    context = click.Context(group)
    found = []
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        found.append(f"{prefix} {name}")
        if isinstance(command, click.Group):
            found += _command_lines(command, f"{prefix} {name}")
    return found


def test_the_cli_page_names_every_command_and_subcommand() -> None:
    synopsis = (DOCS / "cli.md").read_text(encoding="utf-8").split("```")[1]
    lines = _command_lines(cli, "taxonomy")
    assert "taxonomy rules list" in lines
    assert [c for c in lines if not re.search(rf"^{re.escape(c)}\b", synopsis, re.M)] == []


def test_the_testing_page_names_the_law_invariants_as_the_package_does() -> None:
    text = (DOCS / "testing.md").read_text(encoding="utf-8")
    table = text.split("| invariant | what must hold | source |")[1].split("\n\n")[0]
    shown = re.findall(r"^\| `([a-z_]+)` \|", table, re.M)
    assert shown == [name.replace(" ", "_") for name in law.SOURCES]
    assert all(callable(getattr(law, name)) for name in shown)
    # The keys are the names in words, as the page says, and INVARIANTS uses the same.
    assert 'law.SOURCES["employees only"]' in text and "employees only" in law.SOURCES
    assert set(law.SOURCES) <= set(invariants.INVARIANTS)
    listed = text.split("| `taxonomy.testing.invariants` | ")[1].split(", and the law")[0]
    assert [n.strip() for n in listed.split(",")] == [
        n for n in invariants.INVARIANTS if n not in law.SOURCES
    ]


_WITHOUT_PANDAS = """
import importlib.abc, sys
class _NoPandas(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError("No module named 'pandas'")
sys.meta_path.insert(0, _NoPandas())
exec(compile(sys.stdin.read(), "<docs>", "exec"), {"__name__": "__docs__"})
"""


def test_the_whatif_pages_python_runs_without_pandas() -> None:
    text = (DOCS / "whatif.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "Executor" in b]
    assert blocks, "the sweep example is on the page"
    for block in blocks:
        done = subprocess.run(
            [sys.executable, "-c", _WITHOUT_PANDAS],
            input=block,
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": "0"},
            check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]
