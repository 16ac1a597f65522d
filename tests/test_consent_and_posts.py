"""Statutory consent and the post a body names to decide (issue 25 items 1 and 3).

"X decides with the agreement of Y" (``legal.with_agreement_of``): the national tariff, which
Monitor (NHS Improvement) set with NHS England's agreement, tried on three bodies with a joint
committee. A post deciding in its body's place (``legal.decided_by``): a chief constable grants
firearms certificates, not the Police and Crime Commissioner, tried on the police example's
three bodies. Every case is checked in the JSON block, the graph, the notes and the paragraph,
and by the law invariants.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml

import taxonomy
from taxonomy.input.portfolio import portfolio_to_data
from taxonomy.input.spreadsheet import read_portfolio, write_portfolio
from taxonomy.law import Merger, apply_merge
from taxonomy.render.prose import paragraph
from taxonomy.render.text import to_json
from taxonomy.schemas import schema
from taxonomy.structure.graph import (
    as_is_graph,
    build_graph,
    edges_of_kind,
    predecessors,
    successors,
)
from taxonomy.testing import check_invariants, law
from tests.conftest import EXAMPLES
from tests.helpers import run_cli
from tests.test_decision import agrees

jsonschema = pytest.importorskip("jsonschema")

STRONG = {
    "efficiency": {"duplication": "high", "simplification": "high"},
    "effectiveness": {"joint_benefit": "high"},
}
TARIFF_BASIS = (
    "NHS CB board paper NHSCB28027 'Pricing governance' (2013): at each stage the organisations "
    "are expected to agree proposals with each other"
)
NATIONAL = ["nhse", "nhsi", "dhsc"]


def national(legal: dict[str, Any], *, delegated: bool = True) -> dict[str, Any]:
    """NHS England, NHS Improvement and the Department, the tariff and a joint pricing committee."""
    return {
        "name": "National pricing",
        "organisations": [
            {"id": "nhse", "name": "NHS England"},
            {"id": "nhsi", "name": "NHS Improvement"},
            {"id": "dhsc", "name": "Department of Health and Social Care"},
        ],
        "law": {"joint_committees": True},
        "functions": [
            {
                "id": "national-tariff",
                "name": "National tariff",
                "level": "national",
                "performed_by": ["nhse", "nhsi"],
                "legal": legal,
                "capability": {"nhse": "medium", "nhsi": "high"},
                **STRONG,
            }
        ],
        "governance": {
            "bodies": [
                {
                    "id": "pricing-committee",
                    "name": "Joint pricing committee",
                    "kind": "joint_committee",
                    "members": NATIONAL,
                    "delegated": ["national-tariff"] if delegated else [],
                }
            ]
        },
    }


TARIFF = {"statutory_owner": "nhsi", "with_agreement_of": ["nhse"], "agreement_basis": TARIFF_BASIS}


def test_a_consenting_body_takes_part_without_holding_or_delegating() -> None:
    result = taxonomy.classify(taxonomy.portfolio_from_data(national(TARIFF)))
    rec = result["national-tariff"]
    block = rec.to_dict()["decision"]
    assert block["holders"] == ["nhsi"] and block["accountable"] == ["nhsi"]
    assert block["consents"] == [{"by": "nhse", "basis": TARIFF_BASIS}]
    # Only the holder delegates to the joint committee; NHS England and the Department sit on it.
    assert [d["by"] for d in block["delegations"]] == ["nhsi"]
    assert block["members"] == [
        {"body": "nhse", "of": "pricing-committee"},
        {"body": "dhsc", "of": "pricing-committee"},
    ]
    graph = build_graph(result)
    assert rec.decision is not None
    agrees(graph, rec.decision)
    tariff = "function:national-tariff"
    assert predecessors(graph, tariff, "consents") == ["board:nhse"]
    assert graph.edges["board:nhse", tariff, "consents"]["basis"] == TARIFF_BASIS
    assert predecessors(graph, tariff, "holds") == ["board:nhsi"]
    said = "with the agreement of nhse (NHS CB board paper NHSCB28027"
    assert any(said in note for note in rec.explanation.notes)
    text = paragraph(rec, result)
    assert "with the agreement of NHS England (NHS CB board paper NHSCB28027" in text
    assert "which takes part in the decision without holding it." in text
    jsonschema.validate(json.loads(to_json(result)), schema("classification"))
    assert law.check_law(taxonomy.load_rules(), result.portfolio) == []


def test_where_the_holding_is_not_stated_a_consenting_member_does_not_delegate() -> None:
    p = taxonomy.portfolio_from_data(national({"with_agreement_of": "nhse"}))
    block = taxonomy.classify(p)["national-tariff"].to_dict()["decision"]
    assert [d["by"] for d in block["delegations"]] == ["nhsi"]  # the other performer
    assert block["consents"] == [{"by": "nhse", "basis": None}]
    graph = as_is_graph(p)
    assert predecessors(graph, "function:national-tariff", "consents") == ["board:nhse"]
    assert "basis" not in graph.edges["board:nhse", "function:national-tariff", "consents"]


def test_no_consent_leaves_the_decision_block_as_it_was() -> None:
    # Omitted when empty: the shipped examples' JSON is unchanged.
    block = taxonomy.classify(taxonomy.load_portfolio(EXAMPLES / "nhs_joint_working_2018.yaml"))
    assert all("consents" not in rec.to_dict()["decision"] for rec in block)
    decision = schema("classification")["$defs"]["recommendation"]["properties"]["decision"]
    (block,) = [s for s in decision["oneOf"] if s.get("type") == "object"]
    assert "consents" in block["properties"] and "consents" not in block["required"]


def test_consent_and_posts_are_written_and_read_back(tmp_path: Path) -> None:
    data = police()
    data["functions"].append(national(TARIFF)["functions"][0] | {"performed_by": PERFORMERS})
    data["functions"][-1]["legal"] = {
        "statutory_owner": "wessex-police",
        "with_agreement_of": ["mercia-police", "wessex-fire"],
        "agreement_basis": "an illustrative statute",
    }
    data["functions"][-1]["capability"] = dict.fromkeys(PERFORMERS, "low")
    portfolio = taxonomy.portfolio_from_data(data, rules=POLICE)
    assert taxonomy.portfolio_from_data(portfolio_to_data(portfolio), rules=POLICE) == portfolio
    write_portfolio(portfolio, tmp_path / "p.xlsx")
    assert read_portfolio(tmp_path / "p.xlsx", rules=POLICE) == portfolio


def test_a_merger_into_the_holder_makes_the_consent_its_own_decision() -> None:
    p = taxonomy.portfolio_from_data(national(TARIFF))
    merged, notes = apply_merge(p, Merger("nhsi", ("nhse",)), taxonomy.load_rules().facts)
    assert merged.function("national-tariff").legal.with_agreement_of == ()
    assert "national-tariff: the agreement of nhsi is no longer asked: nhsi holds it" in notes


# --- the post a body names ---------------------------------------------------------------------

POLICE = taxonomy.load_rules(EXAMPLES / "packs" / "police")
PERFORMERS = ["wessex-police", "mercia-police", "wessex-fire"]
FIREARMS = "Firearms Act 1968 s.1: certificates are granted by the chief officer of police"


def police(**legal: Any) -> dict[str, Any]:
    """The police example (as shipped) with firearms licensing and each chief constable's post."""
    data = yaml.safe_load((EXAMPLES / "police_fire_collaboration.yaml").read_text("utf-8"))
    data.pop("rules")
    for org in data["organisations"][:2]:
        org["governing_body"] = "Police and Crime Commissioner"
    data["functions"].append(
        {
            "id": "firearms-licensing",
            "name": "Firearms licensing",
            "level": "regional",
            "performed_by": ["wessex-police", "mercia-police"],
            "legal": {"held_by_each": "all", "decided_by": ["wessex-cc", "mercia-cc"]} | legal,
            "capability": {"wessex-police": "high", "mercia-police": "medium"},
            "notes": FIREARMS,
            **STRONG,
        }
    )
    data["governance"] = {
        "roles": [
            {
                "id": f"{force}-cc",
                "name": f"Chief Constable of {force.title()} Police",
                "employed_by": f"{force}-police",
                "reports_to": [f"{force}-police"],
            }
            for force in ("wessex", "mercia")
        ]
        + [
            {
                "id": "fire-cfo",
                "name": "Chief Fire Officer",
                "employed_by": "wessex-fire",
                "reports_to": ["wessex-fire"],
            }
        ]
    }
    return data


