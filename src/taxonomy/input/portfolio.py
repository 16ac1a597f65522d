"""Loading portfolios: the bodies, their functions and the four answers, from YAML.

Every key is whitelisted; unknown keys, bad levels and unknown body ids are reported with the
file, the line, the function and the key, plus a "did you mean" where one fits. Every problem is
reported in one run: each organisation, function, joint body and role, and each key of them, is
checked on its own, and one error lists them all (see :class:`taxonomy.errors.Problems`). A
problem that leaves the rest uncheckable (no organisation id, say) stops the check there. Levels
and tiers are read whatever their case.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from taxonomy._model import (
    DELEGATION_LIMITS,
    JOINT_BODY_KINDS,
    Abolition,
    Capability,
    Effectiveness,
    Efficiency,
    Function,
    Governance,
    JointBody,
    Law,
    Legal,
    Level,
    OneOf,
    Organisation,
    PackReference,
    Portfolio,
    Provision,
    Role,
    parse_day,
)
from taxonomy.errors import PortfolioError, Problems, did_you_mean, misspelt
from taxonomy.input.reader import (
    Cells,
    Fields,
    Location,
    Reader,
    Row,
    fold_choice,
    location_of,
    too_large,
)
from taxonomy.language.facts import answer_data, is_open_answer, parse_open

if TYPE_CHECKING:
    from taxonomy.language.rules import RulePack

__all__ = [
    "governance_from_data",
    "governance_to_data",
    "portfolio_from_data",
    "portfolio_to_data",
    "read_pack_reference",
    "undeclared",
]

_T = TypeVar("_T")

#: No ids: what a list of ids that could not be read stands in as.
_NO_IDS: tuple[str, ...] = ()

_TOP_KEYS = ("name", "rules", "as_of", "organisations", "functions", "law", "governance")
_RULES_KEYS = ("path", "name", "version")

#: Where the pack being read for was named, while a portfolio file that names one is read.
_NAMED_AT: ContextVar[str | None] = ContextVar("named_at", default=None)
_PROVISION_KEYS = ("id", "from", "until", "joint_committees", "abolishes", "source")
_ABOLITION_KEYS = ("body", "into", "name")
_ORG_KEYS = ("id", "name", "governing_body")
_FUNCTION_KEYS = (
    "id",
    "name",
    "level",
    "performed_by",
    "efficiency",
    "effectiveness",
    "legal",
    "capability",
    "agreed_lead",
    "notes",
)
_REQUIRED_FUNCTION_KEYS = tuple(k for k in _FUNCTION_KEYS if k not in ("notes", "agreed_lead"))
_LEGAL_KEYS = (
    "statutory_owner",
    "held_by_each",
    "delegable_to",
    "board_reserved",
    "not_delegable_to",
    "independence_from",
    "separate_reason",
)


def portfolio_to_data(portfolio: Portfolio) -> dict[str, Any]:
    """The portfolio as plain data in the YAML file's shape (what :func:`load_portfolio` reads).

    A dated law is written as its list of provisions. A law already judged on one day (a
    classification's portfolio) is written as what it says that day, without the provisions.

    Examples:
        >>> from taxonomy.input.files import load_portfolio
        >>> p = load_portfolio("examples/nhs_joint_working_2018.yaml")
        >>> portfolio_from_data(portfolio_to_data(p)) == p
        True
    """
    data: dict[str, Any] = {"name": portfolio.name}
    # In the order files write the keys (_TOP_KEYS): the name, the pack, the day, ...
    if portfolio.rules is not None:
        data["rules"] = portfolio.rules.to_data()
    if portfolio.as_of is not None:
        data["as_of"] = portfolio.as_of
    data |= {
        # The governing body is always written: a file read under a pack whose word is not
        # "Board" (councils: "full council") would otherwise give a written "Board" that word.
        "organisations": [
            {"id": o.id, "name": o.name, "governing_body": o.governing_body}
            for o in portfolio.organisations
        ],
        "functions": [],
    }
    for fn in portfolio.functions:
        legal = _legal_to_data(fn.legal, fn.performed_by)
        entry: dict[str, Any] = {
            "id": fn.id,
            "name": fn.name,
            "level": fn.level,
            "performed_by": list(fn.performed_by),
            "efficiency": {
                "duplication": str(fn.efficiency.duplication),
                "simplification": str(fn.efficiency.simplification),
            },
            "effectiveness": {"joint_benefit": str(fn.effectiveness.joint_benefit)},
            "legal": legal,
            "capability": {body: str(level) for body, level in fn.capability.levels},
        }
        for name, value in (*fn.answers, *fn.unknowns):
            question, key = name.split(".", 1)
            if entry.get(question) is None:
                entry[question] = {}
            entry[question][key] = answer_data(value)
        if fn.agreed_lead is not None:
            entry["agreed_lead"] = fn.agreed_lead
        if fn.notes:
            entry["notes"] = fn.notes
        data["functions"].append(entry)
    if portfolio.law.dated:
        data["law"] = [_provision_to_data(p) for p in portfolio.law.provisions]
    else:  # false too: the answer is kept, as the spreadsheet's law.joint_committees keeps it
        data["law"] = {"joint_committees": portfolio.law.joint_committees}
    governance = governance_to_data(portfolio.governance)
    if governance:
        data["governance"] = governance
    return data


def governance_to_data(governance: Governance) -> dict[str, Any]:
    """The governance as plain data in the ``governance:`` section's shape (empty if none).

    Examples:
        >>> from taxonomy.input.files import load_portfolio
        >>> p = load_portfolio("examples/nw_london_ccgs_2018.yaml")
        >>> [b["id"] for b in governance_to_data(p.governance)["bodies"]]
        ['nwl-joint-committee']
    """
    data: dict[str, Any] = {}
    if governance.bodies:
        data["bodies"] = [
            {
                k: v
                for k, v in {
                    "id": b.id,
                    "name": b.name,
                    "kind": b.kind,
                    "members": list(b.members),
                    "delegated": list(b.delegated),
                    "oversees": list(b.oversees),
                    "notes": b.notes,
                }.items()
                if v not in ([], "")
            }
            for b in governance.bodies
        ]
    if governance.roles:
        data["roles"] = [
            {
                k: v
                for k, v in {
                    "id": r.id,
                    "name": r.name,
                    "employed_by": r.employed_by,
                    "reports_to": list(r.reports_to),
                    "accountable_for": list(r.accountable_for),
                    "notes": r.notes,
                }.items()
                if v not in ([], "")
            }
            for r in governance.roles
        ]
    return data


def governance_from_data(
    data: Any,
    *,
    organisations: Sequence[str],
    functions: Sequence[str],
    file: str = "<governance>",
) -> Governance:
    """Validate a ``governance:`` section (plain data) against the bodies and functions it names.

    The portfolio loader's own checks (keys, kinds, ids, references, a "did you mean"), for
    whoever changes a portfolio's governance (what-if scenarios adding a joint committee).

    Raises:
        PortfolioError: naming the item (``joint body 'jc'``, ``role 'ao'``) and the key.
    """
    reader = Reader(file, PortfolioError)
    return _governance(reader, data, data, list(organisations), dict.fromkeys(functions))


def _provision_to_data(provision: Provision) -> dict[str, Any]:
    data: dict[str, Any] = {"id": provision.id}
    if provision.from_ is not None:
        data["from"] = provision.from_
    if provision.until is not None:
        data["until"] = provision.until
    if provision.joint_committees is not None:
        data["joint_committees"] = provision.joint_committees
    if provision.abolishes:
        data["abolishes"] = [
            {
                "body": a.bodies[0] if len(a.bodies) == 1 else list(a.bodies),
                "into": a.into,
                **({"name": a.name} if a.name is not None else {}),
            }
            for a in provision.abolishes
        ]
    data["source"] = provision.source
    return data


def _legal_to_data(legal: Legal, performers: tuple[str, ...]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if len(legal.statutory_owner) == 1:
        data["statutory_owner"] = legal.statutory_owner[0]
    elif legal.statutory_owner:
        data["statutory_owner"] = list(legal.statutory_owner)
    if legal.held_by_each:
        every = legal.held_by_each == tuple(performers)
        data["held_by_each"] = "all" if every else list(legal.held_by_each)
    if legal.delegable_to:
        data["delegable_to"] = list(legal.delegable_to)
    if legal.board_reserved:
        data["board_reserved"] = True
    if legal.not_delegable_to:
        data["not_delegable_to"] = list(legal.not_delegable_to)
    if legal.independence_from:
        data["independence_from"] = list(legal.independence_from)
    if legal.separate_reason:
        data["separate_reason"] = legal.separate_reason
    return data


def portfolio_from_data(
    data: Any,
    *,
    file: str = "<portfolio>",
    rules: RulePack | None = None,
    base: str | Path | None = None,
) -> Portfolio:
    """Validate parsed YAML (or plain dicts and lists) and build a :class:`Portfolio`.

    ``rules`` is the pack the portfolio is answered for: it declares the questions a function
    may answer beyond the model's own and the tiers it may run at. None: the pack the data
    names under ``rules:`` (see :func:`read_pack_reference`), else the default pack. A pack
    given here overrides the one the data names. The portfolio remembers the pack its data
    named (and ``rules`` did not override) as its ``pack``, for classify and the rest to use
    when given none.

    ``base`` is the folder a ``rules:`` path is relative to (default: the folder of ``file``
    when that names a file, else the working directory).
    """
    from taxonomy.language.rules import load_rules

    reader = Reader(file, PortfolioError)
    if data is None:
        reader.fail("the file is empty")
    top = reader.mapping(data, what="a portfolio")
    reference, named, named_at = None, None, None
    if top.get("rules") is not None:
        folder = Path(base) if base is not None else _folder_of(file)
        reference, named, named_at = read_pack_reference(reader, top, folder, load=rules is None)
    pack = rules if rules is not None else named if named is not None else load_rules()
    token = _NAMED_AT.set(named_at)
    try:
        return _portfolio(reader, top, file, pack, reference, named)
    finally:
        _NAMED_AT.reset(token)


def _folder_of(file: str) -> Path:
    """The folder a portfolio file's relative paths start from (the working one for stdin)."""
    path = Path(file)
    return path.parent if not file.startswith("<") and path.is_file() else Path()


class _At(dict[str, Any]):
    """A mapping whose every key is at one place (a ``rules:`` given as a bare path)."""

    def __init__(self, data: Mapping[str, Any], at: Location) -> None:
        super().__init__(data)
        self.at = at

    def location(self, key: str | None = None) -> Location:
        """Where the value (and each key) is."""
        return self.at


def read_pack_reference(
    reader: Reader, top: Fields, folder: Path, *, load: bool = True
) -> tuple[PackReference, RulePack | None, str | None]:
    """The rule pack ``top["rules"]`` names, checked, and (with ``load``) loaded.

    ``rules: packs/councils`` names a folder relative to ``folder``; a mapping gives ``path``,
    ``name`` and ``version`` (each optional; ``name`` without ``path`` is the default pack),
    and the pack found must have that name and a version satisfying ``version``
    (:func:`taxonomy.language.rules.find_pack`).

    Returns:
        The reference as written; the pack (None without ``load``); and how messages name the
        pack: ``examples/packs/councils``, or ``the default pack``.

    Raises:
        InputError: (the reader's type) at the ``rules`` key: not text or a mapping, an unknown
            key, no folder at the path, a name or version the pack does not have.
    """
    from taxonomy.language.rules import find_pack

    value = top["rules"]
    if isinstance(value, Mapping):
        node: Fields = reader.mapping(value, what="'rules'", at=top)
        reader.keys(node, allowed=_RULES_KEYS, item="rules")
    else:
        if isinstance(value, bool) or not isinstance(value, str):
            reader.fail(
                "must be a rule pack's folder (relative to this file), or a mapping of its "
                "path, name and version",
                at=top,
                key="rules",
            )
        node = _At({"path": value}, location_of(top, "rules"))
    fields = {key: reader.text(node, key, item="rules") for key in _RULES_KEYS if key in node}
    if not fields:
        reader.fail("name a rule pack: its folder as 'path', or its 'name'", at=top, key="rules")
    reference = PackReference(fields.get("path"), fields.get("name"), fields.get("version"))

    def shown(path: str) -> str:
        return str(folder / path) if folder != Path() else path

    if not load:
        return reference, None, None
    pack = find_pack(reader, node, folder, item="rules", shown=shown)
    return reference, pack, shown(reference.path) if reference.path else "the default pack"


def undeclared(pack: RulePack, question: str, *, named_at: str | None = None) -> str:
    """The message for an answer to ``question`` (``legal.x``) the pack does not declare.

    ``named_at`` is where the portfolio file named the pack, if it did (see
    :func:`read_pack_reference`); else the message says how to name another.

    >>> from taxonomy.language.rules import load_rules
    >>> undeclared(load_rules(), "legal.x", named_at="packs/p")
    "question 'legal.x' is not declared by pack 'nhs-joint-working-2018' (packs/p)"
    """
    if named_at is not None:
        return f"question '{question}' is not declared by pack '{pack.name}' ({named_at})"
    return (
        f"rule pack '{pack.name}' declares no question '{question}' (for a portfolio written "
        "for another pack, name it in the file, rules: DIR, or give --rules DIR)"
    )


def _portfolio(
    reader: Reader,
    top: Fields,
    file: str,
    pack: RulePack,
    reference: PackReference | None,
    remembered: RulePack | None,
) -> Portfolio:
    """The portfolio of ``top``, read for ``pack`` (see :func:`portfolio_from_data`)."""
    problems = Problems(PortfolioError, file=file)
    with problems.collecting():
        reader.keys(top, allowed=_TOP_KEYS, required=("name", "organisations", "functions"))
    name = _attempt(problems, lambda: reader.text(top, "name"), "") if "name" in top else ""
    if "organisations" not in top or "functions" not in top:
        problems.raise_if_any()
    # The shape of the lists: without it nothing below can be checked.
    with problems.collecting():
        orgs_node = reader.sequence(top["organisations"], what="'organisations'", at=top)
        fns_node = reader.sequence(top["functions"], what="'functions'", at=top)
    problems.raise_if_any()
    organisations, bodies = _organisations(reader, problems, orgs_node, pack)
    if len(orgs_node) < 2:
        with problems.collecting():
            reader.fail("a portfolio needs at least two organisations", at=top, key="organisations")
    if len(orgs_node) < 2 or len(bodies) < len(orgs_node):
        # Without every organisation's id, each function naming one would be refused too.
        problems.raise_if_any()

    if not fns_node:
        with problems.collecting():
            reader.fail("lists no functions: a portfolio has at least one", at=top, key="functions")
    functions = []
    function_ids: dict[str, None] = {}  # in the file's order; a dict, to look ids up at once
    every_id = True
    for value in fns_node:
        every_id = every_id and isinstance(value, Mapping)
        with problems.collecting():
            node = reader.mapping(value, what="a function", at=fns_node)
            item = f"function '{node['id']}'" if isinstance(node.get("id"), str) else "function"
            raw_id = node.get("id")
            if isinstance(raw_id, str) and _valid_id(raw_id):
                if raw_id in function_ids:
                    with problems.collecting():
                        reader.fail(
                            "this id is used by another function", at=node, key="id", item=item
                        )
                function_ids[raw_id] = None
            else:
                every_id = False
            functions.append(_function(reader, node, item, bodies, pack))
    if not every_id:
        problems.raise_if_any()  # governance and law name functions: they cannot be checked
    governance = Governance()
    if top.get("governance") is not None:
        with problems.collecting():
            governance = _governance(reader, top["governance"], top, bodies, function_ids)
    taken = [*function_ids, *(b.id for b in governance.bodies), *(r.id for r in governance.roles)]
    law = Law()
    if top.get("law") is not None:
        with problems.collecting():
            law = _law(reader, top["law"], top, bodies, taken)
    as_of = None
    if top.get("as_of") is not None:
        with problems.collecting():
            as_of = _day(reader, top, "as_of", "portfolio")
    problems.raise_if_any()
    try:
        return Portfolio(
            name,
            tuple(organisations),
            tuple(functions),
            law,
            governance,
            as_of,
            rules=reference,
            pack=remembered,
        )
    except ValueError as exc:  # the model's own checks: should be unreachable after the above
        reader.fail(str(exc), at=top)


def _attempt(problems: Problems, check: Callable[[], _T], default: _T) -> _T:
    """``check()``, or ``default`` when it raises an InputError (then recorded in ``problems``)."""
    with problems.collecting():
        return check()
    return default


def _organisations(
    reader: Reader, problems: Problems, nodes: Sequence[Any], pack: RulePack
) -> tuple[list[Organisation], list[str]]:
    """Each organisation that is valid, and the id of each whose id is (every problem recorded)."""
    organisations = []
    ids: list[str] = []
    for value in nodes:
        with problems.collecting():
            node = reader.mapping(value, what="an organisation", at=nodes)
            organisations.append(_organisation(reader, node, ids, pack))
    return organisations, ids


def _organisation(reader: Reader, node: Fields, ids: list[str], pack: RulePack) -> Organisation:
    """One organisation, every problem in it raised together; its id, if valid, added to ``ids``."""
    item = f"organisation '{node['id']}'" if isinstance(node.get("id"), str) else "organisation"
    problems = Problems(PortfolioError, file=reader.file)
    with problems.collecting():
        reader.keys(node, allowed=_ORG_KEYS, required=("id", "name"), item=item)
    org_id = _attempt(problems, lambda: _id(reader, node, "id", item), "") if "id" in node else ""
    if org_id and org_id in ids:
        with problems.collecting():
            reader.fail("this id is used by another organisation", at=node, key="id", item=item)
    elif org_id:
        ids.append(org_id)
    name = ""
    if "name" in node:
        name = _attempt(problems, lambda: reader.text(node, "name", item=item), "")
    governing = pack.word("governing_body", "Board")
    if node.get("governing_body") is not None:
        governing = _attempt(
            problems, lambda: reader.text(node, "governing_body", item=item), governing
        )
    problems.raise_if_any()
    return Organisation(org_id, name, governing)


def _valid_id(text: str) -> bool:
    try:
        Organisation(text, "x")
    except ValueError:
        return False
    return True


def _id(reader: Reader, node: Fields, key: str, item: str) -> str:
    text = reader.identifier(node, key, item=item)
    try:
        Organisation(text, "x")
    except ValueError:
        reader.fail(
            f"'{text}' is not a valid id: use lower-case letters, digits, '.', '_' or '-'",
            at=node,
            key=key,
            item=item,
        )
    return text


def _is_open(value: Any) -> bool:
    """Whether ``value`` is written as an open answer: ``unknown``, ``a..b`` or a list."""
    return is_open_answer(value)


def _open_answer(
    reader: Reader,
    node: Fields,
    key: str,
    item: str,
    kind: str,
    *,
    choices: Sequence[str] = (),
    known_required: str | None = None,
) -> OneOf:
    """An answer written ``unknown``, ``low..high`` (ordinal facts) or a list of values.

    ``kind`` is the fact's type (``level``, ``bool``, ``choice``, ``count``);
    ``known_required`` names the pack that requires the answer known, if one does. Read by
    :func:`~taxonomy.language.facts.parse_open`, as a scenario's open answer is.
    """
    value = node[key]
    if known_required is not None:
        reader.fail(
            f"'{value}' leaves the answer open, but rule pack '{known_required}' requires it "
            "known (known: required)",
            at=node,
            key=key,
            item=item,
        )
    problem, parsed, allowed = parse_open(kind, value, choices)
    if problem is not None or parsed is None:
        reader.fail(
            problem or "is not an open answer",
            at=node,
            key=key,
            item=item,
            allowed=allowed or None,
        )
    return parsed


def _known_required(pack: RulePack, key: str) -> str | None:
    """The pack requiring ``key`` known (a fact declared ``known: required``), if any."""
    path = "function.capability" if key.startswith("capability.") else f"function.{key}"
    for fact in pack.facts:
        if fact.known_required and ((fact.name == key and fact.answered) or fact.path == path):
            return fact.pack or pack.name
    return None


#: A range written with a dash or "to" instead of "..": ``low-high``, ``low to high``.
_RANGE_LOOKALIKE = re.compile(r"^\s*(\w+)\s*(?:-|\u2013|\u2014|\bto\b)\s*(\w+)\s*$", re.IGNORECASE)


def _level(reader: Reader, node: Fields, key: str, item: str) -> Level:
    value = node[key]
    if isinstance(value, str) and fold_choice(value, Level.names()) is None:
        # Not a level: say what else an answer may be (open, or a range) and, for a range
        # written with a dash, how to write it.
        lookalike = _RANGE_LOOKALIKE.match(value)
        ends = [fold_choice(end, Level.names()) for end in lookalike.groups()] if lookalike else []
        reader.fail(
            f"'{value}' is not a level",
            at=node,
            key=key,
            item=item,
            allowed=(*Level.names(), "unknown", "LOW..HIGH (a range)"),
            suggestion=(
                f"{ends[0]}..{ends[1]}"
                if len(ends) == 2 and None not in ends
                else did_you_mean(value, [*Level.names(), "unknown"])
            ),
        )
    return Level.parse(
        reader.choice(node, key, Level.names(), item=item, what="a level", fold_case=True)
    )


#: What people put between ids instead of a comma: spaces, semicolons, slashes, "and".
_NOT_A_COMMA = re.compile(r"\s*(?:[;/|&+\n]|\band\b)\s*|\s+")


def _joined(value: Any, bodies: Sequence[str]) -> list[str]:
    """The ids ``value`` joins with something other than a comma ("a; b", "a b"), or []."""
    if not isinstance(value, str):
        return []
    parts = [p for p in _NOT_A_COMMA.split(value.strip()) if p]
    return parts if len(parts) > 1 and any(p in bodies for p in parts) else []


def _separator_hint(parts: Sequence[str], spreadsheet: bool) -> str:
    """How to write several organisations, for a value that joined them otherwise."""
    if spreadsheet:
        return f": separate organisation ids in a cell with commas, e.g. '{', '.join(parts)}'"
    return f": list organisation ids with commas, e.g. [{', '.join(parts)}]"


def _body(
    reader: Reader,
    node: Fields,
    key: str,
    value: Any,
    bodies: list[str],
    item: str,
    *,
    spreadsheet: bool = False,
) -> str:
    if not isinstance(value, str) or value not in bodies:
        parts = _joined(value, bodies)
        reader.fail(
            f"'{value}' is not one of the portfolio's organisations"
            + (_separator_hint(parts, spreadsheet or isinstance(node, Row)) if parts else ""),
            at=node,
            key=key,
            item=item,
            allowed=bodies,
            suggestion=did_you_mean(str(value), bodies),
        )
    return value


def _body_list(
    reader: Reader, node: Fields, key: str, bodies: list[str], item: str
) -> tuple[str, ...]:
    value = node[key]
    spreadsheet = isinstance(value, Cells)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        reader.fail("must be a list of organisation ids", at=node, key=key, item=item)
    found = tuple(_body(reader, node, key, v, bodies, item, spreadsheet=spreadsheet) for v in value)
    if len(set(found)) != len(found):
        reader.fail("lists an organisation twice", at=node, key=key, item=item)
    return found


def _function(
    reader: Reader, node: Fields, item: str, bodies: list[str], pack: RulePack
) -> Function:
    """One function, every problem in it raised together (one error listing them all)."""
    problems = Problems(PortfolioError, file=reader.file)

    def attempt(key: str, check: Callable[[], _T], default: _T) -> _T:
        return _attempt(problems, check, default) if key in node else default

    with problems.collecting():
        reader.keys(node, allowed=_FUNCTION_KEYS, required=_REQUIRED_FUNCTION_KEYS, item=item)
    fn_id = attempt("id", lambda: _id(reader, node, "id", item), "")
    name = attempt("name", lambda: reader.text(node, "name", item=item), "")
    tiers = pack.tiers()
    if tiers is None:
        scope = attempt("level", lambda: _id(reader, node, "level", item), "")
    else:
        scope = attempt(
            "level",
            lambda: reader.choice(
                node, "level", tiers, item=item, what="a tier of this rule pack", fold_case=True
            ),
            "",
        )
    performed_by = attempt(
        "performed_by", lambda: _body_list(reader, node, "performed_by", bodies, item), None
    )
    if performed_by == ():
        with problems.collecting():
            reader.fail(
                "must name at least one organisation", at=node, key="performed_by", item=item
            )

    answers: dict[str, Any] = {}
    unknowns: dict[str, OneOf] = {}

    def _own_level(reader: Reader, part: Fields, question: str, key: str) -> Level:
        """A level the model holds, or its placeholder where the answer is left open."""
        if _is_open(part[key]):
            unknowns[f"{question}.{key}"] = _open_answer(
                reader,
                part,
                key,
                item,
                "level",
                known_required=_known_required(pack, f"{question}.{key}"),
            )
            return Level.NONE  # a placeholder nothing reads: see Function.unknowns
        return _level(reader, part, key, item)

    efficiency = effectiveness = None
    if "efficiency" in node:
        with problems.collecting():
            eff = reader.mapping(node["efficiency"], what="'efficiency'", item=item, at=node)
            own = ("duplication", "simplification")
            answers |= _declared(reader, problems, eff, "efficiency", own, pack, bodies, item)
            with problems.collecting():
                required = [k for k in own if k not in _meant(eff, own)]
                reader.keys(eff, allowed=eff.keys(), required=required, item=f"{item}, efficiency")
            duplication = simplification = None
            if "duplication" in eff:
                duplication = _attempt(
                    problems, lambda: _own_level(reader, eff, "efficiency", "duplication"), None
                )
            if "simplification" in eff:
                simplification = _attempt(
                    problems,
                    lambda: _own_level(reader, eff, "efficiency", "simplification"),
                    None,
                )
            if duplication is not None and simplification is not None:
                efficiency = Efficiency(duplication, simplification)
    if "effectiveness" in node:
        with problems.collecting():
            fx = reader.mapping(node["effectiveness"], what="'effectiveness'", item=item, at=node)
            answers |= _declared(
                reader, problems, fx, "effectiveness", ("joint_benefit",), pack, bodies, item
            )
            with problems.collecting():
                where = f"{item}, effectiveness"
                required = [
                    k for k in ("joint_benefit",) if k not in _meant(fx, ("joint_benefit",))
                ]
                reader.keys(fx, allowed=fx.keys(), required=required, item=where)
            if "joint_benefit" in fx:
                effectiveness = Effectiveness(
                    _own_level(reader, fx, "effectiveness", "joint_benefit")
                )

    legal = None
    if "legal" in node:
        with problems.collecting():
            if node["legal"] is not None:
                lg = reader.mapping(node["legal"], what="'legal'", item=item, at=node)
                answers |= _declared(reader, problems, lg, "legal", _LEGAL_KEYS, pack, bodies, item)
            legal = _legal(reader, node, item, bodies, performed_by)
    agreed = None
    if node.get("agreed_lead") is not None:
        with problems.collecting():
            agreed = _body(reader, node, "agreed_lead", node["agreed_lead"], bodies, item)
            if legal is not None and not legal.may_lead(agreed):
                why = (
                    "the function must stay independent of it"
                    if agreed in legal.independence_from
                    else f"only employees of {', '.join(legal.delegable_to)} may carry it out"
                )
                reader.fail(f"'{agreed}' cannot lead: {why}", at=node, key="agreed_lead", item=item)

    levels: dict[str, Level] = {}
    if "capability" in node:
        with problems.collecting():
            cap = reader.mapping(node["capability"], what="'capability'", item=item, at=node)
            answers |= _declared(reader, problems, cap, "capability", bodies, pack, bodies, item)
            for body in cap:
                if f"capability.{body}" in answers:
                    continue
                with problems.collecting():
                    if body not in bodies:
                        reader.fail(
                            f"'{body}' is not one of the portfolio's organisations",
                            at=cap,
                            key=body,
                            item=f"{item}, capability",
                            allowed=bodies,
                            suggestion=did_you_mean(body, bodies),
                        )
                    levels[body] = _own_level(reader, cap, "capability", body)
            if performed_by is not None:
                given = set(cap) | _meant(cap, bodies)  # "nhsee" is nhse's answer, misspelt
                _capability_answered(reader, problems, node, cap, performed_by, given, item)
    notes = _attempt(problems, lambda: _notes(reader, node, item), "")
    problems.found.sort(key=lambda problem: problem.line or 0)  # in the order they are written
    problems.raise_if_any()
    assert performed_by is not None and efficiency is not None and effectiveness is not None
    return Function(
        id=fn_id,
        name=name,
        level=scope,
        performed_by=performed_by,
        efficiency=efficiency,
        effectiveness=effectiveness,
        legal=legal if legal is not None else Legal(),
        capability=Capability(levels),
        notes=notes,
        agreed_lead=agreed,
        answers={k: v for k, v in answers.items() if not isinstance(v, OneOf)},
        unknowns=unknowns | {k: v for k, v in answers.items() if isinstance(v, OneOf)},
    )


def _meant(node: Fields, keys: Sequence[str]) -> set[str]:
    """The ``keys`` that a key of ``node`` not among them looks like a misspelling of.

    A misspelt key is one problem: the key it was meant as is not reported missing as well.
    Only the ``keys`` missing from ``node`` are looked for (the others are there).
    """
    unknown = [key for key in node if key not in keys]
    missing = [key for key in keys if key not in node]
    return misspelt(unknown, keys, missing) if unknown and missing else set()


def _capability_answered(
    reader: Reader,
    problems: Problems,
    node: Fields,
    cap: Fields,
    performed_by: tuple[str, ...],
    given: set[str],
    item: str,
) -> None:
    """Refuse a body that performs the function with no capability answered for it.

    In a spreadsheet, each missing answer is its own cell (``capability.westbrook``); in YAML,
    one message names them all at the ``capability`` key.
    """
    missing = [b for b in performed_by if b not in given]
    if not missing:
        return
    if isinstance(cap, Row):
        for body in missing:
            where = cap.location(body)
            problems.add(
                PortfolioError(
                    f"capability must be answered for every body in performed_by; missing: {body}",
                    file=reader.file,
                    sheet=where.sheet,
                    line=where.line,
                    column=cap.columns.get(body, f"capability.{body}"),
                    item=item,
                    key=f"capability.{body}",
                )
            )
        return
    with problems.collecting():
        reader.fail(
            f"capability must be answered for every body in performed_by; missing: "
            f"{', '.join(missing)}",
            at=node,
            key="capability",
            item=item,
        )


def _declared(
    reader: Reader,
    problems: Problems,
    node: Fields,
    question: str,
    own: Sequence[str],
    pack: RulePack,
    bodies: list[str],
    item: str,
) -> dict[str, Any]:
    """The answers under ``question`` to facts the rule pack declares (problems recorded).

    The model's ``own`` keys are read elsewhere; the others are checked against each
    declaration; unknown keys are refused, with the keys the model and the pack allow there.
    A required declared fact must be answered.
    """
    from taxonomy.language.facts import allowed_values, parse_answer

    declared = {f.key: f for f in pack.facts.answered(question)}
    where = f"{item}, {question}"
    found: dict[str, Any] = {}
    for key in node:
        if key in own:
            continue
        if key not in declared:
            if question == "capability":
                continue  # not a body and not declared: the capability check reports it
            allowed = [*own, *declared]
            with problems.collecting():
                reader.fail(
                    "unknown key: "
                    + undeclared(pack, f"{question}.{key}", named_at=_NAMED_AT.get()),
                    at=node,
                    key=key,
                    item=where,
                    allowed=allowed,
                    suggestion=did_you_mean(key, allowed),
                )
            continue
        fact = declared[key]
        if _is_open(node[key]) and fact.type.name not in ("bodies", "body"):
            with problems.collecting():
                found[fact.name] = _open_answer(
                    reader,
                    node,
                    key,
                    where,
                    fact.type.name,
                    choices=fact.type.choices,
                    known_required=fact.pack or pack.name if fact.known_required else None,
                )
            continue
        problem, value = parse_answer(fact.type, node[key], bodies=bodies)
        if problem is not None:
            options = bodies if fact.type.name in ("body", "bodies") else allowed_values(fact.type)
            raw = node[key]
            wrong = (
                raw
                if not isinstance(raw, list | tuple)
                else next((v for v in raw if v not in bodies), raw)
            )
            parts = _joined(wrong, bodies) if fact.type.name in ("body", "bodies") else []
            if parts:
                problem += _separator_hint(parts, isinstance(raw, Cells) or isinstance(node, Row))
            with problems.collecting():
                reader.fail(
                    problem,
                    at=node,
                    key=key,
                    item=where,
                    allowed=options,
                    suggestion=None
                    if too_large(wrong)
                    else did_you_mean(
                        str(wrong).lower() if isinstance(wrong, bool) else str(wrong), options
                    ),
                )
            continue
        found[fact.name] = value
    for key, fact in declared.items():
        if fact.required and key not in node:
            with problems.collecting():
                reader.fail(
                    f"missing required key '{key}' ({fact.meaning}; declared by rule pack "
                    f"'{fact.pack}')",
                    at=node,
                    item=where,
                )
    return found


def _legal(
    reader: Reader,
    node: Fields,
    item: str,
    bodies: list[str],
    performed_by: tuple[str, ...] | None,
) -> Legal:
    """The ``legal`` answers of one function, with the impossible ones refused (every one).

    ``performed_by`` is None when it could not be read: the checks that need it are skipped.
    """
    if node["legal"] is None:
        return Legal()
    lg = reader.mapping(node["legal"], what="'legal'", item=item, at=node)
    where = f"{item}, legal"
    # The keys the model does not know are the pack's to judge (read, or refused as unknown, by
    # _declared): reported there once, not again here.
    extra = [k for k in lg if k not in _LEGAL_KEYS]
    problems = Problems(PortfolioError, file=reader.file)
    with problems.collecting():
        reader.keys(lg, allowed=(*_LEGAL_KEYS, *extra), item=where)

    def listed(key: str) -> tuple[str, ...]:
        if lg.get(key) is None:
            return ()
        return _attempt(problems, lambda: _body_list(reader, lg, key, bodies, item), ())

    # `all`: every body that performs it (a body that does not perform it holds nothing here).
    held = tuple(performed_by or ()) if lg.get("held_by_each") == "all" else listed("held_by_each")
    reserved = lg.get("board_reserved", False)
    if not isinstance(reserved, bool):
        with problems.collecting():
            reader.fail("must be true or false", at=lg, key="board_reserved", item=item)
    limits = lg.get("not_delegable_to") or []
    if isinstance(limits, str):
        limits = [limits]
    if not isinstance(limits, list):
        with problems.collecting():
            reader.fail(
                "must be a list",
                at=lg,
                key="not_delegable_to",
                item=item,
                allowed=DELEGATION_LIMITS,
            )
        limits = []
    # Written in any case (Joint_Committee), where that names one limit.
    limits = [
        (fold_choice(limit, DELEGATION_LIMITS) or limit) if isinstance(limit, str) else limit
        for limit in limits
    ]
    for limit in limits:
        if limit not in DELEGATION_LIMITS:
            with problems.collecting():
                reader.fail(
                    f"'{limit}' is not something a function can be barred from delegating to",
                    at=lg,
                    key="not_delegable_to",
                    item=item,
                    allowed=DELEGATION_LIMITS,
                    suggestion=did_you_mean(str(limit), DELEGATION_LIMITS),
                )
    reason = ""
    if lg.get("separate_reason") is not None:
        reason = _attempt(problems, lambda: reader.text(lg, "separate_reason", item=item), "")
    owners = listed("statutory_owner")
    delegable = listed("delegable_to")
    independence = listed("independence_from")
    problems.raise_if_any()  # the checks below compare the answers: each must be readable
    legal = Legal(
        statutory_owner=owners,
        held_by_each=held,
        delegable_to=delegable,
        board_reserved=bool(reserved),
        not_delegable_to=tuple(dict.fromkeys(limits)),
        independence_from=independence,
        separate_reason=reason,
    )
    if performed_by and legal.independence_from and set(performed_by) <= set(independence):
        with problems.collecting():
            reader.fail(
                f"the function must stay independent of every body that performs it "
                f"({', '.join(performed_by)}): nobody could carry it out; name the bodies it "
                "must be independent of, not the ones doing it",
                at=lg,
                key="independence_from",
                item=item,
            )
    if legal.delegable_to and set(legal.delegable_to) <= set(legal.independence_from):
        with problems.collecting():
            reader.fail(
                f"only employees of {', '.join(legal.delegable_to)} may carry it out "
                "(delegable_to), but the function must stay independent of them: nobody could",
                at=lg,
                key="independence_from",
                item=item,
            )
    bound = sorted(set(legal.statutory_owner) & set(legal.independence_from))
    if bound:
        with problems.collecting():
            reader.fail(
                f"{', '.join(bound)} holds the statutory duty, so the function cannot be "
                "independent of it",
                at=lg,
                key="independence_from",
                item=item,
            )
    problems.raise_if_any()
    return legal


def _law(reader: Reader, value: Any, top: Fields, bodies: list[str], taken: list[str]) -> Law:
    """``law:``: a mapping (undated, always in force) or a list of dated provisions."""
    if isinstance(value, list | tuple):
        return _dated_law(reader, value, top, bodies, taken)
    if not isinstance(value, Mapping):
        reader.fail(
            "must be a mapping ({joint_committees: true|false}) or a list of dated provisions",
            at=top,
            key="law",
        )
    node = reader.mapping(value, what="'law'", at=top)
    reader.keys(node, allowed=("joint_committees",), item="law")
    allowed = node.get("joint_committees", False)
    if not isinstance(allowed, bool):
        reader.fail("must be true or false", at=node, key="joint_committees", item="law")
    return Law(joint_committees=allowed)


def _dated_law(
    reader: Reader,
    items: list[Any] | tuple[Any, ...],
    top: Fields,
    bodies: list[str],
    taken: list[str],
) -> Law:
    if not items:
        reader.fail(
            "lists no provisions: give a mapping, or one provision or more", at=top, key="law"
        )
    provisions: list[Provision] = []
    nodes: list[tuple[Fields, str]] = []
    problems = Problems(PortfolioError, file=reader.file)
    for raw in items:
        with problems.collecting():
            _provision(reader, raw, items, provisions, nodes)
    problems.raise_if_any()  # the succession is traced through provisions that are all readable
    law = Law(provisions=tuple(provisions))
    for position, index, key, wrong, problem, known in law.succession_problems(bodies, taken):
        node, item = nodes[position]
        entry = node["abolishes"][index]
        # A new successor's id clashes with one in use: no list of bodies would help.
        new_successor = key == "into" and entry.get("name") is not None
        with problems.collecting():
            reader.fail(
                problem,
                at=entry,
                key=key,
                item=f"{item}, abolishes",
                allowed=None if new_successor else known,
                suggestion=None if new_successor else did_you_mean(wrong, known),
            )
    problems.raise_if_any()
    return law


def _provision(
    reader: Reader,
    raw: Any,
    items: Sequence[Any],
    provisions: list[Provision],
    nodes: list[tuple[Fields, str]],
) -> None:
    """Check one provision of a dated law against those before it, and add it to them."""
    node = reader.mapping(raw, what="a provision of the law", at=items)
    item = _item_name("law: provision", node)
    reader.keys(node, allowed=_PROVISION_KEYS, required=("id", "source"), item=item)
    provision_id = _id(reader, node, "id", item)
    if provision_id in [p.id for p in provisions]:
        reader.fail("this id is used by another provision", at=node, key="id", item=item)
    said = node.get("joint_committees")
    if said is not None and not isinstance(said, bool):
        reader.fail("must be true or false", at=node, key="joint_committees", item=item)
    start = _day(reader, node, "from", item) if node.get("from") is not None else None
    end = _day(reader, node, "until", item) if node.get("until") is not None else None
    abolishes = _abolishes(reader, node, item) if node.get("abolishes") is not None else ()
    if start is not None and end is not None and end < start:
        reader.fail(f"{end} is before 'from' ({start})", at=node, key="until", item=item)
    if said is None and not abolishes:
        reader.fail("says nothing: give joint_committees or abolishes", at=node, item=item)
    if abolishes and (start is None or end is not None):
        reader.fail(
            "an abolition is permanent: a provision that abolishes bodies has a 'from' day "
            "and no 'until' (put what ends in a provision of its own)",
            at=node,
            key="until" if end is not None else "abolishes",
            item=item,
        )
    provision = Provision(
        id=provision_id,
        source=reader.text(node, "source", item=item),
        from_=start,
        until=end,
        joint_committees=said,
        abolishes=abolishes,
    )
    for earlier in provisions:
        problem = earlier.disagreement(provision)
        if problem is not None:
            key = "joint_committees"
            reader.fail(problem, at=node, key=key, item=item)
    provisions.append(provision)
    nodes.append((node, item))


def _abolishes(reader: Reader, node: Fields, item: str) -> tuple[Abolition, ...]:
    entries = reader.sequence(node["abolishes"], what="'abolishes'", item=item, at=node)
    found = []
    for raw in entries:
        entry = reader.mapping(raw, what="an abolition", item=item, at=entries)
        where = f"{item}, abolishes"
        reader.keys(entry, allowed=_ABOLITION_KEYS, required=("body", "into"), item=where)
        gone = entry["body"]
        gone = [gone] if isinstance(gone, str) else gone
        if not isinstance(gone, list | tuple) or not gone:
            reader.fail("must be a body id or a list of them", at=entry, key="body", item=where)
        for body in gone:
            if not isinstance(body, str) or not _valid_id(body):
                reader.fail(
                    f"'{body}' is not a valid id: use lower-case letters, digits, '.', '_' or '-'",
                    at=entry,
                    key="body",
                    item=where,
                )
        into = _id(reader, entry, "into", where)
        if into in gone:
            reader.fail(
                f"'{into}' cannot be abolished into itself", at=entry, key="into", item=where
            )
        if len(set(gone)) != len(gone):
            reader.fail("lists a body twice", at=entry, key="body", item=where)
        name = reader.text(entry, "name", item=where) if entry.get("name") is not None else None
        found.append(Abolition(tuple(gone), into, name))
    return tuple(found)


def _day(reader: Reader, node: Fields, key: str, item: str) -> datetime.date:
    """A day: a YAML date (``2022-07-01``) or text written ``YYYY-MM-DD``."""
    try:
        return parse_day(node[key])
    except ValueError as exc:
        reader.fail(str(exc), at=node, key=key, item=item)


_BODY_KEYS = ("id", "name", "kind", "members", "delegated", "oversees", "notes")
_ROLE_KEYS = ("id", "name", "employed_by", "reports_to", "accountable_for", "notes")


def _governance(
    reader: Reader, value: Any, top: Fields, orgs: list[str], functions: Mapping[str, None]
) -> Governance:
    """The ``governance:`` section: every joint body and role checked, every problem raised."""
    node = reader.mapping(value, what="'governance'", at=top)
    reader.keys(node, allowed=("bodies", "roles"), item="governance")
    problems = Problems(PortfolioError, file=reader.file)
    taken = set(orgs) | set(functions)
    bodies: list[JointBody] = []
    body_ids: list[str] = []
    every_id = True
    body_nodes = node.get("bodies") or []
    if node.get("bodies") is not None:
        reader.sequence(node["bodies"], what="'governance.bodies'", at=node)
    for raw in body_nodes:
        with problems.collecting():
            item_node = reader.mapping(raw, what="a joint body", at=node)
            every_id = every_id and _valid_id(str(item_node.get("id")))
            bodies.append(_joint_body(reader, item_node, taken, body_ids, orgs, functions))
    roles_raw = node.get("roles") or []
    if node.get("roles") is not None:
        reader.sequence(node["roles"], what="'governance.roles'", at=node)
    role_nodes = []
    for raw in roles_raw:
        with problems.collecting():
            item_node = reader.mapping(raw, what="a role", at=node)
            item = _item_name("role", item_node)
            required = ("id", "name", "employed_by", "reports_to")
            with problems.collecting():
                reader.keys(item_node, allowed=_ROLE_KEYS, required=required, item=item)
            if "id" in item_node:
                role_id = _new_id(reader, item_node, item, taken)
                # A role missing a required key (already reported) is named, not built.
                whole = all(key in item_node for key in required)
                role_nodes.append((role_id, item_node, item, whole))
    if not every_id or len(role_nodes) < len(roles_raw):
        problems.raise_if_any()  # what names a body or role with no id cannot be checked
    targets = dict.fromkeys([*orgs, *body_ids, *(rid for rid, _, _, _ in role_nodes)])
    roles = []
    for role_id, item_node, item, whole in role_nodes:
        if not whole:
            continue
        with problems.collecting():
            roles.append(_role(reader, item_node, item, role_id, orgs, targets, functions))
    problems.raise_if_any()
    return Governance(tuple(bodies), tuple(roles))


def _joint_body(
    reader: Reader,
    node: Fields,
    taken: set[str],
    ids: list[str],
    orgs: list[str],
    functions: Mapping[str, None],
) -> JointBody:
    """One joint body, every problem in it raised together; its id, if valid, added to ``ids``."""
    item = _item_name("joint body", node)
    problems = Problems(PortfolioError, file=reader.file)
    with problems.collecting():
        reader.keys(node, allowed=_BODY_KEYS, required=("id", "name", "kind", "members"), item=item)
    body_id = kind = name = ""
    if "id" in node:
        body_id = _attempt(problems, lambda: _new_id(reader, node, item, taken), "")
    if body_id:
        ids.append(body_id)
    if "kind" in node:
        kind = _attempt(
            problems,
            lambda: reader.choice(
                node, "kind", JOINT_BODY_KINDS, item=item, what="a kind", fold_case=True
            ),
            "",
        )
    if "name" in node:
        name = _attempt(problems, lambda: reader.text(node, "name", item=item), "")
    members = _attempt(
        problems, lambda: _id_list(reader, node, "members", orgs, item, "organisations"), _NO_IDS
    )
    delegated = _attempt(
        problems, lambda: _id_list(reader, node, "delegated", functions, item, "functions"), _NO_IDS
    )
    oversees = _attempt(
        problems, lambda: _id_list(reader, node, "oversees", functions, item, "functions"), _NO_IDS
    )
    notes = _attempt(problems, lambda: _notes(reader, node, item), "")
    problems.raise_if_any()
    return JointBody(
        id=body_id,
        name=name,
        kind=kind,
        members=members,
        delegated=delegated,
        oversees=oversees,
        notes=notes,
    )


def _role(
    reader: Reader,
    node: Fields,
    item: str,
    role_id: str,
    orgs: list[str],
    targets: Mapping[str, None],
    functions: Mapping[str, None],
) -> Role:
    """One role, every problem in it raised together."""
    problems = Problems(PortfolioError, file=reader.file)
    employer = name = ""
    if "employed_by" in node:
        employer = _attempt(
            problems,
            lambda: reader.choice(
                node, "employed_by", orgs, item=item, what="one of the portfolio's organisations"
            ),
            "",
        )
    where = "organisations, joint bodies or roles"
    reports = None
    if "reports_to" in node:
        reports = _attempt(
            problems, lambda: _id_list(reader, node, "reports_to", targets, item, where), None
        )
    if reports == ():
        with problems.collecting():
            reader.fail(
                "must name at least one Board, joint body or role",
                at=node,
                key="reports_to",
                item=item,
            )
    if "name" in node:
        name = _attempt(problems, lambda: reader.text(node, "name", item=item), "")
    accountable = _attempt(
        problems,
        lambda: _id_list(reader, node, "accountable_for", functions, item, "functions"),
        _NO_IDS,
    )
    notes = _attempt(problems, lambda: _notes(reader, node, item), "")
    problems.raise_if_any()
    return Role(
        id=role_id,
        name=name,
        employed_by=employer,
        reports_to=reports or (),
        accountable_for=accountable,
        notes=notes,
    )


def _item_name(what: str, node: Fields) -> str:
    return f"{what} '{node['id']}'" if isinstance(node.get("id"), str) else what


def _new_id(reader: Reader, node: Fields, item: str, taken: set[str]) -> str:
    new = _id(reader, node, "id", item)
    if new in taken:
        reader.fail(
            "this id is already used by an organisation, function, body or role",
            at=node,
            key="id",
            item=item,
        )
    taken.add(new)
    return new


def _id_list(
    reader: Reader, node: Fields, key: str, known: Collection[str], item: str, what: str
) -> tuple[str, ...]:
    """The ids listed under ``key``, each one of ``known`` (give a dict or set for many ids)."""
    if key not in node or node[key] is None:
        return ()
    value = node[key]
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        reader.fail(f"must be a list of {what}", at=node, key=key, item=item)
    found: dict[str, None] = {}
    for entry in value:
        if not isinstance(entry, str) or entry not in known:
            reader.fail(
                f"'{entry}' is not one of the portfolio's {what}",
                at=node,
                key=key,
                item=item,
                allowed=known if len(known) <= 40 else None,
                suggestion=did_you_mean(str(entry), known),
            )
        if entry in found:
            reader.fail(f"lists '{entry}' twice", at=node, key=key, item=item)
        found[entry] = None
    return tuple(found)


def _notes(reader: Reader, node: Fields, item: str) -> str:
    notes = node.get("notes", "")
    if notes is None:
        return ""
    if not isinstance(notes, str):
        reader.fail("must be text", at=node, key="notes", item=item)
    return reader.text(node, "notes", item=item) if notes.strip() else ""
