"""Every ``$ taxonomy ...`` command the README and docs/ show runs as written.

Each page's commands run in order in one fresh folder holding copies of the shipped examples, rule
pack and expectations (a page may write a file and use it: ``taxonomy init`` then ``classify
portfolio.yaml``), so a command cannot pass by reading or writing the checkout. A command whose
shown output is an error must fail with exit 2 and one message; any other must exit 0 or 1 (1 is a
report of gaps, as ``rules check`` and ``rules coverage`` give) and print the first line the page
shows for it.
"""

from __future__ import annotations

import glob
import re
import shlex
import shutil
from pathlib import Path

import pytest

from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
#: Commands that are not run here, each with the reason.
NOT_RUN = {
    # Mutation testing runs the project's tests once per mutant (minutes): tests/test_mutation.py
    # runs it on small packs.
    "rules mutate": "runs the test suite once per mutant",
}


def _commands(page: Path) -> list[tuple[int, str, list[str]]]:
    """The page's ``$ taxonomy`` commands: (line, command, the output lines shown after it)."""
    found: list[tuple[int, str, list[str]]] = []
    text = page.read_text(encoding="utf-8")
    for block in re.finditer(r"```(?:text|console|bash)\n(.*?)```", text, re.S):
        start = text[: block.start()].count("\n") + 2
        lines = block.group(1).splitlines()
        for i, line in enumerate(lines):
            if not line.startswith("$ taxonomy "):
                continue
            shown: list[str] = []
            for after in lines[i + 1 :]:
                if after.startswith("$ "):
                    break
                shown.append(after)
            found.append((start + i, line[2:], shown))
    return found


#: Commands that take tens of CPU-seconds (an exhaustive ``rules check``, a sweep): their pages are
#: marked slow, run in CI on the newest Python.
SLOW = ("taxonomy rules check", "taxonomy sweep")
PARAMS = [
    pytest.param(
        page,
        marks=[pytest.mark.slow] if any(c.startswith(SLOW) for _, c, _ in _commands(page)) else [],
        id=page.name,
    )
    for page in PAGES
    if _commands(page)
]


def test_the_docs_show_commands() -> None:
    assert sum(len(_commands(page)) for page in PAGES) >= 20


@pytest.mark.parametrize("page", PARAMS)
def test_doc_commands_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for folder in ("examples", "rules"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    shutil.copytree(ROOT / "tests" / "expectations", tmp_path / "tests" / "expectations")
    shutil.copytree(ROOT / "tests" / "fixtures", tmp_path / "tests" / "fixtures")
    monkeypatch.chdir(tmp_path)
    ran = 0
    for line, command, shown in _commands(page):
        words = shlex.split(command)[1:]
        if any(command.startswith(f"taxonomy {skip}") for skip in NOT_RUN):
            continue
        args = [match for word in words for match in (sorted(glob.glob(word)) or [word])]
        out = run_cli(*args)
        where = f"{page.name}:{line}: {command}"
        assert "Traceback" not in out.stderr, where + "\n" + out.stderr
        first = next((s.strip() for s in shown if s.strip() and s.strip() != "..."), None)
        if first is not None and first.startswith(("taxonomy: error", "{", "Error")):
            assert out.returncode == 2, where
            continue
        assert out.returncode in (0, 1), f"{where}\n{out.stderr}"
        if first is not None:
            assert _digitless(first) in _digitless(out.stdout), (
                f"{where}\nshown: {first!r}\ngot:\n{out.stdout[:2000]}"
            )
        # A table row shown (Markdown) is a row the command writes: an example cannot go stale.
        for row in _table_rows(shown):
            assert _row_written(row, out.stdout), f"{where}\nshown row: {row!r}"
        ran += 1
    assert ran, f"{page.name}: no command ran"


def _table_rows(shown: list[str]) -> list[str]:
    """The Markdown table rows among the lines shown (not the rule under the header)."""
    return [s.strip() for s in shown if s.startswith("| ") and not s.startswith("|---")]


def _row_written(row: str, output: str) -> bool:
    """Whether ``row`` is a line of ``output``: its numbers aside, ``...`` standing for any text."""
    parts = [re.escape(part) for part in _digitless(row).split("...")]
    return re.search("[^\n]*?".join(parts), _digitless(output)) is not None


def test_a_shown_table_row_is_checked_against_the_output() -> None:
    shown = ["# title", "| f | n |", "|---|---|", "| a | 1 |", "..."]
    assert _table_rows(shown) == ["| f | n |", "| a | 1 |"]
    assert _row_written("| a | x ... z |", "| a | x y z |\n")
    assert not _row_written("| a | x ... z |", "| a | x y\nz |\n")
    assert not _row_written("| a | decision.aligned |", "| a | the answers |\n")


def _digitless(text: str) -> str:
    """Text with its numbers blanked: counts and timings the page shows may differ from today's."""
    return re.sub(r"\d+(\.\d+)?", "N", text)
