"""networkx views of a team's knowledge graph: who owns what, involvement, topic timelines, central topics,
overdue items; and GraphML / JSON export for other tools."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import networkx as nx

from companion.kg.records import Item
from companion.models import Meeting

GRAPH_FORMATS = ("graphml", "json")
_XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def build_graph(meetings: Sequence[Meeting], people: dict[int, tuple[str, list[str]]], items: Sequence[Item],
                relations: Sequence[dict[str, Any]]) -> nx.MultiDiGraph:
    """One team's graph: meeting, person, item and topic nodes (``kind``, ``label`` ...), relation edges."""
    graph = nx.MultiDiGraph()
    for m in meetings:
        graph.add_node(f"meeting:{m.id}", kind="meeting", label=m.title, date=m.date, meeting_id=m.id)
    for pid, (name, aliases) in people.items():
        graph.add_node(f"person:{pid}", kind="person", label=name, aliases=", ".join(aliases))
    for item in items:
        first = item.evidence[0] if item.evidence else None
        graph.add_node(f"item:{item.id}", kind=item.kind, label=item.text, status=item.status,
                       owner=item.owner or "", due=item.due or "", overdue=item.overdue, topic=item.topic or "",
                       meeting_id=item.meeting_id, date=item.meeting_date,
                       start=first.start if first else 0.0, end=first.end if first else 0.0,
                       speaker=first.speaker if first else "", quote=first.quote[:500] if first else "")
        subject = _topic_key(item.text if item.kind == "topic" else item.topic)
        if subject:
            if subject not in graph:
                graph.add_node(subject, kind="subject", label=(item.text if item.kind == "topic" else item.topic))
            graph.add_edge(f"item:{item.id}", subject, key="about", kind="about", meeting_id=item.meeting_id)
    for r in relations:
        if r["src"] in graph and r["dst"] in graph:
            graph.add_edge(r["src"], r["dst"], kind=r["kind"], meeting_id=r["meeting_id"] or 0)
    return graph


def _topic_key(title: str | None) -> str | None:
    words = " ".join((title or "").lower().split())
    return f"subject:{words}" if words else None


def who_owns_what(graph: nx.MultiDiGraph, only_open: bool = True) -> dict[str, list[str]]:
    """Person -> the action items they own (open ones only by default)."""
    owned: dict[str, list[str]] = {}
    for src, dst, data in graph.edges(data=True):
        if data["kind"] == "owns" and (not only_open or graph.nodes[dst].get("status") == "open"):
            owned.setdefault(graph.nodes[src]["label"], []).append(graph.nodes[dst]["label"])
    return owned


def involvement(graph: nx.MultiDiGraph, person: str) -> list[dict[str, Any]]:
    """What a person (name or alias) is involved in: the meetings they attended and the items they own."""
    node = next((n for n, d in graph.nodes(data=True) if d["kind"] == "person" and
                 person.lower() in [d["label"].lower(), *(a.strip().lower() for a in d["aliases"].split(","))]),
                None)
    if node is None:
        return []
    return [{"node": dst, **graph.nodes[dst], "relation": data["kind"]}
            for _, dst, data in graph.out_edges(node, data=True)]


def topic_timeline(graph: nx.MultiDiGraph, topic: str) -> list[dict[str, Any]]:
    """Everything about a topic across meetings, oldest first: items whose text or topic title has all its
    words ("onboarding": the open question on drop-off, the decision to cut it to three screens ...)."""
    wanted = topic.lower().split()
    found = [{"node": n, **d} for n, d in graph.nodes(data=True) if n.startswith("item:")
             and all(w in f"{d['label']} {d['topic']}".lower() for w in wanted)]
    return sorted(found, key=lambda d: (d["date"], d["start"]))


def central_topics(graph: nx.MultiDiGraph, top: int = 5) -> list[tuple[str, float]]:
    """The subjects most connected to the rest of the graph (PageRank on the undirected graph)."""
    if graph.number_of_nodes() == 0:
        return []
    rank = nx.pagerank(nx.Graph(graph))
    subjects = [(graph.nodes[n]["label"], score) for n, score in rank.items() if graph.nodes[n]["kind"] == "subject"]
    return sorted(subjects, key=lambda pair: -pair[1])[:top]


def overdue_items(graph: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Open action items past their due date, earliest due first."""
    found = [{"node": n, **d} for n, d in graph.nodes(data=True) if d.get("overdue")]
    return sorted(found, key=lambda d: d["due"])


def export_graph(graph: nx.MultiDiGraph, fmt: str) -> str:
    """The graph as GraphML or node-link JSON (GraphML without the control characters XML forbids)."""
    if fmt == "graphml":
        clean = nx.MultiDiGraph(graph)
        for _, data in clean.nodes(data=True):
            data.update({k: _XML_FORBIDDEN.sub("", v) for k, v in data.items() if isinstance(v, str)})
        return "\n".join(nx.generate_graphml(clean))
    if fmt == "json":
        return json.dumps(nx.node_link_data(graph, edges="edges"), indent=2, ensure_ascii=False)
    raise ValueError(f"unknown graph format {fmt!r}")
