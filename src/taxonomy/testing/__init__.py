"""Tools for property-testing portfolios and rule packs with hypothesis.

- ``taxonomy.testing.strategies``: hypothesis strategies building valid model values;
- ``taxonomy.testing.invariants``: ready-made invariants and :func:`check_invariants`;
- ``taxonomy.testing.verify``: exhaustive checks of a rule pack (gaps, conflicts, dead rules);
- ``taxonomy.testing.expectations``: YAML expectation files and their pytest plugin;
- ``taxonomy.testing.mutation``: mutation testing of rule packs.

The strategies need hypothesis: ``pip install 'taxonomy[test]'``.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from taxonomy.testing.invariants import Violation, check_invariants

__all__ = ["Violation", "check_invariants"]


def __getattr__(name: str) -> Any:
    # Imported on first use, so loading the pytest plugin (taxonomy.testing.pytest_plugin)
    # imports nothing of the package it may be measuring.
    if name in __all__:
        from taxonomy.testing import invariants

        return getattr(invariants, name)
    raise AttributeError(f"module 'taxonomy.testing' has no attribute {name!r}")
