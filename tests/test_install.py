"""Installation: the import-time message for a broken engine build, --version, and (marked
``install``, run by CI with --run-install) real installs in fresh environments: a plain pip
install on Python 3.13+, the repair its message prints, and the bootstrap with and without a
C compiler."""

from __future__ import annotations

import glob
import os
import platform
import re
import shlex
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from click.testing import CliRunner

from taxonomy import EngineUnavailableError, TaxonomyError
from taxonomy._install import FIX_DEFINE, engine_unavailable, versions
from taxonomy.cli import cli
from tests.conftest import NHS, ROOT

BROKEN = ImportError(
    "/venv/lib/python3.13/site-packages/durable_rules_engine.cpython-313-x86_64-linux-gnu.so: "
    "undefined symbol: PyEval_CallObject"
)


def test_the_removed_symbol_is_named_with_the_exact_repair_for_this_interpreter() -> None:
    error = engine_unavailable(BROKEN)
    assert isinstance(error, EngineUnavailableError)
    assert isinstance(error, ImportError) and isinstance(error, TaxonomyError)
    message = str(error)
    assert "PyEval_CallObject, a function removed in Python 3.13" in message
    assert "undefined symbol: PyEval_CallObject" in message  # the original cause, kept
    installed = metadata.version("durable-rules")
    expected = (
        f"CPPFLAGS=-D{FIX_DEFINE} {shlex.quote(sys.executable)} -m pip install --no-cache-dir "
        f"--force-reinstall --no-deps durable-rules=={installed}"
    )
    assert f"\n    {expected}\n" in message
    assert "python3 tools/bootstrap.py" in message


def test_an_environment_without_pip_gets_the_uv_repair(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "pip" else real(name, *a)
    )
    message = str(engine_unavailable(BROKEN))
    assert f"CPPFLAGS=-D{FIX_DEFINE} uv pip install --python {shlex.quote(sys.executable)}" in (
        message
    )
    assert "--no-cache --reinstall --no-deps" in message


def test_a_missing_engine_says_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("taxonomy._install._installed_version", lambda _name: None)
    error = engine_unavailable(ModuleNotFoundError("No module named 'durable_rules_engine'"))
    assert "durable-rules, is not installed" in str(error)
    assert "CPPFLAGS" not in str(error)


def test_any_other_load_failure_keeps_its_cause() -> None:
    error = engine_unavailable(ImportError("libc.so.7: cannot open shared object file"))
    assert "does not load" in str(error) and "libc.so.7" in str(error)


def _import_with_engine_blocked(code: str) -> subprocess.CompletedProcess[str]:
    # None in sys.modules makes the real import statement fail with ImportError, as a broken
    # build does: what runs after it is taxonomy's own import path, unchanged.
    prelude = "import sys; sys.modules['durable_rules_engine'] = None\n"
    return subprocess.run(
        [sys.executable, "-c", prelude + code], capture_output=True, text=True, timeout=60
    )


def test_import_taxonomy_fails_with_one_message_and_no_traceback() -> None:
    out = _import_with_engine_blocked("import taxonomy")
    assert out.returncode == 1
    assert out.stderr.startswith("taxonomy: error: taxonomy cannot start: its rules engine")
    assert "Traceback" not in out.stderr
    assert "durable_rules_engine" in out.stderr


def test_the_command_line_fails_with_the_same_one_message() -> None:
    out = _import_with_engine_blocked("from taxonomy.cli import main\nmain()")
    assert out.returncode == 1
    assert out.stderr.startswith("taxonomy: error: taxonomy cannot start")
    assert "Traceback" not in out.stderr


def test_the_error_can_be_caught_and_other_errors_keep_their_traceback() -> None:
    out = _import_with_engine_blocked(
        "try:\n    import taxonomy\nexcept ImportError as error:\n"
        "    print(type(error).__name__, [c.__name__ for c in type(error).__mro__])\n"
        "raise KeyError('later')\n"
    )
    assert out.stdout.startswith("EngineUnavailableError")
    assert "TaxonomyError" in out.stdout
    assert "Traceback" in out.stderr and "KeyError: 'later'" in out.stderr


def test_version_names_taxonomy_python_and_durable_rules() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output == (
        f"taxonomy {metadata.version('taxonomy')} (Python {platform.python_version()}, "
        f"durable-rules {metadata.version('durable-rules')})\n"
    )
    assert versions()["durable-rules"] == metadata.version("durable-rules")


def test_the_lock_pins_the_durable_rules_that_pyproject_requires() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    locked = {p["name"]: p["version"] for p in lock["package"]}
    required = next(d for d in project["project"]["dependencies"] if d.startswith("durable-rules"))
    assert required == f"durable-rules=={locked['durable-rules']}"
    build = project["tool"]["uv"]["extra-build-variables"]["durable-rules"]
    assert build == {"CPPFLAGS": f"-D{FIX_DEFINE}"}


