"""A rule pack as ``taxonomy rules list --format json`` writes it, its keys declared once.

Each rule is written as its pack file holds it (:data:`~taxonomy.language.rule.RULE_DATA`)
and where it was read from; each fact as declared
(:data:`~taxonomy.language.facts.FACT_DATA`) and by which pack. :data:`PACK_LISTING_JSON`
gives both the listing (:func:`pack_listing`) and its JSON Schema (``taxonomy schema
rules-list``).

Examples:
    >>> from taxonomy.language.rules import load_rules
    >>> listing = pack_listing(load_rules())
    >>> list(listing)[:4], sorted(listing["rules"][0])[:3]
    (['name', 'version', 'hash', 'description'], ['because', 'file', 'folder'])
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from taxonomy._output_shape import STRING, STRINGS, Shape, each, key
from taxonomy.language.facts import FACT_DATA
from taxonomy.language.rule import RULE_DATA, Rule
from taxonomy.language.rules import RulePack

__all__ = ["FACT_LISTING_JSON", "PACK_LISTING_JSON", "RULE_LISTING_JSON", "pack_listing"]


def _file(rule: Rule) -> str:
    return Path(rule.file).name


def _folder(rule: Rule) -> str:
    return Path(rule.file).parent.name


#: A rule in the listing: its data, then the file and folder it was read from, and its line.
RULE_LISTING_JSON = Shape(
    *RULE_DATA.keys,
    key("file", STRING, read=_file, required=False),
    key("folder", STRING, read=_folder, required=False),
    key("line", {"type": "integer", "minimum": 0}, required=False),
)

#: A fact in the listing: its declaration, then the pack that declared it.
FACT_LISTING_JSON = Shape(*FACT_DATA.keys, key("pack", STRING))


def _identity(name: str) -> Any:
    """The pack identity's ``name`` key (``extends``, ``overrides``), None where it has none."""
    return lambda pack: pack.identity.to_dict().get(name)


#: The listing: the pack's identity and description, its strata, rules, facts and vocabulary.
#: The schema lists its keys in the order it was first published in; ``extends`` and
#: ``overrides`` (an extending pack's) are left to the open object.
PACK_LISTING_JSON = Shape(
    key("name", STRING),
    key("version", STRING),
    key("hash", STRING),
    key("description", STRING, required=False),
    key(
        "strata",
        {"type": "array", "items": STRINGS},
        via=lambda s: [list(x) for x in s],
        required=False,
    ),
    key("rules", {"type": "array", "items": RULE_LISTING_JSON}, via=each(RULE_LISTING_JSON)),
    key("facts", {"type": "array", "items": FACT_LISTING_JSON}, via=each(FACT_LISTING_JSON)),
    key("vocabulary", {"type": "object", "additionalProperties": STRING}, via=dict, required=False),
    key("extends", {}, read=_identity("extends"), omit_none=True, listed=False),
    key("overrides", {}, read=_identity("overrides"), omit_none=True, listed=False),
    order=("name", "version", "hash", "description", "vocabulary", "facts", "rules", "strata"),
)


def pack_listing(rules: RulePack) -> dict[str, Any]:
    """``rules`` as ``taxonomy rules list --format json`` writes it (without its schema id)."""
    return PACK_LISTING_JSON.dump(rules)
