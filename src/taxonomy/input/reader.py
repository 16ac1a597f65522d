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

import contextlib
import functools
import gc
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, NoReturn

import attrs
import yaml

from taxonomy.errors import CONTROL_CHARACTER, InputError, Problems, did_you_mean, misspelt
from taxonomy.input.sources import note_read

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
    "read_text",
    "source_name",
    "too_large",
]

#: What a loader reads a mapping as: plain, whatever file (if any) it came from.
Fields = Mapping[str, Any]

#: Files larger than this are refused before parsing (a portfolio of 100k functions is ~40 MB);
#: no more than this and one byte is ever read of a file, whatever its size claims to be.
MAX_FILE_BYTES = 256 * 1024 * 1024


@attrs.frozen
class Location:
    """Where something is in a file: a line (or a spreadsheet's row), a sheet and a column."""

    line: int | None = None
    sheet: str | None = None
    column: str | None = None


class Node(dict[str, Any]):
    """A mapping read from YAML, with the 1-based line of itself and of each key."""

    line: int
    key_lines: dict[str, int]
    #: For values YAML read as something other than text, the text as written ("010" for 8).
    written: dict[str, str]

    def location(self, key: str | None = None) -> Location:
        """Where the mapping (or its ``key``) is."""
        return Location(self.key_lines.get(key, self.line) if key is not None else self.line)


