"""Attrs classes for the load zone bodies of the v6 API (``/load_zones``).

Attribute names are the API's field names (the OpenAPI document's schemas, where every
field of these models is required).
"""

from __future__ import annotations

from attrs import define

__all__ = ["AllowedProject", "AllowedProjectRef", "AllowedProjectsUpdate", "LoadZone"]


@define
class LoadZone:
    """A load zone of the stack, public or private (``LoadZoneApiModel``).

    ``k6_load_zone_id`` is the name scripts use (``amazon:us:ashburn``);
    ``custom_load_runner_image`` is set for private zones only.
    """

    id: int
    name: str
    k6_load_zone_id: str
    available: bool
    custom_load_runner_image: str | None
    public: bool


@define
class AllowedProject:
    """A project allowed to use a private load zone (``AllowedProjectApiModel``)."""

    id: int
    name: str


@define
class AllowedProjectRef:
    """One project of ``PUT /load_zones/{id}/allowed_projects``
    (``AllowedProjectToUpdateApiModel``)."""

    id: int


@define
class AllowedProjectsUpdate:
    """Request body of ``PUT /load_zones/{id}/allowed_projects``
    (``UpdateAllowedProjectsListApiModel``): the full list of allowed projects."""

    value: list[AllowedProjectRef]
