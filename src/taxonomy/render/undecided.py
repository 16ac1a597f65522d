"""Open recommendations (answers left unknown) in words: table cells, paragraphs, explanations.

An open recommendation is never drawn as a guess: each output that shows one says what is
still possible, under which answers, and which question to answer first; an output that cannot
show one yet refuses (:func:`refuse_open`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction

import attrs

from taxonomy._model import Arrangement, Function, word_list
from taxonomy._results import (
    MAX_LEADS_LISTED,
    Classification,
    Outcome,
    Recommendation,
    open_lead_words,
)
from taxonomy.errors import InputError
from taxonomy.render.wording import arrangement_words

__all__ = [
    "MAX_OUTCOMES_LISTED",
    "ArrangementShare",
    "PortfolioQuestion",
    "answer_words",
    "arrangement_cell",
    "by_arrangement",
    "explain_open_markdown",
    "explain_open_text",
    "gives_words",
    "open_paragraph",
    "open_reason",
    "question_words",
    "ranked_questions",
    "turns_on",
]


#: The most outcomes a cell, a paragraph or an explanation lists one by one, each with when it
#: holds; more (eight bodies of unknown capability give hundreds of leads) are summarised by
#: arrangement, with their shares and the leads in brief. The JSON's ``possible`` keeps each.
MAX_OUTCOMES_LISTED = 6


@attrs.frozen
class ArrangementShare:
    """The outcomes still possible that share one arrangement (whatever their leads).

    Attributes:
        arrangement: the arrangement.
        share: the fraction of the completions that give it (the outcomes' shares summed).
        outcomes: the outcomes, in ``possible``'s order.
    """

    arrangement: Arrangement
    share: Fraction
    outcomes: tuple[Outcome, ...]

    @property
    def share_text(self) -> str:
        """The share as the outcomes write theirs: ``7/16``, or ``1``."""
        return str(self.share)

    @property
    def leads(self) -> str:
        """The leads these outcomes give, in words (summarised where many)."""
        return open_lead_words(self.outcomes)


def by_arrangement(rec: Recommendation) -> list[ArrangementShare]:
    """The outcomes still possible grouped by arrangement, the likeliest first.

    Where each arrangement has one lead, as most have, this is ``possible`` as it is.
    """
    grouped: dict[Arrangement, list[Outcome]] = {}
    for o in rec.possible:
        grouped.setdefault(o.arrangement, []).append(o)
    found = [
        ArrangementShare(a, sum((Fraction(o.share) for o in group), Fraction(0)), tuple(group))
        for a, group in grouped.items()
    ]
    return sorted(found, key=lambda g: -g.share)  # stable: possible's order among equals


def _many(rec: Recommendation) -> bool:
    """Whether ``rec`` has too many outcomes to list each (see :data:`MAX_OUTCOMES_LISTED`)."""
    return len(rec.possible) > MAX_OUTCOMES_LISTED


def turns_on(rec: Recommendation) -> str:
    """What the open outcomes turn on, in words: ``their capability, unknown``.

    The open questions' subjects: ``their capability`` where every one is a body's
    capability, else the first three questions (and how many more).
    """
    keys = [q.key for q in rec.open_questions]
    if all(k.startswith("capability.") for k in keys):
        return "their capability, unknown"
    said = [question_words(k) for k in keys[:3]]
    more = f" and {len(keys) - 3} more" if len(keys) > 3 else ""
    return f"{word_list(said)}{more}, unknown"


def arrangement_cell(rec: Recommendation) -> str:
    """The arrangement column of a table: ``open: 1 One team (7/32) or 2 Aligned ... (7/16)``.

    Each arrangement once, with the share of every outcome giving it (whatever their leads).
    """
    return "open: " + " or ".join(
        f"{g.arrangement.category} {g.arrangement.title} ({g.share_text})"
        for g in by_arrangement(rec)
    )


def lead_cell(rec: Recommendation) -> str:
    """The lead column of a table for an open recommendation: the leads still possible.

    Many leads (every subset of eight bodies may tie) read ``open: any of the 8 bodies (...),
    alone or tied (it turns on their capability, unknown)``.
    """
    leads = list(dict.fromkeys(o.lead_text for o in rec.possible))
    if len(leads) <= MAX_LEADS_LISTED:
        return "open: " + " or ".join(leads)
    return f"open: {open_lead_words(rec.possible)} (it turns on {turns_on(rec)})"


def open_reason(rec: Recommendation) -> str:
    """The reason column of a flat row (CSV, XLSX) for an open recommendation: when each holds.

    ``aligned when ...; one_team when ...``; with many outcomes, each arrangement with its share
    and its number of outcomes (the JSON's ``possible`` says when each holds).
    """
    if not _many(rec):
        return "; ".join(f"{o.arrangement} when {o.when}" for o in rec.possible)
    return (
        "; ".join(
            f"{g.arrangement} in {g.share_text} of the answers left open ({len(g.outcomes)} "
            "outcomes, each with when it holds in the JSON)"
            for g in by_arrangement(rec)
        )
        + f"; it turns on {turns_on(rec)}"
    )


def decided_cell(rec: Recommendation) -> str:
    """The decided-by column of a table for an open recommendation: what to answer first."""
    return f"not decided: answer {rec.open_questions[0].key} first"


def open_paragraph(rec: Recommendation) -> str:
    """The recommendation in sentences: what each outcome needs, and what to answer first.

    ``Not yet decided: one team if duplication is high; otherwise aligned ...``; with more
    outcomes than :data:`MAX_OUTCOMES_LISTED`, each arrangement with its share and leads.
    """
    if _many(rec):
        return _many_paragraph(rec)
    parts = []
    for index, o in enumerate(rec.possible):
        words = f"{o.arrangement.title.lower()} (category {o.arrangement.category}"
        words += f", lead {o.lead_text})" if o.lead_status != "joint" else ", led jointly)"
        if index == len(rec.possible) - 1 and len(rec.possible) > 1:
            parts.append(f"otherwise {words}")
        else:
            parts.append(f"{words} if {o.when}")
    first = rec.open_questions[0]
    return (
        f"{rec.name}: not yet decided: {'; '.join(parts)}. Answer {first.key} first: "
        f"about {first.expected_outcomes:g} outcomes are expected to remain after it."
    )


def _many_paragraph(rec: Recommendation) -> str:
    """The paragraph of a recommendation with many outcomes: by arrangement, in brief."""
    parts = [
        f"{g.arrangement.title.lower()} (category {g.arrangement.category}) in {g.share_text} "
        f"of the answers left open, lead {g.leads}"
        for g in by_arrangement(rec)
    ]
    first = rec.open_questions[0]
    return (
        f"{rec.name}: not yet decided: {'; or '.join(parts)}. It turns on {turns_on(rec)} "
        f"({len(rec.possible)} outcomes in all). Answer {first.key} first: about "
        f"{first.expected_outcomes:g} outcomes are expected to remain after it."
    )


def settled_sentence(rec: Recommendation, function: Function) -> str:
    """For a decided recommendation with open answers: that it holds whatever they are."""
    keys = ", ".join(f"{k} ({v})" for k, v in function.unknowns)
    why = "the law settles it" if rec.settled_by == "law" else "the answers given settle it"
    if rec.lead_open:
        return (
            f"The arrangement holds whatever the open answers turn out to be ({keys}): {why}; "
            "the lead does not, and the reasons above are given for one way of answering them."
        )
    return (
        f"This holds whatever the open answers turn out to be ({keys}): {why}; the reasons "
        "above are given for one way of answering them."
    )


def _questions(rec: Recommendation, indent: str) -> list[str]:
    lines = []
    for rank, q in enumerate(rec.open_questions, start=1):
        kinds = "arrangement" if q.expected_arrangements == 1 else "arrangements"
        left = "outcome" if q.expected_outcomes == 1 else "outcomes"
        disputed = ", ".join(f"{body} {said}" for body, said in q.disagreement)
        lines.append(
            f"{indent}{rank}. {q.key} (about {q.expected_arrangements:g} {kinds} and "
            f"{q.expected_outcomes:g} {left} left"
            + (f"; the bodies disagree: {disputed}, to settle between them)" if disputed else ")")
        )
        lines += [f"{indent}   - {answer}: {gives_words(gives)}" for answer, gives in q.answers]
    return lines


def gives_words(gives: Sequence[str]) -> str:
    """What one answer leaves, in words: each outcome, or where many, by arrangement.

    >>> gives_words(["one_team, lead a", "aligned, lead a"])
    'one_team, lead a; aligned, lead a'
    >>> gives_words([f"one_team, lead {b}" for b in "abcdefg"] + ["aligned, lead a"])
    '8 outcomes: one_team (7 leads); aligned, lead a'
    """
    if len(gives) <= MAX_OUTCOMES_LISTED:
        return "; ".join(gives)
    grouped: dict[str, list[str]] = {}
    for give in gives:
        grouped.setdefault(give.split(",", 1)[0], []).append(give)
    said = [g[0] if len(g) == 1 else f"{a} ({len(g)} leads)" for a, g in grouped.items()]
    return f"{len(gives)} outcomes: " + "; ".join(said)


def _outcome_lines(rec: Recommendation, item: str) -> list[str]:
    """Each outcome possible as a list item (``item`` opens it), or by arrangement where many."""
    if not _many(rec):
        return [
            f"{item}category {o.arrangement.category}, {o.arrangement.title} "
            f"({o.arrangement}), lead {o.lead_text}: {o.share}, when {o.when}"
            for o in rec.possible
        ]
    lines = [
        f"{item}category {g.arrangement.category}, {g.arrangement.title} ({g.arrangement}): "
        f"{g.share_text}, in {len(g.outcomes)} outcomes; lead {g.leads}"
        for g in by_arrangement(rec)
    ]
    return [
        *lines,
        f"{item}it turns on {turns_on(rec)}: each of the {len(rec.possible)} outcomes, with "
        "when it holds, is in the JSON (--format json)",
    ]


def explain_open_text(rec: Recommendation, *, summary: str = "") -> str:
    """The explanation of an open recommendation: each outcome, its share and condition."""
    lines = [
        f"{rec.name} ({rec.function})",
        "  arrangement: not decided (answers left open)",
        *(["", "In plain words:", summary] if summary else []),
        "",
        "Possible outcomes (share of the open answers' completions, and when):",
    ]
    lines += _outcome_lines(rec, "  - ")
    lines += ["", "Open questions, the most settling first:", *_questions(rec, "  ")]
    return "\n".join(lines) + "\n"


def explain_open_markdown(rec: Recommendation, *, summary: str = "") -> str:
    """The explanation of an open recommendation in Markdown."""
    lines = [f"# {rec.name}", ""]
    if summary:
        lines += [summary, ""]
    lines += [f"- **Function:** `{rec.function}`", "- **Arrangement:** not decided", ""]
    lines += ["## Possible outcomes", ""]
    if _many(rec):
        lines += _outcome_lines(rec, "- ")
    else:
        lines += ["| arrangement | lead | share | when |", "|---|---|---|---|"]
        lines += [
            f"| {o.arrangement.category} {o.arrangement.title} | {o.lead_text} | {o.share} "
            f"| {o.when} |"
            for o in rec.possible
        ]
    lines += ["", "## Open questions", "", *_questions(rec, "")]
    return "\n".join(lines) + "\n"


def refuse_open(classification: Classification, what: str) -> None:
    """Refuse an output that cannot show open recommendations yet, naming what to answer.

    Raises:
        InputError: some recommendation of ``classification`` is open.
    """
    for rec in classification:
        if not rec.decided:
            raise InputError(
                f"{what} does not show open recommendations yet: answer "
                f"{rec.open_questions[0].key} (the question that settles most), or use "
                "classify or explain",
                item=f"function '{rec.function}'",
            )


def question_words(key: str) -> str:
    """An answer's key for a reader: ``efficiency.duplication`` -> ``duplication``.

    >>> question_words("capability.nhse"), question_words("effectiveness.joint_benefit")
    ("nhse's capability", 'joint benefit')
    """
    question, _, rest = key.partition(".")
    if question == "capability":
        return f"{rest}'s capability"
    return (rest or question).replace("_", " ")


@attrs.frozen
class PortfolioQuestion:
    """One question left open, over every open function that asks it (the report's page 1).

    Attributes:
        key: the answer, as a portfolio writes it (``effectiveness.joint_benefit``).
        functions: the open functions that ask it (ids), in the portfolio's order.
        moves: how many of them some answer to it would decide or narrow.
        first: how many of them rank it first (the question that settles most).
        answers: each answer, with how many functions it would decide (and to what: the
            arrangements with how many functions each) and how many it would narrow.
    """

    key: str
    functions: tuple[str, ...]
    moves: int
    first: int
    answers: tuple[tuple[str, int, tuple[tuple[Arrangement, int], ...], int], ...]


def ranked_questions(recommendations: Iterable[Recommendation]) -> list[PortfolioQuestion]:
    """The questions left open across a portfolio, the ones to answer first first.

    A question (an answer's key, asked of every open function that leaves it open) ranks by
    how many functions some answer to it would decide or narrow, then by how many functions
    rank it first, then by the outcomes expected to remain after it (summed), then by key.
    Each answer says how many functions it would decide, to what, and how many it would only
    narrow. Decided recommendations ask nothing.
    """
    asked: dict[str, list[tuple[Recommendation, int]]] = {}
    for rec in recommendations:
        if rec.decided:
            continue
        for rank, q in enumerate(rec.open_questions):
            asked.setdefault(q.key, []).append((rec, rank))
    ranked = sorted(
        (_question(key, asking) for key, asking in asked.items()),
        key=lambda pair: pair[0],
    )
    return [question for _, question in ranked]


def _question(
    key: str, asking: list[tuple[Recommendation, int]]
) -> tuple[tuple[int, int, float, str], PortfolioQuestion]:
    """One question over the open functions asking it (with its rank in each), and its order."""
    left = 0.0
    moves = 0
    tally: dict[str, tuple[int, dict[Arrangement, int], int]] = {}
    for rec, rank in asking:
        q = rec.open_questions[rank]
        left += q.expected_outcomes
        moves += any(len(gives) < len(rec.possible) for _, gives in q.answers)
        for answer, gives in q.answers:
            decides, to, narrows = tally.get(answer, (0, {}, 0))
            if len(gives) == 1:
                arrangement = Arrangement.parse(gives[0].split(",", 1)[0])
                to[arrangement] = to.get(arrangement, 0) + 1
                decides += 1
            elif len(gives) < len(rec.possible):
                narrows += 1
            tally[answer] = (decides, to, narrows)
    first = sum(1 for _, rank in asking if rank == 0)
    answers = tuple(
        (answer, decides, tuple(sorted(to.items())), narrows)
        for answer, (decides, to, narrows) in tally.items()
    )
    functions = tuple(rec.function for rec, _ in asking)
    question = PortfolioQuestion(key, functions, moves, first, answers)
    return (-moves, -first, left, key), question


def answer_words(
    answer: str, decides: int, to: Sequence[tuple[Arrangement, int]], narrows: int
) -> str:
    """What one answer would give across the portfolio, in words.

    >>> answer_words("high", 2, [(Arrangement.ONE_TEAM, 2)], 1)
    'high: decides 2 (2 one team), narrows 1'
    >>> answer_words("none", 0, [], 0)
    'none: decides none and narrows none'
    """
    if not decides and not narrows:
        return f"{answer}: decides none and narrows none"
    parts = []
    if decides:
        said = "; ".join(f"{n} {arrangement_words(a)}" for a, n in to)
        parts.append(f"decides {decides} ({said})")
    if narrows:
        parts.append(f"narrows {narrows}")
    return f"{answer}: " + ", ".join(parts)
