"""Tools for property-testing portfolios and rule packs with hypothesis.

- ``taxonomy.testing.strategies``: hypothesis strategies building valid model values;
- ``taxonomy.testing.invariants``: ready-made invariants and :func:`check_invariants`;
- ``taxonomy.testing.verify``: exhaustive checks of a rule pack (gaps, conflicts, dead rules);
- ``taxonomy.testing.expectations``: YAML expectation files and their pytest plugin;
- ``taxonomy.testing.mutation``: mutation testing of rule packs.

The strategies need hypothesis: ``pip install 'taxonomy[test]'``.
"""

from taxonomy.testing.invariants import Violation, check_invariants

__all__ = ["Violation", "check_invariants"]
