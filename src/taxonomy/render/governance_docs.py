"""The governance documents written out: Markdown, the report's decision map, a workbook sheet.

Each rendering reads a :class:`~taxonomy.structure.documents.GovernanceDocuments` (drafted by
:func:`~taxonomy.structure.drafting.governance_documents`) and nothing else, so the Markdown of
``taxonomy governance``, the report's section and the results workbook's ``governance`` sheet
say the same. Bodies, joint bodies and functions appear by name; each line cites its sources by
number, listed at the end with what each says. A function not decided yet reads ``open``; a
line where the law does not say who holds the function says so, never a default.

>>> import taxonomy
>>> from taxonomy.structure.drafting import governance_documents
>>> nwl = taxonomy.classify(taxonomy.load_portfolio("examples/nw_london_ccgs_2018.yaml"))
>>> text = governance_markdown(governance_documents(nwl))
>>> text.splitlines()[0]
'# Governance documents: NW London Collaboration of CCGs, December 2018'
>>> "the law is not stated" in text
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import attrs

from taxonomy._model import Arrangement
from taxonomy._results import Classification
from taxonomy.structure.documents import (
    GOVERNANCE_JSON,
    GovernanceDocuments,
    RemitLine,
    Scheme,
    SchemeLine,
    TermsOfReference,
)

__all__ = [
    "DecisionRow",
    "decision_map",
    "governance_markdown",
    "governance_rows",
    "governance_schema",
    "governance_view",
]

#: Each entry of a scheme as a heading says it.
_ENTRY_HEADINGS = {
    "reserved": "Reserved to the governing body",
    "delegated": "Delegated",
    "member": "A member of a joint body, holding nothing of the function",
    "consents": "Its agreement is needed (statutory consent), without holding the decision",
    "oversight": "Overseen jointly (no decision delegated)",
    "not_stated": "Who holds it in law is not stated (nobody is drawn deciding it)",
    "received": "Delegated to it by the body holding it in law",
}

#: Each basis in words.
_BASIS_WORDS = {
    "holder": "holds it in law",
    "held_by_each": "holds its own duty",
    "board_reserved": "reserved to each Board",
    "named": "taken by the post the law names",
    "own_part": "carries it out and delegates nothing in force",
    "consent": "its agreement is needed by law",
    "governance": "the governance",
    "proposed": "proposed by the structure",
    "not_stated": "not stated",
    "delegated": "delegated to it by the holder",
}

_KIND_WORDS = {
    "joint_committee": "joint committee",
    "committees_in_common": "committees in common",
    "joint_oversight_group": "joint oversight group",
}


def _arrangement_words(arrangement: str | None) -> str:
    if arrangement is None:
        return "open (not decided yet)"
    found = Arrangement.parse(arrangement)
    return f"{found.category}. {found.title}"


def _cell(text: str) -> str:
    """``text`` safe in a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


class _Names:
    """Bodies, joint bodies and functions by name, and citations by number."""

    def __init__(self, docs: GovernanceDocuments) -> None:
        self.names: dict[str, str] = {s.body: s.name for s in docs.schemes}
        self.everyone = {s.body for s in docs.schemes}
        self.names.update({t.id: t.name for t in docs.terms})
        self.names.update({x.function: x.name for s in docs.schemes for x in s.lines})
        self.numbers = {c.ref: n for n, c in enumerate(docs.citations, start=1)}

    def of(self, ids: Iterable[str], *, short: bool = False) -> str:
        """The names of ``ids``; ``short``: every body of three or more as ``all N bodies``."""
        ids = list(ids)
        if short and len(self.everyone) > 2 and set(ids) == self.everyone:
            return f"all {len(self.everyone)} bodies"
        listed = [self.names.get(i, i) for i in ids]
        return ", ".join(listed) if listed else "none"

    def bodies_named(self, text: str) -> str:
        """``text`` with each body id standing as a word of its own replaced by its name."""
        if not self.everyone:
            return text
        ids = "|".join(re.escape(i) for i in sorted(self.everyone, key=lambda i: (-len(i), i)))
        one = rf"(?<![\w.\[-])(?:{ids})(?![\w\]-])"

        def listed(match: re.Match[str]) -> str:
            found = re.findall(one, match.group(0))
            if len(self.everyone) > 2 and set(found) == self.everyone:
                return f"all {len(self.everyone)} bodies"
            return re.sub(one, lambda m: self.names[m.group(0)], match.group(0))

        return re.sub(rf"{one}(?:, {one})*", listed, text)

    def cites(self, refs: Iterable[str]) -> str:
        return ", ".join(f"[{n}]" for n in sorted({self.numbers[r] for r in refs}))