# ---------------------------------------------------------------------------------------------
# Real installs in fresh environments (minutes; the package index must be reachable).


def _python_at_least_313() -> str:
    """An interpreter of Python 3.13 or newer: this one, or one pyenv or PATH has."""
    if sys.version_info >= (3, 13):
        return sys.executable
    root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    candidates = sorted(glob.glob(f"{root}/versions/3.1[3-9]*/bin/python3"), reverse=True)
    candidates += [f"python3.{minor}" for minor in (14, 13)]
    for candidate in candidates:
        try:
            probe = subprocess.run(
                [candidate, "-c", "import sys; print(sys.version_info >= (3, 13))"],
                capture_output=True,
                text=True,
                timeout=30,
            )
        except OSError:
            continue
        if probe.stdout.strip() == "True":
            return candidate
    if os.environ.get("CI"):
        pytest.fail("no Python 3.13 or newer on this machine: CI must test the newest")
    pytest.skip("no Python 3.13 or newer on this machine")


def _fresh_env(python: str, where: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CPPFLAGS", "VIRTUAL_ENV")}
    subprocess.run([python, "-m", "venv", str(where)], check=True, timeout=120)
    return env


@pytest.mark.install
def test_plain_pip_install_on_313_explains_itself_and_its_repair_works(tmp_path: Path) -> None:
    python = _python_at_least_313()
    venv = tmp_path / "venv"
    env = _fresh_env(python, venv)
    subprocess.run(
        [str(venv / "bin/pip"), "install", "-q", "--no-cache-dir", str(ROOT)],
        check=True,
        env=env,
        timeout=900,
    )
    broken = subprocess.run(
        [str(venv / "bin/python"), "-c", "import taxonomy"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert broken.returncode == 1
    assert "Traceback" not in broken.stderr
    assert "PyEval_CallObject, a function removed in Python 3.13" in broken.stderr
    command = re.search(r"^    (CPPFLAGS=.*)$", broken.stderr, re.M)
    assert command is not None, broken.stderr
    cli_out = subprocess.run(
        [str(venv / "bin/taxonomy"), "--version"], capture_output=True, text=True, env=env
    )
    assert cli_out.returncode == 1  # the command line says the same, with its own executable
    assert cli_out.stderr.startswith("taxonomy: error: taxonomy cannot start")
    assert "Traceback" not in cli_out.stderr and "\n    CPPFLAGS=" in cli_out.stderr

    subprocess.run(["bash", "-c", command.group(1)], check=True, env=env, timeout=900)
    # Run outside the checkout: the default rule pack must come from the wheel (CI's only
    # plain-pip install is this one).
    listed = subprocess.run(
        [str(venv / "bin/taxonomy"), "rules"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert listed.returncode == 0, listed.stderr
    assert "nhs-joint-working-2018" in listed.stdout
    fixed = subprocess.run(
        [str(venv / "bin/taxonomy"), "classify", str(NHS), "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert fixed.returncode == 0, fixed.stderr
    assert '"pricing"' in fixed.stdout


def _bootstrap(tmp_path: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env.update(UV_CACHE_DIR=str(tmp_path / "uv-cache"), **environment)  # nothing prebuilt
    return subprocess.run(
        [sys.executable, str(ROOT / "tools/bootstrap.py"), "--venv", str(tmp_path / "env")],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )


@pytest.mark.install
def test_bootstrap_installs_the_locked_versions_on_this_python(tmp_path: Path) -> None:
    out = _bootstrap(tmp_path)
    assert out.returncode == 0, out.stderr
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    locked: dict[str, set[str]] = {}  # a universal lock may hold two versions for two Pythons
    for package in lock["package"]:
        locked.setdefault(package["name"], set()).add(package["version"])
    python = tmp_path / "env/bin/python"
    listing = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.metadata as m; print('\\n'.join("
            "f'{d.metadata[\"Name\"].lower()}=={d.version}' for d in m.distributions()))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    installed = {
        re.sub(r"[-_.]+", "-", name): version
        for name, version in (line.split("==") for line in listing)
    }
    for name in ("durable-rules", "attrs", "networkx", "pyyaml", "click"):
        assert installed[name] in locked[name], name
    version = subprocess.run(
        [str(tmp_path / "env/bin/taxonomy"), "--version"], capture_output=True, text=True
    )
    assert version.returncode == 0, version.stderr
    assert f"Python {platform.python_version()}" in version.stdout


@pytest.mark.install
def test_bootstrap_without_a_compiler_says_so_in_one_message(tmp_path: Path) -> None:
    out = _bootstrap(tmp_path, CC=str(tmp_path / "no-such-cc"))
    assert out.returncode == 2
    assert out.stderr.startswith("bootstrap: durable-rules, the rules engine, is compiled")
    assert "lacks a C compiler" in out.stderr
    assert len(out.stderr.splitlines()) == 1  # not the compiler's output
    assert "error:" in (tmp_path / "env/bootstrap.log").read_text()  # which is kept
