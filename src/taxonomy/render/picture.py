"""Pictures of an accountability graph, sized for a Board paper, in the spirit of Annex B's key.

The layout is a grid, not a force-directed hairball: one column per body (its governing body at
the top, named in the body's own word: "NHS England Board", "Eastbrook District Council
(Cabinet)"), one column for joint bodies and posts, and one row per function, grouped in bands
by arrangement (or by lead body). Each category has its own look:

- one team: a single bar spanning the columns of every body it serves;
- aligned: each body's own team, with a line to the joint body or joint plan they answer to;
- separate, with involvement: separate team boxes joined by a dashed line to the lead's team;
- separate and distinct: separate team boxes, no line.

The as-is picture (an as-is graph) is today's structure: each body's own teams, grouped by how
many bodies run each function, with no to-be categories and no planned posts.

Every picture is laid out on A4 (portrait, or landscape when the columns need it) with 15 mm
margins, and split over several pages when the rows do not fit on one: no text is smaller than
8.5 pt printed at 100%, and names are wrapped in full, never cut. :func:`draw_pages` gives the
pages one by one (bytes, orientation, title); :func:`draw` gives one file (a multi-page PDF, or
the pages one under another for SVG and PNG). SVG keeps its text as text, with a ``<title>`` and
a ``<desc>`` describing what the picture shows. Rendered with matplotlib's Agg, SVG and PDF
backends: no system binaries are needed.
"""

from __future__ import annotations

import functools
import hashlib
import io
import itertools
import re
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

import attrs

from taxonomy._model import Arrangement, word_list
from taxonomy.structure.graph import Graph, nodes_of_kind, predecessors, reporting_lines, successors

__all__ = ["FORMATS", "GROUPS", "ORIENTATIONS", "Page", "draw", "draw_pages"]

#: How function rows may be grouped.
GROUPS = ("arrangement", "body")
#: The picture formats.
FORMATS = ("svg", "png", "pdf")
#: A4 in inches, (width, height), by orientation.
ORIENTATIONS = {"portrait": (210 / 25.4, 297 / 25.4), "landscape": (297 / 25.4, 210 / 25.4)}
#: The smallest text drawn, in points (8 pt is the floor for print).
SMALLEST = 8.5

#: One colour per body. No purple: that is the joint colour (a jointly led or undecided team).
_PALETTE = ["#1f5fa8", "#b35900", "#2e7d4f", "#c2185b", "#8d2b1e", "#117864", "#5d6d7e", "#7d6608"]
_JOINT = "#5b2c83"
_ROLE = "#34495e"
_GREY = "#555555"
_BAND = {1: "#e8f5e9", 2: "#e3f2fd", 3: "#fff8e1", 4: "#fdecea", 0: "#eef1f4"}
#: How a joint body the structure proposes is labelled in its row.
_PROPOSED = {
    "joint_governance": "joint plan",
    "joint_committee": "joint committee",
    "committees_in_common": "committees in common",
}
_TEXT = 9.0  # names of functions and posts
_TITLE = 13.0
_HEAD = 10.0  # band headings
_LINE = 1.22  # line spacing, as a multiple of the font size
_DPI = 110


@attrs.frozen
class Page:
    """One page of a picture.

    Attributes:
        data: the page's bytes in the format asked for.
        orientation: ``portrait`` or ``landscape`` (A4).
        title: the page's heading, e.g. ``To-be structure: ... (page 1 of 2)``.
        description: what the page shows, in words (the SVG's ``<desc>``, alt text).
    """

    data: bytes
    orientation: str
    title: str
    description: str


def draw_pages(
    graph: Graph,
    *,
    fmt: str = "svg",
    group: str = "arrangement",
    title: str | None = None,
    board_word: str | None = None,
    margin_mm: float = 15.0,
    reserve_mm: float = 0.0,
) -> list[Page]:
    """Draw ``graph`` on A4 pages, one :class:`Page` each (``svg``, ``png`` or ``pdf``).

    Args:
        graph: a to-be graph (:func:`~taxonomy.structure.graph.build_graph`) or an as-is one.
        fmt: ``svg`` (text kept as text), ``png`` or ``pdf`` (one single-page PDF per page).
        group: rows grouped by ``arrangement`` (as-is: by how many bodies run them) or ``body``.
        title: the heading of every page (default: the portfolio's name and the state).
        board_word: the generic word for a governing body in the key when the bodies' own
            words differ (a rule pack's ``governing_body``; default "governing body").
        margin_mm: the margin around the picture on the page.
        reserve_mm: height left free above the picture (for a heading the page carries).

    Raises:
        ValueError: an unknown ``fmt`` or ``group``.
    """
    _check(fmt, group)
    plans = _plan(graph, group, title, board_word, margin_mm, reserve_mm)
    return [
        Page(_render([plan], fmt, full_page=False), plan.orientation, plan.title, plan.description)
        for plan in plans
    ]


