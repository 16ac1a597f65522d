"""Set up taxonomy in ./.venv for the Python running this script, from the committed lock file.

    python3 tools/bootstrap.py                 # taxonomy and its dependencies
    python3 tools/bootstrap.py --extra test    # ... and what the test suite needs

It does what these commands do, with one clear message where they would fail obscurely:

    python3 -m venv .venv
    .venv/bin/pip install uv==<UV_VERSION below>
    .venv/bin/uv sync --locked --inexact [--extra test]

Why uv: durable-rules, the rules engine, ships only source and needs one preprocessor define to
build for Python 3.13 and newer. uv applies it to that one package from pyproject.toml
([tool.uv.extra-build-variables]), and installs exactly the versions in uv.lock, so an install
next year gets the set the tests passed with. pip has neither (see README: Installing).

The one thing it cannot bring is a C compiler: durable-rules is compiled here. When the build
fails, this script says whether a compiler or Python's headers are missing instead of printing
the compiler's output (kept in .venv/bootstrap.log).

Standard library only: it runs before anything is installed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

UV_VERSION = "0.13.9"
OLDEST = (3, 11)
ROOT = Path(__file__).resolve().parents[1]


def fail(message: str) -> None:
    """Print one message and stop with exit status 2."""
    print(f"bootstrap: {message}", file=sys.stderr)
    raise SystemExit(2)


def venv_python(env: Path) -> Path:
    """The interpreter inside a virtual environment."""
    return env / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def venv_version(env: Path) -> str | None:
    """The Python version recorded in a virtual environment's pyvenv.cfg, if any."""
    cfg = env / "pyvenv.cfg"
    if not cfg.is_file():
        return None
    for line in cfg.read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition("=")
        if key.strip() in ("version", "version_info"):
            return ".".join(value.strip().split(".")[:2])
    return None


def missing_build_tools() -> list[str]:
    """What building a C extension for this Python needs and this machine lacks."""
    missing = []
    compiler = (os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        missing.append(f"a C compiler ('{compiler}' is not on PATH)")
    headers = Path(sysconfig.get_paths()["include"]) / "Python.h"
    if not headers.is_file():
        missing.append(f"Python's development headers ({headers} is missing)")
    return missing


def main(argv: list[str] | None = None) -> int:
    """Create or update the environment; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--extra", action="append", default=[], help="an optional group to install (test, docs)"
    )
    parser.add_argument(
        "--venv", default=".venv", help="where the environment goes (default: .venv)"
    )
    args = parser.parse_args(argv)

    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    if sys.version_info < OLDEST:
        fail(f"taxonomy needs Python {OLDEST[0]}.{OLDEST[1]} or newer; this python3 is {here}")
    env = (ROOT / args.venv).resolve()
    recorded = venv_version(env)
    if recorded is not None and recorded != here:
        print(f"bootstrap: {args.venv} was made by Python {recorded}; remaking it for {here}")
        shutil.rmtree(env)
    if not venv_python(env).exists():
        try:
            venv.create(env, with_pip=True)
        except (OSError, subprocess.CalledProcessError) as error:
            fail(
                f"could not create {args.venv} with this Python's venv module ({error}); on "
                "Debian or Ubuntu install the python3-venv package"
            )
    python = str(venv_python(env))
    log = env / "bootstrap.log"

    def run(step: str, command: list[str], **environment: str) -> None:
        with log.open("a", encoding="utf-8") as out:
            out.write(f"$ {' '.join(command)}\n")
            out.flush()
            done = subprocess.run(
                command,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, **environment},
                check=False,
            )
        if done.returncode == 0:
            return
        text = log.read_text(encoding="utf-8", errors="replace")
        if "durable-rules" in text or "durable_rules" in text:
            lacking = missing_build_tools()
            if lacking:
                fail(
                    "durable-rules, the rules engine, is compiled on this machine, and it "
                    f"lacks {' and '.join(lacking)}. Install them (Debian/Ubuntu: "
                    "'apt install gcc python3-dev'; Fedora: 'dnf install gcc python3-devel'; "
                    "macOS: 'xcode-select --install') and run this again. The build's own "
                    f"output is in {log}."
                )
        tail = "\n".join(text.rstrip().splitlines()[-25:])
        fail(f"{step} failed (exit {done.returncode}); the end of {log}:\n{tail}")

    log.write_text("", encoding="utf-8")
    run(
        "installing uv",
        [
            python,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            f"uv=={UV_VERSION}",
        ],
    )
    uv = str(Path(python).with_name("uv.exe" if os.name == "nt" else "uv"))
    # Byte-compiled at install, so the first run (and every run where PYTHONDONTWRITEBYTECODE is
    # set) does not compile click and the rest again: `taxonomy --help` in under 120 ms.
    command = [uv, "sync", "--locked", "--inexact", "--compile-bytecode", "--quiet"]
    for extra in args.extra:
        command += ["--extra", extra]
    run(
        "uv sync",
        command,
        UV_PROJECT_ENVIRONMENT=str(env),
        # Never download an interpreter: the environment is for the python3 that ran this.
        UV_PYTHON_DOWNLOADS="never",
    )
    print(f"bootstrap: taxonomy is installed in {args.venv} (Python {here})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
