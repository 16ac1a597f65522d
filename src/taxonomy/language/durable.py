"""The one home of every durable-rules call.

durable-rules 2.0.28 is unmaintained and has sharp edges; each is answered here, and each answer
has a regression test in ``tests/test_engine.py``:

- Rulesets live in a process-global registry by name. We never use the module-level ``ruleset`` /
  ``post`` API: each compiled pack gets its own private :class:`durable.engine.Host`.
- Every ``Host`` starts two timer threads that never end. Our host subclass starts none (we use
  neither timers nor background dispatch: every action runs synchronously inside the call that
  asserts the fact), and compiled packs are cached by content hash, one per pack per process.
- A ruleset holds at most 1024 live sessions; the 1025th raises ``MemoryError`` and later calls may
  crash the process. Each evaluation gets a fresh session id and deletes its state before it
  returns, so at most one session per ruleset is ever live and memory stays bounded.
- An exception inside an action is swallowed into the session state. We read the state after every
  assert and raise :class:`EngineError` naming the rule and the function.
- A fact no rule matches raises ``MessageNotHandledException``; every ruleset has a catch-all rule,
  so that exception now means a real failure and is raised as :class:`EngineError`. Deleting a
  session whose last message went unhandled segfaults the process (measured here): the engine
  asserts a handled message first, then deletes.
  Asserting an identical fact twice raises ``MessageObservedException``: a fresh session per
  evaluation means it cannot happen.
- ``register_rulesets`` deletes the ``run`` keys from the dict it is given: definitions are built
  anew for every registration, never shared.
- durable-rules has fixed-size tables and fails on a pack beyond them: it crashes (a 64-slot
  stack, lists written past their end), loops for ever in ``create_ruleset`` (a full 512-slot
  hash table), or refuses a case with an error code. Every such limit is stated, with its origin
  in durable-rules' C source, by the ``MAX_*`` constants below, and :func:`pack_limit_problems`
  checks a pack against all of them when the pack is built, by modelling the network
  durable-rules would build (in time linear in the pack, without expanding any ``any``/``all``):
  ``RulePack.from_rules`` refuses a pack beyond them with :class:`RulePackError` naming the rule.
  The one fact asserted per case holds only the facts its stratum reads; a fact only ever tested
  for presence is sent as a marker, and any other value too large for durable-rules is refused
  with an :class:`InputError` naming the function and the fact.
- The C engine is not documented as thread-safe: every call on a host holds that host's lock, so
  ``classify`` may be called from many threads at once.

Negation is not monotone in durable-rules' forward chaining (a rule with ``not finding`` fires on
the answers before the finding is asserted), so rules run in strata (see
``RulePack.strata``): each stratum is its own ruleset and receives one fact holding the answers and
every finding of the earlier strata. A rule's condition is then a test on one fact, which
durable-rules evaluates; this module only turns conditions into durable-rules expressions.
"""

from __future__ import annotations

import contextlib
import json
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import durable_rules_engine
from durable import engine as durable

from taxonomy.errors import EngineError, InputError
from taxonomy.language.rules import AllOf, AnyOf, Condition, FactTest, Not, Rule, RulePack
from taxonomy.language.semantics import encode_literal, encode_value

