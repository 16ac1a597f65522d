"""Where a command's output goes: ``-o FILE`` or standard output, in the format asked for.

A command declares its ``--format`` with :func:`format_option` and its ``-o`` with
:func:`output_option` (and :data:`~taxonomy.cli._options.FORCE_OPTION`) where its help lists
them, and :func:`writes_output` hands it a :class:`Destination`: the format decided one way
(:func:`output_format`), a file claimed through :class:`taxonomy.output.Output` (never an input,
an existing file only with ``--force``, written atomically), or standard output.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import click

from taxonomy.cli import FORMAT_OF_EXTENSION
from taxonomy.cli._context import Command, say
from taxonomy.errors import InputError


def format_option(
    formats: Sequence[str], *, default: str | None = None, help: str | None = None
) -> Callable[[Command], Command]:
    """The ``--format`` option: one of ``formats``; with a ``default``, shown in the help."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(formats)),
        default=default,
        show_default=default is not None,
        help=help,
    )


def output_option(
    *, metavar: str = "FILE", required: bool = False, help: str | None = "Write to FILE."
) -> Callable[[Command], Command]:
    """The ``-o``/``--output`` option."""
    return click.option(
        "-o", "--output", "output", metavar=metavar, required=required, default=None, help=help
    )


def output_format(
    fmt: str | None,
    output: str | None,
    allowed: Sequence[str],
    extensions: Mapping[str, str] | None = None,
    *,
    unnamed: str | None = None,
) -> str:
    """The format to write: ``--format`` if given, else the one ``-o FILE``'s extension names.

    Without either (or for a file with no extension), the command's first format, its table or
    text. ``table`` and ``text`` are one kind of output (``.txt``). A ``--format`` that disagrees
    with a known extension is an error, so a table never lands in a ``.json`` file; an unknown
    extension is an error unless ``--format`` says what to write. ``extensions`` adds to (or
    overrides) :data:`~taxonomy.cli.FORMAT_OF_EXTENSION` for one command (``graph``: ``.xml``
    is GraphML). ``unnamed``, if given, is the error when neither names a format (``graph``
    has no default).
    """
    table = {**FORMAT_OF_EXTENSION, **(extensions or {})}
    plain = next((a for a in allowed if a in ("table", "text")), None)

    def kind(name: str) -> str:
        return plain if name == "text" and plain is not None else name

    suffix = Path(output).suffix.lower() if output not in (None, "-") else ""
    if not suffix and fmt is None and unnamed is not None:
        raise InputError(unnamed, file=None if output == "-" else output, allowed=tuple(allowed))
    if not suffix:
        return fmt or allowed[0]
    endings = ", ".join(e for e, f in table.items() if kind(f) in allowed)
    named = table.get(suffix)
    if named is None:
        if fmt is not None:
            return fmt
        # A command with one format has no --format to give.
        hint = "give --format, or a file" if len(allowed) > 1 else "give a file"
        raise InputError(
            f"cannot tell the format from the extension '{suffix}': {hint} ending {endings}",
            file=output,
        )
    named = kind(named)
    if fmt is not None and fmt != named:
        raise InputError(
            f"--format {fmt} does not match the extension '{suffix}', which means {named}: "
            "change one of them",
            file=output,
        )
    if named not in allowed:
        raise InputError(
            f"the extension '{suffix}' means {named}, which this command does not write; "
            f"give a file ending {endings}",
            file=output,
        )
    return named


class Destination:
    """Where one output of a command goes.

    Attributes:
        name: the ``-o`` value: a file, or ``-`` (or None) for standard output.
        format: the format to write (see :func:`output_format`).
        force: replace an existing file.
        inputs: the files the command names as its inputs, never written over (nor is any file
            it reads).
    """

    def __init__(
        self, name: str | None, fmt: str, *, force: bool = False, inputs: Sequence[str] = ()
    ) -> None:
        self.name = name
        self.format = fmt
        self.force = force
        self.inputs = tuple(inputs)

    @property
    def to_stdout(self) -> bool:
        """Whether the output goes to standard output (no ``-o``, or ``-o -``)."""
        return self.name is None or self.name == "-"

    def file(self, problem: str) -> str:
        """The file named by ``-o``; without one, an error saying ``problem``."""
        if self.name is None:
            raise InputError(problem)
        return self.name

    @contextlib.contextmanager
    def writing(self) -> Iterator[Path]:
        """Claim the file for writing and give the path to write to (see :class:`Output`).

        ``-`` (standard output) is for text and pictures, not for what is written here.
        """
        from taxonomy.output import Output

        if self.name == "-":
            raise InputError(
                "this output cannot go to standard output (-o -): give a file name", file="-"
            )
        name = self.file("give -o FILE")
        with Output(name, protected=self.inputs, force=self.force).writing() as path:
            yield path

    def emit(self, text: str) -> None:
        """Write ``text`` to standard output, or to the file (saying so)."""
        if self.to_stdout:
            click.echo(text, nl=False)
            return
        self.write_file(text)

    def write_file(self, text: str) -> None:
        """Write ``text`` to the file (never standard output), saying so."""
        with self.writing() as path:
            path.write_text(text, encoding="utf-8")
        say(f"wrote {self.name}")


def _named(options: Mapping[str, Any], inputs: Sequence[str]) -> list[str]:
    """The files the parameters called ``inputs`` name (each a path or a tuple of them)."""
    found: list[str] = []
    for name in inputs:
        value = options[name]
        found.extend([value] if isinstance(value, str) else value or ())
    return found


def writes_output(
    formats: Sequence[str],
    *,
    inputs: Sequence[str] = (),
    extensions: Mapping[str, str] | None = None,
    unnamed: str | None = None,
) -> Callable[[Command], Command]:
    """Hand the command a :class:`Destination` as ``out``, its format decided before it runs.

    The command's ``fmt`` (``--format``), ``output`` (``-o``) and ``force`` (``--force``) are
    taken here, whichever it declares.

    Args:
        formats: the formats the command writes, its default first (none: any file).
        inputs: the names of the parameters giving the command's input files.
        extensions: what extensions mean for this command, beside
            :data:`~taxonomy.cli.FORMAT_OF_EXTENSION`.
        unnamed: the error when neither ``--format`` nor the file's extension names a format;
            without it, the first format is written.
    """

    def decorate(command: Command) -> Command:
        @functools.wraps(command)
        def run(**options: Any) -> None:
            fmt: str | None = options.pop("fmt", None)
            output: str | None = options.pop("output", None)
            force: bool = options.pop("force", False)
            named = _named(options, inputs)
            # Without formats (a schema, written as it is), the extension is not checked.
            chosen = (
                output_format(fmt, output, formats, extensions, unnamed=unnamed) if formats else ""
            )
            command(out=Destination(output, chosen, force=force, inputs=named), **options)

        return run

    return decorate
