"""Governance documents from the structure (issue 25 item 6): each body's scheme of reservation
and delegation and each joint body's terms of reference, drawn from the decision blocks, every
line citing its sources; Markdown, JSON (its schema), the report's section, the workbook sheet."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import openpyxl
import pytest
import yaml

import taxonomy
from taxonomy.render.governance_docs import (
    decision_map,
    governance_markdown,
    governance_rows,
)
from taxonomy.schemas import STAMP_KEY, schema, schema_id
from taxonomy.structure.documents import (
    GOVERNANCE_JSON,
    SCHEME_LINE_JSON,
    TERMS_JSON,
    GovernanceDocuments,
)
from taxonomy.structure.drafting import governance_documents
from tests.conftest import COUNCILS, COUNCILS_PACK, EXAMPLES, NHS, NWL
from tests.helpers import run_cli as run

NHS_UNKNOWN = EXAMPLES / "nhs_joint_working_2018_unknown.yaml"
POLICE = EXAMPLES / "police_fire_collaboration.yaml"
POLICE_PACK = EXAMPLES / "packs" / "police"

#: Every shipped example, with the pack it is answered for (None: the one it names or the default).
SHIPPED: list[tuple[Path, Path | None]] = [
    (NHS, None),
    (NHS_UNKNOWN, None),
    (NWL, None),
    (COUNCILS, COUNCILS_PACK),
    (POLICE, None),
]

BODIES = ["county", "north", "south"]


def _waste(fid: str, legal: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": fid,
        "name": f"Waste {fid}",
        "level": "national",
        "performed_by": BODIES,
        "legal": legal,
        "capability": dict.fromkeys(BODIES, "medium"),
        "efficiency": {"duplication": "high", "simplification": "high"},
        "effectiveness": {"joint_benefit": "high"},
    }


def two_tier(**law: Any) -> taxonomy.Portfolio:
    """A county and two districts with a joint waste committee; street cleaning unheld in law."""
    return taxonomy.portfolio_from_data(
        {
            "name": "Two-tier waste",
            "organisations": [
                {"id": "county", "name": "Shire County Council"},
                {"id": "north", "name": "North District Council"},
                {"id": "south", "name": "South District Council"},
            ],
            "law": {"joint_committees": True, **law},
            "functions": [
                _waste("collection", {"held_by_each": ["north", "south"]}),
                _waste("disposal", {"statutory_owner": "county"}),
                _waste("cleaning", {}),
            ],
            "governance": {
                "bodies": [
                    {
                        "id": "jwc",
                        "name": "Joint Waste Committee",
                        "kind": "joint_committee",
                        "members": BODIES,
                        "delegated": ["collection", "disposal"],
                    }
                ],
                "roles": [
                    {
                        "id": "waste-director",
                        "name": "Director of Waste",
                        "employed_by": "county",
                        "reports_to": ["jwc"],
                    }
                ],
            },
        }
    )


def _docs(path: Path, pack: Path | None = None) -> GovernanceDocuments:
    rules = taxonomy.load_rules(pack) if pack is not None else None
    portfolio = taxonomy.load_portfolio(path, rules=rules)
    return governance_documents(taxonomy.classify(portfolio, rules=rules))


def _entries(docs: GovernanceDocuments, body: str) -> list[tuple[str, str, str | None]]:
    return [(x.function, x.entry, x.to) for x in docs.scheme(body).lines]


# --- the document model, on three bodies --------------------------------------------------------


def test_each_holder_delegates_its_own_function_and_the_others_sit_as_members() -> None:
    docs = governance_documents(taxonomy.classify(two_tier()))
    assert _entries(docs, "county") == [
        ("disposal", "delegated", "jwc"),
        ("collection", "member", "jwc"),
        ("cleaning", "not_stated", None),
    ]
    # A duty each district holds of its own and delegates to the committee is the committee's
    # to decide: the district keeps the accountability, not the decision (nothing reserved).
    assert _entries(docs, "north") == [
        ("collection", "delegated", "jwc"),
        ("disposal", "member", "jwc"),
        ("cleaning", "not_stated", None),
    ]
    disposal = docs.scheme("county").entries("delegated")[0]
    assert disposal.holder_stated and disposal.accountable is True
    assert disposal.basis == "governance" and disposal.to_kind == "joint_committee"
    member = docs.scheme("north").entries("member")[0]
    assert member.accountable is False and "delegates nothing" in member.notes[0]


def test_the_joint_committees_terms_say_who_delegates_what_and_who_stays_accountable() -> None:
    docs = governance_documents(taxonomy.classify(two_tier()))
    (terms,) = docs.terms
    assert (terms.id, terms.basis, terms.members) == ("jwc", "governance", tuple(BODIES))
    remit = {r.function: r for r in terms.remit}
    assert remit["disposal"].by == ("county",)
    assert remit["disposal"].members_only == ("north", "south")
    assert remit["disposal"].accountable == ("county",)
    assert remit["collection"].by == ("north", "south")
    assert remit["collection"].members_only == ("county",)
    assert terms.officers == (("waste-director", "Director of Waste"),)
    assert terms.unheld == () and terms.notes == ()
    assert "governance.bodies[jwc]" in terms.sources and "law.joint_committees" in terms.sources


def test_every_line_cites_its_legal_key_the_governance_item_and_the_law() -> None:
    docs = governance_documents(taxonomy.classify(two_tier()))
    disposal = docs.scheme("county").entries("delegated")[0]
    assert disposal.sources[0] == "functions[disposal].legal.statutory_owner"
    assert "governance.bodies[jwc]" in disposal.sources
    assert "law.joint_committees" in disposal.sources
    cited = {c.ref: c for c in docs.citations}
    assert cited["functions[disposal].legal.statutory_owner"].text.endswith("= county")
    assert cited["law.joint_committees"].text == "joint committees allowed"
    # A function the law places with nobody says so, and cites who carries it out.
    unheld = docs.scheme("south").entries("not_stated")[0]
    assert unheld.accountable is None and not unheld.holder_stated
    assert unheld.sources == ("functions[cleaning].performed_by",)


def test_a_joint_committee_the_law_does_not_allow_is_flagged() -> None:
    docs = governance_documents(taxonomy.classify(two_tier(joint_committees=False)))
    (terms,) = docs.terms
    assert "does not let the bodies delegate" in terms.notes[0]


@pytest.mark.parametrize(("path", "pack"), SHIPPED, ids=lambda p: getattr(p, "stem", "-"))
def test_every_cited_source_is_listed_once_and_every_listed_one_is_cited(
    path: Path, pack: Path | None
) -> None:
    docs = _docs(path, pack)
    refs = [c.ref for c in docs.citations]
    assert len(refs) == len(set(refs))
    used = {r for s in docs.schemes for x in s.lines for r in x.sources}
    used |= {r for t in docs.terms for r in (*t.sources, *(r for x in t.remit for r in x.sources))}
    assert used == set(refs)
    assert all(x.sources for s in docs.schemes for x in s.lines)
    assert [s.body for s in docs.schemes] == [
        o.id
        for o in taxonomy.load_portfolio(
            path, rules=pack and taxonomy.load_rules(pack)
        ).organisations
    ]


def test_nw_london_delegations_cite_the_holding_the_example_states() -> None:
    # Each CCG holds its own part of what the Joint Committee takes (NHS Act 2006 s.14Z3(2A)
    # and the duties the example cites): each delegates it, the holding stated, accountable.
    docs = _docs(NWL)
    for scheme in docs.schemes:
        delegated = scheme.entries("delegated")
        assert [x.function for x in delegated] == [
            "acute-commissioning",
            "mental-health-commissioning",
            "strategic-direction",
            "joint-financial-strategy",
        ]
        assert all(x.holder_stated and x.accountable for x in delegated)
        assert not any("the law is not stated" in n for x in delegated for n in x.notes)


def test_nw_london_delegations_are_flagged_where_the_law_is_not_stated() -> None:
    # The same example with its legal facts removed: nobody is said to hold what the Joint
    # Committee takes, so each delegation is flagged rather than presented as the law.
    data = yaml.safe_load(NWL.read_text(encoding="utf-8"))
    for fn in data["functions"]:
        fn["legal"] = {}
    portfolio = taxonomy.portfolio_from_data(data, file=str(NWL))
    docs = governance_documents(taxonomy.classify(portfolio))
    for scheme in docs.schemes:
        delegated = scheme.entries("delegated")
        assert [x.function for x in delegated] == [
            "acute-commissioning",
            "mental-health-commissioning",
            "strategic-direction",
            "joint-financial-strategy",
        ]
        assert all(not x.holder_stated and x.accountable is None for x in delegated)
        assert all(any("the law is not stated" in n for n in x.notes) for x in delegated)
        assert "law ccg-joint-committees" in delegated[0].sources
    (terms,) = docs.terms
    assert all(r.accountable is None for r in terms.remit)
    assert terms.officers[0][0] == "director-of-commissioning"
    text = governance_markdown(docs)
    assert text.count("the law is not stated") >= 8 * 4


def test_an_open_function_is_shown_open_with_no_forum_proposed() -> None:
    docs = _docs(NHS_UNKNOWN)
    nhse = docs.scheme("nhse")
    opened = [x for x in nhse.lines if not x.decided]
    assert opened and all(x.arrangement is None for x in opened)
    assert all(any(n.startswith("open:") for n in x.notes) for x in opened)
    assert all(t.basis == "governance" for t in docs.terms)  # no forum proposed for open ones
    assert not [x for x in nhse.lines if x.basis == "proposed"]
    assert "open (not decided yet)" in governance_markdown(docs)
    # The same function decided (the NHS example) keeps the same holder lines.
    decided = _docs(NHS).scheme("nhse")
    assert [(x.function, x.entry) for x in decided.entries("reserved")] == [
        (x.function, x.entry) for x in nhse.entries("reserved")
    ]


def test_a_forum_the_structure_proposes_gets_draft_terms() -> None:
    docs = _docs(COUNCILS, COUNCILS_PACK)
    (terms,) = docs.terms
    assert (terms.id, terms.basis, terms.kind) == (
        "committee-planning-decisions",
        "proposed",
        "joint_committee",
    )
    assert terms.remit[0].by == terms.members == ("northvale", "southmere", "eastbrook")
    line = docs.scheme("northvale").entries("delegated")[0]
    assert line.basis == "proposed" and any(n.startswith("proposed:") for n in line.notes)
    assert any(r.startswith("rule ") for r in line.sources)  # the rule that chose one team


# --- JSON: one declaration, its schema, deterministic -----------------------------------------


def test_the_json_keys_are_the_shapes_keys() -> None:
    data = governance_documents(taxonomy.classify(two_tier())).to_dict()
    assert list(data) == [k.name for k in GOVERNANCE_JSON.keys]
    assert list(data["schemes"][0]["lines"][0]) == [k.name for k in SCHEME_LINE_JSON.keys]
    assert list(data["terms_of_reference"][0]) == [k.name for k in TERMS_JSON.keys]
    (cleaning,) = [x for x in data["schemes"][2]["lines"] if x["function"] == "cleaning"]
    assert cleaning["accountable"] is None and cleaning["entry"] == "not_stated"


@pytest.mark.parametrize(("path", "pack"), SHIPPED, ids=lambda p: getattr(p, "stem", "-"))
def test_the_cli_json_validates_against_its_schema(path: Path, pack: Path | None) -> None:
    args = ["governance", str(path), "--format", "json"]
    out = run(*args, *(["--rules", str(pack)] if pack else []))
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data[STAMP_KEY] == schema_id("governance")
    validator = jsonschema.Draft202012Validator(schema("governance"))
    assert [e.message for e in validator.iter_errors(data)] == []
    broken = {**data, "schemes": [{**data["schemes"][0], "lines": [{"entry": "kept"}]}]}
    assert list(validator.iter_errors(broken))


def test_the_cli_writes_the_same_bytes_every_time(tmp_path: Path) -> None:
    first, second = tmp_path / "a.md", tmp_path / "b.md"
    for target in (first, second):
        out = run("governance", str(NWL), "-o", str(target))
        assert out.returncode == 0, out.stderr
    assert first.read_bytes() == second.read_bytes()
    text = first.read_text(encoding="utf-8")
    assert text.startswith("# Governance documents: NW London Collaboration of CCGs")
    assert "### NW London Joint Committee (joint committee)" in text
    assert "## Sources" in text and "`law ccg-joint-committees` (law)" in text
    shown = run("governance", str(NWL))
    assert shown.stdout == text


def test_the_cli_refuses_bad_input_with_one_message(tmp_path: Path) -> None:
    wrong = run("governance", str(NHS), "-o", str(tmp_path / "x.txt"))
    assert wrong.returncode == 2 and wrong.stderr.count("taxonomy: error:") == 1
    merged = run("governance", str(NWL), "--as-of", "2022-08-01")
    assert merged.returncode == 2 and "only one body is left" in merged.stderr
    assert "Traceback" not in merged.stderr


# --- the report's section and the workbook's sheet ---------------------------------------------


def test_the_report_has_the_decision_map_and_the_terms() -> None:
    from taxonomy.render.report import build_report

    portfolio = taxonomy.classify(two_tier()).portfolio
    html = build_report(portfolio, pictures=False)
    section = html[html.index('<section id="governance">') :]
    section = section[: section.index("</section>")]
    assert "Terms of reference: Joint Waste Committee (joint committee)" in section
    assert "Shire County Council to Joint Waste Committee" in section
    assert "who holds it in law is not stated" in section
    rows = {r.function: r for r in decision_map(governance_documents(taxonomy.classify(portfolio)))}
    assert rows["Waste collection"].members == ("Shire County Council in Joint Waste Committee",)
    assert rows["Waste cleaning"].not_stated == tuple(o.name for o in portfolio.organisations)


def test_a_classify_workbook_has_the_governance_sheet(tmp_path: Path) -> None:
    target = tmp_path / "results.xlsx"
    out = run("classify", str(NWL), "-o", str(target))
    assert out.returncode == 0, out.stderr
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["recommendations", "governance"]
    rows = [list(r) for r in book["governance"].iter_rows(values_only=True)]
    docs = _docs(NWL)
    expected = [[None if v == "" else v for v in row] for row in governance_rows(docs)]
    assert [r for r in rows if any(v is not None for v in r)] == [
        r + [None] * (len(rows[0]) - len(r)) for r in expected if r
    ]


def test_a_field_of_the_decision_block_is_one_key_to_add() -> None:
    """A delegation's or a joint body's own facts (dates, a status) reach the JSON by one key
    reading the line's ``delegation`` or the terms' ``joint``: shown here with keys they have."""
    from taxonomy._output_shape import STRING, Shape, key

    docs = governance_documents(taxonomy.classify(two_tier()))
    line = docs.scheme("county").entries("delegated")[0]
    extended = Shape(*SCHEME_LINE_JSON.keys, key("by", STRING, attr="delegation.by"))
    assert extended.dump(line)["by"] == "county"
    terms = Shape(*TERMS_JSON.keys, key("joint_name", STRING, attr="joint.name"))
    assert terms.dump(docs.terms[0])["joint_name"] == "Joint Waste Committee"
    assert "by" not in SCHEME_LINE_JSON.dump(line)  # the reference itself is not written


def _three(fns: list[dict[str, Any]], **extra: Any) -> taxonomy.Portfolio:
    return taxonomy.portfolio_from_data(
        {
            "name": "Three",
            "organisations": [{"id": b, "name": b.upper()} for b in "abc"],
            "functions": fns,
            **extra,
        }
    )


def _fn(fid: str, performers: list[str], legal: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": fid,
        "name": fid.upper(),
        "level": "local",
        "performed_by": performers,
        "efficiency": {"duplication": "high", "simplification": "high"},
        "effectiveness": {"joint_benefit": "high"},
        "legal": legal,
        "capability": dict.fromkeys(performers, "medium"),
    }


def test_a_named_post_a_consent_and_a_planned_delegation_are_in_the_schemes() -> None:
    # Found by a new user: a function a post decides was missing from every scheme, a body
    # whose agreement is needed was told it had "nothing to reserve", and a planned
    # delegation read as in force.
    three = _three(
        [
            _fn("f", ["a"], {"statutory_owner": "a", "decided_by": ["cc"]}),
            _fn(
                "g",
                ["a", "b", "c"],
                {"statutory_owner": "a", "with_agreement_of": ["b"], "agreement_basis": "Act s.1"},
            ),
        ],
        governance={
            "roles": [
                {"id": "cc", "name": "Chief Officer", "employed_by": "a", "reports_to": ["a"]}
            ]
        },
    )
    docs = governance_documents(taxonomy.classify(three))
    assert _entries(docs, "a") == [("f", "reserved", None), ("g", "reserved", None)]
    (named,) = [x for x in docs.scheme("a").lines if x.function == "f"]
    assert named.basis == "named" and "taken by Chief Officer" in named.notes[0]
    assert _entries(docs, "b") == [("g", "consents", None)]
    assert docs.scheme("b").lines[0].notes == ("its agreement is needed (Act s.1)",)
    assert _entries(docs, "c") == []
    stamped = {STAMP_KEY: schema_id("governance"), **docs.to_dict()}
    jsonschema.Draft202012Validator(schema("governance")).validate(stamped)


def test_a_planned_delegation_is_said_to_be_planned() -> None:
    data = yaml.safe_load((Path(__file__).parent / "fixtures" / "two_tier_waste.yaml").read_text())
    docs = governance_documents(taxonomy.classify(taxonomy.portfolio_from_data(data)))
    delegated = [x for x in docs.scheme("east").lines if x.entry == "delegated"]
    planned = [x for x in delegated if any(n.startswith("planned") for n in x.notes)]
    assert planned and all("not in force" in n for x in planned for n in x.notes[-1:])
    # Not in force, so the district's own governing body still decides it.
    kept = {x.function for x in docs.scheme("east").lines if x.entry == "reserved"}
    assert {x.function for x in planned} <= kept