__all__ = [
    "MAX_ENGINES",
    "CapacityProblem",
    "Engine",
    "capacity_problems",
    "engine_for",
    "forget_engines",
    "pack_limit_problems",
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

_SEEN = "taxonomy$seen"  # the catch-all rule of every stratum
_ABSENT = object()  # a fact with no value, in a memo key (apart from a value of None)
_CASE = "case"  # the type tag of the one fact asserted per stratum


class _QuietHost(durable.Host):  # type: ignore[misc]
    """A durable-rules host that starts no timer threads.

    ``Host._run`` starts two self-rescheduling timers that dispatch timers and queued actions in
    the background; we use neither, and they would race with our synchronous calls.
    """

    def _run(self) -> None:
        return None


class Engine:
    """A rule pack compiled into durable-rules rulesets on a private host: a semantics backend.

    Use :func:`engine_for` to get the cached engine for a pack. It answers
    :meth:`~taxonomy.language.semantics.Backend.fire` by asserting one fact on durable-rules.
    """

    def __init__(self, pack: RulePack, *, memo_size: int = 65536) -> None:
        self.pack = pack
        # What durable-rules decided, by the values the conditions read. A rule's condition is a
        # test on the facts it reads and nothing else, so rules that read the same facts are
        # grouped, and each group remembers which of its rules fired for each set of values it
        # has seen. Up to ``memo_size`` entries are kept (then the memo starts afresh); 0 asks
        # durable-rules every time.
        self.memo_size = memo_size
        self._memo: dict[tuple[int, int, tuple[Any, ...]], tuple[str, ...]] = {}
        self.calls = 0  # how many times durable-rules was asked (for tests and benchmarks)
        self._keys = _fact_keys(pack)
        self._reads = {rule.id: rule.reads() for rule in pack.rules}
        self._uses = {rule.id: rule.uses() for rule in pack.rules}
        self._rules = {rule.id: rule for rule in pack.rules}
        self._compiler = _Compiler(pack, self._keys)
        # What each stratum's case holds: (fact, key, sent as a presence marker) for every fact
        # its rules test; a fact only tested for presence is sent as a marker, not its value.
        self._sent = [_sent_facts(pack, self._keys, ids) for ids in pack.strata]
        self._names = [f"{pack.hash[:16]}.s{k}" for k in range(len(pack.strata))]
        self._lock = threading.RLock()
        self._issued = 0  # session ids issued so far; each evaluation takes the next
        self._sink: list[str] | None = None
        self._running: str | None = None
        # Each stratum's rules grouped by the facts they read: (facts, rule ids) per group.
        self._groups: list[list[tuple[tuple[str, ...], tuple[str, ...]]]] = []
        for ids in pack.strata:
            groups: dict[tuple[str, ...], list[str]] = {}
            for rule_id in ids:
                groups.setdefault(tuple(sorted(self._reads[rule_id])), []).append(rule_id)
            self._groups.append([(facts, tuple(members)) for facts, members in groups.items()])
        definitions = {
            name: self._ruleset(stratum, ids)
            for stratum, (name, ids) in enumerate(zip(self._names, pack.strata, strict=True))
        }
        # RulePack.from_rules refuses such a pack already; checked again in case a pack was
        # built around it.
        problems = capacity_problems(definitions)
        if problems:
            raise EngineError(
                f"rule pack '{pack.name}' is beyond what durable-rules can hold: {problems[0]}"
                + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else "")
            )
        try:
            self._host = _QuietHost(definitions)
        except Exception as exc:  # durable-rules refused a compiled definition: our bug, not input
            raise EngineError(f"durable-rules could not compile pack '{pack.name}': {exc}") from exc
        # durable-rules never frees a ruleset's C memory by itself; once nothing can call this
        # engine any more, free it.
        handles = [self._host.get_ruleset(name)._handle for name in self._names]
        weakref.finalize(self, _free_rulesets, handles).atexit = False

    def forget_cases(self) -> None:
        """Drop what durable-rules decided so far: the next evaluations ask it again."""
        with self._lock:
            self._memo.clear()

    @property
    def strata(self) -> int:
        """How many strata (rulesets) the pack compiles into."""
        return len(self._names)

    def reads(self, rule_id: str) -> tuple[str, ...]:
        """The facts a rule reads (computed once per pack)."""
        return self._reads[rule_id]

    def uses(self, rule_id: str) -> tuple[str, ...]:
        """The findings a rule reads (computed once per pack)."""
        return self._uses[rule_id]

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id."""
        return self._rules[rule_id]

    def key(self, fact: str) -> str:
        """The durable-rules key a fact is stored under."""
        return self._keys[fact]

    def encode(
        self, values: Mapping[str, Any], stratum: int | None = None, *, function: str = ""
    ) -> dict[str, Any]:
        """Encode fact values (answers and findings) as one durable-rules fact.

        Args:
            values: fact values by fact name.
            stratum: encode only what this stratum's rules test (a fact they only test for
                presence as a marker); None encodes every value.
            function: the function the values are of, for an error message.

        Raises:
            InputError: a value is longer than durable-rules can hold (:data:`MAX_VALUE_BYTES`).
        """
        fact: dict[str, Any] = {"t": _CASE}
        if stratum is None:
            sent = [(name, key, False) for name, key in self._keys.items()]
        else:
            sent = self._sent[stratum]
        for name, key, marker in sent:
            if name not in values:
                continue
            value = values[name]
            if marker and value is not None:
                fact[key] = 1
                continue
            value = encode_value(value)
            if isinstance(value, str) and len(value) > MAX_VALUE_BYTES // 6:
                size = len(json.dumps(value, ensure_ascii=False).encode("utf-8"))
                if size > MAX_VALUE_BYTES:
                    raise InputError(
                        f"the value is {size:,} bytes long; the rules engine takes at most "
                        f"{MAX_VALUE_BYTES:,}",
                        item=f"function '{function}'" if function else None,
                        key=name,
                    )
            fact[key] = value
        return fact

    def fire(self, stratum: int, values: Mapping[str, Any], *, function: str) -> list[str]:
        """Assert one stratum's fact for a function; the ids of the rules that fired, sorted.

        Raises:
            EngineError: durable-rules failed, or an action raised (naming the rule).
        """
        if not self.memo_size:
            return self._fire(stratum, values, function=function)
        try:
            keys = [
                (stratum, index, tuple(_encoded(values, fact) for fact in facts))
                for index, (facts, _) in enumerate(self._groups[stratum])
            ]
            with self._lock:
                found = [self._memo.get(key) for key in keys]
        except TypeError:  # a value that cannot be a key (from Python data): no memo
            return self._fire(stratum, values, function=function)
        if all(part is not None for part in found):
            return sorted(rule for part in found if part is not None for rule in part)
        fired = self._fire(stratum, values, function=function)
        chosen = set(fired)
        with self._lock:
            if len(self._memo) + len(keys) > self.memo_size:
                self._memo.clear()
            for key, (_, members) in zip(keys, self._groups[stratum], strict=True):
                self._memo[key] = tuple(rule for rule in members if rule in chosen)
        return fired

    def _fire(self, stratum: int, values: Mapping[str, Any], *, function: str) -> list[str]:
        """Ask durable-rules which of the stratum's rules fire on ``values``."""
        fact = self.encode(values, stratum, function=function)
        name = self._names[stratum]
        with self._lock:
            self.calls += 1
            self._issued += 1
            sid = str(self._issued)
            fact["sid"] = sid
            sink: list[str] = []
            self._sink, self._running = sink, None
            state: Any = None
            error: EngineError | None = None
            try:
                state = self._host.assert_fact(name, fact)
            except (durable.MessageNotHandledException, durable.MessageObservedException) as exc:
                error = EngineError(
                    f"durable-rules did not take the fact: {exc.message}", function=function
                )
                # durable-rules segfaults when deleting a session whose last message went
                # unhandled; a handled message first makes the deletion safe.
                self._sink = []
                with contextlib.suppress(Exception):
                    self._host.assert_fact(name, {"sid": sid, "t": _CASE})
            except Exception as exc:
                error = EngineError(
                    f"durable-rules failed: {exc!r}", function=function, rule=self._running
                )
            finally:
                self._sink = None
                with contextlib.suppress(Exception):  # no state was created: nothing to free
                    self._host.delete_state(name, sid)
        if error is not None:
            raise error
        if isinstance(state, dict) and "exception" in state:
            raise EngineError(
                f"a rule action raised: {str(state['exception']).splitlines()[0][:300]}",
                function=function,
                rule=self._running,
            )
        # durable-rules expands a disjunction into one path per branch, and each matching path
        # runs the action: a rule fires at most once per function, so keep its first match.
        if _SEEN not in sink:
            raise EngineError(
                f"durable-rules did not evaluate stratum {stratum}", function=function
            )
        return [rule for rule in sorted(set(sink)) if rule != _SEEN]

    def live_sessions(self) -> int:
        """How many sessions are live across this engine's rulesets (0 between calls).

        For tests and diagnostics: it probes every session id issued so far.
        """
        count = 0
        with self._lock:
            for name in self._names:
                for sid in range(1, self._issued + 1):
                    try:
                        self._host.get_state(name, str(sid))
                    except Exception:
                        continue
                    count += 1
        return count

    # -- compiling ------------------------------------------------------------------------------

    def _ruleset(self, stratum: int, rule_ids: tuple[str, ...]) -> dict[str, Any]:
        definition: dict[str, Any] = {
            _SEEN: {"all": [{"m": {"t": _CASE}}], "run": self._action(_SEEN)}
        }
        for rule_id in rule_ids:
            definition[rule_id] = {
                "all": [{"m": self._compiler.pattern(self._rules[rule_id])}],
                "run": self._action(rule_id),
            }
        # durable-rules mutates what it is given; hand it a copy and keep nothing shared.
        return definition

    def _action(self, rule_id: str) -> Callable[[Any], None]:
        def action(closure: Any) -> None:
            self._running = rule_id
            self._record(rule_id)
            self._running = None

        return action

    def _record(self, rule_id: str) -> None:
        """Note that a rule fired, for the evaluation under way."""
        if self._sink is None:  # fired outside fire(): cannot happen without background dispatch
            raise RuntimeError(f"rule {rule_id} fired outside an evaluation")
        self._sink.append(rule_id)


