"""The README's run command, from a clean clone: it serves pages and websockets, and Ctrl-C
leaves no process behind."""

from __future__ import annotations

import asyncio
import json
import os
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest
import websockets

ROOT = Path(__file__).resolve().parent.parent


def _read_until(process: subprocess.Popen[str], pattern: str, timeout: float) -> tuple[str, str]:
    """Read the command's output until a line matches; returns (match group 1, all output)."""
    seen = []
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.5)
        if ready:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
            seen.append(line)
            match = re.search(pattern, line)
            if match:
                return match.group(1), "".join(seen)
        elif process.poll() is not None:
            break
    raise AssertionError(f"{pattern!r} never printed:\n{''.join(seen)[-4000:]}")


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


async def _snapshot(base: str, cookies: dict[str, str], execution_id: str) -> dict:
    ws_url = base.replace("http://", "ws://") + f"/ws/executions/{execution_id}/"
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    async with websockets.connect(
        ws_url, additional_headers={"Cookie": cookie}, origin=base
    ) as socket:
        return json.loads(await asyncio.wait_for(socket.recv(), timeout=10))


def test_run_command_from_a_clean_clone(tmp_path: Path) -> None:
    clone = tmp_path / "sluice"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    # The clone reuses this virtualenv (VENV) so the test does not reinstall every wheel; its
    # install stamp is made newer than the clone's pyproject.toml so make leaves it alone.
    (Path(sys.prefix) / ".installed").touch()
    os.utime(clone / "pyproject.toml", (0, 0))
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(PORT="0", VENV=str(Path(sys.prefix)), PYTHONUNBUFFERED="1")
    # npm install, the editor build, migrations, demo, Redis and all servers run for real.
    process = subprocess.Popen(
        ["make", "run", f"VENV={sys.prefix}"],
        cwd=clone,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    children: list[psutil.Process] = []
    try:
        base, output = _read_until(process, r"running at (http://\S+?)/?\s*$", timeout=420)
        password = re.search(r"Admin login: admin / (\S+)", output).group(1)
        children = _descendants(process.pid)
        assert len(children) >= 4, children
        web = [c for c in children if "daphne" in " ".join(c.cmdline())]
        assert len(web) == min(os.cpu_count() or 1, 4), web  # one per core, on one port

        with httpx.Client(base_url=base, timeout=20) as client:
            login_page = client.get("/admin/login/")
            assert login_page.status_code == 200
            client.post(
                "/admin/login/?next=/designer/",
                data={
                    "username": "admin",
                    "password": password,
                    "csrfmiddlewaretoken": client.cookies["csrftoken"],
                },
                headers={"Referer": base + "/admin/login/"},
            )
            designer = client.get("/designer/")
            assert designer.status_code == 200
            assert "editor.js" in designer.text
            started = client.post(
                "/api/flows/loan-quote/executions?sync=true",
                json={"input": {"amount": 10}},
                headers={"X-CSRFToken": client.cookies["csrftoken"]},
            )
            assert started.status_code == 200, started.text
            cookies = dict(client.cookies)
        snapshot = asyncio.run(_snapshot(base, cookies, started.json()["id"]))
        assert snapshot["type"] == "execution.snapshot"
        assert snapshot["execution"]["output"]["total"] == pytest.approx(10.5)
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise
    time.sleep(0.5)
    alive = [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
    assert alive == [], f"left behind: {alive}"
