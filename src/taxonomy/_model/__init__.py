"""The domain model: bodies, functions, and the four key questions' answers.

Every class is a frozen attrs class whose validators refuse invalid states, so a value that
exists is valid, and hypothesis can build them (see ``taxonomy.testing``). Change a value with
``attrs.evolve``; nothing here is mutated.

The four key questions are those of the board paper, para 8: efficiency (duplication, simpler
processes), effectiveness (better delivered together), legal considerations, and organisational
capability.

The results (recommendations, explanations, the classification) are in
:mod:`taxonomy._results` and :mod:`taxonomy._explanation`.

Each subject has a module of its own, and this package gives every name from one place
(``from taxonomy._model import Function``); the modules import each other, never the package:
``fields`` (what the fields accept: ids, text, days), ``levels`` (the level scale and the four
arrangements), ``text`` (values, conclusions, leads and lists as text), ``legal`` (question 3,
the legal constraints on a function), ``function`` (a function, its answers, and answers not
fully known), ``provisions`` (the law: undated, or dated provisions and abolitions),
``governance`` (the organisations, their joint bodies and roles) and ``portfolio``.
"""

from taxonomy._model.fields import ID_PATTERN
from taxonomy._model.function import (
    UNKNOWN,
    BodyAnswers,
    Capability,
    Effectiveness,
    Efficiency,
    Function,
    OneOf,
)
from taxonomy._model.governance import (
    JOINT_BODY_KINDS,
    STATUSES,
    DeclaredDelegation,
    Governance,
    JointBody,
    Organisation,
    Role,
    Term,
)
from taxonomy._model.legal import DELEGATION_LIMITS, Legal
from taxonomy._model.levels import Arrangement, Level
from taxonomy._model.portfolio import IndependentBody, OfADay, PackReference, Portfolio
from taxonomy._model.provisions import Abolition, FunctionLaw, Law, Provision, parse_day
from taxonomy._model.text import (
    EACH_OWN_WORDS,
    MAX_LEADS_LISTED,
    PossibleLead,
    alone_words,
    conclusion_text,
    format_value,
    lead_kind,
    lead_words,
    open_lead_words,
    word_list,
)

__all__ = [
    "DELEGATION_LIMITS",
    "EACH_OWN_WORDS",
    "MAX_LEADS_LISTED",
    "ID_PATTERN",
    "JOINT_BODY_KINDS",
    "STATUSES",
    "Abolition",
    "Arrangement",
    "BodyAnswers",
    "Capability",
    "Effectiveness",
    "Efficiency",
    "Function",
    "DeclaredDelegation",
    "FunctionLaw",
    "Governance",
    "JointBody",
    "Law",
    "Legal",
    "Level",
    "OfADay",
    "OneOf",
    "Organisation",
    "PackReference",
    "IndependentBody",
    "Portfolio",
    "PossibleLead",
    "Provision",
    "Role",
    "Term",
    "UNKNOWN",
    "conclusion_text",
    "format_value",
    "open_lead_words",
    "lead_kind",
    "alone_words",
    "lead_words",
    "word_list",
    "parse_day",
]
