"""``taxonomy check``: the to-be structure against the design principles and the law."""

from __future__ import annotations

import click

from taxonomy.cli import Failed
from taxonomy.cli._context import json_text, settings, stamp
from taxonomy.cli._options import Judged, judging_options
from taxonomy.cli._output import Destination

__all__ = ["check_command"]

_FORMATS = ("table", "json")


@click.command("check")
@judging_options(_FORMATS, default="table", single_body=True)
def check_command(judged: Judged, out: Destination) -> None:
    """Check the to-be structure against the design principles and the law.

    Exit 0 with no error findings, 1 with any, 2 on bad input. On a day the law leaves one
    body there is no joint structure to check: the output says so (exit 0).
    """
    from taxonomy.classification import classify
    from taxonomy.render.tables import structure_table
    from taxonomy.render.text import law_line
    from taxonomy.structure.checks import structure_report

    report = structure_report(classify(judged.portfolio, rules=judged.pack))
    if out.format == "json":
        out.emit(json_text(stamp("check", report.to_dict())))
    else:
        header = law_line(judged.portfolio)
        found = settings()
        table = structure_table(report, width=found.width, color=found.color)
        out.emit((f"{header}\n" if header else "") + table)
    if report.errors:
        raise Failed()
