"""The outcome table by blocks (taxonomy._outcomes) equals the plain enumeration, case by case.

Differential: random functions of the shipped examples (three packs), random answers left open
(own levels, capabilities, the packs' own answers, a body answer open over some bodies), each
tallied both ways; the tables (each completion's outcome, each outcome's weight, completions,
recommendation and whether the law caps it everywhere) and the classifications must agree.
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import taxonomy
from taxonomy._model import UNKNOWN, Function, Level, OneOf, Portfolio
from taxonomy.classification import _Run
from taxonomy.errors import InputError
from taxonomy.language.rules import RulePack, pack_for
from taxonomy.partial import OWN_LEVELS, classify_open, complete, completions, plain_tally

EXAMPLES = {
    name: taxonomy.load_portfolio(f"examples/{name}.yaml")
    for name in (
        "nhs_joint_working_2018",
        "three_councils_shared_services",
        "police_fire_collaboration",
    )
}


def _open_keys(pack: RulePack, fn: Function) -> list[str]:
    keys = [*OWN_LEVELS, *(f"capability.{b}" for b, _ in fn.capability.levels)]
    keys += [f.name for f in pack.facts.answered() if f.type.name in ("level", "bool", "body")]
    return keys


@st.composite
def _cases(draw: st.DrawFn) -> tuple[Portfolio, RulePack, Function]:
    portfolio = EXAMPLES[draw(st.sampled_from(sorted(EXAMPLES)))]
    pack = pack_for(portfolio, None)
    fn = draw(st.sampled_from(portfolio.functions))
    keys = draw(
        st.lists(st.sampled_from(_open_keys(pack, fn)), min_size=1, max_size=4, unique=True)
    )
    open_: dict[str, OneOf] = {}
    for key in keys:
        ftype = pack.facts.type(key) if key in pack.facts and pack.facts.get(key).answered else None
        if ftype is not None and ftype.name == "body":
            bodies = draw(st.lists(st.sampled_from(fn.performed_by), min_size=2, unique=True))
            open_[key] = OneOf(tuple(sorted(bodies)))
        elif ftype is not None and ftype.name == "bool":
            open_[key] = UNKNOWN
        else:
            low, high = sorted(draw(st.tuples(st.integers(0, 3), st.integers(0, 3))))
            whole = draw(st.booleans())
            open_[key] = UNKNOWN if whole else OneOf(tuple(Level(i) for i in range(low, high + 1)))
    return portfolio, pack, attrs.evolve(fn, unknowns=open_, by_body=())


def _dump(table: Any) -> Any:
    found, outcome_of = table
    return (
        [
            (k, w, sorted(cells), json.dumps(rec.to_dict()), capped)
            for k, (w, cells, rec, capped) in found.items()
        ],
        list(outcome_of.items()),
    )


@settings(max_examples=40, deadline=None)
@given(_cases())
def test_blocks_give_the_plain_table(case: tuple[Portfolio, RulePack, Function]) -> None:
    portfolio, pack, fn = case
    run = _Run(pack, portfolio)
    keys, groups = completions(pack, fn)
    fast = run.fast.tally(fn, keys, groups, run.recommend, complete)
    assert fast is not None  # the shipped packs never conflict: the blocks always answer
    assert _dump(fast) == _dump(plain_tally(fn, keys, groups, run.recommend))
    by_blocks = classify_open(pack, fn, run.recommend, fast=run.fast)
    plain = classify_open(pack, fn, run.recommend)
    assert json.dumps(by_blocks.to_dict()) == json.dumps(plain.to_dict())


def test_eight_unknown_capabilities_are_classified() -> None:
    """Eight bodies' capabilities open (65,536 completions): by blocks, in one classification."""
    bodies = tuple(f"b{i}" for i in range(8))
    base = EXAMPLES["nhs_joint_working_2018"]
    fn = attrs.evolve(
        base.functions[0],
        performed_by=bodies,
        capability=taxonomy.Capability(dict.fromkeys(bodies, Level.NONE)),
        legal=taxonomy.Legal(),
        agreed_lead=None,
        involves=(),
        unknowns={f"capability.{b}": UNKNOWN for b in bodies},
    )
    portfolio = taxonomy.Portfolio(
        name="eight",
        organisations=tuple(taxonomy.Organisation(b, b.upper()) for b in bodies),
        functions=(fn,),
    )
    rec = taxonomy.classify(portfolio)[fn.id]
    assert sum(Fraction(o.share) for o in rec.outcomes) == 1
    # Ties: every non-empty set of bodies can be the most capable, so the lead has 255 options.
    assert len({o.tied or (o.lead,) for o in rec.outcomes}) == 255


def test_too_many_completions_are_refused_plainly() -> None:
    bodies = tuple(f"b{i}" for i in range(8))
    base = EXAMPLES["nhs_joint_working_2018"]
    fn = attrs.evolve(
        base.functions[0],
        performed_by=bodies,
        capability=taxonomy.Capability(dict.fromkeys(bodies, Level.NONE)),
        unknowns={
            **{f"capability.{b}": UNKNOWN for b in bodies},
            "efficiency.duplication": UNKNOWN,
        },
    )
    portfolio = taxonomy.Portfolio(
        name="nine",
        organisations=tuple(taxonomy.Organisation(b, b.upper()) for b in bodies),
        functions=(fn,),
    )
    with pytest.raises(InputError, match=r"262,144 completions .* too many unknowns"):
        taxonomy.classify(portfolio)
