"""The run a command is part of: its settings, status lines, progress bars and JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import click

from taxonomy.cli import Settings
from taxonomy.errors import InputError

_T = TypeVar("_T")

#: A command's callback, as click calls it: keyword arguments, one per parameter.
Command = Callable[..., None]


def settings() -> Settings:
    """The settings of the run: on the current click context's object."""
    return click.get_current_context().ensure_object(Settings)


def say(message: str) -> None:
    """A status line on stderr, unless --quiet."""
    if not settings().quiet:
        click.echo(message, err=True)


def json_text(data: Any, *, ascii_only: bool = False) -> str:
    """``data`` as indented JSON with sorted keys, ending in a newline."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=ascii_only) + "\n"


def stamp(kind: str, data: Any) -> dict[str, Any]:
    """``data`` with the id of its output schema (imported when output is written, not before)."""
    from taxonomy.schemas._ids import stamp as stamped

    return stamped(kind, data)


def with_progress(
    label: str, run: Callable[[Callable[[int, int], None] | None], _T], *, wanted: bool = True
) -> _T:
    """Call ``run`` with a progress callback drawing a bar on a terminal, or with None."""
    if not (wanted and settings().progress):
        return run(None)
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task(label, total=None)
        return run(lambda done, total: bar.update(task, completed=done, total=total))


def stdin_once(*inputs: str) -> None:
    """Standard input (``-``) is read once: refuse a command that names it twice."""
    if sum(1 for given in inputs if given == "-") > 1:
        raise InputError("'-' (standard input) is given twice: it can be read only once")
