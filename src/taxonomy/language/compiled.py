"""A rule pack compiled into what its rules distinguish.

A function's answers matter to a pack only through the values its rules' conditions read, and
of a fact a condition only asks whether it is there (``present``), only that. The compiled pack
is:

- a generated **extractor**: Python source written once per pack, which reads from a function
  (and its portfolio) just the facts the rules read, and returns their values and the **case**:
  the tuple of what the conditions can tell apart (each fact's value as conditions compare it,
  or, where only presence is tested, whether it is there);
- one **lookup** from a case to what durable-rules decided the first time it saw that case (the
  rules that fired, the findings, the decision and the caps: a
  :class:`~taxonomy.language.semantics.Decided`) and the explanation nodes of the rules whose
  reasons the case determines, shared by every function of that case.

durable-rules stays the engine that decides every distinct case: a case not seen yet is run
through :func:`~taxonomy.language.semantics.decide` on the pack's
:class:`~taxonomy.language.durable.Engine`. The lookup lives in the engine (bounded by its
``memo_size``, emptied by ``forget_cases``). A unique text under a fact tested only for
presence (``legal.separate_reason``) does not make a new case; only the explanation node that
quotes it is built for the function.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from typing import Any

import attrs

from taxonomy._explanation import Firing
from taxonomy._model import Function, Level, Portfolio, format_value
from taxonomy.language.conditions import FactTest, encode_literal, encode_value
from taxonomy.language.durable import Engine
from taxonomy.language.facts import Fact
from taxonomy.language.rule import (
    MAX_FILLED_TOTAL,
    MAX_FILLED_VALUE,
    PLACEHOLDER,
    Rule,
    fill_because,
)
from taxonomy.language.rules import RulePack
from taxonomy.language.semantics import Decided, decide

__all__ = ["Case", "CompiledPack", "compile_pack", "firing"]


class _Absent:
    """A fact with no value, in a case (apart from any value a fact may hold)."""

    def __repr__(self) -> str:
        return "ABSENT"


_ABSENT = _Absent()
_FIRED = _Absent()  # where the rules of the first stratum that fired begin and end, in a key


@attrs.frozen
class Case:
    """What durable-rules decided for one case, and the explanation nodes it determines.

    Attributes:
        decided: the rules that fired, the findings, the decision and the caps.
        firings: the explanation node of each fired rule whose reads the case determines.
        findings: the findings as values (``finding.NAME``, value), computed once per case.
        leads: the lead rules of the highest priority that fired, by id (the first the lead
            is taken from), computed once per case.
    """

    decided: Decided
    firings: Mapping[str, Firing]
    findings: tuple[tuple[str, Any], ...] = attrs.field(
        default=attrs.Factory(
            lambda self: tuple((f"finding.{name}", v) for name, v in self.decided.findings),
            takes_self=True,
        )
    )
    leads: tuple[Rule, ...] = attrs.field(
        default=attrs.Factory(lambda self: _first_leads(self.decided), takes_self=True)
    )


def _first_leads(decided: Decided) -> tuple[Rule, ...]:
    """The lead rules of the highest priority among those that fired, by id."""
    leads = [rule for rule in decided.fired if rule.then.lead is not None]
    if not leads:
        return ()
    top = max(rule.priority for rule in leads)
    return tuple(sorted((rule for rule in leads if rule.priority == top), key=lambda r: r.id))


Extractor = Callable[[Function, Portfolio], tuple[tuple[Any, ...], dict[str, Any]]]


class CompiledPack:
    """A pack's extractor and how to decide and remember its cases (see the module).

    Use :func:`compile_pack` for the cached one of a pack.
    """

    def __init__(self, rules: RulePack) -> None:
        self.pack = rules
        copied = {r.then.value for r in rules.rules if isinstance(r.then.value, str)}
        self.parts = _case_parts(rules, copied)
        reads = {fact for rule in rules.rules for fact in rule.reads()}
        leads = {r.then.lead for r in rules.rules if r.then.lead is not None}
        wanted = {f for f in reads | leads | copied if f in rules.facts}
        self.source = _extractor_source(rules, wanted, self.parts)
        #: The facts the extractor computes (those the rules read, and what they derive from).
        self.facts = frozenset(fact.name for fact in _needed(rules, wanted))
        namespace: dict[str, Any] = {"ABSENT": _ABSENT, "encode": _encode}
        namespace.update(levels_over=_levels_over, spread=_spread)
        namespace["DEFAULTS"] = {fact.name: fact.default for fact in rules.facts}
        namespace["CONSTANTS"] = _constants(rules)
        exec(compile(self.source, f"<compiled pack {rules.name}>", "exec"), namespace)
        self.extract: Extractor = namespace["extract"]
        # What the first stratum's rules decide is asked of the engine (it remembers it by
        # what each group of rules tests); the case is that, the parts later strata test, and
        # the values findings copy.
        later = {
            test.fact
            for ids in rules.strata[1:]
            for rule_id in ids
            for test in _tests(rules.rule(rule_id))
        }
        self.later = tuple(
            index
            for index, part in enumerate(self.parts)
            if part[1] in later or (part[0] == "value" and part[1] in copied)
        )
        # The rules whose explanation node a case determines: each fact they read is a
        # finding or a value a finding copies; and those a key determines (it holds the value
        # of each fact they read).
        self.shared = frozenset(
            rule.id
            for rule in rules.rules
            if all(f.startswith("finding.") or f in copied for f in rule.reads())
        )
        valued = {part[1] for part in self.parts if part[0] == "value"}
        self.keyed = frozenset(
            rule.id
            for rule in rules.rules
            if all(f.startswith("finding.") or f in valued for f in rule.reads())
        )
        self._reads = {rule.id: rule.reads() for rule in rules.rules}
        self._uses = {rule.id: rule.uses() for rule in rules.rules}
        self._nodes: dict[tuple[Any, ...], Firing] = {}
        self._because = {
            rule.id: _Because(rule.because, self._reads[rule.id]) for rule in rules.rules
        }

    def case(
        self, engine: Engine, key: tuple[Any, ...], values: Mapping[str, Any], *, function: str
    ) -> Case:
        """The case ``key`` (``values``: one function of it): remembered, or decided now.

        A case whose rules conflict or leave a gap is decided but not remembered (classifying
        it raises, naming the function).
        """
        if not engine.memo_size:  # nothing remembered: durable-rules decides every function
            decided, _ = decide(self.pack, values, backend=engine, function=function)
            return Case(decided, self._firings(decided, values, self.shared))
        found: Case | None = engine.recall(key)
        if found is not None:
            return found
        # Not seen: what the first stratum decides (the engine remembers that by what each
        # group of its rules tests) may still make it a case seen before.
        first = engine.fire(0, values, function=function) if self.pack.strata else []
        case_key = (_FIRED, *first, _FIRED, *[key[index] for index in self.later])
        found = engine.recall(case_key)
        if found is None:
            decided, _ = decide(self.pack, values, backend=engine, function=function)
            found = Case(decided, self._firings(decided, values, self.shared))
            if decided.conflicts or decided.gap is not None:
                return found
            engine.remember(case_key, found)
        # The nodes of the rules whose reads the key holds by value are shared under the key.
        more = self._firings(found.decided, values, self.keyed - found.firings.keys())
        case = attrs.evolve(found, firings={**found.firings, **more})
        engine.remember(key, case)
        return case

    def _firings(
        self, decided: Decided, values: Mapping[str, Any], rules: AbstractSet[str]
    ) -> dict[str, Firing]:
        """The explanation nodes of the fired ``rules``, on ``values`` and the findings."""
        chosen = [rule for rule in decided.fired if rule.id in rules]
        if not chosen:
            return {}
        known = {**values, **{f"finding.{name}": value for name, value in decided.findings}}
        return {rule.id: self.firing(rule, known) for rule in chosen}

    def node(self, rule: Rule, values: Mapping[str, Any]) -> Firing:
        """The explanation node of ``rule`` on ``values``, built once per values it reads.

        Shared by every classification with this pack, up to :data:`MAX_NODES` (then it
        starts afresh, so a stream of millions stays bounded); :meth:`forget_nodes` empties it.
        """
        # A level keyed by its rank: hashing a level hashes its name.
        read = map(values.get, self._reads[rule.id])
        key = (rule.id, *[int(v) if type(v) is Level else v for v in read])
        found = self._nodes.get(key)
        if found is None:
            if len(self._nodes) >= MAX_NODES:
                self._nodes.clear()
            found = self._nodes[key] = self.firing(rule, values)
        return found

    def forget_nodes(self) -> None:
        """Drop the explanation nodes :meth:`node` keeps (for benchmarks of a first run)."""
        self._nodes.clear()

    def firing(self, rule: Rule, values: Mapping[str, Any]) -> Firing:
        """The explanation node of ``rule``, fired on ``values`` (answers and findings)."""
        reads = self._reads[rule.id]
        return firing(rule, values, reads, self._uses[rule.id], self._because[rule.id])


class _Because:
    """A rule's ``because`` split once into its text and the facts it quotes.

    Filling it gives what :func:`~taxonomy.language.rule.fill_because` gives; where a value
    would be shortened (beyond its bounds) that function fills it.
    """

    def __init__(self, template: str, reads: tuple[str, ...]) -> None:
        self.template, self.reads = template, reads
        pieces = PLACEHOLDER.split(template)
        self.texts: list[str] = [pieces[0]]
        self.slots: list[str] = []
        for index in range(1, len(pieces), 2):
            fact = pieces[index].strip()
            if fact in reads:
                self.slots.append(fact)
                self.texts.append(pieces[index + 1])
            else:  # a placeholder no read fact fills stays as written
                self.texts[-1] += "{" + pieces[index] + "}" + pieces[index + 1]

    def fill(self, values: Mapping[str, Any]) -> str:
        """The text, each quoted fact's value written in."""
        if not self.slots:
            return self.texts[0]
        shown = [format_value(values.get(fact)) for fact in self.slots]
        if sum(map(len, shown)) > MAX_FILLED_TOTAL or max(map(len, shown)) > MAX_FILLED_VALUE:
            reads = self.reads
            return fill_because(
                self.template, lambda f: format_value(values.get(f)) if f in reads else None
            )
        parts = [self.texts[0]]
        for value, text in zip(shown, self.texts[1:], strict=True):
            parts += (value, text)
        return "".join(parts)


