"""Small pieces of the prose: citations of the papers, arrangements and numbers in words."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from taxonomy._model import Arrangement, Legal, Level, alone_words, word_list

if TYPE_CHECKING:
    from taxonomy._decision import Decision, Delegation
    from taxonomy._explanation import Firing
    from taxonomy._model import Function
    from taxonomy.language.rules import RulePack

__all__ = [
    "EFFECTS",
    "FORUM_WORDS",
    "FiringWords",
    "keeper_effects",
    "LegalEffect",
    "alone_sentence",
    "answer_meaning",
    "agreeing",
    "arrangement_words",
    "citation",
    "delegated_sentences",
    "level_words",
    "number_words",
    "parent_sentences",
    "sentence",
]

#: The forum in which bodies that each keep a decision take it, as the paragraph says it.
FORUM_WORDS = {
    "joint_committee": "; they may take the decision together through a joint committee, "
    "which the law allows",
    "committees_in_common": "; as the law lets them form no joint committee, they take it in "
    "committees in common, each keeping its own decision",
    "governance": "; their joint governance takes or oversees it",
}

_NUMBERS = ("", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


@functools.lru_cache(maxsize=1024)  # a pack has a few dozen sources, each cited per function
def citation(source: str, paper: str = "", *, quote: bool = False) -> str:
    """Where in the papers a rule's ``source`` points, without its comments.

    The source's first sentence is kept; each of its ``;``-separated places loses its
    parenthesised aside and any trailing comment, and places that are comments rather than
    places (more than eight words) are dropped. A leading ``board paper`` becomes ``paper``.
    With ``quote``, the first quotation of five to twenty-five words follows its place.

    >>> citation('board paper para 8 ("only an NHS England employee"), generalised; Annex B',
    ...          "NHS England board paper CB.28.03.2018/02", quote=True)
    'NHS England board paper CB.28.03.2018/02, para 8, "only an NHS England employee"; Annex B'
    >>> citation("Local Government Act 1972 s.113(1); board paper para 16 (agree a lead)")
    'Local Government Act 1972 s.113(1); board paper, para 16'
    """
    places = []
    quoted = not quote
    for part in _split(_first_sentence(source), ";"):
        place = _split(_without_asides(part), ",")[0].strip()
        if not place or len(place.split()) > 8:
            continue
        if place.lower().startswith("board paper"):
            place = (paper or "board paper") + ", " + place[len("board paper") :].strip()
        found = re.search(r'"([^"]+)"', part)
        if not quoted and found and 5 <= len(found.group(1).split()) <= 25:
            place += f', "{found.group(1).strip()}"'
            quoted = True
        places.append(place)
    return "; ".join(places) if places else source.strip()


def arrangement_words(arrangement: Arrangement) -> str:
    """An arrangement as the rest of a sentence reads it: ``aligned, separate functions``."""
    return {
        Arrangement.ONE_TEAM: "one team",
        Arrangement.ALIGNED: "aligned, separate functions",
        Arrangement.SEPARATE_INVOLVED: "separate, with involvement if needed",
        Arrangement.SEPARATE_DISTINCT: "separate and distinct",
    }[arrangement]


def sentence(text: str) -> str:
    """``text`` as a sentence: a capital first letter and one full stop."""
    text = text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def number_words(count: int) -> str:
    """``count`` in words up to ten (``three``), in figures above."""
    return _NUMBERS[count] if count < len(_NUMBERS) else str(count)


def _first_sentence(text: str) -> str:
    """Up to the first full stop outside brackets and quotation marks that ends a sentence."""
    for index, char in _outside(text):
        if char == "." and text[index + 1 : index + 3].startswith(" "):
            rest = text[index + 1 :].lstrip()
            if rest[:1].isupper():
                return text[:index]
    return text


def _outside(text: str) -> Iterator[tuple[int, str]]:
    """Each character of ``text`` outside brackets and quotation marks, with its index."""
    depth, quoted = 0, False
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == "(" and not quoted:
            depth += 1
        elif char == ")" and not quoted:
            depth = max(0, depth - 1)
        elif not depth and not quoted:
            yield index, char


def _split(text: str, separator: str) -> list[str]:
    """``text`` split on ``separator`` where it is outside brackets and quotation marks."""
    parts, start = [], 0
    for index, char in _outside(text):
        if char == separator:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return [part.strip() for part in parts]


def _without_asides(text: str) -> str:
    """``text`` without bracketed asides (`` (...)``); ``s.101(1)`` keeps its brackets."""
    out, depth, quoted = [], 0, False
    for index, char in enumerate(text):
        if char == '"' and depth:
            quoted = not quoted
        if depth:
            if char == "(" and not quoted:
                depth += 1
            elif char == ")" and not quoted:
                depth -= 1
            continue
        if char == "(" and (index == 0 or text[index - 1] == " "):
            depth = 1
            continue
        out.append(char)
    return " ".join("".join(out).split())


def level_words(value: Any) -> str:
    """A finding's value in words: a level by name, a yes/no for a true/false."""
    if isinstance(value, Level):
        return str(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def alone_sentence(body: str, category: str, arrangement: Arrangement) -> str:
    """What is recommended for a function one body carries out, leads and holds, alone.

    >>> alone_sentence("NHS England", '(category 3, "...")', Arrangement.SEPARATE_INVOLVED)[:58]
    'we recommend that it be delivered by NHS England alone (ca'
    """
    how = "" if arrangement is Arrangement.SEPARATE_INVOLVED else ", completely separately"
    return (
        f"we recommend that it be {alone_words(body)}{how} {category}: no other body carries "
        "it out, holds it or takes part in it, so there is no joint arrangement to make"
    )


def parent_sentences(legal: Legal, names: Mapping[str, str]) -> list[str]:
    """One team whose members stay employed by their parent body (para 12): its sentence.

    None where the function says nothing of it (``legal.employed_by_parent`` false); ``names``:
    each body's name by id.
    """
    if not legal.employed_by_parent:
        return []
    only = word_list([names.get(b, b) for b in legal.delegable_to])
    work = (
        f"the work only employees of {only} may do is done by them"
        if only
        else "each body's part is done by its own employees"
    )
    return [
        sentence(
            f"Its members stay employed by their parent body, so {work} inside the one team, "
            "with a single reporting line (board paper para 12)"
        )
    ]


@attrs.frozen
class LegalEffect:
    """One way the law shaped a recommendation, in words a Board reads (no rule ids).

    Attributes:
        effect: ``capped`` (the law held it below what the answers gave), ``bound`` (a legal
            limit that applies, though the answers already placed it within it), ``apart`` (a
            body it must stay independent of is kept out of it), ``lead`` (the law, or the
            bodies' agreement, named the lead) or ``decides`` (each body keeps the decision, or
            holds the duty of its own, while the work is shared).
        said: what the law did, e.g. ``held at 2. Aligned, separate function(s)``.
        because: the legal reason, bodies by name.
        source: where the reason comes from, as cited.
    """

    effect: str
    said: str
    because: str
    source: str


#: The order the effects are listed in: what changed a placement first.
EFFECTS = ("capped", "bound", "apart", "lead", "decides")


def keeper_effects(
    fn: Function,
    handed: frozenset[str],
    rules: RulePack,
    paper: str,
    names: Callable[[Iterable[str]], str],
    *,
    gave: frozenset[str] = frozenset(),
) -> list[LegalEffect]:
    """The bodies that each keep deciding ``fn`` while the work is shared (``decides``).

    Not those that ``handed`` it to a joint body: the joint body decides it for them; nor,
    for a decision reserved to each Board that each holds, those that ``gave`` it over to a
    joint committee that decides it (:func:`taxonomy._decision.handed_over`). ``names`` says
    bodies by name; ``paper`` is the paper as the pack cites it.
    """
    effects = []
    for fact, keepers, reason in (
        (
            "legal.board_reserved",
            # Held by each and handed over to a joint committee: that committee decides it.
            tuple(b for b in fn.performed_by if not (fn.legal.held_by_each and b in gave))
            if fn.legal.board_reserved
            else (),
            "the decision is reserved to each body's own governing body",
        ),
        (
            "legal.held_by_each",
            ()
            if fn.legal.board_reserved
            else tuple(b for b in fn.legal.held_by_each if b not in handed),
            "each holds the duty or office of its own",
        ),
    ):
        if keepers:
            source = rules.facts.get(fact).source if fact in rules.facts else ""
            effects.append(
                LegalEffect(
                    "decides",
                    f"{names(keepers)} each keep deciding while the work is shared",
                    reason,
                    citation(source, paper) if source else "",
                )
            )
    return effects


def delegated_sentences(
    decision: Decision | None,
    handed: frozenset[str],
    joint: Mapping[str, str],
    group: Callable[[list[str]], str],
) -> list[str]:
    """Who takes a function's decisions its holders ``handed`` to others, in words.

    ``joint`` names each joint body and organisation; ``group`` writes bodies by name. The
    holders stay accountable in law (a delegation does not pass the duty) unless a declared
    delegation says not. Nothing where none was handed. A delegation declared in its own right
    is one sentence per holder: "NHS England delegates its decisions to A, B and C, each for
    its own area (basis)".
    """
    if decision is None or not handed or not decision.holders:
        return []
    declared = [d for d in decision.delegations if d.declared and not d.planned]
    said = _declared_sentences(declared, joint, group)
    own = {d.to for d in declared}
    takers = [
        joint.get(d.id, d.id)
        for d in decision.deciders
        if d.basis == "delegated" and d.id not in own
    ]
    by = [b for b in decision.holders if b in handed and b in _joint_delegators(decision)]
    if not takers or not by:
        return said
    one = len(by) == 1
    return [
        sentence(
            f"Its decisions are taken by the {word_list(takers)}, to which {group(by)} "
            f"{'delegates' if one else 'delegate'} them; "
            f"{'it stays' if one else 'they stay'} accountable in law as holders"
        ),
        *said,
    ]


#: A pronoun after a preposition that ends a clause ("aligned with it."): after a placeholder
#: filled with several bodies, it stands for them.
_CLOSING_IT = re.compile(r"\b(with|of|from|to|by) it\b(?=\s*(?:[,.;:)]|$))")
_PLACEHOLDER = re.compile(r"(\{[^{}]*\})")


def agreeing(template: str, several: set[str]) -> str:
    """``template`` with "with it" read "with them" after a placeholder of ``several`` values.

    ``several``: the facts whose values name more than one body. Only a pronoun ending a clause
    after a preposition changes (the function's "it is never one team" stays).

    >>> agreeing("independent of {a}, so it is never aligned with it", {"a"})
    'independent of {a}, so it is never aligned with them'
    """
    pieces = _PLACEHOLDER.split(template)
    for index in range(1, len(pieces) - 1, 2):
        if pieces[index][1:-1].strip() in several:
            pieces[index + 1] = _CLOSING_IT.sub(r"\1 them", pieces[index + 1])
    return "".join(pieces)


def answer_meaning(rules: RulePack, fact: str) -> str:
    """What an answer to ``fact`` is, as a noun phrase; empty for a finding or a formula.

    >>> from taxonomy.language.rules import load_rules
    >>> answer_meaning(load_rules(), "efficiency.duplication")[:15]
    'the duplication'
    """
    if fact.startswith("finding.") or fact not in rules.facts:
        return ""
    declared = rules.facts.get(fact)
    if declared.derive is not None:  # a computed fact: its meaning is a formula
        return ""
    meaning = declared.meaning
    meaning = re.sub(r"^Q\d+:\s*", "", meaning)
    meaning = re.sub(r"\s*\([^()]*\)\s*$", "", meaning).strip()
    if not meaning:
        return ""
    if not re.match(r"(the|a|an|how|each|every|what|which|who)\b", meaning, re.IGNORECASE):
        meaning = "the " + meaning
    return meaning


def _joint_delegators(decision: Decision) -> set[str]:
    """The holders delegating through a joint body's ``delegated`` list (in force)."""
    return {d.by for d in decision.delegations if not d.declared and not d.planned}


def _declared_sentences(
    declared: list[Delegation], names: Mapping[str, str], group: Callable[[list[str]], str]
) -> list[str]:
    """One sentence per holder delegating in its own right: to whom, how, on what basis."""
    said = []
    for by in dict.fromkeys(d.by for d in declared):
        mine = [d for d in declared if d.by == by]
        to = word_list([names.get(d.to, d.to) for d in mine])
        each = ", each for its own area" if all(d.each_for_own_area for d in mine) else ""
        bases = sorted({d.legal_basis for d in mine if d.legal_basis})
        cited = f" ({'; '.join(bases)})" if bases else ""
        stays = (
            "it stays accountable in law as holder"
            if all(d.holder_accountable is not False for d in mine)
            else "they become accountable in its place"
        )
        said.append(
            sentence(f"{group([by])} delegates its decisions to {to}{each}{cited}; {stays}")
        )
    return said


#: How many firings' words are kept in each of two generations (see :class:`FiringWords`).
_KEPT = 4096


class FiringWords:
    """Words said of firings (text, or JSON), kept by the firing for a run.

    The engine shares one firing among the functions of a case, so most are said again and
    again; others are a function's own. Each firing is held, so its identity is not reused.
    Two generations of at most :data:`_KEPT` each: when the young one is full it becomes the
    old one (the oldest forgotten), and a firing found in the old one is kept young again, so
    the shared firings stay however many of a function's own come between.

    Words that name the bodies a firing read (a fact of ``body_facts``) depend on the bodies
    named in full already (``all eight``): they are kept with those, and found only with them.
    """

    def __init__(self, body_facts: frozenset[str] = frozenset()) -> None:
        self._body_facts = body_facts
        self._young: dict[int, tuple[Firing, frozenset[str] | None, str]] = {}
        self._old: dict[int, tuple[Firing, frozenset[str] | None, str]] = {}

    def get(self, firing: Firing, named: frozenset[str] = frozenset()) -> str | None:
        """The words kept for ``firing`` said where ``named`` are named in full, or None."""
        kept = self._young.get(id(firing))
        if kept is None:
            kept = self._old.get(id(firing))
            if kept is None or kept[0] is not firing:
                return None
            self._keep(kept)
        if kept[0] is not firing or (kept[1] is not None and kept[1] != named):
            return None
        return kept[2]

    def keep(self, firing: Firing, words: str, named: frozenset[str] = frozenset()) -> str:
        """Keep ``words`` for ``firing``, said where ``named`` are named in full; return them."""
        reads_bodies = any(fact in self._body_facts for fact, _ in firing.matched)
        self._keep((firing, named if reads_bodies else None, words))
        return words

    def _keep(self, kept: tuple[Firing, frozenset[str] | None, str]) -> None:
        if len(self._young) >= _KEPT:
            self._old, self._young = self._young, {}
        self._young[id(kept[0])] = kept
