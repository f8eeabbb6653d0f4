"""Attrs classes for the label key bodies of the v6 API (``/labels``).

Attribute names are the API's field names. In request bodies a field left at ``UNSET`` is
not sent; ``None`` sends JSON ``null``.
"""

from __future__ import annotations

from attrs import define

from ._models import UNSET, Unset

__all__ = ["LabelKey", "LabelKeyCreateItem", "LabelKeyPatch", "LabelKeysCreate"]


@define
class LabelKey:
    """A label key of the organization (``LabelKeyResponse``)."""

    id: int
    key: str
    description: str | None = None


@define
class LabelKeyCreateItem:
    """One key of ``POST /labels`` (``LabelKeyCreateItem``)."""

    key: str
    description: str | Unset | None = UNSET


@define
class LabelKeysCreate:
    """Request body of ``POST /labels`` (``LabelKeyCreateRequest``): 1 to 100 keys."""

    value: list[LabelKeyCreateItem]


@define
class LabelKeyPatch:
    """Request body of ``PATCH /labels/{id}`` (``LabelKeyPatchRequest``)."""

    key: str | Unset | None = UNSET
    description: str | Unset | None = UNSET
