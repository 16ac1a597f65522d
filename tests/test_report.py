"""The HTML report: self-contained, complete, and checked as a browser shows and prints it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Collection
from pathlib import Path

import pytest

import taxonomy
from taxonomy.render.report import build_report
from taxonomy.whatif.scenarios import load_scenario
from tests.conftest import NHS, NWL

SCENARIOS = NHS.parent / "scenarios"
SCENARIO = SCENARIOS / "joint_committees_2019.yaml"
# The NHS example's shipped scenarios (the NW London one merges the eight CCGs).
NHS_SCENARIOS = [
    SCENARIO,
    SCENARIOS / "health_and_care_act_2022.yaml",
    SCENARIOS / "joint_committee_strategy.yaml",
]
NWL_SCENARIOS = [SCENARIOS / "nwl_single_ccg_2021.yaml"]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _report(portfolio: Path, scenarios: list[Path], target: Path) -> Path:
    """The report as the CLI writes it."""
    args = [a for s in scenarios for a in ("--scenario", str(s))]
    out = subprocess.run(
        [sys.executable, "-m", "taxonomy.cli", "report", str(portfolio), *args, "-o", str(target)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    return target


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _report(NHS, NHS_SCENARIOS, tmp_path_factory.mktemp("report") / "report.html")


def test_report_is_self_contained(report_file: Path) -> None:
    text = report_file.read_text()
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', text)
    assert "@import" not in text and "<link" not in text
    assert text.count("<svg") >= 2  # the to-be and as-is pictures, inline (a page each or more)


def test_report_has_every_part(report_file: Path) -> None:
    text = report_file.read_text()
    for part in (
        "Summary",
        "Structure: as-is against to-be",
        "Recommendations",
        "Why: the derivation",
        "The accountability structure",
        "Checks against the design principles",
        "What if: scenarios",
        "Joint committees allowed (2019 legislative proposals)",
    ):
        assert part in text, part
    assert text.count('<details class="derivation">') == 21
    assert "source: board paper Annex B category 1" in text  # citations of the rules


def test_report_captions_sit_above_pictures(report_file: Path) -> None:
    text = report_file.read_text()
    figures = re.findall(r'<figure class="picture[^"]*">(.*?)</figure>', text, re.S)
    assert len(figures) >= 2  # the to-be and the as-is pictures, a figure per printed page
    # Each inlined picture names its own title and description: no id is used twice.
    assert "As-is: each body runs its own team, under its own Board" in text  # the bodies' word
    labels = re.findall(r'<(?:title|desc) id="([^"]+)"', text)
    assert len(labels) == 2 * len(figures) and len(set(labels)) == len(labels)
    for figure in figures:
        assert "<figcaption>" in figure, figure[:80]
        assert figure.index("</figcaption>") < figure.index("<svg")


def test_report_names_not_ids(report_file: Path) -> None:
    """Outside the pictures (drawn by the picture module), bodies and arrangements by name."""
    text = report_file.read_text()
    words = re.sub(r"<svg.*?</svg>", "", text, flags=re.S)
    words = re.sub(r"<(style|script)>.*?</\1>", "", words, flags=re.S)
    words = re.sub(r"<[^>]+>", " ", words)
    ids = re.findall(
        r"(?<![\w.-])(nhse|nhsi|one_team|separate_involved|separate_distinct)\b", words
    )
    assert not ids, sorted(set(ids))
    assert "NHS England" in words and "One team" in words


def test_scenario_changes_grouped_and_measured(nhs: taxonomy.Portfolio) -> None:
    from taxonomy.render.report import group_changes
    from taxonomy.whatif.compare import compare

    merger = load_scenario(SCENARIOS / "health_and_care_act_2022.yaml")
    evidenced = taxonomy.Scenario("evidenced").set(
        function="strategy", field="efficiency.duplication", value="high"
    )
    names = {o.id: o.name for o in nhs.organisations}
    merged, single = compare(nhs, merger, evidenced).outcomes
    groups = group_changes(merged.changes, names)
    assert len(merged.changes) == 21
    assert len(groups) == 1  # every function moves to NHS England alone, for the same reason
    (group,) = groups
    assert len(group.functions) == 21 and "Strategy" in group.functions
    assert group.after == "one body: NHS England"
    # Where they stood differs (one team, aligned, ...): each distinct placement listed once.
    assert len(group.before) == len({c.before for c in merged.changes}) > 1
    assert sum(int(b.split(" of them: ")[0]) for b in group.before) == 21
    (strategy,) = group_changes(single.changes, names)
    assert strategy.functions == ("Strategy",)
    assert strategy.before == (
        "2. Aligned, separate function(s); lead undecided between NHS England and NHS Improvement (tie)",
    )
    assert strategy.after.startswith("1. One team")
    text = build_report(nhs, scenarios=[merger, evidenced], pictures=False)
    assert text.count("<b>21 functions:</b>") == 1
    # The structure measured for each scenario: as-is, to-be and the scenario's own figures.
    assert text.count('<th class="num">this scenario</th>') == 2
    assert "with only NHS England left there is no joint structure to measure" in text


def test_report_body_ids_replaced_only_as_words() -> None:
    from taxonomy.render.report import named

    bodies = {"brent": "NHS Brent CCG", "west-london": "NHS West London CCG", "london": "L"}
    assert named("lead brent -> west-london (set by capability.brent)", bodies) == (
        "lead NHS Brent CCG -> NHS West London CCG (set by capability.brent)"
    )
    assert named("brentford; london.x", bodies) == "brentford; london.x"


def test_report_escapes_what_users_write(tmp_path: Path) -> None:
    portfolio = taxonomy.load_portfolio(NHS)
    fn = portfolio.function("it")
    import attrs

    nasty = portfolio.with_function(attrs.evolve(fn, name="<script>alert(1)</script>"))
    text = build_report(nasty, pictures=False)
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def _chromium(*args: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp / 'profile'}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )


def needs_browser(test: Callable[..., None]) -> Callable[..., None]:
    """Marks a test ``browser`` (deselect with -m 'not browser'); skipped without Chromium,
    except on CI, which installs it (.ci/run)."""
    skip = pytest.mark.skipif(
        CHROMIUM is None and not os.environ.get("CI"),
        reason="Chromium is not installed (CI installs it: .ci/run)",
    )
    return pytest.mark.browser(skip(test))


def _print(html: Path, tmp: Path) -> Path:
    """``html`` printed to PDF by headless Chromium, as a reader's "Save as PDF" does."""
    pdf = html.with_suffix(".pdf")
    out = _chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", html.as_uri(), tmp=tmp)
    assert pdf.exists(), out.stderr
    return pdf


