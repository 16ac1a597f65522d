"""Writing accountability graphs: GraphML, DOT and node-link JSON.

GraphML and JSON keep every attribute; lists become comma-separated text in GraphML (which has no
list type) and absent values become empty text. DOT carries the Annex B key as shapes and line
styles, for users who render it with Graphviz.
"""

from __future__ import annotations

import io
import json
from typing import Any

import networkx as nx

from taxonomy.schemas._ids import stamp
from taxonomy.structure.graph import Graph

__all__ = ["FORMATS", "to_dot", "to_graphml", "to_node_link_json"]

#: The text formats this module writes.
FORMATS = ("graphml", "dot", "json")


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value)
    return value


def _flat(graph: Graph) -> Graph:
    flat: Graph = nx.MultiDiGraph()
    flat.graph.update({k: _plain(v) for k, v in graph.graph.items()})
    for node, data in graph.nodes(data=True):
        flat.add_node(node, **{k: _plain(v) for k, v in data.items()})
    for u, v, key, data in graph.edges(keys=True, data=True):
        flat.add_edge(u, v, key=key, **{k: _plain(v) for k, v in data.items()})
    return flat


def to_graphml(graph: Graph) -> str:
    """GraphML text of the graph, every attribute kept."""
    buffer = io.BytesIO()
    nx.write_graphml(_flat(graph), buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue().decode("utf-8")


def to_node_link_json(graph: Graph) -> str:
    """Node-link JSON (``networkx.node_link_data``), keys sorted: same graph, same bytes."""
    data = stamp("graph", nx.node_link_data(graph, edges="links"))
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=list) + "\n"


_SHAPES = {
    "board": "box3d",
    "joint_body": "hexagon",
    "independent_body": "doubleoctagon",
    "team": "box",
    "role": "ellipse",
    "function": "note",
}
_STYLES = {
    "reports_to": {"style": "solid", "penwidth": "1.6"},
    "accountable_to": {"style": "solid", "color": "#6a3d9a"},
    "delegates_to": {"style": "bold", "color": "#b15928"},
    "independent_of": {"style": "dotted", "color": "#6a3d9a"},
    "consents": {"style": "dashed", "color": "#b15928"},
    "employs": {"style": "dotted", "color": "#999999", "arrowhead": "none"},
    "performs": {"style": "solid", "color": "#33a02c", "arrowhead": "none"},
    "influences": {"style": "dashed", "color": "#1f78b4"},
}


def to_dot(graph: Graph) -> str:
    """DOT text with the Annex B key: shapes by node kind, line styles by edge kind."""
    import pydot

    dot = pydot.Dot(
        graph_name="accountability", graph_type="digraph", rankdir="BT", fontname="Helvetica"
    )
    for node, data in graph.nodes(data=True):
        dot_node = pydot.Node(json.dumps(node))
        dot_node.set("label", json.dumps(str(data.get("label", node))))
        dot_node.set("shape", _SHAPES.get(str(data.get("kind")), "box"))
        for key, value in data.items():
            if key != "label":
                dot_node.set(key, json.dumps(str(_plain(value))))
        if data.get("status") == "planned":  # a planned joint body or post: dashed
            dot_node.set("style", "dashed")
        dot.add_node(dot_node)
    for u, v, data in graph.edges(data=True):
        kind = str(data.get("kind"))
        dot_edge = pydot.Edge(json.dumps(u), json.dumps(v))
        dot_edge.set("kind", json.dumps(kind))
        for key, value in _STYLES.get(kind, {}).items():
            dot_edge.set(key, value)
        if data.get("status") == "planned":  # a planned delegation or membership: dashed
            dot_edge.set("style", "dashed")
            dot_edge.set("status", "planned")
        dot.add_edge(dot_edge)
    return str(dot.to_string())
