"""One contract everywhere: every output format says the same, every writer fails alike.

Issue 13, "One contract everywhere": the format follows --format or the -o file's extension;
every writer fails with one message and exit 2; a joint lead (or a tie) reads the same in every
format; COLUMNS is honoured; arrangements and levels equal their JSON names in Python;
--fail-under and JUnit XML for CI; stdin (-) wherever a file is read.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from operator import eq, ne
from pathlib import Path

import pytest

import taxonomy
from taxonomy._model import Arrangement, Level, lead_words
from taxonomy.cli import FORMAT_OF_EXTENSION
from tests.conftest import COUNCILS, NHS, NWL
from tests.helpers import SMALL_PACK, copy_pack, run_cli

SCENARIOS = NHS.parent / "scenarios"
TITLES = {f"{a.category} {a.title}": str(a) for a in Arrangement}

#: One function's placement as every format must give it: arrangement, lead in words, lead
#: status, the legal rules that capped it, and the body delivering it alone ("" if none).
Row = tuple[str, str, str, tuple[str, ...], str]

_ALONE = re.compile(r"^(?P<arrangement>.*?)(?:: delivered by (?P<alone>\S+) alone)?$")


def _arrangement_cell(cell: str) -> tuple[str, str]:
    """A table's arrangement cell: the arrangement's name, and the body delivering it alone."""
    match = _ALONE.match(cell)
    assert match is not None
    return TITLES[match["arrangement"]], match["alone"] or ""


#: How every format writes the lead of a duty each body keeps for itself, run separately.
EACH_OWN = "none: each body does its own"


def _status(words: str) -> str:
    """The lead status a lead written in words states."""
    if words == "joint":
        return "joint"
    if words == EACH_OWN:
        return "each"
    return "tie" if words.startswith("undecided between ") and words.endswith(" (tie)") else "body"


def _from_json(record: dict[str, object]) -> Row:
    explanation = record["explanation"]
    assert isinstance(explanation, dict)
    tied = record["tied"]
    assert isinstance(tied, list)
    lead = record["lead"]
    assert lead is None or isinstance(lead, str)
    return (
        str(record["arrangement"]),
        EACH_OWN if record["lead_status"] == "each" else lead_words(lead, tied),
        str(record["lead_status"]),
        tuple(explanation["capped_by"]),
        str(record["alone"] or ""),
    )


def _decided(cell: str) -> tuple[str, ...]:
    """The capping rules of a "decided by" cell: ``rule capped by a, b``."""
    _, _, capped = cell.partition(" capped by ")
    return tuple(c.strip() for c in capped.split(",")) if capped else ()


def _parse_json(text: str) -> dict[str, Row]:
    return {r["function"]: _from_json(r) for r in json.loads(text)["recommendations"]}


def _parse_jsonl(text: str) -> dict[str, Row]:
    header, *lines = text.splitlines()
    assert "rule_pack" in json.loads(header)
    return {r["function"]: _from_json(r) for r in map(json.loads, lines)}


def _parse_csv(text: str) -> dict[str, Row]:
    rows = list(csv.DictReader(io.StringIO(text)))
    return {
        r["function"]: (
            r["arrangement"],
            r["lead"],
            r["lead_status"],
            tuple(c.strip() for c in r["capped_by"].split(",")) if r["capped_by"] else (),
            r["alone"],
        )
        for r in rows
    }


def _parse_markdown(text: str) -> dict[str, Row]:
    found: dict[str, Row] = {}
    for line in text.splitlines():
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if len(cells) != 5 or cells[0] in ("function", "---"):
            continue
        function, _name, arrangement, lead, decided = cells
        # Markdown is for a Board: no rule ids, only whether the law held it (issue 22).
        capped = ("held by law",) if "held by law" in decided else ()
        name, alone = _arrangement_cell(arrangement)
        found[function] = (name, lead, _status(lead), capped, alone)
    return found


def _parse_table(text: str) -> dict[str, Row]:
    found: dict[str, Row] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if len(cells) != 5:
            continue
        function, _name, arrangement, lead, decided = cells
        name, alone = _arrangement_cell(arrangement)
        found[function] = (name, lead, _status(lead), _decided(decided), alone)
    return found


@pytest.mark.parametrize("portfolio", [NHS, NWL, COUNCILS], ids=["nhs", "nw-london", "councils"])
def test_every_cli_output_format_agrees_on_every_field(
    portfolio: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The done-when check: table, JSON, JSONL, CSV and Markdown give the same arrangement,
    lead (a body, joint, or a tie between bodies), lead status, capping rules and the body
    delivering it alone, for every function; each is parsed from the format itself."""
    monkeypatch.setenv("COLUMNS", "400")  # one line per row, so the table parses by line
    texts = {}
    for fmt in ("table", "json", "jsonl", "markdown"):
        out = run_cli("classify", str(portfolio), "--format", fmt)
        assert out.returncode == 0, out.stderr
        texts[fmt] = out.stdout
    target = tmp_path / "result.csv"
    assert run_cli("classify", str(portfolio), "-o", str(target)).returncode == 0
    texts["csv"] = target.read_text(encoding="utf-8")
    parsed = {
        "json": _parse_json(texts["json"]),
        "jsonl": _parse_jsonl(texts["jsonl"]),
        "csv": _parse_csv(texts["csv"]),
        "markdown": _parse_markdown(texts["markdown"]),
        "table": _parse_table(texts["table"]),
    }
    expected = {
        r.function: (
            str(r.arrangement),
            r.lead_text,
            r.lead_status,
            tuple(f.rule for f in r.explanation.capped_by),
            r.alone or "",
        )
        for r in taxonomy.classify(taxonomy.load_portfolio(portfolio))
    }
    for fmt, rows in parsed.items():
        if fmt == "markdown":
            held = {
                k: (*v[:3], ("held by law",) if v[3] else (), v[4]) for k, v in expected.items()
            }
            assert rows == held, fmt
            continue
        assert rows == expected, fmt
    statuses = {row[2] for row in expected.values()}
    if portfolio == NHS:  # EPRR and the other functions NHS England alone holds and does
        assert any(row[4] for row in expected.values())
    if portfolio == COUNCILS:  # the law caps elections (each council's Returning Officer)
        assert any(row[3] for row in expected.values())
    else:
        assert "tie" in statuses  # both NHS examples have ties; NHS has joint leads too
    if portfolio == NHS:
        assert {"joint", "body"} <= statuses


