"""Renderings of results: readable text, tables, Markdown and the stable JSON contract.

Results are data (see ``_model``); everything here only turns that data into text, so every
rendering shows the same derivation.
"""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Iterable, Iterator
from typing import Any

import attrs

from taxonomy._explanation import Explanation, Firing, PackIdentity
from taxonomy._model import Function, Portfolio, alone_words, format_value
from taxonomy._results import Classification, Recommendation
from taxonomy.language.rules import RulePack
from taxonomy.render.by_body import by_body_cell, by_body_lines
from taxonomy.render.undecided import (
    arrangement_cell,
    decided_cell,
    explain_open_markdown,
    explain_open_text,
    lead_cell,
)
from taxonomy.schemas._ids import STAMP_KEY, schema_id, stamp

__all__ = [
    "explain_markdown",
    "explain_text",
    "jsonl_header",
    "law_line",
    "single_body_dict",
    "single_body_text",
    "to_json",
    "to_json_line",
    "to_json_lines",
    "to_json_lines_of",
    "to_markdown",
    "to_table",
]


def to_json(classification: Classification, *, rules: RulePack | None = None) -> str:
    """The stable JSON contract, byte-identical for the same input.

    ``{"as_of", "provisions", "rule_pack": {"name", "version", "hash"}, "recommendations":
    [{"function", "name", "arrangement", "category", "lead", "explanation", "summary"}]}``:
    ``as_of`` is the day judged on (``YYYY-MM-DD``, or null), ``provisions`` the ids of the
    dated provisions of the law applied, ``summary`` the recommendation in sentences a Board
    paper can quote (:func:`taxonomy.render.prose.paragraph`).

    Args:
        classification: the result.
        rules: the rule pack that made it, for the summaries' words; None: the default pack.
            ``summary`` is left out when the pack that made it is neither.
    """
    data = stamp("classification", classification.to_dict())
    summaries = _summaries(classification, rules)
    if summaries:
        for entry in data["recommendations"]:
            entry["summary"] = summaries[entry["function"]]
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def to_json_line(
    recommendation: Recommendation,
    context: Portfolio | None = None,
    *,
    rules: RulePack | None = None,
) -> str:
    """One recommendation as one line of JSON (``classify --format jsonl``).

    The object is the one :func:`to_json` lists under ``recommendations``, byte for byte once
    parsed (``summary`` included when the portfolio classified is given as ``context``); the
    rule pack's identity is on the first line (:func:`jsonl_header`).
    """
    if context is None:
        return _json_line(recommendation, None)
    from taxonomy.render.prose import paragraph

    return _json_line(recommendation, paragraph(recommendation, context, rules=rules))


def to_json_lines(
    recommendations: Iterable[Recommendation],
    context: Portfolio,
    *,
    rules: RulePack | None = None,
) -> Iterator[str]:
    """Each recommendation as :func:`to_json_line` gives it, as it comes (nothing kept).

    The summaries' words (the bodies' names, the pack's rules and facts) are gathered once
    for them all, so each line costs the same however many there are.

    Args:
        recommendations: recommendations for functions of ``context``, e.g.
            :func:`taxonomy.classification.iter_classify`.
        context: the portfolio classified.
        rules: the rule pack that made them; None: the default pack.
    """
    from taxonomy.render.json_lines import LineWriter
    from taxonomy.render.prose import paragraph_writer

    summary = paragraph_writer(context, rules=rules)
    line = LineWriter().line
    for recommendation in recommendations:
        yield line(recommendation, summary(recommendation))


def to_json_lines_of(
    recommendations: Iterable[tuple[Function, Recommendation]],
    context: Portfolio,
    *,
    rules: RulePack | None = None,
) -> Iterator[str]:
    """:func:`to_json_lines` for functions ``context`` need not hold (a portfolio streamed).

    Each item is a function and its recommendation; each line is the one :func:`to_json_lines`
    writes for it when classified in a portfolio holding it with ``context``'s bodies, law and
    governance. The items are taken :data:`_RUN` at a time (a streamed portfolio's functions
    then read and classified a run at a time, and written after): the same lines, for about
    6% less CPU than alternating item by item, which the processor's caches reward.
    """
    from taxonomy.render.json_lines import LineWriter
    from taxonomy.render.prose import paragraph_writer

    summary = paragraph_writer(context, rules=rules)
    line = LineWriter().line
    items = iter(recommendations)
    while run := list(itertools.islice(items, _RUN)):
        for function, recommendation in run:
            yield line(recommendation, summary(recommendation, function))


