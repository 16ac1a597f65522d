"""The HTML report a Board paper can carry: one self-contained file, printable to A4.

``build_report(portfolio, scenarios=...)`` renders a one-page summary (what is recommended, by
arrangement, with the functions by name; what the law did: the caps, the limits it set, the
leads it named and the decisions it kept with each body, in words, with no rule ids; the
structure as-is against to-be; the findings), the recommendations, each derivation compactly
(several to a printed page) with the papers' citations, the accountability pictures (inline SVG,
caption above), the check findings and the scenario comparisons (identical changes grouped in one
row, the structure measured for each scenario). Printed, every page says "Page N of M". Bodies,
functions and arrangements appear by name, never by id. No network and no external assets:
styles, pictures and the one small script (which opens every explanation when printing) are
inside the file. Rich notebook output (``_repr_html_``) uses the same pieces.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from taxonomy._explanation import Explanation, Firing
from taxonomy._model import Arrangement, Portfolio, format_value
from taxonomy.language.rules import RulePack
from taxonomy.render.html import classification_table_html, lead_names
from taxonomy.render.text import law_line

if TYPE_CHECKING:  # networkx loads only when a report is built
    from taxonomy.structure.checks import Finding, Metrics
    from taxonomy.whatif.compare import FunctionChange, Outcome, Placement

__all__ = [
    "ChangeGroup",
    "board_reason",
    "build_report",
    "group_changes",
    "named",
    "placement_words",
]


def _environment() -> Any:
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("taxonomy.render", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    environment.filters["css_string"] = _css_string
    return environment


def build_report(
    portfolio: Portfolio,
    *,
    scenarios: Sequence[Any] = (),
    rules: RulePack | None = None,
    pictures: bool = True,
    as_of: datetime.date | str | None = None,
) -> str:
    """The HTML report for ``portfolio`` (and, optionally, scenarios compared with it).

    A dated law is judged on ``as_of`` (default: the portfolio's own); the header names the day
    and cites the provisions applied. A function still open (answers left unknown) is shown as
    open everywhere, never as one of its arrangements: page 1 lists it under "What we still
    need to know" with the questions to answer first, ranked across the portfolio.
    """
    from taxonomy._version import __version__
    from taxonomy.classification import classify
    from taxonomy.language.rules import pack_for
    from taxonomy.render.governance_docs import governance_view
    from taxonomy.render.prose import legal_effects, paragraphs
    from taxonomy.structure.graph import as_is_graph, build_graph
    from taxonomy.whatif.compare import compare

    pack = pack_for(portfolio, rules)
    classification = classify(portfolio, rules=pack, as_of=as_of)
    portfolio = classification.portfolio  # the portfolio of the day judged on
    to_be = build_graph(classification)
    as_is = as_is_graph(portfolio, classification=classification)
    bodies = {o.id: o.name for o in portfolio.organisations}
    comparison = compare(portfolio, *scenarios, rules=pack) if scenarios else None
    robust = _robustness(classification, pack)
    template = _environment().get_template("report.html.j2")
    return str(
        template.render(
            version=__version__,
            portfolio=portfolio,
            law=law_line(portfolio),
            pack=classification.rule_pack,
            classification=classification,
            counts=_counts(classification, bodies),
            law_effects=legal_effects(classification, rules=pack),
            undecided=sum(1 for r in classification if r.tied),
            table=classification_table_html(classification, bodies=bodies),
            derivations=[_derivation(r.explanation, bodies) for r in classification],
            summaries=paragraphs(classification, rules=pack),
            flips={
                key: [_reader_words(flip, bodies) for flip in sturdy.flips]
                for key, sturdy in robust.items()
            },
            leads={r.function: lead_names(r.lead, r.tied, bodies) for r in classification},
            notes={fn.id: fn.notes for fn in portfolio.functions if fn.notes},
            pictures=_pictures(to_be, as_is, pack) if pictures else [],
            robust=robust,
            paper=pack.word("paper", "the taxonomy's source paper"),
            chain=classification.rule_pack.chain,
            governance=governance_view(classification),
            **_open_view(classification, bodies),
            **_structure_view(to_be, as_is, portfolio, bodies, comparison, pack),
        )
    )


def _counts(classification: Any, bodies: Mapping[str, str]) -> list[Any]:
    """Each arrangement with the functions decided for it (an open function is in none)."""
    return [
        (
            a.category,
            a.title,
            [
                (r.name, lead_names(r.lead, r.tied, bodies) if r.lead is not None else "")
                for r in classification
                if r.arrangement is a
            ],
        )
        for a in Arrangement
    ]


def _structure_view(
    to_be: Any,
    as_is: Any,
    portfolio: Portfolio,
    bodies: Mapping[str, str],
    comparison: Any,
    pack: RulePack,
) -> dict[str, Any]:
    """The template's structure: the metrics, the findings and the scenarios."""
    from taxonomy.structure.checks import check, measure

    findings = check(to_be)
    as_is_metrics, to_be_metrics = measure(as_is), measure(to_be, findings=findings)
    return {
        "metrics": [
            (label, before, after)
            for label, before, after, _ in _metric_rows(as_is_metrics, to_be_metrics, None)
        ],
        "finding_groups": _finding_groups(findings),
        "findings": findings,
        "messages": [
            named(_nodes_named(_boards_named(f.message, portfolio), to_be), bodies)
            for f in findings
        ],
        "scenarios": [
            _scenario_view(o, portfolio, pack, as_is_metrics, to_be_metrics)
            for o in (comparison.outcomes if comparison is not None else ())
        ],
    }


def _open_view(classification: Any, bodies: Mapping[str, str]) -> dict[str, Any]:
    """The template's open functions: their names, outcomes, and the questions ranked."""
    from taxonomy.render.undecided import answer_words, question_words, ranked_questions

    names = {r.function: r.name for r in classification}
    questions = [
        {
            "words": question_words(q.key),
            "key": q.key,
            "functions": [names[f] for f in q.functions],
            "moves": q.moves,
            "first": q.first,
            "answers": [answer_words(*answer) for answer in q.answers],
        }
        for q in ranked_questions(classification)
    ]
    outcomes = {
        r.function: [
            (
                o.arrangement.category,
                o.arrangement.title,
                lead_names(o.lead, o.tied, bodies) if o.lead_status != "open" else "open",
                o.share,
                o.when,
            )
            for o in r.possible
        ]
        for r in classification
        if not r.decided
    }
    return {
        "open_functions": [r.name for r in classification if not r.decided],
        "open_outcomes": outcomes,
        "questions": questions,
    }


def _robustness(classification: Any, pack: RulePack) -> dict[str, Any]:
    """How many one-step answer changes move each placement (tie-only changes not counted)."""
    from taxonomy.whatif.counterfactual import robustness

    portfolio = classification.portfolio
    return {
        rec.function: robustness(portfolio, rec.function, rules=pack)
        for rec in classification
        if rec.decided  # an open function has no one placement to be robust
    }


#: Height left above each picture on its page for the section heading and the caption (the
#: pictures are drawn for the stylesheet's 12 mm picture-page margins).
_PICTURE_RESERVE_MM = 22.0


def _pictures(to_be: Any, as_is: Any, pack: RulePack) -> list[dict[str, str]]:
    """Every page of the to-be and as-is pictures: its caption, its A4 orientation, its SVG.

    Each picture page prints on a page of its own orientation (the named pages
    ``picture-portrait`` and ``picture-landscape`` of the stylesheet), at 100%: drawn for A4,
    its text is never under 8 pt on paper.
    """
    from taxonomy.render.picture import draw_pages

    word = dict(pack.vocabulary).get("governing_body")
    figures = []
    for caption, graph in (
        ("To-be: the structure the recommendations imply", to_be),
        (
            f"As-is: each body runs its own team, under its own {_governing_word(to_be)}",
            as_is,
        ),
    ):
        pages = draw_pages(
            graph, fmt="svg", board_word=word, margin_mm=13.0, reserve_mm=_PICTURE_RESERVE_MM
        )
        for page in pages:  # each page's own heading says "(page 1 of 2)"
            figures.append(
                {
                    "caption": caption,
                    "orientation": page.orientation,
                    "svg": _svg(page.data),
                }
            )
    return figures


def _governing_word(graph: Any) -> str:
    """What the bodies' governing bodies are called: their one shared word, else generically."""
    words = {
        str(data.get("governing_body"))
        for _, data in graph.nodes(data=True)
        if data.get("kind") == "board"
    }
    return words.pop() if len(words) == 1 else "governing body"


def _svg(data: bytes) -> str:
    text = data.decode("utf-8")
    start = text.find("<svg")
    return text[start:] if start >= 0 else text


def named(text: str, bodies: Mapping[str, str], *, everyone: Collection[str] | None = None) -> str:
    """``text`` with every body id that stands as a word of its own replaced by the body's name.

    For the sentences the rules and the comparison write with ids (``lead nhse -> joint``); an id
    inside a longer token (a rule id, another id) is left alone. A list of every one of
    ``everyone`` (default: all of ``bodies``), three or more, reads ``all N bodies``.

    >>> named("only nhse is left; nhse-region stays", {"nhse": "NHS England"})
    'only NHS England is left; nhse-region stays'
    >>> named("between a, c and b (tie); a, b", {"a": "A", "b": "B", "c": "C"})
    'between all 3 bodies (tie); A, B'
    """
    if not bodies:
        return text
    ids = "|".join(re.escape(i) for i in sorted(bodies, key=lambda i: (-len(i), i)))
    one = rf"(?<![\w.-])(?:{ids})(?![\w-]|\.\w)"
    every = set(bodies if everyone is None else everyone)

    def listed(match: re.Match[str]) -> str:
        found = re.findall(one, match.group(0))
        if len(every) > 2 and set(found) == every:
            return f"all {len(every)} bodies"
        return re.sub(one, lambda m: bodies[m.group(0)], match.group(0))

    return re.sub(rf"{one}(?:(?:, | and ){one})*", listed, text)


@attrs.frozen
class ChangeGroup:
    """Functions that a scenario moves to the same place for the same reasons: one table row.

    Attributes:
        functions: the functions' names, in the portfolio's order.
        before: where they stood in the baseline, in words (names, not ids): one placement, or
            each distinct placement with how many of the functions stood there.
        after: the scenario's placement, in words.
        because: why, in words, the same for every function of the group.
    """

    functions: tuple[str, ...]
    before: tuple[str, ...]
    after: str
    because: tuple[str, ...]


def group_changes(
    changes: Iterable[FunctionChange],
    bodies: Mapping[str, str],
    *,
    everyone: Collection[str] | None = None,
) -> tuple[ChangeGroup, ...]:
    """The changes with the same new placement and the same reasons merged, in first-seen order.

    Where the merged functions stood before is listed once per distinct placement.

    A merger that moves 21 functions the same way is one group of 21, not 21 rows. ``bodies``
    names every body the changes mention; ``everyone`` (default: all of them) are the bodies a
    tie between all is written as "all N bodies" for.
    """
    groups: dict[tuple[str, tuple[str, ...]], list[tuple[str, str]]] = {}
    for change in changes:
        key = (
            placement_words(change.after, bodies, everyone=everyone),
            tuple(named(reason, bodies, everyone=everyone) for reason in change.because),
        )
        before = placement_words(change.before, bodies, everyone=everyone)
        groups.setdefault(key, []).append((change.name, before))
    result = []
    for (after, because), members in groups.items():
        befores: dict[str, int] = {}
        for _, before in members:
            befores[before] = befores.get(before, 0) + 1
        before_words = (
            tuple(befores)
            if len(befores) == 1
            else tuple(f"{n} of them: {before}" for before, n in befores.items())
        )
        result.append(ChangeGroup(tuple(n for n, _ in members), before_words, after, because))
    return tuple(result)


def placement_words(
    placement: Placement, bodies: Mapping[str, str], *, everyone: Collection[str] | None = None
) -> str:
    """A placement for a reader: the arrangement's title and the lead, bodies by name."""
    if placement.possible:  # open (answers left unknown): each outcome and its share
        return placement.words
    if placement.arrangement is None:
        return f"one body: {bodies.get(placement.lead or '', placement.lead or '')}"
    lead = lead_names(placement.lead, placement.tied, bodies, everyone=everyone)
    title = f"{placement.arrangement.category}. {placement.arrangement.title}"
    return f"{title}, led jointly" if lead == "joint" else f"{title}; lead {lead}"


@attrs.frozen
class _ScenarioView:
    """One scenario as the report prints it."""

    name: str
    description: str
    notes: tuple[str, ...]
    groups: tuple[ChangeGroup, ...]
    changed: int
    metrics: tuple[tuple[str, int, int, int | None], ...]
    single_body: str | None


def _scenario_view(
    outcome: Outcome,
    portfolio: Portfolio,
    pack: RulePack,
    as_is: Metrics,
    to_be: Metrics,
) -> _ScenarioView:
    """The scenario's changes grouped, and its structure (measured by ``compare``) by name."""
    # A merger can name bodies the baseline does not have (the body merged into).
    bodies = {o.id: o.name for o in portfolio.organisations}
    names = {**bodies, **_merged_names(outcome, portfolio, pack)}
    return _ScenarioView(
        outcome.scenario.name,
        outcome.scenario.description,
        tuple(
            _function_named(named(note, names, everyone=bodies), portfolio)
            for note in outcome.notes
        ),
        group_changes(
            [
                attrs.evolve(c, because=tuple(board_reason(r, pack) for r in c.because))
                for c in outcome.changes
            ],
            names,
            everyone=list(bodies),
        ),
        len(outcome.changes),
        tuple(_metric_rows(as_is, to_be, outcome.metrics)),
        names.get(outcome.single_body, outcome.single_body) if outcome.single_body else None,
    )


def _boards_named(text: str, portfolio: Portfolio) -> str:
    """A check's message with each governing body's node (``board:brent``) in words."""
    labels = {f"board:{o.id}": o.governing_label for o in portfolio.organisations}
    return re.sub(r"(?<![\w.-])board:[\w-]+", lambda m: labels.get(m.group(0), m.group(0)), text)


def _nodes_named(text: str, graph: Any) -> str:
    """``text`` with every node id of ``graph`` (``team:audit:mercia``) replaced by its label."""
    ids = sorted((str(n) for n in graph.nodes if ":" in str(n)), key=lambda n: (-len(n), n))
    if not ids:
        return text
    pattern = "|".join(re.escape(n) for n in ids)
    return re.sub(
        rf"(?<![\w:.-])(?:{pattern})(?![\w:-])",
        lambda m: str(graph.nodes[m.group(0)].get("label", m.group(0))),
        text,
    )


def board_reason(text: str, rules: RulePack) -> str:
    """A comparison's reason for a reader: rules by what they conclude, findings in words.

    ``decided by decision.one-team (was decision.aligned)`` reads ``the answers now give one
    team (they gave aligned, separate functions)``; ``now capped by R`` reads ``now held by law
    at ...``; ``finding capability_gain: high -> low`` reads ``capability gain: high -> low``;
    the rule that set a lead is left out. Text that names no rule is returned as it is.
    """
    from taxonomy.render.prose import arrangement_words

    known = {rule.id: rule for rule in rules.rules}

    def decides(rule_id: str) -> str:
        rule = known.get(rule_id)
        then = rule.then.decide if rule is not None else None
        return arrangement_words(then) if then is not None else "another arrangement"

    def caps(rule_id: str) -> str:
        rule = known.get(rule_id)
        cap = rule.then.cap if rule is not None else None
        return f"{cap.category}. {cap.title}" if cap is not None else "a legal limit"

    rule = r"([a-z0-9][a-z0-9_.-]*[a-z0-9])"
    text = re.sub(
        rf"^decided by {rule} \(was {rule}\)$",
        lambda m: f"the answers now give {decides(m.group(1))} (they gave {decides(m.group(2))})",
        text,
    )
    text = re.sub(
        rf"^now capped by {rule}$", lambda m: f"now held by law at {caps(m.group(1))}", text
    )
    text = re.sub(
        rf"^no longer capped by {rule}$",
        lambda m: f"no longer held by law at {caps(m.group(1))}",
        text,
    )
    text = re.sub(
        r"^finding ([a-z][a-z0-9_]*): ", lambda m: m.group(1).replace("_", " ") + ": ", text
    )
    return re.sub(r" \(set by [^()]*\)$", "", text) if text.startswith("lead ") else text


def _function_named(note: str, portfolio: Portfolio) -> str:
    """A note that opens with a function's id (``procurement-complaints: ...``) opens with its name.

    Only the opening is read: function ids are often plain words (``it``, ``strategy``).
    """
    head, colon, rest = note.partition(": ")
    names = {fn.id: fn.name for fn in portfolio.functions}
    return f"{names[head]}{colon}{rest}" if colon and head in names else note


def _merged_names(outcome: Outcome, portfolio: Portfolio, pack: RulePack) -> dict[str, str]:
    """The bodies of the scenario's own portfolio, by id (a merger's new body among them)."""
    if outcome.classification is not None:
        changed = outcome.classification.portfolio
    else:  # one body left: the comparison keeps no portfolio, so apply the scenario again
        changed = outcome.scenario.apply(portfolio, pack).portfolio
    return {o.id: o.name for o in changed.organisations}


def _metric_rows(
    as_is: Metrics, to_be: Metrics, scenario: Metrics | None
) -> list[tuple[str, int, int, int | None]]:
    """Each structure figure by a readable name: as-is, to-be and (if measured) the scenario's."""
    before, after = as_is.flat(), to_be.flat()
    other = scenario.flat() if scenario is not None else {}
    return [
        (_metric_label(key), before.get(key, 0), value, other.get(key))
        for key, value in after.items()
    ]


def _metric_label(key: str) -> str:
    """``functions_delivered_more_than_once`` -> ``Functions delivered more than once``."""
    words = key.replace("_", " ")
    return words[:1].upper() + words[1:]


def _reader_words(text: str, bodies: Mapping[str, str]) -> str:
    """A robustness flip or a note for a reader: bodies and arrangements by name.

    >>> _reader_words("x: low -> high gives one_team (nhse)", {"nhse": "NHS England"})
    'x: low -> high gives One team (NHS England)'
    """

    def title(match: re.Match[str]) -> str:
        return f"gives {Arrangement.parse(match.group(1)).title} ("

    pattern = "|".join(Arrangement.names())
    return named(re.sub(rf"gives ({pattern}) \(", title, text), bodies)


@attrs.frozen
class _Derivation:
    """A recommendation's derivation in the compact form the report prints."""

    answers: tuple[tuple[str, str], ...]
    findings: tuple[tuple[str, str], ...]
    fired: tuple[str, ...]
    because: Mapping[str, str]
    notes: tuple[str, ...]


def _derivation(explanation: Explanation, bodies: Mapping[str, str]) -> _Derivation:
    """A derivation for the report: what the deciding, capping and lead rules rest on.

    The answers they read (directly or through the findings they used), the findings, the rules
    that fired, and each deciding rule's reason and the notes with bodies by name.
    """
    shown: dict[str, str] = {}
    seen: set[str] = set()

    def visit(firing: Firing) -> None:
        if firing.rule in seen:
            return
        seen.add(firing.rule)
        for fact, value in firing.shown:
            if not fact.startswith("finding."):
                shown.setdefault(fact, named(value, bodies))
        for child in explanation.derivation(firing):
            visit(child)

    deciding = [explanation.decided_by, *explanation.capped_by]
    if explanation.lead_by is not None:
        deciding.append(explanation.lead_by)
    for firing in deciding:
        visit(firing)
    return _Derivation(
        tuple(shown.items()),
        tuple(
            (name.replace("_", " "), format_value(value)) for name, value in explanation.findings
        ),
        tuple(f.rule for f in explanation.fired),
        {f.rule: named(f.because, bodies) for f in deciding},
        tuple(_reader_words(note, bodies) for note in explanation.notes),
    )


def _finding_groups(findings: Sequence[Finding]) -> list[tuple[str, str, int]]:
    """The findings counted by severity and check, most severe first."""
    order = {"error": 0, "warning": 1, "info": 2}
    counts: dict[tuple[str, str], int] = {}
    for f in findings:
        counts[(f.severity, f.check)] = counts.get((f.severity, f.check), 0) + 1
    return [
        (severity, name, n)
        for (severity, name), n in sorted(
            counts.items(), key=lambda i: (order.get(i[0][0], 3), i[0])
        )
    ]


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal, every character outside plain ASCII words escaped."""
    return (
        '"'
        + "".join(
            c if c.isascii() and (c.isalnum() or c in " ,:;()") else f"\\{ord(c):06x}"
            for c in str(text)
        )
        + '"'
    )
