"""Reading rule files: each rule, override and setting from a mapping, checked on its own.

A rule file is a mapping with ``rules:`` and/or ``facts:`` lists (:func:`read_rule_file`); a
rule is a mapping of ``id``, ``question``, ``when``, ``then``, ``because``, ``principles``,
``source`` and ``priority`` (:func:`read_rule`). Every problem of one rule is raised together;
every problem of one file is recorded. Whole-pack checks are in
:mod:`taxonomy.language.consistency`; packs are put together in :mod:`taxonomy.language.rules`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import attrs

from taxonomy._explanation import Override
from taxonomy._model import Arrangement, Level
from taxonomy.errors import Problems, RulePackError, did_you_mean
from taxonomy.input.reader import Fields, Location, Reader, load_yaml, location_of
from taxonomy.language.conditions import fold_choice, read_condition
from taxonomy.language.declarations import read_facts
from taxonomy.language.facts import Fact
from taxonomy.language.rule import PRINCIPLES, QUESTIONS, Rule, Then

__all__ = [
    "reworded",
    "PackFiles",
    "check_version",
    "read_pack_files",
    "FINDING",
    "OVERRIDE_KEYS",
    "REQUIRED_OVERRIDE_KEYS",
    "REQUIRED_RULE_KEYS",
    "RULE_ID",
    "RULE_KEYS",
    "THEN_KEYS",
    "VOCABULARY",
    "RuleFile",
    "check_keys",
    "read_overrides",
    "read_rule",
    "read_rule_file",
    "read_vocabulary",
    "text_or",
]

_T = TypeVar("_T")
#: The keys of a rule, those it must have, and those of its ``then``.
RULE_KEYS = ("id", "question", "when", "then", "because", "principles", "source", "priority")
REQUIRED_RULE_KEYS = ("id", "question", "when", "then", "because", "principles", "source")
THEN_KEYS = ("finding", "value", "cap", "lead", "decide")
#: The keys of an override in ``pack.yaml``, and those it must have.
OVERRIDE_KEYS = ("rule", "reason", "because")
REQUIRED_OVERRIDE_KEYS = ("rule", "reason")
#: What a rule id and a finding name may be.
RULE_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
FINDING = re.compile(r"^[a-z][a-z0-9_]*$")

#: Words a pack may set for the people reading its results (``vocabulary:`` in ``pack.yaml``).
VOCABULARY: Mapping[str, str] = {
    "governing_body": "what each body's governing body is called (Board, Cabinet, ...), "
    "unless the portfolio says so for the body",
    "paper": "the paper the questions and categories come from, as reports cite it",
    **{
        f"{q}_question": f"the {q} question in the pack's words (the template's guide)"
        for q in ("efficiency", "effectiveness", "legal", "capability")
    },
}


def _choice(reader: Reader, node: Fields, key: str, choices: Iterable[str], *, item: str) -> str:
    """:meth:`Reader.choice`, accepting a choice written in another case (``Legal``)."""
    options = tuple(choices)
    folded = fold_choice(node[key], options)
    if isinstance(folded, str) and folded in options:
        return folded
    return reader.choice(node, key, options, item=item)


def check_keys(
    problems: Problems,
    reader: Reader,
    node: Fields,
    *,
    allowed: Iterable[str],
    required: Iterable[str] = (),
    item: str | None = None,
) -> None:
    """Record every unknown key and every missing required key of ``node`` in ``problems``.

    Each problem reads as :meth:`Reader.keys` words it (which stops at the first).
    """
    allowed = tuple(allowed)
    for key in node:
        if key not in allowed:
            with problems.collecting():
                reader.fail(
                    "unknown key",
                    at=node,
                    key=key,
                    item=item,
                    allowed=allowed,
                    suggestion=did_you_mean(key, allowed),
                )
    for key in required:
        if key not in node:
            with problems.collecting():
                reader.fail(f"missing required key '{key}'", at=node, item=item)


def text_or(
    problems: Problems,
    reader: Reader,
    node: Fields,
    key: str,
    *,
    item: str | None = None,
    default: str,
) -> str:
    """``node[key]`` as text; ``default`` when it is missing or its problem was recorded."""
    if key in node:
        with problems.collecting():
            return reader.text(node, key, item=item)
    return default


def read_vocabulary(reader: Reader, meta: Fields) -> dict[str, str]:
    """The words ``pack.yaml`` sets under ``vocabulary:`` (see :data:`VOCABULARY`)."""
    if meta.get("vocabulary") is None:
        return {}
    node = reader.mapping(meta["vocabulary"], what="'vocabulary'", at=meta)
    reader.keys(node, allowed=VOCABULARY, item="vocabulary")
    return {key: reader.text(node, key, item="vocabulary") for key in node}


@attrs.frozen
class _Extending:
    """What an override is judged against: the pack extended and the extension's own rules."""

    base: str
    known: tuple[str, ...]
    own: Mapping[str, Rule]
    pack: str


