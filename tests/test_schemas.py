"""The JSON Schemas: every shipped file and every JSON output of the CLI validates against its
schema, and what the loaders refuse the schemas refuse too."""

from __future__ import annotations

import copy
import datetime
import functools
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from taxonomy.errors import InputError
from taxonomy.input.portfolio import portfolio_from_data, portfolio_to_data
from taxonomy.language.rules import load_rules
from taxonomy.schemas import INPUTS, KINDS, OUTPUTS, STAMP_KEY, schema, schema_id, schema_text
from taxonomy.testing.strategies import portfolios
from taxonomy.whatif.scenarios import scenario_from_data
from tests.conftest import COUNCILS, COUNCILS_PACK, EXAMPLES, NHS, NWL, ROOT, RULES
from tests.helpers import minimal_pack
from tests.helpers import run_cli as run

jsonschema = pytest.importorskip("jsonschema")

SCENARIOS = EXAMPLES / "scenarios"
SWEEPS = [p for p in sorted(SCENARIOS.glob("*.yaml")) if "grid" in p.read_text(encoding="utf-8")]
SCENARIO_FILES = [p for p in sorted(SCENARIOS.glob("*.yaml")) if p not in SWEEPS]
#: The pack each shipped portfolio is written for (None: the default pack).
PORTFOLIOS = {
    NHS: None,
    NWL: None,
    COUNCILS: COUNCILS_PACK,
    EXAMPLES / "delegated_commissioning.yaml": None,
}
NHS_UNKNOWN = EXAMPLES / "nhs_joint_working_2018_unknown.yaml"


