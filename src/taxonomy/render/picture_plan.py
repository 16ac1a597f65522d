"""The layout of a picture: what goes on each A4 page, measured, before anything is drawn.

:func:`plan_pages` turns an accountability graph into one :class:`Plan` per page: the columns
(one per body, one for joint bodies and posts), the rows (governance, then functions in bands by
arrangement or by lead), the key and the words describing the page. :mod:`taxonomy.render.painter`
draws a plan; :mod:`taxonomy.render.picture` is the public entry point.
"""

from __future__ import annotations

from typing import Any

import attrs

from taxonomy._model import Arrangement, alone_words, word_list
from taxonomy.render.measure import text_height, text_width, wrap
from taxonomy.structure.graph import Graph, nodes_of_kind, predecessors, reporting_lines, successors

__all__ = [
    "BAND",
    "DPI",
    "GREY",
    "HEAD_SIZE",
    "JOINT",
    "ORIENTATIONS",
    "OUTSIDE_BAND",
    "PALETTE",
    "ROLE",
    "SMALLEST",
    "TEXT_SIZE",
    "TITLE_SIZE",
    "Plan",
    "Row",
    "joint_owner",
    "legend_lines",
    "plan_pages",
]

#: A4 in inches, (width, height), by orientation.
ORIENTATIONS = {"portrait": (210 / 25.4, 297 / 25.4), "landscape": (297 / 25.4, 210 / 25.4)}
#: The smallest text drawn, in points (8 pt is the floor for print).
SMALLEST = 8.5

#: One colour per body. No purple: that is the joint colour (a jointly led or undecided team).
PALETTE = ["#1f5fa8", "#b35900", "#2e7d4f", "#c2185b", "#8d2b1e", "#117864", "#5d6d7e", "#7d6608"]
JOINT = "#5b2c83"
ROLE = "#34495e"
GREY = "#555555"
BAND = {1: "#e8f5e9", 2: "#e3f2fd", 3: "#fff8e1", 4: "#fdecea", 0: "#eef1f4"}
#: How a joint body the structure proposes is labelled in its row.
_PROPOSED = {
    "joint_governance": "joint plan",
    "joint_committee": "joint committee",
    "committees_in_common": "committees in common",
}
#: The band of the bodies outside the portfolio (``independent_bodies``), after the functions.
OUTSIDE_BAND = "Outside the joint working: bodies that functions must stay independent of"
_OUTSIDE_KEY = (
    "outside the joint working (grey, after the functions): a body the functions named must "
    "stay independent of; nothing reports to it"
)
_OPEN_KEY = (
    "not decided yet: the answers left open allow each arrangement listed with the function; "
    "each body keeps its own team (dashed) until it is decided"
)
TEXT_SIZE = 9.0  # names of functions and posts
TITLE_SIZE = 13.0
HEAD_SIZE = 10.0  # band headings
DPI = 110


# --- the plan: what goes on each page ----------------------------------------------------------


@attrs.define
class Row:
    """One row of a page: a band's heading, a governance body or post, or a function."""

    kind: str  # band, function, governance
    node: str
    height: float
    title: str = ""
    category: int = 0
    lines: list[str] = attrs.Factory(list)
    joint: list[str] = attrs.Factory(list)


@attrs.define
class Plan:
    """One page, laid out: its columns, headings, rows and key (inches throughout)."""

    graph: Graph
    orientation: str
    margin: float  # inches
    reserve: float
    bodies: list[str]
    names: dict[str, str]
    colour: dict[str, str]
    name_col: float
    col: float
    joint_col: float
    title: str
    heading: list[str]
    board_heads: dict[str, tuple[list[str], bool]]
    joint_head: list[str]
    header_height: float
    legend: list[tuple[str, Any]]
    legend_height: float
    rows: list[Row]
    description: str = ""

    @property
    def size(self) -> tuple[float, float]:
        """The page's width and height."""
        return ORIENTATIONS[self.orientation]

    @property
    def frame(self) -> tuple[float, float]:
        """The width and height inside the margins, less the height reserved above."""
        width, height = self.size
        return width - 2 * self.margin, height - 2 * self.margin - self.reserve

    def x(self, body: str) -> float:
        """The middle of ``body``'s column."""
        return self.name_col + self.col * (self.bodies.index(body) + 0.5)

    @property
    def joint_x(self) -> float:
        """The middle of the column of joint bodies and posts."""
        return self.name_col + self.col * len(self.bodies) + self.joint_col / 2


