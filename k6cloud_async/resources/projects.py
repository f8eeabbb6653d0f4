"""``client.projects``: projects, their limits, allowed load zones and labels."""

from __future__ import annotations

import builtins
import contextlib
from collections.abc import AsyncGenerator, Iterable, Mapping, Sequence
from typing import Any, Final
from urllib.parse import quote

from yarl import URL

from .._converter import to_dict
from .._errors import ConflictError
from .._listing import PAGE_SIZE, Filter, Listing, items
from .._models import UNSET, Page, Unset, Upserted
from .._models_projects import (
    AllowedLoadZone,
    AllowedLoadZoneRef,
    AllowedLoadZonesUpdate,
    Project,
    ProjectCreate,
    ProjectLabel,
    ProjectLabelPut,
    ProjectLabelsPut,
    ProjectLimits,
    ProjectLimitsPatch,
    ProjectPatch,
)
from .._requestor import Requestor, Timeout
from .._retry import Replay
from .._validation import (
    MAX_PROJECT_IDS_PER_REQUEST,
    check_changes,
    check_id,
    check_label_text,
    check_labels,
    check_limit,
    check_load_zone_ids,
    check_page_size,
    check_project_ids,
    check_project_name,
)
from ._base import Resource

__all__ = ["Projects"]

#: The fields ``GET /projects`` can be ordered by.
_ORDER_FIELDS: Final = frozenset({"created", "name"})
#: Lookups an ``upsert`` makes before giving up on a name that keeps changing hands.
_UPSERT_ROUNDS: Final = 3


def _as_ids(value: Sequence[int], argument: str) -> str:
    return ",".join(map(str, value))