def _plain(value: Any) -> Any:
    """YAML as an editor's language server sees it: a date is the text written."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _yaml(path: Path) -> Any:
    return _plain(yaml.safe_load(path.read_text(encoding="utf-8")))


@functools.cache
def _validator(kind: str, rules: Path | None = None) -> Any:
    found = schema(kind, rules=rules)
    jsonschema.Draft202012Validator.check_schema(found)
    return jsonschema.Draft202012Validator(found)


def _errors(kind: str, data: Any, rules: Path | None = None) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
        for e in _validator(kind, rules).iter_errors(data)
    ]


# --- the schemas themselves ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_each_schema_is_valid_draft_2020_12_with_an_id_and_a_version(kind: str) -> None:
    found = schema(kind)
    jsonschema.Draft202012Validator.check_schema(found)
    assert found["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert found["$id"] == schema_id(kind) == f"urn:taxonomy:schema:{kind}:1"
    assert found["x-taxonomy-schema-version"] == 1


def test_unknown_kind_is_refused_with_a_suggestion() -> None:
    with pytest.raises(ValueError, match="did you mean 'portfolio'"):
        schema("portfolo")


def test_portfolio_schema_follows_the_packs_declared_questions() -> None:
    default = schema("portfolio")
    councils = schema("portfolio", rules=COUNCILS_PACK)
    assert councils["$id"] == "urn:taxonomy:schema:portfolio:1:pack:councils-shared-services:1.0.0"
    legal = councils["properties"]["functions"]["items"]["properties"]["legal"]["anyOf"][0]
    control = legal["properties"]["democratic_control"]
    # The fact's meaning is the help an editor shows; its levels are the completions.
    assert control["description"].startswith("Q3: how far each council's elected members")
    # A level may also be left open: unknown is offered beside the levels.
    assert control["anyOf"][0]["enum"] == ["none", "low", "medium", "high", "unknown"]
    host = legal["properties"]["host_employer"]
    assert host["description"].startswith("Q3: the council that employs the shared staff")
    assert host["pattern"] == councils["$defs"]["id"]["pattern"]
    assert legal["additionalProperties"] is False
    default_legal = default["properties"]["functions"]["items"]["properties"]["legal"]["anyOf"][0]
    assert "democratic_control" not in default_legal["properties"]
    # The pack's tiers are the values a function's level may take.
    level = default["properties"]["functions"]["items"]["properties"]["level"]
    assert level["enum"] == list(load_rules().tiers() or ())


def test_schema_text_is_the_same_bytes_every_time() -> None:
    for kind in KINDS:
        assert schema_text(kind) == schema_text(kind)
        assert json.loads(schema_text(kind)) == schema(kind)


# --- every shipped file validates -------------------------------------------------------------


@pytest.mark.parametrize("path", list(PORTFOLIOS), ids=lambda p: p.name)
def test_shipped_portfolios_validate(path: Path) -> None:
    assert _errors("portfolio", _yaml(path), PORTFOLIOS[path]) == []


def test_a_portfolio_written_for_another_pack_is_refused_under_the_default_one() -> None:
    """As the loader refuses it: the default pack declares no legal.democratic_control."""
    errors = _errors("portfolio", _yaml(COUNCILS))
    assert errors and all(e.startswith("functions/") for e in errors)
    with pytest.raises(InputError, match=r"democratic_control|host_employer"):
        # The default pack given: it overrides the pack the file names (rules: packs/councils).
        portfolio_from_data(
            yaml.safe_load(COUNCILS.read_text(encoding="utf-8")), rules=load_rules()
        )


@pytest.mark.parametrize(
    "path",
    [*sorted(RULES.glob("*.yaml")), *sorted((EXAMPLES / "packs").glob("*/*.yaml"))],
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_shipped_rule_packs_validate(path: Path) -> None:
    kind = "pack" if path.name == "pack.yaml" else "rules"
    assert _errors(kind, _yaml(path)) == []


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_shipped_scenarios_validate(path: Path) -> None:
    assert _errors("scenario", _yaml(path)) == []


@pytest.mark.parametrize("path", SWEEPS, ids=lambda p: p.name)
def test_shipped_sweeps_validate(path: Path) -> None:
    assert _errors("sweep", _yaml(path)) == []


@pytest.mark.parametrize(
    "path", sorted((ROOT / "tests" / "expectations").glob("*.yaml")), ids=lambda p: p.name
)
def test_shipped_expectation_files_validate(path: Path) -> None:
    assert _errors("expectations", _yaml(path)) == []


def test_what_init_and_rules_init_write_validates(tmp_path: Path) -> None:
    """The starter portfolio and the starter pack are files a user goes on to edit: they validate
    as written, comments and all (the starter portfolio under the starter pack too)."""
    portfolio, pack = tmp_path / "portfolio.yaml", tmp_path / "pack"
    assert run("init", str(portfolio)).returncode == 0
    assert run("rules", "init", str(pack)).returncode == 0
    assert _errors("portfolio", _yaml(portfolio)) == []
    assert _errors("portfolio", _yaml(portfolio), pack) == []
    for path in sorted(pack.glob("*.yaml")):
        kind = "pack" if path.name == "pack.yaml" else "rules"
        assert _errors(kind, _yaml(path)) == [], path.name


def test_every_shipped_file_kind_is_covered() -> None:
    assert SWEEPS and SCENARIO_FILES
    assert set(INPUTS) == {"portfolio", "pack", "rules", "scenario", "sweep", "expectations"}


# --- what the loaders refuse, the schemas refuse ------------------------------------------------


def _function(data: dict[str, Any]) -> dict[str, Any]:
    fn: dict[str, Any] = data["functions"][0]
    return fn


PORTFOLIO_MISTAKES: dict[str, Callable[[dict[str, Any]], None]] = {
    "unknown top key": lambda d: d.update(organisation=[]),
    "unknown function key": lambda d: _function(d).update(wehn="x"),
    "bad level": lambda d: _function(d)["efficiency"].update(duplication="hihg"),
    "bad capability level": lambda d: _function(d)["capability"].update(
        {next(iter(_function(d)["capability"])): "very"}
    ),
    "missing answer": lambda d: _function(d)["effectiveness"].pop("joint_benefit"),
    "missing function key": lambda d: _function(d).pop("performed_by"),
    "unknown legal key": lambda d: _function(d).update(legal={"statutory_onwer": "nhse"}),
    "bad delegation limit": lambda d: _function(d).update(legal={"not_delegable_to": ["the_moon"]}),
    "board_reserved not true/false": lambda d: _function(d).update(legal={"board_reserved": "yes"}),
    "bad id": lambda d: _function(d).update(id="Has Spaces"),
    "an id written as a number": lambda d: d["organisations"][0].update(id=10),
    "bad tier": lambda d: _function(d).update(level="galactic"),
    "one organisation": lambda d: d.update(organisations=d["organisations"][:1]),
    "performed by nobody": lambda d: _function(d).update(performed_by=[]),
    "performed twice by one body": lambda d: _function(d).update(
        performed_by=[_function(d)["performed_by"][0]] * 2
    ),
    "no functions": lambda d: d.update(functions=[]),
    "empty name": lambda d: d.update(name="  "),
    "unknown organisation key": lambda d: d["organisations"][0].update(board="x"),
    "bad law": lambda d: d.update(law={"joint_committee": True}),
    # Read before as a joint body of nobody, which the spreadsheet cannot write and the YAML
    # written back (members left out, being empty) could not be read again.
    "a joint body of no members": lambda d: d.update(
        governance={
            "bodies": [{"id": "jc", "name": "JC", "kind": "joint_committee", "members": []}]
        }
    ),
    "a joint body whose members are left empty": lambda d: d.update(
        governance={
            "bodies": [{"id": "jc", "name": "JC", "kind": "joint_committee", "members": None}]
        }
    ),
    "bad joint body kind": lambda d: d.update(
        governance={
            "bodies": [{"id": "jc", "name": "JC", "kind": "club", "members": ["nhse", "nhsi"]}]
        }
    ),
}


@pytest.mark.parametrize("mistake", list(PORTFOLIO_MISTAKES))
def test_portfolio_mistakes_are_refused_by_schema_and_loader_alike(mistake: str) -> None:
    data = copy.deepcopy(yaml.safe_load(NHS.read_text(encoding="utf-8")))
    data.pop("law", None)  # a dated law names the bodies; keep the mistakes on their own
    PORTFOLIO_MISTAKES[mistake](data)
    with pytest.raises(InputError):
        portfolio_from_data(data)
    assert _errors("portfolio", _plain(data)), f"the schema accepts: {mistake}"


@pytest.mark.parametrize("nothing", [None, []])
def test_a_provision_abolishing_nothing_needs_no_first_day_in_the_schema_either(
    nothing: list[Any] | None,
) -> None:
    # The loader reads `abolishes:` left empty as no abolition, which needs no 'from' day; the
    # schema required one wherever the key was written, refusing a file the loader reads.
    data = copy.deepcopy(yaml.safe_load(NHS.read_text(encoding="utf-8")))
    data["law"] = [
        {"id": "always", "joint_committees": True, "abolishes": nothing, "source": "an act"}
    ]
    assert portfolio_from_data(data).law.provisions[0].abolishes == ()
    assert _errors("portfolio", _plain(data)) == []
    data["law"][0]["abolishes"] = [{"body": "nhsi", "into": "nhse"}]
    with pytest.raises(InputError, match="an abolition is permanent"):
        portfolio_from_data(data)
    assert _errors("portfolio", _plain(data)), "the schema accepts an abolition with no 'from'"


def test_the_unknown_example_gives_open_and_decided_recommendations_the_schema_accepts() -> None:
    data = json.loads(run("classify", str(NHS_UNKNOWN), "--format", "json").stdout)
    recs = data["recommendations"]
    assert {r["decided"] for r in recs} == {True, False}
    assert _errors("classification", data) == []
    # An open one with an arrangement, or a decided one without, is refused.
    wrong = copy.deepcopy(data)
    opened = next(r for r in wrong["recommendations"] if not r["decided"])
    opened["arrangement"] = "one_team"
    closed = next(r for r in wrong["recommendations"] if r["decided"])
    closed["arrangement"] = None
    found = _errors("classification", wrong)
    assert any("one_team" in e for e in found) and any("None" in e for e in found), found


OPEN_ANSWERS: dict[str, tuple[str, Any, bool]] = {
    # what is written: (key under the function, value, whether schema and loader accept it)
    "unknown level": ("efficiency.duplication", "unknown", True),
    "range of levels": ("efficiency.duplication", "low..high", True),
    "list of levels": ("effectiveness.joint_benefit", ["low", "high"], True),
    "unknown capability": ("capability.nhse", "unknown", True),
    "range of capabilities": ("capability.nhsi", "medium..high", True),
    "not a level in a range": ("efficiency.duplication", "low..huge", False),
    "empty list": ("efficiency.simplification", [], False),
    "a level twice": ("efficiency.simplification", ["low", "low"], False),
}


@pytest.mark.parametrize("case", list(OPEN_ANSWERS))
def test_open_answers_are_read_alike_by_schema_and_loader(case: str) -> None:
    key, value, accepted = OPEN_ANSWERS[case]
    data = copy.deepcopy(yaml.safe_load(NHS.read_text(encoding="utf-8")))
    question, answer = key.split(".")
    data["functions"][0][question][answer] = value
    errors = _errors("portfolio", _plain(data))
    if accepted:
        portfolio_from_data(data)
        assert errors == []
    else:
        with pytest.raises(InputError):
            portfolio_from_data(data)
        assert errors, f"the schema accepts: {case}"


def test_a_fact_declared_known_required_may_not_be_left_open(tmp_path: Path) -> None:
    data = yaml.safe_load(COUNCILS.read_text(encoding="utf-8"))
    fn = next(f for f in data["functions"] if "democratic_control" in (f.get("legal") or {}))
    fn["legal"]["democratic_control"] = "low..high"
    assert _errors("portfolio", _plain(data), COUNCILS_PACK) == []
    portfolio_from_data(data, rules=load_rules(COUNCILS_PACK))
    # The same pack declaring the fact known: required refuses it, schema and loader alike.
    pack = tmp_path / "councils"
    shutil.copytree(COUNCILS_PACK, pack)
    questions = pack / "questions.yaml"
    text = questions.read_text(encoding="utf-8")
    declared = "  - name: legal.democratic_control\n    type: level\n"
    assert declared in text
    questions.write_text(text.replace(declared, declared + "    known: required\n"))
    rules = yaml.safe_load(questions.read_text(encoding="utf-8"))
    assert _errors("rules", {"facts": rules["facts"]}) == []
    assert _errors("portfolio", _plain(data), pack)
    with pytest.raises(InputError, match="known: required"):
        portfolio_from_data(data, rules=load_rules(pack))
    fact = next(f for f in rules["facts"] if f["name"] == "legal.democratic_control")
    assert _errors("rules", {"facts": [{**fact, "known": "yes"}]})


def test_a_declared_question_is_checked_against_its_type() -> None:
    data = yaml.safe_load(COUNCILS.read_text(encoding="utf-8"))
    pack = load_rules(COUNCILS_PACK)
    assert _errors("portfolio", _plain(data), COUNCILS_PACK) == []
    fn = next(f for f in data["functions"] if "democratic_control" in (f.get("legal") or {}))
    fn["legal"]["democratic_control"] = "total"
    with pytest.raises(InputError, match="not a level"):
        portfolio_from_data(data, rules=pack)
    assert any("democratic_control" in e for e in _errors("portfolio", _plain(data), COUNCILS_PACK))


def test_the_documented_minimal_portfolio_validates_and_loads() -> None:
    data = {
        "name": "Two councils",
        "organisations": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}],
        "functions": [
            {
                "id": "payroll",
                "name": "Payroll",
                "level": "local",
                "performed_by": ["a", "b"],
                "efficiency": {"duplication": "high", "simplification": "medium"},
                "effectiveness": {"joint_benefit": "medium"},
                "legal": None,
                "capability": {"a": "high", "b": "low"},
            }
        ],
    }
    assert _errors("portfolio", data) == []
    assert portfolio_from_data(data).functions[0].id == "payroll"


RULE_FILE_MISTAKES: dict[str, dict[str, Any]] = {
    "unknown rule key": {"wehn": {"fact": "x", "op": "present"}},
    "bad question": {"question": "finance"},
    "bad principle": {"principles": ["speedy"]},
    "bad operator": {"when": {"fact": "efficiency.duplication", "op": "~", "value": "high"}},
    "present with a value": {"when": {"fact": "agreed_lead", "op": "present", "value": 1}},
    "a comparison without a value": {"when": {"fact": "efficiency.duplication", "op": ">="}},
    "bad arrangement": {"then": {"decide": "merged"}},
    "empty then": {"then": {}},
    "a finding without a value": {"then": {"finding": "efficiency"}},
}


@pytest.mark.parametrize("mistake", list(RULE_FILE_MISTAKES))
def test_rule_file_mistakes_are_refused_by_schema_and_loader_alike(
    mistake: str, tmp_path: Path
) -> None:
    rule = {
        "id": "test.rule",
        "question": "decision",
        "when": {"fact": "efficiency.duplication", "op": ">=", "value": "high"},
        "then": {"decide": "one_team"},
        "because": "a reason",
        "principles": ["simple"],
        "source": "a paper",
    }
    assert _errors("rules", {"rules": [rule]}) == []
    bad = {**rule, **RULE_FILE_MISTAKES[mistake]}
    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "pack.yaml").write_text("name: t\nversion: '1'\n", encoding="utf-8")
    (folder / "rules.yaml").write_text(yaml.safe_dump({"rules": [bad]}), encoding="utf-8")
    with pytest.raises(InputError):
        load_rules(folder)
    assert _errors("rules", {"rules": [bad]}), f"the schema accepts: {mistake}"


def test_pack_yaml_mistakes_are_refused() -> None:
    good = _yaml(COUNCILS_PACK / "pack.yaml")
    assert _errors("pack", good) == []
    assert _errors("pack", {**good, "extend": good["extends"]})
    assert _errors("pack", {**good, "vocabulary": {"governing_bdy": "Cabinet"}})
    assert _errors("pack", {k: v for k, v in good.items() if k != "version"})


SCENARIO_MISTAKES: dict[str, dict[str, Any]] = {
    "unknown change": {"merg": {"into": "nhse", "from": ["nhsi"]}},
    "two keys in a change": {"law": {"joint_committees": True}, "set": {}},
    "set without a selector": {"set": {"field": "efficiency.duplication", "value": "high"}},
    "set with two selectors": {
        "set": {"function": "pricing", "functions": "*", "field": "notes", "value": "x"}
    },
    "bad level": {"set": {"functions": "*", "field": "efficiency.duplication", "value": "hihg"}},
    "unknown field": {"set": {"functions": "*", "field": "finance.cost", "value": "high"}},
    "law not true/false": {"law": {"joint_committees": "yes"}},
    "functions not *": {"set": {"functions": "all", "field": "notes", "value": "x"}},
}


@pytest.mark.parametrize("mistake", list(SCENARIO_MISTAKES))
def test_scenario_mistakes_are_refused_by_schema_and_loader_alike(mistake: str) -> None:
    data = {"name": "s", "changes": [SCENARIO_MISTAKES[mistake]]}
    with pytest.raises(InputError):
        scenario_from_data(data)
    assert _errors("scenario", data), f"the schema accepts: {mistake}"


def test_sweep_and_expectation_mistakes_are_refused(tmp_path: Path) -> None:
    from taxonomy.testing.expectations import load_expectations
    from taxonomy.whatif.sweep import load_sweep

    sweep = _yaml(SWEEPS[0])
    for bad in (
        {**sweep, "sample": {"size": 0}},
        {**sweep, "grid": [{"law": "joint_committees", "values": ["yes"]}]},
        {**sweep, "grid": [{"functions": "*", "field": "efficiency.duplication", "values": []}]},
        {**sweep, "grids": sweep["grid"]},
    ):
        file = tmp_path / "bad.sweep.yaml"
        file.write_text(yaml.safe_dump(bad), encoding="utf-8")
        with pytest.raises(InputError):
            load_sweep(file)
        assert _errors("sweep", bad)
    expected = _yaml(ROOT / "tests" / "expectations" / "nhs_paper_2018.expect.yaml")
    for case in (
        {"function": "x", "arrangement": "merged"},
        {"function": "x", "arangement": "aligned"},
    ):
        bad = {**expected, "cases": [case]}
        file = tmp_path / "bad.expect.yaml"
        file.write_text(yaml.safe_dump(bad), encoding="utf-8")
        with pytest.raises(InputError):
            load_expectations(file)
        assert _errors("expectations", bad)


# --- every JSON output of the CLI validates, and names its schema -----------------------------

OUTPUT_RUNS: list[tuple[str, tuple[str, ...]]] = [
    *[("classification", ("classify", str(p), "--format", "json")) for p in (NHS, NWL)],
    (
        "classification",
        ("classify", str(COUNCILS), "--rules", str(COUNCILS_PACK), "--format", "json"),
    ),
    # On a day the law leaves one body, the output says so, in the classification's schema.
    ("classification", ("classify", str(NWL), "--as-of", "2022-08-01", "--format", "json")),
    *[("classification-jsonl", ("classify", str(p), "--format", "jsonl")) for p in (NHS, NWL)],
    ("classification-jsonl", ("classify", str(NWL), "--as-of", "2022-08-01", "--format", "jsonl")),
    ("explain", ("explain", str(NHS), "pricing", "--format", "json")),
    # Answers left unknown: open recommendations (null arrangement, possible, open_questions).
    ("classification", ("classify", str(NHS_UNKNOWN), "--format", "json")),
    ("classification-jsonl", ("classify", str(NHS_UNKNOWN), "--format", "jsonl")),
    ("explain", ("explain", str(NHS_UNKNOWN), "it", "--format", "json")),
    ("explain", ("explain", str(NHS_UNKNOWN), "regional-teams", "--format", "json")),
    (
        "explain",
        (
            "explain",
            str(COUNCILS),
            "internal-audit",
            "--rules",
            str(COUNCILS_PACK),
            "--format",
            "json",
        ),
    ),
    ("why-not", ("explain", str(NHS), "pricing", "--why-not", "one_team", "--format", "json")),
    *[("governance", ("governance", str(p), "--format", "json")) for p in (NHS, NWL, NHS_UNKNOWN)],
    (
        "whatif",
        (
            "whatif",
            str(NHS),
            str(SCENARIOS / "joint_committees_2019.yaml"),
            str(SCENARIOS / "health_and_care_act_2022.yaml"),
            "--format",
            "json",
        ),
    ),
    (
        "whatif",
        ("whatif", str(NWL), str(SCENARIOS / "nwl_single_ccg_2021.yaml"), "--format", "json"),
    ),
    ("check", ("check", str(NHS), "--format", "json")),
    ("check", ("check", str(NWL), "--format", "json")),
    ("rules-list", ("rules", "list", "--format", "json")),
    ("rules-list", ("rules", "list", str(COUNCILS_PACK), "--format", "json")),
    ("rules-coverage", ("rules", "coverage", str(NHS), str(NWL), "--format", "json")),
]


def _lines(kind: str, text: str) -> list[Any]:
    if kind == "classification-jsonl":
        return [json.loads(line) for line in text.splitlines()]
    return [json.loads(text)]


@pytest.mark.parametrize(
    ("kind", "args"),
    OUTPUT_RUNS,
    ids=[f"{k}:{' '.join(a[:2])}:{i}" for i, (k, a) in enumerate(OUTPUT_RUNS)],
)
def test_cli_json_outputs_validate_and_name_their_schema(kind: str, args: tuple[str, ...]) -> None:
    out = run(*args)
    assert out.returncode in (0, 1), out.stderr  # check exits 1 with error findings
    docs = _lines(kind, out.stdout)
    for number, doc in enumerate(docs):
        # Recommendations on the lines after a JSON lines header are described by its schema.
        named = docs[0][STAMP_KEY] if kind == "classification-jsonl" else doc[STAMP_KEY]
        assert named in (schema_id(kind), schema_id("classification")), named
        assert _errors(kind, doc) == [], f"line {number + 1}"
    if kind == "classification-jsonl" and "single_body" not in docs[0]:
        assert docs[0][STAMP_KEY] == schema_id("classification-jsonl")
        assert len(docs) > 1 and all(STAMP_KEY not in d for d in docs[1:])


def test_graph_json_validates(tmp_path: Path) -> None:
    target = tmp_path / "g.json"
    out = run("graph", str(NHS), "-o", str(target))
    assert out.returncode == 0, out.stderr
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data[STAMP_KEY] == schema_id("graph")
    assert _errors("graph", data) == []
    # The stamp is one more top-level key: networkx still reads the node-link data.
    import networkx as nx

    assert nx.node_link_graph(data, edges="links").number_of_nodes() == len(data["nodes"])


MINI_PACK_RULES = """
rules:
  - id: decision.high
    question: decision
    when: {fact: efficiency.duplication, op: ">=", value: high}
    then: {decide: one_team}
    because: much duplication
    principles: [simple]
    source: a test
