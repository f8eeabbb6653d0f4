"""What can go wrong on purpose: :class:`Fault` values and the rules that inject them."""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Mapping
from datetime import datetime
from email.utils import format_datetime
from typing import Any, Final, Literal

from attrs import define, field, frozen

from ._errors import error_body, status_code_name

__all__ = ["UNTIL_REMOVED", "Fault", "FaultKind", "FaultSet", "InjectedFault", "matches_path"]

#: ``inject(..., times=UNTIL_REMOVED)``: every matching request, until the rule is removed.
UNTIL_REMOVED: Final = None

FaultKind = Literal[
    "status",
    "reset",
    "stall",
    "truncated_body",
    "malformed_json",
    "html_502",
    "foreign_next_link",
    "after_processing",
]

HTML_502: Final = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
MALFORMED_JSON: Final = b'{"value": ['
_AFTER_OK: Final = frozenset({"status", "reset", "stall", "malformed_json", "html_502"})


def _retry_after(value: int | float | str | datetime | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("retry_after datetime must be timezone-aware")
        return format_datetime(value, usegmt=True)
    return str(int(value)) if float(value).is_integer() else str(value)


@frozen
class Fault:
    """A fault to inject; build one with the class methods, not the constructor.

    Faults that replace the response (``status``, ``reset``, ``malformed_json``,
    ``html_502``) skip the request's handling: nothing changes on the fake. The
    others handle it normally first (``stall`` after its sleep), and so does
    :meth:`after_processing`, which applies its inner fault to the response.
    """

    kind: FaultKind
    http_status: int | None = None
    headers: Mapping[str, str] = field(factory=dict)
    body: bytes | None = None
    content_type: str | None = None
    seconds: float = 0.0
    url: str | None = None
    inner: Fault | None = None

    @classmethod
    def status(
        cls,
        status: int,
        *,
        retry_after: int | float | str | datetime | None = None,
        body: bytes | str | Mapping[str, Any] | None = None,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Fault:
        """Answer ``status`` without handling the request.

        ``body`` defaults to the API's error JSON (``code`` from the status's reason
        phrase, e.g. ``service_unavailable``); a mapping is sent as JSON, ``str`` and
        ``bytes`` as they are (``content_type`` defaults to ``application/json`` for a
        mapping or no body, ``text/plain`` otherwise). ``retry_after`` becomes the
        ``Retry-After`` header: seconds, an HTTP-date string, or an aware ``datetime``.
        """
        extra = dict(headers or {})
        after = _retry_after(retry_after)
        if after is not None:
            extra["Retry-After"] = after
        if body is None:
            message = f"Injected fault: {status} {status_code_name(status).replace('_', ' ')}."
            raw, ctype = error_body(status_code_name(status), message), "application/json"
        elif isinstance(body, Mapping):
            raw, ctype = json.dumps(body).encode(), "application/json"
        else:
            raw = body.encode() if isinstance(body, str) else bytes(body)
            ctype = "text/plain"
        return cls("status", status, extra, raw, content_type or ctype)

    @classmethod
    def reset(cls) -> Fault:
        """Drop the connection (TCP reset) without a response; the request is not handled."""
        return cls("reset")

    @classmethod
    def stall(cls, seconds: float) -> Fault:
        """Sleep ``seconds`` (cancellable), then handle the request normally."""
        if seconds < 0:
            raise ValueError("seconds must be >= 0")
        return cls("stall", seconds=seconds)

    @classmethod
    def truncated_body(cls) -> Fault:
        """Handle the request, send the headers with the right ``Content-Length``,
        then half of the body, then close the connection."""
        return cls("truncated_body")

    @classmethod
    def malformed_json(cls) -> Fault:
        """Answer ``200`` ``application/json`` with a body that is not JSON (not handled)."""
        return cls("malformed_json", 200, body=MALFORMED_JSON, content_type="application/json")

    @classmethod
    def html_502(cls) -> Fault:
        """Answer a proxy's ``502`` HTML page (not handled)."""
        return cls("html_502", 502, body=HTML_502, content_type="text/html")

    @classmethod
    def foreign_next_link(cls, url: str) -> Fault:
        """Handle a listing, then set its ``@nextLink`` to ``url`` (even on the last page).

        On a response that is not a listing it changes nothing (but still counts).
        """
        return cls("foreign_next_link", url=url)

    @classmethod
    def after_processing(cls, fault: Fault) -> Fault:
        """Handle the request (state changes), then apply ``fault`` to the response.

        ``fault`` is a ``status``, ``reset``, ``malformed_json``, ``html_502`` or
        ``stall`` fault: a lost or late answer to a request that took effect.
        """
        if fault.kind not in _AFTER_OK:
            raise ValueError(f"after_processing cannot wrap a {fault.kind!r} fault")
        return cls("after_processing", inner=fault)


def matches_path(pattern: str | re.Pattern[str] | None, path: str) -> bool:
    """Whether ``path`` matches a glob (``fnmatch``), a whole-path regex, or ``None`` (any)."""
    if pattern is None:
        return True
    if isinstance(pattern, re.Pattern):
        return pattern.fullmatch(path) is not None
    return fnmatch.fnmatchcase(path, pattern)


@define
class InjectedFault:
    """One :meth:`FakeK6Cloud.inject` rule; ``remaining`` is ``None`` for "until cleared"."""

    fault: Fault
    method: str | None
    path: str | re.Pattern[str] | None
    remaining: int | None
    applied: int = 0

    def matches(self, method: str, path: str) -> bool:
        """Whether the rule still applies to a ``method`` request for ``path``."""
        return (
            (self.remaining is None or self.remaining > 0)
            and (self.method is None or self.method.upper() == method.upper())
            and matches_path(self.path, path)
        )

    @property
    def used_up(self) -> bool:
        """Whether the rule did all it was asked: ``times`` applications, or (for
        :data:`UNTIL_REMOVED`) at least one."""
        return self.applied > 0 if self.remaining is None else self.remaining == 0

    def describe(self) -> str:
        """``Fault.status on GET /cloud/v6/load_tests/*: applied 1, 2 left``."""
        pattern = self.path.pattern if isinstance(self.path, re.Pattern) else self.path
        where = f"{(self.method or 'any method').upper()} {pattern or 'any path'}"
        left = "until removed" if self.remaining is None else f"{self.remaining} left"
        return f"Fault.{self.fault.kind} on {where}: applied {self.applied}, {left}"


@define
class FaultSet:
    """The active rules, in the order they were injected; the first match wins."""

    rules: list[InjectedFault] = field(factory=list)
    injected: int = 0

    def add(self, rule: InjectedFault) -> None:
        """Activate ``rule``."""
        self.rules.append(rule)

    def take(self, method: str, path: str) -> Fault | None:
        """The fault for this request, if a rule matches (using up one of its ``times``)."""
        for rule in self.rules:
            if rule.matches(method, path):
                if rule.remaining is not None:
                    rule.remaining -= 1
                rule.applied += 1
                self.injected += 1
                self.rules = [r for r in self.rules if r.remaining != 0]
                return rule.fault
        return None

    def remove(self, rule: InjectedFault) -> None:
        """Deactivate ``rule`` (a no-op when it is used up or was removed)."""
        self.rules = [r for r in self.rules if r is not rule]

    def unused(self) -> list[InjectedFault]:
        """The active rules that have not done all they were asked, in injection order."""
        return [r for r in self.rules if not r.used_up]

    def clear(self) -> None:
        """Drop every rule (the ``injected`` count stays)."""
        self.rules.clear()
