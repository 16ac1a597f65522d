"""The accountability structure a classification implies, as a networkx graph, and its checks.

- :mod:`taxonomy.structure.graph`: the to-be and as-is graphs.
- :mod:`taxonomy.structure.findings`: findings, and the registry checks join with a decorator.
- :mod:`taxonomy.structure.checks`: the design principles and the law as checks, and metrics.
"""
