"""Keep every /api/ answer JSON, even the ones Django makes itself (unknown URL, wrong
method, server error), so clients never have to parse an HTML page."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse

MESSAGES = {
    404: ("not_found", "no such API endpoint"),
    405: ("method_not_allowed", "this endpoint does not accept that method"),
    500: ("internal_error", "an unexpected error occurred"),
}


def _as_json(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if not request.path.startswith("/api/") or response.status_code not in MESSAGES:
        return response
    if response.get("Content-Type", "").startswith("application/json"):
        return response
    code, message = MESSAGES[response.status_code]
    details = {"allowed": response["Allow"]} if response.has_header("Allow") else None
    body = json.dumps({"error": {"code": code, "message": message, "details": details}})
    replaced = HttpResponse(body, status=response.status_code, content_type="application/json")
    if response.has_header("Allow"):
        replaced["Allow"] = response["Allow"]
    return replaced


class ApiJsonErrorsMiddleware:
    async_capable = True
    sync_capable = True

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        if iscoroutinefunction(self):
            return self._acall(request)
        return _as_json(request, self.get_response(request))

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        return _as_json(request, await self.get_response(request))
