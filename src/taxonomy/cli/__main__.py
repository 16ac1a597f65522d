"""``python -m taxonomy.cli``: the ``taxonomy`` command."""

from taxonomy.cli import main

main()
