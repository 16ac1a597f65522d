"""The organisations, and the joint bodies and roles they have or plan."""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from taxonomy._model.fields import check_id, check_ids, check_plain, check_text, to_ids


@attrs.frozen
class Organisation:
    """A statutory body with its own governing body (NHS England, NHS Improvement, a CCG).

    ``governing_body`` is what that governing body is called: ``Board`` for the NHS bodies,
    ``Cabinet`` or ``full council`` for a council (a portfolio may say so for each body; a rule
    pack's vocabulary gives the default).
    """

    id: str = attrs.field(validator=check_id)
    name: str = attrs.field(validator=check_text)
    governing_body: str = attrs.field(default="Board", validator=check_text)

    @property
    def governing_label(self) -> str:
        """The governing body in words.

        ``NHS England Board``; ``Eastbrook District Council (Cabinet)``.
        """
        if self.governing_body == "Board":
            return f"{self.name} Board"
        return f"{self.name} ({self.governing_body})"


#: Kinds of joint body (portfolio ``governance.bodies[].kind``).
JOINT_BODY_KINDS = ("joint_committee", "committees_in_common", "joint_oversight_group")


@attrs.frozen
class JointBody:
    """A body the organisations form together (a joint committee, an oversight group).

    Attributes:
        kind: ``joint_committee`` (decisions delegated to it), ``committees_in_common`` (each
            Board's committee meeting together, each keeping its decisions) or
            ``joint_oversight_group`` (oversight and advice, no delegated decisions).
        members: the organisations that form it.
        delegated: functions whose decisions are delegated to it.
        oversees: functions it oversees without delegated decisions (a shared plan, joint
            governance).
    """

    id: str = attrs.field(validator=check_id)
    name: str = attrs.field(validator=check_text)
    kind: str = attrs.field(validator=attrs.validators.in_(JOINT_BODY_KINDS))
    members: tuple[str, ...] = attrs.field(converter=to_ids, validator=check_ids)
    delegated: tuple[str, ...] = attrs.field(default=(), converter=to_ids, validator=check_ids)
    oversees: tuple[str, ...] = attrs.field(default=(), converter=to_ids, validator=check_ids)
    notes: str = attrs.field(default="", validator=check_plain)


@attrs.frozen
class Role:
    """A post, such as a joint Regional Director or a single Accountable Officer.

    Attributes:
        employed_by: the organisation that employs the post holder.
        reports_to: the organisations (their Boards), joint bodies or roles it reports to.
        accountable_for: functions the post is accountable for.
    """

    id: str = attrs.field(validator=check_id)
    name: str = attrs.field(validator=check_text)
    employed_by: str = attrs.field(validator=check_id)
    reports_to: tuple[str, ...] = attrs.field(converter=to_ids, validator=check_ids)
    accountable_for: tuple[str, ...] = attrs.field(
        default=(), converter=to_ids, validator=check_ids
    )
    notes: str = attrs.field(default="", validator=check_plain)


def _bodies_tuple(value: Iterable[JointBody]) -> tuple[JointBody, ...]:
    return tuple(value)


def _roles_tuple(value: Iterable[Role]) -> tuple[Role, ...]:
    return tuple(value)


@attrs.frozen
class Governance:
    """The joint bodies and roles the organisations have or plan."""

    bodies: tuple[JointBody, ...] = attrs.field(default=(), converter=_bodies_tuple)
    roles: tuple[Role, ...] = attrs.field(default=(), converter=_roles_tuple)
