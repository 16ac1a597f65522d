"""Question 3 of a function: its legal answers, with the impossible combinations refused.

The keys are :data:`taxonomy.input.shapes.LEGAL`'s; a key the model does not know is the rule
pack's to judge (:func:`taxonomy.input.answers.declared_answers`).
"""

from __future__ import annotations

from typing import Any

from taxonomy._model import DELEGATION_LIMITS, Legal
from taxonomy.errors import PortfolioError, Problems, did_you_mean
from taxonomy.input.reader import Fields, Reader, fold_choice
from taxonomy.input.shapes import LEGAL
from taxonomy.input.values import attempt, body_list

__all__ = ["read_legal"]


def read_legal(
    reader: Reader,
    node: Fields,
    item: str,
    bodies: list[str],
    performed_by: tuple[str, ...] | None,
) -> Legal:
    """The ``legal`` answers of one function, with the impossible ones refused (every one).

    ``performed_by`` is None when it could not be read: the checks that need it are skipped.
    """
    if node["legal"] is None:
        return Legal()
    lg = reader.mapping(node["legal"], what="'legal'", item=item, at=node)
    where = f"{item}, legal"
    # The keys the model does not know are the pack's to judge (read, or refused as unknown, by
    # declared_answers): reported there once, not again here.
    extra = [k for k in lg if k not in LEGAL.names]
    problems = Problems(PortfolioError, file=reader.file)
    with problems.collecting():
        reader.keys(lg, allowed=(*LEGAL.names, *extra), item=where)

    def listed(key: str) -> tuple[str, ...]:
        if lg.get(key) is None:
            return ()
        return attempt(problems, lambda: body_list(reader, lg, key, bodies, item), ())

    # `all`: every body that performs it (a body that does not perform it holds nothing here).
    held = tuple(performed_by or ()) if lg.get("held_by_each") == "all" else listed("held_by_each")
    reserved = lg.get("board_reserved", False)
    parent = lg.get("employed_by_parent", False)
    for flag, value in (("board_reserved", reserved), ("employed_by_parent", parent)):
        if not isinstance(value, bool):
            with problems.collecting():
                reader.fail("must be true or false", at=lg, key=flag, item=item)
    limits = _limits(reader, problems, lg, item)
    reason = ""
    if lg.get("separate_reason") is not None:
        reason = attempt(problems, lambda: reader.text(lg, "separate_reason", item=item), "")
    owners = listed("statutory_owner")
    delegable = listed("delegable_to")
    independence = listed("independence_from")
    problems.raise_if_any()  # the checks below compare the answers: each must be readable
    legal = Legal(
        statutory_owner=owners,
        held_by_each=held,
        delegable_to=delegable,
        board_reserved=bool(reserved),
        not_delegable_to=tuple(dict.fromkeys(limits)),
        independence_from=independence,
        separate_reason=reason,
        employed_by_parent=parent is True,
    )
    _refuse_impossible(reader, problems, lg, item, legal, performed_by)
    problems.raise_if_any()
    return legal


def _limits(reader: Reader, problems: Problems, lg: Fields, item: str) -> list[Any]:
    """``not_delegable_to``: what the function may not be delegated to (problems recorded)."""
    limits = lg.get("not_delegable_to") or []
    if isinstance(limits, str):
        limits = [limits]
    if not isinstance(limits, list):
        with problems.collecting():
            reader.fail(
                "must be a list",
                at=lg,
                key="not_delegable_to",
                item=item,
                allowed=DELEGATION_LIMITS,
            )
        limits = []
    # Written in any case (Joint_Committee), where that names one limit.
    limits = [
        (fold_choice(limit, DELEGATION_LIMITS) or limit) if isinstance(limit, str) else limit
        for limit in limits
    ]
    for limit in limits:
        if limit not in DELEGATION_LIMITS:
            with problems.collecting():
                reader.fail(
                    f"'{limit}' is not something a function can be barred from delegating to",
                    at=lg,
                    key="not_delegable_to",
                    item=item,
                    allowed=DELEGATION_LIMITS,
                    suggestion=did_you_mean(str(limit), DELEGATION_LIMITS),
                )
    return limits


def _refuse_impossible(
    reader: Reader,
    problems: Problems,
    lg: Fields,
    item: str,
    legal: Legal,
    performed_by: tuple[str, ...] | None,
) -> None:
    """Record each combination of answers that leaves nobody able to carry the function out."""
    independence = legal.independence_from
    if performed_by and independence and set(performed_by) <= set(independence):
        with problems.collecting():
            reader.fail(
                f"the function must stay independent of every body that performs it "
                f"({', '.join(performed_by)}): nobody could carry it out; name the bodies it "
                "must be independent of, not the ones doing it",
                at=lg,
                key="independence_from",
                item=item,
            )
    if legal.delegable_to and set(legal.delegable_to) <= set(independence):
        with problems.collecting():
            reader.fail(
                f"only employees of {', '.join(legal.delegable_to)} may carry it out "
                "(delegable_to), but the function must stay independent of them: nobody could",
                at=lg,
                key="independence_from",
                item=item,
            )
    bound = sorted(set(legal.statutory_owner) & set(independence))
    if bound:
        with problems.collecting():
            reader.fail(
                f"{', '.join(bound)} holds the statutory duty, so the function cannot be "
                "independent of it",
                at=lg,
                key="independence_from",
                item=item,
            )
