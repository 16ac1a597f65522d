"""Counterfactuals ("why not TARGET?") and robustness for a reader: text, and HTML for notebooks.

:class:`~taxonomy.whatif.counterfactual.Counterfactuals` and
:class:`~taxonomy.whatif.counterfactual.Robustness` hold the data; these write it. Importing
this module registers them as their renderers (``Counterfactuals.explain()`` and the notebook
displays use them).
"""

from __future__ import annotations

import html

from taxonomy._model import word_list
from taxonomy.whatif.counterfactual import RENDERERS, Counterfactuals, Robustness

__all__ = ["counterfactuals_html", "counterfactuals_text", "robustness_html"]


def counterfactuals_text(found: Counterfactuals) -> str:
    """The answer in words (:meth:`Counterfactuals.explain` says how it reads)."""
    name = f"{found.current.name} ({found.function})"
    if not found.current.decided:
        return _open_text(found, name)
    if found.current.arrangement is found.target:
        return f"{name} is already {found.target}.\n"
    lines = [f"{name} is {found.current.arrangement}; for it to be {found.target}:"]
    lines += _obstacles(found)
    lines += _solutions(found)
    lines.append(f"  ({found.searched} answer combinations evaluated)")
    return "\n".join(lines) + "\n"


def _open_text(found: Counterfactuals, name: str) -> str:
    """The answer for a function still open: which answers to its open questions reach it."""
    given = word_list(
        [
            f"{o.arrangement.category} {o.arrangement.title} ({o.share})"
            for o in found.current.possible
        ],
        "or",
    )
    lines = [
        f"{name} is not decided yet: its answers left open give {given}; "
        f"for it to be {found.target}:"
    ]
    if found.when_answered:
        lines.append("  these answers to its open questions would give it:")
        lines += [
            f"  - {o.when}  (lead {o.lead_text}; {o.share} of the answers still possible)"
            for o in found.when_answered
        ]
        return "\n".join(lines) + "\n"
    lines.append(
        "  no answer to its open questions gives it: they give only "
        + word_list([str(o.arrangement) for o in found.current.possible], "or")
    )
    if found.blocked_by:
        caps = ", ".join(found.blocked_by)
        lines.append(f"  the law stands in the way whatever the answers: {caps}")
    first = found.current.open_questions[0].key
    lines.append(
        f"  answer its open questions first ({first} settles most), then ask again: "
        "a change to an answer already given may still reach it"
    )
    return "\n".join(lines) + "\n"


def _obstacles(found: Counterfactuals) -> list[str]:
    """What stands in the way: one body alone, legal caps, or no change small enough."""
    lines = []
    if found.performed_only_by:
        lines.append(
            f"  unreachable by any answer: only {word_list(found.performed_only_by)} carries it "
            "out, and one team needs at least two of the bodies carrying it out to deliver "
            "it once for them all"
        )
    if found.blocked_by:
        caps = ", ".join(found.blocked_by)
        law = (
            "  the law stands in the way too"
            if found.performed_only_by
            else "  unreachable without a change in the law"
        )
        lines.append(
            f"{law}: {caps} caps it"
            if len(found.blocked_by) == 1
            else f"{law}: {caps} each cap it, and every one of them would have to be lifted"
        )
    if not (found.solutions or found.blocked_by or found.performed_only_by):
        lines.append(
            f"  no change of up to {found.max_changes} answers reaches it; try a larger max_changes"
        )
    return lines


def _solutions(found: Counterfactuals) -> list[str]:
    """The solutions, each a line, under a line saying how they combine."""
    lines: list[str] = []
    size = len(found.solutions[0].changes) if found.solutions else 0
    together = " (all of its changes together; none of them alone is enough)"
    if len(found.solutions) == 1:
        lines.append(
            "  this change would do it:"
            if size == 1
            else "  these changes would do it, all of them together (none alone is enough):"
        )
    elif found.solutions:
        lines.append("  any one of these would do" + (together if size > 1 else "") + ":")
    if any(s.losses for s in found.solutions):
        lines.append(
            "  (only by making a body weaker: no change that keeps every body's capability "
            "reaches it; the rules read the gap between the bodies, and a wider gap is a "
            "loss, not a step to take)"
        )
    for solution in found.solutions:
        joined = word_list([str(c) for c in solution.changes])
        loss = (
            f"; a loss for {word_list(solution.losses)}, whose capability would fall"
            if solution.losses
            else ""
        )
        lines.append(
            f"  - change {joined}  (decided by "
            f"{solution.recommendation.explanation.decided_by.rule}{loss})"
        )
    return lines


def counterfactuals_html(found: Counterfactuals) -> str:
    """The answer as :func:`counterfactuals_text` words it, as HTML (a notebook's rich output).

    The first line is the question, each solution an item of a list; every text escaped.
    """
    lines = counterfactuals_text(found).rstrip("\n").split("\n")
    parts = [f"<b>{html.escape(lines[0])}</b>"]
    items: list[str] = []
    for line in lines[1:]:
        if line.startswith("  - "):
            items.append(f"<li>{html.escape(line[4:])}</li>")
            continue
        if items:
            parts.append("<ul>" + "".join(items) + "</ul>")
            items = []
        parts.append(f"<div>{html.escape(line.strip())}</div>")
    if items:
        parts.append("<ul>" + "".join(items) + "</ul>")
    return "<div>" + "".join(parts) + "</div>"


def robustness_html(found: Robustness) -> str:
    """How many one-step changes flip it, and each flip, as HTML (a notebook's rich output)."""
    head = (
        f"<b>{html.escape(found.function)}</b>: {len(found.flips)} of {found.steps} one-step "
        f"answer changes flip it ({found.share:.0%})"
    )
    flips = "".join(f"<li>{html.escape(flip)}</li>" for flip in found.flips)
    return f"<div>{head}" + (f"<ul>{flips}</ul>" if flips else "") + "</div>"


RENDERERS.update(
    text=counterfactuals_text, html=counterfactuals_html, robustness_html=robustness_html
)
