from __future__ import annotations

import importlib
import inspect
import subprocess
import sys

import pytest

import taxonomy


def test_all_lists_exactly_the_public_names() -> None:
    public = {name for name in vars(taxonomy) if not name.startswith("_")}
    modules = {name for name in public if inspect.ismodule(getattr(taxonomy, name))}
    eager = public - modules - {"TYPE_CHECKING", "Any"}
    assert set(taxonomy.__all__) == eager | set(taxonomy._LAZY)
    for name in taxonomy.__all__:
        assert getattr(taxonomy, name).__doc__, name


def test_the_type_checking_imports_are_the_lazy_map() -> None:
    """Type checkers read the TYPE_CHECKING imports; users get the lazy map: the same names."""
    import ast

    tree = ast.parse(inspect.getsource(taxonomy))
    block = next(
        n for n in tree.body if isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n.test)
    )
    imported = {
        (node.module, alias.name)
        for node in ast.walk(block)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert imported == {(module, name) for name, module in taxonomy._LAZY.items()}


def test_unknown_rule_and_fact_ids_raise_the_one_unknown_id_error(pack: taxonomy.RulePack) -> None:
    with pytest.raises(taxonomy.UnknownIdError, match=r"did you mean 'decision\.one-team'"):
        pack.rule("decision.one-tem")
    with pytest.raises(taxonomy.UnknownIdError, match=r"did you mean 'efficiency\.duplication'"):
        pack.facts.get("efficiency.duplicaton")


def test_every_public_name_of_every_module_has_a_docstring() -> None:
    for module_name in [
        "taxonomy.errors",
        "taxonomy.language.rules",
        "taxonomy.language.facts",
        "taxonomy.language.durable",
        "taxonomy.classification",
        "taxonomy.render.text",
        "taxonomy.input.portfolio",
        "taxonomy.testing.strategies",
        "taxonomy.cli",
        "taxonomy.structure.graph",
        "taxonomy.structure.checks",
        "taxonomy.render.export",
        "taxonomy.render.picture",
        "taxonomy.whatif.scenarios",
        "taxonomy.whatif.compare",
        "taxonomy.whatif.counterfactual",
        "taxonomy.whatif.sweep",
        "taxonomy.structure.findings",
        "taxonomy.whatif.kinds",
        "taxonomy.whatif.changes",
        "taxonomy.whatif.governance",
        "taxonomy.whatif.answers",
        "taxonomy.whatif.grid",
        "taxonomy.render.comparison",
        "taxonomy.testing.schema",
    ]:
        module = importlib.import_module(module_name)
        assert module.__doc__, module_name
        for name in module.__all__:
            obj = getattr(module, name)
            if callable(obj):
                assert obj.__doc__, f"{module_name}.{name}"


def test_import_is_light() -> None:
    code = "import sys, taxonomy; print('networkx' in sys.modules, 'rich' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_py_typed_is_shipped() -> None:
    from importlib import resources

    assert resources.files("taxonomy").joinpath("py.typed").is_file()