class Items(list[Any]):
    """A sequence read from YAML, with the 1-based line of itself and of each item."""

    line: int
    item_lines: list[int]

    def location(self, index: int | None = None) -> Location:
        """Where the sequence (or its item ``index``) is."""
        return Location(self.item_lines[index] if index is not None else self.line)


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


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that records lines and refuses duplicate keys."""


class _Unreadable(Exception):
    """A value no loader could use (see :func:`loads_yaml`), at its line and, once known, key."""

    def __init__(self, problem: str, mark: Any) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = mark.line + 1 if mark is not None else None
        self.key: str | None = None


#: Half of a surrogate pair with no other half: ``"\ud800"`` in YAML or JSON, or from Python.
LONE_SURROGATE = re.compile(
    r"[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]"
)


def lone_surrogate(text: str) -> str | None:
    r"""The problem with ``text`` if it holds a lone surrogate, which no output can hold; or None.

    UTF-8 (every file ``taxonomy`` writes) has no way to write one, so a name holding one would
    fail every output, in the middle of writing it: it is refused where it is read instead.

    >>> print(lone_surrogate("Pay\ud800roll")[:42])
    contains U+D800, half of a surrogate pair,
    >>> lone_surrogate("Pay roll") is None
    True
    """
    found = LONE_SURROGATE.search(text)
    if found is None:
        return None
    return (
        f"contains U+{ord(found.group()):04X}, half of a surrogate pair, which no file or output "
        "can hold: remove it, or write the character it was meant to be"
    )


def _construct_text(loader: _LineLoader, node: yaml.ScalarNode) -> str:
    r"""Text as written, a surrogate pair escaped in two halves (JSON's ``"\ud83d\ude00"``) joined.

    A lone half is refused: it could be written to no output.
    """
    text = loader.construct_scalar(node)
    assert isinstance(text, str)
    if _SURROGATE.search(text) is None:
        return text
    problem = lone_surrogate(text)
    if problem is not None:
        raise _Unreadable(problem, node.start_mark)
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _construct_int(loader: _LineLoader, node: yaml.ScalarNode) -> int:
    """A whole number; one too large for Python to read or write out is refused, not a crash."""
    try:
        value = yaml.SafeLoader.construct_yaml_int(loader, node)
    except ValueError:  # more digits than Python converts (4,300 by default)
        value = None
    if not isinstance(value, int) or too_large(value):
        raise _Unreadable(_too_large_problem(str(node.value)), node.start_mark)
    return value


def too_large(value: Any) -> bool:
    """Whether ``value`` is a whole number too large to be written out in decimal.

    Python refuses to convert one of more than 4,300 digits (a ``ValueError`` from ``str``), so
    it could not even be named in a message.

    >>> too_large(10**5000), too_large(10**20), too_large("1" * 5000)
    (True, False, False)
    """
    if not isinstance(value, int) or isinstance(value, bool):
        return False
    try:
        str(value)
    except ValueError:
        return True
    return False


def _too_large_problem(written: str | None = None) -> str:
    shown = f"the number {written[:10]}… ({len(written)} digits)" if written else "the number"
    return (
        f"{shown} is too large: no answer, level or priority is a number that large "
        "(quote it if it is text)"
    )


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> Node:
    loader.flatten_mapping(node)
    result = Node()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    result.written = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool) or key is None:
            raise yaml.constructor.ConstructorError(
                None, None, "mapping keys must be plain text", key_node.start_mark
            )
        key = str(key)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key '{key}'", key_node.start_mark
            )
        try:
            result[key] = loader.construct_object(value_node, deep=True)
        except _Unreadable as unreadable:
            unreadable.key = unreadable.key if unreadable.key is not None else key
            raise
        result.key_lines[key] = key_node.start_mark.line + 1
        if isinstance(value_node, yaml.ScalarNode) and not isinstance(result[key], str):
            result.written[key] = str(value_node.value)
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> Items:
    result = Items(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_timestamp(loader: _LineLoader, node: yaml.ScalarNode) -> Any:
    """A date or time as PyYAML reads it; one that looks like a date but is none is text.

    PyYAML raises a bare ValueError for ``2022-13-01``; kept as the text written, the loader
    that reads the key says what is wrong with it, where.
    """
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return str(node.value)


_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_LineLoader.add_constructor("tag:yaml.org,2002:str", _construct_text)
_LineLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause CPython's cyclic garbage collector while a file's values are built, then resume it.

    Parsing builds a tree of many small objects that all stay alive until it is done; while
    it grows, the collector walks the whole heap again and again and finds nothing to free
    (reading an 8,000-function YAML portfolio spent a third of its CPU time there, and the
    share grew with the file). Reference counting still frees what the parse drops; anything
    it leaves in a cycle is collected on the collector's next run. The collector is resumed
    afterwards, if it was running before, however the block ends.
    """
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


def loads_yaml(text: str, *, file: str, error: type[InputError] = InputError) -> Any:
    r"""Parse YAML text safely, raising ``error`` (with file and line) on any problem.

    >>> loads_yaml("a: 1\nb: [x, y]\n", file="f.yaml").key_lines
    {'a': 1, 'b': 2}
    >>> loads_yaml("!!python/object:os.system {}", file="f.yaml")
    Traceback (most recent call last):
    ...
    taxonomy.errors.InputError: f.yaml:1: not valid YAML: could not determine a constructor ...
    """
    try:
        with collector_paused():
            data = yaml.load(text, Loader=_LineLoader)
    except _Unreadable as unreadable:
        raise error(
            unreadable.problem, file=file, line=unreadable.line, key=unreadable.key
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise error(f"not valid YAML: {what}", file=file, line=line) from None
    except yaml.YAMLError as exc:
        raise error(f"not valid YAML: {' '.join(str(exc).split())}", file=file) from None
    except RecursionError:
        raise error("not valid YAML: nested too deeply", file=file) from None
    _check_aliases(data, file=file, error=error)
    return data


#: Aliases may repeat a value, but may not make the data more than this many values in all
#: (and ten times the values written): "billion laughs" files of a few KB expand to billions.
MAX_EXPANDED_VALUES = 1_000_000


def _check_aliases(data: Any, *, file: str, error: type[InputError]) -> None:
    """Refuse data whose aliases (``*name``) expand it beyond bounds, or make it contain itself.

    PyYAML gives an alias the same object as its anchor, so the data stays small in memory;
    it is reading it (every loader walks it, and a message may print it) that would expand it.
    The walk visits each distinct list and mapping once.
    """
    sizes: dict[int, int] = {}
    active: set[int] = set()
    written = 0
    stack: list[tuple[Any, bool]] = [(data, False)]
    while stack:
        value, finished = stack.pop()
        children = _children(value)
        if children is None:
            continue
        key = id(value)
        if finished:
            active.discard(key)
            total = 1 + sum(sizes.get(id(child), 1) for child in children)
            if total > MAX_EXPANDED_VALUES and total > 10 * written:
                line = getattr(value, "line", None)
                raise error(
                    f"aliases (*name) expand this value to more than {MAX_EXPANDED_VALUES} "
                    "values: write the values out, or repeat fewer of them",
                    file=file,
                    line=line,
                )
            sizes[key] = total
            continue
        if key in sizes:
            continue
        if key in active:
            raise error(
                "an alias (*name) makes a value contain itself",
                file=file,
                line=getattr(value, "line", None),
            )
        active.add(key)
        written += 1 + len(children)
        stack.append((value, True))
        stack.extend((child, False) for child in children if isinstance(child, _CONTAINERS))


_CONTAINERS = (dict, list, tuple)


def _children(value: Any) -> list[Any] | None:
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, list | tuple):  # tuples: YAML's !!pairs and !!omap
        return list(value)
    return None


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
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise error("no such file", file=name) from None
    except IsADirectoryError:
        raise error("is a directory, not a file", file=name) from None
    except OSError as exc:
        raise error(f"cannot be read: {exc.strerror}", file=name) from None
    if len(data) > limit:
        raise error(f"file is too large: the limit is {limit} bytes", file=name)
    return data


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
        problems = Problems(self.error, file=self.file)
        unknown = [key for key in node if key not in known]
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
        missing = [key for key in required if key not in node]
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
            self.fail(_too_large_problem(), at=node, key=key, item=item)
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
            self.fail(_too_large_problem(), at=node, key=key, item=item)
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
            self.fail(_too_large_problem(), at=node, key=key, item=item)
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
