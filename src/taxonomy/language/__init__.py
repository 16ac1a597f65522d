"""The rule language: facts, packs, what rules mean, and the durable-rules backend.

- :mod:`taxonomy.language.facts`: the facts a rule can read and their types.
- :mod:`taxonomy.language.rules`: rules and packs as data, loaded from YAML and validated.
- :mod:`taxonomy.language.semantics`: the one definition of what a condition means and of how
  the conclusions of the rules that fired resolve into findings, a decision, legal caps and a
  lead. Everything that evaluates rules goes through it.
- :mod:`taxonomy.language.durable`: the pack compiled into durable-rules rulesets, the backend
  that classifies; a differential property test pins it to the semantics.
"""
