"""Running a parsed command: the client, the event loop, signals, and every failure turned
into one ``error:`` line (or JSON object) and an exit code, never a traceback."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Iterator

import k6cloud_async as k6

from ._context import Context, make_client
from ._errors import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    EXIT_USAGE,
    CliError,
)
from ._output import Output

__all__ = ["run", "silence_stdout"]


class _Terminated(Exception):
    """SIGTERM arrived: the command was cancelled, as Ctrl-C cancels it."""


def run(args: argparse.Namespace) -> int:
    """Run the command ``args`` names and return its exit code."""
    out = Output(sys.stdout, sys.stderr, json_mode=args.json)
    try:
        if hasattr(args, "local_handler"):  # runs without a client: demo, fake-server, …
            code: int = args.local_handler(args, out)
            return code
        return asyncio.run(_run_with_client(args, out))
    except CliError as exc:
        out.exception(exc)
        return exc.exit_code
    except k6.K6CloudError as exc:
        out.exception(exc)
        return EXIT_ERROR
    except ValueError as exc:  # an argument the library refused that parsing let through
        out.exception(exc)
        return EXIT_USAGE
    except KeyboardInterrupt:
        _stopped(out, "interrupted")
        return EXIT_INTERRUPTED
    except _Terminated:
        _stopped(out, "terminated")
        return EXIT_TERMINATED
    except BrokenPipeError:  # `k6cloud tests list | head`: the reader left
        silence_stdout()
        return EXIT_ERROR
    except OSError as exc:  # a file or directory that cannot be read or written
        out.exception(exc)
        return EXIT_ERROR
    except Exception as exc:  # a bug: still one line, as every other failure
        out.failure(f"unexpected {type(exc).__name__}: {exc}", code="internal_error")
        return EXIT_ERROR


async def _run_with_client(args: argparse.Namespace, out: Output) -> int:
    with _cancel_on_sigterm() as terminated:
        try:
            async with make_client(args, out) as client:
                code: int = await args.handler(Context(client, out, sys.stdin.buffer), args)
                return code
        except asyncio.CancelledError:
            if terminated.is_set():
                raise _Terminated from None
            raise


@contextlib.contextmanager
def _cancel_on_sigterm() -> Iterator[asyncio.Event]:
    """Cancel the running task on SIGTERM, as ``asyncio.run`` does on SIGINT, so that the
    command says what it leaves behind (a run that goes on) before it exits with 143.

    Yields an event set once SIGTERM arrived.
    """
    terminated = asyncio.Event()
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()

    def on_sigterm() -> None:
        terminated.set()
        if task is not None:
            task.cancel()

    try:
        loop.add_signal_handler(signal.SIGTERM, on_sigterm)
    except (NotImplementedError, RuntimeError, ValueError):  # pragma: no cover - no handler
        yield terminated  # on Windows, or outside the main thread: SIGTERM ends the process
        return
    try:
        yield terminated
    finally:
        loop.remove_signal_handler(signal.SIGTERM)


def _stopped(out: Output, word: str) -> None:
    """``interrupted`` / ``terminated`` on stderr (with --json, an error object)."""
    if out.json_mode:
        out.failure(word, code=word)
    else:
        out.note(word)


def silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush does not fail too."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - stdout without a file descriptor
        pass
