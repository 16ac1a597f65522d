"""One function of a portfolio: its id, tier and performers, and the four key questions' answers.

Every problem in a function is reported together, in the order the keys are written. The keys
allowed and required are :data:`taxonomy.input.shapes.FUNCTION`'s; each question's own keys
are its shape's, and a rule pack may declare more (:func:`taxonomy.input.answers.
declared_answers`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from taxonomy._model import (
    BodyAnswers,
    Capability,
    Effectiveness,
    Efficiency,
    Function,
    Legal,
    Level,
    OneOf,
)
from taxonomy.errors import PortfolioError, Problems, did_you_mean
from taxonomy.input.answers import (
    declared_answers,
    known_required,
    meant,
    open_answer,
    read_level,
)
from taxonomy.input.legal import read_legal
from taxonomy.input.per_body import is_per_body, order_of, read_per_body
from taxonomy.input.reader import Fields, Reader, Row
from taxonomy.input.shapes import EFFECTIVENESS, EFFICIENCY, FUNCTION, LEGAL
from taxonomy.input.values import attempt, body_list, read_body, read_id, read_notes
from taxonomy.language.facts import is_open_answer

if TYPE_CHECKING:
    from taxonomy.language.rules import RulePack

__all__ = ["read_function"]

_T = TypeVar("_T")

#: Each level as written exactly (``high``): the answer most cells give, read without a check
#: that could only pass (any other text is read, and refused, by :func:`read_level`).
_LEVELS = {name: Level.parse(name) for name in Level.names()}


@attrs.define
class _Reading:
    """One function being read: where, for which pack, and the answers found so far."""

    reader: Reader
    node: Fields
    item: str
    bodies: list[str]
    pack: RulePack
    problems: Problems
    answers: dict[str, Any] = attrs.field(factory=dict)
    unknowns: dict[str, OneOf] = attrs.field(factory=dict)
    by_body: dict[str, BodyAnswers] = attrs.field(factory=dict)
    performers: tuple[str, ...] | None = None
    outside: tuple[str, ...] = ()

    def attempt(self, key: str, check: Callable[[], _T], default: _T) -> _T:
        """``check()`` where the function gives ``key`` (a problem recorded), else ``default``."""
        return attempt(self.problems, check, default) if key in self.node else default

    def own_level(self, part: Fields, question: str, key: str) -> Level:
        """A level the model holds, or its placeholder where the answer is left open."""
        if is_per_body(part[key]):
            said = self.per_body(part, question, key, "level")
            return said if isinstance(said, Level) else Level.NONE  # else open: a placeholder
        if is_open_answer(part[key]):
            self.unknowns[f"{question}.{key}"] = open_answer(
                self.reader,
                part,
                key,
                self.item,
                "level",
                known_required=known_required(self.pack, f"{question}.{key}"),
            )
            return Level.NONE  # a placeholder nothing reads: see Function.unknowns
        level = _LEVELS.get(part[key]) if type(part[key]) is str else None
        return level if level is not None else read_level(self.reader, part, key, self.item)

    def per_body(self, part: Fields, question: str, key: str, kind: str) -> Any:
        """Each body's own answer to ``question.key``: the value they agree on, else a OneOf.

        Where they disagree the answer is open over the values they gave (kept in
        :attr:`unknowns`); who said what is kept in :attr:`by_body`. None where it cannot be
        read (the problems recorded).
        """
        name = f"{question}.{key}"
        choices = self.pack.facts.type(name).choices if kind == "choice" else ()
        said = read_per_body(
            self.reader,
            self.problems,
            part,
            key,
            (self.item, name),
            kind,
            performers=self.performers,
            choices=choices,
            known_required=known_required(self.pack, name),
        )
        if said is None:
            return None
        self.by_body[name] = said
        combined = said.combined(order_of(kind, choices, (a for _, a in said.answers)))
        if len(combined.values) == 1:
            return combined.values[0]
        self.unknowns[name] = combined
        return combined

    def declared(self, part: Fields, question: str, own: Sequence[str]) -> dict[str, Any]:
        """The answers in ``part`` to the pack's questions under ``question`` (problems kept)."""
        return declared_answers(
            self.reader,
            self.problems,
            part,
            question,
            own,
            self.pack,
            self.bodies,
            self.item,
            per_body=self.per_body,
        )

    def question(self, question: str, own: tuple[str, ...]) -> Fields:
        """The mapping answering ``question``: the pack's answers read, the own keys checked."""
        reader, item = self.reader, self.item
        part = reader.mapping(self.node[question], what=f"'{question}'", item=item, at=self.node)
        self.answers |= self.declared(part, question, own)
        with self.problems.collecting():
            required = [k for k in own if k not in meant(part, own)]
            reader.keys(part, allowed=part.keys(), required=required, item=f"{item}, {question}")
        return part


