"""Rule packs: the four key questions as declarative rules, loaded from YAML and validated.

A pack is a folder: ``pack.yaml`` (``name``, ``version``, ``description``) and any number of other
``*.yaml`` files, each a mapping with one key, ``rules``, holding a list of rules. A rule is data,
never code: its condition is a tree of ``all`` / ``any`` / ``not`` over comparisons of facts, and
nothing in a file is ever evaluated. See ``docs/rules.md`` for the format.

Loading checks everything it can without a portfolio: unknown keys, operators, facts, levels,
arrangements, principles, duplicate ids, findings used but never derived, findings of mixed types,
cycles between findings, lead rules that may name no body, and ``because`` templates that name an
unknown fact. Each error names ``file:line``, the rule id and, where one fits, a "did you mean".
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import attrs

from taxonomy._explanation import Override, PackIdentity
from taxonomy._model import Portfolio
from taxonomy.errors import Problems, RulePackError, UnknownIdError, did_you_mean
from taxonomy.input.reader import Fields, Reader, load_yaml
from taxonomy.input.sources import FileId, note_read, recording
from taxonomy.language.conditions import (
    COMPARISON_KEYS,
    AllOf,
    AnyOf,
    Condition,
    FactTest,
    Not,
    check_condition,
    fold_choice,
    fold_condition,
    read_condition,
)
from taxonomy.language.consistency import check_pack, check_read, folded, rule_error
from taxonomy.language.declarations import check_declarations
from taxonomy.language.facts import Fact, Facts, FactType
from taxonomy.language.limits import limit_problems
from taxonomy.language.reading import (
    FINDING,
    OVERRIDE_KEYS,
    REQUIRED_OVERRIDE_KEYS,
    REQUIRED_RULE_KEYS,
    RULE_ID,
    RULE_KEYS,
    THEN_KEYS,
    VOCABULARY,
    PackFiles,
    check_keys,
    check_version,
    read_overrides,
    read_pack_files,
    read_rule,
    read_vocabulary,
    reworded,
    text_or,
)
from taxonomy.language.rule import JOINT, PRINCIPLES, QUESTIONS, Rule, Then, fill_because

__all__ = [
    "JOINT",
    "PRINCIPLES",
    "QUESTIONS",
    "VOCABULARY",
    "AllOf",
    "AnyOf",
    "Condition",
    "FactTest",
    "Not",
    "Rule",
    "RulePack",
    "Then",
    "check_condition",
    "check_keys",
    "default_pack_path",
    "fill_because",
    "find_pack",
    "fold_choice",
    "fold_condition",
    "load_rules",
    "pack_for",
    "read_condition",
    "read_rule",
    "redirect_pack",
]

# Read by taxonomy.schemas._inputs, which builds the schema from the loaders' key lists.
_RULE_KEYS, _REQUIRED_RULE_KEYS, _THEN_KEYS = RULE_KEYS, REQUIRED_RULE_KEYS, THEN_KEYS
_OVERRIDE_KEYS, _REQUIRED_OVERRIDE_KEYS = OVERRIDE_KEYS, REQUIRED_OVERRIDE_KEYS
_RULE_ID, _FINDING, _COMPARISON_KEYS = RULE_ID, FINDING, COMPARISON_KEYS
_PACK_KEYS = ("name", "version", "description", "extends", "overrides", "vocabulary")
_EXTENDS_KEYS = ("name", "version", "path")


@attrs.frozen
class RulePack:
    """A validated rule pack.

    Build one with :func:`load_rules`, or with :meth:`from_rules` from :class:`Rule` objects.

    Attributes:
        name, version, description: from ``pack.yaml``.
        rules: the rules, in the order read (order never decides anything); for an extension,
            the rules of the packs it extends, less those it overrides, then its own.
        strata: rule ids by stratum: a rule only reads findings derived in earlier strata.
        finding_types: each finding's fact type.
        hash: sha256 of the pack's canonical content (facts, rules, vocabulary, what it extends).
        facts: every fact its rules may read, as declared (by it and the packs it extends).
        vocabulary: the words its results use (see :data:`VOCABULARY`), by key.
        extends: the packs it extends, nearest first (empty for a pack that extends none).
        overrides: the rules it replaced or removed from those packs, each with its reason.
    """

    name: str
    version: str
    description: str
    rules: tuple[Rule, ...]
    strata: tuple[tuple[str, ...], ...]
    finding_types: Mapping[str, FactType] = attrs.field(eq=False)
    hash: str
    facts: Facts = attrs.field(eq=False)
    vocabulary: tuple[tuple[str, str], ...] = ()
    extends: tuple[PackIdentity, ...] = ()
    overrides: tuple[Override, ...] = ()
    #: The files the pack was read from (its own and those of the packs it extends): inputs of
    #: any command that loads it, never written over by its output.
    files: tuple[FileId, ...] = attrs.field(default=(), eq=False)

    @property
    def identity(self) -> PackIdentity:
        """The pack's name, version and hash (and what it extends), as every result records."""
        return PackIdentity(self.name, self.version, self.hash, self.extends, self.overrides)

    def word(self, key: str, default: str) -> str:
        """The pack's word for ``key`` (see :data:`VOCABULARY`), or ``default``."""
        return dict(self.vocabulary).get(key, default)

    def tiers(self) -> tuple[str, ...] | None:
        """The tiers a function may run at, or None when the pack does not declare them.

        They are the choices of the fact read from ``function.level``.
        """
        for fact in self.facts:
            if fact.path == "function.level" and fact.type.choices:
                return fact.type.choices
        return None

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id.

        Raises:
            UnknownIdError: there is none (a ``KeyError``, with a "did you mean").
        """
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise UnknownIdError(
            "rule", rule_id, [r.id for r in self.rules], where=f"pack '{self.name}'"
        )

    def fact_type(self, fact: str) -> FactType:
        """The type of a declared fact or of a finding (``finding.NAME``)."""
        if fact.startswith("finding."):
            return self.finding_types[fact.split(".", 1)[1]]
        return self.facts.type(fact)

    @classmethod
    def from_rules(
        cls,
        rules: Iterable[Rule],
        *,
        name: str = "custom",
        version: str = "0",
        description: str = "",
        facts: Facts | Iterable[Fact] | None = None,
        vocabulary: Mapping[str, str] | None = None,
        extends: tuple[PackIdentity, ...] = (),
        overrides: tuple[Override, ...] = (),
    ) -> RulePack:
        """Validate ``rules`` as a whole and build a pack from them.

        ``facts`` are the declarations its rules read; None takes the default pack's.
        """
        rules = tuple(rules)
        if facts is None:
            facts = load_rules().facts
        declared = facts if isinstance(facts, Facts) else Facts(tuple(facts))

        def fail_fact(fact: Fact, problem: str, **fields: Any) -> None:
            raise RulePackError(problem, item=f"fact '{fact.name}'", **fields)

        check_declarations(declared, fail_fact)
        rules = tuple(folded(rule, declared) for rule in rules)
        problems = Problems(RulePackError)
        checked = check_pack(rules, declared, problems)
        problems.raise_if_any()
        assert checked is not None
        finding_types, strata = checked
        words = tuple(sorted((vocabulary or {}).items()))
        canonical = {
            "name": name,
            "version": version,
            "description": description,
            "facts": declared.to_data(),
            "rules": sorted((r.to_data() for r in rules), key=lambda d: d["id"]),
            "vocabulary": dict(words),
            "extends": [b.to_dict() for b in extends],
            "overrides": [o.to_dict() for o in overrides],
        }
        pack = cls(
            name,
            version,
            description,
            rules,
            strata,
            finding_types,
            _digest(canonical),
            declared,
            words,
            extends,
            overrides,
        )
        _check_limits(pack)
        return pack


def _digest(canonical: Mapping[str, Any]) -> str:
    """sha256 of the pack's canonical content, as JSON with sorted keys and no spaces."""
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _check_limits(pack: RulePack) -> None:
    """Refuse a pack beyond the rules engine's fixed limits (docs/rules.md, "Limits").

    Raises:
        RulePackError: naming the first rule past a limit, and the limit.
    """
    problems = limit_problems(pack.rules, pack.strata, pack.facts, pack.finding_types)
    if not problems:
        return
    first = problems[0]
    more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
    text = f"beyond what the rules engine can hold: {first.text}{more}"
    if first.rule is None:
        raise RulePackError(text)
    raise rule_error(pack.rule(first.rule), text)


