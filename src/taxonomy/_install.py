"""What this installation runs on, and one clear message when its rules engine cannot load.

durable-rules 2.0.28 ships only a source distribution, so it is compiled on the user's machine.
Its C source calls ``PyEval_CallObject``, which Python 3.13 removed: built without help on 3.13
or newer, the extension compiles (with a warning) and then fails to load with ``undefined symbol:
PyEval_CallObject``. The supported install (``uv sync``, or ``python3 tools/bootstrap.py``, which
runs it) builds durable-rules with the preprocessor define
``PyEval_CallObject=PyObject_CallObject`` set in ``pyproject.toml``
(``[tool.uv.extra-build-variables]``); ``PyObject_CallObject`` has the same signature and meaning.
A plain ``pip install`` cannot set a build variable for one dependency, so on 3.13 or newer it
gives a broken engine: :func:`require_durable_rules` turns that into one message naming the cause
and the exact command that repairs the environment.

>>> versions()["taxonomy"] == __import__("taxonomy").__version__
True
"""

from __future__ import annotations

import importlib.util
import platform
import shlex
import sys
from types import TracebackType
from typing import TYPE_CHECKING

from taxonomy._version import __version__

if TYPE_CHECKING:
    from taxonomy.errors import EngineUnavailableError

__all__ = ["engine_unavailable", "require_durable_rules", "versions"]

#: The define that lets durable-rules 2.0.28 build for Python 3.13 and newer.
FIX_DEFINE = "PyEval_CallObject=PyObject_CallObject"
_REMOVED_SYMBOL = "PyEval_CallObject"


def _installed_version(distribution: str) -> str | None:
    from importlib import metadata  # only for --version and the repair message: not at import

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def versions() -> dict[str, str]:
    """The versions ``taxonomy --version`` reports: taxonomy, Python and durable-rules.

    >>> sorted(versions())
    ['durable-rules', 'python', 'taxonomy']
    """
    return {
        "taxonomy": __version__,
        "python": platform.python_version(),
        "durable-rules": _installed_version("durable-rules") or "not installed",
    }


def _repair_command(requirement: str) -> str:
    """The shell command that rebuilds durable-rules with the fix, for this interpreter."""
    python = shlex.quote(sys.executable)
    if importlib.util.find_spec("pip") is not None:
        return (
            f"CPPFLAGS=-D{FIX_DEFINE} {python} -m pip install --no-cache-dir --force-reinstall "
            f"--no-deps {requirement}"
        )
    # An environment made by uv has no pip; uv's own installer takes the same variable.
    return (
        f"CPPFLAGS=-D{FIX_DEFINE} uv pip install --python {python} --no-cache --reinstall "
        f"--no-deps {requirement}"
    )


def engine_unavailable(error: ImportError) -> EngineUnavailableError:
    """Explain why durable-rules did not import, and how to repair it.

    Args:
        error: the ``ImportError`` raised by importing ``durable_rules_engine`` or ``durable``.

    Returns:
        The error to raise: its message names the cause and the exact command that fixes it.

    >>> broken = ImportError("/v/durable_rules_engine.so: undefined symbol: PyEval_CallObject")
    >>> message = str(engine_unavailable(broken))
    >>> "removed in Python 3.13" in message and "CPPFLAGS=-DPyEval_CallObject" in message
    True
    """
    # Imported here, not at the top: `import taxonomy` (and so the pytest plugin, which loads
    # before coverage measurement starts) then imports no more of the package than it must.
    from taxonomy.errors import EngineUnavailableError

    installed = _installed_version("durable-rules")
    requirement = f"durable-rules=={installed}" if installed else "durable-rules==2.0.28"
    here = f"taxonomy {__version__} on Python {platform.python_version()} at {sys.executable}"
    if _REMOVED_SYMBOL in str(error):
        problem = (
            f"taxonomy cannot start: its rules engine, {requirement.replace('==', ' ')}, was "
            f"compiled without the fix that {here} needs. durable-rules' C extension calls "
            f"PyEval_CallObject, a function removed in Python 3.13, so it does not load "
            f"({error}). This happens after a plain 'pip install' on Python 3.13 or newer.\n"
            f"Rebuild durable-rules with the fix:\n\n"
            f"    {_repair_command(requirement)}\n\n"
            "In a checkout of taxonomy, 'python3 tools/bootstrap.py' (or 'uv sync') installs with "
            "the fix applied (README: Installing)."
        )
    elif isinstance(error, ModuleNotFoundError) and installed is None:
        problem = (
            f"taxonomy cannot start: its rules engine, durable-rules, is not installed for {here}. "
            "Install taxonomy with its dependencies: in a checkout, 'python3 tools/bootstrap.py' "
            "(README: Installing)."
        )
    else:
        problem = (
            f"taxonomy cannot start: its rules engine, {requirement.replace('==', ' ')}, does not "
            f"load for {here}: {error}. Rebuild it:\n\n"
            f"    {_repair_command(requirement)}\n\n"
            "(README: Installing says what it needs: a C compiler and Python's headers)."
        )
    return EngineUnavailableError(problem, name=error.name, path=error.path)


def _report_without_traceback(
    kind: type[BaseException], value: BaseException, traceback: TracebackType | None
) -> None:
    """Print an :class:`EngineUnavailableError` that nothing caught as its message alone."""
    from taxonomy.errors import EngineUnavailableError

    if isinstance(value, EngineUnavailableError):
        sys.stderr.write(f"taxonomy: error: {value}\n")
    else:
        sys.__excepthook__(kind, value, traceback)


def require_durable_rules() -> None:
    """Import durable-rules' C extension, or raise one clear :class:`EngineUnavailableError`.

    Called once, when ``taxonomy`` is imported. When the import fails and nothing catches the
    error (the ``taxonomy`` command, a script), Python prints the message alone rather than a
    traceback into this module: the traceback would say nothing the message does not.

    Raises:
        EngineUnavailableError: durable-rules is missing or its extension does not load.
    """
    try:
        import durable_rules_engine  # noqa: F401  (the C extension; durable.engine imports it)
    except ImportError as error:
        if sys.excepthook is sys.__excepthook__:
            sys.excepthook = _report_without_traceback
        raise engine_unavailable(error) from None
