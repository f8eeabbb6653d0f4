"""``client.schedules``: when load tests run by themselves."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime

from yarl import URL

from .._converter import to_dict
from .._listing import PAGE_SIZE, Listing, items
from .._models import Page
from .._models_schedules import RecurrenceRule, Schedule, ScheduleCron
from .._requestor import Requestor, Timeout
from .._retry import Replay
from .._validation import check_id, check_schedule
from ._base import Resource

__all__ = ["Schedules"]


class Schedules(Resource):
    """Schedules: list, read, set (one per test), delete, activate and deactivate."""

    def __init__(self, requestor: Requestor) -> None:
        super().__init__(requestor)
        self._listing = Listing(requestor, Schedule)
        self._schedules_root = self._root / "schedules"

    def list(
        self,
        *,
        page_size: int = PAGE_SIZE,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> AsyncGenerator[Schedule, None]:
        """Every schedule of the stack, following ``@nextLink`` (an async generator: use
        ``contextlib.aclosing`` to stop early)."""
        return items(self.pages(page_size=page_size, timeout=timeout, max_retries=max_retries))

    def pages(
        self,
        *,
        page_size: int = PAGE_SIZE,
        count: bool = False,
        next_link: str | None = None,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> AsyncGenerator[Page[Schedule], None]:
        """``GET /schedules`` page by page (``.items``, ``.count`` with ``count=True``,
        ``.next_link``); ``next_link=`` resumes from a kept link."""
        return self._listing.pages(
            lambda: self._schedules_root,
            page_size=page_size,
            count=count,
            next_link=next_link,
            timeout=timeout,
            max_retries=max_retries,
        )

    async def get(
        self, schedule_id: int, *, timeout: Timeout = None, max_retries: int | None = None
    ) -> Schedule:
        """``GET /schedules/{id}``. NotFoundError for an unknown id."""
        url = self._schedule_url(schedule_id)
        return await self._get(url, Schedule, timeout=timeout, max_retries=max_retries)

    async def for_test(
        self, test_id: int, *, timeout: Timeout = None, max_retries: int | None = None
    ) -> Schedule:
        """``GET /load_tests/{id}/schedule``: the test's schedule. NotFoundError when the
        test does not exist or has no schedule."""
        url = self._test_schedule_url(test_id)
        return await self._get(url, Schedule, timeout=timeout, max_retries=max_retries)

    async def set(
        self,
        test_id: int,
        *,
        starts: datetime,
        cron: ScheduleCron | None = None,
        recurrence: RecurrenceRule | None = None,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> Schedule:
        """``POST /load_tests/{id}/schedule``: the test's schedule, replacing any it had.

        From ``starts`` (timezone-aware) on ``cron``, or by ``recurrence``, or (neither)
        once at ``starts``. Everything is checked before any request: a cron expression of
        five fields (or an alias) in a time zone ``zoneinfo`` knows; a rule's
        ``frequency`` and ``byday`` among the API's values (``byday`` for ``WEEKLY``
        only), ``interval`` and ``count`` positive, ``until`` aware, not both ``count``
        and ``until``. A TypeError/ValueError names the argument.

        Retried like a PUT: the API replaces the test's schedule, so the same request sent
        again after a lost response leaves the test with the same one schedule.
        """
        url = self._test_schedule_url(test_id)
        request = check_schedule(starts, cron, recurrence)
        return await self._send_json(
            "POST",
            url,
            to_dict(request),
            self._requestor.model(Schedule),
            timeout=timeout,
            max_retries=max_retries,
            replay=Replay.IDEMPOTENT,
        )

    async def delete(
        self, schedule_id: int, *, timeout: Timeout = None, max_retries: int | None = None
    ) -> None:
        """``DELETE /schedules/{id}``; the test stays, unscheduled.

        A 404 on a retry, after an attempt whose response was lost, means that attempt
        deleted the schedule: the call then succeeds rather than report a deletion that
        happened.
        """
        url = self._schedule_url(schedule_id)
        await self._delete(url, timeout=timeout, max_retries=max_retries)

    async def activate(
        self, schedule_id: int, *, timeout: Timeout = None, max_retries: int | None = None
    ) -> None:
        """``POST /schedules/{id}/activate``: a deactivated schedule triggers runs again
        (a no-op on an active one). ConflictError when it has expired: no run is left."""
        url = self._schedule_url(schedule_id, "activate")
        await self._send("POST", url, timeout=timeout, max_retries=max_retries)

    async def deactivate(
        self, schedule_id: int, *, timeout: Timeout = None, max_retries: int | None = None
    ) -> None:
        """``POST /schedules/{id}/deactivate``: no more runs until activated; the rule and
        its expiry are unchanged (a no-op on an expired or deactivated schedule)."""
        url = self._schedule_url(schedule_id, "deactivate")
        await self._send("POST", url, timeout=timeout, max_retries=max_retries)

    def _schedule_url(self, schedule_id: int, *rest: str) -> URL:
        return self._url("schedules", check_id(schedule_id, "schedule_id"), *rest)

    def _test_schedule_url(self, test_id: int) -> URL:
        return self._url("load_tests", check_id(test_id, "test_id"), "schedule")
