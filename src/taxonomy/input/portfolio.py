"""Loading portfolios: the bodies, their functions and the four answers, from YAML.

Every key is whitelisted (the keys each shape allows are declared once, in
:mod:`taxonomy.input.shapes`); unknown keys, bad levels and unknown body ids are reported with the
file, the line, the function and the key, plus a "did you mean" where one fits. Every problem is
reported in one run: each organisation, function, joint body and role, and each key of them, is
checked on its own, and one error lists them all (see :class:`taxonomy.errors.Problems`). A
problem that leaves the rest uncheckable (no organisation id, say) stops the check there. Levels
and tiers are read whatever their case.

The parts: :mod:`taxonomy.input.function` (a function and its answers, with
:mod:`taxonomy.input.legal` and :mod:`taxonomy.input.answers`), :mod:`taxonomy.input.provisions`
(the law), :mod:`taxonomy.input.governance` (joint bodies and roles) and
:mod:`taxonomy.input.writing` (the way back, to plain data).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from taxonomy._model import (
    Function,
    Governance,
    Law,
    Legal,
    Organisation,
    PackReference,
    Portfolio,
)
from taxonomy.errors import PortfolioError, Problems
from taxonomy.input.answers import NAMED_AT, undeclared
from taxonomy.input.function import read_function
from taxonomy.input.governance import governance_from_data, read_governance
from taxonomy.input.independent import check_independent_ids, read_independent
from taxonomy.input.legal import check_posts
from taxonomy.input.provisions import read_law
from taxonomy.input.reader import Fields, Location, Reader, location_of
from taxonomy.input.shapes import FUNCTION, ORGANISATION, PACK_REFERENCE, PORTFOLIO
from taxonomy.input.values import attempt, item_name, read_day, read_id, valid_id
from taxonomy.input.writing import governance_to_data, portfolio_to_data

if TYPE_CHECKING:
    from taxonomy.language.rules import RulePack

__all__ = [
    "ANY_FUNCTION",
    "FunctionStream",
    "governance_from_data",
    "governance_to_data",
    "portfolio_from_data",
    "portfolio_to_data",
    "read_pack_reference",
    "undeclared",
]


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
    token = NAMED_AT.set(named_at)
    try:
        return _portfolio(reader, top, file, pack, reference, named)
    finally:
        NAMED_AT.reset(token)


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
        reader.keys(node, allowed=PACK_REFERENCE.names, item="rules")
    else:
        if isinstance(value, bool) or not isinstance(value, str):
            reader.fail(
                "must be a rule pack's folder (relative to this file), or a mapping of its "
                "path, name and version",
                at=top,
                key="rules",
            )
        node = _At({"path": value}, location_of(top, "rules"))
    keys = [key for key in PACK_REFERENCE.names if key in node]
    fields = {key: reader.text(node, key, item="rules") for key in keys}
    if not fields:
        reader.fail("name a rule pack: its folder as 'path', or its 'name'", at=top, key="rules")
    reference = PackReference(fields.get("path"), fields.get("name"), fields.get("version"))

    def shown(path: str) -> str:
        return str(folder / path) if folder != Path() else path

    if not load:
        return reference, None, None
    pack = find_pack(reader, node, folder, item="rules", shown=shown)
    return reference, pack, shown(reference.path) if reference.path else "the default pack"


class FunctionStream:
    """A portfolio's functions read one at a time, against a head and sections read first.

    For a portfolio too large to hold (a CSV or JSONL portfolio, streamed): the name, the
    organisations, the governance, the law and the day are read when it is made, and each
    function when it is given to :meth:`read`, checked exactly as :func:`portfolio_from_data`
    checks it. The governance and the law are read first as if every function they name by a
    valid id existed (:data:`ANY_FUNCTION`); :meth:`finish` reads them again against every id
    seen, as the whole read does, and raises every problem found. Kept while reading: each id
    seen (a dict: memory grows with the number of ids), and, for the few functions the
    governance delegates, their holders and legal facts (a delegation must match them);
    nothing else of a function.

    Args:
        top: the portfolio's mapping, its ``functions`` an empty list.
        file: the file name used in messages.
        rules: the pack the portfolio is answered for.
        problems: where every problem is recorded.

    Raises:
        PortfolioError: a problem that leaves the functions uncheckable (as the whole read), or
            any problem in the governance, law or day read without the functions: the caller
            reads the portfolio whole instead, for every problem in the order it gives them.
    """

    def __init__(self, top: Fields, *, file: str, rules: RulePack, problems: Problems) -> None:
        self.reader = Reader(file, PortfolioError)
        self.top, self.pack, self.problems = top, rules, problems
        reader = self.reader
        reference = None
        if top.get("rules") is not None:
            reference, _, _ = read_pack_reference(reader, top, Path(), load=False)
        head = Problems(PortfolioError, file=file)
        name, organisations, self.bodies, _ = _head(reader, head, top, rules)
        independent = read_independent(reader, head, top, self.bodies)
        #: The ids of the independent bodies, outside the portfolio, a function may name.
        self.outside = tuple(b.id for b in independent)
        governance, law, as_of = _sections(
            reader, head, top, self.bodies, ANY_FUNCTION, {}, self.outside
        )
        head.raise_if_any()
        #: The bodies, the law and the governance, no function: what a function is judged in.
        self.context = Portfolio(
            name,
            tuple(organisations),
            (),
            law,
            governance,
            as_of,
            rules=reference,
            independent_bodies=independent,
            streamed=True,
        )
        #: Each function id seen, with the line (or row) it is first at, where known.
        self.ids: dict[str, int | None] = {}
        #: The functions the governance delegates: their holders and legal facts are kept.
        self.delegated = frozenset(
            [*(f for b in governance.bodies for f in b.delegated)]
            + [d.function for d in governance.delegations]
        )
        #: Each delegated function's holders in law and legal facts, as read.
        self.held: dict[str, tuple[str, ...]] = {}
        self.laws: dict[str, Legal] = {}
        #: The posts that cannot decide: reported only if the governance reads cleanly, as
        #: the whole read judges posts only then.
        self.posts = Problems(PortfolioError, file=file)
        self.every_id = True
        self.count = 0

    @property
    def clean(self) -> bool:
        """Whether no problem has been found so far (a function may still be written)."""
        return not self.problems and not self.posts

    def read(self, node: Any, at: Any = None) -> Function | None:
        """The function of ``node``, or None when it has a problem (recorded)."""
        self.count += 1
        function, has_id = _function(
            self.reader, self.problems, node, at, self.bodies, self.pack, self.ids, self.outside
        )
        self.every_id = self.every_id and has_id
        if function is not None:
            if function.id in self.delegated:
                legal = function.legal
                self.held[function.id] = legal.statutory_owner or legal.held_by_each
                self.laws[function.id] = legal
            if function.legal.decided_by:
                context = self.context
                governance, day = context.governance, context.as_of
                check_posts(self.reader, self.posts, [node], [function], governance, day=day)
        return function

    def take(self, function: Function, line: int) -> bool:
        """Count ``function``, read and checked elsewhere, unless its id is taken.

        For a row read straight into its function (:class:`taxonomy.input.plain_rows.
        PlainRows`), which names no post: False, nothing counted, where another function has
        the id (the caller reads the row with :meth:`read`, which reports it).
        """
        if function.id in self.ids:
            return False
        self.count += 1
        self.ids[function.id] = line
        if function.id in self.delegated:  # as :meth:`read` keeps them: a delegation must match
            legal = function.legal
            self.held[function.id] = legal.statutory_owner or legal.held_by_each
            self.laws[function.id] = legal
        return True

    def finish(self) -> None:
        """Check what names the functions against every id seen; record every problem.

        In the whole read's order: the governance, the law and the day read again with every
        function known; then, if they have no problem, the posts the functions name; then the
        ids of the bodies outside the portfolio.

        Raises:
            PortfolioError: where the whole read stops: an item without a valid id leaves the
                governance and law uncheckable.
        """
        problems, reader = self.problems, self.reader
        if not self.count:
            with problems.collecting():
                reader.fail(
                    "lists no functions: a portfolio has at least one", at=self.top, key="functions"
                )
        if not self.every_id:
            return
        before = len(problems)
        governance, _, _ = _sections(
            reader, problems, self.top, self.bodies, self.ids, self.held, self.outside, self.laws
        )
        if len(problems) == before:
            for found in self.posts.found:
                problems.add(found)
            problems.total += self.posts.total - len(self.posts.found)
        # Only whether an outside body's id is taken is asked: not every id again.
        taken = [i for i in self.outside if i in self.ids]
        taken += [*(b.id for b in governance.bodies), *(r.id for r in governance.roles)]
        check_independent_ids(reader, problems, self.top, taken, self.outside)


class _AnyFunction(Mapping[str, None]):
    """Every function id, for the governance and law read before the functions are.

    A reference to a function is taken as it is if it is a valid id (no function can have
    another: one that is not is reported, and the model would refuse it);
    :meth:`FunctionStream.finish` reads them again against the ids read. No id is listed
    (nothing is taken by a function yet).
    """

    def __getitem__(self, key: str) -> None:
        if not (isinstance(key, str) and valid_id(key)):
            raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and valid_id(key)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


#: Every function id (see :class:`_AnyFunction`).
ANY_FUNCTION: Mapping[str, None] = _AnyFunction()


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
    name, organisations, bodies, fns_node = _head(reader, problems, top, pack)
    independent = read_independent(reader, problems, top, bodies)
    outside = tuple(b.id for b in independent)
    functions, function_ids, every_id = _functions(
        reader, problems, top, fns_node, bodies, pack, outside
    )
    if not every_id:
        problems.raise_if_any()  # governance and law name functions: they cannot be checked
    held = {fn.id: fn.legal.statutory_owner or fn.legal.held_by_each for fn in functions}
    before = len(problems)
    laws = {fn.id: fn.legal for fn in functions}
    governance, law, as_of = _sections(
        reader, problems, top, bodies, function_ids, held, outside, laws
    )
    if len(problems) == before:  # a governance not read has no roles: posts are not judged
        check_posts(reader, problems, fns_node, functions, governance, day=as_of)
    taken = [*function_ids, *(b.id for b in governance.bodies), *(r.id for r in governance.roles)]
    check_independent_ids(reader, problems, top, taken, outside)
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
            independent_bodies=independent,
        )
    except ValueError as exc:  # the model's own checks: should be unreachable after the above
        reader.fail(str(exc), at=top)


def _head(
    reader: Reader, problems: Problems, top: Fields, pack: RulePack
) -> tuple[str, list[Organisation], list[str], Sequence[Any]]:
    """The name, the organisations, their ids and the list of functions (problems recorded).

    Raised, with every problem found so far: a list missing or not a list, or an
    organisation's id missing (each function naming it would be refused too).
    """
    with problems.collecting():
        reader.keys(top, allowed=PORTFOLIO.names, required=PORTFOLIO.required)
    name = attempt(problems, lambda: reader.text(top, "name"), "") if "name" in top else ""
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
    return name, organisations, bodies, fns_node


def _functions(
    reader: Reader,
    problems: Problems,
    top: Fields,
    nodes: Sequence[Any],
    bodies: list[str],
    pack: RulePack,
    outside: tuple[str, ...] = (),
) -> tuple[list[Function], dict[str, int | None], bool]:
    """Each valid function, the valid ids (in the file's order), and whether each has one.

    Every problem is recorded in ``problems``.
    """
    if not nodes:
        with problems.collecting():
            reader.fail("lists no functions: a portfolio has at least one", at=top, key="functions")
    functions = []
    function_ids: dict[str, int | None] = {}  # in the file's order, each at its first line
    every_id = True
    for index, value in enumerate(nodes):
        where = location_of(nodes, index)
        at = where if where.line is not None else nodes  # a bad item at its own line
        function, has_id = _function(
            reader, problems, value, at, bodies, pack, function_ids, outside
        )
        every_id = every_id and has_id
        if function is not None:
            functions.append(function)
    return functions, function_ids, every_id


def _function(
    reader: Reader,
    problems: Problems,
    value: Any,
    at: Any,
    bodies: list[str],
    pack: RulePack,
    function_ids: dict[str, int | None],
    outside: tuple[str, ...] = (),
) -> tuple[Function | None, bool]:
    """One function (None if invalid: every problem recorded), and whether its id is valid.

    A valid id is added to ``function_ids`` with its line; one already there is a problem.
    """
    has_id = False
    with problems.collecting():
        node = reader.mapping(value, what="a function", at=at)
        item = item_name(FUNCTION.item, node)
        raw_id = node.get("id")
        if isinstance(raw_id, str) and valid_id(raw_id):
            has_id = True
            line = location_of(node, "id").line
            if raw_id in function_ids:
                first = function_ids[raw_id]
                where = f" (first at {_line_words(node)} {first})" if first is not None else ""
                with problems.collecting():
                    reader.fail(
                        f"this id is used by another function{where}", at=node, key="id", item=item
                    )
            else:
                function_ids[raw_id] = line
        return read_function(reader, node, item, bodies, pack, outside=outside), has_id
    return None, has_id


def _line_words(node: Any) -> str:
    """What a place in the file is called: a spreadsheet's ``row``, a text file's ``line``."""
    return "row" if location_of(node, "id").sheet is not None else "line"


def _sections(
    reader: Reader,
    problems: Problems,
    top: Fields,
    bodies: list[str],
    function_ids: Mapping[str, object],
    holders: Mapping[str, Sequence[str]],
    outside: tuple[str, ...] = (),
    laws: Mapping[str, Legal] | None = None,
) -> tuple[Governance, Law, datetime.date | None]:
    """The governance, the law and the day (each problem recorded): they name the functions."""
    governance = Governance()
    before = len(problems)
    if top.get("governance") is not None:
        with problems.collecting():
            first = function_ids is ANY_FUNCTION  # before the functions: holders not known
            governance = read_governance(
                reader,
                top["governance"],
                top,
                bodies,
                function_ids,
                holders,
                laws,
                overlaps=not first,
            )
    taken = [*function_ids, *(b.id for b in governance.bodies), *(r.id for r in governance.roles)]
    law = Law()
    if top.get("law") is not None:
        with problems.collecting():
            # A governance not read has no roles: a provision's posts are not judged then.
            roles = [r.id for r in governance.roles] if len(problems) == before else None
            law = read_law(
                reader,
                top["law"],
                top,
                bodies,
                taken,
                outside=outside,
                functions=function_ids,
                roles=roles,
            )
    as_of = None
    if top.get("as_of") is not None:
        with problems.collecting():
            as_of = read_day(reader, top, "as_of", "portfolio")
    return governance, law, as_of


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
    item = item_name(ORGANISATION.item, node)
    problems = Problems(PortfolioError, file=reader.file)
    with problems.collecting():
        reader.keys(node, allowed=ORGANISATION.names, required=ORGANISATION.required, item=item)
    org_id = ""
    if "id" in node:
        org_id = attempt(problems, lambda: read_id(reader, node, "id", item), "")
    if org_id and org_id in ids:
        with problems.collecting():
            reader.fail("this id is used by another organisation", at=node, key="id", item=item)
    elif org_id:
        ids.append(org_id)
    name = ""
    if "name" in node:
        name = attempt(problems, lambda: reader.text(node, "name", item=item), "")
    governing = pack.word("governing_body", "Board")
    if node.get("governing_body") is not None:
        governing = attempt(
            problems, lambda: reader.text(node, "governing_body", item=item), governing
        )
    problems.raise_if_any()
    return Organisation(org_id, name, governing)