def default_pack_path() -> Path:
    """Where the default pack lives: inside the installed package, or ``rules/`` in a checkout."""
    packaged = resources.files("taxonomy").joinpath("_default_rules")
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[3] / "rules"
    if (checkout / "pack.yaml").is_file():
        return checkout
    raise RulePackError("the default rule pack is missing from this installation")


_REDIRECTS: dict[Path, Path] = {}
_DEFAULT: list[RulePack] = []
_DEFAULT_LOCK = threading.RLock()


def redirect_pack(original: str | Path, replacement: str | Path | None) -> None:
    """Load ``replacement`` wherever the pack folder ``original`` is asked for (None: stop).

    The seam mutation testing uses: ``taxonomy rules mutate`` runs a user's tests with
    ``--taxonomy-substitute-pack ORIGINAL=MUTANT``, and the pytest plugin calls this, so the
    tests classify with a mutant of one pack without knowing it.
    """
    key = Path(original).resolve()
    if replacement is None:
        _REDIRECTS.pop(key, None)
    else:
        _REDIRECTS[key] = Path(replacement)
    _DEFAULT.clear()


def load_rules(path: str | Path | None = None) -> RulePack:
    """Load and validate a rule pack folder; None gives the default pack.

    The default pack is read once per process (a pack is immutable), so every call that takes
    ``rules=None`` shares one parse.

    Raises:
        RulePackError: with ``file:line``, the rule id and a "did you mean" where one fits.

    >>> pack = load_rules()
    >>> pack.name, len(pack.hash), load_rules() is pack
    ('nhs-joint-working-2018', 64, True)
    """
    if path is None:
        with _DEFAULT_LOCK:
            if not _DEFAULT:
                _DEFAULT.append(_load_folder(default_pack_path(), ()))
            pack = _DEFAULT[0]
    else:
        pack = _load_folder(Path(path), ())
    note_read(*pack.files)  # read once, an input of every command that uses it
    return pack


