"""``client.labels``: the organization's label keys (projects carry values for them)."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence

from yarl import URL

from .._converter import to_dict
from .._models import UNSET, Unset
from .._models_labels import LabelKey, LabelKeyCreateItem, LabelKeyPatch, LabelKeysCreate
from .._requestor import Requestor, Timeout
from .._retry import Replay
from .._validation import (
    check_changes,
    check_id,
    check_label_description,
    check_label_key,
    check_label_keys,
)
from ._base import Resource

__all__ = ["Labels"]


class Labels(Resource):
    """Label keys: list, create (additive), rename or describe, delete."""

    def __init__(self, requestor: Requestor) -> None:
        super().__init__(requestor)
        self._labels_root = self._root / "labels"

    async def list(
        self, *, timeout: Timeout = None, max_retries: int | None = None
    ) -> builtins.list[LabelKey]:
        """``GET /labels``: every label key (one body; the API does not paginate it)."""
        return await self._get_list(
            self._labels_root, LabelKey, timeout=timeout, max_retries=max_retries
        )

    async def create(
        self,
        keys: Mapping[str, str | None] | Sequence[str],
        *,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> builtins.list[LabelKey]:
        """``POST /labels``: add 1 to 100 keys, ``{"team": "Who owns it", "env": None}`` or
        ``["team", "env"]`` (a ``None`` description is not sent). Returns the keys the API
        answers with.

        Additive, not idempotent: retried only when the request provably was not processed
        (no connection, or 429). BadRequestError for a key that exists or is repeated,
        ConflictError when the organization would hold more than 100 keys.
        """
        items = [
            LabelKeyCreateItem(key=key, description=UNSET if description is None else description)
            for key, description in check_label_keys(keys)
        ]
        return await self._send_json(
            "POST",
            self._labels_root,
            to_dict(LabelKeysCreate(value=items)),
            self._requestor.model_list(LabelKey),
            timeout=timeout,
            max_retries=max_retries,
            replay=Replay.UNPROCESSED_ONLY,
        )

    async def update(
        self,
        label_id: int,
        *,
        key: str | Unset = UNSET,
        description: str | Unset | None = UNSET,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> LabelKey:
        """``PATCH /labels/{id}``: rename the key, and/or set or clear (``None``) its
        description; returns the key as changed. A keyword left at ``UNSET`` is not sent.

        NotFoundError for an unknown id, ConflictError when the new name is taken.
        """
        url = self._label_url(label_id)
        check_changes("update", key=key, description=description)
        if not isinstance(key, Unset):
            check_label_key(key)
        if not isinstance(description, Unset) and description is not None:
            check_label_description(description)
        patch = LabelKeyPatch(key=key, description=description)
        return await self._send_json(
            "PATCH",
            url,
            to_dict(patch),
            self._requestor.model(LabelKey),
            timeout=timeout,
            max_retries=max_retries,
        )

    async def delete(
        self, label_id: int, *, timeout: Timeout = None, max_retries: int | None = None
    ) -> None:
        """``DELETE /labels/{id}``: the key and every project label that uses it.

        A 404 on a retry, after an attempt whose response was lost, means that attempt
        deleted the key: the call then succeeds.
        """
        url = self._label_url(label_id)
        await self._delete(url, timeout=timeout, max_retries=max_retries)

    def _label_url(self, label_id: int) -> URL:
        return self._url("labels", check_id(label_id, "label_id"))
