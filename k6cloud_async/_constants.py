"""Defaults in one place."""

from __future__ import annotations

from typing import Final

import aiohttp

DEFAULT_BASE_URL: Final = "https://api.k6.io"
API_PREFIX: Final = ("cloud", "v6")

ENV_TOKEN: Final = "K6_CLOUD_TOKEN"
ENV_STACK_ID: Final = "K6_CLOUD_STACK_ID"
ENV_HOST: Final = "K6_CLOUD_HOST_V6"
ENV_STACK_URL: Final = "K6_CLOUD_STACK_URL"

#: 60 s per attempt, 10 s for the TCP (and TLS) connect. ``sock_connect`` rather than
#: ``connect``: aiohttp's ``connect`` also counts the wait for a free pooled connection.
DEFAULT_TIMEOUT: Final = aiohttp.ClientTimeout(total=60, sock_connect=10)
DEFAULT_MAX_RETRIES: Final = 2
DEFAULT_MAX_CONNECTIONS: Final = 100

#: A JSON response larger than this is refused rather than buffered.
DEFAULT_MAX_RESPONSE_BYTES: Final = 32 * 1024 * 1024

MAX_PAGE_SIZE: Final = 1000
MAX_NAME_LENGTH: Final = 300
MAX_IDEMPOTENCY_KEY_LENGTH: Final = 36
ORDER_BY_FIELDS: Final = frozenset({"id", "project_id", "name", "created", "updated"})

IDEMPOTENCY_HEADER: Final = "K6-Idempotency-Key"
#: The Grafana stack URL ``GET /auth`` resolves into a stack id.
STACK_URL_HEADER: Final = "X-Stack-Url"
REQUEST_ID_HEADERS: Final = ("X-Request-Id", "Request-Id")

#: A script download asks for ``identity``; one that arrives compressed anyway may decode
#: to ``COMPRESSED_SCRIPT_ALLOWANCE`` bytes, and past that to ``COMPRESSED_SCRIPT_EXPANSION``
#: bytes for each encoded byte received. Source code and k6 archives compress 3 to 20 times;
#: a gzip bomb, about 1000 times. Counting the bytes that came (not the Content-Length, which
#: may lie, or be missing) keeps what reaches the disk in proportion to what was sent, as it
#: is for an identity download, which is never capped.
COMPRESSED_SCRIPT_ALLOWANCE: Final = 32 * 1024 * 1024
COMPRESSED_SCRIPT_EXPANSION: Final = 64

#: How much of a script an upload reads at a time (from a file: in a worker thread, so each
#: read costs a thread hop). Measured on a 256 MiB upload from a path: 256 KiB reads took
#: 0.22 s of CPU, 512 KiB 0.17 s, 1 MiB 0.15 s; 512 KiB keeps most of the gain for half the
#: memory of each upload in flight.
CHUNK_SIZE: Final = 512 * 1024
