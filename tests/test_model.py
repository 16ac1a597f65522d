from __future__ import annotations

import attrs
import pytest

import taxonomy
from taxonomy import Arrangement, Capability, Legal, Level, Organisation


def test_levels_are_ordered() -> None:
    assert Level.NONE < Level.LOW < Level.MEDIUM < Level.HIGH
    assert [str(level) for level in Level] == ["none", "low", "medium", "high"]


def test_arrangements_are_ordered_most_to_least_integrated() -> None:
    assert [a.category for a in Arrangement] == [1, 2, 3, 4]
    assert max(Arrangement.ONE_TEAM, Arrangement.ALIGNED) is Arrangement.ALIGNED
    assert Arrangement.SEPARATE_INVOLVED.separate and not Arrangement.ALIGNED.separate
    assert Arrangement.parse("separate_distinct").title == "Separate and distinct"
    with pytest.raises(ValueError, match="not an arrangement"):
        Arrangement.parse("merged")


def test_model_is_frozen_and_validated() -> None:
    org = Organisation("nhse", "NHS England")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        org.name = "x"  # type: ignore[misc]
    with pytest.raises(ValueError):
        Organisation("NHS E", "x")
    with pytest.raises(ValueError):
        Legal(delegable_to=("a", "a"))
    with pytest.raises(ValueError):
        Capability({"a": "huge"})


def test_portfolio_checks_references(nhs: taxonomy.Portfolio) -> None:
    fn = nhs.functions[0]
    with pytest.raises(ValueError, match="unknown bodies: ghost"):
        attrs.evolve(nhs, functions=(attrs.evolve(fn, performed_by=("ghost",)),))
    with pytest.raises(ValueError, match="at least one organisation"):
        attrs.evolve(nhs, organisations=(), functions=(), governance=taxonomy.Governance())
    with pytest.raises(ValueError, match="share an id"):
        attrs.evolve(nhs, functions=(fn, fn))


def test_nothing_assumes_two_bodies_or_their_names() -> None:
    ids = [f"ccg{i}" for i in range(8)]
    orgs = [Organisation(i, i.upper()) for i in ids]
    fn = taxonomy.Function(
        id="acute",
        name="Acute",
        level="local",
        performed_by=tuple(ids),
        efficiency=taxonomy.Efficiency("high", "high"),
        effectiveness=taxonomy.Effectiveness("high"),
        legal=Legal(),
        capability=Capability({i: "medium" for i in ids[:7]} | {"ccg7": "high"}),
    )
    result = taxonomy.classify(taxonomy.Portfolio("Eight", orgs, [fn]))
    assert result["acute"].arrangement is Arrangement.ONE_TEAM
    assert result["acute"].lead == "ccg7"