def test_each_chief_constable_decides_firearms_licensing_for_its_force() -> None:
    result = taxonomy.classify(taxonomy.portfolio_from_data(police(), rules=POLICE), rules=POLICE)
    rec = result["firearms-licensing"]
    assert rec.decision is not None
    assert rec.to_dict()["decision"]["deciders"] == [
        {"id": "wessex-cc", "kind": "role", "basis": "named", "for": "wessex-police"},
        {"id": "mercia-cc", "kind": "role", "basis": "named", "for": "mercia-police"},
    ]
    graph = build_graph(result)
    agrees(graph, rec.decision)
    deciding = {(u, v) for u, v, _ in edges_of_kind(graph, "decides")}
    assert ("role:wessex-cc", "function:firearms-licensing") in deciding
    assert ("board:wessex-police", "function:firearms-licensing") not in deciding
    assert graph.edges["role:mercia-cc", "function:firearms-licensing", "decides"]["for"] == (
        "mercia-police"
    )
    # The post is law, not a reorganisation: today's structure draws it deciding as well.
    today = as_is_graph(result.portfolio)
    assert predecessors(today, "function:firearms-licensing", "decides") == [
        "role:wessex-cc",
        "role:mercia-cc",
    ]
    assert today.nodes["role:wessex-cc"]["label"] == "Chief Constable of Wessex Police"
    assert successors(today, "role:wessex-cc", "reports_to") == ["board:wessex-police"]
    assert not [f for f in taxonomy.check(today) if f.severity == "error"]
    text = paragraph(rec, result, rules=POLICE)
    assert (
        "Chief Constable of Wessex Police takes the decision for Wessex Police, not its Police "
        "and Crime Commissioner"
    ) in text
    assert any("Chief Constable of Mercia Police takes" in n for n in rec.explanation.notes)
    # Each force keeps its own decision through its post: the law invariants agree.
    assert law.check_law(POLICE, result.portfolio) == []
    jsonschema.validate(json.loads(to_json(result, rules=POLICE)), schema("classification"))


