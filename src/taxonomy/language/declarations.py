"""Reading fact declarations: a pack's ``facts:`` lists, each declaration checked on its own.

:func:`read_facts` reads one file's list; :func:`check_declarations` checks them together
(unique names, derivations over declared facts of the right types). What the facts *are* is
:mod:`taxonomy.language.facts`.
"""

from __future__ import annotations

import contextlib
import typing
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from taxonomy._model import Function, Portfolio
from taxonomy.errors import did_you_mean
from taxonomy.language.facts import (
    ANSWER_KEY,
    ANSWER_QUESTIONS,
    DERIVATIONS,
    FACT_KEYS,
    FACT_NAME,
    TYPES,
    Fact,
    FactType,
    allowed_values,
    parse_answer,
)

__all__ = ["check_declarations", "read_facts"]

_ROOTS: Mapping[str, type] = {"function": Function, "portfolio": Portfolio}


def read_facts(reader: Any, items: Any, *, at: Any, pack: str, problems: Any = None) -> list[Fact]:
    """Read a ``facts:`` list (of one pack file) into declarations, each checked on its own.

    Args:
        reader: the :class:`~taxonomy.input.reader.Reader` of the file.
        items: the list.
        at: where the list is, for messages.
        pack: the name of the pack declaring them.
        problems: a :class:`~taxonomy.errors.Problems` recording each declaration's problem
            (None: the first problem is raised).
    """
    found = []
    collect = problems.collecting if problems is not None else contextlib.nullcontext
    with collect():
        for node, where in reader.each(reader.sequence(items, what="'facts'", at=at)):
            with collect():
                found.append(_read_fact(reader, node, where, pack))
    return found


def _read_fact(reader: Any, value: Any, at: Any, pack: str) -> Fact:
    node = reader.mapping(value, what="a fact", at=at)
    item = f"fact '{node['name']}'" if isinstance(node.get("name"), str) else "fact"
    reader.keys(node, allowed=FACT_KEYS, required=("name", "type", "meaning"), item=item)
    name = reader.text(node, "name", item=item)
    if not FACT_NAME.match(name):
        reader.fail(
            "fact names are dotted lower-case words (letters, digits, '_'), e.g. "
            "legal.democratic_control",
            at=node,
            key="name",
            item=item,
        )
    if name.startswith("finding."):
        reader.fail(
            "'finding.' names are derived by rules, not declared", at=node, key="name", item=item
        )
    kind, ftype = _declared_type(reader, node, item)
    meaning = reader.text(node, "meaning", item=item)
    source = reader.text(node, "source", item=item) if node.get("source") is not None else ""
    path, derive = _origin(reader, node, item, name, kind)
    if "optional" in node:
        if node["optional"] is not False or path is None or not ftype.optional:
            reader.fail(
                "only a body, bodies or text fact read from the model may say 'optional: false' "
                "(the model never leaves it empty)",
                at=node,
                key="optional",
                item=item,
            )
        ftype = attrs.evolve(ftype, optional=False)
    default = _default(reader, node, item, ftype, answered=path is None and derive is None)
    known = False
    if "known" in node:
        if node["known"] != "required" or derive is not None:
            reader.fail(
                "'known' takes 'required' (a portfolio may not answer it unknown), on a fact "
                "portfolios answer or one read from the model",
                at=node,
                key="known",
                item=item,
                allowed=("required",),
            )
        known = True
    return Fact(name, ftype, meaning, source, path, derive, default, pack, known)


def _declared_type(reader: Any, node: Any, item: str) -> tuple[str, FactType]:
    """The declared type's name and the type (a choice fact's with its ``choices``)."""
    kind = reader.choice(node, "type", TYPES, item=item, what="a fact type")
    ftype = TYPES[kind]
    if kind == "choice":
        if "choices" not in node:
            reader.fail("a choice fact needs its 'choices'", at=node, key="type", item=item)
        words = reader.sequence(node["choices"], what="'choices'", item=item, at=node)
        if not words or not all(isinstance(w, str) and ANSWER_KEY.match(w) for w in words):
            reader.fail("list the choices as lower-case words", at=node, key="choices", item=item)
        if len(set(words)) != len(words):
            reader.fail("lists a choice twice", at=node, key="choices", item=item)
        ftype = attrs.evolve(ftype, choices=tuple(words))
    elif "choices" in node:
        reader.fail("only a choice fact has 'choices'", at=node, key="choices", item=item)
    return kind, ftype


def _origin(
    reader: Any, node: Any, item: str, name: str, kind: str
) -> tuple[str | None, tuple[str, Any] | None]:
    """Where the fact's value comes from: a model path, a derivation, or (neither) an answer."""
    sources = [k for k in ("from", "derive") if k in node]
    if len(sources) > 1:
        reader.fail("give 'from' or 'derive', not both", at=node, key="derive", item=item)
    if "from" in node:
        path = reader.text(node, "from", item=item)
        problem = _check_path(path)
        if problem:
            reader.fail(problem[0], at=node, key="from", item=item, suggestion=problem[1])
        return path, None
    if "derive" in node:
        return None, _read_derive(reader, node, item, kind)
    question, _, key = name.partition(".")
    if question not in ANSWER_QUESTIONS or not ANSWER_KEY.match(key):
        reader.fail(
            "a fact portfolios answer is named QUESTION.KEY, where QUESTION is one of "
            f"{', '.join(ANSWER_QUESTIONS)} (or give 'from' or 'derive')",
            at=node,
            key="name",
            item=item,
            suggestion=did_you_mean(question, ANSWER_QUESTIONS),
        )
    if kind == "body_levels":
        reader.fail(
            "body levels are the capability answers; a pack cannot declare more",
            at=node,
            key="type",
            item=item,
        )
    return None, None