def _names(graph: Graph, bodies: list[str]) -> dict[str, str]:
    names = {}
    for body in bodies:
        data = graph.nodes.get(f"board:{body}", {})
        names[body] = str(data.get("body_name") or body)
    return names


def _board_word(graph: Graph, bodies: list[str], given: str | None) -> str:
    """The key's word for a governing body: the bodies' own if they share one.

    Bodies with different words (a Fire Authority, a Police and Crime Panel) are "governing
    body" together: no one body's word (nor the pack's) is right for all. ``given`` is for a
    graph that names no governing bodies.
    """
    words = {
        str(graph.nodes[f"board:{b}"]["governing_body"])
        for b in bodies
        if graph.nodes[f"board:{b}"].get("governing_body")
    }
    if not words:
        return given or "Board"
    return words.pop() if len(words) == 1 else "governing body"


def plan_pages(
    graph: Graph,
    group: str,
    title: str | None,
    board_word: str | None,
    margin_mm: float,
    reserve_mm: float,
) -> list[Plan]:
    """The pages of ``graph``'s picture: its columns, then its rows split over A4 pages."""
    bodies = [str(b) for b in graph.graph.get("organisations", [])] or [
        str(graph.nodes[b].get("body")) for b in nodes_of_kind(graph, "board")
    ]
    names = _names(graph, bodies)
    # A scenario's picture keeps each body's baseline colour (a merger takes a body out, and
    # the others must not change colour); a body the scenario adds comes after them.
    baseline = [str(b) for b in graph.graph.get("baseline_organisations", [])]
    order = baseline + [b for b in bodies if b not in baseline]
    colour = {b: PALETTE[order.index(b) % len(PALETTE)] for b in bodies}
    margin, reserve = margin_mm / 25.4, reserve_mm / 25.4
    state = str(graph.graph.get("state", "to-be"))
    scenario = str(graph.graph.get("scenario") or "")
    heading = title or (
        f"{graph.graph.get('name', '')}: {state} structure"
        + (f" under the scenario {scenario}" if scenario else "")
    )
    orientation, name_col, joint_col, col = _columns(graph, bodies, margin, state)
    width = ORIENTATIONS[orientation][0] - 2 * margin
    word = _board_word(graph, bodies, board_word)
    board_heads = {
        b: _head(str(graph.nodes[f"board:{b}"].get("label", names[b])), col) for b in bodies
    }
    joint_head = wrap("Joint bodies and posts", joint_col - 0.12, SMALLEST, True)
    heads = [len(h) for h, _ in board_heads.values()] + ([len(joint_head)] if joint_col else [])
    header_height = text_height(max(heads), SMALLEST) + 0.16
    legend = _legend_items(graph, bodies, names, colour, word, state)
    base = Plan(
        graph=graph,
        orientation=orientation,
        margin=margin,
        reserve=reserve,
        bodies=bodies,
        names=names,
        colour=colour,
        name_col=name_col,
        col=col,
        joint_col=joint_col,
        title=heading,
        heading=[],
        board_heads=board_heads,
        joint_head=joint_head,
        header_height=header_height,
        legend=legend,
        legend_height=_legend_height(legend, width),
        rows=_rows(graph, group, names, name_col, joint_col, col * len(bodies) + joint_col),
    )
    return _pages(base, heading, width, state, word)


