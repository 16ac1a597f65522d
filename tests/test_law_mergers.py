"""Mergers carry the law (issue 25 item 5): the law about a body gone passes to its successor.

Three bodies, so that a merger leaves a joint arrangement to classify and a structure to check:
Monitor-like ``reg`` (a regulator), NHS England-like ``com`` (a commissioner) and a third body
``ops``. Monitor into NHS England (July 2022) is the case of a function that must stay
independent of the successor.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import taxonomy
from taxonomy.law import Merger, apply_merge, in_force
from taxonomy.structure.checks import structure_report
from taxonomy.whatif.scenarios import Scenario

PORTFOLIO = """
name: Three bodies
organisations:
  - {id: reg, name: Regulator}
  - {id: com, name: Commissioner}
  - {id: ops, name: Operations}
functions:
  - id: complaints
    name: Procurement complaints
    level: national
    performed_by: [reg]
    efficiency: {duplication: none, simplification: medium}
    effectiveness: {joint_benefit: medium}
    legal: {statutory_owner: reg, independence_from: [com]}
    capability: {reg: medium}
  - id: audit
    name: Internal audit
    level: national
    performed_by: [com, ops]
    efficiency: {duplication: high, simplification: high}
    effectiveness: {joint_benefit: high}
    legal: {independence_from: [reg]}
    capability: {com: high, ops: medium}
  - id: licensing
    name: Licensing
    level: national
    performed_by: [reg, ops]
    efficiency: {duplication: high, simplification: high}
    effectiveness: {joint_benefit: high}
    legal: {delegable_to: [reg], statutory_owner: reg}
    capability: {reg: high, ops: low}
"""


#: The same bodies under a dated law whose Act abolishes reg into com on 1 July 2022.
DATED_LAW = """law:
  - id: old-law
    from: 2013-04-01
    until: 2022-06-30
    joint_committees: false
    source: the law before the merger
  - id: merger-act
    from: 2022-07-01
    joint_committees: false
    abolishes:
      - {body: reg, into: com}
    source: an Act abolishing reg and transferring its functions to com
