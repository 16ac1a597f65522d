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
- A test node of the compiled network holds at most 256 rules ending on it, and the 256th is
  written past the end of its list (``BETA_LIST_LENGTH`` in ``rules.h``): 256 rules with one
  condition crashed the process. A ruleset holds at most 4096 rules (``MAX_ACTIONS``). Both limits
  are checked before durable-rules sees a pack (:func:`capacity_problems`), and a pack beyond
  them is refused with :class:`EngineError` naming the rules.
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
from typing import Any

import durable_rules_engine
from durable import engine as durable

from taxonomy.errors import EngineError
from taxonomy.language.rules import AllOf, AnyOf, Condition, FactTest, Not, Rule, RulePack
from taxonomy.language.semantics import encode_literal, encode_value

__all__ = ["MAX_ENGINES", "Engine", "capacity_problems", "engine_for", "forget_engines"]

#: The most rules that may end on one test node of a compiled ruleset (durable-rules'
#: BETA_LIST_LENGTH is 256, and it writes the 256th past the end of the list).
MAX_RULES_PER_TEST = 255
#: The most rules in one ruleset (durable-rules' MAX_ACTIONS).
MAX_RULES_PER_RULESET = 4096

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

    def encode(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Encode fact values (answers and findings) as one durable-rules fact."""
        fact: dict[str, Any] = {"t": _CASE}
        keys = self._keys
        for name, value in values.items():
            key = keys.get(name)
            if key is not None:
                fact[key] = encode_value(value)
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
        fact = self.encode(values)
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
            rule = self.pack.rule(rule_id)
            definition[rule.id] = {
                "all": [{"m": self._pattern(rule)}],
                "run": self._action(rule.id),
            }
        # durable-rules mutates what it is given; hand it a copy and keep nothing shared.
        return definition

    def _pattern(self, rule: Rule) -> dict[str, Any]:
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
        key = self._keys[comparison.fact]
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


def _paths(expression: Any) -> list[tuple[str, ...]]:
    """The chains of tests durable-rules builds for an expression.

    Its disjunctive normal form, with the tests of each conjunction in order, as durable-rules
    links them into its network.
    """
    if isinstance(expression, dict) and len(expression) == 1:
        ((op, parts),) = expression.items()
        if op == "$and":
            chains: list[tuple[str, ...]] = [()]
            for part in parts:
                chains = [head + tail for head in chains for tail in _paths(part)]
            return chains
        if op == "$or":
            return [chain for part in parts for chain in _paths(part)]
    return [(json.dumps(expression, sort_keys=True),)]


def capacity_problems(definitions: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """What in compiled rulesets exceeds durable-rules' fixed limits (empty when nothing does).

    Args:
        definitions: ruleset name to its rules, as handed to durable-rules.
    """
    problems = []
    for name, rules in definitions.items():
        if len(rules) > MAX_RULES_PER_RULESET:
            problems.append(
                f"{len(rules)} rules in one stratum ({name}); durable-rules holds at most "
                f"{MAX_RULES_PER_RULESET}"
            )
        ending: dict[tuple[str, ...], list[str]] = {}
        for rule_id, definition in rules.items():
            for chain in _paths(definition["all"][0]["m"]):
                ending.setdefault(chain, []).append(rule_id)
        for _chain, rule_ids in sorted(ending.items()):
            if len(rule_ids) > MAX_RULES_PER_TEST:
                shown = ", ".join(r for r in rule_ids[:3] if r != _SEEN)
                problems.append(
                    f"{len(rule_ids)} rules test exactly the same condition ({shown}, ...); "
                    f"durable-rules holds at most {MAX_RULES_PER_TEST} on one condition: "
                    "merge them, or tell them apart"
                )
    return problems
