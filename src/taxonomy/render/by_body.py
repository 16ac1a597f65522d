"""Each body's own answers in words: the placement holds whatever they say, or whose answer decides.

A recommendation whose function has questions answered per body carries a
:class:`~taxonomy._results.Disagreement`; these write it for the table (:func:`by_body_cell`),
the paragraph (:func:`by_body_sentence`) and ``explain`` (:func:`by_body_lines`):
"It turns on whose answer (duplication): North Council's (high) gives one team (category 1);
South Council's (low) gives aligned, separate function(s) (category 2)".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import attrs

from taxonomy._model import Arrangement, word_list
from taxonomy.render.undecided import question_words

if TYPE_CHECKING:
    from taxonomy._results import BodyView, Disagreement, Recommendation

__all__ = ["by_body_cell", "by_body_lines", "by_body_sentence", "view_words", "with_bodies"]

Names = Callable[[str], str]


def _namer(names: Mapping[str, str] | None) -> Names:
    return (lambda body: names.get(body, body)) if names is not None else (lambda body: body)


def view_words(view: BodyView, *, brief: bool = False) -> str:
    """What one body's answers give: ``one team (category 1)``, ``one team, led by nhse``.

    A view still open over other answers says so: ``one team or aligned, separate
    function(s) (still open)``. ``brief`` writes arrangements as the table's arrangement column
    does (``1 One team``).
    """
    rec = view.recommendation

    def named(arrangement: Arrangement) -> str:
        if brief:  # as the table's arrangement column writes it
            return f"{arrangement.category} {arrangement.title}"
        return arrangement.title.lower()

    if rec.arrangement is None:
        shown = dict.fromkeys(named(o.arrangement) for o in rec.outcomes)
        return f"{' or '.join(shown)} (still open)"
    words = named(rec.arrangement)
    if not brief:
        words += f" (category {rec.arrangement.category})"
    if rec.lead_status == "body":
        words += f", led by {rec.lead}"
    elif rec.lead_status == "open":
        words += ", its lead still open"
    return words


def _said(view: BodyView, disagreement: Disagreement) -> str:
    """What a body said, in words: its one value, or each key with its value."""
    said = {s.key: dict(s.words()) for s in disagreement.answers}
    parts = [(key, said[key][view.body]) for key, _ in view.answers]
    if len(disagreement.answers) == 1:
        return parts[0][1]
    return ", ".join(f"{question_words(key)} {value}" for key, value in parts)


def _who_said(disagreement: Disagreement, named: Names) -> str:
    """Who said what, question by question: ``duplication: North high, South low``."""
    return "; ".join(
        f"{question_words(s.key)}: " + ", ".join(f"{named(b)} {v}" for b, v in s.words())
        for s in disagreement.answers
    )


def by_body_sentence(rec: Recommendation, names: Mapping[str, str] | None = None) -> str:
    """The paragraph's sentence on the bodies' own answers (empty where there are none).

    ``names`` writes each body by its name (default: its id).
    """
    disagreement = rec.by_body
    if disagreement is None:
        return ""
    named = _namer(names)
    keys = word_list([question_words(s.key) for s in disagreement.answers])
    if disagreement.agreed:
        said = _who_said(disagreement, named)
        return f"Each body answered {keys} for itself, and they agree ({said})."
    if disagreement.holds:
        return (
            f"This holds whatever the bodies say: they differ on {keys} "
            f"({_who_said(disagreement, named)}), and every answer they gave leads to it."
        )
    turns = word_list([question_words(k) for k in disagreement.turns_on])
    views = "; ".join(
        f"{named(v.body)}'s ({_said(v, disagreement)}) gives {view_words(v)}"
        for v in disagreement.views
    )
    return f"It turns on whose answer ({turns}): {views}."


def with_bodies(
    paragraph: Callable[[Recommendation], str],
    rec: Recommendation,
    names: Mapping[str, str] | None = None,
) -> str:
    """``rec``'s paragraph as ``paragraph`` writes it, then :func:`by_body_sentence`."""
    plain = paragraph(attrs.evolve(rec, by_body=None))
    return f"{plain} {by_body_sentence(rec, names)}"


def by_body_cell(rec: Recommendation) -> str:
    """The table's words on the bodies' own answers: ``turns on whose answer: a: 1 One team; ...``.

    Bodies whose answers give the same are listed together; empty where there are no
    per-body answers.
    """
    disagreement = rec.by_body
    if disagreement is None:
        return ""
    if disagreement.holds:
        return "holds whatever the bodies say"
    grouped: dict[str, list[str]] = {}
    for view in disagreement.views:
        grouped.setdefault(view_words(view, brief=True), []).append(view.body)
    return "turns on whose answer: " + "; ".join(
        f"{', '.join(bodies)}: {words}" for words, bodies in grouped.items()
    )


def by_body_lines(rec: Recommendation, *, markdown: bool = False) -> list[str]:
    """``explain``'s section on the bodies' own answers (no lines where there are none)."""
    disagreement = rec.by_body
    if disagreement is None:
        return []
    head = "## Each body's own answers" if markdown else "Each body's own answers:"
    item = "- " if markdown else "  - "
    verdict = (
        "holds whatever the bodies say"
        if disagreement.holds
        else f"turns on whose answer: {', '.join(disagreement.turns_on)}"
    )
    lines = ["", head, *([""] if markdown else []), f"{item}the placement {verdict}"]
    for said in disagreement.answers:
        lines.append(f"{item}{said.key}: {said}")
    for view in disagreement.views:
        lines.append(
            f"{item}if {view.body}'s answers are taken ({_said(view, disagreement)}): "
            f"{view_words(view)}"
        )
    return lines