def _pages(pdf: Path) -> list[str]:
    """The text of each printed page, as laid out."""
    shown = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return shown.split("\f")[:-1]


def printed_words(pdf: Path) -> list[tuple[int, str, float]]:
    """Every printed word as (page, word, box height in pt), from ``pdftotext -bbox``."""
    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = []
    for number, page in enumerate(boxes.split("<page ")[1:], start=1):
        for y0, y1, word in re.findall(
            r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>',
            page,
        ):
            words.append((number, word, float(y1) - float(y0)))
    return words


def words_under(
    pdf: Path, points: float, *, scale: float, skip_pages: Collection[int] = ()
) -> list[tuple[int, str, float]]:
    """The words printed smaller than ``points`` pt: (page, word, estimated size in pt).

    A word's box is the font's full height (ascent plus descent), so its size is the box height
    divided by ``scale``, the box height of 1 pt text (see the ``box_scale`` fixture, which
    measures it on a page printed at a known size). Pages in ``skip_pages`` are not read.
    """
    return [
        (page, word, round(height / scale, 2))
        for page, word, height in printed_words(pdf)
        if page not in skip_pages and height / scale < points - 0.05
    ]


@pytest.fixture(scope="module")
def box_scale(tmp_path_factory: pytest.TempPathFactory) -> float:
    """The box height ``pdftotext -bbox`` gives 1 pt text in the report's fonts, measured."""
    tmp = tmp_path_factory.mktemp("scale")
    page = tmp / "scale.html"
    page.write_text(
        "<!DOCTYPE html><html><body style=\"font-family: 'DejaVu Sans', Arial, sans-serif\">"
        '<p style="font-size: 8pt">Eight point text</p>'
        '<p style="font-size: 20pt">Twenty point text</p></body></html>',
        encoding="utf-8",
    )
    heights = {word: height for _, word, height in printed_words(_print(page, tmp))}
    scale = heights["Eight"] / 8
    assert heights["Twenty"] / 20 == pytest.approx(scale, rel=0.02)  # box height ~ size
    return scale


