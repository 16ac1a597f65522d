"""NW London as if its Joint Committee's delegations were in force, for tests that need one.

On its own day (2018-12-06) the example's delegations are planned, awaiting NHS England's
ratification, so each CCG's Board still decides; these tests are about a delegation in force.
"""

from __future__ import annotations

from typing import Any

import yaml

import taxonomy
from tests.conftest import NWL


def nwl_ratified_data() -> dict[str, Any]:
    """The example's data with the Joint Committee's delegations written in force (undated)."""
    data: dict[str, Any] = yaml.safe_load(NWL.read_text(encoding="utf-8"))
    for body in data["governance"]["bodies"]:
        body["delegated"] = [d["function"] if isinstance(d, dict) else d for d in body["delegated"]]
        body.pop("until", None)
    return data


def nwl_ratified() -> taxonomy.Portfolio:
    """The example with the Joint Committee's delegations in force."""
    return taxonomy.portfolio_from_data(nwl_ratified_data(), file=str(NWL))
