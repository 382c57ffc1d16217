"""The audit's picture of an execution: the flow's diagram with the path taken and each
node's time, drawn as SVG on the server so the admin needs no script."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.html import escape

NODE_W, NODE_H, PAD = 168, 58, 40
COLOURS = {
    "completed": ("#e7f6ee", "#12805c"),
    "failed": ("#fdecea", "#c4321c"),
    "running": ("#e8f0fe", "#2f6fed"),
    "waiting": ("#fff6e0", "#b7791f"),
    None: ("#f4f5f7", "#a0a7b4"),
}


@dataclass
class NodeRun:
    status: str
    duration_ms: float
    visits: int


def _positions(nodes: list[dict[str, Any]]) -> dict[str, tuple[float, float]]:
    """Designer positions when present; a simple grid for nodes without one."""
    placed: dict[str, tuple[float, float]] = {}
    for index, node in enumerate(nodes):
        position = node.get("position") or {}
        x, y = position.get("x"), position.get("y")
        if not isinstance(x, int | float) or not isinstance(y, int | float):
            x, y = (index % 5) * (NODE_W + 60), (index // 5) * (NODE_H + 60)
        placed[str(node["id"])] = (float(x), float(y))
    return placed


def summarise(steps: list[dict[str, Any]]) -> dict[str, NodeRun]:
    """Per node: the last status, the total time and how often it ran."""
    runs: dict[str, NodeRun] = {}
    for step in steps:
        run = runs.setdefault(step["node_id"], NodeRun(step["status"], 0.0, 0))
        run.status = step["status"]
        run.duration_ms += step.get("duration_ms") or 0.0
        run.visits += 1
    return runs


def render_svg(document: dict[str, Any], steps: list[dict[str, Any]]) -> str:
    nodes = (document.get("graph") or {}).get("nodes") or []
    edges = (document.get("graph") or {}).get("edges") or []
    if not nodes:
        return "<p>This flow has no nodes.</p>"
    positions = _positions(nodes)
    runs = summarise(steps)
    taken = {s.get("edge_id") for s in steps if s.get("edge_id")}
    min_x = min(x for x, _ in positions.values()) - PAD
    min_y = min(y for _, y in positions.values()) - PAD
    width = max(x for x, _ in positions.values()) - min_x + NODE_W + PAD
    height = max(y for _, y in positions.values()) - min_y + NODE_H + PAD + 16
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sluice-diagram" role="img" '
        f'aria-label="Execution path" viewBox="{min_x} {min_y} {width} {height}" '
        f'width="{width}" height="{height}" font-family="system-ui, sans-serif">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" '
        'markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="10" '
        'orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" '
        'fill="context-stroke"/></marker></defs>',
    ]
    for edge in edges:
        source, target = (
            positions.get(str(edge.get("source"))),
            positions.get(str(edge.get("target"))),
        )
        if source is None or target is None:
            continue
        x1, y1 = source[0] + NODE_W, source[1] + NODE_H / 2
        x2, y2 = target[0], target[1] + NODE_H / 2
        hot = edge.get("id") in taken
        colour, weight = ("#2f6fed", 3) if hot else ("#c3c8d1", 1.5)
        mid = (x1 + x2) / 2
        parts.append(
            f'<path d="M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}" fill="none" '
            f'stroke="{colour}" stroke-width="{weight}" marker-end="url(#arrow)" '
            f'data-edge="{escape(edge.get("id", ""))}" class="{"taken" if hot else "idle"}"/>'
        )
    for node in nodes:
        node_id = str(node["id"])
        x, y = positions[node_id]
        run = runs.get(node_id)
        fill, stroke = COLOURS.get(run.status if run else None, COLOURS[None])
        label = escape(node.get("label") or node_id)
        parts.append(
            f'<g data-node="{escape(node_id)}" class="node {run.status if run else "idle"}">'
            f'<rect x="{x}" y="{y}" width="{NODE_W}" height="{NODE_H}" rx="8" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="{2 if run else 1}"/>'
            f'<text x="{x + 12}" y="{y + 24}" font-size="14" font-weight="600" '
            f'fill="#1d2430">{label}</text>'
            f'<text x="{x + 12}" y="{y + 44}" font-size="12" fill="#667085">'
            f"{escape(node.get('type', ''))}</text>"
        )
        if run:
            times = f" x{run.visits}" if run.visits > 1 else ""
            parts.append(
                f'<text x="{x + NODE_W - 10}" y="{y + 44}" font-size="12" text-anchor="end" '
                f'fill="{stroke}" class="time">{run.duration_ms:.1f} ms{times}</text>'
            )
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)
