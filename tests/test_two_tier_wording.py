"""The two-tier waste example names each council's governing body as councils call it.

Found in the last stop's review: the districts gave no ``governing_body``, so the default pack's
NHS word made them "Northvale District Council Board" in the governance documents, the prose,
the graph and the pictures; a district council has no Board.
"""

from __future__ import annotations

import taxonomy
from taxonomy.structure.drafting import governance_documents
from tests.conftest import EXAMPLES


def test_no_council_is_given_a_board() -> None:
    portfolio = taxonomy.load_portfolio(EXAMPLES / "two_tier_waste.yaml")
    labels = [org.governing_label for org in portfolio.organisations]
    assert labels == [
        "Westshire County Council (Cabinet)",
        "Northvale District Council (full council)",
        "Southmere District Council (full council)",
    ]
    docs = governance_documents(taxonomy.classify(portfolio)).to_dict()
    assert "Board" not in str(docs)
