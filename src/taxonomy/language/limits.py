"""The limit model: what durable-rules can hold, and a pack's conditions as it compiles them.

durable-rules has fixed-size tables and fails on a pack beyond them: it crashes (a 64-slot
stack, lists written past their end), loops for ever in ``create_ruleset`` (a full 512-slot
hash table), or refuses a case with an error code. Every such limit is stated, with its origin
in durable-rules' C source, by the ``MAX_*`` constants below, and :func:`limit_problems` checks
a pack's rules against all of them when the pack is built, by modelling the network
durable-rules would build (in time linear in the pack, without expanding any ``any``/``all``):
``RulePack.from_rules`` refuses a pack beyond them with :class:`RulePackError` naming the rule.

It reads only the rules' shape, so it sits below both the pack (which it judges) and the engine
(:mod:`taxonomy.language.durable`, which compiles conditions with the same :class:`Compiler`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from taxonomy.language.conditions import AllOf, AnyOf, Condition, FactTest, Not, encode_literal
from taxonomy.language.facts import Facts, FactType
from taxonomy.language.rule import Rule

__all__ = [
    "CASE",
    "MAX_FACTS_PER_STRATUM",
    "MAX_GROUPS_PER_RULE",
    "MAX_LINKS_PER_NODE",
    "MAX_PATHS_PER_RULE",
    "MAX_PATHS_PER_STRATUM",
    "MAX_RULES_PER_RULESET",
    "MAX_RULES_PER_TEST",
    "MAX_TESTS_AT_ONCE",
    "MAX_TESTS_PER_NODE",
    "MAX_VALUE_BYTES",
    "SEEN",
    "CapacityProblem",
    "Compiler",
    "capacity_problems",
    "fact_keys",
    "limit_problems",
]

# durable-rules' fixed limits (durable-rules 2.0.28, src/rules/*.{c,h}), each with a margin where
# going past it crashes or hangs. The compiled network: every rule's condition becomes a chain of
# test ("alpha") nodes under the test of the fact's type; an ``$or`` is a "forward" node every
# branch links to, and a rule ends on the last node of its chain.

#: The most rules that may end on one test node (rules.h ``BETA_LIST_LENGTH`` 256; rete.c
#: ``linkAlpha`` writes the 256th entry past the end of the zero-terminated list: a crash).
MAX_RULES_PER_TEST = 255
#: The most rules in one ruleset, our catch-all rule included (rete.c ``MAX_ACTIONS``).
MAX_RULES_PER_RULESET = 4096
#: The most different tests that may follow one test node (rules.h ``NEXT_BUCKET_LENGTH`` 512,
#: an open-addressing hash table: rete.c ``findAlpha`` and events.c ``handleAlpha`` probe until
#: an empty slot and loop for ever once all 512 are full; margin 64).
MAX_TESTS_PER_NODE = 448
#: The most absence tests and ``any`` branches ending on one test node (rules.h
#: ``NEXT_LIST_LENGTH`` 128, a zero-terminated list: the 128th entry leaves no terminator and the
#: 129th is written past the end, or refused with error 107; margin 7).
MAX_LINKS_PER_NODE = 120
#: The most tests that may hold at once while one case is matched (events.c ``MAX_STACK_SIZE``
#: 64: ``handleAlpha`` pushes every test that holds on a fixed stack and fails with error 303, or
#: crashes, past it; margin 16). Counted as the most that can hold together: on each fact, every
#: ``!=``, ``<``, ``<=``, ``>``, ``>=`` and ``present`` test and one ``==`` test, or the absence
#: tests when the fact is absent; and every ``any``.
MAX_TESTS_AT_ONCE = 48
#: The most ``all``/``any`` groups in one rule's compiled condition, the wrapping ``all`` with
#: the type test included (rete.h ``MAX_SEQUENCE_EXPRESSIONS`` 32: each group takes two entries
#: and the 32nd fails with error 113).
MAX_GROUPS_PER_RULE = 15
#: The most ways a rule's condition can be met (each ``any`` adds its branches, each ``all``
#: multiplies): durable-rules follows every one for every case (events.c ``handleAlpha``), so
#: 2**26 of them never finish; 4,096 took a second per portfolio.
MAX_PATHS_PER_RULE = 1024
#: The same, summed over the rules of one stratum.
MAX_PATHS_PER_STRATUM = 8192
#: The most facts one stratum's rules may read: each is a property of the one message asserted
#: per case, beside ``t``, ``sid`` and ``id`` (state.h ``MAX_OBJECT_PROPERTIES`` 255, error 302;
#: margin 12).
MAX_FACTS_PER_STRATUM = 240
#: The longest value (JSON, UTF-8 bytes) one fact may hold in a case (state.h
#: ``MAX_OBJECT_PROPERTY_SIZE`` 16 MiB, error 314; margin 16x).
MAX_VALUE_BYTES = 1 << 20

#: The catch-all rule of every stratum (so every case is handled).
SEEN = "taxonomy$seen"
#: The type tag of the one fact asserted per stratum.
CASE = "case"


class Compiler:
    """Turns a pack's conditions into durable-rules expressions."""

    def __init__(self, fact_type: Callable[[str], FactType], keys: Mapping[str, str]) -> None:
        self.fact_type = fact_type
        self.keys = keys

    def pattern(self, rule: Rule) -> dict[str, Any]:
        """The expression a case must match for ``rule`` to fire."""
        test = self._compile(rule.when, negate=False)
        if test is None:
            return {"t": CASE}
        return {"$and": [{"t": CASE}, test]}

    def _compile(self, condition: Condition, *, negate: bool) -> dict[str, Any] | None:
        """A durable-rules expression for ``condition``; None means always true."""
        if isinstance(condition, Not):
            return self._compile(condition.part, negate=not negate)
        if isinstance(condition, AllOf | AnyOf):
            conjunction = isinstance(condition, AllOf) != negate
            parts = [self._compile(p, negate=negate) for p in condition.parts]
            if conjunction:
                kept = [p for p in parts if p is not None]
                if not kept:
                    return None
                return kept[0] if len(kept) == 1 else {"$and": kept}
            if any(p is None for p in parts):
                return None
            if not parts:  # an empty disjunction: never true
                return {"$nex": {"t": 1}}
            return parts[0] if len(parts) == 1 else {"$or": parts}
        return self._comparison(condition, negate=negate)

    def _comparison(self, comparison: FactTest, *, negate: bool) -> dict[str, Any]:
        key = self.keys[comparison.fact]
        # A finding no rule derived is absent too, whatever its type (found by the differential
        # test: `not finding == x` failed on durable-rules where no rule had derived the finding).
        finding = comparison.fact.startswith("finding.")
        optional = finding or self.fact_type(comparison.fact).optional
        op = comparison.op
        if op == "present":
            return {"$nex" if negate else "$ex": {key: 1}}
        values = comparison.value if op == "in" else (comparison.value,)
        encoded = [encode_literal(self.fact_type(comparison.fact), v) for v in values]
        if negate:
            op = {
                "==": "!=",
                "!=": "==",
                "<": ">=",
                "<=": ">",
                ">": "<=",
                ">=": "<",
                "in": "not in",
            }[op]
        if op == "==":
            return {key: encoded[0]}
        if op == "in":
            tests = [{key: v} for v in encoded]
            return tests[0] if len(tests) == 1 else {"$or": tests}
        if op == "!=" or op == "not in":
            tests = [{"$neq": {key: v}} for v in encoded]
            test = tests[0] if len(tests) == 1 else {"$and": tests}
        else:
            word = {"<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}[op]
            test = {word: {key: encoded[0]}}
        # An absent fact is "not equal" to anything, and fails every other comparison; so its
        # negation (not <, not ==) holds when the fact is absent.
        if optional and (op in ("!=", "not in") or negate):
            return {"$or": [{"$nex": {key: 1}}, test]}
        return test


def fact_keys(facts: Facts, finding_types: Iterable[str]) -> dict[str, str]:
    """The durable-rules key each fact (and ``finding.NAME``) is stored under: ``f0``, ``f1``..."""
    answers = [f.name for f in facts if f.type.operators]
    names = [*answers, *(f"finding.{n}" for n in sorted(finding_types))]
    return {name: f"f{index}" for index, name in enumerate(names)}


class CapacityProblem(NamedTuple):
    """Something in compiled rulesets beyond durable-rules' fixed limits.

    Attributes:
        rule: the rule that goes past the limit (None when no one rule does).
        text: what is beyond which limit, and what to do.
    """

    rule: str | None
    text: str

    def __str__(self) -> str:
        return f"rule '{self.rule}': {self.text}" if self.rule else self.text


# durable-rules' comparison operators; a test written {key: value} is an equality test.
_OPERATORS = {"$neq", "$lt", "$lte", "$gt", "$gte", "$ex", "$nex"}
# Tests on one fact that may all hold at once (every one of them: "!= 1" and "!= 2" both hold).
_TOGETHER = {"$neq", "$lt", "$lte", "$gt", "$gte", "$ex"}


class _Node:
    """A test node of the network durable-rules builds (rete.c ``findAlpha``/``linkAlpha``)."""

    __slots__ = ("absent", "ending", "links", "tests")

    def __init__(self) -> None:
        self.tests: dict[tuple[str, str, str], _Node] = {}  # the hash table (NEXT_BUCKET_LENGTH)
        self.absent: dict[tuple[str, str], _Node] = {}  # absence tests, shared, in ``links``
        self.links: list[tuple[str | None, _Node]] = []  # the list (NEXT_LIST_LENGTH): (key, node)
        self.ending: list[str] = []  # rules ending here (BETA_LIST_LENGTH)


class _Network:
    """The test network of one ruleset, built the way durable-rules builds it, and its limits.

    Nothing is expanded: an ``$or`` is one forward node its branches link to, as in rete.c
    ``createAlpha``, so building it takes time linear in the conditions.
    """

    def __init__(self, stratum: str, names: Mapping[str, str]) -> None:
        self.stratum = stratum
        self.names = names  # durable-rules key -> fact name, for messages
        self.root = _Node()
        self.problems: list[CapacityProblem] = []
        self.facts: dict[str, None] = {}
        self.paths = 0
        self._rule = ""
        self._groups = 0

    def add(self, rule_id: str, expression: Any) -> None:
        """Add one rule, whose condition is ``expression``, noting each limit it goes past."""
        self._rule, self._groups = rule_id, 0
        end, paths = self._build(expression, self.root)
        self._end(end, rule_id)
        if self._groups > MAX_GROUPS_PER_RULE:
            self._problem(
                f"its condition compiles into {self._groups} 'all'/'any' groups (the rule's own "
                f"included); durable-rules holds at most {MAX_GROUPS_PER_RULE} in one rule: "
                "write it flatter, or split it into rules"
            )
        if paths > MAX_PATHS_PER_RULE:
            self._problem(
                f"its condition can be met in {_many(paths)} ways (each 'any' adds its branches, "
                f"each 'all' multiplies them); durable-rules follows every way for every case, "
                f"so at most {MAX_PATHS_PER_RULE} are allowed: split it into rules"
            )
        before, self.paths = self.paths, min(self.paths + paths, MAX_PATHS_PER_STRATUM + 1)
        if before <= MAX_PATHS_PER_STRATUM < self.paths:
            self._problem(
                f"with it the rules of {self.stratum} can be met in more than "
                f"{MAX_PATHS_PER_STRATUM} ways in all (each 'any' adds its branches, each 'all' "
                "multiplies them), which durable-rules follows for every case: split them, or "
                "use fewer 'any' inside 'all'"
            )

    def _problem(self, text: str) -> None:
        self.problems.append(CapacityProblem(self._rule or None, text))

    def _name(self, key: str | None) -> str:
        return self.names.get(key or "", key or "'any'")

    def _build(self, expression: Any, parent: _Node) -> tuple[_Node, int]:
        """Add ``expression`` under ``parent``: the node it ends on, and the ways to meet it."""
        (op, argument), *_ = expression.items()
        if op == "$and":
            self._groups += 1
            node, paths = parent, 1
            for part in argument:
                node, ways = self._build(part, node)
                paths = min(paths * ways, MAX_PATHS_PER_STRATUM + 1)
            return node, paths
        if op == "$or":
            self._groups += 1
            forward, paths = _Node(), 0
            for part in argument:
                end, ways = self._build(part, parent)
                self._link(end, None, forward)
                paths = min(paths + ways, MAX_PATHS_PER_STRATUM + 1)
            return forward, paths
        if op in _OPERATORS:
            ((key, value),) = argument.items()
        else:
            key, value, op = op, argument, "$eq"
        if key != "t" and key not in self.facts:
            self.facts[key] = None
            if len(self.facts) == MAX_FACTS_PER_STRATUM + 1:
                self._problem(
                    f"with it the rules of {self.stratum} test more than "
                    f"{MAX_FACTS_PER_STRATUM} different facts (the last: "
                    f"'{self._name(key)}'); durable-rules takes at most {MAX_FACTS_PER_STRATUM} "
                    "in one case: test fewer facts"
                )
        literal = json.dumps(value, sort_keys=True)
        if op == "$nex":
            found = parent.absent.get((key, literal))
            if found is not None:
                return found, 1
            node = parent.absent[key, literal] = _Node()
            self._link(parent, key, node)
            return node, 1
        found = parent.tests.get((key, op, literal))
        if found is not None:
            return found, 1
        node = parent.tests[key, op, literal] = _Node()
        if len(parent.tests) == MAX_TESTS_PER_NODE + 1:
            self._problem(
                f"with its test of '{self._name(key)}', {MAX_TESTS_PER_NODE + 1} different "
                f"tests follow one test in {self.stratum}; durable-rules holds at most "
                f"{MAX_TESTS_PER_NODE} there (and hangs once its table is full): "
                "test fewer different values ('<', '>' instead of '==' on many numbers)"
            )
        return node, 1

    def _link(self, parent: _Node, key: str | None, node: _Node) -> None:
        parent.links.append((key, node))
        if len(parent.links) == MAX_LINKS_PER_NODE + 1:
            self._problem(
                f"with it, {MAX_LINKS_PER_NODE + 1} absence tests and 'any' branches end on "
                f"one test in {self.stratum}; durable-rules holds at most {MAX_LINKS_PER_NODE} "
                "there: merge such rules"
            )

    def _end(self, node: _Node, rule_id: str) -> None:
        node.ending.append(rule_id)
        if len(node.ending) == MAX_RULES_PER_TEST + 1:
            shown = ", ".join(r for r in node.ending[:3] if r != SEEN)
            self._problem(
                f"{len(node.ending)} rules test exactly the same condition ({shown}, ...); "
                f"durable-rules holds at most {MAX_RULES_PER_TEST} on one condition: "
                "merge them, or tell them apart"
            )

    def at_once(self) -> int:
        """The most tests durable-rules may hold on its stack at once for one case.

        events.c ``handleAlpha`` pops a node and pushes every test under it that holds; the
        worst case pushes the most that can hold together at each node and goes deepest first.
        """
        need: dict[int, int] = {}
        stack: list[tuple[_Node, bool]] = [(self.root, False)]
        while stack:  # post-order over the network (a DAG: forward nodes have many parents)
            node, done = stack.pop()
            if id(node) in need:
                continue
            children = [*node.tests.values(), *(child for _, child in node.links)]
            if not done:
                stack.append((node, True))
                stack.extend((c, False) for c in children if id(c) not in need)
                continue
            held = _held_at_once(node)
            deepest = max((need[id(c)] for c in children), default=0)
            need[id(node)] = 0 if not held else max(held, held - 1 + deepest)
        return need[id(self.root)]


def _held_at_once(node: _Node) -> int:
    """The most tests under ``node`` that can hold together for one case."""
    present: dict[str, int] = {}
    equal: set[str] = set()
    absent: dict[str, int] = {}
    forwards = 0
    for key, op, _ in node.tests:
        if op == "$eq":
            equal.add(key)  # a fact equals one value at a time
        elif op in _TOGETHER:
            present[key] = present.get(key, 0) + 1
    for equal_key in equal:
        present[equal_key] = present.get(equal_key, 0) + 1
    for link_key, _ in node.links:
        if link_key is None:
            forwards += 1  # an 'any' is followed whatever the case holds
        else:
            absent[link_key] = absent.get(link_key, 0) + 1
    keys = present.keys() | absent.keys()
    return forwards + sum(max(present.get(k, 0), absent.get(k, 0)) for k in keys)


def _many(count: int) -> str:
    return f"more than {MAX_PATHS_PER_STRATUM}" if count > MAX_PATHS_PER_STRATUM else str(count)


def _build(name: str, rules: Mapping[str, Mapping[str, Any]], names: Mapping[str, str]) -> _Network:
    network = _Network(name, names)
    for rule_id, definition in rules.items():
        network.add(rule_id, definition["all"][0]["m"])
    return network


def capacity_problems(
    definitions: Mapping[str, Mapping[str, Any]], names: Mapping[str, str] | None = None
) -> list[CapacityProblem]:
    """What in compiled rulesets exceeds durable-rules' fixed limits (empty when nothing does).

    Each limit is a ``MAX_*`` constant of this module. The check models the network
    durable-rules would build, in time linear in the definitions.

    Args:
        definitions: ruleset name to its rules, as handed to durable-rules.
        names: durable-rules key to fact name, for the messages.
    """
    names = names or {}
    problems: list[CapacityProblem] = []
    for name, rules in definitions.items():
        if len(rules) > MAX_RULES_PER_RULESET:
            problems.append(
                CapacityProblem(
                    None,
                    f"{len(rules)} rules in one stratum ({name}); durable-rules holds at most "
                    f"{MAX_RULES_PER_RULESET}",
                )
            )
            continue
        network = _build(name, rules, names)
        problems.extend(network.problems)
        if network.problems or network.at_once() <= MAX_TESTS_AT_ONCE:
            continue
        # Adding a rule never lowers the count: find the first rule that takes it past.
        ids = list(rules)
        low, high = 0, len(ids)  # the first ``high`` rules go past; the first ``low`` do not
        while high - low > 1:
            middle = (low + high) // 2
            part = {rule_id: rules[rule_id] for rule_id in ids[:middle]}
            if _build(name, part, names).at_once() > MAX_TESTS_AT_ONCE:
                high = middle
            else:
                low = middle
        problems.append(
            CapacityProblem(
                ids[high - 1],
                f"with it, more than {MAX_TESTS_AT_ONCE} tests of the rules of {name} can hold "
                f"at once for one case ({network.at_once()} with all of them); durable-rules "
                f"follows at most {MAX_TESTS_AT_ONCE} (then it fails, or crashes): many rules "
                "testing one fact with '!=', '<', '>' or for absence all hold together, so merge "
                "them (an 'in' list, one range)",
            )
        )
    return problems


def limit_problems(
    rules: Sequence[Rule],
    strata: Sequence[Sequence[str]],
    facts: Facts,
    finding_types: Mapping[str, FactType],
) -> list[CapacityProblem]:
    """What in a pack's rules is beyond durable-rules' fixed limits (empty when nothing is).

    ``RulePack.from_rules`` calls this, so a pack beyond them is never built.

    Args:
        rules: the pack's rules.
        strata: rule ids by stratum.
        facts: the facts declared.
        finding_types: each finding's type.
    """
    keys = fact_keys(facts, finding_types)

    def fact_type(fact: str) -> FactType:
        if fact.startswith("finding."):
            return finding_types[fact.split(".", 1)[1]]
        return facts.type(fact)

    compiler = Compiler(fact_type, keys)
    by_id = {rule.id: rule for rule in rules}
    definitions = {
        f"stratum {number + 1}": {
            SEEN: {"all": [{"m": {"t": CASE}}]},
            **{rule_id: {"all": [{"m": compiler.pattern(by_id[rule_id])}]} for rule_id in ids},
        }
        for number, ids in enumerate(strata)
    }
    return capacity_problems(definitions, {key: fact for fact, key in keys.items()})
