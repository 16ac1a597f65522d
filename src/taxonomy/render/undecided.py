"""Open recommendations (answers left unknown) in words: table cells, paragraphs, explanations.

An open recommendation is never drawn as a guess: each output that shows one says what is
still possible, under which answers, and which question to answer first; an output that cannot
show one yet refuses (:func:`refuse_open`).
"""

from __future__ import annotations

from taxonomy._model import Function
from taxonomy._results import Classification, Recommendation
from taxonomy.errors import InputError

__all__ = ["arrangement_cell", "explain_open_markdown", "explain_open_text", "open_paragraph"]


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
