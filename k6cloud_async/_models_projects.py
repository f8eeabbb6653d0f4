"""Attrs classes for the projects endpoints: projects, their limits, allowed load zones and
labels (the OpenAPI document 1.12.0's ``ProjectApiModel``, ``ProjectLimitsApiModel``,
``AllowedLoadZoneApiModel``, ``ProjectLabelItem`` / ``ProjectLabelPutResponseItem`` and the
request bodies).

Attribute names are the API's field names; a field is required only where the schema
requires it. Like ``_models``, the classes are slotted and not frozen: treat them as
read-only.
"""

from __future__ import annotations

from datetime import datetime

from attrs import define, field

from ._models import UNSET, Unset

__all__ = [
    "AllowedLoadZone",
    "AllowedLoadZoneRef",
    "AllowedLoadZonesUpdate",
    "Project",
    "ProjectCreate",
    "ProjectLabel",
    "ProjectLabelPut",
    "ProjectLabelsPut",
    "ProjectLimits",
    "ProjectLimitsPatch",
    "ProjectPatch",
]


@define
class Project:
    """A project (``ProjectApiModel``). ``labels`` maps label keys to values."""

    id: int
    name: str
    is_default: bool
    grafana_folder_uid: str | None
    created: datetime
    updated: datetime
    labels: dict[str, str] = field(factory=dict)


@define
class ProjectLimits:
    """A project's limits (``ProjectLimitsApiModel``); ``None`` is no limit."""

    project_id: int
    vuh_max_per_month: int | None
    vu_max_per_test: int | None
    vu_browser_max_per_test: int | None
    duration_max_per_test: int | None


@define
class AllowedLoadZone:
    """A private load zone a project may use (``AllowedLoadZoneApiModel``)."""

    id: int
    name: str
    k6_load_zone_id: str
    available: bool
    custom_load_runner_image: str | None
    public: bool


@define
class ProjectLabel:
    """A label of a project (``ProjectLabelItem``); ``key_id`` is sent only in the answer of
    ``PUT /projects/{id}/labels`` (``ProjectLabelPutResponseItem``)."""

    key: str
    value: str
    key_id: int | None = None


# -- request bodies ----------------------------------------------------------------------------


@define
class ProjectCreate:
    """Request body of ``POST /projects`` (``CreateProjectApiModel``)."""

    name: str


@define
class ProjectPatch:
    """Request body of ``PATCH /projects/{id}`` (``PatchProjectApiModel``)."""

    name: str


@define
class ProjectLimitsPatch:
    """Request body of ``PATCH /projects/{id}/limits`` (``PatchProjectLimitsRequest``): a
    field left at ``UNSET`` is not sent, ``None`` removes the limit."""

    vuh_max_per_month: int | Unset | None = UNSET
    vu_max_per_test: int | Unset | None = UNSET
    vu_browser_max_per_test: int | Unset | None = UNSET
    duration_max_per_test: int | Unset | None = UNSET


@define
class AllowedLoadZoneRef:
    """One entry of ``PUT /projects/{id}/allowed_load_zones`` (``AllowedLoadZoneToUpdate``)."""

    id: int


@define
class AllowedLoadZonesUpdate:
    """Request body of ``PUT /projects/{id}/allowed_load_zones``."""

    value: list[AllowedLoadZoneRef]


@define
class ProjectLabelPut:
    """One label of ``PUT /projects/{id}/labels`` (``ProjectLabelPutItem``): by ``key`` or by
    ``key_id``, which are mutually exclusive."""

    value: str
    key: str | Unset | None = UNSET
    key_id: int | Unset | None = UNSET


@define
class ProjectLabelsPut:
    """Request body of ``PUT /projects/{id}/labels`` (``ProjectLabelPutRequest``)."""

    value: list[ProjectLabelPut]