def _columns(
    graph: Graph, bodies: list[str], margin: float, state: str
) -> tuple[str, float, float, float]:
    """The orientation and the widths of the name column, the joint column and each body's."""
    # Portrait when the columns fit it, landscape otherwise.
    orientation = "portrait"
    name_col, joint_col = 2.15, 1.3
    min_col = text_width("lead team", SMALLEST) + 0.2
    portrait_width = ORIENTATIONS["portrait"][0] - 2 * margin
    if (portrait_width - name_col - joint_col) / max(len(bodies), 1) < max(min_col, 1.0):
        orientation = "landscape"
    width = ORIENTATIONS[orientation][0] - 2 * margin
    if orientation == "landscape" and len(bodies) > 6:
        # Many bodies: columns as narrow as a team's label allows, the rest to the names.
        joint_col = 1.05
        words = [w for b in bodies for w in str(graph.nodes[f"board:{b}"].get("label", b)).split()]
        widest = max((text_width(w, SMALLEST) for w in words), default=0.0) / 0.97 + 0.1
        name_col = max(1.7, width - joint_col - max(min_col, widest) * len(bodies))
    # Body columns no wider than they need be: the rest goes to the names, on fewer lines.
    name_col = max(name_col, width - joint_col - 1.45 * len(bodies))
    if state == "as-is":
        joint_col = 0.0  # today's structure: no joint bodies or posts are drawn
    col = (width - name_col - joint_col) / max(len(bodies), 1)
    return orientation, name_col, joint_col, col


def _pages(base: Plan, heading: str, width: float, state: str, word: str) -> list[Plan]:
    """``base``'s rows split over pages, each page with its own title and description."""
    # The title's height with the longest page suffix it may get.
    title_lines = wrap(heading + " (page 99 of 99)", width, TITLE_SIZE, True)
    available = (
        base.frame[1]
        - text_height(len(title_lines), TITLE_SIZE)
        - 0.15
        - base.header_height
        - base.legend_height
    )
    pages = _paginate(base.rows, available)
    plans = []
    for number, page_rows in enumerate(pages, 1):
        page_title = heading if len(pages) == 1 else f"{heading} (page {number} of {len(pages)})"
        plan = attrs.evolve(
            base,
            title=page_title,
            heading=wrap(page_title, width, TITLE_SIZE, True),
            rows=page_rows,
        )
        plan.description = _describe(plan, state, word)
        plans.append(plan)
    return plans


def _head(label: str, col: float) -> tuple[list[str], bool]:
    """A column heading's lines, bold unless a word would have to be broken to fit."""
    lines = wrap(label, col - 0.08, SMALLEST, True)
    if any(line.endswith("-") for line in lines):
        return wrap(label, col - 0.08, SMALLEST), False
    return lines, True


def _paginate(rows: list[Row], available: float) -> list[list[Row]]:
    pages: list[list[Row]] = [[]]
    used = 0.0
    band: Row | None = None
    for index, row in enumerate(rows):
        if row.kind == "band":
            band = row
            # A band heading never ends a page: it goes with its first row.
            following = rows[index + 1].height if index + 1 < len(rows) else 0.0
            need = row.height + following
        else:
            need = row.height
        if used + need > available and pages[-1]:
            pages.append([])
            used = 0.0
            if row.kind != "band" and band is not None:
                again = attrs.evolve(band, title=f"{band.title} (continued)")
                pages[-1].append(again)
                used += again.height
        pages[-1].append(row)
        used += row.height
    return pages


