"""Starting points for a policy officer with nothing yet: a portfolio, and a rule pack to edit.

``taxonomy init [FILE]`` writes :data:`STARTER_PORTFOLIO`: two bodies and five functions with
every answer present and a comment on each key, which classifies as it stands.
``taxonomy rules init DIR`` writes :func:`starter_pack`: an extension of the default pack with
one question, one rule and one override of its own, which ``taxonomy rules check`` passes.

>>> import taxonomy
>>> from taxonomy.input.reader import loads_yaml
>>> from taxonomy.input.portfolio import portfolio_from_data
>>> p = portfolio_from_data(loads_yaml(STARTER_PORTFOLIO, file="p.yaml"), file="p.yaml")
>>> sorted({str(r.arrangement) for r in taxonomy.classify(p)})
['aligned', 'one_team', 'separate_distinct', 'separate_involved']
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:
    from taxonomy.language.rules import RulePack

__all__ = ["RESTATED_RULE", "STARTER_PORTFOLIO", "starter_pack"]

#: A starter portfolio: every key present and explained, citing the board paper.
STARTER_PORTFOLIO = """\
# A starter portfolio, written by `taxonomy init`: replace the bodies and functions with yours.
#
# The questions and the four categories come from NHS England board paper CB.28.03.2018/02,
# "Progress on delivering joint working between NHS England and NHS Improvement" (March 2018):
# the four key questions are its para 8, the categories its Annex B. Every key is explained
# where it is used; docs/portfolios.md has them all.
#
#   taxonomy classify portfolio.yaml             what each function should be, and who leads
#   taxonomy explain portfolio.yaml payroll      which rules fired on which answers, and why
#   taxonomy template portfolio.yaml -o p.xlsx   the same as a workbook to fill in
#
# The default rule pack is that paper's. One rule is the NHS's own: a `regional` function is
# one team led jointly (its Regional Directors reported equally into both Boards, para 16).
# Outside the NHS, use a pack that removes it (docs/own-case.md says how).

# What the portfolio is about: the title of every output.
name: Eastbrook and Westbrook joint working (starter)

# The bodies working together, each with its own governing body (two or more). An id is
# lower-case letters, digits, '.', '_' or '-'; the name is what outputs print.
organisations:
  - {id: eastbrook, name: Eastbrook Trust}
  - {id: westbrook, name: Westbrook Trust}

# May the bodies delegate decisions to a joint committee of their Boards? (The 2018 paper's
# bodies could not: para 8 keeps separate Boards, para 20 builds joint advisory groups.)
law:
  joint_committees: false

# The activities the bodies carry out today, each with the four key questions answered
# (para 8). Answers are none, low, medium or high; medium where you have no evidence either way.
functions:
  - id: payroll
    name: Payroll
    # national, regional or local: where the function sits (the paper's regional teams, para 12).
    level: national
    # Who carries it out today (one body or more).
    performed_by: [eastbrook, westbrook]
    # Q1, efficiency: "Could we take out cost ... by removing duplication or simplifying
    # processes?" (para 8): how much the bodies duplicate each other, and how much simpler
    # one process would be.
    efficiency: {duplication: high, simplification: high}
    # Q2, effectiveness: "Could we be more effective by delivering the function together?"
    effectiveness: {joint_benefit: high}
    # Q3, legal: "What legal constraints do we need to be aware of?" Every key is optional;
    # {} when there is none (see the functions below for each kind).
    legal: {}
    # Q4, capability: "What is the current organisational capability?" for each body that
    # performs it; the more capable body leads a team both rely on.
    capability: {eastbrook: high, westbrook: medium}
    # Why these answers: cite your evidence, as the paper's para 16 table does for its own.
    notes: Both bodies run the same payroll system and process; one team would run it once.

  - id: communications
    name: Communications
    level: national
    performed_by: [eastbrook, westbrook]
    efficiency: {duplication: medium, simplification: medium}
    effectiveness: {joint_benefit: medium}
    legal: {}
    capability: {eastbrook: medium, westbrook: medium}
    # The lead the bodies agreed (para 16: "agree a 'lead organisation' for each"); without
    # one, equally capable bodies are a tie for them to settle.
    agreed_lead: westbrook
    notes: Each body speaks for itself, to one plan both agree (Annex B category 2, aligned).

  - id: annual-accounts
    name: Annual accounts
    level: national
    performed_by: [eastbrook, westbrook]
    efficiency: {duplication: low, simplification: low}
    effectiveness: {joint_benefit: low}
    legal:
      # Bodies that each hold the duty of their own (each body's accounts): each keeps
      # deciding, and no single body owns it. `all` means every body that performs it.
      held_by_each: all
      # What the work may never be delegated to: joint_committee and/or another_body (each
      # body's own employees must do its part).
      not_delegable_to: [another_body]
    capability: {eastbrook: medium, westbrook: medium}
    agreed_lead: eastbrook
    notes: Each body must prepare and sign its own accounts; they share a timetable only.

  - id: specialist-commissioning
    name: Specialist commissioning
    level: national
    performed_by: [eastbrook, westbrook]
    efficiency: {duplication: medium, simplification: low}
    effectiveness: {joint_benefit: medium}
    legal:
      # The body (or bodies) the statutory duty sits with.
      statutory_owner: eastbrook
      # Only employees of these bodies may carry it out (the paper's own example, para 8, is
      # commissioning, which only NHS England's employees could do).
      delegable_to: [eastbrook]
      # The decision is reserved to each body's own Board: each keeps deciding (para 8).
      board_reserved: false
    capability: {eastbrook: high, westbrook: low}
    notes: >-
      The duty is Eastbrook's and only its employees may do the work, so one team employed by
      Eastbrook can deliver it for both (Annex B category 1).

  - id: provider-regulation
    name: Regulation of providers
    level: national
    performed_by: [westbrook]
    efficiency: {duplication: none, simplification: none}
    effectiveness: {joint_benefit: low}
    legal:
      statutory_owner: westbrook
      # Bodies the function must stay independent of.
      independence_from: [eastbrook]
      # A legal reason that keeps it separate and distinct (Annex B category 4: "completely
      # separately, either due to legal reasons or ..."), with its source.
      separate_reason: the regulator must stay independent of the bodies it oversees (statute)
    capability: {westbrook: high}
    notes: Westbrook regulates providers Eastbrook commissions from, so it stays apart.
