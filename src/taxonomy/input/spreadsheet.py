"""Portfolios as spreadsheets: XLSX workbooks and CSV files, read and written without loss.

A workbook has the sheets ``portfolio`` (``key``, ``value``: the name, the rule pack it is
answered for (``rules``: its folder, relative to the workbook; ``rules.name`` and
``rules.version``, as a YAML file's ``rules:`` mapping), ``as_of``, ``law.joint_committees``),
``bodies`` (``id``, ``name``, ``governing_body`` where one is not a
``Board``), ``functions`` (one row per function, a
column per answer: ``efficiency.duplication``, ..., ``legal.delegable_to`` as a comma-separated
list, ``capability.<body id>``, and ``QUESTION.KEY`` for each question the rule pack declares
beyond the model's own, e.g. ``legal.democratic_control``), when there is governance,
``joint_bodies`` and ``roles``, and, for a dated law, ``law`` (a row per provision) and
``abolitions`` (a row per abolition). The template adds a ``questions`` sheet explaining the four
key questions in the papers' words and each question the pack declares (its meaning and source),
a drop-down on every level, tier, true/false (the law's included), choice and body-id cell, and an
input prompt on every constrained cell.

CSV: ``NAME.csv`` is the functions table; beside it ``NAME.bodies.csv``, and, when needed,
``NAME.portfolio.csv``, ``NAME.joint_bodies.csv``, ``NAME.roles.csv``, ``NAME.law.csv`` and
``NAME.abolitions.csv``.

Every cell is validated as the YAML would be; errors name the file, the sheet, the row and the
column (``capability.westbrook``, as the sheet shows it), with a "did you mean". Every bad cell is
reported in one run.

The sheets and columns are the shapes' (:mod:`taxonomy.input.shapes`). The parts:
:mod:`taxonomy.input.sheets` (files read as tables), :mod:`taxonomy.input.rows` (rows read as
the YAML's mappings), :mod:`taxonomy.input.columns` (a portfolio written as tables) and
:mod:`taxonomy.input.template` (the workbook, its drop-downs and its guide).
"""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Generator, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from taxonomy._model import Function, Portfolio, parse_day
from taxonomy.errors import PortfolioError, Problems, did_you_mean
from taxonomy.input.cells import csv_text
from taxonomy.input.columns import portfolio_tables, text_value
from taxonomy.input.plain_rows import PlainRows
from taxonomy.input.portfolio import FunctionStream, portfolio_from_data, read_pack_reference
from taxonomy.input.reader import Reader, Row
from taxonomy.input.rows import KeyRows, dated_law, day_cell, function_row, item_rows
from taxonomy.input.shapes import (
    FUNCTION,
    GOVERNANCE,
    INDEPENDENT_BODY,
    ORGANISATION,
    PACK_REFERENCE,
    SHEETS,
    meta_keys,
)
from taxonomy.input.sheets import (
    Table,
    boolean,
    check_columns,
    csv_rows,
    tables_from_csv,
    tables_from_xlsx,
)
from taxonomy.input.template import QUESTIONS, write_xlsx

if TYPE_CHECKING:
    from taxonomy.language.rules import RulePack

__all__ = [
    "QUESTIONS",
    "PortfolioStream",
    "csv_portfolio_files",
    "read_portfolio",
    "stream_portfolio",
    "write_portfolio",
    "write_template",
]


# --- reading ------------------------------------------------------------------------------------


def read_portfolio(path: str | Path, *, rules: RulePack | None = None) -> Portfolio:
    """Read a portfolio from an XLSX workbook or CSV files (see the module docstring)."""
    path = _existing(path)
    is_csv = path.suffix.lower() == ".csv"
    tables = tables_from_csv(path) if is_csv else tables_from_xlsx(path)
    opened = _open(path, tables, rules)
    reading, data, pack = opened.reading, opened.data, opened.pack
    data |= reading.items(pack, opened.named_at)
    problems = reading.problems
    portfolio = None
    with problems.collecting():
        portfolio = portfolio_from_data(data, file=str(path), rules=pack)
    _in_order(problems)
    problems.raise_if_any()
    assert portfolio is not None
    return attrs.evolve(portfolio, pack=opened.named) if opened.named is not None else portfolio