def test_a_post_decides_where_nobody_was_drawn_deciding() -> None:
    data = police()
    fn = data["functions"][-1]
    fn["legal"] = {"decided_by": "mercia-cc"}  # holding not stated
    result = taxonomy.classify(taxonomy.portfolio_from_data(data, rules=POLICE), rules=POLICE)
    assert [d.id for d in result["firearms-licensing"].decision.deciders] == ["mercia-cc"]


# --- bad input ---------------------------------------------------------------------------------


def test_every_bad_consent_and_post_is_reported_at_once(tmp_path: Path) -> None:
    data = police()
    fns = data["functions"]
    fns[0]["legal"] = {"lead_force": "wessex-police", "with_agreement_of": ["mercia-polise"]}
    fns[1]["legal"] = {"held_by_each": "all", "with_agreement_of": ["wessex-fire"]}
    fns[2]["legal"] = {"independence_from": ["mercia-police"], "with_agreement_of": "mercia-police"}
    fns[3]["legal"] = {
        "held_by_each": "all",
        "with_agreement_of": ["wessex-fire"],
        "decided_by": ["wesex-cc", "fire-cfo", "mercia-cc"],
    }
    fns.append(fns[3] | {"id": "reserved", "legal": {"board_reserved": True, "decided_by": "x"}})
    path = tmp_path / "police.yaml"
    path.write_text(yaml.safe_dump(data | {"rules": str(EXAMPLES / "packs" / "police")}), "utf-8")
    out = run_cli("classify", str(path))
    assert out.returncode == 2 and out.stdout == "" and "Traceback" not in out.stderr
    expected = [
        # an unknown body, with a "did you mean"
        ("function 'regional-crime-unit'", "with_agreement_of", "did you mean 'mercia-police'"),
        # a holder's own consent
        ("function 'statutory-accounts'", "with_agreement_of", "'wessex-fire' holds the function"),
        # a body the function must stay independent of
        ("function 'estates'", "with_agreement_of", "must stay independent of 'mercia-police'"),
        # a post that is not a role, with a "did you mean"
        ("function 'firearms-licensing'", "decided_by", "did you mean 'wessex-cc'"),
        # the post of a body that neither holds it nor carries it out
        ("function 'firearms-licensing'", "decided_by", "'fire-cfo' (Chief Fire Officer) is"),
        # the decision is reserved to each Board
        ("function 'reserved'", "decided_by", "no post can take it instead"),
    ]
    lines = out.stderr.splitlines()
    for item, key, words in expected:
        assert any(item in ln and f"key '{key}'" in ln and words in ln for ln in lines), words
    assert str(path) in out.stderr and "6 problems" in out.stderr


