"""Django's middleware, run on the ASGI event loop instead of a thread per hook.

Under ASGI, Django's `MiddlewareMixin` runs every `process_request`, `process_view` and
`process_response` through `sync_to_async`: with the stock stack that was a dozen thread
hand-offs per request, most of a bare request's cost, and WhiteNoise (sync only) forced the
whole stack into a thread of its own. These subclasses call the hooks inline when they do no
I/O, which is every hook on an API request; the ones that may touch the database (a session
or messages to save, a form body to check for a CSRF token) still go to a thread. Under WSGI
(the test client) they behave exactly like Django's own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.contrib.auth import middleware as auth
from django.contrib.messages import middleware as messages
from django.contrib.sessions import middleware as sessions
from django.http import HttpRequest, HttpResponseBase
from django.middleware import clickjacking, common, csrf, security
from whitenoise.middleware import WhiteNoiseMiddleware

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class _OnTheLoop:
    """Mixed in before a `MiddlewareMixin` class whose hooks are CPU only, unless
    `response_needs_thread` says otherwise for a given request."""

    get_response: Callable[[HttpRequest], Awaitable[HttpResponseBase]]

    def response_needs_thread(self, request: HttpRequest) -> bool:
        return False

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        response = None
        if hasattr(self, "process_request"):
            response = self.process_request(request)
        response = response or await self.get_response(request)
        if hasattr(self, "process_response"):
            if self.response_needs_thread(request):
                response = await sync_to_async(self.process_response)(request, response)
            else:
                response = self.process_response(request, response)
        return response


class SecurityMiddleware(_OnTheLoop, security.SecurityMiddleware):
    pass


class SessionMiddleware(_OnTheLoop, sessions.SessionMiddleware):
    def response_needs_thread(self, request: HttpRequest) -> bool:
        """Saving a changed session writes to the database."""
        session = getattr(request, "session", None)
        return session is not None and (session.modified or settings.SESSION_SAVE_EVERY_REQUEST)


class CommonMiddleware(_OnTheLoop, common.CommonMiddleware):
    pass


class CsrfViewMiddleware(_OnTheLoop, csrf.CsrfViewMiddleware):
    def __init__(self, get_response: Callable[..., Any]) -> None:
        super().__init__(get_response)
        if self.async_mode:
            # Django reads `process_view` off the instance when it builds the stack.
            self.process_view = self._process_view_on_loop  # type: ignore[method-assign]

    async def _process_view_on_loop(
        self, request: HttpRequest, callback: Any, args: Any, kwargs: Any
    ) -> HttpResponseBase | None:
        """Exempt views and safe methods need no body; a form post may (its token)."""
        if getattr(callback, "csrf_exempt", False) or request.method in SAFE_METHODS:
            return csrf.CsrfViewMiddleware.process_view(self, request, callback, args, kwargs)
        return await sync_to_async(csrf.CsrfViewMiddleware.process_view)(
            self, request, callback, args, kwargs
        )


class AuthenticationMiddleware(_OnTheLoop, auth.AuthenticationMiddleware):
    pass


class MessageMiddleware(_OnTheLoop, messages.MessageMiddleware):
    def response_needs_thread(self, request: HttpRequest) -> bool:
        """Messages read or added may be stored in the session."""
        storage = getattr(request, "_messages", None)
        return storage is not None and (storage.used or storage.added_new)


class XFrameOptionsMiddleware(_OnTheLoop, clickjacking.XFrameOptionsMiddleware):
    pass


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, async capable: a static file is found by a dict lookup and served from a
    thread; every other request goes straight on."""

    async_capable = True
    sync_capable = True

    def __init__(self, get_response: Callable[..., Any]) -> None:
        super().__init__(get_response)
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.async_mode:
            return self._acall(request)
        return super().__call__(request)

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        if self.autorefresh:
            static_file = await sync_to_async(self.find_file)(request.path_info)
        else:
            static_file = self.files.get(request.path_info)
        if static_file is not None:
            return await sync_to_async(self.serve, thread_sensitive=False)(static_file, request)
        return await self.get_response(request)
