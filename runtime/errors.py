"""The one error a service raises to refuse a request; the API answers it as JSON."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """`status`, `code`, `message` and `details` become `{"error": {...}}` with that status."""

    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
