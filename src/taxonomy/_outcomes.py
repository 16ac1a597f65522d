"""The outcome table of a function's completions, computed by blocks of its open answers.

:mod:`taxonomy.partial` classifies a function with open answers on every completion the rules
tell apart. Classified one by one (:func:`taxonomy.partial.plain_tally`), each completion builds
a function, extracts its case, settles its lead and writes a recommendation. This module gives
the same table (each completion's outcome, each outcome's weight, the completions reaching it,
and one recommendation per outcome) with far less work, and is tested against the plain one
(``tests/test_unknowns_fast.py``):

- The open answers fall into **blocks**: answers that feed the same part of the compiled pack's
  case (:class:`~taxonomy.language.compiled.CompiledPack`; three bodies' capabilities all feed
  ``capability.gap``) share a block, and so do all the capabilities (the lead is chosen among
  them). Each block's own completions are evaluated once each: which parts of the case they
  give (the extractor run on a light stand-in for the completed function), and what the lead
  can depend on (for capability: which bodies are the most capable of each set a lead rule can
  name; for an answer a lead rule names, the answer itself).
- A completion is then the product of its blocks' entries: its case is the parts put together
  (decided once per distinct case, through the engine's memo), its outcome the case's decision
  with the lead settled once per distinct (decision, lead inputs).
- Only the first completion reaching each outcome (in the order the plain enumeration visits
  them) is classified by the full path, to give that outcome's recommendation, as before.

Anything the table cannot vouch for (a conflict or gap in the rules, an engine that keeps no
memo, a completed case that does not match the parts put together) returns None: the caller
then enumerates plainly, which raises or answers as it always did.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from taxonomy._model import Function, Level, Portfolio
from taxonomy._results import Recommendation
from taxonomy.errors import EngineError
from taxonomy.language.compiled import CompiledPack
from taxonomy.language.durable import Engine
from taxonomy.language.semantics import Decided, LeadChooser, settle_lead

__all__ = ["Completions", "Stand", "completed_parts"]

Cell = tuple[int, ...]
#: A block: its open answers (as indexes), the case parts they set, how the lead reads them
#: (``"capability"``, ``"raw"`` or ``""``), and their keys.
Block = tuple[tuple[int, ...], tuple[int, ...], str, tuple[str, ...]]
Groups = Sequence[Sequence[tuple[Any, ...]]]
#: Each outcome's [weight, cells, a recommendation, capped everywhere], and each cell's outcome.
Table = tuple[dict[tuple[Any, ...], list[Any]], dict[Cell, tuple[Any, ...]]]

OWN_LEVELS = ("efficiency.duplication", "efficiency.simplification", "effectiveness.joint_benefit")


def completed_parts(
    function: Function, values: Mapping[str, Any]
) -> tuple[Any, Any, dict[str, Level], dict[str, Any]]:
    """What completing ``function`` with ``values`` changes: own levels, capability, answers.

    Returns ``((duplication, simplification), joint_benefit, capability, answers)``; the one
    place a completion is worked out (:func:`taxonomy.partial.complete` builds the function).
    """
    eff, fx = function.efficiency, function.effectiveness
    dup, simp, joint = eff.duplication, eff.simplification, fx.joint_benefit
    cap = function.capability.as_dict()
    answers = dict(function.answers)
    for key, value in values.items():
        if key == "efficiency.duplication":
            dup = value
        elif key == "efficiency.simplification":
            simp = value
        elif key == "effectiveness.joint_benefit":
            joint = value
        elif key.startswith("capability.") and key.split(".", 1)[1] in cap:
            cap[key.split(".", 1)[1]] = value
        else:
            answers[key] = value
    return (dup, simp), joint, cap, answers


class _Levels:
    """A stand-in for an answer object holding levels (efficiency, effectiveness)."""

    __slots__ = ("duplication", "joint_benefit", "simplification")

    def __init__(self, dup: Any, simp: Any, joint: Any) -> None:
        self.duplication, self.simplification, self.joint_benefit = dup, simp, joint


class _Capability:
    """A stand-in for :class:`~taxonomy._model.Capability` (as the extractor and lead read it)."""

    __slots__ = ("levels",)

    def __init__(self, levels: dict[str, Level]) -> None:
        self.levels = levels

    def as_dict(self) -> dict[str, Level]:
        return dict(self.levels)

    def of(self, body: str) -> Level:
        return self.levels.get(body, Level.NONE)


class Stand:
    """A completed function as the compiled extractor and the lead policy read it.

    Its open answers take ``values``; every other attribute is ``function``'s. Cheap to make:
    no validation (the values come from the answers' own domains).
    """

    __slots__ = ("_base", "answers", "capability", "effectiveness", "efficiency")

    def __init__(self, function: Function, values: Mapping[str, Any]) -> None:
        (dup, simp), joint, cap, answers = completed_parts(function, values)
        self._base = function
        self.efficiency = self.effectiveness = _Levels(dup, simp, joint)
        self.capability = _Capability(cap)
        self.answers = tuple(answers.items())

    def __getattr__(self, name: str) -> Any:
        return getattr(self._base, name)


class Completions:
    """Computes a function's outcome table by blocks (see the module), for one run.

    Args:
        compiled: the compiled pack.
        engine: its engine (the cases are remembered there, shared by every function).
        portfolio: the context (bodies, law).
        chooser: the lead policy, ``chooser(portfolio, function)``
            (:func:`taxonomy.classification.lead_by_capability`).
        each_own: the bodies each doing their own part under an arrangement
            (:func:`taxonomy.classification.each_own`).
    """

    def __init__(
        self,
        compiled: CompiledPack,
        engine: Engine,
        portfolio: Portfolio,
        chooser: Callable[[Portfolio, Any], LeadChooser],
        each_own: Callable[[Any, Any], tuple[str, ...]],
    ) -> None:
        self.compiled, self.engine, self.portfolio = compiled, engine, portfolio
        self.chooser, self.each_own = chooser, each_own
        pack = compiled.pack
        self.sources = {str(r.then.lead) for r in pack.rules if r.then.lead not in (None, "joint")}

    def tally(
        self,
        function: Function,
        keys: Sequence[str],
        groups: Groups,
        recommend: Callable[[Function], Recommendation],
        complete: Callable[[Function, dict[str, Any]], Function],
    ) -> Table | None:
        """The outcome table (as the plain enumeration gives it), or None where it cannot say."""
        if not self.engine.memo_size or not keys:
            return None

        def chosen(cell: Cell) -> dict[str, Any]:
            return {keys[d]: groups[d][i][0] for d, i in enumerate(cell)}

        first = recommend(complete(function, chosen((0,) * len(keys))))  # raises as plain does
        blocks = self._blocks(keys)
        base = {keys[d]: groups[d][0][0] for d in range(len(keys))}
        base_key, values = self.compiled.extract(Stand(function, base), self.portfolio)  # type: ignore[arg-type]
        named = self._named(values)
        entries = [self._block(function, groups, (base, values), b, named) for b in blocks]
        run = _Cells(self, function, keys, groups, base_key)
        return run.table(blocks, entries, first, recommend, complete)

    def _named(self, values: Mapping[str, Any]) -> list[tuple[str, ...]] | None:
        """The sets of bodies the lead rules can name (None: one comes from a finding)."""
        named = []
        for source in sorted(self.sources):
            if source == "organisations":
                named.append(tuple(self.portfolio.organisation_ids))
                continue
            if source.startswith("finding."):
                return None
            found = values.get(source)
            named.append((found,) if isinstance(found, str) else tuple(found or ()))
        return named

    def _block(
        self,
        function: Function,
        groups: Groups,
        base: tuple[Mapping[str, Any], Mapping[str, Any]],
        block: Block,
        named: list[tuple[str, ...]] | None,
    ) -> dict[Any, tuple[Any, ...]]:
        """Each of the block's own completions: the case parts it gives, and the lead inputs.

        ``base``: the first completion's answers by key, and its facts' values. Where the
        block's parts are the capability's highest, lowest or spread over fixed bodies, two
        completions giving those bodies the same levels in any order give the same parts: each
        such set of levels is extracted once.
        """
        dims, positions, lead, keys = block
        extract, portfolio = self.compiled.extract, self.portfolio
        levels = _capability_levels(function, keys, [groups[d] for d in dims])
        overs = self._symmetric(block, base[1]) if levels is not None else None
        allowed = [tuple(b for b in s if function.legal.may_lead(b)) for s in named or ()]
        found: dict[Any, tuple[Any, ...]] = {}
        extracted: dict[Any, tuple[Any, ...]] = {}
        for sub in itertools.product(*(range(len(groups[d])) for d in dims)):
            ints: dict[str, int] = {}
            if levels is not None:
                ints = dict(levels[0])
                for (body, table), i in zip(levels[1], sub, strict=True):
                    ints[body] = table[i]
            memo: Any = (
                sub
                if overs is None
                else tuple(tuple(sorted(ints.get(b, 0) for b in o)) for o in overs)
            )
            parts = extracted.get(memo)
            if parts is None:
                values = dict(base[0])
                values.update((k, groups[d][i][0]) for k, d, i in zip(keys, dims, sub, strict=True))
                case, _ = extract(Stand(function, values), portfolio)  # type: ignore[arg-type]
                parts = extracted[memo] = tuple(case[p] for p in positions)
            if lead == "capability" and levels is not None and named is not None:
                inputs: Any = tuple(_most_capable(ints, bodies) for bodies in allowed)
            elif lead:
                inputs = sub
            else:
                inputs = ()
            found[sub[0] if len(sub) == 1 else sub] = (parts, inputs)
        return found

    def _symmetric(self, block: Block, values: Mapping[str, Any]) -> list[tuple[str, ...]] | None:
        """The bodies whose capability each of the block's parts reads (None: not symmetric).

        Symmetric: each part is the highest, lowest or spread of the capability over bodies
        the block does not set.
        """
        facts = self.compiled.pack.facts
        parts = self.compiled.parts
        overs: list[tuple[str, ...]] = []
        affected = set().union(*(self._affected(k) for k in block[3]))
        for position in block[1]:
            fact = facts.get(parts[position][1])
            derive = fact.derive
            if derive is None or derive[0] not in ("highest", "lowest", "spread"):
                return None
            over = str(derive[1]["over"])
            if derive[1]["of"] != "capability" or over in affected:
                return None
            found = values.get(over, ())
            overs.append((found,) if isinstance(found, str) else tuple(found))
        return overs

    def _affected(self, key: str) -> set[str]:
        """The facts (declared, derived included) whose values the open answer ``key`` sets."""
        facts = self.compiled.pack.facts
        path = "function.capability" if key.startswith("capability.") else f"function.{key}"
        found = {f.name for f in facts if (f.name == key and f.answered) or f.path == path}
        grew = True
        while grew:
            grew = False
            for fact in facts:
                if fact.derive is None or fact.name in found:
                    continue
                if _reads(fact.derive) & found or _reads_path(fact.derive) == path:
                    found.add(fact.name)
                    grew = True
        return found

    def _blocks(self, keys: Sequence[str]) -> list[Block]:
        """The open answers grouped into blocks, each with how its entries say the lead's inputs.

        ``"capability"``: the most capable bodies of each set a lead rule can name; ``"raw"``:
        the answers themselves (a lead rule names one of their facts); ``""``: nothing.
        """
        parts = self.compiled.parts
        touched: list[set[int]] = []
        leads: list[str] = []
        for key in keys:
            facts = self._affected(key)
            touched.append({i for i, part in enumerate(parts) if part[1] in facts})
            if facts & self.sources:
                leads.append("raw")
            elif key.startswith("capability."):
                leads.append("capability")
            else:
                leads.append("")
        if "raw" in leads and "capability" in leads:
            leads = ["raw" if lead else "" for lead in leads]  # the named sets move too
        # Union-find over shared parts (and all capabilities in one block).
        owner = list(range(len(keys)))

        def root(d: int) -> int:
            while owner[d] != d:
                d = owner[d]
            return d

        for a, b in itertools.combinations(range(len(keys)), 2):
            if touched[a] & touched[b] or (leads[a] == leads[b] == "capability"):
                owner[root(b)] = root(a)
        blocks: dict[int, list[int]] = {}
        for d in range(len(keys)):
            blocks.setdefault(root(d), []).append(d)
        return [
            (
                tuple(dims),
                tuple(sorted(set().union(*(touched[d] for d in dims)))),
                next((leads[d] for d in dims if leads[d]), ""),
                tuple(keys[d] for d in dims),
            )
            for dims in blocks.values()
        ]


def _reads(derive: tuple[str, Any]) -> set[str]:
    """The facts a derivation reads, by name."""
    op, args = derive
    if op == "count":
        return {str(args)}
    if op == "overlaps":
        return {str(a) for a in args}
    if op in ("highest", "lowest", "spread"):
        return {str(args["of"]), str(args["over"])}
    return set()


def _reads_path(derive: tuple[str, Any]) -> str | None:
    """The model path a ``contains`` derivation reads, if it is one."""
    op, args = derive
    return str(args["from"]) if op == "contains" else None


def _most_capable(levels: Mapping[str, int], bodies: tuple[str, ...]) -> tuple[str, ...]:
    """Of ``bodies`` (those the law lets lead), the most capable: what the lead policy reads."""
    if not bodies:
        return ()
    best = max(levels.get(b, 0) for b in bodies)  # a body not answered for has none
    return tuple(b for b in bodies if levels.get(b, 0) == best)


def _capability_levels(
    function: Function, keys: Sequence[str], groups: Groups
) -> tuple[dict[str, int], list[tuple[str, list[int]]]] | None:
    """Every body's capability as a number, and each open capability's numbers by index.

    None unless every key is a capability of a body the function answers capability for (a
    completion sets those; :func:`completed_parts`).
    """
    known = {body: int(level) for body, level in function.capability.levels}
    tables = []
    for key, group in zip(keys, groups, strict=True):
        body = key.split(".", 1)[1]
        if not key.startswith("capability.") or body not in known:
            return None
        tables.append((body, [int(values[0]) for values in group]))
    return known, tables


class _Cells:
    """The walk over every completion, in the plain enumeration's order (see the module)."""

    def __init__(
        self,
        owner: Completions,
        function: Function,
        keys: Sequence[str],
        groups: Groups,
        base_key: tuple[Any, ...],
    ) -> None:
        self.owner, self.function, self.keys, self.groups = owner, function, keys, groups
        self.base_key = base_key
        self.leads: dict[tuple[Any, ...], tuple[tuple[Any, ...], bool] | None] = {}

    def chosen(self, cell: Cell) -> dict[str, Any]:
        """The completion of ``cell``, by key."""
        return {self.keys[d]: self.groups[d][i][0] for d, i in enumerate(cell)}

    def table(
        self,
        blocks: Sequence[Block],
        entries: Sequence[dict[Any, tuple[Any, ...]]],
        first: Recommendation,
        recommend: Callable[[Function], Recommendation],
        complete: Callable[[Function, dict[str, Any]], Function],
    ) -> Table | None:
        """Every completion's outcome, each outcome's weight, cells and recommendation."""
        getters = [_getter(block[0]) for block in blocks]
        sizes = [[len(g) for g in dim] for dim in self.groups]
        seen: dict[tuple[Any, ...], tuple[int, bool] | None] = {}
        outcomes: list[tuple[Any, ...]] = []  # by index, in the order first reached
        known: dict[tuple[Any, ...], int] = {}
        tallied: list[list[Any]] = []
        outcome_of: dict[Cell, tuple[Any, ...]] = {}
        pairs = list(zip(entries, getters, strict=True))
        for cell in itertools.product(*(range(len(g)) for g in self.groups)):
            sig = tuple([entry[get(cell)] for entry, get in pairs])
            got = seen.get(sig, _MISSING)
            if got is _MISSING:
                found = self.outcome(cell, blocks, sig)
                if found is None:
                    return None
                index = known.setdefault(found[0], len(known))
                if index == len(outcomes):
                    rec = (
                        first
                        if not outcomes
                        else recommend(complete(self.function, self.chosen(cell)))
                    )
                    if (rec.arrangement, rec.lead, rec.tied, rec.each_own) != found[0]:
                        return None  # never expected: the plain enumeration answers instead
                    outcomes.append(found[0])
                    tallied.append([0, set(), rec, True])
                got = seen[sig] = (index, found[1])
            index, capped = got
            weight = 1
            for d, i in enumerate(cell):
                weight *= sizes[d][i]
            entry = tallied[index]
            entry[0] += weight
            entry[1].add(cell)
            if not capped:
                entry[3] = False
            outcome_of[cell] = outcomes[index]
        return dict(zip(outcomes, tallied, strict=True)), outcome_of

    def outcome(
        self, cell: Cell, blocks: Sequence[Block], sig: tuple[Any, ...]
    ) -> tuple[tuple[Any, ...], bool] | None:
        """The outcome of ``cell`` (whose blocks' entries are ``sig``) and whether it is capped."""
        owner, function = self.owner, self.function
        compiled, engine, portfolio = owner.compiled, owner.engine, owner.portfolio
        full = list(self.base_key)
        for (_, positions, _, _), (parts, _) in zip(blocks, sig, strict=True):
            for position, part in zip(positions, parts, strict=True):
                full[position] = part
        key = tuple(full)
        case = engine.recall(key)
        values: Mapping[str, Any] | None = None
        stand: Stand | None = None
        if case is None:
            stand = Stand(function, self.chosen(cell))
            extracted, values = compiled.extract(stand, portfolio)  # type: ignore[arg-type]
            if extracted != key:
                return None  # never expected: the plain enumeration answers instead
            case = compiled.case(engine, key, values, function=function.id)
        decided: Decided = case.decided
        if decided.conflicts or decided.gap is not None:
            return None  # the plain enumeration raises, naming the rules
        capped = bool(decided.capped_by)
        # The lead reads the lead rules that fired, the arrangement, and the lead inputs.
        lead_key = (
            decided.arrangement,
            tuple([rule.id for rule in decided.fired if rule.then.lead is not None]),
            tuple([inputs for _, inputs in sig]),
        )
        if lead_key in self.leads:
            got = self.leads[lead_key]
            return None if got is None else (got[0], capped)
        if stand is None:
            stand = Stand(function, self.chosen(cell))
        if values is None:
            _, values = compiled.extract(stand, portfolio)  # type: ignore[arg-type]
        known = dict(values)
        known.update((f"finding.{name}", value) for name, value in decided.findings)
        try:
            derivation = settle_lead(decided, known, owner.chooser(portfolio, stand))
        except EngineError:
            return None  # the plain enumeration raises it, at the completion it meets first
        if derivation.conflicts or derivation.gap is not None or derivation.arrangement is None:
            self.leads[lead_key] = None
            return None
        own = owner.each_own(function, derivation.arrangement)
        lead, tied = (None, ()) if own else (derivation.lead, derivation.tied)
        got = ((derivation.arrangement, lead, tied, own), capped)
        self.leads[lead_key] = got
        return got


_MISSING: Any = object()


def _getter(dims: tuple[int, ...]) -> Callable[[Cell], Any]:
    """A block's own completion within a cell: its index (one answer) or their tuple."""
    if len(dims) == 1:
        only = dims[0]
        return lambda cell: cell[only]
    return lambda cell: tuple([cell[d] for d in dims])
