"""The audit diagram: the path taken is drawn, times are shown, designer text is escaped."""

from __future__ import annotations

from tests.factories import LOAN_QUOTE


def steps(*rows: tuple[str, str, float, str | None]) -> list[dict]:
    return [{"node_id": n, "status": s, "duration_ms": d, "edge_id": e} for n, s, d, e in rows]


def test_taken_path_and_times_are_drawn() -> None:
    from runtime.diagram import render_svg

    svg = render_svg(
        LOAN_QUOTE,
        steps(
            ("start", "completed", 0.1, "e1"),
            ("calc", "completed", 2.5, "e2"),
            ("check", "completed", 0.3, "e3"),
            ("ok", "completed", 0.2, None),
        ),
    )
    assert svg.count('class="taken"') == 3
    assert svg.count('class="idle"') == 1
    assert 'data-node="no" class="node idle"' in svg
    assert "2.5 ms" in svg


def test_repeated_nodes_add_up_and_failures_show() -> None:
    from runtime.diagram import render_svg

    svg = render_svg(
        LOAN_QUOTE,
        steps(("calc", "failed", 1.0, None), ("calc", "completed", 2.0, "e2")),
    )
    assert "3.0 ms x2" in svg


def test_designer_text_is_escaped() -> None:
    from runtime.diagram import render_svg

    document = {
        "graph": {"nodes": [{"id": "a", "type": "log", "label": "<script>x</script>"}], "edges": []}
    }
    svg = render_svg(document, [])
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
