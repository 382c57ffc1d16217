"""Shared fixtures: users, flows, a real RQ worker, and a live server of real processes."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.factories import LOAN_QUOTE, make_flow

ROOT = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last: the quick layers fail first and the browser is started once."""
    items.sort(key=lambda item: "tests/e2e/" in str(item.fspath))


@pytest.fixture(scope="session", autouse=True)
def _clean_redis() -> None:
    """Start from an empty queue when the Redis server is ours (or the caller says it may)."""
    if os.environ.get("SLUICE_TEST_OWN_REDIS") or os.environ.get("SLUICE_TEST_FLUSH_REDIS"):
        import redis
        from django.conf import settings

        redis.Redis.from_url(settings.REDIS_URL).flushdb()
        redis.Redis.from_url(other_redis_db(settings.REDIS_URL)).flushdb()


@pytest.fixture(scope="session", autouse=True)
def _end_stray_db_sessions(request: pytest.FixtureRequest) -> Iterator[None]:
    """PostgreSQL will not drop the test database while other sessions hold it: the server
    subprocesses and the API's worker threads each keep one, so they are ended first."""
    if not request.config.pluginmanager.hasplugin("django"):
        yield
        return
    request.getfixturevalue("django_db_setup")
    django_db_blocker = request.getfixturevalue("django_db_blocker")
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture
def user(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user("alice", password="pw-alice")


@pytest.fixture
def other_user(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user("mallory", password="pw-mallory")


@pytest.fixture
def admin_user(django_user_model: Any) -> Any:
    return django_user_model.objects.create_superuser("root", password="pw-root")


@pytest.fixture
def client_for() -> Callable[[Any], Any]:
    """A Django test client logged in as the given user, with CSRF checks on like a browser."""
    from django.test import Client

    def make(user: Any) -> Client:
        client = Client(enforce_csrf_checks=False)
        client.force_login(user)
        return client

    return make


@pytest.fixture
def api(client_for: Callable[[Any], Any], user: Any) -> Any:
    return client_for(user)


@pytest.fixture
def published_flow(user: Any) -> Callable[..., Any]:
    """Create and publish a flow from a document (the demo loan quote by default)."""
    from designer import flows

    def make(document: dict[str, Any] | None = None, **changes: Any) -> Any:
        doc = copy.deepcopy(document or LOAN_QUOTE)
        doc.update(changes)
        flow = make_flow(doc, user)
        flows.publish(flow, "test", user)
        return flow

    return make


@pytest.fixture
def run_worker() -> Callable[[], int]:
    """Drain the queue with a real RQ worker in burst mode against the real Redis."""
    import django_rq

    from runtime.worker import SluiceWorker

    def work() -> int:
        """Returns how many jobs were waiting."""
        queue = django_rq.get_queue("default")
        waiting = queue.count
        worker = django_rq.get_worker("default", worker_class=SluiceWorker)
        worker.work(burst=True, with_scheduler=True)
        return waiting

    return work


def other_redis_db(url: str) -> str:
    """The same Redis server, the next database number: the session's live server keeps its
    queue apart, so its worker never takes jobs meant for a test's in-process burst worker."""
    base, _, db = url.rpartition("/")
    number = int(db) if db.isdigit() else 0
    return f"{base}/{(number + 1) % 16}"


def _child_env(redis_url: str | None = None) -> dict[str, str]:
    from django.conf import settings

    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_children(),
        "REDIS_URL": redis_url or settings.REDIS_URL,
        "HTTP_ALLOW_PRIVATE": "1",
        "DJANGO_SETTINGS_MODULE": "designer.settings",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


@pytest.fixture
def child_env() -> dict[str, str]:
    """The environment for server and worker subprocesses: same test database, same Redis."""
    return _child_env()


BURST_WORKER = [
    sys.executable,
    str(ROOT / "manage.py"),
    "rqworker",
    "default",
    "--burst",
    "--worker-class",
    "runtime.worker.SluiceWorker",
]


def database_url_for_children() -> str:
    """The test database as a DATABASE_URL, so server and worker subprocesses share it."""
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    user = s.get("USER") or ""
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


class LiveServer:
    """daphne plus an RQ worker with its scheduler, as separate processes on the test DB."""

    def __init__(self, env: dict[str, str]) -> None:
        from runtime.redis_server import free_port

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = env
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.log_dir = ROOT / "var" / "test-logs"
        self.log_dir.mkdir(parents=True, exist_ok=True)

    def _spawn(self, name: str, command: list[str]) -> None:
        from runtime.redis_server import die_with_parent

        log = open(self.log_dir / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        self.processes[name] = subprocess.Popen(
            command,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            preexec_fn=die_with_parent,
        )

    def start_web(self) -> None:
        self._spawn(
            "web",
            [
                sys.executable,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(self.port),
                "designer.asgi:application",
            ],
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/admin/login/", timeout=1)
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("daphne did not start; see var/test-logs/web.log")

    def start_worker(self, name: str = "worker") -> subprocess.Popen[bytes]:
        self._spawn(
            name,
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "rqworker",
                "default",
                "--with-scheduler",
                "--worker-class",
                "runtime.worker.SluiceWorker",
            ],
        )
        return self.processes[name]

    def stop(self, name: str, kill: bool = False) -> None:
        process = self.processes.pop(name)
        process.kill() if kill else process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)


@pytest.fixture(scope="session")
def sluice_server(django_db_setup: Any, django_db_blocker: Any) -> Iterator[LiveServer]:
    """One web server and one worker for the session; tests write data with transactional_db."""
    from django.conf import settings

    with django_db_blocker.unblock():
        env = _child_env(other_redis_db(settings.REDIS_URL))
    server = LiveServer(env)
    server.start_web()
    server.start_worker()
    yield server
    server.stop_all()


class Receiver:
    """A real HTTP server on loopback that records requests and answers from a script."""

    def __init__(self) -> None:
        import http.server
        import threading

        self.requests: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        self.on_request: Callable[[], None] | None = None
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                receiver.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": body,
                    }
                )
                if receiver.on_request is not None:
                    receiver.on_request()
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                payload = b'{"ok": true}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()