"""


def _pack_name(name: str) -> str:
    """A pack name from a folder's name: lower case, runs of other characters as '-'.

    >>> _pack_name("My Pack_2"), _pack_name("???")
    ('my-pack_2', 'my-rules')
    """
    cleaned = re.sub(r"[^a-z0-9_.]+", "-", name.lower()).strip("-.")
    return cleaned or "my-rules"


#: The inherited rule the starter pack restates under ``overrides``, ready to edit.
RESTATED_RULE = "decision.regional-teams-report-equally"


def starter_pack(name: str, rules: RulePack) -> dict[str, str]:
    """The files of a starter extension pack named ``name``: file name to YAML text.

    It extends ``rules`` (the default pack, any version of the same major version) with one
    question (``legal.local_constraint``), a rule that reads it, and an override restating one
    inherited rule (:data:`RESTATED_RULE`) exactly as ``rules`` has it, so that until it is edited
    the pack classifies as ``rules`` does wherever the new question is not answered.

    >>> import taxonomy
    >>> files = starter_pack("My rules", taxonomy.load_rules())
    >>> sorted(files), "name: my-rules" in files["pack.yaml"]
    (['pack.yaml', 'questions.yaml'], True)
    """
    major = int(rules.version.split(".")[0])
    restated = next(rule for rule in rules.rules if rule.id == RESTATED_RULE)
    pack = f"""\
# A rule pack of your own, written by `taxonomy rules init`. It extends the default pack (the
# 2018 board paper's four key questions and four categories) rather than copying it, so it keeps
# every rule of that pack; docs/rules.md explains every key.
#
#   taxonomy rules check DIR                      every answer combination: no gap, no conflict
#   taxonomy classify portfolio.yaml --rules DIR  classify with this pack
name: {_pack_name(name)}
version: 0.1.0
description: >-
  The board paper's taxonomy, extended with a local question (edit this description).
extends:
  name: {rules.name}
  version: ">={major},<{major + 1}"
# Inherited rules this pack replaces (a rule of its own with the same id) or removes (no such
# rule of its own), each with the reason results record.
overrides:
  - rule: {RESTATED_RULE}
    reason: >-
      An example to edit: the inherited rule, restated in questions.yaml so this pack can change
      its condition or its conclusion. Remove this entry and the rule to inherit it as it is.
"""
    rule = yaml.safe_dump(
        [restated.to_data()], sort_keys=False, allow_unicode=True, width=96, indent=2
    )
    questions = (
        _QUESTIONS + "\n  # The inherited rule named under `overrides` in pack.yaml, to edit.\n"
    )
    questions += "".join(f"  {line}\n" if line else "\n" for line in rule.splitlines())
    return {"pack.yaml": pack, "questions.yaml": questions}


_QUESTIONS = """\
# The questions this pack adds, and the rules that read them. Portfolios answer a question
# under the key its name starts with, e.g.  legal: {local_constraint: true}
facts:
  - name: legal.local_constraint
    type: bool             # level | bool | count | choice | body | bodies | text
    default: false         # the answer when a portfolio is silent
    meaning: >-
      Q3: whether a local constraint (name yours) requires each body to deliver the function
      through its own staff
    source: >-
      Cite the statute, standing order or agreement the constraint comes from.

rules:
  - id: local.constraint-keeps-teams-apart
    question: legal
    when:
      all:
        - {fact: legal.local_constraint, op: ==, value: true}
        - {fact: performed_by.count, op: ">=", value: 2}
    then: {cap: aligned}
    because: >-
      a local constraint requires each body to deliver through its own staff, so their teams
      can align to one plan but not become one team
    principles: [aligned, practical]
    source: >-
      Board paper CB.28.03.2018/02 para 8 (Q3, legal constraints) and Annex B category 2 ("The
      relevant teams work within their 'own' organisations but work to a single overarching
      plan"); replace with your constraint's source
"""
