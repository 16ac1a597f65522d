"""Why-not (issue 22, item 11): only changes that could be taken, and the target in the user's words.

A function only one body carries out cannot be one team, whatever its answers: the body is named
as what stands in the way. A change that lowers a body's capability is never offered beside
changes that reach the target without one, and when it is the only way it is said as a loss.
``--why-not`` reads an arrangement as :meth:`Arrangement.parse` does: a name, a title or a
category number.
"""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import pytest

import taxonomy
from taxonomy._model import Capability, Level
from taxonomy.whatif.counterfactual import counterfactuals
from tests.helpers import copy_pack
from tests.helpers import run_cli as run

ROOT = Path(__file__).resolve().parents[1]
NHS = ROOT / "examples" / "nhs_joint_working_2018.yaml"
COUNCILS = ROOT / "examples" / "three_councils_shared_services.yaml"
COUNCILS_PACK = ROOT / "examples" / "packs" / "councils"
POLICE = ROOT / "examples" / "police_fire_collaboration.yaml"
POLICE_PACK = ROOT / "examples" / "packs" / "police"

EXAMPLES = [(NHS, None), (COUNCILS, COUNCILS_PACK), (POLICE, POLICE_PACK)]


def _load(path: Path, pack_dir: Path | None) -> tuple[taxonomy.Portfolio, taxonomy.RulePack]:
    pack = taxonomy.load_rules(pack_dir) if pack_dir else taxonomy.load_rules()
    return taxonomy.load_portfolio(path, rules=pack), pack


# -- who carries it out ----------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "pack_dir"), EXAMPLES, ids=lambda p: getattr(p, "stem", None))
def test_a_function_one_body_carries_out_is_never_offered_one_team(
    path: Path, pack_dir: Path | None
) -> None:
    portfolio, pack = _load(path, pack_dir)
    for fn in portfolio.functions:
        found = counterfactuals(portfolio, fn.id, "one_team", rules=pack)
        if len(fn.performed_by) == 1 and found.current.arrangement is not found.target:
            assert not found.solutions, (fn.id, [str(s) for s in found.solutions])
            assert found.performed_only_by == tuple(fn.performed_by)
            assert f"only {fn.performed_by[0]} carries it out" in found.explain()
        else:
            assert not found.performed_only_by


def test_eprr_one_team_names_the_one_body_that_carries_it_out() -> None:
    out = run("explain", str(NHS), "eprr", "--why-not", "one_team")
    assert out.returncode == 0, out.stderr
    assert "only nhse carries it out" in out.stdout
    assert "duplication" not in out.stdout
    data = json.loads(run("explain", str(NHS), "eprr", "--why-not", "1", "--format", "json").stdout)
    assert data["solutions"] == [] and data["performed_only_by"] == ["nhse"]


def test_one_body_may_still_be_asked_about_other_arrangements() -> None:
    portfolio, pack = _load(NHS, None)
    found = counterfactuals(portfolio, "procurement-complaints", "separate_distinct", rules=pack)
    assert not found.performed_only_by and found.solutions


# -- making a body worse ---------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "pack_dir"), EXAMPLES, ids=lambda p: getattr(p, "stem", None))
@pytest.mark.parametrize("max_changes", [1, 2])
def test_no_solution_lowers_a_capability_beside_one_that_lowers_none(
    path: Path, pack_dir: Path | None, max_changes: int
) -> None:
    portfolio, pack = _load(path, pack_dir)
    for fn in portfolio.functions:
        for target in taxonomy.Arrangement:
            found = counterfactuals(portfolio, fn.id, target, rules=pack, max_changes=max_changes)
            losses = {bool(s.losses) for s in found.solutions}
            assert len(losses) <= 1, (fn.id, target, [str(s) for s in found.solutions])


def test_monitoring_officer_is_not_made_one_team_by_weakening_a_council() -> None:
    """Before: "change capability.eastbrook: medium -> low" was offered as a way to one team."""
    out = run(
        "explain", str(COUNCILS), "monitoring-officer", "--rules", str(COUNCILS_PACK),
        "--why-not", "one team",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "efficiency.duplication: medium -> high" in out.stdout
    assert "capability." not in out.stdout, out.stdout


def test_a_loss_is_said_as_a_loss_when_it_is_the_only_way(tmp_path: Path) -> None:
    folder = copy_pack(tmp_path)
    decision = folder / "decision.yaml"
    text = decision.read_text()
    start = text.index("  - id: decision.one-team\n")
    end = text.index("  - id: decision.one-team-pooled-capability\n")
    decision.write_text(text[:start] + text[end:])
    pack = taxonomy.load_rules(folder)
    nhs = taxonomy.load_portfolio(NHS)
    fn = nhs.function("pricing")
    even = Capability({body: Level.MEDIUM for body in fn.performed_by})
    portfolio = attrs.evolve(
        nhs, functions=tuple(attrs.evolve(f, capability=even) if f.id == fn.id else f
                             for f in nhs.functions)
    )  # fmt: skip
    found = counterfactuals(portfolio, "pricing", "one_team", rules=pack, max_changes=1)
    assert found.solutions and all(s.losses for s in found.solutions)
    said = found.explain()
    assert "only by making a body weaker" in said
    assert "a loss for" in said and "whose capability would fall" in said
    assert all(s.to_dict()["lowers_capability_of"] for s in found.solutions)


# -- the target as the user writes it --------------------------------------------------------------


@pytest.mark.parametrize(
    "written", ["2", "aligned", "Aligned", "Aligned, separate function(s)", "separate-involved"]
)
def test_why_not_reads_names_titles_and_category_numbers(written: str) -> None:
    out = run(
        "explain", str(COUNCILS), "licensing", "--rules", str(COUNCILS_PACK),
        "--why-not", written, "--format", "json",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    expected = str(taxonomy.Arrangement.parse(written))
    assert json.loads(out.stdout)["target"] == expected


def test_why_not_one_team_by_its_title_and_number() -> None:
    for written in ("one team", "1"):
        out = run(
            "explain", str(POLICE), "estates", "--rules", str(POLICE_PACK), "--why-not", written
        )
        assert out.returncode == 0, out.stderr
        assert "is already one_team" in out.stdout


@pytest.mark.parametrize("written", ["5", "0", "merged", "alinged"])
def test_why_not_refuses_what_names_no_arrangement(written: str) -> None:
    out = run("explain", str(NHS), "pricing", "--why-not", written)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert f"'{written}' is not an arrangement" in out.stderr
    assert out.stderr.count("\n") == 1
