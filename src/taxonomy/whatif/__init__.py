"""What-if: scenarios, comparisons, counterfactuals and sweeps over a baseline never mutated.

- :mod:`taxonomy.whatif.scenarios`: scenarios (YAML or Python) applied to a portfolio and pack.
- :mod:`taxonomy.whatif.compare`: what changes under each scenario, and why.
- :mod:`taxonomy.whatif.counterfactual`: the smallest changes for another arrangement.
- :mod:`taxonomy.whatif.sweep`: grids of scenarios on any executor.
"""