def test_a_joint_lead_reads_the_same_in_the_sweep_csv(tmp_path: Path) -> None:
    target = tmp_path / "sweep.csv"
    out = run_cli("sweep", str(NHS), str(SCENARIOS / "capability_sweep.yaml"), "-o", str(target))
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    regional = [r for r in rows if r["function"] == "regional-teams"]
    assert regional and all(r["lead"] == "joint" and r["lead_status"] == "joint" for r in regional)
    for row in rows:
        assert row["lead_status"] == _status(row["lead"])


# --- the format follows --format or the extension ------------------------------------------


@pytest.mark.parametrize(
    ("name", "check"),
    [
        ("r.json", lambda t: json.loads(t)["recommendations"]),
        ("r.jsonl", lambda t: [json.loads(line) for line in t.splitlines()][1:]),
        ("r.csv", lambda t: t.startswith("function,name,arrangement,category,lead,lead_status,")),
        ("r.md", lambda t: t.startswith("# ") and "| function |" in t),
        ("r.markdown", lambda t: "| function |" in t),
        ("r.txt", lambda t: "┏" in t),
        ("result", lambda t: "┏" in t),
    ],
)
def test_the_extension_chooses_the_format(name: str, check: object, tmp_path: Path) -> None:
    target = tmp_path / name
    out = run_cli("classify", str(NHS), "-o", str(target))
    assert out.returncode == 0, out.stderr
    assert callable(check) and check(target.read_text(encoding="utf-8"))