#: How many recommendations :func:`to_json_lines_of` takes at a time.
_RUN = 32


def _json_line(recommendation: Recommendation, summary: str | None) -> str:
    data = recommendation.to_dict()
    if summary is not None:
        data["summary"] = summary
    return json.dumps(data, sort_keys=True, ensure_ascii=False) + "\n"


def _summaries(classification: Classification, rules: RulePack | None) -> dict[str, str]:
    """Each recommendation's paragraph, by function id; empty when the pack is not known."""
    from taxonomy.language.rules import pack_for
    from taxonomy.render.prose import paragraphs

    pack = pack_for(classification.portfolio, rules)
    if pack.hash != classification.rule_pack.hash:
        return {}
    return paragraphs(classification, rules=pack)


def jsonl_header(portfolio: Portfolio, pack: PackIdentity) -> str:
    """The first line of ``classify --format jsonl``: the portfolio, the day and the rule pack."""
    header = {"portfolio": portfolio.name, "rule_pack": pack.to_dict(), **_day(portfolio)}
    header = stamp("classification-jsonl", header)
    return json.dumps(header, sort_keys=True, ensure_ascii=False) + "\n"


def _day(portfolio: Portfolio) -> dict[str, Any]:
    """``as_of`` and ``provisions``, as every JSON output gives them."""
    return {
        "as_of": portfolio.as_of.isoformat() if portfolio.as_of is not None else None,
        "provisions": [p.id for p in portfolio.law.applied],
    }


def law_line(portfolio: Portfolio) -> str:
    """The day a result is judged on, and the provisions of the law applied; empty if no day.

    >>> import taxonomy
    >>> law_line(taxonomy.classify(taxonomy.load_portfolio(
    ...     "examples/nhs_joint_working_2018.yaml")).portfolio)
    'As of 2018-03-28, under the law in force that day: nhs-act-2006-2018'
    """
    if portfolio.as_of is None:
        return ""
    applied = portfolio.law.applied
    if not applied:
        return f"As of {portfolio.as_of}"
    return f"As of {portfolio.as_of}, under the law in force that day: " + ", ".join(
        p.id for p in applied
    )


def _law_markdown(portfolio: Portfolio) -> list[str]:
    """The law line, and each provision applied with its days and source, for Markdown."""
    if portfolio.as_of is None:
        return []
    if not portfolio.law.applied:
        return [law_line(portfolio) + ".", ""]
    lines = [f"As of {portfolio.as_of}, under the law in force that day:", ""]
    for provision in portfolio.law.applied:
        days = " ".join(
            part
            for part in (
                f"from {provision.from_}" if provision.from_ is not None else "",
                f"until {provision.until}" if provision.until is not None else "",
            )
            if part
        )
        lines.append(
            f"- `{provision.id}`" + (f" ({days})" if days else "") + f": {provision.source}"
        )
    if portfolio.law.applied:
        lines.append("")
    return lines