@pytest.fixture(scope="module")
def nhs_pdf(report_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _print(report_file, tmp_path_factory.mktemp("nhs-pdf"))


@pytest.fixture(scope="module")
def nwl_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("nwl-pdf")
    return _print(_report(NWL, NWL_SCENARIOS, tmp / "nwl.html"), tmp)


def _sections(pages: list[str]) -> dict[str, list[int]]:
    """The printed pages (1-based) of each part of the report, by the heading that opens it."""
    headings = {
        "summary": "Summary",
        "recommendations": "Recommendations",
        "derivations": "Why: the derivation of each recommendation",
        "pictures": "The accountability structure",
        "checks": "Checks against the design principles and the law",
        "governance": "Who keeps and who delegates each decision",
        "scenarios": "What if: scenarios",
    }
    starts = {
        part: next(
            n
            for n, page in enumerate(pages, start=1)
            if re.search(rf"^\s*{re.escape(h)}\s*$", page, re.M)
        )
        for part, h in headings.items()
        if any(re.search(rf"^\s*{re.escape(h)}\s*$", page, re.M) for page in pages)
    }
    order = sorted(starts.items(), key=lambda item: item[1])
    parts = {}
    for (part, first), following in zip(order, [*order[1:], ("end", len(pages) + 1)], strict=True):
        last = following[1] - 1 if following[1] > first else first
        parts[part] = list(range(first, last + 1))
    return parts


# The page budget for the NHS example (21 functions, 2 bodies) with its three shipped scenarios,
# printed on A4 by Chromium; docs/cli.md states it too. Printed today: 22 pages: summary 1,
# recommendations 1, derivations 11 (21 functions, each with its plain-language paragraph, about
# two a page, none split across pages), pictures 3 (every word at 8 pt or more), checks 1, who
# keeps and who delegates each decision 3, scenarios 2.
SUMMARY_PAGES = 1
DERIVATION_PAGES = 11
PAGES_BESIDES_PICTURES = 19
NHS_PAGES = 22


@needs_browser
def test_report_prints_to_a4_with_every_explanation(nhs_pdf: Path) -> None:
    info = subprocess.run(["pdfinfo", str(nhs_pdf)], capture_output=True, text=True, check=True)
    assert "(A4)" in info.stdout
    shown = "".join(_pages(nhs_pdf))
    # What the printed page shows, not only what the HTML holds: the table, the explanations
    # (opened for printing), the pictures' text, the checks and the scenario.
    for text in (
        "NHS England and NHS Improvement joint working, March 2018",
        "Aligned, separate function(s)",
        "legal.independence",
        "Joint Finance Advisory Group",
        "has no lead yet",
        "Robustness: 3 of 10",
        "Joint committees allowed",
    ):
        assert text in shown, text
    assert shown.count("source: board paper") >= 21  # every explanation printed open


@needs_browser
def test_nhs_report_prints_within_its_page_budget(nhs_pdf: Path) -> None:
    pages = _pages(nhs_pdf)
    parts = _sections(pages)
    assert len(pages) <= NHS_PAGES, parts
    assert parts["summary"] == [1]
    assert len(parts["summary"]) == SUMMARY_PAGES
    # The whole summary is on page 1 (it ends with the scenarios compared), and page 2 opens
    # with the recommendations.
    assert "A joint committee of the Boards for Strategy" in pages[0]
    assert pages[1].split("\n", 3)[-1].lstrip().startswith("Recommendations")
    assert len(parts["derivations"]) <= DERIVATION_PAGES, parts
    assert len(pages) - len(parts["pictures"]) <= PAGES_BESIDES_PICTURES, parts
    # Several derivations a page, none split across two: each function's block starts and ends
    # on one page (its heading and its evidence, the block's last line, print together).
    heads = [
        n for n in parts["derivations"] for _ in re.findall(r"^\S.* — \d\. ", pages[n - 1], re.M)
    ]
    assert len(heads) == 21
    assert len(heads) / len(parts["derivations"]) >= 1.9


@needs_browser
def test_report_pages_are_numbered_with_a_running_header(nhs_pdf: Path, nwl_pdf: Path) -> None:
    for pdf, name in (
        (nhs_pdf, "NHS England and NHS Improvement joint working, March 2018"),
        (nwl_pdf, "NW London Collaboration of CCGs, December 2018"),
    ):
        pages = _pages(pdf)
        for number, page in enumerate(pages, start=1):
            assert f"Page {number} of {len(pages)}" in page, (pdf.name, number)
            assert page.lstrip().startswith(name), (pdf.name, number)


@needs_browser
def test_no_report_text_under_8pt(nhs_pdf: Path, nwl_pdf: Path, box_scale: float) -> None:
    for pdf in (nhs_pdf, nwl_pdf):
        parts = _sections(_pages(pdf))
        # Every word printed, the pictures' own included.
        small = words_under(pdf, 8.0, scale=box_scale)
        assert not small, (pdf.name, small[:20])
        # The check reads what it should: the smallest report text (8 pt) is found, not skipped.
        sizes = [h / box_scale for p, _, h in printed_words(pdf) if p not in parts["pictures"]]
        assert min(sizes) == pytest.approx(8.0, abs=0.1)


@needs_browser
def test_nw_london_report_prints_compactly(nwl_pdf: Path) -> None:
    pages = _pages(nwl_pdf)
    parts = _sections(pages)
    # 9 functions, 8 bodies, one scenario: 14 pages today (summary 1, recommendations 1 with the
    # first derivation, derivations 5 in all, each with its plain-language paragraph, pictures 4
    # landscape pages (to-be 3, as-is 1, the eight CCG columns at 8 pt), checks 1, who keeps and
    # who delegates each decision 2, scenario 1).
    assert len(pages) <= 14, parts
    assert parts["summary"] == [1]
    assert len(parts["derivations"]) <= 5, parts
    shown = " ".join("".join(pages).split())
    assert "undecided between all 8 bodies (tie)" in shown
    assert "only NHS North West London CCG is left" in shown  # the merged body, by name
    html = nwl_pdf.with_suffix(".html").read_text(encoding="utf-8")
    assert "(NHS Brent CCG Board, NHS Central London CCG Board," in html  # not board:brent
    assert "<b>9 functions:</b>" in html and "one body: NHS North West London CCG" in html


@needs_browser
def test_report_renders_on_screen(report_file: Path, tmp_path: Path) -> None:
    from PIL import Image

    png = tmp_path / "screen.png"
    _chromium(f"--screenshot={png}", "--window-size=1200,1400", report_file.as_uri(), tmp=tmp_path)
    image = Image.open(png).convert("RGB")
    colours = image.getcolors(maxcolors=1_000_000) or []
    assert len(colours) > 50  # not a blank page
    # The category cards are drawn in their colours (one team: #C6EFCE).
    assert any(
        abs(r - 0xC6) < 6 and abs(g - 0xEF) < 6 and abs(b - 0xCE) < 6 for _, (r, g, b) in colours
    )


def test_rich_notebook_output_and_frames(nhs: taxonomy.Portfolio) -> None:
    result = taxonomy.classify(nhs)
    assert "<table>" in result._repr_html_() and "Aligned" in result._repr_html_()
    assert "<pre>" in result["pricing"]._repr_html_()
    frame = result.to_frame()
    assert list(frame.columns)[:4] == ["function", "name", "arrangement", "category"]
    assert len(frame) == 21
    evidenced = taxonomy.Scenario("evidenced").set(
        function="strategy", field="efficiency.duplication", value="high"
    )
    comparison = taxonomy.compare(nhs, load_scenario(SCENARIO), evidenced)
    assert "No function changes" in comparison._repr_html_()  # the 2019 powers: who decides
    assert "strategy" in comparison._repr_html_()
    assert comparison.to_frame().iloc[0]["to_arrangement"] == "one_team"
    finding = taxonomy.check(taxonomy.build_graph(taxonomy.classify(taxonomy.load_portfolio(NWL))))[
        0
    ]
    assert f"{finding.check} ({finding.principle})" in finding._repr_html_()
