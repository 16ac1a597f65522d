"""Every Python example in the README and docs/ runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import Phase, settings

from tests.conftest import PROFILE

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCKS = [
    pytest.param(code, id=f"{page.name}:{text[: m.start()].count(chr(10)) + 1}")
    for page in PAGES
    for text in [page.read_text(encoding="utf-8")]
    for m in re.finditer(r"```python\n(.*?)```", text, re.S)
    for code in [m.group(1)]
]


def test_docs_have_examples() -> None:
    assert len(BLOCKS) >= 6


@pytest.mark.parametrize("code", BLOCKS)
def test_python_example_runs(code: str) -> None:
    """Each block runs; a hypothesis test it shows failing fails, its example found, not shrunk.

    Shrinking (what a reader's own run does, to show them the smallest example) only makes the
    failure the block catches smaller, at many times the cost of finding it: here the blocks
    run with the session's profile but for that phase.
    """
    phases = tuple(p for p in settings().phases if p is not Phase.shrink)
    settings.register_profile(f"{PROFILE}-docs", settings(phases=phases))
    settings.load_profile(f"{PROFILE}-docs")
    try:
        exec(compile(code, "<docs>", "exec"), {"__name__": "__docs__"})
    finally:
        settings.load_profile(PROFILE)


def test_docs_link_targets_exist() -> None:
    for page in PAGES:
        for target in re.findall(r"\]\(((?!http)[^)#]+)\)", page.read_text(encoding="utf-8")):
            assert (page.parent / target).exists(), f"{page.name} links to missing {target}"


@pytest.mark.slow  # about 20 s; CI builds the site once, in this test (.ci/run)
def test_docs_site_builds_in_strict_mode(tmp_path: Path) -> None:
    """The docs site (MkDocs, API reference from the docstrings) builds with no warning."""
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert (tmp_path / "site" / "reference" / "index.html").exists()
    assert "load_portfolio" in (tmp_path / "site" / "reference" / "index.html").read_text()
