"""Tools for property-testing portfolios and rule packs with hypothesis.

``taxonomy.testing.strategies`` builds valid model values (levels, organisations, legal
constraints, functions, portfolios). It needs hypothesis: ``pip install 'taxonomy[test]'``.
"""

__all__: list[str] = []