def read_function(
    reader: Reader,
    node: Fields,
    item: str,
    bodies: list[str],
    rules: RulePack,
    *,
    outside: tuple[str, ...] = (),
) -> Function:
    """One function, every problem in it raised together (one error listing them all).

    ``outside``: the ids of the independent bodies outside the portfolio, which
    ``legal.independence_from`` may name besides ``bodies``.
    """
    problems = Problems(PortfolioError, file=reader.file)
    reading = _Reading(reader, node, item, bodies, rules, problems, outside=outside)
    with problems.collecting():
        reader.keys(node, allowed=FUNCTION.names, required=FUNCTION.required, item=item)
    fn_id = reading.attempt("id", lambda: read_id(reader, node, "id", item), "")
    name = reading.attempt("name", lambda: reader.text(node, "name", item=item), "")
    scope = reading.attempt("level", lambda: _tier(reading), "")
    performed_by = reading.attempt(
        "performed_by", lambda: body_list(reader, node, "performed_by", bodies, item), None
    )
    if performed_by == ():
        with problems.collecting():
            reader.fail(
                "must name at least one organisation", at=node, key="performed_by", item=item
            )
    reading.performers = performed_by or None
    efficiency = _efficiency(reading) if "efficiency" in node else None
    effectiveness = _effectiveness(reading) if "effectiveness" in node else None
    legal = _legal(reading, performed_by) if "legal" in node else None
    agreed = (
        _agreed_lead(reading, legal, performed_by) if node.get("agreed_lead") is not None else None
    )
    levels = _capability(reading, performed_by) if "capability" in node else {}
    involves = _involves(reading, performed_by, legal) if node.get("involves") is not None else ()
    notes = attempt(problems, lambda: read_notes(reader, node, item), "")
    problems.found.sort(key=lambda problem: problem.line or 0)  # in the order they are written
    problems.raise_if_any()
    assert performed_by is not None and efficiency is not None and effectiveness is not None
    answers = reading.answers
    return Function(
        id=fn_id,
        name=name,
        level=scope,
        performed_by=performed_by,
        efficiency=efficiency,
        effectiveness=effectiveness,
        legal=legal if legal is not None else Legal(),
        capability=Capability(levels),
        notes=notes,
        agreed_lead=agreed,
        involves=involves,
        answers={k: v for k, v in answers.items() if not isinstance(v, OneOf)},
        unknowns=reading.unknowns | {k: v for k, v in answers.items() if isinstance(v, OneOf)},
        by_body=tuple(reading.by_body.values()),
    )


def _tier(reading: _Reading) -> str:
    """The tier the function runs at: one of the pack's, or any id where it declares none."""
    reader, node, item = reading.reader, reading.node, reading.item
    tiers = reading.pack.tiers()
    if tiers is None:
        return read_id(reader, node, "level", item)
    what = "a tier of this rule pack"
    return reader.choice(node, "level", tiers, item=item, what=what, fold_case=True)


def _efficiency(reading: _Reading) -> Efficiency | None:
    """Question 1's answers (None where they cannot all be read: each problem recorded)."""
    problems = reading.problems
    with problems.collecting():
        eff = reading.question("efficiency", EFFICIENCY.names)
        levels: dict[str, Level] = {}
        for key in EFFICIENCY.names:
            read = functools.partial(reading.own_level, eff, "efficiency", key)
            level = attempt(problems, read, None) if key in eff else None
            if level is not None:
                levels[key] = level
        if len(levels) == len(EFFICIENCY.names):
            return Efficiency(**levels)
    return None


def _effectiveness(reading: _Reading) -> Effectiveness | None:
    """Question 2's answer (None where it cannot be read: the problem recorded)."""
    with reading.problems.collecting():
        fx = reading.question("effectiveness", EFFECTIVENESS.names)
        if "joint_benefit" in fx:
            return Effectiveness(reading.own_level(fx, "effectiveness", "joint_benefit"))
    return None


def _legal(reading: _Reading, performed_by: tuple[str, ...] | None) -> Legal | None:
    """Question 3's answers (None where they cannot be read: each problem recorded)."""
    reader, node, item = reading.reader, reading.node, reading.item
    with reading.problems.collecting():
        if node["legal"] is not None:
            lg = reader.mapping(node["legal"], what="'legal'", item=item, at=node)
            reading.answers |= reading.declared(lg, "legal", LEGAL.names)
        return read_legal(reader, node, item, reading.bodies, performed_by, outside=reading.outside)
    return None