class Projects(Resource):
    """Projects: list, read, create, rename, delete; their limits, load zones and labels."""

    def __init__(self, requestor: Requestor) -> None:
        super().__init__(requestor)
        self._listing = Listing(requestor, Project, order_fields=_ORDER_FIELDS)
        self._limits_listing = Listing(requestor, ProjectLimits)
        self._projects_root = self._root / "projects"

    # -- listings -------------------------------------------------------------------------

    def list(
        self,
        *,
        name: str | None = None,
        name_search: str | None = None,
        order_by: str | Sequence[str] | None = None,
        page_size: int = PAGE_SIZE,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> AsyncGenerator[Project, None]:
        """Every project of the stack, following ``@nextLink``.

        ``name`` keeps the project of exactly that name, ``name_search`` those whose name
        contains it; ``order_by`` is over ``created`` and ``name`` (``"name desc"``). An
        async generator: use it with ``contextlib.aclosing`` to stop early.
        """
        return items(
            self.pages(
                name=name,
                name_search=name_search,
                order_by=order_by,
                page_size=page_size,
                timeout=timeout,
                max_retries=max_retries,
            )
        )

    def pages(
        self,
        *,
        name: str | None = None,
        name_search: str | None = None,
        order_by: str | Sequence[str] | None = None,
        page_size: int = PAGE_SIZE,
        count: bool = False,
        next_link: str | None = None,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> AsyncGenerator[Page[Project], None]:
        """``GET /projects`` page by page (``.items``, ``.count``, ``.next_link``).

        ``count=True`` asks for ``@count``; ``next_link=`` resumes from a link kept from an
        earlier page (the filters are in it then, and must not be given).
        """
        return self._listing.pages(
            lambda: self._projects_root,
            filters={
                "name": Filter(name, check_project_name),
                "name_search": Filter(name_search, check_project_name),
            },
            order_by=order_by,
            page_size=page_size,
            count=count,
            next_link=next_link,
            timeout=timeout,
            max_retries=max_retries,
        )

    # -- one project ----------------------------------------------------------------------

    async def get(
        self, project_id: int, *, timeout: Timeout = None, max_retries: int | None = None
    ) -> Project:
        """``GET /projects/{id}``. NotFoundError for an unknown id."""
        url = self._project_url(project_id)
        return await self._get(url, Project, timeout=timeout, max_retries=max_retries)

    async def create(
        self, name: str, *, timeout: Timeout = None, max_retries: int | None = None
    ) -> Project:
        """``POST /projects``: a new project, named ``name`` (1 to 255 characters).

        Not idempotent: retried only when the request provably was not processed (no
        connection, or 429). ConflictError when the name is in use in the stack, or the
        stack holds its most projects (1000).
        """
        body = to_dict(ProjectCreate(name=check_project_name(name)))
        return await self._send_json(
            "POST",
            self._projects_root,
            body,
            self._requestor.model(Project),
            timeout=timeout,
            max_retries=max_retries,
            replay=Replay.UNPROCESSED_ONLY,
        )

    async def update(
        self,
        project_id: int,
        *,
        name: str,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> None:
        """``PATCH /projects/{id}``: rename the project. ConflictError when the name is in use."""
        url = self._project_url(project_id)
        body = to_dict(ProjectPatch(name=check_project_name(name)))
        await self._send_json(
            "PATCH",
            url,
            body,
            self._requestor.no_content,
            timeout=timeout,
            max_retries=max_retries,
        )

    async def delete(
        self, project_id: int, *, timeout: Timeout = None, max_retries: int | None = None
    ) -> None:
        """``DELETE /projects/{id}``. ConflictError while the project cannot go (it holds a
        running test).

        A 404 on a retry, after an attempt whose response was lost, means that attempt
        deleted the project: the call then succeeds.
        """
        url = self._project_url(project_id)
        await self._delete(url, timeout=timeout, max_retries=max_retries)

    async def upsert(
        self, name: str, *, timeout: Timeout = None, max_retries: int | None = None
    ) -> Upserted[Project]:
        """The project named exactly ``name``, created when there is none; ``.created``
        tells which (``False``: it existed and is returned as found).

        Race-safe: when a concurrent call creates the name first, the ConflictError of the
        create is absorbed and the project it created is looked up and returned. Not
        atomic: if this raises, calling it again is safe.
        """
        check_project_name(name)
        self._requestor.options(timeout, max_retries)
        calls: dict[str, Any] = {"timeout": timeout, "max_retries": max_retries}
        error: ConflictError | None = None
        for _ in range(_UPSERT_ROUNDS):
            found = await self._find_by_name(name, calls)
            if found is not None:
                return Upserted(found, created=False)
            try:
                return Upserted(await self.create(name, **calls), created=True)
            except ConflictError as exc:  # created by someone else since the lookup
                error = exc
        assert error is not None
        raise error

    async def _find_by_name(self, name: str, calls: Mapping[str, Any]) -> Project | None:
        listing = self.list(name=name, **calls)
        async with contextlib.aclosing(listing):
            async for project in listing:
                if project.name == name:
                    return project
        return None

    # -- limits ---------------------------------------------------------------------------

    async def get_limits(
        self, project_id: int, *, timeout: Timeout = None, max_retries: int | None = None
    ) -> ProjectLimits:
        """``GET /projects/{id}/limits``: the project's limits (``None``: no limit)."""
        url = self._project_url(project_id, "limits")
        return await self._get(url, ProjectLimits, timeout=timeout, max_retries=max_retries)

    async def update_limits(
        self,
        project_id: int,
        *,
        vuh_max_per_month: int | Unset | None = UNSET,
        vu_max_per_test: int | Unset | None = UNSET,
        vu_browser_max_per_test: int | Unset | None = UNSET,
        duration_max_per_test: int | Unset | None = UNSET,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> None:
        """``PATCH /projects/{id}/limits``: set a limit (a positive int) or remove it (None).

        A keyword left at ``UNSET`` is not sent; leaving them all is a ValueError.
        """
        url = self._project_url(project_id, "limits")
        limits = {
            "vuh_max_per_month": vuh_max_per_month,
            "vu_max_per_test": vu_max_per_test,
            "vu_browser_max_per_test": vu_browser_max_per_test,
            "duration_max_per_test": duration_max_per_test,
        }
        check_changes("update_limits", **limits)
        patch = ProjectLimitsPatch(
            **{name: check_limit(value, name) for name, value in limits.items()}
        )
        await self._send_json(
            "PATCH",
            url,
            to_dict(patch),
            self._requestor.no_content,
            timeout=timeout,
            max_retries=max_retries,
        )

    def list_limits(
        self,
        *,
        project_ids: Iterable[int] | None = None,
        page_size: int = PAGE_SIZE,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> AsyncGenerator[ProjectLimits, None]:
        """``GET /project-limits``: the limits of every project, or of ``project_ids``.

        The API takes at most 30 ids a request: more are asked for 30 at a time, one
        listing after the other, in ascending id order (duplicates are dropped; an unknown
        id is left out by the API). An empty ``project_ids`` yields nothing and sends
        nothing. Every argument is checked here, before any request.
        """
        ids = check_project_ids(project_ids)
        self._requestor.options(timeout, max_retries)
        if ids == []:  # nothing asked for, nothing sent; page_size is checked all the same
            if page_size is not PAGE_SIZE:
                check_page_size(page_size)
            return _nothing()
        groups: list[list[int] | None] = (
            [None]
            if ids is None
            else [
                ids[start : start + MAX_PROJECT_IDS_PER_REQUEST]
                for start in range(0, len(ids), MAX_PROJECT_IDS_PER_REQUEST)
            ]
        )
        # Each listing checks its arguments now; none sends a request before it is read.
        listings = [
            self._limits_listing.pages(
                lambda: self._root / "project-limits",
                filters={"project_ids": Filter(group, _as_ids, query="project_id_in")},
                page_size=page_size,
                timeout=timeout,
                max_retries=max_retries,
            )
            for group in groups
        ]
        return _one_after_another(listings)

    # -- allowed load zones ---------------------------------------------------------------

    async def allowed_load_zones(
        self, project_id: int, *, timeout: Timeout = None, max_retries: int | None = None
    ) -> builtins.list[AllowedLoadZone]:
        """``GET /projects/{id}/allowed_load_zones``: the private zones the project may use."""
        url = self._project_url(project_id, "allowed_load_zones")
        return await self._get_list(url, AllowedLoadZone, timeout=timeout, max_retries=max_retries)

    async def set_allowed_load_zones(
        self,
        project_id: int,
        load_zone_ids: Iterable[int],
        *,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> builtins.list[AllowedLoadZone]:
        """``PUT /projects/{id}/allowed_load_zones``: exactly these zones (an empty list: none).

        A full replacement, so safe to repeat. BadRequestError for an unknown zone id.
        """
        url = self._project_url(project_id, "allowed_load_zones")
        zones = [AllowedLoadZoneRef(id=zone) for zone in check_load_zone_ids(load_zone_ids)]
        return await self._send_json(
            "PUT",
            url,
            to_dict(AllowedLoadZonesUpdate(value=zones)),
            self._requestor.model_list(AllowedLoadZone),
            timeout=timeout,
            max_retries=max_retries,
        )

    # -- labels ---------------------------------------------------------------------------

    async def labels(
        self, project_id: int, *, timeout: Timeout = None, max_retries: int | None = None
    ) -> builtins.list[ProjectLabel]:
        """``GET /projects/{id}/labels``: the project's labels (``key``, ``value``)."""
        url = self._project_url(project_id, "labels")
        return await self._get_list(url, ProjectLabel, timeout=timeout, max_retries=max_retries)

    async def set_labels(
        self,
        project_id: int,
        labels: Mapping[str, str],
        *,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> builtins.list[ProjectLabel]:
        """``PUT /projects/{id}/labels``: exactly these labels, key to value (at most 30).

        A full replacement (an empty mapping removes every label), so safe to repeat; the
        answer carries each label's ``key_id``. ConflictError when the organization would
        hold more distinct pairs than it may (500).
        """
        url = self._project_url(project_id, "labels")
        body = ProjectLabelsPut(
            value=[
                ProjectLabelPut(value=value, key=key) for key, value in check_labels(labels).items()
            ]
        )
        return await self._send_json(
            "PUT",
            url,
            to_dict(body),
            self._requestor.model_list(ProjectLabel),
            timeout=timeout,
            max_retries=max_retries,
        )

    async def delete_label(
        self,
        project_id: int,
        key: str,
        *,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> None:
        """``DELETE /projects/{id}/labels/{key}``. NotFoundError when the project has no
        such label, unless an earlier attempt whose response was lost removed it."""
        key = check_label_text(key, "key")
        # The key is one path segment: a '/', '?' or '#' in it is escaped, not a separator.
        url = self._project_url(project_id, "labels").joinpath(quote(key, safe=""), encoded=True)
        await self._delete(url, timeout=timeout, max_retries=max_retries)

    # -- helpers --------------------------------------------------------------------------

    def _project_url(self, project_id: int, *rest: str) -> URL:
        return self._url("projects", check_id(project_id, "project_id"), *rest)


async def _one_after_another(
    listings: Sequence[AsyncGenerator[Page[ProjectLimits], None]],
) -> AsyncGenerator[ProjectLimits, None]:
    """The items of each listing in turn; stopping early closes the one being read."""
    for pages in listings:
        async with contextlib.aclosing(items(pages)) as limits:
            async for item in limits:
                yield item


async def _nothing() -> AsyncGenerator[ProjectLimits, None]:
    """An empty listing."""
    return
    yield
