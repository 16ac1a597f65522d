"""The one reader every loader shares: plain mappings and lists checked, with their locations.

A loader (portfolios, rule packs, scenarios, sweeps, expectation files) reads plain data: any
``Mapping`` with text keys, any ``list`` or ``tuple``. Where the data came from a file, it also
knows where each part is, and every error names that place:

- YAML (loaded with PyYAML's ``SafeLoader`` only, so no tag can build a Python object or run
  code): :class:`Node` (a ``dict`` with the line of itself and of each key) and :class:`Items`
  (a ``list`` with the line of each item);
- spreadsheets: :class:`Row` (a ``dict`` with its sheet, row and the column of each key) and
  :class:`Cells` (a ``list`` read from one cell);
- Python data (dicts and lists): no location; errors name the item and key.

:func:`location_of` says where a value (or one of its keys) is, whatever its source.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO, NoReturn

from taxonomy.errors import CONTROL_CHARACTER, InputError, Problems, did_you_mean, misspelt
from taxonomy.input.sources import note_read
from taxonomy.input.yaml_nodes import (
    Items,
    Location,
    Node,
    loads_yaml,
    lone_surrogate,
    too_large,
    too_large_problem,
)

__all__ = [
    "Cells",
    "Fields",
    "Items",
    "Location",
    "Node",
    "Reader",
    "Row",
    "STDIN",
    "fold_choice",
    "load_yaml",
    "loads_yaml",
    "location_of",
    "lone_surrogate",
    "read_bytes",
    "read_lines",
    "read_text",
    "source_name",
    "too_large",
]

#: What a loader reads a mapping as: plain, whatever file (if any) it came from.
Fields = Mapping[str, Any]

#: Files larger than this are refused before parsing (a portfolio of 100k functions is ~40 MB);
#: no more than this and one byte is ever read of a file, whatever its size claims to be.
MAX_FILE_BYTES = 256 * 1024 * 1024


class Row(dict[str, Any]):
    """A mapping read from one spreadsheet row: its sheet, its row, and each key's column.

    Args:
        data: the row's values by key.
        sheet: the sheet (or CSV file) name.
        row: the 1-based row.
        columns: each key's column heading (a key not listed is its own heading).
    """

    def __init__(
        self, data: Mapping[str, Any], *, sheet: str, row: int, columns: Mapping[str, str]
    ) -> None:
        super().__init__(data)
        self.sheet, self.row, self.columns = sheet, row, dict(columns)

    def location(self, key: str | None = None) -> Location:
        """Where the row (or its ``key``'s cell) is."""
        column = self.columns.get(key, key) if key is not None else None
        return Location(self.row, self.sheet, column)


class Cells(list[Any]):
    """A list read from one spreadsheet cell (``a, b, c``): every item is at that cell."""

    def __init__(self, values: Iterable[Any], *, at: Location) -> None:
        super().__init__(values)
        self.at = at

    def location(self, index: int | None = None) -> Location:
        """Where the cell is."""
        return self.at


def location_of(value: Any, key: str | int | None = None) -> Location:
    r"""Where ``value`` (or its ``key``, or item ``key``) is; an empty location when unknown.

    >>> location_of(loads_yaml("a: 1\nb: 2\n", file="f.yaml"), "b")
    Location(line=2, sheet=None, column=None)
    >>> location_of({"a": 1}, "a")
    Location(line=None, sheet=None, column=None)
    """
    if isinstance(value, Location):
        return value
    locate = getattr(value, "location", None)
    if callable(locate):
        found = locate(key)
        if isinstance(found, Location):
            return found
    return Location()


#: The name messages give a file read from standard input (``-``).
STDIN = "<stdin>"


def source_name(path: str | Path) -> str:
    """How messages name the file at ``path``: ``<stdin>`` for ``-``.

    >>> source_name("-"), source_name("a.yaml")
    ('<stdin>', 'a.yaml')
    """
    return STDIN if str(path) == "-" else str(path)


def read_bytes(path: str | Path, *, error: type[InputError] = InputError) -> bytes:
    """The bytes of the file at ``path``, at most :data:`MAX_FILE_BYTES` of them.

    The one way every loader reads a file: at most the limit and one byte more is read, so a
    pipe (``<(yes)``) or a device (a symlink to ``/dev/zero``) is refused at the limit rather
    than read until memory runs out; the file is noted as an input of the command
    (:func:`taxonomy.input.sources.note_read`), so no output of it is written over it.

    Raises:
        error: naming the file: missing, a folder, unreadable, or larger than the limit.
    """
    name = source_name(path)
    limit = MAX_FILE_BYTES
    try:
        with open(path, "rb") as handle:
            note_read(path, status=os.fstat(handle.fileno()))
            data = _read_at_most(handle, limit + 1)
    except FileNotFoundError:
        raise error("no such file", file=name) from None
    except IsADirectoryError:
        raise error("is a directory, not a file", file=name) from None
    except OSError as exc:
        raise error(f"cannot be read: {exc.strerror}", file=name) from None
    if len(data) > limit:
        raise error(f"file is too large: the limit is {limit} bytes", file=name)
    return data


def _read_at_most(handle: BinaryIO, size: int) -> bytes:
    """Up to ``size`` bytes of ``handle``, in pieces: ``read(size)`` would allocate ``size``."""
    chunks: list[bytes] = []
    left = size
    while left > 0:
        chunk = handle.read(min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_text(
    path: str | Path,
    *,
    error: type[InputError] = InputError,
    encoding: str = "utf-8",
    newlines: bool = True,
) -> str:
    r"""The text of the file at ``path`` (read by :func:`read_bytes`).

    With ``newlines`` (as a file opened as text reads), ``\r\n`` and ``\r`` become ``\n``;
    without, the text is as written (for CSV, whose reader takes the line ends itself).

    Raises:
        error: as :func:`read_bytes`, or the file is not text in ``encoding``.
    """
    data = read_bytes(path, error=error)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise error("not UTF-8 text", file=source_name(path)) from None
    return text.replace("\r\n", "\n").replace("\r", "\n") if newlines else text


def read_lines(
    path: str | Path, *, error: type[InputError] = InputError, encoding: str = "utf-8"
) -> Generator[str, None, None]:
    """The lines of the text file at ``path`` as they are read, line ends as written.

    For a file read as a stream (a CSV portfolio's functions): the file is noted as an input,
    as :func:`read_bytes` notes it, and the same limit holds: a regular file larger than
    :data:`MAX_FILE_BYTES` is refused before its first line, anything else once that many
    characters have been read. Memory holds one line at a time.

    Raises:
        error: naming the file: missing, a folder, unreadable, too large, or not text in
            ``encoding`` (when the line that is not is reached).
    """
    name = source_name(path)
    try:
        handle = open(path, encoding=encoding, newline="")  # noqa: SIM115 (closed below)
    except FileNotFoundError:
        raise error("no such file", file=name) from None
    except IsADirectoryError:
        raise error("is a directory, not a file", file=name) from None
    except OSError as exc:
        raise error(f"cannot be read: {exc.strerror}", file=name) from None
    with handle:
        status = os.fstat(handle.fileno())
        note_read(path, status=status)
        limit = MAX_FILE_BYTES
        if status.st_size > limit:
            raise error(f"file is too large: the limit is {limit} bytes", file=name)
        read = 0
        try:
            for line in handle:
                read += len(line)
                if read > limit:
                    raise error(f"file is too large: the limit is {limit} bytes", file=name)
                yield line
        except UnicodeDecodeError:
            raise error("not UTF-8 text", file=name) from None
        except OSError as exc:
            raise error(f"cannot be read: {exc.strerror}", file=name) from None


def load_yaml(path: str | Path, *, error: type[InputError] = InputError) -> Any:
    """Read and parse a YAML file safely; missing, unreadable or huge files raise ``error``.

    ``-`` reads standard input (YAML, or JSON, which is YAML), named ``<stdin>`` in messages.
    """
    name = source_name(path)
    if str(path) == "-":
        import sys

        try:
            text = sys.stdin.read(MAX_FILE_BYTES + 1)
        except UnicodeDecodeError:
            raise error("not UTF-8 text", file=name) from None
        if len(text) > MAX_FILE_BYTES:
            raise error(f"more than {MAX_FILE_BYTES} characters", file=name)
        return loads_yaml(text, file=name, error=error)
    return loads_yaml(read_text(path, error=error), file=name, error=error)


class Reader:
    """Reads one file's values with shared checks, raising one error class with file and line.

    Args:
        file: the file name used in messages.
        error: the error class to raise (``PortfolioError``, ``RulePackError``, ...).
    """

    def __init__(self, file: str, error: type[InputError]) -> None:
        self.file = file
        self.error = error

    def fail(
        self,
        problem: str,
        *,
        at: Any = None,
        key: str | None = None,
        item: str | None = None,
        allowed: Iterable[str] | None = None,
        suggestion: str | Callable[[], str | None] | None = None,
    ) -> NoReturn:
        """Raise the error for ``problem``, at the place of ``at`` (of its ``key``, if given).

        ``suggestion`` may be a function that searches for it, called only if it is shown.
        """
        where = location_of(at, key)
        raise self.error(
            problem,
            file=self.file,
            line=where.line,
            item=item,
            key=key,
            allowed=allowed,
            suggestion=suggestion,
            sheet=where.sheet,
            column=where.column,
        )

    def mapping(self, value: Any, *, what: str, item: str | None = None, at: Any = None) -> Fields:
        """Check ``value`` is a mapping with text keys and return it."""
        if not isinstance(value, Mapping):
            self.fail(f"{what} must be a mapping, not {_kind(value)}", at=at or value, item=item)
        for key in value:
            if not isinstance(key, str):
                self.fail(f"{what} has a key that is not text: {key!r}", at=at or value, item=item)
        return value

    def sequence(
        self, value: Any, *, what: str, item: str | None = None, at: Any = None
    ) -> list[Any] | tuple[Any, ...]:
        """Check ``value`` is a list and return it."""
        if not isinstance(value, list | tuple):
            self.fail(f"{what} must be a list, not {_kind(value)}", at=at or value, item=item)
        return value

    @staticmethod
    def each(values: list[Any] | tuple[Any, ...]) -> Iterator[tuple[Any, Location]]:
        """Each item of a sequence with its location (empty for Python data)."""
        for index, value in enumerate(values):
            yield value, location_of(values, index)

    def keys(
        self,
        node: Fields,
        *,
        allowed: Iterable[str],
        required: Iterable[str] = (),
        item: str | None = None,
    ) -> None:
        """Refuse unknown keys (with a "did you mean") and missing required keys: every one.

        One problem is raised as it is; several as one error listing them all. A required key
        missing because it was misspelt is the one problem of the misspelling.
        """
        allowed = tuple(allowed)
        known = set(allowed)
        unknown = [key for key in node if key not in known]
        missing = [key for key in required if key not in node]
        if not unknown and not missing:
            return  # as most items are: nothing to report
        problems = Problems(self.error, file=self.file)
        for key in unknown:
            with problems.collecting():
                self.fail(
                    "unknown key",
                    at=node,
                    key=key,
                    item=item,
                    allowed=allowed,
                    # Searched for only if the problem is shown: a file may have 10^5 of them.
                    suggestion=functools.partial(did_you_mean, key, allowed),
                )
        # A misspelt key: the key it was meant as is not missing too.
        meant = misspelt(unknown, allowed, missing) if unknown and missing else set()
        for key in missing:
            if key not in meant:
                with problems.collecting():
                    self.fail(f"missing required key '{key}'", at=node, item=item)
        problems.raise_if_any()

    def identifier(self, node: Fields, key: str, *, item: str | None = None) -> str:
        """Return ``node[key]``, an id, which must be written as text.

        YAML reads ``010`` as the number 8 and ``1e3`` as 1000.0: an id written like a number
        would silently become another id, so it is refused with a hint to quote it.
        """
        value = node[key]
        if too_large(value):
            self.fail(too_large_problem(), at=node, key=key, item=item)
        if isinstance(value, int | float) and not isinstance(value, bool):
            written = getattr(node, "written", {}).get(key, str(value))
            shown = (
                f"'{written}' was read as the number {value}"
                if written != str(value)
                else (f"the number {value}")
            )
            self.fail(
                f"an id must be text, not {shown}: quote it, e.g. {key}: '{written}'",
                at=node,
                key=key,
                item=item,
            )
        return self.text(node, key, item=item)

    def text(self, node: Fields, key: str, *, item: str | None = None) -> str:
        """Return ``node[key]`` as non-empty text."""
        value = node[key]
        if too_large(value):
            self.fail(too_large_problem(), at=node, key=key, item=item)
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.fail(f"must be text, not {_kind(value)}", at=node, key=key, item=item)
        # A number where text is wanted (a name "2022", notes "1.0e+3") is kept as written.
        written = getattr(node, "written", {}).get(key) if not isinstance(value, str) else None
        text = (written if written is not None else str(value)).strip()
        if not text:
            self.fail("must not be empty", at=node, key=key, item=item)
        control = CONTROL_CHARACTER.search(text)
        if control is not None:
            self.fail(
                f"contains a control character (U+{ord(control.group()):04X}): remove it",
                at=node,
                key=key,
                item=item,
            )
        surrogate = lone_surrogate(text)
        if surrogate is not None:
            self.fail(surrogate, at=node, key=key, item=item)
        return text

    def choice(
        self,
        node: Fields,
        key: str,
        choices: Iterable[str],
        *,
        item: str | None,
        what: str = "allowed",
        fold_case: bool = False,
    ) -> str:
        """Return ``node[key]`` if it is one of ``choices``, else fail with a suggestion.

        ``what`` names the kind of value in the message: "'hihg' is not a level". With
        ``fold_case``, a value differing from one choice only in case (``High`` for ``high``)
        is that choice; one matching two choices that differ only in case is refused.
        """
        options = list(choices)
        value = node[key]
        if too_large(value):
            self.fail(too_large_problem(), at=node, key=key, item=item)
        plain = isinstance(value, str | int | float) and not isinstance(value, bool)
        if plain and fold_case and str(value) not in options:
            folded = fold_choice(str(value), options)
            if folded is not None:
                return folded
        if not plain or str(value) not in options:
            shown = f"'{value}'" if plain else _kind(value)
            self.fail(
                f"{shown} is not {what}",
                at=node,
                key=key,
                item=item,
                allowed=options,
                suggestion=did_you_mean(str(value), options) if plain else None,
            )
        return str(value)


def fold_choice(value: str, choices: Iterable[str]) -> str | None:
    """The one choice ``value`` names ignoring case, or None (no such choice, or two of them).

    >>> fold_choice("High", ["none", "low", "medium", "high"])
    'high'
    >>> fold_choice("a", ["A", "a"])
    'a'
    >>> fold_choice("B", ["b", "B"])
    'B'
    >>> fold_choice("AB", ["ab", "Ab"]) is None
    True
    """
    options = list(choices)
    if value in options:
        return value
    matches = {c for c in options if c.casefold() == value.casefold()}
    return matches.pop() if len(matches) == 1 else None


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if too_large(value):
        return "a number too large to write out"
    if isinstance(value, int | float):
        return f"the number {value}"
    return f"'{value}'"
