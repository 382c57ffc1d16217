"""One outbound HTTP exchange for the `http` node: redirects followed by hand (each target
re-checked), response size capped while streaming, secrets masked in what the audit keeps."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any

import httpx

from runtime.engine import limits
from runtime.engine.errors import NodeFailure
from runtime.engine.netguard import resolve_public

_SECRET = re.compile(r"authorization|cookie|token|secret|key|password|x-api-key", re.IGNORECASE)
_NOT_SECRET = frozenset({"idempotency-key"})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CREDENTIALS = frozenset({"authorization", "cookie", "proxy-authorization"})
MASK = "***"


def mask_headers(headers: dict[str, str]) -> dict[str, str]:
    """Header values whose names look secret are replaced by ***."""
    return {
        name: MASK if _SECRET.search(name) and name.lower() not in _NOT_SECRET else value
        for name, value in headers.items()
    }


def masked_url(url: httpx.URL) -> str:
    return str(url.copy_with(password=MASK)) if url.password else str(url)


def parse_url(text: str, base: httpx.URL | None = None) -> httpx.URL:
    """Parse a URL (relative to `base` for redirects); a malformed one fails the node."""
    try:
        url = base.join(text) if base is not None else httpx.URL(text)
        has_host = bool(url.host)
    except (httpx.InvalidURL, UnicodeError, ValueError) as exc:
        raise NodeFailure("http", f"invalid URL: {exc}") from None
    if url.scheme not in ("http", "https") or not has_host:
        raise NodeFailure("http", f"only http and https URLs with a host are allowed: {text}")
    return url


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None
    timeout_s: float
    allow_private: bool
    max_bytes: int


def _target(url: httpx.URL, allow_private: bool) -> tuple[httpx.URL, dict[str, Any]]:
    """The URL to connect to and the request extensions that keep TLS checking the name."""
    if allow_private:
        return url, {}
    host = url.raw_host.decode("ascii")
    address = resolve_public(host, url.port or (443 if url.scheme == "https" else 80))
    extensions = {"sni_hostname": host} if url.scheme == "https" else {}
    return url.copy_with(host=address), extensions


def _read(response: httpx.Response, max_bytes: int, give_up_at: float) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise NodeFailure("http", f"the response is larger than {max_bytes} bytes")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise NodeFailure("http", f"the response is larger than {max_bytes} bytes")
        if time.monotonic() > give_up_at:
            raise NodeFailure("http", "the response took too long", retryable=True)
        chunks.append(chunk)
    return b"".join(chunks)


def _result(response: httpx.Response, content: bytes) -> dict[str, Any]:
    text = content.decode(response.encoding or "utf-8", errors="replace")
    parsed = None
    if "json" in response.headers.get("content-type", "").lower() and content:
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
    return {
        "status": response.status_code,
        "headers": {name.lower(): value for name, value in response.headers.items()},
        "json": parsed,
        "text": text,
    }


def _redirect(
    request: Request, method: str, url: httpx.URL, response: httpx.Response
) -> tuple[str, httpx.URL, dict[str, str], bytes | None]:
    location = parse_url(response.headers["location"], url)
    keep_body = response.status_code in (307, 308)
    next_method = method if keep_body or method == "HEAD" else "GET"
    headers = dict(request.headers)
    if location.host != url.host or location.scheme != url.scheme or location.port != url.port:
        headers = {k: v for k, v in headers.items() if k.lower() not in _CREDENTIALS}
    return next_method, location, headers, request.body if keep_body else None


def send(request: Request) -> dict[str, Any]:
    """Perform the exchange; raise NodeFailure for refusals, transport errors and caps."""
    give_up_at = time.monotonic() + request.timeout_s
    method, url = request.method, parse_url(request.url)
    headers, body = request.headers, request.body
    with httpx.Client(follow_redirects=False, timeout=request.timeout_s, trust_env=False) as client:
        for _ in range(limits.MAX_REDIRECTS + 1):
            target, extensions = _target(url, request.allow_private)
            outgoing = {"host": url.netloc.decode("ascii"), **headers}
            try:
                with client.stream(
                    method, target, headers=outgoing, content=body, extensions=extensions
                ) as response:
                    if response.status_code in _REDIRECTS and "location" in response.headers:
                        method, url, headers, body = _redirect(request, method, url, response)
                        continue
                    content = _read(response, request.max_bytes, give_up_at)
                    return _result(response, content)
            except httpx.TimeoutException:
                raise NodeFailure("http", "the request timed out", retryable=True) from None
            except httpx.HTTPError as exc:
                raise NodeFailure("http", f"the request failed: {exc}", retryable=True) from None
    raise NodeFailure("http", f"more than {limits.MAX_REDIRECTS} redirects")
