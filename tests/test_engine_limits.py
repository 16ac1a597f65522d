"""Rule packs at and past durable-rules' fixed limits: refused when built, never a crash or a hang.

Issue 22 item 1. Each limit is a ``MAX_*`` constant of ``taxonomy.language.durable`` with its
origin in durable-rules' C source. A pack past one crashed the process (a 64-slot stack, lists
written past their end), spun for ever in ``create_ruleset`` (a full 512-slot table), or failed
each case with an error code. Where a pack could reach the engine, it runs in a subprocess with a
timeout, so a crash (a negative return code) or a hang fails the test instead of killing pytest.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import taxonomy
from taxonomy.language import durable
from taxonomy.language.facts import LEVEL, Fact
from taxonomy.language.rules import AllOf, Condition, FactTest, Rule, RulePack, Then
from tests.conftest import NHS
from tests.helpers import run_cli

# Builds the attack packs in this process and in the subprocess alike (from a kind and a size).
_BUILD = """
import taxonomy
from taxonomy.language.facts import LEVEL, TEXT, Fact
from taxonomy.language.rules import AllOf, AnyOf, FactTest, Not, Rule, RulePack, Then


def build(kind, n):
    def rule(i, when):
        then = Then(finding=f"hit{i}", value=True)
        return Rule(f"x.r{i}", "efficiency", when, then, "because", ("simple",), "test", 0)

    base = taxonomy.load_rules()
    facts = list(base.facts)
    if kind == "neq":  # tests that all hold at once on one fact
        extra = [rule(i, FactTest("performed_by.count", "!=", 100 + i)) for i in range(n)]
    elif kind == "eq":  # tests that fill one table of durable-rules
        extra = [rule(i, FactTest("performed_by.count", "==", 10 + i)) for i in range(n)]
    elif kind == "anyof":  # one rule: any of n tests
        tests = tuple(FactTest("performed_by.count", "==", 10 + i) for i in range(n))
        extra = [rule(0, AnyOf(tests))]
    elif kind == "pairs":  # one rule: all of n any-pairs (2**n ways to meet it)
        pairs = tuple(
            AnyOf((FactTest("performed_by.count", ">=", 0), FactTest("organisations.count", ">=", i)))
            for i in range(n)
        )
        extra = [rule(0, AllOf(pairs))]
    elif kind == "absent":  # n text facts, each tested for absence
        facts += [Fact(f"legal.t{i}", TEXT, meaning="m") for i in range(n)]
        extra = [rule(i, Not(FactTest(f"legal.t{i}", "present"))) for i in range(n)]
    elif kind == "levels":  # n level facts, each tested by a rule
        facts += [Fact(f"legal.l{i}", LEVEL, meaning="m", default="none") for i in range(n)]
        extra = [rule(i, FactTest(f"legal.l{i}", ">=", "low")) for i in range(n)]
    else:
        raise ValueError(kind)
    return RulePack.from_rules([*base.rules, *extra], name=f"{kind}{n}", facts=facts)
"""


_namespace: dict[str, object] = {}
exec(_BUILD, _namespace)  # our own source, shared with the child process


def build(kind: str, n: int) -> RulePack:
    """The attack pack of ``kind`` and size ``n`` (see ``_BUILD``)."""
    return _namespace["build"](kind, n)  # type: ignore[operator, no-any-return]


def classify_in_child(kind: str, n: int, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Build the pack and classify the NHS example with it in a fresh process."""
    script = _BUILD + textwrap.dedent(
        f"""
            import sys
            portfolio = taxonomy.load_portfolio({str(NHS)!r})
            print(len(taxonomy.classify(portfolio, rules=build({kind!r}, {n}))))
            """
    )
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=timeout
    )


# -- each attack is refused when the pack is built, naming the rule and the limit ----------------


@pytest.mark.parametrize(
    ("kind", "n", "limit"),
    [
        ("neq", 63, f"durable-rules follows at most {durable.MAX_TESTS_AT_ONCE}"),
        ("absent", 62, f"durable-rules follows at most {durable.MAX_TESTS_AT_ONCE}"),
        ("eq", 495, f"durable-rules holds at most {durable.MAX_TESTS_PER_NODE} there"),
        ("anyof", 3000, f"durable-rules holds at most {durable.MAX_TESTS_PER_NODE} there"),
        ("pairs", 11, f"at most {durable.MAX_PATHS_PER_RULE} are allowed"),
        ("pairs", 18, f"durable-rules holds at most {durable.MAX_GROUPS_PER_RULE} in one rule"),
        ("levels", 300, f"durable-rules takes at most {durable.MAX_FACTS_PER_STRATUM} in one"),
    ],
)
def test_a_pack_past_a_limit_is_refused_when_built(kind: str, n: int, limit: str) -> None:
    # Before: neq 63 and absent 62 crashed classify (SIGSEGV, free(): invalid pointer), eq 495
    # and anyof 3000 spun for ever in create_ruleset, pairs 18 took 8 s to check and then failed
    # with error 113, levels 300 failed every case with error 302.
    started = time.perf_counter()
    with pytest.raises(taxonomy.RulePackError) as info:
        build(kind, n)
    assert time.perf_counter() - started < 5
    message = str(info.value)
    assert message.startswith("rule 'x.r"), message
    assert "beyond what the rules engine can hold" in message
    assert limit in message


def test_the_check_never_expands_any_and_all() -> None:
    # An `all` of 26 `any`-pairs made the check itself expand 2**26 chains (745 MB, growing).
    started = time.perf_counter()
    with pytest.raises(taxonomy.RulePackError, match="all'/'any' groups"):
        build("pairs", 26)
    assert time.perf_counter() - started < 5