def draw(
    graph: Graph,
    *,
    fmt: str = "svg",
    group: str = "arrangement",
    text_as_paths: bool = False,
    title: str | None = None,
    board_word: str | None = None,
) -> bytes:
    """Draw ``graph`` as one file: a multi-page A4 PDF, or SVG/PNG with the pages one under another.

    ``text_as_paths=True`` draws SVG text as outlines (for viewers without the font); by default
    it is text, searchable and read by screen readers. See :func:`draw_pages` for the rest.

    Raises:
        ValueError: an unknown ``fmt`` or ``group``.
    """
    _check(fmt, group)
    plans = _plan(graph, group, title, board_word, 15.0, 0.0)
    return _render(plans, fmt, full_page=fmt == "pdf", text_as_paths=text_as_paths)


def _check(fmt: str, group: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"pictures are svg, png or pdf, not {fmt!r}")
    if group not in GROUPS:
        raise ValueError(f"group must be one of {', '.join(GROUPS)}, not {group!r}")


# --- measuring and wrapping text ---------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _width(text: str, size: float, bold: bool = False) -> float:
    """The width of ``text`` in inches, as matplotlib will draw it."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    prop = FontProperties(family="DejaVu Sans", size=size, weight="bold" if bold else "normal")
    width, _, _ = TextToPath().get_text_width_height_descent(text, prop, ismath=False)
    return float(width) / 72


def _wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """``text`` in lines no wider than ``width`` inches: whole words, a word too long broken."""
    lines: list[str] = []
    line = ""
    width *= 0.97  # room for the renderer's rounding at other resolutions
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if _width(candidate, size, bold) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while _width(word, size, bold) > width and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and _width(word[:cut] + "-", size, bold) > width:
                cut -= 1
            lines.append(word[:cut] + "-")
            word = word[cut:]
        line = word
    if line or not lines:
        lines.append(line)
    return lines


def _height(lines: int, size: float) -> float:
    return lines * size * _LINE / 72


# --- the plan: what goes on each page ----------------------------------------------------------


@attrs.define
class _Row:
    kind: str  # band, function, governance
    node: str
    height: float
    title: str = ""
    category: int = 0
    lines: list[str] = attrs.Factory(list)
    joint: list[str] = attrs.Factory(list)


@attrs.define
class _Plan:
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
    rows: list[_Row]
    description: str = ""

    @property
    def size(self) -> tuple[float, float]:
        return ORIENTATIONS[self.orientation]

    @property
    def frame(self) -> tuple[float, float]:
        width, height = self.size
        return width - 2 * self.margin, height - 2 * self.margin - self.reserve

    def x(self, body: str) -> float:
        return self.name_col + self.col * (self.bodies.index(body) + 0.5)

    @property
    def joint_x(self) -> float:
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


def _plan(
    graph: Graph,
    group: str,
    title: str | None,
    board_word: str | None,
    margin_mm: float,
    reserve_mm: float,
) -> list[_Plan]:
    bodies = [str(b) for b in graph.graph.get("organisations", [])] or [
        str(graph.nodes[b].get("body")) for b in nodes_of_kind(graph, "board")
    ]
    names = _names(graph, bodies)
    # A scenario's picture keeps each body's baseline colour (a merger takes a body out, and
    # the others must not change colour); a body the scenario adds comes after them.
    baseline = [str(b) for b in graph.graph.get("baseline_organisations", [])]
    order = baseline + [b for b in bodies if b not in baseline]
    colour = {b: _PALETTE[order.index(b) % len(_PALETTE)] for b in bodies}
    margin, reserve = margin_mm / 25.4, reserve_mm / 25.4
    state = str(graph.graph.get("state", "to-be"))
    scenario = str(graph.graph.get("scenario") or "")
    heading = title or (
        f"{graph.graph.get('name', '')}: {state} structure"
        + (f" under the scenario {scenario}" if scenario else "")
    )
    # Portrait when the columns fit it, landscape otherwise.
    orientation = "portrait"
    name_col, joint_col = 2.15, 1.3
    min_col = _width("lead team", SMALLEST) + 0.2
    portrait_width = ORIENTATIONS["portrait"][0] - 2 * margin
    if (portrait_width - name_col - joint_col) / max(len(bodies), 1) < max(min_col, 1.0):
        orientation = "landscape"
    width = ORIENTATIONS[orientation][0] - 2 * margin
    if orientation == "landscape" and len(bodies) > 6:
        # Many bodies: columns as narrow as a team's label allows, the rest to the names.
        joint_col = 1.05
        words = [w for b in bodies for w in str(graph.nodes[f"board:{b}"].get("label", b)).split()]
        widest = max((_width(w, SMALLEST) for w in words), default=0.0) / 0.97 + 0.1
        name_col = max(1.7, width - joint_col - max(min_col, widest) * len(bodies))
    # Body columns no wider than they need be: the rest goes to the names, on fewer lines.
    name_col = max(name_col, width - joint_col - 1.45 * len(bodies))
    if state == "as-is":
        joint_col = 0.0  # today's structure: no joint bodies or posts are drawn
    col = (width - name_col - joint_col) / max(len(bodies), 1)
    word = _board_word(graph, bodies, board_word)
    board_heads = {
        b: _head(str(graph.nodes[f"board:{b}"].get("label", names[b])), col) for b in bodies
    }
    joint_head = _wrap("Joint bodies and posts", joint_col - 0.12, SMALLEST, True)
    heads = [len(h) for h, _ in board_heads.values()] + ([len(joint_head)] if joint_col else [])
    header_height = _height(max(heads), SMALLEST)
    header_height += 0.16
    rows = _rows(graph, group, names, name_col, joint_col, col * len(bodies) + joint_col)
    legend = _legend_items(graph, bodies, names, colour, word, state)
    legend_height = _legend_height(legend, width)
    base = _Plan(
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
        legend_height=legend_height,
        rows=[],
    )
    frame_height = base.frame[1]
    # The title's height with the longest page suffix it may get.
    title_lines = _wrap(heading + " (page 99 of 99)", width, _TITLE, True)
    available = (
        frame_height - _height(len(title_lines), _TITLE) - 0.15 - header_height - legend_height
    )
    pages = _paginate(rows, available)
    plans = []
    for number, page_rows in enumerate(pages, 1):
        page_title = heading if len(pages) == 1 else f"{heading} (page {number} of {len(pages)})"
        plan = attrs.evolve(
            base, title=page_title, heading=_wrap(page_title, width, _TITLE, True), rows=page_rows
        )
        plan.description = _describe(plan, state, word)
        plans.append(plan)
    return plans


def _head(label: str, col: float) -> tuple[list[str], bool]:
    """A column heading's lines, bold unless a word would have to be broken to fit."""
    lines = _wrap(label, col - 0.08, SMALLEST, True)
    if any(line.endswith("-") for line in lines):
        return _wrap(label, col - 0.08, SMALLEST), False
    return lines, True


