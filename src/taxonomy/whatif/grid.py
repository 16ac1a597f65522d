"""A sweep's grid: axes of answers (or the law) and their values, read from YAML or built.

Every combination of the axes' values is a scenario (:meth:`Sweep.scenarios`), or a random
sample of them; :mod:`taxonomy.whatif.sweep` evaluates them. :func:`sweep_schema` is the JSON
Schema of a sweep file.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs

from taxonomy.errors import Problems, ScenarioError
from taxonomy.input.reader import Fields, Reader, load_yaml, source_name
from taxonomy.language.rules import Condition, RulePack, check_keys
from taxonomy.whatif.answers import (
    Selector,
    check_field,
    field_schema,
    normalise_value,
    read_where,
    valued,
)
from taxonomy.whatif.changes import LawChange, SetAnswer
from taxonomy.whatif.kinds import Where
from taxonomy.whatif.scenarios import Scenario

__all__ = ["MAX_SCENARIOS", "Axis", "Sweep", "load_sweep", "show", "sweep_schema"]


def _values(value: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(value)


@attrs.frozen
class Axis:
    """One dimension of a grid: an answer (on some functions) or the law, and its values."""

    label: str
    values: tuple[Any, ...] = attrs.field(converter=_values)
    field: str | None = None
    selector: Selector | None = None
    law: bool = False
    #: Where the axis was written (a sweep file's axis number and line), for messages.
    at: Where = attrs.field(factory=Where, eq=False, repr=False)

    @classmethod
    def setting(
        cls,
        field: str,
        values: Sequence[Any],
        *,
        function: str | None = None,
        functions: str | None = None,
        where: Condition | None = None,
    ) -> Axis:
        """An axis over one answer; select functions as in ``Scenario.set``."""
        values = [normalise_value(field, value) for value in values]
        for value in values:
            check_field(field, value, Where())
        selector = Selector(function=function, all=functions == "*", where=where)
        if function is None and functions is None and where is None:
            selector = Selector(all=True)
        label = (
            f"{field}@{function}"
            if function is not None
            else f"{field}@filter"
            if where is not None
            else field
        )
        return cls(label, tuple(values), field, selector)

    @classmethod
    def joint_committees(cls, values: Sequence[bool] = (False, True)) -> Axis:
        """An axis over the law: may the bodies form joint committees?"""
        return cls("law.joint_committees", tuple(values), law=True)

    def change(self, value: Any) -> SetAnswer | LawChange:
        """The scenario change that sets this axis to ``value``."""
        if self.law:
            return LawChange(bool(value), at=self.at)
        assert self.field is not None and self.selector is not None
        return SetAnswer(self.selector, self.field, value, at=self.at)


def _axes(value: Iterable[Axis]) -> tuple[Axis, ...]:
    return tuple(value)


@attrs.frozen
class Sweep:
    """A grid of scenarios: every combination of the axes' values, or a random sample."""

    name: str
    axes: tuple[Axis, ...] = attrs.field(converter=_axes)
    sample: int | None = None
    seed: int = 0

    @property
    def size(self) -> int:
        """How many scenarios the full grid has."""
        size = 1
        for axis in self.axes:
            size *= len(axis.values)
        return size

    @property
    def count(self) -> int:
        """How many scenarios a sweep evaluates: the sample's size, or the full grid's."""
        size = self.size
        return min(self.sample, size) if self.sample is not None else size

    def scenarios(self) -> list[tuple[dict[str, Any], Scenario]]:
        """The scenarios with the axis values that made each, in a fixed order.

        A sample is drawn from the grid's positions without building the grid, so a sample of
        ten from 100^6 combinations costs ten scenarios. A full grid larger than
        :data:`MAX_SCENARIOS` is refused: sample it.
        """
        return [(labels, scenario) for _, labels, scenario in self.numbered()]

    def numbered(self) -> list[tuple[int, dict[str, Any], Scenario]]:
        """The scenarios with their position in the full grid and their axis values."""
        return list(self.iter_numbered())

    def iter_numbered(self) -> Iterator[tuple[int, dict[str, Any], Scenario]]:
        """:meth:`numbered`, one scenario at a time (the checks made before the first).

        Raises:
            ScenarioError: the sample or the full grid is larger than :data:`MAX_SCENARIOS`.
        """
        positions = self._positions()
        return (self._scenario(position) for position in positions)

    def at(self, position: int) -> tuple[dict[str, Any], Scenario]:
        """The axis values and the scenario at ``position`` of the full grid.

        >>> grid = Sweep("g", (Axis.setting("level", ["national", "regional"], function="it"),))
        >>> grid.at(1)[0]
        {'level@it': 'regional'}
        """
        _, labels, scenario = self._scenario(position)
        return labels, scenario

    def _positions(self) -> Sequence[int]:
        size = self.size
        if self.sample is not None and self.sample > MAX_SCENARIOS:
            raise ScenarioError(
                f"a sample of {self.sample} scenarios is more than {MAX_SCENARIOS}",
                item=f"sweep '{self.name}'",
                key="sample",
            )
        if self.sample is not None and self.sample < size:
            positions: Sequence[int] = _sample(size, self.sample, self.seed)
        elif size > MAX_SCENARIOS:
            raise ScenarioError(
                f"the grid has {size} scenarios, more than {MAX_SCENARIOS}: add "
                "'sample: {size: N}' to evaluate a random sample of it",
                item=f"sweep '{self.name}'",
            )
        else:
            positions = range(size)
        return positions

    def _scenario(self, position: int) -> tuple[int, dict[str, Any], Scenario]:
        """The scenario at ``position`` in the grid's order (the last axis varies fastest)."""
        combo: list[Any] = []
        rest = position
        for axis in reversed(self.axes):
            rest, index = divmod(rest, len(axis.values))
            combo.append(axis.values[index])
        combo.reverse()
        labels = {axis.label: value for axis, value in zip(self.axes, combo, strict=True)}
        name = ", ".join(f"{k}={show(v)}" for k, v in labels.items()) or self.name
        changes = tuple(axis.change(v) for axis, v in zip(self.axes, combo, strict=True))
        return position, labels, Scenario(name, self.name, changes)


