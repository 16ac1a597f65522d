"""Pictures of an accountability graph, in the spirit of the board paper's Annex B key.

The layout is a grid, not a force-directed hairball: one column per body (its Board at the top),
one column for joint bodies and jointly-run teams, and one row per function, grouped in bands by
arrangement (or by lead body). A team sits in the column of the body that employs it, so
"reporting to Board" reads straight up its column; lines within a row show the Annex B key:
joint accountability (to a joint body), influence (dashed, from a Board's column) and delivery.

Rendered with matplotlib's Agg and SVG backends: no system binaries are needed.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from typing import Any

from taxonomy._model import Arrangement
from taxonomy.structure.graph import Graph, nodes_of_kind, predecessors, reporting_lines, successors

__all__ = ["GROUPS", "draw"]

#: How function rows may be grouped.
GROUPS = ("arrangement", "body")

_PALETTE = ["#1f5fa8", "#d9822b", "#2e8b57", "#8e44ad", "#c0392b", "#16a085", "#7f8c8d", "#b7950b"]
_JOINT = "#6a3d9a"
_FUNCTION = "#f2f2f2"
#: How a joint body the structure proposes is labelled in its row.
_PROPOSED = {
    "joint_governance": "joint plan",
    "joint_committee": "joint committee",
    "committees_in_common": "committees in common",
}
_BAND = {1: "#e8f5e9", 2: "#e3f2fd", 3: "#fff8e1", 4: "#fdecea", 0: "#f5f5f5"}


def draw(
    graph: Graph, *, fmt: str = "svg", group: str = "arrangement", text_as_paths: bool = True
) -> bytes:
    """Draw ``graph`` and return the picture's bytes (``svg`` or ``png``).

    ``text_as_paths=False`` keeps SVG text as text: smaller, searchable, for HTML reports.
    """
    if fmt not in ("svg", "png"):
        raise ValueError(f"pictures are svg or png, not {fmt!r}")
    if group not in GROUPS:
        raise ValueError(f"group must be one of {', '.join(GROUPS)}, not {group!r}")
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    layout = _Layout(graph, group)
    buffer = io.BytesIO()
    fonttype = "path" if text_as_paths else "none"
    # Names are drawn as written: "$5m to $10m" is text, not mathematics.
    settings: dict[Any, Any] = {
        "svg.hashsalt": "taxonomy",
        "svg.fonttype": fonttype,
        "text.parse_math": False,
    }
    with matplotlib.rc_context(settings):
        fig = Figure(figsize=(layout.width, layout.height), dpi=110)
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, layout.width)
        ax.set_ylim(layout.height, 0)
        ax.axis("off")
        layout.render(ax)
        metadata: dict[str, Any] = {"Date": None} if fmt == "svg" else {"Software": None}
        fig.savefig(buffer, format=fmt, metadata=metadata)
    return buffer.getvalue()


class _Layout:
    """Positions for every node, computed from the graph alone."""

    left = 3.6  # width of the function-name column (inches)
    col = 1.9  # width of a body column
    row = 0.42  # height of a function row
    top = 1.1  # title and Boards

    def __init__(self, graph: Graph, group: str) -> None:
        self.graph = graph
        self.group = group
        self.bodies = [str(b) for b in graph.graph.get("organisations", [])] or [
            str(graph.nodes[b].get("body")) for b in nodes_of_kind(graph, "board")
        ]
        self.colour = {b: _PALETTE[i % len(_PALETTE)] for i, b in enumerate(self.bodies)}
        self.x = {b: self.left + self.col * (i + 0.5) for i, b in enumerate(self.bodies)}
        self.joint_x = self.left + self.col * (len(self.bodies) + 0.8)
        self.width = self.left + self.col * (len(self.bodies) + 2.9)
        self.governance = nodes_of_kind(graph, "role") + [
            n for n in nodes_of_kind(graph, "joint_body") if not graph.nodes[n].get("proposed")
        ]
        stacks: dict[str, int] = {}
        for node in self.governance:
            stacks[self._column(node)] = stacks.get(self._column(node), 0) + 1
        self.gov_rows = max(stacks.values(), default=0)
        self.bands = self._bands()
        rows = sum(len(fns) + 1 for _, _, fns in self.bands)
        self.gov_top = self.top + 0.55
        self.body_top = self.gov_top + (self.gov_rows * self.row + 0.35 if self.gov_rows else 0)
        self.height = self.body_top + rows * self.row + 1.8

    def _column(self, node: str) -> str:
        """A team or role sits under its Board; one reporting to several Boards is joint."""
        data = self.graph.nodes[node]
        if data.get("kind") in ("role", "team"):
            employer = str(data.get("employer") or "")
            if employer in self.x and self._single_board(node):
                return employer
        return "joint"

    def _single_board(self, node: str) -> bool:
        return len([b for b in reporting_lines(self.graph, node) if b.startswith("board:")]) <= 1

    def _xy(self, column: str) -> float:
        return self.x.get(column, self.joint_x)

    def _bands(self) -> list[tuple[str, int, list[str]]]:
        functions = nodes_of_kind(self.graph, "function")
        bands: list[tuple[str, int, list[str]]] = []
        if self.group == "arrangement":
            for arrangement in [*Arrangement, None]:
                name = str(arrangement) if arrangement is not None else None
                members = [f for f in functions if self.graph.nodes[f].get("arrangement") == name]
                if members:
                    title = (
                        f"{arrangement.category}. {arrangement.title}"
                        if arrangement is not None
                        else "Functions (no recommendation)"
                    )
                    bands.append((title, arrangement.category if arrangement else 0, members))
        else:
            for body in [*self.bodies, None]:
                members = [f for f in functions if self.graph.nodes[f].get("lead") == body]
                if members:
                    title = f"Led by {body}" if body is not None else "Led jointly / no lead"
                    bands.append((title, 0, members))
        return bands

    def render(self, ax: Any) -> None:
        graph = self.graph
        state = graph.graph.get("state", "")
        ax.text(
            0.2,
            0.45,
            f"{graph.graph.get('name', '')} ({state})",
            fontsize=13,
            fontweight="bold",
            va="center",
        )
        # Boards, one per body: never merged.
        for body in self.bodies:
            label = textwrap.fill(str(graph.nodes[f"board:{body}"].get("label", body)), 20)
            self._box(
                ax,
                self.x[body],
                self.top + 0.1,
                label,
                self.colour[body],
                text="white",
                bold=True,
                limit=60,
            )
            ax.plot(
                [self.x[body]] * 2,
                [self.top + 0.35, self.height - 1.5],
                color=self.colour[body],
                lw=0.6,
                alpha=0.35,
                zorder=0,
            )
        self._box(ax, self.joint_x, self.top + 0.1, "Joint", _JOINT, text="white", bold=True)
        # Governance: roles in their employer's column, joint bodies in the joint column.
        if self.governance:
            ax.text(
                0.2,
                self.gov_top + 0.1,
                "Governance: joint bodies and roles",
                fontsize=9,
                fontweight="bold",
                va="center",
            )
        used: dict[str, int] = {}
        for node in self.governance:
            column = self._column(node)
            y = self.gov_top + self.row * used.get(column, 0) + 0.1
            used[column] = used.get(column, 0) + 1
            data = graph.nodes[node]
            targets = reporting_lines(graph, node)
            colour = _JOINT if data.get("kind") == "joint_body" else self.colour.get(column, _JOINT)
            self._box(
                ax,
                self._xy(column),
                y,
                str(data.get("label", node)),
                colour,
                text="white",
                small=True,
                limit=34,
            )
            boards = [t.split(":", 1)[1] for t in targets if t.startswith("board:")]
            if column == "joint" and boards and data.get("kind") == "role":
                employer = data.get("employer")
                ax.text(
                    self.joint_x + 1.0,
                    y,
                    f"→ {', '.join(boards)} (employed by {employer})"
                    if len(boards) <= 3
                    else f"→ {len(boards)} Boards",
                    fontsize=6,
                    va="center",
                    color=_JOINT,
                )
        # Function rows, in bands.
        y = self.body_top
        for title, category, functions in self.bands:
            ax.add_patch(
                _rect(
                    0.1,
                    y - 0.05,
                    self.width - 0.2,
                    self.row * (len(functions) + 1) - 0.05,
                    _BAND[category],
                )
            )
            ax.text(
                0.2, y + self.row / 2 - 0.05, title, fontsize=9.5, fontweight="bold", va="center"
            )
            y += self.row
            for function in functions:
                self._row(ax, function, y + self.row / 2 - 0.05)
                y += self.row
        self._legend(ax, self.height - 1.55)

    def _row(self, ax: Any, function: str, y: float) -> None:
        graph = self.graph
        data = graph.nodes[function]
        lead = data.get("lead")
        name = str(data.get("label", function))
        if lead:
            suffix = f" ({lead} led)"
        elif data.get("tied"):
            suffix = " (lead: tie)"
        else:
            suffix = " (joint lead)" if data.get("arrangement") else ""
        ax.text(0.35, y, _short(name, 44) + suffix, fontsize=8, va="center")
        teams = predecessors(graph, function, "performs")
        joint_targets = False
        for team in teams:
            column = self._column(team)
            colour = self.colour.get(column, _JOINT)
            tdata = graph.nodes[team]
            served = [str(b) for b in tdata.get("serves") or () if str(b) in self.x]
            if served:
                # One team: a solid line through every Board it serves, a filled marker in each
                # column: "its head is accountable to each of these" (Annex B category 1).
                xs = [self.x[b] for b in served] + [self._xy(column)]
                ax.plot([min(xs), max(xs)], [y, y], lw=1.6, color=colour, zorder=1)
                for body in served:
                    ax.plot(self.x[body], y, marker="o", ms=6, mfc=self.colour[body],
                            mec=self.colour[body], zorder=2)  # fmt: skip
            word = "one team" if served else ("lead team" if tdata.get("lead") else "team")
            self._box(ax, self._xy(column), y, word, colour, text="white", small=True)
            joint_targets = joint_targets or any(
                graph.nodes[j].get("kind") == "joint_body"
                for j in successors(graph, team, "accountable_to")
            )
            influencers = [
                str(graph.nodes[b].get("body") or graph.nodes[b].get("employer"))
                for b in predecessors(graph, team, "influences")
            ]
            influencers = [b for b in influencers if b in self.x]
            if influencers:
                # One dashed line from the team to the farthest influencing column, and a hollow
                # marker in each influencing body's column: "these Boards influence this team".
                x0 = self._xy(column)
                xs = [self.x[b] for b in influencers]
                for end in (min(xs), max(xs)):
                    if end != x0:
                        step = 0.42 if end > x0 else -0.42
                        ax.plot(
                            [x0 + step, end], [y, y], ls="--", lw=0.7, color="#777777", zorder=1
                        )
                for body in influencers:
                    ax.plot(
                        self.x[body],
                        y,
                        marker="o",
                        ms=6,
                        mfc="white",
                        mec=self.colour[body],
                        mew=1.4,
                        zorder=2,
                    )
            if column == "joint":
                bodies = [
                    b.split(":", 1)[1]
                    for b in reporting_lines(graph, team)
                    if b.startswith("board:")
                ]
                if bodies:
                    ax.text(
                        self.joint_x + 0.5,
                        y,
                        "→ " + ", ".join(bodies),
                        fontsize=6,
                        va="center",
                        color=_JOINT,
                    )
        if joint_targets:
            first = min(self._xy(self._column(t)) for t in teams)
            ax.annotate(
                "",
                xy=(self.joint_x - 0.45, y),
                xytext=(first, y),
                arrowprops={"arrowstyle": "-|>", "color": _JOINT, "lw": 0.9},
                zorder=1,
            )
        joint_owners = [
            o
            for o in successors(graph, function, "accountable_to")
            if graph.nodes[o].get("kind") == "joint_body"
        ] + [
            o
            for o in predecessors(graph, function, "decides")
            if graph.nodes[o].get("kind") == "joint_body"
        ]
        if joint_owners:
            owner = graph.nodes[joint_owners[0]]
            label = (
                _PROPOSED.get(str(owner.get("body_kind")), "joint body")
                if owner.get("proposed")
                else str(owner.get("label"))
            )
            self._box(ax, self.joint_x, y, label, _JOINT, text="white", small=True, limit=22)

    def _box(
        self,
        ax: Any,
        x: float,
        y: float,
        label: str,
        colour: str,
        *,
        text: str = "black",
        bold: bool = False,
        small: bool = False,
        limit: int | None = None,
    ) -> None:
        ax.text(
            x,
            y,
            _short(label, limit or (26 if small else 30)),
            ha="center",
            va="center",
            fontsize=6.5 if small else 8,
            color=text,
            fontweight="bold" if bold else "normal",
            bbox={"boxstyle": "round,pad=0.3", "fc": colour, "ec": "none"},
            zorder=3,
        )

    def _legend(self, ax: Any, y: float) -> None:
        items: Sequence[tuple[str, str]] = [
            *((f"{b}", self.colour[b]) for b in self.bodies),
            ("joint accountability", _JOINT),
        ]
        x = 0.3
        ax.text(x, y, "Key:", fontsize=8, fontweight="bold", va="center")
        x += 0.5
        for label, colour in items:
            self._box(ax, x + 0.45, y, label, colour, text="white", small=True)
            x += max(1.0, 0.09 * len(label) + 0.4)
        y += 0.4
        ax.plot([0.4, 1.2], [y, y], ls="--", lw=0.7, color="#777777")
        ax.plot(0.4, y, marker="o", ms=6, mfc="white", mec="#555555", mew=1.4)
        ax.text(
            1.4,
            y,
            "influence: the Boards marked ◦ are consulted and involved",
            fontsize=7,
            va="center",
        )
        y += 0.3
        ax.plot([0.4, 1.2], [y, y], lw=1.6, color="#555555")
        ax.plot(0.8, y, marker="o", ms=6, mfc="#555555", mec="#555555")
        ax.text(
            1.4,
            y,
            "one team: one team serves every Board marked ●, its head accountable to each",
            fontsize=7,
            va="center",
        )
        y -= 0.3
        ax.annotate(
            "", xy=(6.1, y), xytext=(5.2, y), arrowprops={"arrowstyle": "-|>", "color": _JOINT}
        )
        ax.text(
            6.2,
            y,
            "joint accountability: the teams answer to a joint body or plan",
            fontsize=7,
            va="center",
        )
        y += 0.6
        ax.text(
            0.4,
            y,
            "Reporting to Board: a team sits in the column of the Board it reports "
            "to; a team in the joint column reports to the Boards listed beside it.",
            fontsize=7,
            va="center",
        )


def _rect(x: float, y: float, w: float, h: float, colour: str) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), w, h, facecolor=colour, edgecolor="none", zorder=0)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