def test_format_given_must_agree_with_the_extension(tmp_path: Path) -> None:
    target = tmp_path / "res.json"
    out = run_cli("classify", str(NHS), "--format", "table", "-o", str(target))
    assert out.returncode == 2 and not target.exists()
    assert out.stderr.count("\n") == 1 and "does not match the extension '.json'" in out.stderr
    # Agreeing, or a file with no extension (which names no format), is fine.
    assert run_cli("classify", str(NHS), "--format", "json", "-o", str(target)).returncode == 0
    bare = tmp_path / "result"
    assert run_cli("classify", str(NHS), "--format", "json", "-o", str(bare)).returncode == 0
    assert json.loads(bare.read_text(encoding="utf-8"))["recommendations"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["classify", str(NHS), "-o", "{tmp}/r.html"], "'.html' means html"),
        (["classify", str(NHS), "-o", "{tmp}/r.out"], "cannot tell the format"),
        (
            [
                "whatif",
                str(NHS),
                str(SCENARIOS / "joint_committees_2019.yaml"),
                "-o",
                "{tmp}/w.csv",
            ],
            "'.csv' means csv",
        ),
        (["report", str(NHS), "-o", "{tmp}/r.json"], "'.json' means json"),
        (
            ["sweep", str(NHS), str(SCENARIOS / "capability_sweep.yaml"), "-o", "{tmp}/s.json"],
            "'.json' means json",
        ),
        (["rules", "coverage", str(NHS), "--junit-xml", "{tmp}/c.json"], "'.json' means json"),
    ],
)
def test_an_extension_a_command_does_not_write_is_refused(
    args: list[str], message: str, tmp_path: Path
) -> None:
    out = run_cli(*(a.replace("{tmp}", str(tmp_path)) for a in args))
    assert out.returncode == 2 and message in out.stderr
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
    assert list(tmp_path.iterdir()) == []


def test_whatif_follows_the_extension(tmp_path: Path) -> None:
    scenario = str(SCENARIOS / "joint_committees_2019.yaml")
    target = tmp_path / "w.json"
    assert run_cli("whatif", str(NHS), scenario, "-o", str(target)).returncode == 0
    assert json.loads(target.read_text(encoding="utf-8"))["scenarios"]
    target = tmp_path / "w.md"
    assert run_cli("whatif", str(NHS), scenario, "-o", str(target)).returncode == 0
    assert target.read_text(encoding="utf-8").startswith("# What-if")


def test_graph_follows_the_one_rule_too(tmp_path: Path) -> None:
    """graph decided its format by a rule of its own, so --format json -o g.svg wrote JSON into
    an .svg file; now it follows --format and the extension as every command does."""
    out = run_cli("graph", str(NHS), "--format", "json", "-o", str(tmp_path / "g.svg"))
    assert out.returncode == 2 and "does not match the extension '.svg'" in out.stderr
    assert not (tmp_path / "g.svg").exists()
    assert run_cli("graph", str(NHS), "-o", str(tmp_path / "g.xml")).returncode == 0
    assert "<graphml" in (tmp_path / "g.xml").read_text(encoding="utf-8")  # .xml is GraphML here
    out = run_cli("graph", str(NHS), "-o", str(tmp_path / "g"))
    assert out.returncode == 2 and "give --format" in out.stderr


def test_dash_as_output_is_standard_output_where_that_can_be(tmp_path: Path) -> None:
    out = run_cli("classify", str(NHS), "--format", "json", "-o", "-")
    assert out.returncode == 0 and json.loads(out.stdout)["recommendations"]
    assert not Path("-").exists()
    out = run_cli("graph", str(NHS), "--format", "dot", "-o", "-")
    assert out.returncode == 0 and out.stdout.startswith("digraph")
    out = run_cli("classify", str(NHS), "--format", "xlsx", "-o", "-")
    assert out.returncode == 2 and "cannot go to standard output" in out.stderr


def test_every_extension_names_a_format_some_command_writes() -> None:
    assert set(FORMAT_OF_EXTENSION.values()) >= {"json", "jsonl", "csv", "markdown", "text", "html"}


# --- every writer fails with one message and exit 2 ----------------------------------------

