"""Follow-ups left by issues 24 and 25: each a defect a user would hit, with its test."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

import taxonomy
from taxonomy.render.picture import draw, draw_pages
from taxonomy.structure.graph import as_is_graph, build_graph
from taxonomy.testing.strategies import ORDER_DAY, portfolios
from tests.conftest import ROOT
from tests.helpers import run_cli

PANEL = ROOT / "tests/fixtures/independent_panel.yaml"


def _svg_text(svg: bytes) -> str:
    found = re.findall(r"<text\b[^>]*>([^<]*)</text>", svg.decode("utf-8"))
    return re.sub(r"\s+", " ", " ".join(found))


def test_the_picture_draws_outside_bodies_apart_and_labelled() -> None:
    """1. The DOT/JSON graph had the outside panels; the SVG/PNG picture left them out."""
    portfolio = taxonomy.load_portfolio(PANEL)
    for graph in (build_graph(taxonomy.classify(portfolio)), as_is_graph(portfolio)):
        svg = draw(graph, fmt="svg")
        text = _svg_text(svg)
        assert "Westshire Independent Review Panel" in text
        assert "Westshire Independent Audit Panel" in text
        assert "Outside the joint working" in text
        # Each says what must stay independent of it.
        assert "Complaints handling" in text and "Internal audit" in text
        (page,) = draw_pages(graph, fmt="svg")
        assert "Westshire Independent Review Panel" in page.description
        assert "outside the joint working" in page.description.lower()
        assert draw(graph, fmt="png").startswith(b"\x89PNG")


GROUP = "joint-finance-advisory-group"  # the NHS example's, para 20
NO_DECISIONS = "a joint oversight group takes no decisions (board paper para 20)"


def _nhs_data() -> dict[str, Any]:
    import yaml

    data: dict[str, Any] = yaml.safe_load(
        (ROOT / "examples/nhs_joint_working_2018.yaml").read_text("utf-8")
    )
    assert data["governance"]["bodies"][0]["id"] == GROUP
    assert data["governance"]["bodies"][0]["kind"] == "joint_oversight_group"
    return data


def _oversight_delegated() -> dict[str, Any]:
    """The NHS example with two finance functions listed as delegated to its advisory group."""
    data = _nhs_data()
    group = data["governance"]["bodies"][0]
    group["delegated"] = [
        "pricing",
        {"function": "national-finance-leadership", "from": "2018-04-01"},
    ]
    group["oversees"] = ["financial-recovery"]
    return data


def test_a_delegation_to_an_oversight_group_is_refused_when_read() -> None:
    """2. Listed as delegated to a joint oversight group, a function was drawn delegated to it.

    An oversight group oversees and advises; it takes no decision (board paper para 20: the
    Joint Finance *Advisory* Group, "to ensure that both Boards can discharge their independent
    responsibilities"), yet the graph drew the Boards delegating to it, the documents listed it
    as delegated and the classification JSON listed the delegation. The list is bad input:
    each function in it (dated or not) refused, every one at once, at the body and key.
    """
    with pytest.raises(taxonomy.PortfolioError) as caught:
        taxonomy.portfolio_from_data(_oversight_delegated(), file="nhs.yaml")
    found = [(p.file, p.item, p.key, p.problem) for p in caught.value.problems]
    at = ("nhs.yaml", f"joint body '{GROUP}'", "delegated")
    assert found == [
        (*at, f"{NO_DECISIONS}: list 'pricing' under 'oversees'"),
        (*at, f"{NO_DECISIONS}: list 'national-finance-leadership' under 'oversees'"),
    ]
    # Overseen only (as the example has it), it reads.
    assert taxonomy.portfolio_from_data(_nhs_data(), file="nhs.yaml").governance.bodies


def test_a_delegation_to_an_oversight_group_is_refused_from_csv_files(tmp_path: Path) -> None:
    """The CSV files share the governance reader: the same problems, at the joint bodies' cell."""
    import csv

    from taxonomy.input.files import dump_portfolio

    dump_portfolio(
        taxonomy.load_portfolio(ROOT / "examples/nhs_joint_working_2018.yaml"), tmp_path / "p.csv"
    )
    sheet = tmp_path / "p.joint_bodies.csv"
    with sheet.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    rows[0]["delegated"] = "pricing, regional-finance (from 2018-04-01)"
    with sheet.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(taxonomy.PortfolioError) as caught:
        taxonomy.load_portfolio(tmp_path / "p.csv")
    found = [(p.item, p.key, p.problem) for p in caught.value.problems]
    assert found == [
        (f"joint body '{GROUP}'", "delegated", f"{NO_DECISIONS}: list '{fid}' under 'oversees'")
        for fid in ("pricing", "regional-finance")
    ]
    where = "sheet 'joint_bodies', row 2, column 'delegated': joint body"
    assert str(caught.value).count(where) == 2


@pytest.mark.parametrize("command", ["classify", "check", "graph", "governance"])
def test_the_cli_refuses_a_delegation_to_an_oversight_group(tmp_path: Path, command: str) -> None:
    """Each command exits 2 with one message naming the file, the body and the key."""
    import yaml

    path = tmp_path / "nhs.yaml"
    path.write_text(yaml.safe_dump(_oversight_delegated(), sort_keys=False), encoding="utf-8")
    extra = ["-o", str(tmp_path / "g.json")] if command == "graph" else []
    done = run_cli(command, str(path), *extra)
    assert done.returncode == 2 and done.stdout == ""
    assert not (tmp_path / "g.json").exists()
    assert done.stderr.startswith(f"taxonomy: error: {path}: 2 problems:")
    assert done.stderr.count("\n") == 3 and "Traceback" not in done.stderr
    assert f"joint body '{GROUP}': key 'delegated': {NO_DECISIONS}: list 'pricing'" in done.stderr


def test_the_model_refuses_a_delegation_to_an_oversight_group() -> None:
    """A library user building the governance directly meets the same rule, as a ValueError."""
    with pytest.raises(ValueError, match="joint oversight group takes no decisions"):
        taxonomy.JointBody("og", "Group", "joint_oversight_group", ("a", "b"), delegated=("f",))
    group = taxonomy.JointBody("og", "Group", "joint_oversight_group", ("a", "b"), oversees=("f",))
    with pytest.raises(ValueError, match="'og' is a joint oversight group"):
        taxonomy.Governance(
            bodies=(group,), delegations=(taxonomy.DeclaredDelegation("f", "a", ("og",)),)
        )


@pytest.mark.parametrize(
    ("example", "scenario", "body"),
    [
        ("nw_london_ccgs_2018.yaml", "nwl_single_ccg_2021.yaml", "nwl-ccg"),  # a merger
        ("nw_london_ccgs_2018.yaml", "nwl_dated_2021.yaml", "nwl-ccg"),  # another day
        ("nw_london_ccgs_2018.yaml", "nwl_icb_2022.yaml", "nwl-icb"),
        ("nhs_joint_working_2018.yaml", "health_and_care_act_2022.yaml", "nhse"),
    ],
)
def test_graph_of_a_scenario_leaving_one_body_draws_it(
    example: str, scenario: str, body: str, tmp_path: Path
) -> None:
    """3. `graph --scenario` on a one-body day exited 2; it draws that body's day, exit 0."""
    out = tmp_path / "g.json"
    done = run_cli(
        "graph", str(ROOT / "examples" / example), "--scenario",
        str(ROOT / "examples/scenarios" / scenario), "-o", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"only {body} is left" in done.stderr and "Traceback" not in done.stderr
    data = json.loads(out.read_text("utf-8"))
    assert data["graph"]["single_body"] == body and data["graph"]["scenario"]
    boards = [n["id"] for n in data["nodes"] if n["kind"] == "board"]
    assert boards == [f"board:{body}"]
    assert not [n for n in data["nodes"] if n["kind"] == "joint_body"]
    # The picture too.
    picture = tmp_path / "g.svg"
    drawn = run_cli(
        "graph", str(ROOT / "examples" / example), "--scenario",
        str(ROOT / "examples/scenarios" / scenario), "-o", str(picture),
    )  # fmt: skip
    assert drawn.returncode == 0, drawn.stderr and picture.read_bytes().startswith(b"<?xml")


def test_the_law_and_delegation_classes_are_exported() -> None:
    """4. `taxonomy.DeclaredDelegation` and `taxonomy.FunctionLaw` raised AttributeError."""
    from taxonomy import _model

    for name in ("DeclaredDelegation", "FunctionLaw", "IndependentBody"):
        assert name in taxonomy.__all__
        assert getattr(taxonomy, name) is getattr(_model, name)
    made = taxonomy.FunctionLaw("pricing", (("statutory_owner", ("nhsi",)),))
    assert made.describe() == "pricing: statutory_owner nhsi"


def test_unknown_posts_in_a_provisions_decided_by_are_refused_at_once() -> None:
    """5. A provision's `legal.decided_by` named posts nobody checked: now each is refused."""
    import yaml

    data = yaml.safe_load((ROOT / "tests/fixtures/dated_legal_facts.yaml").read_text("utf-8"))
    data["governance"] = {
        "roles": [
            {
                "id": "chief-officer",
                "name": "Chief Trading Standards Officer",
                "employed_by": "county",
                "reports_to": ["county"],
            }
        ]
    }
    order = data["law"][1]["functions"]
    order[0]["legal"]["decided_by"] = ["cheif-officer"]
    order[1]["legal"]["decided_by"] = ["auditor"]
    with pytest.raises(taxonomy.PortfolioError) as info:
        taxonomy.portfolio_from_data(data, file="p.yaml")
    found = {(p.item, p.key): p for p in info.value.problems}
    where = "law: provision 'order-2024', functions"
    assert set(found) == {
        (f"{where}, trading-standards, legal", "decided_by"),
        (f"{where}, audit, legal", "decided_by"),
    }
    first = found[(f"{where}, trading-standards, legal", "decided_by")]
    assert first.suggestion == "chief-officer" and first.file == "p.yaml"
    assert "'cheif-officer' is not one of the portfolio's roles" in str(info.value)
    # A post the governance has is taken.
    order[0]["legal"]["decided_by"] = ["chief-officer"]
    del order[1]["legal"]["decided_by"]
    assert taxonomy.portfolio_from_data(data, file="p.yaml").law.provisions[1].functions
    # A governance that cannot be read has no roles: its posts are not also called unknown.
    data["governance"]["roles"][0]["employed_by"] = "nobody"
    order[0]["legal"]["decided_by"] = ["chief-officer"]
    with pytest.raises(taxonomy.PortfolioError) as info:
        taxonomy.portfolio_from_data(data, file="p.yaml")
    assert [p.key for p in info.value.problems] == ["employed_by"]


@given(portfolios(max_bodies=3, max_functions=2, function_laws=True))
def test_the_invariants_hold_on_portfolios_whose_law_sets_functions_legal_facts(
    portfolio: taxonomy.Portfolio,
) -> None:
    """6. The strategies drew no `functions` law entries; now `function_laws=True` does.

    The order sets one or two functions' facts from ORDER_DAY; the day is drawn on it or the
    day before, so the facts are judged in force and not. The examples are the profile's.
    """
    from taxonomy.law import in_force
    from taxonomy.testing.invariants import check_invariants

    (order,) = [p for p in portfolio.law.provisions if p.functions]
    judged = in_force(portfolio).portfolio
    for law in order.functions:
        legal = judged.function(law.function).legal
        said = dict(law.legal)
        written = portfolio.function(law.function).legal
        expected = said if portfolio.as_of == ORDER_DAY else {k: getattr(written, k) for k in said}
        assert {k: getattr(legal, k) for k in said} == expected
    assert check_invariants(taxonomy.load_rules(), portfolio) == []


def test_the_pack_invariants_read_the_facts_the_law_sets_that_day() -> None:
    """Found by the strategy above: a fact an order set was judged against the function's own.

    `explanation faithfulness` read the function as written (no statutory owner) while classify
    read the order's (b1 holds it), and said a legal rule fired on a condition that did not hold.
    """
    from taxonomy.testing.invariants import check_invariants

    fn = taxonomy.Function(
        "f1", "Function f1", "national", ("b1",),
        taxonomy.Efficiency("none", "none"), taxonomy.Effectiveness("none"), taxonomy.Legal(),
        capability=taxonomy.Capability({"b1": "none", "b2": "none"}),
    )  # fmt: skip
    order = taxonomy.Provision(
        "order", "an order", from_=ORDER_DAY,
        functions=(taxonomy.FunctionLaw("f1", (("statutory_owner", ("b1",)),)),),
    )  # fmt: skip
    standing = taxonomy.Provision("standing", "the standing law", joint_committees=False)
    portfolio = taxonomy.Portfolio(
        "An order", (taxonomy.Organisation("b1", "B1"), taxonomy.Organisation("b2", "B2")),
        (fn,), taxonomy.Law(provisions=(standing, order)), as_of=ORDER_DAY,
    )  # fmt: skip
    assert check_invariants(taxonomy.load_rules(), portfolio) == []


def test_an_unknown_id_in_independence_from_is_worded_for_what_it_lists() -> None:
    """7. The message said "organisations" while its list held the outside panels too."""
    import yaml

    data = yaml.safe_load(PANEL.read_text("utf-8"))
    data["functions"][0]["legal"]["independence_from"] = ["reveiw-panel", "review-panel"]
    data["functions"][2]["legal"]["independence_from"] = ["audit-committee", "audit-committee"]
    with pytest.raises(taxonomy.PortfolioError) as info:
        taxonomy.portfolio_from_data(data, file="p.yaml")
    said = str(info.value)
    assert (
        "'reveiw-panel' is not one of the portfolio's organisations or bodies outside it "
        "(independent_bodies); allowed: county, east, west, review-panel, audit-committee "
        "(did you mean 'review-panel'?)"
    ) in said
    assert "function 'internal-audit': key 'independence_from': lists a body twice (" in said
    # Without bodies outside, the organisations are all it lists, and it says so.
    data = yaml.safe_load(PANEL.read_text("utf-8"))
    del data["independent_bodies"]
    data["law"] = data["law"][:1]
    for fn in data["functions"]:
        fn["legal"] = {"independence_from": ["contry"]}
    with pytest.raises(
        taxonomy.PortfolioError, match="is not one of the portfolio's organisations;"
    ):
        taxonomy.portfolio_from_data(data, file="p.yaml")


def test_the_attrs_floor_caches_properties_on_slotted_classes() -> None:
    """8. pyproject allowed attrs 23.1, which refuses functools.cached_property on a slotted
    class ("No '__dict__' attribute ... to cache"): the model's Portfolio and Governance use it
    (attrs 23.2 added it). Checked by hand in a fresh venv: 23.1.0 fails, 23.2.0 installs."""
    import tomllib

    data = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    (floor,) = [d for d in data["project"]["dependencies"] if d.startswith("attrs")]
    version = tuple(int(part) for part in floor.split(">=")[1].split("."))
    assert version >= (23, 2)
    source = (ROOT / "src/taxonomy/_model/portfolio.py").read_text("utf-8")
    assert "functools.cached_property" in source  # why the floor is what it is


def test_a_post_may_decide_what_its_oversight_group_oversees() -> None:
    """The reader refused it ("the joint body decides it"), though the group decides nothing."""
    data = _nhs_data()
    assert "pricing" in data["governance"]["bodies"][0]["oversees"]
    pricing = next(f for f in data["functions"] if f["id"] == "pricing")
    pricing["legal"]["decided_by"] = ["joint-rd-london"]  # employed by nhse, a holder
    result = taxonomy.classify(taxonomy.portfolio_from_data(data, file="nhs.yaml"))
    decision = result["pricing"].decision
    assert decision is not None
    assert {(d.id, d.basis) for d in decision.deciders} == {
        ("nhsi", "holder"),
        ("joint-rd-london", "named"),
    }


def test_a_declared_delegation_to_an_oversight_group_is_refused_when_read() -> None:
    """A declared delegation naming an oversight group in ``to`` drew it deciding: refused.

    Every delegation naming one is reported at once, each at its item and key ``to``.
    """
    data = _nhs_data()
    data["governance"]["delegations"] = [
        {"function": "pricing", "by": "nhse", "to": [GROUP], "holder_accountable": False},
        {"function": "pricing", "by": "nhsi", "to": ["nhse", GROUP]},
    ]
    with pytest.raises(taxonomy.PortfolioError) as caught:
        taxonomy.portfolio_from_data(data, file="nhs.yaml")
    found = [(p.item, p.key, p.problem) for p in caught.value.problems]
    why = f"'{GROUP}' is a joint oversight group, which takes no decisions (board paper para 20)"
    assert found == [
        (
            f"delegation {n} ('pricing' by '{by}')",
            "to",
            f"{why}: list 'pricing' under its 'oversees'",
        )
        for n, by in ((1, "nhse"), (2, "nhsi"))
    ]


@pytest.mark.parametrize(
    ("change", "key", "said"),
    [
        ("delegate: {functions: [pricing], to: " + GROUP + "}", "to", "it only oversees"),
        (
            "add: {joint_body: {id: og2, name: Group, kind: joint_oversight_group, "
            "members: [nhse, nhsi], delegated: [pricing]}}",
            "delegated",
            "list 'pricing' under 'oversees'",
        ),
    ],
)
def test_a_scenario_delegating_to_an_oversight_group_is_refused(
    change: str, key: str, said: str
) -> None:
    """A scenario may not do what the portfolio may not: the change refused at its key."""
    from taxonomy.whatif.scenarios import loads_scenario

    nhs = taxonomy.load_portfolio(ROOT / "examples/nhs_joint_working_2018.yaml")
    scenario = loads_scenario(f"name: Delegate to the group\nchanges:\n  - {change}\n")
    with pytest.raises(taxonomy.InputError) as caught:
        scenario.apply(nhs)
    assert caught.value.key == key and said in str(caught.value)
    assert "takes no decisions (board paper para 20)" in str(caught.value)


def test_a_function_cannot_be_independent_of_a_body_holding_a_duty_of_its_own(
    tmp_path: Path,
) -> None:
    """``held_by_each`` naming a body it must stay independent of is refused, as for an owner.

    It was accepted: the body still held and decided the function, but its own team vanished
    from the graph (a trial found it: a fire authority holding professional standards while
    the function had to stay independent of it).
    """
    import yaml

    data = yaml.safe_load((ROOT / "examples/nhs_joint_working_2018.yaml").read_text("utf-8"))
    fn = next(f for f in data["functions"] if len(f["performed_by"]) > 1)
    fn["legal"] = {"held_by_each": "all", "independence_from": [fn["performed_by"][0]]}
    with pytest.raises(taxonomy.PortfolioError) as info:
        taxonomy.portfolio_from_data(data, file="nhs.yaml")
    said = str(info.value)
    assert f"{fn['performed_by'][0]} holds a duty of its own (held_by_each)" in said
    assert "key 'independence_from'" in said
    # The same as CSV, whose plain rows take the fast reader: it must not accept it either.
    good = yaml.safe_load((ROOT / "examples/nhs_joint_working_2018.yaml").read_text("utf-8"))
    (tmp_path / "nhs.yaml").write_text(yaml.safe_dump(good), encoding="utf-8")
    assert (
        run_cli(
            "-q", "convert", str(tmp_path / "nhs.yaml"), "-o", str(tmp_path / "p.csv")
        ).returncode
        == 0
    )
    with (tmp_path / "p.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    held, apart = rows[0].index("legal.held_by_each"), rows[0].index("legal.independence_from")
    row = next(r for r in rows if r[0] == fn["id"])
    row[held], row[apart] = "all", fn["performed_by"][0]
    with (tmp_path / "p.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    out = tmp_path / "out.jsonl"
    done = run_cli("-q", "classify", str(tmp_path / "p.csv"), "--format", "jsonl", "-o", str(out))
    assert done.returncode == 2 and "holds a duty of its own (held_by_each)" in done.stderr
    assert not out.exists()
    with pytest.raises(ValueError, match="a body cannot be independent of itself"):
        taxonomy.Function(
            "f",
            "F",
            "national",
            ("a", "b"),
            taxonomy.Efficiency("low", "low"),
            taxonomy.Effectiveness("low"),
            taxonomy.Legal(held_by_each=("a", "b"), independence_from=("a",)),
            taxonomy.Capability({"a": "low", "b": "low"}),
        )


_NO_JOINT_COMMITTEES = """\
name: Two districts, no joint committee allowed
organisations:
  - {id: county, name: Shire County Council}
  - {id: north, name: North District}
  - {id: south, name: South District}
law:
  joint_committees: false
functions:
  - id: audit
    name: Audit
    level: local
    performed_by: [north, south]
    efficiency: {duplication: medium, simplification: medium}
    effectiveness: {joint_benefit: high}
    legal: {held_by_each: all, independence_from: [county]}
    capability: {north: medium, south: high}
governance:
  bodies:
    - {id: jc, name: Districts Joint Committee, kind: joint_committee, members: [north, south], delegated: [audit]}
"""


def test_a_delegation_to_a_joint_committee_the_law_allows_none_does_not_take_effect(
    tmp_path: Path,
) -> None:
    """The holders keep deciding, and the explanation says why; check still reports it.

    classify said "Its decisions are taken by the JC" where the law lets the bodies form no
    joint committee: a delegation the law does not make (a trial found it).
    """
    from taxonomy.structure.checks import check
    from taxonomy.structure.graph import predecessors

    path = tmp_path / "p.yaml"
    path.write_text(_NO_JOINT_COMMITTEES, encoding="utf-8")
    result = taxonomy.classify(taxonomy.load_portfolio(path))
    rec = result["audit"]
    assert rec.decision is not None
    assert {(d.id, d.basis) for d in rec.decision.deciders} == {
        ("north", "held_by_each"),
        ("south", "held_by_each"),
    }
    assert rec.decision.accountable == ("north", "south")
    assert any("its delegation to Districts Joint Committee cannot take effect" in n for n in rec.explanation.notes)
    graph = build_graph(result)
    assert sorted(predecessors(graph, "function:audit", "decides")) == [
        "board:north",
        "board:south",
    ]
    assert [f for f in check(graph) if f.check == "joint-committee-law"]
    # Where the law allows one, the joint committee decides.
    path.write_text(_NO_JOINT_COMMITTEES.replace("false", "true"), encoding="utf-8")
    lawful = taxonomy.classify(taxonomy.load_portfolio(path))["audit"].decision
    assert lawful is not None and [d.id for d in lawful.deciders] == ["jc"]


def test_a_reserved_decision_each_holds_and_hands_to_a_lawful_joint_committee_is_said_so(
    tmp_path: Path,
) -> None:
    """Reserved to each Board, held by each, delegated to their joint committee (lawful).

    The decision said the joint committee decides; the explanation's note and paragraph said
    each Board keeps deciding (a trial found the contradiction). Both now say what the
    decision says; with nothing delegated, each Board keeps deciding as before.
    """
    text = _NO_JOINT_COMMITTEES.replace("false", "true").replace(
        "legal: {held_by_each: all, independence_from: [county]}",
        "legal: {held_by_each: all, board_reserved: true}",
    )
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    portfolio = taxonomy.load_portfolio(path)
    result = taxonomy.classify(portfolio)
    rec = result["audit"]
    assert rec.decision is not None and [d.id for d in rec.decision.deciders] == ["jc"]
    assert not any("keep deciding" in n for n in rec.explanation.notes)
    said = rec.paragraph(result)
    assert "Its decisions are taken by the Districts Joint Committee" in said and "keep deciding" not in said
    # Not delegated: each Board keeps the decision reserved to it.
    path.write_text(text.replace(", delegated: [audit]", ""), encoding="utf-8")
    kept = taxonomy.classify(taxonomy.load_portfolio(path))["audit"]
    assert any("north, south each keep deciding" in n for n in kept.explanation.notes)