"""


def test_rules_check_json_validates_with_its_issues(tmp_path: Path) -> None:
    """A pack with a gap (no decision below high duplication), so the issues are checked too."""
    folder = minimal_pack(tmp_path, MINI_PACK_RULES)
    out = run("rules", "check", str(folder), "--format", "json")
    data = json.loads(out.stdout)
    assert data[STAMP_KEY] == schema_id("rules-check") and data["issues"]
    assert _errors("rules-check", data) == []


@pytest.mark.slow
def test_rules_check_json_of_the_shipped_pack_validates() -> None:
    out = run("rules", "check", "--format", "json")
    assert out.returncode == 0, out.stderr
    assert _errors("rules-check", json.loads(out.stdout)) == []


@pytest.mark.slow
@pytest.mark.usefixtures("plain_pytest_children")
def test_rules_mutate_json_validates() -> None:
    tests = str(ROOT / "tests" / "expectations" / "capability.expect.yaml")
    out = run("rules", "mutate", "--tests", tests, "--limit", "2", "--format", "json")
    assert out.returncode == 0, out.stderr  # survivors alone do not fail it (no --fail-under)
    data = json.loads(out.stdout)
    assert data["mutants"] == 2 and data["errors"] == []
    assert data[STAMP_KEY] == schema_id("rules-mutate")
    assert _errors("rules-mutate", data) == []


def test_json_errors_validate_and_name_their_schema(tmp_path: Path) -> None:
    """A failing command given --format json writes its error, every problem, as the schema says."""
    bad = tmp_path / "bad.yaml"
    text = NHS.read_text(encoding="utf-8")
    bad.write_text(text.replace("duplication: high", "duplication: hihg", 2), encoding="utf-8")
    for args in (
        ("classify", str(bad), "--format", "json"),
        ("explain", str(NHS), "no-such-function", "--format", "json"),
    ):
        out = run(*args)
        assert out.returncode == 2, out.stderr
        data = json.loads(out.stderr)
        assert data[STAMP_KEY] == schema_id("error")
        assert _errors("error", data) == []
        assert data["error"]["problems"], data
    error = json.loads(run("classify", str(bad), "--format", "json").stderr)["error"]
    assert len(error["problems"]) == error["total"] == 2
    # A command that ran but falls below its threshold fails in JSON too (exit 1).
    out = run("rules", "coverage", str(NHS), "--format", "json", "--fail-under", "99")
    assert out.returncode == 1
    data = json.loads(out.stderr)
    assert data["error"]["kind"] == "threshold" and _errors("error", data) == []


def test_every_output_kind_is_exercised() -> None:
    exercised = {k for k, _ in OUTPUT_RUNS} | {"graph", "rules-check", "rules-mutate", "error"}
    assert exercised == set(OUTPUTS)


def test_an_output_missing_a_promised_key_is_refused() -> None:
    out = run("classify", str(NHS), "--format", "json")
    data = json.loads(out.stdout)
    assert _errors("classification", data) == []
    assert _errors("classification", {k: v for k, v in data.items() if k != "rule_pack"})
    wrong = copy.deepcopy(data)
    wrong["recommendations"][0]["arrangement"] = "merged"
    assert _errors("classification", wrong)
    assert _errors("classification", {**data, STAMP_KEY: schema_id("whatif")})


# --- the schema command ---------------------------------------------------------------------


def test_schema_command_lists_every_kind() -> None:
    for args in (("schema",), ("schema", "--list")):
        out = run(*args)
        assert out.returncode == 0, out.stderr
        assert [line.split()[0] for line in out.stdout.splitlines()] == list(KINDS)


def test_schema_command_prints_and_writes_the_schema(tmp_path: Path) -> None:
    out = run("schema", "portfolio", "--rules", str(COUNCILS_PACK))
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == schema("portfolio", rules=COUNCILS_PACK)
    target = tmp_path / "portfolio.schema.json"
    written = run("schema", "whatif", "-o", str(target))
    assert written.returncode == 0, written.stderr
    assert target.read_text(encoding="utf-8") == schema_text("whatif")
    again = run("schema", "whatif", "-o", str(target))
    assert again.returncode == 2 and "--force" in again.stderr


def test_schema_command_refuses_an_unknown_kind() -> None:
    out = run("schema", "portfolo")
    assert out.returncode == 2
    assert "did you mean 'portfolio'" in out.stderr and "Traceback" not in out.stderr


def test_every_public_name_has_a_docstring() -> None:
    import taxonomy.schemas as module

    assert module.__doc__
    for name in module.__all__:
        obj = getattr(module, name)
        if callable(obj):
            assert obj.__doc__, name


# --- whatever the loaders accept, the schemas accept ------------------------------------------


@given(data=st.data())
def test_generated_portfolios_validate_for_their_pack(data: st.DataObject) -> None:
    """Valid portfolios (the public strategy), written as files are, pass the pack's schema."""
    folder = data.draw(st.sampled_from([None, COUNCILS_PACK]))
    portfolio = data.draw(portfolios(rules=_pack(folder), max_functions=3))
    written = _plain(portfolio_to_data(portfolio))
    assert _errors("portfolio", written, folder) == []
    portfolio_from_data(written, rules=_pack(folder))  # and the loader reads it


@functools.cache
def _pack(folder: Path | None) -> Any:
    return load_rules(folder)


def test_schemas_are_the_same_bytes_across_hash_seeds() -> None:
    outputs = {
        run("schema", "portfolio", "--rules", str(COUNCILS_PACK), env={"PYTHONHASHSEED": s}).stdout
        for s in ("0", "1")
    }
    assert len(outputs) == 1 and json.loads(outputs.pop())["$id"].endswith("1.0.0")