WRITERS = {
    "classify table": ["classify", str(NHS), "-o", "{out}.txt"],
    "classify json": ["classify", str(NHS), "-o", "{out}.json"],
    "classify jsonl": ["classify", str(NHS), "-o", "{out}.jsonl"],
    "classify markdown": ["classify", str(NHS), "-o", "{out}.md"],
    "classify csv": ["classify", str(NHS), "-o", "{out}.csv"],
    "classify xlsx": ["classify", str(NHS), "-o", "{out}.xlsx"],
    "whatif json": [
        "whatif",
        str(NHS),
        str(SCENARIOS / "joint_committees_2019.yaml"),
        "-o",
        "{out}.json",
    ],
    "whatif xlsx": [
        "whatif",
        str(NHS),
        str(SCENARIOS / "joint_committees_2019.yaml"),
        "-o",
        "{out}.xlsx",
    ],
    "sweep csv": [
        "sweep",
        str(NHS),
        str(SCENARIOS / "capability_sweep.yaml"),
        "--workers",
        "1",
        "-o",
        "{out}.csv",
    ],
    "convert yaml": ["convert", str(NHS), "-o", "{out}.yaml"],
    "convert xlsx": ["convert", str(NHS), "-o", "{out}.xlsx"],
    "convert csv": ["convert", str(NHS), "-o", "{out}.csv"],
    "template": ["template", "a,b", "-o", "{out}.xlsx"],
    "report": ["report", str(NHS), "--no-pictures", "-o", "{out}.html"],
    "graph": ["graph", str(NHS), "-o", "{out}.dot"],
    "init": ["init", "{out}.yaml"],
    "coverage junit": ["rules", "coverage", str(NHS), "--junit-xml", "{out}.xml"],
}