"""


def _load(tmp_path: Path, text: str) -> taxonomy.Portfolio:
    path = tmp_path / "three.yaml"
    path.write_text(text, encoding="utf-8")
    return taxonomy.load_portfolio(path)


@pytest.fixture
def three(tmp_path: Path) -> taxonomy.Portfolio:
    return _load(tmp_path, PORTFOLIO)


def test_independence_from_the_body_gone_becomes_independence_from_the_successor(
    three: taxonomy.Portfolio,
) -> None:
    # The regulator merges into ops: audit, carried out by com and ops, must stay independent
    # of reg, and so now of ops; ops stays out of it and the note says so.
    merged, notes = apply_merge(three, Merger("ops", ("reg",)))
    audit = merged.function("audit")
    assert audit.legal.independence_from == ("ops",)
    assert audit.legal.independence_breached == ()
    assert "audit: it had to stay independent of reg, now merged into ops: it must stay " in (
        " ".join(notes)
    )
    rec = taxonomy.classify(merged)["audit"]
    assert rec.arrangement is taxonomy.Arrangement.SEPARATE_INVOLVED
    assert rec.lead == "com" and "legal.independence" in [f.rule for f in rec.explanation.fired]
    # Employees-only and the duty pass to the successor too.
    licensing = merged.function("licensing").legal
    assert licensing.delegable_to == ("ops",) and licensing.statutory_owner == ("ops",)


def test_a_function_merged_into_the_body_it_must_stay_independent_of_is_an_error(
    tmp_path: Path,
) -> None:
    """Monitor into NHS England: the successor is the body the function must be independent of."""
    three = _load(tmp_path, PORTFOLIO + DATED_LAW)
    day = in_force(three, "2022-07-01")
    complaints = day.portfolio.function("complaints")
    assert complaints.performed_by == ("com",)
    assert complaints.legal.independence_breached == ("com",)
    assert complaints.legal.independence_from == ()  # kept as breached, not lost
    assert any(
        "complaints: it must stay independent of com; with reg merged into com, com holds its "
        "statutory duty: it now sits inside a body it must stay independent of" in n
        for n in day.notes
    )
    result = taxonomy.classify(three, as_of="2022-07-01")
    said = "Procurement complaints must stay independent of com, but a merger made com"
    assert any(said in note for note in result["complaints"].explanation.notes)
    errors = [f for f in structure_report(result).findings if f.severity == "error"]
    assert [(f.check, f.nodes) for f in errors if said in f.message] == [
        ("independence", ("function:complaints",))
    ]
    # Before the merger nothing is breached and the check says nothing of it.
    before = structure_report(taxonomy.classify(three, as_of="2022-06-30")).findings
    assert not [f for f in before if "a merger made" in f.message]


def test_a_performer_merged_into_the_body_it_must_stay_independent_of(
    three: taxonomy.Portfolio,
) -> None:
    # ops merges into reg: audit is carried out by com and reg now, and must stay independent
    # of reg: still lawful without reg, so the independence holds and reg is kept out.
    merged, notes = apply_merge(three, Merger("reg", ("ops",)))
    audit = merged.function("audit")
    assert audit.performed_by == ("com", "reg") and audit.legal.independence_from == ("reg",)
    assert taxonomy.classify(merged)["audit"].lead == "com"
    # com merges into reg as well: reg alone carries audit out, which must stay apart from it.
    alone, notes = apply_merge(merged, Merger("reg", ("com",)))
    assert alone.function("audit").legal.independence_breached == ("reg",)
    assert any("with com merged into reg, reg carries it out" in n for n in notes)


def test_a_scenario_merger_says_so_and_a_later_merger_follows_the_breach(
    three: taxonomy.Portfolio,
) -> None:
    applied = Scenario("s").merge(into="com", from_=["reg"]).apply(three)
    assert applied.portfolio.function("complaints").legal.independence_breached == ("com",)
    # Merging the successor on into a new body carries the breach with it.
    again = Scenario("t").merge(into="one", name="One body", from_=["com", "ops"])
    final = again.apply(applied.portfolio).portfolio
    assert final.function("complaints").legal.independence_breached == ("one",)


def test_an_agreed_lead_the_merger_bars_lapses(three: taxonomy.Portfolio) -> None:
    import attrs

    audit = attrs.evolve(three.function("audit"), agreed_lead="ops")
    merged, notes = apply_merge(three.with_function(audit), Merger("ops", ("reg",)))
    assert merged.function("audit").agreed_lead is None
    assert any("the agreed lead ops is now ops" in n and "lapses" in n for n in notes)


OPEN_CAPABILITY = """
name: A county and two districts
organisations:
  - {id: county, name: Shire County Council}
  - {id: north, name: North District Council}
  - {id: south, name: South District Council}
functions:
  - id: strategy
    name: Joint waste strategy
    level: local
    performed_by: [county, north, south]
    efficiency: {duplication: high, simplification: high}
    effectiveness: {joint_benefit: high}
    legal: {}
    capability: {county: high, north: unknown, south: SOUTH}
"""


@pytest.mark.parametrize(
    ("south", "successor"),
    [("medium", "medium..high"), ("low..medium", "low..high"), ("high", None)],
)
def test_a_merger_carries_an_open_capability_to_the_successor(
    tmp_path: Path, south: str, successor: str | None
) -> None:
    # The districts merge: the successor's capability is the higher of theirs, so an open
    # answer of one of them leaves the successor's open over what the two answers allow
    # (unknown and medium: medium or high), never an answer about a body that is gone.
    path = tmp_path / "p.yaml"
    path.write_text(OPEN_CAPABILITY.replace("SOUTH", south), encoding="utf-8")
    portfolio = taxonomy.load_portfolio(path)
    merged, _ = apply_merge(
        portfolio, Merger(into="districts", from_=("north", "south"), name="Districts")
    )
    fn = merged.function("strategy")
    assert dict(fn.unknowns).keys() <= {"capability.districts"}
    if successor is None:
        assert fn.unknowns == ()
        assert dict(fn.capability.levels)["districts"] == taxonomy.Level.HIGH
    else:
        assert str(dict(fn.unknowns)["capability.districts"]) == successor
    rec = taxonomy.classify(merged)["strategy"]
    assert rec.arrangement is not None or rec.possible
