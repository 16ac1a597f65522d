"""``taxonomy rules``: list and validate a rule pack, start one, check, cover and mutate it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from taxonomy.cli import Failed, Refused
from taxonomy.cli._context import json_text, say, settings, stamp, stdin_once, with_progress
from taxonomy.cli._options import (
    FORCE_OPTION,
    RULES_OPTION,
    announce_pack,
    load_portfolio,
    load_rules,
)
from taxonomy.cli._output import Destination, format_option, output_format, writes_output
from taxonomy.errors import InputError

if TYPE_CHECKING:
    pass

__all__ = ["rules_command"]


class _RulesGroup(click.Group):
    """``taxonomy rules [DIR]`` lists a pack; ``taxonomy rules check|coverage|mutate ...``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Read ``rules [DIR] [--format F]`` as ``rules list ...``."""
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["list", *args]
        return super().parse_args(ctx, args)


@click.group("rules", cls=_RulesGroup, invoke_without_command=True)
@click.pass_context
def rules_command(ctx: click.Context) -> None:
    """Rule packs: list and validate (rules [DIR]), init, check, coverage, mutate."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(rules_list)


@rules_command.command("list")
@click.argument("directory", metavar="[DIR]", required=False)
@format_option(("table", "json"), default="table")
@writes_output(("table", "json"))
def rules_list(out: Destination, directory: str | None = None) -> None:
    """Validate a rule pack and list its rules (default: the shipped pack).

    Validation includes compiling the pack for durable-rules, whose fixed limits (rules on one
    condition, rules per stratum) a valid pack can still exceed: exit 1 then, with the rules named.
    """
    from taxonomy.language.durable import engine_for

    pack = load_rules(directory)
    engine_for(pack)
    if out.format == "json":
        from taxonomy.language.listing import pack_listing

        out.emit(json_text(stamp("rules-list", pack_listing(pack))))
        return
    from taxonomy.render.tables import rules_table

    found = settings()
    out.emit(rules_table(pack, width=found.width, color=found.color))


@rules_command.command("init")
@click.argument("directory", metavar="DIR")
@click.option(
    "--name", metavar="NAME", default=None, help="The pack's name (default: from DIR's name)."
)
@FORCE_OPTION
def rules_init(directory: str, name: str | None, force: bool) -> None:
    """Write a rule pack of your own to DIR: an extension of the default pack, ready to edit.

    It adds one question and one rule, and restates one inherited rule under overrides, each
    commented; `taxonomy rules check DIR` passes it and `classify --rules DIR` uses it. DIR
    must be new or empty (or give --force to write over its pack.yaml and questions.yaml).
    """
    from taxonomy.input.starter import starter_pack

    folder = Path(directory)
    files = starter_pack(name or folder.resolve().name, load_rules(None))
    if folder.exists() and not folder.is_dir():
        raise InputError("is a file: give a folder for the pack", file=directory)
    if not folder.exists() and not folder.parent.is_dir():
        raise InputError(f"the folder {folder.parent} does not exist", file=directory)
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise InputError(
            "is not empty: give --force to write the pack's files into it", file=directory
        )
    from taxonomy.output import Output

    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot be written: {exc.strerror}", file=directory) from None
    for file_name, text in files.items():
        Output(folder / file_name, force=True).write_text(text)
    say(f"wrote {directory} ({', '.join(files)}): edit it, then taxonomy rules check {directory}")


@rules_command.command("check")
@click.argument("directory", metavar="[DIR]", required=False)
@format_option(("table", "json"), default="table")
@click.option(
    "--backend",
    type=click.Choice(["reference", "durable-rules"]),
    default="reference",
    show_default=True,
    help="Which rules fire: the reference semantics (fast; durable-rules is pinned to it by a "
    "differential test), or durable-rules itself.",
)
@click.option(
    "--max-combinations",
    "max_combinations",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Check a pack reading up to N combinations of answers (default 2,000,000); one "
    "reading more is refused at once, with the facts that multiply them.",
)
@writes_output(("table", "json"))
def rules_check(
    directory: str | None, out: Destination, backend: str, max_combinations: int | None
) -> None:
    """Verify a pack over every combination of answers: gaps, conflicts, dead rules.

    Every combination is derived by the resolver classify uses; which rules fire comes from
    --backend. Exit 0 when clean, 1 with errors (gaps, conflicts), 2 on bad input or a pack
    reading more combinations than --max-combinations.
    """
    from taxonomy.testing.verify import MAX_COMBINATIONS, check_pack

    report = check_pack(
        load_rules(directory),
        backend=backend,
        max_combinations=max_combinations or MAX_COMBINATIONS,
    )
    if out.format == "json":
        out.emit(json_text(stamp("rules-check", report.to_dict())))
    else:
        lines = [
            f"rule pack {report.pack}: {report.combinations} answer combinations "
            f"({'exhaustive' if report.exhaustive else 'a sample: the space is too large'}), "
            f"derived with the {report.backend} backend, {report.seconds:.1f} s"
        ]
        if not report.issues:
            lines.append("clean: no gap, conflict, dead rule or unused finding")
        for issue in report.issues:
            where = ", ".join(issue.where) or "-"
            lines.append(
                f"{issue.severity}: {issue.kind}: {', '.join(issue.rules) or '-'} "
                f"({where}): {issue.message}"
            )
            if issue.example:
                lines.append(f"    for example: {', '.join(f'{k}={v}' for k, v in issue.example)}")
        out.emit("".join(f"{line}\n" for line in lines))
    if report.errors:
        raise Failed()


