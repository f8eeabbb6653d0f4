"""The fake's label keys: the organization's keys, which project labels give values to.

Keys are unique (case-sensitive), 1 to 64 characters without whitespace, quotes, ``;``,
``\\`` or ``%``; descriptions 1 to 255 characters or ``null``; at most 100 keys (409).
Methods raise :class:`ApiError`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

from attrs import define, evolve, field

from .._models_labels import LabelKey
from ._errors import ApiError

__all__ = ["MAX_LABEL_KEYS", "LabelKeyBook"]

MAX_LABEL_KEYS: Final = 100
MAX_DESCRIPTION_LENGTH: Final = 255
_KEY: Final = re.compile(r"[^\s'\";\\%]{1,64}")
_CREATE_FIELDS: Final = frozenset({"key", "description"})


def check_key(value: Any, target: str) -> str:
    """A label key, else a ``400 validation_error`` about ``target``."""
    if not isinstance(value, str) or _KEY.fullmatch(value) is None:
        raise ApiError.validation(
            "A label key is 1 to 64 characters without whitespace, quotes, ';', '\\' or '%'.",
            target,
        )
    return value


def check_description(value: Any, target: str) -> str | None:
    """A description (1 to 255 characters) or ``None``, else a 400 about ``target``."""
    if value is None:
        return None
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_DESCRIPTION_LENGTH:
        raise ApiError.validation(
            f"A description is null or 1 to {MAX_DESCRIPTION_LENGTH} characters.", target
        )
    return value


@define
class LabelKeyBook:
    """The label keys by id (ids count up from 1 and are never reused).

    ``on_delete`` are called with each deleted key's name: the labels of projects that use
    it go with it; ``on_rename`` with the old and the new name of each renamed key: the
    labels of projects follow it.
    """

    keys: dict[int, LabelKey] = field(factory=dict)
    on_delete: list[Callable[[str], None]] = field(factory=list)
    on_rename: list[Callable[[str, str], None]] = field(factory=list)
    _next_id: int = 1

    def listing(self) -> list[LabelKey]:
        """Every key, by id."""
        return [self.keys[key_id] for key_id in sorted(self.keys)]

    def by_name(self, key: str) -> LabelKey | None:
        """The key named ``key``, or ``None``."""
        return next((k for k in self.keys.values() if k.key == key), None)

    def add(self, key: str, description: str | None = None) -> LabelKey:
        """One new key (``400`` when it exists, ``409`` beyond 100 keys)."""
        return self.create([{"key": key, "description": description}])[0]

    def create(self, items: list[Any]) -> list[LabelKey]:
        """``POST /labels``'s ``value``: 1 to 100 new keys, all or none.

        ``400`` for a malformed item, a key repeated in the request or one that exists;
        ``409`` when the organization would hold more than 100 keys.
        """
        if not 1 <= len(items) <= MAX_LABEL_KEYS:
            raise ApiError.validation(f"value must hold 1 to {MAX_LABEL_KEYS} keys.", "value")
        wanted: dict[str, str | None] = {}
        for index, item in enumerate(items):
            target = f"value[{index}]"
            if not isinstance(item, dict) or "key" not in item:
                raise ApiError.validation("A label key item is an object with a key.", target)
            unknown = sorted(set(item) - _CREATE_FIELDS)
            if unknown:
                raise ApiError.validation(
                    f"Unknown field {unknown[0]!r}.", f"{target}.{unknown[0]}"
                )
            key = check_key(item["key"], f"{target}.key")
            if key in wanted:
                raise ApiError.validation(f"Duplicate key {key!r} in the request.", f"{target}.key")
            if self.by_name(key) is not None:
                raise ApiError.validation(f"Label key {key!r} exists already.", f"{target}.key")
            wanted[key] = check_description(item.get("description"), f"{target}.description")
        if len(self.keys) + len(wanted) > MAX_LABEL_KEYS:
            raise ApiError.conflict(f"Maximum number of label keys ({MAX_LABEL_KEYS}) exceeded.")
        created = []
        for key, description in wanted.items():
            label = LabelKey(id=self._next_id, key=key, description=description)
            self._next_id += 1
            self.keys[label.id] = label
            created.append(evolve(label))
        return created

    def require(self, key_id: int) -> LabelKey:
        """The key, or a ``404 not_found``."""
        label = self.keys.get(key_id)
        if label is None:
            raise ApiError.not_found("Label key")
        return label

    def update(self, key_id: int, changes: dict[str, Any]) -> LabelKey:
        """``PATCH``: ``key`` (a rename: ``409`` when taken; ``null``: unchanged) and/or
        ``description`` (``null`` clears it); unknown fields are a ``400``."""
        label = self.require(key_id)
        unknown = sorted(set(changes) - _CREATE_FIELDS)
        if unknown:
            raise ApiError.validation(f"Unknown field {unknown[0]!r}.", unknown[0])
        key = changes.get("key")
        if key is not None:
            check_key(key, "key")
            other = self.by_name(key)
            if other is not None and other.id != key_id:
                raise ApiError.conflict(f"Label key {key!r} exists already.", "key")
        if "description" in changes:
            label.description = check_description(changes["description"], "description")
        if key is not None and key != label.key:
            old, label.key = label.key, key
            for follow in self.on_rename:
                follow(old, key)
        return evolve(label)

    def delete(self, key_id: int) -> None:
        """``DELETE``: the key, and (through ``on_delete``) the project labels using it."""
        label = self.require(key_id)
        del self.keys[key_id]
        for forget in self.on_delete:
            forget(label.key)
