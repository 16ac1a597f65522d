"""The law as properties, whatever the pack (issue 25 item 8): taxonomy.testing.law.

The default pack and the example packs keep the law on every generated portfolio; a copy of the
default pack with one legal rule removed breaks it, and hypothesis finds a portfolio that shows
it, through the invariants alone (they read the portfolio's legal facts, not the pack's rules).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st

import taxonomy
from taxonomy import Legal
from taxonomy.language.rules import RulePack
from taxonomy.testing import check_invariants, invariants, law
from taxonomy.testing.mutation import write_pack
from taxonomy.testing.strategies import portfolios

ROOT = Path(__file__).resolve().parents[1]
PACK = taxonomy.load_rules()
PACKS = {
    "default": PACK,
    **{p.name: taxonomy.load_rules(p) for p in sorted((ROOT / "examples/packs").iterdir())},
}

#: Each legal rule of the default pack, the law invariant that notices it gone, and the legal
#: fact a generated portfolio needs for the rule to matter.
DROPPED = {
    "legal.independence": ("independence", Legal(independence_from=("b2",))),
    "legal.employees-only": ("employees only", Legal(delegable_to=("b2",))),
    "legal.own-employees-only": ("employees only", Legal(not_delegable_to=("another_body",))),
    "legal.separate-for-legal-reason": ("separate reason", Legal(separate_reason="a statute")),
}


def _without(rule: str, tmp_path: Path) -> RulePack:
    kept = [r for r in PACK.rules if r.id != rule]
    assert len(kept) == len(PACK.rules) - 1
    return taxonomy.load_rules(write_pack(PACK, kept, tmp_path / rule))


@pytest.mark.parametrize("name", sorted(PACKS))
def test_the_shipped_packs_keep_the_law(name: str) -> None:
    pack = PACKS[name]

    @settings(max_examples=40, database=None, deadline=None)
    @given(portfolios(max_bodies=4, max_functions=3, rules=pack))
    def keeps_the_law(portfolio: taxonomy.Portfolio) -> None:
        assert law.check_law(pack, portfolio) == []

    keeps_the_law()


@pytest.mark.parametrize("rule", sorted(DROPPED))
def test_the_default_pack_keeps_the_law_where_each_legal_rule_matters(rule: str) -> None:
    _, legal = DROPPED[rule]

    @settings(max_examples=30, database=None, deadline=None)
    @given(portfolios(max_bodies=4, max_functions=2, legal=st.just(legal)))
    def keeps_the_law(portfolio: taxonomy.Portfolio) -> None:
        assert law.check_law(PACK, portfolio) == []

    keeps_the_law()


@pytest.mark.parametrize("rule", sorted(DROPPED))
def test_a_pack_without_a_legal_rule_fails_the_law(rule: str, tmp_path: Path) -> None:
    invariant, legal = DROPPED[rule]
    broken = _without(rule, tmp_path)

    def breaks(portfolio: taxonomy.Portfolio) -> bool:
        return any(v.invariant == invariant for v in law.LAW[invariant](broken, portfolio))

    found = find(
        portfolios(max_bodies=4, max_functions=2, legal=st.just(legal), rules=broken),
        breaks,
        # The first portfolio found will do: shrinking it (what docs/testing.md shows) costs
        # most of the time and proves nothing more here.
        settings=settings(
            max_examples=2000,
            database=None,
            deadline=None,
            derandomize=True,
            phases=[Phase.generate],
        ),
    )
    # check_invariants runs the law too, and the pack's own invariants do not see it.
    every = check_invariants(broken, found)
    assert invariant in {v.invariant for v in every}
    own = [v for name, check in invariants.INVARIANTS.items() if name not in law.LAW
           for v in check(broken, found)]  # fmt: skip
    assert not [v for v in own if v.invariant != "totality"]
    # The same portfolio under the whole default pack keeps the law.
    assert law.check_law(PACK, found) == []


def test_every_law_invariant_cites_its_source() -> None:
    assert set(law.SOURCES) == set(law.LAW)
    assert set(law.LAW) <= set(invariants.INVARIANTS)
    for name, source in law.SOURCES.items():
        assert '"' in source, f"{name} quotes no sentence"


def test_a_violation_names_the_law_and_the_function(tmp_path: Path) -> None:
    broken = _without("legal.separate-for-legal-reason", tmp_path)
    nhs = taxonomy.load_portfolio(ROOT / "examples/nhs_joint_working_2018.yaml")
    import attrs

    fn = nhs.function("it")
    separate = attrs.evolve(fn, legal=attrs.evolve(fn.legal, separate_reason="a statute"))
    found = law.separate_reason(broken, nhs.with_function(separate))
    assert [(v.invariant, v.function) for v in found] == [("separate reason", "it")]
    assert str(found[0]).startswith("separate reason: it: the law keeps it separate (a statute)")
    assert law.separate_reason(PACK, nhs.with_function(separate)) == []


@pytest.mark.parametrize(
    ("example", "pack"),
    [
        ("nhs_joint_working_2018", "default"),
        ("nw_london_ccgs_2018", "default"),
        ("three_councils_shared_services", "councils"),
        ("police_fire_collaboration", "police"),
    ],
)
def test_the_shipped_examples_keep_the_law(example: str, pack: str) -> None:
    rules = PACKS[pack]
    portfolio = taxonomy.load_portfolio(ROOT / f"examples/{example}.yaml", rules=rules)
    assert law.check_law(rules, portfolio) == []
