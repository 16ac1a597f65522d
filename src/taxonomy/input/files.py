"""Portfolio files: YAML, XLSX, CSV or JSONL, chosen by the file's extension."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from taxonomy._model import Portfolio
from taxonomy.errors import PortfolioError, did_you_mean
from taxonomy.input.portfolio import portfolio_from_data, portfolio_to_data
from taxonomy.input.reader import load_yaml, source_name
from taxonomy.input.spreadsheet import read_portfolio, write_portfolio

if TYPE_CHECKING:
    from taxonomy.language.rules import RulePack

__all__ = ["dump_portfolio", "load_portfolio"]


def load_portfolio(path: str | Path, *, rules: RulePack | None = None) -> Portfolio:
    """Load and validate a portfolio: YAML, a spreadsheet (``.xlsx``, ``.csv``) or ``.jsonl``.

    JSONL (:mod:`taxonomy.input.jsonl`): the portfolio without its functions on the first
    line, then one function a line.

    ``-`` reads YAML (or JSON) from standard input.

    ``rules`` is the rule pack it is answered for (None: the default pack): the questions it
    declares beyond the model's own may be answered, and required ones must be.

    Raises:
        PortfolioError: naming the file, line (or sheet, row and column), function and key of
            each problem found (every one, in one error: see :class:`taxonomy.errors.Problems`).

    Examples:
        >>> p = load_portfolio("examples/nhs_joint_working_2018.yaml")
        >>> [o.id for o in p.organisations]
        ['nhse', 'nhsi']
    """
    suffix = Path(path).suffix.lower()
    if suffix in (".xlsx", ".csv"):
        return read_portfolio(path, rules=rules)
    if suffix == ".jsonl":
        from taxonomy.input.jsonl import read_jsonl

        return read_jsonl(path, rules=rules)
    data = load_yaml(path, error=PortfolioError)
    return portfolio_from_data(data, file=source_name(path), rules=rules)


def dump_portfolio(portfolio: Portfolio, path: str | Path) -> None:
    """Write a portfolio as YAML, XLSX, CSV or JSONL, chosen by the file's extension.

    JSONL is what :func:`load_portfolio` reads (and ``classify`` streams): the portfolio
    without its functions on the first line, then one function a line.

    An existing file is replaced (a symlink itself, never what it points to), never one read
    while the command ran (see :class:`taxonomy.output.Output`).
    """
    suffix = Path(path).suffix.lower()
    if suffix in (".xlsx", ".csv"):
        write_portfolio(portfolio, path)
        return
    if suffix not in (".yaml", ".yml", ".jsonl"):
        raise PortfolioError(
            "write .yaml, .yml, .xlsx, .csv or .jsonl",
            file=str(path),
            suggestion=did_you_mean(suffix, [".yaml", ".xlsx", ".csv", ".jsonl"]),
        )
    from taxonomy.output import Output

    data = portfolio_to_data(portfolio)
    if suffix == ".jsonl":
        functions = data.pop("functions", [])
        text = "".join(
            json.dumps(item, ensure_ascii=False, default=_iso_day) + "\n"
            for item in [data, *functions]
        )
    else:
        import yaml

        text = yaml.dump(
            data, Dumper=_plain_dumper(), sort_keys=False, allow_unicode=True, width=100
        )
    Output(path, force=True).write_text(text)


def _plain_dumper() -> type:
    """YAML's safe dumper writing a value met twice twice, not as an anchor and ``*alias``."""
    import yaml

    class PlainDumper(yaml.SafeDumper):
        def ignore_aliases(self, data: object) -> bool:
            return True

    return PlainDumper


def _iso_day(value: object) -> str:
    """A day in a portfolio's data as JSON writes it (``2019-04-01``); nothing else is expected."""
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")
