"""Designer benchmark: opening and saving a 300-node, 400-edge flow in headless Chromium.

Run with `.venv/bin/python tests/benchmarks/bench_designer.py` (about half a minute). It sets
up everything itself in a temporary directory: a fresh SQLite database (migrated), an embedded
valkey, a superuser, a generated 300-node / 400-edge microflow laid out on a grid and a
two-node flow; then starts daphne as a subprocess on them and drives Debian's Chromium with
Playwright, logged in through the admin login form. For each flow it loads the editor
`--runs` times (after one warm-up load) and measures, in the page:

- nodes rendered: navigation start → the first animation frame in which the nodes are on the
  canvas and measured (React Flow hides a node until it knows its size);
- interactive: navigation start → the frame that paints a node selected by a click sent as
  soon as the nodes were rendered (so the canvas took the click);
- save: a click on Save → the frame that shows "Saved", and the PUT's own round trip from the
  browser's resource timing.

Baselines from the same run: the two-node flow for the page (what React, the bundle and the
API cost with nothing on the canvas), and a bare PUT of each document with httpx (the
server's share of a save). Medians are printed with the ratios and the targets (interactive
< 1 s, save < 200 ms). `--trace FILE` records a Chrome performance trace of one load of the
big flow (open it in chrome://tracing or https://ui.perfetto.dev).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if __package__ in (None, ""):
    sys.path.insert(0, str(ROOT))

BIG, SMALL = "bench-big", "bench-small"
NODES, EDGES = 300, 400
USER = "bench"
DAPHNE = [sys.executable, "-m", "daphne", "-b", "127.0.0.1"]
PASSWORD = uuid.uuid4().hex

# Installed before the page's own scripts: marks on performance.now() (navigation start = 0).
PROBE = """
(() => {
  const bench = (window.__bench = {});
  const onFrame = (name) => requestAnimationFrame(() => { bench[name] = performance.now(); });
  const rendered = () => {
    const node = document.querySelector('.react-flow__node');
    if (node && node.style.visibility === 'visible') bench.rendered = performance.now();
    else requestAnimationFrame(rendered);
  };
  requestAnimationFrame(rendered);
  document.addEventListener('pointerdown', () => {
    if (!bench.click) bench.click = performance.now();
  }, true);
  document.addEventListener('click', (e) => {
    if (!e.target.closest('[data-testid="save"]')) return;
    bench.saveClick = performance.now();
    delete bench.saved;
  }, true);
  new MutationObserver(() => {
    const selected = document.querySelector('.react-flow__node.selected');
    if (bench.click && !('selected' in bench) && selected) {
      bench.selected = null;
      onFrame('selected');
    }
    const status = document.querySelector('[data-testid="save-status"]');
    if (bench.saveClick && !('saved' in bench) && status && status.textContent.trim() === 'Saved') {
      bench.saved = null;
      onFrame('saved');
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
})();
"""


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def big_flow(key: str = BIG, nodes: int = NODES, edges: int = EDGES) -> dict[str, Any]:
    """start → n1 … n298 → end on a 20-column grid: every third node a decision whose
    condition goes on and whose default skips one node; error edges make up the count."""
    middle = nodes - 2
    ids = ["start", *[f"n{i}" for i in range(1, middle + 1)], "end"]
    doc_nodes: list[dict[str, Any]] = []
    for i, node_id in enumerate(ids):
        position = {"x": (i % 20) * 256, "y": (i // 20) * 128}
        if node_id in ("start", "end"):
            node: dict[str, Any] = {"id": node_id, "type": node_id, "config": {}}
        elif i % 3 == 0:
            node = {"id": node_id, "type": "decision", "config": {}}
        elif i % 3 == 1:
            expression = f"{i} * 2"
            assignment = {"variable": f"v{i}", "expression": expression}
            node = {"id": node_id, "type": "assign", "config": {"assignments": [assignment]}}
        else:
            node = {"id": node_id, "type": "log", "config": {"message": f"'step {i}'"}}
        doc_nodes.append({**node, "position": position})
    doc_edges: list[dict[str, Any]] = []
    for i in range(len(ids) - 1):
        edge: dict[str, Any] = {"id": f"e{i}", "source": ids[i], "target": ids[i + 1]}
        if doc_nodes[i]["type"] == "decision":
            edge["condition"] = f"v{i - 2} > 0"
            skip = ids[min(i + 2, len(ids) - 1)]
            doc_edges.append({"id": f"d{i}", "source": ids[i], "target": skip, "default": True})
        doc_edges.append(edge)
    spare = [n["id"] for n in doc_nodes if n["type"] in ("assign", "log")]
    for j, source in enumerate(spare):
        if len(doc_edges) >= edges:
            break
        doc_edges.append({"id": f"x{j}", "source": source, "target": "end", "on_error": True})
    assert len(doc_nodes) == nodes and len(doc_edges) == edges, (len(doc_nodes), len(doc_edges))
    return {
        "key": key,
        "name": f"Benchmark {nodes} nodes",
        "kind": "micro",
        "description": "",
        "parameters": [],
        "graph": {"nodes": doc_nodes, "edges": doc_edges},
    }


def small_flow() -> dict[str, Any]:
    return {
        "key": SMALL,
        "name": "Benchmark two nodes",
        "kind": "micro",
        "description": "",
        "parameters": [],
        "graph": {
            "nodes": [
                {"id": "start", "type": "start", "position": {"x": 0, "y": 0}, "config": {}},
                {"id": "end", "type": "end", "position": {"x": 400, "y": 0}, "config": {}},
            ],
            "edges": [{"id": "e1", "source": "start", "target": "end"}],
        },
    }


def set_up(tmp: Path) -> Any:
    """Database, Redis and Django for this process and the server it starts."""
    from runtime.redis_server import EmbeddedRedis

    redis = EmbeddedRedis(data_dir=str(tmp / "redis")).start()
    os.environ.update(
        {
            "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
            "REDIS_URL": redis.url,
            "SLUICE_VAR_DIR": str(tmp),
            "DJANGO_SETTINGS_MODULE": "designer.settings",
            "LOG_LEVEL": "WARNING",
            "DEBUG": "0",
        }
    )
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from designer import flows

    call_command("migrate", interactive=False, verbosity=0)
    user = User.objects.create_superuser(USER, password=PASSWORD)
    flows.create_flow(big_flow(), user)
    flows.create_flow(small_flow(), user)
    return redis


def start_server(tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    from runtime.redis_server import die_with_parent, free_port

    port = free_port()
    with open(tmp / "web.log", "wb") as out:
        server = subprocess.Popen(
            [*DAPHNE, "-p", str(port), "designer.asgi:application"],
            cwd=ROOT,
            env=dict(os.environ),
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError((tmp / "web.log").read_text(errors="replace")[-2000:])
        with contextlib.suppress(OSError):
            urllib.request.urlopen(f"{url}/admin/login/", timeout=1)
            return server, url
        time.sleep(0.1)
    raise RuntimeError("daphne did not start")


def load(page: Any, url: str, key: str) -> dict[str, float]:
    """One load of the editor: rendered, interactive, then a save."""
    page.goto(f"{url}/designer/flows/{key}/", wait_until="commit")
    page.wait_for_function("() => window.__bench && window.__bench.rendered")
    box = page.locator(".react-flow__node").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("() => window.__bench.selected")
    page.get_by_test_id("save").click()
    page.wait_for_function("() => window.__bench.saved")
    marks = page.evaluate(
        """key => {
            const b = window.__bench;
            const puts = performance.getEntriesByType('resource').filter(
                e => e.initiatorType === 'fetch' && e.name.endsWith(`/api/flows/${key}`)
                    && e.startTime >= b.saveClick);
            return {...b, put: puts.length ? puts[puts.length - 1].duration : null};
        }""",
        key,
    )
    return {
        "rendered": marks["rendered"],
        "interactive": marks["selected"],
        "click": marks["selected"] - marks["click"],
        "save": marks["saved"] - marks["saveClick"],
        "put": marks["put"],
    }


def bare_puts(url: str, cookies: dict[str, str], key: str, runs: int) -> list[float]:
    """The server's share of a save: GET the draft once, then PUT it back `runs` times."""
    import httpx

    headers = {"X-CSRFToken": cookies["csrftoken"], "Accept": "application/json"}
    with httpx.Client(base_url=url, cookies=cookies, headers=headers) as client:
        doc = client.get(f"/api/flows/{key}").raise_for_status().json()
        body = {k: doc[k] for k in ("name", "kind", "description", "parameters", "graph")}
        revision, times = doc["revision"], []
        for _ in range(runs + 1):
            began = time.perf_counter()
            answer = client.put(f"/api/flows/{key}", json={**body, "revision": revision})
            times.append((time.perf_counter() - began) * 1000)
            revision = answer.raise_for_status().json()["revision"]
    return times[1:]


def measure(url: str, runs: int, trace: str | None) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or "/usr/bin/chromium"
    results: dict[str, Any] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(f"{url}/admin/login/?next=/designer/")
        page.fill("#id_username", USER)
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url("**/designer/")
        context.add_init_script(PROBE)
        for key in (SMALL, BIG):
            log(f"{key}: warm-up load, then {runs} measured")
            load(page, url, key)
            results[key] = [load(page, url, key) for _ in range(runs)]
        if trace:
            browser.start_tracing(page=page, path=trace, screenshots=False)
            load(page, url, BIG)
            browser.stop_tracing()
            log(f"Chrome trace of one {BIG} load written to {trace}")
        cookies = {c["name"]: c["value"] for c in context.cookies()}
        browser.close()
    for key in (SMALL, BIG):
        results[f"{key}-bare-put"] = bare_puts(url, cookies, key, runs)
    return results


def report(results: dict[str, Any], runs: int) -> str:
    def med(key: str, field: str) -> float:
        return statistics.median(r[field] for r in results[key])

    big_put = statistics.median(results[f"{BIG}-bare-put"])
    small_put = statistics.median(results[f"{SMALL}-bare-put"])
    head = f"median of {runs} runs, ms"
    title = f"{head:<44} {'2 nodes':>9} {'300 nodes':>10} {'ratio':>7}"
    rows = [
        ("navigation start → nodes rendered", med(SMALL, "rendered"), med(BIG, "rendered")),
        ("navigation start → interactive", med(SMALL, "interactive"), med(BIG, "interactive")),
        ("  of which click → selection painted", med(SMALL, "click"), med(BIG, "click")),
        ("save: click → “Saved” painted", med(SMALL, "save"), med(BIG, "save")),
        ("save: the PUT seen by the page", med(SMALL, "put"), med(BIG, "put")),
        ("bare PUT with httpx (baseline)", small_put, big_put),
    ]
    lines = [
        f"Sluice designer benchmark: {NODES} nodes / {EDGES} edges vs 2 nodes / 1 edge;"
        f" daphne, SQLite, headless Chromium 1400x900; {os.cpu_count()} CPUs",
        "",
        title,
        "-" * len(title),
    ]
    for label, small, big in rows:
        lines.append(f"{label:<44} {small:>9.1f} {big:>10.1f} {big / small:>6.1f}x")
    interactive, save = med(BIG, "interactive"), med(BIG, "save")
    lines += [
        "",
        f"save of {NODES} nodes vs its bare PUT: x{save / big_put:.1f} ({save - big_put:+.1f} ms"
        " in the browser)",
        "targets:",
        f"  first interactive render {interactive:.0f} ms"
        f"  [target < 1000 ms: {'PASS' if interactive < 1000 else 'FAIL'}]",
        f"  save {save:.0f} ms  [target < 200 ms: {'PASS' if save < 200 else 'FAIL'}]",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="measured loads per flow (5)")
    parser.add_argument("--trace", metavar="FILE", help="write a Chrome trace of one big load")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    if not (ROOT / "static" / "dist" / "editor.js").exists():
        log("static/dist/editor.js is missing: run `npm run build` first")
        return 1
    tmp = Path(tempfile.mkdtemp(prefix="sluice-bench-designer-"))
    redis = server = None
    began = time.monotonic()
    try:
        redis = set_up(tmp)
        server, url = start_server(tmp)
        log(f"daphne on {url}; tmp {tmp}")
        results = measure(url, args.runs, args.trace)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        if redis is not None:
            redis.stop()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    print(report(results, args.runs), flush=True)
    log(f"done in {time.monotonic() - began:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
