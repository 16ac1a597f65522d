"""Issue 22 item 15: results workbooks carry names and the paragraph, the sweep summary counts
leads, and counterfactuals, robustness and a recommendation have notebook views."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import attrs
import openpyxl

import taxonomy
from taxonomy.whatif.counterfactual import counterfactuals, robustness
from taxonomy.whatif.sweep import Axis, Sweep, sweep
from tests.conftest import COUNCILS, NHS
from tests.helpers import run_cli

OLD_COLUMNS = [
    "function",
    "name",
    "arrangement",
    "category",
    "lead",
    "lead_status",
    "decided_by",
    "capped_by",
    "reason",
]


def test_results_workbook_carries_lead_names_and_the_paragraph(tmp_path: Path) -> None:
    target = tmp_path / "results.xlsx"
    out = run_cli("classify", str(NHS), "-o", str(target))
    assert out.returncode == 0, out.stderr
    summaries = {
        r["function"]: r["summary"]
        for r in json.loads(run_cli("classify", str(NHS), "--format", "json").stdout)[
            "recommendations"
        ]
    }
    sheet = openpyxl.load_workbook(target)["recommendations"]
    rows = list(sheet.iter_rows())
    heads = [c.value for c in rows[0]]
    assert heads == [*OLD_COLUMNS, "lead_name", "summary", "alone"]  # old columns keep places
    by_id = {r[0].value: dict(zip(heads, r, strict=True)) for r in rows[1:]}
    eprr = by_id["eprr"]
    assert eprr["lead"].value == "nhse" and eprr["lead_name"].value == "NHS England"
    assert by_id["it"]["lead_name"].value == (
        "undecided between NHS England and NHS Improvement (tie)"
    )
    for function, row in by_id.items():
        assert row["category"].data_type == "n" and isinstance(row["category"].value, int)
        assert row["summary"].value == summaries[function]


def test_results_csv_carries_them_too(tmp_path: Path) -> None:
    target = tmp_path / "results.csv"
    assert run_cli("classify", str(COUNCILS), "-o", str(target)).returncode == 0
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    data = json.loads(run_cli("classify", str(COUNCILS), "--format", "json").stdout)
    for row, rec in zip(rows, data["recommendations"], strict=True):
        assert row["summary"] == rec["summary"] and row["category"] == str(rec["category"])
    assert "Northvale District Council" in rows[0]["lead_name"]


def test_results_paragraph_written_once_per_run(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from taxonomy.render import workbook

    made = []
    real = workbook.paragraph_writer

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        made.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(workbook, "paragraph_writer", counting)
    result = taxonomy.classify(taxonomy.load_portfolio(NHS))
    workbook.write_results(result, tmp_path / "r.csv")
    assert made == [1]


def test_sweep_summary_counts_leads() -> None:
    portfolio = taxonomy.load_portfolio(NHS)
    grid = Sweep(
        "cap",
        axes=(Axis.setting("capability.nhsi", ["low", "high"], function="pricing"),),
    )
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        result = sweep(portfolio, grid, executor=pool)
    summary = result.summary()
    leads = {
        f["function"]: {x["lead"]: x["count"] for x in f["leads"]}
        for f in summary.to_dict()["functions"]
    }
    expected: dict[str, int] = {}
    for record in result.records:
        if record["function"] == "pricing":
            expected[record["lead"]] = expected.get(record["lead"], 0) + 1
    assert leads["pricing"] == expected and sum(expected.values()) == 2
    assert summary.to_dict()["scenarios"] == 2
    text = summary.to_text("cap")
    assert "\n    lead: " in text


def test_sweep_cli_summary_shows_leads() -> None:
    grid = str(NHS.parent / "scenarios" / "capability_sweep.yaml")
    out = run_cli("sweep", str(NHS), grid, "--workers", "1")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    at = lines.index(next(line for line in lines if line.startswith("  it: ")))
    assert lines[at + 1].startswith("    lead: ")
    counts = [int(part.rsplit(": ", 1)[1]) for part in lines[at + 1][10:].split("; ")]
    assert sum(counts) == 32


def test_sweep_summary_counts_each_kind_of_lead() -> None:
    from taxonomy.whatif.sweep import SweepSummary

    counted = SweepSummary()
    counted.add(
        [
            {"scenario": 0, "function": "f", "arrangement": "one_team", "lead": "joint"},
            {"scenario": 1, "function": "f", "arrangement": None, "lead": "nhse"},
            {"scenario": 2, "function": "f", "arrangement": "separate_involved", "lead": None},
        ]
    )
    assert counted.leads == {"f": {"joint": 1, "nhse": 1, "none": 1}}
    assert counted.arrangements["f"]["one body"] == 1


def test_counterfactuals_and_robustness_have_notebook_views() -> None:
    portfolio = taxonomy.load_portfolio(NHS)
    hostile = portfolio.with_function(
        attrs.evolve(portfolio.function("pricing"), name="<script>x</script>")
    )
    found = counterfactuals(hostile, "pricing", taxonomy.Arrangement.ONE_TEAM)
    shown = found._repr_html_()
    assert "<script>" not in shown and "&lt;script&gt;" in shown
    assert shown.count("<li>") == len(found.solutions) >= 1
    assert "efficiency.duplication: medium -&gt; high" in shown
    robust = robustness(portfolio, "pricing")
    shown = robust._repr_html_()
    assert f"{len(robust.flips)} of {robust.steps}" in shown
    assert shown.count("<li>") == len(robust.flips)


def test_recommendation_paragraph_and_view() -> None:
    portfolio = taxonomy.load_portfolio(NHS)
    hostile = portfolio.with_function(attrs.evolve(portfolio.function("it"), name="<b>IT</b>"))
    result = taxonomy.classify(hostile)
    rec = result["it"]
    from taxonomy.render.prose import paragraph

    assert rec.paragraph(result) == paragraph(rec, result)
    shown = rec.to_html(result)
    assert "&lt;b&gt;IT&lt;/b&gt;" in shown and "<b>IT</b>" not in shown
    assert "we recommend that NHS England and NHS Improvement run it as one team" in shown
    assert rec._repr_html_().startswith("<div>")


def test_open_recommendation_view_does_not_raise() -> None:
    unknown = NHS.parent / "nhs_joint_working_2018_unknown.yaml"
    result = taxonomy.classify(taxonomy.load_portfolio(unknown))
    open_ones = [r for r in result if not r.decided]
    assert open_ones
    shown = open_ones[0]._repr_html_()
    assert f"open: {len(open_ones[0].possible)} outcomes possible" in shown
