"""Classification: run a pack on every function and resolve the rules' conclusions.

For each function, the strata of the pack run in order on durable-rules (see ``engine``). Between
strata, findings are resolved: where rules derive different values for one finding, the highest
declared priority wins. After the last stratum:

- the **decision** is the ``decide`` of the highest-priority decision rule that fired;
- the **legal cap** is the least integrated ``cap`` of the legal rules that fired, and the
  arrangement is the less integrated of decision and cap, so no efficiency or effectiveness answer
  can ever override a legal constraint;
- the **lead** comes from the highest-priority lead rule; ``joint`` stands only for one team and
  aligned arrangements (a separate arrangement takes the next lead naming a body); among several
  candidate bodies the most capable leads, ties going to the body listed first in the portfolio.

Two rules of equal top priority that conclude differently are a conflict, and no decision at all is
a gap: both raise :class:`EngineError` naming the rules, never a silent pick. Order in a file
never decides anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from taxonomy._model import (
    Arrangement,
    Classification,
    Explanation,
    Firing,
    Function,
    Level,
    Portfolio,
    Recommendation,
)
from taxonomy.engine import Engine, RawFiring, engine_for
from taxonomy.errors import EngineError, InputError
from taxonomy.facts import answer_values, format_value
from taxonomy.rules import PLACEHOLDER, Rule, RulePack, load_rules

__all__ = ["classify", "classify_function"]


def classify(
    portfolio: Portfolio,
    *,
    rules: RulePack | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Classification:
    """Recommend an arrangement and a lead for every function of ``portfolio``.

    Args:
        portfolio: the bodies and functions, e.g. from :func:`taxonomy.load_portfolio`.
        rules: the rule pack; None uses the default pack.
        progress: called with (functions done, functions in all) every 500 functions.

    Returns:
        One recommendation per function, in portfolio order, with the pack's identity.

    Raises:
        EngineError: the engine failed, or the pack reached no single answer for a function.
        InputError: the portfolio has a single body (after a what-if merger).

    Safe to call from many threads at once.
    """
    _check_bodies(portfolio)
    pack = rules if rules is not None else _default_pack()
    engine = engine_for(pack)
    memo: dict[tuple[str, tuple[Any, ...]], Firing] = {}
    recommendations = []
    total = len(portfolio.functions)
    for done, fn in enumerate(portfolio.functions, start=1):
        recommendations.append(_classify_one(engine, pack, portfolio, fn, memo))
        if progress is not None and (done % 500 == 0 or done == total):
            progress(done, total)
    result = Classification(portfolio, pack.identity, tuple(recommendations))
    for observer in OBSERVERS:
        observer(pack, result)
    return result


def classify_function(
    portfolio: Portfolio, function_id: str, *, rules: RulePack | None = None
) -> Recommendation:
    """Recommend an arrangement and a lead for one function of ``portfolio``."""
    _check_bodies(portfolio)
    pack = rules if rules is not None else _default_pack()
    return _classify_one(engine_for(pack), pack, portfolio, portfolio.function(function_id), {})


def _check_bodies(portfolio: Portfolio) -> None:
    if len(portfolio.organisations) < 2:
        raise InputError(
            f"only one body is left ({portfolio.organisation_ids[0]}): every function is "
            "delivered once by it, so there is no joint arrangement to classify",
            item=f"portfolio '{portfolio.name}'",
        )


#: Callables told of every classification (pack, result); the pytest plugin's coverage uses it.
OBSERVERS: list[Callable[[RulePack, Classification], None]] = []

_DEFAULT: list[RulePack] = []


def _default_pack() -> RulePack:
    if not _DEFAULT:
        _DEFAULT.append(load_rules())
    return _DEFAULT[0]


def _classify_one(
    engine: Engine,
    pack: RulePack,
    portfolio: Portfolio,
    fn: Function,
    memo: dict[tuple[str, tuple[Any, ...]], Firing],
) -> Recommendation:
    values: dict[str, Any] = answer_values(fn, portfolio)
    encoded = engine.encode(values)
    fired: list[tuple[Rule, RawFiring]] = []
    derived_names: list[str] = []
    for stratum in range(engine.strata):
        raw = engine.fire_encoded(stratum, encoded, function=fn.id)
        step = [(engine.rule(r.rule), r) for r in raw]
        fired.extend(step)
        derived = {
            f"finding.{name}": value
            for name, value in _resolve_findings(step, values, fn.id).items()
        }
        if derived:
            derived_names.extend(derived)
            values.update(derived)
            encoded.update(engine.encode(derived))

    firings = {rule.id: _firing(engine, rule, values, memo) for rule, _ in fired}
    rules = [rule for rule, _ in fired]

    deciders = [r for r in rules if r.then.decide is not None]
    if not deciders:
        raise EngineError(
            "no decision rule fired: the pack has a gap for these answers "
            f"({_answers_text(values)})",
            function=fn.id,
        )
    decider = _top(deciders, lambda r: r.then.decide, fn.id, "decide")
    decided = decider.then.decide
    assert decided is not None
    caps = [r for r in rules if r.then.cap is not None]
    arrangement = max([decided, *(r.then.cap for r in caps if r.then.cap is not None)])
    capped_by = [r for r in caps if r.then.cap == arrangement and arrangement > decided]

    lead, lead_rule, notes = _lead(rules, arrangement, fn, portfolio, values)

    findings = tuple(
        (name[len("finding.") :], format_value(values[name])) for name in sorted(derived_names)
    )
    explanation = Explanation(
        fired=tuple(firings[r.id] for r in rules),
        decided_by=firings[decider.id],
        capped_by=tuple(firings[r.id] for r in sorted(capped_by, key=lambda r: r.id)),
        lead_by=firings[lead_rule.id] if lead_rule is not None else None,
        findings=findings,
        notes=tuple(notes),
    )
    return Recommendation(fn.id, fn.name, arrangement, lead, explanation)


def _resolve_findings(
    step: Sequence[tuple[Rule, RawFiring]], values: Mapping[str, Any], function: str
) -> dict[str, Any]:
    by_name: dict[str, list[Rule]] = {}
    for rule, _ in step:
        if rule.then.finding is not None:
            by_name.setdefault(rule.then.finding, []).append(rule)
    resolved = {}
    for name, rules in sorted(by_name.items()):
        winner = _top(rules, lambda r: _finding_value(r, values), function, f"finding {name}")
        resolved[name] = _finding_value(winner, values)
    return resolved


def _finding_value(rule: Rule, values: Mapping[str, Any]) -> Any:
    value = rule.then.value
    if isinstance(value, str):  # copied from another fact
        return values.get(value)
    return value


def _top(rules: Sequence[Rule], conclusion: Any, function: str, what: str) -> Rule:
    """The highest-priority rule; equal top priorities with different conclusions conflict."""
    if len(rules) == 1:
        return rules[0]
    best = max(r.priority for r in rules)
    top = sorted((r for r in rules if r.priority == best), key=lambda r: r.id)
    if len(top) > 1 and len({conclusion(r) for r in top}) > 1:
        listed = ", ".join(f"{r.id} ({format_value(conclusion(r))}) at {r.where}" for r in top)
        raise EngineError(
            f"conflict on '{what}': rules of equal priority {best} conclude differently: {listed}; "
            "declare a priority between them",
            function=function,
        )
    return top[0]


def _lead(
    rules: Iterable[Rule],
    arrangement: Arrangement,
    fn: Function,
    portfolio: Portfolio,
    values: Mapping[str, Any],
) -> tuple[str | None, Rule | None, list[str]]:
    notes: list[str] = []
    candidates = [r for r in rules if r.then.lead is not None]
    for priority in sorted({r.priority for r in candidates}, reverse=True):
        tier = sorted((r for r in candidates if r.priority == priority), key=lambda r: r.id)
        leads = {r.id: _lead_body(r, fn, portfolio, values) for r in tier}
        if arrangement.separate:
            joint = [r for r in tier if leads[r.id] is None]
            for rule in joint:
                notes.append(
                    f"{rule.id} asks for a joint lead, which only stands for one team or "
                    f"aligned arrangements; a {arrangement} arrangement takes the next lead"
                )
            tier = [r for r in tier if leads[r.id] is not None]
            if not tier:
                continue
        distinct = {leads[r.id] for r in tier}
        if len(distinct) > 1:
            listed = ", ".join(f"{r.id} ({leads[r.id] or 'joint'}) at {r.where}" for r in tier)
            raise EngineError(
                f"conflict on 'lead': rules of equal priority {priority} name different leads: "
                f"{listed}; declare a priority between them",
                function=fn.id,
            )
        tied = _tied(tier[0], fn, portfolio, values)
        if len(tied) > 1:
            notes.append(
                f"{', '.join(tied)} tie on capability for the lead; {leads[tier[0].id]} leads "
                "because it is listed first in the portfolio"
            )
        return leads[tier[0].id], tier[0], notes
    if arrangement.separate:
        raise EngineError(
            f"the arrangement is {arrangement}, which needs a lead body, but no lead rule fired",
            function=fn.id,
        )
    return None, None, notes


def _lead_body(
    rule: Rule, fn: Function, portfolio: Portfolio, values: Mapping[str, Any]
) -> str | None:
    source = rule.then.lead
    if source == "joint":
        return None
    if source == "organisations":
        bodies: tuple[str, ...] = portfolio.organisation_ids
    else:
        found = values.get(str(source))
        bodies = (found,) if isinstance(found, str) else tuple(found or ())
    if not bodies:
        raise EngineError(
            f"sets the lead from '{source}', which is empty", function=fn.id, rule=rule.id
        )
    order = {body: i for i, body in enumerate(portfolio.organisation_ids)}
    return min(bodies, key=lambda b: (-int(fn.capability.of(b)), order.get(b, len(order))))


def _tied(rule: Rule, fn: Function, portfolio: Portfolio, values: Mapping[str, Any]) -> list[str]:
    """The bodies that tied on capability for a lead rule, when more than one did."""
    source = rule.then.lead
    if source == "joint":
        return []
    if source == "organisations":
        bodies: tuple[str, ...] = portfolio.organisation_ids
    else:
        found = values.get(str(source))
        bodies = (found,) if isinstance(found, str) else tuple(found or ())
    best = max(fn.capability.of(b) for b in bodies)
    return [b for b in bodies if fn.capability.of(b) == best] if len(bodies) > 1 else []


def _firing(
    engine: Engine,
    rule: Rule,
    values: Mapping[str, Any],
    memo: dict[tuple[str, tuple[Any, ...]], Firing],
) -> Firing:
    """The explanation node for a rule that fired; identical nodes are shared within a call."""
    reads = engine.reads(rule.id)
    key = (rule.id, tuple(values.get(fact) for fact in reads))
    found = memo.get(key)
    if found is not None:
        return found
    matched = tuple((fact, format_value(values.get(fact))) for fact in reads)
    shown = dict(matched)

    def fill(match: Any) -> str:
        return str(shown.get(match.group(1).strip(), match.group(0)))

    firing = Firing(
        rule=rule.id,
        question=rule.question,
        conclusion=_conclusion(rule, values),
        matched=matched,
        because=PLACEHOLDER.sub(fill, rule.because),
        source=rule.source,
        principles=rule.principles,
        priority=rule.priority,
        uses=engine.uses(rule.id),
    )
    memo[key] = firing
    return firing


def _conclusion(rule: Rule, values: Mapping[str, Any]) -> str:
    then = rule.then
    if then.finding is not None:
        text = f"finding {then.finding} = {format_value(_finding_value(rule, values))}"
        rest = then.describe().split("; ")[1:]
        return "; ".join([text, *rest])
    return then.describe()


def _answers_text(values: Mapping[str, Any]) -> str:
    shown = [
        f"{k}={format_value(v)}"
        for k, v in sorted(values.items())
        if isinstance(v, Level | bool) or k.startswith("finding.")
    ]
    return ", ".join(shown)