def _accountable_words(accountable: bool | None) -> str:
    return {True: "yes", False: "no", None: "not stated"}[accountable]


def _scheme_markdown(scheme: Scheme, names: _Names) -> list[str]:
    lines = [f"### {scheme.name}", "", f"Governing body: {scheme.governing_body}.", ""]
    if not scheme.lines:
        return [
            *lines,
            "Nothing to reserve, delegate or agree: it holds, decides and agrees none of the "
            "functions, and sits on no joint body for them.",
            "",
        ]
    for entry, heading in _ENTRY_HEADINGS.items():
        chosen = scheme.entries(entry)
        if not chosen:
            continue
        lines += [
            f"{heading}:",
            "",
            "| Function | With | Basis | Arrangement | Accountable in law | Sources | Notes |",
            "| --- | --- | --- | --- | --- | --- | --- |",
            *(_scheme_row(line, names) for line in chosen),
            "",
        ]
    return lines


def _scheme_row(line: SchemeLine, names: _Names) -> str:
    cells = (
        line.name,
        names.of([line.to]) if line.to else "—",
        _BASIS_WORDS[line.basis],
        _arrangement_words(line.arrangement),
        _accountable_words(line.accountable),
        names.cites(line.sources),
        "; ".join(line.notes),
    )
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _terms_markdown(terms: TermsOfReference, names: _Names) -> list[str]:
    kind = _KIND_WORDS[terms.kind]
    proposed = ", proposed" if terms.basis == "proposed" else ""
    lines = [f"### {terms.name} ({kind}{proposed})", ""]
    lines.append(f"- Members: {names.of(terms.members)}.")
    basis = "the portfolio's governance" if terms.basis == "governance" else "proposed"
    lines.append(f"- Basis: {basis} {names.cites(terms.sources)}.")
    if terms.officers:
        lines.append(f"- Officers: {', '.join(name for _, name in terms.officers)}.")
    lines += [f"- Note: {note}." for note in terms.notes]
    if terms.unheld:
        lines.append(
            f"- Delegated although no member holds it (only a holder delegates): "
            f"{names.of(terms.unheld)}."
        )
    lines += [
        "",
        "| Function | Power | Delegated by | Members only | Accountable in law | Arrangement "
        "| Sources | Notes |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        *(_remit_row(line, names) for line in terms.remit),
        "",
        "Reserved to each member (what its governing body keeps):",
        "",
    ]
    for member, functions in terms.reserved:
        kept = names.of(functions) if functions else "nothing stated in law"
        lines.append(f"- {names.of([member])}: {kept}.")
    return [*lines, ""]


