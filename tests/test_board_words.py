"""Words a Board reads (issue 22, items 9, 10 and 12).

The report and the Markdown outputs name no rule id, finding name or graph id; page 1 lists what
the law did, even where it did not change the category; the default pack's words name no
sector, and an extension may reword the reasons of the rules it inherits.
"""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import pytest

import taxonomy
from taxonomy.errors import RulePackError
from taxonomy.render.report import build_report
from taxonomy.render.text import explain_markdown, to_markdown
from tests.helpers import run_cli as run

ROOT = Path(__file__).resolve().parents[1]
NHS = ROOT / "examples" / "nhs_joint_working_2018.yaml"
NWL = ROOT / "examples" / "nw_london_ccgs_2018.yaml"
COUNCILS = ROOT / "examples" / "three_councils_shared_services.yaml"
COUNCILS_PACK = ROOT / "examples" / "packs" / "councils"

#: A small police-and-fire style portfolio of three bodies: operational independence (each
#: chief officer decides), enforcement only one body's employees may carry out, a lead named in
#: an agreement, and a three-way tie.
THREE_BODIES = """\
name: Shire blue-light collaboration (test)
organisations:
  - {id: police, name: Shire Police}
  - {id: fire, name: Shire Fire and Rescue Service}
  - {id: pcc, name: Shire Police and Crime Commissioner}
functions:
  - id: estates
    name: Estates
    level: local
    performed_by: [police, fire, pcc]
    efficiency: {duplication: high, simplification: high}
    effectiveness: {joint_benefit: medium}
    legal: {}
    capability: {police: medium, fire: medium, pcc: medium}
  - id: fire-safety
    name: Fire safety enforcement
    level: local
    performed_by: [fire, police]
    efficiency: {duplication: medium, simplification: medium}
    effectiveness: {joint_benefit: medium}
    legal:
      statutory_owner: fire
      delegable_to: [fire]
      not_delegable_to: [another_body]
    capability: {fire: high, police: low}
  - id: operations
    name: Operational policing decisions
    level: local
    performed_by: [police, fire]
    efficiency: {duplication: low, simplification: low}
    effectiveness: {joint_benefit: medium}
    legal:
      held_by_each: all
      board_reserved: true
      independence_from: [pcc]
    capability: {police: high, fire: medium}
  - id: accounts
    name: Statutory accounts
    level: local
    performed_by: [police, fire, pcc]
    efficiency: {duplication: high, simplification: medium}
    effectiveness: {joint_benefit: high}
    legal:
      held_by_each: all
    capability: {police: medium, fire: medium, pcc: high}
    agreed_lead: fire
"""


def _pack_ids(pack: taxonomy.RulePack) -> re.Pattern[str]:
    ids = sorted((rule.id for rule in pack.rules), key=len, reverse=True)
    return re.compile(r"(?<![\w.-])(?:" + "|".join(map(re.escape, ids)) + r")(?![\w-])")


#: Graph ids (``team:accounts:police``) and finding names as the comparison writes them.
GRAPH_ID = re.compile(r"(?<![\w-])(?:team|board|role|function|joint):[\w-]")
FINDING = re.compile(r"\bfinding [a-z_]+( =|:)")