def _load_folder(folder: Path, seen: tuple[Path, ...]) -> RulePack:
    """Load a pack folder (see :func:`_read_folder`), knowing the files it was read from."""
    with recording() as read:
        pack = _read_folder(folder, seen)
    note_read(*read)
    return attrs.evolve(pack, files=tuple(read))


def _read_folder(folder: Path, seen: tuple[Path, ...]) -> RulePack:
    """Load a pack folder, reporting every problem found in it in one error.

    A problem that leaves nothing to check (no folder, no ``pack.yaml``, a ``pack.yaml`` that
    is not a mapping) stops at once; otherwise each rule, fact, override and setting is checked
    on its own, and the whole-pack checks run on the rules that could be read.
    """
    folder = _REDIRECTS.get(folder.resolve(), folder)
    meta_file = _pack_file(folder, seen)
    reader = Reader(str(meta_file), RulePackError)
    meta = reader.mapping(load_yaml(meta_file, error=RulePackError), what="pack.yaml")
    problems = Problems(RulePackError, file=str(folder))
    check_keys(problems, reader, meta, allowed=_PACK_KEYS, required=("name", "version"))
    heading = _Heading(
        folder,
        reader,
        meta,
        text_or(problems, reader, meta, "name", default=folder.name),
        text_or(problems, reader, meta, "version", default="0"),
        text_or(problems, reader, meta, "description", default=""),
    )
    with problems.collecting():
        heading.vocabulary.update(read_vocabulary(reader, meta))
    base: RulePack | None = None
    base_failed = meta.get("extends") is not None
    if base_failed:
        with problems.collecting():
            base = _base(reader, meta, folder, (*seen, folder.resolve()))
            base_failed = False
    files = sorted(p for p in folder.glob("*.y*ml") if p.name not in ("pack.yaml", "pack.yml"))
    if not files and base is None and not base_failed:
        problems.add(RulePackError("the pack has no rule files beside pack.yaml", file=str(folder)))
        problems.raise_if_any()
    own = read_pack_files(files, heading.name, problems)
    if base_failed:
        problems.raise_if_any()  # what the pack extends is unknown: nothing more to check
    if base is None:
        return _standalone(heading, own, problems)
    return _extension(heading, own, base, problems)


