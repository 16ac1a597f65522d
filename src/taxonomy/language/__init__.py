"""The rule language: facts, packs, what rules mean, and the durable-rules backend.

Bottom to top (each module imports only those above it in this list):

- :mod:`taxonomy.language.facts`: the facts a rule can read, their types, and answers to them.
- :mod:`taxonomy.language.declarations`: a pack's ``facts:`` lists read and checked.
- :mod:`taxonomy.language.conditions`: conditions (``all`` / ``any`` / ``not`` over fact
  tests), read, checked and encoded for comparison.
- :mod:`taxonomy.language.rule`: a rule and its conclusion; the reasons they give.
- :mod:`taxonomy.language.reading`: rule files, rules and overrides read from YAML.
- :mod:`taxonomy.language.consistency`: the whole-pack checks and the strata.
- :mod:`taxonomy.language.limits`: what durable-rules can hold, and conditions compiled into
  its expressions (the pack is refused when built if it is beyond them).
- :mod:`taxonomy.language.rules`: packs (``RulePack``), loaded from folders and validated.
- :mod:`taxonomy.language.semantics`: the one definition of what a condition means and of how
  the conclusions of the rules that fired resolve into findings, a decision, legal caps and a
  lead. Everything that evaluates rules goes through it.
- :mod:`taxonomy.language.durable`: the pack compiled into durable-rules rulesets, the backend
  that classifies; a differential property test pins it to the semantics.
- :mod:`taxonomy.language.compiled`: the pack compiled into what its rules distinguish: a
  generated extractor gives a function's case, and one lookup what durable-rules decided for it.
"""