def _existing(path: str | Path) -> Path:
    """``path``, checked to be there."""
    path = Path(path)
    try:
        path.stat()
    except FileNotFoundError:
        raise PortfolioError("no such file", file=str(path)) from None
    except OSError as exc:  # a name too long, say
        raise PortfolioError(f"cannot be read: {exc.strerror}", file=str(path)) from None
    return path


def _in_order(problems: Problems) -> None:
    """Sort ``problems`` in the order of the workbook: sheet by sheet, row by row."""
    order = {sheet: index for index, sheet in enumerate(SHEETS)}
    problems.found.sort(key=lambda p: (order.get(p.sheet or "", len(order)), p.line or 0))


@attrs.frozen
class _Opened:
    """A spreadsheet portfolio opened: its tables, the data read so far and the pack."""

    reading: _Reading
    data: dict[str, Any]
    pack: RulePack
    named: RulePack | None  # the pack the workbook names, when none was given
    named_at: str | None  # how messages name it


def _open(path: Path, tables: dict[str, Table], rules: RulePack | None) -> _Opened:
    """The ``portfolio`` sheet, the pack it names and the law read (problems recorded)."""
    is_csv = path.suffix.lower() == ".csv"
    reading = _Reading(path, is_csv, tables, Problems(PortfolioError, file=str(path)))
    for required in ("bodies", "functions"):
        if required not in tables:
            raise PortfolioError(f"no '{required}' sheet", file=str(path), allowed=SHEETS)
    data, meta, meta_rows = reading.meta()
    named, named_at = None, None  # the pack the rest is read for, if the sheet names one
    if "rules" in data:
        reader = Reader(reading.file_of("portfolio"), PortfolioError)
        _, named, named_at = read_pack_reference(
            reader, {"rules": data["rules"]}, path.parent, load=rules is None
        )
        rules = rules if rules is not None else named
    pack = _pack(rules)
    data |= reading.law(meta, meta_rows)
    return _Opened(reading, data, pack, named, named_at)


def stream_portfolio(path: str | Path, *, rules: RulePack | None = None) -> PortfolioStream | None:
    """A CSV portfolio to read a function at a time; None when it must be read whole.

    The side tables (``NAME.bodies.csv``, ...) are read first; ``NAME.csv``'s rows then as
    :meth:`PortfolioStream.functions` is iterated. Read whole instead (None): a portfolio
    whose bodies, governance or law have a problem of their own (one not about the functions
    they name), which the whole read reports with those of the functions.

    Raises:
        PortfolioError: as :func:`read_portfolio`, for a problem found before the functions
            (a file missing, a damaged file, a sheet missing).
    """
    path = _existing(path)
    rows = csv_rows(path, "functions")
    try:
        header = next(rows)
        tables = tables_from_csv(path, functions=False)
        tables["functions"] = [header]
        opened = _open(path, tables, rules)
        data = opened.data | opened.reading.bodies(
            opened.pack, opened.named_at, header[1]["__header__"]
        )
        data |= {"functions": []} | opened.reading.governance()
        try:
            stream = FunctionStream(
                data, file=str(path), rules=opened.pack, problems=opened.reading.problems
            )
        except PortfolioError:
            stream = None
        if stream is None:
            rows.close()
            return None
    except BaseException:
        rows.close()
        raise
    return PortfolioStream(opened, stream, rows)