def _pack_file(folder: Path, seen: tuple[Path, ...]) -> Path:
    """The folder's ``pack.yaml``, refusing what leaves nothing to read."""
    if not folder.is_dir():
        raise RulePackError("a rule pack must be a folder holding pack.yaml", file=str(folder))
    meta_file = folder / "pack.yaml"
    if not meta_file.is_file():
        raise RulePackError("no pack.yaml in the rule pack folder", file=str(folder))
    if folder.resolve() in seen:
        chain = " -> ".join(str(p) for p in (*seen, folder.resolve()))
        raise RulePackError(f"packs extend each other in a cycle: {chain}", file=str(meta_file))
    return meta_file


@attrs.frozen
class _Heading:
    """What ``pack.yaml`` says of the pack itself, and where it says it."""

    folder: Path
    reader: Reader
    meta: Fields
    name: str
    version: str
    description: str
    vocabulary: dict[str, str] = attrs.field(factory=dict)


def _standalone(heading: _Heading, own: PackFiles, problems: Problems) -> RulePack:
    """A pack that extends none, from its own rules and facts."""
    if "overrides" in heading.meta:
        with problems.collecting():
            heading.reader.fail(
                "only a pack that extends another overrides rules", at=heading.meta, key="overrides"
            )
    if problems:
        # A pack that declares no facts reads the default pack's (its four key questions).
        declared = Facts(tuple(own.facts)) if own.facts else load_rules().facts
        check_read(problems, own.rules, declared, own.rules_partial, own.facts_partial)
    return RulePack.from_rules(
        own.rules,
        name=heading.name,
        version=heading.version,
        description=heading.description,
        facts=own.facts or None,
        vocabulary=heading.vocabulary,
    )


def _extension(heading: _Heading, own: PackFiles, base: RulePack, problems: Problems) -> RulePack:
    """A pack extending ``base``: its rules less those overridden, then the pack's own."""
    overrides = read_overrides(
        heading.reader,
        heading.meta,
        problems,
        base=base.name,
        known=[r.id for r in base.rules],
        own=own.ids,
        pack=heading.name,
    )
    _check_extension(heading, own, base, overrides, problems)
    seen_base = {r.id for r in base.rules}
    overridden = {o.rule for o in overrides}
    dropped = {o.rule for o in overrides if o.action != "reworded"}
    new_reasons = {o.rule: o for o in overrides if o.action == "reworded"}
    where = str(heading.reader.file)
    kept = [
        reworded(r, new_reasons[r.id], where) if r.id in new_reasons else r
        for r in base.rules
        if r.id not in dropped
    ]
    if problems:
        mine = [r for r in own.rules if r.id not in seen_base or r.id in overridden]
        own_facts = [f for f in own.facts if f.name not in base.facts]
        declared = Facts((*base.facts, *own_facts))
        check_read(problems, [*kept, *mine], declared, own.rules_partial, own.facts_partial)
    return RulePack.from_rules(
        [*kept, *own.rules],
        name=heading.name,
        version=heading.version,
        description=heading.description,
        facts=[*base.facts, *own.facts],
        vocabulary={**dict(base.vocabulary), **heading.vocabulary},
        extends=(base.identity, *base.extends),
        overrides=(*base.overrides, *overrides),
    )


def _check_extension(
    heading: _Heading,
    own: PackFiles,
    base: RulePack,
    overrides: tuple[Override, ...],
    problems: Problems,
) -> None:
    """Record what an extension may not do: redefine a rule or fact of ``base`` unannounced."""
    seen_base = {r.id for r in base.rules}
    overridden = {o.rule for o in overrides}
    for rule in own.rules:
        if rule.id in seen_base and rule.id not in overridden:
            problems.add(
                RulePackError(
                    f"rule '{rule.id}' is already in pack '{base.name}' "
                    f"({base.rule(rule.id).where}): to replace it, list it under 'overrides' in "
                    "pack.yaml with the reason",
                    file=rule.file,
                    line=rule.line,
                    item=f"rule '{rule.id}'",
                )
            )
    for fact in own.facts:
        if fact.name in base.facts:
            problems.add(
                RulePackError(
                    f"fact '{fact.name}' is already declared by pack "
                    f"'{base.facts.get(fact.name).pack}'",
                    file=str(heading.folder),
                    item=f"fact '{fact.name}'",
                )
            )
    new_ids = [r.id for r in own.rules if r.id not in seen_base]
    for override in overrides:
        near = did_you_mean(override.rule, new_ids)
        if override.action == "removed" and near is not None:
            problems.add(
                RulePackError(
                    f"overrides '{override.rule}' without defining it, so it would be removed, "
                    f"and defines a new rule '{near}': to replace the rule, give the replacement "
                    "its id; to remove it and add another, give the new rule an id of its own",
                    file=str(heading.reader.file),
                    item=f"override of '{override.rule}'",
                    suggestion=override.rule,
                )
            )