def read_overrides(
    reader: Reader,
    meta: Fields,
    problems: Problems,
    *,
    base: str,
    known: Iterable[str],
    own: Mapping[str, Rule],
    pack: str,
) -> tuple[Override, ...]:
    """The overrides ``pack.yaml`` lists, each checked on its own (problems recorded).

    Args:
        reader: the reader of ``pack.yaml``.
        meta: its top mapping.
        problems: where each override's problem is recorded.
        base: the name of the pack extended.
        known: the ids of its rules.
        own: the extension's own rules, by id.
        pack: the extension's name.
    """
    if meta.get("overrides") is None:
        return ()
    context = _Extending(base, tuple(known), own, pack)
    found: list[Override] = []
    with problems.collecting():
        items = reader.sequence(meta["overrides"], what="'overrides'", at=meta)
        for raw in items:
            with problems.collecting():
                found.append(_override(reader, raw, items, context, found))
    return tuple(found)


def _override(
    reader: Reader, raw: Any, items: Any, context: _Extending, found: list[Override]
) -> Override:
    known, own, pack = context.known, context.own, context.pack
    node = reader.mapping(raw, what="an override", at=items)
    item = f"override of '{node['rule']}'" if isinstance(node.get("rule"), str) else "override"
    reader.keys(node, allowed=OVERRIDE_KEYS, required=REQUIRED_OVERRIDE_KEYS, item=item)
    rule_id = reader.text(node, "rule", item=item)
    if rule_id not in known:
        reader.fail(
            f"pack '{context.base}' has no rule '{rule_id}'",
            at=node,
            key="rule",
            item=item,
            suggestion=did_you_mean(rule_id, known),
        )
    if rule_id in [o.rule for o in found]:
        reader.fail("this rule is overridden twice", at=node, key="rule", item=item)
    reason = reader.text(node, "reason", item=item)
    if "because" in node:
        if rule_id in own:
            reader.fail(
                f"rewords '{rule_id}' and also defines it: a rule of the pack's own gives its "
                "reason in its own 'because'; drop 'because' here, or the rule",
                at=node,
                key="because",
                item=item,
            )
        because = reader.text(node, "because", item=item)
        line = location_of(node).line or 0
        return Override(rule_id, "reworded", reason, pack, because, line)
    action = "replaced" if rule_id in own else "removed"
    return Override(rule_id, action, reason, pack)


@attrs.frozen
class RuleFile:
    """What one rule file gave: its rules and facts, and whether any failed to read."""

    rules: list[Rule]
    facts: list[Fact]
    rules_partial: bool = False
    facts_partial: bool = False


def read_rule_file(file: Path, pack: str, problems: Problems) -> RuleFile:
    """Read one rule file, each rule and fact on its own; problems are recorded."""
    reader = Reader(str(file), RulePackError)
    try:
        data = load_yaml(file, error=RulePackError)
        if data is None:
            reader.fail("the file is empty; it must hold a 'rules:' or a 'facts:' list")
        top = reader.mapping(data, what="a rule file")
    except RulePackError as error:
        problems.add(error)
        return RuleFile([], [], rules_partial=True, facts_partial=True)
    before = len(problems)
    check_keys(problems, reader, top, allowed=("rules", "facts"))
    misspelt = len(problems) > before  # a list under a misspelt key is not read
    if not top:
        problems.add(
            RulePackError(
                "the file must hold a 'rules:' or a 'facts:' list",
                file=reader.file,
                line=location_of(top).line,
            )
        )
    before = len(problems)
    facts = (
        read_facts(reader, top["facts"], at=top, pack=pack, problems=problems)
        if "facts" in top
        else []
    )
    facts_partial = misspelt or len(problems) > before
    rules: list[Rule] = []
    rules_partial = misspelt
    if "rules" in top:
        try:
            items = reader.sequence(top["rules"], what="'rules'", at=top)
        except RulePackError as error:
            problems.add(error)
            items, rules_partial = [], True
        for node, where in reader.each(items):
            try:
                rules.append(read_rule(reader, node, where))
            except RulePackError as error:
                problems.add(error)
                rules_partial = True
    return RuleFile(rules, facts, rules_partial, facts_partial)