def _board_text(report: str) -> str:
    """The report's text a Board reads: everything but the derivation's audit lines.

    The derivation (``class="why"``) keeps each rule's id, whole, for whoever audits it.
    """
    text = re.sub(r"<style>.*?</style>|<script>.*?</script>", " ", report, flags=re.S)
    text = re.sub(r'<div class="why">.*?</div>', " ", text, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", text))


def _three_bodies(tmp_path: Path) -> Path:
    path = tmp_path / "three.yaml"
    path.write_text(THREE_BODIES, encoding="utf-8")
    return path


CASES = [
    pytest.param(NHS, None, id="nhs"),
    pytest.param(NWL, None, id="nw-london"),
    pytest.param(COUNCILS, COUNCILS_PACK, id="councils"),
    pytest.param(None, None, id="three-bodies"),
]


@pytest.mark.parametrize(("portfolio", "rules"), CASES)
def test_no_rule_finding_or_graph_id_in_what_a_board_reads(
    portfolio: Path | None, rules: Path | None, tmp_path: Path
) -> None:
    path = portfolio if portfolio is not None else _three_bodies(tmp_path)
    pack = taxonomy.load_rules(rules) if rules else taxonomy.load_rules()
    loaded = taxonomy.load_portfolio(path, rules=pack)
    result = taxonomy.classify(loaded, rules=pack)
    ids = _pack_ids(pack)
    texts = {
        "report": _board_text(build_report(loaded, rules=pack)),
        "classify markdown": to_markdown(result, rules=pack),
        **{f"explain markdown {rec.function}": explain_markdown(rec) for rec in result},
    }
    for where, text in texts.items():
        assert not ids.findall(text), (where, sorted(set(ids.findall(text))))
        assert not GRAPH_ID.findall(text), (where, GRAPH_ID.findall(text))
        assert not FINDING.findall(text), where


def test_rule_ids_in_the_audit_trail_never_break_inside() -> None:
    report = build_report(
        taxonomy.load_portfolio(COUNCILS, rules=taxonomy.load_rules(COUNCILS_PACK)),
        rules=taxonomy.load_rules(COUNCILS_PACK),
        pictures=False,
    )
    assert re.search(r"\.rule \{[^}]*white-space: nowrap", report)
    assert "<wbr>" not in report
    # No page holds only a heading: the block after a heading stays with it.
    assert re.search(r"h2 \+ \*, h3 \+ \*[^{]*\{ break-before: avoid", report)


def test_page_one_lists_the_law_for_the_councils() -> None:
    pack = taxonomy.load_rules(COUNCILS_PACK)
    report = build_report(taxonomy.load_portfolio(COUNCILS, rules=pack), rules=pack, pictures=False)
    summary = _board_text(
        report[report.index('<section id="summary">') : report.index("</section>")]
    )
    summary = " ".join(summary.split())
    assert "No legal constraint" not in summary
    assert "What the law decided" in summary
    expected = [
        # capped
        "Elections and electoral registration : held at 4. Separate and distinct",
        "Housing allocations (the allocation scheme and the housing register) : held at 2.",
        # a body kept apart, though no rule capped anything for it
        "Internal audit of the shared services : Northvale District Council kept out of it",
        # leads the law, or the councils' agreement, named
        "Transactional HR and payroll : Southmere District Council leads, because the bodies "
        "agreed that Southmere District Council leads",
        "Internal audit of the shared services : Eastbrook District Council leads, because "
        "Eastbrook District Council employs the shared staff",
        # decisions kept by each council while one team delivers
        "Development management (planning applications) : Northvale District Council, Southmere "
        "District Council and Eastbrook District Council each keep deciding while the work is "
        "shared, because the decision is reserved to each body's own governing body",
    ]
    for line in expected:
        assert line in summary, line


def test_the_law_that_changed_no_category_is_still_said(tmp_path: Path) -> None:
    """Independence from the commissioner keeps it out of operations, though no rule capped."""
    loaded = taxonomy.load_portfolio(_three_bodies(tmp_path))
    result = taxonomy.classify(loaded)
    from taxonomy.render.prose import legal_effects, paragraph

    effects = {(e.effect, names) for e, names in legal_effects(result)}
    assert ("lead", ("Fire safety enforcement",)) in effects
    assert ("lead", ("Statutory accounts",)) in effects
    assert ("apart", ("Operational policing decisions",)) in effects
    operations = paragraph(result["operations"], result)
    assert (
        "The law also binds it, within the category given: Shire Police and Crime Commissioner "
        "kept out of it (no team, no involvement), because it must stay independent of Shire "
        "Police and Crime Commissioner"
    ) in operations
    text = paragraph(result["fire-safety"], result)
    assert "NHS" not in text.replace("NHS England board paper", "")
    assert "commissioning" not in text


def test_the_default_pack_names_no_sector_in_a_reason_or_the_legal_question() -> None:
    pack = taxonomy.load_rules()
    assert "NHS" not in pack.word("legal_question", "")
    for rule in pack.rules:
        if rule.id == "decision.regional-teams-report-equally":
            continue  # the NHS's own rule (docs/own-case.md)
        assert "NHS" not in rule.because, rule.id
    from taxonomy.render.prose import citation

    for rule in pack.rules:
        quoted = citation(rule.source, quote=True)
        if rule.question == "legal":
            assert "NHS England employee" not in quoted, rule.id


def _extension(tmp_path: Path, override: str) -> Path:
    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "pack.yaml").write_text(
        "name: blue-light\nversion: 0.1.0\n"
        "extends: {name: nhs-joint-working-2018, version: '>=1,<2'}\n"
        f"overrides:\n{override}",
        encoding="utf-8",
    )
    return folder


