"""``FakeK6Cloud``'s helpers for load zones, label keys and the stack URL of ``GET /auth``."""

from __future__ import annotations

from collections.abc import Iterable

from attrs import evolve

from .._models_labels import LabelKey
from .._models_load_zones import LoadZone
from ._context import ServerContext
from ._errors import ApiError

__all__ = ["ZonesAndLabels"]


class ZonesAndLabels:
    """Change and read the fake's load zones and label keys directly (no request is made).

    A new fake has public zones (``amazon:us:ashburn`` is zone 1) and the private zones 24,
    173 and 8345, allowing no project; no label keys.
    """

    _ctx: ServerContext

    @property
    def stack_url(self) -> str:
        """The ``X-Stack-Url`` that ``GET /auth`` accepts (any other is a 403)."""
        return self._ctx.stack_url

    @stack_url.setter
    def stack_url(self, url: str) -> None:
        if not isinstance(url, str) or not url:
            raise TypeError("stack_url must be a non-empty str")
        self._ctx.stack_url = url

    # -- load zones ------------------------------------------------------------------

    def add_load_zone(
        self,
        k6_load_zone_id: str,
        *,
        name: str | None = None,
        public: bool = False,
        available: bool = True,
        custom_load_runner_image: str | None = None,
    ) -> LoadZone:
        """A new zone (private unless ``public``) with the next free id; ``ValueError`` when
        ``k6_load_zone_id`` is taken."""
        zone = self._ctx.store.load_zones.add(
            k6_load_zone_id,
            name=name,
            public=public,
            available=available,
            custom_load_runner_image=custom_load_runner_image,
        )
        return evolve(zone)

    @property
    def load_zones(self) -> list[LoadZone]:
        """Copies of every zone, by id."""
        return [evolve(zone) for zone in self._ctx.store.load_zones.listing(None)]

    def get_load_zone(self, load_zone_id: int) -> LoadZone | None:
        """A copy of the zone, or ``None``."""
        zone = self._ctx.store.load_zones.get(load_zone_id)
        return None if zone is None else evolve(zone)

    def allowed_projects_of(self, load_zone_id: int) -> list[int]:
        """The ids of the projects allowed to use a private zone (``KeyError`` for an
        unknown or public zone)."""
        try:
            return self._ctx.store.load_zones.projects_of(load_zone_id)
        except ApiError:
            raise KeyError(load_zone_id) from None

    def allow_projects(self, load_zone_id: int, project_ids: Iterable[int]) -> None:
        """Allow exactly ``project_ids`` to use a private zone, as its ``PUT`` would
        (``KeyError`` for an unknown or public zone or project)."""
        ids = list(project_ids)
        missing = [i for i in ids if i not in self._ctx.store.projects]
        if missing:
            raise KeyError(missing[0])
        try:
            self._ctx.store.load_zones.set_projects(load_zone_id, ids)
        except ApiError:
            raise KeyError(load_zone_id) from None

    # -- label keys ------------------------------------------------------------------

    def add_label_key(self, key: str, description: str | None = None) -> LabelKey:
        """A new label key; ``ValueError`` for a bad or taken key or beyond 100 keys."""
        try:
            return self._ctx.store.label_keys.add(key, description)
        except ApiError as exc:
            raise ValueError(exc.message) from None

    @property
    def label_keys(self) -> list[LabelKey]:
        """Copies of every label key, by id."""
        return [evolve(label) for label in self._ctx.store.label_keys.listing()]
