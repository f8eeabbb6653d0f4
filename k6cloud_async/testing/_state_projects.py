"""The fake's projects: names, limits, the load zones each may use, and their labels.

The rules are the API's: names are unique in the stack (409), a stack holds at most 1000
projects (409), the first project of a stack is its default one, a project holds at most 30
labels and the organization at most 500 distinct label pairs (409). Methods raise
:class:`ApiError`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, Final

from attrs import define, evolve, field

from .._models_load_zones import LoadZone
from .._models_projects import AllowedLoadZone, Project, ProjectLabel, ProjectLimits
from ._clock import FakeClock
from ._errors import ApiError
from ._state_labels import LabelKeyBook
from ._state_load_zones import LoadZoneBook

__all__ = [
    "LIMIT_FIELDS",
    "MAX_PROJECTS",
    "MAX_PROJECT_NAME_LENGTH",
    "ProjectBook",
]

MAX_PROJECT_NAME_LENGTH: Final = 255
MAX_PROJECTS: Final = 1000
MAX_LABELS_PER_PROJECT: Final = 30
MAX_LABEL_PAIRS: Final = 500
MAX_LABEL_TEXT_LENGTH: Final = 64
_LABEL_TEXT: Final = re.compile(r"[^\s'\";\\%]+")
LIMIT_FIELDS: Final = (
    "vuh_max_per_month",
    "vu_max_per_test",
    "vu_browser_max_per_test",
    "duration_max_per_test",
)


def check_project_name(value: Any, target: str = "name") -> str:
    """A project name: a string of 1..255 characters, else a ``400 validation_error``."""
    if not isinstance(value, str):
        raise ApiError.validation("The name must be a string.", target)
    if not 1 <= len(value) <= MAX_PROJECT_NAME_LENGTH:
        raise ApiError.validation(
            f"The name must be 1 to {MAX_PROJECT_NAME_LENGTH} characters long.", target
        )
    return value


def _label_text(value: Any, target: str) -> str:
    if (
        not isinstance(value, str)
        or not 1 <= len(value) <= MAX_LABEL_TEXT_LENGTH
        or _LABEL_TEXT.fullmatch(value) is None
    ):
        raise ApiError.validation(
            f"{target} must be 1 to {MAX_LABEL_TEXT_LENGTH} characters, without whitespace, "
            "quotes, ';', '\\' or '%'.",
            target,
        )
    return value


def _allowed(zone: LoadZone) -> AllowedLoadZone:
    return AllowedLoadZone(
        zone.id,
        zone.name,
        zone.k6_load_zone_id,
        zone.available,
        zone.custom_load_runner_image,
        zone.public,
    )


@define
class ProjectBook:
    """Every project of the fake stack and what hangs on it, by project id.

    ``zones`` are the stack's load zones, which also record the private zones each project
    may use (the store's ``load_zones``: one record, read from both ends); ``keys`` the
    organization's label keys (the store's ``label_keys``), which a ``PUT`` of labels by
    name adds to, and whose deletion or renaming the projects' labels follow.
    """

    clock: FakeClock
    projects: dict[int, Project] = field(factory=dict)
    limits: dict[int, ProjectLimits] = field(factory=dict)
    zones: LoadZoneBook = field(factory=LoadZoneBook)
    keys: LabelKeyBook = field(factory=LabelKeyBook)
    _next_id: int = 1

    def __attrs_post_init__(self) -> None:
        self.keys.on_delete.append(self._forget_key)
        self.keys.on_rename.append(self._rename_key)

    # -- projects ---------------------------------------------------------------------------

    def add(self, name: str | None) -> Project:
        """A new project (``Project {id}`` when unnamed); the stack's first is its default."""
        project_id = self._next_id
        name = f"Project {project_id}" if name is None else check_project_name(name)
        self._check_free(name)
        if len(self.projects) >= MAX_PROJECTS:
            raise ApiError.conflict(f"Maximum number of projects ({MAX_PROJECTS}) reached.")
        self._next_id += 1
        now = self.clock.now()
        project = Project(
            id=project_id,
            name=name,
            is_default=not self.projects,
            grafana_folder_uid=f"fake{project_id:010d}",
            created=now,
            updated=now,
            labels={},
        )
        self.projects[project_id] = project
        self.limits[project_id] = ProjectLimits(project_id, None, None, None, None)
        return project

    def require(self, project_id: int) -> Project:
        """The project, or a ``404 not_found``."""
        project = self.projects.get(project_id)
        if project is None:
            raise ApiError.not_found("Project")
        return project

    def rename(self, project_id: int, name: str) -> None:
        """``PATCH``: ``409`` when another project has the name."""
        project = self.require(project_id)
        if name != project.name:
            self._check_free(name)
            project.name = name
        project.updated = self.clock.now()

    def delete(self, project_id: int) -> None:
        """Forget the project and what hangs on it (the caller checks its tests)."""
        self.require(project_id)
        del self.projects[project_id]
        del self.limits[project_id]
        self.zones.forget_project(project_id)

    def listing(self, name: str | None, name_search: str | None) -> list[Project]:
        """Projects named ``name`` and whose name holds ``name_search`` (any case), by id."""
        search = None if name_search is None else name_search.casefold()
        return [
            p
            for p in self.projects.values()
            if (name is None or p.name == name) and (search is None or search in p.name.casefold())
        ]

    def snapshot(self, project: Project) -> Project:
        """A copy that later changes do not reach."""
        return evolve(project, labels=dict(project.labels))

    def _check_free(self, name: str) -> None:
        if any(p.name == name for p in self.projects.values()):
            raise ApiError.conflict("Project name is already in use.", "name")

    # -- limits -----------------------------------------------------------------------------

    def patch_limits(self, project_id: int, changes: dict[str, int | None]) -> None:
        """Set (an int) or remove (None) the limits named in ``changes``."""
        self.require(project_id)
        limits = self.limits[project_id]
        for name, value in changes.items():
            setattr(limits, name, value)

    def limits_of(self, project_ids: Sequence[int] | None) -> list[ProjectLimits]:
        """The limits of ``project_ids`` (``None``: all) that exist, by project id."""
        wanted = self.limits if project_ids is None else set(project_ids)
        return [self.limits[pid] for pid in sorted(self.limits) if pid in wanted]

    # -- allowed load zones -----------------------------------------------------------------

    def zones_of(self, project_id: int) -> list[AllowedLoadZone]:
        self.require(project_id)
        return [_allowed(zone) for zone in self.zones.zones_of_project(project_id)]

    def set_zones(self, project_id: int, zone_ids: Iterable[int]) -> list[AllowedLoadZone]:
        """Exactly ``zone_ids``: ``400`` (target ``value``) for a zone that does not exist
        or is public (every project may use those)."""
        self.require(project_id)
        return [_allowed(zone) for zone in self.zones.set_zones_of_project(project_id, zone_ids)]

    # -- labels -----------------------------------------------------------------------------

    def labels_of(self, project_id: int) -> list[ProjectLabel]:
        project = self.require(project_id)
        return [ProjectLabel(key, value) for key, value in project.labels.items()]

    def set_labels(self, project_id: int, items: list[dict[str, Any]]) -> list[ProjectLabel]:
        """Replace the labels with ``items`` (each ``value`` with ``key`` or ``key_id``).

        ``400`` for an invalid or unknown key, a duplicate key or a bad value; ``409`` past
        30 labels, or when the organization would hold more than 500 distinct pairs.
        """
        project = self.require(project_id)
        labels: dict[str, str] = {}
        new_keys: list[str] = []
        for index, item in enumerate(items):
            target = f"value[{index}]"
            if not isinstance(item, dict) or set(item) - {"key", "key_id", "value"}:
                raise ApiError.validation(
                    "A label is an object of key or key_id, and value.", target
                )
            key = self._label_key(item.get("key"), item.get("key_id"), target)
            if key in labels:
                raise ApiError.validation(f"Duplicate label key {key!r}.", target)
            labels[key] = _label_text(item.get("value"), f"{target}.value")
            if self.keys.by_name(key) is None:
                new_keys.append(key)
        if len(labels) > MAX_LABELS_PER_PROJECT:
            raise ApiError.conflict(f"Max labels per project ({MAX_LABELS_PER_PROJECT}) exceeded.")
        pairs = {
            (key, value)
            for other in self.projects.values()
            if other.id != project_id
            for key, value in other.labels.items()
        } | set(labels.items())
        if len(pairs) > MAX_LABEL_PAIRS:
            raise ApiError.conflict(
                f"Max unique label pairs per organization ({MAX_LABEL_PAIRS}) exceeded."
            )
        if new_keys:  # 409 past the organization's 100 keys, adding none
            self.keys.create([{"key": key} for key in new_keys])
        project.labels = labels
        project.updated = self.clock.now()
        return [ProjectLabel(key, value, self._key_id(key)) for key, value in labels.items()]

    def delete_label(self, project_id: int, key: str) -> None:
        """Remove the label: ``404`` when the project has none of that key."""
        project = self.require(project_id)
        if key not in project.labels:
            raise ApiError(404, "not_found", "Label key not found on project.")
        del project.labels[key]
        project.updated = self.clock.now()

    def _label_key(self, key: Any, key_id: Any, target: str) -> str:
        if (key is None) == (key_id is None):
            raise ApiError.validation("Give one of key or key_id.", target)
        if key is not None:
            return _label_text(key, f"{target}.key")
        if not isinstance(key_id, int) or isinstance(key_id, bool):
            raise ApiError.validation("key_id must be an integer.", f"{target}.key_id")
        label = self.keys.keys.get(key_id)
        if label is None:
            raise ApiError.validation(f"Invalid label key ID {key_id}.", f"{target}.key_id")
        return label.key

    def _key_id(self, key: str) -> int:
        label = self.keys.by_name(key)
        assert label is not None  # set_labels adds the keys it names
        return label.id

    def _forget_key(self, key: str) -> None:
        """A deleted label key: no project keeps a label of it."""
        for project in self.projects.values():
            if key in project.labels:
                del project.labels[key]
                project.updated = self.clock.now()

    def _rename_key(self, old: str, new: str) -> None:
        """A renamed label key: the projects' labels of it keep their values and order."""
        for project in self.projects.values():
            if old in project.labels:
                project.labels = {
                    (new if key == old else key): value for key, value in project.labels.items()
                }