class PortfolioStream:
    """A CSV portfolio being read a function at a time (see :func:`stream_portfolio`).

    Attributes:
        context: the portfolio's bodies, law and governance, with no function: the context
            each function is judged in (its ``pack``, the one the files name, if they do).
        pack: the pack the portfolio is read for.
    """

    def __init__(
        self,
        opened: _Opened,
        stream: FunctionStream,
        rows: Generator[tuple[int, dict[str, Any]], None, None],
    ) -> None:
        self._opened, self._stream, self._rows = opened, stream, rows
        context = stream.context
        self.context = attrs.evolve(context, pack=opened.named) if opened.named else context
        self.pack = opened.pack
        #: The error that stopped the reading (a damaged file), raised as it is, alone.
        self.failed: PortfolioError | None = None

    def functions(self) -> Iterator[Function]:
        """Each valid function, in the file's order, as its row is read (problems recorded).

        Once a problem is found, the rows left are checked and none is given.

        Raises:
            PortfolioError: the file cannot be read on (damaged, not UTF-8, too large), as the
                whole read raises it; it is kept as :attr:`failed`.
        """
        reading, stream = self._opened.reading, self._stream
        answered = self.pack.facts.answered()
        file = reading.file_of("functions")
        header = reading.tables["functions"][0][1]["__header__"]
        plain = PlainRows.compile(
            header, bodies=stream.bodies, outside=stream.outside, rules=self.pack
        )
        with contextlib.closing(self._rows) as rows:
            try:
                for row, cells in rows:
                    function = plain.function(cells) if plain is not None else None
                    if function is None or not stream.take(function, row):
                        node = function_row(file, row, cells, answered, reading.problems)
                        function = stream.read(node)
                    # Once there is a problem nothing will be written: the rest is only checked.
                    if function is not None and stream.clean:
                        yield function
            except PortfolioError as error:
                self.failed = error
                raise

    @property
    def count(self) -> int:
        """How many rows of functions have been read."""
        return self._stream.count

    def finish(self) -> None:
        """Once every function is read: check the rest against them, and raise every problem.

        Raises:
            PortfolioError: every problem found in the portfolio (capped, as the whole read
                caps them), in the order of the files: sheet by sheet, row by row.
        """
        problems = self._opened.reading.problems
        self._stream.finish()
        _in_order(problems)
        problems.raise_if_any()


