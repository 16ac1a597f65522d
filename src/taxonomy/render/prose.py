"""A recommendation as a paragraph a Board paper can quote.

Every sentence is generated from the explanation data: the arrangement, the deciding rule and
the answers it rested on, the legal rules that capped it, the lead (a body, a joint lead, or a
tie), who keeps deciding, and each rule's source in the paper. Bodies are named by their names,
governing bodies in the portfolio's words (:attr:`~taxonomy.Organisation.governing_label`), and
the paper as the rule pack calls it (its ``paper`` word). Nothing is written per function.

>>> import taxonomy
>>> result = taxonomy.classify(taxonomy.load_portfolio("examples/nhs_joint_working_2018.yaml"))
>>> print(paragraph(result["it"], result))  # doctest: +NORMALIZE_WHITESPACE
For IT, we recommend that NHS England and NHS Improvement run it as one team (category 1, "One
team"), delivering it once on behalf of both. This is because the duplication between the
bodies is high and the scope to simplify processes is high (efficiency: high), and the benefit
of delivering it together is medium (effectiveness: medium); see NHS England board paper
CB.28.03.2018/02, Annex B category 1; design principle "Cost-effective". The lead is undecided
between NHS England and NHS Improvement: they are equally capable and nothing in the law or the
portfolio separates them, so they must agree which of them leads. The head of the team is
accountable to the NHS England Board and the NHS Improvement Board (category 1).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from taxonomy._decision import decision_words, delegating, handed_over
from taxonomy._explanation import Explanation, Firing
from taxonomy._model import Arrangement, Function, Portfolio, word_list
from taxonomy._results import Classification, Recommendation, open_lead_words
from taxonomy.language.rules import RulePack, fill_because, pack_for
from taxonomy.render.by_body import with_bodies
from taxonomy.render.undecided import open_paragraph, settled_sentence
from taxonomy.render.wording import (
    EFFECTS,
    FORUM_WORDS,
    FiringWords,
    LegalEffect,
    agreeing,
    alone_sentence,
    answer_meaning,
    arrangement_words,
    citation,
    delegated_sentences,
    keeper_effects,
    level_words,
    number_words,
    parent_sentences,
    sentence,
)

__all__ = [
    "LegalEffect",
    "arrangement_words",
    "citation",
    "legal_effects",
    "paragraph",
    "paragraph_writer",
    "paragraphs",
]

#: The key questions in the paper's order (para 8), for saying findings in that order.
_QUESTIONS = {"efficiency": 0, "effectiveness": 1, "legal": 2, "capability": 3}


def paragraph(
    recommendation: Recommendation,
    context: Classification | Portfolio,
    *,
    rules: RulePack | None = None,
) -> str:
    """One recommendation as a paragraph in full sentences, citing the paper.

    Args:
        recommendation: the recommendation to put into words.
        context: the classification it belongs to, or the portfolio classified (for the names
            of the bodies and of their governing bodies, and the function's legal answers).
        rules: the rule pack that made it (for its rules' reasons and sources, its facts'
            meanings and its ``paper`` word); None: the default pack.

    Raises:
        ValueError: ``context`` is a classification made with another rule pack than
            ``rules``.

    >>> import taxonomy
    >>> result = taxonomy.classify(taxonomy.load_portfolio("examples/nhs_joint_working_2018.yaml"))
    >>> text = paragraph(result["specialised-commissioning"], result)
    >>> print(text.split(": ")[0])  # doctest: +NORMALIZE_WHITESPACE
    For Specialised services commissioning, we recommend that it be delivered by NHS England
    alone (category 3, "Separate, involvement if needed")
    >>> "NHS England leads it: only employees of NHS England may carry it out" in text
    True
    """
    portfolio, pack = _context(context, rules)
    return _Writer(portfolio, pack).paragraph(recommendation)


def paragraphs(classification: Classification, *, rules: RulePack | None = None) -> dict[str, str]:
    """Every recommendation's :func:`paragraph`, by function id, in portfolio order."""
    write = paragraph_writer(classification, rules=rules)
    return {rec.function: write(rec) for rec in classification}


def paragraph_writer(
    context: Classification | Portfolio, *, rules: RulePack | None = None
) -> Callable[..., str]:
    """:func:`paragraph` for many recommendations of one context, its words gathered once.

    Arguments and errors as for :func:`paragraph`; use it where recommendations come one at a
    time (``classify --format jsonl``), so that each costs the same however many there are.
    The writer takes a recommendation and, where ``context`` does not hold its function (a
    portfolio read a function at a time), the function.

    >>> import taxonomy
    >>> result = taxonomy.classify(taxonomy.load_portfolio("examples/nhs_joint_working_2018.yaml"))
    >>> write = paragraph_writer(result)
    >>> write(result["it"]) == paragraph(result["it"], result)
    True
    """
    portfolio, pack = _context(context, rules)
    return _Writer(portfolio, pack).paragraph


def legal_effects(
    classification: Classification, *, rules: RulePack | None = None
) -> list[tuple[LegalEffect, tuple[str, ...]]]:
    """Every legal fact that capped, bound or named a lead, with the functions' names it did so for.

    Derived from each recommendation's explanation (the rules of the legal question that fired,
    and what each did) and the function's own legal answers (a decision each body keeps).
    Identical effects are listed once with every function they apply to; capped first, then
    bound, lead and decides, each in portfolio order.
    """
    portfolio, pack = _context(classification, rules)
    writer = _Writer(portfolio, pack)
    found: dict[LegalEffect, list[str]] = {}
    for rec in classification:
        # An open function's law differs by completion: the report lists it as still open.
        for effect in writer.legal_effects(rec) if rec.decided else ():
            found.setdefault(effect, []).append(rec.name)
    return sorted(
        ((effect, tuple(names)) for effect, names in found.items()),
        key=lambda item: EFFECTS.index(item[0].effect),
    )


# --- the writer ----------------------------------------------------------------------------------


class _Writer:
    """Writes paragraphs for the recommendations of one portfolio under one rule pack."""

    def __init__(self, portfolio: Portfolio, pack: RulePack) -> None:
        self.portfolio = portfolio
        self.pack = pack
        self.names = {o.id: o.name for o in portfolio.organisations}
        outside = portfolio.independent_bodies  # named as outside: it carries nothing out here
        self.names |= {b.id: f"{b.name} (outside the joint working)" for b in outside}
        self.labels = {o.id: o.governing_label for o in portfolio.organisations}
        paper = pack.word("paper", "board paper")
        self.paper = re.split(r" \(|, ", paper, maxsplit=1)[0].strip()
        self._named: frozenset[str] = frozenset()
        # The answers the function being written about leaves open: said as not known, never as
        # the value of the one completion whose derivation is shown.
        self._open: dict[str, Any] = {}
        self._given: Function | None = None  # the function written about, if given (streamed)
        self._meanings: dict[str, str] = {}  # each fact's answer as a noun phrase, made once
        self.facts = {*pack.facts.names(), *(f"finding.{n}" for n in pack.finding_types)}
        self.rule_ids = {rule.id for rule in pack.rules}
        self.decision_findings = {
            fact.removeprefix("finding.")
            for rule in pack.rules
            if rule.then.decide is not None
            for fact in rule.when.facts()
            if fact.startswith("finding.")
        }
        # Each firing's words, kept by the firing (the engine shares one among the functions of
        # a case): its reason, and its finding with the answers it came from.
        bodies = frozenset(f for f in self.facts if pack.fact_type(f).name in ("body", "bodies"))
        self._reasons, self._found = FiringWords(bodies), FiringWords(bodies)

    def _function(self, rec: Recommendation) -> Function:
        given, wanted = self._given, rec.function
        return given if given and given.id == wanted else self.portfolio.function(wanted)

    def paragraph(self, rec: Recommendation, function: Function | None = None) -> str:
        self._given = function
        if rec.by_body is not None:  # and what each body's own answers give
            return with_bodies(lambda r: self.paragraph(r, function), rec, self.names)
        if rec.arrangement is None:
            return open_paragraph(rec)
        ex = rec.explanation
        fn = self._function(rec)
        if fn.unknowns:
            self._open = dict(fn.unknowns)
            try:
                return f"{self._paragraph(rec, ex, fn)} {settled_sentence(rec, fn)}"
            finally:
                self._open = {}
        return self._paragraph(rec, ex, fn)

    def _paragraph(self, rec: Recommendation, ex: Any, fn: Any) -> str:
        performers = (
            fn.performed_by if len(fn.performed_by) > 1 else self.portfolio.organisation_ids
        )
        self._named = frozenset(performers)  # named in full once; "all N" after
        sentences = [
            self._what(rec, performers),
            self._why(ex),
            *self._caps(ex),
            *self._bounds(rec),
            self._lead(rec, performers),
            *self._decides(rec),
            *(sentence(s) for s in decision_words(rec.decision, self.portfolio, self.names)),
            *self._accountable(rec, performers),
        ]
        return " ".join(s for s in sentences if s)

    # -- what and why --------------------------------------------------------------------------

    def _what(self, rec: Recommendation, performers: tuple[str, ...]) -> str:
        arrangement = rec.settled_arrangement
        category = f'(category {arrangement.category}, "{arrangement.title}")'
        bodies = self._names(performers)
        if arrangement is Arrangement.ONE_TEAM:
            whom = "both" if len(performers) == 2 else f"all {number_words(len(performers))}"
            said = (
                f"we recommend that {bodies} run it as one team {category}, delivering it once "
                f"on behalf of {whom}"
            )
        elif arrangement is Arrangement.ALIGNED:
            said = (
                f"we recommend that {bodies} keep aligned, separate functions {category}: each "
                "keeps its own team, and joint governance makes the teams work to a single "
                "aligned plan"
            )
        elif rec.alone is not None:
            said = alone_sentence(self.names.get(rec.alone, rec.alone), category, arrangement)
        elif arrangement is Arrangement.SEPARATE_INVOLVED:
            others = rec.involved
            involved = (
                self._names(others)
                if len(others) <= 3
                else f"the other {number_words(len(others))} bodies"
            )
            said = (
                f"we recommend that it be delivered separately {category}, "
                f"{self._led(rec)}, with {involved} involved at key points to align "
                "overarching goals"
                if others
                # Every other body is one the function must stay independent of.
                else f"we recommend that it be delivered separately {category}, "
                f"{self._led(rec)}, and no other body is involved in it"
            )
        else:
            said = f"we recommend that it be delivered completely separately {category}, " + (
                self._led(rec)
            )
        return sentence(f"For {rec.name}, {said}")

    def _led(self, rec: Recommendation) -> str:
        if rec.lead is not None:
            return f"led by {self.names.get(rec.lead, rec.lead)}"
        if rec.each_own:
            return "each body doing its own"
        return f"led by one of {self._names(rec.tied, 'or')}"

    def _why(self, ex: Explanation) -> str:
        decider = ex.decided_by
        cited = self._cite(decider)
        children = ex.derivation(decider)
        if children:
            # A decision that reads answers besides findings (who carries the function out)
            # gives its own reason first.
            direct = any(not fact.startswith("finding.") for fact, _ in decider.matched)
            first = f"{self._because(decider)}; on the answers, " if direct else ""
            return sentence(f"This is because {first}{self._findings(children)}; see {cited}")
        # A decision that reads no findings: its own reason, with the answers it read, or (the
        # pack's default, which reads nothing) the findings the other decisions read, which
        # fell short of them.
        final = dict(ex.findings)
        producers: dict[str, Firing] = {}
        for firing in ex.fired:
            name = firing.finding
            if name in self.decision_findings and final.get(str(name)) == firing.value:
                producers.setdefault(str(name), firing)
        reason = self._because(decider)
        answers = [self._answer(fact, value) for fact, value in decider.matched]
        if any(answers):  # a decision that reads answers directly
            reason += ": " + word_list([a for a in answers if a])
        elif producers:
            ordered = sorted(
                producers.values(), key=lambda f: (_QUESTIONS.get(f.question, 9), f.rule)
            )
            reason += ": " + self._findings(ordered)
        return sentence(f"This is because {reason}; see {cited}")

    def _findings(self, producers: Sequence[Firing]) -> str:
        """Findings with the answers they came from.

        ``the duplication ... is high (efficiency: high), and ...``; a finding read from
        derived facts (a capability gap) is said in its rule's own words.
        """
        parts = [self._finding(firing) for firing in producers]
        if len(parts) == 1:
            return parts[0]
        return ", and ".join([", ".join(parts[:-1]), parts[-1]])

    def _finding(self, firing: Firing) -> str:
        """A finding and the answers it came from (``... is high (efficiency: high)``)."""
        kept = None if self._open else self._found.get(firing, self._named)
        if kept is not None:
            return kept
        answers = [self._answer(fact, value) for fact, value in firing.matched]
        said = word_list(answers) if answers and all(answers) else self._because(firing)
        said = f"{said} ({str(firing.finding).replace('_', ' ')}: {level_words(firing.value)})"
        # An answer left open is said as such: words for this function alone.
        return said if self._open else self._found.keep(firing, said, self._named)

    def _caps(self, ex: Explanation) -> list[str]:
        if not ex.capped_by:
            return []
        decided = ex.decided_by.decide
        assert decided is not None  # the deciding rule decides
        cap = ex.capped_by[0].cap
        assert cap is not None  # a capping rule caps
        reasons = word_list(
            [f"{self._because(f)} ({self._cite(f, quote=True)})" for f in ex.capped_by]
        )
        return [
            sentence(
                f"On these answers alone it would be {arrangement_words(decided)}, but the law "
                f"keeps it {arrangement_words(cap)}, because {reasons}"
            )
        ]

    def _bound(self, ex: Explanation) -> list[Firing]:
        """The legal caps that apply but did not change the category (the answers were within)."""
        capping = {f.rule for f in ex.capped_by}
        return [
            f
            for f in ex.fired
            if f.question == "legal" and f.cap is not None and f.rule not in capping
        ]

    def _bounds(self, rec: Recommendation) -> list[str]:
        """The legal limits that applied without changing the category, and bodies kept apart."""
        ex = rec.explanation
        effects = [*self._limits(rec, ex), *self._apart(self._function(rec), ex)]
        if not effects:
            return []
        reasons = word_list(
            [
                f"{e.said}, because {e.because}" + (f" ({e.source})" if e.source else "")
                for e in effects
            ]
        )
        return [sentence(f"The law also binds it, within the category given: {reasons}")]

    def legal_effects(self, rec: Recommendation) -> list[LegalEffect]:
        """What the law did for ``rec``: caps, limits it was within, the lead, who decides."""
        ex = rec.explanation
        effects = [
            LegalEffect(
                "capped",
                f"held at {rec.category}. {rec.settled_arrangement.title} (the answers alone "
                f"gave {arrangement_words(ex.decided_by.decide or rec.settled_arrangement)})",
                self._because(f),
                self._cite(f),
            )
            for f in ex.capped_by
        ]
        effects += self._limits(rec, ex)
        lead = ex.lead_by
        status = rec.lead_status if lead is not None and lead.question == "legal" else "tie"
        if status != "tie":
            assert lead is not None
            whom = (
                "led jointly"
                if status == "joint"
                else f"{self.names.get(str(rec.lead), str(rec.lead))} leads"
            )
            effects.append(LegalEffect("lead", whom, self._because(lead), self._cite(lead)))
        fn = self._function(rec)
        effects += self._apart(fn, ex)
        if not rec.settled_arrangement.separate:
            handed, gave = delegating(rec.decision), handed_over(rec.decision)
            effects += keeper_effects(fn, handed, self.pack, self.paper, self._names, gave=gave)
        return effects

    def _limits(self, rec: Recommendation, ex: Explanation) -> list[LegalEffect]:
        """The legal limits ``rec`` was within (``bound``), said where no cap says more."""
        return [
            LegalEffect(
                "bound",
                f"no more joined up than {f.cap.category}. {f.cap.title}",
                self._because(f),
                self._cite(f),
            )
            for f in self._bound(ex)
            # A looser limit beside a cap that held it further apart says nothing the cap does
            # not, and read beside it ("held at 4", "no more than 3") looks like a contradiction.
            if f.cap is not None and not (ex.capped_by and f.cap.category < (rec.category or 0))
        ]

    def _apart(self, fn: Any, ex: Explanation) -> list[LegalEffect]:
        """The bodies the law keeps out of ``fn``, where no rule already said so."""
        apart = [b for b in fn.legal.independence_from if b not in fn.performed_by]
        if not apart:
            return []
        read = {fact.split(".")[1] for f in ex.fired for fact, _ in f.matched if "." in fact}
        if "independence_from" in read:
            return []
        source = (
            self.pack.facts.get("legal.independence_from").source
            if "legal.independence_from" in self.pack.facts
            else ""
        )
        return [
            LegalEffect(
                "apart",
                f"{self._names(apart)} kept out of it (no team, no involvement)",
                f"it must stay independent of {self._names(apart)}",
                citation(source, self.paper) if source else "",
            )
        ]

    # -- the lead, who decides, to whom the team answers -----------------------------------------

    def _lead(self, rec: Recommendation, performers: tuple[str, ...]) -> str:
        ex, status = rec.explanation, rec.lead_status
        if status == "each":
            return sentence(
                f"No body leads it: the law gives each of {self._group(rec.each_own)} the duty "
                "of its own, so each does its own and is accountable for its own"
            )
        if status == "tie":
            among = self._group(rec.tied)
            between = "among" if among.startswith("all ") else "between"
            return sentence(
                f"The lead is undecided {between} {among}: they are equally "
                "capable and nothing in the law or the portfolio separates them, so they must "
                "agree which of them leads"
            )
        if status == "open":  # the arrangement is decided, the lead turns on answers
            return sentence(
                "The lead is not decided yet: it depends on answers left open, and may be "
                + open_lead_words(rec.possible, self.names)
            )
        if ex.lead_by is None:
            return ""
        if status == "joint":
            return sentence(
                f"It is led jointly: {self._because(ex.lead_by)} ({self._cite(ex.lead_by)})"
            )
        name = self.names.get(str(rec.lead), str(rec.lead))
        legal = ex.lead_by.question == "legal"
        return sentence(
            f"{name} leads it: {self._because(ex.lead_by)} ({self._cite(ex.lead_by, quote=legal)})"
        )

    def _decides(self, rec: Recommendation) -> list[str]:
        """Who keeps deciding, where that is not who delivers (one team or aligned teams)."""
        if rec.settled_arrangement.separate:
            return []
        fn = self._function(rec)
        legal, handed = fn.legal, delegating(rec.decision)
        gave = handed_over(rec.decision) if legal.held_by_each else frozenset()
        keepers = (
            tuple(b for b in fn.performed_by if b not in gave)
            if legal.board_reserved
            else tuple(b for b in legal.held_by_each if b not in handed)
        )
        if not keepers:
            return self._delegated(rec, handed)
        whom = (
            "one team delivers"
            if rec.arrangement is Arrangement.ONE_TEAM
            else "the aligned teams deliver"
        )
        words = {o.governing_body for o in self.portfolio.organisations if o.id in keepers}
        many = len(keepers) > 3 and frozenset(keepers) == self._named and len(words) == 1
        each = f"each of the {number_words(len(keepers))}"  # named in full already: grouped
        boards = f"the {min(words)} of {each} keeps" if many else ""
        if legal.board_reserved:
            boards = boards or f"{self._labels(keepers)} each keep"
            said = f"The decision stays with each body: {boards} deciding, and {whom} for them"
        else:
            bodies = each.capitalize() if many else f"Each of {self._names(keepers)}"
            said = f"{bodies} holds the duty of its own and keeps deciding, and {whom} for them"
        forum = self.portfolio.decision_forum(fn, rec.settled_arrangement) or ""
        return [sentence(said + FORUM_WORDS.get(forum, ""))]

    def _delegated(self, rec: Recommendation, handed: frozenset[str]) -> list[str]:
        """The joint body the holders delegated the decision to, and who stays accountable."""
        joint = {o.id: o.name for o in self.portfolio.organisations}
        joint |= {b.id: b.name for b in self.portfolio.governance.bodies}
        group = lambda by: self._group(by) if len(by) > 3 else self._names(by)  # noqa: E731
        return delegated_sentences(rec.decision, handed, joint, group)

    def _accountable(self, rec: Recommendation, performers: tuple[str, ...]) -> list[str]:
        if rec.arrangement is not Arrangement.ONE_TEAM:
            return []
        words = {o.governing_body for o in self.portfolio.organisations if o.id in performers}
        if len(performers) > 3 and len(words) == 1:
            whom = f"the {words.pop()} of each of the {number_words(len(performers))}"
        else:
            whom = self._labels(performers)
        legal = self._function(rec).legal
        said = sentence(f"The head of the team is accountable to {whom} (category 1)")
        return [said, *parent_sentences(legal, self.names)]

    # -- words ------------------------------------------------------------------------------------

    def _names(self, bodies: Iterable[str], conjunction: str = "and") -> str:
        return word_list([self.names.get(b, b) for b in bodies], conjunction)

    def _group(self, bodies: Iterable[str]) -> str:
        """Bodies by name; ``all eight`` for three or more that are all those named already."""
        listed = tuple(bodies)
        if len(listed) >= 3 and frozenset(listed) == self._named:
            return f"all {number_words(len(listed))}"
        return self._names(listed)

    def _labels(self, bodies: Iterable[str]) -> str:
        labels = [self.labels.get(b, b) for b in bodies]
        return word_list(
            [f"the {label}" if label.endswith(" Board") else label for label in labels]
        )

    def _value(self, fact: str, value: Any) -> str:
        """A fact's value in words: bodies by name, levels and counts as they are."""
        if value is None:
            return "absent"
        kind = self.pack.fact_type(fact).name if fact in self.facts else ""
        if kind in ("body", "bodies"):
            return self._group((value,) if isinstance(value, str) else tuple(value))
        if isinstance(value, bool):
            return "yes" if value else "no"
        return level_words(value)

    def _answer(self, fact: str, value: Any) -> str:
        """An answer as a clause: ``the duplication between the bodies is high``."""
        meaning = self._meanings.get(fact)
        if meaning is None:
            meaning = self._meanings[fact] = answer_meaning(self.pack, fact)
        if not meaning:
            return ""
        if fact in self._open:
            left = str(self._open[fact])
            known = "not known yet" if left == "unknown" else f"somewhere in {left}"
            return f"{meaning} is {known} (taken here as {self._value(fact, value)})"
        return f"{meaning} is {self._value(fact, value)}"

    def _because(self, firing: Firing) -> str:
        """The rule's reason, its placeholders filled with names rather than ids."""
        kept = self._reasons.get(firing, self._named)
        if kept is None:
            kept = self._reasons.keep(firing, self._reason(firing), self._named)
        return kept

    def _reason(self, firing: Firing) -> str:
        """:meth:`_because`, worked out."""
        template = self.pack.rule(firing.rule).because if firing.rule in self.rule_ids else ""
        if not template:
            return firing.because
        matched = dict(firing.matched)
        several = {f for f, v in matched.items() if isinstance(v, tuple | list) and len(v) > 1}
        template = agreeing(template, several)

        def value_of(fact: str) -> str | None:
            return self._value(fact, matched[fact]) if fact in matched else None

        return " ".join(fill_because(template, value_of).split())

    def _cite(self, firing: Firing, *, quote: bool = False) -> str:
        return citation(firing.source, self.paper, quote=quote)


# --- helpers -------------------------------------------------------------------------------------


def _context(
    context: Classification | Portfolio, rules: RulePack | None
) -> tuple[Portfolio, RulePack]:
    pack = pack_for(context.portfolio if isinstance(context, Classification) else context, rules)
    if isinstance(context, Classification):
        made = context.rule_pack
        if made.hash != pack.hash:
            raise ValueError(
                f"the classification was made with rule pack '{made.name}' {made.version}, not "
                f"'{pack.name}' {pack.version}: pass rules= the pack it was made with"
            )
        return context.portfolio, pack
    return context, pack