def read_rule(reader: Reader, value: Any, at: Location | None = None) -> Rule:
    """Read one rule mapping (from YAML, or plain Python data) and check it on its own.

    Every key is checked on its own, and every problem found is raised in one error (a
    misspelt question, an unknown principle and a priority that is not a number are three
    problems of one run). Whole-pack checks (findings, cycles, strata) are done by
    :meth:`RulePack.from_rules`.

    Args:
        reader: the reader of the file it is in.
        value: the rule, as a mapping.
        at: where it is, for messages about the rule as a whole.
    """
    at = at or location_of(value)
    if not isinstance(value, Mapping):
        reader.fail(f"each rule must be a mapping, not {type(value).__name__}", at=at)
    node = value
    item = f"rule '{node['id']}'" if isinstance(node.get("id"), str) else "rule"
    problems = Problems(reader.error, file=reader.file)
    with problems.collecting():
        reader.keys(node, allowed=RULE_KEYS, required=REQUIRED_RULE_KEYS, item=item)

    def attempt(key: str, check: Callable[[], _T]) -> _T | None:
        """``check()`` when ``key`` is given, else None; its problem recorded, not raised."""
        if key not in node:
            return None
        with problems.collecting():
            return check()
        return None

    rule_id = attempt("id", lambda: _rule_id(reader, node, item))
    question = attempt("question", lambda: _choice(reader, node, "question", QUESTIONS, item=item))
    when = attempt(
        "when", lambda: read_condition(reader, node["when"], at=node, key="when", item=item)
    )
    then = attempt("then", lambda: _read_then(reader, node, item))
    because = attempt("because", lambda: reader.text(node, "because", item=item))
    principles = attempt("principles", lambda: _principles(reader, node, item))
    source = attempt("source", lambda: reader.text(node, "source", item=item))
    priority = node.get("priority", 0)
    if isinstance(priority, bool) or not isinstance(priority, int):
        with problems.collecting():
            reader.fail("must be a whole number", at=node, key="priority", item=item)
    problems.found.sort(key=lambda problem: problem.line or 0)  # in the order they are written
    problems.raise_if_any()
    assert rule_id is not None and question is not None and when is not None
    assert then is not None and because is not None and principles is not None
    assert source is not None
    return Rule(
        id=rule_id,
        question=question,
        when=when,
        then=then,
        because=because,
        principles=principles,
        source=source,
        priority=priority,
        file=reader.file,
        line=location_of(node).line or at.line or 0,
    )


def _rule_id(reader: Reader, node: Fields, item: str) -> str:
    rule_id = reader.identifier(node, "id", item=item)
    if not RULE_ID.match(rule_id):
        reader.fail(
            "rule ids are lower-case letters, digits, '.', '_' and '-'",
            at=node,
            key="id",
            item=item,
        )
    return rule_id


def _principles(reader: Reader, node: Fields, item: str) -> tuple[str, ...]:
    """The rule's design principles; every one unknown is raised together."""
    written = reader.sequence(node["principles"], what="'principles'", item=item, at=node)
    if not written:
        reader.fail("name at least one design principle", at=node, key="principles", item=item)
    problems = Problems(reader.error, file=reader.file)
    principles: list[str] = []
    for value in written:
        principle = fold_choice(value, PRINCIPLES)
        with problems.collecting():
            if principle not in PRINCIPLES:
                reader.fail(
                    f"'{principle}' is not an Annex B design principle",
                    at=node,
                    key="principles",
                    item=item,
                    allowed=PRINCIPLES,
                    suggestion=did_you_mean(str(principle), PRINCIPLES),
                )
            principles.append(principle)
    problems.raise_if_any()
    return tuple(principles)


def _read_then(reader: Reader, node: Fields, item: str) -> Then:
    """A rule's ``then``: each key checked on its own, every problem raised together."""
    then = reader.mapping(node["then"], what="'then'", item=item, at=node)
    problems = Problems(reader.error, file=reader.file)
    with problems.collecting():
        reader.keys(then, allowed=THEN_KEYS, item=item)
    if not then:
        reader.fail(
            "'then' must set at least one of: finding, cap, lead, decide", at=then, item=item
        )
    finding: str | None = None
    value: Level | bool | str | None = None
    cap: Arrangement | None = None
    lead: str | None = None
    decide: Arrangement | None = None
    if "finding" in then:
        with problems.collecting():
            finding = _finding(reader, then, item)
        with problems.collecting():
            value = _finding_value(reader, then, item)
    elif "value" in then:
        with problems.collecting():
            reader.fail("'value' goes with 'finding'", at=then, key="value", item=item)
    if "cap" in then:
        with problems.collecting():
            cap = Arrangement.parse(_choice(reader, then, "cap", Arrangement.names(), item=item))
    if "decide" in then:
        with problems.collecting():
            decide = Arrangement.parse(
                _choice(reader, then, "decide", Arrangement.names(), item=item)
            )
    if "lead" in then:
        with problems.collecting():
            lead = reader.text(then, "lead", item=item)
    problems.raise_if_any()
    return Then(finding=finding, value=value, cap=cap, lead=lead, decide=decide)


