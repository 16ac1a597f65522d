"""What ``-o`` may write over, what it writes through, and how much any input may make taxonomy read.

Issue 22, items 2 and 3: an output never replaces a file the command read (the portfolio, a CSV
portfolio's side tables, every file of a rule pack, of a scenario's pack, scenario and sweep
files), by path, symlink or hard link; no write follows a symlink it did not expect; a target
that is not a regular file (a device, a FIFO, a link to /proc/self/fd/1) is written in place;
a full disk and a name too long are one message each. No input is read beyond the size limit,
whatever its size claims (a pipe, /dev/zero), and an explanation cannot expand without bound.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import taxonomy
from taxonomy.input import reader
from tests.conftest import NHS
from tests.helpers import copy_pack, write
from tests.helpers import run_cli as run

# --- inputs are never written over ---------------------------------------------------------------


@pytest.fixture
def csv_portfolio(tmp_path: Path) -> Path:
    """The NHS example as a CSV portfolio: p.csv and its side tables."""
    target = tmp_path / "p.csv"
    out = run("convert", str(NHS), "-o", str(target))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "p.bodies.csv").is_file()
    return target


@pytest.mark.parametrize(
    "command",
    [
        ["classify", "{p}", "--format", "csv", "-o", "{side}", "--force"],
        ["convert", "{p}", "-o", "{side}", "--force"],
        # graph writes no CSV: a symlink to the side table is the side table
        ["graph", "{p}", "-o", "{link}", "--force"],
    ],
)
def test_a_csv_portfolios_side_table_is_an_input(csv_portfolio: Path, command: list[str]) -> None:
    side = csv_portfolio.with_name("p.bodies.csv")
    link = csv_portfolio.with_name("link.json")
    link.symlink_to(side)
    before = side.read_bytes()
    out = run(*(c.format(p=csv_portfolio, side=side, link=link) for c in command))
    assert out.returncode == 2, out.stderr
    assert "is an input of this command" in out.stderr
    assert side.read_bytes() == before


@pytest.mark.parametrize("file_name", ["pack.yaml", "legal.yaml"])
@pytest.mark.parametrize(
    "command",
    [
        ["classify", str(NHS), "--rules", "{pack}", "--format", "json", "-o", "{target}"],
        ["graph", str(NHS), "--rules", "{pack}", "--format", "json", "-o", "{target}"],
        ["schema", "portfolio", "--rules", "{pack}", "-o", "{target}"],
    ],
)
def test_a_rule_pack_file_is_an_input(tmp_path: Path, command: list[str], file_name: str) -> None:
    pack = copy_pack(tmp_path)
    target = pack / file_name
    before = target.read_bytes()
    out = run(*(c.format(pack=pack, target=target) for c in command), "--force")
    assert out.returncode == 2, out.stderr
    assert "is an input of this command" in out.stderr
    assert target.read_bytes() == before


def test_a_hard_link_or_symlink_to_a_pack_file_is_that_file(tmp_path: Path) -> None:
    pack = copy_pack(tmp_path)
    hard = tmp_path / "hard.json"
    os.link(pack / "legal.yaml", hard)
    soft = tmp_path / "soft.json"
    soft.symlink_to(pack / "pack.yaml")
    before = (pack / "legal.yaml").read_bytes(), (pack / "pack.yaml").read_bytes()
    for target in (hard, soft):
        out = run("classify", str(NHS), "--rules", str(pack), "-o", str(target), "--force")
        assert out.returncode == 2 and "is an input of this command" in out.stderr, out.stderr
    assert ((pack / "legal.yaml").read_bytes(), (pack / "pack.yaml").read_bytes()) == before
    assert soft.is_symlink()


def test_a_scenarios_pack_is_an_input_of_whatif(tmp_path: Path) -> None:
    pack = copy_pack(tmp_path)
    scenario = write(
        tmp_path / "s.yaml",
        f"""
        name: another pack
        changes:
          - rules: {{pack: {pack}}}
        """,
    )
    target = pack / "legal.yaml"
    before = target.read_bytes()
    out = run("whatif", str(NHS), str(scenario), "--format", "json", "-o", str(target), "--force")
    assert out.returncode == 2 and "is an input of this command" in out.stderr, out.stderr
    assert target.read_bytes() == before


def test_sweep_never_writes_over_a_side_table(tmp_path: Path, csv_portfolio: Path) -> None:
    grid = write(
        tmp_path / "grid.yaml",
        """
        name: g
        grid:
          - {functions: "*", field: capability.nhsi, values: [low, high]}
        """,
    )
    side = csv_portfolio.with_name("p.bodies.csv")
    before = side.read_bytes()
    out = run("sweep", str(csv_portfolio), str(grid), "--workers", "1", "-o", str(side), "--force")
    assert out.returncode == 2 and "is an input of this command" in out.stderr, out.stderr
    assert side.read_bytes() == before


# --- no write follows a symlink it did not expect --------------------------------------------------


def test_a_csv_portfolio_never_writes_through_a_dangling_symlink(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere" / "planted.csv"
    elsewhere.parent.mkdir()
    sibling = tmp_path / "out.bodies.csv"
    sibling.symlink_to(elsewhere)
    out = run("convert", str(NHS), "-o", str(tmp_path / "out.csv"))
    assert out.returncode == 2 and "exists: give --force" in out.stderr, out.stderr
    assert not elsewhere.exists() and not (tmp_path / "out.csv").exists()
    out = run("convert", str(NHS), "-o", str(tmp_path / "out.csv"), "--force")
    assert out.returncode == 0, out.stderr
    assert not elsewhere.exists()  # the link was replaced, not written through
    assert not sibling.is_symlink() and sibling.is_file()
    assert taxonomy.load_portfolio(tmp_path / "out.csv") == taxonomy.load_portfolio(NHS)


def test_a_csv_portfolios_sibling_linked_to_an_input_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "in.yaml"
    shutil.copy(NHS, source)
    before = source.read_bytes()
    (tmp_path / "out.bodies.csv").symlink_to(source)
    out = run("convert", str(source), "-o", str(tmp_path / "out.csv"), "--force")
    assert out.returncode == 2 and "is an input of this command" in out.stderr, out.stderr
    assert source.read_bytes() == before
    assert not (tmp_path / "out.csv").exists()  # nothing of the portfolio is written


# --- targets that are not regular files are written in place ----------------------------------------


def _drain(fifo: Path, into: list[bytes]) -> threading.Thread:
    def read() -> None:
        with fifo.open("rb") as handle:
            into.append(handle.read())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_a_fifo_is_written_in_place(tmp_path: Path, force: list[str]) -> None:
    fifo = tmp_path / "out.json"
    os.mkfifo(fifo)
    got: list[bytes] = []
    thread = _drain(fifo, got)
    out = run("classify", str(NHS), "--format", "json", "-o", str(fifo), *force)
    if out.returncode != 0:  # release the reader before failing
        with fifo.open("wb"):
            pass
    thread.join(10)
    assert out.returncode == 0, out.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert json.loads(got[0])["recommendations"]


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_a_symlink_to_dev_null_is_written_in_place(tmp_path: Path, force: list[str]) -> None:
    link = tmp_path / "null.json"
    link.symlink_to("/dev/null")
    out = run("classify", str(NHS), "--format", "json", "-o", str(link), *force)
    assert out.returncode == 0, out.stderr
    assert link.is_symlink() and stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_dev_null_itself_works_with_or_without_force() -> None:
    from taxonomy.output import Output  # before the fix there is none: never touch /dev/null

    assert Output("/dev/null").claim() is True  # written in place, never replaced
    for force in ([], ["--force"]):
        out = run("classify", str(NHS), "--format", "json", "-o", "/dev/null", *force)
        assert out.returncode == 0, out.stderr
        assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)


def test_a_symlink_to_standard_output_is_written_in_place(tmp_path: Path) -> None:
    link = tmp_path / "out.json"
    link.symlink_to("/proc/self/fd/1")
    out = subprocess.run(
        [sys.executable, "-m", "taxonomy.cli", "classify", str(NHS), "-o", str(link), "--force"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["recommendations"]
    assert link.is_symlink()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_is_one_error(tmp_path: Path) -> None:
    link = tmp_path / "full.md"
    link.symlink_to("/dev/full")
    out = run("classify", str(NHS), "-o", str(link), "--force")
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "No space left on device" in out.stderr
    assert link.is_symlink()


def test_a_name_too_long_is_one_error(tmp_path: Path) -> None:
    out = run("classify", str(NHS), "-o", str(tmp_path / ("a" * 300 + ".json")))
    assert out.returncode == 2, out.stderr
    assert out.stderr.startswith("taxonomy: error:") and "too long" in out.stderr
    # A name near the limit is written: its temporary neighbour's name is shortened.
    near = tmp_path / ("b" * 250 + ".json")
    out = run("classify", str(NHS), "-o", str(near))
    assert out.returncode == 0, out.stderr
    assert json.loads(near.read_text(encoding="utf-8"))["recommendations"]


def test_an_input_name_too_long_is_one_error(tmp_path: Path) -> None:
    for suffix in (".yaml", ".csv", ".xlsx"):
        out = run("classify", str(tmp_path / ("a" * 300 + suffix)))
        assert out.returncode == 2, out.stderr
        assert out.stderr.startswith("taxonomy: error:") and "too long" in out.stderr


# --- reads are bounded ----------------------------------------------------------------------------

LIMIT = 100_000


@pytest.fixture
def small_limit(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(reader, "MAX_FILE_BYTES", LIMIT)
    return LIMIT


def _endless(tmp_path: Path, name: str) -> Path:
    """A FIFO a thread writes to without end, as ``<(yes)`` is."""
    fifo = tmp_path / name
    os.mkfifo(fifo)

    def feed() -> None:
        chunk = b"y\n" * 65536
        try:
            with fifo.open("wb") as handle:
                while True:
                    handle.write(chunk)
        except OSError:  # the reader stopped at the limit
            return

    threading.Thread(target=feed, daemon=True).start()
    return fifo


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
@pytest.mark.parametrize(
    "as_what", ["portfolio.yaml", "portfolio.xlsx", "side table", "pack file", "scenario", "sweep"]
)
def test_an_endless_input_is_refused_at_the_limit(
    tmp_path: Path, small_limit: int, device: str, as_what: str
) -> None:
    args: list[str]
    if as_what in ("portfolio.yaml", "portfolio.xlsx"):
        link = tmp_path / as_what
        link.symlink_to(device)
        args = ["classify", str(link)]
    elif as_what == "side table":
        portfolio = tmp_path / "p.csv"
        assert run("convert", str(NHS), "-o", str(portfolio)).returncode == 0
        link = tmp_path / "p.roles.csv"
        link.unlink(missing_ok=True)
        link.symlink_to(device)
        args = ["classify", str(portfolio)]
    elif as_what == "pack file":
        pack = copy_pack(tmp_path)
        link = pack / "zzz.yaml"
        link.symlink_to(device)
        args = ["classify", str(NHS), "--rules", str(pack)]
    elif as_what == "scenario":
        link = tmp_path / "s.yaml"
        link.symlink_to(device)
        args = ["whatif", str(NHS), str(link)]
    else:
        link = tmp_path / "g.yaml"
        link.symlink_to(device)
        args = ["sweep", str(NHS), str(link)]
    out = run(*args)
    assert out.returncode == 2, out.stderr
    assert f"too large: the limit is {small_limit} bytes" in out.stderr and str(link) in out.stderr


def test_an_expectation_file_is_read_within_the_limit(tmp_path: Path, small_limit: int) -> None:
    from taxonomy.testing.expectations import load_expectations

    link = tmp_path / "e.expect.yaml"
    link.symlink_to("/dev/zero")
    with pytest.raises(taxonomy.InputError, match="too large"):
        load_expectations(link)


def test_a_pipe_is_read_only_to_the_limit(tmp_path: Path, small_limit: int) -> None:
    out = run("classify", str(_endless(tmp_path, "yes.yaml")))
    assert out.returncode == 2 and "too large" in out.stderr, out.stderr


# --- explanations are bounded ---------------------------------------------------------------------


def test_a_because_repeating_a_long_answer_is_bounded(tmp_path: Path) -> None:
    pack = copy_pack(tmp_path)
    legal = pack / "legal.yaml"
    text = legal.read_text(encoding="utf-8")
    template = '"of a legal reason the portfolio gives: {legal.separate_reason}"'
    assert template in text
    repeated = '"' + " and {legal.separate_reason}" * 300 + '"'
    legal.write_text(text.replace(template, repeated), encoding="utf-8")
    rules = taxonomy.load_rules(pack)
    from taxonomy.input.portfolio import portfolio_to_data

    data = portfolio_to_data(taxonomy.load_portfolio(NHS))
    reason = "x" * 100_000  # 300 times: 30 MB of explanation before the fix
    function = data["functions"][0]
    function["legal"]["separate_reason"] = reason
    portfolio = taxonomy.portfolio_from_data(data)
    result = taxonomy.classify(portfolio, rules=rules)
    rec = result[function["id"]]
    bound = len(repeated) + 10_000  # the template, and a few thousand characters filled in
    firings = [rec.explanation.decided_by, *rec.explanation.capped_by]
    because = next(f.because for f in firings if f.rule.startswith("legal."))
    assert len(because) <= bound and "\u2026" in because
    from taxonomy.render.prose import paragraph

    assert len(paragraph(rec, portfolio, rules=rules)) <= 2 * bound
