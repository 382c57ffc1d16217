"""Run the whole application: Redis when needed, daphne (HTTP + websockets), an RQ worker with
its scheduler, and the reconciler. Ctrl-C stops everything and leaves no process behind.

One daphne per core by default (WEB_PROCESSES): a daphne process is one event loop on one core,
so a second doubles what the web side can serve (a bare request: ~1,000 -> ~1,800/s on two
cores). Each gets its own listening socket on the same port (SO_REUSEPORT), so the kernel
spreads connections evenly; one shared socket lets whichever process wakes first take them.
Websockets work on any of them: events reach every process through the channel layer."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from designer.demo import ensure_admin, load_demo
from runtime.redis_server import EmbeddedRedis, die_with_parent, free_port

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")


def default_web_processes() -> int:
    """WEB_PROCESSES, else one per core, at most 4."""
    return int(os.environ.get("WEB_PROCESSES") or min(os.cpu_count() or 1, 4))


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on (host, port) that other processes may also bind (SO_REUSEPORT)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    listener.bind((host, port))
    listener.listen(1024)
    listener.setblocking(False)
    return listener


def _port_free(host: str, port: int) -> bool:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        return sock.connect_ex((host, port)) != 0


class Command(BaseCommand):
    help = "Set up the database and demo, then run web, websocket, worker and scheduler."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "1")))
        parser.add_argument(
            "--web-processes",
            type=int,
            default=default_web_processes(),
            help="daphne processes sharing the port (default: one per core, at most 4)",
        )
        parser.add_argument("--no-demo", action="store_true", help="skip the demo flows")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if not options["no_demo"]:
            load_demo()
        self._print_admin()
        env = os.environ.copy()
        redis = None
        if not env.get("REDIS_URL"):
            redis = EmbeddedRedis(data_dir=str(Path(settings.VAR_DIR) / "redis")).start()
            env["REDIS_URL"] = redis.url
            self.stdout.write(f"Redis-compatible server (valkey) on {redis.url}")
        host, port = options["host"], options["port"]
        if port == 0 or not _port_free(host, port):
            port = free_port(host)
        listeners = [listen(host, port) for _ in range(max(1, options["web_processes"]))]
        children = [
            self._spawn(
                f"web-{n + 1}",
                [
                    sys.executable,
                    "-m",
                    "daphne",
                    "--fd",
                    str(listener.fileno()),
                    "designer.asgi:application",
                ],
                env,
                pass_fds=(listener.fileno(),),
            )
            for n, listener in enumerate(listeners)
        ]
        for n in range(options["workers"]):
            worker = [
                sys.executable,
                MANAGE,
                "rqworker",
                "default",
                "--worker-class",
                "runtime.worker.SluiceWorker",
            ]
            if n == 0:
                worker.append("--with-scheduler")
            children.append(self._spawn(f"worker-{n + 1}", worker, env))
        children.append(
            self._spawn("reconciler", [sys.executable, MANAGE, "reconcile", "--loop"], env)
        )
        for listener in listeners:
            listener.close()  # the web processes hold their own copies
        self._wait_for_web(host, port, children)
        self.stdout.write(self.style.SUCCESS(f"Sluice is running at http://{host}:{port}/"))
        self.stdout.write("Press Ctrl-C to stop.")
        self.stdout.flush()
        code = self._supervise(children)
        self._stop(children)
        if redis is not None:
            redis.stop()
        self.stdout.write("Stopped.")
        sys.exit(code)

    def _print_admin(self) -> None:
        path = Path(settings.VAR_DIR) / "admin-password.txt"
        username, password = ensure_admin()
        if password:
            path.write_text(password)
            path.chmod(0o600)
        elif path.exists():
            password = path.read_text().strip()
        shown = password or "(set earlier; reset with manage.py changepassword admin)"
        self.stdout.write(f"Admin login: {username} / {shown}")

    def _spawn(
        self, name: str, command: list[str], env: dict[str, str], **kwargs: Any
    ) -> subprocess.Popen:
        process = subprocess.Popen(
            command, env=env, preexec_fn=die_with_parent, start_new_session=True, **kwargs
        )
        process.name = name  # type: ignore[attr-defined]
        return process

    def _wait_for_web(self, host: str, port: int, children: list[subprocess.Popen]) -> None:
        """Until the web processes answer (the sockets accept before daphne serves them)."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if any(c.poll() is not None for c in children):
                return
            connection = http.client.HTTPConnection(host, port, timeout=2)
            try:
                connection.request("GET", "/api/schema/")
                connection.getresponse().read()
                return
            except OSError:
                time.sleep(0.1)
            finally:
                connection.close()

    def _supervise(self, children: list[subprocess.Popen]) -> int:
        stopping = {"signal": None}

        def on_signal(signum: int, frame: Any) -> None:
            stopping["signal"] = signum

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        while stopping["signal"] is None:
            for child in children:
                if child.poll() is not None:
                    self.stderr.write(f"{child.name} exited with {child.returncode}; stopping")
                    return 1
            time.sleep(0.2)
        return 0

    def _stop(self, children: list[subprocess.Popen]) -> None:
        for child in children:
            if child.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGKILL)
                child.wait()