@attrs.define
class _Reading:
    """A spreadsheet portfolio being read: its tables, and every problem found in them."""

    path: Path
    is_csv: bool
    tables: dict[str, Table]
    problems: Problems

    def file_of(self, sheet: str) -> str:
        """The file holding ``sheet`` (a CSV portfolio has one per sheet)."""
        if not self.is_csv:
            return str(self.path)
        stem = self.path.name[: -len(".csv")]
        return str(
            self.path if sheet == "functions" else self.path.with_name(f"{stem}.{sheet}.csv")
        )

    def meta(self) -> tuple[dict[str, Any], dict[str, Any], dict[str, int]]:
        """The ``portfolio`` sheet: the data it gives, its values and rows by key."""
        keys = list(meta_keys())
        data: dict[str, Any] = {}
        meta: dict[str, Any] = {}
        rows: dict[str, int] = {}
        file = self.file_of("portfolio")
        for row, cells in self.tables.get("portfolio", [])[1:]:
            key, value = cells.get("key"), cells.get("value")
            if key not in keys:
                self.problems.add(
                    PortfolioError(
                        f"unknown key '{key}'",
                        file=file,
                        sheet="portfolio",
                        line=row,
                        column="key",
                        allowed=keys,
                        suggestion=did_you_mean(str(key), keys),
                    )
                )
                continue
            if str(key) in rows:
                self.problems.add(
                    PortfolioError(
                        f"the key '{key}' is given twice (rows {rows[str(key)]} and {row}): one "
                        "would silently override the other",
                        file=file,
                        sheet="portfolio",
                        line=row,
                        column="key",
                    )
                )
                continue
            meta[str(key)] = value
            rows[str(key)] = row
            if key == "as_of" and value is not None:
                try:
                    data["as_of"] = parse_day(day_cell(value))
                except ValueError as exc:
                    self.problems.add(
                        PortfolioError(
                            str(exc), file=file, sheet="portfolio", line=row, column="value"
                        )
                    )
        data["name"] = meta.get("name") or self.path.stem
        data |= _pack_reference(meta, rows)
        return data, meta, rows

    def law(self, meta: dict[str, Any], rows: dict[str, int]) -> dict[str, Any]:
        """The law: the ``law`` (with its owned) sheets, or ``law.joint_committees``."""
        tables, file_of = self.tables, self.file_of
        if "law" in tables and meta.get("law.joint_committees") is not None:
            raise PortfolioError(
                "give the law in the 'law' sheet (dated provisions) or as law.joint_committees "
                "here, not both",
                file=file_of("portfolio"),
                sheet="portfolio",
                column="key",
            )
        for owned in ("abolitions", "law_functions"):
            if owned in tables and "law" not in tables:
                raise PortfolioError(
                    f"{owned} belong to provisions of a 'law' sheet, and there is none",
                    file=file_of(owned),
                    sheet=owned,
                )
        if "law" in tables:
            return {"law": dated_law(tables, file_of, self.problems)}
        if meta.get("law.joint_committees") is None:
            return {}
        joint = self._joint_committees(meta["law.joint_committees"], rows)
        return {
            "law": Row(
                {"joint_committees": joint},
                sheet="portfolio",
                row=rows.get("law.joint_committees", 1),
                columns={"joint_committees": "value"},
            )
        }

    def _joint_committees(self, value: Any, rows: dict[str, int]) -> bool:
        """``law.joint_committees``: true or false (a problem recorded, then false)."""
        try:
            return boolean(
                value,
                PortfolioError(
                    "must be true or false",
                    file=self.file_of("portfolio"),
                    sheet="portfolio",
                    line=rows.get("law.joint_committees"),
                    column="value",
                    item="law.joint_committees",
                    allowed=("true", "false"),
                    suggestion=did_you_mean(str(value).lower(), ("true", "false")),
                ),
            )
        except PortfolioError as error:
            self.problems.add(error)
            return False

    def items(self, pack: RulePack, named_at: str | None) -> dict[str, Any]:
        """The organisations, the functions and the governance, each row a mapping."""
        data = self.bodies(pack, named_at, self.tables["functions"][0][1]["__header__"])
        answered = pack.facts.answered()
        file = self.file_of("functions")
        data["functions"] = [
            function_row(file, row, cells, answered, self.problems)
            for row, cells in self.tables["functions"][1:]
        ]
        return data | self.governance()

    def bodies(self, pack: RulePack, named_at: str | None, header: list[str]) -> dict[str, Any]:
        """The organisations, each row a mapping, and the functions' ``header`` checked."""
        tables, file_of, problems = self.tables, self.file_of, self.problems
        bodies_table = tables["bodies"]
        check_columns(
            file_of("bodies"),
            "bodies",
            bodies_table[0][1]["__header__"],
            ORGANISATION.columns(),
            problems=problems,
        )
        check_columns(
            file_of("functions"),
            "functions",
            header,
            [*FUNCTION.columns(), *(f.name for f in pack.facts.answered()), "notes"],
            prefix_ok="capability.",
            rules=pack,
            problems=problems,
            named_at=named_at,
        )
        found: dict[str, Any] = {
            "organisations": [
                Row(dict(cells), sheet="bodies", row=row, columns={k: k for k in cells})
                for row, cells in bodies_table[1:]
            ]
        }
        outside = INDEPENDENT_BODY.sheet or ""
        if outside in tables:  # bodies outside the joint working a function stays apart from
            found["independent_bodies"] = item_rows(
                INDEPENDENT_BODY, tables[outside], file_of(outside), problems
            )
        return found

    def governance(self) -> dict[str, Any]:
        """The ``joint_bodies`` and ``roles`` sheets, if any, each row a mapping."""
        tables, file_of, problems = self.tables, self.file_of, self.problems
        governance: dict[str, Any] = {}
        for key in GOVERNANCE.keys:
            shape = key.shape
            if shape is not None and shape.sheet in tables:
                sheet = shape.sheet
                governance[key.name] = item_rows(shape, tables[sheet], file_of(sheet), problems)
        if not governance:
            return {}
        return {
            "governance": Row(
                governance,
                sheet="joint_bodies",
                row=1,
                columns={"bodies": "joint_bodies", "roles": "roles"},
            )
        }


def _pack_reference(meta: dict[str, Any], rows: dict[str, int]) -> dict[str, Any]:
    """The rule pack the ``portfolio`` sheet names (``rules``, ``rules.name``, ...), if any."""
    names = {
        "path" if key.name == "path" else key.name: "rules"
        if key.name == "path"
        else f"{PACK_REFERENCE.prefix}{key.name}"
        for key in PACK_REFERENCE.keys
    }
    reference = {key: meta[name] for key, name in names.items() if meta.get(name)}
    if not reference:
        return {}
    return {
        "rules": KeyRows(
            reference,
            sheet="portfolio",
            rows={key: rows[name] for key, name in names.items() if name in meta},
        )
    }


