"""Shared helpers for the tests: writing packs and portfolios, running the command line."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from taxonomy.cli import main

RULES = Path(__file__).resolve().parents[1] / "rules"
#: A small pack of the default pack's shape (96 combinations of answers, not 147,456): where a
#: test plants a fault or mutates a pack and any pack would do, checking it takes milliseconds.
SMALL_PACK = Path(__file__).resolve().parent / "fixtures" / "small_pack"


def copy_pack(tmp_path: Path, source: Path = RULES) -> Path:
    target = tmp_path / "pack"
    shutil.copytree(source, target)
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


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the command line in this process (its real entry point, main), or, where the
    environment must differ (a hash seed), in a fresh one."""
    if env:
        return subprocess.run(
            [sys.executable, "-m", "taxonomy.cli", *args],
            capture_output=True,
            text=True,
            env={**os.environ, **env},
            timeout=120,
        )
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
            code = 0
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())


def paths_in(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path (keys and indexes) into nested plain data, the root's empty path first."""
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += paths_in(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += paths_in(value, (*prefix, index))
    return found


def replaced(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    """A copy of nested plain data with the value at ``path`` replaced (``data`` untouched)."""
    if not path:
        return value
    copy = dict(data) if isinstance(data, dict) else list(data)
    copy[path[0]] = replaced(data[path[0]], path[1:], value)
    return copy


def shared_complaints(nhs: Any) -> Any:
    """The NHS example with procurement complaints carried out by both bodies: the one function
    a legal constraint (independence from NHS England) then caps, from aligned to separate."""
    import attrs

    import taxonomy

    fn = nhs.function("procurement-complaints")
    both = attrs.evolve(
        fn,
        performed_by=("nhse", "nhsi"),
        capability=taxonomy.Capability({"nhse": "medium", "nhsi": "medium"}),
    )
    return nhs.with_function(both)


_parsed: dict[tuple[str, str], Any] = {}


def _parsed_once(path: str | Path, *, error: type[Exception]) -> Any:
    """``load_yaml`` remembering each (file, text) it parsed; a new text is parsed for real."""
    from taxonomy.input.reader import load_yaml

    key = (str(path), Path(path).read_text(encoding="utf-8", errors="replace"))
    if key not in _parsed:
        _parsed[key] = load_yaml(path, error=error)  # type: ignore[arg-type]
    return _parsed[key]


@contextlib.contextmanager
def rule_files_parsed_once() -> Iterator[None]:
    """Within it, a rule file whose text was read before is not parsed again: a test that
    replaces one file of a copied pack many times parses the others once. The replaced file,
    its text new, goes through the real loader; nothing that reads a pack changes the data."""
    import pytest

    from taxonomy.language import reading

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reading, "load_yaml", _parsed_once)
        yield


def peak_traced(run: Callable[[], object]) -> int:
    """The most memory Python held (tracemalloc) while ``run`` ran: bytes, not time."""
    import tracemalloc

    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
