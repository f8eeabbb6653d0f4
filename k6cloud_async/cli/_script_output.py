"""A downloaded script as a command prints it: the bytes to stdout, or a line (and, with
--json, a document) about the file it was saved to."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import k6cloud_async as k6

    from ._output import Output

__all__ = ["report_saved", "stream_to_stdout"]


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
