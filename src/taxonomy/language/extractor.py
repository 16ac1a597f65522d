"""The Python a compiled pack runs, written once per pack: its extractor and its node keys.

:class:`~taxonomy.language.compiled.CompiledPack` executes what this module writes:

- :func:`extractor_source`, ``extract(function, portfolio) -> (case, values)``: the facts the
  rules read, computed as :meth:`~taxonomy.language.facts.Facts.values` does, and the case;
- :func:`node_keys_source`, one function per rule giving the key its explanation node is
  shared under: the rule and the values it reads (a level by its rank).

Nothing here decides: the source only reads a function and compares values.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from typing import Any

import attrs

from taxonomy._model import Function, Level, Portfolio
from taxonomy._model.fields import check_ids, check_some_ids
from taxonomy.language.facts import Fact
from taxonomy.language.rules import RulePack

__all__ = [
    "Part",
    "constants",
    "exact_levels",
    "extractor_source",
    "needed_facts",
    "node_keys_source",
]

#: One part of a case: ``("value", fact)`` (the fact's value as conditions compare it), or
#: ``("test", fact, op, literal)`` (whether that test holds).
Part = tuple[Any, ...]


def constants(rules: RulePack) -> dict[str, Any]:
    """The values ``contains`` derivations look for, by fact name."""
    return {
        fact.name: fact.derive[1]["value"]
        for fact in rules.facts
        if fact.derive is not None and fact.derive[0] == "contains"
    }


def needed_facts(rules: RulePack, wanted: set[str]) -> list[Fact]:
    """The declared facts to compute: ``wanted`` and what their derivations read."""
    names = set(wanted)
    for fact in rules.facts:
        if fact.name in wanted and fact.derive is not None:
            op, args = fact.derive
            if op == "count":
                names.add(args)
            elif op == "overlaps":
                names.update(args)
            elif op in ("highest", "lowest", "spread"):
                names.update((args["of"], args["over"]))
    return [fact for fact in rules.facts if fact.name in names]


_CONVERT = {
    "bodies": 'v = tuple(getattr(x, "id", x) for x in v)',
    "count": "v = len(v) if isinstance(v, tuple | list) else int(v)",
    "body_levels": 'v = v.as_dict() if hasattr(v, "as_dict") else dict(v)',
}
# Where the model's own types say what an absent value can be (``Facts.values`` leaves out
# None, () and ""): a level, true/false, a count or body levels is never () or "".
_THERE = {
    "level": "v is not None",
    "bool": "v is not None",
    "count": "v is not None",
    "body_levels": "v is not None",
    "bodies": "v != ()",
}
# A value as a case holds it, where the model's type is known: a level by its rank.
_KEY = {"level": "int({})", "bool": "{}", "count": "{}", "choice": "{}", "body": "{}"}
_ROOTS: Mapping[str, type] = {"function": Function, "portfolio": Portfolio}


def _ids_field(path: str) -> bool:
    """Whether ``path`` reads a model field the model keeps as a tuple of body ids.

    A field validated as ids (:func:`check_ids`) whose converter returns a tuple holds its
    ids as strings already: what the ``bodies`` conversion would give, so none is written.
    """
    root, *parts = path.split(".")
    owner: Any = _ROOTS.get(root)
    for index, part in enumerate(parts):
        if not (isinstance(owner, type) and attrs.has(owner)):
            return False
        field = attrs.fields_dict(owner).get(part)
        if field is None:
            return False
        if index == len(parts) - 1:
            convert = field.converter
            returns = typing.get_type_hints(convert).get("return") if convert else None
            # A validator and another (``@field.validator``) are combined into one holding both.
            checks = getattr(field.validator, "_validators", (field.validator,))
            ids = any(check in (check_ids, check_some_ids) for check in checks)
            return ids and returns == tuple[str, ...]
        owner = typing.get_type_hints(owner).get(part)
    return False


def _prefixes(paths: list[str]) -> dict[str, str]:
    """The attribute paths two or more facts read through (``function.legal``), to a local."""
    counts: dict[str, int] = {}
    for path in paths:
        prefix = path.rpartition(".")[0]
        if "." in prefix:
            counts[prefix] = counts.get(prefix, 0) + 1
    shared = sorted(prefix for prefix, count in counts.items() if count > 1)
    return {prefix: f"p{index}" for index, prefix in enumerate(shared)}


def _reading(path: str, prefixes: Mapping[str, str]) -> str:
    """``path`` as Python, through the local holding its prefix if there is one."""
    prefix, _, last = path.rpartition(".")
    return f"{prefixes[prefix]}.{last}" if prefix in prefixes else path


def extractor_source(rules: RulePack, wanted: set[str], case_parts: tuple[Part, ...]) -> str:
    """The Python source of ``extract(function, portfolio) -> (case, values)``.

    It computes each fact as :meth:`~taxonomy.language.facts.Facts.values` does (model paths,
    answers with their defaults, then derivations), for the facts the rules read only, and the
    case from the same values. A level a condition compares is turned into its rank once.
    """
    needed = needed_facts(rules, wanted)
    local = {fact.name: f"x{index}" for index, fact in enumerate(needed)}
    paths = [f.path for f in needed if f.path is not None]
    paths += [f.derive[1]["from"] for f in needed if f.derive and f.derive[0] == "contains"]
    prefixes = _prefixes(paths)
    typed = set()  # facts whose values the model types (read from it, or derived)
    lines = ["def extract(function, portfolio):", "    values = {}"]
    lines += [f"    {name} = {prefix}" for prefix, name in prefixes.items()]
    if any(f.answered for f in needed):
        lines.append("    answers = dict(function.answers)")
    for fact in needed:
        if fact.derive is not None:
            continue
        name = local[fact.name]
        if fact.path is not None:
            typed.add(fact.name)
            lines.append(f"    v = {_reading(fact.path, prefixes)}")
            if fact.type.name in _CONVERT and not (
                fact.type.name == "bodies" and _ids_field(fact.path)
            ):
                lines.append(f"    {_CONVERT[fact.type.name]}")
            there = _THERE.get(fact.type.name, 'v is not None and v != ""')
        else:
            lines.append(f"    v = answers.get({fact.name!r}, DEFAULTS[{fact.name!r}])")
            there = 'not (v is None or v == () or v == "")'
        lines += [f"    if {there}:", f"        values[{fact.name!r}] = {name} = v"]
        lines.append(f"    else:\n        {name} = ABSENT")
    lines += _derivations(needed, local, prefixes)
    typed.update(fact.name for fact in needed if fact.derive is not None)
    ranks = _ranks(rules, case_parts, typed)
    for ranked in sorted(ranks):
        name = local[ranked]
        if rules.facts.get(ranked).derive is not None:  # a derived fact is always there
            lines.append(f"    k{name} = int({name})")
        else:
            lines.append(f"    k{name} = ABSENT if {name} is ABSENT else int({name})")
    parts = [_part_source(rules, part, local[part[1]], typed, ranks) for part in case_parts]
    lines.append(f"    return ({', '.join(parts)}{',' if len(parts) == 1 else ''}), values")
    return "\n".join(lines) + "\n"


def _ranks(pack: RulePack, case_parts: tuple[Part, ...], typed: set[str]) -> set[str]:
    """The typed level facts the case compares: their rank is computed once, in ``k<local>``."""
    return {
        part[1]
        for part in case_parts
        if part[0] == "test"
        and part[2] != "present"
        and part[1] in typed
        and pack.facts.type(part[1]).name == "level"
    }


def _derivations(
    needed: list[Fact], local: Mapping[str, str], prefixes: Mapping[str, str]
) -> list[str]:
    """The lines computing each derived fact, as ``Facts.values`` does.

    The levels a highest/lowest/spread derivation reads are listed once for every derivation
    over the same levels, and their highest and lowest taken once.
    """
    lines: list[str] = []
    found: dict[str, str] = {}  # a levels list -> its local
    taken: set[str] = set()  # the highest (h<n>) and lowest (m<n>) already computed

    def extreme(kind: str, levels: str) -> str:
        name = f"{kind}{levels}"
        if name not in taken:
            taken.add(name)
            lines.append(f"    {name} = {'max' if kind == 'h' else 'min'}({levels})")
        return name

    for fact in needed:
        if fact.derive is None:
            continue
        op, args = fact.derive
        if op in ("highest", "lowest", "spread"):
            over = _bodies(local, args["over"])
            listed = f"[{local[args['of']]}.get(b, NONE) for b in {over}] or [NONE]"
            if listed not in found:
                found[listed] = f"l{len(found)}"
                lines.append(f"    {found[listed]} = {listed}")
            levels = found[listed]
            if op == "highest":
                value = extreme("h", levels)
            elif op == "lowest":
                value = extreme("m", levels)
            else:
                value = f"int({extreme('h', levels)}) - int({extreme('m', levels)})"
        elif op == "count":
            value = f"len({_bodies(local, args)})"
        elif op == "overlaps":
            first, second = args
            value = f"not set({_bodies(local, first)}).isdisjoint({_bodies(local, second)})"
        else:  # contains
            value = f"CONSTANTS[{fact.name!r}] in {_reading(args['from'], prefixes)}"
        lines.append(f"    values[{fact.name!r}] = {local[fact.name]} = {value}")
    return lines


_OPS = {"==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=", "in": "in"}


def _part_source(
    pack: RulePack, part: Part, name: str, typed: set[str], ranks: AbstractSet[str]
) -> str:
    """A Python expression for one part of a case, on the fact's local variable ``name``.

    ``ranks``: the level facts whose rank is in the local ``k<name>``.
    """
    fact = part[1]
    ftype = pack.facts.type(fact)
    if part[0] == "value":
        if fact in typed and ftype.name in _KEY:
            shown = _KEY[ftype.name].format(name)
            if pack.facts.get(fact).derive is not None:  # a derived fact is always there
                return shown
            return f"ABSENT if {name} is ABSENT else {shown}"
        return f"encode({name})"
    _, _, op, literal = part
    if op == "present":
        return f"{name} is not ABSENT"
    value = f"k{name}" if fact in ranks else f"int({name})" if ftype.name == "level" else name
    test = f"{value} {_OPS[op]} {literal!r}"
    if pack.facts.get(fact).derive is not None:
        return f"({test})"
    # Absent, a fact differs from anything and fails every other test.
    if op == "!=":
        return f"({name} is ABSENT or {test})"
    return f"({name} is not ABSENT and {test})"


def _bodies(local: Mapping[str, str], name: str) -> str:
    return f"({local[name]} if {local[name]} is not ABSENT else ())"


# The types whose values, read from the model or derived, are never a level: their node key
# holds them as they are (a level is keyed by its rank: hashing a level hashes its name).
_NOT_LEVELS = frozenset({"bodies", "body", "count", "bool", "choice", "text"})


def node_keys_source(rules: RulePack) -> str:
    """The Python source of ``key<i>(get)`` for the ``i``-th rule of ``rules``.

    Each returns ``(rule id, value of each fact the rule reads)`` (``get``: the values'
    ``get``), a level by its rank, as ``CompiledPack.node`` keys the rule's explanation node.
    """
    lines: list[str] = []
    for index, rule in enumerate(rules.rules):
        items = [repr(rule.id)]
        for fact in rule.reads():
            declared = rules.facts.get(fact) if fact in rules.facts else None
            if (
                declared is not None
                and not declared.answered
                and (declared.type.name in _NOT_LEVELS)
            ):
                items.append(f"get({fact!r})")
            else:
                items.append(f"(int(v) if type(v := get({fact!r})) is Level else v)")
        lines.append(f"def key{index}(get):\n    return ({', '.join(items)},)\n")
    return "\n".join(lines)


def exact_levels(rules: RulePack, parts: tuple[Part, ...]) -> frozenset[str]:
    """The level facts read from the model or derived whose value the case parts determine.

    Those tested ``==`` every level: the truths of those tests say which level it is (or,
    all false, that it is absent).
    """
    ranks = {int(level) for level in Level}
    tested: dict[str, set[Any]] = {}
    for part in parts:
        if part[0] == "test" and part[2] == "==":
            tested.setdefault(part[1], set()).add(part[3])
    return frozenset(
        fact
        for fact, literals in tested.items()
        if not rules.facts.get(fact).answered
        and rules.facts.type(fact).name == "level"
        and ranks <= literals
    )