def _base(reader: Reader, meta: Fields, folder: Path, seen: tuple[Path, ...]) -> RulePack:
    """The pack ``extends:`` names: by name (the default pack) or by ``path``, at a version."""
    node = reader.mapping(meta["extends"], what="'extends'", at=meta)
    reader.keys(node, allowed=_EXTENDS_KEYS, required=("name", "version"), item="extends")
    return find_pack(reader, node, folder, item="extends", seen=seen)


def find_pack(
    reader: Reader,
    node: Fields,
    folder: Path,
    *,
    item: str,
    seen: tuple[Path, ...] = (),
    shown: Callable[[str], str] | None = None,
) -> RulePack:
    """The pack a mapping names: its folder (``path``) or, without one, the default pack.

    ``path`` is relative to ``folder``; without it the pack is the default one (the one
    installed). ``name`` and ``version`` (``1.0.0`` or a range such as ``>=1.0,<2``), where
    given, must be the pack's.

    What ``extends:`` in ``pack.yaml`` and ``rules:`` in a portfolio file both name. ``shown``
    gives the folder as a message writes it (default: ``folder / path``).

    Raises:
        InputError: (the reader's type) naming the key of ``node`` that does not fit: no folder
            there, a name or version the pack does not have, neither a path nor a name.
        RulePackError: the pack found does not load.
    """
    wanted = reader.text(node, "name", item=item) if node.get("name") is not None else None
    spec = reader.text(node, "version", item=item) if node.get("version") is not None else None
    if node.get("path") is not None:
        base = _pack_at(reader, node, folder, item=item, seen=seen, shown=shown)
    elif wanted is None:
        reader.fail("name a rule pack: its folder as 'path', or its 'name'", at=node, item=item)
    else:
        base = load_rules()
        if wanted != base.name:
            reader.fail(
                f"no pack named '{wanted}' is installed; give its folder as 'path'",
                at=node,
                key="name",
                item=item,
                allowed=[base.name],
                suggestion=did_you_mean(wanted, [base.name]),
            )
    if wanted is not None and base.name != wanted:
        reader.fail(
            f"the pack at that path is '{base.name}', not '{wanted}'",
            at=node,
            key="name",
            item=item,
        )
    if spec is not None:
        check_version(reader, node, base.name, base.version, spec, item=item)
    return base


def _pack_at(
    reader: Reader,
    node: Fields,
    folder: Path,
    *,
    item: str,
    seen: tuple[Path, ...],
    shown: Callable[[str], str] | None,
) -> RulePack:
    """The pack in the folder ``node``'s ``path`` names (relative to ``folder``)."""
    where = reader.text(node, "path", item=item)
    target = folder / where
    real = _REDIRECTS.get(target.resolve(), target)
    if not (real / "pack.yaml").is_file():
        label = shown(where) if shown is not None else str(target)
        problem = "is not a folder" if not real.is_dir() else "holds no pack.yaml"
        reader.fail(
            f"{label} {problem}: name a rule pack's folder (relative to this file)",
            at=node,
            key="path",
            item=item,
        )
    return _load_folder(target, seen)


def pack_for(portfolio: Portfolio | None, rules: RulePack | None = None) -> RulePack:
    """The pack to use on ``portfolio``: ``rules``, else its own, else the default pack.

    ``rules`` overrides; a portfolio's own is the pack it was read for (given to the loader, or
    named by its file's ``rules:``).

    >>> import taxonomy
    >>> p = taxonomy.load_portfolio("examples/three_councils_shared_services.yaml")
    >>> pack_for(p).name, pack_for(p, load_rules()).name
    ('councils-shared-services', 'nhs-joint-working-2018')
    """
    if rules is not None:
        return rules
    if portfolio is not None and isinstance(portfolio.pack, RulePack):
        return portfolio.pack
    return load_rules()
