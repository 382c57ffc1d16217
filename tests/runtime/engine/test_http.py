"""The `http` node against a real local server, and its refusal of private destinations."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from runtime.engine import httpcall, netguard
from tests.runtime.engine.conftest import chain, node, param


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _echo(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else None
        echo = {
            "method": self.command,
            "path": self.path,
            "headers": dict(self.headers),
            "body": json.loads(body) if body else None,
            "host_headers": len(self.headers.get_all("Host") or []),
        }
        self._send(200, json.dumps(echo).encode(), headers={"Set-Cookie": "session=secret"})

    def _route(self) -> None:
        url = urlparse(self.path)
        query = parse_qs(url.query)
        if url.path == "/echo":
            self._echo()
        elif url.path == "/text":
            self._send(200, b"plain words", "text/plain")
        elif url.path == "/status":
            self._send(int(query["code"][0]), b'{"error": true}')
        elif url.path == "/redirect":
            self.send_response(int(query.get("code", ["302"])[0]))
            self.send_header("Location", query["to"][0])
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif url.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif url.path == "/big":
            self._send(200, b"x" * 50_000, "text/plain")
        elif url.path == "/chunked-big":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            for _ in range(50):
                self.wfile.write(b"y" * 1000)
            self.close_connection = True
        elif url.path == "/slow":
            time.sleep(1.0)
            self._send(200, b"{}")
        else:
            self._send(404, b"{}")

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _route


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def http_flow(**config: Any) -> dict[str, Any]:
    config.setdefault("result_variable", "res")
    return chain(
        node("h", "http", **config),
        output={"res": "res"},
        parameters=[param("base", "string", True)],
    )


def call(execute, server: str, allow: bool = True, **config: Any):
    return execute(
        http_flow(**config),
        {"base": server},
        http_allow_private=allow,
        idempotency_prefix="exec-1:1",
    )


def test_get_json_result_and_idempotency_key(execute, server) -> None:
    result = call(execute, server, url="base + '/echo'")
    res = result.state.output["res"]
    assert res["status"] == 200
    assert res["json"]["method"] == "GET"
    assert res["json"]["headers"]["Idempotency-Key"] == "exec-1:1:h:1"
    assert res["headers"]["content-type"] == "application/json"
    assert json.loads(res["text"]) == res["json"]


def test_post_sends_json_body_and_headers_masked_in_the_step(execute, server) -> None:
    result = call(
        execute,
        server,
        method="POST",
        url="base + '/echo'",
        body="{'n': 1, 'l': [true]}",
        headers={
            "Authorization": "'Bearer abc'",
            "X-Api-Key": "'k1'",
            "X-Auth-Token": "'t'",
            "X-Trace": "'trace-1'",
            "Cookie": "'c=1'",
        },
    )
    echo = result.state.output["res"]["json"]
    assert echo["body"] == {"n": 1, "l": [True]}
    assert echo["headers"]["Authorization"] == "Bearer abc"
    assert echo["headers"]["Content-Type"] == "application/json"
    step = result.event("h")
    assert step.input["headers"]["Authorization"] == "***"
    assert step.input["headers"]["X-Api-Key"] == "***"
    assert step.input["headers"]["X-Auth-Token"] == "***"
    assert step.input["headers"]["Cookie"] == "***"
    assert step.input["headers"]["X-Trace"] == "trace-1"
    assert step.input["body"] == {"n": 1, "l": [True]}
    assert step.output["headers"]["set-cookie"] == "***"
    assert result.state.output["res"]["headers"]["set-cookie"] == "session=secret"


def test_text_response_has_no_json(execute, server) -> None:
    res = call(execute, server, url="base + '/text'").state.output["res"]
    assert (res["json"], res["text"]) == (None, "plain words")


def test_redirects_are_followed_and_303_becomes_get(execute, server) -> None:
    res = call(
        execute, server, method="POST", body="1", url="base + '/redirect?code=303&to=/echo'"
    ).state.output["res"]
    assert res["json"]["method"] == "GET" and res["json"]["body"] is None
    res = call(
        execute, server, method="PUT", body="2", url="base + '/redirect?code=307&to=/echo'"
    ).state.output["res"]
    assert res["json"]["method"] == "PUT" and res["json"]["body"] == 2


def test_too_many_redirects_fail(execute, server) -> None:
    state = call(execute, server, url="base + '/loop'").state
    assert state.error["type"] == "http" and "redirects" in state.error["message"]


@pytest.mark.parametrize(
    ("code", "retryable"), [(500, True), (503, True), (429, True), (404, False), (400, False)]
)
def test_non_2xx_fails_the_node(execute, server, code: int, retryable: bool) -> None:
    state = call(execute, server, url=f"base + '/status?code={code}'").state
    assert state.error["type"] == "http"
    assert state.error["retryable"] is retryable
    assert str(code) in state.error["message"]


def test_fail_on_status_false_returns_the_result(execute, server) -> None:
    res = call(execute, server, url="base + '/status?code=404'", fail_on_status=False)
    assert res.state.output["res"]["status"] == 404


@pytest.mark.parametrize("path", ["/big", "/chunked-big"])
def test_response_size_is_capped(execute, server, path: str) -> None:
    result = execute(
        http_flow(url=f"base + '{path}'"),
        {"base": server},
        http_allow_private=True,
        http_max_response_bytes=10_000,
    )
    assert result.state.error["type"] == "http"
    assert "larger than 10000 bytes" in result.state.error["message"]


def test_timeout_is_a_retryable_http_error(execute, server) -> None:
    state = call(execute, server, url="base + '/slow'", timeout_s=0.2).state
    assert state.error["type"] == "http" and state.error["retryable"] is True


def test_connection_refused_is_retryable(execute) -> None:
    state = call(execute, "http://127.0.0.1:9", url="base + '/x'").state
    assert state.error["type"] == "http" and state.error["retryable"] is True


@pytest.mark.parametrize(
    "url",
    [
        "'ftp://example.com/x'",
        "'not a url'",
        "'http:///nohost'",
        "'http://exa\\u0000mple.com/'",
        "'http://[::1'",
        "'http://xn--.com/'",
    ],
)
def test_only_http_urls_with_hosts(execute, server, url: str) -> None:
    assert call(execute, server, url=url).state.error["type"] == "http"


def test_url_must_be_a_string(execute, server) -> None:
    assert call(execute, server, url="42").state.error["type"] == "expression"


@pytest.mark.parametrize(
    "target",
    [
        "{base}/echo",
        "http://localhost:{port}/echo",
        "http://10.1.2.3/",
        "http://169.254.169.254/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://100.64.0.1/",
        "http://192.168.1.1/",
        "http://[fe80::1]/",
    ],
)
def test_private_destinations_are_refused(execute, server, target: str) -> None:
    port = server.rsplit(":", 1)[1]
    url = target.format(base=server, port=port)
    state = call(execute, server, allow=False, url=f"'{url}'").state
    assert state.error["type"] == "http"
    assert state.error["message"].startswith("refused")
    assert state.error["retryable"] is False


def test_redirect_to_a_private_address_is_refused(execute, server, monkeypatch) -> None:
    """`public.test` stands for a public host that is really our local server."""
    port = int(server.rsplit(":", 1)[1])
    real = netguard.resolve_public

    def resolve(host: str, port_: int) -> str:
        return "127.0.0.1" if host == "public.test" else real(host, port_)

    monkeypatch.setattr(httpcall, "resolve_public", resolve)
    base = f"http://public.test:{port}"
    ok = call(execute, base, allow=False, url="base + '/echo'").state
    assert ok.status == "completed"
    sent = {k.lower(): v for k, v in ok.output["res"]["json"]["headers"].items()}
    assert sent["host"] == f"public.test:{port}"
    assert ok.output["res"]["json"]["host_headers"] == 1
    for private in ("http://169.254.169.254/latest", f"http://127.0.0.1:{port}/echo"):
        state = call(execute, base, allow=False, url=f"base + '/redirect?to={private}'").state
        assert state.error["type"] == "http"
        assert state.error["message"].startswith("refused")


def test_public_address_check() -> None:
    import ipaddress

    assert netguard.is_public(ipaddress.ip_address("93.184.216.34"))
    assert not netguard.is_public(ipaddress.ip_address("127.0.0.1"))
    assert not netguard.is_public(ipaddress.ip_address("::ffff:10.0.0.1"))


def test_unresolvable_host_is_a_retryable_error(execute, server) -> None:
    state = call(execute, server, allow=False, url="'http://no-such-host.invalid/'").state
    assert state.error["type"] == "http" and state.error["retryable"] is True


def test_deadline_limits_the_request_timeout(execute, server, clock) -> None:
    state = execute(
        http_flow(url="base + '/echo'"),
        {"base": server},
        http_allow_private=True,
        deadline=clock.now,
    ).state
    assert state.error["type"] == "timeout"


def test_header_with_line_break_is_refused(execute, server) -> None:
    state = call(execute, server, url="base + '/echo'", headers={"X-A": "'a\\r\\nb: c'"}).state
    assert state.error["type"] == "http"
