"""Mutation testing of rule packs."""

from __future__ import annotations

from pathlib import Path

import pytest

import taxonomy
from taxonomy.testing.mutation import mutants, run_mutants, write_pack
from tests.conftest import ROOT
from tests.helpers import SMALL_PACK, copy_pack

PACK = taxonomy.load_rules()


def test_every_kind_of_mutant_is_made_and_valid() -> None:
    made = mutants(PACK)
    assert {m.kind for m in made} == {"threshold", "drop", "swap", "priority"}
    hashes = {taxonomy.RulePack.from_rules(m.rules).hash for m in made}
    assert len(hashes) == len(made)  # every mutant differs from every other
    assert taxonomy.RulePack.from_rules(PACK.rules).hash not in hashes


def test_write_pack_round_trips(tmp_path: Path) -> None:
    folder = write_pack(PACK, PACK.rules, tmp_path / "copy")
    assert taxonomy.load_rules(folder).hash == PACK.hash


@pytest.mark.usefixtures("plain_pytest_children")
def test_weak_tests_let_every_mutant_survive(tmp_path: Path) -> None:
    folder = copy_pack(tmp_path, SMALL_PACK)
    weak = tmp_path / "test_weak.py"
    weak.write_text(
        f"import taxonomy\n\ndef test_loads():\n    assert taxonomy.load_rules({str(folder)!r})\n"
    )
    report = run_mutants(folder, [str(weak)], limit=3)
    assert len(report.survived) == 3 and report.killed == () and report.errors == ()
    assert report.score == 0.0


@pytest.mark.usefixtures("plain_pytest_children")
def test_the_projects_expectations_kill_mutants() -> None:
    report = run_mutants(None, [str(ROOT / "tests" / "expectations")], limit=6, workers=2)
    assert report.killed and report.errors == ()
    assert "m001" in {m.id for m in report.killed}  # capability gap threshold moved


@pytest.mark.usefixtures("plain_pytest_children")
def test_tests_must_pass_before_mutating(tmp_path: Path) -> None:
    failing = tmp_path / "test_fail.py"
    failing.write_text("def test_no():\n    assert False\n")
    with pytest.raises(taxonomy.RulePackError, match="must pass on the pack as it is"):
        run_mutants(None, [str(failing)], limit=1)


def test_a_mutant_the_tests_could_not_run_on_is_not_counted_as_killed() -> None:
    """Its score gates CI (rules mutate --fail-under): mutants that only errored used to leave
    the score at 100%."""
    from taxonomy.testing.mutation import Mutant, MutationReport

    one, two = (Mutant(f"m{i}", "priority", "r", "change", ()) for i in (1, 2))
    assert MutationReport("p", (), (), (), ((one, "timeout"), (two, "crash"))).score == 0.0
    assert MutationReport("p", (), (one,), (), ((two, "crash"),)).score == 0.5
    assert MutationReport("p", (), (), (), ()).score == 1.0  # nothing to kill
