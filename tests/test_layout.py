"""The package's shape: the import graph has no circle but the one deliberate lazy import, no
private name crosses a module, and importing the package (or its pytest plugin) loads nothing
heavy."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import networkx as nx

SRC = Path(__file__).resolve().parents[1] / "src" / "taxonomy"

# The model's display methods (explain(), _repr_html_) reach taxonomy.render.html through a
# registered renderer (taxonomy._results.register_renderer), not an import.
DELIBERATE = {
    # A rule pack is refused when built if durable-rules cannot hold it; the limits are modelled
    # on the compiled rulesets, which the engine module builds (imported lazily by
    # taxonomy.language.rules._check_limits). Issue 21 item 3 removes both exceptions.
    ("taxonomy.language.rules", "taxonomy.language.durable"),
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in SRC.rglob("*.py"):
        name = ".".join(("taxonomy", *path.relative_to(SRC).with_suffix("").parts))
        found[name.removesuffix(".__init__")] = path
    return found


def _imports(modules: dict[str, Path]) -> nx.DiGraph:
    graph = nx.DiGraph()
    for name, path in modules.items():
        graph.add_node(name)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith("taxonomy")
            ):
                targets.append(node.module)
                targets += [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                targets += [alias.name for alias in node.names]
            for target in targets:
                if target in modules and target != name:
                    graph.add_edge(name, target)
    return graph


def test_the_only_import_circle_is_the_deliberate_lazy_one() -> None:
    graph = _imports(_modules())
    for edge in DELIBERATE:
        assert graph.has_edge(*edge), f"{edge} is gone: update DELIBERATE"
    graph.remove_edges_from(DELIBERATE)
    assert list(nx.simple_cycles(graph)) == []


def test_the_layout_follows_the_pipeline() -> None:
    stages = {p.name for p in SRC.iterdir() if p.is_dir() and not p.name.startswith("__")}
    # schemas: the JSON Schemas of the files read and the JSON written, built from the loaders.
    pipeline = {"input", "language", "structure", "render", "whatif", "testing", "schemas"}
    assert stages == pipeline | {"cli"}  # cli: the command line, a module per command
    assert (SRC / "classification.py").is_file()


def test_no_private_name_is_imported_from_another_module() -> None:
    for name, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("taxonomy"):
                private = [
                    a.name for a in node.names
                    if a.name.startswith("_") and not a.name.startswith("__")
                    and f"{node.module}.{a.name}" not in _modules()  # a private module is fine
                ]  # fmt: skip
                assert not private, f"{name} imports {private} from {node.module}"


def _loaded_after(code: str) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print(sorted(sys.modules))"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return eval(out.stdout)  # a list literal printed by the child


def test_import_taxonomy_loads_only_the_engine_check() -> None:
    loaded = _loaded_after("import taxonomy")
    ours = [m for m in loaded if m.startswith("taxonomy")]
    assert ours == ["taxonomy", "taxonomy._install", "taxonomy._version"]
    for heavy in ("networkx", "matplotlib", "yaml", "openpyxl", "jinja2", "rich", "click"):
        assert heavy not in loaded, heavy


def test_the_pytest_plugin_imports_nothing_of_the_package_until_used() -> None:
    # pytest loads entry-point plugins before coverage measurement starts.
    loaded = _loaded_after("import taxonomy.testing.pytest_plugin")
    ours = sorted(m for m in loaded if m.startswith("taxonomy"))
    assert ours == [
        "taxonomy", "taxonomy._install", "taxonomy._version",
        "taxonomy.testing", "taxonomy.testing.pytest_plugin",
    ]  # fmt: skip


def test_the_command_line_loads_only_click_until_a_command_runs() -> None:
    # `taxonomy --help` must answer fast: every command imports what it uses when it runs.
    loaded = _loaded_after("import taxonomy.cli")
    for heavy in ("durable", "attrs", "networkx", "matplotlib", "yaml", "openpyxl", "rich"):
        assert heavy not in loaded, heavy
    ours = sorted(m for m in loaded if m.startswith("taxonomy"))
    assert ours == ["taxonomy", "taxonomy._install", "taxonomy._version", "taxonomy.cli",
                    "taxonomy.errors"]  # fmt: skip