def _paginate(rows: list[_Row], available: float) -> list[list[_Row]]:
    pages: list[list[_Row]] = [[]]
    used = 0.0
    band: _Row | None = None
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
) -> list[_Row]:
    rows: list[_Row] = []
    state = graph.graph.get("state", "to-be")
    name_width = name_col - 0.22
    governance = [] if state == "as-is" else _governance_nodes(graph)
    if governance:
        rows.append(_band("Governance: joint bodies and posts", 0, name_width + 6))
        for node in governance:
            data = graph.nodes[node]
            lines = _wrap(str(data.get("label", node)), name_width, _TEXT)
            said = _wrap(_governance_text(graph, node, names), span - 0.3, SMALLEST)
            height = max(_row_height(len(lines)), _height(len(said), SMALLEST) + 0.2)
            rows.append(_Row("governance", node, height, lines=lines, joint=said))
    for band_title, category, functions in _bands(graph, group, names):
        rows.append(_band(band_title, category, name_width + 6))
        for function in functions:
            lines = _wrap(_function_text(graph, function, names), name_width, _TEXT)
            joint = _joint_label(graph, function) if joint_col else ""
            joint_lines = _wrap(joint, joint_col - 0.2, SMALLEST) if joint else []
            height = _row_height(max(len(lines), len(joint_lines)))
            rows.append(_Row("function", function, height, lines=lines, joint=joint_lines))
    return rows


