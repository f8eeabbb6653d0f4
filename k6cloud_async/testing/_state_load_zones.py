"""The fake's load zones: public ones every project may use, private ones with the list of
projects allowed to use each.

Zone ids are the API's numeric ids; ``k6_load_zone_id`` is the name scripts use. Methods
raise :class:`ApiError`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from attrs import define, evolve, field

from .._models_load_zones import LoadZone
from ._errors import ApiError

__all__ = ["DEFAULT_LOAD_ZONES", "LoadZoneBook"]

#: The zones of a new fake: public AWS zones (the first and last from the OpenAPI
#: document's example), then the private zones the document's project examples use.
DEFAULT_LOAD_ZONES: Final = (
    LoadZone(1, "US East (N. Virginia)", "amazon:us:ashburn", True, None, True),
    LoadZone(2, "US West (Oregon)", "amazon:us:portland", True, None, True),
    LoadZone(3, "Asia Pacific (Tokyo)", "amazon:jp:tokyo", False, None, True),
    LoadZone(4, "EU (Frankfurt)", "amazon:de:frankfurt", True, None, True),
    LoadZone(5, "EU (Dublin)", "amazon:ie:dublin", True, None, True),
    LoadZone(24, "EU region load zone", "eu-region-load-zone", True, "grafana/k6:latest", False),
    LoadZone(173, "US region load zone", "us-region-load-zone", True, "grafana/k6:latest", False),
    LoadZone(8345, "Ops playground load zone", "ops-playground-load-zone", False, None, False),
)

#: The most projects one ``PUT /load_zones/{id}/allowed_projects`` may name.
MAX_ALLOWED_PROJECTS: Final = 500


def _default_zones() -> dict[int, LoadZone]:
    return {zone.id: evolve(zone) for zone in DEFAULT_LOAD_ZONES}


@define
class LoadZoneBook:
    """The zones by id, and which projects may use which private zone.

    ``allowed`` is the one record of that relation, read from both ends: ``(zone id, project
    id)`` pairs, in the order they were set, so ``PUT /load_zones/{id}/allowed_projects``
    and ``PUT /projects/{id}/allowed_load_zones`` each see the other's changes.
    """

    zones: dict[int, LoadZone] = field(factory=_default_zones)
    allowed: list[tuple[int, int]] = field(factory=list)

    def add(
        self,
        k6_load_zone_id: str,
        *,
        name: str | None = None,
        public: bool = False,
        available: bool = True,
        custom_load_runner_image: str | None = None,
    ) -> LoadZone:
        """A new zone with the next free id: ``ValueError`` when ``k6_load_zone_id`` is taken
        or empty."""
        if not isinstance(k6_load_zone_id, str) or not k6_load_zone_id:
            raise ValueError("k6_load_zone_id must be a non-empty str")
        if self.by_k6_id(k6_load_zone_id) is not None:
            raise ValueError(f"a load zone {k6_load_zone_id!r} exists already")
        zone = LoadZone(
            id=max(self.zones, default=0) + 1,
            name=k6_load_zone_id if name is None else name,
            k6_load_zone_id=k6_load_zone_id,
            available=available,
            custom_load_runner_image=custom_load_runner_image,
            public=public,
        )
        self.zones[zone.id] = zone
        return zone

    def get(self, zone_id: int) -> LoadZone | None:
        """The zone with id ``zone_id``, or ``None``."""
        return self.zones.get(zone_id)

    def by_k6_id(self, k6_load_zone_id: str) -> LoadZone | None:
        """The zone scripts call ``k6_load_zone_id``, or ``None``."""
        return next((z for z in self.zones.values() if z.k6_load_zone_id == k6_load_zone_id), None)

    def listing(self, k6_load_zone_id: str | None) -> list[LoadZone]:
        """Every zone by id, or the one named ``k6_load_zone_id`` (exact match)."""
        return [
            zone
            for _, zone in sorted(self.zones.items())
            if k6_load_zone_id is None or zone.k6_load_zone_id == k6_load_zone_id
        ]

    def require_private(self, zone_id: int) -> LoadZone:
        """The private zone ``zone_id``: ``404`` for an unknown zone and for a public one,
        which every project may use and which has no list of allowed projects."""
        zone = self.zones.get(zone_id)
        if zone is None or zone.public:
            raise ApiError.not_found("Private load zone")
        return zone

    def projects_of(self, zone_id: int) -> list[int]:
        """The ids of the projects allowed to use the private zone ``zone_id``."""
        self.require_private(zone_id)
        return [project for zone, project in self.allowed if zone == zone_id]

    def set_projects(self, zone_id: int, project_ids: Iterable[int]) -> list[int]:
        """Allow exactly ``project_ids`` (duplicates dropped) to use the private zone."""
        self.require_private(zone_id)
        ids = list(dict.fromkeys(project_ids))
        if len(ids) > MAX_ALLOWED_PROJECTS:
            raise ApiError.validation(
                f"At most {MAX_ALLOWED_PROJECTS} projects may be allowed.", "value"
            )
        kept = [pair for pair in self.allowed if pair[0] != zone_id]
        self.allowed = kept + [(zone_id, project) for project in ids]
        return list(ids)

    def zones_of_project(self, project_id: int) -> list[LoadZone]:
        """The private zones ``project_id`` may use, in the order they were set."""
        return [self.zones[zone] for zone, project in self.allowed if project == project_id]

    def set_zones_of_project(self, project_id: int, zone_ids: Iterable[int]) -> list[LoadZone]:
        """Allow ``project_id`` exactly the private zones ``zone_ids`` (duplicates dropped):
        ``400`` (target ``value``) for an unknown or public zone, changing nothing."""
        ids = list(dict.fromkeys(zone_ids))
        unknown = [z for z in ids if z not in self.zones or self.zones[z].public]
        if unknown:
            raise ApiError.validation(f"Unknown load zone ids: {unknown}.", "value")
        kept = [pair for pair in self.allowed if pair[1] != project_id]
        self.allowed = kept + [(zone, project_id) for zone in ids]
        return self.zones_of_project(project_id)

    def forget_project(self, project_id: int) -> None:
        """A deleted project: no zone allows it any more."""
        self.allowed = [pair for pair in self.allowed if pair[1] != project_id]
