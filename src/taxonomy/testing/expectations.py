"""Expectation files: the arrangements and leads a policy team expects, written as YAML.

A file named ``*.expect.yaml`` states, for a portfolio (optionally under a scenario and with
another rule pack), what each listed function should get. The pytest plugin shipped with
``taxonomy`` collects these files on its own (no conftest needed) and reports the file, the case
and a readable difference on failure::

    portfolio: ../examples/nhs_joint_working_2018.yaml   # relative to this file
    rules: ../rules                                      # optional: a pack folder
    scenario: ../examples/scenarios/joint_committees_2019.yaml   # optional
    cases:
      - {function: pricing, arrangement: aligned, lead: nhsi}
      - {function: strategy, arrangement: one_team, decided_by: decision.one-team}
      - {function: eprr, arrangement: separate_involved, capped_by: []}

Keys of a case: ``function`` (required), ``arrangement`` (or ``one_body`` when only one body is
left after a merger), ``lead`` (a body id, or ``joint``), ``decided_by``, ``capped_by`` (a list),
``lead_by``, ``decided`` (true or false: whether answers left unknown still leave more than one
arrangement) and ``possible`` (the arrangements still possible, in any order). A case of an open
function states ``decided: false`` and ``possible``, not ``arrangement``. A case may also record
``paper``: the arrangement a source document gives the function, kept beside what the evidence
gives and never compared (see the NHS example's file).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from taxonomy._model import Arrangement
from taxonomy._results import Classification, Recommendation
from taxonomy.classification import classify
from taxonomy.errors import InputError, Problems, did_you_mean
from taxonomy.input.files import load_portfolio
from taxonomy.input.reader import Fields, Location, Reader, load_yaml
from taxonomy.language.rules import check_keys, fold_choice, load_rules
from taxonomy.whatif.scenarios import load_scenario

__all__ = ["Case", "ExpectationFile", "Outcome", "load_expectations"]

_TOP = ("portfolio", "rules", "scenario", "cases")
_CASE = (
    "function",
    "arrangement",
    "lead",
    "decided_by",
    "capped_by",
    "lead_by",
    "decided",
    "possible",
)
#: Keys a case may carry that record, and are not compared: what a source document says.
_RECORD = ("paper",)


@attrs.frozen
class Case:
    """One expectation: a function and what it should get.

    Attributes:
        function: the function's id.
        expected: the keys compared with the classification, and their values.
        line: where the case is written.
        paper: the arrangement a source document gives it, when the file records one beside
            what the evidence gives (``arrangement``); recorded, never compared, so the file
            states where the evidence departs from the source.
    """

    function: str
    expected: tuple[tuple[str, Any], ...]
    line: int
    paper: str | None = None


@attrs.frozen
class Outcome:
    """What a function actually got, in the keys of a case."""

    actual: dict[str, Any]

    def differences(self, case: Case) -> list[str]:
        """The expected keys whose actual value differs, in words."""
        out = []
        for key, wanted in case.expected:
            got = self.actual.get(key)
            if key in ("capped_by", "possible"):
                wanted, got = sorted(wanted), sorted(got or [])
            if wanted != got:
                out.append(f"{key}: expected {wanted!r}, got {got!r}")
        return out


@attrs.frozen
class ExpectationFile:
    """A parsed expectation file."""

    path: Path
    portfolio: Path
    rules: Path | None
    scenario: Path | None
    cases: tuple[Case, ...]

    def run(self) -> dict[str, Outcome]:
        """Classify once and return each listed function's outcome."""
        pack = load_rules(self.rules)
        portfolio = load_portfolio(self.portfolio, rules=pack)
        single: str | None = None
        result: Classification | None = None
        if self.scenario is not None:
            applied = load_scenario(self.scenario).apply(portfolio, pack)
            single = applied.single_body
            if single is None:
                result = classify(applied.portfolio, rules=applied.rules)
        else:
            result = classify(portfolio, rules=pack)
        outcomes = {}
        for case in self.cases:
            if result is None:
                outcomes[case.function] = Outcome(
                    {"function": case.function, "arrangement": "one_body", "lead": single}
                )
                continue
            if case.function not in result:
                ids = [r.function for r in result]
                raise InputError(
                    f"no function '{case.function}' in the portfolio",
                    file=str(self.path),
                    line=case.line,
                    suggestion=did_you_mean(case.function, ids),
                )
            outcomes[case.function] = _outcome(result[case.function])
        return outcomes


def _outcome(rec: Recommendation) -> Outcome:
    """What ``rec`` got, in the keys of a case; an open one has no arrangement nor rules."""
    possible = sorted({str(o.arrangement) for o in rec.outcomes})
    if not rec.decided:
        return Outcome(
            {
                "function": rec.function,
                "arrangement": None,
                "lead": rec.lead_text,
                "decided": False,
                "possible": possible,
            }
        )
    ex = rec.explanation
    return Outcome(
        {
            "function": rec.function,
            "arrangement": str(rec.settled_arrangement),
            "lead": rec.lead_text,
            "decided_by": ex.decided_by.rule,
            "capped_by": [f.rule for f in ex.capped_by],
            "lead_by": ex.lead_by.rule if ex.lead_by else None,
            "decided": True,
            "possible": possible,
        }
    )


