"""Pictures fit for a Board paper: A4 pages, text never under 8 pt printed, names not ids.

Printed sizes are measured, not assumed: the PDF a picture writes (and the report as headless
Chromium prints it) is read back with poppler's ``pdftotext -bbox`` (each word's box) and
``pdfinfo`` (each page's size). A word's box is taller than its font size (ascender to
descender), so the floor is calibrated: the box of the same font at exactly 8 pt, printed the
same way.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
import yaml

import taxonomy
from taxonomy.render.picture import draw, draw_pages
from taxonomy.structure.graph import Graph, as_is_graph, build_graph, nodes_of_kind
from tests.conftest import COUNCILS, COUNCILS_PACK, NHS, NWL
from tests.helpers import run_cli

POPPLER = shutil.which("pdftotext") is not None and shutil.which("pdfinfo") is not None
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils is not installed")
A4 = {(595, 842): "portrait", (842, 595): "landscape"}
_WORD = re.compile(
    r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>'
)


def _generated(tmp: Path) -> Path:
    """Eight bodies with long names, sixty functions with long names, every category."""
    bodies = [
        {"id": f"body-{i}", "name": f"The Royal Borough of Long-Named Place Number {i} Council"}
        for i in range(1, 9)
    ]
    ids = [b["id"] for b in bodies]
    levels = ["high", "medium", "low"]
    functions = []
    for n in range(60):
        legal: dict[str, object] = {}
        if n % 7 == 0:
            legal = {"separate_reason": "each body's statute keeps its own"}
        elif n % 11 == 0:
            legal = {"statutory_owner": ids[n % 8], "independence_from": [ids[(n + 1) % 8]]}
        functions.append(
            {
                "id": f"function-{n}",
                "name": f"Commissioning and assurance of long-named service number {n} across "
                "the whole of the sub-region, with its contract management",
                "level": "regional",
                "performed_by": ids[: 2 + n % 7],
                "efficiency": {"duplication": levels[n % 3], "simplification": levels[n // 3 % 3]},
                "effectiveness": {"joint_benefit": levels[n // 9 % 3]},
                "legal": legal,
                "capability": {b: levels[(n + i) % 3] for i, b in enumerate(ids)},
            }
        )
    path = tmp / "generated.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "name": "Eight bodies, sixty functions",
                "organisations": bodies,
                "functions": functions,
            }
        )
    )
    return path


def _graph(which: str, state: str, tmp: Path) -> Graph:
    """The example's graph, classified and built once a session (no test changes a graph)."""
    return _built(which, state, tmp if which == "generated" else None)


@cache
def _built(which: str, state: str, tmp: Path | None) -> Graph:
    pack = taxonomy.load_rules(COUNCILS_PACK) if which == "councils" else None
    source = {"nhs": NHS, "nwl": NWL, "councils": COUNCILS}.get(which) or _generated(tmp or Path())
    portfolio = taxonomy.load_portfolio(source, rules=pack)
    result = taxonomy.classify(portfolio, rules=pack)
    return (
        build_graph(result) if state == "to-be" else as_is_graph(portfolio, classification=result)
    )