def _agreed_lead(
    reading: _Reading, legal: Legal | None, performed_by: tuple[str, ...] | None
) -> str | None:
    """The lead the bodies agreed: one of those carrying it out, and one the law lets lead."""
    reader, node, item = reading.reader, reading.node, reading.item
    with reading.problems.collecting():
        agreed = read_body(reader, node, "agreed_lead", node["agreed_lead"], reading.bodies, item)
        if performed_by is not None and agreed not in performed_by:
            reader.fail(
                f"'{agreed}' does not carry out the function: the lead is one of the bodies in "
                "performed_by",
                at=node,
                key="agreed_lead",
                item=item,
                allowed=performed_by,
                suggestion=did_you_mean(agreed, performed_by),
            )
        if legal is not None and not legal.may_lead(agreed):
            why = (
                "the function must stay independent of it"
                if agreed in legal.independence_from
                else f"only employees of {', '.join(legal.delegable_to)} may carry it out"
            )
            reader.fail(f"'{agreed}' cannot lead: {why}", at=node, key="agreed_lead", item=item)
        return agreed
    return None


def _capability(reading: _Reading, performed_by: tuple[str, ...] | None) -> dict[str, Level]:
    """Question 4's answers: each body's level (every problem recorded)."""
    reader, node, item, bodies = reading.reader, reading.node, reading.item, reading.bodies
    problems = reading.problems
    levels: dict[str, Level] = {}
    with problems.collecting():
        cap = reader.mapping(node["capability"], what="'capability'", item=item, at=node)
        reading.answers |= reading.declared(cap, "capability", bodies)
        for body in cap:
            if f"capability.{body}" in reading.answers:
                continue
            with problems.collecting():
                if body not in bodies:
                    reader.fail(
                        f"'{body}' is not one of the portfolio's organisations",
                        at=cap,
                        key=body,
                        item=f"{item}, capability",
                        allowed=bodies,
                        suggestion=did_you_mean(body, bodies),
                    )
                levels[body] = reading.own_level(cap, "capability", body)
        if performed_by is not None:
            given = set(cap) | meant(cap, bodies)  # "nhsee" is nhse's answer, misspelt
            _capability_answered(reading, cap, performed_by, given)
    return levels


def _capability_answered(
    reading: _Reading, cap: Fields, performed_by: tuple[str, ...], given: set[str]
) -> None:
    """Refuse a body that performs the function with no capability answered for it.

    In a spreadsheet, each missing answer is its own cell (``capability.westbrook``); in YAML,
    one message names them all at the ``capability`` key.
    """
    missing = [b for b in performed_by if b not in given]
    if not missing:
        return
    reader, item = reading.reader, reading.item
    if isinstance(cap, Row):
        for body in missing:
            where = cap.location(body)
            reading.problems.add(
                PortfolioError(
                    f"capability must be answered for every body in performed_by; missing: {body}",
                    file=reader.file,
                    sheet=where.sheet,
                    line=where.line,
                    column=cap.columns.get(body, f"capability.{body}"),
                    item=item,
                    key=f"capability.{body}",
                )
            )
        return
    with reading.problems.collecting():
        reader.fail(
            f"capability must be answered for every body in performed_by; missing: "
            f"{', '.join(missing)}",
            at=reading.node,
            key="capability",
            item=item,
        )


def _involves(
    reading: _Reading, performed_by: tuple[str, ...] | None, legal: Legal | None
) -> tuple[str, ...]:
    """The bodies taking part without carrying it out: not a performer, nor one it is apart from.

    Each problem is recorded (an unknown body, a performer, a body it must stay apart from).
    """
    reader, node, item, problems = reading.reader, reading.node, reading.item, reading.problems
    raw = node["involves"]
    named = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, list) else []
    doing = [b for b in named if b in (performed_by or ())]
    barred = [b for b in named if legal is not None and b in legal.independence_from]
    for bodies, problem in (
        (
            doing,
            "carries it out (performed_by): involves names the bodies that take part "
            "without carrying it out",
        ),
        (barred, "is a body the function must stay independent of, so it cannot be involved"),
    ):
        if bodies:
            with problems.collecting():
                quoted = ", ".join(f"'{b}'" for b in bodies)
                reader.fail(f"{quoted} {problem}", at=node, key="involves", item=item)
    none: tuple[str, ...] = ()
    known = [*reading.bodies, *barred]  # a barred outside body: one message, the one above
    found = attempt(problems, lambda: body_list(reader, node, "involves", known, item), none)
    return none if doing or barred else found
