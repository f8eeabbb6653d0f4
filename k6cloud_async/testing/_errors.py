"""The API's error JSON, and the exception handlers raise to answer with it."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from aiohttp import web

__all__ = ["ApiError", "error_body", "error_response", "status_code_name"]


def status_code_name(status: int) -> str:
    """The ``code`` the fake uses for a bare status: its reason phrase in snake case.

    ``404`` gives ``not_found``, ``503`` gives ``service_unavailable``; a status
    Python does not know gives ``http_<status>``.
    """
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        return f"http_{status}"
    return phrase.lower().replace(" ", "_").replace("-", "_").replace("'", "")


class ApiError(Exception):
    """An API error: raise it in a handler (or the store) to answer with the error JSON.

    The response is ``status`` with ``{"error": {"code", "message", "target",
    "details"}}`` as ``application/json``.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        target: str | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.target = target
        self.details = details

    @classmethod
    def validation(cls, message: str, target: str | None = None) -> ApiError:
        """A ``400 validation_error`` about ``target``."""
        return cls(400, "validation_error", message, target=target)

    @classmethod
    def not_found(cls, what: str = "Resource") -> ApiError:
        """A ``404 not_found``."""
        return cls(404, "not_found", f"{what} not found.")

    @classmethod
    def conflict(cls, message: str, target: str | None = None) -> ApiError:
        """A ``409 conflict``."""
        return cls(409, "conflict", message, target=target)

    def to_response(self) -> web.Response:
        """The response answering this error."""
        return error_response(
            self.status, self.code, self.message, target=self.target, details=self.details
        )


def error_body(
    code: str,
    message: str,
    *,
    target: str | None = None,
    details: list[dict[str, Any]] | None = None,
) -> bytes:
    """The API's error JSON, encoded."""
    body = {"error": {"code": code, "message": message, "target": target, "details": details}}
    return json.dumps(body).encode()


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    target: str | None = None,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> web.Response:
    """A response with the API's error JSON."""
    return web.Response(
        status=status,
        body=error_body(code, message, target=target, details=details),
        content_type="application/json",
        headers=headers,
    )
