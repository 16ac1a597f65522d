"""The facts a rule can read, as a rule pack declares them.

Nothing here lists facts: a pack declares every fact its rules read (``facts:`` in any of its
files; the default pack's are in ``rules/facts.yaml``), each with a name, a type, a meaning and
a source. A fact's value on a function comes from one of three places:

- **an answer** the portfolio gives under one of the four key questions: a fact named
  ``legal.democratic_control`` is answered as ``legal: {democratic_control: high}``. Portfolios
  are checked against the declarations (type, allowed values, required or defaulted);
- **the model** (``from: function.legal.independence_from``): an attribute of the function or
  the portfolio the library itself interprets (the bodies, the four answers it draws structures
  from, the law);
- **a derivation** over other facts (``derive: {count: legal.independence_from}``): ``count``,
  ``overlaps``, ``contains``, ``highest``, ``lowest`` and ``spread``.

Types decide which operators and values a condition may use: ``level`` (none < low < medium <
high), ``bool``, ``count``, ``choice`` (one of declared words), ``body`` (an organisation id),
``bodies``, ``text`` and ``body_levels`` (a level per body, read only through derivations).
Facts of type ``body``, ``bodies`` and ``text`` may be absent on a function.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import attrs

from taxonomy._model import Function, Level, OneOf, Portfolio, format_value
from taxonomy._output_shape import STRING, STRINGS, Shape, key
from taxonomy.errors import UnknownIdError

__all__ = [
    "ANSWER_KEY",
    "ANSWER_QUESTIONS",
    "DERIVATIONS",
    "FACT_DATA",
    "FACT_KEYS",
    "FACT_NAME",
    "OPERATORS",
    "TYPES",
    "Fact",
    "FactType",
    "Facts",
    "OPEN_TYPES",
    "format_value",
    "is_open_answer",
    "parse_open",
]

# format_value lives with the model (explanations format their typed values with it); it is
# re-exported here because rules and explanations write fact values the same way.


@attrs.frozen
class FactType:
    """A kind of fact: which operators apply to it and what its values are.

    Attributes:
        name: one of :data:`TYPES`.
        operators: the comparison operators it accepts.
        optional: whether the fact may be absent on a function.
        choices: the words a ``choice`` fact may take.
    """

    name: str
    operators: tuple[str, ...]
    optional: bool = False
    choices: tuple[str, ...] = ()


_ORDERED = ("==", "!=", "<", "<=", ">", ">=", "in")

LEVEL = FactType("level", _ORDERED)
BOOL = FactType("bool", ("==", "!="))
COUNT = FactType("count", _ORDERED)
CHOICE = FactType("choice", ("==", "!=", "in"))
BODY = FactType("body", ("==", "!=", "in", "present"), optional=True)
BODIES = FactType("bodies", ("present",), optional=True)
TEXT = FactType("text", ("present",), optional=True)
BODY_LEVELS = FactType("body_levels", ())

#: Every fact type a pack may declare, by name.
TYPES: Mapping[str, FactType] = {
    t.name: t for t in (LEVEL, BOOL, COUNT, CHOICE, BODY, BODIES, TEXT, BODY_LEVELS)
}

#: Every comparison operator a condition may use.
OPERATORS = ("==", "!=", "<", "<=", ">", ">=", "in", "present")

#: Fact types a derived finding may have, by the kind of value its rules give.
FINDING_TYPES: Mapping[str, FactType] = {"level": LEVEL, "bool": BOOL}

#: The key questions a portfolio answers facts under (board paper para 8).
ANSWER_QUESTIONS = ("efficiency", "effectiveness", "legal", "capability")

#: Derivations, with the type each gives.
DERIVATIONS: Mapping[str, str] = {
    "count": "count",
    "overlaps": "bool",
    "contains": "bool",
    "highest": "level",
    "lowest": "level",
    "spread": "count",
}


@attrs.frozen
class Fact:
    """One declared fact.

    Attributes:
        name: dotted, e.g. ``legal.democratic_control``.
        type: its :class:`FactType` (optional-ness and choices included).
        meaning: what it means, in a sentence.
        source: where it comes from (a paper, a statute).
        path: for a fact read from the model, the attribute path (``function.level``).
        derive: for a derived fact, the derivation and its arguments.
        default: for an answered fact, the value when a portfolio is silent (None: required,
            or absent for the types that may be absent).
        pack: the name of the pack that declared it.
        known_required: the pack declares ``known: required``: a portfolio may not answer it
            ``unknown`` or with a range (the rules need the answer itself).
    """

    name: str
    type: FactType
    meaning: str
    source: str = ""
    path: str | None = None
    derive: tuple[str, Any] | None = None
    default: Any = None
    pack: str = ""
    known_required: bool = False

    @property
    def answered(self) -> bool:
        """Whether portfolios answer it (neither read from the model nor derived)."""
        return self.path is None and self.derive is None

    @property
    def question(self) -> str:
        """The key question it sits under (the first part of its name)."""
        return self.name.split(".", 1)[0]

    @property
    def key(self) -> str:
        """The key a portfolio answers it by, under its question (``democratic_control``)."""
        return self.name.split(".", 1)[1]

    @property
    def required(self) -> bool:
        """Whether every function must answer it."""
        return self.answered and self.default is None and not self.type.optional

    def to_data(self) -> dict[str, Any]:
        """The declaration as plain data (the form a pack file holds, and its hash is over)."""
        return FACT_DATA.dump(self)


def _derive_data(derive: tuple[str, Any] | None) -> dict[str, Any] | None:
    """A derivation as a pack file writes it: ``{op: args}``."""
    if derive is None:
        return None
    op, args = derive
    return {op: list(args) if isinstance(args, tuple) else args}


def _default_data(value: Any) -> Any:
    return None if value is None else answer_data(value)


def _optional_data(fact: Fact) -> bool | None:
    """False where the fact is required though its type may be absent; None: not written."""
    return False if not fact.type.optional and TYPES[fact.type.name].optional else None


def _known_data(fact: Fact) -> str | None:
    return "required" if fact.known_required else None


def answer_data(value: Any) -> Any:
    """An answer as a file writes it: a level by name, a list of bodies as a list."""
    if isinstance(value, Level):
        return str(value)
    if isinstance(value, OneOf):
        return value.to_data()
    if isinstance(value, tuple):
        return list(value)
    return value


#: A fact's declaration as plain data (:meth:`Fact.to_data`), and the schema of its keys
#: (``known`` is left to the open object).
FACT_DATA = Shape(
    key("name", STRING),
    key("type", {"enum": list(TYPES)}, attr="type.name"),
    key("choices", STRINGS, attr="type.choices", via=list, omit_empty=True),
    key("from", STRING, attr="path", omit_none=True),
    key("derive", {"type": "object"}, via=_derive_data, omit_none=True),
    key("default", {}, via=_default_data, omit_none=True),
    key("optional", {"type": "boolean"}, read=_optional_data, omit_none=True),
    key("meaning", STRING),
    key("source", STRING, omit_empty=True),
    key("known", STRING, read=_known_data, omit_none=True, listed=False),
)


@attrs.frozen
class Facts:
    """Every fact a pack declares, in declaration order.

    >>> from taxonomy.language.rules import load_rules
    >>> facts = load_rules().facts
    >>> facts.type("efficiency.duplication").name, "legal.board_reserved" in facts
    ('level', True)
    """

    declared: tuple[Fact, ...]
    _by_name: dict[str, Fact] = attrs.field(init=False, eq=False, repr=False)
    # answered()'s answers by question, made on first use: asked for every function read.
    _answered: dict[str | None, tuple[Fact, ...]] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {f.name: f for f in self.declared})
        object.__setattr__(self, "_answered", {})

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __iter__(self) -> Iterator[Fact]:
        return iter(self.declared)

    def __len__(self) -> int:
        return len(self.declared)

    def names(self) -> tuple[str, ...]:
        """Every declared name, in order."""
        return tuple(self._by_name)

    def get(self, name: str) -> Fact:
        """The declaration of ``name``.

        Raises:
            UnknownIdError: no fact of that name is declared (a ``KeyError``, with a "did you
                mean").
        """
        try:
            return self._by_name[name]
        except KeyError:
            raise UnknownIdError("declared fact", name, self._by_name) from None

    def type(self, name: str) -> FactType:
        """The type of a declared fact."""
        return self.get(name).type

    def answered(self, question: str | None = None) -> tuple[Fact, ...]:
        """The facts portfolios answer (under ``question``, if given)."""
        found = self._answered.get(question)
        if found is None:
            found = tuple(f for f in self.declared if f.answered and question in (None, f.question))
            self._answered[question] = found
        return found

    def lead_sources(self) -> tuple[str, ...]:
        """The facts a lead rule may name: every declared ``body`` or ``bodies`` fact."""
        return tuple(f.name for f in self.declared if f.type.name in ("body", "bodies"))

    def values(self, function: Function, portfolio: Portfolio) -> dict[str, Any]:
        """The value of every declared fact on ``function``; absent facts are left out.

        Levels are :class:`Level`, counts ``int``, booleans ``bool``, bodies and choices
        ``str``, body lists ``tuple`` and body levels a ``dict``.
        """
        values: dict[str, Any] = {}
        answers = dict(function.answers)
        roots = {"function": function, "portfolio": portfolio}
        for fact in self.declared:
            if fact.derive is not None:
                continue
            if fact.path is not None:
                value = _convert(fact.type, _resolve(roots, fact.path))
            else:
                value = answers.get(fact.name, fact.default)
            if not _absent(value):
                values[fact.name] = value
        for fact in self.declared:
            if fact.derive is not None:
                values[fact.name] = _derive(fact.derive, values, roots)
        return values

    def to_data(self) -> list[dict[str, Any]]:
        """Every declaration as plain data."""
        return [f.to_data() for f in self.declared]


def _absent(value: Any) -> bool:
    return value is None or value == () or value == ""


def _resolve(roots: Mapping[str, Any], path: str) -> Any:
    root, *parts = path.split(".")
    value = roots[root]
    for part in parts:
        value = getattr(value, part)
    return value


def _convert(ftype: FactType, value: Any) -> Any:
    if ftype.name == "bodies":
        return tuple(getattr(v, "id", v) for v in value)
    if ftype.name == "count":
        return len(value) if isinstance(value, tuple | list) else int(value)
    if ftype.name == "body_levels":
        return value.as_dict() if hasattr(value, "as_dict") else dict(value)
    return value


def _derive(derive: tuple[str, Any], values: Mapping[str, Any], roots: Mapping[str, Any]) -> Any:
    op, args = derive
    if op == "count":
        return len(values.get(args, ()))
    if op == "overlaps":
        first, second = args
        return bool(set(values.get(first, ())) & set(values.get(second, ())))
    if op == "contains":
        return args["value"] in _resolve(roots, args["from"])
    levels: dict[str, Level] = values[args["of"]]
    found = [levels.get(body, Level.NONE) for body in values.get(args["over"], ())] or [Level.NONE]
    if op == "highest":
        return max(found)
    if op == "lowest":
        return min(found)
    return int(max(found)) - int(min(found))


#: What a fact's name may be (dotted lower-case words), and an answer's key or a choice.
FACT_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
ANSWER_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
#: The keys of a fact declaration.
FACT_KEYS = (
    "name", "type", "choices", "from", "derive", "default", "optional", "meaning", "source",
    "known",
)  # fmt: skip
# Read by taxonomy.schemas._inputs, which builds the schema from the loaders' key lists.
_NAME, _ANSWER_KEY, _FACT_KEYS = FACT_NAME, ANSWER_KEY, FACT_KEYS


# --- answers ----------------------------------------------------------------------------------

#: The fact types an answer may leave open (``unknown``, a list; a range for the ordered ones).
OPEN_TYPES = ("level", "bool", "choice", "count")

_RANGE = re.compile(r"^\s*([A-Za-z0-9_]*)\s*\.\.\s*([A-Za-z0-9_]*)\s*$")


def is_open_answer(value: Any) -> bool:
    """Whether ``value`` is written as an open answer: ``unknown``, ``a..b`` or a list.

    >>> is_open_answer("unknown"), is_open_answer("low..high"), is_open_answer("low")
    (True, True, False)
    """
    if isinstance(value, str):
        return value.strip().lower() == "unknown" or ".." in value
    return isinstance(value, list | tuple)


def parse_open(
    kind: str, value: Any, choices: Iterable[str] = ()
) -> tuple[str | None, OneOf | None, tuple[str, ...]]:
    """An answer written ``unknown``, ``low..high`` (levels and counts) or a list of values.

    The one reading of an open answer, for a portfolio (YAML, CSV, a workbook) and a scenario
    alike. ``kind`` is the fact's type (one of :data:`OPEN_TYPES`), ``choices`` a choice
    fact's words.

    Returns:
        ``(problem, None, allowed)`` where ``value`` is not a valid open answer (``allowed``:
        the values to suggest), else ``(None, the OneOf, ())``.

    >>> parse_open("level", "medium..high")[1]
    OneOf(values=(<Level.MEDIUM: 2>, <Level.HIGH: 3>))
    >>> parse_open("level", "high..low")[0]
    "'high..low' is out of order: write the lower end first (low..high)"
    """
    options = tuple(choices)
    if kind not in OPEN_TYPES:
        return (
            f"a {kind} answer cannot be unknown (only levels, true/false, choices and counts)",
            None,
            (),
        )
    if isinstance(value, str) and value.strip().lower() == "unknown":
        return None, OneOf(()), ()
    if isinstance(value, str):
        return _open_range(kind, value)
    if not isinstance(value, list | tuple):
        return f"'{value}' is not an open answer (unknown, low..high, or a list)", None, ()
    values = []
    for raw in value:
        problem, parsed, allowed = _open_value(kind, raw, options)
        if problem is not None:
            return problem, None, allowed
        values.append(parsed)
    if not values:
        return "is an empty list: an answer needs at least one value (or: unknown)", None, ()
    if len(set(values)) != len(values):
        return "lists a value twice", None, ()
    orders: dict[str, list[Any]] = {"level": list(Level), "bool": [False, True]}
    order = orders.get(kind, list(options) if kind == "choice" else [])
    ranked = sorted(values, key=lambda v: order.index(v) if order else int(v))
    return None, OneOf(tuple[Any, ...](ranked)), ()


def _open_value(
    kind: str, raw: Any, options: tuple[str, ...]
) -> tuple[str | None, Any, tuple[str, ...]]:
    """One value of an open answer: ``(problem, value, allowed)``."""
    if kind == "level":
        folded = _fold(raw, Level.names())
        if folded is None:
            return f"'{raw}' is not a level", None, Level.names()
        return None, Level.parse(folded), ()
    if kind == "count":
        if isinstance(raw, str) and raw.strip().isdigit():
            raw = int(raw)
        if not isinstance(raw, int) or isinstance(raw, bool) or raw < 0:
            return f"'{raw}' is not a count (0 or more)", None, ()
        return None, raw, ()
    if kind == "bool":
        if not isinstance(raw, bool):
            return f"'{raw}' is not true or false", None, ()
        return None, raw, ()
    folded = _fold(raw, options)
    if folded is None:
        return f"'{raw}' is not one of the choices", None, options
    return None, folded, ()


def _open_range(kind: str, value: str) -> tuple[str | None, OneOf | None, tuple[str, ...]]:
    """An open answer written ``low..high`` (levels and counts only)."""
    found = _RANGE.match(value)
    if kind not in ("level", "count"):
        return (
            f"'{value}': a range low..high is only for levels and counts (ordered); list "
            "the values this answer may take instead",
            None,
            (),
        )
    if found is None or not found.group(1) or not found.group(2):
        return f"'{value}' is an empty range: write LOW..HIGH, e.g. low..high", None, ()
    ends = [_open_value(kind, found.group(1), ()), _open_value(kind, found.group(2), ())]
    for problem, _, allowed in ends:
        if problem is not None:
            return problem, None, allowed
    low, high = ends[0][1], ends[1][1]
    if low > high:
        return (
            f"'{value}' is out of order: write the lower end first "
            f"({found.group(2)}..{found.group(1)})",
            None,
            (),
        )
    if kind == "level":
        return None, OneOf(tuple[Any, ...](Level(i) for i in range(low, high + 1))), ()
    return None, OneOf(tuple[Any, ...](range(low, high + 1))), ()


def parse_answer(
    ftype: FactType, value: Any, *, bodies: Iterable[str] | None
) -> tuple[str | None, Any]:
    """Check an answer to a fact of type ``ftype``: ``(problem, value)``, problem None when fine.

    ``bodies`` are the organisation ids a ``body`` or ``bodies`` answer may name (None: any id).
    """
    from taxonomy.input.reader import too_large

    if too_large(value):
        return "is too large: no answer is a number that large", None
    kind = ftype.name
    known = list(bodies) if bodies is not None else None
    shown = str(value).lower() if isinstance(value, bool) else str(value)
    if kind == "level":
        level = _fold(value, Level.names())
        if level is not None:
            return None, Level.parse(level)
        return f"'{shown}' is not a level", None
    if kind == "bool":
        return (None, value) if isinstance(value, bool) else ("must be true or false", None)
    if kind == "count":
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        return (None, value) if ok else ("must be a whole number, 0 or more", None)
    if kind == "choice":
        choice = _fold(value, ftype.choices)
        if choice is not None:
            return None, choice
        return f"'{shown}' is not one of the choices ({', '.join(ftype.choices)})", None
    if kind == "text":
        ok = isinstance(value, str) and value.strip() != ""
        return (None, value.strip()) if ok else ("must be text", None)
    if kind == "body":
        if isinstance(value, str) and (known is None or value in known):
            return None, value
        return f"'{value}' is not one of the portfolio's organisations", None
    if kind == "bodies":
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            return "must be a list of organisation ids", None
        for entry in items:
            if not isinstance(entry, str) or (known is not None and entry not in known):
                return f"'{entry}' is not one of the portfolio's organisations", None
        if len(set(items)) != len(items):
            return "lists an organisation twice", None
        return None, tuple(items)
    return f"a {kind} fact cannot be answered", None


def _fold(value: Any, choices: Iterable[str]) -> str | None:
    """The one of ``choices`` that ``value`` names, ignoring case where that is unambiguous."""
    from taxonomy.input.reader import fold_choice

    return fold_choice(value, choices) if isinstance(value, str) else None


def allowed_values(ftype: FactType) -> tuple[str, ...]:
    """The values an answer or a condition may give a fact of this type, for messages."""
    return {
        "level": Level.names(),
        "bool": ("true", "false"),
        "count": ("0", "1", "2", "..."),
        "choice": ftype.choices,
        "body": ("an organisation id",),
        "bodies": ("a list of organisation ids",),
        "text": ("text",),
    }.get(ftype.name, ())
