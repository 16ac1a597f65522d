"""Question 3: the legal constraints on a function."""

from __future__ import annotations

from typing import Any

import attrs

from taxonomy._model.fields import check_ids, check_plain, to_ids

#: What a function's decision or delivery may not be delegated to (``legal.not_delegable_to``).
DELEGATION_LIMITS = ("joint_committee", "another_body")


def _owner_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _limits(_instance: object, attribute: attrs.Attribute[Any], value: tuple[str, ...]) -> None:
    for item in value:
        if item not in DELEGATION_LIMITS:
            raise ValueError(
                f"{attribute.name}: {item!r} is not one of {', '.join(DELEGATION_LIMITS)}"
            )
    if len(set(value)) != len(value):
        raise ValueError(f"{attribute.name} lists {value!r} twice")


@attrs.frozen
class Legal:
    """Question 3: the legal constraints on a function. Every part is optional.

    Who *decides* is kept apart from who *delivers*: a decision reserved to each Board, or an
    office each body holds, keeps each body deciding; it does not by itself stop one team from
    delivering for all of them (Annex B category 1: "the head of the team is accountable to both
    organisations"). What the law forbids outright (delegation to a joint committee, or to
    another body's employees; a reason to stay separate and distinct) is said on its own.

    Attributes:
        statutory_owner: the bodies the duty sits with in law: one, or several for a joint
            statutory duty. A string is taken as one body.
        held_by_each: bodies that each hold the duty or office of their own (each council's
            Returning Officer; each body's accounts), so no single body owns it.
        delegable_to: only employees of these bodies may carry it out (board paper para 8:
            "commissioning may only be delegated to an NHS England employee").
        board_reserved: the decision is reserved to each body's own Board (or its committee);
            Boards stay separate (para 8, para 20).
        not_delegable_to: what the decision or the work may not be delegated to at all:
            ``joint_committee`` (the Boards may not hand it to a joint committee) or
            ``another_body`` (each body's own employees must carry out its part).
        independence_from: bodies the function must stay independent of.
        separate_reason: a legal reason that keeps the function separate and distinct (Annex B
            category 4: "completely separately, either due to legal reasons or ..."), with its
            source; empty when there is none.
        employed_by_parent: the team's members stay employed by their parent body, so the work
            only some bodies' employees may do is done by those bodies' own employees inside one
            team (board paper para 12: "specialist functions more closely allied to one 'parent'
            body ... will still be part of one integrated regional team with a single reporting
            line"; Annex B category 1: "Some members of the team work for NHS England and some
            for NHS Improvement").
        independence_breached: bodies it must stay independent of that a merger made the body
            that carries it out, holds it or alone may do it (:func:`taxonomy.law.apply_merge`):
            no arrangement can keep it apart, so ``check`` reports it; never read from input.
        with_agreement_of: bodies whose agreement the decision needs by law, without holding it
            (statutory consent: the national tariff, published by Monitor with NHS England's
            agreement). Never a holder, nor a body the function must stay independent of (the
            function refuses both).
        agreement_basis: the statute and section that require that agreement (empty: not
            stated).
        decided_by: the posts (governance role ids) that take the decision for the body
            employing them, in place of its governing body (a chief constable's firearms
            licensing, not the Police and Crime Commissioner's); empty: each governing body.
    """

    statutory_owner: tuple[str, ...] = attrs.field(
        default=(), converter=_owner_tuple, validator=check_ids
    )
    delegable_to: tuple[str, ...] = attrs.field(default=(), converter=to_ids, validator=check_ids)
    board_reserved: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))
    independence_from: tuple[str, ...] = attrs.field(
        default=(), converter=to_ids, validator=check_ids
    )
    held_by_each: tuple[str, ...] = attrs.field(default=(), converter=to_ids, validator=check_ids)
    not_delegable_to: tuple[str, ...] = attrs.field(default=(), converter=to_ids, validator=_limits)
    separate_reason: str = attrs.field(default="", validator=check_plain)
    independence_breached: tuple[str, ...] = attrs.field(
        default=(), converter=to_ids, validator=check_ids
    )
    with_agreement_of: tuple[str, ...] = attrs.field(
        default=(), converter=_owner_tuple, validator=check_ids
    )
    agreement_basis: str = attrs.field(default="", validator=check_plain)
    decided_by: tuple[str, ...] = attrs.field(
        default=(), converter=_owner_tuple, validator=check_ids
    )
    employed_by_parent: bool = attrs.field(
        default=False, validator=attrs.validators.instance_of(bool)
    )

    def bodies(self) -> set[str]:
        """Every body id these constraints refer to."""
        return (
            set(self.statutory_owner)
            | set(self.delegable_to)
            | set(self.independence_from)
            | set(self.held_by_each)
            | set(self.independence_breached)
            | set(self.with_agreement_of)
        )

    @property
    def own_teams_required(self) -> bool:
        """Whether each body's part must be done by its own employees, in no shared team.

        ``another_body`` in ``not_delegable_to``, unless the team's members stay employed by
        their parent body (``employed_by_parent``): each body's part is then still done by its
        own employees, inside one team (board paper para 12).

        >>> Legal(not_delegable_to=("another_body",), employed_by_parent=True).own_teams_required
        False
        """
        return "another_body" in self.not_delegable_to and not self.employed_by_parent

    def may_lead(self, body: str) -> bool:
        """Whether the law lets ``body`` lead the function.

        Never a body the function must stay independent of, nor, where only some bodies'
        employees may carry it out, any other body.

        >>> Legal(delegable_to=("nhse",), independence_from=("x",)).may_lead("nhsi")
        False
        """
        if body in self.independence_from:
            return False
        return not self.delegable_to or body in self.delegable_to

    def may_be_involved(self, body: str) -> bool:
        """Whether ``body`` may be consulted and involved where the function is run separately.

        Not a body the function must stay independent of (category 3's involvement is for every
        other body; the picture and the prose both follow this).

        >>> Legal(independence_from=("nhse",)).may_be_involved("nhse")
        False
        """
        return body not in self.independence_from
