"""The exceptions ``taxonomy`` raises.

Every error is a :class:`TaxonomyError` and also subclasses the matching built-in, so callers can
catch either::

    TaxonomyError
    ├── InputError(ValueError)          bad input from a file or a call
    │   ├── PortfolioError              a portfolio (bodies, functions, answers)
    │   ├── RulePackError               a rule pack (rules/*.yaml)
    │   └── ScenarioError               a what-if scenario
    ├── UnknownIdError(KeyError)        no function (or other item) has that id
    ├── EngineError(RuntimeError)       the rules engine failed or gave no single answer
    └── EngineUnavailableError(ImportError)
                                        durable-rules is missing or its C extension does not load

An :class:`InputError` carries structured fields (file, line, item, key) and builds its message
from them, so every message says where the problem is, what was wrong and, where one fits, what
was probably meant.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

__all__ = [
    "CONTROL_CHARACTER",
    "EngineError",
    "EngineUnavailableError",
    "MAX_PROBLEMS",
    "InputError",
    "PortfolioError",
    "Problems",
    "RulePackError",
    "ScenarioError",
    "TaxonomyError",
    "UnknownIdError",
    "did_you_mean",
    "misspelt",
    "printable",
]

#: Characters a terminal or a spreadsheet would act on: C0 controls (but tab and newline), DEL, C1.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

_CONTROL_OR_BREAK = re.compile(r"[\x00-\x1f\x7f-\x9f]")

#: Halves of surrogate pairs: no terminal or file encoding can write one on its own.
_SURROGATE = re.compile(r"[\ud800-\udfff]")

#: The longest a value quoted in a message may be, in characters.
MAX_SHOWN = 200


def printable(text: str, limit: int | None = None, *, one_line: bool = False) -> str:
    r"""``text`` safe to print: control characters escaped, and at most ``limit`` characters.

    No escape sequence read from a file reaches a terminal, and no value of a megabyte fills
    one.

    >>> print(printable("nh\x1b[31mse"))
    nh\x1b[31mse
    >>> print(printable("Pay\ud800roll"))
    Pay\ud800roll
    >>> printable("x" * 30, limit=10)
    'xxxxxxxxxx… (20 more characters)'
    """
    pattern = _CONTROL_OR_BREAK if one_line else CONTROL_CHARACTER
    shown = pattern.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    shown = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", shown)
    if limit is not None and len(shown) > limit:
        shown = f"{shown[:limit]}… ({len(shown) - limit} more characters)"
    return shown


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """Return the choice closest to ``word``, or None when none is close.

    >>> did_you_mean("wehn", ["id", "when", "then"])
    'when'
    >>> did_you_mean("=>", ["==", ">", ">="])
    '>='
    >>> did_you_mean("zzz", ["id", "when"]) is None
    True
    """
    options = sorted(set(choices))
    if str(word)[::-1] in options:  # "=>" for ">=", "=<" for "<="
        return str(word)[::-1]
    found = difflib.get_close_matches(str(word), options, n=1, cutoff=_CUTOFF)
    return found[0] if found else None


#: How alike two words must be (difflib's ratio) for one to be suggested for the other.
_CUTOFF = 0.6


def misspelt(given: Iterable[str], allowed: Sequence[str], missing: Iterable[str]) -> set[str]:
    """The keys of ``missing`` that a key of ``given`` is a misspelling of.

    A key is a misspelling of the allowed key :func:`did_you_mean` suggests for it. That search
    is made only for a given key that could be close enough to a missing one (by difflib's
    quick bounds), and stops once every missing key is accounted for.

    >>> sorted(misspelt(["nmae", "efficency", "zzz"], ["id", "name", "efficiency"], ["name"]))
    ['name']
    """
    wanted = set(missing)
    found: set[str] = set()
    matchers = [(key, difflib.SequenceMatcher(None, "", key)) for key in wanted]
    for word in given:
        for key, matcher in matchers:
            if key in found:
                continue
            matcher.set_seq1(word)
            close = word[::-1] == key or (
                matcher.real_quick_ratio() >= _CUTOFF and matcher.quick_ratio() >= _CUTOFF
            )
            if close and did_you_mean(word, allowed) == key:
                found.add(key)
        if found == wanted:
            break
    return found


#: The most allowed values a message lists.
_MAX_ALLOWED = 30


class TaxonomyError(Exception):
    """The root of every error raised by ``taxonomy``."""


class InputError(TaxonomyError, ValueError):
    """Bad input: a file or an argument that does not describe a valid object.

    Args:
        problem: what was wrong, in a few words.
        file: the file it came from, if any.
        line: the 1-based line in that file, if known.
        item: the item the problem is in (a function id, a rule id, "change 3").
        key: the key that was wrong, if one was.
        allowed: what would have been accepted.
        suggestion: the closest allowed value, shown as "did you mean"; or a function giving it
            (or None), called only when the suggestion is first read: an error that is counted
            but never shown (past :data:`MAX_PROBLEMS`) costs no search for it.
        sheet: for spreadsheets, the sheet (then ``line`` is the row).
        column: for spreadsheets, the column.

    The message is built from these fields when the error is printed (``str(error)``), not
    before.
    """

    kind = "input"

    def __init__(
        self,
        problem: str,
        *,
        file: str | None = None,
        line: int | None = None,
        item: str | None = None,
        key: str | None = None,
        allowed: Iterable[str] | None = None,
        suggestion: str | Callable[[], str | None] | None = None,
        sheet: str | None = None,
        column: str | None = None,
    ) -> None:
        self.problem = problem
        self.sheet = sheet
        self.column = column
        self.file = file
        self.line = line
        self.item = item
        self.key = key
        self.allowed = tuple(allowed) if allowed is not None else None
        self._suggestion = suggestion
        #: The problems this error stands for: itself, or each one a reader found (see Problems).
        self.problems: tuple[InputError, ...] = (self,)
        #: How many problems were found in all (more than ``len(problems)`` once capped).
        self.total = 1
        super().__init__(problem)

    @property
    def suggestion(self) -> str | None:
        """The closest allowed value, shown as "did you mean" (searched for when first read)."""
        if callable(self._suggestion):
            self._suggestion = self._suggestion()
        return self._suggestion

    def __str__(self) -> str:
        return self._message()

    @classmethod
    def combined(
        cls, problems: Sequence[InputError], *, total: int | None = None, file: str | None = None
    ) -> InputError:
        """One error of this class standing for every problem in ``problems``.

        Its message lists each problem on a line of its own, under a count; ``total`` (when more
        were found than kept) is the count shown.

        >>> first = PortfolioError("not a level", file="p.yaml", item="pricing", key="efficiency")
        >>> second = PortfolioError("unknown key", file="p.yaml", item="hr", key="efficency")
        >>> print(PortfolioError.combined([first, second], file="p.yaml"))
        p.yaml: 2 problems:
          p.yaml: pricing: key 'efficiency': not a level
          p.yaml: hr: key 'efficency': unknown key
        """
        if len(problems) == 1 and (total is None or total == 1):
            return problems[0]
        found = total if total is not None else len(problems)
        files = {problem.file for problem in problems}
        if len(files) == 1 and None not in files and (total is None or total == len(problems)):
            file = files.pop()  # every problem is in one file: the error names that file
        error = cls(f"{found} problems", file=file)
        error.problems = tuple(problems)
        error.total = found
        return error

    def records(self) -> list[dict[str, Any]]:
        """Each problem as a plain dict (for ``--format json`` errors and other tools)."""
        return [
            {
                "kind": problem.kind,
                "file": problem.file,
                "sheet": problem.sheet,
                "line": problem.line,
                "column": problem.column,
                "item": problem.item,
                "key": problem.key,
                "problem": problem.problem,
                "allowed": list(problem.allowed) if problem.allowed is not None else None,
                "suggestion": problem.suggestion,
                "message": problem._message(),
            }
            for problem in self.problems
        ]

    def _message(self) -> str:
        if len(self.problems) > 1 or self.total > 1:
            lines = [f"{self._where()}{self.problem}:"]
            lines += [f"  {problem._message()}" for problem in self.problems]
            if self.total > len(self.problems):
                lines.append(f"  … and {self.total - len(self.problems)} more")
            return "\n".join(lines)
        return self._one()

    def _where(self) -> str:
        file = printable(self.file, MAX_SHOWN, one_line=True) if self.file is not None else None
        return f"{file}: " if file is not None else ""

    def _one(self) -> str:
        where = ""
        file = printable(self.file, MAX_SHOWN, one_line=True) if self.file is not None else None
        if self.sheet is not None:
            where = f"{file}: sheet '{printable(self.sheet, MAX_SHOWN, one_line=True)}'"
            if self.line is not None:
                where += f", row {self.line}"
            if self.column is not None:
                where += f", column '{printable(self.column, MAX_SHOWN, one_line=True)}'"
            where += ": "
        elif file is not None:
            where = file if self.line is None else f"{file}:{self.line}"
            where += ": "
        elif self.line is not None:
            where = f"line {self.line}: "
        parts = [where]
        if self.item is not None:
            parts.append(f"{printable(self.item, MAX_SHOWN, one_line=True)}: ")
        if self.key is not None and self.column is None:
            parts.append(f"key '{printable(self.key, MAX_SHOWN, one_line=True)}': ")
        parts.append(printable(self.problem, 4 * MAX_SHOWN, one_line=True))
        if self.allowed is not None:
            shown = [printable(a, MAX_SHOWN, one_line=True) for a in self.allowed[:_MAX_ALLOWED]]
            if len(self.allowed) > _MAX_ALLOWED:
                shown.append(f"and {len(self.allowed) - _MAX_ALLOWED} more")
            parts.append(f"; allowed: {', '.join(shown)}")
        if self.suggestion is not None:
            parts.append(
                f" (did you mean '{printable(self.suggestion, MAX_SHOWN, one_line=True)}'?)"
            )
        return "".join(parts)


#: The most problems one error keeps; the rest are counted, not listed.
MAX_PROBLEMS = 50


class Problems:
    """Every problem a reader finds in one input, reported together in one error.

    A reader checks each item inside :meth:`collecting` and calls :meth:`raise_if_any` at the
    end: no problem, nothing happens; one, it is raised as it was; several, one error of class
    ``kind`` lists them all (the first ``cap``, and a count of the rest).

    >>> problems = Problems(PortfolioError, file="p.yaml")
    >>> for name in ("pricing", "hr"):
    ...     with problems.collecting():
    ...         raise PortfolioError("not a level", file="p.yaml", item=name, key="efficiency")
    >>> len(problems)
    2
    >>> try:
    ...     problems.raise_if_any()
    ... except PortfolioError as error:
    ...     print(error.total, [p.item for p in error.problems])
    2 ['pricing', 'hr']
    """

    def __init__(
        self,
        kind: type[InputError] = InputError,
        *,
        file: str | None = None,
        cap: int = MAX_PROBLEMS,
    ) -> None:
        self.kind = kind
        self.file = file
        self.cap = cap
        self.found: list[InputError] = []
        self.total = 0
        self._collecting = _Collecting(self)

    def add(self, error: InputError) -> None:
        """Record ``error`` (every problem of it, if it already stands for several)."""
        for problem in error.problems:
            self.total += 1
            if len(self.found) < self.cap:
                self.found.append(problem)
        self.total += error.total - len(error.problems)  # those it counted but did not keep

    def collecting(self) -> _Collecting:
        """Run the block; an :class:`InputError` it raises is recorded, not propagated."""
        return self._collecting

    def __len__(self) -> int:
        return self.total

    def __bool__(self) -> bool:
        return self.total > 0

    def error(self) -> InputError | None:
        """The one error standing for every problem found, or None when there is none."""
        if not self.found:
            return None
        return self.kind.combined(self.found, total=self.total, file=self.file)

    def raise_if_any(self) -> None:
        """Raise the error standing for every problem found, if any was."""
        error = self.error()
        if error is not None:
            raise error


class _Collecting:
    """:meth:`Problems.collecting`'s block: one per :class:`Problems`, used again and nested.

    A class, not a generator context manager: readers enter one per key of every item, and a
    generator made and resumed each time costs several times a method call.
    """

    __slots__ = ("problems",)

    def __init__(self, problems: Problems) -> None:
        self.problems = problems

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, _: Any
    ) -> bool:
        if isinstance(error, InputError):
            self.problems.add(error)
            return True
        return False


class PortfolioError(InputError):
    """A portfolio file or object is invalid."""

    kind = "portfolio"


class RulePackError(InputError):
    """A rule pack is invalid."""

    kind = "rule pack"


class ScenarioError(InputError):
    """A what-if scenario is invalid."""

    kind = "scenario"


class UnknownIdError(TaxonomyError, KeyError):
    """No item of a kind has the id asked for (a function of a portfolio, say).

    A :class:`KeyError`, so ``except KeyError`` and ``in`` checks work as for a mapping.

    Args:
        kind: what was looked up, e.g. ``function``.
        wanted: the id asked for.
        known: the ids there are (for the "did you mean").
        where: whose ids they are, e.g. ``portfolio 'NHS'``.

    >>> str(UnknownIdError("function", "pricng", ["pricing", "strategy"]))
    "no function 'pricng' (did you mean 'pricing'?)"
    """

    def __init__(
        self, kind: str, wanted: str, known: Iterable[str], *, where: str | None = None
    ) -> None:
        self.kind = kind
        self.wanted = wanted
        self.suggestion = did_you_mean(wanted, known)
        message = f"no {kind} {printable(repr(wanted), MAX_SHOWN)}"
        message += f" in {printable(where, MAX_SHOWN)}" if where else ""
        if self.suggestion is not None:
            message += f" (did you mean {self.suggestion!r}?)"
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        return self.message  # not KeyError's repr of its argument


class EngineError(TaxonomyError, RuntimeError):
    """The rules engine failed, or the rules gave no single answer for a function.

    Args:
        message: what happened.
        function: the id of the function being classified, if any.
        rule: the id of the rule involved, if any.
    """

    def __init__(self, message: str, *, function: str | None = None, rule: str | None = None):
        self.function = function
        self.rule = rule
        where = []
        if function is not None:
            where.append(f"function '{function}'")
        if rule is not None:
            where.append(f"rule '{rule}'")
        prefix = (", ".join(where) + ": ") if where else ""
        super().__init__(printable(prefix + message, 8 * MAX_SHOWN))


class EngineUnavailableError(TaxonomyError, ImportError):
    """durable-rules, the rules engine, is missing or its C extension does not load.

    Raised by ``import taxonomy``; the message names the cause and the command that repairs the
    installation (see ``taxonomy._install``).
    """
