"""Reading a ``multipart/form-data`` body into its parts, a malformed one being a 400."""

from __future__ import annotations

import codecs
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.multipart import BadContentDispositionHeader, BadContentDispositionParam
from attrs import frozen

from ._errors import ApiError
from ._http import CHUNK_SIZE
from ._request_rules import check_media_type

__all__ = ["FORM_TYPE", "MAX_PARTS", "FormPart", "read_form"]

FORM_TYPE: Final = "multipart/form-data"

#: More parts than this is not a form the API would take (and bounds the work per body).
MAX_PARTS: Final = 100


@frozen
class FormPart:
    """One part of a form: its bytes, and the ``filename`` and ``Content-Type`` it came with."""

    data: bytes
    filename: str | None
    content_type: str | None

    def text(self, target: str) -> str:
        """The part as text in its declared charset (UTF-8 by default), else a 400."""
        charset = _charset(self.content_type) or "utf-8"
        try:
            codecs.lookup(charset)
            return self.data.decode(charset)
        except LookupError:
            raise ApiError.validation(f"Unknown charset {charset!r}.", target) from None
        except UnicodeDecodeError:
            raise ApiError.validation(f"{target} is not valid {charset} text.", target) from None


def _charset(content_type: str | None) -> str | None:
    if content_type is None:
        return None
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip('"') or None
    return None


@contextmanager
def _malformed_is_400() -> Iterator[None]:
    """aiohttp's multipart reader signals a malformed body with ``ValueError``, header
    parsing errors, or a warning about ``Content-Disposition``: each is the sender's fault."""
    with warnings.catch_warnings():
        # A bad Content-Disposition reads as a part without a name: that is the 400.
        warnings.simplefilter("ignore", BadContentDispositionHeader)
        warnings.simplefilter("ignore", BadContentDispositionParam)
        # aiohttp 3.14's reader calls its own deprecated unread_data() for chunked bodies.
        warnings.filterwarnings("ignore", "unread_data", DeprecationWarning)
        try:
            yield
        except (ValueError, HttpProcessingError) as exc:
            raise ApiError.validation(f"The multipart body is malformed: {exc}") from None
        except ConnectionResetError:  # the sender closed before the body's end
            raise ApiError.validation("The multipart body ended before its end.") from None


async def _read_part(part: BodyPartReader) -> bytes:
    data = bytearray()
    while chunk := await part.read_chunk(CHUNK_SIZE):
        data += chunk
    return bytes(data)


async def read_form(request: web.Request) -> dict[str, FormPart]:
    """The parts of a ``multipart/form-data`` body by name (the first of a name wins).

    ``415 unsupported_media_type`` for another media type; ``400 validation_error``
    for a body without a boundary, without its opening or closing boundary, with
    malformed part headers, nested multipart parts, or more than :data:`MAX_PARTS`.
    Parts without a name are skipped.
    """
    check_media_type(request.headers.get("Content-Type"), (FORM_TYPE,))
    parts: dict[str, FormPart] = {}
    count = 0
    with _malformed_is_400():
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            count += 1
            if count > MAX_PARTS:
                raise ApiError.validation(f"The form has more than {MAX_PARTS} parts.")
            if not isinstance(part, BodyPartReader):
                raise ApiError.validation("Nested multipart bodies are not supported.")
            name = part.name
            data = await _read_part(part)
            if name is not None and name not in parts:
                parts[name] = FormPart(data, part.filename, part.headers.get("Content-Type"))
    return parts
