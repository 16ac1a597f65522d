"""JSONL portfolios: the portfolio on the first line, then one function a line.

The first line is the portfolio's mapping as the YAML gives it (``name``, ``organisations``,
``governance``, ``law``, ``as_of``, ``rules``) without ``functions``; each line after it is one
function, the mapping a YAML portfolio lists under ``functions``. Blank lines are skipped, and
so is a byte order mark at the start of the file (as in a CSV portfolio). Each value is checked
as the YAML's is, and a problem is reported at its line (JSON's own problems too: a line that
is not JSON, a key given twice, ``NaN``).

Read whole (:func:`read_jsonl`), or a function at a time (:func:`stream_jsonl`, for
``classify --format jsonl -o FILE``): memory then holds the head and the ids seen.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from taxonomy.errors import PortfolioError, Problems
from taxonomy.input.answers import NAMED_AT
from taxonomy.input.portfolio import FunctionStream, portfolio_from_data, read_pack_reference
from taxonomy.input.reader import Reader, read_lines, source_name
from taxonomy.input.yaml_nodes import Items, Location, Node

if TYPE_CHECKING:
    from taxonomy._model import Function, Portfolio
    from taxonomy.language.rules import RulePack

__all__ = ["JsonlStream", "read_jsonl", "stream_jsonl"]


def _located(value: Any, line: int) -> Any:
    """``value`` with every mapping and list in it placed at ``line`` (as YAML's nodes are)."""
    if isinstance(value, dict):
        node = Node((k, _located(v, line)) for k, v in value.items())
        node.line, node.key_lines, node.written = line, dict.fromkeys(node, line), {}
        return node
    if isinstance(value, list):
        items = Items(_located(v, line) for v in value)
        items.line, items.item_lines = line, [line] * len(items)
        return items
    return value


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object's mapping, a key given twice refused (as the YAML reader refuses it)."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(f"duplicate key '{key}'")
        found[key] = value
    return found


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not a value a portfolio holds")


def _parsed(text: str, line: int, file: str) -> Any:
    """One line's JSON, located at ``line``.

    Raises:
        PortfolioError: at ``line``: not JSON, a key twice, NaN or Infinity.
    """
    try:
        value = json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant)
    except json.JSONDecodeError as error:
        raise PortfolioError(f"not JSON: {error.msg}", file=file, line=line) from None
    except (ValueError, RecursionError) as error:
        raise PortfolioError(f"not JSON a portfolio holds: {error}", file=file, line=line) from None
    return _located(value, line)


def _lines(path: str | Path) -> Generator[tuple[int, str], None, None]:
    """Each line that is not blank, with its number; a leading byte order mark dropped, as CSV's."""
    lines = read_lines(path, error=PortfolioError, encoding="utf-8-sig")
    for number, text in enumerate(lines, start=1):
        if text.strip():
            yield number, text


def _head(path: str | Path, lines: Iterator[tuple[int, str]]) -> Node:
    """The first line's portfolio, checked to hold no function.

    Raises:
        PortfolioError: the file is empty, its first line is not a JSON mapping, or it lists
            the functions (they are the lines after it).
    """
    file = source_name(path)
    first = next(lines, None)
    if first is None:
        raise PortfolioError("the file is empty", file=file)
    number, text = first
    head = _parsed(text, number, file)
    if not isinstance(head, Node):
        raise PortfolioError(
            "the first line must be the portfolio's mapping (its name and organisations)",
            file=file,
            line=number,
        )
    if "functions" in head:
        raise PortfolioError(
            "the first line holds the portfolio without its functions: each function is a "
            "line of its own after it",
            file=file,
            line=number,
            key="functions",
        )
    return head


def _with_functions(head: Node, functions: Items) -> Node:
    """The portfolio's mapping with ``functions`` (at the first line) as the YAML's."""
    data = Node(head)
    data.line, data.key_lines, data.written = head.line, dict(head.key_lines), {}
    data["functions"] = functions
    return data