def firing(
    rule: Rule,
    values: Mapping[str, Any],
    reads: tuple[str, ...],
    uses: tuple[str, ...],
    because: _Because | None = None,
) -> Firing:
    """The explanation node of ``rule``, which read ``reads`` (and the findings ``uses``)."""
    matched = tuple((fact, values.get(fact)) for fact in reads)
    then = rule.then
    value = then.value
    return Firing(
        rule=rule.id,
        question=rule.question,
        matched=matched,
        because=(because or _Because(rule.because, reads)).fill(values),
        source=rule.source,
        principles=rule.principles,
        priority=rule.priority,
        uses=uses,
        finding=then.finding,
        value=values.get(value) if isinstance(value, str) else value,
        cap=then.cap,
        decide=then.decide,
        lead=then.lead,
    )


def _encode(value: Any) -> Any:
    """A value as a case holds it: as conditions compare it (absent apart from any value)."""
    return value if value is _ABSENT else encode_value(value)


def _tests(rule: Rule) -> list[FactTest]:
    found: list[FactTest] = []
    stack: list[Any] = [rule.when]
    while stack:
        condition = stack.pop()
        if isinstance(condition, FactTest):
            found.append(condition)
        elif hasattr(condition, "parts"):
            stack.extend(condition.parts)
        else:
            stack.append(condition.part)
    return found