class _Percent(click.FloatRange):
    """A percentage, 0 to 100: ``nan`` (which compares false with every bound) and ``inf`` too."""

    name = "percentage"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """The number, refusing ``nan``, which would pass every threshold."""
        number = super().convert(value, param, ctx)
        if number != number:  # nan: below no threshold, so it would pass every score
            self.fail(f"{value!r} is not a number; give a percentage from 0 to 100", param, ctx)
        return number


_FAIL_UNDER_OPTION = click.option(
    "--fail-under",
    "fail_under",
    metavar="PCT",
    type=_Percent(0, 100),
    default=None,
    help="Exit 1 if the score is below PCT percent (for CI). Default: report only, exit 0.",
)

_JUNIT_OPTION = click.option(
    "--junit-xml",
    "junit_xml",
    metavar="FILE",
    default=None,
    help="Also write a JUnit XML report to FILE, which CI systems show as test results.",
)


def _junit(name: str | None, *inputs: str, force: bool) -> Destination | None:
    """Where ``--junit-xml FILE`` goes (checked before anything runs), if given."""
    if name is None:
        return None
    return Destination(name, output_format(None, name, ("xml",)), force=force, inputs=inputs)


def _check_score(what: str, score: float, fail_under: float | None) -> None:
    """Exit 1 with one line if ``score`` (a share, 0 to 1) is below ``--fail-under`` percent."""
    if fail_under is not None and score * 100 < fail_under:
        raise Refused(
            f"{what} {score * 100:.1f}% is below --fail-under {fail_under:g}%", 1, "threshold"
        )


@rules_command.command("coverage")
@click.argument("portfolios", metavar="PORTFOLIO...", nargs=-1, required=True)
@RULES_OPTION
@format_option(("text", "json"), default="text")
@_FAIL_UNDER_OPTION
@_JUNIT_OPTION
@FORCE_OPTION
@writes_output(("text", "json"))
def rules_coverage(
    portfolios: tuple[str, ...],
    rules_dir: str | None,
    out: Destination,
    fail_under: float | None,
    junit_xml: str | None,
) -> None:
    """List which rules fired, and which never did, over the given portfolios.

    With --fail-under PCT, exit 1 if fewer than PCT percent of the rules fired; with
    --junit-xml FILE, also write a test case per rule (failed if it never fired).
    """
    from taxonomy.testing.coverage import rule_coverage

    stdin_once(*portfolios)
    junit = _junit(junit_xml, *portfolios, force=out.force)
    loaded = [load_portfolio(p, rules_dir) for p in portfolios]  # first: the pack they name
    report = rule_coverage(announce_pack(rules_dir), loaded)
    if out.format == "json":
        out.emit(json_text(stamp("rules-coverage", report.to_dict()), ascii_only=True))
    else:
        out.emit(report.to_text())
    if junit is not None:
        junit.write_file(report.to_junit_xml())
    _check_score("rule coverage", report.share, fail_under)


@rules_command.command("mutate")
@click.argument("directory", metavar="[DIR]", required=False)
@click.option(
    "--tests",
    "tests",
    metavar="PATH",
    multiple=True,
    required=True,
    help="The tests to run against each mutant (pytest paths); repeat for more.",
)
@click.option("--limit", type=click.IntRange(1), default=None, help="Run only the first N mutants.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True)
@format_option(("text", "json"), default="text")
@_FAIL_UNDER_OPTION
@_JUNIT_OPTION
@FORCE_OPTION
@writes_output(("text", "json"))
def rules_mutate(
    directory: str | None,
    tests: tuple[str, ...],
    limit: int | None,
    workers: int,
    out: Destination,
    fail_under: float | None,
    junit_xml: str | None,
) -> None:
    """Mutate a pack, run the tests on each mutant, and report the mutants that survived.

    Survivors alone do not fail the command (some mutants change nothing a test could see):
    with --fail-under PCT, exit 1 if fewer than PCT percent of the mutants were killed; with
    --junit-xml FILE, also write a test case per mutant (failed if it survived).
    """
    from taxonomy.testing.mutation import run_mutants

    junit = _junit(junit_xml, force=out.force)
    for test in tests:
        if not Path(test.split("::")[0]).exists():
            raise InputError("no such test file or folder", file=test)
    report = with_progress(
        "mutants",
        lambda progress: run_mutants(
            directory, list(tests), limit=limit, workers=workers, progress=progress
        ),
    )
    if out.format == "json":
        out.emit(json_text(stamp("rules-mutate", report.to_dict()), ascii_only=True))
    else:
        out.emit(report.to_text())
    if junit is not None:
        junit.write_file(report.to_junit_xml())
    _check_score("mutation score", report.score, fail_under)