def test_the_command_line_refuses_such_a_pack_with_one_message(tmp_path: Path) -> None:
    folder = tmp_path / "attack"
    folder.mkdir()
    (folder / "pack.yaml").write_text(
        "name: attack\nversion: 1.0.0\nextends:\n  name: nhs-joint-working-2018\n"
        "  version: '>=1.0,<2'\n"
    )
    rules = ["rules:"]
    for i in range(70):
        rules.append(
            f"  - id: x.r{i}\n    question: efficiency\n"
            f"    when: {{fact: performed_by.count, op: '!=', value: {100 + i}}}\n"
            f"    then: {{finding: hit{i}, value: true}}\n    because: b\n"
            "    principles: [simple]\n    source: s"
        )
    (folder / "rules.yaml").write_text("\n".join(rules) + "\n")
    for args in (
        ("rules", str(folder)),
        ("rules", "check", str(folder), "--backend", "durable-rules"),
        ("classify", str(NHS), "--rules", str(folder)),
    ):
        out = run_cli(*args)
        assert out.returncode == 2, (args, out.stderr)
        (line,) = out.stderr.strip().splitlines()
        assert "rules.yaml:" in line and "rule 'x.r" in line, line
        assert f"at most {durable.MAX_TESTS_AT_ONCE}" in line
        assert "Traceback" not in out.stderr


# -- what the engine is sent ----------------------------------------------------------------------


def test_facts_no_rule_tests_are_not_sent(nhs: taxonomy.Portfolio) -> None:
    # 300 declared level facts (each with a default) were all sent in every case: error 302.
    # Only the facts a stratum's rules test are sent now.
    base = taxonomy.load_rules()
    extra = [Fact(f"legal.l{i}", LEVEL, meaning="m", default="none") for i in range(300)]
    facts = [*base.facts, *extra]
    pack = RulePack.from_rules(base.rules, name="many-facts", facts=facts)
    ours, theirs = taxonomy.classify(nhs, rules=pack), taxonomy.classify(nhs, rules=base)
    assert ours.recommendations == theirs.recommendations


def _rule(rule_id: str, when: Condition) -> Rule:
    then = Then(finding=rule_id.replace(".", "_"), value=True)
    return Rule(rule_id, "efficiency", when, then, "because", ("simple",), "test", 0)


def test_a_long_text_answer_is_sent_as_present(nhs: taxonomy.Portfolio) -> None:
    # A 20 MB text answer failed the case with error 314; a text fact is only ever tested for
    # presence, so durable-rules now sees a marker.
    import attrs

    function = nhs.functions[0]
    legal = attrs.evolve(function.legal, separate_reason="x" * 20_000_000)
    changed = attrs.evolve(nhs, functions=(attrs.evolve(function, legal=legal), *nhs.functions[1:]))
    (first, *_) = taxonomy.classify(changed)
    assert "legal.separate-for-legal-reason" in {f.rule for f in first.explanation.fired}


def test_a_value_too_long_for_the_engine_is_an_input_error_naming_function_and_fact() -> None:
    pack = RulePack.from_rules(
        [
            _rule("x.lead", FactTest("agreed_lead", "==", "nhse")),
            Rule(
                "d.always",
                "decision",
                AllOf(()),
                Then(decide=taxonomy.Arrangement.ALIGNED),
                "because",
                ("simple",),
                "test",
                0,
            ),
        ],
        name="lead",
    )
    engine = durable.Engine(pack)
    fired = engine.fire(0, {"agreed_lead": "nhse"}, function="f1")
    assert "x.lead" in fired
    with pytest.raises(taxonomy.InputError) as info:
        engine.fire(0, {"agreed_lead": "n" * (durable.MAX_VALUE_BYTES + 1)}, function="f1")
    message = str(info.value)
    assert "function 'f1'" in message and "agreed_lead" in message
    assert f"at most {durable.MAX_VALUE_BYTES:,}" in message


# -- packs near each limit never crash or hang the process ---------------------------------------

# The largest size of each kind the check accepts (measured by bisection below), and how far on
# either side of it examples are drawn.
_KINDS = ("neq", "absent", "eq", "anyof", "pairs", "levels")


def _largest_accepted(kind: str) -> int:
    low, high = 0, 4096  # build(kind, low) is accepted, build(kind, high) refused
    while high - low > 1:
        middle = (low + high) // 2
        try:
            build(kind, middle)
        except taxonomy.RulePackError:
            high = middle
        else:
            low = middle
    return low


_LARGEST: dict[str, int] = {}


@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(kind=st.sampled_from(_KINDS), offset=st.integers(-3, 3))
def test_a_pack_near_a_limit_runs_or_is_refused_never_crashes(kind: str, offset: int) -> None:
    if kind not in _LARGEST:
        _LARGEST[kind] = _largest_accepted(kind)
    n = max(1, _LARGEST[kind] + offset)
    try:
        build(kind, n)
    except taxonomy.RulePackError as error:
        assert offset > 0, f"{kind} {n} refused below the largest accepted: {error}"
        return
    assert offset <= 0
    out = classify_in_child(kind, n)
    assert out.returncode >= 0, f"{kind} {n} crashed the engine: signal {-out.returncode}"
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout) == len(taxonomy.load_portfolio(NHS).functions)


@pytest.mark.parametrize("kind", _KINDS)
def test_the_largest_pack_accepted_runs_in_the_engine(kind: str) -> None:
    # At each limit exactly, in a fresh process: what the check lets through must run.
    if kind not in _LARGEST:
        _LARGEST[kind] = _largest_accepted(kind)
    out = classify_in_child(kind, _LARGEST[kind])
    assert out.returncode >= 0, f"{kind} crashed the engine: signal {-out.returncode}"
    assert out.returncode == 0, out.stderr[-2000:]
