"""The one home of every durable-rules call.

durable-rules 2.0.28 is unmaintained and has sharp edges; each is answered here, and each answer
has a regression test in ``tests/test_engine.py``:

- Rulesets live in a process-global registry by name. We never use the module-level ``ruleset`` /
  ``post`` API: each compiled pack gets its own private :class:`durable.engine.Host`.
- Every ``Host`` starts two timer threads that never end. Our host subclass starts none (we use
  neither timers nor background dispatch: every action runs synchronously inside the call that
  asserts the fact), and compiled packs are cached by content hash, one per pack per process.
- A ruleset holds at most 1024 live sessions; the 1025th raises ``MemoryError`` and later calls may
  crash the process. Each ruleset evaluates in one long-lived session: the case is asserted as
  a fact and retracted once its actions ran, so memory stays bounded (creating and deleting a
  session per evaluation cost as much and did more). A failed evaluation deletes the session
  and the next starts a fresh one.
- An exception inside an action is swallowed into the session state by durable-rules' Python
  host, and that host wraps every action in a closure, the state as JSON both ways and the
  time (most of a miss's cost). The engine makes the host's C calls itself (``assert_fact``,
  ``start_action_for_state``, ``complete_and_start_action``, ``retract_fact``) and runs each
  action it starts; an action that raises is abandoned and raised as :class:`EngineError`
  naming the rule and the function.
- A fact no rule matches raises ``MessageNotHandledException``; every ruleset has a catch-all rule,
  so that exception now means a real failure and is raised as :class:`EngineError`. Deleting a
  session whose last message went unhandled segfaults the process (measured here): the engine
  asserts a handled message first, then deletes.
  Asserting an identical fact twice raises ``MessageObservedException``: each fact is retracted
  before the next is asserted.
- ``register_rulesets`` deletes the ``run`` keys from the dict it is given: definitions are built
  anew for every registration, never shared.
- durable-rules has fixed-size tables and fails on a pack beyond them; the limit model
  (:mod:`taxonomy.language.limits`, below both the pack and this module) states each limit and
  ``RulePack.from_rules`` refuses a pack beyond them.
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
from typing import Any

import durable_rules_engine
from durable import engine as durable

from taxonomy.errors import EngineError, InputError
from taxonomy.language.conditions import encode_value
from taxonomy.language.limits import (
    CASE,
    MAX_FACTS_PER_STRATUM,
    MAX_GROUPS_PER_RULE,
    MAX_LINKS_PER_NODE,
    MAX_PATHS_PER_RULE,
    MAX_PATHS_PER_STRATUM,
    MAX_RULES_PER_RULESET,
    MAX_RULES_PER_TEST,
    MAX_TESTS_AT_ONCE,
    MAX_TESTS_PER_NODE,
    MAX_VALUE_BYTES,
    SEEN,
    CapacityProblem,
    Compiler,
    capacity_problems,
    fact_keys,
    limit_problems,
)
from taxonomy.language.rules import Rule, RulePack

__all__ = [
    "MAX_ENGINES",
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
    "CapacityProblem",
    "Engine",
    "capacity_problems",
    "engine_for",
    "forget_engines",
    "pack_limit_problems",
]


_ABSENT = object()  # a fact with no value, in a memo key (apart from a value of None)
_CASE_ID = "case"  # the id of the fact asserted, then retracted, for each evaluation


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

    def __init__(self, rules: RulePack, *, memo_size: int = 65536) -> None:
        self.pack = rules
        # What durable-rules decided, by the values the conditions read. A rule's condition is a
        # test on the facts it reads and nothing else, so rules that read the same facts are
        # grouped, and each group remembers which of its rules fired for each set of values it
        # has seen. Up to ``memo_size`` entries are kept (then the memo starts afresh); 0 asks
        # durable-rules every time.
        self.memo_size = memo_size
        self._memo: dict[tuple[int, int, tuple[Any, ...]], tuple[str, ...]] = {}
        self.calls = 0  # how many times durable-rules was asked (for tests and benchmarks)
        self._keys = fact_keys(rules.facts, rules.finding_types)
        self._reads = {rule.id: rule.reads() for rule in rules.rules}
        self._uses = {rule.id: rule.uses() for rule in rules.rules}
        self._rules = {rule.id: rule for rule in rules.rules}
        self._compiler = Compiler(rules.fact_type, self._keys)
        # What each stratum's case holds: (fact, key, sent as a presence marker) for every fact
        # its rules test; a fact only tested for presence is sent as a marker, not its value.
        self._sent = [_sent_facts(rules, self._keys, ids) for ids in rules.strata]
        self._markers = {name for sent in self._sent for name, _, marker in sent if marker}
        self._names = [f"{rules.hash[:16]}.s{k}" for k in range(len(rules.strata))]
        self._lock = threading.RLock()
        # The one session each ruleset evaluates in (a new one after a failed evaluation).
        self._session = 1
        # The compiled pack's cases (see taxonomy.language.compiled), by what the rules read.
        self._cases: dict[tuple[Any, ...], Any] = {}
        self._sink: list[str] | None = None
        self._running: str | None = None
        # Each stratum's rules grouped by the facts they read: (facts, rule ids) per group.
        self._groups: list[list[tuple[tuple[str, ...], tuple[str, ...]]]] = []
        for ids in rules.strata:
            groups: dict[tuple[str, ...], list[str]] = {}
            for rule_id in ids:
                tested = sorted(set(self._rules[rule_id].when.facts()))
                groups.setdefault(tuple(tested), []).append(rule_id)
            self._groups.append([(facts, tuple(members)) for facts, members in groups.items()])
        definitions = {
            name: self._ruleset(stratum, ids)
            for stratum, (name, ids) in enumerate(zip(self._names, rules.strata, strict=True))
        }
        # RulePack.from_rules refuses such a pack already; checked again in case a pack was
        # built around it.
        problems = capacity_problems(definitions)
        if problems:
            raise EngineError(
                f"rule pack '{rules.name}' is beyond what durable-rules can hold: {problems[0]}"
                + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else "")
            )
        try:
            self._host = _QuietHost(definitions)
        except Exception as exc:  # durable-rules refused a compiled definition: our bug, not input
            raise EngineError(
                f"durable-rules could not compile pack '{rules.name}': {exc}"
            ) from exc
        # durable-rules never frees a ruleset's C memory by itself; once nothing can call this
        # engine any more, free it.
        self._handles = [self._host.get_ruleset(name)._handle for name in self._names]
        weakref.finalize(self, _free_rulesets, list(self._handles)).atexit = False

    def forget_cases(self) -> None:
        """Drop what durable-rules decided so far: the next evaluations ask it again."""
        with self._lock:
            self._memo.clear()
            self._cases.clear()

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
        fact: dict[str, Any] = {"t": CASE}
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
                (stratum, index, tuple(self._tested(values, fact) for fact in facts))
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
        """Ask durable-rules which of the stratum's rules fire on ``values``.

        The case is asserted as a fact in the ruleset's one long-lived session and retracted
        once its actions ran (:meth:`_assert_and_retract`). (Not posted as an event:
        durable-rules lets one rule consume an event, so only the catch-all would fire; a fact
        is observed by every rule it matches.)
        """
        fact = self.encode(values, stratum, function=function)
        name = self._names[stratum]
        with self._lock:
            self.calls += 1
            sid = str(self._session)
            fact["sid"], fact["id"] = sid, _CASE_ID
            sink: list[str] = []
            self._sink, self._running = sink, None
            state: Any = None
            error: EngineError | None = None
            try:
                state = self._assert_and_retract(stratum, fact)
            except (durable.MessageNotHandledException, durable.MessageObservedException) as exc:
                error = EngineError(
                    f"durable-rules did not take the fact: {exc.message}", function=function
                )
                # durable-rules segfaults when deleting a session whose last message went
                # unhandled; a handled message first makes the deletion safe.
                self._sink = []
                with contextlib.suppress(Exception):
                    self._host.assert_fact(name, {"sid": sid, "t": CASE, "id": "handled"})
            except Exception as exc:
                error = EngineError(
                    f"durable-rules failed: {exc!r}", function=function, rule=self._running
                )
            finally:
                self._sink = None
            failed = error is not None or (isinstance(state, dict) and "exception" in state)
            if failed:
                # Nothing of a failed evaluation may reach the next: its session goes, and the
                # rulesets continue in a fresh one.
                for ruleset in self._names:
                    with contextlib.suppress(Exception):  # no state there: nothing to free
                        self._host.delete_state(ruleset, sid)
                self._session += 1
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
        if SEEN not in sink:
            raise EngineError(
                f"durable-rules did not evaluate stratum {stratum}", function=function
            )
        return [rule for rule in sorted(set(sink)) if rule != SEEN]

    def _assert_and_retract(self, stratum: int, fact: dict[str, Any]) -> dict[str, Any] | None:
        """Assert ``fact`` on the stratum's ruleset, run the actions it starts, retract it.

        durable-rules' own C calls, as its ``Host.assert_fact`` makes them, without its Python
        around each action (a closure, the state as JSON both ways, the time): our actions
        only record the rule id and never change the state. The state is returned only where
        an action raised (``{"exception": ...}``), as durable-rules' Python would keep it.

        Raises:
            MessageNotHandledException, MessageObservedException: as durable-rules raises them.
        """
        handle = self._handles[stratum]
        text = json.dumps(fact, ensure_ascii=False)
        for call in (durable_rules_engine.assert_fact, durable_rules_engine.retract_fact):
            code, state = call(handle, text)[:2]
            if code == 1:
                raise durable.MessageNotHandledException(fact)
            if code == 2:
                raise durable.MessageObservedException(fact)
            if code == 0:  # 3: taken, and no action to run
                failed = self._run_actions(handle, state)
                if failed is not None:
                    return failed
        return None

    def _run_actions(self, handle: int, state: int) -> dict[str, Any] | None:
        """Run the actions durable-rules starts for a state, one by one, as its host does."""
        started = durable_rules_engine.start_action_for_state(handle, state)
        message = started[1] if started else None
        while message:
            rule_id = _action_name(message)
            self._running = rule_id
            try:
                self._record(rule_id)
            except Exception as exc:
                durable_rules_engine.abandon_action(handle, state)
                return {"exception": f"exception caught {exc}"}
            self._running = None
            message = durable_rules_engine.complete_and_start_action(handle, state)
        return None

    def _tested(self, values: Mapping[str, Any], fact: str) -> Any:
        """A fact as the conditions see it, for a memo key.

        Whether it is there, for a fact only tested for presence; else its value as
        durable-rules sees it (absent apart from None).
        """
        if fact in self._markers:
            return fact in values
        value = values.get(fact, _ABSENT)
        return value if value is _ABSENT else encode_value(value)

    def live_sessions(self) -> int:
        """How many sessions are live across this engine's rulesets (at most one per ruleset).

        For tests and diagnostics: it probes every session id used so far.
        """
        count = 0
        with self._lock:
            for name in self._names:
                for sid in range(1, self._session + 1):
                    try:
                        self._host.get_state(name, str(sid))
                    except Exception:
                        continue
                    count += 1
        return count

    def recall(self, key: tuple[Any, ...]) -> Any:
        """What :meth:`remember` kept for ``key`` (a compiled pack's case), or None."""
        return self._cases.get(key) if self.memo_size else None

    def remember(self, key: tuple[Any, ...], case: Any) -> None:
        """Keep ``case`` for ``key`` (up to ``memo_size`` cases; then the memo starts afresh)."""
        if not self.memo_size:
            return
        with self._lock:
            if len(self._cases) >= self.memo_size:
                self._cases.clear()
            self._cases[key] = case

    # -- compiling ------------------------------------------------------------------------------

    def _ruleset(self, stratum: int, rule_ids: tuple[str, ...]) -> dict[str, Any]:
        definition: dict[str, Any] = {
            SEEN: {"all": [{"m": {"t": CASE}}], "run": self._action(SEEN)}
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


#: The most compiled packs kept per process (a what-if sweep over packs compiles many).
MAX_ENGINES = 16

_CACHE: OrderedDict[str, Engine] = OrderedDict()
_CACHE_LOCK = threading.Lock()


def engine_for(rules: RulePack) -> Engine:
    """The compiled engine for ``rules``: one per pack content hash per process, reused.

    The :data:`MAX_ENGINES` most recently used are kept; an engine dropped from the cache is
    freed once its last caller lets it go.
    """
    with _CACHE_LOCK:
        engine = _CACHE.get(rules.hash)
        if engine is None:
            engine = Engine(rules)
            _CACHE[rules.hash] = engine
            while len(_CACHE) > MAX_ENGINES:
                _CACHE.popitem(last=False)
        else:
            _CACHE.move_to_end(rules.hash)
        return engine


def _action_name(message: str) -> str:
    """The rule an action message of durable-rules is for (``{"RULE": {...}}``)."""
    if message.startswith('{"'):
        end = message.find('"', 2)
        if end > 2 and "\\" not in message[2:end]:
            return message[2:end]
    return str(next(iter(json.loads(message))))


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


def pack_limit_problems(rules: RulePack) -> list[CapacityProblem]:
    """What in ``rules`` is beyond durable-rules' fixed limits (empty when nothing is).

    ``RulePack.from_rules`` refuses such a pack already (:func:`~taxonomy.language.limits.
    limit_problems`); this judges a pack as built.
    """
    return limit_problems(rules.rules, rules.strata, rules.facts, rules.finding_types)