def _one_message(out: subprocess.CompletedProcess[str], *, where: str) -> None:
    assert out.returncode == 2, (where, out.stderr)
    stderr = out.stderr
    assert stderr.startswith("taxonomy: error: ") and stderr.count("\n") == 1, (where, stderr)
    assert "Traceback" not in stderr


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_every_writer_fails_with_one_message_and_exit_2(writer: str, tmp_path: Path) -> None:
    def run(out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
        return run_cli(*(a.replace("{out}", str(out)) for a in WRITERS[writer]), *extra)

    # No such folder.
    out = run(tmp_path / "missing" / "result")
    _one_message(out, where="missing folder")
    assert "does not exist" in out.stderr
    # A file where a folder should be.
    (tmp_path / "plain").write_text("x")
    out = run(tmp_path / "plain" / "result")
    _one_message(out, where="a file as folder")
    assert "is a file, not a folder" in out.stderr
    # A folder nothing can be written in (even by root).
    if Path("/proc/self").is_dir():
        out = run(Path("/proc/result"))
        _one_message(out, where="not writable")
        assert "cannot be written" in out.stderr
    # The output is a folder.
    suffix = Path(WRITERS[writer][-1]).suffix
    (tmp_path / f"dir{suffix}").mkdir()
    out = run(tmp_path / "dir", "--force")
    _one_message(out, where="a folder")
    assert "is a folder" in out.stderr
    # It exists, without --force; nothing is changed.
    existing = tmp_path / f"old{suffix}"
    existing.write_text("keep me")
    out = run(tmp_path / "old")
    _one_message(out, where="exists")
    assert "--force" in out.stderr and existing.read_text() == "keep me"


def test_a_csv_portfolio_checks_every_file_it_writes(tmp_path: Path) -> None:
    (tmp_path / "p.bodies.csv").mkdir()
    out = run_cli("convert", str(NHS), "-o", str(tmp_path / "p.csv"), "--force")
    _one_message(out, where="sibling folder")
    assert "p.bodies.csv: is a folder" in out.stderr
    (tmp_path / "p.bodies.csv").rmdir()
    (tmp_path / "p.law.csv").write_text("keep me")
    out = run_cli("convert", str(NHS), "-o", str(tmp_path / "p.csv"))
    _one_message(out, where="sibling exists")
    assert (tmp_path / "p.law.csv").read_text() == "keep me"
    assert not (tmp_path / "p.csv").exists()
    assert run_cli("convert", str(NHS), "-o", str(tmp_path / "p.csv"), "--force").returncode == 0
    assert taxonomy.load_portfolio(tmp_path / "p.csv") == taxonomy.load_portfolio(NHS)


def test_the_library_writers_raise_an_input_error_naming_the_file(tmp_path: Path) -> None:
    from taxonomy.input.spreadsheet import write_portfolio
    from taxonomy.render.workbook import write_results

    portfolio = taxonomy.load_portfolio(NHS)
    result = taxonomy.classify(portfolio)
    for name in ("r.csv", "r.xlsx"):
        with pytest.raises(taxonomy.InputError, match=f"missing/{name}: cannot be written"):
            write_results(result, tmp_path / "missing" / name)
    (tmp_path / "p.roles.csv").mkdir()
    with pytest.raises(taxonomy.InputError, match=r"p\.roles\.csv: is a folder"):
        write_portfolio(portfolio, tmp_path / "p.csv")


# --- tables: whatif's words, COLUMNS -------------------------------------------------------


def test_whatif_names_arrangements_as_classify_does(tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "name: Strategy duplication evidenced\nchanges:\n"
        "  - set: {function: strategy, field: efficiency.duplication, value: high}\n"
    )
    out = run_cli("whatif", str(NHS), str(scenario))
    assert out.returncode == 0, out.stderr
    assert "2 Aligned, separate" in out.stdout and "1 One team" in out.stdout
    assert "one_team" not in out.stdout and "functions delivered more than once" in out.stdout
    data = json.loads(run_cli("whatif", str(NHS), str(scenario), "--format", "json").stdout)
    change = data["scenarios"][0]["changes"][0]
    assert change["to"]["arrangement"] == "one_team"  # ids in JSON
    assert change["to"]["lead_status"] == _status(lead_words(None, change["to"]["tied"])) == "tie"


@pytest.mark.parametrize("columns", [60, 100, 160])
def test_columns_is_honoured_when_piped(columns: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    out = run_cli("classify", str(NWL))
    assert out.returncode == 0, out.stderr
    widths = {len(line) for line in out.stdout.splitlines() if line.startswith(("┏", "│", "└"))}
    assert widths == {columns}


@pytest.mark.parametrize("portfolio", [NHS, NWL], ids=["nhs", "nw-london"])
def test_no_id_wraps_mid_word_at_100_columns(
    portfolio: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    out = run_cli("classify", str(portfolio))
    cells: dict[int, list[str]] = {}
    for line in out.stdout.splitlines():
        if line.startswith("│"):
            for index, cell in enumerate(line.split("│")[1:-1]):
                cells.setdefault(index, []).append(cell.strip())
    result = taxonomy.classify(taxonomy.load_portfolio(portfolio))
    words = {w for column in (0, 3, 4) for cell in cells[column] for w in cell.split()}
    for rec in result:
        assert rec.function in words  # the whole id on one line
        for body in rec.lead_candidates:
            assert body in words or f"{body}," in words
        assert rec.explanation.decided_by.rule in words


# --- arrangements and levels equal their JSON names ----------------------------------------


def test_arrangements_and_levels_equal_their_json_names() -> None:
    result = taxonomy.classify(taxonomy.load_portfolio(NHS))
    from taxonomy.render.text import to_json

    data = json.loads(to_json(result))
    for rec, record in zip(result, data["recommendations"], strict=True):
        assert rec.arrangement == record["arrangement"]
        assert not ne(rec.arrangement, record["arrangement"])
    assert Arrangement.ALIGNED == "aligned" and Arrangement.ALIGNED != "one_team"
    assert Level.HIGH == "high" and Level.HIGH != "High" and Level.NONE != "none "
    # Hashing follows the name: counts keyed by members are found by the name.
    counts = Counter(rec.arrangement for rec in result)
    assert counts["one_team"] == counts[Arrangement.ONE_TEAM] > 0
    assert "aligned" in {Arrangement.ALIGNED} and {Level.LOW: 1}["low"] == 1
    # Ordering and numbers work as before.
    assert Arrangement.ONE_TEAM < Arrangement.SEPARATE_DISTINCT and Level.MEDIUM > Level.LOW
    assert max(Arrangement.ALIGNED, Arrangement.SEPARATE_INVOLVED) is Arrangement.SEPARATE_INVOLVED
    assert sorted([Level.HIGH, Level.NONE, Level.MEDIUM]) == ["none", "medium", "high"]
    assert Level.HIGH == 3 and Level(Level.LOW + 1) is Level.MEDIUM
    # A level is never an arrangement, though both are numbers.
    assert ne(Level.MEDIUM, Arrangement.ALIGNED) and not eq(Level.MEDIUM, Arrangement.ALIGNED)
    assert f"{Arrangement.SEPARATE_INVOLVED} {Level.LOW}" == "separate_involved low"


# --- CI: --fail-under and JUnit XML --------------------------------------------------------


def _junit(path: Path) -> tuple[ET.Element, list[ET.Element]]:
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert int(suite.get("tests", "-1")) == len(cases) == int(root.get("tests", "-1"))
    failed = [c for c in cases if c.find("failure") is not None]
    assert int(suite.get("failures", "-1")) == len(failed)
    for case in cases:
        assert case.get("classname") and case.get("name")
    return suite, failed


def test_rules_coverage_fail_under_and_junit_xml(tmp_path: Path) -> None:
    report = tmp_path / "coverage.xml"
    out = run_cli("rules", "coverage", str(NHS), "--fail-under", "90", "--junit-xml", str(report))
    assert out.returncode == 1
    # 14 of the 22 rules fire on the NHS example (the catch-all decision counts only where it
    # decides, which it does for no NHS function).
    assert "rule coverage 63.6% is below --fail-under 90%" in out.stderr.splitlines()[-1]
    suite, failed = _junit(report)
    pack = taxonomy.load_rules()
    assert len(suite.findall("testcase")) == len(pack.rules)
    coverage = json.loads(run_cli("rules", "coverage", str(NHS), "--format", "json").stdout)
    assert sorted(c.get("name", "") for c in failed) == coverage["never"]
    assert run_cli("rules", "coverage", str(NHS), "--fail-under", "60").returncode == 0
    assert run_cli("rules", "coverage", str(NHS)).returncode == 0  # report only by default
    # The report is not replaced without --force.
    out = run_cli("rules", "coverage", str(NHS), "--junit-xml", str(report))
    assert out.returncode == 2 and "--force" in out.stderr


@pytest.mark.slow  # each mutant is a pytest run: about 10 s on a quiet machine
@pytest.mark.usefixtures("plain_pytest_children")
def test_rules_mutate_fail_under_and_junit_xml(tmp_path: Path) -> None:
    folder = copy_pack(tmp_path, SMALL_PACK)
    original = taxonomy.load_rules(folder).hash
    weak = tmp_path / "test_weak.py"
    weak.write_text(
        f"import taxonomy\n\ndef test_loads():\n    taxonomy.load_rules({str(folder)!r})\n"
    )
    strict = tmp_path / "test_strict.py"
    strict.write_text(
        "import taxonomy\n\ndef test_same():\n"
        f"    assert taxonomy.load_rules({str(folder)!r}).hash == {original!r}\n"
    )
    report = tmp_path / "mutants.xml"
    args = ["rules", "mutate", str(folder), "--limit", "2", "--workers", "2"]
    out = run_cli(*args, "--tests", str(weak), "--fail-under", "50", "--junit-xml", str(report))
    assert out.returncode == 1
    assert out.stderr.splitlines()[-1] == (
        "taxonomy: error: mutation score 0.0% is below --fail-under 50%"
    )
    _, failed = _junit(report)  # written before the command fails
    message = failed[0].find("failure")
    assert len(failed) == 2 and message is not None
    assert "mutant survived" in message.get("message", "")
    report.unlink()
    out = run_cli(*args, "--tests", str(strict), "--fail-under", "100", "--junit-xml", str(report))
    assert out.returncode == 0, out.stderr
    suite, failed = _junit(report)
    assert failed == [] and len(suite.findall("testcase")) == 2


def test_junit_xml_escapes_what_it_quotes() -> None:
    from taxonomy.testing.junit import Case, junit_xml

    text = junit_xml("s <&>", [Case("c", 'n "1"', failure="a < b & c")])
    root = ET.fromstring(text.encode("utf-8"))
    assert root.get("name") == "s <&>"
    case = root.find("testsuite/testcase")
    assert case is not None and case.get("name") == 'n "1"'
    assert case.find("failure").text == "a < b & c"  # type: ignore[union-attr]


# --- stdin ----------------------------------------------------------------------------------


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))


@pytest.mark.parametrize(
    "args",
    [
        ["classify", "-", "--format", "json"],
        ["check", "-"],
        ["explain", "-", "it"],
        ["whatif", "-", str(SCENARIOS / "joint_committees_2019.yaml")],
        ["rules", "coverage", "-"],
    ],
)
def test_a_portfolio_can_come_from_stdin(args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, NHS.read_text(encoding="utf-8"))
    out = run_cli(*args)
    assert out.returncode == 0, out.stderr
    monkeypatch.setattr(sys, "stdin", io.StringIO(NHS.read_text(encoding="utf-8")))
    same = run_cli(*[str(NHS) if a == "-" else a for a in args])
    assert out.stdout == same.stdout


def test_json_on_stdin_and_errors_name_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    _stdin(monkeypatch, json.dumps(yaml.safe_load(NHS.read_text(encoding="utf-8")), default=str))
    out = run_cli("classify", "-", "--format", "json")
    assert out.returncode == 0, out.stderr
    _stdin(monkeypatch, "name: x\norganisations: [{id: a, name: A}]\n")
    out = run_cli("classify", "-")
    assert out.returncode == 2 and out.stderr.startswith("taxonomy: error: <stdin>:")


def test_scenarios_and_sweeps_can_come_from_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = SCENARIOS / "joint_committees_2019.yaml"
    _stdin(monkeypatch, scenario.read_text(encoding="utf-8"))
    out = run_cli("whatif", str(NHS), "-", "--format", "json")
    assert out.returncode == 0, out.stderr
    assert out.stdout == run_cli("whatif", str(NHS), str(scenario), "--format", "json").stdout
    _stdin(monkeypatch, "name: s\nchanges:\n  - set: {function: nope, field: notes, value: x}\n")
    out = run_cli("whatif", str(NHS), "-")
    assert out.returncode == 2 and "<stdin>" in out.stderr
    _stdin(monkeypatch, "grid: []\n")
    out = run_cli("sweep", str(NHS), "-")
    assert out.returncode == 2 and out.stderr.startswith("taxonomy: error: <stdin>")


def test_stdin_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, NHS.read_text(encoding="utf-8"))
    out = run_cli("whatif", "-", "-")
    assert out.returncode == 2 and "given twice" in out.stderr


