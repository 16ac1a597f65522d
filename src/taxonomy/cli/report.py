"""``taxonomy report``: one self-contained HTML report a Board paper can carry."""

from __future__ import annotations

import click

from taxonomy.cli._options import (
    AS_OF_OPTION,
    FORCE_OPTION,
    PORTFOLIO_ARGUMENT,
    RULES_OPTION,
    Judged,
    judged_input,
)
from taxonomy.cli._output import Destination, output_option, writes_output

__all__ = ["report_command"]


@click.command("report")
@PORTFOLIO_ARGUMENT
@click.option(
    "--scenario",
    "scenario_files",
    metavar="S.yaml",
    multiple=True,
    help="A scenario to compare with the baseline; repeat for more.",
)
@RULES_OPTION
@output_option(metavar="report.html", required=True, help=None)
@FORCE_OPTION
@click.option("--no-pictures", is_flag=True, help="Leave out the accountability pictures.")
@AS_OF_OPTION
@writes_output(("html",), inputs=("portfolio", "scenario_files"))
@judged_input()
def report_command(
    judged: Judged, out: Destination, scenario_files: tuple[str, ...], no_pictures: bool
) -> None:
    """Write one self-contained HTML report a Board paper can carry (prints to A4)."""
    from taxonomy.render.report import build_report
    from taxonomy.whatif.scenarios import load_scenario

    scenarios = [load_scenario(f) for f in scenario_files]
    out.emit(
        build_report(
            judged.portfolio, scenarios=scenarios, rules=judged.pack, pictures=not no_pictures
        )
    )