#: One part of a case: ``("value", fact)`` (the fact's value as conditions compare it), or
#: ``("test", fact, op, literal)`` (whether that test holds).
Part = tuple[Any, ...]


def _case_parts(pack: RulePack, copied: set[str]) -> tuple[Part, ...]:
    """What a case holds: what the conditions can tell apart, and the values findings copy.

    A fact read from the model or derived (its type is the model's) is held as the truth of
    each distinct test of it (``capability.gap >= 2``, ``== 1``, ``== 0``: three values a
    function can be told apart by), or, where only presence is tested, whether it is there; an
    answered fact (any Python value may come in) and a fact a finding copies, by value.
    """
    parts: dict[Part, None] = {}
    for rule in pack.rules:
        for test in _tests(rule):
            fact = test.fact
            if fact.startswith("finding.") or fact in copied:
                continue
            if pack.facts.get(fact).answered:
                parts[("value", fact)] = None
            elif test.op == "present":
                parts[("test", fact, "present", None)] = None
            else:
                ftype = pack.fact_type(fact)
                values = test.value if test.op == "in" else (test.value,)
                literal = tuple(encode_literal(ftype, v) for v in values)
                parts[("test", fact, test.op, literal if test.op == "in" else literal[0])] = None
    parts.update((("value", fact), None) for fact in copied if fact in pack.facts)
    return tuple(sorted(parts, key=repr))


def _constants(pack: RulePack) -> dict[str, Any]:
    """The values ``contains`` derivations look for, by fact name."""
    return {
        fact.name: fact.derive[1]["value"]
        for fact in pack.facts
        if fact.derive is not None and fact.derive[0] == "contains"
    }


def _needed(pack: RulePack, wanted: set[str]) -> list[Fact]:
    """The declared facts to compute: ``wanted`` and what their derivations read."""
    needed = set(wanted)
    for fact in pack.facts:
        if fact.name in wanted and fact.derive is not None:
            op, args = fact.derive
            if op == "count":
                needed.add(args)
            elif op == "overlaps":
                needed.update(args)
            elif op in ("highest", "lowest", "spread"):
                needed.update((args["of"], args["over"]))
    return [fact for fact in pack.facts if fact.name in needed]


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


