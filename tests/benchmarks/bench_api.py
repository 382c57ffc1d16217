"""API benchmark (issue 4): sync round trips against a bare Django view, async start-to-websocket
latency, and async executions per second with one and two RQ workers, on real processes.

Run with `.venv/bin/python tests/benchmarks/bench_api.py` (about 2-3 minutes; `--quick` takes
under one). It sets everything up itself in a temporary directory: a fresh SQLite database (or,
when DATABASE_URL names a PostgreSQL server, a scratch database on it that is dropped at the
end), an embedded valkey unless REDIS_URL is set, a user with a bearer token and a session, and
a published 10-node microflow (start, 4 x assign + decision, end). It then starts daphne (one
per core), two SluiceWorkers (RQ SimpleWorkers) and the reconciler loop as subprocesses, the
way `manage.py serve` does, and measures, on that one server:

- `GET /api/bare/` (no auth, no ORM: Django's own floor) against
  `POST /api/flows/<key>/executions?sync=true` (bearer auth, insert, 10 steps, final write), one
  client at a time for latency and `--concurrency` keep-alive clients for requests/s;
- from sending an async start (202) to receiving `execution.finished` on `/ws/executions/<id>/`
  (the socket is opened right after the 202; the snapshot covers the race), one at a time while
  idle and while another client keeps `--load-rate` async starts/s flowing;
- async executions/s: `--executions` runs created with `create_execution` in one transaction
  (enqueued on commit), timed from the first start to the last finish recorded in the database,
  with two workers and then with one.

Progress goes to stderr, the table to stdout. Every subprocess is stopped on exit, Ctrl-C
included; a watchdog (`--budget`) ends a run that overstays and prints what it measured.

Flags: `--quick` (smaller counts), `--concurrency N`, `--requests N`, `--async-samples N`,
`--load-rate N`, `--load-seconds S`, `--executions N`, `--web-procs N` (daphne processes, each
on its own SO_REUSEPORT socket; by default one per core, as `serve` runs them),
`--server daphne|uvicorn` (uvicorn must be installed),
`--httpx` (drive HTTP with httpx instead of the built-in minimal keep-alive client, to see the
load generator's own cost), `--py-spy DIR` (flame graphs of web and workers; needs py-spy),
`--settings MODULE` (the children's DJANGO_SETTINGS_MODULE, for trying a change), `--keep`
(keep the temporary directory and its logs), `--budget S`.

The columns: n and err (requests or runs), p50/p99 latency, per s (requests/s, or executions/s
from the first start to the last finish the database recorded), and the CPU the web processes,
the workers and this client used during the phase, in % of one core.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if __package__ in (None, ""):
    sys.path.insert(0, str(ROOT))

FINAL = {"completed", "failed", "cancelled", "timeout"}
FLOW_KEY = "bench-ten"


def log(message: str) -> None:
    """Progress for the person waiting; stdout stays for the table."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class Budget(Exception):
    """Raised by the watchdog when the whole run passes its time budget."""


# --- options ------------------------------------------------------------------------------


@dataclass
class Options:
    quick: bool = False
    concurrency: int = 16
    requests: int = 3000
    latency_requests: int = 500
    async_samples: int = 200
    # Half of what two workers sustain here: at 200/s the two cores (web, workers, Redis,
    # this client) are saturated and the latency is only the backlog growing.
    load_rate: float = 100.0
    load_seconds: float = 12.0
    executions: int = 2000
    phase_seconds: float = 15.0
    warmup_seconds: float = 2.0
    drain_seconds: float = 30.0
    throughput_seconds: float = 45.0
    web_procs: int = 0  # 0: as `serve` runs it, one per core (at most 4)
    server: str = "daphne"
    use_httpx: bool = False
    py_spy: str | None = None
    settings: str | None = None
    keep: bool = False
    budget: float = 290.0