def _default(reader: Any, node: Any, item: str, ftype: FactType, *, answered: bool) -> Any:
    """The declared ``default`` (None when there is none): only an answered fact has one."""
    if "default" not in node:
        return None
    if not answered:
        reader.fail(
            "only a fact portfolios answer has a default", at=node, key="default", item=item
        )
    wrong, default = parse_answer(ftype, node["default"], bodies=None)
    if wrong:
        reader.fail(wrong, at=node, key="default", item=item, allowed=allowed_values(ftype))
    return default


def _read_derive(reader: Any, node: Any, item: str, kind: str) -> tuple[str, Any]:
    spec = reader.mapping(node["derive"], what="'derive'", item=item, at=node)
    if len(spec) != 1:
        reader.fail(
            "'derive' takes one derivation", at=node, key="derive", item=item, allowed=DERIVATIONS
        )
    ((op, args),) = spec.items()
    if op not in DERIVATIONS:
        reader.fail(
            f"'{op}' is not a derivation",
            at=node,
            key="derive",
            item=item,
            allowed=DERIVATIONS,
            suggestion=did_you_mean(op, DERIVATIONS),
        )
    if DERIVATIONS[op] != kind:
        reader.fail(
            f"'{op}' gives a {DERIVATIONS[op]}, but the fact is declared {kind}",
            at=node,
            key="type",
            item=item,
        )
    shapes = {
        "count": "a fact name",
        "overlaps": "a list of two fact names",
        "contains": "{from: PATH, value: WORD}",
        "highest": "{of: FACT, over: FACT}",
    }
    shape = shapes.get(op, shapes["highest"])
    ok = (
        (op == "count" and isinstance(args, str))
        or (op == "overlaps" and isinstance(args, list | tuple) and len(args) == 2)
        or (op == "contains" and isinstance(args, Mapping) and set(args) == {"from", "value"})
        or (op in ("highest", "lowest", "spread")
            and isinstance(args, Mapping) and set(args) == {"of", "over"})
    )  # fmt: skip
    if not ok:
        reader.fail(f"'{op}' takes {shape}", at=node, key="derive", item=item)
    if op == "contains":
        problem = _check_path(str(args["from"]))
        if problem:
            reader.fail(problem[0], at=node, key="derive", item=item, suggestion=problem[1])
        return op, {"from": str(args["from"]), "value": args["value"]}
    if op == "overlaps":
        return op, tuple(str(a) for a in args)
    if op == "count":
        return op, args
    return op, {"of": str(args["of"]), "over": str(args["over"])}


def _check_path(path: str) -> tuple[str, str | None] | None:
    """Why ``path`` names no public attribute of the model (None when it does)."""
    root, *parts = path.split(".")
    if root not in _ROOTS or not parts:
        return (f"'{path}' must start with function. or portfolio.", None)
    owner: Any = _ROOTS[root]
    for part in parts:
        names = _public_names(owner)
        if part not in names:
            return (
                f"'{path}': {getattr(owner, '__name__', owner)} has no '{part}'",
                did_you_mean(part, names),
            )
        owner = names[part]
    return None


def _public_names(owner: Any) -> dict[str, Any]:
    """The public attributes of a model class, with the class of each (or None if unknown)."""
    if not isinstance(owner, type):
        return {}
    hints = typing.get_type_hints(owner) if attrs.has(owner) else {}
    names: dict[str, Any] = {}
    for name in hints:
        if not name.startswith("_"):
            names[name] = _class_of(hints[name])
    for name in dir(owner):
        attribute = getattr(owner, name, None)
        if not name.startswith("_") and isinstance(attribute, property) and attribute.fget:
            ret = typing.get_type_hints(attribute.fget).get("return")
            names[name] = _class_of(ret)
    return names


def _class_of(hint: Any) -> Any:
    if isinstance(hint, type) and attrs.has(hint):
        return hint
    for arg in typing.get_args(hint):
        if isinstance(arg, type) and attrs.has(arg):
            return arg
    return None


def check_declarations(declared: Iterable[Fact], fail: Any) -> None:
    """Whole-pack checks: unique names, derivations over declared facts of the right types."""
    seen: dict[str, Fact] = {}
    for fact in declared:
        if fact.name in seen:
            fail(
                fact,
                f"fact '{fact.name}' is declared twice (first by pack '{seen[fact.name].pack}')",
            )
        seen[fact.name] = fact
    for fact in seen.values():
        if fact.derive is None:
            continue
        op, args = fact.derive
        needs: list[tuple[str, tuple[str, ...]]] = []
        if op == "count":
            needs = [(args, ("bodies",))]
        elif op == "overlaps":
            needs = [(a, ("bodies",)) for a in args]
        elif op in ("highest", "lowest", "spread"):
            needs = [(args["of"], ("body_levels",)), (args["over"], ("bodies",))]
        for name, kinds in needs:
            if name not in seen:
                fail(
                    fact,
                    f"derives from '{name}', which is not declared",
                    suggestion=did_you_mean(name, seen),
                )
            if seen[name].derive is not None:
                fail(fact, f"derives from '{name}', which is itself derived")
            if seen[name].type.name not in kinds:
                fail(fact, f"'{op}' needs '{name}' to be of type {' or '.join(kinds)}")
