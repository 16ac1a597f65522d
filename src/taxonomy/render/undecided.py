"""Open recommendations (answers left unknown) in words: table cells, paragraphs, explanations.

An open recommendation is never drawn as a guess: each output that shows one says what is
still possible, under which answers, and which question to answer first; an output that cannot
show one yet refuses (:func:`refuse_open`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from taxonomy._model import Arrangement, Function
from taxonomy._results import Classification, Recommendation
from taxonomy.errors import InputError
from taxonomy.render.wording import arrangement_words

__all__ = [
    "PortfolioQuestion",
    "answer_words",
    "arrangement_cell",
    "explain_open_markdown",
    "explain_open_text",
    "open_paragraph",
    "question_words",
    "ranked_questions",
]


def _outcome(o: object) -> str:
    arrangement = o.arrangement  # type: ignore[attr-defined]
    return f"{arrangement.category} {arrangement.title}"


def arrangement_cell(rec: Recommendation) -> str:
    """The arrangement column of a table: ``open: 1 One team (7/32) or 2 Aligned ... (7/16)``."""
    return "open: " + " or ".join(f"{_outcome(o)} ({o.share})" for o in rec.possible)


def lead_cell(rec: Recommendation) -> str:
    """The lead column of a table for an open recommendation: the leads still possible."""
    leads = list(dict.fromkeys(o.lead_text for o in rec.possible))
    return "open: " + " or ".join(leads)


def decided_cell(rec: Recommendation) -> str:
    """The decided-by column of a table for an open recommendation: what to answer first."""
    return f"not decided: answer {rec.open_questions[0].key} first"


def open_paragraph(rec: Recommendation) -> str:
    """The recommendation in sentences: what each outcome needs, and what to answer first.

    ``Not yet decided: one team if duplication is high; otherwise aligned ...``
    """
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


def settled_sentence(rec: Recommendation, function: Function) -> str:
    """For a decided recommendation with open answers: that it holds whatever they are."""
    keys = ", ".join(f"{k} ({v})" for k, v in function.unknowns)
    why = "the law settles it" if rec.settled_by == "law" else "the answers given settle it"
    return (
        f"This holds whatever the open answers turn out to be ({keys}): {why}; the reasons "
        "above are given for one way of answering them."
    )


def _questions(rec: Recommendation, indent: str) -> list[str]:
    lines = []
    for rank, q in enumerate(rec.open_questions, start=1):
        left = "outcome" if q.expected_outcomes == 1 else "outcomes"
        lines.append(f"{indent}{rank}. {q.key} (about {q.expected_outcomes:g} {left} left)")
        lines += [f"{indent}   - {answer}: {'; '.join(gives)}" for answer, gives in q.answers]
    return lines


def explain_open_text(rec: Recommendation, *, summary: str = "") -> str:
    """The explanation of an open recommendation: each outcome, its share and condition."""
    lines = [
        f"{rec.name} ({rec.function})",
        "  arrangement: not decided (answers left open)",
        *(["", "In plain words:", summary] if summary else []),
        "",
        "Possible outcomes (share of the open answers' completions, and when):",
    ]
    for o in rec.possible:
        lines.append(
            f"  - category {o.arrangement.category}, {o.arrangement.title} "
            f"({o.arrangement}), lead {o.lead_text}: {o.share}, when {o.when}"
        )
    lines += ["", "Open questions, the most settling first:", *_questions(rec, "  ")]
    return "\n".join(lines) + "\n"


def explain_open_markdown(rec: Recommendation, *, summary: str = "") -> str:
    """The explanation of an open recommendation in Markdown."""
    lines = [f"# {rec.name}", ""]
    if summary:
        lines += [summary, ""]
    lines += [f"- **Function:** `{rec.function}`", "- **Arrangement:** not decided", ""]
    lines += [
        "## Possible outcomes",
        "",
        "| arrangement | lead | share | when |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {o.arrangement.category} {o.arrangement.title} | {o.lead_text} | {o.share} | {o.when} |"
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
