"""``taxonomy schema``: the JSON Schema of a file taxonomy reads, or of the JSON it writes."""

from __future__ import annotations

import click

from taxonomy.cli._options import FORCE_OPTION, RULES_OPTION, load_rules
from taxonomy.cli._output import Destination, output_option, writes_output
from taxonomy.errors import InputError, did_you_mean

__all__ = ["schema_command"]


@click.command("schema")
@click.argument("kind", metavar="[KIND]", required=False)
@RULES_OPTION
@click.option("--list", "listing", is_flag=True, help="List the kinds (also with no KIND).")
@output_option()
@FORCE_OPTION
@writes_output(())
def schema_command(
    kind: str | None, rules_dir: str | None, listing: bool, out: Destination
) -> None:
    """Print the JSON Schema of KIND: a file taxonomy reads, or the JSON it writes.

    A portfolio's, scenario's or sweep's schema follows the rule pack (--rules DIR): its tiers
    and the questions it declares. Point an editor at it (docs/schemas.md) to have a file
    completed and checked as it is typed.
    """
    from taxonomy.schemas import INPUTS, KINDS, OUTPUTS, schema_text

    if listing or kind is None:
        width = max(len(k) for k in KINDS)
        lines = [f"{k:<{width}}  {what}" for k, what in INPUTS.items()]
        lines += [f"{k:<{width}}  output of taxonomy {what}" for k, what in OUTPUTS.items()]
        click.echo("\n".join(lines))
        return
    if kind not in KINDS:
        raise InputError(f"no schema '{kind}'", allowed=KINDS, suggestion=did_you_mean(kind, KINDS))
    out.emit(schema_text(kind, rules=load_rules(rules_dir) if rules_dir else None))