def test_an_extension_rewords_an_inherited_rule(tmp_path: Path) -> None:
    folder = _extension(
        tmp_path,
        "  - rule: legal.employees-only\n"
        "    reason: the fire service's own words\n"
        "    because: only {legal.delegable_to}'s own officers may enforce it\n",
    )
    pack = taxonomy.load_rules(folder)
    rule = pack.rule("legal.employees-only")
    assert rule.because == "only {legal.delegable_to}'s own officers may enforce it"
    assert rule.when == taxonomy.load_rules().rule("legal.employees-only").when
    (override,) = pack.overrides
    assert override.action == "reworded"
    loaded = taxonomy.load_portfolio(_three_bodies(tmp_path), rules=pack)
    result = taxonomy.classify(loaded, rules=pack)
    from taxonomy.render.prose import paragraph

    text = paragraph(result["fire-safety"], result, rules=pack)
    assert "only Shire Fire and Rescue Service's own officers may enforce it" in text


def test_rewording_an_unknown_rule_is_one_error_with_a_suggestion(tmp_path: Path) -> None:
    folder = _extension(
        tmp_path,
        "  - rule: legal.employee-only\n    reason: r\n    because: only {legal.delegable_to}\n",
    )
    with pytest.raises(RulePackError) as caught:
        taxonomy.load_rules(folder)
    message = str(caught.value)
    assert "pack.yaml" in message and "legal.employee-only" in message
    assert "legal.employees-only" in message  # did you mean
    out = run("rules", str(folder))
    assert out.returncode == 2 and "Traceback" not in out.stderr


def test_a_reworded_reason_naming_an_unknown_fact_is_refused_at_the_override(
    tmp_path: Path,
) -> None:
    folder = _extension(
        tmp_path,
        "  - rule: legal.employees-only\n    reason: r\n    because: only {legal.delegable}\n",
    )
    with pytest.raises(RulePackError) as caught:
        taxonomy.load_rules(folder)
    message = str(caught.value)
    assert "pack.yaml" in message and "legal.delegable" in message


def test_a_comparison_reason_reads_without_ids() -> None:
    from taxonomy.render.report import board_reason

    pack = taxonomy.load_rules()
    assert board_reason("decided by decision.one-team (was decision.aligned)", pack) == (
        "the answers now give one team (they gave aligned, separate functions)"
    )
    assert board_reason("now capped by legal.independence", pack) == (
        "now held by law at 3. Separate, involvement if needed"
    )
    assert board_reason("finding capability_gain: high -> low", pack) == (
        "capability gain: high -> low"
    )
    assert (
        board_reason(
            "lead nhse -> nhsi (set by legal.agreed-lead, was capability.most-capable-leads)", pack
        )
        == "lead nhse -> nhsi"
    )


