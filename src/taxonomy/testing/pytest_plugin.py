"""The pytest plugin shipped with ``taxonomy`` (registered through the ``pytest11`` entry point).

- Collects ``*.expect.yaml`` expectation files: one test per case, reporting the file, the line,
  the case and a readable difference on failure (see ``taxonomy.testing.expectations``).
- ``--taxonomy-coverage``: at the end of the run, list which rules of each pack used fired and
  which never did.
- ``--taxonomy-substitute-pack ORIGINAL=REPLACEMENT``: load the pack folder REPLACEMENT wherever
  ORIGINAL is asked for (``taxonomy rules mutate`` runs tests this way with each mutant).

It imports nothing from ``taxonomy`` until a hook needs it, so loading the plugin (which pytest
does before coverage measurement starts) does not import the package being measured.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--taxonomy-coverage``."""
    group = parser.getgroup("taxonomy")
    group.addoption(
        "--taxonomy-coverage",
        action="store_true",
        default=False,
        help="report which rules fired and which never did over the test run",
    )
    group.addoption(
        "--taxonomy-substitute-pack",
        action="append",
        default=[],
        metavar="ORIGINAL=REPLACEMENT",
        help="load the rule pack folder REPLACEMENT wherever ORIGINAL is asked for",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Apply pack substitutions; start recording rule firings when coverage is asked for."""
    for pair in config.getoption("--taxonomy-substitute-pack", default=[]) or []:
        original, sep, replacement = pair.partition("=")
        if not sep or not original or not replacement:
            raise pytest.UsageError(
                f"--taxonomy-substitute-pack takes ORIGINAL=REPLACEMENT, not {pair!r}"
            )
        from taxonomy.language.rules import redirect_pack

        redirect_pack(original, replacement)
    if config.getoption("--taxonomy-coverage", default=False):
        from taxonomy.classification import OBSERVERS

        seen: dict[str, Any] = {}

        def record(pack: Any, result: Any) -> None:
            entry = seen.setdefault(pack.hash, {"pack": pack, "results": []})
            entry["results"].append(result)

        OBSERVERS.append(record)
        config.stash[_SEEN] = seen


_SEEN = pytest.StashKey[dict[str, Any]]()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Print the rule coverage of every pack used during the run."""
    seen = config.stash.get(_SEEN, None)
    if seen is None:
        return
    from taxonomy.testing.coverage import coverage_of

    terminalreporter.section("taxonomy rule coverage")
    for entry in seen.values():
        report = coverage_of(entry["pack"], entry["results"])
        terminalreporter.write(report.to_text())


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.File | None:
    """Collect expectation files."""
    if file_path.name.endswith(".expect.yaml"):
        return ExpectationFileItem.from_parent(parent, path=file_path)
    return None


class ExpectationFileItem(pytest.File):
    """An expectation file: one test per case."""

    def collect(self) -> Iterator[pytest.Item]:
        """One item per case; a file with mistakes is one collection error listing them all.

        The error is the loader's message (file, line, case and key of each problem), shown
        as it is, without a Python traceback.
        """
        from taxonomy.errors import TaxonomyError
        from taxonomy.testing.expectations import load_expectations

        try:
            spec = load_expectations(self.path)
        except TaxonomyError as error:
            raise self.CollectError(str(error)) from None
        cache: dict[str, Any] = {}
        for case in spec.cases:
            yield ExpectationCase.from_parent(
                self, name=f"{case.function}:{case.line}", spec=spec, case=case, cache=cache
            )


class ExpectationFailed(Exception):
    """A case's expectation did not hold."""


class ExpectationCase(pytest.Item):
    """One case of an expectation file."""

    def __init__(self, *, spec: Any, case: Any, cache: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec = spec
        self.case = case
        self.cache = cache

    def runtest(self) -> None:
        """Classify (once per file) and compare the case's keys."""
        if "outcomes" not in self.cache:
            self.cache["outcomes"] = self.spec.run()  # classify once per file
        outcome = self.cache["outcomes"][self.case.function]
        differences = outcome.differences(self.case)
        if differences:
            raise ExpectationFailed(differences, outcome)

    def repr_failure(self, excinfo: Any, style: Any = None) -> str:
        """The file, line, case and the differences, without a traceback."""
        if isinstance(excinfo.value, ExpectationFailed):
            differences, outcome = excinfo.value.args
            lines = [f"{self.spec.path}:{self.case.line}: case '{self.case.function}'"]
            lines += [f"  {d}" for d in differences]
            got = ", ".join(f"{k}={v}" for k, v in outcome.actual.items() if k != "function")
            lines.append(f"  (actual: {got})")
            return "\n".join(lines)
        from taxonomy.errors import InputError, TaxonomyError

        if isinstance(excinfo.value, InputError) and excinfo.value.file is not None:
            return str(excinfo.value)  # it names its own file and line
        if isinstance(excinfo.value, TaxonomyError):
            return f"{self.spec.path}:{self.case.line}: {excinfo.value}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        """Where the case is, for pytest's report."""
        return self.path, self.case.line - 1, f"{self.spec.path.name}: {self.case.function}"
