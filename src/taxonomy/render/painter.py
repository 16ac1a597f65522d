"""Drawing a picture's pages with matplotlib (Agg, SVG and PDF backends: no system binaries).

:func:`render` draws the plans :func:`taxonomy.render.picture_plan.plan_pages` made, as SVG (text
kept as text, with a ``<title>`` and a ``<desc>``), PNG or PDF.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import re
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from taxonomy.render.measure import LINE_SPACING, text_height, text_width, wrap
from taxonomy.render.picture_plan import (
    BAND,
    DPI,
    GREY,
    HEAD_SIZE,
    JOINT,
    OUTSIDE_BAND,
    PALETTE,
    ROLE,
    SMALLEST,
    TEXT_SIZE,
    TITLE_SIZE,
    Plan,
    Row,
    joint_owner,
    legend_lines,
)
from taxonomy.structure.graph import predecessors

__all__ = ["render"]

# --- rendering --------------------------------------------------------------------------------


def render(
    plans: Sequence[Plan], fmt: str, *, full_page: bool, text_as_paths: bool = False
) -> bytes:
    """The pages of ``plans`` in ``fmt``: one file (PDF: a page each; SVG, PNG: one under another).

    ``full_page`` draws each on a whole A4 page with its margins (else only the frame inside
    them); ``text_as_paths`` draws SVG text as outlines.
    """
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


def _figure(figure: Any, plans: Sequence[Plan], *, full_page: bool) -> Any:
    """A figure with each plan's page one under another (inches, y downwards)."""
    first = plans[0]
    if full_page:
        width, page_height = first.size
        offset = (first.margin, first.margin)
    else:
        width, page_height = first.frame
        offset = (0.0, 0.0)
    height = page_height * len(plans)
    fig = figure(figsize=(width, height), dpi=DPI)
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

    def __init__(self, ax: Any, plan: Plan, left: float, top: float) -> None:
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
        self.text(0, y, plan.heading, TITLE_SIZE, bold=True, va="top")
        y += text_height(len(plan.heading), TITLE_SIZE) + 0.15
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
            self.box(plan.joint_x, y + h / 2, plan.joint_col - 0.06, h, JOINT)
            self.text(
                plan.joint_x, y + h / 2, plan.joint_head, SMALLEST, bold=True, colour="white",
                ha="center",
            )  # fmt: skip
        bottom = y + plan.header_height
        # Faint column guides from each governing body down through the rows (not through
        # the bodies outside the portfolio, drawn apart after them).
        inside = itertools.takewhile(lambda r: not r.title.startswith(OUTSIDE_BAND), plan.rows)
        rows_height = sum(r.height for r in inside)
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

    def row(self, row: Row, y: float, width: float) -> None:
        if row.kind == "band":
            self.rect(0, y + 0.04, width, row.height - 0.04, BAND[row.category])
            lines = wrap(row.title, self.plan.name_col + 6, HEAD_SIZE, True)
            self.text(0.08, y + row.height / 2 + 0.02, lines, HEAD_SIZE, bold=True)
            return
        centre = y + row.height / 2
        self.ax.plot(
            [self.X(0), self.X(width)], [y + row.height] * 2, color="#e4e7eb", lw=0.4, zorder=0
        )
        self.text(0.12, centre, row.lines, TEXT_SIZE)
        if row.kind in ("governance", "outside"):
            self.governance(row, centre, row.height)
        else:
            self.function(row, centre, row.height)

    # -- governance rows: in words, across the grid ---------------------------------------------

    def governance(self, row: Row, y: float, height: float) -> None:
        """A joint body or post (in its colour) or a body outside the portfolio (grey, dashed)."""
        plan, data = self.plan, self.graph.nodes[row.node]
        if data.get("kind") == "role":
            colour = plan.colour.get(str(data.get("employer") or ""), ROLE)
        else:
            colour = GREY if row.kind == "outside" else JOINT
        x = plan.name_col + 0.1
        top, bottom = y - height / 2 + 0.06, y + height / 2 - 0.06
        style = (0, (2, 1.5)) if row.kind == "outside" else "solid"
        self.ax.plot([self.X(x - 0.04)] * 2, [top, bottom], color=colour, lw=3, ls=style)
        self.text(x + 0.08, y, row.joint, SMALLEST)

    # -- function rows --------------------------------------------------------------------------

    def function(self, row: Row, y: float, height: float) -> None:
        plan, graph = self.plan, self.graph
        teams = predecessors(graph, row.node, "performs")
        box_h = text_height(1, SMALLEST) + 0.08
        box_w = min(plan.col - 0.12, text_width("lead team", SMALLEST) + 0.2)
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
                color=GREY,
                zorder=1,
            )
            for x in hollow:
                self.ax.plot(
                    self.X(x), y, marker="o", ms=7, mfc="white", mec=GREY, mew=1.3, zorder=2
                )
        if row.joint:
            self.joint(row, y, box_h, team_x)

    def joint(self, row: Row, y: float, box_h: float, team_x: list[float]) -> None:
        """The joint body or post a function answers to, in the joint column, and the lines."""
        plan, graph = self.plan, self.graph
        owner = joint_owner(graph, row.node)
        kind = graph.nodes[owner].get("kind") if owner else None
        colour = ROLE if kind == "role" else JOINT
        jh = text_height(len(row.joint), SMALLEST) + 0.08
        self.box(plan.joint_x, y, plan.joint_col - 0.12, jh, colour)
        self.text(plan.joint_x, y, row.joint, SMALLEST, colour="white", ha="center")
        if not team_x or kind != "joint_body":
            return
        # Under the teams, a line from each to the joint body: every team answers to it, none
        # to the team beside it.
        below = y + box_h / 2 + 0.035
        end = plan.joint_x - plan.joint_col / 2 + 0.2
        for x in team_x:
            self.ax.plot([self.X(x)] * 2, [y, below], color=JOINT, lw=1.0, zorder=1)
        self.ax.plot(
            [self.X(min(team_x)), self.X(end)], [below, below], color=JOINT, lw=1.0, zorder=1
        )
        self.ax.annotate(
            "",
            xy=(self.X(end), y + jh / 2),
            xytext=(self.X(end), below + 0.005),
            arrowprops={"arrowstyle": "-|>", "color": JOINT, "lw": 1.0,
                        "shrinkA": 0, "shrinkB": 0, "mutation_scale": 8},
            zorder=1,
        )  # fmt: skip

    def open_team(self, x: float, y: float, w: float, h: float, colour: str) -> None:
        """A team of a function not decided yet: dashed, in the body's colour, on white."""
        self.box(x, y, w, h, "white", edge=colour)
        self.text(x, y, ["own team"], SMALLEST, colour=colour, ha="center")

    def one_team(self, team: str, served: list[str], employer: str, y: float, h: float) -> None:
        plan = self.plan
        colour = plan.colour.get(employer, JOINT)
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
        for symbol, value, lines in legend_lines(plan.legend, width):
            h = text_height(len(lines), SMALLEST)
            if symbol == "columns":
                bodies, _, colour, _ = value
                for i, body in enumerate(bodies):
                    self.rect(0.02 + i * 0.03, y + 0.02, 0.03, 0.12, colour[body])
                self.text(0.3, y + h / 2, lines, SMALLEST)
            else:
                self.symbol(symbol, 0.05, y + text_height(1, SMALLEST) / 2, 1.0)
                self.text(1.2, y + h / 2, lines, SMALLEST)
            y += h + 0.06

    def symbol(self, symbol: str, x: float, y: float, w: float) -> None:
        h = text_height(1, SMALLEST) * 0.9
        colour = self.plan.colour[self.plan.bodies[0]] if self.plan.bodies else JOINT
        if symbol == "one":
            self.box(x + w / 2, y, w, h, colour)
            return
        if symbol == "team":
            self.box(x + w / 2, y, w * 0.6, h, colour)
            return
        if symbol == "open":
            self.box(x + w / 2, y, w * 0.6, h, "white", edge=colour)
            return
        if symbol == "outside":
            self.box(x + w / 2, y, w * 0.6, h, "white", edge=GREY)
            return
        small = w * 0.36
        self.box(x + small / 2, y, small, h, colour)
        self.box(x + w - small / 2, y, small, h, PALETTE[1])
        if symbol == "involved":
            self.ax.plot(
                [self.X(x + small), self.X(x + w - small)],
                [y, y],
                ls=(0, (4, 3)),
                lw=1.1,
                color=GREY,
            )
        elif symbol == "aligned":
            self.ax.plot([self.X(x + small), self.X(x + w - small)], [y, y], color=JOINT, lw=1.2)

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
            linespacing=LINE_SPACING,
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
