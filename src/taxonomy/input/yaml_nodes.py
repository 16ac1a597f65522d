r"""YAML parsed safely, each mapping and list knowing the line of itself and of each part.

Loaded with PyYAML's ``SafeLoader`` only, so no tag can build a Python object or run code;
a duplicate key, a number too large to write out, half a surrogate pair and aliases that
expand a file beyond bounds are refused with the file and line. :class:`Node` is a ``dict``
with the line of itself and of each key; :class:`Items` a ``list`` with the line of each item.
"""

from __future__ import annotations

import contextlib
import gc
import re
from collections.abc import Iterator
from typing import Any

import attrs
import yaml

from taxonomy.errors import InputError

__all__ = [
    "LONE_SURROGATE",
    "MAX_EXPANDED_VALUES",
    "Items",
    "Location",
    "Node",
    "collector_paused",
    "loads_yaml",
    "lone_surrogate",
    "too_large",
    "too_large_problem",
]


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
        raise _Unreadable(too_large_problem(str(node.value)), node.start_mark)
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


def too_large_problem(written: str | None = None) -> str:
    """The message for a number too large to read or write out (``written`` as in the file)."""
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
