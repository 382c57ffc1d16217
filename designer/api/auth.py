"""API authentication: the browser's session (with CSRF) or a bearer token."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from ninja.utils import check_csrf

from designer.api.errors import ApiError
from designer.models import ApiToken

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TOKEN_PREFIX = "sl_"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: AbstractBaseUser, name: str) -> str:
    """Create a token and return it; only its digest is kept, so it is shown once."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, digest=digest(token), prefix=token[:8])
    return token


class ApiAuth:
    """Async so the hot endpoints never hop to the single sync thread just to authenticate."""

    is_async = True

    async def __call__(self, request: HttpRequest) -> AbstractBaseUser | None:
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            token = (
                await ApiToken.objects.select_related("user")
                .filter(digest=digest(header[7:].strip()), user__is_active=True)
                .afirst()
            )
            return token.user if token else None
        user = await request.auser()
        if not user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise ApiError(403, "csrf_failed", "CSRF token missing or incorrect")
        return user