def load_expectations(path: str | Path) -> ExpectationFile:
    """Read and validate an expectation file; paths in it are relative to the file.

    Every problem is reported in one :class:`~taxonomy.errors.InputError`: each case is
    checked on its own (one problem per case), as are the file's keys and paths. An arrangement
    written in another case (``One_Team``) is read as it is named (``one_team``).
    """
    path = Path(path)
    reader = Reader(str(path), InputError)
    data = load_yaml(path)
    if data is None:
        reader.fail("the file is empty")
    top = reader.mapping(data, what="an expectation file")
    problems = Problems(InputError, file=str(path))
    check_keys(problems, reader, top, allowed=_TOP, required=("portfolio", "cases"))

    def relative(key: str) -> Path | None:
        if top.get(key) is None:
            return None
        with problems.collecting():
            return (path.parent / reader.text(top, key)).resolve()
        return None

    portfolio = relative("portfolio")
    if portfolio is None and "portfolio" in top and top["portfolio"] is None:
        with problems.collecting():
            reader.fail("must name the portfolio file", at=top, key="portfolio")
    rules, scenario = relative("rules"), relative("scenario")
    cases = []
    if "cases" in top:
        with problems.collecting():
            items = reader.sequence(top["cases"], what="'cases'", at=top)
            for raw, where in reader.each(items):
                with problems.collecting():
                    case = _read_case(reader, raw, where, items, problems)
                    if case is not None:
                        cases.append(case)
    problems.raise_if_any()
    assert portfolio is not None
    return ExpectationFile(path, portfolio, rules, scenario, tuple(cases))


_ARRANGEMENTS = (*Arrangement.names(), "one_body")


def _read_case(
    reader: Reader, raw: Any, where: Location, items: Any, problems: Problems
) -> Case | None:
    """One case, its keys each checked; None when a problem was recorded.

    Raises when the case is not a mapping (nothing of it can be read).
    """
    line = where.line or 0
    node: Fields = reader.mapping(raw, what="a case", at=items)
    item = f"case '{node.get('function')}'"
    before = len(problems)
    check_keys(
        problems, reader, node, allowed=(*_CASE, *_RECORD), required=("function",), item=item
    )
    folded = {
        key: fold_choice(node[key], _ARRANGEMENTS) if key in ("arrangement", "paper") else value
        for key, value in node.items()
    }
    if "arrangement" in node:
        with problems.collecting():
            _arrangement(reader, node, folded, "arrangement", item)
    paper = None
    if "paper" in node:
        with problems.collecting():
            paper = _arrangement(reader, node, folded, "paper", item)
    if "capped_by" in node and not isinstance(node["capped_by"], list | tuple):
        with problems.collecting():
            reader.fail("must be a list of rule ids", at=node, key="capped_by", item=item)
    if "decided" in node and not isinstance(node["decided"], bool):
        with problems.collecting():
            reader.fail("must be true or false", at=node, key="decided", item=item)
    if "possible" in node:
        with problems.collecting():
            folded["possible"] = _possible(reader, node, item)
    function = ""
    if "function" in node:
        with problems.collecting():
            function = reader.text(node, "function", item=item)
    expected = tuple(
        (key, list(folded[key]) if isinstance(folded[key], list | tuple) else folded[key])
        for key in _CASE
        if key in node and key != "function"
    )
    if len(problems) > before:
        return None
    return Case(function, expected, line, paper)


def _possible(reader: Reader, node: Fields, item: str) -> list[str]:
    """The arrangements listed under ``possible``, each read as it is named."""
    listed = node["possible"]
    if not isinstance(listed, list | tuple) or not listed:
        reader.fail("must be a list of arrangements", at=node, key="possible", item=item)
    out = []
    for value in listed:
        folded = fold_choice(value, _ARRANGEMENTS)
        if folded not in _ARRANGEMENTS:
            reader.fail(
                f"{value!r} is not an arrangement; allowed: {', '.join(_ARRANGEMENTS)}",
                at=node,
                key="possible",
                item=item,
                suggestion=did_you_mean(str(value), _ARRANGEMENTS),
            )
        out.append(str(folded))
    return out


def _arrangement(reader: Reader, node: Fields, folded: Fields, key: str, item: str) -> str:
    """The arrangement under ``key``; one written in another case is read as it is named."""
    if folded[key] in _ARRANGEMENTS:
        return str(folded[key])
    return reader.choice(node, key, _ARRANGEMENTS, item=item, what="an arrangement")
