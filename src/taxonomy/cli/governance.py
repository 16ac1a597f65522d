"""``taxonomy governance``: each body's scheme of delegation and each joint body's terms."""

from __future__ import annotations

import click

from taxonomy.cli._context import json_text, stamp
from taxonomy.cli._options import Judged, judging_options
from taxonomy.cli._output import Destination

__all__ = ["governance_command"]

_FORMATS = ("markdown", "json")


@click.command("governance")
@judging_options(_FORMATS, default="markdown", to_file=True)
def governance_command(judged: Judged, out: Destination) -> None:
    """Draft each body's scheme of delegation and each joint body's terms of reference.

    From the structure the recommendations imply: per body, what its governing body keeps,
    what it delegates to whom and on what basis; per joint committee, committees in common or
    oversight group (of the governance, or proposed), its members, what is delegated to it and
    by whom, and what each member keeps. Each line cites its sources. Where the law does not
    say who holds a function the line says so; a function not decided yet is marked open.
    """
    from taxonomy.classification import classify
    from taxonomy.render.governance_docs import governance_markdown
    from taxonomy.structure.drafting import governance_documents

    docs = governance_documents(classify(judged.portfolio, rules=judged.pack))
    if out.format == "json":
        out.emit(json_text(stamp("governance", docs.to_dict())))
    else:
        out.emit(governance_markdown(docs))
