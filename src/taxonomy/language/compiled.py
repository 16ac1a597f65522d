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
from taxonomy.language.extractor import (
    Part,
    constants,
    exact_levels,
    extractor_source,
    needed_facts,
    node_keys_source,
)
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
        plan: each fired rule, in firing order, with its node where ``firings`` holds it
            (None: each function's own, :meth:`CompiledPack.node`).
        index: each fired rule's position in ``decided.fired``, by id.
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
    plan: tuple[tuple[Rule, Firing | None], ...] = attrs.field(
        init=False,  # recomputed by ``attrs.evolve`` with other firings
        default=attrs.Factory(
            lambda self: tuple((r, self.firings.get(r.id)) for r in self.decided.fired),
            takes_self=True,
        ),
    )
    index: Mapping[str, int] = attrs.field(
        init=False,
        default=attrs.Factory(
            lambda self: {r.id: i for i, r in enumerate(self.decided.fired)}, takes_self=True
        ),
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
        self.source = extractor_source(rules, wanted, self.parts)
        #: The facts the extractor computes (those the rules read, and what they derive from).
        self.facts = frozenset(fact.name for fact in needed_facts(rules, wanted))
        namespace: dict[str, Any] = {"ABSENT": _ABSENT, "encode": _encode}
        namespace["NONE"] = Level.NONE
        namespace["DEFAULTS"] = {fact.name: fact.default for fact in rules.facts}
        namespace["CONSTANTS"] = constants(rules)
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
        valued |= exact_levels(rules, self.parts)
        self.keyed = frozenset(
            rule.id
            for rule in rules.rules
            if all(f.startswith("finding.") or f in valued for f in rule.reads())
        )
        self._reads = {rule.id: rule.reads() for rule in rules.rules}
        self._uses = {rule.id: rule.uses() for rule in rules.rules}
        self._nodes: dict[tuple[Any, ...], Firing] = {}
        keys: dict[str, Any] = {"Level": Level}
        exec(compile(node_keys_source(rules), f"<node keys {rules.name}>", "exec"), keys)
        #: Each rule's node key from the values' ``get`` (see :meth:`node`).
        self.node_key: dict[str, Callable[[Callable[[str], Any]], tuple[Any, ...]]] = {
            rule.id: keys[f"key{index}"] for index, rule in enumerate(rules.rules)
        }
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
        return {rule.id: self.node(rule, known) for rule in chosen}

    def node(self, rule: Rule, values: Mapping[str, Any]) -> Firing:
        """The explanation node of ``rule`` on ``values``, built once per values it reads.

        Shared by every classification with this pack, up to :data:`MAX_NODES` (then it
        starts afresh, so a stream of millions stays bounded); :meth:`forget_nodes` empties it.
        """
        key = self.node_key[rule.id](values.get)  # a level by its rank (see node_keys_source)
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
