"""The multipart body of ``create``: a ``name`` field and a streamed ``script`` file part."""

from __future__ import annotations

import aiohttp

from .._scripts import ScriptBody

__all__ = ["CreateBody"]


class CreateBody:
    """Builds a fresh multipart payload for each attempt of a ``create``."""

    def __init__(self, name: str, script: ScriptBody) -> None:
        self._name = name
        self._script = script

    @property
    def replayable(self) -> bool:
        return self._script.replayable

    @property
    def why_not_replayable(self) -> str:
        return self._script.why_not_replayable

    def payload(self) -> aiohttp.MultipartWriter:
        writer = aiohttp.MultipartWriter("form-data")
        name_part = writer.append(self._name, {"Content-Type": "text/plain; charset=utf-8"})
        name_part.set_content_disposition("form-data", name="name")
        script_part = writer.append_payload(
            self._script.payload(content_type=self._script.multipart_type)
        )
        script_part.set_content_disposition(
            "form-data", name="script", filename=self._script.filename
        )
        return writer
