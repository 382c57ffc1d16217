"""API authentication: the browser's session (with CSRF) or a bearer token."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest
from ninja.utils import check_csrf

from designer.api.errors import ApiError
from designer.api.threads import in_thread
from designer.models import ApiToken

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TOKEN_PREFIX = "sl_"

# Bearer lookups are remembered this long per process: the query, and under ASGI the thread
# Django starts for it, cost ~0.5 ms of every API call. A deleted token or deactivated user
# is dropped at once in this process (signals) and within TOKEN_CACHE_S in the others.
TOKEN_CACHE_S = 2.0
TOKEN_CACHE_MAX = 10_000
_tokens: dict[str, tuple[float, AbstractBaseUser]] = {}
_tokens_lock = threading.Lock()


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: AbstractBaseUser, name: str) -> str:
    """Create a token and return it; only its digest is kept, so it is shown once."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, digest=digest(token), prefix=token[:8])
    return token


def forget_tokens(**kwargs: Any) -> None:
    """Signal receiver: a token or user changed, so no cached lookup may outlive it."""
    with _tokens_lock:
        _tokens.clear()


post_save.connect(forget_tokens, sender=ApiToken, dispatch_uid="sluice-token-cache-token-save")
post_delete.connect(forget_tokens, sender=ApiToken, dispatch_uid="sluice-token-cache-token-del")
post_save.connect(forget_tokens, sender=get_user_model(), dispatch_uid="sluice-token-cache-user")


async def token_user(token: str) -> AbstractBaseUser | None:
    """The active user a bearer token belongs to; hits are cached for TOKEN_CACHE_S."""
    key = digest(token)
    now = time.monotonic()
    hit = _tokens.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    row = await in_thread(
        ApiToken.objects.select_related("user").filter(digest=key, user__is_active=True).first
    )
    if row is None:
        return None
    with _tokens_lock:
        if len(_tokens) >= TOKEN_CACHE_MAX:
            _tokens.clear()
        _tokens[key] = (now + TOKEN_CACHE_S, row.user)
    return row.user


def _session_user(request: HttpRequest) -> AbstractBaseUser:
    """The session's user, loaded now (the middleware's `request.user` is lazy)."""
    user = request.user
    user.is_authenticated  # noqa: B018 - evaluates the lazy object in this thread
    return user


class ApiAuth:
    """Async so the hot endpoints never hop to the single sync thread just to authenticate."""

    is_async = True

    async def __call__(self, request: HttpRequest) -> AbstractBaseUser | None:
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            return await token_user(header[7:].strip())
        user = await in_thread(_session_user, request)
        if not user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise ApiError(403, "csrf_failed", "CSRF token missing or incorrect")
        return user
