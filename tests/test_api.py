from __future__ import annotations

import importlib
import inspect
import subprocess
import sys

import taxonomy


def test_all_lists_exactly_the_public_names() -> None:
    public = {name for name in vars(taxonomy) if not name.startswith("_")}
    modules = {name for name in public if inspect.ismodule(getattr(taxonomy, name))}
    eager = public - modules - {"TYPE_CHECKING", "Any"}
    assert set(taxonomy.__all__) == eager | set(taxonomy._LAZY)
    for name in taxonomy.__all__:
        assert getattr(taxonomy, name).__doc__, name


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
