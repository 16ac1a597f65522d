"""The results' JSON is declared once: ``to_dict`` and the output schemas come from one Shape.

And the model displays itself through a registered renderer, never by importing render.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
import types
from pathlib import Path

import jsonschema
import pytest

import taxonomy
from taxonomy._explanation import PACK_IDENTITY_JSON, Override, PackIdentity
from taxonomy._output_shape import STRING, STRINGS, Shape, key
from taxonomy._results import CLASSIFICATION_JSON, RECOMMENDATION_JSON
from taxonomy.schemas import schema

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "taxonomy"
NHS = ROOT / "examples" / "nhs_joint_working_2018.yaml"
UNKNOWN = ROOT / "examples" / "nhs_joint_working_2018_unknown.yaml"


BY_BODY = ROOT / "tests" / "fixtures" / "councils_by_body.yaml"


def _written(shape: Shape, data: dict[str, object] | None = None) -> list[str]:
    """The keys written, in order; one that may be left out, only where ``data`` has it."""
    return [
        k.name for k in shape.keys if k.written and (k.required or data is None or k.name in data)
    ]


@pytest.mark.parametrize("path", [NHS, UNKNOWN, BY_BODY], ids=lambda p: p.stem)
def test_to_dict_writes_the_keys_its_shape_declares_in_order(path: Path) -> None:
    result = taxonomy.classify(taxonomy.load_portfolio(path))
    assert list(result.to_dict()) == _written(CLASSIFICATION_JSON)
    for rec in result:
        data = rec.to_dict()
        assert list(data) == _written(RECOMMENDATION_JSON, data)
        assert ("by_body" in data) == (path == BY_BODY)  # only where bodies answered for themselves
    # The open example has open recommendations and decided ones: both shapes are covered.
    assert {rec.decided for rec in result} == (
        {True, False} if path in (UNKNOWN, BY_BODY) else {True}
    )


def test_the_schema_lists_every_declared_key_and_requires_the_ones_declared_required() -> None:
    defs = schema("classification")["$defs"]
    recommendation = defs["recommendation"]
    assert list(recommendation["properties"]) == [k.name for k in RECOMMENDATION_JSON.keys]
    assert recommendation["required"] == [k.name for k in RECOMMENDATION_JSON.keys if k.required]
    # extends and overrides are left out when empty, so not required.
    assert defs["rule_pack"]["required"] == ["name", "version", "hash"]


def test_a_key_left_out_when_empty_is_left_out_and_kept_in_its_place_otherwise() -> None:
    base = PackIdentity("base", "1", "0" * 64)
    plain = PackIdentity("p", "1", "1" * 64)
    assert plain.to_dict() == {"name": "p", "version": "1", "hash": "1" * 64}
    override = Override("r", "reworded", "why", "p", because="new words")
    extended = PackIdentity("p", "1", "1" * 64, (base,), (override,))
    data = extended.to_dict()
    assert list(data) == ["name", "version", "hash", "extends", "overrides"]
    assert data["extends"] == [base.to_dict()]
    assert data["overrides"] == [
        {"rule": "r", "action": "reworded", "reason": "why", "pack": "p", "because": "new words"}
    ]
    assert "because" not in Override("r", "removed", "why", "p").to_dict()
    named = {"question": {}, "principles": {}}
    jsonschema.validate(data, {**PACK_IDENTITY_JSON.schema(named), "$defs": {"rule_pack": {}}})


def test_a_key_added_to_a_shape_appears_in_the_dict_and_the_schema_alike() -> None:
    before = Shape(key("id", STRING), key("tags", STRINGS, via=list, omit_empty=True))
    after = Shape(*before.keys, key("size", {"type": "integer"}, attr="box.size"))
    item = types.SimpleNamespace(id="a", tags=("x",), box=types.SimpleNamespace(size=3))
    assert before.dump(item) == {"id": "a", "tags": ["x"]}
    assert after.dump(item) == {"id": "a", "tags": ["x"], "size": 3}
    assert list(after.schema({})["properties"]) == ["id", "tags", "size"]
    assert after.schema({})["required"] == ["id", "size"]
    jsonschema.validate(after.dump(item), after.schema({}))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(before.dump(item), after.schema({}))


def test_a_key_written_elsewhere_is_in_the_schema_only() -> None:
    shape = Shape(key("id", STRING), key("summary", STRING, written=False))
    assert shape.dump(types.SimpleNamespace(id="a", summary="never read")) == {"id": "a"}
    assert shape.schema({})["required"] == ["id", "summary"]


def test_a_key_reading_anything_but_an_attribute_path_is_refused() -> None:
    with pytest.raises(ValueError, match="is not an attribute path"):
        key("id", STRING, attr="id; import os")


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("module", ["_model", "_explanation", "_results", "_output_shape"])
def test_the_model_never_imports_render_not_even_in_a_function(module: str) -> None:
    package = SRC / module  # _model is a package: every module of it
    paths = sorted(package.glob("*.py")) if package.is_dir() else [SRC / f"{module}.py"]
    assert paths
    imported = set().union(*(_imports(path) for path in paths))
    assert not [name for name in imported if name.startswith("taxonomy.render")]


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return done.stdout


def test_a_result_displays_itself_with_nothing_but_import_taxonomy() -> None:
    shown = _run(
        "import sys, taxonomy\n"
        "p = taxonomy.load_portfolio('examples/nhs_joint_working_2018.yaml')\n"
        "r = taxonomy.classify(p)\n"
        "print('taxonomy.render.html' in sys.modules)\n"
        "page = r._repr_html_()\n"
        "print('taxonomy.render.html' in sys.modules)\n"
        "from taxonomy.render.html import classification_table_html, explain_text\n"
        "print(page == classification_table_html(r))\n"
        "print(r['pricing'].explain() == explain_text(r['pricing']))\n"
    )
    assert shown.split() == ["False", "True", "True", "True"]


def test_with_nothing_of_render_imported_the_default_renderer_is_imported_by_name() -> None:
    shown = _run(
        "import sys\n"
        "from taxonomy._results import DEFAULT_RENDERER, renderer\n"
        "print(DEFAULT_RENDERER in sys.modules)\n"
        "found = renderer()\n"
        "print(DEFAULT_RENDERER in sys.modules)\n"
        "from taxonomy.render import html\n"
        "print(found is html)\n"
    )
    assert shown.split() == ["False", "True", "True"]


def test_the_renderer_registered_last_is_the_one_used() -> None:
    shown = _run(
        "import taxonomy\n"
        "from taxonomy._results import register_renderer\n"
        "from taxonomy.render import html\n"
        "class Plain:\n"
        "    def explain_text(self, rec): return 'plain ' + rec.function\n"
        "    def paragraph(self, rec, context, *, rules=None): return ''\n"
        "    def recommendation_html(self, rec, context=None, *, rules=None): return ''\n"
        "    def classification_table_html(self, result): return '<table/>'\n"
        "r = taxonomy.classify(taxonomy.load_portfolio('examples/nhs_joint_working_2018.yaml'))\n"
        "print(r['pricing'].explain() == html.explain_text(r['pricing']))\n"
        "register_renderer(Plain)\n"
        "print(r['pricing'].explain(), r._repr_html_())\n"
    )
    assert shown.split("\n")[:2] == ["True", "plain pricing <table/>"]


@pytest.mark.parametrize("name", ["_output_shape", "_explanation", "_results"])
def test_every_public_name_of_the_results_has_a_docstring(name: str) -> None:
    module = importlib.import_module(f"taxonomy.{name}")
    assert module.__doc__
    for public in module.__all__:
        found = getattr(module, public)
        if callable(found):
            assert found.__doc__, public


def test_a_key_left_out_when_none_keeps_an_empty_value() -> None:
    shape = Shape(key("id", STRING), key("open", STRINGS, omit_none=True))
    assert shape.dump(types.SimpleNamespace(id="a", open=None)) == {"id": "a"}
    assert shape.dump(types.SimpleNamespace(id="a", open=[])) == {"id": "a", "open": []}
    assert shape.schema({})["required"] == ["id"]


#: Result classes whose ``to_dict`` is still written by hand, not a Shape's ``dump``: none.
HAND_WRITTEN: set[str] = set()


def _to_dicts() -> dict[str, ast.FunctionDef]:
    """Every ``to_dict`` method in src/taxonomy, by ``path:Class``."""
    found = {}
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef) and item.name == "to_dict":
                        found[f"{path.relative_to(SRC).as_posix()}:{node.name}"] = item
    return found


def _shape_dumped(method: ast.FunctionDef) -> str | None:
    """The name of the Shape whose ``dump(self)`` is all ``method`` returns, or None."""
    body = [s for s in method.body if not isinstance(s, ast.Expr)]  # the docstring
    if len(body) != 1 or not isinstance(body[0], ast.Return):
        return None
    call = body[0].value
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
        return None
    shape, args = call.func.value, call.args
    if call.func.attr != "dump" or not isinstance(shape, ast.Name) or len(args) != 1:
        return None
    return shape.id if isinstance(args[0], ast.Name) and args[0].id == "self" else None


def test_every_result_to_dict_is_its_shape_dump_but_a_known_few_that_only_shrink() -> None:
    left = set()
    for where, method in _to_dicts().items():
        name = _shape_dumped(method)
        if name is None:
            left.add(where)
            continue
        path, _, _ = where.partition(":")
        module = importlib.import_module("taxonomy." + path.removesuffix(".py").replace("/", "."))
        assert isinstance(getattr(module, name), Shape), where
    assert left - HAND_WRITTEN == set(), "declare these with a Shape"
    assert HAND_WRITTEN - left == set(), "now derived from a Shape: take them off HAND_WRITTEN"


def test_counterfactuals_render_through_their_registered_renderers_not_an_import() -> None:
    assert not [
        name
        for name in _imports(SRC / "whatif" / "counterfactual.py")
        if name.startswith("taxonomy.render")
    ]
    shown = _run(
        "import sys, taxonomy\n"
        "from taxonomy.whatif.counterfactual import counterfactuals, robustness\n"
        "p = taxonomy.load_portfolio('examples/nhs_joint_working_2018.yaml')\n"
        "found = counterfactuals(p, 'pricing', taxonomy.Arrangement.ONE_TEAM)\n"
        "print('taxonomy.render.counterfactual' in sys.modules)\n"
        "words, page = found.explain(), found._repr_html_()\n"
        "flips = robustness(p, 'pricing')._repr_html_()\n"
        "from taxonomy.render import counterfactual as r\n"
        "print(words == r.counterfactuals_text(found), page == r.counterfactuals_html(found))\n"
        "print(flips == r.robustness_html(robustness(p, 'pricing')), words.count('\\n') > 1)\n"
    )
    assert shown.split() == ["False", "True", "True", "True", "True"]


def test_a_schema_may_list_its_keys_in_the_order_it_was_published_in() -> None:
    shape = Shape(key("a", STRING), key("b", STRING), key("c", STRING), order=("c", "a", "b"))
    assert list(shape.dump(types.SimpleNamespace(a="1", b="2", c="3"))) == ["a", "b", "c"]
    assert list(shape.schema({})["properties"]) == ["c", "a", "b"]
    assert shape.schema({})["required"] == ["c", "a", "b"]
    with pytest.raises(ValueError, match="does not list the schema's keys"):
        Shape(key("a", STRING), key("b", STRING), order=("a",))


def test_a_key_left_to_the_open_object_is_written_but_not_in_the_schema() -> None:
    shape = Shape(key("id", STRING), key("more", STRING, listed=False, omit_none=True))
    assert shape.dump(types.SimpleNamespace(id="a", more="x")) == {"id": "a", "more": "x"}
    assert list(shape.schema({})["properties"]) == ["id"]
    with pytest.raises(ValueError, match="does not list"):
        Shape(*shape.keys, order=("id", "more"))


def test_the_check_json_is_its_shapes_dump_and_valid_against_its_schema() -> None:
    from taxonomy.structure.findings import FINDING_JSON, METRICS_JSON

    report = taxonomy.structure_report(taxonomy.classify(taxonomy.load_portfolio(NHS)))
    data = report.to_dict()
    assert report.findings, "the example has findings to write"
    assert [list(f) for f in data["findings"]] == [_written(FINDING_JSON)] * len(report.findings)
    assert list(data["metrics"]["as_is"]) == _written(METRICS_JSON)
    assert data["metrics"]["to_be"]["findings"] == dict(report.to_be.findings)
    jsonschema.validate({"schema": "urn:taxonomy:schema:check:1", **data}, schema("check"))


def test_the_rules_listing_comes_from_the_rules_and_facts_data_and_validates() -> None:
    from taxonomy.language.listing import PACK_LISTING_JSON, pack_listing
    from taxonomy.language.rules import load_rules

    pack = load_rules(ROOT / "examples" / "packs" / "councils")
    listing = pack_listing(pack)
    assert list(listing) == _written(PACK_LISTING_JSON)  # extends and overrides included
    rule = pack.rules[0]
    assert listing["rules"][0] == {
        **rule.to_data(),
        "file": Path(rule.file).name,
        "folder": Path(rule.file).parent.name,
        "line": rule.line,
    }
    assert listing["facts"][0] == {
        **pack.facts.declared[0].to_data(),
        "pack": pack.facts.declared[0].pack,
    }
    jsonschema.validate(
        {"schema": "urn:taxonomy:schema:rules-list:1", **listing}, schema("rules-list")
    )


def test_a_sweep_summary_is_its_shapes_dump_and_valid_against_its_schema() -> None:
    from taxonomy.whatif.sweep import SWEEP_SUMMARY_JSON, SweepSummary

    counted = SweepSummary()
    counted.add(
        [
            {"scenario": 0, "function": "it", "arrangement": "one_team", "lead": "a"},
            {"scenario": 1, "function": "it", "arrangement": "aligned", "lead": None},
        ]
    )
    data = counted.to_dict()
    assert list(data) == ["scenarios", "records", "functions"]
    assert data["functions"][0]["leads"] == [
        {"lead": "a", "count": 1},
        {"lead": "none", "count": 1},
    ]
    jsonschema.validate(data, SWEEP_SUMMARY_JSON.schema({}))