def _pdf_words(path: Path) -> list[list[tuple[float, str]]]:
    """Each page's words, as (box height in points, word)."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [
        [(float(y1) - float(y0), word) for y0, y1, word in _WORD.findall(page)]
        for page in out.split("<page ")[1:]
    ]


def _page_sizes(path: Path) -> list[tuple[int, int]]:
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return [
        (round(float(w)), round(float(h)))
        for w, h in re.findall(r"Page +\d+ size: +([\d.]+) x ([\d.]+) pts", info)
    ]


@cache
def _eight_point_box(tmp: str) -> float:
    """The box height pdftotext gives DejaVu Sans at exactly 8 pt in a matplotlib PDF."""
    import matplotlib
    from matplotlib.figure import Figure

    path = Path(tmp) / "eight.pdf"
    with matplotlib.rc_context({"pdf.fonttype": 42, "font.family": "DejaVu Sans"}):
        fig = Figure(figsize=(3, 1))
        fig.text(0.1, 0.5, "Calibration Hgjy", fontsize=8)
        fig.savefig(path, format="pdf")
    heights = {h for h, _ in _pdf_words(path)[0]}
    assert len(heights) == 1
    return heights.pop()


@needs_poppler
@pytest.mark.parametrize(
    ("which", "state"),
    [
        ("nhs", "to-be"),
        ("nhs", "as-is"),
        ("nwl", "to-be"),
        ("nwl", "as-is"),
        ("councils", "to-be"),
        pytest.param("generated", "to-be", marks=pytest.mark.slow),
    ],
)
def test_printed_text_is_never_under_8_pt_on_a4(which: str, state: str, tmp_path: Path) -> None:
    graph = _graph(which, state, tmp_path)
    pdf = tmp_path / "picture.pdf"
    pdf.write_bytes(draw(graph, fmt="pdf"))
    sizes = _page_sizes(pdf)
    assert sizes and all(size in A4 for size in sizes), sizes
    floor = _eight_point_box(str(tmp_path))
    pages = _pdf_words(pdf)
    assert len(pages) == len(sizes)
    small = [(h, w) for page in pages for h, w in page if h < floor - 0.01]
    assert not small, f"words under 8 pt (box {floor:.2f}): {small[:10]}"
    text = " ".join(w for page in pages for _, w in page)
    assert "…" not in text
    if which == "nwl" and state == "to-be":
        assert A4[sizes[0]] == "landscape"  # eight bodies' columns need the width
    if which == "generated":
        assert len(pages) > 2  # sixty functions: split over pages, not shrunk
        assert "(page 1 of" in text.replace("  ", " ") or "page 1 of" in text


@cache
def _svg(which: str, state: str) -> str:
    """The example's picture as SVG, drawn once for the tests that read it."""
    return draw(_built(which, state, None), fmt="svg").decode()


def _svg_texts(svg: str) -> list[str]:
    return [re.sub(r"\s+", " ", t).strip() for t in re.findall(r"<text\b[^>]*>([^<]*)</text>", svg)]


def test_names_are_wrapped_in_full_never_cut(tmp_path: Path) -> None:
    graph = _graph("nhs", "to-be", tmp_path)
    svg = _svg("nhs", "to-be")
    assert "…" not in svg
    words = set(" ".join(_svg_texts(svg)).split())
    for node in nodes_of_kind(graph, "function") + nodes_of_kind(graph, "role"):
        label = str(graph.nodes[node]["label"])
        missing = [w for w in label.split() if w not in words]
        assert not missing, (label, missing)
    # The two Midlands and East directors are told apart: (a) and (b), each in full.
    assert "(a)" in words and "(b)" in words


def test_the_key_and_headings_name_bodies_not_ids(tmp_path: Path) -> None:
    svg = _svg("nwl", "to-be")
    text = " ".join(_svg_texts(svg))
    assert "Hammersmith" in text and "NHS Brent CCG" in text
    ids = {"hammersmith-fulham", "central-london", "west-london", "brent", "nhse"}
    assert not ids & set(re.split(r"[\s;,()]+", text))
    nhs = " ".join(_svg_texts(_svg("nhs", "to-be")))
    assert "NHS England Board" in nhs and "nhse" not in nhs and "nhsi" not in nhs


def test_each_body_is_headed_by_its_own_governing_body(tmp_path: Path) -> None:
    graph = _graph("councils", "to-be", tmp_path)
    text = " ".join(_svg_texts(_svg("councils", "to-be")))
    assert "(Cabinet)" in text and "(full council)" in text
    assert "Council Board" not in text
    # The bodies' words differ (Cabinet, full council): the key says "governing body", not one
    # body's word nor the pack's, which would be wrong for the others.
    keyed = " ".join(_svg_texts(draw(graph, fmt="svg", board_word="full council").decode()))
    assert "one team serves every governing body" in keyed and "every full council" not in keyed
    assert "one team serves every governing body" in text
    # NHS bodies share one word: the key uses it.
    nhs = " ".join(_svg_texts(_svg("nhs", "to-be")))
    assert "one team serves every Board" in nhs


