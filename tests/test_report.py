"""The HTML report: self-contained, complete, and checked as a browser shows and prints it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import taxonomy
from taxonomy.render.report import build_report
from taxonomy.whatif.scenarios import load_scenario
from tests.conftest import NHS, NWL

SCENARIO = NHS.parent / "scenarios" / "joint_committees_2019.yaml"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("report") / "report.html"
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "taxonomy.cli",
            "report",
            str(NHS),
            "--scenario",
            str(SCENARIO),
            "-o",
            str(target),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    return target


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
    assert text.count("<details>") == 21
    assert "board paper para 8" in text  # citations of the rules


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


needs_browser = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="Chromium is not installed (CI installs it: .ci/run)",
)


@needs_browser
def test_report_prints_to_a4_with_every_explanation(report_file: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    out = _chromium(
        "--no-pdf-header-footer", f"--print-to-pdf={pdf}", report_file.as_uri(), tmp=tmp_path
    )
    assert pdf.exists(), out.stderr
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert "(A4)" in info.stdout
    shown = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
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