def _extractor_source(pack: RulePack, wanted: set[str], case_parts: tuple[Part, ...]) -> str:
    """The Python source of ``extract(function, portfolio) -> (case, values)``.

    It computes each fact as :meth:`~taxonomy.language.facts.Facts.values` does (model paths,
    answers with their defaults, then derivations), for the facts the rules read only, and the
    case from the same values.
    """
    needed = _needed(pack, wanted)
    local = {fact.name: f"x{index}" for index, fact in enumerate(needed)}
    typed = set()  # facts whose values the model types (read from it, or derived)
    lines = ["def extract(function, portfolio):", "    values = {}"]
    if any(f.answered for f in needed):
        lines.append("    answers = dict(function.answers)")
    for fact in needed:
        if fact.derive is not None:
            continue
        name = local[fact.name]
        if fact.path is not None:
            typed.add(fact.name)
            lines.append(f"    v = {fact.path}")
            if fact.type.name in _CONVERT:
                lines.append(f"    {_CONVERT[fact.type.name]}")
            there = _THERE.get(fact.type.name, 'v is not None and v != ""')
        else:
            lines.append(f"    v = answers.get({fact.name!r}, DEFAULTS[{fact.name!r}])")
            there = 'not (v is None or v == () or v == "")'
        lines += [f"    if {there}:", f"        values[{fact.name!r}] = {name} = v"]
        lines.append(f"    else:\n        {name} = ABSENT")
    shared: dict[str, str] = {}  # a body-levels list several derivations read, computed once
    for fact in needed:
        if fact.derive is not None:
            typed.add(fact.name)
            found = _levels_found(fact, local)
            if found is not None and found not in shared:
                shared[found] = f"l{len(shared)}"
                lines.append(f"    {shared[found]} = {found}")
            value = _derivation(fact, local, shared.get(found or ""))
            lines.append(f"    values[{fact.name!r}] = {local[fact.name]} = {value}")
    parts = [_part_source(pack, part, local[part[1]], typed) for part in case_parts]
    lines.append(f"    return ({', '.join(parts)}{',' if len(parts) == 1 else ''}), values")
    return "\n".join(lines) + "\n"


_OPS = {"==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=", "in": "in"}


def _part_source(pack: RulePack, part: Part, name: str, typed: set[str]) -> str:
    """A Python expression for one part of a case, on the fact's local variable ``name``."""
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
    value = f"int({name})" if ftype.name == "level" else name
    test = f"{value} {_OPS[op]} {literal!r}"
    if pack.facts.get(fact).derive is not None:
        return f"({test})"
    # Absent, a fact differs from anything and fails every other test.
    if op == "!=":
        return f"({name} is ABSENT or {test})"
    return f"({name} is not ABSENT and {test})"


def _bodies(local: Mapping[str, str], name: str) -> str:
    return f"({local[name]} if {local[name]} is not ABSENT else ())"


def _levels_found(fact: Fact, local: Mapping[str, str]) -> str | None:
    """The list of levels a highest/lowest/spread derivation reads (None for another kind)."""
    assert fact.derive is not None
    op, args = fact.derive
    if op not in ("highest", "lowest", "spread"):
        return None
    return f"levels_over({local[args['of']]}, {_bodies(local, args['over'])})"


def _derivation(fact: Fact, local: Mapping[str, str], found: str | None = None) -> str:
    """A Python expression for a derived fact, as ``Facts.values`` computes it.

    ``found``: a local holding the levels a highest/lowest/spread derivation reads (computed
    once for every derivation over the same levels).
    """
    assert fact.derive is not None
    op, args = fact.derive
    if op == "count":
        return f"len({_bodies(local, args)})"
    if op == "overlaps":
        first, second = args
        return f"bool(set({_bodies(local, first)}) & set({_bodies(local, second)}))"
    if op == "contains":
        return f"CONSTANTS[{fact.name!r}] in {args['from']}"
    found = found or _levels_found(fact, local)
    if op == "highest":
        return f"max({found})"
    if op == "lowest":
        return f"min({found})"
    return f"spread({found})"


def _levels_over(levels: Mapping[str, Level], bodies: tuple[str, ...]) -> list[Level]:
    """The levels of ``bodies`` (none where a body has none), or [none] for no body."""
    return [levels.get(body, Level.NONE) for body in bodies] or [Level.NONE]


def _spread(found: list[Level]) -> int:
    return int(max(found)) - int(min(found))


#: The most explanation nodes a compiled pack keeps (:meth:`CompiledPack.node`).
MAX_NODES = 16384

_CACHE: OrderedDict[str, CompiledPack] = OrderedDict()
_CACHE_LOCK = threading.Lock()
#: The most compiled packs kept per process.
MAX_COMPILED = 16


def compile_pack(rules: RulePack) -> CompiledPack:
    """The compiled pack for ``rules``: one per pack content hash per process, reused."""
    with _CACHE_LOCK:
        compiled = _CACHE.get(rules.hash)
        if compiled is None:
            compiled = _CACHE[rules.hash] = CompiledPack(rules)
            while len(_CACHE) > MAX_COMPILED:
                _CACHE.popitem(last=False)
        else:
            _CACHE.move_to_end(rules.hash)
        return compiled
