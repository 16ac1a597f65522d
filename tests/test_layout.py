"""The package's shape: every import goes down the layers (function-level imports included) and
none makes a circle, no private name crosses a module, and importing the package (or its pytest
plugin) loads nothing heavy."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import networkx as nx

SRC = Path(__file__).resolve().parents[1] / "src" / "taxonomy"

#: The package order, lowest first: a module may import (at module level, inside a function or
#: for type checking alike) only modules of its own layer or of a layer below. A name stands
#: for a module and everything under it; a module belongs to the longest name it starts with.
LAYERS: tuple[tuple[str, ...], ...] = (
    # what everything shares: the errors, the version, the engine check
    ("taxonomy.errors", "taxonomy._version", "taxonomy._install"),
    # the domain model, and the ids that every JSON output and schema is stamped with
    (
        "taxonomy._model",
        "taxonomy._output_shape",
        "taxonomy._decision",
        "taxonomy._decision_json",
        "taxonomy._explanation",
        "taxonomy._questions",
        "taxonomy._by_body",
        "taxonomy._results",
        "taxonomy.schemas._ids",
    ),
    # reading and writing files: YAML with locations, which files were read, safe cells, writes
    (
        "taxonomy.input.reader",
        "taxonomy.input.yaml_nodes",
        "taxonomy.input.sources",
        "taxonomy.input.cells",
        "taxonomy.output",
    ),
    # what a rule can read, rule packs, the one semantics, the durable-rules backend
    ("taxonomy.language",),
    # portfolios read (YAML, spreadsheets, Python) and the law in force on a day
    ("taxonomy.input", "taxonomy.law", "taxonomy._merged_governance", "taxonomy._merged_function"),
    # classify, and classifying over answers left open
    ("taxonomy.classification", "taxonomy.partial", "taxonomy._outcomes", "taxonomy.by_body"),
    # the accountability graph and its checks
    ("taxonomy.structure",),
    # the JSON Schemas' builders, from the loaders' declarations
    ("taxonomy.schemas._parts", "taxonomy.schemas._portfolio"),
    ("taxonomy.schemas._inputs", "taxonomy.schemas._outputs"),
    # scenarios, comparisons, counterfactuals, sweeps (each shape's schema beside its loader)
    ("taxonomy.whatif",),
    # every rendering of a result: text, Markdown, HTML, pictures, workbooks, exports
    ("taxonomy.render",),
    # strategies, invariants, rule-pack checks, expectation files, mutation
    ("taxonomy.testing",),
    # the JSON Schema of each kind, gathered from the layers that own the shapes
    ("taxonomy.schemas",),
    # the command line, and the package's front door (every public name, imported on first use)
    ("taxonomy.cli", "taxonomy"),
)


def _modules() -> dict[str, Path]:
    found = {}
    for path in SRC.rglob("*.py"):
        name = ".".join(("taxonomy", *path.relative_to(SRC).with_suffix("").parts))
        found[name.removesuffix(".__init__")] = path
    return found


def _imports(modules: dict[str, Path]) -> nx.DiGraph:
    """Every import of the package by every module, wherever in the module it is written.

    ``from taxonomy.x import y`` imports the module ``taxonomy.x.y`` if there is one, else a
    name of ``taxonomy.x``.
    """
    graph = nx.DiGraph()
    for name, path in modules.items():
        graph.add_node(name)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("taxonomy"):
                module = str(node.module)
                submodules = [f"{module}.{alias.name}" for alias in node.names]
                targets += [m for m in submodules if m in modules]
                if len(targets) < len(submodules):
                    targets.append(module)
            elif isinstance(node, ast.Import):
                targets += [alias.name for alias in node.names]
            for target in targets:
                if target in modules and target != name:
                    graph.add_edge(name, target)
    return graph


def _layer(module: str) -> int:
    """The layer of ``module``: that of the longest name in :data:`LAYERS` it falls under."""
    best, found = -1, -1
    for number, names in enumerate(LAYERS):
        for prefix in names:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, found = len(prefix), number
    assert found >= 0, f"{module} is in no layer: add it to LAYERS"
    return found


def test_every_import_goes_down_the_layers() -> None:
    graph = _imports(_modules())
    upward = sorted(
        f"{a} (layer {_layer(a)}) imports {b} (layer {_layer(b)})"
        for a, b in graph.edges
        if _layer(b) > _layer(a)
    )
    assert upward == []


def test_there_is_no_import_circle() -> None:
    graph = _imports(_modules())
    assert list(nx.simple_cycles(graph)) == []


def test_the_layers_name_every_package() -> None:
    named = {prefix for names in LAYERS for prefix in names}
    for name in _modules():
        _layer(name)  # every module falls in a layer
    for prefix in named:
        assert prefix in _modules(), f"{prefix} in LAYERS is no module"


def test_classification_does_not_import_whatif() -> None:
    # The law in force on a day is core semantics (taxonomy.law), not a what-if.
    graph = _imports(_modules())
    assert not [b for b in graph.successors("taxonomy.classification") if "whatif" in b]


def test_the_layout_follows_the_pipeline() -> None:
    stages = {p.name for p in SRC.iterdir() if p.is_dir() and not p.name.startswith("__")}
    # schemas: the JSON Schemas of the files read and the JSON written, built from the loaders.
    pipeline = {"input", "language", "structure", "render", "whatif", "testing", "schemas"}
    # cli: the command line, a module per command; _model: the domain model every stage shares
    assert stages == pipeline | {"cli", "_model"}
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


def test_the_architecture_page_names_every_module() -> None:
    # docs/architecture.md draws the layout: a module added without a word there is a reader's
    # dead end (issue 21 item 7).
    page = (SRC.parents[1] / "docs" / "architecture.md").read_text(encoding="utf-8")
    unnamed = sorted(
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if path.name != "__init__.py" and path.name not in page
    )
    assert unnamed == []
