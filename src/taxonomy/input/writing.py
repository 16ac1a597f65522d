"""A portfolio written back as plain data in its file's shape (what the loader reads).

The keys and their order are the shapes' (:mod:`taxonomy.input.shapes`); an optional key with
nothing to say is left out.
"""

from __future__ import annotations

import operator
from typing import Any

from taxonomy._model import Function, Governance, JointBody, Legal, Portfolio, Provision
from taxonomy.input.delegations import entry_data
from taxonomy.input.keys import Shape
from taxonomy.input.shapes import FUNCTION, JOINT_BODY, ORGANISATION, PROVISION, ROLE
from taxonomy.language.facts import answer_data

__all__ = ["governance_to_data", "portfolio_to_data"]


def portfolio_to_data(portfolio: Portfolio) -> dict[str, Any]:
    """The portfolio as plain data in the YAML file's shape (what :func:`load_portfolio` reads).

    A dated law is written as its list of provisions. A law already judged on one day (a
    classification's portfolio) is written as what it says that day, without the provisions.

    Examples:
        >>> from taxonomy.input.files import load_portfolio
        >>> from taxonomy.input.portfolio import portfolio_from_data
        >>> p = load_portfolio("examples/nhs_joint_working_2018.yaml")
        >>> portfolio_from_data(portfolio_to_data(p)) == p
        True
    """
    data: dict[str, Any] = {"name": portfolio.name}
    # In the order files write the keys (PORTFOLIO's): the name, the pack, the day, ...
    if portfolio.rules is not None:
        data["rules"] = portfolio.rules.to_data()
    if portfolio.as_of is not None:
        data["as_of"] = portfolio.as_of
    data |= {
        # The governing body is always written: a file read under a pack whose word is not
        # "Board" (councils: "full council") would otherwise give a written "Board" that word.
        "organisations": [_written(ORGANISATION, o, keep=True) for o in portfolio.organisations],
        "functions": [_function_data(fn) for fn in portfolio.functions],
    }
    if portfolio.law.dated:
        data["law"] = [_provision_to_data(p) for p in portfolio.law.provisions]
    else:  # false too: the answer is kept, as the spreadsheet's law.joint_committees keeps it
        data["law"] = {"joint_committees": portfolio.law.joint_committees}
    governance = governance_to_data(portfolio.governance)
    if governance:
        data["governance"] = governance
    if portfolio.independent_bodies:
        data["independent_bodies"] = [
            {"id": b.id, "name": b.name, "source": b.source} for b in portfolio.independent_bodies
        ]
    return data


def _function_data(fn: Function) -> dict[str, Any]:
    """One function as its file writes it: its keys, the pack's answers under their questions.

    An optional key with nothing to say (no agreed lead, no notes) is left out.
    """
    entry: dict[str, Any] = {}
    for key in FUNCTION.keys:
        value = getattr(fn, key.attr)
        if key.name == "legal":
            entry[key.name] = _legal_to_data(fn.legal, fn.performed_by)
        elif key.name == "capability":
            entry[key.name] = {body: str(level) for body, level in fn.capability.levels}
        elif key.kind == "section" and key.shape is not None:
            entry[key.name] = {name: str(getattr(value, name)) for name in key.shape.names}
        elif key.required or value not in (None, "", ()):
            entry[key.name] = list(value) if key.listed else value
    for name, value in (*fn.answers, *fn.unknowns):
        question, answer = name.split(".", 1)
        if entry.get(question) is None:
            entry[question] = {}
        entry[question][answer] = answer_data(value)
    for said in fn.by_body:  # each body's own answer, where the bodies answered for themselves
        question, answer = said.key.split(".", 1)
        entry.setdefault(question, {})[answer] = said.to_data()
    return entry


def _written(shape: Shape, item: Any, *, keep: bool = False) -> dict[str, Any]:
    """``item``'s attributes under its shape's keys, lists as lists.

    With ``keep``, every key; else none that is empty (no ids, no text).
    """
    found: dict[str, Any] = {}
    for key in shape.keys:
        value = operator.attrgetter(key.attr)(item)
        value = list(value) if key.listed else value
        if key.attr.startswith("term.") and value is None:
            continue  # a post or joint body with nothing said of its days
        if keep or value not in ([], ""):
            found[key.name] = value
    if isinstance(item, JointBody):
        _dated_entries(item, found)
    return found


def _dated_entries(body: JointBody, found: dict[str, Any]) -> None:
    """A joint body's dated memberships and delegations, written as mappings in their lists."""
    for key, entry, terms in (
        ("members", "body", dict(body.member_terms)),
        ("delegated", "function", dict(body.delegation_terms)),
    ):
        if terms and key in found:
            found[key] = [
                {entry: name, **terms[name].to_data()} if name in terms else name
                for name in found[key]
            ]


def governance_to_data(governance: Governance) -> dict[str, Any]:
    """The governance as plain data in the ``governance:`` section's shape (empty if none).

    Examples:
        >>> from taxonomy.input.files import load_portfolio
        >>> p = load_portfolio("examples/nw_london_ccgs_2018.yaml")
        >>> [b["id"] for b in governance_to_data(p.governance)["bodies"]]
        ['nwl-joint-committee']
    """
    data: dict[str, Any] = {}
    if governance.bodies:
        data["bodies"] = [_written(JOINT_BODY, b) for b in governance.bodies]
    if governance.roles:
        data["roles"] = [_written(ROLE, r) for r in governance.roles]
    if governance.delegations:
        data["delegations"] = [entry_data(d) for d in governance.delegations]
    return data


def _provision_to_data(provision: Provision) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key in PROVISION.keys:
        value = getattr(provision, key.attr)
        if key.name == "abolishes":
            value = [
                {
                    "body": a.bodies[0] if len(a.bodies) == 1 else list(a.bodies),
                    "into": a.into,
                    **({"name": a.name} if a.name is not None else {}),
                }
                for a in value
            ]
        elif key.name == "functions":
            value = [
                {
                    "function": law.function,
                    "legal": {k: list(v) if isinstance(v, tuple) else v for k, v in law.legal},
                }
                for law in value
            ]
        if key.required or value not in (None, []):
            data[key.name] = value
    return data


def _legal_to_data(legal: Legal, performers: tuple[str, ...]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if len(legal.statutory_owner) == 1:
        data["statutory_owner"] = legal.statutory_owner[0]
    elif legal.statutory_owner:
        data["statutory_owner"] = list(legal.statutory_owner)
    if legal.held_by_each:
        every = legal.held_by_each == tuple(performers)
        data["held_by_each"] = "all" if every else list(legal.held_by_each)
    if legal.delegable_to:
        data["delegable_to"] = list(legal.delegable_to)
    if legal.board_reserved:
        data["board_reserved"] = True
    if legal.not_delegable_to:
        data["not_delegable_to"] = list(legal.not_delegable_to)
    if legal.independence_from:
        data["independence_from"] = list(legal.independence_from)
    if legal.separate_reason:
        data["separate_reason"] = legal.separate_reason
    if legal.with_agreement_of:
        data["with_agreement_of"] = list(legal.with_agreement_of)
    if legal.agreement_basis:
        data["agreement_basis"] = legal.agreement_basis
    if legal.decided_by:
        data["decided_by"] = list(legal.decided_by)
    if legal.employed_by_parent:
        data["employed_by_parent"] = True
    return data
