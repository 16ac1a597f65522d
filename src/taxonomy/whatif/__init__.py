"""What-if: scenarios, comparisons, counterfactuals and sweeps over a baseline never mutated.

- :mod:`taxonomy.whatif.scenarios`: scenarios (YAML or Python) applied to a portfolio and pack.
- :mod:`taxonomy.whatif.kinds`: the registry of change kinds, by the YAML key they are written
  with; :mod:`taxonomy.whatif.changes` and :mod:`taxonomy.whatif.governance` declare them.
- :mod:`taxonomy.whatif.answers`: the answers a change or an axis may set, and how each is set.
- :mod:`taxonomy.whatif.compare`: what changes under each scenario, and why.
- :mod:`taxonomy.whatif.counterfactual`: the smallest changes for another arrangement.
- :mod:`taxonomy.whatif.grid`: a sweep's axes and grid, from YAML or Python.
- :mod:`taxonomy.whatif.sweep`: grids of scenarios on any executor.
"""