def test_svg_has_text_a_title_and_a_description(tmp_path: Path) -> None:
    svg = _svg("nhs", "to-be")
    assert "<text" in svg
    title = re.search(r"<title id=\"(picture-\w+-title)\">([^<]+)</title>", svg)
    desc = re.search(r"<desc id=\"(picture-\w+-desc)\">([^<]+)</desc>", svg)
    assert title and "NHS England and NHS Improvement" in title.group(2)
    assert desc and "1. One team: Regional teams" in desc.group(2)
    assert f'aria-labelledby="{title.group(1)} {desc.group(1)}"' in svg
    assert 'role="img"' in svg
    outlined = draw(_graph("nhs", "to-be", tmp_path), fmt="svg", text_as_paths=True).decode()
    assert "<text" not in outlined and "<title" in outlined


def test_pictures_are_byte_identical_run_to_run(tmp_path: Path) -> None:
    graph = _graph("councils", "to-be", tmp_path)
    drawn = {fmt: draw(graph, fmt=fmt) for fmt in ("png", "pdf")}
    drawn["svg"] = _svg("councils", "to-be").encode()  # drawn once already: drawn again below
    for fmt, first in drawn.items():
        assert draw(graph, fmt=fmt) == first, fmt
    pdf = drawn["pdf"]
    assert pdf.startswith(b"%PDF") and b"CreationDate" not in pdf
    # And in another interpreter, with another hash seed.
    code = (
        "import sys, taxonomy; from taxonomy.render.picture import draw; "
        "from taxonomy.structure.graph import build_graph; "
        f"pack = taxonomy.load_rules({str(COUNCILS_PACK)!r}); "
        f"p = taxonomy.load_portfolio({str(COUNCILS)!r}, rules=pack); "
        "sys.stdout.buffer.write(draw(build_graph(taxonomy.classify(p, rules=pack)), fmt='svg'))"
    )
    other = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        check=True,
        env={**__import__("os").environ, "PYTHONHASHSEED": "12345"},
    ).stdout
    assert other == drawn["svg"]


def test_pages_choose_an_orientation_and_split_long_pictures(tmp_path: Path) -> None:
    nhs = draw_pages(_graph("nhs", "to-be", tmp_path), fmt="svg")
    assert {p.orientation for p in nhs} == {"portrait"}
    assert [p.title.endswith(f"(page {i} of {len(nhs)})") for i, p in enumerate(nhs, 1)] == [
        True
    ] * len(nhs)
    nwl = draw_pages(_graph("nwl", "to-be", tmp_path), fmt="pdf")
    assert {p.orientation for p in nwl} == {"landscape"}
    assert all(p.data.startswith(b"%PDF") for p in nwl)
    assert all(p.description.startswith(p.title) for p in nwl)
    # A band split over pages is headed again on the next page.
    texts = [" ".join(_svg_texts(p.data.decode())) for p in nhs]
    if len(nhs) > 1:
        assert "(continued)" in " ".join(texts[1:])


def test_the_as_is_picture_is_todays_structure(tmp_path: Path) -> None:
    graph = _graph("nhs", "as-is", tmp_path)
    # No planned posts heading the teams: no joint Regional Directors; no joint plans.
    assert not nodes_of_kind(graph, "role")
    assert not any(graph.nodes[n].get("proposed") for n in nodes_of_kind(graph, "joint_body"))
    text = " ".join(_svg_texts(_svg("nhs", "as-is")))
    assert "Joint Regional Director" not in text and "joint plan" not in text
    assert "one team" not in text and "lead team" not in text
    # Grouped by how many bodies run each function today, not by the to-be categories.
    assert "Run by 2 bodies, each with its own team" in text and "Run by one body" in text
    assert "1. One team" not in text and "Aligned" not in text