def _rows(
    graph: Graph, group: str, names: dict[str, str], name_col: float, joint_col: float, span: float
) -> list[Row]:
    rows: list[Row] = []
    state = graph.graph.get("state", "to-be")
    name_width = name_col - 0.22
    governance = [] if state == "as-is" else _governance_nodes(graph)
    if governance:
        rows.append(_band("Governance: joint bodies and posts", 0, name_width + 6))
        for node in governance:
            said = _governance_text(graph, node, names)
            rows.append(_worded(graph, "governance", node, said, name_width, span))
    for band_title, category, functions in _bands(graph, group, names):
        rows.append(_band(band_title, category, name_width + 6))
        for function in functions:
            lines = wrap(_function_text(graph, function, names), name_width, TEXT_SIZE)
            joint = _joint_label(graph, function) if joint_col else ""
            joint_lines = wrap(joint, joint_col - 0.2, SMALLEST) if joint else []
            height = _row_height(max(len(lines), len(joint_lines)))
            rows.append(Row("function", function, height, lines=lines, joint=joint_lines))
    outside = nodes_of_kind(graph, "independent_body")
    if outside:  # drawn apart, after the grid: no column, team or line of the joint working
        rows.append(_band(OUTSIDE_BAND, 0, name_width + 6))
        for node in outside:
            said = _outside_text(graph, node)
            rows.append(_worded(graph, "outside", node, said, name_width, span))
    return rows


def _worded(graph: Graph, kind: str, node: str, said: str, name_width: float, span: float) -> Row:
    """A row naming ``node`` and saying ``said`` across the grid (governance, outside bodies)."""
    lines = wrap(str(graph.nodes[node].get("label", node)), name_width, TEXT_SIZE)
    joint = wrap(said, span - 0.3, SMALLEST)
    height = max(_row_height(len(lines)), text_height(len(joint), SMALLEST) + 0.2)
    return Row(kind, node, height, lines=lines, joint=joint)


def _outside_text(graph: Graph, node: str) -> str:
    """A body outside the portfolio in words: outside, and what must stay independent of it."""
    kept = [str(graph.nodes[f]["label"]) for f in predecessors(graph, node, "independent_of")]
    said = "outside the joint working: it has no team, reporting line or decision in it"
    return f"{said}; must stay independent of it: {word_list(kept)}" if kept else said


def _band(title: str, category: int, width: float) -> Row:
    lines = wrap(title, width, HEAD_SIZE, True)
    return Row(
        "band", "", text_height(len(lines), HEAD_SIZE) + 0.12, title=title, category=category
    )


def _governance_text(graph: Graph, node: str, names: dict[str, str]) -> str:
    """A joint body or post in words: who employs it, whom it reports to."""
    data = graph.nodes[node]
    targets = reporting_lines(graph, node)
    boards = [t.split(":", 1)[1] for t in targets if t.startswith("board:")]
    others = [str(graph.nodes[t].get("label", t)) for t in targets if not t.startswith("board:")]
    if data.get("kind") == "role":
        employer = str(data.get("employer") or "")
        words = [f"employed by {names.get(employer, employer)}"]
    else:
        words = [str(data.get("body_kind", "joint body")).replace("_", " ")]
    if boards:
        if len(boards) == len(names) > 1:
            word = _board_word(graph, list(names), None)
            words.append(f"reports to each body's {word} (all {len(boards)})")
        else:
            labels = [str(graph.nodes[f"board:{b}"].get("label", b)) for b in boards]
            words.append("reports to " + word_list(labels))
    if others:
        words.append("reports to " + word_list(others))
    return "; ".join(words)


def _row_height(lines: int) -> float:
    return max(text_height(lines, TEXT_SIZE), text_height(1, SMALLEST) + 0.06) + 0.08


def _governance_nodes(graph: Graph) -> list[str]:
    return nodes_of_kind(graph, "role") + [
        n for n in nodes_of_kind(graph, "joint_body") if not graph.nodes[n].get("proposed")
    ]