def read_jsonl(path: str | Path, *, rules: RulePack | None = None) -> Portfolio:
    """A JSONL portfolio read whole and checked as :func:`portfolio_from_data` checks YAML.

    Raises:
        PortfolioError: every problem found (capped as for YAML), in the order of the lines.
    """
    file = source_name(path)
    problems = Problems(PortfolioError, file=file)
    lines = _lines(path)
    with contextlib.closing(lines):
        head = _head(path, lines)
        functions = _located([], head.line)
        for number, text in lines:
            with problems.collecting():
                functions.append(_parsed(text, number, file))
                functions.item_lines.append(number)
    data = _with_functions(head, functions)
    try:
        portfolio = portfolio_from_data(data, file=file, rules=rules, base=Path(path).parent)
    except PortfolioError as error:
        problems.add(error)
    problems.found.sort(key=lambda p: p.line or 0)
    problems.raise_if_any()
    return portfolio


class JsonlStream:
    """A JSONL portfolio being read a function at a time (see :func:`stream_jsonl`).

    The same face as :class:`taxonomy.input.spreadsheet.PortfolioStream`.

    Attributes:
        context: the portfolio's bodies, law and governance, with no function (its ``pack``
            the one the first line names, if it does).
        pack: the pack the portfolio is read for.
        failed: the error that stopped the reading (a damaged file), raised as it is, alone.
    """

    def __init__(
        self,
        stream: FunctionStream,
        lines: Generator[tuple[int, str], None, None],
        rules: RulePack | None,
        named_at: str | None,
    ) -> None:
        self._stream, self._lines, self._named_at = stream, lines, named_at
        context = stream.context  # ``rules``: the pack the first line names, if any
        self.context = context if rules is None else _with_pack(context, rules)
        self.pack = stream.pack
        self.failed: PortfolioError | None = None

    def functions(self) -> Iterator[Function]:
        """Each valid function, in the file's order (problems recorded; none given after one).

        Raises:
            PortfolioError: the file cannot be read on (not UTF-8, too large); kept as
                :attr:`failed`.
        """
        stream, problems = self._stream, self._stream.problems
        file = stream.reader.file
        token = NAMED_AT.set(self._named_at)
        try:
            with contextlib.closing(self._lines) as lines:
                for number, text in lines:
                    try:
                        node = _parsed(text, number, file)
                    except PortfolioError as error:
                        # No function, as read whole: what names one here is checked without it.
                        problems.add(error)
                        continue
                    function = stream.read(node, Location(number))
                    if function is not None and stream.clean:
                        yield function
        except PortfolioError as error:
            self.failed = error
            raise
        finally:
            NAMED_AT.reset(token)

    @property
    def count(self) -> int:
        """How many lines of functions have been read."""
        return self._stream.count

    def finish(self) -> None:
        """Once every line is read: check the rest against the functions; raise every problem.

        Raises:
            PortfolioError: every problem found, capped, in the order of the lines.
        """
        problems = self._stream.problems
        self._stream.finish()
        problems.found.sort(key=lambda p: p.line or 0)
        problems.raise_if_any()


def _with_pack(context: Portfolio, named: RulePack) -> Portfolio:
    import attrs

    return attrs.evolve(context, pack=named)


def stream_jsonl(path: str | Path, *, rules: RulePack | None = None) -> JsonlStream | None:
    """A JSONL portfolio to read a function at a time; None when it must be read whole.

    Read whole instead (None), as a CSV portfolio is (see
    :func:`taxonomy.input.spreadsheet.stream_portfolio`): a first line with a problem of its
    own (not about the functions it names), which the whole read reports with the functions'.

    Raises:
        PortfolioError: the file cannot be read (missing, not UTF-8, too large).
    """
    from taxonomy.language.rules import load_rules

    file = source_name(path)
    lines = _lines(path)
    try:
        try:
            head = _head(path, lines)
            reader = Reader(file, PortfolioError)
            named, named_at = None, None
            if head.get("rules") is not None:
                folder = Path(path).parent
                _, named, named_at = read_pack_reference(reader, head, folder, load=rules is None)
            pack = rules if rules is not None else named if named is not None else load_rules()
            problems = Problems(PortfolioError, file=file)
            top = _with_functions(head, _located([], head.line))
            stream = FunctionStream(top, file=file, rules=pack, problems=problems)
        except PortfolioError:
            lines.close()
            return None
    except BaseException:
        lines.close()
        raise
    return JsonlStream(stream, lines, named if rules is None else None, named_at)