def single_body_dict(
    portfolio: Portfolio, pack: PackIdentity, notes: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The JSON of a day on which one body is left: every function delivered once, by it.

    The keys of :func:`to_json` (``recommendations`` empty), with ``single_body`` (its ``id``,
    ``name`` and ``functions``) and ``notes`` (what the law's abolitions did).
    """
    (body,) = portfolio.organisations
    return {
        STAMP_KEY: schema_id("classification"),
        **_day(portfolio),
        "rule_pack": pack.to_dict(),
        "recommendations": [],
        "single_body": {
            "id": body.id,
            "name": body.name,
            "functions": [fn.id for fn in portfolio.functions],
        },
        "notes": list(notes),
    }


def single_body_text(
    portfolio: Portfolio, notes: tuple[str, ...] = (), *, markdown: bool = False
) -> str:
    """A readable account of a day on which one body is left: it delivers every function once."""
    (body,) = portfolio.organisations
    said = (
        f"Only {body.name} ({body.id}) is left: every function is delivered once, by {body.id}, "
        "so no joint arrangement applies."
    )
    if markdown:
        lines = [f"# {portfolio.name}", "", *_law_markdown(portfolio)]
        lines += [f"- {note}" for note in notes]
        lines += ["", said, "", "| function | name | delivered by |", "|---|---|---|"]
        lines += [
            f"| {fn.id} | {fn.name.replace('|', chr(92) + '|')} | {body.id} |"
            for fn in portfolio.functions
        ]
        return "\n".join(lines) + "\n"
    day = law_line(portfolio)
    lines = [portfolio.name, *([day] if day else []), *(f"  - {note}" for note in notes), "", said]
    lines += [f"  {fn.id}: {fn.name}" for fn in portfolio.functions]
    return "\n".join(lines) + "\n"


def _rows(classification: Classification) -> list[tuple[str, str, str, str, str]]:
    return [_row(r) for r in classification]


def _row(r: Recommendation) -> tuple[str, str, str, str, str]:
    """One recommendation's row of the table; where bodies answered for themselves, it says."""
    if r.arrangement is None:
        row = (r.function, r.name, arrangement_cell(r), lead_cell(r), decided_cell(r))
    else:
        capped = ", ".join(f.rule for f in r.explanation.capped_by)
        row = (
            r.function,
            r.name,
            r.arrangement_text,
            r.lead_text,
            r.explanation.decided_by.rule + (f" capped by {capped}" if capped else ""),
        )
    if r.by_body is not None:
        row = (*row[:4], f"{row[4]}; {by_body_cell(r)}")
    return row


_HEADERS = ("function", "name", "arrangement", "lead", "decided by")


def _decided_words(rec: Recommendation) -> str:
    """What decided a recommendation, in words: the answers, and the law where it held it.

    An open one is not decided: the question to answer first, as the table says. Where bodies
    answered for themselves, whether it holds whatever they say, or whose answer gives what.
    """
    if rec.by_body is not None:
        return f"{_decided_words(attrs.evolve(rec, by_body=None))}; {by_body_cell(rec)}"
    if rec.arrangement is None:
        return decided_cell(rec)
    if not rec.explanation.capped_by:
        return "the answers"
    assert rec.arrangement is not None  # only decided recommendations are capped
    return f"the answers, held by law at {rec.category}. {rec.arrangement.title}"


def _conclusion_words(firing: Firing) -> str:
    """A rule's conclusion for a reader: no finding names, arrangements by their titles.

    >>> from taxonomy._model import Level
    >>> _conclusion_words(Firing("r", "efficiency", (), "", "", (), 0, finding="capability_gain",
    ...                          value=Level.LOW))
    'capability gain: low'
    """
    parts = []
    if firing.finding is not None:
        parts.append(f"{firing.finding.replace('_', ' ')}: {format_value(firing.value)}")
    if firing.cap is not None:
        parts.append(f"at most {firing.cap.category}. {firing.cap.title}")
    if firing.decide is not None:
        parts.append(f"gives {firing.decide.category}. {firing.decide.title}")
    if firing.lead is not None:
        parts.append("names the lead")
    return "; ".join(parts)


def _fact_words(fact: str) -> str:
    """A fact read, for a reader: a finding by its name in words (``capability gain``)."""
    return fact.removeprefix("finding.").replace("_", " ") if fact.startswith("finding.") else fact


def to_markdown(classification: Classification, *, rules: RulePack | None = None) -> str:
    """A Markdown table of the recommendations, then each of them in plain words.

    The table carries the pack's identity; the paragraphs (:func:`taxonomy.render.prose.paragraph`)
    follow under each function's name, ready to paste into a Board paper.

    Args:
        classification: the result.
        rules: the rule pack that made it, for the paragraphs' words; None: the default pack.
            The paragraphs are left out when the pack that made it is neither.
    """
    pack = classification.rule_pack
    lines = [
        f"# {classification.portfolio.name}",
        "",
        *_law_markdown(classification.portfolio),
        f"Rule pack: {pack.name} {pack.version} (sha256 {pack.hash[:12]})",
        "",
        "| " + " | ".join(_HEADERS) + " |",
        "|" + "|".join("---" for _ in _HEADERS) + "|",
    ]
    for rec, row in zip(classification, _rows(classification), strict=True):
        cells = (*row[:4], _decided_words(rec))  # a Board reads no rule ids
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    summaries = _summaries(classification, rules)
    if summaries:
        lines += ["", "## In plain words"]
        for rec in classification:
            lines += ["", f"### {rec.name}", "", summaries[rec.function]]
    return "\n".join(lines) + "\n"


def to_table(classification: Classification, *, width: int = 120, color: bool = False) -> str:
    """A readable table for a terminal."""
    from rich.console import Console
    from rich.table import Table

    pack = classification.rule_pack
    day = law_line(classification.portfolio)
    table = Table(
        title=classification.portfolio.name + (f"\n{day}" if day else ""),
        caption=f"rule pack {pack.name} {pack.version} · sha256 {pack.hash[:12]}",
    )
    styles = {1: "green", 2: "cyan", 3: "yellow", 4: "red"}
    rows = _rows(classification)
    for header, column_width in zip(_HEADERS, _column_widths(rows, width), strict=True):
        table.add_column(header, overflow="fold", width=column_width)
    for rec, row in zip(classification, rows, strict=True):
        table.add_row(*row, style=styles[rec.category] if color and rec.category else None)
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width, force_terminal=color, no_color=not color, highlight=False
    )
    console.print(table)
    return buffer.getvalue()


def _column_widths(rows: list[tuple[str, str, str, str, str]], width: int) -> list[int | None]:
    """Widths for the table's columns on a page ``width`` characters wide (None: as needed).

    Text wraps between words, and an id is not broken inside: each id column is at least as wide
    as its longest word. The function, arrangement and lead then get what they need on one line,
    room allowing, and the name and deciding rules share the rest in proportion to what each
    would need. Only when the ids alone are wider than the page are they folded.

    >>> _column_widths([("a-long-function-id", "A name", "1 One team", "nhse", "rule.x")], 100)
    [None, None, None, None, None]
    >>> _column_widths([("a-long-function-id", "A name " * 9, "1 One team", "nhse", "r")], 70)
    [18, 14, 11, 4, 7]
    """
    room = width - 3 * len(_HEADERS) - 1  # borders and padding
    natural = [
        max([len(header), *(len(cell) for row in rows for cell in row[i].splitlines())])
        for i, header in enumerate(_HEADERS)
    ]
    if sum(natural) <= room:
        return [None] * len(_HEADERS)
    longest_word = [
        max(len(w) for text in (header, *(row[i] for row in rows)) for w in text.split())
        for i, header in enumerate(_HEADERS)
    ]
    # Ids (function, lead, rules) keep their longest word; the name and the arrangement, which
    # are words, may fold a long word at ten characters when the page is too narrow for all.
    least = longest_word
    if sum(least) > room:
        least = [
            min(max(10, len(header)), n) if header in ("name", "arrangement") else n
            for header, n in zip(_HEADERS, longest_word, strict=True)
        ]
    if sum(least) >= room:
        return [max(1, n) for n in _shares(least, room)]
    widths = list(least)
    # What a reader scans for comes whole first, room allowing: the function, its arrangement,
    # its lead; the name and the deciding rules share what is left.
    for header in ("function", "arrangement", "lead"):
        i = _HEADERS.index(header)
        widths[i] += min(natural[i] - widths[i], room - sum(widths))
    wanted = [
        n - w if h in ("name", "decided by") else 0
        for h, n, w in zip(_HEADERS, natural, widths, strict=True)
    ]
    spare = _shares(wanted, room - sum(widths))
    return [w + s for w, s in zip(widths, spare, strict=True)]


def _shares(weights: list[int], total: int) -> list[int]:
    """``total`` split in proportion to ``weights``, in whole parts that add up to it.

    >>> _shares([1, 1, 1], 10), _shares([0, 0], 3)
    ([4, 3, 3], [2, 1])
    """
    weight = sum(weights)
    if weight == 0:
        weights, weight = [1] * len(weights), len(weights)
    parts = [w * total // weight for w in weights]
    # The remainder goes to the largest fractions, first column first among equals.
    order = sorted(range(len(weights)), key=lambda i: (-(weights[i] * total % weight), i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def explain_text(rec: Recommendation, *, summary: str = "") -> str:
    """A readable account of one recommendation: the decision, the cap, the lead, every rule.

    Args:
        rec: the recommendation.
        summary: the recommendation in sentences (:func:`taxonomy.render.prose.paragraph`),
            shown first when given.
    """
    if rec.by_body is not None:  # and, after it, what each body's own answers give
        plain = explain_text(attrs.evolve(rec, by_body=None), summary=summary)
        return plain + "\n".join(by_body_lines(rec)) + "\n"
    if rec.arrangement is None:
        return explain_open_text(rec, summary=summary)
    ex = rec.explanation
    lines = [
        f"{rec.name} ({rec.function})",
        f"  arrangement: category {rec.category}, {rec.arrangement.title} ({rec.arrangement})"
        + (f", {alone_words(rec.alone)}" if rec.alone is not None else ""),
        f"  lead: {rec.lead_text if rec.lead_status != 'joint' else 'joint (no single lead body)'}",
        *(["", "In plain words:", summary] if summary else []),
        "",
        "Decided by:",
        *_node(ex, ex.decided_by, "  "),
    ]
    if ex.capped_by:
        lines += ["", "Capped by legal constraint:"]
        for firing in ex.capped_by:
            lines += _node(ex, firing, "  ")
    if ex.lead_by is not None:
        lines += ["", "Lead set by:", *_node(ex, ex.lead_by, "  ")]
    for note in ex.notes:
        lines += ["", f"Note: {note}"]
    lines += ["", "Every rule that fired:"]
    for firing in ex.fired:
        lines.append(
            f"  - {firing.rule} [{firing.question}, priority {firing.priority}]: "
            f"{firing.conclusion}{_outranked(ex, firing)}"
        )
    return "\n".join(lines) + "\n"


def _outranked(ex: Explanation, firing: Firing) -> str:
    """For a decision rule that fired but did not decide: which rule it gave way to."""
    decided = ex.decided_by
    if firing.decide is None or firing.rule == decided.rule:
        return ""
    return f" (not taken: {decided.rule}, priority {decided.priority}, decided)"


def explain_markdown(rec: Recommendation, *, summary: str = "") -> str:
    """One recommendation in Markdown for a reader: the paragraph, then how it was reached.

    The decision, cap, lead and every rule that fired, each by its conclusion and reason: no rule
    ids and no finding names.
    """
    if rec.by_body is not None:  # and, after it, what each body's own answers give
        plain = explain_markdown(attrs.evolve(rec, by_body=None), summary=summary)
        return plain + "\n".join(by_body_lines(rec, markdown=True)) + "\n"
    if rec.arrangement is None:
        return explain_open_markdown(rec, summary=summary)
    ex = rec.explanation
    arrangement = rec.arrangement

    def node(firing: Firing) -> str:
        matched = ", ".join(f"{_fact_words(k)} = {v}" for k, v in firing.shown) or "no condition"
        return (
            f"{_conclusion_words(firing)}, because {firing.because} "
            f"(on {matched}; source: {firing.source})"
        ).replace("|", "\\|")

    def outranked(firing: Firing) -> str:
        decided = ex.decided_by
        if firing.decide is None or firing is decided or firing.rule == decided.rule:
            return ""
        return f" (not taken: the decision that {_conclusion_words(decided)} ranks higher)"

    lines = [f"# {rec.name}", ""]
    if summary:
        lines += [summary, ""]
    lines += [
        f"- **Function:** `{rec.function}`",
        f"- **Arrangement:** category {rec.category}, {arrangement.title} (`{arrangement}`)"
        + (f", {alone_words(rec.alone)}" if rec.alone is not None else ""),
        f"- **Lead:** {rec.lead_text}",
        f"- **Decided by:** {node(ex.decided_by)}",
        *(f"- **Capped by the law:** {node(firing)}" for firing in ex.capped_by),
        *([f"- **Lead set by:** {node(ex.lead_by)}"] if ex.lead_by is not None else []),
        *(f"- **Note:** {note}" for note in ex.notes),
        "",
        "## Every rule that fired",
        "",
        "| question | priority | conclusion | because |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {f.question} | {f.priority} | {_conclusion_words(f)}{outranked(f)} | "
        f"{f.because.replace('|', chr(92) + '|')} |"
        for f in ex.fired
    ]
    return "\n".join(lines) + "\n"


def _node(ex: Any, firing: Firing, indent: str) -> list[str]:
    matched = ", ".join(f"{k} = {v}" for k, v in firing.shown)
    lines = [
        f"{indent}{firing.rule}: {firing.conclusion}",
        f"{indent}  because {firing.because}",
        f"{indent}  on {matched}" if matched else f"{indent}  (no condition: always applies)",
        f"{indent}  source: {firing.source}; principles: {', '.join(firing.principles)}",
    ]
    for child in ex.derivation(firing):
        lines += _node(ex, child, indent + "    ")
    return lines