def test_a_post_of_a_consenting_or_delegating_body_is_refused() -> None:
    data = police(with_agreement_of=["wessex-fire"], held_by_each=["wessex-police"])
    data["functions"][-1]["performed_by"] = PERFORMERS
    data["functions"][-1]["capability"] = dict.fromkeys(PERFORMERS, "medium")
    data["functions"][-1]["legal"]["decided_by"] = ["wessex-cc", "fire-cfo"]
    with pytest.raises(taxonomy.PortfolioError) as info:
        taxonomy.portfolio_from_data(data, rules=POLICE)
    assert "'fire-cfo' (Chief Fire Officer) is employed by wessex-fire, whose agreement" in str(
        info.value
    )
    data = police()
    data["law"] = {"joint_committees": True}
    data["governance"]["bodies"] = [
        {
            "id": "firearms-jc",
            "name": "Joint firearms committee",
            "kind": "joint_committee",
            "members": ["wessex-police", "mercia-police"],
            "delegated": ["firearms-licensing"],
        }
    ]
    with pytest.raises(taxonomy.PortfolioError) as info:
        taxonomy.portfolio_from_data(data, rules=POLICE)
    assert str(info.value).count("delegates the function to a joint body") == 2


# --- the law invariants see a structure that breaks them ---------------------------------------


def test_the_consent_invariant_catches_a_consenting_body_drawn_holding() -> None:
    result = taxonomy.classify(taxonomy.portfolio_from_data(national(TARIFF)))
    graph = build_graph(result)
    fine = law._consent_broken(graph, result["national-tariff"].decision, "national-tariff", "nhse")
    assert fine == []
    graph.add_edge("board:nhse", "function:national-tariff", key="holds", kind="holds")
    graph.remove_edge("board:nhse", "function:national-tariff", key="consents")
    broken = law._consent_broken(graph, None, "national-tariff", "nhse")
    assert broken == ["is drawn holding it", "is not drawn consenting"]
    assert {"consent", "only holders delegate"} <= set(law.LAW) and '"' in law.SOURCES["consent"]
    assert check_invariants(taxonomy.load_rules(), result.portfolio) == []


def test_the_model_refuses_a_consent_from_a_holder_or_a_body_kept_apart() -> None:
    fn = taxonomy.portfolio_from_data(national(TARIFF)).function("national-tariff")
    for legal in (
        taxonomy.Legal(statutory_owner="nhsi", with_agreement_of="nhsi"),
        taxonomy.Legal(held_by_each=("nhse", "nhsi"), with_agreement_of="nhse"),
        taxonomy.Legal(independence_from=("dhsc",), with_agreement_of="dhsc"),
    ):
        with pytest.raises(ValueError, match="with_agreement_of names"):
            attrs.evolve(fn, legal=legal)


def test_a_governance_problem_does_not_also_report_the_posts_it_names() -> None:
    # A bad joint body left the governance unread, so no role was known: each post a function
    # names was then reported missing too ("allowed: " and nothing), though it exists.
    data = police()
    data["governance"]["bodies"] = [
        {
            "id": "jc",
            "name": "Joint Committee",
            "kind": "joint_committee",
            "members": ["wessex-police", "nobody"],
        }
    ]
    with pytest.raises(taxonomy.PortfolioError) as info:
        taxonomy.portfolio_from_data(data, rules=POLICE)
    message = str(info.value)
    assert "nobody" in message
    assert "decided_by" not in message and "allowed: \n" not in message


def test_a_scenario_names_the_post_that_decides() -> None:
    # issue 25: a what-if could set whose agreement a decision needs but not which post takes
    # it; `legal.decided_by` was refused as an unknown field.
    from taxonomy.errors import ScenarioError
    from taxonomy.whatif.scenarios import Scenario

    data = police()
    data["functions"][-1]["legal"].pop("decided_by")
    portfolio = taxonomy.portfolio_from_data(data, rules=POLICE)
    before = taxonomy.classify(portfolio, rules=POLICE)["firearms-licensing"]
    assert before.decision is not None and "wessex-cc" not in [
        d.id for d in before.decision.deciders
    ]
    named = Scenario("chief constables decide").set(
        function="firearms-licensing", field="legal.decided_by", value=["wessex-cc", "mercia-cc"]
    )
    applied = named.apply(portfolio, rules=POLICE)
    after = taxonomy.classify(applied.portfolio, rules=POLICE)["firearms-licensing"]
    assert after.decision is not None
    assert [d.id for d in after.decision.deciders] == ["wessex-cc", "mercia-cc"]
    # judged as a portfolio is: an unknown post (with a did-you-mean), a post of a body that
    # neither holds nor carries out the function
    for value, words in (
        (["wesex-cc"], "did you mean 'wessex-cc'"),
        (["fire-cfo"], "neither holds nor carries out"),
    ):
        with pytest.raises(ScenarioError, match=words):
            Scenario("bad post").set(
                function="firearms-licensing", field="legal.decided_by", value=value
            ).apply(portfolio, rules=POLICE)