def _bands(graph: Graph, group: str, names: dict[str, str]) -> list[tuple[str, int, list[str]]]:
    functions = nodes_of_kind(graph, "function")
    bands: list[tuple[str, int, list[str]]] = []
    if graph.graph.get("state") == "as-is":
        if group == "arrangement":
            counts = sorted({len(graph.nodes[f].get("performed_by") or ()) for f in functions})
            for count in reversed(counts):
                members = [
                    f for f in functions if len(graph.nodes[f].get("performed_by") or ()) == count
                ]
                title = (
                    "Run by one body"
                    if count == 1
                    else f"Run by {count} bodies, each with its own team"
                )
                bands.append((title, 0, members))
            return bands
        for body in names:
            members = [f for f in functions if graph.nodes[f].get("performed_by") == (body,)]
            if members:
                bands.append((f"Run by {names[body]} alone", 0, members))
        shared = [f for f in functions if len(graph.nodes[f].get("performed_by") or ()) != 1]
        if shared:
            bands.append(("Run by several bodies, each with its own team", 0, shared))
        return bands
    if group == "arrangement":
        open_ = [f for f in functions if graph.nodes[f].get("decided") is False]
        for arrangement in [*Arrangement, None]:
            name = str(arrangement) if arrangement is not None else None
            members = [
                f for f in functions if graph.nodes[f].get("arrangement") == name and f not in open_
            ]
            if members:
                title = (
                    f"{arrangement.category}. {arrangement.title}"
                    if arrangement is not None
                    else "Functions (no recommendation)"
                )
                bands.append((title, arrangement.category if arrangement else 0, members))
        if open_:
            bands.append(("Not decided yet: answers left open", 0, open_))
        return bands
    lead: str | None
    for lead in [*names, None]:
        members = [f for f in functions if graph.nodes[f].get("lead") == lead]
        if members:
            title = (
                f"Led by {names[lead]}" if lead is not None else "Led jointly, or lead not decided"
            )
            bands.append((title, 0, members))
    return bands


def _function_text(graph: Graph, function: str, names: dict[str, str]) -> str:
    data = graph.nodes[function]
    name = str(data.get("label", function))
    if data.get("decided") is False:
        options = [Arrangement.parse(str(a)) for a in data.get("possible") or ()]
        said = _whose_answer(data.get("by_body") or (), names)
        return f"{name} (open: {' or '.join(f'{a.category}. {a.title}' for a in options)}{said})"
    if graph.graph.get("state") == "as-is" or not data.get("arrangement"):
        return name
    if data.get("each_own"):
        return f"{name} (no lead: each body its own)"
    lead = data.get("lead")
    alone = data.get("alone")
    if alone:
        return f"{name} ({alone_words(names.get(alone, alone))})"
    if lead and data.get("category") in (3, 4):
        return name  # the lead's team is marked "lead team" in its column
    if lead:
        served = [t for t in predecessors(graph, function, "performs")]
        one_team = any(graph.nodes[t].get("serves") for t in served)
        word = "hosted by" if one_team else "led by"
        return f"{name} ({word} {names.get(str(lead), str(lead))})"
    tied = data.get("tied") or ()
    if len(tied) > 2:
        return f"{name} (lead not decided between {len(tied)} bodies)"
    if tied:
        return f"{name} (lead not decided: {' or '.join(names.get(t, t) for t in tied)})"
    return f"{name} (led jointly)"


def _whose_answer(views: Any, names: dict[str, str]) -> str:
    """``; it turns on whose answer: A's gives 1, B's 2`` (empty where no body's answer moves it).

    ``views``: the graph's ``by_body`` (``body: arrangement or arrangement``).
    """
    parts = []
    for view in views:
        body, _, arrangements = str(view).partition(": ")
        gives = " or ".join(
            str(Arrangement.parse(a).category) + ". " + Arrangement.parse(a).title
            for a in arrangements.split(" or ")
        )
        parts.append(f"{names.get(body, body)}'s gives {gives}")
    return f"; it turns on whose answer: {'; '.join(parts)}" if parts else ""


def joint_owner(graph: Graph, function: str) -> str | None:
    """The joint body or post ``function`` answers to, or that decides it, if any."""
    owners = [
        o
        for o in successors(graph, function, "accountable_to")
        if graph.nodes[o].get("kind") in ("joint_body", "role")
    ] + [
        o
        for o in predecessors(graph, function, "decides")
        if graph.nodes[o].get("kind") == "joint_body"
    ]
    return owners[0] if owners else None