def test_one_team_is_one_box_and_separate_teams_are_several(tmp_path: Path) -> None:
    graph = _graph("councils", "to-be", tmp_path)
    svg = _svg("councils", "to-be")
    one_team = [
        f for f in nodes_of_kind(graph, "function") if graph.nodes[f]["arrangement"] == "one_team"
    ]
    # One label per one-team function, not one per body it serves...
    assert svg.count(">one team<") == len(one_team) == 3
    # ...while a separate function draws a team for each body that keeps one.
    separate = [
        f
        for f in nodes_of_kind(graph, "function")
        if graph.nodes[f]["arrangement"] in ("separate_involved", "separate_distinct")
    ]
    teams = sum(
        1 for t in nodes_of_kind(graph, "team") if graph.nodes[t]["function"] in {
            graph.nodes[f]["function"] for f in separate
        }
    )  # fmt: skip
    assert svg.count(">own team<") + svg.count(">lead team<") >= teams


def test_graph_command_writes_a_pdf(tmp_path: Path) -> None:
    target = tmp_path / "nhs.pdf"
    out = run_cli("graph", str(NHS), "-o", str(target))
    assert out.returncode == 0, out.stderr
    assert target.read_bytes().startswith(b"%PDF")
    assert "(pdf," in out.stderr + out.stdout
    if POPPLER:
        assert all(size in A4 for size in _page_sizes(target))


# -- the pictures as the report prints them in Chromium --------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def needs_browser(test: Callable[..., None]) -> Callable[..., None]:
    """Marks a test ``browser`` (deselect with -m 'not browser'); skipped without Chromium."""
    skip = pytest.mark.skipif(
        CHROMIUM is None or not POPPLER, reason="Chromium or poppler is not installed"
    )
    return pytest.mark.browser(skip(test))


def _print(html: Path, pdf: Path, tmp: Path) -> None:
    assert CHROMIUM is not None
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            html.as_uri(),
        ],
        capture_output=True,
        timeout=180,
    )
    assert pdf.exists()


_floors: list[float] = []


def _browser_eight_point_box(tmp: Path) -> float:
    """The same font at exactly 8 pt, printed by the same browser: the floor for a word's box
    (printed once for the tests that need it)."""
    if not _floors:
        calibration = tmp / "eight.html"
        calibration.write_text(
            "<!DOCTYPE html><p style=\"font: 8pt 'DejaVu Sans'; margin: 0\">Calibration Hgjy</p>"
        )
        _print(calibration, tmp / "eight.pdf", tmp)
        _floors.append(min(h for h, _ in _pdf_words(tmp / "eight.pdf")[0]))
    return _floors[0]


@needs_browser
@pytest.mark.parametrize("source", [NHS, NWL], ids=["nhs", "nwl"])
def test_the_report_prints_its_pictures_at_8_pt_or_more(source: Path, tmp_path: Path) -> None:
    from taxonomy.render.report import build_report

    floor = _browser_eight_point_box(tmp_path)
    html = tmp_path / "report.html"
    html.write_text(build_report(taxonomy.load_portfolio(source)))
    pdf = tmp_path / "report.pdf"
    _print(html, pdf, tmp_path)
    sizes = _page_sizes(pdf)
    assert all(size in A4 for size in sizes), sizes
    pages = _pdf_words(pdf)
    pictures = [
        (index, words)
        for index, words in enumerate(pages)
        if "Key" in {w for _, w in words} and "structure" in {w for _, w in words}
    ]
    assert len(pictures) >= 2  # the to-be and the as-is pictures, each on pages of its own
    for index, words in pictures:
        small = [(round(h, 2), w) for h, w in words if h < floor - 0.01]
        assert not small, f"page {index + 1}: words under 8 pt (box {floor:.2f}): {small[:10]}"
    if source == NWL:
        assert any(A4[sizes[i]] == "landscape" for i, _ in pictures)
