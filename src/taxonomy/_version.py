"""The package version, in one place (``taxonomy.__version__``)."""

__version__ = "0.1.0"
