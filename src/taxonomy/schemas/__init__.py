"""JSON Schemas (draft 2020-12) of the files taxonomy reads and the JSON it writes.

Editors use them to complete and check a portfolio, a rule pack, a scenario, a sweep or an
expectation file as it is typed (yaml-language-server: see docs/schemas.md); tools use them to
read the JSON outputs, each of which names its schema under ``"schema"``.

The input schemas are built from the loaders' own declarations (their allowed and required
keys, the levels, the arrangements, the rule pack's tiers and declared questions), so they
accept what the loaders accept, as near as JSON Schema can say it, with two differences: a
level or choice is listed as written (``high``) where the loaders also take it in another case
(``High``), and what needs the whole file (duplicate ids, which body an id names) is left to
the loaders.

Examples:
    >>> from taxonomy.schemas import schema
    >>> s = schema("portfolio")
    >>> s["$id"], s["required"]
    ('urn:taxonomy:schema:portfolio:1', ['name', 'organisations', 'functions'])
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from taxonomy.schemas._ids import INPUTS, KINDS, OUTPUTS, STAMP_KEY, VERSION, schema_id, stamp

if TYPE_CHECKING:
    from taxonomy.language.rules import RulePack

__all__ = [
    "INPUTS",
    "KINDS",
    "OUTPUTS",
    "STAMP_KEY",
    "VERSION",
    "schema",
    "schema_id",
    "schema_text",
    "stamp",
]


def schema(kind: str, *, rules: RulePack | str | Path | None = None) -> dict[str, Any]:
    """The JSON Schema of ``kind``, one of :data:`KINDS`.

    Args:
        kind: an input (``portfolio``, ``pack``, ``rules``, ``scenario``, ``sweep``,
            ``expectations``) or an output (``classification``, ``whatif``, ...).
        rules: the rule pack (or its folder) a portfolio, scenario or sweep is written for:
            its tiers and the questions it declares (None: the pack shipped with taxonomy).
            Other kinds do not depend on it.

    Raises:
        ValueError: for an unknown kind, naming the kinds.
    """
    # The builders import the loaders, and the renderers that stamp outputs import this
    # package: importing the builders when a schema is asked for keeps that from being a circle.
    # A scenario's, a sweep's and an expectation file's schemas are built beside their loaders
    # (the scenario's from the registry of change kinds), from the builders of _inputs.
    from taxonomy.language.rules import RulePack, load_rules
    from taxonomy.schemas import _inputs, _outputs

    if kind not in KINDS:
        from taxonomy.errors import did_you_mean

        near = did_you_mean(kind, KINDS)
        hint = f" (did you mean '{near}'?)" if near else ""
        raise ValueError(f"no schema '{kind}'{hint}; allowed: {', '.join(KINDS)}")
    if kind in _BESIDE:
        module, builder = _BESIDE[kind].split(":")
        found: dict[str, Any] = getattr(importlib.import_module(module), builder)()
        return found
    if kind in OUTPUTS:
        return _outputs.output_schema(kind)
    if kind == "pack":
        return _inputs.pack_schema()
    if kind == "rules":
        return _inputs.rules_schema()
    if kind == "expectations":
        from taxonomy.testing.schema import expectations_schema

        return expectations_schema()
    pack = rules if isinstance(rules, RulePack) else load_rules(rules)
    if kind == "portfolio":
        found = _inputs.portfolio_schema(pack)
        if rules is not None:
            # Another pack's questions make another schema: its id says which pack.
            found["$id"] = f"{schema_id(kind)}:pack:{pack.name}:{pack.version}"
        return found
    if kind == "scenario":
        from taxonomy.whatif.scenarios import scenario_schema

        return scenario_schema(pack)
    from taxonomy.whatif.grid import sweep_schema

    return sweep_schema(pack)


#: The outputs whose schemas are built beside the results they describe, from their declared
#: shapes (``module:function``): the layers above the schemas' builders hold those results.
_BESIDE = {
    "whatif": "taxonomy.whatif.compare:whatif_schema",
    "why-not": "taxonomy.whatif.counterfactual:why_not_schema",
    "rules-check": "taxonomy.testing.verify:check_schema",
    "rules-coverage": "taxonomy.testing.coverage:coverage_schema",
    "rules-mutate": "taxonomy.testing.mutation:mutation_schema",
    "governance": "taxonomy.render.governance_docs:governance_schema",
}


def schema_text(kind: str, *, rules: RulePack | str | Path | None = None) -> str:
    """:func:`schema` as JSON text, the same bytes every time (``taxonomy schema KIND``)."""
    return json.dumps(schema(kind, rules=rules), indent=2, ensure_ascii=False) + "\n"