class _Compiler:
    """Turns a pack's conditions into durable-rules expressions."""

    def __init__(self, pack: RulePack, keys: Mapping[str, str]) -> None:
        self.pack = pack
        self.keys = keys

    def pattern(self, rule: Rule) -> dict[str, Any]:
        """The expression a case must match for ``rule`` to fire."""
        test = self._compile(rule.when, negate=False)
        if test is None:
            return {"t": _CASE}
        return {"$and": [{"t": _CASE}, test]}

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
        optional = finding or self.pack.fact_type(comparison.fact).optional
        op = comparison.op
        if op == "present":
            return {"$nex" if negate else "$ex": {key: 1}}
        values = comparison.value if op == "in" else (comparison.value,)
        encoded = [encode_literal(self.pack.fact_type(comparison.fact), v) for v in values]
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


def _encoded(values: Mapping[str, Any], fact: str) -> Any:
    """A fact's value as durable-rules sees it (absent apart from None), for a memo key."""
    value = values.get(fact, _ABSENT)
    return value if value is _ABSENT else encode_value(value)


def _fact_keys(pack: RulePack) -> dict[str, str]:
    answers = [f.name for f in pack.facts if f.type.operators]
    names = [*answers, *(f"finding.{n}" for n in sorted(pack.finding_types))]
    return {name: f"f{index}" for index, name in enumerate(names)}


