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


def _exported_modules() -> list[str]:
    """The modules the package exports names from, and the public ``taxonomy.testing`` ones."""
    import pkgutil

    import taxonomy.testing

    testing = [
        f"taxonomy.testing.{m.name}"
        for m in pkgutil.iter_modules(taxonomy.testing.__path__)
        if not m.name.startswith("_")
    ]
    return sorted({*taxonomy._LAZY.values(), *testing})


def _public_callables(module_name: str) -> list[tuple[str, object]]:
    """Public functions defined in the module, and the public methods of its public classes."""
    module = importlib.import_module(module_name)
    found: list[tuple[str, object]] = []
    for name, value in vars(module).items():
        if name.startswith("_") or getattr(value, "__module__", None) != module_name:
            continue
        if inspect.isfunction(value):
            found.append((name, value))
        elif inspect.isclass(value):
            for method_name, method in vars(value).items():
                if method_name.startswith("_") and method_name != "__init__":
                    continue
                function = getattr(method, "__func__", method)
                if inspect.isfunction(function):
                    found.append((f"{name}.{method_name}", function))
    return found


def _is_rule_pack(annotation: object) -> bool:
    """The annotation names a rule pack (``RulePack`` or ``RulePack | None``), as text or type."""
    text = annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)
    text = text.replace('"', "").replace("'", "").replace("taxonomy.language.rules.", "")
    return text in {"RulePack", "RulePack | None", "Optional[RulePack]"}


def test_every_public_rule_pack_parameter_is_called_rules() -> None:
    """One name for a rule pack across the API: ``rules=``, as in ``classify(p, rules=...)``."""
    named_otherwise = [
        f"{module}.{name}({parameter.name})"
        for module in _exported_modules()
        for name, function in _public_callables(module)
        for parameter in inspect.signature(function).parameters.values()  # type: ignore[arg-type]
        if _is_rule_pack(parameter.annotation) and parameter.name != "rules"
    ]
    assert named_otherwise == []
    assert _is_rule_pack("RulePack | None") and not _is_rule_pack("Sequence[Rule]")


def _every_module() -> list[str]:
    """Every module of the package, private ones included (``__main__`` runs, so not it)."""
    import pkgutil

    return [
        module.name
        for module in pkgutil.walk_packages(taxonomy.__path__, "taxonomy.")
        if not module.name.endswith("__main__")
    ]


def test_no_public_function_of_any_module_calls_a_rule_pack_anything_but_rules() -> None:
    """Not only the front door: every module's public functions and methods say ``rules``."""
    modules = _every_module()
    named_otherwise = [
        f"{module}.{name}({parameter.name})"
        for module in modules
        for name, function in _public_callables(module)
        for parameter in inspect.signature(function).parameters.values()  # type: ignore[arg-type]
        if _is_rule_pack(parameter.annotation) and parameter.name != "rules"
    ]
    assert named_otherwise == []
    # The walk reaches the subpackages' modules, where the rule pack was once called pack.
    assert {"taxonomy.language.durable", "taxonomy.input.sheets", "taxonomy.partial"} <= {*modules}


# Optional parameters the documentation passes by position on purpose: the pack folder of
# ``load_rules("rules/x")`` and the arrangement of ``counterfactuals(p, "eprr", "aligned")``.
_POSITIONAL_ON_PURPOSE = {("load_rules", "path"), ("counterfactuals", "target")}


def test_the_public_functions_options_are_keyword_only() -> None:
    """Every optional parameter of a function in ``taxonomy.__all__`` is keyword-only."""
    positional = [
        f"{name}({parameter.name})"
        for name in taxonomy.__all__
        if inspect.isfunction(function := getattr(taxonomy, name))
        for parameter in inspect.signature(function).parameters.values()
        if parameter.default is not parameter.empty
        and parameter.kind is not parameter.KEYWORD_ONLY
        and (name, parameter.name) not in _POSITIONAL_ON_PURPOSE
    ]
    assert positional == []
    assert inspect.isfunction(taxonomy.classify)  # the walk sees functions at all
