"""A downloaded script as a command prints it: the bytes to stdout, or a line (and, with
--json, a document) about the file it was saved to."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ._errors import CliError

if TYPE_CHECKING:
    import k6cloud_async as k6

    from ._output import Output

__all__ = ["check_output", "report_saved", "save_to", "stream_to_stdout"]


def check_output(target: str | None) -> None:
    """Refuse, before any request, an ``-o`` that cannot be saved to: a directory, or a
    path whose directory is missing (``build/checkout.tar`` in a fresh clone)."""
    if target is None:
        return
    if os.path.isdir(target):
        raise CliError(f"-o {target}: is a directory")
    directory = os.path.dirname(target) or os.curdir
    if not os.path.isdir(directory):
        reason = "is not a directory" if os.path.exists(directory) else "does not exist"
        raise CliError(f"-o {target}: {directory} {reason}")


async def save_to(download: k6.ScriptDownload, target: str) -> int:
    """``download.save(target)``, a disk error becoming one ``-o PATH: reason`` line."""
    try:
        return await download.save(target)
    except OSError as exc:
        if exc.errno is None:  # a timeout, not the disk (TimeoutError is an OSError)
            raise
        raise CliError(f"-o {target}: {exc.strerror or exc}") from None


async def stream_to_stdout(out: Output, download: k6.ScriptDownload) -> None:
    """The script itself is the output, even with --json."""
    sink = out.binary()
    async for chunk in download:
        sink.write(chunk)
    sink.flush()


def report_saved(
    out: Output, download: k6.ScriptDownload, target: str, size: int, ids: dict[str, int]
) -> None:
    """``saved N bytes (script|archive, type) to PATH``; with --json, ``ids`` then the path,
    size, content type and whether it is an archive."""
    kind = "archive" if download.is_archive else "script"
    out.line(f"saved {size} bytes ({kind}, {download.content_type}) to {target}")
    if out.json_mode:
        out.document(
            {
                **ids,
                "path": target,
                "bytes": size,
                "content_type": download.content_type,
                "is_archive": download.is_archive,
            }
        )