def _pack(rules: RulePack | None) -> RulePack:
    """``rules``, or the default pack when None."""
    if rules is not None:
        return rules
    from taxonomy.language.rules import load_rules

    return load_rules()


# --- writing ------------------------------------------------------------------------------------


def write_portfolio(
    portfolio: Portfolio,
    path: str | Path,
    *,
    rules: RulePack | None = None,
    force: bool = True,
    inputs: Iterable[str | Path] = (),
) -> None:
    """Write a portfolio as XLSX (with drop-downs and the guide sheet) or CSV files.

    A CSV portfolio is ``NAME.csv`` and the siblings it needs (:func:`csv_portfolio_files`);
    a sibling it does not need, left by an earlier portfolio of that name, is removed.

    Each file is written as a :class:`taxonomy.output.Output`: never over one of ``inputs`` or a
    file read while the command ran, an existing file only with ``force``, and a symlink
    replaced, never written through; the files of a CSV portfolio are all written, or none.

    ``rules`` is the pack it is answered for (None: the default pack): a column for each question
    it declares, with its drop-down and its entry in the guide sheet.

    Raises:
        InputError: a file may not or cannot be written, naming it.
    """
    from taxonomy.output import Output, writing_together

    path = Path(path)
    pack = _pack(rules)
    tables = portfolio_tables(portfolio, portfolio.organisation_ids, pack)
    protected = tuple(inputs)
    if path.suffix.lower() != ".csv":
        with Output(path, protected=protected, force=force).writing() as temporary:
            write_xlsx(tables, temporary, portfolio.organisation_ids, pack)
        return
    stem = path.name[: -len(".csv")]
    targets = {
        sheet: path if sheet == "functions" else path.with_name(f"{stem}.{sheet}.csv")
        for sheet in tables
    }
    # A sibling this portfolio does not need (left by an earlier one of the same name) would be
    # read back as part of it: the CSV portfolio is exactly the files written.
    stale = [
        Output(file, protected=protected, force=force)
        for file in csv_portfolio_files(path)
        if file not in targets.values()
    ]
    for output in stale:
        output.claim()
    outputs = [Output(t, protected=protected, force=force) for t in targets.values()]
    with writing_together(outputs) as temporaries:
        for rows, temporary in zip(tables.values(), temporaries, strict=True):
            with temporary.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle, lineterminator="\n")
                for row in rows:
                    writer.writerow(["" if v is None else csv_text(text_value(v)) for v in row])
    for output in stale:
        output.remove()


def csv_portfolio_files(path: str | Path) -> tuple[Path, ...]:
    """Every file a CSV portfolio at ``path`` may be written as: ``NAME.csv`` and its siblings.

    >>> first, second, *_ = csv_portfolio_files("out/p.csv")
    >>> first.name, second.name
    ('p.csv', 'p.portfolio.csv')
    """
    path = Path(path)
    stem = path.name[: -len(".csv")]
    return (
        path,
        *(path.with_name(f"{stem}.{sheet}.csv") for sheet in SHEETS if sheet != "functions"),
    )


def write_template(
    path: str | Path,
    *,
    portfolio: Portfolio | None = None,
    bodies: Sequence[str] = (),
    rules: RulePack | None = None,
) -> None:
    """Write a workbook to fill in: blank (for ``bodies``) or pre-filled from ``portfolio``.

    ``rules`` is the pack to answer for (None: the default pack): its tiers and a column for each
    question it declares, with drop-downs and the guide sheet's explanation.
    """
    ids = list(portfolio.organisation_ids) if portfolio is not None else list(bodies)
    pack = _pack(rules)
    tables = portfolio_tables(portfolio, ids, pack)
    if portfolio is None:
        tables["portfolio"].append(["name", "Our joint working portfolio"])
        tables["portfolio"].append(["law.joint_committees", False])
        # Every column a body has, the governing body's too, filled with the pack's word.
        tables["bodies"][0] = ORGANISATION.columns()
        word = pack.word("governing_body", "Board")
        tables["bodies"] += [[b, "", word] for b in ids]
    write_xlsx(tables, Path(path), ids, pack)
