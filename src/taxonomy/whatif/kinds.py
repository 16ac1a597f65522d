"""The registry of scenario change kinds: each kind reads, applies and describes itself.

A change kind is a class registered with :func:`change_kind` under the YAML key a scenario
writes it with (``merge``, ``set``, ...). It says how its mapping is read
(:meth:`ChangeKind.read`), what its JSON Schema is (:meth:`ChangeKind.schema`), and, on each
change, how it is applied (:meth:`Change.apply`) and described. The scenario loader, the
scenario JSON Schema and :meth:`taxonomy.whatif.scenarios.Scenario.apply` read the registry, so
adding a kind is one class in one module: :mod:`taxonomy.whatif.changes` declares ``merge``,
``set``, ``law`` and ``rules``; :mod:`taxonomy.whatif.governance` ``add``, ``remove``,
``delegate`` and ``undelegate``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

import attrs

from taxonomy._model import Portfolio
from taxonomy.errors import InputError, Problems, ScenarioError
from taxonomy.language.rules import RulePack

if TYPE_CHECKING:
    from taxonomy.input.reader import Fields, Reader

__all__ = [
    "CHANGE_KINDS",
    "Applied",
    "Change",
    "ChangeKind",
    "Where",
    "change_kind",
    "each_problem",
]


@attrs.frozen
class Where:
    """Where a change was written: file, change number (1-based) and line."""

    file: str = ""
    number: int = 0
    line: int | None = None
    #: What is numbered: a scenario's "change", a sweep's "axis".
    what: str = "change"

    @property
    def value_key(self) -> str:
        """The key a change's value is written under: ``value``, or an axis's ``values``."""
        return "values" if self.what == "axis" else "value"

    @property
    def item(self) -> str | None:
        """The item errors name: ``change 3``, or None for a change built in Python."""
        return f"{self.what} {self.number}" if self.number else None

    def error(self, problem: str, **fields: Any) -> ScenarioError:
        """A :class:`ScenarioError` located at this change."""
        return ScenarioError(
            problem, file=self.file or None, line=self.line, item=self.item, **fields
        )


@attrs.frozen
class Applied:
    """A scenario applied: the new portfolio and pack (the baseline is untouched)."""

    portfolio: Portfolio
    rules: RulePack
    notes: tuple[str, ...] = ()

    @property
    def single_body(self) -> str | None:
        """The one body left after mergers, if only one is left."""
        ids = self.portfolio.organisation_ids
        return ids[0] if len(ids) == 1 else None


class Change(Protocol):
    """One change of a scenario: where it was written, what it does, in words and in effect."""

    @property
    def at(self) -> Where:
        """Where the change was written."""
        ...

    def describe(self) -> str:
        """The change in words."""
        ...

    def apply(self, applied: Applied) -> Applied:
        """The portfolio and pack after this change (``applied`` is not changed).

        Raises:
            ScenarioError: located at the change.
        """
        ...


class ChangeKind(Protocol):
    """A change kind: the class of its changes, able to read one and say its schema."""

    @classmethod
    def read(cls, key: str, reader: Reader, body: Fields, at: Where) -> Change:
        """The change written as ``{key: body}`` at ``at`` (ScenarioError if it is not one)."""
        ...

    @classmethod
    def schema(cls, key: str, rules: RulePack) -> dict[str, Any]:
        """The JSON Schema of ``body`` under ``key``, for a scenario written for ``rules``.

        It may refer to the scenario schema's shared definitions (``#/$defs/condition``,
        ``rule``, ``joint_body``, ``role``, ``id``, ``level``, ``open_level``).
        """
        ...


#: Every change kind by its YAML key, in the order they were registered.
CHANGE_KINDS: dict[str, ChangeKind] = {}

_Kind = TypeVar("_Kind")


def change_kind(*keys: str) -> Callable[[_Kind], _Kind]:
    """Register a class as the change kind written under each of ``keys``."""

    def register(kind: _Kind) -> _Kind:
        for key in keys:
            if key in CHANGE_KINDS:
                raise ValueError(f"change kind '{key}' is registered twice")
            # A class decorator cannot be typed as 'a class with these classmethods': the
            # tests read, apply and build the schema of every registered kind.
            CHANGE_KINDS[key] = cast(ChangeKind, kind)
        return kind

    return register


def each_problem(
    error: InputError, at: Where, located: Callable[[InputError], ScenarioError]
) -> InputError:
    """One error standing for ``located(problem)`` for each problem of ``error``.

    A pack or governance refused while a change is applied may have several problems: each is
    reported at the change.
    """
    problems = Problems(ScenarioError, file=at.file or None)
    for problem in error.problems:
        problems.add(located(problem))
    problems.total += error.total - len(error.problems)  # counted by the pack, not listed
    found = problems.error()
    assert found is not None
    return found
