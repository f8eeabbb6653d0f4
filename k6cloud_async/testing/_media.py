"""Script types: telling a k6 ``.tar`` archive from JavaScript, and ``Accept`` negotiation."""

from __future__ import annotations

from typing import Final

__all__ = ["JS_TYPE", "TAR_TYPE", "accepts", "is_tar", "script_media_type"]

TAR_TYPE: Final = "application/x-tar"
JS_TYPE: Final = "text/javascript"

_TAR_MAGIC: Final = b"ustar"
_TAR_MAGIC_OFFSET: Final = 257


def is_tar(script: bytes) -> bool:
    """Whether ``script`` is a tar archive: the POSIX magic ``ustar`` at offset 257."""
    return script[_TAR_MAGIC_OFFSET : _TAR_MAGIC_OFFSET + len(_TAR_MAGIC)] == _TAR_MAGIC


def script_media_type(script: bytes) -> str:
    """``application/x-tar`` for an archive, else ``text/javascript``."""
    return TAR_TYPE if is_tar(script) else JS_TYPE


def _parse_range(item: str) -> tuple[str, str, float] | None:
    """``type/subtype;q=…`` as ``(type, subtype, q)``; ``None`` when malformed."""
    media, *params = item.split(";")
    media = media.strip().lower()
    if media == "*":  # some clients send a bare "*"
        media = "*/*"
    kind, sep, sub = media.partition("/")
    if not sep or not kind or not sub or (kind == "*" and sub != "*"):
        return None
    q = 1.0
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                q = float(value.strip())
            except ValueError:
                return None
            if not 0.0 <= q <= 1.0:
                return None
    return kind, sub, q


def accepts(accept: str | None, media_type: str) -> bool:
    """Whether an ``Accept`` header value allows ``media_type``.

    No header (or an empty one) accepts anything. Otherwise the most specific
    media range matching ``media_type`` (``type/subtype`` over ``type/*`` over
    ``*/*``) decides, and it accepts when its ``q`` is above zero; among equally
    specific ranges the highest ``q`` wins. Media type parameters other than
    ``q`` are ignored; a malformed range matches nothing.
    """
    if accept is None or not accept.strip():
        return True
    kind, _, sub = media_type.lower().partition("/")
    best: tuple[int, float] | None = None
    for item in accept.split(","):
        if not item.strip():
            continue
        parsed = _parse_range(item)
        if parsed is None:
            continue
        r_kind, r_sub, q = parsed
        if r_kind == "*":
            specificity = 0
        elif r_kind != kind:
            continue
        elif r_sub == "*":
            specificity = 1
        elif r_sub == sub:
            specificity = 2
        else:
            continue
        if best is None or (specificity, q) > best:
            best = (specificity, q)
    return best is not None and best[1] > 0.0
