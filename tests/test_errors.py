"""Error responses become the right exception, whatever their body looks like."""

from __future__ import annotations

import json

import pytest

import k6cloud_async as k6
from k6cloud_async._errors import api_error_from_response


def _error_json(code: str, message: str, **extra: object) -> bytes:
    return json.dumps({"error": {"code": code, "message": message, **extra}}).encode()


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, k6.BadRequestError),
        (401, k6.AuthenticationError),
        (403, k6.PermissionDeniedError),
        (404, k6.NotFoundError),
        (406, k6.NotAcceptableError),
        (409, k6.ConflictError),
        (429, k6.RateLimitError),
        (500, k6.ServerError),
        (502, k6.ServerError),
        (503, k6.ServerError),
        (405, k6.APIError),
        (413, k6.APIError),
        (422, k6.APIError),
    ],
)
def test_each_status_maps_to_its_class(status: int, cls: type[k6.APIError]) -> None:
    error = api_error_from_response(
        status=status, body=_error_json("x", "y"), method="GET", url="https://h/p"
    )
    assert type(error) is cls
    assert isinstance(error, k6.K6CloudError)
    assert error.status == status


def test_the_error_json_fills_the_fields() -> None:
    body = _error_json(
        "validation_error",
        "Invalid input.",
        target="name",
        details=[{"code": "too_long", "message": "Too long.", "target": "name"}],
    )
    error = api_error_from_response(
        status=400,
        body=body,
        method="PATCH",
        url="https://h/cloud/v6/load_tests/1",
        request_id="req-1",
    )
    assert (error.code, error.message, error.target) == (
        "validation_error",
        "Invalid input.",
        "name",
    )
    assert error.details == [k6.ErrorDetail(code="too_long", message="Too long.", target="name")]
    assert (error.method, error.url, error.request_id) == (
        "PATCH",
        "https://h/cloud/v6/load_tests/1",
        "req-1",
    )
    text = str(error)
    assert "400 validation_error: Invalid input." in text
    assert "target: name" in text
    assert "PATCH https://h/cloud/v6/load_tests/1" in text


def test_an_html_body_still_gives_class_status_and_a_message() -> None:
    html = b"<html><body><h1>502 Bad Gateway</h1>\n<p>nginx</p></body></html>"
    error = api_error_from_response(status=502, body=html, method="GET", url="https://h/")
    assert type(error) is k6.ServerError
    assert error.code is None
    assert "502 Bad Gateway" in error.message
    assert "\n" not in error.message


def test_an_empty_body_uses_the_reason_phrase() -> None:
    error = api_error_from_response(status=404, body=b"", method="GET", url="https://h/")
    assert error.message == "Not Found"


def test_a_long_body_is_cut() -> None:
    error = api_error_from_response(status=500, body=b"x" * 10_000, method="GET", url="u")
    assert len(error.message) <= 200


def test_json_that_is_not_the_error_shape_is_treated_as_text() -> None:
    error = api_error_from_response(status=400, body=b'{"detail": "nope"}', method="GET", url="u")
    assert error.code is None
    assert "nope" in error.message


def test_rate_limit_carries_retry_after() -> None:
    error = api_error_from_response(status=429, body=b"", method="GET", url="u", retry_after=2.5)
    assert isinstance(error, k6.RateLimitError)
    assert error.retry_after == 2.5


def test_repr_names_status_and_code() -> None:
    error = api_error_from_response(
        status=409,
        body=_error_json("conflict", "The name is already taken."),
        method="POST",
        url="u",
    )
    assert repr(error).startswith("ConflictError(status=409, code='conflict'")


def test_malformed_details_are_skipped_not_fatal() -> None:
    body = _error_json("bad", "Bad.", details=["text", {"code": "c", "message": "m"}])
    error = api_error_from_response(status=400, body=body, method="GET", url="u")
    assert error.details == [k6.ErrorDetail(code="c", message="m")]