#: The most scenarios a sweep evaluates: a full grid, or a sample.
MAX_SCENARIOS = 1_000_000


def _sample(size: int, count: int, seed: int) -> list[int]:
    """``count`` distinct positions of ``size``, sorted, reproducible from ``seed``."""
    rng = random.Random(seed)
    if size <= sys.maxsize:  # random.sample takes a range up to sys.maxsize
        return sorted(rng.sample(range(size), count))
    chosen: set[int] = set()
    while len(chosen) < count:  # count <= MAX_SCENARIOS, far below size: few repeats
        chosen.add(rng.randrange(size))
    return sorted(chosen)


def show(value: Any) -> str:
    """An axis value as a scenario's name and a CSV cell write it (``true``, ``high``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --- loading ------------------------------------------------------------------------------------


def load_sweep(path: str | Path) -> Sweep:
    """Load and validate a sweep YAML file::

    name: Capability sweep
    grid:
      - {functions: "*", field: capability.nhsi, values: [low, medium, high]}
      - {law: joint_committees, values: [false, true]}
    sample: {size: 10, seed: 1}      # optional: a random sample of the grid

    Every problem is reported in one :class:`ScenarioError`: each axis is checked on its own
    (one problem per axis), as are the keys, the name and the sample.
    """
    file = source_name(path)
    reader = Reader(file, ScenarioError)
    data = load_yaml(path, error=ScenarioError)
    if data is None:
        reader.fail("the file is empty")
    top = reader.mapping(data, what="a sweep")
    problems = Problems(ScenarioError, file=file)
    check_keys(
        problems,
        reader,
        top,
        allowed=("name", "description", "grid", "sample"),
        required=("name", "grid"),
    )
    name = ""
    if "name" in top:
        with problems.collecting():
            name = reader.text(top, "name")
    axes = []
    if "grid" in top:
        with problems.collecting():
            grid = reader.sequence(top["grid"], what="'grid'", at=top)
            for number, (raw, where) in enumerate(reader.each(grid), start=1):
                at = Where(file, number, where.line, what="axis")
                with problems.collecting():
                    node = reader.mapping(raw, what="a grid axis", item=f"axis {number}", at=grid)
                    axes.append(_read_axis(reader, node, at, number))
    sample, seed = None, 0
    if top.get("sample") is not None:
        with problems.collecting():
            sample, seed = _read_sample(reader, top, problems)
    problems.raise_if_any()
    return Sweep(name, tuple(axes), sample, seed)


def _read_sample(reader: Reader, top: Fields, problems: Problems) -> tuple[int | None, int]:
    """The ``sample:`` of a sweep file: its size and seed, each checked on its own."""
    sample_node = reader.mapping(top["sample"], what="'sample'", at=top)
    check_keys(
        problems, reader, sample_node, allowed=("size", "seed"), required=("size",), item="sample"
    )
    sample, seed = sample_node.get("size"), sample_node.get("seed", 0)
    if "size" in sample_node:
        with problems.collecting():
            if not isinstance(sample, int) or isinstance(sample, bool) or sample < 1:
                reader.fail("must be a whole number of scenarios", at=sample_node, key="size")
            if sample > MAX_SCENARIOS:
                reader.fail(f"must be at most {MAX_SCENARIOS}", at=sample_node, key="size")
    with problems.collecting():
        if not isinstance(seed, int) or isinstance(seed, bool):
            reader.fail("must be a whole number", at=sample_node, key="seed")
    return sample, seed


def _read_axis(reader: Reader, node: Fields, at: Where, number: int) -> Axis:
    item = f"axis {number}"
    if "law" in node:
        reader.keys(node, allowed=("law", "values"), required=("law", "values"), item=item)
        reader.choice(node, "law", ("joint_committees",), item=item, what="a law switch")
        values = node["values"]
        if (
            not isinstance(values, list | tuple)
            or not values
            or not all(isinstance(v, bool) for v in values)
        ):
            raise at.error("law values are a list of true/false", key="values")
        return attrs.evolve(Axis.joint_committees(tuple(values)), at=at)
    reader.keys(
        node,
        allowed=("function", "functions", "where", "field", "values"),
        required=("field", "values"),
        item=item,
    )
    values = node["values"]
    if not isinstance(values, list | tuple) or not values:
        raise at.error("'values' must be a non-empty list", key="values")
    field = reader.text(node, "field", item=item)
    values = [normalise_value(field, value) for value in values]
    for value in values:
        check_field(field, value, at)
    if "where" in node:
        where = read_where(reader, node, at, item)
        return Axis(f"{field}@filter", tuple(values), field, Selector(where=where), at=at)
    if "function" in node:
        axis = Axis.setting(field, values, function=reader.text(node, "function", item=item))
        return attrs.evolve(axis, at=at)
    if node.get("functions", "*") != "*":
        raise at.error("'functions' takes \"*\"; use 'where' to filter", key="functions")
    return attrs.evolve(Axis.setting(field, values, functions="*"), at=at)


def sweep_schema(rules: RulePack) -> dict[str, Any]:
    """The JSON Schema of a sweep: a grid of axes, each a field and its values."""
    # The input schemas' shared builders are private to their module: one spelling for every
    # shape (loaded when a schema is asked for, not when a sweep is read).
    from taxonomy.schemas import _inputs, _parts

    law_axis = _parts.closed(
        {
            "law": {"const": "joint_committees"},
            "values": {"type": "array", "items": {"type": "boolean"}, "minItems": 1},
        },
        allowed=("law", "values"),
        required=("law", "values"),
    )
    setting_axis = _parts.closed(
        {
            "function": _parts.text("the one function changed"),
            "functions": {"const": "*"},
            "where": {"$ref": "#/$defs/condition"},
            "field": field_schema(),
            "values": {"type": "array", "minItems": 1, "description": "the values tried"},
        },
        allowed=("function", "functions", "where", "field", "values"),
        required=("field", "values"),
    )
    setting_axis = valued(setting_axis, "values", rules.tiers() or ())
    sample = _parts.closed(
        {
            "size": {"type": "integer", "minimum": 1, "maximum": MAX_SCENARIOS},
            "seed": {"type": "integer"},
        },
        allowed=("size", "seed"),
        required=("size",),
        description="a random sample of the grid",
    )
    top = _parts.closed(
        {
            "name": _parts.text("the sweep's name"),
            "description": {"description": "what it is for"},
            "grid": {
                "type": "array",
                "items": {"anyOf": [law_axis, setting_axis]},
                "description": "the axes: every combination of their values is a scenario",
            },
            "sample": _parts.nullable(sample),
        },
        allowed=("name", "description", "grid", "sample"),
        required=("name", "grid"),
    )
    return _parts.root(
        "sweep",
        "taxonomy sweep",
        "A sweep: a grid of answer changes, every combination evaluated.",
        top,
        {**_parts.common_defs(), **_inputs._condition_defs()},
    )