def test_a_mutation_report_as_junit_xml(tmp_path: Path) -> None:
    from taxonomy.testing.mutation import MutationReport, mutants

    made = mutants(taxonomy.load_rules())[:3]
    report = MutationReport("p", ("tests",), (made[1],), (made[0],), ((made[2], "pytest exit 4"),))
    target = tmp_path / "m.xml"
    target.write_text(report.to_junit_xml(), encoding="utf-8")
    suite, failed = _junit(target)
    cases = suite.findall("testcase")
    assert [c.get("name", "").split()[0] for c in cases] == [m.id for m in made]
    assert [c.get("name", "").split()[0] for c in failed] == [made[0].id]
    errors = [c for c in cases if c.find("error") is not None]
    assert len(errors) == 1 and suite.get("errors") == "1"
    assert cases[0].get("classname") == f"p.{made[0].rule}"


def test_a_csv_portfolio_replaced_with_force_leaves_no_file_of_the_old_one(tmp_path: Path) -> None:
    """convert -o p.csv --force over a richer portfolio left its law, governance and abolition
    files beside the new one, and they were read back with it."""
    target = tmp_path / "p.csv"
    assert run_cli("convert", str(NHS), "-o", str(target)).returncode == 0
    starter = tmp_path / "start.yaml"
    assert run_cli("init", str(starter)).returncode == 0
    out = run_cli("convert", str(starter), "-o", str(target), "--force")
    assert out.returncode == 0, out.stderr
    assert taxonomy.load_portfolio(target) == taxonomy.load_portfolio(starter)


def test_a_writer_failing_names_the_users_file_not_the_temporary_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import taxonomy.render.workbook as workbook

    def failing(result: object, path: Path, *_: object, **__: object) -> None:
        raise taxonomy.PortfolioError("cannot be written: No space left on device", file=str(path))

    monkeypatch.setattr(workbook, "write_results", failing)
    target = tmp_path / "res.csv"
    out = run_cli("classify", str(NHS), "-o", str(target))
    assert out.returncode == 2
    assert f"{target}: cannot be written: No space left on device" in out.stderr
    assert ".res." not in out.stderr and not list(tmp_path.iterdir())  # nothing left behind