def _joint_label(graph: Graph, function: str) -> str:
    owner = joint_owner(graph, function)
    if owner is None:
        return ""
    data = graph.nodes[owner]
    if data.get("proposed"):
        return _PROPOSED.get(str(data.get("body_kind")), "joint body")
    return str(data.get("label", owner))


# --- the key and the description ---------------------------------------------------------------


def _legend_items(
    graph: Graph,
    bodies: list[str],
    names: dict[str, str],
    colour: dict[str, str],
    word: str,
    state: str,
) -> list[tuple[str, Any]]:
    """The key: (symbol, sentence) pairs, symbols drawn by :func:`_draw_symbol`."""
    items: list[tuple[str, Any]] = [("columns", (bodies, names, colour, word))]
    outside = [("outside", _OUTSIDE_KEY)] if nodes_of_kind(graph, "independent_body") else []
    if state == "as-is":
        team = f"own team: the team a body runs today, in that body's column, under its {word}"
        return [*items, ("team", team), *outside]
    items += [
        (
            "one",
            f"one team: one team serves every {word} its bar spans; its head answers to each. "
            "A bar is in the colour of the body that leads it; purple: led jointly, or the "
            "lead not yet agreed",
        ),
        ("aligned", "aligned: each body's own team, all answering to the joint body or plan shown"),
        (
            "involved",
            "separate, with involvement: separate teams; the dashed line joins the lead team "
            "to the bodies it consults and involves (◦: a body with no team of its own)",
        ),
        ("separate", "separate and distinct: separate teams, no line"),
    ]
    if any(graph.nodes[f].get("decided") is False for f in nodes_of_kind(graph, "function")):
        items.append(("open", _OPEN_KEY))
    return items + outside


def legend_lines(items: list[tuple[str, Any]], width: float) -> list[tuple[str, Any, list[str]]]:
    """Each item of the key with its sentence wrapped to the key's width."""
    out: list[tuple[str, Any, list[str]]] = []
    for symbol, value in items:
        if symbol == "columns":
            word = value[3]
            text = (
                f"Columns: each body, in its colour, headed by its {word}; a team sits in the "
                "column of the body that employs it."
            )
            out.append((symbol, value, wrap(text, width - 0.3, SMALLEST)))
        else:
            out.append((symbol, value, wrap(str(value), width - 1.3, SMALLEST)))
    return out


def _legend_height(items: list[tuple[str, Any]], width: float) -> float:
    lines = legend_lines(items, width)
    return 0.35 + sum(text_height(len(text), SMALLEST) + 0.06 for _, _, text in lines)


def _describe(plan: Plan, state: str, word: str) -> str:
    graph = plan.graph
    joint = ", a column for joint bodies and posts," if plan.joint_col else ""
    parts = [
        f"{plan.title}. A grid: one column for each body under its {word} "
        f"({'; '.join(_governing(plan, b) for b in plan.bodies)}){joint} and one row for each "
        "function."
    ]
    for row in plan.rows:
        if row.kind == "band":
            members = []
            start = plan.rows.index(row) + 1
            for other in plan.rows[start:]:
                if other.kind == "band":
                    break
                members.append(" ".join(other.lines))
            parts.append(f"{row.title}: {'; '.join(members)}.")
    if state == "as-is":
        parts.append(f"Each body runs its own teams under its own {word}.")
    elif nodes_of_kind(graph, "function"):
        parts.append(
            "One team is drawn as a single bar across the bodies it serves; separate teams as "
            "separate boxes, joined by a dashed line where the bodies are involved."
        )
    if any(graph.nodes[f].get("decided") is False for f in nodes_of_kind(graph, "function")):
        parts.append(
            "A function not decided yet is drawn with each body's own team, dashed, and the "
            "arrangements still possible after its name."
        )
    return " ".join(parts)


def _governing(plan: Plan, body: str) -> str:
    return str(plan.graph.nodes[f"board:{body}"].get("label", plan.names[body]))
