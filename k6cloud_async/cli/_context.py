"""What a command runs with: the client built from the options, and where output goes."""

from __future__ import annotations

import argparse
import os
import stat
from typing import BinaryIO, Final

from attrs import define

import k6cloud_async as k6

from .._constants import DEFAULT_MAX_RETRIES, ENV_STACK_ID, ENV_STACK_URL, ENV_TOKEN
from ._errors import CliError, describe
from ._output import Output
from ._printable import printable
from ._progress import ProgressBar, Unit

__all__ = ["MAX_TOKEN_FILE_BYTES", "Context", "make_client", "read_token_file"]

#: A token is a few dozen characters: a larger --token-file is the wrong file (or /dev/zero).
MAX_TOKEN_FILE_BYTES: Final = 4096


@define
class Context:
    client: k6.K6CloudClient
    out: Output
    stdin: BinaryIO

    def progress(self, label: str, *, unit: Unit = "bytes") -> ProgressBar:
        """A bar on stderr, drawn only when stderr is a terminal."""
        return ProgressBar(printable(label), self.out.stderr, unit=unit)


def read_token_file(path: str, out: Output) -> str:
    """The token in ``path``, stripped, reading at most ``MAX_TOKEN_FILE_BYTES`` + 1 bytes.

    A missing, unreadable, empty, larger or non-UTF-8 file is a CliError; a regular file that
    other users can read gets a warning on stderr (the token still works).
    """
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_TOKEN_FILE_BYTES + 1)
            mode = os.fstat(file.fileno()).st_mode
    except OSError as exc:
        raise CliError(f"cannot read token file {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_TOKEN_FILE_BYTES:
        raise CliError(
            f"token file {path} is larger than {MAX_TOKEN_FILE_BYTES} bytes: not a token file"
        )
    try:
        token = data.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise CliError(f"token file {path} is not UTF-8 text") from None
    if not token:
        raise CliError(f"token file {path} is empty")
    if stat.S_ISREG(mode) and mode & (stat.S_IRGRP | stat.S_IROTH):
        out.warning(
            f"token file {path} can be read by other users (mode {stat.S_IMODE(mode):04o}); "
            f"make it private: chmod 600 {path}"
        )
    return token


def make_client(args: argparse.Namespace, out: Output) -> k6.K6CloudClient:
    """A client from the global options, falling back to the environment as the library does.

    A missing token or stack id is one line naming the variable to set.
    """
    if args.token is not None and args.token_file is not None:
        raise CliError("give --token or --token-file, not both")
    token: str | None = args.token
    if args.token_file is not None:
        token = read_token_file(args.token_file, out)
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
        raise CliError(describe(exc), cause=exc) from None
