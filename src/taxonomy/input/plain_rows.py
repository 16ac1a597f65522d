"""Rows of a functions sheet written plainly, read straight into their functions.

Most rows of a large portfolio are written plainly: an id, a name and a tier; bodies by their
ids, separated by commas; levels as the scale names them (``high``); true or false. Such a row
is read here in one pass over its cells, each checked against what was worked out once from
the headings (which column holds which answer, the bodies, the tiers), and built into its
function without first being read as the YAML's mapping.

A row this reader cannot vouch for is not read here: anything else in a cell (an open answer,
a level in capitals, each body's own answer, a body not in the portfolio, a post deciding) or
any reason to refuse the row. The portfolio's own reader reads it instead
(:func:`taxonomy.input.rows.function_row`, then :func:`taxonomy.input.function.read_function`),
so every problem is found, and worded, exactly as ever. A row read here gives the function
that reader gives (``tests/test_stream_rows.py`` compares both, row by row).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeGuard

from taxonomy._model import (
    DELEGATION_LIMITS,
    ID_PATTERN,
    Capability,
    Effectiveness,
    Efficiency,
    Function,
    Legal,
    Level,
)
from taxonomy._model.function import prechecked
from taxonomy.errors import CONTROL_CHARACTER
from taxonomy.input.reader import lone_surrogate
from taxonomy.input.shapes import FUNCTION

if TYPE_CHECKING:
    from taxonomy.language.rules import RulePack

__all__ = ["PlainRows"]

#: Each level as the scale names it: a level cell written otherwise is read the usual way.
_LEVELS = {name: Level.parse(name) for name in Level.names()}

#: A true/false cell's words (as :func:`taxonomy.input.sheets.boolean` reads them).
_BOOLEANS = {
    **dict.fromkeys(("true", "yes", "y", "1"), True),
    **dict.fromkeys(("false", "no", "n", "0"), False),
}

#: The columns of questions 1 and 2, each a level.
_QUESTIONS = ("efficiency.duplication", "efficiency.simplification", "effectiveness.joint_benefit")

#: The legal columns read here, in the order :class:`Legal`'s key is made of them.
_LEGAL = (
    "legal.statutory_owner",
    "legal.held_by_each",
    "legal.delegable_to",
    "legal.board_reserved",
    "legal.not_delegable_to",
    "legal.independence_from",
    "legal.separate_reason",
    "legal.with_agreement_of",
    "legal.agreement_basis",
    "legal.employed_by_parent",
)

#: Every column read here, besides ``capability.<body>``.
_READ = frozenset(
    {
        "id",
        "name",
        "level",
        "performed_by",
        *_QUESTIONS,
        "agreed_lead",
        "involves",
        *_LEGAL,
    }
)

#: The columns the portfolio's reader reads a function from (the rest it leaves to the
#: headings' check): a value in one not read here sends the row to that reader.
_TAKEN = frozenset(
    {
        *(key.name for key in FUNCTION.keys if key.shape is None),
        *(
            f"{key.shape.prefix}{inner.name}"
            for key in FUNCTION.keys
            if key.shape is not None
            for inner in key.shape.keys
        ),
    }
)

#: How many legal answers, as written, are remembered with what they give: most rows of a
#: portfolio share a few.
_LEGAL_KEPT = 4096


def _text(value: Any) -> TypeGuard[str]:
    """Whether a cell is text the reader takes as written (no control character, no half pair)."""
    return (
        type(value) is str
        and CONTROL_CHARACTER.search(value) is None
        and lone_surrogate(value) is None
    )


def _listed(value: Any, known: frozenset[str]) -> tuple[str, ...] | None:
    """The ids a cell lists, each one of ``known`` and once; None where they are not.

    An empty cell lists none.
    """
    if value is None:
        return ()
    if type(value) is not str:
        return None
    parts = tuple(part for part in map(str.strip, value.split(",")) if part)
    if len(set(parts)) != len(parts) or not known.issuperset(parts):
        return None
    return parts


class PlainRows:
    """A functions sheet's rows read straight into functions, where each is written plainly.

    Made once a run, from the sheet's headings (see the module's docstring).

    Args:
        header: the functions sheet's headings.
        bodies: the portfolio's organisations' ids.
        outside: the ids of the independent bodies outside it (``independence_from`` may name
            them).
        tiers: the tiers the pack allows (None: any id).
    """

    def __init__(
        self,
        header: Sequence[str],
        *,
        bodies: Sequence[str],
        outside: Sequence[str],
        tiers: Sequence[str] | None,
    ) -> None:
        self.bodies = frozenset(bodies)
        self.apart = frozenset([*bodies, *outside])
        self.tiers = frozenset(tiers) if tiers is not None else None
        prefix = "capability."
        #: Each column answering a body's capability, with the body, in the headings' order.
        self.capability = tuple(
            (column, column[len(prefix) :])
            for column in header
            if column.startswith(prefix) and column[len(prefix) :] in self.bodies
        )
        read = _READ | {column for column, _ in self.capability}
        #: The columns whose value sends a row to the portfolio's reader.
        self.declined = tuple(
            column
            for column in header
            if column not in read and (column in _TAKEN or column.startswith(prefix))
        )
        self._legal: dict[tuple[Any, ...], Legal | None] = {}

    @classmethod
    def compile(
        cls,
        header: Sequence[str],
        *,
        bodies: Sequence[str],
        outside: Sequence[str],
        rules: RulePack,
    ) -> PlainRows | None:
        """The reader for ``header``'s rows, or None where none is read this way.

        None where ``rules`` declares questions of its own: their answers are read by the
        portfolio's reader, which knows each declaration.
        """
        if rules.facts.answered():
            return None
        return cls(header, bodies=bodies, outside=outside, tiers=rules.tiers())

    def function(self, cells: Mapping[str, Any]) -> Function | None:
        """The function of a row's ``cells``; None where the row is not read here."""
        get = cells.get
        for column in self.declined:
            if get(column) is not None:
                return None
        fn_id, name, tier = get("id"), get("name"), get("level")
        if type(fn_id) is not str or not ID_PATTERN.match(fn_id) or not _text(name):
            return None
        if type(tier) is not str or not (
            tier in self.tiers if self.tiers is not None else ID_PATTERN.match(tier)
        ):
            return None
        performed_by = _listed(get("performed_by"), self.bodies)
        duplication, simplification, benefit = (_level(get(column)) for column in _QUESTIONS)
        if not performed_by or duplication is None or simplification is None or benefit is None:
            return None
        legal = self.legal(cells, performed_by)
        capability = self.levels(cells, performed_by)
        if legal is None or capability is None:
            return None
        involves = _listed(get("involves"), self.bodies)
        agreed = get("agreed_lead")
        if involves is None or set(involves) & {*performed_by, *legal.independence_from}:
            return None  # involves a body that carries it out, or one it is apart from
        if agreed is not None and (agreed not in performed_by or not legal.may_lead(agreed)):
            return None
        # Each value is checked above as the model's validators check it: not checked again.
        efficiency = prechecked(Efficiency, duplication=duplication, simplification=simplification)
        return prechecked(
            Function,
            id=fn_id,
            name=name,
            level=tier,
            performed_by=performed_by,
            efficiency=efficiency,
            effectiveness=prechecked(Effectiveness, joint_benefit=benefit),
            legal=legal,
            capability=prechecked(Capability, levels=tuple(capability.items())),
            agreed_lead=agreed,
            involves=involves,
            answers=(),
            unknowns=(),
            by_body=(),
        )

    def levels(
        self, cells: Mapping[str, Any], performed_by: tuple[str, ...]
    ) -> dict[str, Level] | None:
        """Each body's capability, in the headings' order; None unless every performer's is."""
        levels: dict[str, Level] = {}
        for column, body in self.capability:
            value = cells.get(column)
            if value is None:
                continue
            level = _level(value)
            if level is None:
                return None
            levels[body] = level
        return levels if all(body in levels for body in performed_by) else None

    def legal(self, cells: Mapping[str, Any], performed_by: tuple[str, ...]) -> Legal | None:
        """The legal answers of a row; None where they are not read here.

        Remembered by the cells as written (and the performers, where ``held_by_each`` is
        ``all``): the same answers give the same (immutable) object.
        """
        written = tuple(map(cells.get, _LEGAL))
        key = (*written, performed_by) if written[1] == "all" else written
        if key in self._legal:
            legal = self._legal[key]
        else:
            legal = self._read_legal(written, performed_by)
            if len(self._legal) < _LEGAL_KEPT:
                self._legal[key] = legal
        independence = legal.independence_from if legal is not None else ()
        if independence and set(performed_by) <= set(independence):
            return None  # nobody could carry it out: the reader says so
        return legal

    def _read_legal(self, written: tuple[Any, ...], performed_by: tuple[str, ...]) -> Legal | None:
        """:meth:`legal`'s answers read from the cells (in :data:`_LEGAL`'s order)."""
        owners_cell, held_cell, delegable_cell, reserved_cell, limits_cell = written[:5]
        apart_cell, reason, consent_cell, basis, parent_cell = written[5:]
        owners = _listed(owners_cell, self.bodies)
        held = performed_by if held_cell == "all" else _listed(held_cell, self.bodies)
        delegable = _listed(delegable_cell, self.bodies)
        independence = _listed(apart_cell, self.apart)
        consent = _listed(consent_cell, self.bodies)
        limits = _listed(limits_cell, frozenset(DELEGATION_LIMITS))
        reserved = _flag(reserved_cell)
        parent = _flag(parent_cell)
        if (
            owners is None
            or held is None
            or delegable is None
            or independence is None
            or consent is None
            or limits is None
            or reserved is None
            or parent is None
            or (reason is not None and not _text(reason))
            or (basis is not None and not _text(basis))
        ):
            return None
        if (
            (delegable and set(delegable) <= set(independence))
            or set(owners) & set(independence)
            or set(held) & set(independence)
            or set(consent) & {*owners, *held, *independence}
        ):
            return None  # answers the law cannot hold together: the reader says why
        return Legal(
            statutory_owner=owners,
            held_by_each=held,
            board_reserved=reserved,
            not_delegable_to=limits,
            independence_from=independence,
            with_agreement_of=consent,
            delegable_to=delegable,
            separate_reason=reason or "",
            agreement_basis=basis or "",
            employed_by_parent=parent,
        )


def _level(value: Any) -> Level | None:
    """A level cell written as the scale names it (``high``); None where it is written otherwise."""
    return _LEVELS.get(value) if type(value) is str else None


def _flag(value: Any) -> bool | None:
    """A true/false cell (false where empty); None where it is neither."""
    if value is None:
        return False
    return _BOOLEANS.get(value.lower()) if type(value) is str else None
