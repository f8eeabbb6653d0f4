"""What a command runs with: the client built from the options, and where output goes."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import BinaryIO

from attrs import define

import k6cloud_async as k6

from .._constants import DEFAULT_MAX_RETRIES, ENV_STACK_ID, ENV_STACK_URL, ENV_TOKEN
from ._errors import CliError, describe
from ._output import Output
from ._progress import ProgressBar, Unit

__all__ = ["Context", "make_client", "read_token_file"]


@define
class Context:
    client: k6.K6CloudClient
    out: Output
    stdin: BinaryIO

    def progress(self, label: str, *, unit: Unit = "bytes") -> ProgressBar:
        """A bar on stderr, drawn only when stderr is a terminal."""
        return ProgressBar(label, self.out.stderr, unit=unit)


def read_token_file(path: str) -> str:
    """The token in ``path``, stripped; a missing, unreadable or empty file is a CliError."""
    try:
        token = Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise CliError(f"cannot read token file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise CliError(f"token file {path} is not UTF-8 text") from None
    if not token:
        raise CliError(f"token file {path} is empty")
    return token


def make_client(args: argparse.Namespace) -> k6.K6CloudClient:
    """A client from the global options, falling back to the environment as the library does.

    A missing token or stack id is one line naming the variable to set.
    """
    if args.token is not None and args.token_file is not None:
        raise CliError("give --token or --token-file, not both")
    token: str | None = args.token
    if args.token_file is not None:
        token = read_token_file(args.token_file)
    if token is None and not os.environ.get(ENV_TOKEN):
        raise CliError(f"no API token: set {ENV_TOKEN}, or pass --token or --token-file")
    if args.stack_id is not None and args.stack_url is not None:
        raise CliError("give --stack-id or --stack-url, not both")
    given = args.stack_id is not None or args.stack_url is not None
    if not given and not os.environ.get(ENV_STACK_ID) and not os.environ.get(ENV_STACK_URL):
        raise CliError(
            f"no stack id: set {ENV_STACK_ID} (or {ENV_STACK_URL}), "
            "or pass --stack-id (or --stack-url)"
        )
    try:
        return k6.K6CloudClient(
            token,
            args.stack_id,
            stack_url=args.stack_url,
            base_url=args.base_url,
            timeout=args.timeout,  # None: the library's default
            max_retries=DEFAULT_MAX_RETRIES if args.max_retries is None else args.max_retries,
        )
    except k6.ConfigurationError as exc:
        raise CliError(describe(exc)) from None