def _remit_row(line: RemitLine, names: _Names) -> str:
    accountable = "not stated" if line.accountable is None else names.of(line.accountable)
    cells = (
        line.name,
        line.power.replace("_", " "),
        names.of(line.by, short=True) if line.by else "—",
        names.of(line.members_only, short=True) if line.members_only else "—",
        accountable,
        _arrangement_words(line.arrangement),
        names.cites(line.sources),
        "; ".join(line.notes),
    )
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def governance_markdown(docs: GovernanceDocuments) -> str:
    """The schemes of reservation and delegation and the terms of reference, as Markdown."""
    names = _Names(docs)
    day = f"As of {docs.as_of}" if docs.as_of is not None else "No day stated"
    law = f", under {', '.join(docs.provisions)}" if docs.provisions else ""
    lines = [
        f"# Governance documents: {docs.portfolio}",
        "",
        f"{day}{law}. Rule pack {docs.rule_pack.name} {docs.rule_pack.version}.",
        "",
        "Drafts drawn from the structure the recommendations imply, for each governing body to "
        "adopt or amend. Each line cites its sources, listed by number at the end. Where the "
        "portfolio does not say who holds a function in law, the line says so and nothing is "
        "guessed; a function not decided yet is marked open.",
        "",
        "## Schemes of reservation and delegation",
        "",
    ]
    for scheme in docs.schemes:
        lines += _scheme_markdown(scheme, names)
    lines += ["## Terms of reference", ""]
    if not docs.terms:
        lines += ["No joint body: the governance has none and the structure proposes none.", ""]
    for terms in docs.terms:
        lines += _terms_markdown(terms, names)
    lines += ["## Sources", ""]
    lines += [f"{n}. `{c.ref}` ({c.kind}): {c.text}" for n, c in enumerate(docs.citations, start=1)]
    return "\n".join(lines) + "\n"


@attrs.frozen
class DecisionRow:
    """One function of the report's decision map, every body by name.

    Attributes:
        function: the function's name.
        arrangement: the arrangement in words (``open (not decided yet)`` where open).
        kept: each governing body keeping the decision, with its basis.
        delegated: each delegation, ``body to joint body``, flagged where the law is unsaid.
        members: bodies sitting on a joint body for it, holding nothing of it.
        not_stated: bodies carrying it out while the law does not say who holds it.
        sources: the citations' numbers.
    """

    function: str
    arrangement: str
    kept: tuple[str, ...]
    delegated: tuple[str, ...]
    members: tuple[str, ...]
    not_stated: tuple[str, ...]
    sources: str


def decision_map(docs: GovernanceDocuments) -> tuple[DecisionRow, ...]:
    """The schemes read across: per function, who keeps, delegates, sits on, or is unsaid."""
    names = _Names(docs)
    by_function: dict[str, list[tuple[Scheme, SchemeLine]]] = {}
    for scheme in docs.schemes:
        for line in scheme.lines:
            by_function.setdefault(line.function, []).append((scheme, line))
    rows = []
    for pairs in by_function.values():
        first = pairs[0][1]

        def said(entry: str, pairs: list[tuple[Scheme, SchemeLine]] = pairs) -> list[Any]:
            return [(s, line) for s, line in pairs if line.entry == entry]

        rows.append(
            DecisionRow(
                first.name,
                _arrangement_words(first.arrangement),
                _kept_words(said("reserved"), names),
                _delegation_words(said("delegated"), names),
                tuple(f"{s.name} in {names.of([x.to or ''])}" for s, x in said("member")),
                tuple(s.name for s, _ in said("not_stated")),
                names.cites(dict.fromkeys(r for _, x in pairs for r in x.sources)),
            )
        )
    return tuple(rows)


def _kept_words(pairs: list[tuple[Scheme, SchemeLine]], names: _Names) -> tuple[str, ...]:
    """The governing bodies keeping the decision, one phrase per basis."""
    grouped: dict[str, list[Scheme]] = {}
    for scheme, line in pairs:
        grouped.setdefault(line.basis, []).append(scheme)
    return tuple(
        (
            f"each governing body of {names.of([s.body for s in schemes], short=True)}"
            if len(schemes) > 1
            else schemes[0].governing_body
        )
        + f" ({_BASIS_WORDS[basis]})"
        for basis, schemes in grouped.items()
    )


