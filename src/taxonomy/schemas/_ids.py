"""The schemas' names, ids and version, and the stamp every JSON output carries.

Nothing here imports the rest of the package: the renderers that stamp their output import it,
and the schema builders (which import the loaders) import it too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: The version of every schema. Raised when a file that was valid would be refused, or when an
#: output drops or changes a key; adding an optional key to an output keeps it.
VERSION = 1

#: The files a policy team writes, each with what it is.
INPUTS: Mapping[str, str] = {
    "portfolio": "a portfolio: the bodies, their functions and the four answers (YAML)",
    "pack": "a rule pack's pack.yaml: its name, version, vocabulary and the pack it extends",
    "rules": "a rule pack's rule file: its rules and the facts it declares (rules/*.yaml)",
    "scenario": "a what-if scenario: the changes it makes (taxonomy whatif)",
    "sweep": "a sweep: a grid of answer changes evaluated together (taxonomy sweep)",
    "expectations": "an expectation file: what each function should get (taxonomy.testing)",
}

#: The JSON the command line writes, each with the command that writes it.
OUTPUTS: Mapping[str, str] = {
    "classification": "classify --format json",
    "classification-jsonl": "classify --format jsonl (the header line, then one per function)",
    "explain": "explain PORTFOLIO FUNCTION --format json",
    "why-not": "explain PORTFOLIO FUNCTION --why-not ARRANGEMENT --format json",
    "whatif": "whatif --format json",
    "check": "check --format json (the structure's findings and metrics)",
    "graph": "graph --format json (the accountability graph, node-link)",
    "governance": "governance --format json (each body's scheme, each joint body's terms)",
    "rules-list": "rules list --format json",
    "rules-check": "rules check --format json",
    "rules-coverage": "rules coverage --format json",
    "rules-mutate": "rules mutate --format json",
    "error": "any command given --format json, on stderr when it fails (exit 1 or 2)",
}

#: Every kind of schema, inputs first.
KINDS: tuple[str, ...] = (*INPUTS, *OUTPUTS)

#: The key every JSON output carries its schema's id under (the first line, for JSON lines).
STAMP_KEY = "schema"


def schema_id(kind: str) -> str:
    """The ``$id`` of the schema for ``kind``, which outputs of that kind name.

    Examples:
        >>> schema_id("classification")
        'urn:taxonomy:schema:classification:1'
    """
    if kind not in KINDS:
        raise ValueError(f"no schema '{kind}'; allowed: {', '.join(KINDS)}")
    return f"urn:taxonomy:schema:{kind}:{VERSION}"


def stamp(kind: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` with the id of its schema under ``"schema"``: what every JSON output writes.

    Examples:
        >>> stamp("check", {"findings": []})
        {'schema': 'urn:taxonomy:schema:check:1', 'findings': []}
    """
    if kind not in OUTPUTS:
        raise ValueError(f"'{kind}' is not an output; allowed: {', '.join(OUTPUTS)}")
    return {STAMP_KEY: schema_id(kind), **data}