def _band(title: str, category: int, width: float) -> _Row:
    lines = _wrap(title, width, _HEAD, True)
    return _Row("band", "", _height(len(lines), _HEAD) + 0.12, title=title, category=category)


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
    return max(_height(lines, _TEXT), _height(1, SMALLEST) + 0.06) + 0.08


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
        return f"{name} (open: {' or '.join(f'{a.category}. {a.title}' for a in options)})"
    if graph.graph.get("state") == "as-is" or not data.get("arrangement"):
        return name
    if data.get("each_own"):
        return f"{name} (no lead: each body its own)"
    lead = data.get("lead")
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


def _joint_owner(graph: Graph, function: str) -> str | None:
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
    owner = _joint_owner(graph, function)
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
    if state == "as-is":
        items.append(
            (
                "team",
                f"own team: the team a body runs today, in that body's column, under its {word}",
            )
        )
        return items
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
        items.append(
            (
                "open",
                "not decided yet: the answers left open allow each arrangement listed with the "
                "function; each body keeps its own team (dashed) until it is decided",
            )
        )
    return items


def _legend_lines(items: list[tuple[str, Any]], width: float) -> list[tuple[str, Any, list[str]]]:
    out: list[tuple[str, Any, list[str]]] = []
    for symbol, value in items:
        if symbol == "columns":
            word = value[3]
            text = (
                f"Columns: each body, in its colour, headed by its {word}; a team sits in the "
                "column of the body that employs it."
            )
            out.append((symbol, value, _wrap(text, width - 0.3, SMALLEST)))
        else:
            out.append((symbol, value, _wrap(str(value), width - 1.3, SMALLEST)))
    return out


def _legend_height(items: list[tuple[str, Any]], width: float) -> float:
    lines = _legend_lines(items, width)
    return 0.35 + sum(_height(len(text), SMALLEST) + 0.06 for _, _, text in lines)


def _describe(plan: _Plan, state: str, word: str) -> str:
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


def _governing(plan: _Plan, body: str) -> str:
    return str(plan.graph.nodes[f"board:{body}"].get("label", plan.names[body]))


# --- rendering --------------------------------------------------------------------------------


def _render(
    plans: Sequence[_Plan], fmt: str, *, full_page: bool, text_as_paths: bool = False
) -> bytes:
    import matplotlib
    from matplotlib.figure import Figure

    settings: dict[Any, Any] = {
        "svg.hashsalt": "taxonomy",
        "svg.fonttype": "path" if text_as_paths else "none",
        "pdf.fonttype": 42,
        "font.family": "DejaVu Sans",
        # Names are drawn as written: "$5m to $10m" is text, not mathematics.
        "text.parse_math": False,
    }
    buffer = io.BytesIO()
    with matplotlib.rc_context(settings):
        if fmt == "pdf":
            from matplotlib.backends.backend_pdf import PdfPages

            with PdfPages(
                buffer, metadata={"CreationDate": None, "ModDate": None, "Creator": "taxonomy"}
            ) as pdf:
                for plan in plans:
                    fig = _figure(Figure, [plan], full_page=full_page)
                    pdf.savefig(fig)
            return buffer.getvalue()
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        fig = _figure(Figure, plans, full_page=full_page)
        FigureCanvasAgg(fig)
        metadata: dict[str, Any] = {"Date": None} if fmt == "svg" else {"Software": None}
        fig.savefig(buffer, format=fmt, metadata=metadata)
    data = buffer.getvalue()
    if fmt == "svg":
        title = plans[0].title if len(plans) == 1 else plans[0].title.rsplit(" (page ", 1)[0]
        data = _label_svg(data, title, " ".join(p.description for p in plans))
    return data


def _figure(figure: Any, plans: Sequence[_Plan], *, full_page: bool) -> Any:
    """A figure with each plan's page one under another (inches, y downwards)."""
    first = plans[0]
    if full_page:
        width, page_height = first.size
        offset = (first.margin, first.margin)
    else:
        width, page_height = first.frame
        offset = (0.0, 0.0)
    height = page_height * len(plans)
    fig = figure(figsize=(width, height), dpi=_DPI)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.axis("off")
    for index, plan in enumerate(plans):
        top = index * page_height
        if index:
            ax.plot([0, width], [top, top], color="#cccccc", lw=0.5)
        _Painter(ax, plan, offset[0], top + offset[1]).paint()
    return fig


