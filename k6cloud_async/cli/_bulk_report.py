"""Reporting a bulk operation item by item: a line per test, a bar, a summary, an exit code."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING

from ._errors import EXIT_ERROR, describe, error_document

if TYPE_CHECKING:
    import k6cloud_async as k6

    from ._context import Context

__all__ = ["report_each"]


async def report_each(
    ctx: Context,
    ids: list[int],
    *,
    verb: str,
    suffix: str = "",
    one: Callable[[int], Awaitable[None]],
    many: Callable[[list[int]], AsyncIterator[k6.Outcome[int, None]]],
) -> int:
    """Apply an operation to load tests ``ids`` and report: 0 when every one succeeded.

    One id is a plain call whose error is reported (and exits 1) as any other; several go
    through the library's bulk method, each failure on its own stderr line. Lines say
    ``<verb> load test <id><suffix>`` (``--json``: ``{"id": …, "ok": …}`` per line, the
    failures' errors in those lines), then a summary (``--json``: one error object on stderr
    when some failed).
    """
    out = ctx.out
    if len(ids) == 1:
        await one(ids[0])
        out.line(f"{verb} load test {ids[0]}{suffix}")
        if out.json_mode:
            out.json_lines([{"id": ids[0], "ok": True}])
        return 0
    bar = ctx.progress(verb, unit="items")
    failed = 0
    outcomes = many(ids)
    try:
        async for outcome in outcomes:
            bar.clear()
            if outcome.error is None:
                out.line(f"{verb} load test {outcome.item}{suffix}")
                if out.json_mode:
                    out.json_lines([{"id": outcome.item, "ok": True}])
            else:
                failed += 1
                if out.json_mode:
                    error = error_document(outcome.error)
                    out.json_lines([{"id": outcome.item, "ok": False, "error": error}])
                else:
                    out.error(f"load test {outcome.item}: {describe(outcome.error)}")
            bar.advance(len(ids))
    finally:
        bar.close()
        aclose = getattr(outcomes, "aclose", None)
        if aclose is not None:
            await aclose()
    summary = f"{verb} {len(ids) - failed} of {len(ids)} load tests{suffix}"
    out.line(summary + (f" ({failed} failed)" if failed else ""))
    if failed and out.json_mode:
        out.failure(f"{failed} of {len(ids)} load tests failed", code="partial_failure")
    return EXIT_ERROR if failed else 0
