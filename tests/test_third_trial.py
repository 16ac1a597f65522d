"""What a third new-user trial found, each held: a test per finding that failed before its fix."""

from __future__ import annotations

from pathlib import Path

from taxonomy.render.wording import agreeing
from tests.helpers import run_cli

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_a_jsonl_portfolio_with_independent_bodies_streams_as_it_is_read_whole(
    tmp_path: Path,
) -> None:
    """The first line's ``independent_bodies`` are read when streamed: the output is the whole's."""
    source = str(FIXTURES / "independent_panel.jsonl")
    whole = run_cli("-q", "classify", source, "--format", "jsonl")
    assert whole.returncode == 0, whole.stderr
    out = tmp_path / "out.jsonl"
    streamed = run_cli("-q", "classify", source, "--format", "jsonl", "-o", str(out))
    assert streamed.returncode == 0, streamed.stderr
    assert out.read_text(encoding="utf-8") == whole.stdout
    assert "Blueshire Independent Ethics Panel (outside the joint working)" in whole.stdout


def test_an_outside_body_named_in_involves_is_one_message_quoting_its_id() -> None:
    """Naming the panel a function stays independent of: not also 'not one of the organisations'."""
    result = run_cli("classify", str(FIXTURES / "independent_panel_involved.yaml"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "key 'involves': 'ethics' is a body the function must stay independent of" in lines[0]


def test_a_function_independent_of_two_bodies_reads_with_them() -> None:
    """The prose's pronoun agrees with the bodies a function stays independent of."""
    source = str(FIXTURES / "independent_panel_blueshire.yaml")
    result = run_cli("classify", source, "--format", "markdown")
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())
    two = "Blueshire Independent Ethics Panel (outside the joint working) and Blueshire Police"
    assert f"{two}, so it is never one team or aligned with them" in text


def test_one_body_stays_it_and_the_function_stays_it() -> None:
    """Only a clause-ending pronoun after a placeholder of several values changes."""
    template = "independent of {a}, so it is never one team or aligned with it"
    assert agreeing(template, set()) == template
    assert agreeing(template, {"b"}) == template
    assert agreeing(template, {"a"}).endswith("so it is never one team or aligned with them")


def test_a_post_reporting_to_itself_is_refused_at_load(tmp_path: Path) -> None:
    """Not only ``check`` (reaches-board): the read refuses it, naming the post and the key."""
    source = FIXTURES / "post_reports_to_itself.yaml"
    result = run_cli("classify", str(source))
    assert result.returncode == 2
    assert "role 'stds-head': key 'reports_to': 'stds-head' is this post itself" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    # A mistyped id: the ids allowed do not offer the post itself.
    typo = tmp_path / "typo.yaml"
    text = source.read_text(encoding="utf-8")
    typo.write_text(text.replace("reports_to: [stds-head]", "reports_to: [stds-hea]"), "utf-8")
    result = run_cli("classify", str(typo))
    assert result.returncode == 2
    assert "'stds-hea' is not one of" in result.stderr
    assert "stds-head" not in result.stderr.split("allowed:")[1]


def test_the_governance_documents_say_a_function_stays_independent_of_the_outside_panel() -> None:
    """Each line of the function says so, citing its key and the panel's declared source."""
    source = str(FIXTURES / "independent_panel_blueshire.yaml")
    result = run_cli("governance", source)
    assert result.returncode == 0, result.stderr
    said = "must stay independent of Blueshire Independent Ethics Panel (outside the joint working)"
    lines = [line for line in result.stdout.splitlines() if said in line]
    # Professional standards in the police's and fire's schemes, complaints review in the PCC's.
    assert [line.split(" | ")[0] for line in lines] == [
        "| Professional standards",
        "| Professional standards",
        "| Complaints review",
    ]
    assert (
        "`independent_bodies[ethics]` (portfolio): Blueshire Independent Ethics Panel: "
        "its terms of reference 2021" in result.stdout
    )
    assert "`functions[complaints-review].legal.independence_from`" in result.stdout


def test_a_duplicate_function_id_in_jsonl_names_the_line_of_its_first_use(tmp_path: Path) -> None:
    """Streamed and read whole: the message says where the id is first used."""
    source = str(FIXTURES / "duplicate_function.jsonl")
    said = (
        "duplicate_function.jsonl:5: function 'estates': key 'id': this id is used by another "
        "function (first at line 2)"
    )
    whole = run_cli("classify", source, "--format", "jsonl")
    streamed = run_cli("classify", source, "--format", "jsonl", "-o", str(tmp_path / "o.jsonl"))
    for result in (whole, streamed):
        assert result.returncode == 2
        assert said in result.stderr, result.stderr


def test_a_duplicate_function_id_in_csv_and_yaml_names_where_it_is_first_used(
    tmp_path: Path,
) -> None:
    """A CSV names the row of the first use, a YAML its line."""
    converted = run_cli(
        "-q",
        "convert",
        str(FIXTURES / "independent_panel_blueshire.yaml"),
        "-o",
        str(tmp_path / "p.csv"),
    )
    assert converted.returncode == 0, converted.stderr
    rows = (tmp_path / "p.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    rows[3] = rows[3].replace("complaints-review,", "estates,", 1)
    (tmp_path / "p.csv").write_text("".join(rows), encoding="utf-8")
    for extra in ((), ("-o", str(tmp_path / "o.jsonl"))):
        result = run_cli("classify", str(tmp_path / "p.csv"), "--format", "jsonl", *extra)
        assert result.returncode == 2
        assert (
            "row 4, column 'id': function 'estates': this id is used by another function "
            "(first at row 2)" in result.stderr
        ), result.stderr
    text = (FIXTURES / "independent_panel_blueshire.yaml").read_text(encoding="utf-8")
    yaml = tmp_path / "p.yaml"
    yaml.write_text(text.replace("id: complaints-review", "id: estates"), encoding="utf-8")
    result = run_cli("classify", str(yaml))
    assert result.returncode == 2
    first = next(n for n, line in enumerate(text.splitlines(), 1) if "id: estates" in line)
    assert f"this id is used by another function (first at line {first})" in result.stderr
