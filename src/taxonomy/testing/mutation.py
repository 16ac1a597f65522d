"""Mutation testing of rule packs: how tightly do your tests pin your rules?

:func:`mutants` makes small changes to a pack, one at a time:

- **threshold**: a comparison's value moved one step (``>= high`` to ``>= medium``);
- **drop**: one condition dropped from an ``all`` or ``any``;
- **swap**: a conclusion moved to the neighbouring arrangement or level, or a lead taken from
  another source;
- **priority**: the priorities of two rules that conclude the same kind of thing swapped.

:func:`run_mutants` runs the user's tests (pytest) against each mutant, with the mutant standing in
for the pack (``load_rules`` on the pack's folder loads the mutant), and reports the mutants that
survived: a surviving mutant is a change to the rules that no test noticed.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import attrs
import yaml

from taxonomy._model import Arrangement, Level
from taxonomy._output_shape import STRING, STRINGS, Schema, Shape, each, key
from taxonomy.errors import RulePackError
from taxonomy.language.rules import (
    JOINT,
    AllOf,
    AnyOf,
    Condition,
    FactTest,
    Not,
    Rule,
    RulePack,
    load_rules,
)

__all__ = [
    "MUTANT_ERROR_JSON",
    "MUTATION_JSON",
    "SURVIVOR_JSON",
    "MutationReport",
    "Mutant",
    "mutants",
    "mutation_schema",
    "run_mutants",
    "write_pack",
]


@attrs.frozen
class Mutant:
    """One small change to one rule (or two rules' priorities)."""

    id: str
    kind: str
    rule: str
    change: str
    rules: tuple[Rule, ...] = attrs.field(repr=False, eq=False)


#: A mutant that survived, in the ``rules-mutate`` JSON.
SURVIVOR_JSON = Shape(
    key("id", STRING), key("kind", STRING), key("rule", STRING), key("change", STRING)
)

#: A mutant whose tests could not run, with the error, in the ``rules-mutate`` JSON.
MUTANT_ERROR_JSON = Shape(
    key("id", STRING, read=lambda pair: pair[0].id),
    key("rule", STRING, read=lambda pair: pair[0].rule),
    key("error", STRING, read=lambda pair: pair[1]),
)


def _conditions(condition: Condition) -> Iterator[tuple[str, str, Condition]]:
    """Every one-step mutation of a condition: (kind, description, new condition)."""
    if isinstance(condition, FactTest):
        ordered = condition.op in ("<", "<=", ">", ">=", "==", "!=")
        if ordered and isinstance(condition.value, str) and condition.value in Level.names():
            level = Level.parse(condition.value)
            for step in (-1, 1):
                if 0 <= level + step <= 3:
                    moved = str(Level(level + step))
                    yield (
                        "threshold",
                        f"{condition.fact} {condition.op} {condition.value} -> {moved}",
                        attrs.evolve(condition, value=moved),
                    )
        elif ordered and isinstance(condition.value, int) and not isinstance(condition.value, bool):
            for step in (-1, 1):
                if condition.value + step >= 0:
                    yield (
                        "threshold",
                        f"{condition.fact} {condition.op} {condition.value} -> "
                        f"{condition.value + step}",
                        attrs.evolve(condition, value=condition.value + step),
                    )
        elif isinstance(condition.value, bool) and condition.op in ("==", "!="):
            yield (
                "threshold",
                f"{condition.fact} == {condition.value} -> {not condition.value}",
                attrs.evolve(condition, value=not condition.value),
            )
        return
    if isinstance(condition, Not):
        for kind, text, part in _conditions(condition.part):
            yield kind, text, Not(part)
        return
    assert isinstance(condition, AllOf | AnyOf)
    word = "all" if isinstance(condition, AllOf) else "any"
    parts = condition.parts
    for i, part in enumerate(parts):
        if len(parts) > 1:
            rest = parts[:i] + parts[i + 1 :]
            yield ("drop", f"dropped {word}[{i}] ({_describe(part)})", type(condition)(rest))
        for kind, text, mutated in _conditions(part):
            yield kind, text, type(condition)((*parts[:i], mutated, *parts[i + 1 :]))


def _describe(condition: Condition) -> str:
    if isinstance(condition, FactTest):
        value = "" if condition.op == "present" else f" {condition.value}"
        return f"{condition.fact} {condition.op}{value}"
    return type(condition).__name__


def _conclusions(rule: Rule, always: Sequence[str]) -> Iterator[tuple[str, Rule]]:
    then = rule.then
    for part in ("decide", "cap"):
        arrangement = getattr(then, part)
        if arrangement is not None:
            for step in (-1, 1):
                if 1 <= arrangement + step <= 4:
                    moved = Arrangement(arrangement + step)
                    yield (
                        f"{part} {arrangement} -> {moved}",
                        attrs.evolve(
                            rule,
                            then=attrs.evolve(then, decide=moved)
                            if part == "decide"
                            else attrs.evolve(then, cap=moved),
                        ),
                    )
    if isinstance(then.value, Level):
        for step in (-1, 1):
            if 0 <= then.value + step <= 3:
                moved_level = Level(then.value + step)
                yield (
                    f"finding {then.finding} = {then.value} -> {moved_level}",
                    attrs.evolve(rule, then=attrs.evolve(then, value=moved_level)),
                )
    if isinstance(then.value, bool):
        yield (
            f"finding {then.finding} = {then.value} -> {not then.value}",
            attrs.evolve(rule, then=attrs.evolve(then, value=not then.value)),
        )
    if then.lead in always:
        for other in always:
            if other != then.lead:
                yield (
                    f"lead {then.lead} -> {other}",
                    attrs.evolve(rule, then=attrs.evolve(then, lead=other)),
                )


def _kind_of(rule: Rule) -> str | None:
    if rule.then.decide is not None:
        return "decide"
    if rule.then.lead is not None:
        return "lead"
    if rule.then.finding is not None:
        return f"finding {rule.then.finding}"
    return None


def mutants(rules: RulePack) -> list[Mutant]:
    """Every valid one-step mutant of ``rules`` (mutants the loader would refuse are left out)."""
    out: list[Mutant] = []
    original = list(rules.rules)
    # Lead sources a swap may move between: lists never empty on a function, and joint.
    always = (*(n for n in rules.facts.lead_sources() if not rules.facts.type(n).optional), JOINT)

    def add(kind: str, rule_id: str, change: str, new_rules: list[Rule]) -> None:
        try:
            RulePack.from_rules(
                new_rules, name=rules.name, version=rules.version, facts=rules.facts
            )
        except RulePackError:
            return  # not a pack the loader accepts: no test could run on it
        out.append(Mutant(f"m{len(out) + 1:03d}", kind, rule_id, change, tuple(new_rules)))

    for index, rule in enumerate(original):
        for kind, change, condition in _conditions(rule.when):
            mutated = attrs.evolve(rule, when=condition)
            add(kind, rule.id, change, [*original[:index], mutated, *original[index + 1 :]])
        for change, mutated in _conclusions(rule, always):
            add("swap", rule.id, change, [*original[:index], mutated, *original[index + 1 :]])
    # Priority flips between neighbouring priorities of rules concluding the same kind of thing.
    by_kind: dict[str, list[int]] = {}
    for index, rule in enumerate(original):
        concluded = _kind_of(rule)
        if concluded is not None:
            by_kind.setdefault(concluded, []).append(index)
    for indices in by_kind.values():
        ordered = sorted(indices, key=lambda i: (original[i].priority, original[i].id))
        for a, b in itertools.pairwise(ordered):
            if original[a].priority == original[b].priority:
                continue
            swapped = list(original)
            swapped[a] = attrs.evolve(original[a], priority=original[b].priority)
            swapped[b] = attrs.evolve(original[b], priority=original[a].priority)
            add(
                "priority",
                f"{original[a].id}, {original[b].id}",
                f"priorities {original[a].priority} <-> {original[b].priority}",
                swapped,
            )
    return out


def write_pack(rules: RulePack, written: Sequence[Rule], folder: Path) -> Path:
    """Write ``written`` (rules of ``rules``) as a pack folder, a file per rule file; return it."""
    folder.mkdir(parents=True, exist_ok=True)
    meta: dict[str, Any] = {"name": rules.name, "version": rules.version}
    if rules.description:
        meta["description"] = rules.description
    if rules.vocabulary:
        meta["vocabulary"] = dict(rules.vocabulary)
    (folder / "pack.yaml").write_text(yaml.safe_dump(meta, sort_keys=False), encoding="utf-8")
    # An extension is written flat: its facts and rules with those of the packs it extends.
    files: dict[str, dict[str, list[dict[str, Any]]]] = {"facts.yaml": {}}
    files["facts.yaml"]["facts"] = rules.facts.to_data()
    for rule in written:
        entry = files.setdefault(Path(rule.file).name or "rules.yaml", {})
        entry.setdefault("rules", []).append(rule.to_data())
    for name, data in files.items():
        (folder / name).write_text(
            yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )
    return folder


@attrs.frozen
class MutationReport:
    """Which mutants the tests killed and which survived."""

    pack: str
    tests: tuple[str, ...]
    killed: tuple[Mutant, ...]
    survived: tuple[Mutant, ...]
    errors: tuple[tuple[Mutant, str], ...]

    @property
    def score(self) -> float:
        """The share of mutants killed: one the tests could not run on counts as not killed."""
        total = len(self.killed) + len(self.survived) + len(self.errors)
        return len(self.killed) / total if total else 1.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the keys of :data:`MUTATION_JSON`."""
        return MUTATION_JSON.dump(self)

    def to_text(self) -> str:
        """A readable report."""
        total = len(self.killed) + len(self.survived)
        lines = [
            f"rule pack {self.pack}: {len(self.killed)} of {total} mutants killed "
            f"({self.score:.0%}) by {' '.join(self.tests)}; {len(self.survived)} survived"
        ]
        for m in self.survived:
            lines.append(f"  survived {m.id} [{m.kind}] {m.rule}: {m.change}")
        for m, error in self.errors:
            lines.append(f"  error    {m.id} [{m.kind}] {m.rule}: {error}")
        return "\n".join(lines) + "\n"

    def to_junit_xml(self) -> str:
        """JUnit XML for CI: a test case per mutant, in mutant order.

        A mutant that survived is a failure; one the tests could not run on, an error; a
        killed mutant passes.
        """
        from taxonomy.testing.junit import Case, junit_xml

        outcome: dict[str, Case] = {}
        for m in self.killed:
            outcome[m.id] = Case(f"{self.pack}.{m.rule}", f"{m.id} [{m.kind}] {m.change}")
        for m in self.survived:
            outcome[m.id] = Case(
                f"{self.pack}.{m.rule}",
                f"{m.id} [{m.kind}] {m.change}",
                failure=f"mutant survived: {m.change} in {m.rule}, and every test passed",
            )
        for m, error in self.errors:
            outcome[m.id] = Case(
                f"{self.pack}.{m.rule}", f"{m.id} [{m.kind}] {m.change}", error=error
            )
        return junit_xml(f"rules mutate {self.pack}", [outcome[k] for k in sorted(outcome)])


_COUNT: Schema = {"type": "integer", "minimum": 0}

#: The ``rules-mutate`` JSON (:meth:`MutationReport.to_dict`), and the body of its schema.
MUTATION_JSON = Shape(
    key("pack", STRING),
    key("tests", STRINGS, via=list),
    key("mutants", _COUNT, read=lambda r: len(r.killed) + len(r.survived) + len(r.errors)),
    key("killed", _COUNT, via=len),
    key("survived", {"type": "array", "items": SURVIVOR_JSON}, via=each(SURVIVOR_JSON)),
    key("errors", {"type": "array", "items": MUTANT_ERROR_JSON}, via=each(MUTANT_ERROR_JSON)),
    key("score", {"type": "number", "minimum": 0, "maximum": 1}, read=lambda r: round(r.score, 3)),
)


def _run_tests(
    original: Path, mutant_dir: Path | None, tests: Sequence[str], timeout: float
) -> tuple[int, str]:
    # The child's tests load the mutant wherever they ask for the original, through the pytest
    # plugin's --taxonomy-substitute-pack (taxonomy.language.rules.redirect_pack).
    substitute = (
        ["--taxonomy-substitute-pack", f"{original.resolve()}={mutant_dir}"]
        if mutant_dir is not None
        else []
    )
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-x",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:randomly",
        *substitute,
        *tests,
    ]
    # Each child run is judged by its exit status alone: options meant for an outer run
    # (PYTEST_ADDOPTS such as a coverage floor, which a subset of tests cannot reach) must not
    # decide it.
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return -1, "timed out"
    tail = (done.stdout.strip().splitlines() or [""])[-1]
    return done.returncode, tail


def run_mutants(
    folder: str | Path | None,
    tests: Sequence[str],
    *,
    limit: int | None = None,
    workers: int = 1,
    timeout: float = 600,
    progress: Callable[[int, int], None] | None = None,
) -> MutationReport:
    """Run ``tests`` against every mutant of the pack in ``folder`` (None: the default pack).

    Raises:
        RulePackError: the pack is invalid, or the tests fail on the pack as it is.
    """
    from taxonomy.language.rules import default_pack_path

    original = Path(folder) if folder is not None else default_pack_path()
    pack = load_rules(original)
    code, tail = _run_tests(original, None, tests, timeout)
    if code != 0:
        raise RulePackError(
            f"the tests must pass on the pack as it is before mutating it (pytest exit {code}: "
            f"{tail})",
            file=str(original),
        )
    chosen = mutants(pack)
    if limit is not None:
        chosen = chosen[:limit]
    killed: list[Mutant] = []
    survived: list[Mutant] = []
    errors: list[tuple[Mutant, str]] = []
    with tempfile.TemporaryDirectory(prefix="taxonomy-mutants-") as tmp:

        def one(mutant: Mutant) -> tuple[Mutant, int, str]:
            target = write_pack(pack, mutant.rules, Path(tmp) / mutant.id)
            code, tail = _run_tests(original, target, tests, timeout)
            return mutant, code, tail

        done = 0
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            for mutant, code, tail in pool.map(one, chosen):
                done += 1
                if progress is not None:
                    progress(done, len(chosen))
                if code == 0:
                    survived.append(mutant)
                elif code == 1:
                    killed.append(mutant)
                else:
                    errors.append((mutant, f"pytest exit {code}: {tail}"))
    return MutationReport(pack.name, tuple(tests), tuple(killed), tuple(survived), tuple(errors))


def mutation_schema() -> Schema:
    """The JSON Schema of the ``rules-mutate`` output, from :data:`MUTATION_JSON`."""
    from taxonomy.schemas._outputs import named_schemas, stamped_root

    body = MUTATION_JSON.schema(named_schemas())
    return stamped_root("rules-mutate", "taxonomy rule pack mutation testing", body)