#: The most compiled packs kept per process (a what-if sweep over packs compiles many).
MAX_ENGINES = 16

_CACHE: OrderedDict[str, Engine] = OrderedDict()
_CACHE_LOCK = threading.Lock()


def engine_for(pack: RulePack) -> Engine:
    """The compiled engine for ``pack``: one per pack content hash per process, reused.

    The :data:`MAX_ENGINES` most recently used are kept; an engine dropped from the cache is
    freed once its last caller lets it go.
    """
    with _CACHE_LOCK:
        engine = _CACHE.get(pack.hash)
        if engine is None:
            engine = Engine(pack)
            _CACHE[pack.hash] = engine
            while len(_CACHE) > MAX_ENGINES:
                _CACHE.popitem(last=False)
        else:
            _CACHE.move_to_end(pack.hash)
        return engine


def _free_rulesets(handles: list[int]) -> None:
    """Free durable-rules' C rulesets of an engine nothing refers to any more."""
    for handle in handles:
        with contextlib.suppress(Exception):
            durable_rules_engine.delete_ruleset(handle)


def forget_engines() -> None:
    """Drop every cached engine, so the next :func:`engine_for` compiles afresh.

    For a forked process (a sweep's pool worker): durable-rules hosts copied from the parent are
    not to be used in the child.
    """
    with _CACHE_LOCK:
        _CACHE.clear()


def _sent_facts(
    pack: RulePack, keys: Mapping[str, str], rule_ids: tuple[str, ...]
) -> list[tuple[str, str, bool]]:
    """What one stratum's case holds: (fact, key, presence marker only) per fact its rules test."""
    tested: dict[str, None] = {}
    rules = {rule.id: rule for rule in pack.rules}
    for rule_id in rule_ids:
        for fact in rules[rule_id].when.facts():
            tested.setdefault(fact, None)
    return [
        (fact, keys[fact], set(pack.fact_type(fact).operators) <= {"present"})
        for fact in tested
        if fact in keys
    ]


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
            shown = ", ".join(r for r in node.ending[:3] if r != _SEEN)
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


def pack_limit_problems(pack: RulePack) -> list[CapacityProblem]:
    """What in ``pack`` is beyond durable-rules' fixed limits (empty when nothing is).

    ``RulePack.from_rules`` calls this, so a pack beyond them is never built.
    """
    keys = _fact_keys(pack)
    compiler = _Compiler(pack, keys)
    rules = {rule.id: rule for rule in pack.rules}
    definitions = {
        f"stratum {number + 1}": {
            _SEEN: {"all": [{"m": {"t": _CASE}}]},
            **{rule_id: {"all": [{"m": compiler.pattern(rules[rule_id])}]} for rule_id in ids},
        }
        for number, ids in enumerate(pack.strata)
    }
    return capacity_problems(definitions, {key: fact for fact, key in keys.items()})
