"""``k6cloud fake-server``: FakeK6Cloud in the foreground, until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Literal

from ._arguments import non_negative_int, positive_int
from ._errors import CliError
from ._samples import PROJECT_NAMES, add_samples

if TYPE_CHECKING:  # asyncio and the fake are imported when serving, not for --help
    import asyncio

    from k6cloud_async.testing import FakeK6Cloud, RunOutcome

    from ._output import Output

__all__ = ["register", "serve"]

DEFAULT_TESTS = 12
DEFAULT_TOKEN = "fake-token"
DEFAULT_STACK_ID = 1


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    text = (
        "run FakeK6Cloud, the library's in-memory fake of the API, in the foreground "
        "(until Ctrl-C) with sample load tests, and print how to point k6cloud at it"
    )
    p = commands.add_parser("fake-server", help=text, description=text, parents=[common])
    p.add_argument(
        "--port", type=non_negative_int, default=0, help="port on 127.0.0.1 (default: any free)"
    )
    p.add_argument(
        "--tests",
        type=non_negative_int,
        default=DEFAULT_TESTS,
        metavar="N",
        help=f"sample load tests to hold, spread over {len(PROJECT_NAMES)} projects "
        f"(default: {DEFAULT_TESTS})",
    )
    p.add_argument(
        "--runs-fail",
        action="store_true",
        help="runs end failed (thresholds crossed) instead of passed",
    )
    p.add_argument(
        "--run-steps",
        type=positive_int,
        default=None,
        metavar="N",
        help="polls of a run before it ends (default: FakeK6Cloud's, 4)",
    )
    p.epilog = (
        f"--token (or --token-file) and --stack-id set the credentials the fake accepts "
        f"(default: {DEFAULT_TOKEN} and {DEFAULT_STACK_ID})."
    )
    p.set_defaults(local_handler=run)


def run(args: argparse.Namespace, out: Output) -> int:
    if args.token is not None and args.token_file is not None:
        raise CliError("give --token or --token-file, not both")
    import asyncio

    from k6cloud_async.testing import RunOutcome

    from ._context import read_token_file

    token = read_token_file(args.token_file, out) if args.token_file is not None else args.token
    result: Literal["passed", "failed"] = "failed" if args.runs_fail else "passed"
    outcome = (
        RunOutcome(result=result)
        if args.run_steps is None
        else RunOutcome(result=result, steps=args.run_steps)
    )
    try:
        asyncio.run(
            serve(
                out,
                port=args.port,
                tests=args.tests,
                token=token if token is not None else DEFAULT_TOKEN,
                stack_id=args.stack_id if args.stack_id is not None else DEFAULT_STACK_ID,
                outcome=outcome,
            )
        )
    except OSError as exc:
        raise CliError(f"cannot serve on port {args.port}: {exc.strerror or exc}") from None
    return 0


async def serve(
    out: Output,
    *,
    port: int = 0,
    tests: int = DEFAULT_TESTS,
    token: str = DEFAULT_TOKEN,
    stack_id: int = DEFAULT_STACK_ID,
    outcome: RunOutcome | None = None,
    until: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Serve until ``until()`` returns (by default: until SIGINT or SIGTERM).

    The fake accepts ``token`` and ``stack_id``; its runs end as ``outcome`` says (by
    default: passed after 4 polls). The signal handlers are in place before the server
    listens, so a SIGTERM sent as soon as the port answers (or the first line is
    printed) stops it cleanly.
    """
    import asyncio

    from k6cloud_async.testing import FakeK6Cloud, RunOutcome

    outcome = outcome if outcome is not None else RunOutcome()
    stop = asyncio.Event()
    with _stop_on_signals(stop):
        async with FakeK6Cloud(token, stack_id, port=port) as fake:
            fake.set_run_outcome(result=outcome.result, steps=outcome.steps)
            add_samples(fake, tests)
            _announce(out, fake, tests, outcome)
            out.note("Serving until Ctrl-C (or SIGTERM).")
            await (until() if until is not None else stop.wait())
    out.note("FakeK6Cloud stopped.")


def _announce(out: Output, fake: FakeK6Cloud, tests: int, outcome: RunOutcome) -> None:
    if out.json_mode:
        settings = {
            "base_url": fake.base_url,
            "token": fake.token,
            "stack_id": fake.stack_id,
            "projects": fake.projects,
            "tests": tests,
            "runs": {"result": outcome.result, "steps": outcome.steps},
        }
        out.json_lines([settings])
        return
    out.line(f"FakeK6Cloud listening on {fake.base_url}")
    out.pairs(
        [
            ("base URL", fake.base_url),
            ("token", fake.token),
            ("stack id", str(fake.stack_id)),
            ("projects", ", ".join(map(str, fake.projects))),
            ("load tests", str(tests)),
            ("runs end", f"{outcome.result} after {outcome.steps} polls"),
        ]
    )
    out.line("")
    out.line(f"export K6_CLOUD_HOST_V6={fake.base_url}")
    out.line(f"export K6_CLOUD_TOKEN={fake.token}")
    out.line(f"export K6_CLOUD_STACK_ID={fake.stack_id}")


@contextlib.contextmanager
def _stop_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """Set ``stop`` on SIGINT or SIGTERM while inside (in the running loop)."""
    import asyncio
    import signal

    loop = asyncio.get_running_loop()
    signals: tuple[signal.Signals, ...] = (signal.SIGINT, signal.SIGTERM)
    try:
        for number in signals:
            loop.add_signal_handler(number, stop.set)
    except NotImplementedError:  # pragma: no cover - Windows: Ctrl-C raises KeyboardInterrupt
        signals = ()
    try:
        yield
    finally:
        for number in signals:
            loop.remove_signal_handler(number)
