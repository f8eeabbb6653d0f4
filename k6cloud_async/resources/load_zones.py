"""``client.load_zones``: the stack's load zones, and who may use the private ones."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from typing import Final

from yarl import URL

from .._converter import to_dict
from .._models_load_zones import AllowedProject, AllowedProjectRef, AllowedProjectsUpdate, LoadZone
from .._requestor import Requestor, Timeout
from .._validation import check_id, check_id_list, check_k6_load_zone_id
from ._base import Resource

__all__ = ["MAX_ALLOWED_PROJECTS", "LoadZones"]

#: The most projects ``PUT /load_zones/{id}/allowed_projects`` takes.
MAX_ALLOWED_PROJECTS: Final = 500


class LoadZones(Resource):
    """Load zones: list them; read and replace the projects allowed to use a private one.

    ``GET /load_zones`` is not paginated: the API answers every zone in one body.
    """

    def __init__(self, requestor: Requestor) -> None:
        super().__init__(requestor)
        self._zones_root = self._root / "load_zones"

    async def list(
        self,
        *,
        k6_load_zone_id: str | None = None,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> builtins.list[LoadZone]:
        """``GET /load_zones``: every zone, public and private, or the one whose
        ``k6_load_zone_id`` (its name in scripts, ``amazon:us:ashburn``) is given."""
        url = self._zones_root
        if k6_load_zone_id is not None:
            url = url.with_query(k6_load_zone_id=check_k6_load_zone_id(k6_load_zone_id))
        return await self._get_list(url, LoadZone, timeout=timeout, max_retries=max_retries)

    async def allowed_projects(
        self, load_zone_id: int, *, timeout: Timeout = None, max_retries: int | None = None
    ) -> builtins.list[AllowedProject]:
        """``GET /load_zones/{id}/allowed_projects``: the projects that may run tests in a
        private zone. NotFoundError for an unknown zone."""
        url = self._allowed_url(load_zone_id)
        return await self._get_list(url, AllowedProject, timeout=timeout, max_retries=max_retries)

    async def set_allowed_projects(
        self,
        load_zone_id: int,
        project_ids: Iterable[int],
        *,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> builtins.list[AllowedProject]:
        """``PUT /load_zones/{id}/allowed_projects``: exactly ``project_ids`` (at most 500;
        an empty iterable allows none) may use the zone; the new list is returned.

        A full replacement, so it is safe to repeat (and retried like a GET).
        """
        url = self._allowed_url(load_zone_id)
        ids = check_id_list(project_ids, "project_ids", most=MAX_ALLOWED_PROJECTS)
        body = AllowedProjectsUpdate(value=[AllowedProjectRef(id=i) for i in ids])
        return await self._send_json(
            "PUT",
            url,
            to_dict(body),
            self._requestor.model_list(AllowedProject),
            timeout=timeout,
            max_retries=max_retries,
        )

    def _allowed_url(self, load_zone_id: int) -> URL:
        zone = str(check_id(load_zone_id, "load_zone_id"))
        return self._zones_root / zone / "allowed_projects"
