"""Shared helpers for the tests: writing packs and portfolios."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

RULES = Path(__file__).resolve().parents[1] / "rules"


def copy_pack(tmp_path: Path) -> Path:
    target = tmp_path / "pack"
    shutil.copytree(RULES, target)
    return target


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def minimal_pack(tmp_path: Path, rules_yaml: str, name: str = "test") -> Path:
    folder = tmp_path / name
    write(folder / "pack.yaml", "name: test\nversion: '1'\n")
    write(folder / "rules.yaml", rules_yaml)
    return folder
