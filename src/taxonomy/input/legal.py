"""Question 3 of a function: its legal answers, with the impossible combinations refused.

The keys are :data:`taxonomy.input.shapes.LEGAL`'s; a key the model does not know is the rule
pack's to judge (:func:`taxonomy.input.answers.declared_answers`).
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from taxonomy._decision import delegations_in_force
from taxonomy._model import DELEGATION_LIMITS, Function, Governance, Legal
from taxonomy.errors import PortfolioError, Problems, did_you_mean
from taxonomy.input.reader import Fields, Reader, fold_choice
from taxonomy.input.shapes import LEGAL
from taxonomy.input.values import NO_IDS, attempt, body_list, item_name, valid_id

__all__ = ["check_posts", "post_problem", "read_legal"]


def read_legal(
    reader: Reader,
    node: Fields,
    item: str,
    bodies: list[str],
    performed_by: tuple[str, ...] | None,
    *,
    outside: tuple[str, ...] = (),
) -> Legal:
    """The ``legal`` answers of one function, with the impossible ones refused (every one).

    ``performed_by`` is None when it could not be read: the checks that need it are skipped.
    ``independence_from`` may also name ``outside`` (the portfolio's ``independent_bodies``).
    """
    if node["legal"] is None:
        return Legal()
    lg = reader.mapping(node["legal"], what="'legal'", item=item, at=node)
    # The keys the model does not know are the pack's to judge (read, or refused as unknown, by
    # declared_answers): reported there once, not again here.
    extra = [k for k in lg if k not in LEGAL.names]
    problems = Problems(PortfolioError, file=reader.file)
    with problems.collecting():
        reader.keys(lg, allowed=(*LEGAL.names, *extra), item=f"{item}, legal")

    def listed(key: str) -> tuple[str, ...]:
        return _listed(reader, problems, lg, key, bodies, item, outside=outside)

    # `all`: every body that performs it (a body that does not perform it holds nothing here).
    held = tuple(performed_by or ()) if lg.get("held_by_each") == "all" else listed("held_by_each")
    reserved, parent = _flags(reader, problems, lg, item, "board_reserved", "employed_by_parent")

    def text(key: str) -> str:
        if lg.get(key) is None:
            return ""
        return attempt(problems, lambda: reader.text(lg, key, item=item), "")

    limits = _limits(reader, problems, lg, item)
    owners, independence = listed("statutory_owner"), listed("independence_from")
    consent = listed("with_agreement_of")
    posts = attempt(problems, lambda: _posts(reader, lg, item), NO_IDS)
    delegable, reason = listed("delegable_to"), text("separate_reason")
    _refuse_decision(reader, problems, lg, item, (owners, held, independence, consent), reserved)
    problems.raise_if_any()  # each answer read, and none asks a holder's agreement
    legal = Legal(
        statutory_owner=owners,
        held_by_each=held,
        board_reserved=bool(reserved),
        not_delegable_to=tuple(dict.fromkeys(limits)),
        independence_from=independence,
        with_agreement_of=consent,
        decided_by=posts,
        delegable_to=delegable,
        separate_reason=reason,
        agreement_basis=text("agreement_basis"),
        employed_by_parent=parent is True,
    )
    _refuse_impossible(reader, problems, lg, item, legal, performed_by)
    problems.raise_if_any()
    return legal


#: The bodies outside the portfolio, as an unknown id in ``independence_from`` names them.
_OUTSIDE_TOO = "bodies outside it (independent_bodies)"


def _listed(
    reader: Reader,
    problems: Problems,
    lg: Fields,
    key: str,
    bodies: list[str],
    item: str,
    *,
    outside: tuple[str, ...] = (),
) -> tuple[str, ...]:
    """The bodies ``lg[key]`` lists (none where not given; problems recorded).

    Among ``bodies``, and for ``independence_from`` the bodies ``outside`` the portfolio too,
    an unknown id worded for what the list holds.
    """
    if lg.get(key) is None:
        return ()
    known, what = bodies, "organisations"
    if key == "independence_from" and outside:
        known, what = [*bodies, *outside], f"organisations or {_OUTSIDE_TOO}"
    return attempt(problems, lambda: body_list(reader, lg, key, known, item, what=what), ())


def _flags(
    reader: Reader, problems: Problems, lg: Fields, item: str, *keys: str
) -> tuple[Any, ...]:
    """The true-or-false answers ``keys`` (false where absent), each other value recorded."""
    values = tuple(lg.get(key, False) for key in keys)
    for key, value in zip(keys, values, strict=True):
        if not isinstance(value, bool):
            with problems.collecting():
                reader.fail("must be true or false", at=lg, key=key, item=item)
    return values


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
    for holding, how in (
        (legal.statutory_owner, "holds the statutory duty"),
        (legal.held_by_each, "holds a duty of its own (held_by_each)"),
    ):
        bound = sorted(set(holding) & set(independence))
        if bound:
            with problems.collecting():
                reader.fail(
                    f"{', '.join(bound)} {how}, so the function cannot be independent of it",
                    at=lg,
                    key="independence_from",
                    item=item,
                )


def _posts(reader: Reader, lg: Fields, item: str) -> tuple[str, ...]:
    """``decided_by``: the ids of the posts deciding (checked against the roles later)."""
    value = lg.get("decided_by")
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        reader.fail("must be a list of role ids", at=lg, key="decided_by", item=item)
    for post in value:
        if not valid_id(post):
            reader.fail(
                f"'{post}' is not an id (lower-case letters, digits, '.', '_' or '-')",
                at=lg,
                key="decided_by",
                item=item,
            )
    repeated = sorted({post for post in value if value.count(post) > 1})
    if repeated:
        named = ", ".join(f"'{post}'" for post in repeated)
        reader.fail(f"lists a role twice ({named})", at=lg, key="decided_by", item=item)
    return tuple(value)


def _refuse_decision(
    reader: Reader,
    problems: Problems,
    lg: Fields,
    item: str,
    answers: tuple[tuple[str, ...], ...],
    reserved: Any,
) -> None:
    """Record each consent the law cannot ask, and a post named for a Board's reserved decision.

    A body whose agreement is asked that holds the function, or that it must stay apart from.
    ``answers``: the statutory owners, the bodies each holding it, the bodies it must stay
    independent of and the bodies whose agreement it needs, as read.
    """
    if reserved is True and lg.get("decided_by"):
        with problems.collecting():
            reader.fail(
                "the decision is reserved to each body's own governing body (board_reserved), "
                "so no post can take it instead",
                at=lg,
                key="decided_by",
                item=item,
            )
    owners, held, independence, consent = answers
    for body in consent:
        if body in owners or body in held:
            how = "statutory_owner" if body in owners else "held_by_each"
            why = (
                f"'{body}' holds the function ({how}): a holder takes the decision, it does not "
                "consent to it; name the bodies whose agreement it needs besides its holders"
            )
        elif body in independence:
            why = (
                f"the function must stay independent of '{body}' (independence_from), so its "
                "agreement cannot be needed"
            )
        else:
            continue
        with problems.collecting():
            reader.fail(why, at=lg, key="with_agreement_of", item=item)


def check_posts(
    reader: Reader,
    problems: Problems,
    nodes: Sequence[Any],
    functions: Sequence[Function],
    governance: Governance,
    *,
    day: datetime.date | None = None,
) -> None:
    """Record each post a function's ``legal.decided_by`` names that cannot take its decision.

    Read once the governance is: a post is one of its roles, employed by a body that holds the
    function or carries it out, one post per body, never a post of a body whose agreement is
    asked (it consents, it does not decide), of one the function must stay independent of, or
    of one that delegates the function to a joint body or another body in force on ``day``
    (the portfolio's ``as_of``; None: undated): the body it delegates to decides.
    """
    by_id = {fn.id: fn for fn in functions}
    for node in nodes:
        named = node.get("id") if isinstance(node, Mapping) else None
        fn = by_id.get(named) if isinstance(named, str) else None
        if fn is None or not fn.legal.decided_by:
            continue
        for problem, hints in post_problems(fn, governance, day=day):
            with problems.collecting():
                reader.fail(
                    problem,
                    at=node["legal"],
                    key="decided_by",
                    item=item_name("function", node),
                    **hints,
                )


def post_problems(
    fn: Function, governance: Governance, *, day: datetime.date | None = None
) -> list[tuple[str, dict[str, Any]]]:
    """Why each post ``fn``'s ``legal.decided_by`` names cannot take its decision.

    Each problem comes with its hints (``allowed``, ``suggestion``) for the error; none: every
    post can. Used when a portfolio is read and when a what-if sets ``legal.decided_by``.
    A body bars its post only by a delegation in force in ``governance.on(day)`` (None: every
    day's), as :func:`taxonomy._decision.decision_of` has it: never a planned one.
    """
    roles = {role.id: role for role in governance.roles}
    in_force = delegations_in_force(fn, governance.on(day))
    delegating = {d.by for d in in_force if d.to_kind != "organisation"}
    handing = {d.by for d in in_force if d.to_kind == "organisation"}
    found: list[tuple[str, dict[str, Any]]] = []
    seen: dict[str, str] = {}
    for post in fn.legal.decided_by:
        role = roles.get(post)
        if role is None:
            hints = {
                "allowed": roles if 0 < len(roles) <= 40 else None,
                "suggestion": did_you_mean(post, roles),
            }
            found.append(
                (f"'{post}' is not one of the portfolio's roles (governance.roles)", hints)
            )
            continue
        why = post_problem(fn, role.employed_by, seen, delegating, handing=handing)
        seen.setdefault(role.employed_by, post)
        if why:
            found.append((f"'{post}' ({role.name}) {why}", {}))
    return found


def post_problem(
    fn: Function,
    body: str,
    seen: Mapping[str, str],
    delegating: Collection[str],
    *,
    handing: Collection[str] = (),
) -> str:
    """Why a post employed by ``body`` cannot take ``fn``'s decision (empty: it can).

    ``seen``: the bodies whose post was named already (body to post); ``delegating``: the
    bodies that delegate the function to a joint body, in force; ``handing``: those that
    delegate it to another body in force (``governance.delegations``).
    """
    legal = fn.legal
    if body in seen:
        return f"is a second post of {body} (with '{seen[body]}'): one post takes its decision"
    if body in legal.with_agreement_of:
        return f"is employed by {body}, whose agreement it needs (with_agreement_of): it consents"
    if body in legal.independence_from:
        return f"is employed by {body}, which the function must stay independent of"
    if body not in {*fn.performed_by, *legal.statutory_owner, *legal.held_by_each}:
        return (
            f"is employed by {body}, which neither holds nor carries out the function: a post "
            "decides only for its own body"
        )
    if body in delegating:
        return (
            f"is employed by {body}, which delegates the function to a joint body (governance): "
            "the joint body decides it"
        )
    if body in handing:
        return (
            f"is employed by {body}, which delegates the function to another body "
            "(governance.delegations): that body decides it"
        )
    return ""