def _delegation_words(pairs: list[tuple[Scheme, SchemeLine]], names: _Names) -> tuple[str, ...]:
    """The delegations, one phrase per joint body: who delegates to it, flagged as need be."""
    grouped: dict[tuple[str, str, bool], list[str]] = {}
    for scheme, line in pairs:
        grouped.setdefault((line.to or "", line.basis, line.holder_stated), []).append(scheme.body)
    said = []
    for (to, basis, stated), bodies in grouped.items():
        words = f"{names.of(bodies, short=True)} to {names.of([to])}"
        words += " (proposed)" if basis == "proposed" else ""
        words += "" if stated else " (the law is not stated)"
        said.append(words)
    return tuple(said)


def governance_view(classification: Classification) -> dict[str, Any]:
    """The report's governance section: the decision map, the terms, the sources.

    ``terms``: each joint body's name, kind, members and remit in words; ``sources``: each
    citation's number, what it is and what it says.
    """
    from taxonomy.structure.drafting import governance_documents

    docs = governance_documents(classification)
    names = _Names(docs)
    terms = [
        {
            "name": t.name,
            "kind": _KIND_WORDS[t.kind],
            "proposed": t.basis == "proposed",
            "members": names.of(t.members),
            "remit": [
                (
                    line.name,
                    names.of(line.by, short=True) if line.by else line.power.replace("_", " "),
                    "not stated"
                    if line.accountable is None
                    else names.of(line.accountable, short=True),
                    "; ".join(line.notes),
                    names.cites(line.sources),
                )
                for line in t.remit
            ],
            "reserved": [
                (names.of([m]), names.of(fs) if fs else "nothing stated in law")
                for m, fs in t.reserved
            ],
            "notes": list(t.notes),
            "sources": names.cites(t.sources),
        }
        for t in docs.terms
    ]
    return {
        "rows": decision_map(docs),
        "terms": terms,
        "sources": [
            (n, c.ref, names.bodies_named(c.text)) for n, c in enumerate(docs.citations, start=1)
        ],
    }


#: The columns of the results workbook's ``governance`` sheet.
SHEET_COLUMNS = (
    "document",
    "body",
    "body_name",
    "function",
    "function_name",
    "entry",
    "with",
    "basis",
    "holder_stated",
    "accountable",
    "arrangement",
    "sources",
    "notes",
)


def governance_rows(docs: GovernanceDocuments) -> list[list[Any]]:
    """The ``governance`` sheet: a row per scheme line, per remit line, then the sources."""
    rows: list[list[Any]] = [list(SHEET_COLUMNS)]
    for scheme in docs.schemes:
        rows += [
            [
                "scheme",
                scheme.body,
                scheme.name,
                line.function,
                line.name,
                line.entry,
                line.to or "",
                line.basis,
                line.holder_stated,
                _accountable_words(line.accountable),
                line.arrangement or "open",
                "; ".join(line.sources),
                "; ".join(line.notes),
            ]
            for line in scheme.lines
        ]
    for terms in docs.terms:
        rows += [
            [
                f"terms of reference ({terms.basis})",
                terms.id,
                terms.name,
                line.function,
                line.name,
                line.power,
                ", ".join(line.by),
                terms.kind,
                line.holder_stated,
                "not stated" if line.accountable is None else ", ".join(line.accountable),
                line.arrangement or "open",
                "; ".join(line.sources),
                "; ".join(line.notes),
            ]
            for line in terms.remit
        ]
    rows += [[], ["source", "ref", "kind", "text"]]
    rows += [["source", c.ref, c.kind, c.text] for c in docs.citations]
    return rows


def governance_schema() -> dict[str, Any]:
    """The JSON Schema of ``taxonomy governance --format json``, from :data:`GOVERNANCE_JSON`."""
    from taxonomy.schemas._outputs import named_schemas, pack_identity_schema, stamped_root

    return stamped_root(
        "governance",
        "taxonomy governance documents",
        GOVERNANCE_JSON.schema(named_schemas()),
        {"rule_pack": pack_identity_schema()},
    )