def _finding(reader: Reader, then: Fields, item: str) -> str:
    finding = reader.text(then, "finding", item=item)
    if not FINDING.match(finding):
        reader.fail(
            "finding names are lower-case letters, digits and '_', starting with a letter",
            at=then,
            key="finding",
            item=item,
        )
    return finding


def _finding_value(reader: Reader, then: Fields, item: str) -> Level | bool | str:
    """What a finding is set to: a level, true/false or ``{fact: NAME}``."""
    if "value" not in then:
        reader.fail("a finding needs a 'value'", at=then, key="finding", item=item)
    raw = fold_choice(then["value"], Level.names())
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, Mapping) and set(raw) == {"fact"} and isinstance(raw["fact"], str):
        return str(raw["fact"])
    if isinstance(raw, str) and raw in Level.names():
        return Level.parse(raw)
    reader.fail(
        f"'{raw}' is not a finding value",
        at=then,
        key="value",
        item=item,
        allowed=(*Level.names(), "true", "false", "{fact: NAME}"),
        suggestion=did_you_mean(str(raw), Level.names()),
    )


# --- whole-pack checks ------------------------------------------------------------------------


# --- a pack's files ---------------------------------------------------------------------------


@attrs.frozen
class PackFiles:
    """The rules and facts of a pack's own files, and whether any failed to read.

    Attributes:
        rules: the rules read, each id once (the first).
        facts: the facts declared.
        ids: the rules by id.
        rules_partial: some rule failed to read.
        facts_partial: some fact declaration failed to read.
    """

    rules: list[Rule]
    facts: list[Fact]
    ids: dict[str, Rule]
    rules_partial: bool
    facts_partial: bool


def read_pack_files(files: Iterable[Path], name: str, problems: Problems) -> PackFiles:
    """Read each rule file of a pack; a rule id defined twice is a problem, the first kept."""
    rules: list[Rule] = []
    facts: list[Fact] = []
    seen_ids: dict[str, Rule] = {}
    rules_partial = facts_partial = False
    for file in files:
        read = read_rule_file(file, name, problems)
        facts.extend(read.facts)
        rules_partial |= read.rules_partial
        facts_partial |= read.facts_partial
        for rule in read.rules:
            if rule.id in seen_ids:
                problems.add(
                    RulePackError(
                        f"duplicate rule id; first defined at {seen_ids[rule.id].where}",
                        file=rule.file,
                        line=rule.line,
                        item=f"rule '{rule.id}'",
                    )
                )
                continue
            seen_ids[rule.id] = rule
            rules.append(rule)
    return PackFiles(rules, facts, seen_ids, rules_partial, facts_partial)


def check_version(
    reader: Reader, node: Fields, name: str, version: str, spec: str, *, item: str
) -> None:
    """Refuse pack ``name`` unless its ``version`` is ``spec`` (``1.0.0``, or ``>=1,<2``).

    The problem is raised by ``reader``, naming the ``version`` key of ``node`` and ``item``.
    """
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

    try:
        specifier = SpecifierSet(spec if spec[0] in "<>=!~" else f"=={spec}")
        ok = Version(version) in specifier
    except (InvalidSpecifier, InvalidVersion, IndexError) as exc:
        reader.fail(f"cannot compare versions: {exc}", at=node, key="version", item=item)
    if not ok:
        reader.fail(
            f"pack '{name}' is version {version}, which is not {spec}",
            at=node,
            key="version",
            item=item,
        )


def reworded(rule: Rule, override: Override, file: str) -> Rule:
    """An inherited rule with the extension's ``because``; it is then where the override is.

    Its condition, conclusion, source and priority stay the inherited rule's. A placeholder of
    the new reason that names no fact is refused by the pack checks, at the override's line.
    """
    return attrs.evolve(rule, because=override.because, file=file, line=override.line)