def parse_options(argv: list[str] | None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small counts: under one minute")
    parser.add_argument("--concurrency", type=int, help="keep-alive clients (default 16)")
    parser.add_argument("--requests", type=int, help="requests per concurrent phase")
    parser.add_argument("--async-samples", type=int, help="async latency samples per phase")
    parser.add_argument("--load-rate", type=float, help="background async starts/s (100)")
    parser.add_argument("--load-seconds", type=float, help="how long the background load runs")
    parser.add_argument("--executions", type=int, help="executions per throughput phase (2000)")
    parser.add_argument(
        "--web-procs", type=int, default=0, help="web processes (default: as serve, one per core)"
    )
    parser.add_argument("--server", choices=("daphne", "uvicorn"), default="daphne")
    parser.add_argument("--httpx", action="store_true", help="drive HTTP with httpx")
    parser.add_argument("--py-spy", metavar="DIR", help="write py-spy flame graphs here")
    parser.add_argument("--settings", help="DJANGO_SETTINGS_MODULE for the subprocesses")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--budget", type=float, help="seconds before the watchdog stops the run")
    args = parser.parse_args(argv)
    options = Options(quick=args.quick)
    if args.quick:
        options.requests = 800
        options.latency_requests = 200
        options.async_samples = 40
        options.load_seconds = 3.0
        options.executions = 400
        options.phase_seconds = 3.0
        options.warmup_seconds = 0.5
        options.drain_seconds = 5.0
        options.throughput_seconds = 6.0
        options.budget = 58.0
    for name in ("concurrency", "requests", "async_samples", "load_rate", "load_seconds"):
        if getattr(args, name) is not None:
            setattr(options, name, getattr(args, name))
    if args.executions is not None:
        options.executions = args.executions
    if args.budget is not None:
        options.budget = args.budget
    options.web_procs = max(0, args.web_procs)
    options.server = args.server
    options.use_httpx = args.httpx
    options.py_spy = args.py_spy
    options.settings = args.settings
    options.keep = args.keep
    return options


# --- the environment: database, Redis, Django ---------------------------------------------


@dataclass
class Environment:
    tmp: Path
    database_url: str
    database_label: str
    redis_url: str
    redis_label: str
    scratch_db: tuple[str, str] | None = None  # (admin URL, name) of a database to drop
    redis: Any = None


def _pg_admin_url(url: str) -> str:
    return url.replace("postgresql://", "postgres://", 1)


def prepare_environment(tmp: Path) -> Environment:
    """Choose the database and Redis, and export what Django and the children read."""
    given_db = os.environ.get("DATABASE_URL")
    scratch = None
    if not given_db:
        database_url = f"sqlite:///{tmp / 'bench.sqlite3'}"
        db_label = "SQLite (fresh, temp dir)"
    elif given_db.startswith(("postgres://", "postgresql://")):
        import psycopg

        name = f"sluice_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        with psycopg.connect(_pg_admin_url(given_db), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        parts = urllib.parse.urlsplit(given_db)
        database_url = urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
        scratch = (given_db, name)
        db_label = f"PostgreSQL {parts.hostname}:{parts.port or 5432} (scratch db {name})"
    else:
        database_url = given_db
        db_label = given_db.split("://")[0]
    redis_url = os.environ.get("REDIS_URL")
    redis = None
    if redis_url:
        redis_label = f"Redis {redis_url}"
    else:
        from runtime.redis_server import EmbeddedRedis

        redis = EmbeddedRedis(data_dir=str(tmp / "redis")).start()
        redis_url = redis.url
        redis_label = "embedded valkey"
    os.environ.update(
        {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "SLUICE_VAR_DIR": str(tmp),
            "SLUICE_CHANNEL_PREFIX": f"bench{os.getpid()}",
            "DJANGO_SETTINGS_MODULE": "designer.settings",
            "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
            "DEBUG": "0",
            "SLUICE_BENCHMARK_BASELINE": "1",
        }
    )
    return Environment(tmp, database_url, db_label, redis_url, redis_label, scratch, redis)


def clean_redis() -> None:
    """Leave a given Redis as we found it: no queued jobs, no channel keys of this run."""
    import django_rq

    queue = django_rq.get_queue("default")
    queue.empty()
    prefix = os.environ["SLUICE_CHANNEL_PREFIX"]
    keys = list(queue.connection.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        queue.connection.delete(*keys)


def drop_scratch(env: Environment) -> None:
    """Leave the PostgreSQL server as we found it."""
    if env.scratch_db is None:
        return
    import psycopg
    from django.db import connections

    connections.close_all()
    admin_url, name = env.scratch_db
    with psycopg.connect(_pg_admin_url(admin_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def flow_document() -> dict[str, Any]:
    """start → (assign → decision) x 4 → end: ten nodes, ten steps, every decision passes."""
    nodes: list[dict[str, Any]] = [{"id": "start", "type": "start"}]
    for i in range(1, 5):
        expression = "amount * 2.0" if i == 1 else f"v{i - 1} + amount"
        nodes.append(
            {
                "id": f"set{i}",
                "type": "assign",
                "config": {"assignments": [{"variable": f"v{i}", "expression": expression}]},
            }
        )
        nodes.append({"id": f"check{i}", "type": "decision"})
    nodes.append({"id": "end", "type": "end", "config": {"output": {"total": "v4"}}})
    edges: list[dict[str, Any]] = []
    for n, (a, b) in enumerate(itertools.pairwise(nodes)):
        edge: dict[str, Any] = {"id": f"e{n}", "source": a["id"], "target": b["id"]}
        if a["type"] == "decision":
            edge["default"] = True
            edges.append(
                {
                    "id": f"x{n}",
                    "source": a["id"],
                    "target": "end",
                    "condition": "amount < 0.0",
                }
            )
        edges.append(edge)
    return {
        "key": FLOW_KEY,
        "name": "Benchmark ten nodes",
        "kind": "micro",
        "description": "",
        "parameters": [{"name": "amount", "type": "number", "required": True}],
        "graph": {"nodes": nodes, "edges": edges},
    }


@dataclass
class Fixtures:
    token: str
    session_cookie: str


def set_up_django() -> Fixtures:
    """Migrate, then a user with a bearer token and a session, and the published flow."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from designer import flows
    from designer.api.auth import issue_token

    call_command("migrate", interactive=False, verbosity=0)
    user = User.objects.create_user("bench", password=uuid.uuid4().hex)
    token = issue_token(user, "bench")
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    flow = flows.create_flow(flow_document(), user)
    flows.publish(flow, "benchmark", user)
    return Fixtures(token, f"{settings.SESSION_COOKIE_NAME}={session.session_key}")


# --- processes ------------------------------------------------------------------------------


class Processes:
    """Every subprocess this run started, each in its own session, all stopped on exit."""

    def __init__(self, tmp: Path, env: dict[str, str]) -> None:
        self.tmp = tmp
        self.env = env
        self.children: dict[str, subprocess.Popen[bytes]] = {}

    def spawn(self, name: str, command: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        from runtime.redis_server import die_with_parent

        with open(self.tmp / f"{name}.log", "wb") as out:
            process = subprocess.Popen(
                command,
                env=self.env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=die_with_parent,
                start_new_session=True,
                **kwargs,
            )
        self.children[name] = process
        return process

    def check(self) -> None:
        for name, process in self.children.items():
            if process.poll() is not None and not name.startswith("py-spy"):
                tail = (self.tmp / f"{name}.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{tail}")

    def stop(self, name: str, sig: int = signal.SIGTERM, timeout: float = 10.0) -> None:
        process = self.children.pop(name, None)
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop_all(self, timeout: float = 5.0) -> None:
        """py-spy first (SIGINT makes it write its flame graph); then SIGTERM to every other
        process group at once, and SIGKILL to whatever still runs after `timeout`."""
        for name in [n for n in self.children if n.startswith("py-spy")]:
            self.stop(name, signal.SIGINT, timeout=30)
        for process in self.children.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for name in list(self.children):
            self.stop(name, timeout=max(0.1, deadline - time.monotonic()))

    def pids(self, prefix: str) -> list[int]:
        return [p.pid for n, p in self.children.items() if n.startswith(prefix)]


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_web(procs: Processes, options: Options) -> tuple[int, list[socket.socket]]:
    """daphne as `serve` runs it (or uvicorn); several daphne processes get a socket each."""
    from runtime.management.commands.serve import default_web_processes, listen

    options.web_procs = options.web_procs or default_web_processes()
    python = sys.executable
    if options.server == "uvicorn":
        port = free_port()
        procs.spawn(
            "web",
            [
                python,
                "-m",
                "uvicorn",
                "designer.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(options.web_procs),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
        )
        return port, []
    # As `serve` does: one listening socket per process on the same port (SO_REUSEPORT).
    port = free_port()
    listeners = [listen("127.0.0.1", port) for _ in range(options.web_procs)]
    for n, listener in enumerate(listeners):
        fd = listener.fileno()
        procs.spawn(
            f"web-{n + 1}",
            [python, "-m", "daphne", "--fd", str(fd), "designer.asgi:application"],
            pass_fds=(fd,),
        )
    return port, listeners


def start_worker(procs: Processes, n: int) -> None:
    """An RQ SluiceWorker, exactly as `serve` starts one (the first with the scheduler)."""
    command = [
        sys.executable,
        str(ROOT / "manage.py"),
        "rqworker",
        "default",
        "--worker-class",
        "runtime.worker.SluiceWorker",
    ]
    if n == 1:
        command.append("--with-scheduler")
    procs.spawn(f"worker-{n}", command)


def wait_for_workers(procs: Processes, count: int, timeout: float = 30.0) -> None:
    """Until `count` workers have registered with the queue."""
    import django_rq
    from rq import Worker

    queue = django_rq.get_queue("default")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        procs.check()
        if len(Worker.all(queue=queue)) >= count:
            return
        time.sleep(0.1)
    raise RuntimeError(f"{count} RQ workers did not register in {timeout:.0f}s")


def wait_for_http(procs: Processes, port: int, timeout: float = 30.0) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        procs.check()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/bare/", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the web server did not answer in time")


def start_py_spy(procs: Processes, directory: str) -> None:
    """One sampling profiler per web and worker process, written out when stopped."""
    Path(directory).mkdir(parents=True, exist_ok=True)
    spy = Path(sys.executable).parent / "py-spy"
    for name in [n for n in procs.children if n.startswith(("web", "worker"))]:
        pid = procs.children[name].pid
        out = Path(directory) / f"{name}.svg"
        command = [str(spy), "record", "-r", "200", "-o", str(out), "--pid", str(pid)]
        procs.spawn(f"py-spy-{name}", command)


# --- HTTP clients ---------------------------------------------------------------------------


class RawHTTP:
    """A minimal HTTP/1.1 keep-alive client: a few µs per request, so the load generator does
    not eat the core the server needs (httpx costs several hundred µs)."""

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self.port = port
        self.headers = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n{self.headers}"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        try:
            self.writer.write(head.encode() + body)
            header = await self.reader.readuntil(b"\r\n\r\n")
            status = int(header[9:12])
            length = 0
            close = False
            for line in header.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                lowered = name.strip().lower()
                if lowered == b"content-length":
                    length = int(value)
                elif lowered == b"connection" and value.strip().lower() == b"close":
                    close = True
            payload = await self.reader.readexactly(length) if length else b""
        except (OSError, asyncio.IncompleteReadError):
            await self.close()
            raise
        if close:
            await self.close()
        return status, payload

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()
        self.reader = self.writer = None


class HttpxHTTP:
    """The same interface over httpx, to compare the load generator's own cost."""

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        import httpx

        self.client = httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}",
            headers=headers,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            timeout=60,
        )

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        response = await self.client.request(method, path, content=body or None)
        return response.status_code, response.content

    async def close(self) -> None:
        await self.client.aclose()


@dataclass
class Server:
    port: int
    token: str
    cookie: str
    use_httpx: bool

    def client(self, bearer: bool = True) -> RawHTTP | HttpxHTTP:
        headers = {"Content-Type": "application/json"}
        if bearer:
            headers["Authorization"] = f"Bearer {self.token}"
        cls = HttpxHTTP if self.use_httpx else RawHTTP
        return cls(self.port, headers)


# --- measuring --------------------------------------------------------------------------------


@dataclass
class Row:
    label: str
    samples: list[float] = field(default_factory=list)  # seconds
    seconds: float = 0.0
    count: int = 0
    errors: int = 0
    rate: float | None = None
    cpu: dict[str, float] = field(default_factory=dict)
    note: str = ""

    def p(self, q: float) -> float | None:
        if not self.samples:
            return None
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


class CpuMeter:
    """CPU seconds of the web and worker processes and of this client, per phase."""

    def __init__(self, procs: Processes) -> None:
        import psutil

        self.groups = {
            "web": [psutil.Process(p) for p in procs.pids("web")],
            "workers": [psutil.Process(p) for p in procs.pids("worker")],
        }
        if procs.children.get("web") is not None:
            # uvicorn --workers N: the serving processes are its children.
            web = self.groups["web"]
            self.groups["web"] = web + [c for p in web for c in p.children(recursive=True)]
        self.start: dict[str, float] = {}
        self.began = 0.0

    def _now(self) -> dict[str, float]:
        totals = {"client": time.process_time()}
        for group, processes in self.groups.items():
            total = 0.0
            for process in processes:
                with contextlib.suppress(Exception):
                    times = process.cpu_times()
                    total += times.user + times.system
            totals[group] = total
        return totals

    def __enter__(self) -> CpuMeter:
        self.start = self._now()
        self.began = time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.monotonic() - self.began

    def result(self) -> dict[str, float]:
        end = self._now()
        wall = max(self.wall, 1e-9)
        return {k: 100 * (end[k] - self.start[k]) / wall for k in end}


async def closed_loop(
    make: Callable[[], Any],
    call: Callable[[Any], Awaitable[None]],
    clients: int,
    total: int,
    seconds: float,
) -> tuple[list[float], int, float]:
    """`clients` connections each sending its next request when the last answers, until
    `total` have answered or `seconds` passed. Returns (latencies, errors, elapsed)."""
    latencies: list[float] = []
    errors = 0
    sent = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal errors, sent
        client = make()
        try:
            while sent < total and time.perf_counter() < deadline:
                sent += 1
                began = time.perf_counter()
                try:
                    await call(client)
                except Exception:
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - began)
        finally:
            await client.close()

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return latencies, errors, time.perf_counter() - began


def start_body() -> bytes:
    return json.dumps({"input": {"amount": 12.5}}).encode()


async def call_bare(client: Any) -> None:
    status, _ = await client.request("GET", "/api/bare/")
    if status != 200:
        raise RuntimeError(f"bare answered {status}")


async def call_sync(client: Any) -> None:
    path = f"/api/flows/{FLOW_KEY}/executions?sync=true"
    status, body = await client.request("POST", path, start_body())
    if status != 200 or b'"completed"' not in body:
        raise RuntimeError(f"sync start answered {status}: {body[:200]!r}")


async def start_async(client: Any) -> str:
    status, body = await client.request("POST", f"/api/flows/{FLOW_KEY}/executions", start_body())
    if status != 202:
        raise RuntimeError(f"async start answered {status}: {body[:200]!r}")
    return str(json.loads(body)["id"])


@dataclass
class AsyncSample:
    """One start: seconds to the 202, to the snapshot, to the final state; and from where."""

    accepted: float
    snapshot: float
    finished: float
    via_snapshot: bool


async def start_to_finished(server: Server, client: Any, timeout: float = 10.0) -> AsyncSample:
    """Times from sending the POST to holding the final state from the websocket."""
    from websockets.asyncio.client import connect

    began = time.perf_counter()
    execution_id = await start_async(client)
    accepted = time.perf_counter() - began
    snapshot = 0.0
    uri = f"ws://127.0.0.1:{server.port}/ws/executions/{execution_id}/"
    async with connect(
        uri,
        origin=f"http://127.0.0.1:{server.port}",  # type: ignore[arg-type]
        additional_headers={"Cookie": server.cookie},
        compression=None,
        open_timeout=timeout,
    ) as ws:
        async with asyncio.timeout(timeout):
            while True:
                message = json.loads(await ws.recv())
                kind = message.get("type")
                if kind == "execution.snapshot":
                    snapshot = time.perf_counter() - began
                if kind == "execution.finished" or (
                    kind == "execution.snapshot" and message["execution"]["status"] in FINAL
                ):
                    status = message["execution"]["status"]
                    if status != "completed":
                        raise RuntimeError(f"execution {execution_id} ended {status}")
                    finished = time.perf_counter() - began
                    return AsyncSample(accepted, snapshot, finished, kind == "execution.snapshot")


async def open_loop_load(
    server: Server, rate: float, stop: asyncio.Event, stats: dict[str, int]
) -> None:
    """Async starts at `rate`/s on a pool of connections, without waiting for answers; a tick
    with every connection busy is counted as skipped rather than queued."""
    pool: asyncio.Queue[Any] = asyncio.Queue()
    for _ in range(32):
        pool.put_nowait(server.client())
    tasks: set[asyncio.Task[None]] = set()

    async def one() -> None:
        client = await pool.get()
        try:
            await start_async(client)
            stats["sent"] += 1
        except Exception:
            stats["errors"] += 1
        finally:
            pool.put_nowait(client)

    interval = 1.0 / rate
    next_at = time.perf_counter()
    while not stop.is_set():
        if pool.empty():
            stats["skipped"] += 1
        else:
            task = asyncio.create_task(one())
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        next_at += interval
        delay = next_at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
    if tasks:
        await asyncio.wait(tasks, timeout=10)
    while not pool.empty():
        await pool.get_nowait().close()


async def http_phase(server: Server, options: Options, procs: Processes, rows: list[Row]) -> None:
    """Bare vs sync start: one client (latency), then `concurrency` clients (throughput)."""
    phases = (
        ("GET /api/bare/ (no auth)", False, call_bare),
        ("POST …/executions?sync=true", True, call_sync),
    )
    for clients, total in ((1, options.latency_requests), (options.concurrency, options.requests)):
        for label, bearer, call in phases:
            name = f"{label}, {clients} client{'s' if clients > 1 else ''}"
            log(f"{name}: warming up")
            await closed_loop(
                lambda b=bearer: server.client(b),
                call,
                clients,
                20 * clients,
                options.warmup_seconds,
            )
            log(f"{name}: {total} requests")
            meter = CpuMeter(procs)
            with meter:
                latencies, errors, elapsed = await closed_loop(
                    lambda b=bearer: server.client(b), call, clients, total, options.phase_seconds
                )
            row = Row(name, latencies, elapsed, len(latencies), errors, len(latencies) / elapsed)
            row.cpu = meter.result()
            rows.append(row)
            procs.check()


async def latency_samples(
    server: Server, samples: int, seconds: float
) -> tuple[list[AsyncSample], int, float]:
    """Async starts one after another, each followed to its end, for at most `seconds`."""
    client = server.client()
    latencies: list[AsyncSample] = []
    errors = 0
    began = time.perf_counter()
    try:
        while len(latencies) < samples and (left := seconds - (time.perf_counter() - began)) > 0:
            try:
                latencies.append(await start_to_finished(server, client, max(left, 0.5)))
            except Exception as exc:
                errors += 1
                if errors <= 3:
                    log(f"async sample failed: {exc!r}")
    finally:
        await client.close()
    return latencies, errors, time.perf_counter() - began


def async_row(label: str, samples: list[AsyncSample], seconds: float, errors: int) -> Row:
    """A latency row whose note splits the median into its parts."""

    def median_ms(values: list[float]) -> str:
        return f"{statistics.median(values) * 1000:.1f}" if values else "-"

    row = Row(label, [s.finished for s in samples], seconds, len(samples), errors)
    late = sum(s.via_snapshot for s in samples)
    row.note = (
        f"p50 parts: 202 at {median_ms([s.accepted for s in samples])} ms, snapshot at"
        f" {median_ms([s.snapshot for s in samples])} ms; {late} of {len(samples)} already"
        " final in the snapshot"
    )
    return row


async def async_phase(server: Server, options: Options, procs: Processes, rows: list[Row]) -> None:
    """Start-to-websocket-result latency, idle and under a steady flow of other starts."""
    log("async latency, idle: warming up")
    await latency_samples(server, 10, options.warmup_seconds)
    log(f"async latency, idle: {options.async_samples} samples")
    meter = CpuMeter(procs)
    with meter:
        latencies, errors, elapsed = await latency_samples(
            server, options.async_samples, options.phase_seconds
        )
    row = async_row("async start → ws finished, idle", latencies, elapsed, errors)
    row.cpu = meter.result()
    rows.append(row)
    procs.check()

    log(f"async latency under {options.load_rate:.0f} starts/s for {options.load_seconds:.0f}s")
    stop = asyncio.Event()
    stats = {"sent": 0, "errors": 0, "skipped": 0}
    meter = CpuMeter(procs)
    with meter:
        load = asyncio.create_task(open_loop_load(server, options.load_rate, stop, stats))
        await asyncio.sleep(min(1.0, options.load_seconds / 4))
        latencies, errors, _ = await latency_samples(
            server, options.async_samples, options.load_seconds
        )
        stop.set()
        await load
    achieved = stats["sent"] / max(meter.wall, 1e-9)
    label = f"async start → ws finished, under {options.load_rate:.0f} starts/s"
    row = async_row(label, latencies, meter.wall, errors + stats["errors"])
    row.note += f"\n    load: {achieved:.0f} starts/s accepted, {stats['skipped']} ticks skipped"
    row.cpu = meter.result()
    rows.append(row)
    procs.check()


def wait_for_drain(timeout: float) -> float:
    """Until no execution is pending or running; returns how long that took."""
    from runtime.models import Execution

    began = time.monotonic()
    while time.monotonic() - began < timeout:
        if not Execution.objects.filter(status__in=("pending", "running")).exists():
            break
        time.sleep(0.2)
    return time.monotonic() - began


def throughput(procs: Processes, options: Options, workers: int, tag: str, timeout: float) -> Row:
    """Create `executions` async runs in one transaction (enqueued on commit) and time them
    from the first start to the last finish the database recorded."""
    from django.db import transaction
    from django.db.models import Max, Min

    from runtime import executions
    from runtime.models import Execution, Mode

    count = options.executions
    log(f"throughput, {workers} worker(s): creating {count} executions")
    meter = CpuMeter(procs)
    with meter:
        with transaction.atomic():
            for _ in range(count):
                executions.create_execution(
                    executions.StartRequest(
                        flow_key=FLOW_KEY,
                        input={"amount": 12.5},
                        mode=Mode.ASYNC,
                        business_key=tag,
                    )
                )
        committed = time.monotonic()
        log(f"throughput, {workers} worker(s): enqueued; waiting")
        query = Execution.objects.filter(business_key=tag)
        done = 0
        while time.monotonic() - committed < timeout:
            done = query.filter(status__in=FINAL).count()
            if done >= count:
                break
            procs.check()
            time.sleep(0.2)
    span = query.filter(status__in=FINAL).aggregate(a=Min("started_at"), b=Max("finished_at"))
    failed = query.filter(status__in=FINAL).exclude(status="completed").count()
    seconds = (span["b"] - span["a"]).total_seconds() if span["a"] and span["b"] else 0.0
    row = Row(
        f"async executions/s, {workers} worker{'s' if workers > 1 else ''}",
        seconds=seconds,
        count=done,
        errors=failed,
        rate=done / seconds if seconds else 0.0,
        note="" if done >= count else f"only {done}/{count} within {timeout:.0f}s",
    )
    row.cpu = meter.result()
    return row


# --- report -----------------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    return f"{value:.2f}" if value is not None else "—"


def render(rows: list[Row], header: str) -> str:
    """The one table, then the issue's targets checked against it."""
    lines = [header, ""]
    title = (
        f"{'measurement':<52} {'n':>6} {'err':>4} {'p50 ms':>8} {'p99 ms':>8} {'per s':>8}"
        f" {'web%':>5} {'wrk%':>5} {'cli%':>5}"
    )
    lines += [title, "-" * len(title)]
    for row in rows:
        rate = row.rate if row.rate is not None else (row.count / row.seconds if row.seconds else 0)
        lines.append(
            f"{row.label:<52} {row.count:>6} {row.errors:>4} {_ms(row.p(0.5)):>8}"
            f" {_ms(row.p(0.99)):>8} {rate:>8.0f} {row.cpu.get('web', 0):>5.0f}"
            f" {row.cpu.get('workers', 0):>5.0f} {row.cpu.get('client', 0):>5.0f}"
        )
        if row.note:
            lines.append(f"    {row.note}")
    by = {row.label: row for row in rows}

    def find(prefix: str) -> Row | None:
        return next((r for label, r in by.items() if label.startswith(prefix)), None)

    one, five, _ = os.getloadavg()
    lines += [
        "",
        f"load average at the end: {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} CPUs",
        "",
        "targets (issue 4):",
    ]
    bare1, sync1 = find("GET /api/bare/ (no auth), 1 "), find("POST …/executions?sync=true, 1 ")
    if bare1 and sync1 and bare1.p(0.5) and sync1.p(0.5):
        diff = sync1.p(0.5) - bare1.p(0.5)  # type: ignore[operator]
        ratio = sync1.p(0.5) / bare1.p(0.5)  # type: ignore[operator]
        lines.append(
            f"  sync p50 - bare p50 (1 client): {diff:+.2f} ms, x{ratio:.1f}"
            f"  [target ≤ 1.5 ms: {'PASS' if diff <= 1.5 else 'FAIL'}]"
        )
    syncn = next(
        (r for r in rows if r.label.startswith("POST") and "1 client" not in r.label), None
    )
    baren = next((r for r in rows if r.label.startswith("GET") and "1 client" not in r.label), None)
    if syncn and baren:
        ok = (syncn.rate or 0) >= 300
        lines.append(
            f"  sync runs/s ({syncn.label.split(', ')[-1]}): {syncn.rate:.0f}"
            f" (bare {baren.rate:.0f}/s, x{(baren.rate or 0) / max(syncn.rate or 1, 1e-9):.1f})"
            f"  [target ≥ 300/s: {'PASS' if ok else 'FAIL'}]"
        )
    idle = find("async start → ws finished, idle")
    if idle and idle.samples:
        ok = (idle.p(0.5) or 1e9) < 20 and (idle.p(0.99) or 1e9) < 60
        lines.append(
            f"  async idle p50 {_ms(idle.p(0.5))} ms, p99 {_ms(idle.p(0.99))} ms"
            f"  [target < 20 / < 60 ms: {'PASS' if ok else 'FAIL'}]"
        )
    two = find("async executions/s, 2 workers")
    if two:
        ok = (two.rate or 0) >= 300
        lines.append(
            f"  async executions/s, 2 workers: {two.rate or 0:.0f}"
            f"  [target ≥ 300/s: {'PASS' if ok else 'FAIL'}]"
        )
    return "\n".join(lines)


# --- the run ----------------------------------------------------------------------------------


@contextlib.contextmanager
def watchdog(seconds: float) -> Iterator[None]:
    """SIGALRM past the budget, SIGTERM and SIGINT all unwind through the cleanup."""

    def expire(signum: int, frame: Any) -> None:
        raise Budget(f"the run passed its budget of {seconds:.0f}s")

    def terminate(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous_alarm = signal.signal(signal.SIGALRM, expire)
    previous_term = signal.signal(signal.SIGTERM, terminate)
    # Also when started in the background, where the shell leaves SIGINT ignored.
    previous_int = signal.signal(signal.SIGINT, terminate)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_alarm)
        signal.signal(signal.SIGTERM, previous_term)
        signal.signal(signal.SIGINT, previous_int)


def run(options: Options) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="sluice-bench-"))
    rows: list[Row] = []
    header = ""
    env: Environment | None = None
    procs: Processes | None = None
    listeners: list[socket.socket] = []
    code = 0
    began = time.monotonic()
    try:
        with watchdog(options.budget):
            env = prepare_environment(tmp)
            log(f"database: {env.database_label}; redis: {env.redis_label}; tmp: {tmp}")
            fixtures = set_up_django()
            import django_rq

            queue = django_rq.get_queue("default")
            if queue.count:
                raise RuntimeError(f"the RQ queue on {env.redis_url} holds {queue.count} jobs")
            child_env = dict(os.environ)
            if options.settings:
                child_env["DJANGO_SETTINGS_MODULE"] = options.settings
            procs = Processes(tmp, child_env)
            port, listeners = start_web(procs, options)
            start_worker(procs, 1)
            start_worker(procs, 2)
            procs.spawn(
                "reconciler", [sys.executable, str(ROOT / "manage.py"), "reconcile", "--loop"]
            )
            wait_for_http(procs, port)
            wait_for_workers(procs, 2)
            if options.py_spy:
                start_py_spy(procs, options.py_spy)
            log(f"web ({options.server} x{options.web_procs}) on port {port}; 2 workers ready")
            web = f"{options.server} x{options.web_procs}"
            header = (
                f"Sluice API benchmark: {web}, RQ SluiceWorker x2 (then x1), {env.database_label},"
                f" {env.redis_label}; flow {FLOW_KEY}: 10 nodes, 10 steps; {os.cpu_count()} CPUs,"
                f" load average {os.getloadavg()[0]:.1f} at start; client:"
                f" {'httpx' if options.use_httpx else 'raw asyncio'}"
            )
            server = Server(port, fixtures.token, fixtures.session_cookie, options.use_httpx)
            asyncio.run(http_phase(server, options, procs, rows))
            asyncio.run(async_phase(server, options, procs, rows))
            drained = wait_for_drain(options.drain_seconds)
            log(f"backlog drained in {drained:.1f}s")
            seconds = options.throughput_seconds
            rows.append(throughput(procs, options, 2, "tp-2", seconds))
            wait_for_drain(options.drain_seconds)
            log("stopping worker 2")
            procs.stop("worker-2")
            rows.append(throughput(procs, options, 1, "tp-1", seconds))
    except (KeyboardInterrupt, Budget) as exc:
        log(f"stopped early: {exc!r}")
        code = 130 if isinstance(exc, KeyboardInterrupt) else 2
    except Exception as exc:
        log(f"failed: {exc!r}")
        code = 1
    finally:
        with contextlib.suppress(KeyboardInterrupt):
            if procs is not None:
                log("stopping subprocesses")
                procs.stop_all()
            for listener in listeners:
                listener.close()
            if env is not None:
                with contextlib.suppress(Exception):
                    clean_redis()
                if env.redis is not None:
                    env.redis.stop()
                with contextlib.suppress(Exception):
                    drop_scratch(env)
            if not options.keep:
                import shutil

                shutil.rmtree(tmp, ignore_errors=True)
    if rows:
        print(render(rows, header), flush=True)
    log(f"done in {time.monotonic() - began:.0f}s")
    return code


def main(argv: list[str] | None = None) -> int:
    return run(parse_options(argv))


if __name__ == "__main__":
    sys.exit(main())
