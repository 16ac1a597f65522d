"""``taxonomy explain``: which rules fired on which answers for one function, and why."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from taxonomy.cli._context import json_text, stamp
from taxonomy.cli._options import (
    AS_OF_OPTION,
    PORTFOLIO_ARGUMENT,
    RULES_OPTION,
    Judged,
    judged_input,
)
from taxonomy.cli._output import Destination, format_option, writes_output
from taxonomy.errors import InputError

if TYPE_CHECKING:
    from taxonomy._model import Arrangement
    from taxonomy.whatif.counterfactual import Robustness

__all__ = ["explain_command"]

_FORMATS = ("text", "markdown", "json")


class _ArrangementType(click.ParamType):  # type: ignore[type-arg]  # not generic at run time
    """An arrangement as :meth:`Arrangement.parse` reads it: name, title or category number."""

    name = "arrangement"

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        """The values, shown in the help."""
        return "[one_team|aligned|separate_involved|separate_distinct|1-4]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """The :class:`Arrangement` ``value`` names; refused with the parser's own message."""
        from taxonomy._model import Arrangement

        try:
            return Arrangement.parse(value)
        except InputError as error:
            self.fail(str(error), param, ctx)


@click.command("explain")
@PORTFOLIO_ARGUMENT
@click.argument("function_id", metavar="FUNCTION_ID")
@RULES_OPTION
@click.option(
    "--why-not",
    "why_not",
    type=_ArrangementType(),
    default=None,
    help="Show the smallest answer changes that would give this arrangement instead: its name, "
    "its title ('one team') or its category number (1 to 4).",
)
@click.option(
    "--max-changes",
    type=click.IntRange(1, 4),
    default=2,
    show_default=True,
    help="With --why-not: the most answers changed at once.",
)
@format_option(
    _FORMATS,
    default="text",
    help="text and markdown open with the recommendation in sentences a Board paper can "
    "quote; json carries it as 'summary'.",
)
@AS_OF_OPTION
@writes_output(_FORMATS, inputs=("portfolio",))
@judged_input()
def explain_command(
    judged: Judged,
    out: Destination,
    function_id: str,
    why_not: Arrangement | None,
    max_changes: int,
) -> None:
    """Show which rules fired on which answers for one function, and why.

    With --why-not, show what would have to be true for another arrangement.
    """
    from taxonomy.whatif.counterfactual import counterfactuals, robustness

    loaded, pack = judged.portfolio, judged.pack
    loaded.function(function_id)  # an unknown id: UnknownIdError, with a "did you mean"
    if why_not is not None:
        found = counterfactuals(loaded, function_id, why_not, rules=pack, max_changes=max_changes)
        json_form = out.format == "json"
        out.emit(json_text(stamp("why-not", found.to_dict())) if json_form else found.explain())
        return
    from taxonomy.classification import classify_function
    from taxonomy.render.prose import paragraph
    from taxonomy.render.text import explain_markdown, explain_text

    rec = classify_function(loaded, function_id, rules=pack)
    # An open recommendation has no one placement to be robust: its explanation is the residual
    # (each possible outcome with when it holds, and the questions ranked), nothing more.
    sturdy = robustness(loaded, function_id, rules=pack) if rec.decided else None
    summary = paragraph(rec, loaded, rules=pack)
    if out.format == "json":
        robust = sturdy.to_dict() if sturdy is not None else None
        data = {**rec.to_dict(), "summary": summary, "robustness": robust}
        out.emit(json_text(stamp("explain", data)))
    elif out.format == "markdown":
        out.emit(explain_markdown(rec, summary=summary) + _robustness(sturdy, markdown=True))
    else:
        out.emit(explain_text(rec, summary=summary) + _robustness(sturdy, markdown=False))


def _robustness(sturdy: Robustness | None, *, markdown: bool) -> str:
    """How many one-step answer changes change the recommendation, and each of them."""
    if sturdy is None:
        return ""
    label = "**Robustness:**" if markdown else "Robustness:"
    lines = [
        f"\n{label} {len(sturdy.flips)} of {sturdy.steps} one-step answer changes "
        "change this recommendation"
        + (" (fragile: worth a second look)" if sturdy.share >= 0.25 else "")
    ]
    if markdown and sturdy.flips:
        lines.append("")
    lines += [f"- {flip}" if markdown else f"  - {flip}" for flip in sturdy.flips]
    return "".join(f"{line}\n" for line in lines)