def _label_svg(data: bytes, title: str, description: str) -> bytes:
    """Give the SVG a ``<title>`` and a ``<desc>``, and mark it as an image for screen readers."""
    text = data.decode("utf-8")
    match = re.search(r"<svg\b[^>]*>", text)
    if match is None:  # pragma: no cover - matplotlib always writes an <svg> element
        return data
    opening = match.group(0)
    # Ids unique to this picture (a report inlines several: a shared id would name them all by
    # the first one's title), and the same for the same picture.
    key = hashlib.sha256(f"{title}\0{description}".encode()).hexdigest()[:12]
    ids = f"picture-{key}-title", f"picture-{key}-desc"
    labelled = opening[:-1] + f' role="img" aria-labelledby="{ids[0]} {ids[1]}">'
    inserted = (
        f'{labelled}\n <title id="{ids[0]}">{escape(title)}</title>\n'
        f' <desc id="{ids[1]}">{escape(description)}</desc>'
    )
    return (text[: match.start()] + inserted + text[match.end() :]).encode("utf-8")


class _Painter:
    """Draws one page of a plan onto matplotlib axes whose units are inches."""

    def __init__(self, ax: Any, plan: _Plan, left: float, top: float) -> None:
        self.ax = ax
        self.plan = plan
        self.left = left
        self.top = top
        self.graph = plan.graph

    def X(self, x: float) -> float:
        return self.left + x

    def paint(self) -> None:
        plan = self.plan
        width, height = plan.frame
        y = self.top
        self.text(0, y, plan.heading, _TITLE, bold=True, va="top")
        y += _height(len(plan.heading), _TITLE) + 0.15
        y = self.header(y)
        for row in plan.rows:
            self.row(row, y, width)
            y += row.height
        self.legend(self.top + height - plan.legend_height, width)

    def header(self, y: float) -> float:
        plan = self.plan
        h = plan.header_height - 0.08
        for body in plan.bodies:
            x = plan.x(body)
            self.box(x, y + h / 2, plan.col - 0.06, h, plan.colour[body])
            lines, bold = plan.board_heads[body]
            self.text(x, y + h / 2, lines, SMALLEST, bold=bold, colour="white", ha="center")
        if plan.joint_col:
            self.box(plan.joint_x, y + h / 2, plan.joint_col - 0.06, h, _JOINT)
            self.text(
                plan.joint_x, y + h / 2, plan.joint_head, SMALLEST, bold=True, colour="white",
                ha="center",
            )  # fmt: skip
        bottom = y + plan.header_height
        # Faint column guides from each governing body down through the rows.
        rows_height = sum(r.height for r in plan.rows)
        for body in plan.bodies:
            self.ax.plot(
                [self.X(plan.x(body))] * 2,
                [bottom, bottom + rows_height],
                color=plan.colour[body],
                lw=0.6,
                alpha=0.3,
                zorder=0,
            )
        return bottom

    def row(self, row: _Row, y: float, width: float) -> None:
        if row.kind == "band":
            self.rect(0, y + 0.04, width, row.height - 0.04, _BAND[row.category])
            lines = _wrap(row.title, self.plan.name_col + 6, _HEAD, True)
            self.text(0.08, y + row.height / 2 + 0.02, lines, _HEAD, bold=True)
            return
        centre = y + row.height / 2
        self.ax.plot(
            [self.X(0), self.X(width)], [y + row.height] * 2, color="#e4e7eb", lw=0.4, zorder=0
        )
        self.text(0.12, centre, row.lines, _TEXT)
        if row.kind == "governance":
            self.governance(row, centre, row.height)
        else:
            self.function(row, centre, row.height)

    # -- governance rows: in words, across the grid ---------------------------------------------

    def governance(self, row: _Row, y: float, height: float) -> None:
        plan, data = self.plan, self.graph.nodes[row.node]
        if data.get("kind") == "role":
            colour = plan.colour.get(str(data.get("employer") or ""), _ROLE)
        else:
            colour = _JOINT
        x = plan.name_col + 0.1
        top, bottom = y - height / 2 + 0.06, y + height / 2 - 0.06
        self.ax.plot([self.X(x - 0.04)] * 2, [top, bottom], color=colour, lw=3)
        self.text(x + 0.08, y, row.joint, SMALLEST)

    # -- function rows --------------------------------------------------------------------------

    def function(self, row: _Row, y: float, height: float) -> None:
        plan, graph = self.plan, self.graph
        teams = predecessors(graph, row.node, "performs")
        box_h = _height(1, SMALLEST) + 0.08
        box_w = min(plan.col - 0.12, _width("lead team", SMALLEST) + 0.2)
        team_x: list[float] = []
        involved: list[float] = []
        hollow: list[float] = []
        for team in teams:
            tdata = graph.nodes[team]
            served = [str(b) for b in tdata.get("serves") or () if str(b) in plan.bodies]
            employer = str(tdata.get("employer") or "")
            if served:
                self.one_team(team, served, employer, y, box_h)
                team_x.append(sum(plan.x(b) for b in served) / len(served))
                continue
            if employer not in plan.bodies:
                continue
            x = plan.x(employer)
            team_x.append(x)
            if graph.nodes[row.node].get("decided") is False:
                self.open_team(x, y, box_w, box_h, plan.colour[employer])
                continue
            lead = bool(tdata.get("lead"))
            word = "lead team" if lead else "own team"
            self.box(x, y, box_w, box_h, plan.colour[employer], outline=lead)
            self.text(x, y, [word], SMALLEST, colour="white", ha="center", bold=lead)
            influencers = predecessors(graph, team, "influences")
            for source in influencers:
                sdata = graph.nodes[source]
                body = str(sdata.get("body") or sdata.get("employer") or "")
                if body not in plan.bodies:
                    continue
                involved += [x, plan.x(body)]
                if sdata.get("kind") == "board":
                    hollow.append(plan.x(body))
        if involved:
            self.ax.plot(
                [self.X(min(involved)), self.X(max(involved))],
                [y, y],
                ls=(0, (4, 3)),
                lw=1.1,
                color=_GREY,
                zorder=1,
            )
            for x in hollow:
                self.ax.plot(
                    self.X(x), y, marker="o", ms=7, mfc="white", mec=_GREY, mew=1.3, zorder=2
                )
        if row.joint:
            owner = _joint_owner(graph, row.node)
            kind = graph.nodes[owner].get("kind") if owner else None
            colour = _ROLE if kind == "role" else _JOINT
            jh = _height(len(row.joint), SMALLEST) + 0.08
            self.box(plan.joint_x, y, plan.joint_col - 0.12, jh, colour)
            self.text(plan.joint_x, y, row.joint, SMALLEST, colour="white", ha="center")
            if team_x and kind == "joint_body":
                # Under the teams, a line from each to the joint body: every team answers to
                # it, none to the team beside it.
                below = y + box_h / 2 + 0.035
                end = plan.joint_x - plan.joint_col / 2 + 0.2
                for x in team_x:
                    self.ax.plot([self.X(x)] * 2, [y, below], color=_JOINT, lw=1.0, zorder=1)
                self.ax.plot(
                    [self.X(min(team_x)), self.X(end)],
                    [below, below],
                    color=_JOINT,
                    lw=1.0,
                    zorder=1,
                )
                self.ax.annotate(
                    "",
                    xy=(self.X(end), y + jh / 2),
                    xytext=(self.X(end), below + 0.005),
                    arrowprops={"arrowstyle": "-|>", "color": _JOINT, "lw": 1.0,
                                "shrinkA": 0, "shrinkB": 0, "mutation_scale": 8},
                    zorder=1,
                )  # fmt: skip

    def open_team(self, x: float, y: float, w: float, h: float, colour: str) -> None:
        """A team of a function not decided yet: dashed, in the body's colour, on white."""
        self.box(x, y, w, h, "white", edge=colour)
        self.text(x, y, ["own team"], SMALLEST, colour=colour, ha="center")

    def one_team(self, team: str, served: list[str], employer: str, y: float, h: float) -> None:
        plan = self.plan
        colour = plan.colour.get(employer, _JOINT)
        indexes = sorted(plan.bodies.index(b) for b in served)
        # One bar over each run of neighbouring columns it serves, the runs joined by a line:
        # visibly one object, whichever columns it spans.
        runs: list[list[int]] = []
        for index in indexes:
            if runs and index == runs[-1][-1] + 1:
                runs[-1].append(index)
            else:
                runs.append([index])
        ends = []
        for run in runs:
            left = plan.name_col + plan.col * run[0] + 0.06
            right = plan.name_col + plan.col * (run[-1] + 1) - 0.06
            self.box((left + right) / 2, y, right - left, h, colour)
            ends.append((left, right))
        for (_, right), (left, _) in itertools.pairwise(ends):
            self.ax.plot([self.X(right), self.X(left)], [y, y], color=colour, lw=3, zorder=1)
        widest = max(ends, key=lambda e: e[1] - e[0])
        self.text((widest[0] + widest[1]) / 2, y, ["one team"], SMALLEST, colour="white",
                  ha="center", bold=True)  # fmt: skip

    # -- the key --------------------------------------------------------------------------------

    def legend(self, y: float, width: float) -> None:
        plan = self.plan
        self.ax.plot([self.X(0), self.X(width)], [y + 0.05] * 2, color="#9aa5b1", lw=0.6)
        self.text(0, y + 0.2, ["Key"], SMALLEST + 0.5, bold=True)
        y += 0.35
        for symbol, value, lines in _legend_lines(plan.legend, width):
            h = _height(len(lines), SMALLEST)
            if symbol == "columns":
                bodies, _, colour, _ = value
                for i, body in enumerate(bodies):
                    self.rect(0.02 + i * 0.03, y + 0.02, 0.03, 0.12, colour[body])
                self.text(0.3, y + h / 2, lines, SMALLEST)
            else:
                self.symbol(symbol, 0.05, y + _height(1, SMALLEST) / 2, 1.0)
                self.text(1.2, y + h / 2, lines, SMALLEST)
            y += h + 0.06

    def symbol(self, symbol: str, x: float, y: float, w: float) -> None:
        h = _height(1, SMALLEST) * 0.9
        colour = self.plan.colour[self.plan.bodies[0]] if self.plan.bodies else _JOINT
        if symbol == "one":
            self.box(x + w / 2, y, w, h, colour)
            return
        if symbol == "team":
            self.box(x + w / 2, y, w * 0.6, h, colour)
            return
        if symbol == "open":
            self.box(x + w / 2, y, w * 0.6, h, "white", edge=colour)
            return
        small = w * 0.36
        self.box(x + small / 2, y, small, h, colour)
        self.box(x + w - small / 2, y, small, h, _PALETTE[1])
        if symbol == "involved":
            self.ax.plot(
                [self.X(x + small), self.X(x + w - small)],
                [y, y],
                ls=(0, (4, 3)),
                lw=1.1,
                color=_GREY,
            )
        elif symbol == "aligned":
            self.ax.plot([self.X(x + small), self.X(x + w - small)], [y, y], color=_JOINT, lw=1.2)

    # -- primitives -----------------------------------------------------------------------------

    def text(
        self,
        x: float,
        y: float,
        lines: Sequence[str],
        size: float,
        *,
        bold: bool = False,
        colour: str = "#1f2933",
        ha: str = "left",
        va: str = "center",
    ) -> None:
        self.ax.text(
            self.X(x),
            y,
            "\n".join(lines),
            fontsize=size,
            fontweight="bold" if bold else "normal",
            color=colour,
            ha=ha,
            va=va,
            linespacing=_LINE,
            multialignment=ha if ha != "right" else "right",
            zorder=4,
        )

    def box(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        colour: str,
        *,
        outline: bool = False,
        edge: str | None = None,
    ) -> None:
        """A rounded box; ``edge``: a dashed outline in that colour (a team not decided yet)."""
        from matplotlib.patches import FancyBboxPatch

        self.ax.add_patch(
            FancyBboxPatch(
                (self.X(x - w / 2), y - h / 2),
                w,
                h,
                boxstyle="round,pad=0,rounding_size=0.05",
                facecolor=colour,
                edgecolor=edge or ("#1f2933" if outline else "none"),
                linewidth=1.2 if outline or edge else 0,
                zorder=3,
                linestyle=(0, (3, 2)) if edge is not None else "solid",
            )
        )

    def rect(self, x: float, y: float, w: float, h: float, colour: str) -> None:
        from matplotlib.patches import Rectangle

        self.ax.add_patch(
            Rectangle((self.X(x), y), w, h, facecolor=colour, edgecolor="none", zorder=0)
        )
