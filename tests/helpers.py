"""Shared helpers for the tests: writing packs and portfolios, and a reference evaluator."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path
from typing import Any

from taxonomy._model import Level
from taxonomy.rules import AllOf, AnyOf, Comparison, Condition, Not

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


def holds(condition: Condition, values: dict[str, Any]) -> bool:
    """The documented semantics of conditions, in plain Python: the oracle for the engine.

    An absent fact fails every comparison except '!=' (an absent value differs from anything).
    """
    if isinstance(condition, AllOf):
        return all(holds(p, values) for p in condition.parts)
    if isinstance(condition, AnyOf):
        return any(holds(p, values) for p in condition.parts)
    if isinstance(condition, Not):
        return not holds(condition.part, values)
    assert isinstance(condition, Comparison)
    present = condition.fact in values
    if condition.op == "present":
        return present
    if not present:
        return condition.op == "!="
    actual = _plain(values[condition.fact])
    if condition.op == "in":
        return actual in [_literal(v) for v in condition.value]
    expected = _literal(condition.value)
    return {
        "==": actual == expected,
        "!=": actual != expected,
        "<": actual < expected,
        "<=": actual <= expected,
        ">": actual > expected,
        ">=": actual >= expected,
    }[condition.op]


def _plain(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Level):
        return int(value)
    if isinstance(value, tuple):
        return len(value)
    return value


def _literal(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and value in Level.names():
        return int(Level.parse(value))
    return value