def _shipped_whatif_runs() -> list[list[str]]:
    """Each shipped scenario's own ``# Run: taxonomy whatif ...`` line: portfolio, scenario, pack."""
    runs = []
    for scenario in sorted((ROOT / "examples" / "scenarios").glob("*.yaml")):
        for line in scenario.read_text(encoding="utf-8").splitlines():
            if line.startswith("# Run: taxonomy whatif "):
                words = line.removeprefix("# Run: taxonomy whatif ").split()
                runs.append([w for w in words if w not in ("--format", "markdown")])
    return runs


@pytest.mark.parametrize("args", _shipped_whatif_runs(), ids=lambda a: Path(a[1]).stem)
def test_whatif_markdown_of_every_shipped_scenario_names_no_rule_or_finding(
    args: list[str],
) -> None:
    """Before: "decided by decision.one-team (was decision.aligned); finding efficiency: ..."."""
    out = run("whatif", *[str(ROOT / a) if a.startswith("examples/") else a for a in args],
              "--format", "markdown")  # fmt: skip
    assert out.returncode == 0, out.stderr
    rules = args[args.index("--rules") + 1] if "--rules" in args else None
    ids = _pack_ids(taxonomy.load_rules(ROOT / rules) if rules else taxonomy.load_rules())
    assert not ids.findall(out.stdout), sorted(set(ids.findall(out.stdout)))
    assert not FINDING.findall(out.stdout), out.stdout
    assert not GRAPH_ID.findall(out.stdout), GRAPH_ID.findall(out.stdout)
    assert "decided by" not in out.stdout


def test_whatif_markdown_says_reasons_as_the_report_does() -> None:
    """One wording: the whatif Markdown's reasons are the report's scenario-table reasons."""
    scenario = ROOT / "examples" / "scenarios" / "strategy_duplication.yaml"
    out = run("whatif", str(NHS), str(scenario), "--format", "markdown")
    assert out.returncode == 0, out.stderr
    assert "the answers now give one team (they gave aligned, separate functions)" in out.stdout


def test_a_scenario_picture_names_its_scenario_and_keeps_each_body_colour(tmp_path: Path) -> None:
    """Before: titled as the baseline, and the fire authority changed colour after the merger."""
    from taxonomy.render.picture_plan import PALETTE as _PALETTE

    police = ROOT / "examples" / "police_fire_collaboration.yaml"
    pack = ROOT / "examples" / "packs" / "police"
    merger = ROOT / "examples" / "scenarios" / "police_force_merger.yaml"
    picture = tmp_path / "to_be.svg"
    out = run("graph", str(police), "--rules", str(pack), "--scenario", str(merger),
              "-o", str(picture))  # fmt: skip
    assert out.returncode == 0, out.stderr
    svg = picture.read_text(encoding="utf-8")
    title = re.search(r"<title[^>]*>([^<]*)</title>", svg)
    assert title and "Wessex and Mercia police amalgamate" in title.group(1)
    bodies = taxonomy.load_portfolio(police, rules=taxonomy.load_rules(pack)).organisation_ids
    fire = _PALETTE[list(bodies).index("wessex-fire")]
    assert f"fill: {fire}" in svg


def test_a_looser_legal_limit_is_not_listed_beside_the_cap_that_held_it(nhs) -> None:
    """Page 1 never says both "held at 4" and "no more joined up than 3" for one function."""
    import attrs

    from taxonomy.render.prose import legal_effects

    fn = nhs.function("procurement-complaints")
    legal = attrs.evolve(fn.legal, separate_reason="a statutory bar (for this test)")
    result = taxonomy.classify(nhs.with_function(attrs.evolve(fn, legal=legal)))
    assert result["procurement-complaints"].category == 4
    said = [e.said for e, names in legal_effects(result) if fn.name in names]
    assert any(s.startswith("held at 4.") for s in said), said
    assert not any(s.startswith("no more joined up than 3") for s in said), said
